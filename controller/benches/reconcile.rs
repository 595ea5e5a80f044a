//! Reconciles per second and process memory: our `Controller` on kube-informer's informer
//! against kube-runtime's `Controller`, each reconciling the same 10,000 Foos from a fake API
//! server in a process of its own, side by side in one run (median of three, interleaved).
//! Each consumer is a process of its own too (this binary again), so its peak RSS is its own.
//! A reconcile reads its Foo (ours from the lister, kube-runtime's is handed the object) and
//! counts it; timed from the client's creation until every Foo was reconciled once.
//!
//! `cargo bench -p kube-controller --bench reconcile`

#![allow(clippy::disallowed_names)] // sample-controller's kind is Foo

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::core::GroupVersionResource;
use kube_controller::workqueue::RateLimitingQueue;
use kube_controller::{Action, Controller, ObjectRef, default_error_policy, enqueue_keys};
use serde::{Deserialize, Serialize};

/// 10,000, or `CONTROLLER_BENCH_FOOS` (children inherit it).
fn foos() -> usize {
    std::env::var("CONTROLLER_BENCH_FOOS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}
const RUNS: usize = 3;
const CHILD_ENV: &str = "CONTROLLER_BENCH_CHILD";

/// The spec of a [`Foo`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FooSpec {
    deployment_name: String,
    replicas: i32,
}

/// sample-controller's Foo.
#[derive(Clone, Debug, Default, PartialEq, kube_scheme::Kind)]
#[kind(
    group = "samplecontroller.k8s.io",
    version = "v1alpha1",
    kind = "Foo",
    plural = "foos",
    namespaced
)]
pub struct Foo {
    metadata: ObjectMeta,
    spec: FooSpec,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// (VmRSS, VmHWM) of this process in KiB.
fn rss() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn server() -> ! {
    let rt = runtime();
    let server = rt.block_on(async {
        let server = kube_fake_apiserver::FakeApiServer::start().await.unwrap();
        let gvr = GroupVersionResource::gvr("samplecontroller.k8s.io", "v1alpha1", "foos");
        let foos = (0..foos()).map(|i| {
            serde_json::json!({
                "apiVersion": "samplecontroller.k8s.io/v1alpha1", "kind": "Foo",
                "metadata": {"name": format!("foo-{i}"), "namespace": "default", "labels": {"app": "bench"}},
                "spec": {"deploymentName": format!("foo-{i}-deployment"), "replicas": 1 + i % 5},
            })
        });
        server.seed_json(&gvr, foos).unwrap();
        server
    });
    println!("URL {}", server.url());
    std::io::stdout().flush().unwrap();
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    std::process::exit(0);
}

async fn ours(client: kube::Client) {
    let factory = kube_informer::SharedInformerFactory::new(client, Duration::ZERO);
    let informer = factory.informer::<Foo>();
    let queue = RateLimitingQueue::default();
    informer.add_event_handler(enqueue_keys(queue.clone()));
    factory.start();
    let lister = informer.lister();
    let seen = Arc::new(Mutex::new(HashSet::new()));
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
    let done_tx = Arc::new(Mutex::new(Some(done_tx)));
    let s = seen.clone();
    let reconcile = move |key: ObjectRef| {
        let (lister, s, done) = (lister.clone(), s.clone(), done_tx.clone());
        async move {
            let foo = lister.namespace(key.namespace.as_deref().unwrap_or("")).get(&key.name);
            std::hint::black_box(foo.map(|f| f.spec.replicas).ok());
            let mut seen = s.lock().unwrap();
            seen.insert(key.name);
            if seen.len() == foos()
                && let Some(tx) = done.lock().unwrap().take()
            {
                let _ = tx.send(());
            }
            Ok::<_, String>(Action::await_change())
        }
    };
    Controller::new(queue, reconcile, default_error_policy)
        .workers(2)
        .wait_for(&informer)
        .run(async move {
            let _ = done_rx.await;
        })
        .await;
    assert_eq!(seen.lock().unwrap().len(), foos());
}

async fn kube_runtime(client: kube::Client) {
    use kube::runtime::controller::{Action as KAction, Controller as KController};
    let api: kube::Api<Foo> = kube::Api::all(client);
    let seen = Arc::new(Mutex::new(HashSet::new()));
    let reconcile = |foo: Arc<Foo>, seen: Arc<Arc<Mutex<HashSet<String>>>>| async move {
        std::hint::black_box(foo.spec.replicas);
        seen.lock()
            .unwrap()
            .insert(foo.metadata.name.clone().unwrap_or_default());
        Ok::<_, kube::Error>(KAction::await_change())
    };
    let error_policy = |_: Arc<Foo>, _: &kube::Error, _: Arc<Arc<Mutex<HashSet<String>>>>| KAction::await_change();
    let mut stream = Box::pin(KController::new(api, kube::runtime::watcher::Config::default()).run(
        reconcile,
        error_policy,
        Arc::new(seen.clone()),
    ));
    while stream.next().await.is_some() {
        if seen.lock().unwrap().len() == foos() {
            break;
        }
    }
    assert_eq!(seen.lock().unwrap().len(), foos());
}

fn consumer(what: &str) -> ! {
    let mut server = Command::new(std::env::current_exe().unwrap())
        .env(CHILD_ENV, "server")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.strip_prefix("URL ").unwrap().trim().to_owned();
    let rt = runtime();
    let elapsed = rt.block_on(async {
        let started = Instant::now();
        let client = kube::Client::try_from(kube::Config::new(url.parse().unwrap())).unwrap();
        match what {
            "ours" => ours(client).await,
            _ => kube_runtime(client).await,
        }
        started.elapsed()
    });
    let (rss, hwm) = rss();
    println!("RESULT {} {rss} {hwm}", elapsed.as_secs_f64());
    drop(server.stdin.take());
    let _ = server.wait();
    std::process::exit(0);
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    match std::env::var(CHILD_ENV).as_deref() {
        Ok("server") => server(),
        Ok(what) => consumer(what),
        Err(_) => {}
    }
    let mut results: Vec<(&str, Vec<f64>, Vec<f64>)> = vec![("ours", vec![], vec![]), ("kube-runtime", vec![], vec![])];
    for _ in 0..RUNS {
        for (what, secs, hwm) in results.iter_mut() {
            let out = Command::new(std::env::current_exe().unwrap())
                .env(CHILD_ENV, *what)
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            let line = text.lines().find_map(|l| l.strip_prefix("RESULT ")).unwrap_or_else(|| {
                panic!(
                    "{what} printed no result: {text} {}",
                    String::from_utf8_lossy(&out.stderr)
                )
            });
            let v: Vec<f64> = line.split(' ').map(|x| x.parse().unwrap()).collect();
            secs.push(v[0]);
            hwm.push(v[2]);
        }
    }
    println!(
        "{} Foos, one reconcile each, median of {RUNS} runs (interleaved), server in a process of its own",
        foos()
    );
    println!("| controller | reconciles/s | peak RSS (MiB) |");
    println!("| --- | ---: | ---: |");
    let rows: Vec<(f64, f64)> = results
        .iter()
        .map(|(what, secs, hwm)| {
            let (s, h) = (median(secs.clone()), median(hwm.clone()));
            println!("| {what} | {:.0} | {:.1} |", foos() as f64 / s, h / 1024.0);
            (s, h)
        })
        .collect();
    println!(
        "ours / kube-runtime: reconciles/s x{:.2}, peak RSS x{:.2}",
        rows[1].0 / rows[0].0,
        rows[0].1 / rows[1].1
    );
}
