//! `#[derive(Kind)]` for Kubernetes custom resource types, re-exported by `kube-scheme`.
//!
//! ```
//! # use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
//! # #[derive(Clone, Debug, serde::Serialize, serde::Deserialize)] pub struct CronTabSpec {}
//! # #[derive(Clone, Debug, serde::Serialize, serde::Deserialize)] pub struct CronTabStatus {}
//! #[derive(Clone, Debug, kube_scheme::Kind)]
//! #[kind(group = "stable.example.com", version = "v1", kind = "CronTab", plural = "crontabs", namespaced)]
//! pub struct CronTab {
//!     pub metadata: ObjectMeta,
//!     pub spec: CronTabSpec,
//!     pub status: Option<CronTabStatus>,
//! }
//!
//! let json = serde_json::to_value(CronTab { metadata: Default::default(), spec: CronTabSpec {}, status: None })?;
//! assert_eq!(json["kind"], "CronTab");
//! assert_eq!(CronTab::PLURAL, "crontabs");
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! The derive gives the type:
//! - k8s-openapi's `Resource`, `ListableResource` and `Metadata` traits, which kube-core's blanket
//!   impl turns into `kube::Resource`, so `kube::Api<CronTab>` works;
//! - inherent constants `GROUP`, `VERSION`, `KIND`, `API_VERSION`, `PLURAL`, `LIST_KIND`, `SCOPE`;
//! - `kube_scheme::ObjectKind` and self-registration: `Scheme::with_builtins()` finds it;
//! - `Serialize`, writing `apiVersion` and `kind` first, then every field (in camelCase, `None`
//!   options left out), and `Deserialize`, accepting JSON with or without `apiVersion`/`kind` and
//!   rejecting a wrong one. `#[serde(...)]` attributes on fields are honoured.
//!
//! # Attributes
//!
//! ## `group = "..."` (required)
//! The API group, a lowercase DNS subdomain such as `stable.example.com`.
//!
//! ## `version = "..."` (required)
//! The API version, a lowercase DNS label starting with a letter, such as `v1` or `v1beta1`.
//!
//! ## `kind = "..."` (required)
//! The kind, in UpperCamelCase, such as `CronTab`.
//!
//! ## `plural = "..."`
//! The resource name in URLs. Defaults to the lower-cased kind with the usual English plural
//! rules (`CronTab` → `crontabs`, `Policy` → `policies`, `Ingress` → `ingresses`).
//!
//! ## `namespaced` or `cluster` (exactly one is required)
//! The scope. There is no default: a wrong scope breaks every URL, so it must be stated.
//!
//! ## `crate = "path"`
//! The path to `kube_scheme` when it is re-exported elsewhere (default `::kube_scheme`).
//!
//! The struct must have named fields, one of them `metadata: ObjectMeta`, and no generics.

#![forbid(unsafe_code)]

mod ast;
mod expand;
mod plural;
mod valid;

use proc_macro::TokenStream;

/// Derives GroupVersionKind, plural, scope, serde and self-registration; see the crate docs.
#[proc_macro_derive(Kind, attributes(kind, serde))]
pub fn derive_kind(input: TokenStream) -> TokenStream {
    expand::derive(input.into()).into()
}
