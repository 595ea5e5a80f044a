//! `#[derive(Kind)]`: resource traits, constants, serde and self-registration.

mod common;

use common::{ClusterPolicy, CronTab, CronTabSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Resource;
use kube_scheme::{GroupVersionKind, Scheme, Scope};
use serde_json::json;

#[test]
fn constants_and_kube_resource() {
    assert_eq!(CronTab::GROUP, "stable.example.com");
    assert_eq!(CronTab::VERSION, "v1");
    assert_eq!(CronTab::KIND, "CronTab");
    assert_eq!(CronTab::API_VERSION, "stable.example.com/v1");
    assert_eq!(CronTab::PLURAL, "crontabs");
    assert_eq!(CronTab::LIST_KIND, "CronTabList");
    assert_eq!(CronTab::SCOPE, Scope::Namespaced);
    assert_eq!(
        CronTab::gvk(),
        GroupVersionKind::gvk("stable.example.com", "v1", "CronTab")
    );

    // kube::Resource through kube-core's blanket impl.
    assert_eq!(<CronTab as Resource>::kind(&()), "CronTab");
    assert_eq!(<CronTab as Resource>::plural(&()), "crontabs");
    assert_eq!(
        CronTab::url_path(&(), Some("ns")),
        "/apis/stable.example.com/v1/namespaces/ns/crontabs"
    );

    assert_eq!(ClusterPolicy::PLURAL, "clusterpolicies");
    assert_eq!(ClusterPolicy::SCOPE, Scope::Cluster);
    assert_eq!(
        ClusterPolicy::url_path(&(), None),
        "/apis/policy.example.com/v1alpha1/clusterpolicies"
    );
}

/// `Api<K>` accepts derived types with the scope they declare (checked at compile time).
#[allow(dead_code)]
fn works_with_kube_api(client: kube::Client) {
    let _: kube::Api<CronTab> = kube::Api::namespaced(client.clone(), "default");
    let _: kube::Api<CronTab> = kube::Api::all(client.clone());
    let _: kube::Api<ClusterPolicy> = kube::Api::all(client);
}

#[test]
fn serialises_with_api_version_and_kind() {
    let tab = CronTab {
        metadata: ObjectMeta {
            name: Some("nightly".into()),
            ..Default::default()
        },
        spec: CronTabSpec {
            cron_spec: "0 3 * * *".into(),
            image: "backup:2.1".into(),
            replicas: None,
        },
        status: None,
    };
    let value = serde_json::to_value(&tab).unwrap();
    assert_eq!(
        value,
        json!({
            "apiVersion": "stable.example.com/v1",
            "kind": "CronTab",
            "metadata": {"name": "nightly"},
            "spec": {"cronSpec": "0 3 * * *", "image": "backup:2.1"}
        })
    );
    // apiVersion and kind come first, like the API server writes them.
    let text = serde_json::to_string(&tab).unwrap();
    assert!(
        text.starts_with(r#"{"apiVersion":"stable.example.com/v1","kind":"CronTab","#),
        "{text}"
    );

    let policy = ClusterPolicy {
        metadata: Default::default(),
        rule_names: vec!["a".into()],
    };
    assert_eq!(serde_json::to_value(&policy).unwrap()["ruleNames"], json!(["a"]));
}

#[test]
fn deserialises_with_or_without_type_fields() {
    let with = json!({"apiVersion": "stable.example.com/v1", "kind": "CronTab",
                      "metadata": {"name": "a"}, "spec": {"cronSpec": "*", "image": "i"}});
    let without = json!({"metadata": {"name": "a"}, "spec": {"cronSpec": "*", "image": "i"}});
    let a: CronTab = serde_json::from_value(with).unwrap();
    let b: CronTab = serde_json::from_value(without).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.metadata.name.as_deref(), Some("a"));
    // Round trip.
    let again: CronTab = serde_json::from_value(serde_json::to_value(&a).unwrap()).unwrap();
    assert_eq!(again, a);
    // A missing metadata defaults; a missing required field is serde's own error.
    let err = serde_json::from_value::<CronTab>(json!({"metadata": {}})).unwrap_err();
    assert!(err.to_string().contains("missing field `spec`"), "{err}");
}

#[test]
fn rejects_a_wrong_kind_or_api_version() {
    let wrong_kind =
        json!({"apiVersion": "stable.example.com/v1", "kind": "Pod", "spec": {"cronSpec": "*", "image": "i"}});
    let err = serde_json::from_value::<CronTab>(wrong_kind).unwrap_err();
    insta::assert_snapshot!(err.to_string(), @"wrong kind: expected `CronTab`, found `Pod`");

    let wrong_version =
        json!({"apiVersion": "stable.example.com/v2", "kind": "CronTab", "spec": {"cronSpec": "*", "image": "i"}});
    let err = serde_json::from_value::<CronTab>(wrong_version).unwrap_err();
    insta::assert_snapshot!(err.to_string(), @"wrong apiVersion for CronTab: expected `stable.example.com/v1`, found `stable.example.com/v2`");
}

#[test]
fn registers_itself() {
    let scheme = Scheme::with_builtins();
    let gvk = scheme.gvk_for::<CronTab>().unwrap();
    assert_eq!(gvk, CronTab::gvk());
    let info = scheme.kind(&gvk).unwrap();
    assert_eq!(
        (info.plural(), info.list_kind(), info.scope()),
        ("crontabs", "CronTabList", Scope::Namespaced)
    );
    assert_eq!(info.type_name(), std::any::type_name::<CronTab>());
    let policy = scheme.kind(&ClusterPolicy::gvk()).unwrap();
    assert_eq!((policy.plural(), policy.scope()), ("clusterpolicies", Scope::Cluster));

    // An empty scheme knows nothing until the registrations are added.
    let mut scheme = Scheme::new();
    assert!(!scheme.recognizes(&CronTab::gvk()));
    scheme.add_registered().unwrap();
    assert!(scheme.recognizes(&CronTab::gvk()));
    assert!(!scheme.recognizes(&GroupVersionKind::gvk("", "v1", "Pod")));
}
