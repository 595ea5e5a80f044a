//! kube-derive `CustomResource` types work with the scheme like any `kube::Resource`.
#![allow(missing_docs)]

use kube::CustomResource;
use kube_core::{DynamicObject, ObjectList};
use kube_scheme::{GroupVersionKind, Scheme, Scope};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "infra.example.com",
    version = "v1beta1",
    kind = "Database",
    plural = "databases",
    namespaced
)]
pub struct DatabaseSpec {
    pub engine: String,
}

#[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(group = "infra.example.com", version = "v1", kind = "Region")]
pub struct RegionSpec {
    pub zones: Vec<String>,
}

kube_scheme::register!(Database);
kube_scheme::impl_object_kind!(Database, Region);

#[test]
fn registered_by_macro_and_by_hand() {
    let scheme = Scheme::with_builtins();
    let gvk = scheme.gvk_for::<Database>().unwrap();
    assert_eq!(gvk, GroupVersionKind::gvk("infra.example.com", "v1beta1", "Database"));
    assert_eq!(scheme.kind(&gvk).unwrap().scope(), Scope::Namespaced);
    // Region was not registered: a typed error naming it.
    let err = scheme.gvk_for::<Region>().unwrap_err();
    assert!(err.to_string().contains("kube_derive::Region"), "{err}");

    let mut scheme = scheme;
    scheme.register::<Region>().unwrap();
    let info = scheme
        .kind(
            &scheme
                .gvk_for_object(&Region::new("eu", RegionSpec { zones: vec![] }))
                .unwrap(),
        )
        .unwrap()
        .clone();
    assert_eq!((info.plural(), info.scope()), ("regions", Scope::Cluster));
}

#[test]
fn lists_and_decoding() {
    let scheme = Scheme::with_builtins();
    let mut list: ObjectList<DynamicObject> = serde_json::from_value(serde_json::json!({
        "apiVersion": "infra.example.com/v1beta1", "kind": "DatabaseList", "metadata": {},
        "items": [{"metadata": {"name": "main", "namespace": "db"}, "spec": {"engine": "postgres"}}]
    }))
    .unwrap();
    scheme.restore_list(&mut list).unwrap();
    let item = serde_json::to_vec(&list.items[0]).unwrap();
    let db: Database = scheme.decode_as(&item).unwrap();
    assert_eq!(db.spec.engine, "postgres");
}

#[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(group = "infra.example.com", version = "v1", kind = "Bucket", namespaced)]
pub struct BucketSpec {
    pub size: u32,
}

kube_scheme::register_kind!(Bucket);

#[test]
fn registered_without_a_decoder_until_registered_with_one() {
    let json = br#"{"apiVersion":"infra.example.com/v1","kind":"Bucket","metadata":{"name":"b"},"spec":{"size":3}}"#;
    let mut scheme = Scheme::with_builtins();
    // The mapping is all there.
    let gvk = scheme.gvk_for::<Bucket>().unwrap();
    assert_eq!(gvk, GroupVersionKind::gvk("infra.example.com", "v1", "Bucket"));
    let info = scheme.kind(&gvk).unwrap();
    assert_eq!((info.plural(), info.scope()), ("buckets", Scope::Namespaced));
    assert_eq!(info.type_id(), std::any::TypeId::of::<Bucket>());
    // Decoding says why it cannot, and how to make it.
    let err = scheme.decode(json).unwrap_err();
    assert!(matches!(err, kube_scheme::SchemeError::NoDecoder { .. }), "{err:?}");
    insta::assert_snapshot!(err, @"infra.example.com/v1, Kind=Bucket is registered to `kube_derive::Bucket` without a decoder (by `register_kind`); register the type with `Scheme::register::<kube_derive::Bucket>()` to decode it");
    // Registering the type with its decoder completes the same entry.
    scheme.register::<Bucket>().unwrap();
    let bucket: Bucket = scheme.decode(json).unwrap().downcast().unwrap();
    assert_eq!(bucket.spec.size, 3);
    // ... and registering it without one again does not take the decoder away.
    scheme.register_kind::<Bucket>().unwrap();
    assert!(scheme.decode(json).is_ok());
    // Another type under the same kind is refused either way.
    let mut scheme = Scheme::new();
    scheme.register_kind::<Bucket>().unwrap();
    let err = scheme
        .register_as::<DynamicObject>(gvk.clone(), "buckets", Scope::Namespaced)
        .unwrap_err();
    assert!(matches!(err, kube_scheme::SchemeError::DuplicateKind { .. }), "{err:?}");
}
