//! Issue 4's memory target by live heap bytes: what a synced cache of N realistic pods holds,
//! per pod, for our informer and for kube-runtime's `reflector` + `Store`, on the same fake
//! server. `cargo bench -p kube-informer --bench heap`.
//!
//! The `informer` bench measures resident memory (RSS), which also counts the allocator's slack:
//! freed memory it keeps, headers, fragmentation. This one counts bytes allocated and not yet
//! freed (every allocation goes through a counting allocator, which is why it is a binary of its
//! own: the counting would slow the timed benchmarks). Each variant runs in a runtime of its own,
//! with a server of its own that has served every pod once; the count is taken before it starts
//! and 200 ms after its cache is synced, so what the list needed in passing is freed by then.

use std::alloc::System;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use kube::runtime::{reflector, watcher};
use kube_informer::SharedIndexInformer;
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

mod common;
use common::{loaded_server, our_options};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const SIZES: [usize; 2] = [10_000, 50_000];
const NAMESPACES: usize = 100;

/// Bytes allocated and not freed, and the number of those allocations.
fn live() -> (i64, i64) {
    let s = GLOBAL.stats();
    // Reallocations are already in both (growth in `bytes_allocated`, shrinking in
    // `bytes_deallocated`).
    let bytes = s.bytes_allocated as i64 - s.bytes_deallocated as i64;
    (bytes, s.allocations as i64 - s.deallocations as i64)
}

/// Live (bytes, allocations) per cached pod once `what` ("ours", "ours-nocompact" or "kube")
/// synced `n` pods.
fn per_pod(what: &str, n: usize) -> (i64, i64) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let result = runtime.block_on(async {
        let server = loaded_server(n, NAMESPACES).await;
        let api: Api<Pod> = Api::all(server.client().expect("client"));
        // The fake server keeps each object's JSON once it served it: served once beforehand,
        // so that this is not counted to whichever variant lists first.
        let listed = api.list(&Default::default()).await.expect("a warm-up list");
        assert_eq!(listed.items.len(), n);
        drop(listed);
        let before = live();
        let settle = || tokio::time::sleep(Duration::from_millis(200));
        let after = match what {
            "ours" | "ours-nocompact" => {
                let informer = SharedIndexInformer::new(api, "Pod", our_options(what));
                informer.run();
                assert!(
                    informer.wait_for_sync(Duration::from_secs(120)).await,
                    "ours did not sync"
                );
                assert_eq!(informer.indexer().len(), n);
                settle().await;
                let after = live();
                informer.shutdown().await;
                after
            }
            "kube" => {
                let (reader, writer) = reflector::store::<Pod>();
                let stream = reflector::reflector(writer, watcher(api, watcher::Config::default()));
                let task = tokio::spawn(async move {
                    use futures::StreamExt;
                    stream.for_each(|_| async {}).await;
                });
                reader.wait_until_ready().await.expect("kube-runtime's store is ready");
                assert_eq!(reader.len(), n);
                settle().await;
                let after = live();
                task.abort();
                after
            }
            other => panic!("unknown variant {other}"),
        };
        drop(server);
        ((after.0 - before.0) / n as i64, (after.1 - before.1) / n as i64)
    });
    runtime.shutdown_timeout(Duration::from_secs(5));
    result
}

fn main() {
    println!("| measurement | live heap per cached pod | allocations per pod | ratio | target |");
    println!("|---|---|---|---|---|");
    for n in SIZES {
        let kube = per_pod("kube", n);
        let ours = per_pod("ours", n);
        let nocompact = per_pod("ours-nocompact", n);
        let ratio = |x: (i64, i64)| x.0 as f64 / kube.0 as f64;
        let verdict = if ours.0 <= kube.0 { "MET" } else { "MISSED" };
        println!(
            "| heap {n}: ours | {} B | {} | {:.3}x reflector | <= reflector: {verdict} |",
            ours.0,
            ours.1,
            ratio(ours)
        );
        println!(
            "| heap {n}: ours, compact: false | {} B | {} | {:.3}x reflector | |",
            nocompact.0,
            nocompact.1,
            ratio(nocompact)
        );
        println!("| heap {n}: kube-runtime | {} B | {} | | |", kube.0, kube.1);
    }
}
