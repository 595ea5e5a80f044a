//! Watches any resource by GroupVersionResource with the dynamic API, resuming from the last
//! seen resourceVersion after a dropped watch and re-listing on 410 Gone (shown with the
//! embedded server's faults). Objects carry their kind/apiVersion, restored by the scheme.
//!
//! `cargo run -p examples --bin dynamic-watch [-- --kubeconfig PATH] [-- --resource apps/v1/deployments]`

use std::time::Duration;

use examples::{NAMESPACE, connect};
use futures::StreamExt;
use kube::api::{Api, ListParams, WatchEvent, WatchParams};
use kube::core::{DynamicObject, GroupVersionResource};
use kube_scheme::Scheme;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let resource = args
        .iter()
        .position(|a| a == "--resource")
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| "apps/v1/deployments".into());
    let parts: Vec<&str> = resource.split('/').collect();
    let gvr = match parts.as_slice() {
        [v, r] => GroupVersionResource::gvr("", v, r),
        [g, v, r] => GroupVersionResource::gvr(g, v, r),
        _ => return Err(format!("--resource {resource:?}: expected [GROUP/]VERSION/RESOURCE").into()),
    };
    let target = connect().await?;
    let scheme = Scheme::with_builtins();
    let info = scheme.kind_for_resource(&gvr)?;
    let ar = info.api_resource();
    let api: Api<DynamicObject> = Api::namespaced_with(target.client.clone(), NAMESPACE, &ar);

    // List, restore the kinds, and remember the version to resume from.
    let mut list = api.list(&ListParams::default()).await?;
    scheme.restore_list(&mut list)?;
    let mut resume = list.metadata.resource_version.clone().unwrap_or_default();
    let first_rv = resume.clone();
    println!(
        "listed {} {} at resourceVersion {resume}",
        list.items.len(),
        info.plural()
    );

    let changes = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let patch = kube::api::Patch::Merge(serde_json::json!({"metadata": {"labels": {"watched": "yes"}}}));
        for name in ["web", "api"] {
            api.patch(name, &Default::default(), &patch).await.ok();
        }
        if let Some(server) = &target.fake {
            server.drop_watches(); // the watch ends: resume from the last version
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        api.patch("db", &Default::default(), &patch).await.ok();
    };
    let watch = async {
        let mut seen = 0;
        let mut relists = 0;
        while seen < 3 {
            let mut stream = api.watch(&WatchParams::default().timeout(30), &resume).await?.boxed();
            while let Some(event) = stream.next().await {
                match event? {
                    WatchEvent::Added(mut o) | WatchEvent::Modified(mut o) => {
                        scheme.restore(&mut o, Some(info.gvk()))?;
                        let t = o.types.as_ref().unwrap();
                        println!(
                            "MODIFIED {}/{} {} at {}",
                            t.api_version,
                            t.kind,
                            o.metadata.name.as_deref().unwrap_or("?"),
                            o.metadata.resource_version.as_deref().unwrap_or("?")
                        );
                        resume = o.metadata.resource_version.clone().unwrap_or(resume);
                        seen += 1;
                    }
                    WatchEvent::Deleted(o) => println!("DELETED {}", o.metadata.name.as_deref().unwrap_or("?")),
                    WatchEvent::Bookmark(b) => resume = b.metadata.resource_version,
                    WatchEvent::Error(status) if status.code == 410 => {
                        // Too old: list again and resume from the list's version.
                        relists += 1;
                        resume = api
                            .list(&ListParams::default())
                            .await?
                            .metadata
                            .resource_version
                            .unwrap_or_default();
                        println!("410 Gone: re-listed, resuming at {resume}");
                        break;
                    }
                    WatchEvent::Error(status) => return Err(format!("watch error: {status:?}").into()),
                }
                if seen >= 3 {
                    break;
                }
            }
            println!("watch ended; resuming from resourceVersion {resume}");
        }
        Ok::<_, Box<dyn std::error::Error>>((seen, relists))
    };
    let ((seen, relists), ()) = tokio::try_join!(watch, async {
        changes.await;
        Ok(())
    })?;
    println!("saw {seen} changes, {relists} re-list(s)");
    assert_eq!(seen, 3);
    if let Some(server) = target.fake {
        // 410: after a compaction, a watch from the first list's version is too old; list again.
        server.compact();
        let mut stream = api.watch(&WatchParams::default(), &first_rv).await?.boxed();
        match stream.next().await.transpose()? {
            Some(WatchEvent::Error(status)) if status.code == 410 => {
                let relisted = api.list(&ListParams::default()).await?;
                println!(
                    "410 Gone from resourceVersion {first_rv} after a compaction: re-listed {} objects at {}",
                    relisted.items.len(),
                    relisted.metadata.resource_version.unwrap_or_default()
                );
            }
            other => return Err(format!("expected 410 Gone, got {other:?}").into()),
        }
        server.shutdown().await;
    }
    println!("dynamic-watch: done");
    Ok(())
}
