//! Which GroupVersionKind an object is, by controller-runtime's `GVKForObject` rules.

use kube_core::{DynamicObject, GroupVersionKind, PartialObjectMeta, TypeMeta};
use serde_json::Value;

use crate::Scheme;
use crate::error::{Result, SchemeError};

/// An object whose GroupVersionKind the scheme can tell (Go's `runtime.Object`).
///
/// Self-describing objects ([`DynamicObject`], [`PartialObjectMeta`], JSON [`Value`]) answer with
/// their own `kind`/`apiVersion` and fail when either is missing. Typed objects (k8s-openapi
/// built-ins, `#[derive(Kind)]` types, or types named in [`impl_object_kind!`](crate::impl_object_kind))
/// answer through [`Scheme::gvk_for`].
pub trait ObjectKind {
    /// The object's GroupVersionKind as `scheme` sees it.
    fn object_gvk(&self, scheme: &Scheme) -> Result<GroupVersionKind>;
}

/// Splits `group/version` (or `version` for the core group).
pub(crate) fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", api_version),
    }
}

pub(crate) fn gvk_from_parts(what: impl FnOnce() -> String, api_version: &str, kind: &str) -> Result<GroupVersionKind> {
    let missing = match (api_version.is_empty(), kind.is_empty()) {
        (false, false) => {
            let (group, version) = split_api_version(api_version);
            return Ok(GroupVersionKind::gvk(group, version, kind));
        }
        (true, true) => "kind and apiVersion",
        (true, false) => "apiVersion",
        (false, true) => "kind",
    };
    Err(SchemeError::MissingTypeMeta { what: what(), missing })
}

fn gvk_from_types(what: impl FnOnce() -> String, types: Option<&TypeMeta>) -> Result<GroupVersionKind> {
    let (api_version, kind) = types.map_or(("", ""), |t| (t.api_version.as_str(), t.kind.as_str()));
    gvk_from_parts(what, api_version, kind)
}

pub(crate) fn describe_meta(
    type_name: &str,
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
) -> String {
    match (&meta.namespace, &meta.name) {
        (Some(ns), Some(name)) => format!("{type_name} \"{ns}/{name}\""),
        (None, Some(name)) => format!("{type_name} \"{name}\""),
        _ => format!("{type_name} without a name"),
    }
}

impl ObjectKind for DynamicObject {
    fn object_gvk(&self, _: &Scheme) -> Result<GroupVersionKind> {
        gvk_from_types(|| describe_meta("DynamicObject", &self.metadata), self.types.as_ref())
    }
}

impl<K> ObjectKind for PartialObjectMeta<K> {
    fn object_gvk(&self, _: &Scheme) -> Result<GroupVersionKind> {
        gvk_from_types(
            || describe_meta("PartialObjectMeta", &self.metadata),
            self.types.as_ref(),
        )
    }
}

impl ObjectKind for Value {
    fn object_gvk(&self, _: &Scheme) -> Result<GroupVersionKind> {
        let Some(map) = self.as_object() else {
            return Err(SchemeError::InvalidJson {
                reason: format!("expected a JSON object, found {}", json_type(self)),
                source: None,
            });
        };
        let field = |k: &str| map.get(k).and_then(Value::as_str).unwrap_or("");
        gvk_from_parts(|| describe_json(self), field("apiVersion"), field("kind"))
    }
}

pub(crate) fn describe_json(value: &Value) -> String {
    let meta = value.get("metadata");
    let field = |k: &str| meta.and_then(|m| m.get(k)).and_then(Value::as_str);
    match (field("namespace"), field("name")) {
        (Some(ns), Some(name)) => format!("JSON object \"{ns}/{name}\""),
        (None, Some(name)) => format!("JSON object \"{name}\""),
        _ => "JSON object without a name".to_owned(),
    }
}

pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Implements [`ObjectKind`] for typed resources (`kube::Resource<DynamicType = ()>`), answering
/// through [`Scheme::gvk_for`]. `#[derive(Kind)]` does this for you; use it for kube-derive
/// `CustomResource` types.
///
/// ```
/// # use kube::CustomResource;
/// # use serde::{Deserialize, Serialize};
/// # use schemars::JsonSchema;
/// #[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// #[kube(group = "example.com", version = "v1", kind = "Widget", namespaced)]
/// pub struct WidgetSpec { size: u32 }
///
/// kube_scheme::impl_object_kind!(Widget);
/// ```
#[macro_export]
macro_rules! impl_object_kind {
    ($($ty:ty),+ $(,)?) => {
        $(
            impl $crate::ObjectKind for $ty {
                fn object_gvk(&self, scheme: &$crate::Scheme) -> $crate::Result<$crate::GroupVersionKind> {
                    scheme.gvk_for::<Self>()
                }
            }
        )+
    };
}
