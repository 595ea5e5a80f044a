//! kube-runtime's own `finalizer()` helper (`kube::runtime::finalizer`) against the fake and the
//! real kube-apiserver (kube-envtest): it adds its finalizer by a JSON patch that tests
//! `/metadata/finalizers` against `null` on an object that has none (a missing path, which
//! kube-apiserver's JSON patch takes as null), or against the current list, and removes it by a
//! JSON patch that tests the finalizer's index. Both servers must give the same outcomes, and on
//! the fake the object must go once the cleanup has run.
//!
//! Needs the control plane (`cargo xtask control-plane`).

use std::sync::Arc;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::runtime::controller::Action;
use kube::runtime::finalizer::{Event, finalizer};
use serde_json::json;

const FINALIZER: &str = "example.com/cleanup";

#[derive(Debug, thiserror::Error)]
#[error("never fails")]
struct Never;

/// One call of `finalizer()` on the object as it is now: which branch ran, or the error.
async fn step(api: &Api<ConfigMap>, name: &str) -> String {
    let object = match api.get_opt(name).await.unwrap() {
        Some(object) => object,
        None => return "gone".to_owned(),
    };
    let outcome = finalizer(api, FINALIZER, Arc::new(object), |event| async move {
        Ok::<_, Never>(match event {
            Event::Apply(_) => Action::requeue(std::time::Duration::from_secs(1)),
            Event::Cleanup(_) => Action::await_change(),
        })
    })
    .await;
    let finalizers = api
        .get_opt(name)
        .await
        .unwrap()
        .map(|o| format!("{:?}", o.metadata.finalizers.unwrap_or_default()))
        .unwrap_or_else(|| "gone".to_owned());
    match outcome {
        Ok(action) => format!("{action:?}, then {finalizers}"),
        Err(kube::runtime::finalizer::Error::AddFinalizer(kube::Error::Api(status)))
        | Err(kube::runtime::finalizer::Error::RemoveFinalizer(kube::Error::Api(status))) => format!(
            "error {} {} {:?} {}, then {finalizers}",
            status.code,
            status.reason,
            status.message,
            serde_json::to_string(&status.details).unwrap()
        ),
        Err(other) => format!("error {other}, then {finalizers}"),
    }
}

/// The script: an object with no finalizers taken through add, apply, delete and cleanup; one
/// that has another finalizer; and a removal with a stale index (another finalizer went since
/// the object was read), which the `test` operation must refuse.
async fn script(client: kube::Client) -> Vec<String> {
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    let mut out = Vec::new();
    let create = |name: &str, finalizers: Vec<&str>| {
        serde_json::from_value::<ConfigMap>(json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "finalizers": finalizers},
            "data": {"a": "1"},
        }))
        .unwrap()
    };
    api.create(&PostParams::default(), &create("plain", vec![]))
        .await
        .unwrap();
    for _ in 0..2 {
        out.push(format!("plain: {}", step(&api, "plain").await));
    }
    api.delete("plain", &DeleteParams::default()).await.unwrap();
    for _ in 0..2 {
        out.push(format!("plain deleted: {}", step(&api, "plain").await));
    }

    api.create(&PostParams::default(), &create("shared", vec!["example.com/other"]))
        .await
        .unwrap();
    out.push(format!("shared: {}", step(&api, "shared").await));
    api.delete("shared", &DeleteParams::default()).await.unwrap();
    // Read the object (ours at index 1), then let the other finalizer go before the removal.
    let stale = api.get("shared").await.unwrap();
    api.patch(
        "shared",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": [FINALIZER]}})),
    )
    .await
    .unwrap();
    let outcome = finalizer(&api, FINALIZER, Arc::new(stale), |_| async {
        Ok::<_, Never>(Action::await_change())
    })
    .await;
    out.push(match outcome {
        Err(kube::runtime::finalizer::Error::RemoveFinalizer(kube::Error::Api(status))) => format!(
            "stale index: error {} {} {:?} {}",
            status.code,
            status.reason,
            status.message,
            serde_json::to_string(&status.details).unwrap()
        ),
        other => format!("stale index: {other:?}"),
    });
    out.push(format!("shared deleted: {}", step(&api, "shared").await));
    out.push(format!("shared deleted: {}", step(&api, "shared").await));
    out
}

#[tokio::test]
async fn kube_runtimes_finalizer_works_on_the_fake_as_on_the_real_server() {
    let fake = kube_fake_apiserver::FakeApiServer::start().await.unwrap();
    let on_fake = script(fake.client().unwrap()).await;
    let real = kube_envtest::ControlPlane::start()
        .await
        .expect("the real control plane starts (build it with `cargo xtask control-plane`)");
    let on_real = script(real.client()).await;
    assert_eq!(
        on_fake,
        on_real,
        "fake:\n{}\nreal:\n{}",
        on_fake.join("\n"),
        on_real.join("\n")
    );
    // What the helper promises, on both: the finalizer added, the reconcile run, the cleanup
    // run and the object gone.
    assert_eq!(
        on_fake[0],
        "plain: Action { requeue_after: None }, then [\"example.com/cleanup\"]"
    );
    assert!(
        on_fake[1].starts_with("plain: Action { requeue_after: Some(1s)"),
        "{}",
        on_fake[1]
    );
    assert_eq!(on_fake[3], "plain deleted: gone");
    fake.shutdown().await;
}
