//! The named bound of typed informers ([`InformerObject`]) and the handle that generated
//! factories hand out for each kind ([`TypedInformer`], client-go's `DeploymentInformer`).

use std::fmt::Debug;
use std::marker::PhantomData;

use kube::Resource;
use kube_core::{ApiResource, DynamicObject, PartialObjectMeta};
use serde::de::DeserializeOwned;

use crate::factory::{ScopeApi, SharedInformerFactory};
use crate::handler::HandlerFns;
use crate::informer::SharedIndexInformer;
use crate::lister::Lister;

/// Every Rust type a typed informer can serve: a k8s-openapi built-in, a `#[derive(Kind)]` type
/// or a kube-derive `#[derive(CustomResource)]` type. Implemented for every type that qualifies,
/// so a generic helper over informers writes `K: InformerObject` instead of the bounds it
/// stands for.
///
/// ```
/// use kube_informer::{InformerObject, SharedInformerFactory};
///
/// fn cached_names<K: InformerObject>(factory: &SharedInformerFactory) -> Vec<String> {
///     let lister = factory.informer::<K>().lister();
///     lister.list(&Default::default()).iter().filter_map(|o| o.meta().name.clone()).collect()
/// }
/// ```
pub trait InformerObject:
    Resource<DynamicType = (), Scope: ScopeApi> + Clone + DeserializeOwned + Debug + Send + Sync + 'static
{
}

impl<K> InformerObject for K where
    K: Resource<DynamicType = (), Scope: ScopeApi> + Clone + DeserializeOwned + Debug + Send + Sync + 'static
{
}

/// The informers of one kind in a factory: what `factory.apps().v1().deployments()` of the
/// generated code returns (client-go's `DeploymentInformer`). Like client-go's, it asks the
/// factory for an informer only when one is wanted: [`informer`](Self::informer) or
/// [`lister`](Self::lister) registers the typed informer, which the factory's next `start`
/// starts; [`metadata_informer`](Self::metadata_informer) and
/// [`dynamic_informer`](Self::dynamic_informer) register those instead.
pub struct TypedInformer<K> {
    factory: SharedInformerFactory,
    kind: PhantomData<fn() -> K>,
}

impl<K> Clone for TypedInformer<K> {
    fn clone(&self) -> Self {
        TypedInformer {
            factory: self.factory.clone(),
            kind: PhantomData,
        }
    }
}

impl<K> Debug for TypedInformer<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedInformer")
            .field("type", &std::any::type_name::<K>())
            .finish_non_exhaustive()
    }
}

impl<K: InformerObject> TypedInformer<K> {
    /// The informers of `K` in `factory`.
    pub fn new(factory: SharedInformerFactory) -> Self {
        TypedInformer {
            factory,
            kind: PhantomData,
        }
    }

    /// The shared informer of `K` (asking twice gives the same one): add handlers and
    /// indexers; the factory starts it.
    pub fn informer(&self) -> SharedIndexInformer<K> {
        self.factory.informer::<K>()
    }

    /// A lister over the shared informer's cache.
    pub fn lister(&self) -> Lister<K> {
        self.informer().lister()
    }

    /// The shared metadata-only informer of `K`: objects of `K`'s kind with metadata alone.
    pub fn metadata_informer(&self) -> SharedIndexInformer<PartialObjectMeta<K>> {
        self.factory.metadata_informer::<K>()
    }

    /// The shared dynamic informer of `K`'s resource, as [`DynamicObject`]s.
    pub fn dynamic_informer(&self) -> SharedIndexInformer<DynamicObject> {
        self.factory
            .dynamic_informer(&ApiResource::erase::<K>(&()), <K::Scope as ScopeApi>::SCOPE)
    }

    /// An empty [`HandlerFns`] for `K`, so that its closures need no parameter types (with
    /// `HandlerFns::new()` the compiler cannot tell `K` until the handler is added):
    ///
    /// ```no_run
    /// # fn demo(factory: kube_informer::SharedInformerFactory) {
    /// use k8s_openapi::api::apps::v1::Deployment;
    /// use kube_informer::TypedInformer;
    ///
    /// let deployments = TypedInformer::<Deployment>::new(factory);
    /// deployments.informer().add_event_handler(
    ///     deployments
    ///         .handlers()
    ///         .on_add(|d, _| println!("add {:?}", d.metadata.name))
    ///         .on_update(|old, new| println!("{:?} -> {:?}", old.spec, new.spec)),
    /// );
    /// # }
    /// ```
    pub fn handlers(&self) -> HandlerFns<K> {
        HandlerFns::new()
    }

    /// The factory.
    pub fn factory(&self) -> &SharedInformerFactory {
        &self.factory
    }
}
