//! The fake API server driven only through kube-rs: CRUD, selectors, pagination, errors, shapes.

mod common;

use common::{CronTab, CronTabSpec, configmap, meta, namespace, status};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Node};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use kube::discovery::Discovery;
use kube_fake_apiserver::FakeApiServer;
use kube_scheme::Scope;
use serde_json::json;

#[tokio::test]
async fn crud_on_a_builtin_kind() {
    let server = FakeApiServer::start().await.unwrap();
    let api: Api<ConfigMap> = Api::namespaced(server.client().unwrap(), "default");

    let created = api
        .create(
            &PostParams::default(),
            &configmap("settings", &[("app", "web")], &[("k", "v")]),
        )
        .await
        .unwrap();
    let meta = &created.metadata;
    assert_eq!(meta.namespace.as_deref(), Some("default"));
    assert!(meta.uid.as_ref().is_some_and(|u| u.len() == 36));
    assert!(meta.creation_timestamp.is_some());
    assert_eq!(
        meta.generation, None,
        "a ConfigMap has no generation on the real server"
    );
    let rv1: u64 = meta.resource_version.as_ref().unwrap().parse().unwrap();

    let got = api.get("settings").await.unwrap();
    assert_eq!(got, created);

    // Update: a new, higher resourceVersion; the uid and creation time stay.
    let mut changed = got.clone();
    changed.data.as_mut().unwrap().insert("k".into(), "v2".into());
    let updated = api.replace("settings", &PostParams::default(), &changed).await.unwrap();
    let rv2: u64 = updated.metadata.resource_version.as_ref().unwrap().parse().unwrap();
    assert!(rv2 > rv1);
    assert_eq!(updated.metadata.uid, created.metadata.uid);
    assert_eq!(updated.metadata.creation_timestamp, created.metadata.creation_timestamp);
    assert_eq!(updated.metadata.generation, None, "nor after an update");

    // Merge patch and JSON patch.
    let patched = api
        .patch(
            "settings",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"extra": "1"}})),
        )
        .await
        .unwrap();
    assert_eq!(patched.data.as_ref().unwrap()["extra"], "1");
    let ops: json_patch_ops::Patch = serde_json::from_value(json!([{"op": "remove", "path": "/data/extra"}])).unwrap();
    let patched = api
        .patch("settings", &PatchParams::default(), &Patch::Json::<()>(ops))
        .await
        .unwrap();
    assert!(!patched.data.as_ref().unwrap().contains_key("extra"));

    // Delete returns the object; then it is gone.
    let deleted = api.delete("settings", &DeleteParams::default()).await.unwrap();
    assert!(deleted.is_left());
    let err = status(api.get("settings").await.unwrap_err());
    assert_eq!(
        (err.code, err.reason.as_str(), err.message.as_str()),
        (404, "NotFound", r#"configmaps "settings" not found"#)
    );
    server.shutdown().await;
}

/// The json-patch crate as kube's `Patch::Json` takes it.
mod json_patch_ops {
    pub use json_patch::Patch;
}

#[tokio::test]
async fn crud_on_a_custom_resource_and_a_runtime_kind() {
    let server = FakeApiServer::start().await.unwrap();
    let client = server.client().unwrap();
    let tabs: Api<CronTab> = Api::namespaced(client.clone(), "default");
    let tab = CronTab {
        metadata: meta("nightly", &[]),
        spec: CronTabSpec {
            cron_spec: "0 3 * * *".into(),
            replicas: 1,
        },
        status: None,
    };
    let created = tabs.create(&PostParams::default(), &tab).await.unwrap();
    assert_eq!(created.spec, tab.spec);

    // Status goes through the status subresource only.
    let mut with_status = created.clone();
    with_status.status = Some(json!({"lastRun": "now"}));
    let replaced = tabs
        .replace("nightly", &PostParams::default(), &with_status)
        .await
        .unwrap();
    assert_eq!(replaced.status, None, "the main resource keeps the stored status");
    assert_eq!(replaced.metadata.generation, Some(1));
    let status_set = tabs
        .replace_status("nightly", &PostParams::default(), &with_status)
        .await
        .unwrap();
    assert_eq!(status_set.status, Some(json!({"lastRun": "now"})));
    assert_eq!(
        status_set.metadata.generation,
        Some(1),
        "a status change does not bump the generation"
    );
    let mut spec_change = status_set.clone();
    spec_change.spec.replicas = 3;
    let bumped = tabs
        .replace("nightly", &PostParams::default(), &spec_change)
        .await
        .unwrap();
    assert_eq!(bumped.metadata.generation, Some(2));

    // A kind added at run time, used through the dynamic API.
    let gvk = GroupVersionKind::gvk("widgets.example.com", "v1alpha1", "Widget");
    let ar = ApiResource::from_gvk_with_plural(&gvk, "widgets");
    server.add_kind(&ar, Scope::Cluster).unwrap();
    let widgets: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
    let mut widget = DynamicObject::new("w1", &ar);
    widget.data = json!({"spec": {"size": 3}});
    widgets.create(&PostParams::default(), &widget).await.unwrap();
    let got = widgets.get("w1").await.unwrap();
    assert_eq!(got.data["spec"]["size"], 3);
    assert_eq!(got.metadata.namespace, None);
    server.shutdown().await;
}

#[tokio::test]
async fn list_items_of_builtins_lack_kind_but_custom_resources_keep_it() {
    let server = FakeApiServer::start().await.unwrap();
    let client = server.client().unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    cms.create(&PostParams::default(), &configmap("a", &[], &[]))
        .await
        .unwrap();
    let tabs: Api<CronTab> = Api::namespaced(client.clone(), "default");
    tabs.create(
        &PostParams::default(),
        &CronTab {
            metadata: meta("t", &[]),
            ..Default::default()
        },
    )
    .await
    .unwrap();

    let raw: serde_json::Value = serde_json::from_str(
        &client
            .request_text(http_get("/api/v1/namespaces/default/configmaps"))
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (raw["kind"].as_str(), raw["apiVersion"].as_str()),
        (Some("ConfigMapList"), Some("v1"))
    );
    assert!(raw["items"][0].get("kind").is_none() && raw["items"][0].get("apiVersion").is_none());
    // A single GET has them.
    let one: serde_json::Value = serde_json::from_str(
        &client
            .request_text(http_get("/api/v1/namespaces/default/configmaps/a"))
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (one["kind"].as_str(), one["apiVersion"].as_str()),
        (Some("ConfigMap"), Some("v1"))
    );

    let raw: serde_json::Value = serde_json::from_str(
        &client
            .request_text(http_get("/apis/stable.example.com/v1/namespaces/default/crontabs"))
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(raw["kind"], "CronTabList");
    assert_eq!(
        (raw["items"][0]["kind"].as_str(), raw["items"][0]["apiVersion"].as_str()),
        (Some("CronTab"), Some("stable.example.com/v1"))
    );

    // Through the dynamic API the built-in items arrive without types, as from a real cluster.
    let ar = ApiResource::erase::<ConfigMap>(&());
    let dynamic: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &ar);
    let mut list = dynamic.list(&ListParams::default()).await.unwrap();
    assert!(list.items[0].types.is_none());
    kube_scheme::Scheme::with_builtins().restore_list(&mut list).unwrap();
    assert_eq!(list.items[0].types.as_ref().unwrap().kind, "ConfigMap");

    // Metadata-only requests.
    let partial = cms.get_metadata("a").await.unwrap();
    assert_eq!(partial.types.as_ref().unwrap().kind, "PartialObjectMetadata");
    assert_eq!(partial.metadata.name.as_deref(), Some("a"));
    let partial_list = cms.list_metadata(&ListParams::default()).await.unwrap();
    assert_eq!(partial_list.items.len(), 1);
    server.shutdown().await;
}

fn http_get(path: &str) -> http::Request<Vec<u8>> {
    http::Request::get(path).body(Vec::new()).unwrap()
}

fn http_request(method: &str, path: &str, content_type: &str, body: &str) -> http::Request<Vec<u8>> {
    http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", content_type)
        .body(body.as_bytes().to_vec())
        .unwrap()
}

#[tokio::test]
async fn label_and_field_selectors() {
    let server = FakeApiServer::start().await.unwrap();
    let client = server.client().unwrap();
    namespace(&client, "prod").await;
    let default: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let prod: Api<ConfigMap> = Api::namespaced(client.clone(), "prod");
    default
        .create(
            &PostParams::default(),
            &configmap("web", &[("app", "web"), ("tier", "front")], &[]),
        )
        .await
        .unwrap();
    default
        .create(
            &PostParams::default(),
            &configmap("db", &[("app", "db"), ("tier", "back")], &[]),
        )
        .await
        .unwrap();
    default
        .create(&PostParams::default(), &configmap("plain", &[], &[]))
        .await
        .unwrap();
    prod.create(
        &PostParams::default(),
        &configmap("web", &[("app", "web"), ("legacy", "yes")], &[]),
    )
    .await
    .unwrap();
    let all: Api<ConfigMap> = Api::all(client.clone());

    let names = |list: kube::core::ObjectList<ConfigMap>| -> Vec<String> {
        list.items
            .iter()
            .map(|c| {
                format!(
                    "{}/{}",
                    c.metadata.namespace.as_deref().unwrap(),
                    c.metadata.name.as_deref().unwrap()
                )
            })
            .collect()
    };
    let cases: [(&str, &[&str]); 8] = [
        ("app=web", &["default/web", "prod/web"]),
        ("app==web", &["default/web", "prod/web"]),
        ("app!=web", &["default/db", "default/plain"]),
        ("tier in (front,back)", &["default/db", "default/web"]),
        ("tier notin (front)", &["default/db", "default/plain", "prod/web"]),
        ("legacy", &["prod/web"]),
        ("app,!legacy", &["default/db", "default/web"]),
        ("app=web,tier=front", &["default/web"]),
    ];
    for (selector, expected) in cases {
        let got = names(all.list(&ListParams::default().labels(selector)).await.unwrap());
        assert_eq!(got, expected, "labelSelector {selector}");
    }
    let got = names(
        all.list(&ListParams::default().fields("metadata.name=web"))
            .await
            .unwrap(),
    );
    assert_eq!(got, ["default/web", "prod/web"]);
    let got = names(
        all.list(&ListParams::default().fields("metadata.namespace!=default"))
            .await
            .unwrap(),
    );
    assert_eq!(got, ["prod/web"]);
    let got = names(
        default
            .list(&ListParams::default().fields("metadata.name!=web").labels("app"))
            .await
            .unwrap(),
    );
    assert_eq!(got, ["default/db"]);

    let err = status(
        all.list(&ListParams::default().labels("app in (web"))
            .await
            .unwrap_err(),
    );
    assert_eq!((err.code, err.reason.as_str()), (400, "BadRequest"));
    // apimachinery's own message, as the real server answers.
    assert_eq!(
        err.message,
        "unable to parse requirement: found '', expected: ',' or ')'"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn pagination_is_consistent() {
    let server = FakeApiServer::start().await.unwrap();
    let api: Api<ConfigMap> = Api::namespaced(server.client().unwrap(), "default");
    for i in 0..25 {
        api.create(&PostParams::default(), &configmap(&format!("cm-{i:02}"), &[], &[]))
            .await
            .unwrap();
    }
    let first = api.list(&ListParams::default().limit(10)).await.unwrap();
    assert_eq!(first.items.len(), 10);
    assert_eq!(first.metadata.remaining_item_count, Some(15));
    let token = first.metadata.continue_.clone().unwrap();
    let list_rv = first.metadata.resource_version.clone();

    // Changes after the first page do not show in the later pages.
    api.delete("cm-20", &DeleteParams::default()).await.unwrap();
    api.create(&PostParams::default(), &configmap("cm-99", &[], &[]))
        .await
        .unwrap();

    let mut names: Vec<String> = first.items.iter().map(|c| c.metadata.name.clone().unwrap()).collect();
    let mut token = Some(token);
    while let Some(t) = token {
        let page = api
            .list(&ListParams::default().limit(10).continue_token(&t))
            .await
            .unwrap();
        assert_eq!(
            page.metadata.resource_version, list_rv,
            "every page reports the first page's version"
        );
        names.extend(page.items.iter().map(|c| c.metadata.name.clone().unwrap()));
        token = page.metadata.continue_.filter(|c| !c.is_empty());
    }
    let expected: Vec<String> = (0..25).map(|i| format!("cm-{i:02}")).collect();
    assert_eq!(names, expected);

    // resourceVersion / resourceVersionMatch on lists.
    let now = server.resource_version();
    let at_least = api
        .list(&ListParams {
            resource_version: Some((now - 1).to_string()),
            version_match: Some(kube::api::VersionMatch::NotOlderThan),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(at_least.metadata.resource_version, Some(now.to_string()));
    let exact_now = ListParams {
        resource_version: Some(now.to_string()),
        version_match: Some(kube::api::VersionMatch::Exact),
        ..Default::default()
    };
    assert_eq!(api.list(&exact_now).await.unwrap().items.len(), 25);
    let exact_old = ListParams {
        resource_version: Some((now - 1).to_string()),
        version_match: Some(kube::api::VersionMatch::Exact),
        ..Default::default()
    };
    assert_eq!(status(api.list(&exact_old).await.unwrap_err()).code, 410);
    // (A version from the future is 504 Timeout, as on the real server; kube's client retries
    // 504s for minutes, so it is not exercised here.)

    // A compaction expires the token.
    let first = api.list(&ListParams::default().limit(5)).await.unwrap();
    server.compact();
    let err = status(
        api.list(
            &ListParams::default()
                .limit(5)
                .continue_token(first.metadata.continue_.as_deref().unwrap()),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!((err.code, err.reason.as_str()), (410, "Expired"));
    server.shutdown().await;
}

#[tokio::test]
async fn optimistic_concurrency_and_error_statuses() {
    let server = FakeApiServer::start().await.unwrap();
    let client = server.client().unwrap();
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let created = api
        .create(&PostParams::default(), &configmap("cm", &[], &[("k", "1")]))
        .await
        .unwrap();
    let mut first = created.clone();
    first.data.as_mut().unwrap().insert("k".into(), "2".into());
    api.replace("cm", &PostParams::default(), &first).await.unwrap();

    // A write at the stale version conflicts.
    let mut stale = created.clone();
    stale.data.as_mut().unwrap().insert("k".into(), "3".into());
    let err = status(api.replace("cm", &PostParams::default(), &stale).await.unwrap_err());
    assert_eq!((err.code, err.reason.as_str()), (409, "Conflict"));
    assert_eq!(
        err.message,
        r#"Operation cannot be fulfilled on configmaps "cm": the object has been modified; please apply your changes to the latest version and try again"#
    );
    assert_eq!(
        api.get("cm").await.unwrap().data.unwrap()["k"],
        "2",
        "the conflict left the object alone"
    );

    let err = status(
        api.create(&PostParams::default(), &configmap("cm", &[], &[]))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (err.code, err.reason.as_str(), err.message.as_str()),
        (409, "AlreadyExists", r#"configmaps "cm" already exists"#)
    );

    let err = status(
        api.create(&PostParams::default(), &configmap("Bad_Name", &[], &[]))
            .await
            .unwrap_err(),
    );
    assert_eq!((err.code, err.reason.as_str()), (422, "Invalid"));
    assert!(err.message.starts_with(r#"ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain"#), "{}", err.message);
    assert_eq!(err.details.as_ref().unwrap().causes[0].field, "metadata.name");

    let missing: Api<ConfigMap> = Api::namespaced(client.clone(), "nowhere");
    let err = status(
        missing
            .create(&PostParams::default(), &configmap("x", &[], &[]))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (err.code, err.reason.as_str(), err.message.as_str()),
        (404, "NotFound", r#"namespaces "nowhere" not found"#)
    );

    // Raw bad input: malformed JSON, wrong kind, namespaced path for a cluster-scoped kind.
    let rv_before = server.resource_version();
    let bad = client
        .request_text(http_request(
            "POST",
            "/api/v1/namespaces/default/configmaps",
            "application/json",
            "{not json",
        ))
        .await
        .unwrap_err();
    let bad = status(bad);
    assert_eq!((bad.code, bad.reason.as_str()), (400, "BadRequest"));
    let wrong_kind = r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"}}"#;
    let err = status(
        client
            .request_text(http_request(
                "POST",
                "/api/v1/namespaces/default/configmaps",
                "application/json",
                wrong_kind,
            ))
            .await
            .unwrap_err(),
    );
    assert_eq!((err.code, err.reason.as_str()), (400, "BadRequest"));
    assert_eq!(
        err.message,
        // kube-apiserver v1.37.2's words (tests/real_server.rs compares them).
        r#"Secret in version "v1" cannot be handled as a ConfigMap: converting (v1.Secret) to (core.ConfigMap): unknown conversion"#
    );
    let wrong_version = r#"{"apiVersion":"apps/v1","kind":"ConfigMap","metadata":{"name":"s"}}"#;
    let err = status(
        client
            .request_text(http_request(
                "POST",
                "/api/v1/namespaces/default/configmaps",
                "application/json",
                wrong_version,
            ))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        err.message,
        r#"ConfigMap in version "v1" cannot be handled as a ConfigMap: no kind "ConfigMap" is registered for version "apps/v1" in scheme "pkg/runtime/scheme.go:111""#
    );
    let node = r#"{"apiVersion":"v1","kind":"Node","metadata":{"name":"n"}}"#;
    let err = status(
        client
            .request_text(http_request(
                "POST",
                "/api/v1/namespaces/default/nodes",
                "application/json",
                node,
            ))
            .await
            .unwrap_err(),
    );
    assert_eq!((err.code, err.reason.as_str()), (404, "NotFound"));
    let err = status(
        client
            .request_text(http_request(
                "PATCH",
                "/apis/stable.example.com/v1/namespaces/default/crontabs/cm",
                "application/strategic-merge-patch+json",
                "{}",
            ))
            .await
            .unwrap_err(),
    );
    // Custom resources take no strategic merge patch, as on the real server.
    assert_eq!((err.code, err.reason.as_str()), (415, "UnsupportedMediaType"));
    let err = status(
        client
            .request_text(http_request(
                "POST",
                "/api/v1/namespaces/default/configmaps",
                "text/plain",
                "{}",
            ))
            .await
            .unwrap_err(),
    );
    assert_eq!((err.code, err.reason.as_str()), (415, "UnsupportedMediaType"));
    assert_eq!(server.resource_version(), rv_before, "no bad request wrote anything");

    // Cluster-scoped kinds work on the cluster path.
    let nodes: Api<Node> = Api::all(client.clone());
    nodes
        .create(
            &PostParams::default(),
            &Node {
                metadata: meta("node-1", &[]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(nodes.get("node-1").await.unwrap().metadata.namespace, None);
    server.shutdown().await;
}

#[tokio::test]
async fn finalizers_delay_deletion_and_collections_delete() {
    let server = FakeApiServer::start().await.unwrap();
    let api: Api<ConfigMap> = Api::namespaced(server.client().unwrap(), "default");
    let mut cm = configmap("held", &[("group", "a")], &[]);
    cm.metadata.finalizers = Some(vec!["example.com/hold".into()]);
    api.create(&PostParams::default(), &cm).await.unwrap();
    let deleting = api
        .delete("held", &DeleteParams::default())
        .await
        .unwrap()
        .left()
        .unwrap();
    assert!(deleting.metadata.deletion_timestamp.is_some());
    assert!(api.get("held").await.is_ok(), "still there while a finalizer holds it");
    api.patch(
        "held",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": null}})),
    )
    .await
    .unwrap();
    assert_eq!(status(api.get("held").await.unwrap_err()).code, 404);

    for name in ["a1", "a2", "b1"] {
        let group = &name[..1];
        api.create(&PostParams::default(), &configmap(name, &[("group", group)], &[]))
            .await
            .unwrap();
    }
    let deleted = api
        .delete_collection(&DeleteParams::default(), &ListParams::default().labels("group=a"))
        .await
        .unwrap();
    assert_eq!(deleted.left().unwrap().items.len(), 2);
    let left: Vec<_> = api
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|c| c.metadata.name.unwrap())
        .collect();
    assert_eq!(left, ["b1"]);

    // Deleting a namespace deletes what is in it.
    let client = server.client().unwrap();
    namespace(&client, "scratch").await;
    let scratch: Api<ConfigMap> = Api::namespaced(client.clone(), "scratch");
    scratch
        .create(&PostParams::default(), &configmap("x", &[], &[]))
        .await
        .unwrap();
    let namespaces: Api<Namespace> = Api::all(client.clone());
    namespaces.delete("scratch", &DeleteParams::default()).await.unwrap();
    assert!(scratch.list(&ListParams::default()).await.unwrap().items.is_empty());
    server.shutdown().await;
}

#[tokio::test]
async fn discovery_serves_every_kind() {
    let server = FakeApiServer::start().await.unwrap();
    let client = server.client().unwrap();
    let version = client.apiserver_version().await.unwrap();
    assert_eq!((version.major.as_str(), version.minor.as_str()), ("1", "37"));

    let discovery = Discovery::new(client.clone()).run().await.unwrap();
    let (ar, caps) = discovery
        .resolve_gvk(&GroupVersionKind::gvk("apps", "v1", "Deployment"))
        .unwrap();
    assert_eq!(ar.plural, "deployments");
    assert_eq!(caps.scope, kube::discovery::Scope::Namespaced);
    let (ar, caps) = discovery
        .resolve_gvk(&GroupVersionKind::gvk("stable.example.com", "v1", "CronTab"))
        .unwrap();
    assert_eq!(ar.plural, "crontabs");
    assert!(caps.supports_operation(kube::discovery::verbs::WATCH));
    let (_, caps) = discovery.resolve_gvk(&GroupVersionKind::gvk("", "v1", "Node")).unwrap();
    assert_eq!(caps.scope, kube::discovery::Scope::Cluster);
    let groups = discovery.groups().count();
    assert!(groups > 20, "{groups} groups");
    server.shutdown().await;
}

#[tokio::test]
async fn seeding_writes_objects_as_creates_and_updates_would() {
    use futures::{StreamExt, TryStreamExt};
    use kube::runtime::watcher;
    let server = FakeApiServer::start().await.unwrap();
    let api: Api<ConfigMap> = Api::namespaced(server.client().unwrap(), "default");
    let mut events = watcher(api.clone(), watcher::Config::default()).boxed();
    assert!(matches!(events.try_next().await.unwrap(), Some(watcher::Event::Init)));
    assert!(matches!(
        events.try_next().await.unwrap(),
        Some(watcher::Event::InitDone)
    ));

    let mut seeded = configmap("seeded", &[("app", "web")], &[("k", "1")]);
    seeded.metadata.namespace = Some("default".into());
    assert_eq!(server.seed([seeded.clone()]).unwrap(), 1);
    let stored = api.get("seeded").await.unwrap();
    assert!(stored.metadata.uid.is_some() && stored.metadata.resource_version.is_some());
    assert!(
        matches!(events.try_next().await.unwrap(), Some(watcher::Event::Apply(c)) if c.metadata.name.as_deref() == Some("seeded"))
    );
    // Seeding it again updates it: the watch hears the change.
    seeded.data = Some([("k".to_owned(), "2".to_owned())].into());
    assert_eq!(server.seed([seeded]).unwrap(), 1);
    assert_eq!(api.get("seeded").await.unwrap().data.unwrap()["k"], "2");
    assert!(
        matches!(events.try_next().await.unwrap(), Some(watcher::Event::Apply(c)) if c.data.as_ref().unwrap()["k"] == "2")
    );

    // A resource the server does not serve, and an object the store refuses, are typed errors
    // naming the object.
    let gvr = kube::core::GroupVersionResource::gvr("example.com", "v1", "nothings");
    let err = server
        .seed_json(
            &gvr,
            [json!({"apiVersion": "example.com/v1", "kind": "Nothing", "metadata": {"name": "n"}})],
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot seed nothings.example.com/v1 n: the resource is not served"
    );
    let mut unnamed = configmap("x", &[], &[]);
    unnamed.metadata.name = None;
    unnamed.metadata.namespace = Some("default".into());
    let err = server.seed([unnamed]).unwrap_err();
    assert!(
        matches!(&err, kube_fake_apiserver::Error::Seed { resource, .. } if resource == "configmaps/v1"),
        "{err}"
    );
    drop(events);
    server.shutdown().await;
}
