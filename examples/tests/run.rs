//! Every example runs (bounded in time) against the embedded fake API server and asserts its
//! own output; this checks each exits successfully and says what it should.

use std::process::Command;
use std::time::{Duration, Instant};

fn run(bin: &str, path: &str, expect: &[&str]) {
    let started = Instant::now();
    let mut child = Command::new(path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("{bin} ran for more than two minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{bin} failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    for line in expect {
        assert!(stdout.contains(line), "{bin} did not print {line:?}:\n{stdout}");
    }
}

#[test]
fn quickstart() {
    run(
        "quickstart",
        env!("CARGO_BIN_EXE_quickstart"),
        &[
            "ADD    deployment shop/web (initial list)",
            "lister: pods in shop with app=web: [\"web-7c9d6b5f4-m8zlc\", \"web-7c9d6b5f4-x2kqp\"]",
            "list item as received: kind=None apiVersion=None",
            "restored: apps/v1/Deployment shop/web",
            "UPDATE deployment shop/web: replicas 2 -> 5",
            "DELETE deployment shop/cache",
            "quickstart: done",
        ],
    );
}

#[test]
fn restore_gvk() {
    run(
        "restore-gvk",
        env!("CARGO_BIN_EXE_restore-gvk"),
        &[
            "v1 PodList with 4 items",
            "kind=None",
            "kind=\"Pod\" apiVersion=\"v1\"",
            "metadata-only item as received: kind=Some(\"PartialObjectMetadata\")",
            "restore-gvk: done",
        ],
    );
}

#[test]
fn dynamic_watch() {
    run(
        "dynamic-watch",
        env!("CARGO_BIN_EXE_dynamic-watch"),
        &[
            "MODIFIED apps/v1/Deployment web",
            "watch ended; resuming",
            "410 Gone from resourceVersion",
            "dynamic-watch: done",
        ],
    );
}

#[test]
fn watch_deployments() {
    run(
        "watch-deployments",
        env!("CARGO_BIN_EXE_watch-deployments"),
        &["rollout of web: nginx:1.27 -> nginx:1.28", "watch-deployments: done"],
    );
}

#[test]
fn pod_informer() {
    run(
        "pod-informer",
        env!("CARGO_BIN_EXE_pod-informer"),
        &[
            "node node-1: [\"api-5f6d8b9c7-q4wrt\", \"web-7c9d6b5f4-x2kqp\"]",
            "node node-3: [\"shop/web-7c9d6b5f4-zz9tk\"]",
            "pod-informer: done",
        ],
    );
}

#[test]
fn event_informer() {
    run(
        "event-informer",
        env!("CARGO_BIN_EXE_event-informer"),
        &[
            "Pulled (already there) db-0",
            "Pulled api-5f6d8b9c7-q4wrt",
            "event-informer: done",
        ],
    );
}

#[test]
fn sample_controller() {
    run(
        "sample-controller",
        env!("CARGO_BIN_EXE_sample-controller"),
        &[
            "serving metrics at http://127.0.0.1:",
            "started leading",
            "reconcile default/web: created Deployment default/web-deployment with 2 replicas",
            "converged: 3 Foos, each with its Deployment and status",
            "reconcile default/web: scaled Deployment default/web-deployment from 2 to 5 replicas",
            "converged: web-deployment scaled to 5",
            "reconcile default/api: the Foo no longer exists; nothing to do",
            "metrics: leader_election_master_status{name=\"sample-controller\"} 1",
            "metrics: informer_objects_cached{informer=\"foos\"} 2",
            "sample-controller: done",
        ],
    );
}
