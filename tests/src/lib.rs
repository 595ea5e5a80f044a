//! A consumer of the generator, laid out as a user's crate: its custom resources are modules of
//! its own (mounted with `#[path]` from `fixtures/`), `build.rs` scans `src` as a user's build
//! script does, and `informers` holds the generated code, which also registers the kube-derive
//! types with the scheme (no hand-written `register!`).

/// `#[derive(Kind)]` and kube-derive fixture types written for the generator's tests.
#[path = "../../fixtures/crds/src/lib.rs"]
#[rustfmt::skip]
pub mod crds;

/// Real CRD bindings as kopium writes them (cert-manager, prometheus-operator, argo-cd, ...).
#[path = "../../fixtures/kopium/src/lib.rs"]
#[allow(missing_docs, clippy::all, rustdoc::all)]
#[rustfmt::skip]
pub mod kopium;

pub use crds::*;

/// The generated informers, listers and factory.
pub mod informers {
    kube_informer::include_informers!();
}
