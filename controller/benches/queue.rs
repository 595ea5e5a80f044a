//! Workqueue throughput against a `tokio::sync::mpsc` baseline, side by side in one run: one
//! producer adds 200,000 distinct keys, 1, 4 or 16 workers take them (`get` + `done` for the
//! queue; `recv` through a shared receiver for the channel). Prints a table of items per second
//! and the ratio; the median of five runs of each.
//!
//! `cargo bench -p kube-controller --bench queue`

use std::sync::Arc;
use std::time::{Duration, Instant};

use kube_controller::workqueue::Queue;

const ITEMS: u64 = 200_000;
const RUNS: usize = 5;

async fn ours(workers: usize) -> Duration {
    let queue: Queue<u64> = Queue::new();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let q = queue.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while let Some(item) = q.get().await {
                q.done(&item);
                n += 1;
            }
            n
        }));
    }
    for i in 0..ITEMS {
        queue.add(i);
        if i % 1024 == 0 {
            tokio::task::yield_now().await;
        }
    }
    queue.shut_down();
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    assert_eq!(total, ITEMS);
    started.elapsed()
}

async fn mpsc(workers: usize) -> Duration {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<u64>();
    let rx = Arc::new(tokio::sync::Mutex::new(rx));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let rx = rx.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            loop {
                let item = rx.lock().await.recv().await;
                match item {
                    Some(item) => {
                        std::hint::black_box(item);
                        n += 1;
                    }
                    None => return n,
                }
            }
        }));
    }
    for i in 0..ITEMS {
        tx.send(i).unwrap();
        if i % 1024 == 0 {
            tokio::task::yield_now().await;
        }
    }
    drop(tx);
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    assert_eq!(total, ITEMS);
    started.elapsed()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!("workqueue vs tokio mpsc, {ITEMS} distinct keys, median of {RUNS} runs, 2 runtime threads");
    println!("| workers | Queue items/s | mpsc items/s | Queue / mpsc |");
    println!("| ---: | ---: | ---: | ---: |");
    for workers in [1, 4, 16] {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            // Interleaved, so both see the same machine.
            a.push(runtime.block_on(ours(workers)));
            b.push(runtime.block_on(mpsc(workers)));
        }
        let (a, b) = (median(a), median(b));
        let rate = |d: Duration| ITEMS as f64 / d.as_secs_f64();
        println!(
            "| {workers} | {:.0} | {:.0} | {:.2} |",
            rate(a),
            rate(b),
            rate(a) / rate(b)
        );
    }
}
