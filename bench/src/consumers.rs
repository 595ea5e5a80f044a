//! The processes the orchestrator starts: the server, and the Rust consumers (ours and
//! kube-runtime's) of the sync, events and query measurements.

use std::io::{BufRead, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::ResourceExt;
use kube::api::Api;
use kube::runtime::reflector::{self, ObjectRef};
use kube::runtime::{WatchStreamExt, watcher};
use kube_informer::{CacheStorage, HandlerFns, Indexer, InformerOptions, Lister, SharedIndexInformer, object_key};
use serde_json::{Value, json};

use crate::common::{loaded_server, pod_json, pods_gvr};

/// Pods of the events run, and the updates written to them.
pub const EVENT_PODS: usize = 1_000;
/// Updates of the events run.
pub const EVENTS: usize = 100_000;
/// Handlers of the events run.
pub const HANDLERS: usize = 3;

/// (VmHWM, VmRSS) of this process in KiB.
pub fn memory_kib() -> (u64, u64) {
    process_memory_kib("self")
}

/// (VmHWM, VmRSS) in KiB of process `pid` (`self` for this one); zeros when unreadable.
pub fn process_memory_kib(pid: &str) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn client(url: &str) -> kube::Client {
    let config = kube::Config::new(url.parse().expect("the server's URL"));
    kube::Client::try_from(config).expect("a client")
}

fn fail(what: &str) -> i32 {
    eprintln!("kube-informer-bench: {what}");
    2
}

/// A variant: `ours`, `ours-compressed` or `kube`, with `+strip` to drop managedFields.
struct Variant {
    name: String,
    strip: bool,
}

impl Variant {
    fn parse(s: &str) -> Variant {
        let (name, strip) = match s.strip_suffix("+strip") {
            Some(name) => (name, true),
            None => (s, false),
        };
        Variant {
            name: name.to_owned(),
            strip,
        }
    }

    fn options(&self) -> InformerOptions<Pod> {
        InformerOptions {
            storage: if self.name == "ours-compressed" {
                CacheStorage::compressed()
            } else {
                CacheStorage::decoded()
            },
            transforms: if self.strip {
                vec![Arc::new(kube_informer::strip_managed_fields::<Pod>)]
            } else {
                Vec::new()
            },
            ..Default::default()
        }
    }
}

/// `server N NAMESPACES`.
pub fn server(args: &[String]) -> i32 {
    let [n, namespaces] = args else {
        return fail("usage: server N NAMESPACES");
    };
    let (n, namespaces): (usize, usize) = (n.parse().expect("N"), namespaces.parse().expect("NAMESPACES"));
    let runtime = runtime();
    let server = runtime.block_on(loaded_server(n, namespaces));
    println!("URL {}", server.url());
    std::io::stdout().flush().expect("stdout");
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        match line.trim() {
            "probe" => {
                let mut probe = pod_json(0, namespaces);
                probe["metadata"]["annotations"]["bench/probe"] = json!("1");
                assert_eq!(server.seed_json(&pods_gvr(), [probe]).unwrap(), 1);
                println!("ok");
            }
            "updates" => {
                let started = Instant::now();
                let template: Vec<Value> = (0..EVENT_PODS).map(|i| pod_json(i, namespaces)).collect();
                for round in 0..EVENTS / EVENT_PODS {
                    let updates = template.iter().map(|p| {
                        let mut p = p.clone();
                        p["metadata"]["annotations"]["bench/round"] = json!(round.to_string());
                        p
                    });
                    assert_eq!(server.seed_json(&pods_gvr(), updates).unwrap(), EVENT_PODS);
                }
                println!("ok {}", started.elapsed().as_secs_f64());
            }
            other => return fail(&format!("server: unknown command {other:?}")),
        }
        std::io::stdout().flush().expect("stdout");
    }
    std::process::exit(0);
}

/// How long a sync consumer waits after the sync before it reads its memory.
const SETTLE: Duration = Duration::from_millis(200);

/// `sync VARIANT URL N`.
pub fn sync(args: &[String]) -> i32 {
    let [variant, url, n] = args else {
        return fail("usage: sync VARIANT URL N");
    };
    let variant = Variant::parse(variant);
    let n: usize = n.parse().expect("N");
    let runtime = runtime();
    let (_, rss_before) = memory_kib();
    let heap_before = crate::alloc::live_bytes();
    let result = runtime.block_on(async {
        let api: Api<Pod> = Api::all(client(url));
        let start = Instant::now();
        match variant.name.as_str() {
            "ours" | "ours-compressed" => {
                let informer = SharedIndexInformer::new(api, "Pod", variant.options());
                let registration = informer.add_event_handler(HandlerFns::new());
                informer.run();
                informer.synced().await;
                let secs = start.elapsed().as_secs_f64();
                assert_eq!(informer.indexer().len(), n);
                // Memory once the handler has had the initial list and let go of it (a moment
                // for its thread to drop the last batch).
                registration.synced().await;
                tokio::time::sleep(SETTLE).await;
                let (_, rss_after) = memory_kib();
                let heap_after = crate::alloc::live_bytes();
                std::mem::forget(informer);
                (secs, rss_after, heap_after)
            }
            "kube" => {
                let (reader, writer) = reflector::store::<Pod>();
                let strip = variant.strip;
                let stream = reflector::reflector(
                    writer,
                    watcher(api, watcher::Config::default()).modify(move |pod| {
                        if strip {
                            pod.managed_fields_mut().clear();
                        }
                    }),
                );
                tokio::spawn(async move {
                    let mut stream = std::pin::pin!(stream);
                    while stream.next().await.is_some() {}
                });
                reader.wait_until_ready().await.expect("reflector ready");
                let secs = start.elapsed().as_secs_f64();
                assert_eq!(reader.len(), n);
                tokio::time::sleep(SETTLE).await;
                let (_, rss_after) = memory_kib();
                let heap_after = crate::alloc::live_bytes();
                std::mem::forget(reader);
                (secs, rss_after, heap_after)
            }
            other => panic!("unknown variant {other}"),
        }
    });
    let (secs, rss_after, heap_after) = result;
    let (hwm, _) = memory_kib();
    println!(
        "{}",
        json!({"secs": secs, "n": n, "rss_before": rss_before, "rss_after": rss_after, "hwm": hwm,
               "heap_before": heap_before, "heap_after": heap_after})
    );
    std::mem::forget(runtime);
    0
}

fn unix_nanos() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_nanos() as u64
}

/// Three handlers' counts, and when each reached the current target.
struct Reach {
    counts: Vec<AtomicU64>,
    target: AtomicU64,
    at: Vec<AtomicU64>,
}

impl Reach {
    fn hit(&self, h: usize) {
        let count = self.counts[h].fetch_add(1, Ordering::Relaxed) + 1;
        if count == self.target.load(Ordering::Acquire) {
            let _ = self.at[h].compare_exchange(0, unix_nanos(), Ordering::AcqRel, Ordering::Relaxed);
        }
    }

    /// Waits until every handler has seen `n` notifications; the time the last one did.
    fn wait(&self, n: u64) -> u64 {
        for at in &self.at {
            at.store(0, Ordering::Release);
        }
        self.target.store(n, Ordering::Release);
        loop {
            for (count, at) in self.counts.iter().zip(&self.at) {
                if count.load(Ordering::Relaxed) >= n {
                    let _ = at.compare_exchange(0, unix_nanos(), Ordering::AcqRel, Ordering::Relaxed);
                }
            }
            let times: Vec<u64> = self.at.iter().map(|a| a.load(Ordering::Acquire)).collect();
            if times.iter().all(|t| *t != 0) {
                return times.into_iter().max().unwrap_or(0);
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// `events VARIANT URL`.
pub fn events(args: &[String]) -> i32 {
    let [variant, url] = args else {
        return fail("usage: events VARIANT URL");
    };
    let variant = Variant::parse(variant);
    let runtime = runtime();
    let reach = Arc::new(Reach {
        counts: (0..HANDLERS).map(|_| AtomicU64::new(0)).collect(),
        target: AtomicU64::new(u64::MAX),
        at: (0..HANDLERS).map(|_| AtomicU64::new(0)).collect(),
    });
    {
        let _guard = runtime.enter();
        let api: Api<Pod> = Api::all(client(url));
        match variant.name.as_str() {
            "ours" | "ours-compressed" => {
                let informer = SharedIndexInformer::new(api, "Pod", variant.options());
                for h in 0..HANDLERS {
                    let (add, update) = (reach.clone(), reach.clone());
                    informer.add_event_handler(
                        HandlerFns::new()
                            .on_add(move |_, _| add.hit(h))
                            .on_update(move |_, _| update.hit(h)),
                    );
                }
                informer.run();
                std::mem::forget(informer);
            }
            "kube" => {
                let (_reader, writer) = reflector::store::<Pod>();
                let strip = variant.strip;
                let stream = reflector::reflector(
                    writer,
                    watcher(api, watcher::Config::default()).modify(move |pod| {
                        if strip {
                            pod.managed_fields_mut().clear();
                        }
                    }),
                );
                let mut senders = Vec::new();
                for h in 0..HANDLERS {
                    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Arc<Pod>>();
                    senders.push(tx);
                    let reach = reach.clone();
                    tokio::spawn(async move {
                        while rx.recv().await.is_some() {
                            reach.hit(h);
                        }
                    });
                }
                tokio::spawn(async move {
                    let mut stream = std::pin::pin!(stream);
                    while let Some(event) = stream.next().await {
                        if let Ok(watcher::Event::Apply(pod) | watcher::Event::InitApply(pod)) = event {
                            let pod = Arc::new(pod);
                            for tx in &senders {
                                let _ = tx.send(pod.clone());
                            }
                        }
                    }
                });
            }
            other => panic!("unknown variant {other}"),
        }
    }
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["WAIT", n] => {
                let n: u64 = n.parse().expect("a count");
                let at = reach.wait(n);
                println!("REACHED {n} {at}");
            }
            ["EXIT"] => {
                println!(
                    "{}",
                    json!({"hwm": memory_kib().0, "heap_hwm": crate::alloc::peak_bytes() / 1024})
                );
                std::io::stdout().flush().expect("stdout");
                std::process::exit(0);
            }
            _ => return fail(&format!("events: unknown command {line:?}")),
        }
        std::io::stdout().flush().expect("stdout");
    }
    std::mem::forget(runtime);
    0
}

/// Pods of the query measurement.
const QUERY_PODS: usize = 10_000;
const QUERY_NAMESPACES: usize = 100;

/// Median nanoseconds per call of `op` over `batches` batches of `per_batch` calls.
fn time_ns(batches: usize, per_batch: usize, mut op: impl FnMut(usize) -> usize) -> f64 {
    let mut sink = 0;
    let mut samples = Vec::with_capacity(batches);
    for b in 0..batches {
        let start = Instant::now();
        for i in 0..per_batch {
            sink += op(b * per_batch + i);
        }
        samples.push(start.elapsed().as_nanos() as f64 / per_batch as f64);
    }
    std::hint::black_box(sink);
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// `query VARIANT`: lister get and namespace list, in ns per call.
pub fn query(args: &[String]) -> i32 {
    let [variant] = args else {
        return fail("usage: query VARIANT");
    };
    let pods: Vec<Pod> = (0..QUERY_PODS)
        .map(|i| serde_json::from_value(pod_json(i, QUERY_NAMESPACES)).expect("a pod"))
        .collect();
    let names: Vec<(String, String)> = (0..QUERY_PODS)
        .map(|i| &pods[(i * 7_919) % QUERY_PODS])
        .map(|p| (p.namespace().unwrap_or_default(), p.name_any()))
        .collect();
    let (get, list) = match variant.as_str() {
        "ours" | "ours-compressed" => {
            let storage = if variant == "ours-compressed" {
                CacheStorage::compressed()
            } else {
                CacheStorage::decoded()
            };
            let indexer: Indexer<Pod> = Indexer::with_storage(storage);
            for pod in pods {
                indexer.insert(object_key(&pod), Arc::new(pod));
            }
            let lister = Lister::new(indexer, "Pod".to_owned());
            let everything = kube_informer::labels::LabelSelector::everything();
            let get = time_ns(21, 2_000, |i| {
                let (ns, name) = &names[i % names.len()];
                lister
                    .namespace(ns)
                    .get(name)
                    .map_or(0, |p| p.metadata.name.as_ref().map_or(0, String::len))
            });
            let list = time_ns(21, 20, |i| {
                lister.namespace(&names[i % names.len()].0).list(&everything).len()
            });
            (get, list)
        }
        "kube" => {
            let (reader, mut writer) = reflector::store::<Pod>();
            writer.apply_watcher_event(&watcher::Event::Init);
            for pod in pods {
                writer.apply_watcher_event(&watcher::Event::InitApply(pod));
            }
            writer.apply_watcher_event(&watcher::Event::InitDone);
            let get = time_ns(21, 2_000, |i| {
                let (ns, name) = &names[i % names.len()];
                reader
                    .get(&ObjectRef::new(name).within(ns))
                    .map_or(0, |p| p.metadata.name.as_ref().map_or(0, String::len))
            });
            let list = time_ns(21, 20, |i| {
                let ns = &names[i % names.len()].0;
                reader
                    .state_filter(|p| p.namespace().as_deref() == Some(ns.as_str()))
                    .len()
            });
            (get, list)
        }
        other => return fail(&format!("query: unknown variant {other}")),
    };
    println!(
        "{}",
        json!({"get_ns": get, "list_ns": list, "per_list": QUERY_PODS / QUERY_NAMESPACES})
    );
    0
}
