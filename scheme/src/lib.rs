//! A Kubernetes scheme for kube-rs: a registry from Rust types to GroupVersionKind, plural and
//! scope, like apimachinery's `runtime.Scheme`, whose first job is to restore the
//! `kind`/`apiVersion` that List responses, caches and metadata-only requests strip.
//!
//! ```
//! use kube_core::{DynamicObject, ObjectList};
//! use kube_scheme::Scheme;
//!
//! let scheme = Scheme::with_builtins(); // built-ins plus every #[derive(Kind)] type
//! let mut list: ObjectList<DynamicObject> = serde_json::from_str(
//!     r#"{"apiVersion":"apps/v1","kind":"DeploymentList","metadata":{},"items":[{"metadata":{"name":"web"}}]}"#,
//! )?;
//! scheme.restore_list(&mut list)?;
//! assert_eq!(list.items[0].types.as_ref().unwrap().kind, "Deployment");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The built-in table follows the Kubernetes version the final binary enabled on k8s-openapi
//! (1.33 to 1.37); this library enables none itself.

#![forbid(unsafe_code)]

mod builtins;
mod decode;
mod error;
pub mod fields;
pub mod labels;
mod object;
mod registry;
mod restore;
mod scheme;
mod scope;

pub use decode::Decoded;
pub use error::{Result, SchemeError};
pub use kube_core::{GroupVersionKind, GroupVersionResource};
pub use object::ObjectKind;
pub use registry::Registration;
pub use restore::{Restore, RestoreList, Stamp};
pub use scheme::{KindInfo, Scheme};
pub use scope::{KnownScope, Scope};

/// `#[derive(Kind)]`: GroupVersionKind, plural, scope, serde and self-registration for a custom
/// resource type. See the [`kube_scheme_derive`] crate for every attribute.
#[cfg(feature = "derive")]
pub use kube_scheme_derive::Kind;

/// Re-exports for generated code; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use inventory;
    pub use k8s_openapi;
    pub use serde;
}
