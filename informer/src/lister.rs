//! Listers: typed, read-only queries over an informer's cache (client-go's listers), with `get`
//! shaped by the kind's scope at compile time.

use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1 as metav1;
use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope};
use kube::Resource;
use kube_core::DynamicResourceScope;
use kube_scheme::labels::{LabelSelector, LabelSelectorConversionError};

use crate::indexer::{Indexer, NAMESPACE_INDEX};

/// An object is not in the cache.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} \"{}\" not found in the informer cache", match .namespace { Some(ns) => format!("{ns}/{}", .name), None => .name.clone() })]
pub struct NotFound {
    /// The kind asked for.
    pub kind: String,
    /// The namespace asked for (none for cluster-scoped kinds).
    pub namespace: Option<String>,
    /// The name asked for.
    pub name: String,
}

/// Lists and gets cached objects of one kind.
pub struct Lister<K> {
    indexer: Indexer<K>,
    kind: String,
}

impl<K> Clone for Lister<K> {
    fn clone(&self) -> Self {
        Lister {
            indexer: self.indexer.clone(),
            kind: self.kind.clone(),
        }
    }
}

impl<K> std::fmt::Debug for Lister<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lister").field("kind", &self.kind).finish()
    }
}

impl<K: Resource> Lister<K> {
    /// A lister over `indexer` for `kind`.
    pub fn new(indexer: Indexer<K>, kind: String) -> Self {
        Lister { indexer, kind }
    }

    /// Every cached object matching `selector`, in every namespace.
    pub fn list(&self, selector: &LabelSelector) -> Vec<Arc<K>> {
        let mut out = self.indexer.list();
        if !selector.is_empty() {
            out.retain(|o| selector.matches_opt(o.meta().labels.as_ref()));
        }
        out
    }

    /// Every cached object matching a `metav1.LabelSelector` (a Deployment's `spec.selector`),
    /// in every namespace: apimachinery's `LabelSelectorAsSelector`, then [`Lister::list`]. An
    /// empty selector matches everything; a missing one (`None`) should match nothing, so it is
    /// not taken here.
    pub fn list_matching(&self, selector: &metav1::LabelSelector) -> Result<Vec<Arc<K>>, LabelSelectorConversionError> {
        Ok(self.list(&LabelSelector::try_from(selector)?))
    }

    /// The kind this lister serves.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    fn get_in(&self, namespace: Option<&str>, name: &str) -> Result<Arc<K>, NotFound> {
        self.indexer.get_by(namespace, name).ok_or_else(|| NotFound {
            kind: self.kind.clone(),
            namespace: namespace.map(str::to_owned),
            name: name.to_owned(),
        })
    }

    fn in_namespace(&self, namespace: &str) -> NamespaceLister<K> {
        NamespaceLister {
            lister: self.clone(),
            namespace: namespace.to_owned(),
        }
    }
}

/// Scopes whose objects are looked up by namespace: namespaced kinds, and dynamic kinds (whose
/// scope is known only at run time). Sealed.
pub trait NamespacedLookup: sealed::Sealed {}
/// Scopes whose objects are looked up by name alone: cluster-scoped kinds, and dynamic kinds.
/// Sealed.
pub trait ClusterLookup: sealed::Sealed {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for k8s_openapi::NamespaceResourceScope {}
    impl Sealed for k8s_openapi::ClusterResourceScope {}
    impl Sealed for kube_core::DynamicResourceScope {}
}

impl NamespacedLookup for NamespaceResourceScope {}
impl NamespacedLookup for DynamicResourceScope {}
impl ClusterLookup for ClusterResourceScope {}
impl ClusterLookup for DynamicResourceScope {}

impl<K: Resource> Lister<K>
where
    K::Scope: NamespacedLookup,
{
    /// The objects of one namespace (client-go's `Pods(namespace)`); only for namespaced kinds,
    /// checked at compile time.
    pub fn namespace(&self, namespace: &str) -> NamespaceLister<K> {
        self.in_namespace(namespace)
    }
}

impl<K: Resource> Lister<K>
where
    K::Scope: ClusterLookup,
{
    /// A cluster-scoped object by name; only for cluster-scoped kinds, checked at compile time.
    pub fn get(&self, name: &str) -> Result<Arc<K>, NotFound> {
        self.get_in(None, name)
    }
}

/// The cached objects of one namespace.
pub struct NamespaceLister<K> {
    lister: Lister<K>,
    namespace: String,
}

impl<K> std::fmt::Debug for NamespaceLister<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NamespaceLister")
            .field("kind", &self.lister.kind)
            .field("namespace", &self.namespace)
            .finish()
    }
}

impl<K: Resource> NamespaceLister<K> {
    /// Objects of this namespace matching `selector` (through the namespace index).
    pub fn list(&self, selector: &LabelSelector) -> Vec<Arc<K>> {
        let mut out = Vec::new();
        self.lister
            .indexer
            .for_each_in_index(NAMESPACE_INDEX, &self.namespace, |o| {
                if selector.matches_opt(o.meta().labels.as_ref()) {
                    out.push(o.clone());
                }
            })
            .expect("every indexer has the namespace index");
        out
    }

    /// Objects of this namespace matching a `metav1.LabelSelector`: the pods of a Deployment are
    /// `pods.namespace(ns).list_matching(&deployment.spec.selector)`. apimachinery's
    /// `LabelSelectorAsSelector`, then [`NamespaceLister::list`].
    pub fn list_matching(&self, selector: &metav1::LabelSelector) -> Result<Vec<Arc<K>>, LabelSelectorConversionError> {
        Ok(self.list(&LabelSelector::try_from(selector)?))
    }

    /// The object `name` of this namespace.
    pub fn get(&self, name: &str) -> Result<Arc<K>, NotFound> {
        self.lister.get_in(Some(&self.namespace), name)
    }
}
