//! Starting, using and stopping the real control plane.

mod common;

use common::{CronTab, alive, crontab, rss_kib, start};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, PostParams};
use kube_envtest::{ControlPlane, Error};

#[tokio::test]
async fn starts_serves_the_default_namespace_and_cleans_up() {
    let control_plane = start().await;
    let startup = control_plane.startup_time();
    assert!(!startup.is_zero());
    let (apiserver, etcd) = (
        control_plane.apiserver_pid().unwrap(),
        control_plane.etcd_pid().unwrap(),
    );
    eprintln!(
        "startup {} ms; resident memory: kube-apiserver {} KiB, etcd {} KiB",
        startup.as_millis(),
        rss_kib(apiserver).unwrap_or(0),
        rss_kib(etcd).unwrap_or(0)
    );

    let namespaces: Api<Namespace> = Api::all(control_plane.client());
    let default = namespaces.get("default").await.unwrap();
    assert_eq!(default.metadata.name.as_deref(), Some("default"));
    assert!(control_plane.apiserver_url().starts_with("https://127.0.0.1:"));

    let dir = control_plane.dir().to_path_buf();
    assert!(dir.join("etcd").is_dir());
    drop(control_plane);
    assert!(!alive(apiserver), "kube-apiserver {apiserver} survived the drop");
    assert!(!alive(etcd), "etcd {etcd} survived the drop");
    assert!(!dir.exists(), "{} survived the drop", dir.display());
}

#[tokio::test]
async fn missing_binaries_say_how_to_build_them() {
    let empty = tempfile::tempdir().unwrap();
    let err = ControlPlane::start_in(empty.path()).await.unwrap_err();
    assert!(matches!(err, Error::MissingBinary { binary: "etcd", .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("cargo xtask control-plane"), "{message}");
    assert!(message.contains(&empty.path().display().to_string()), "{message}");
}

#[test]
fn a_panicking_test_leaves_no_process_or_folder_behind() {
    let (sender, receiver) = std::sync::mpsc::channel();
    let result = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let control_plane = start().await;
            sender
                .send((
                    control_plane.apiserver_pid().unwrap(),
                    control_plane.etcd_pid().unwrap(),
                    control_plane.dir().to_path_buf(),
                ))
                .unwrap();
            panic!("the test fails while the control plane runs");
        })
    })
    .join();
    assert!(result.is_err(), "the thread should have panicked");
    let (apiserver, etcd, dir) = receiver.recv().unwrap();
    assert!(!alive(apiserver), "kube-apiserver {apiserver} survived the panic");
    assert!(!alive(etcd), "etcd {etcd} survived the panic");
    assert!(!dir.exists(), "{} survived the panic", dir.display());
}

#[tokio::test]
async fn installs_a_crd_and_serves_its_resource_at_once() {
    let control_plane = start().await;
    let crd = control_plane.install_crd_for::<CronTab>().await.unwrap();
    assert_eq!(crd.metadata.name.as_deref(), Some("crontabs.stable.example.com"));

    // No retry: install_crd returns only once the resource is served.
    let crontabs: Api<CronTab> = Api::namespaced(control_plane.client(), "default");
    let created = crontabs
        .create(&PostParams::default(), &crontab("nightly", "0 0 * * *"))
        .await
        .unwrap();
    assert_eq!(created.spec.cron_spec, "0 0 * * *");
    assert_eq!(crontabs.get("nightly").await.unwrap().spec, created.spec);
}
