//! A List whose items lack kind/apiVersion, before and after the scheme restores them: typed
//! `ObjectList<DynamicObject>`, raw JSON, and metadata-only objects.
//!
//! `cargo run -p examples --bin restore-gvk [-- --kubeconfig PATH]`

use examples::{NAMESPACE, connect};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use kube::core::{ApiResource, DynamicObject};
use kube_scheme::Scheme;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = connect().await?;
    let scheme = Scheme::with_builtins();
    let ar = ApiResource::erase::<Pod>(&());
    let api: Api<DynamicObject> = Api::namespaced_with(target.client.clone(), NAMESPACE, &ar);

    let mut pods = api.list(&ListParams::default()).await?;
    println!(
        "{} {} with {} items, as received:",
        pods.types.api_version,
        pods.types.kind,
        pods.items.len()
    );
    for p in &pods.items {
        println!(
            "  {:<24} kind={:?}",
            p.metadata.name.as_deref().unwrap_or("?"),
            p.types.as_ref().map(|t| t.kind.as_str())
        );
        assert!(p.types.is_none(), "the server strips kind from built-in list items");
    }
    scheme.restore_list(&mut pods)?;
    println!("after scheme.restore_list:");
    for p in &pods.items {
        let t = p.types.as_ref().unwrap();
        println!(
            "  {:<24} kind={:?} apiVersion={:?}",
            p.metadata.name.as_deref().unwrap_or("?"),
            t.kind,
            t.api_version
        );
        assert_eq!((t.kind.as_str(), t.api_version.as_str()), ("Pod", "v1"));
    }

    // Metadata-only: the server says PartialObjectMetadata; the scheme says Pod.
    let typed: Api<Pod> = Api::namespaced(target.client.clone(), NAMESPACE);
    let mut partial = typed.list_metadata(&ListParams::default()).await?;
    println!(
        "metadata-only item as received: kind={:?}",
        partial.items[0].types.as_ref().map(|t| t.kind.as_str())
    );
    scheme.restore_list(&mut partial)?;
    let t = partial.items[0].types.as_ref().unwrap();
    println!(
        "metadata-only item after restore: kind={:?} apiVersion={:?}",
        t.kind, t.api_version
    );
    assert_eq!(t.kind, "Pod");
    if let Some(server) = target.fake {
        server.shutdown().await;
    }
    println!("restore-gvk: done");
    Ok(())
}
