//! The listable built-in kinds of the Kubernetes version k8s-openapi was built for.
//!
//! `generated.rs` is written by `cargo xtask builtins` from k8s-openapi's own sources (every type
//! implementing `ListableResource`, per version) and checked in; CI regenerates it and fails on any
//! difference. Only the enabled version's table is compiled, through k8s-openapi's `k8s_if_1_*!`
//! macros, so this library never picks a version itself.

/// Expands one version's table: its version string, its registrations and typed [`crate::ObjectKind`]s.
macro_rules! builtin_table {
    ($version:literal; $($ty:path),+ $(,)?) => {
        /// The Kubernetes minor version of the enabled built-in table.
        pub(crate) const K8S_VERSION: &str = $version;

        /// Registers every listable built-in kind of [`K8S_VERSION`].
        pub(crate) fn register_all(scheme: &mut crate::Scheme) {
            $( scheme.register_builtin::<$ty>(); )+
        }

        $( crate::impl_object_kind!($ty); )+
    };
}

#[rustfmt::skip]
mod generated;

pub(crate) use generated::{K8S_VERSION, register_all};
