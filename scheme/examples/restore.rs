//! Restoring the kind/apiVersion that a List response strips from its items.
//!
//! `cargo run -p kube-scheme --example restore`
//!
//! A `PodList` from the API server names its kind once, on the list; its items carry none. kube's
//! `DynamicObject` then has `types: None`, and a metadata-only object says
//! `PartialObjectMetadata`. The scheme puts the real kind back on every item.

use k8s_openapi::api::core::v1::Pod;
use kube_core::{DynamicObject, ObjectList, PartialObjectMeta};
use kube_scheme::Scheme;

/// A recorded `GET /api/v1/pods` response, as the API server shapes it.
const POD_LIST: &str = include_str!("../../fixtures/responses/podlist.json");

fn describe(types: Option<&kube_core::TypeMeta>) -> String {
    match types {
        Some(t) => format!("apiVersion={:?} kind={:?}", t.api_version, t.kind),
        None => "apiVersion=<none> kind=<none>".to_owned(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let scheme = Scheme::with_builtins();
    println!(
        "scheme: {} kinds for Kubernetes {}",
        scheme.len(),
        scheme.k8s_version().unwrap_or("?")
    );

    let mut pods: ObjectList<DynamicObject> = serde_json::from_str(POD_LIST)?;
    println!(
        "\nPodList (list kind {:?}, apiVersion {:?}) as received:",
        pods.types.kind, pods.types.api_version
    );
    for pod in &pods.items {
        println!(
            "  {:<28} {}",
            pod.metadata.name.as_deref().unwrap_or("?"),
            describe(pod.types.as_ref())
        );
    }
    scheme.restore_list(&mut pods)?;
    println!("after scheme.restore_list:");
    for pod in &pods.items {
        println!(
            "  {:<28} {}",
            pod.metadata.name.as_deref().unwrap_or("?"),
            describe(pod.types.as_ref())
        );
        assert_eq!(
            pod.types.as_ref().map(|t| (t.api_version.as_str(), t.kind.as_str())),
            Some(("v1", "Pod"))
        );
    }

    // Metadata-only objects name the wrapper kind, not the real one.
    let mut partial: PartialObjectMeta<Pod> = serde_json::from_value(serde_json::json!({
        "apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadata",
        "metadata": {"name": "web-7c9d6b5f4-x2kqp", "namespace": "default"}
    }))?;
    println!(
        "\nmetadata-only object as received: {}",
        describe(partial.types.as_ref())
    );
    scheme.restore(&mut partial, None)?;
    println!("after scheme.restore:             {}", describe(partial.types.as_ref()));

    // Each restored item now decodes by its own kind into the registered Rust type.
    let first = serde_json::to_vec(&pods.items[0])?;
    let pod: Pod = scheme.decode_as(&first)?;
    println!(
        "\ndecoded {} by its restored kind into {}: phase {:?}",
        pod.metadata.name.as_deref().unwrap_or("?"),
        std::any::type_name::<Pod>(),
        pod.status.as_ref().and_then(|s| s.phase.as_deref())
    );
    Ok(())
}
