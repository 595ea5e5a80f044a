//! Whether a kind lives in a namespace or in the cluster, as a value and as a type-level fact.

/// The scope of a kind: namespaced (pods) or cluster-scoped (nodes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Objects live in a namespace: `/namespaces/{ns}/{plural}/{name}`.
    Namespaced,
    /// Objects live in the cluster: `/{plural}/{name}`.
    Cluster,
}

impl Scope {
    /// `true` for [`Scope::Namespaced`].
    pub fn is_namespaced(self) -> bool {
        self == Scope::Namespaced
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Scope::Namespaced => "Namespaced",
            Scope::Cluster => "Cluster",
        })
    }
}

/// Maps k8s-openapi's type-level scope markers (`Resource::Scope`) to a [`Scope`] value.
///
/// Implemented for [`k8s_openapi::NamespaceResourceScope`] and
/// [`k8s_openapi::ClusterResourceScope`], the two scopes a listable kind can have.
pub trait KnownScope {
    /// The scope as a value.
    const SCOPE: Scope;
}

impl KnownScope for k8s_openapi::NamespaceResourceScope {
    const SCOPE: Scope = Scope::Namespaced;
}

impl KnownScope for k8s_openapi::ClusterResourceScope {
    const SCOPE: Scope = Scope::Cluster;
}
