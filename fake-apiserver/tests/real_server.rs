//! What the fake serves from recordings of the real kube-apiserver v1.37.2 (kube-envtest), and the
//! checks that keep those recordings true:
//!
//! - `data/discovery.json`: every built-in resource of every group version the real server
//!   serves (short names, categories, singular names, verbs, subresources), written from its
//!   discovery documents. The fake's discovery of built-ins must equal the real one, but for the
//!   subresources it does not serve (it serves `status` and `scale`, not `pods/log`, ...).
//! - `data/tables.json`: the Table columns (`Accept: ...;as=Table`) of the built-ins the fake prints
//!   like the real server (pods, deployments, ...). The fake's columns must equal them.
//!
//! - `data/openapi-v3.json.gz`: the OpenAPI v3 documents of every group version, with the hashes
//!   of the `/openapi/v3` index; the fake serves them as they are.
//! - `data/openapi-v2.json.gz`, `data/openapi-v2.pb.gz`: `/openapi/v2` in JSON and in protobuf.
//!
//! Besides, the same requests sent to both servers must get the same answers: server-side apply
//! and strategic merge patch, `Update` managers in `managedFields`, defaulting, and the shared
//! storage of a CRD's versions (with their OpenAPI v2 definitions).
//!
//! Re-record with `cargo xtask record` (`KUBE_ENVTEST_RECORD=1` on this test);
//! without it, the test fails when the real server's answers differ from the recordings.
//! Needs the control plane (`cargo xtask control-plane`).

use std::path::PathBuf;

use serde_json::{Map, Value, json};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data").join(name)
}

async fn get_json(client: &kube::Client, path: &str) -> Value {
    let request = http::Request::get(path).body(Vec::new()).unwrap();
    let text = client
        .request_text(request)
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// The discovery of built-ins: `"groups"`, their names in the order `/apis` lists them;
/// `"preferred"`, each group's preferred version; `"resources"`, each group version's
/// `APIResource`s.
async fn discovery(client: &kube::Client) -> Value {
    let mut out = Map::new();
    let mut preferred = Map::new();
    let mut order = Vec::new();
    let mut group_versions = vec!["v1".to_owned()];
    let groups = get_json(client, "/apis").await;
    for group in groups["groups"].as_array().unwrap() {
        let name = group["name"].as_str().unwrap();
        order.push(name.to_owned());
        preferred.insert(name.to_owned(), group["preferredVersion"]["version"].clone());
        for version in group["versions"].as_array().unwrap() {
            group_versions.push(version["groupVersion"].as_str().unwrap().to_owned());
        }
    }
    for gv in group_versions {
        let path = if gv == "v1" {
            "/api/v1".to_owned()
        } else {
            format!("/apis/{gv}")
        };
        let list = get_json(client, &path).await;
        out.insert(gv, list["resources"].clone());
    }
    json!({"groups": order, "preferred": preferred, "resources": out})
}

fn check_or_record(name: &str, live: &Value) {
    let path = data(name);
    if std::env::var_os("KUBE_ENVTEST_RECORD").is_some() || !path.exists() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, serde_json::to_string_pretty(live).unwrap() + "\n").unwrap();
        eprintln!("recorded {}", path.display());
    }
    let recorded: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(
        *live == recorded,
        "the real server's answer differs from {}; re-record with `cargo xtask record`",
        path.display()
    );
}

#[tokio::test]
async fn discovery_of_builtins_is_the_real_servers() {
    let real = kube_envtest::ControlPlane::start()
        .await
        .expect("the real control plane starts (build it with `cargo xtask control-plane`)");
    let live = discovery(&real.client()).await;
    check_or_record("discovery.json", &live);

    // The fake lists the subresources it serves (status, scale), not pods/log, pods/exec, ...
    let fake = kube_fake_apiserver::FakeApiServer::start().await.unwrap();
    let served = discovery(&fake.client().unwrap()).await;
    let mut missing = Vec::new();
    for (gv, resources) in live["resources"].as_object().unwrap() {
        let wanted: Vec<&Value> = resources
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| {
                let name = r["name"].as_str().unwrap();
                !name.contains('/') || name.ends_with("/status") || name.ends_with("/scale")
            })
            .collect();
        let got: Vec<Value> = served["resources"][gv].as_array().cloned().unwrap_or_default();
        for resource in &wanted {
            if !got.contains(resource) {
                missing.push(format!("{gv} {}", resource["name"].as_str().unwrap()));
            }
        }
        let order = |list: Vec<&Value>| {
            list.iter()
                .map(|r| r["name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        let got_names = order(got.iter().collect());
        let wanted_names: Vec<String> = order(wanted).into_iter().filter(|n| got_names.contains(n)).collect();
        assert_eq!(
            got_names, wanted_names,
            "the fake lists other resources of {gv}, or in another order"
        );
    }
    assert_eq!(
        missing, NOT_SERVED,
        "the fake's discovery differs from the real server's (resources missing or different)"
    );
    assert_eq!(served["preferred"], live["preferred"]);
    let groups: Vec<&Value> = live["groups"].as_array().unwrap().iter().collect();
    assert_eq!(served["groups"].as_array().unwrap().iter().collect::<Vec<_>>(), groups);
}

/// `/version`: the fields clients compare (`data/version.json`, recorded) are the real server's;
/// the build's own (commit, date, Go version, platform) are not compared.
#[tokio::test]
async fn version_is_the_real_servers() {
    let real = kube_envtest::ControlPlane::start()
        .await
        .expect("the real control plane starts (build it with `cargo xtask control-plane`)");
    let compared = |mut version: Value| {
        let map = version.as_object_mut().unwrap();
        for volatile in ["gitCommit", "gitTreeState", "buildDate", "goVersion", "platform"] {
            assert!(map.remove(volatile).is_some(), "/version has no {volatile}");
        }
        version
    };
    let live = compared(get_json(&real.client(), "/version").await);
    check_or_record("version.json", &live);
    let fake = kube_fake_apiserver::FakeApiServer::start().await.unwrap();
    let served = get_json(&fake.client().unwrap(), "/version").await;
    assert!(served["platform"].as_str().unwrap().contains("fake"), "{served}");
    assert_eq!(compared(served), live);
}

/// Built-in resources of the real server the fake does not serve: token reviews (the fake has no
/// authentication) and pod bindings (it has no scheduler).
const NOT_SERVED: [&str; 2] = ["authentication.k8s.io/v1 tokenreviews", "v1 bindings"];

/// The built-ins whose Table columns are recorded, as `<plural>.<group>` and a list path.
const TABLES: [(&str, &str); 11] = [
    (
        "customresourcedefinitions.apiextensions.k8s.io",
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    ),
    ("pods", "/api/v1/pods"),
    ("deployments.apps", "/apis/apps/v1/deployments"),
    ("replicasets.apps", "/apis/apps/v1/replicasets"),
    ("services", "/api/v1/services"),
    ("configmaps", "/api/v1/configmaps"),
    ("secrets", "/api/v1/secrets"),
    ("namespaces", "/api/v1/namespaces"),
    ("nodes", "/api/v1/nodes"),
    ("events", "/api/v1/events"),
    ("jobs.batch", "/apis/batch/v1/jobs"),
];

async fn table_columns(client: &kube::Client, path: &str) -> Value {
    let request = http::Request::get(path)
        .header(
            "Accept",
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
        )
        .body(Vec::new())
        .unwrap();
    let table: Value = serde_json::from_str(&client.request_text(request).await.unwrap()).unwrap();
    assert_eq!(table["kind"], "Table", "GET {path} as a Table: {table}");
    table["columnDefinitions"].clone()
}

#[tokio::test]
async fn table_columns_are_the_real_servers() {
    let real = kube_envtest::ControlPlane::start()
        .await
        .expect("the real control plane starts (build it with `cargo xtask control-plane`)");
    let mut live = Map::new();
    for (key, path) in TABLES {
        live.insert(key.to_owned(), table_columns(&real.client(), path).await);
    }
    let live = Value::Object(live);
    check_or_record("tables.json", &live);

    let fake = kube_fake_apiserver::FakeApiServer::start().await.unwrap();
    for (key, path) in TABLES {
        assert_eq!(
            table_columns(&fake.client().unwrap(), path).await,
            live[key],
            "the fake's Table columns of {key} differ from the real server's"
        );
    }
}

#[tokio::test]
async fn openapi_v3_is_the_real_servers() {
    let real = kube_envtest::ControlPlane::start()
        .await
        .expect("the real control plane starts (build it with `cargo xtask control-plane`)");
    let client = real.client();
    let index = get_json(&client, "/openapi/v3").await;
    let mut live = Map::new();
    for (path, entry) in index["paths"].as_object().unwrap() {
        let url = entry["serverRelativeURL"].as_str().unwrap();
        let hash = url.split_once("hash=").map(|(_, h)| h).unwrap_or_default();
        let document = get_json(&client, url).await;
        live.insert(path.clone(), json!({"hash": hash, "document": document}));
    }
    let live = Value::Object(live);
    let recorded: Value = serde_json::from_slice(&check_or_record_gz(
        "openapi-v3.json.gz",
        &serde_json::to_vec(&live).unwrap(),
    ))
    .unwrap();
    assert!(
        live == recorded,
        "the real server's OpenAPI v3 differs from data/openapi-v3.json.gz; re-record with `cargo xtask record`"
    );

    let fake = kube_fake_apiserver::FakeApiServer::start().await.unwrap();
    let fake_client = fake.client().unwrap();
    assert_eq!(get_json(&fake_client, "/openapi/v3").await, index);
    for path in ["api/v1", "apis/apps/v1"] {
        let url = index["paths"][path]["serverRelativeURL"].as_str().unwrap();
        assert_eq!(get_json(&fake_client, url).await, live[path]["document"]);
    }
}

/// One request's outcome, comparable between the servers: the status code, and for success the
/// object's spec, labels and `Apply` managers with their fields; for failure the Status reason
/// and message.
/// An object's `managedFields` without their times: manager, operation, apiVersion, subresource
/// and fields of each, ordered by operation and manager (the servers order entries by time in
/// seconds first, and two servers' clocks need not tick over at the same request).
fn managers(object: &Value) -> Vec<Value> {
    let mut managers: Vec<Value> = object["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            json!({"manager": m["manager"], "operation": m["operation"], "apiVersion": m["apiVersion"],
                   "subresource": m["subresource"], "fields": m["fieldsV1"]})
        })
        .collect();
    managers.sort_by_key(|m| {
        (
            m["operation"].to_string(),
            m["manager"].to_string(),
            m["subresource"].to_string(),
        )
    });
    managers
}

/// Sends `body` as JSON (nothing when it is null) and answers
/// the object the server returns, or the failure's `metav1.Status` as code, reason, message and
/// details.
async fn request(
    client: &kube::Client,
    method: &str,
    path: &str,
    content_type: &str,
    body: &Value,
) -> Result<Value, Value> {
    let bytes = match body {
        Value::Null => Vec::new(),
        _ => serde_json::to_vec(body).unwrap(),
    };
    let request = http::Request::builder()
        .method(method)
        .uri(path)
        .header("Content-Type", content_type)
        .body(bytes)
        .unwrap();
    match client.request_text(request).await {
        Ok(text) => Ok(serde_json::from_str(&text).unwrap_or(Value::Null)),
        Err(kube::Error::Api(status)) => Err(json!({"code": status.code, "reason": status.reason,
            "message": status.message, "details": status.details})),
        Err(other) => panic!("{method} {path}: {other}"),
    }
}

async fn send(client: &kube::Client, method: &str, path: &str, content_type: &str, body: &Value) -> Value {
    match request(client, method, path, content_type, body).await {
        Ok(object) => {
            json!({"spec": object["spec"], "labels": object["metadata"]["labels"], "finalizers": object["metadata"]["finalizers"], "managers": managers(&object)})
        }
        Err(mut status) => {
            status.as_object_mut().unwrap().remove("details");
            status
        }
    }
}

/// Server-side apply and strategic merge patch: the same requests get the same results from
/// both servers, conflicts and list merges included.
#[tokio::test]
async fn apply_and_strategic_merge_patch_are_the_real_servers() {
    let real = kube_envtest::ControlPlane::start()
        .await
        .expect("the real control plane starts (build it with `cargo xtask control-plane`)");
    let fake = kube_fake_apiserver::FakeApiServer::start().await.unwrap();
    let deployment = |manager_fields: Value| {
        let mut d = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "merge", "namespace": "default", "labels": {"app": "merge", "team": "a"}},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "merge"}},
                "template": {
                    "metadata": {"labels": {"app": "merge"}},
                    "spec": {"containers": [
                        {"name": "a", "image": "example.com/a:1", "env": [{"name": "X", "value": "1"}]},
                        {"name": "b", "image": "example.com/b:1"},
                    ]},
                },
            },
        });
        json_patch::merge(&mut d, &manager_fields);
        d
    };
    let path = "/apis/apps/v1/namespaces/default/deployments/merge";
    let apply = "application/apply-patch+yaml";
    let strategic = "application/strategic-merge-patch+json";
    // Server-side apply alone: objects and managed fields must be the same.
    let steps: Vec<(String, &str, Value)> = vec![
        (format!("{path}?fieldManager=alice"), apply, deployment(json!({}))),
        (
            format!("{path}?fieldManager=bob"),
            apply,
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "merge"}, "spec": {"replicas": 5}}),
        ),
        (
            format!("{path}?fieldManager=bob&force=true"),
            apply,
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "merge"}, "spec": {"replicas": 5}}),
        ),
        // alice no longer applies the `team` label nor `replicas`: the label goes, replicas is bob's.
        (
            format!("{path}?fieldManager=alice"),
            apply,
            deployment(json!({"metadata": {"labels": {"team": null}}, "spec": {"replicas": null}})),
        ),
        // List merges between managers: carol adds a container of her own to alice's (a list
        // map keyed by name: both stay, each owned by its applier) ...
        (
            format!("{path}?fieldManager=carol"),
            apply,
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "merge"},
                   "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "example.com/c:1"}]}}}}),
        ),
        // ... then changes the image of alice's container `a`: a conflict naming the list item ...
        (
            format!("{path}?fieldManager=carol"),
            apply,
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "merge"},
            "spec": {"template": {"spec": {"containers": [
                {"name": "c", "image": "example.com/c:1"},
                {"name": "a", "image": "example.com/a:2"},
            ]}}}}),
        ),
        // ... and alice drops her container `b`: it goes, carol's `c` stays.
        (
            format!("{path}?fieldManager=alice"),
            apply,
            deployment(
                json!({"metadata": {"labels": {"team": null}}, "spec": {"replicas": null, "template": {"spec": {"containers": [
                    {"name": "a", "image": "example.com/a:1", "env": [{"name": "X", "value": "1"}]},
                ]}}}}),
            ),
        ),
    ];
    for (i, (url, content_type, body)) in steps.iter().enumerate() {
        let on_real = send(&real.client(), "PATCH", url, content_type, body).await;
        let on_fake = send(&fake.client().unwrap(), "PATCH", url, content_type, body).await;
        assert_eq!(on_fake, on_real, "apply step {i}: PATCH {url} ({content_type}) {body}");
    }

    // Strategic merge patches of another object: the objects and their managers (`Update`
    // operations of the creator and the patcher) must be the same.
    let path = "/apis/apps/v1/namespaces/default/deployments/smp";
    let mut created = deployment(json!({"metadata": {"name": "smp"}}));
    created["metadata"]["name"] = json!("smp");
    let steps: Vec<(&str, Value)> = vec![
        (
            strategic,
            json!({"spec": {"template": {"spec": {"containers": [
                {"name": "a", "image": "example.com/a:2", "env": [{"name": "Y", "value": "2"}]},
                {"name": "b", "$patch": "delete"},
                {"name": "c", "image": "example.com/c:1"},
            ]}}}}),
        ),
        (
            strategic,
            json!({"metadata": {"labels": {"extra": "yes", "team": null}}, "spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "c"}, {"name": "a"}], "containers": [{"name": "c", "image": "example.com/c:2"}]}}}}),
        ),
        (
            strategic,
            json!({"spec": {"template": {"spec": {"containers": [{"name": "z", "image": "z"}, {"$patch": "replace"}]}}}}),
        ),
        (
            strategic,
            json!({"spec": {"template": {"spec": {"containers": [{"image": "no-name"}]}}}}),
        ),
        // `$retainKeys` (the strategy's patch strategy): only the listed keys stay.
        (
            strategic,
            json!({"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 2}}}}),
        ),
        (
            strategic,
            json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}),
        ),
        // A merged list of strings (finalizers), and `$deleteFromPrimitiveList`.
        (
            strategic,
            json!({"metadata": {"finalizers": ["example.com/a", "example.com/b"]}}),
        ),
        (strategic, json!({"metadata": {"finalizers": ["example.com/c"]}})),
        (
            strategic,
            json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["example.com/a"]}}),
        ),
    ];
    for client in [real.client(), fake.client().unwrap()] {
        send(
            &client,
            "POST",
            "/apis/apps/v1/namespaces/default/deployments",
            "application/json",
            &created,
        )
        .await;
    }
    for (i, (content_type, body)) in steps.iter().enumerate() {
        let on_real = send(&real.client(), "PATCH", path, content_type, body).await;
        let on_fake = send(&fake.client().unwrap(), "PATCH", path, content_type, body).await;
        assert_eq!(on_fake, on_real, "strategic step {i}: PATCH {path} {body}");
    }
}

/// A ConfigMap request's outcome: data, labels, annotations and managers, or the failure's code,
/// reason, message and details.
async fn send_config_map(client: &kube::Client, method: &str, path: &str, content_type: &str, body: &Value) -> Value {
    match request(client, method, path, content_type, body).await {
        Ok(object) => json!({"data": object["data"], "labels": object["metadata"]["labels"],
                   "annotations": object["metadata"]["annotations"], "managers": managers(&object)}),
        Err(status) => status,
    }
}

/// The move from client-side to server-side apply as kube-apiserver's field manager carries it:
/// a `kubectl` apply takes over, without a conflict, what the client-side apply annotation holds
/// with its live value (any other manager conflicts), and keeps the annotation in step;
/// `managedFields` a client writes through a patch are taken as written (kubectl's migration
/// patch), `[{}]` resets them; an apply removes a map its manager owned as a whole only when no
/// one owns a field in it.
#[tokio::test]
async fn managed_fields_from_clients_and_the_move_from_client_side_apply_are_the_real_servers() {
    let real = kube_envtest::ControlPlane::start()
        .await
        .expect("the real control plane starts (build it with `cargo xtask control-plane`)");
    let fake = kube_fake_apiserver::FakeApiServer::start().await.unwrap();
    let collection = "/api/v1/namespaces/default/configmaps";
    let path = "/api/v1/namespaces/default/configmaps/moved";
    let (apply, json_patch, merge) = (
        "application/apply-patch+yaml",
        "application/json-patch+json",
        "application/merge-patch+json",
    );
    let last_applied = r#"{"apiVersion":"v1","data":{"a":"1","b":"1"},"kind":"ConfigMap","metadata":{"annotations":{},"labels":{"app":"moved"},"name":"moved","namespace":"default"}}"#;
    let config = |data: Value, labels: Value| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "moved", "namespace": "default", "labels": labels}, "data": data});
    let entry = |manager: &str, operation: &str, fields: Value| {
        json!({"manager": manager, "operation": operation, "apiVersion": "v1", "time": "2026-01-02T03:04:05Z",
               "fieldsType": "FieldsV1", "fieldsV1": fields})
    };
    let steps: Vec<(&str, String, &str, Value)> = vec![
        // What `kubectl apply` (client-side) creates.
        (
            "POST",
            format!("{collection}?fieldManager=kubectl-client-side-apply"),
            "application/json",
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": "moved", "namespace": "default", "labels": {"app": "moved"},
                                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": format!("{last_applied}\n")}},
                   "data": {"a": "1", "b": "1"}}),
        ),
        // Another manager changing a client-side applied value conflicts ...
        (
            "PATCH",
            format!("{path}?fieldManager=other"),
            apply,
            config(json!({"a": "2"}), json!({"app": "moved"})),
        ),
        // ... `kubectl` does not: the annotation holds `a` with its live value.
        (
            "PATCH",
            format!("{path}?fieldManager=kubectl"),
            apply,
            config(json!({"a": "2"}), json!({"app": "moved"})),
        ),
        // The annotation now holds what `kubectl` applied (`a: 2`, no `b`): `a` is its own, and
        // applying `b` with its live value conflicts with no one.
        (
            "PATCH",
            format!("{path}?fieldManager=kubectl"),
            apply,
            config(json!({"a": "3", "b": "1"}), json!({"app": "moved"})),
        ),
        // Managed fields written by a JSON patch are taken as written (kubectl's migration).
        (
            "PATCH",
            format!("{path}?fieldManager=kubectl"),
            json_patch,
            json!([{"op": "replace", "path": "/metadata/managedFields", "value": [
                entry("kubectl", "Apply", json!({"f:data": {".": {}, "f:a": {}}, "f:metadata": {"f:labels": {".": {}, "f:app": {}}}})),
                entry("hand", "Update", json!({"f:data": {"f:b": {}}})),
            ]}]),
        ),
        // An apply without the labels: the labels map goes with `app` (no one else owns a label);
        // `data` stays, for `hand` owns `b` in it.
        (
            "PATCH",
            format!("{path}?fieldManager=kubectl"),
            apply,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "moved", "namespace": "default"}, "data": {"c": "1"}}),
        ),
        // `hand` gives up `b` by a patch of managedFields alone, and `kubectl` now owns `data` as
        // a whole; its next apply without `data` removes the map, and the unowned `b` with it.
        (
            "PATCH",
            format!("{path}?fieldManager=kubectl"),
            json_patch,
            json!([{"op": "replace", "path": "/metadata/managedFields", "value": [
                entry("kubectl", "Apply", json!({"f:data": {".": {}, "f:c": {}}})),
            ]}]),
        ),
        (
            "PATCH",
            format!("{path}?fieldManager=kubectl"),
            apply,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "moved", "namespace": "default", "labels": {"x": "y"}}}),
        ),
        // `[{}]` resets the managed fields; the patch changes nothing else, so none are left.
        (
            "PATCH",
            format!("{path}?fieldManager=resetter"),
            merge,
            json!({"metadata": {"managedFields": [{}]}}),
        ),
        // A merge patch that changes data and sets managed fields: the given ones, plus the
        // writer's own for what it changed.
        (
            "PATCH",
            format!("{path}?fieldManager=writer"),
            merge,
            json!({"data": {"d": "1"}, "metadata": {"managedFields": [entry("given", "Update", json!({"f:metadata": {"f:labels": {"f:x": {}}}}))]}}),
        ),
    ];
    let mut outcomes = Vec::new();
    for (i, (method, url, content_type, body)) in steps.iter().enumerate() {
        let on_real = send_config_map(&real.client(), method, url, content_type, body).await;
        let on_fake = send_config_map(&fake.client().unwrap(), method, url, content_type, body).await;
        assert_eq!(on_fake, on_real, "step {i}: {method} {url} ({content_type}) {body}");
        outcomes.push(on_fake);
    }
    // What the steps are there to show, so that the test cannot pass on two servers that fail
    // alike.
    assert_eq!(outcomes[1]["code"], 409, "{}", outcomes[1]);
    assert_eq!(outcomes[2]["data"], json!({"a": "2", "b": "1"}));
    assert!(
        outcomes[2]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
            .as_str()
            .unwrap()
            .contains(r#""data":{"a":"2"}"#)
    );
    assert_eq!(outcomes[4]["managers"][1]["manager"], "hand");
    assert_eq!(
        (&outcomes[5]["data"], &outcomes[5]["labels"]),
        (&json!({"b": "1", "c": "1"}), &Value::Null)
    );
    assert_eq!(outcomes[7]["data"], Value::Null);
    assert_eq!(outcomes[8]["managers"], json!([]));
}

/// One JSON patch of `data/json-patch-cases.json` sent to a fresh ConfigMap: the patched object's
/// name, data, labels, annotations and finalizers, or the failure's code, reason, message and
/// details. The ConfigMap is deleted afterwards (its finalizers removed first).
async fn json_patch_outcome(client: &kube::Client, case: &Value) -> Value {
    let collection = "/api/v1/namespaces/default/configmaps";
    let path = "/api/v1/namespaces/default/configmaps/patched";
    let object = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "patched", "namespace": "default", "labels": {"app": "a", "a/b": "x"}, "annotations": {"note": "n"}},
        "data": {"a": "1", "b": "2"}});
    request(client, "POST", collection, "application/json", &object)
        .await
        .unwrap();
    // A `body` case is sent as its exact bytes (the library reads the patch's text).
    let raw = match case.get("body").and_then(Value::as_str) {
        Some(text) => text.as_bytes().to_vec(),
        None => serde_json::to_vec(&case["patch"]).unwrap(),
    };
    let patch = http::Request::builder()
        .method("PATCH")
        .uri(path)
        .header("Content-Type", "application/json-patch+json")
        .body(raw)
        .unwrap();
    let outcome = match client.request_text(patch).await {
        Ok(text) => {
            let object: Value = serde_json::from_str(&text).unwrap();
            let meta = &object["metadata"];
            json!({"name": meta["name"], "data": object["data"], "labels": meta["labels"],
                   "annotations": meta["annotations"], "finalizers": meta["finalizers"]})
        }
        Err(kube::Error::Api(status)) => {
            json!({"code": status.code, "reason": status.reason, "message": status.message, "details": status.details})
        }
        Err(other) => panic!("{}: {other}", case["name"]),
    };
    let unfinalize = json!({"metadata": {"finalizers": null}});
    request(client, "PATCH", path, "application/merge-patch+json", &unfinalize)
        .await
        .unwrap();
    request(client, "DELETE", path, "application/json", &Value::Null)
        .await
        .unwrap();
    outcome
}

/// The cases of `data/json-patch-cases.json` whose outcome differs, with the reason: the real
/// server decodes the patched object into the kind's Go type, and its error quotes the whole
/// patched object in Go's field order; the fake checks no types of built-in kinds.
const JSON_PATCH_DIFFERENCES: [(&str, &str); 2] = [
    (
        "value with big integer",
        "a number for an annotation: the real server's decoding refuses it",
    ),
    (
        "replace kind",
        "the real server decodes the patched object as the kind it names (a Secret)",
    ),
];

/// JSON patches (`application/json-patch+json`) as kube-apiserver applies them (evanphx/json-patch
/// v4's semantics): every case of `data/json-patch-cases.json` (test/add/remove/replace/move/copy,
/// missing paths, array indexes, `-`, `~0`/`~1`, malformed patches) gets the same object or the
/// same error (code, reason, message, details) from both servers.
#[tokio::test]
async fn json_patches_are_the_real_servers() {
    let real = kube_envtest::ControlPlane::start()
        .await
        .expect("the real control plane starts (build it with `cargo xtask control-plane`)");
    let fake = kube_fake_apiserver::FakeApiServer::start().await.unwrap();
    let cases: Vec<Value> = serde_json::from_str(include_str!("data/json-patch-cases.json")).unwrap();
    let (real_client, fake_client) = (real.client(), fake.client().unwrap());
    let mut differ = Vec::new();
    let (mut applied, mut refused) = (0, 0);
    for case in &cases {
        let on_real = json_patch_outcome(&real_client, case).await;
        let on_fake = json_patch_outcome(&fake_client, case).await;
        if on_real.get("code").is_some() {
            refused += 1;
        } else {
            applied += 1;
        }
        let name = case["name"].as_str().unwrap();
        let known = JSON_PATCH_DIFFERENCES.iter().any(|(n, _)| *n == name);
        if (on_fake != on_real) != known {
            differ.push(format!(
                "{name}{}:\n  fake {on_fake}\n  real {on_real}",
                if known {
                    " (listed as a known difference, but the same now)"
                } else {
                    ""
                }
            ));
        }
    }
    eprintln!(
        "JSON patch table: {} cases, {applied} applied and {refused} refused by the real server",
        cases.len()
    );
    assert!(
        differ.is_empty(),
        "{} of {} cases differ from what is expected:\n{}",
        differ.len(),
        cases.len(),
        differ.join("\n")
    );
    assert!(applied > 40 && refused > 40, "the table must exercise both outcomes");
}

/// Requests the real server refuses, sent to both: the same code, reason, message and details
/// (the `metav1.Status` a client decodes), for the everyday 4xx answers of built-in kinds.
#[tokio::test]
async fn errors_are_the_real_servers() {
    let real = kube_envtest::ControlPlane::start()
        .await
        .expect("the real control plane starts (build it with `cargo xtask control-plane`)");
    let fake = kube_fake_apiserver::FakeApiServer::start().await.unwrap();
    let cms = "/api/v1/namespaces/default/configmaps";
    let cm =
        |name: &str| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"a": "1"}});
    let json = "application/json";
    let merge = "application/merge-patch+json";
    let steps: Vec<(&str, String, &str, Value)> = vec![
        ("POST", cms.to_owned(), json, cm("taken")),
        // Already exists.
        ("POST", cms.to_owned(), json, cm("taken")),
        // Not found: get, update, patch, delete.
        ("GET", format!("{cms}/missing"), json, Value::Null),
        ("PUT", format!("{cms}/missing"), json, cm("missing")),
        ("PATCH", format!("{cms}/missing"), merge, json!({"data": {"b": "2"}})),
        ("DELETE", format!("{cms}/missing"), json, Value::Null),
        // A namespace that does not exist.
        (
            "POST",
            "/api/v1/namespaces/nowhere/configmaps".to_owned(),
            json,
            cm("x"),
        ),
        // Invalid names.
        ("POST", cms.to_owned(), json, cm("Bad_Name")),
        (
            "POST",
            cms.to_owned(),
            json,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}),
        ),
        (
            "POST",
            "/api/v1/namespaces".to_owned(),
            json,
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a.b"}}),
        ),
        // Body and URL disagree.
        (
            "POST",
            cms.to_owned(),
            json,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "other"}}),
        ),
        ("PUT", format!("{cms}/taken"), json, cm("other")),
        (
            "POST",
            cms.to_owned(),
            json,
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}}),
        ),
        (
            "POST",
            cms.to_owned(),
            json,
            json!({"apiVersion": "apps/v1", "kind": "ConfigMap", "metadata": {"name": "x"}}),
        ),
        (
            "POST",
            cms.to_owned(),
            json,
            json!({"kind": "ConfigMap", "metadata": {"name": "x"}}),
        ),
        (
            "POST",
            cms.to_owned(),
            json,
            json!({"apiVersion": "v1", "metadata": {"name": "x"}}),
        ),
        // A stale resourceVersion.
        (
            "PUT",
            format!("{cms}/taken"),
            json,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "taken", "resourceVersion": "1"}, "data": {"a": "2"}}),
        ),
        // Delete preconditions.
        (
            "DELETE",
            format!("{cms}/taken"),
            json,
            json!({"kind": "DeleteOptions", "apiVersion": "v1", "preconditions": {"uid": "00000000-0000-0000-0000-000000000000"}}),
        ),
        // Patches: bad JSON, a merge patch that is no object, an apply without a field manager.
        ("PATCH", format!("{cms}/taken"), merge, json!("not an object")),
        (
            "PATCH",
            format!("{cms}/taken"),
            "application/apply-patch+yaml",
            cm("taken"),
        ),
        // Metadata validation: labels, annotations, finalizers.
        (
            "POST",
            cms.to_owned(),
            json,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "l", "labels": {"bad key!": "v", "ok": "bad value!"}}}),
        ),
        (
            "POST",
            cms.to_owned(),
            json,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "f", "finalizers": ["plain", "example.com/fine", "a/b/c"]}}),
        ),
        (
            "PATCH",
            format!("{cms}/taken"),
            merge,
            json!({"metadata": {"annotations": {"no spaces": "v"}}}),
        ),
        // A field selector on an undeclared field.
        ("GET", format!("{cms}?fieldSelector=data.a%3D1"), json, Value::Null),
        ("GET", format!("{cms}?labelSelector=a%3D%3D%3Db"), json, Value::Null),
    ];
    // Object uids differ between the servers; the rest of a message must not.
    let uid = regex::Regex::new("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").unwrap();
    let mut differ = Vec::new();
    for (i, (method, url, content_type, body)) in steps.iter().enumerate() {
        let mut outcomes = Vec::new();
        for client in [real.client(), fake.client().unwrap()] {
            outcomes.push(match request(&client, method, url, content_type, body).await {
                Ok(_) => json!("ok"),
                Err(mut status) => {
                    let message = uid.replace_all(status["message"].as_str().unwrap(), "UID").into_owned();
                    status["message"] = json!(message);
                    status
                }
            });
        }
        if outcomes[1] != outcomes[0] {
            differ.push(format!(
                "step {i}: {method} {url} {body}\n  fake {}\n  real {}",
                outcomes[1], outcomes[0]
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} answers differ:\n{}",
        differ.len(),
        steps.len(),
        differ.join("\n")
    );
}

/// Where two JSON values differ, as JSON pointers with both sides: one line per field.
fn differences(path: &str, fake: &Value, real: &Value, out: &mut Vec<String>) {
    match (fake, real) {
        (Value::Object(f), Value::Object(r)) => {
            let keys: std::collections::BTreeSet<&String> = f.keys().chain(r.keys()).collect();
            for key in keys {
                let (a, b) = (f.get(key).unwrap_or(&Value::Null), r.get(key).unwrap_or(&Value::Null));
                differences(&format!("{path}/{key}"), a, b, out);
            }
        }
        (Value::Array(f), Value::Array(r)) if f.len() == r.len() => {
            for (i, (a, b)) in f.iter().zip(r).enumerate() {
                differences(&format!("{path}/{i}"), a, b, out);
            }
        }
        _ if fake != real => out.push(format!("{path}: fake {fake}, real {real}")),
        _ => {}
    }
}

/// Replaces every string equal to `uid` (a Job's generated selector and labels carry it), and
/// the cluster IPs a Service is given, by placeholders: the rest must be equal.
fn masked(mut object: Value) -> Value {
    fn walk(v: &mut Value, uid: &str) {
        match v {
            Value::String(s) if !uid.is_empty() && s == uid => *s = "<uid>".into(),
            Value::Object(map) => {
                for (key, child) in map.iter_mut() {
                    match key.as_str() {
                        "clusterIP" => *child = json!("<ip>"),
                        "clusterIPs" => *child = json!(["<ip>"]),
                        _ => walk(child, uid),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, uid)),
            _ => {}
        }
    }
    let uid = object["metadata"]["uid"].as_str().unwrap_or_default().to_owned();
    walk(&mut object, &uid);
    json!({"labels": object["metadata"]["labels"], "annotations": object["metadata"]["annotations"], "spec": object["spec"]})
}

/// Minimal objects of the common kinds, labelled `app`: the collection to create each in, its
/// name and body (Pod, Deployment named `deployment`, ReplicaSet, StatefulSet, DaemonSet, Job,
/// CronJob, Service).
fn common_objects(app: &str, deployment: &'static str) -> Vec<(&'static str, &'static str, Value)> {
    let labels = json!({"app": app});
    let pod_spec = json!({"containers": [{"name": "c", "image": "example.com/c:1", "ports": [{"containerPort": 80}]}]});
    let template = json!({"metadata": {"labels": labels}, "spec": pod_spec});
    let job_template = json!({"metadata": {"labels": labels}, "spec": {"containers": pod_spec["containers"], "restartPolicy": "Never"}});
    let meta = |name: &str| json!({"name": name, "labels": labels});
    let workload = |api_version: &str, kind: &str, name: &str, extra: Value| {
        let mut spec = json!({"selector": {"matchLabels": labels}, "template": template});
        json_patch::merge(&mut spec, &extra);
        json!({"apiVersion": api_version, "kind": kind, "metadata": meta(name), "spec": spec})
    };
    vec![
        (
            "/api/v1/namespaces/default/pods",
            "pod",
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta("pod"), "spec": pod_spec}),
        ),
        (
            "/apis/apps/v1/namespaces/default/deployments",
            deployment,
            workload("apps/v1", "Deployment", deployment, json!({})),
        ),
        (
            "/apis/apps/v1/namespaces/default/replicasets",
            "replicaset",
            workload("apps/v1", "ReplicaSet", "replicaset", json!({})),
        ),
        (
            "/apis/apps/v1/namespaces/default/statefulsets",
            "statefulset",
            workload("apps/v1", "StatefulSet", "statefulset", json!({"serviceName": "svc"})),
        ),
        (
            "/apis/apps/v1/namespaces/default/daemonsets",
            "daemonset",
            workload("apps/v1", "DaemonSet", "daemonset", json!({})),
        ),
        (
            "/apis/batch/v1/namespaces/default/jobs",
            "job",
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": meta("job"), "spec": {"template": job_template}}),
        ),
        (
            "/apis/batch/v1/namespaces/default/cronjobs",
            "cronjob",
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta("cronjob"),
                   "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": job_template}}}}),
        ),
        (
            "/api/v1/namespaces/default/services",
            "service",
            json!({"apiVersion": "v1", "kind": "Service", "metadata": meta("service"),
                   "spec": {"selector": labels, "ports": [{"port": 80, "name": "http"}]}}),
        ),
    ]
}

/// Defaulting: the same minimal objects created on both servers read back with the same spec,
/// labels and annotations, field by field (Pods, Deployments, ReplicaSets, StatefulSets,
/// DaemonSets, Jobs, CronJobs, Services; a Job's uid-derived selector and a Service's cluster IP
/// masked).
#[tokio::test]
async fn defaults_are_the_real_servers() {
    let real = kube_envtest::ControlPlane::start()
        .await
        .expect("the real control plane starts (build it with `cargo xtask control-plane`)");
    let fake = kube_fake_apiserver::FakeApiServer::start().await.unwrap();
    let objects = common_objects("defaults", "deployment");
    let create = |client: kube::Client, path: &'static str, body: Value| async move {
        let request = http::Request::post(path)
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(&body).unwrap())
            .unwrap();
        let text = client
            .request_text(request)
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        masked(serde_json::from_str(&text).unwrap())
    };
    let mut all = Vec::new();
    for (path, _, body) in objects {
        let on_real = create(real.client(), path, body.clone()).await;
        let on_fake = create(fake.client().unwrap(), path, body).await;
        let mut found = Vec::new();
        differences("", &on_fake, &on_real, &mut found);
        all.extend(found.into_iter().map(|d| format!("{}: {d}", body_kind(path))));
    }
    assert!(
        all.is_empty(),
        "defaults differ from the real server's:\n{}",
        all.join("\n")
    );
}

fn body_kind(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A request's answer (the error's code, reason and message when it fails) and, after it, the
/// managers of the object at `object_path`.
async fn write_then_managers(
    client: &kube::Client,
    method: &str,
    url: &str,
    content_type: &str,
    body: &Value,
    object_path: &str,
) -> Value {
    let request = http::Request::builder()
        .method(method)
        .uri(url)
        .header("Content-Type", content_type)
        .body(serde_json::to_vec(body).unwrap())
        .unwrap();
    let answer = match client.request_text(request).await {
        Ok(_) => json!("ok"),
        Err(kube::Error::Api(status)) => {
            json!({"code": status.code, "reason": status.reason, "message": status.message})
        }
        Err(other) => panic!("{method} {url}: {other}"),
    };
    let object = get_json(client, object_path).await;
    json!({"answer": answer, "managers": managers(&object)})
}

/// Managed fields of writes other than apply (`Update` operations): creates of the common kinds,
/// updates, merge and JSON patches, the `status` and `scale` subresources, a writer named by its
/// user agent, and applies that conflict with and take over `Update` managers' fields. The same
/// requests must leave the same managers with the same fields on both servers.
#[tokio::test]
async fn update_managers_are_the_real_servers() {
    let real = kube_envtest::ControlPlane::start()
        .await
        .expect("the real control plane starts (build it with `cargo xtask control-plane`)");
    let fake = kube_fake_apiserver::FakeApiServer::start().await.unwrap();
    let mut creates = common_objects("managed", "managed");
    let deployment = creates[1].2.clone();
    creates.push((
        "/api/v1/namespaces/default/configmaps",
        "config",
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "config", "annotations": {"note": "x"}}, "data": {"a": "1", "b": "2"}}),
    ));
    creates.push((
        "/api/v1/namespaces",
        "managed-ns",
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "managed-ns"}}),
    ));
    let json = "application/json";
    let merge = "application/merge-patch+json";
    let mut all = Vec::new();
    let mut compare = |step: String, fake: Value, real: Value| {
        let mut found = Vec::new();
        differences("", &fake, &real, &mut found);
        all.extend(found.into_iter().map(|d| format!("{step}: {d}")));
    };
    for (path, name, body) in &creates {
        let url = format!("{path}?fieldManager=creator");
        let object = format!("{path}/{name}");
        let on_real = write_then_managers(&real.client(), "POST", &url, json, body, &object).await;
        let on_fake = write_then_managers(&fake.client().unwrap(), "POST", &url, json, body, &object).await;
        compare(format!("create {path}"), on_fake, on_real);
    }
    let d = "/apis/apps/v1/namespaces/default/deployments/managed";
    let mut replaced = deployment.clone();
    replaced["metadata"]["labels"]["tier"] = json!("web");
    replaced["spec"]["replicas"] = json!(3);
    replaced["spec"]["template"]["spec"]["containers"][0]["image"] = json!("example.com/c:2");
    let cm = "/api/v1/namespaces/default/configmaps/config";
    let steps: Vec<(&str, String, &str, Value, &str)> = vec![
        // An update: the updater takes the fields it changed from the creator.
        ("PUT", format!("{d}?fieldManager=updater"), json, replaced, d),
        // A merge patch, a JSON patch, and a writer named by its user agent (no fieldManager).
        (
            "PATCH",
            format!("{d}?fieldManager=patcher"),
            merge,
            json!({"metadata": {"annotations": {"a": "1"}}, "spec": {"minReadySeconds": 5, "template": {"metadata": {"labels": {"tier": null}}}}}),
            d,
        ),
        (
            "PATCH",
            format!("{d}?fieldManager=jsonpatcher"),
            "application/json-patch+json",
            json!([{"op": "replace", "path": "/spec/replicas", "value": 4}]),
            d,
        ),
        (
            "PATCH",
            d.to_owned(),
            merge,
            json!({"metadata": {"labels": {"agent": "yes"}}}),
            d,
        ),
        // The status and scale subresources.
        (
            "PATCH",
            format!("{d}/status?fieldManager=statuser"),
            merge,
            json!({"status": {"observedGeneration": 7}}),
            d,
        ),
        (
            "PATCH",
            format!("{d}/scale?fieldManager=scaler"),
            merge,
            json!({"spec": {"replicas": 6}}),
            d,
        ),
        // An apply of a field an Update manager owns: a conflict, then taken by force.
        (
            "PATCH",
            format!("{d}?fieldManager=applier"),
            "application/apply-patch+yaml",
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "managed"}, "spec": {"replicas": 7}}),
            d,
        ),
        (
            "PATCH",
            format!("{d}?fieldManager=applier&force=true"),
            "application/apply-patch+yaml",
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "managed"}, "spec": {"replicas": 7}}),
            d,
        ),
        // An update after the apply: the applier loses what the updater changes.
        (
            "PATCH",
            format!("{d}?fieldManager=updater"),
            merge,
            json!({"spec": {"replicas": 8, "revisionHistoryLimit": 3}}),
            d,
        ),
        // A ConfigMap: a key removed by one writer, changed by another.
        (
            "PATCH",
            format!("{cm}?fieldManager=trimmer"),
            merge,
            json!({"data": {"a": null, "c": "3"}, "metadata": {"annotations": null}}),
            cm,
        ),
        (
            "PUT",
            format!("{cm}?fieldManager=replacer"),
            json,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "config"}, "data": {"b": "20", "c": "3"}}),
            cm,
        ),
    ];
    for (i, (method, url, content_type, body, object)) in steps.iter().enumerate() {
        let on_real = write_then_managers(&real.client(), method, url, content_type, body, object).await;
        let on_fake = write_then_managers(&fake.client().unwrap(), method, url, content_type, body, object).await;
        compare(format!("step {i} {method} {url}"), on_fake, on_real);
    }
    assert!(
        all.is_empty(),
        "managed fields differ from the real server's:\n{}",
        all.join("\n")
    );
}

/// The versions of a CRD share one storage: an object created as v1 reads as v2 with only its
/// apiVersion changed, lists of either version hold every object, and an object stays after the
/// version it was written in stops being served. The same requests, the same answers.
#[tokio::test]
async fn crd_versions_share_one_storage_as_on_the_real_server() {
    let real = kube_envtest::ControlPlane::start()
        .await
        .expect("the real control plane starts (build it with `cargo xtask control-plane`)");
    let fake = kube_fake_apiserver::FakeApiServer::start().await.unwrap();
    let version = |name: &str, storage: bool, served: bool| {
        json!({"name": name, "served": served, "storage": storage, "schema": {"openAPIV3Schema": {
            "type": "object", "properties": {"spec": {"type": "object", "properties": {"size": {"type": "string"}}}}}}})
    };
    let crd = |versions: Vec<Value>| {
        json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
               "metadata": {"name": "gadgets.example.org"},
               "spec": {"group": "example.org", "scope": "Namespaced",
                        "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
                        "versions": versions}})
    };
    let crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    let v1 = "/apis/example.org/v1/namespaces/default/gadgets";
    let v2 = "/apis/example.org/v2/namespaces/default/gadgets";
    let gadget = |version: &str, name: &str| json!({"apiVersion": format!("example.org/{version}"), "kind": "Gadget", "metadata": {"name": name}, "spec": {"size": "big"}});
    // What is compared: apiVersion, kind, name and spec of an object or of each list item, or
    // the error's code.
    async fn answer(
        client: &kube::Client,
        method: &str,
        path: &str,
        content_type: &str,
        body: Option<&Value>,
    ) -> Value {
        let request = http::Request::builder()
            .method(method)
            .uri(path)
            .header("Content-Type", content_type)
            .body(body.map(|b| serde_json::to_vec(b).unwrap()).unwrap_or_default())
            .unwrap();
        let shape = |o: &Value| json!([o["apiVersion"], o["kind"], o["metadata"]["name"], o["spec"]]);
        match client.request_text(request).await {
            Ok(text) => {
                let v: Value = serde_json::from_str(&text).unwrap();
                match v["items"].as_array() {
                    Some(items) => json!(items.iter().map(shape).collect::<Vec<_>>()),
                    None => shape(&v),
                }
            }
            Err(kube::Error::Api(status)) => json!({"code": status.code}),
            Err(other) => panic!("{method} {path}: {other}"),
        }
    }
    async fn until_served(client: &kube::Client, path: &str) {
        for _ in 0..100 {
            if get_json_result(client, path).await.is_ok() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("{path} is not served after 10 s");
    }
    async fn get_json_result(client: &kube::Client, path: &str) -> Result<String, kube::Error> {
        client
            .request_text(http::Request::get(path).body(Vec::new()).unwrap())
            .await
    }
    let two = crd(vec![version("v1", true, true), version("v2", false, true)]);
    let only_v2 = crd(vec![version("v1", false, false), version("v2", true, true)]);
    let json = "application/json";
    let mut all = Vec::new();
    for (name, client) in [("real", real.client()), ("fake", fake.client().unwrap())] {
        let mut answers = Vec::new();
        answers.push(answer(&client, "POST", crds, json, Some(&two)).await);
        until_served(&client, v2).await;
        // The OpenAPI v2 definitions of both versions (the real server publishes them shortly
        // after the CRD is established).
        let mut definitions = Value::Null;
        for _ in 0..100 {
            let doc: Value = serde_json::from_str(&get_json_result(&client, "/openapi/v2").await.unwrap()).unwrap();
            definitions = json!([
                doc["definitions"]["org.example.v1.Gadget"],
                doc["definitions"]["org.example.v2.Gadget"]
            ]);
            if !definitions[1].is_null() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        answers.push(definitions);
        answers.push(answer(&client, "POST", v1, json, Some(&gadget("v1", "a"))).await);
        answers.push(answer(&client, "POST", v2, json, Some(&gadget("v2", "b"))).await);
        answers.push(answer(&client, "GET", &format!("{v2}/a"), json, None).await);
        answers.push(answer(&client, "GET", v1, json, None).await);
        answers.push(answer(&client, "GET", v2, json, None).await);
        answers.push(
            answer(
                &client,
                "PATCH",
                &format!("{v2}/a"),
                "application/merge-patch+json",
                Some(&json!({"spec": {"size": "small"}})),
            )
            .await,
        );
        answers.push(answer(&client, "GET", &format!("{v1}/a"), json, None).await);
        // v1 no longer served: its objects stay, read through v2.
        let mut current: Value = serde_json::from_str(
            &get_json_result(&client, &format!("{crds}/gadgets.example.org"))
                .await
                .unwrap(),
        )
        .unwrap();
        current["spec"]["versions"] = only_v2["spec"]["versions"].clone();
        answers.push(
            answer(
                &client,
                "PUT",
                &format!("{crds}/gadgets.example.org"),
                json,
                Some(&current),
            )
            .await,
        );
        for _ in 0..100 {
            if get_json_result(&client, &format!("{v1}/a")).await.is_err() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        answers.push(answer(&client, "GET", &format!("{v1}/a"), json, None).await);
        answers.push(answer(&client, "GET", v2, json, None).await);
        all.push((name, answers));
    }
    let (real_answers, fake_answers) = (&all[0].1, &all[1].1);
    let mut found = Vec::new();
    for (i, (r, f)) in real_answers.iter().zip(fake_answers).enumerate() {
        differences(&format!("step {i}"), f, r, &mut found);
    }
    assert!(found.is_empty(), "the fake answers otherwise:\n{}", found.join("\n"));
}

/// A gzip recording in `data/`: written when `KUBE_ENVTEST_RECORD` is set or it is missing, then
/// read back.
fn check_or_record_gz(name: &str, live: &[u8]) -> Vec<u8> {
    use std::io::{Read, Write};
    let path = data(name);
    if std::env::var_os("KUBE_ENVTEST_RECORD").is_some() || !path.exists() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(live).unwrap();
        std::fs::write(&path, encoder.finish().unwrap()).unwrap();
        eprintln!("recorded {}", path.display());
    }
    let mut recorded = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
        .read_to_end(&mut recorded)
        .unwrap();
    recorded
}

async fn get_bytes(client: &kube::Client, path: &str, accept: &str) -> (u16, Vec<u8>) {
    let request = http::Request::get(path)
        .header("Accept", accept)
        .body(kube::client::Body::empty())
        .unwrap();
    let response = client.send(request).await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = response.status().as_u16();
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (status, body.to_vec())
}

/// OpenAPI v2 (`/openapi/v2`), in JSON and in the protobuf client-go asks for: the real server's
/// documents, recorded into `data/openapi-v2.json.gz` and `data/openapi-v2.pb.gz`; the fake
/// serves them, and adds the definitions of the kinds CRDs serve.
#[tokio::test]
async fn openapi_v2_is_the_real_servers() {
    const PROTOBUF: &str = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
    let real = kube_envtest::ControlPlane::start()
        .await
        .expect("the real control plane starts (build it with `cargo xtask control-plane`)");
    let client = real.client();
    let (status, json_bytes) = get_bytes(&client, "/openapi/v2", "application/json").await;
    assert_eq!(status, 200);
    let live: Value = serde_json::from_slice(&json_bytes).unwrap();
    let recorded: Value = serde_json::from_slice(&check_or_record_gz(
        "openapi-v2.json.gz",
        &serde_json::to_vec(&live).unwrap(),
    ))
    .unwrap();
    assert!(
        live == recorded,
        "the real server's OpenAPI v2 differs from data/openapi-v2.json.gz; re-record with `cargo xtask record`"
    );
    let (status, pb) = get_bytes(&client, "/openapi/v2", PROTOBUF).await;
    assert_eq!(status, 200);
    let recorded_pb = check_or_record_gz("openapi-v2.pb.gz", &pb);
    assert!(
        pb == recorded_pb,
        "the real server's OpenAPI v2 protobuf differs from data/openapi-v2.pb.gz; re-record with `cargo xtask record`"
    );

    let fake = kube_fake_apiserver::FakeApiServer::start().await.unwrap();
    let fake_client = fake.client().unwrap();
    let (status, fake_json) = get_bytes(&fake_client, "/openapi/v2", "application/json").await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_slice::<Value>(&fake_json).unwrap(), live);
    let (status, fake_pb) = get_bytes(&fake_client, "/openapi/v2", PROTOBUF).await;
    assert_eq!(status, 200);
    assert!(fake_pb == pb, "the fake's OpenAPI v2 protobuf is not the real server's");
}
