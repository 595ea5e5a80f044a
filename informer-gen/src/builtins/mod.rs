//! The listable built-in kinds of each Kubernetes version k8s-openapi supports.

#[rustfmt::skip]
mod table;

/// One built-in kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Builtin {
    /// Its Rust path (`k8s_openapi::api::core::v1::Pod`).
    pub path: &'static str,
    /// API group (empty for the core group).
    pub group: &'static str,
    /// API version.
    pub version: &'static str,
    /// Kind.
    pub kind: &'static str,
    /// Plural resource name.
    pub plural: &'static str,
    /// Whether it is namespaced.
    pub namespaced: bool,
}

/// The minor versions with a table.
pub const MINORS: [u32; 5] = [33, 34, 35, 36, 37];

/// The built-ins of Kubernetes `1.{minor}`.
pub fn for_minor(minor: u32) -> Option<&'static [Builtin]> {
    Some(match minor {
        33 => table::V1_33,
        34 => table::V1_34,
        35 => table::V1_35,
        36 => table::V1_36,
        37 => table::V1_37,
        _ => return None,
    })
}
