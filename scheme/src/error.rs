//! The one error type of the scheme; every variant names what was asked.

use kube_core::{GroupVersionKind, GroupVersionResource};

/// Formats a GVK the way apimachinery prints it: `group/version, Kind=kind`.
pub(crate) fn fmt_gvk(gvk: &GroupVersionKind) -> String {
    if gvk.group.is_empty() {
        format!("{}, Kind={}", gvk.version, gvk.kind)
    } else {
        format!("{}/{}, Kind={}", gvk.group, gvk.version, gvk.kind)
    }
}

fn fmt_gvr(gvr: &GroupVersionResource) -> String {
    if gvr.group.is_empty() {
        format!("{}, Resource={}", gvr.version, gvr.resource)
    } else {
        format!("{}/{}, Resource={}", gvr.group, gvr.version, gvr.resource)
    }
}

fn fmt_gvks(gvks: &[GroupVersionKind]) -> String {
    gvks.iter().map(fmt_gvk).collect::<Vec<_>>().join("; ")
}

/// Everything that can go wrong when registering, looking up, restoring or decoding.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SchemeError {
    /// The Rust type was never registered in this scheme.
    #[error("no kind is registered for the Rust type `{type_name}` in this scheme")]
    NotRegistered {
        /// `std::any::type_name` of the type that was asked about.
        type_name: &'static str,
    },

    /// The GroupVersionKind is not known to this scheme.
    #[error("no kind \"{kind}\" is registered for version \"{api_version}\" in this scheme", kind = .gvk.kind, api_version = .gvk.api_version())]
    UnknownKind {
        /// The GroupVersionKind that was asked about.
        gvk: GroupVersionKind,
    },

    /// The REST resource (group, version, plural) is not known to this scheme.
    #[error("no resource is registered for {} in this scheme", fmt_gvr(.gvr))]
    UnknownResource {
        /// The GroupVersionResource that was asked about.
        gvr: GroupVersionResource,
    },

    /// The type is registered under several kinds and the object does not say which one it is.
    #[error("the Rust type `{type_name}` is registered under several kinds ({}) and the object names none of them; refusing to guess", fmt_gvks(.gvks))]
    AmbiguousKind {
        /// The Rust type.
        type_name: &'static str,
        /// Every kind it is registered under.
        gvks: Vec<GroupVersionKind>,
    },

    /// A second, different Rust type was registered for a GroupVersionKind that already has one.
    #[error("cannot register `{new}` as {}: that kind is already registered to `{existing}`", fmt_gvk(.gvk))]
    DuplicateKind {
        /// The contested kind.
        gvk: GroupVersionKind,
        /// The type that holds it.
        existing: &'static str,
        /// The type that was refused.
        new: &'static str,
    },

    /// A second kind was registered for a REST resource, or the same kind with another plural or scope.
    #[error("cannot register {}: {reason}", fmt_gvk(.gvk))]
    ConflictingMapping {
        /// The kind being registered.
        gvk: GroupVersionKind,
        /// What it conflicts with.
        reason: String,
    },

    /// The GroupVersionKind given at registration is not usable (empty kind, version or plural).
    #[error("invalid kind {}: {reason}", fmt_gvk(.gvk))]
    InvalidKind {
        /// What was given.
        gvk: GroupVersionKind,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// An object (dynamic, metadata-only or JSON) lacks the kind or apiVersion it needs to say what it is.
    #[error("{what} has no {missing}: cannot tell its GroupVersionKind")]
    MissingTypeMeta {
        /// What the object was (`DynamicObject "ns/name"`, `JSON object`, ...).
        what: String,
        /// `kind`, `apiVersion`, or `kind and apiVersion`.
        missing: &'static str,
    },

    /// A list's kind does not end in `List`, or its items are not an array of objects.
    #[error("not a list: {what}")]
    NotAList {
        /// What was found instead.
        what: String,
    },

    /// JSON that names a registered kind does not decode into the registered Rust type.
    #[error("cannot decode {} into `{type_name}`: {source}", fmt_gvk(.gvk))]
    Decode {
        /// The kind named by the JSON.
        gvk: GroupVersionKind,
        /// The Rust type it is registered to.
        type_name: &'static str,
        /// What serde said.
        #[source]
        source: serde_json::Error,
    },

    /// The kind's type was registered with [`Scheme::register_kind`](crate::Scheme::register_kind)
    /// (kube-informer-gen's generated code does so), which keeps no decoder.
    #[error(
        "{} is registered to `{type_name}` without a decoder (by `register_kind`); register the type with `Scheme::register::<{type_name}>()` to decode it",
        fmt_gvk(.gvk)
    )]
    NoDecoder {
        /// The kind named by the JSON.
        gvk: GroupVersionKind,
        /// The Rust type it is registered to.
        type_name: &'static str,
    },

    /// The input is not JSON at all, or not a JSON object.
    #[error("cannot decode: {reason}")]
    InvalidJson {
        /// What was wrong.
        reason: String,
        /// What serde said, when it was serde that refused.
        #[source]
        source: Option<serde_json::Error>,
    },

    /// A decoded object was asked for as a Rust type it is not.
    #[error("{} decodes into `{actual}`, not `{requested}`", fmt_gvk(.gvk))]
    WrongType {
        /// The kind that was decoded.
        gvk: GroupVersionKind,
        /// The Rust type registered for it.
        actual: &'static str,
        /// The Rust type that was asked for.
        requested: &'static str,
    },
}

/// `Result` with [`SchemeError`].
pub type Result<T, E = SchemeError> = std::result::Result<T, E>;
