//! The README's first command: a generated informer factory with handlers printing adds, updates
//! and deletes; wait for sync; lister queries with a selector; objects printed with their
//! kind/apiVersion restored; then a few changes through the API, so events show. Ends by itself.
//!
//! `cargo run -p examples --bin quickstart [-- --kubeconfig PATH]`

use std::time::Duration;

use examples::informers::SharedInformerFactory;
use examples::{NAMESPACE, connect, deployment};
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::core::DynamicObject;
use tokio::sync::mpsc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = connect().await?;
    let client = target.client.clone();

    // 1. The generated factory: one shared informer per kind.
    let factory = SharedInformerFactory::new(client.clone(), Duration::ZERO);
    let deployments = factory.apps().v1().deployments();
    // Asking for an informer or a lister registers it with the factory, as in client-go.
    let pod_lister = factory.core().v1().pods().lister();
    let (tx, mut changes) = mpsc::unbounded_channel::<String>();
    let (add, update, delete) = (tx.clone(), tx.clone(), tx);
    let registration = deployments.informer().add_event_handler(
        deployments
            .handlers()
            .on_add(move |d, initial| {
                let line = format!(
                    "ADD    deployment {}/{}{}",
                    ns(d.as_ref()),
                    name(d.as_ref()),
                    if initial { " (initial list)" } else { "" }
                );
                println!("{line}");
                let _ = add.send(line);
            })
            .on_update(move |old, new| {
                let replicas = |d: &Deployment| d.spec.replicas.unwrap_or(0);
                let line = format!(
                    "UPDATE deployment {}/{}: replicas {} -> {}",
                    ns(new.as_ref()),
                    name(new.as_ref()),
                    replicas(old),
                    replicas(new)
                );
                println!("{line}");
                let _ = update.send(line);
            })
            .on_delete(move |d| {
                let line = format!(
                    "DELETE deployment {}/{}",
                    ns(d.object().as_ref()),
                    name(d.object().as_ref())
                );
                println!("{line}");
                let _ = delete.send(line);
            }),
    );

    // 2. Start and wait for the caches.
    factory.start();
    let synced = factory.wait_for_cache_sync_timeout(Duration::from_secs(30)).await;
    println!("caches synced: {synced:?}");
    assert!(synced.values().all(|s| *s), "every informer synced");

    // 3. Lister queries with a label selector, from the cache (no API call).
    let web_pods = pod_lister.namespace(NAMESPACE).list(&"app=web".parse()?);
    let mut names: Vec<String> = web_pods.iter().map(|p| name(p.as_ref())).collect();
    names.sort();
    println!("lister: pods in {NAMESPACE} with app=web: {names:?}");
    assert_eq!(names.len(), 2);
    let db = deployments.lister().namespace(NAMESPACE).get("db")?;
    println!(
        "lister: deployment {NAMESPACE}/db has {} replica(s)",
        db.spec.replicas.unwrap_or(0)
    );

    // 4. A List through the dynamic API: the items come without kind/apiVersion; restore them.
    let ar = kube::core::ApiResource::erase::<Deployment>(&());
    let dynamic: Api<DynamicObject> = Api::namespaced_with(client.clone(), NAMESPACE, &ar);
    let mut list = dynamic.list(&ListParams::default()).await?;
    let item = &list.items[0];
    println!(
        "list item as received: kind={:?} apiVersion={:?}",
        item.types.as_ref().map(|t| &t.kind),
        item.types.as_ref().map(|t| &t.api_version)
    );
    kube_scheme::Scheme::with_builtins().restore_list(&mut list)?;
    for item in &list.items {
        let t = item.types.as_ref().expect("restored");
        println!(
            "restored: {}/{} {}/{}",
            t.api_version,
            t.kind,
            NAMESPACE,
            item.metadata.name.as_deref().unwrap_or("?")
        );
    }

    // 5. A few changes through the API; the handler reports each.
    let api: Api<Deployment> = Api::namespaced(client.clone(), NAMESPACE);
    // The cache synced first; the handler, on a thread of its own, may still be printing the
    // initial list: wait until it has seen all of it before dropping those lines.
    assert!(
        registration.wait_for_sync(Duration::from_secs(30)).await,
        "the handler saw the initial list"
    );
    while changes.try_recv().is_ok() {}
    api.patch(
        "web",
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({"spec": {"replicas": 5}})),
    )
    .await?;
    api.create(&PostParams::default(), &deployment("cache", "cache", 1, "redis:8"))
        .await?;
    api.delete("cache", &DeleteParams::default()).await?;
    let mut seen = Vec::new();
    while seen.len() < 3 {
        let line = tokio::time::timeout(Duration::from_secs(30), changes.recv())
            .await?
            .expect("handler alive");
        seen.push(line);
    }
    assert!(
        seen[0].starts_with("UPDATE deployment shop/web: replicas 2 -> 5"),
        "{seen:?}"
    );
    assert!(seen[1].starts_with("ADD    deployment shop/cache"), "{seen:?}");
    assert!(seen[2].starts_with("DELETE deployment shop/cache"), "{seen:?}");
    // Put the real cluster back as it was.
    api.patch(
        "web",
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({"spec": {"replicas": 2}})),
    )
    .await?;

    factory.shutdown().await;
    if let Some(server) = target.fake {
        server.shutdown().await;
    }
    println!("quickstart: done");
    Ok(())
}

fn ns<K: kube::Resource>(o: &K) -> String {
    o.meta().namespace.clone().unwrap_or_default()
}

fn name<K: kube::Resource>(o: &K) -> String {
    o.meta().name.clone().unwrap_or_default()
}
