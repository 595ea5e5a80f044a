//! A pod informer with a custom index (pods by node) and its lister: which pods run on a node,
//! the namespace lister with a selector, and a new pod arriving.
//!
//! `cargo run -p examples --bin pod-informer [-- --kubeconfig PATH]`

use std::sync::Arc;
use std::time::Duration;

use examples::informers::SharedInformerFactory;
use examples::{NAMESPACE, connect, new_pod};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, PostParams};
use kube_informer::IndexFn;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = connect().await?;
    let factory = SharedInformerFactory::new(target.client.clone(), Duration::ZERO);
    let pods = factory.core().v1().pods();
    let by_node: IndexFn<Pod> =
        Arc::new(|p: &Pod| p.spec.as_ref().and_then(|s| s.node_name.clone()).into_iter().collect());
    pods.informer().add_indexers([("node".to_owned(), by_node)])?;
    factory.start();
    factory.wait_for_cache_sync_timeout(Duration::from_secs(30)).await;

    let informer = pods.informer();
    let indexer = informer.indexer();
    for node in indexer.list_index_values("node")? {
        let mut names: Vec<String> = indexer
            .by_index("node", &node)?
            .iter()
            .filter_map(|p| p.metadata.name.clone())
            .collect();
        names.sort();
        println!("node {node}: {names:?}");
    }
    let web = pods
        .lister()
        .namespace(NAMESPACE)
        .list(&"app=web,pod-template-hash".parse()?);
    println!("pods with app=web: {}", web.len());
    assert_eq!(web.len(), 2);

    let api: Api<Pod> = Api::namespaced(target.client.clone(), NAMESPACE);
    api.create(&PostParams::default(), &new_pod("web-7c9d6b5f4-zz9tk", "web"))
        .await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while indexer.by_index("node", "node-3")?.is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "the new pod reached the cache");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!("node node-3: {:?}", indexer.index_keys("node", "node-3")?);
    api.delete("web-7c9d6b5f4-zz9tk", &DeleteParams::default()).await?;
    factory.shutdown().await;
    if let Some(server) = target.fake {
        server.shutdown().await;
    }
    println!("pod-informer: done");
    Ok(())
}
