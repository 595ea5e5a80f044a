//! CustomResourceDefinitions created, changed and deleted through the API serve, change and stop
//! serving their kinds; namespaces go through Terminating; the scale subresource and reviews.

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use kube_fake_apiserver::FakeApiServer;
use serde_json::{Value, json};

fn widget_crd() -> CustomResourceDefinition {
    serde_json::from_value(json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.org"},
        "spec": {
            "group": "example.org",
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"], "categories": ["all"]},
            "versions": [{
                "name": "v1", "served": true, "storage": true,
                "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"}},
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "required": ["size"], "properties": {
                        "size": {"type": "string"},
                        "replicas": {"type": "integer", "default": 1},
                    }},
                    "status": {"type": "object", "properties": {"replicas": {"type": "integer"}}},
                }}},
            }],
        },
    }))
    .unwrap()
}

async fn get_json(client: &kube::Client, path: &str) -> Result<Value, kube::Error> {
    let request = http::Request::get(path).body(Vec::new()).unwrap();
    Ok(serde_json::from_str(&client.request_text(request).await?).unwrap())
}

#[tokio::test]
async fn a_crd_serves_its_kind_until_it_is_deleted() {
    let server = FakeApiServer::start().await.unwrap();
    let client = server.client().unwrap();
    assert!(get_json(&client, "/apis/example.org/v1").await.is_err());

    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    crds.create(&PostParams::default(), &widget_crd()).await.unwrap();
    let crd = crds.get("widgets.example.org").await.unwrap();
    let conditions: Vec<(String, String)> = crd
        .status
        .unwrap()
        .conditions
        .unwrap()
        .into_iter()
        .map(|c| (c.type_, c.status))
        .collect();
    assert_eq!(
        conditions,
        [
            ("NamesAccepted".into(), "True".into()),
            ("Established".into(), "True".into())
        ]
    );

    let resources = get_json(&client, "/apis/example.org/v1").await.unwrap();
    let names: Vec<&str> = resources["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["widgets", "widgets/status", "widgets/scale"]);
    assert_eq!(resources["resources"][0]["shortNames"], json!(["wd"]));
    assert_eq!(resources["resources"][0]["categories"], json!(["all"]));

    let resource = ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("example.org", "v1", "Widget"), "widgets");
    let widgets: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &resource);
    let widget: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "example.org/v1", "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": {"size": "big", "unknown": true},
    }))
    .unwrap();
    let created = widgets.create(&PostParams::default(), &widget).await.unwrap();
    // Pruned and defaulted by the schema.
    assert_eq!(created.data["spec"], json!({"size": "big", "replicas": 1}));
    let missing: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "example.org/v1", "kind": "Widget", "metadata": {"name": "x"}, "spec": {},
    }))
    .unwrap();
    let kube::Error::Api(err) = widgets.create(&PostParams::default(), &missing).await.unwrap_err() else {
        panic!("not an API error")
    };
    assert_eq!((err.code, err.reason.as_str()), (422, "Invalid"));
    assert_eq!(
        err.message,
        "Widget.example.org \"x\" is invalid: spec.size: Required value"
    );

    // The scale subresource.
    let scale = widgets
        .patch_scale(
            "w",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 3}})),
        )
        .await
        .unwrap();
    assert_eq!(scale.spec.unwrap().replicas, Some(3));
    assert_eq!(widgets.get("w").await.unwrap().data["spec"]["replicas"], 3);

    // An update of the CRD changes what is served: a second version (v2, now the storage
    // version, without a scale subresource), another short name; then v1 is no longer served.
    let mut crd = crds.get("widgets.example.org").await.unwrap();
    let mut v2 = crd.spec.versions[0].clone();
    v2.name = "v2".into();
    v2.subresources.as_mut().unwrap().scale = None;
    crd.spec.versions[0].storage = false;
    crd.spec.versions.push(v2);
    crd.spec.names.short_names = Some(vec!["wd".into(), "wdg".into()]);
    crds.replace("widgets.example.org", &PostParams::default(), &crd)
        .await
        .unwrap();
    let v2_resources = get_json(&client, "/apis/example.org/v2").await.unwrap();
    let names: Vec<&str> = v2_resources["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["widgets", "widgets/status"]);
    assert_eq!(v2_resources["resources"][0]["shortNames"], json!(["wd", "wdg"]));
    let group = get_json(&client, "/apis/example.org").await.unwrap();
    let versions: Vec<&str> = group["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["v2", "v1"], "{group}");
    // One storage for all versions (conversion strategy `None`): what was created as v1 reads
    // as v2, with only its apiVersion changed, and the reverse; a watch of v2 sees a write
    // through v1 as v2.
    let resource_v2 =
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("example.org", "v2", "Widget"), "widgets");
    let widgets_v2: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &resource_v2);
    let w_as_v2 = widgets_v2.get("w").await.unwrap();
    assert_eq!(w_as_v2.types.as_ref().unwrap().api_version, "example.org/v2");
    assert_eq!(w_as_v2.data["spec"], json!({"size": "big", "replicas": 3}));
    let mut w2 = widget.clone();
    w2.types.as_mut().unwrap().api_version = "example.org/v2".into();
    w2.metadata.name = Some("w2".into());
    let created = widgets_v2.create(&PostParams::default(), &w2).await.unwrap();
    assert_eq!(created.types.unwrap().api_version, "example.org/v2");
    assert_eq!(created.data["spec"], json!({"size": "big", "replicas": 1}));
    let listed_v1: Vec<(String, String)> = widgets
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|o| (o.metadata.name.unwrap(), o.types.unwrap().api_version))
        .collect();
    assert_eq!(
        listed_v1,
        [
            ("w".into(), "example.org/v1".into()),
            ("w2".into(), "example.org/v1".into())
        ]
    );
    let rv = created.metadata.resource_version.clone().unwrap();
    let mut events = widgets_v2.watch(&WatchParams::default(), &rv).await.unwrap().boxed();
    widgets
        .patch(
            "w",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"size": "small"}})),
        )
        .await
        .unwrap();
    let event = tokio::time::timeout(std::time::Duration::from_secs(10), events.try_next())
        .await
        .expect("a watch event within 10 s")
        .unwrap()
        .expect("the watch is open");
    let WatchEvent::Modified(object) = event else {
        panic!("not a MODIFIED event: {event:?}")
    };
    assert_eq!(object.types.unwrap().api_version, "example.org/v2");
    assert_eq!(object.data["spec"]["size"], "small");

    // (Read again: the server writes the CRD's conditions after an update, as the real one does.)
    let mut crd = crds.get("widgets.example.org").await.unwrap();
    assert_eq!(crd.spec.versions.len(), 2);
    crd.spec.versions[0].served = false;
    crds.replace("widgets.example.org", &PostParams::default(), &crd)
        .await
        .unwrap();
    assert!(get_json(&client, "/apis/example.org/v1").await.is_err());
    assert!(widgets.get("w").await.is_err());
    // The objects stay, served by the version left.
    assert_eq!(widgets_v2.get("w2").await.unwrap().data["spec"]["size"], "big");
    assert_eq!(widgets_v2.get("w").await.unwrap().data["spec"]["size"], "small");

    crds.delete("widgets.example.org", &DeleteParams::default())
        .await
        .unwrap();
    assert!(get_json(&client, "/apis/example.org/v1").await.is_err());
    assert!(get_json(&client, "/apis/example.org/v2").await.is_err());
    assert!(widgets_v2.get("w2").await.is_err());
    server.shutdown().await;
}

#[tokio::test]
async fn a_deleted_namespace_is_terminating_then_gone_with_its_contents() {
    use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
    let server = FakeApiServer::start().await.unwrap();
    let client = server.client().unwrap();
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": "scratch"}})).unwrap();
    let created = namespaces.create(&PostParams::default(), &ns).await.unwrap();
    assert_eq!(created.status.unwrap().phase.as_deref(), Some("Active"));
    assert_eq!(created.spec.unwrap().finalizers, Some(vec!["kubernetes".to_owned()]));
    assert_eq!(
        created.metadata.labels.unwrap()["kubernetes.io/metadata.name"],
        "scratch"
    );
    let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), "scratch");
    let cm: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "c"}})).unwrap();
    configmaps.create(&PostParams::default(), &cm).await.unwrap();
    let answer = namespaces.delete("scratch", &DeleteParams::default()).await.unwrap();
    let terminating = answer.left().expect("the namespace is returned");
    assert_eq!(terminating.status.unwrap().phase.as_deref(), Some("Terminating"));
    assert!(namespaces.get("scratch").await.is_err());
    assert!(configmaps.get("c").await.is_err());
    server.shutdown().await;
}

#[tokio::test]
async fn reviews_allow_everything() {
    let server = FakeApiServer::start().await.unwrap();
    let client = server.client().unwrap();
    let body = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": {"resourceAttributes": {"verb": "create", "resource": "deployments", "group": "apps"}}});
    let request = http::Request::post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
        .header("Content-Type", "application/json")
        .body(serde_json::to_vec(&body).unwrap())
        .unwrap();
    let review: Value = serde_json::from_str(&client.request_text(request).await.unwrap()).unwrap();
    assert_eq!(review["status"]["allowed"], true);
    assert_eq!(review["spec"], body["spec"]);
    server.shutdown().await;
}
