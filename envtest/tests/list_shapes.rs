//! List items of built-in kinds lack `kind`/`apiVersion` on the real server; custom resource items
//! keep theirs. The raw responses are recorded under `fixtures/responses/real/` (normalised: uids,
//! timestamps and resourceVersions are replaced by fixed values), which the fake API server's
//! fidelity test compares itself against. `KUBE_ENVTEST_RECORD=1` re-records them.

mod common;

use std::path::PathBuf;

use common::{CronTab, configmap, crontab, start};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, PostParams};
use serde_json::{Map, Value};

const LABEL: (&str, &str) = ("fixture", "list-shapes");

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/responses/real")
        .join(name)
}

async fn get_raw(client: &kube::Client, path: &str) -> Value {
    let request = http::Request::get(path).body(Vec::new()).unwrap();
    serde_json::from_str(&client.request_text(request).await.unwrap()).unwrap()
}

/// Replaces what differs from run to run by fixed values, so the recorded files are stable.
fn normalise(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match (key.as_str(), &*value) {
                    ("uid", Value::String(_)) => *value = "00000000-0000-0000-0000-000000000000".into(),
                    ("resourceVersion", Value::String(_)) => *value = "1".into(),
                    ("creationTimestamp" | "time", Value::String(_)) => *value = "2026-01-01T00:00:00Z".into(),
                    _ => normalise(value),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalise),
        _ => {}
    }
}

/// Compares `live` (normalised) with the recorded fixture, or records it when asked or missing.
fn check_fixture(name: &str, mut live: Value) {
    normalise(&mut live);
    let path = fixture(name);
    if std::env::var_os("KUBE_ENVTEST_RECORD").is_some() || !path.exists() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, serde_json::to_string_pretty(&live).unwrap() + "\n").unwrap();
        eprintln!("recorded {}", path.display());
    }
    let recorded: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        live,
        recorded,
        "the real server's answer differs from {}; re-record with KUBE_ENVTEST_RECORD=1",
        path.display()
    );
}

fn items(list: &Value) -> &Vec<Value> {
    list["items"].as_array().expect("a list has items")
}

fn labelled<K: kube::Resource>(mut object: K) -> K {
    object.meta_mut().labels = Some([(LABEL.0.to_string(), LABEL.1.to_string())].into());
    object
}

#[tokio::test]
async fn builtin_list_items_lack_kind_and_api_version_crd_items_keep_them() {
    let control_plane = start().await;
    let client = control_plane.client();
    control_plane.install_crd_for::<CronTab>().await.unwrap();

    let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    for (name, value) in [("alpha", "1"), ("beta", "2")] {
        configmaps
            .create(&PostParams::default(), &labelled(configmap(name, value)))
            .await
            .unwrap();
    }
    let crontabs: Api<CronTab> = Api::namespaced(client.clone(), "default");
    for (name, spec) in [("hourly", "0 * * * *"), ("nightly", "0 0 * * *")] {
        crontabs
            .create(&PostParams::default(), &labelled(crontab(name, spec)))
            .await
            .unwrap();
    }

    let selector = format!("labelSelector={}%3D{}", LABEL.0, LABEL.1);
    let configmap_list = get_raw(&client, &format!("/api/v1/namespaces/default/configmaps?{selector}")).await;
    assert_eq!(configmap_list["kind"], "ConfigMapList");
    assert_eq!(configmap_list["apiVersion"], "v1");
    assert_eq!(items(&configmap_list).len(), 2);
    for item in items(&configmap_list) {
        let item: &Map<String, Value> = item.as_object().unwrap();
        assert!(!item.contains_key("kind"), "a built-in list item has a kind: {item:?}");
        assert!(
            !item.contains_key("apiVersion"),
            "a built-in list item has an apiVersion: {item:?}"
        );
    }

    let crontab_list = get_raw(
        &client,
        &format!("/apis/stable.example.com/v1/namespaces/default/crontabs?{selector}"),
    )
    .await;
    assert_eq!(crontab_list["kind"], "CronTabList");
    assert_eq!(crontab_list["apiVersion"], "stable.example.com/v1");
    assert_eq!(items(&crontab_list).len(), 2);
    for item in items(&crontab_list) {
        assert_eq!(item["kind"], "CronTab");
        assert_eq!(item["apiVersion"], "stable.example.com/v1");
    }

    // A single GET of a built-in does carry them.
    let single = get_raw(&client, "/api/v1/namespaces/default/configmaps/alpha").await;
    assert_eq!(
        (&single["kind"], &single["apiVersion"]),
        (&"ConfigMap".into(), &"v1".into())
    );

    check_fixture("configmaplist.json", configmap_list);
    check_fixture("crontablist.json", crontab_list);
    check_fixture("configmap.json", single);
}
