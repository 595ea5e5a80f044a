//! The examples' real-cluster path: every example with `--kubeconfig` against a real etcd +
//! kube-apiserver (kube-envtest; `cargo xtask control-plane` builds them, `cargo xtask test`
//! does that first).

use std::process::Command;

fn run(bin: &str, path: &str, kubeconfig: &std::path::Path, expect: &[&str]) {
    let output = Command::new(path).arg("--kubeconfig").arg(kubeconfig).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{bin} failed against the real server:\n{stdout}\n{stderr}"
    );
    for line in expect {
        assert!(stdout.contains(line), "{bin}: missing {line:?} in:\n{stdout}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_against_a_real_control_plane() {
    let cp = kube_envtest::ControlPlane::start()
        .await
        .expect("a control plane (run `cargo xtask control-plane`)");
    let kubeconfig = cp.write_kubeconfig().unwrap();
    tokio::task::spawn_blocking(move || {
        run(
            "quickstart",
            env!("CARGO_BIN_EXE_quickstart"),
            &kubeconfig,
            &[
                "connected to https://127.0.0.1:",
                "ADD    deployment shop/web (initial list)",
                "list item as received: kind=None apiVersion=None",
                "restored: apps/v1/Deployment shop/web",
                "UPDATE deployment shop/web: replicas 2 -> 5",
                "DELETE deployment shop/cache",
                "quickstart: done",
            ],
        );
        run(
            "restore-gvk",
            env!("CARGO_BIN_EXE_restore-gvk"),
            &kubeconfig,
            &["kind=\"Pod\" apiVersion=\"v1\"", "restore-gvk: done"],
        );
        run(
            "watch-deployments",
            env!("CARGO_BIN_EXE_watch-deployments"),
            &kubeconfig,
            &["rollout of web: nginx:1.27 -> nginx:1.28"],
        );
        run(
            "pod-informer",
            env!("CARGO_BIN_EXE_pod-informer"),
            &kubeconfig,
            &["pod-informer: done"],
        );
        run(
            "event-informer",
            env!("CARGO_BIN_EXE_event-informer"),
            &kubeconfig,
            &["Pulled api-5f6d8b9c7-q4wrt", "event-informer: done"],
        );
        run(
            "dynamic-watch",
            env!("CARGO_BIN_EXE_dynamic-watch"),
            &kubeconfig,
            &["MODIFIED apps/v1/Deployment", "dynamic-watch: done"],
        );
        run(
            "sample-controller",
            env!("CARGO_BIN_EXE_sample-controller"),
            &kubeconfig,
            &[
                "installed CRD foos.samplecontroller.k8s.io",
                "started leading",
                "converged: 3 Foos, each with its Deployment and status",
                "reconcile default/web: scaled Deployment default/web-deployment from 2 to 5 replicas",
                "sample-controller: done",
            ],
        );
    })
    .await
    .unwrap();
}
