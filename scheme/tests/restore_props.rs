//! Properties of restore: idempotent, and it changes nothing but kind/apiVersion.

use kube_core::{DynamicObject, ObjectList};
use kube_scheme::Scheme;
use proptest::prelude::*;
use serde_json::{Value, json};

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[a-z0-9 ]{0,8}".prop_map(Value::String),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An item: arbitrary fields, a metadata object, and sometimes its own kind/apiVersion.
fn item() -> impl Strategy<Value = Value> {
    (
        prop::collection::btree_map("[a-z]{1,6}", json_value(), 0..4),
        "[a-z]{1,8}",
        prop::option::of(("(v1|apps/v1|example.com/v2)", "(Pod|Deployment|Widget)")),
    )
        .prop_map(|(fields, name, own)| {
            let mut map: serde_json::Map<String, Value> = fields.into_iter().collect();
            map.insert("metadata".into(), json!({"name": name}));
            if let Some((api_version, kind)) = own {
                map.insert("apiVersion".into(), json!(api_version));
                map.insert("kind".into(), json!(kind));
            }
            Value::Object(map)
        })
}

fn list() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(item(), 0..6),
        prop_oneof![
            Just(("v1", "PodList")),
            Just(("apps/v1", "DeploymentList")),
            Just(("stable.example.com/v1", "CronTabList")),
            Just(("example.com/v2", "WidgetList")),
        ],
    )
        .prop_map(|(items, (api_version, kind))| json!({"apiVersion": api_version, "kind": kind, "metadata": {}, "items": items}))
}

fn without_type_fields(mut list: Value) -> Value {
    for item in list["items"].as_array_mut().unwrap() {
        let map = item.as_object_mut().unwrap();
        map.remove("apiVersion");
        map.remove("kind");
    }
    list
}

proptest! {
    #[test]
    fn json_restore_is_idempotent_and_only_touches_type_fields(list in list()) {
        let scheme = Scheme::with_builtins();
        let mut once = list.clone();
        scheme.restore_list(&mut once).unwrap();
        let mut twice = once.clone();
        scheme.restore_list(&mut twice).unwrap();
        prop_assert_eq!(&once, &twice);
        prop_assert_eq!(without_type_fields(once.clone()), without_type_fields(list.clone()));
        for (before, after) in list["items"].as_array().unwrap().iter().zip(once["items"].as_array().unwrap()) {
            prop_assert!(after.get("kind").is_some() && after.get("apiVersion").is_some());
            if before.get("kind").is_some() {
                prop_assert_eq!(before, after, "an item that had its kind keeps it");
            }
        }
    }

    #[test]
    fn dynamic_restore_is_idempotent_and_only_touches_type_fields(list in list()) {
        let scheme = Scheme::with_builtins();
        let mut typed: ObjectList<DynamicObject> = serde_json::from_value(list.clone()).unwrap();
        let before: Vec<_> = typed.items.iter().map(|i| (i.metadata.clone(), i.data.clone())).collect();
        scheme.restore_list(&mut typed).unwrap();
        let once = serde_json::to_value(&typed).unwrap();
        scheme.restore_list(&mut typed).unwrap();
        prop_assert_eq!(&serde_json::to_value(&typed).unwrap(), &once);
        let after: Vec<_> = typed.items.iter().map(|i| (i.metadata.clone(), i.data.clone())).collect();
        prop_assert_eq!(before, after);
        prop_assert!(typed.items.iter().all(|i| i.types.is_some()));
    }
}
