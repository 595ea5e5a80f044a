//! An informer on core/v1 Events that reacts to image `Pulled` events, like a controller that
//! tracks image pulls: the ones already there (initial list) and a new one.
//!
//! `cargo run -p examples --bin event-informer [-- --kubeconfig PATH]`

use std::sync::Arc;
use std::time::Duration;

use examples::informers::SharedInformerFactory;
use examples::{NAMESPACE, connect, pulled_event};
use k8s_openapi::api::core::v1::Event;
use kube::api::{Api, PostParams};
use kube_informer::HandlerFns;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = connect().await?;
    let factory = SharedInformerFactory::new(target.client.clone(), Duration::ZERO);
    let events = factory.core().v1().events();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    events
        .informer()
        .add_event_handler(HandlerFns::new().on_add(move |e: &Arc<Event>, initial| {
            if e.reason.as_deref() == Some("Pulled") {
                let line = format!(
                    "Pulled{} {}: {}",
                    if initial { " (already there)" } else { "" },
                    e.involved_object.name.as_deref().unwrap_or("?"),
                    e.message.as_deref().unwrap_or("")
                );
                println!("{line}");
                let _ = tx.send(line);
            }
        }));
    factory.start();
    factory.wait_for_cache_sync_timeout(Duration::from_secs(30)).await;
    let api: Api<Event> = Api::namespaced(target.client.clone(), NAMESPACE);
    api.create(
        &PostParams::default(),
        &pulled_event("api-5f6d8b9c7-q4wrt.9", "api-5f6d8b9c7-q4wrt", "shop/api:3.5"),
    )
    .await?;
    let mut pulled = Vec::new();
    while pulled.len() < 3 {
        pulled.push(
            tokio::time::timeout(Duration::from_secs(30), rx.recv())
                .await?
                .expect("handler alive"),
        );
    }
    assert_eq!(pulled.iter().filter(|l| l.contains("(already there)")).count(), 2);
    assert!(pulled.iter().any(|l| l.starts_with("Pulled api-5f6d8b9c7-q4wrt")));
    factory.shutdown().await;
    if let Some(server) = target.fake {
        server.shutdown().await;
    }
    println!("event-informer: done");
    Ok(())
}
