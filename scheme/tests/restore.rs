//! Restoring kind/apiVersion on lists and objects, on real-shaped responses.

mod common;

use common::{CronTab, response};
use k8s_openapi::api::core::v1::Pod;
use kube_core::{DynamicObject, ObjectList, PartialObjectMeta, TypeMeta};
use kube_scheme::{GroupVersionKind, Scheme, SchemeError};
use serde_json::{Value, json};

fn types(api_version: &str, kind: &str) -> Option<TypeMeta> {
    Some(TypeMeta {
        api_version: api_version.into(),
        kind: kind.into(),
    })
}

fn drop_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, drop_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(drop_nulls).collect()),
        other => other,
    }
}

#[test]
fn pod_list_json_items_get_their_kind_and_round_trip() {
    let scheme = Scheme::with_builtins();
    let mut list: Value = serde_json::from_str(&response("podlist.json")).unwrap();
    let before = list.clone();
    // What the API server sends: items without kind/apiVersion.
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i.get("kind").is_none() && i.get("apiVersion").is_none())
    );

    scheme.restore_list(&mut list).unwrap();
    for item in list["items"].as_array().unwrap() {
        assert_eq!(
            (item["apiVersion"].as_str(), item["kind"].as_str()),
            (Some("v1"), Some("Pod"))
        );
    }
    // Nothing else changed: removing the two fields gives back the input.
    let mut stripped = list.clone();
    for item in stripped["items"].as_array_mut().unwrap() {
        let map = item.as_object_mut().unwrap();
        map.remove("apiVersion");
        map.remove("kind");
    }
    assert_eq!(stripped, before);

    // Each restored item now decodes by its own kind, and round-trips through the typed Pod.
    for item in list["items"].as_array().unwrap() {
        let pod: Pod = scheme.decode_value(item.clone()).unwrap().downcast().unwrap();
        // The server writes `"lastProbeTime": null`; k8s-openapi leaves out absent fields.
        assert_eq!(serde_json::to_value(&pod).unwrap(), drop_nulls(item.clone()));
    }
    insta::assert_json_snapshot!(list["items"][1], @r#"
    {
      "apiVersion": "v1",
      "kind": "Pod",
      "metadata": {
        "creationTimestamp": "2026-11-19T17:02:44Z",
        "generateName": "coredns-5d78c9869d-",
        "labels": {
          "k8s-app": "kube-dns",
          "pod-template-hash": "5d78c9869d"
        },
        "name": "coredns-5d78c9869d-7mj4s",
        "namespace": "kube-system",
        "resourceVersion": "611",
        "uid": "a3c1e7d9-6b2f-4d8a-9c0e-2f4a6b8c0d1e"
      },
      "spec": {
        "containers": [
          {
            "args": [
              "-conf",
              "/etc/coredns/Corefile"
            ],
            "image": "registry.k8s.io/coredns/coredns:v1.11.3",
            "name": "coredns"
          }
        ],
        "nodeName": "node-0",
        "priorityClassName": "system-cluster-critical"
      },
      "status": {
        "phase": "Running",
        "qosClass": "Burstable"
      }
    }
    "#);
}

#[test]
fn dynamic_pod_list_is_restored_with_one_lookup() {
    let scheme = Scheme::with_builtins();
    let mut list: ObjectList<DynamicObject> = serde_json::from_str(&response("podlist.json")).unwrap();
    assert!(list.items.iter().all(|i| i.types.is_none()));
    scheme.restore_list(&mut list).unwrap();
    assert!(list.items.iter().all(|i| i.types == types("v1", "Pod")));
    // Idempotent.
    let once = serde_json::to_value(&list).unwrap();
    scheme.restore_list(&mut list).unwrap();
    assert_eq!(serde_json::to_value(&list).unwrap(), once);
    // And it round-trips into the typed list.
    let typed: ObjectList<Pod> = serde_json::from_value(once).unwrap();
    assert_eq!(typed.items.len(), 2);
    assert_eq!(typed.items[0].metadata.name.as_deref(), Some("web-7c9d6b5f4-x2kqp"));
}

#[test]
fn crd_list_items_keep_their_kind() {
    let scheme = Scheme::with_builtins();
    let original: Value = serde_json::from_str(&response("crontablist.json")).unwrap();
    let mut list = original.clone();
    scheme.restore_list(&mut list).unwrap();
    assert_eq!(list, original, "items that carry their kind are left alone");

    // The same list with the item kinds stripped gets them back from the registered CronTab.
    for item in list["items"].as_array_mut().unwrap() {
        item.as_object_mut().unwrap().remove("kind");
    }
    scheme.restore_list(&mut list).unwrap();
    assert_eq!(list, original);
    let typed: ObjectList<CronTab> = serde_json::from_value(list).unwrap();
    assert_eq!(typed.items[0].spec.cron_spec, "0 3 * * *");

    let mut dynamic: ObjectList<DynamicObject> = serde_json::from_value(original).unwrap();
    scheme.restore_list(&mut dynamic).unwrap();
    assert!(
        dynamic
            .items
            .iter()
            .all(|i| i.types == types("stable.example.com/v1", "CronTab"))
    );
}

#[test]
fn unregistered_custom_lists_follow_unstructured_list() {
    // Kinds the scheme does not know: the list kind minus `List`, as apimachinery does.
    let scheme = Scheme::new();
    let mut list =
        json!({"apiVersion": "example.com/v2", "kind": "GadgetList", "items": [{"metadata": {"name": "g"}}]});
    scheme.restore_list(&mut list).unwrap();
    assert_eq!(list["items"][0]["kind"], "Gadget");
    assert_eq!(list["items"][0]["apiVersion"], "example.com/v2");
}

#[test]
fn metadata_only_objects_become_their_real_kind() {
    let scheme = Scheme::with_builtins();
    // What a metadata-only list looks like on the wire.
    let json = json!({
        "apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadataList", "metadata": {},
        "items": [
            {"apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadata", "metadata": {"name": "a", "namespace": "x"}},
            {"metadata": {"name": "b", "namespace": "x"}}
        ]
    });
    let mut list: ObjectList<PartialObjectMeta<Pod>> = serde_json::from_value(json).unwrap();
    scheme.restore_list(&mut list).unwrap();
    assert!(list.items.iter().all(|i| i.types == types("v1", "Pod")));
    assert_eq!(list.items[1].metadata.name.as_deref(), Some("b"));

    // Also a plain Vec from a cache, and a single object.
    let mut cached = vec![
        PartialObjectMeta::<CronTab>::default(),
        PartialObjectMeta::<CronTab>::default(),
    ];
    scheme.restore_items(&mut cached, None).unwrap();
    assert!(
        cached
            .iter()
            .all(|i| i.types == types("stable.example.com/v1", "CronTab"))
    );
    let mut one = PartialObjectMeta::<Pod>::default();
    scheme.restore(&mut one, None).unwrap();
    assert_eq!(one.types, types("v1", "Pod"));
}

#[test]
fn vec_of_dynamic_objects_with_a_given_kind() {
    let scheme = Scheme::with_builtins();
    let mut items: Vec<DynamicObject> =
        serde_json::from_value(json!([{"metadata": {"name": "a"}}, {"metadata": {"name": "b"}}])).unwrap();
    scheme
        .restore_items(&mut items, Some(&GroupVersionKind::gvk("apps", "v1", "Deployment")))
        .unwrap();
    assert!(items.iter().all(|i| i.types == types("apps/v1", "Deployment")));

    let mut values = vec![json!({"metadata": {"name": "a"}})];
    scheme
        .restore_items(&mut values, Some(&GroupVersionKind::gvk("", "v1", "Secret")))
        .unwrap();
    assert_eq!(
        values[0],
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a"}})
    );
}

#[test]
fn mixed_v1_list_needs_items_to_say_what_they_are() {
    let scheme = Scheme::with_builtins();
    let mut ok = json!({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}}
    ]});
    let before = ok.clone();
    scheme.restore_list(&mut ok).unwrap();
    assert_eq!(ok, before);

    let mut bad = json!({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}},
        {"metadata": {"name": "mystery", "namespace": "default"}}
    ]});
    let err = scheme.restore_list(&mut bad).unwrap_err();
    insta::assert_snapshot!(err, @r#"JSON object "default/mystery" has no kind and apiVersion: cannot tell its GroupVersionKind"#);
}

#[test]
fn bad_lists_are_refused_and_left_untouched() {
    let scheme = Scheme::with_builtins();
    let cases = [
        (
            json!({"apiVersion": "v1", "kind": "Pod", "items": [{}]}),
            r#"not a list: kind "Pod" in v1 does not end in "List""#,
        ),
        (
            json!({"kind": "PodList", "items": [{}]}),
            r#"the list of kind "PodList" has no apiVersion: cannot tell its GroupVersionKind"#,
        ),
        (
            json!({"apiVersion": "v1", "kind": "PodList", "items": {}}),
            r#"not a list: the "items" of PodList v1 is an object, not an array"#,
        ),
        (
            json!({"apiVersion": "v1", "kind": "PodList", "items": [{"metadata": {}}, 7]}),
            "cannot decode: expected a JSON object, found a number",
        ),
        (json!([1, 2]), "not a list: expected a JSON List object, found an array"),
    ];
    for (mut list, message) in cases {
        let before = list.clone();
        let err = scheme.restore_list(&mut list).unwrap_err();
        assert_eq!(err.to_string(), message);
        assert_eq!(list, before, "a failed restore changed {before}");
    }
    let mut items: Vec<DynamicObject> = serde_json::from_value(json!([{"metadata": {"name": "a"}}])).unwrap();
    assert!(matches!(
        scheme.restore_items(&mut items, None),
        Err(SchemeError::MissingTypeMeta { .. })
    ));
    assert!(items[0].types.is_none());
}
