//! Field and label selectors against the real kube-apiserver and the fake server side by side: the
//! same objects, the same list requests, and both must answer alike (the same names, or the same
//! `400` and message). This holds the fake server's table of selectable fields per kind
//! (`fake-apiserver/src/selectors.rs`) to what the real server accepts.

mod common;

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, Event, Namespace, Node, Pod, Secret, Service};
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use kube::{Client, CustomResource, CustomResourceExt, Resource};
use kube_fake_apiserver::FakeApiServer;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A custom resource with one selectable field, as KEP-4358 declares it.
#[derive(CustomResource, Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "selectors.example.com",
    version = "v1",
    kind = "Widget",
    plural = "widgets",
    namespaced,
    selectable = ".spec.color"
)]
pub struct WidgetSpec {
    color: String,
    size: i32,
}

const NS: &str = "fs";

/// Creates the same objects through `client`, on either server.
async fn seed(client: &Client) {
    let post = PostParams::default();
    let create = |kind: &'static str, body: Value| {
        let client = client.clone();
        async move {
            let api = api_for(&client, kind, NS);
            let object: DynamicObject = serde_json::from_value(body).unwrap();
            api.create(&PostParams::default(), &object)
                .await
                .unwrap_or_else(|e| panic!("creating {kind} {:?}: {e}", object.metadata.name));
        }
    };
    let namespaces: Api<Namespace> = Api::all(client.clone());
    namespaces
        .create(
            &post,
            &serde_json::from_value(json!({"metadata": {"name": NS}})).unwrap(),
        )
        .await
        .unwrap();

    let container = json!([{"name": "c", "image": "busybox"}]);
    create(
        "pods",
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p1", "namespace": NS},
               "spec": {"containers": container, "nodeName": "node-a", "restartPolicy": "Never",
                        "schedulerName": "custom", "serviceAccountName": "robot", "hostNetwork": true}}),
    )
    .await;
    create(
        "pods",
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p2", "namespace": NS},
               "spec": {"containers": container, "restartPolicy": "Always", "schedulerName": "default-scheduler"}}),
    )
    .await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), NS);
    pods.patch_status(
        "p1",
        &PatchParams::default(),
        &Patch::Merge(json!({"status": {"phase": "Running", "podIP": "10.1.2.3", "podIPs": [{"ip": "10.1.2.3"}]}})),
    )
    .await
    .unwrap();
    // Only a pod not bound to a node may be nominated to one.
    pods.patch_status(
        "p2",
        &PatchParams::default(),
        &Patch::Merge(json!({"status": {"nominatedNodeName": "node-b"}})),
    )
    .await
    .unwrap();

    for (name, unschedulable) in [("n1", Some(true)), ("n2", None)] {
        let mut spec = json!({});
        if let Some(u) = unschedulable {
            spec["unschedulable"] = json!(u);
        }
        create(
            "nodes",
            json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}, "spec": spec}),
        )
        .await;
    }
    create(
        "secrets",
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s1", "namespace": NS}, "type": "example.com/custom"}),
    )
    .await;
    create(
        "secrets",
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s2", "namespace": NS}, "type": "Opaque"}),
    )
    .await;
    for (name, type_) in [("svc1", "ClusterIP"), ("svc2", "NodePort")] {
        create(
            "services",
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": NS},
                   "spec": {"type": type_, "ports": [{"port": 80}]}}),
        )
        .await;
    }
    create(
        "events",
        json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e1", "namespace": NS},
               "involvedObject": {"kind": "Pod", "name": "p1", "namespace": NS, "apiVersion": "v1"},
               "reason": "Started", "type": "Normal", "message": "started", "source": {"component": "kubelet"}}),
    )
    .await;
    create(
        "events",
        json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e2", "namespace": NS},
               "involvedObject": {"kind": "Node", "name": "n1", "namespace": NS},
               "reason": "Rebooted", "type": "Warning", "message": "rebooted", "source": {"component": "other"}}),
    )
    .await;
    create(
        "configmaps",
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm1", "namespace": NS, "labels": {"notin": "in", "x": ""}}, "data": {"v": "1"}}),
    )
    .await;
    create(
        "configmaps",
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm2", "namespace": NS, "labels": {"x": "5"}}}),
    )
    .await;
    let template =
        json!({"metadata": {"labels": {"app": "j"}}, "spec": {"containers": container, "restartPolicy": "Never"}});
    create(
        "jobs",
        json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j1", "namespace": NS},
               "spec": {"template": template}}),
    )
    .await;
    let rs_template = json!({"metadata": {"labels": {"app": "r"}}, "spec": {"containers": container}});
    create(
        "replicasets",
        json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "r1", "namespace": NS},
               "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "r"}}, "template": rs_template}}),
    )
    .await;
    for (name, color) in [("w1", "red"), ("w2", "blue")] {
        create(
            "widgets",
            json!({"apiVersion": "selectors.example.com/v1", "kind": "Widget", "metadata": {"name": name, "namespace": NS},
                   "spec": {"color": color, "size": 1}}),
        )
        .await;
    }
}

fn resource<K: Resource<DynamicType = ()>>() -> ApiResource {
    ApiResource::erase::<K>(&())
}

/// A dynamic API for a plural, namespaced in `ns` where the kind is.
fn api_for(client: &Client, plural: &str, ns: &str) -> Api<DynamicObject> {
    let (ar, namespaced) = match plural {
        "pods" => (resource::<Pod>(), true),
        "nodes" => (resource::<Node>(), false),
        "namespaces" => (resource::<Namespace>(), false),
        "secrets" => (resource::<Secret>(), true),
        "services" => (resource::<Service>(), true),
        "events" => (resource::<Event>(), true),
        "configmaps" => (resource::<ConfigMap>(), true),
        "jobs" => (resource::<Job>(), true),
        "replicasets" => (resource::<ReplicaSet>(), true),
        "widgets" => (resource::<Widget>(), true),
        other => panic!("no kind for {other}"),
    };
    if namespaced {
        Api::namespaced_with(client.clone(), ns, &ar)
    } else {
        Api::all_with(client.clone(), &ar)
    }
}

/// What a list answered: the names, or the status code and message.
#[derive(Debug, PartialEq)]
enum Answer {
    Names(Vec<String>),
    Error(u16, String),
}

async fn list(client: &Client, plural: &str, fields: &str, labels: &str) -> Answer {
    let api = api_for(client, plural, NS);
    let mut params = ListParams::default();
    if !fields.is_empty() {
        params = params.fields(fields);
    }
    if !labels.is_empty() {
        params = params.labels(labels);
    }
    match api.list(&params).await {
        Ok(list) => {
            let mut names: Vec<String> = list
                .items
                .into_iter()
                // Nodes and namespaces the real server made itself are not ours to compare.
                .filter_map(|o| o.metadata.name)
                .filter(|n| {
                    !matches!(
                        n.as_str(),
                        "default" | "kube-system" | "kube-public" | "kube-node-lease"
                    )
                })
                .collect();
            names.sort();
            Answer::Names(names)
        }
        Err(kube::Error::Api(status)) => Answer::Error(status.code, status.message),
        Err(other) => panic!("listing {plural} with {fields:?} / {labels:?}: {other}"),
    }
}

/// (plural, field selector, label selector)
const QUERIES: &[(&str, &str, &str)] = &[
    // Pods declare the most fields.
    ("pods", "spec.nodeName=node-a", ""),
    ("pods", "spec.nodeName=", ""),
    ("pods", "spec.host=node-a", ""),
    ("pods", "spec.restartPolicy=Never", ""),
    ("pods", "spec.schedulerName=custom", ""),
    ("pods", "spec.serviceAccountName=robot", ""),
    ("pods", "spec.hostNetwork=true", ""),
    ("pods", "spec.hostNetwork=false", ""),
    ("pods", "status.phase=Running", ""),
    ("pods", "status.phase!=Running", ""),
    ("pods", "status.podIP=10.1.2.3", ""),
    ("pods", "status.podIPs=", ""),
    ("pods", "status.nominatedNodeName=node-b", ""),
    ("pods", "metadata.name=p1,metadata.namespace=fs", ""),
    ("pods", "spec.dnsPolicy=ClusterFirst", ""),
    ("pods", "status.hostIP=", ""),
    (
        "pods",
        " metadata.name=p1",
        "", // nothing is trimmed: the field is " metadata.name"
    ),
    ("pods", "metadata.name=a=b", ""),
    ("pods", r"metadata.name=a\,b", ""),
    ("pods", r"metadata.name=a\x", ""),
    ("pods", "metadata.name", ""),
    // Nodes: name and spec.unschedulable only (not metadata.namespace).
    ("nodes", "spec.unschedulable=true", ""),
    ("nodes", "spec.unschedulable=false", ""),
    ("nodes", "metadata.name=n1", ""),
    ("nodes", "metadata.namespace=", ""),
    // Namespaces: status.phase and name only.
    ("namespaces", "status.phase=Active", ""),
    ("namespaces", "metadata.name=fs", ""),
    ("namespaces", "metadata.namespace=", ""),
    // Secrets: type.
    ("secrets", "type=example.com/custom", ""),
    ("secrets", "type!=Opaque", ""),
    ("secrets", "data.v=x", ""),
    // Services: spec.type and spec.clusterIP.
    ("services", "spec.type=NodePort", ""),
    ("services", "spec.ports=80", ""),
    // Events: the involved object, reason, source, type, reportingComponent.
    ("events", "involvedObject.name=p1", ""),
    ("events", "involvedObject.kind=Node,type=Warning", ""),
    ("events", "reason=Started", ""),
    ("events", "source=kubelet", ""),
    ("events", "reportingComponent=", ""),
    ("events", "involvedObject.uid=", ""),
    ("events", "message=started", ""),
    // Kinds without a conversion function: metadata.name and metadata.namespace only.
    ("configmaps", "metadata.name=cm1", ""),
    ("configmaps", "metadata.namespace=fs", ""),
    ("configmaps", "data.v=1", ""),
    ("replicasets", "status.replicas=0", ""),
    ("replicasets", "metadata.name=r1", ""),
    // Jobs: status.successful, 0 when unset.
    ("jobs", "status.successful=0", ""),
    ("jobs", "status.succeeded=0", ""),
    // A custom resource: its declared selectableFields.
    ("widgets", "spec.color=red", ""),
    ("widgets", "spec.color!=red", ""),
    ("widgets", "spec.size=1", ""),
    ("widgets", "metadata.name=w2", ""),
    // Label selectors, apimachinery's edge cases.
    ("configmaps", "", "notin=in"),
    ("configmaps", "", "x in ()"),
    ("configmaps", "", "x in (,5)"),
    ("configmaps", "", "x notin (in)"),
    ("configmaps", "", "x>4"),
    ("configmaps", "", "x>-1"),
    ("configmaps", "", "x=a b"),
    ("configmaps", "", "x in (a,)"),
];

#[tokio::test]
async fn the_fake_server_answers_selectors_as_the_real_one() {
    let control_plane = common::start().await;
    control_plane.install_crd_for::<Widget>().await.unwrap();
    assert!(
        Widget::crd().spec.versions[0].selectable_fields.is_some(),
        "kube-derive declares the selectable field"
    );
    let mut scheme = kube_scheme::Scheme::with_builtins();
    scheme.register::<Widget>().unwrap();
    let fake = FakeApiServer::builder()
        .scheme(scheme)
        .selectable_fields(
            GroupVersionKind::gvk("selectors.example.com", "v1", "Widget"),
            [".spec.color"],
        )
        .start()
        .await
        .unwrap();
    let (real, fake_client) = (control_plane.client(), fake.client().unwrap());
    seed(&real).await;
    seed(&fake_client).await;

    let mut differences = Vec::new();
    let (mut ok, mut refused) = (0, 0);
    for (plural, fields, labels) in QUERIES {
        let want = list(&real, plural, fields, labels).await;
        let got = list(&fake_client, plural, fields, labels).await;
        match &want {
            Answer::Names(_) => ok += 1,
            Answer::Error(..) => refused += 1,
        }
        eprintln!("{plural} fields={fields:?} labels={labels:?}: {want:?}");
        if want != got {
            differences.push(format!(
                "{plural} fields={fields:?} labels={labels:?}\n    real: {want:?}\n    fake: {got:?}"
            ));
        }
    }
    eprintln!(
        "{} queries: {ok} answered, {refused} refused by the real server; {} differences",
        QUERIES.len(),
        differences.len()
    );
    assert!(
        differences.is_empty(),
        "the fake server answered {} of {} queries differently:\n{}",
        differences.len(),
        QUERIES.len(),
        differences.join("\n")
    );
    fake.shutdown().await;
}
