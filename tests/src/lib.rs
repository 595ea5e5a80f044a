//! A consumer of the generator: the fixture custom resources live at this crate's root (as the
//! generator's scan of `fixtures/crds/src` expects), and `informers` holds the generated code.

include!("../../fixtures/crds/src/lib.rs");

kube_scheme::register!(Database);
kube_scheme::impl_object_kind!(Database);

/// The generated informers, listers and factory.
pub mod informers {
    kube_informer::include_informers!();
}
