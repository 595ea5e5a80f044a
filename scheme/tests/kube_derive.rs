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
