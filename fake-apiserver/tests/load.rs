//! Load: 10,000 objects created by 4 concurrent clients while 8 watchers run. Every watcher must
//! see every event exactly once, in resourceVersion order. Prints throughput and peak memory.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::configmap;
use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, PostParams, WatchEvent, WatchParams};
use kube_fake_apiserver::FakeApiServer;

const OBJECTS: usize = 10_000;
const CLIENTS: usize = 4;
const WATCHERS: usize = 8;

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_objects_four_writers_eight_watchers() {
    let server = FakeApiServer::builder().history(OBJECTS * 2).start().await.unwrap();
    let start_rv = server.resource_version().to_string();

    let mut watchers = Vec::new();
    for _ in 0..WATCHERS {
        let api: Api<ConfigMap> = Api::namespaced(server.client().unwrap(), "default");
        let stream = api.watch(&WatchParams::default(), &start_rv).await.unwrap();
        watchers.push(tokio::spawn(async move {
            let mut stream = Box::pin(stream);
            let mut seen = Vec::with_capacity(OBJECTS);
            while seen.len() < OBJECTS {
                let event = tokio::time::timeout(Duration::from_secs(120), stream.next())
                    .await
                    .expect("events keep coming")
                    .expect("the watch stays open")
                    .expect("well-formed events");
                match event {
                    WatchEvent::Added(cm) => seen.push((
                        cm.metadata.resource_version.unwrap().parse::<u64>().unwrap(),
                        cm.metadata.name.unwrap(),
                    )),
                    WatchEvent::Bookmark(_) => {}
                    other => panic!("unexpected event {other:?}"),
                }
            }
            seen
        }));
    }

    let started = Instant::now();
    let mut writers = Vec::new();
    for c in 0..CLIENTS {
        let api: Api<ConfigMap> = Api::namespaced(server.client().unwrap(), "default");
        writers.push(tokio::spawn(async move {
            for i in (c..OBJECTS).step_by(CLIENTS) {
                let cm = configmap(
                    &format!("load-{i:05}"),
                    &[("writer", &c.to_string())],
                    &[("payload", "x")],
                );
                api.create(&PostParams::default(), &cm).await.unwrap();
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    let write_time = started.elapsed();
    let mut all_seen = Vec::new();
    for w in watchers {
        all_seen.push(w.await.unwrap());
    }
    let total_time = started.elapsed();

    let expected: HashSet<String> = (0..OBJECTS).map(|i| format!("load-{i:05}")).collect();
    for (w, seen) in all_seen.iter().enumerate() {
        assert_eq!(seen.len(), OBJECTS, "watcher {w} event count");
        assert!(
            seen.windows(2).all(|p| p[0].0 < p[1].0),
            "watcher {w} saw events out of resourceVersion order"
        );
        let names: HashSet<String> = seen.iter().map(|(_, n)| n.clone()).collect();
        assert_eq!(names, expected, "watcher {w} saw each object exactly once");
    }
    let requests_per_s = OBJECTS as f64 / write_time.as_secs_f64();
    let events_per_s = (OBJECTS * WATCHERS) as f64 / total_time.as_secs_f64();
    println!(
        "load: {OBJECTS} creates by {CLIENTS} clients in {:.2}s ({requests_per_s:.0} requests/s); \
         {WATCHERS} watchers got {} events in {:.2}s ({events_per_s:.0} events/s); peak RSS {:.1} MiB",
        write_time.as_secs_f64(),
        OBJECTS * WATCHERS,
        total_time.as_secs_f64(),
        peak_rss_mib(),
    );
    server.shutdown().await;
}
