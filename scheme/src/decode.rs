//! Decoding JSON into the Rust type registered for the kind it names (Go's `UniversalDeserializer`).

use std::any::{Any, TypeId};

use kube_core::GroupVersionKind;
use serde::Deserialize;
use serde_json::Value;

use crate::Scheme;
use crate::error::{Result, SchemeError};
use crate::object::{gvk_from_parts, json_type};

/// An object decoded by kind: the GroupVersionKind it named and the registered Rust type holding it.
pub struct Decoded {
    gvk: GroupVersionKind,
    type_name: &'static str,
    object: Box<dyn Any + Send + Sync>,
}

impl std::fmt::Debug for Decoded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoded")
            .field("gvk", &self.gvk)
            .field("type_name", &self.type_name)
            .finish_non_exhaustive()
    }
}

impl Decoded {
    /// The kind the JSON named.
    pub fn gvk(&self) -> &GroupVersionKind {
        &self.gvk
    }
    /// The Rust type it was decoded into.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }
    /// Whether it was decoded into `K`.
    pub fn is<K: 'static>(&self) -> bool {
        self.object.as_ref().type_id() == TypeId::of::<K>()
    }
    /// Borrows the object as `K`.
    pub fn downcast_ref<K: 'static>(&self) -> Option<&K> {
        self.object.downcast_ref()
    }
    /// Takes the object as `K`, or [`SchemeError::WrongType`] naming both types.
    pub fn downcast<K: 'static>(self) -> Result<K> {
        let Decoded { gvk, type_name, object } = self;
        object.downcast::<K>().map(|k| *k).map_err(|_| SchemeError::WrongType {
            gvk,
            actual: type_name,
            requested: std::any::type_name::<K>(),
        })
    }
    /// The boxed object.
    pub fn into_any(self) -> Box<dyn Any + Send + Sync> {
        self.object
    }
}

#[derive(Deserialize)]
struct TypeFields<'a> {
    #[serde(default, rename = "apiVersion", borrow)]
    api_version: std::borrow::Cow<'a, str>,
    #[serde(default, borrow)]
    kind: std::borrow::Cow<'a, str>,
}

impl Scheme {
    /// Decodes JSON bytes into the Rust type registered for the `apiVersion`/`kind` they name.
    ///
    /// ```
    /// use k8s_openapi::api::core::v1::ConfigMap;
    /// use kube_scheme::Scheme;
    ///
    /// let json = br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"}}"#;
    /// let decoded = Scheme::with_builtins().decode(json)?;
    /// assert_eq!(decoded.gvk().kind, "ConfigMap");
    /// let cm: ConfigMap = decoded.downcast()?;
    /// assert_eq!(cm.metadata.name.as_deref(), Some("settings"));
    /// # Ok::<(), kube_scheme::SchemeError>(())
    /// ```
    pub fn decode(&self, bytes: &[u8]) -> Result<Decoded> {
        let fields: TypeFields<'_> = serde_json::from_slice(bytes).map_err(|e| SchemeError::InvalidJson {
            reason: format!("the input is not a JSON object: {e}"),
            source: Some(e),
        })?;
        let gvk = gvk_from_parts(
            || "the decoded JSON object".to_owned(),
            &fields.api_version,
            &fields.kind,
        )?;
        let codec = self.kind(&gvk)?.codec;
        let from_slice = codec.from_slice.ok_or_else(|| SchemeError::NoDecoder {
            gvk: gvk.clone(),
            type_name: codec.type_name,
        })?;
        let object = from_slice(bytes).map_err(|source| SchemeError::Decode {
            gvk: gvk.clone(),
            type_name: codec.type_name,
            source,
        })?;
        Ok(Decoded {
            gvk,
            type_name: codec.type_name,
            object,
        })
    }

    /// Decodes a JSON value into the Rust type registered for the `apiVersion`/`kind` it names.
    pub fn decode_value(&self, value: Value) -> Result<Decoded> {
        if !value.is_object() {
            return Err(SchemeError::InvalidJson {
                reason: format!("expected a JSON object, found {}", json_type(&value)),
                source: None,
            });
        }
        let gvk = crate::ObjectKind::object_gvk(&value, self)?;
        let codec = self.kind(&gvk)?.codec;
        let bytes = serde_json::to_vec(&value).map_err(|e| SchemeError::InvalidJson {
            reason: format!("cannot write the value as JSON: {e}"),
            source: Some(e),
        })?;
        let from_slice = codec.from_slice.ok_or_else(|| SchemeError::NoDecoder {
            gvk: gvk.clone(),
            type_name: codec.type_name,
        })?;
        let object = from_slice(&bytes).map_err(|source| SchemeError::Decode {
            gvk: gvk.clone(),
            type_name: codec.type_name,
            source,
        })?;
        Ok(Decoded {
            gvk,
            type_name: codec.type_name,
            object,
        })
    }

    /// Decodes JSON bytes that must name a kind registered to `K`.
    pub fn decode_as<K: 'static>(&self, bytes: &[u8]) -> Result<K> {
        self.decode(bytes)?.downcast()
    }
}
