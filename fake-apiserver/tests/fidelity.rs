//! The fake's list responses have the shape of the real kube-apiserver's, as recorded by
//! kube-envtest's `list_shapes` test under `fixtures/responses/real/`: the same keys on the list,
//! on its metadata, and on each item and item metadata (`managedFields` aside: the fake writes none,
//! a known difference).

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::{CronTab, CronTabSpec, configmap, meta};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, PostParams};
use kube_fake_apiserver::FakeApiServer;
use serde_json::Value;

const SELECTOR: &str = "labelSelector=fixture%3Dlist-shapes";
const LABELS: &[(&str, &str)] = &[("fixture", "list-shapes")];

fn recorded(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/responses/real")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .map(|map| map.keys().filter(|key| *key != "managedFields").cloned().collect())
        .unwrap_or_default()
}

/// Which keys the list, its metadata, its items and their metadata have.
fn shape(list: &Value) -> Vec<(String, BTreeSet<String>)> {
    let mut shape = vec![
        ("list".into(), keys(list)),
        ("list.metadata".into(), keys(&list["metadata"])),
    ];
    for (i, item) in list["items"].as_array().unwrap().iter().enumerate() {
        shape.push((format!("items[{i}]"), keys(item)));
        shape.push((format!("items[{i}].metadata"), keys(&item["metadata"])));
    }
    shape
}

async fn get_raw(client: &kube::Client, path: &str) -> Value {
    let request = http::Request::get(path).body(Vec::new()).unwrap();
    serde_json::from_str(&client.request_text(request).await.unwrap()).unwrap()
}

#[tokio::test]
async fn list_shapes_match_the_real_servers() {
    let server = FakeApiServer::start().await.unwrap();
    let client = server.client().unwrap();

    let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    for (name, value) in [("alpha", "1"), ("beta", "2")] {
        configmaps
            .create(&PostParams::default(), &configmap(name, LABELS, &[("v", value)]))
            .await
            .unwrap();
    }
    let crontabs: Api<CronTab> = Api::namespaced(client.clone(), "default");
    for (name, cron_spec) in [("hourly", "0 * * * *"), ("nightly", "0 0 * * *")] {
        let crontab = CronTab {
            metadata: meta(name, LABELS),
            spec: CronTabSpec {
                cron_spec: cron_spec.into(),
                replicas: 1,
            },
            status: None,
        };
        crontabs.create(&PostParams::default(), &crontab).await.unwrap();
    }

    let fake = get_raw(&client, &format!("/api/v1/namespaces/default/configmaps?{SELECTOR}")).await;
    assert_eq!(
        shape(&fake),
        shape(&recorded("configmaplist.json")),
        "ConfigMapList: {fake:#}"
    );
    assert_eq!(fake["kind"], "ConfigMapList");

    let fake = get_raw(
        &client,
        &format!("/apis/stable.example.com/v1/namespaces/default/crontabs?{SELECTOR}"),
    )
    .await;
    assert_eq!(
        shape(&fake),
        shape(&recorded("crontablist.json")),
        "CronTabList: {fake:#}"
    );

    let fake = get_raw(&client, "/api/v1/namespaces/default/configmaps/alpha").await;
    let real = recorded("configmap.json");
    assert_eq!(keys(&fake), keys(&real), "ConfigMap: {fake:#}");
    assert_eq!(keys(&fake["metadata"]), keys(&real["metadata"]), "ConfigMap: {fake:#}");
}
