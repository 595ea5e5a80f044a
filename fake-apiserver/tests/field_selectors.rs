//! Field and label selectors on the fake server, without a control plane: fields each kind
//! declares are matched with the real server's defaults for unset fields, undeclared ones are
//! `400 Bad Request` with the real server's message (the same table is held to a real
//! kube-apiserver in `envtest/tests/field_selectors.rs`).

use k8s_openapi::api::core::v1::{ConfigMap, Node, Pod};
use kube::api::{Api, ListParams, PostParams};
use kube_fake_apiserver::FakeApiServer;
use serde_json::json;

async fn names<K>(api: &Api<K>, fields: &str, labels: &str) -> Result<Vec<String>, (u16, String)>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let mut params = ListParams::default();
    if !fields.is_empty() {
        params = params.fields(fields);
    }
    if !labels.is_empty() {
        params = params.labels(labels);
    }
    match api.list(&params).await {
        Ok(list) => {
            let mut names: Vec<String> = list.items.iter().filter_map(|o| o.meta().name.clone()).collect();
            names.sort();
            Ok(names)
        }
        Err(kube::Error::Api(status)) => Err((status.code, status.message)),
        Err(other) => panic!("{other}"),
    }
}

#[tokio::test]
async fn declared_fields_match_and_others_are_refused() {
    let server = FakeApiServer::start().await.unwrap();
    let client = server.client().unwrap();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    for body in [
        json!({"metadata": {"name": "p1"}, "spec": {"containers": [{"name": "c"}], "nodeName": "node-a", "hostNetwork": true}}),
        json!({"metadata": {"name": "p2"}, "spec": {"containers": [{"name": "c"}]}}),
    ] {
        pods.create(&PostParams::default(), &serde_json::from_value(body).unwrap())
            .await
            .unwrap();
    }
    assert_eq!(names(&pods, "spec.nodeName=node-a", "").await, Ok(vec!["p1".into()]));
    assert_eq!(names(&pods, "spec.host=node-a", "").await, Ok(vec!["p1".into()]));
    assert_eq!(names(&pods, "spec.nodeName=", "").await, Ok(vec!["p2".into()]));
    assert_eq!(names(&pods, "spec.hostNetwork=false", "").await, Ok(vec!["p2".into()]));
    assert_eq!(
        names(&pods, "spec.dnsPolicy=ClusterFirst", "").await,
        Err((400, "field label not supported: spec.dnsPolicy".into()))
    );
    assert_eq!(
        names(&pods, " metadata.name=p1", "").await,
        Err((400, "field label not supported:  metadata.name".into())),
        "nothing is trimmed"
    );
    assert_eq!(
        names(&pods, "metadata.name=a=b", "").await,
        Err((400, "invalid field selector: unescaped character in value: 61".into()))
    );
    assert_eq!(names(&pods, r"metadata.name=p\,1", "").await, Ok(vec![]));

    let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    assert_eq!(
        names(&configmaps, "data.v=1", "").await,
        Err((
            400,
            r#""data.v" is not a known field selector: only "metadata.name", "metadata.namespace""#.into()
        ))
    );
    let nodes: Api<Node> = Api::all(client);
    assert_eq!(
        names(&nodes, "metadata.namespace=", "").await,
        Err((400, "field label not supported: metadata.namespace".into()))
    );
    // Label selectors: apimachinery's grammar, and its message for a bad one.
    assert_eq!(names(&pods, "", "notin=in").await, Ok(vec![]));
    assert_eq!(names(&pods, "", "x notin ()").await, Ok(vec!["p1".into(), "p2".into()]));
    let (code, message) = names(&pods, "", "x>-1").await.unwrap_err();
    assert_eq!(code, 400);
    assert!(
        message.starts_with(r#"unable to parse requirement: values[0][x]: Invalid value: "-1": "#),
        "{message}"
    );
    server.shutdown().await;
}
