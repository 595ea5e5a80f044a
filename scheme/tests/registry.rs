//! Registration rules and look-ups.

mod common;

use common::CronTab;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube_core::{ApiResource, DynamicObject, GroupVersionResource, PartialObjectMeta, TypeMeta};
use kube_scheme::{GroupVersionKind, Scheme, SchemeError, Scope};
use serde_json::json;

fn gvk(g: &str, v: &str, k: &str) -> GroupVersionKind {
    GroupVersionKind::gvk(g, v, k)
}

#[test]
fn register_and_look_up() {
    let mut scheme = Scheme::new();
    scheme.register::<Pod>().unwrap().register::<Deployment>().unwrap();
    // Registering the same type again is a no-op.
    scheme.register::<Pod>().unwrap();
    assert_eq!(scheme.len(), 2);
    assert_eq!(scheme.gvks_for::<Pod>().unwrap(), &[gvk("", "v1", "Pod")]);
    assert!(scheme.recognizes(&gvk("apps", "v1", "Deployment")));
    assert!(!scheme.recognizes(&gvk("apps", "v1beta1", "Deployment")));

    let info = scheme
        .kind_for_resource(&GroupVersionResource::gvr("apps", "v1", "deployments"))
        .unwrap();
    assert_eq!(info.gvk(), &gvk("apps", "v1", "Deployment"));
    assert_eq!(info.api_version(), "apps/v1");
    assert_eq!(info.type_id(), std::any::TypeId::of::<Deployment>());
    assert_eq!(info.api_resource(), ApiResource::erase::<Deployment>(&()));
    assert_eq!(info.gvr(), GroupVersionResource::gvr("apps", "v1", "deployments"));
    assert_eq!(
        scheme.kind_for_list("", "v1", "PodList").unwrap().gvk(),
        &gvk("", "v1", "Pod")
    );
    let kinds: Vec<_> = scheme.kinds().map(|k| k.gvk().kind.clone()).collect();
    assert_eq!(kinds, ["Pod", "Deployment"]);
    let mut types: Vec<_> = scheme.types().map(|(name, gvks)| (name, gvks.len())).collect();
    types.sort();
    assert_eq!(
        types,
        [
            ("k8s_openapi::v1_37::api::apps::v1::deployment::Deployment", 1),
            ("k8s_openapi::v1_37::api::core::v1::pod::Pod", 1)
        ]
    );
}

#[test]
fn one_type_may_have_several_kinds_but_a_kind_has_one_type() {
    let mut scheme = Scheme::new();
    scheme.register::<CronTab>().unwrap();
    scheme
        .register_as::<CronTab>(
            gvk("stable.example.com", "v1beta1", "CronTab"),
            "crontabs",
            Scope::Namespaced,
        )
        .unwrap();
    assert_eq!(scheme.gvks_for::<CronTab>().unwrap().len(), 2);
    // Its own compile-time kind is one of them, so there is no ambiguity.
    assert_eq!(scheme.gvk_for::<CronTab>().unwrap(), CronTab::gvk());

    let err = scheme
        .register_as::<Pod>(CronTab::gvk(), "crontabs", Scope::Namespaced)
        .unwrap_err();
    assert!(matches!(err, SchemeError::DuplicateKind { .. }));
    insta::assert_snapshot!(err, @"cannot register `k8s_openapi::v1_37::api::core::v1::pod::Pod` as stable.example.com/v1, Kind=CronTab: that kind is already registered to `registry::common::CronTab`");
    // The failed registration left nothing behind.
    assert_eq!(scheme.len(), 2);
    assert!(scheme.gvks_for::<Pod>().is_err());
}

#[test]
fn conflicting_mappings_are_refused() {
    let mut scheme = Scheme::new();
    scheme.register::<Pod>().unwrap();
    let err = scheme
        .register_as::<Pod>(gvk("", "v1", "Pod"), "pod", Scope::Namespaced)
        .unwrap_err();
    insta::assert_snapshot!(err, @r#"cannot register v1, Kind=Pod: it is already registered as Namespaced "pods", not Namespaced "pod""#);
    let err = scheme
        .register_as::<ConfigMap>(gvk("", "v1", "Pud"), "pods", Scope::Namespaced)
        .unwrap_err();
    insta::assert_snapshot!(err, @r#"cannot register v1, Kind=Pud: the resource "pods" already maps to kind "Pod""#);
    let err = scheme
        .register_as::<ConfigMap>(gvk("", "v1", ""), "x", Scope::Cluster)
        .unwrap_err();
    insta::assert_snapshot!(err, @"invalid kind v1, Kind=: the kind is empty");
    assert_eq!(scheme.len(), 1);
}

#[test]
fn gvk_for_follows_controller_runtime() {
    let mut scheme = Scheme::new();
    // Unregistered: a typed error naming the Rust type.
    let err = scheme.gvk_for::<Pod>().unwrap_err();
    insta::assert_snapshot!(err, @"no kind is registered for the Rust type `k8s_openapi::v1_37::api::core::v1::pod::Pod` in this scheme");

    // Registered under two kinds, neither its own: refuse to guess.
    scheme
        .register_as::<ConfigMap>(gvk("example.com", "v1", "Settings"), "settings", Scope::Namespaced)
        .unwrap();
    assert_eq!(
        scheme.gvk_for::<ConfigMap>().unwrap(),
        gvk("example.com", "v1", "Settings")
    );
    scheme
        .register_as::<ConfigMap>(gvk("example.com", "v2", "Settings"), "settings", Scope::Namespaced)
        .unwrap();
    let err = scheme.gvk_for::<ConfigMap>().unwrap_err();
    insta::assert_snapshot!(err, @"the Rust type `k8s_openapi::v1_37::api::core::v1::config_map::ConfigMap` is registered under several kinds (example.com/v1, Kind=Settings; example.com/v2, Kind=Settings) and the object names none of them; refusing to guess");
    // Once its own kind is among them, that one wins.
    scheme.register::<ConfigMap>().unwrap();
    assert_eq!(scheme.gvk_for::<ConfigMap>().unwrap(), gvk("", "v1", "ConfigMap"));
}

#[test]
fn gvk_for_object() {
    let scheme = Scheme::with_builtins();
    // Typed objects answer through the scheme.
    assert_eq!(scheme.gvk_for_object(&Pod::default()).unwrap(), gvk("", "v1", "Pod"));
    assert_eq!(scheme.gvk_for_object(&CronTab::default()).unwrap(), CronTab::gvk());
    // Dynamic objects use their own kind, registered or not.
    let mut dynamic = DynamicObject::new("web", &ApiResource::erase::<Deployment>(&())).within("prod");
    assert_eq!(
        scheme.gvk_for_object(&dynamic).unwrap(),
        gvk("apps", "v1", "Deployment")
    );
    dynamic.types = Some(TypeMeta {
        api_version: "example.com/v9".into(),
        kind: "Unknown".into(),
    });
    assert_eq!(
        scheme.gvk_for_object(&dynamic).unwrap(),
        gvk("example.com", "v9", "Unknown")
    );
    dynamic.types = None;
    let err = scheme.gvk_for_object(&dynamic).unwrap_err();
    insta::assert_snapshot!(err, @r#"DynamicObject "prod/web" has no kind and apiVersion: cannot tell its GroupVersionKind"#);
    // Metadata-only objects too.
    let mut partial = PartialObjectMeta::<Pod>::default();
    partial.metadata.name = Some("p".into());
    partial.types = Some(TypeMeta {
        api_version: "v1".into(),
        kind: String::new(),
    });
    let err = scheme.gvk_for_object(&partial).unwrap_err();
    insta::assert_snapshot!(err, @r#"PartialObjectMeta "p" has no kind: cannot tell its GroupVersionKind"#);
    // JSON.
    assert_eq!(
        scheme
            .gvk_for_object(&json!({"apiVersion": "batch/v1", "kind": "Job"}))
            .unwrap(),
        gvk("batch", "v1", "Job")
    );
    let err = scheme
        .gvk_for_object(&json!({"kind": "Job", "metadata": {"name": "j", "namespace": "n"}}))
        .unwrap_err();
    insta::assert_snapshot!(err, @r#"JSON object "n/j" has no apiVersion: cannot tell its GroupVersionKind"#);
}

#[test]
fn kinds_added_at_run_time_decode_dynamically() {
    let mut scheme = Scheme::new();
    let ar = ApiResource::from_gvk_with_plural(&gvk("example.com", "v1", "Widget"), "widgets");
    scheme.add_kind(&ar, Scope::Cluster).unwrap();
    let info = scheme
        .kind_for_resource(&GroupVersionResource::gvr("example.com", "v1", "widgets"))
        .unwrap();
    assert_eq!(info.scope(), Scope::Cluster);
    assert_eq!(info.type_name(), std::any::type_name::<DynamicObject>());
    let decoded = scheme
        .decode(br#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"size":3}"#)
        .unwrap();
    let widget: DynamicObject = decoded.downcast().unwrap();
    assert_eq!(widget.data["size"], 3);
}

#[test]
fn unknown_lookups_name_what_was_asked() {
    let scheme = Scheme::with_builtins();
    let err = scheme.kind(&gvk("example.com", "v1", "Nope")).unwrap_err();
    insta::assert_snapshot!(err, @r#"no kind "Nope" is registered for version "example.com/v1" in this scheme"#);
    let err = scheme
        .kind_for_resource(&GroupVersionResource::gvr("apps", "v1", "deploymentz"))
        .unwrap_err();
    insta::assert_snapshot!(err, @"no resource is registered for apps/v1, Resource=deploymentz in this scheme");
}
