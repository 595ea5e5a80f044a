//! Decoding JSON by the kind it names.

mod common;

use common::CronTab;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube_scheme::{Scheme, SchemeError};
use serde_json::json;

#[test]
fn decodes_into_the_registered_type() {
    let scheme = Scheme::with_builtins();
    let decoded = scheme.decode(br#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"selector":{},"template":{}}}"#).unwrap();
    assert!(decoded.is::<Deployment>());
    assert_eq!(decoded.type_name(), std::any::type_name::<Deployment>());
    assert_eq!(
        decoded.downcast_ref::<Deployment>().unwrap().metadata.name.as_deref(),
        Some("web")
    );

    let tab: CronTab = scheme
        .decode_as(br#"{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"n"},"spec":{"cronSpec":"*","image":"i"}}"#)
        .unwrap();
    assert_eq!(tab.spec.image, "i");

    let value = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}});
    let pod: Pod = scheme.decode_value(value).unwrap().downcast().unwrap();
    assert_eq!(pod.metadata.name.as_deref(), Some("p"));
}

#[test]
fn errors_name_what_was_asked() {
    let scheme = Scheme::with_builtins();
    let err = scheme
        .decode(br#"{"apiVersion":"example.com/v1","kind":"Nope"}"#)
        .unwrap_err();
    assert!(matches!(&err, SchemeError::UnknownKind { gvk } if gvk.kind == "Nope"));
    insta::assert_snapshot!(err, @r#"no kind "Nope" is registered for version "example.com/v1" in this scheme"#);

    let err = scheme.decode(br#"{"kind":"Pod"}"#).unwrap_err();
    insta::assert_snapshot!(err, @"the decoded JSON object has no apiVersion: cannot tell its GroupVersionKind");

    let err = scheme.decode(b"[1]").unwrap_err();
    assert!(matches!(err, SchemeError::InvalidJson { .. }), "{err}");

    let err = scheme
        .decode(br#"{"apiVersion":"v1","kind":"Pod","spec":{"containers":7}}"#)
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cannot decode v1, Kind=Pod into `k8s_openapi::"),
        "{err}"
    );
    assert!(std::error::Error::source(&err).is_some());

    let err = scheme
        .decode_as::<Deployment>(br#"{"apiVersion":"v1","kind":"Pod"}"#)
        .unwrap_err();
    assert!(matches!(err, SchemeError::WrongType { .. }), "{err}");

    let err = scheme.decode_value(json!("text")).unwrap_err();
    insta::assert_snapshot!(err, @"cannot decode: expected a JSON object, found a string");
}
