//! The shared informer factory: one informer per kind per factory, started, synced and shut down
//! together (client-go's `SharedInformerFactory`).

use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::future::BoxFuture;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope};
use kube::api::Api;
use kube::runtime::watcher;
use kube::{Client, Resource};
use kube_core::{ApiResource, DynamicObject, GroupVersionResource, PartialObjectMeta, TypeMeta};
use kube_scheme::{Scheme, Scope};
use serde::de::DeserializeOwned;

use crate::informer::{InformerOptions, SharedIndexInformer, Transform};
use crate::storage::CacheStorage;

/// Builds the `Api` of a typed kind for a factory's namespace, by the kind's compile-time scope.
pub trait ScopeApi {
    /// The scope as a value.
    const SCOPE: Scope;
    /// `Api::namespaced` when a namespace is set and the kind is namespaced, else `Api::all`.
    fn api<K>(client: Client, namespace: Option<&str>) -> Api<K>
    where
        K: Resource<Scope = Self, DynamicType = ()>;
}

impl ScopeApi for NamespaceResourceScope {
    const SCOPE: Scope = Scope::Namespaced;
    fn api<K>(client: Client, namespace: Option<&str>) -> Api<K>
    where
        K: Resource<Scope = Self, DynamicType = ()>,
    {
        match namespace {
            Some(ns) => Api::namespaced(client, ns),
            None => Api::all(client),
        }
    }
}

impl ScopeApi for ClusterResourceScope {
    const SCOPE: Scope = Scope::Cluster;
    fn api<K>(client: Client, _namespace: Option<&str>) -> Api<K>
    where
        K: Resource<Scope = Self, DynamicType = ()>,
    {
        Api::all(client)
    }
}

/// Which informer: a Rust type, a dynamic resource, or metadata-only of a type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum InformerKey {
    Typed(TypeId),
    Dynamic(GroupVersionResource),
    Metadata(TypeId),
}

trait AnyInformer: Send + Sync {
    fn start(&self);
    fn is_started(&self) -> bool;
    fn has_synced(&self) -> bool;
    fn synced(&self) -> BoxFuture<'static, ()>;
    fn shutdown(&self) -> BoxFuture<'static, ()>;
    fn as_any(&self) -> &dyn Any;
}

impl<K> AnyInformer for SharedIndexInformer<K>
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    K::DynamicType: Clone + Send + Sync,
{
    fn start(&self) {
        self.run();
    }
    fn is_started(&self) -> bool {
        SharedIndexInformer::is_started(self)
    }
    fn has_synced(&self) -> bool {
        SharedIndexInformer::has_synced(self)
    }
    fn synced(&self) -> BoxFuture<'static, ()> {
        Box::pin(SharedIndexInformer::synced(self))
    }
    fn shutdown(&self) -> BoxFuture<'static, ()> {
        let me = self.clone();
        Box::pin(async move { me.shutdown().await })
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A change applied to every object's metadata before caching, in every informer of a factory.
pub type MetaTransform = Arc<dyn Fn(&mut ObjectMeta) + Send + Sync>;
/// A change to the list+watch of every informer of a factory (client-go's `TweakListOptions`).
pub type TweakListOptions = Arc<dyn Fn(watcher::Config) -> watcher::Config + Send + Sync>;

struct Entry {
    key: InformerKey,
    name: String,
    informer: Arc<dyn AnyInformer>,
}

struct FactoryInner {
    client: Client,
    scheme: Arc<Scheme>,
    namespace: Option<String>,
    tweak: Option<TweakListOptions>,
    transform: Option<MetaTransform>,
    default_resync: Option<Duration>,
    custom_resync: HashMap<TypeId, Duration>,
    backoff: crate::BackoffSettings,
    compact: bool,
    typed_transforms: Mutex<HashMap<TypeId, Box<dyn Any + Send + Sync>>>,
    /// Per kind: how its informer's cache keeps objects (a `CacheStorage<K>`), if not decoded.
    storages: Mutex<HashMap<TypeId, Box<dyn Any + Send + Sync>>>,
    informers: Mutex<Vec<Entry>>,
    shut_down: Mutex<bool>,
}

/// One informer per kind, shared; cloning gives another handle to the same factory.
///
/// ```no_run
/// # async fn demo(client: kube::Client) {
/// use std::time::Duration;
/// use k8s_openapi::api::apps::v1::Deployment;
/// use kube_informer::{HandlerFns, SharedInformerFactory};
///
/// let factory = SharedInformerFactory::new(client, Duration::from_secs(30));
/// let deployments = factory.informer::<Deployment>();
/// deployments.add_event_handler(HandlerFns::new().on_add(|d: &std::sync::Arc<Deployment>, _| {
///     println!("{:?}", d.metadata.name)
/// }));
/// factory.start();
/// factory.wait_for_cache_sync().await;
/// let web = deployments.lister().namespace("default").list(&"app=web".parse().unwrap());
/// factory.shutdown().await;
/// # }
/// ```
#[derive(Clone)]
pub struct SharedInformerFactory {
    inner: Arc<FactoryInner>,
}

impl Debug for SharedInformerFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedInformerFactory")
            .field("namespace", &self.inner.namespace)
            .finish_non_exhaustive()
    }
}

/// Options of a [`SharedInformerFactory`].
pub struct FactoryBuilder {
    client: Client,
    scheme: Option<Arc<Scheme>>,
    namespace: Option<String>,
    tweak: Option<TweakListOptions>,
    transform: Option<MetaTransform>,
    default_resync: Option<Duration>,
    custom_resync: HashMap<TypeId, Duration>,
    backoff: crate::BackoffSettings,
    compact: bool,
}

impl FactoryBuilder {
    /// Whether informers decode every list of an object at its exact length (default: yes);
    /// see [`InformerOptions::compact`].
    pub fn compact_objects(mut self, compact: bool) -> Self {
        self.compact = compact;
        self
    }
    /// Waits between retries of failed lists and watches (default: client-go's).
    pub fn backoff(mut self, backoff: crate::BackoffSettings) -> Self {
        self.backoff = backoff;
        self
    }
    /// Restricts namespaced kinds to one namespace (client-go's `WithNamespace`).
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }
    /// Changes every list+watch, for selectors (client-go's `WithTweakListOptions`).
    pub fn tweak_list_options(
        mut self,
        f: impl Fn(watcher::Config) -> watcher::Config + Send + Sync + 'static,
    ) -> Self {
        self.tweak = Some(Arc::new(f));
        self
    }
    /// Changes every object's metadata before caching (client-go's `WithTransform`), for example
    /// [`strip_managed_fields_meta`].
    pub fn transform(mut self, f: impl Fn(&mut ObjectMeta) + Send + Sync + 'static) -> Self {
        self.transform = Some(Arc::new(f));
        self
    }
    /// The resync period of handlers added without one (zero: none).
    pub fn default_resync(mut self, period: Duration) -> Self {
        self.default_resync = (!period.is_zero()).then_some(period);
        self
    }
    /// A resync period for one kind (client-go's `WithCustomResyncConfig`).
    pub fn custom_resync<K: 'static>(mut self, period: Duration) -> Self {
        self.custom_resync.insert(TypeId::of::<K>(), period);
        self
    }
    /// The scheme used to restore kinds of dynamic and metadata-only objects (default:
    /// [`Scheme::with_builtins`]).
    pub fn scheme(mut self, scheme: Arc<Scheme>) -> Self {
        self.scheme = Some(scheme);
        self
    }
    /// Builds the factory.
    pub fn build(self) -> SharedInformerFactory {
        SharedInformerFactory {
            inner: Arc::new(FactoryInner {
                client: self.client,
                scheme: self.scheme.unwrap_or_else(|| Arc::new(Scheme::with_builtins())),
                namespace: self.namespace,
                tweak: self.tweak,
                transform: self.transform,
                default_resync: self.default_resync,
                custom_resync: self.custom_resync,
                backoff: self.backoff,
                compact: self.compact,
                typed_transforms: Mutex::new(HashMap::new()),
                storages: Mutex::new(HashMap::new()),
                informers: Mutex::new(Vec::new()),
                shut_down: Mutex::new(false),
            }),
        }
    }
}

/// A ready metadata transform for [`FactoryBuilder::transform`]: drops `managedFields`.
pub fn strip_managed_fields_meta(meta: &mut ObjectMeta) {
    meta.managed_fields = None;
}

/// Errors of the factory.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FactoryError {
    /// The resource is not in the factory's scheme.
    #[error("no informer for {resource}: {source}")]
    UnknownResource {
        /// `group/version/resource`.
        resource: String,
        /// What the scheme said.
        #[source]
        source: Box<kube_scheme::SchemeError>,
    },
}

/// An informer's name, one format for every informer: `resource.version.group` (`pods.v1`,
/// `deployments.v1.apps`, as kubectl names resources), with ` (dynamic)` or ` (metadata)` after
/// it for those informers. Sync reports and handler thread names use it.
fn informer_name(group: &str, version: &str, resource: &str, qualifier: &str) -> String {
    let mut name = format!("{resource}.{version}");
    if !group.is_empty() {
        name.push('.');
        name.push_str(group);
    }
    name.push_str(qualifier);
    name
}

fn gvr_string(gvr: &GroupVersionResource) -> String {
    if gvr.group.is_empty() {
        format!("{}/{}", gvr.version, gvr.resource)
    } else {
        format!("{}/{}/{}", gvr.group, gvr.version, gvr.resource)
    }
}

impl SharedInformerFactory {
    /// A factory over all namespaces with `default_resync` for handlers (zero: no resync).
    pub fn new(client: Client, default_resync: Duration) -> Self {
        Self::builder(client).default_resync(default_resync).build()
    }

    /// A builder for the other options.
    pub fn builder(client: Client) -> FactoryBuilder {
        FactoryBuilder {
            client,
            scheme: None,
            namespace: None,
            tweak: None,
            transform: None,
            default_resync: None,
            custom_resync: HashMap::new(),
            backoff: crate::BackoffSettings::default(),
            compact: true,
        }
    }

    /// The client informers use.
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// The scheme used to restore kinds.
    pub fn scheme(&self) -> &Arc<Scheme> {
        &self.inner.scheme
    }

    fn informers(&self) -> MutexGuard<'_, Vec<Entry>> {
        self.inner
            .informers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Sets a transform for kind `K`, applied after the factory's own; takes effect for an
    /// informer created after this call.
    pub fn set_transform<K: 'static>(&self, f: impl Fn(&mut K) + Send + Sync + 'static) {
        let t: Transform<K> = Arc::new(f);
        self.inner
            .typed_transforms
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(TypeId::of::<K>(), Box::new(t));
    }

    /// Sets how the cache of kind `K`'s informer keeps its objects (decoded by default; see
    /// [`CacheStorage`]); takes effect for an informer created after this call.
    ///
    /// ```no_run
    /// # fn demo(factory: kube_informer::SharedInformerFactory) {
    /// use k8s_openapi::api::core::v1::Pod;
    /// // Many pods, read seldom: keep them compressed.
    /// factory.set_storage::<Pod>(kube_informer::CacheStorage::compressed());
    /// let pods = factory.informer::<Pod>();
    /// # }
    /// ```
    pub fn set_storage<K: 'static>(&self, storage: CacheStorage<K>) {
        self.inner
            .storages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(TypeId::of::<K>(), Box::new(storage));
    }

    fn options<K: Resource + 'static>(&self, name: String, type_key: TypeId) -> InformerOptions<K> {
        let mut config = watcher::Config::default();
        if let Some(tweak) = &self.inner.tweak {
            config = tweak(config);
        }
        let mut transforms: Vec<Transform<K>> = Vec::new();
        if let Some(t) = &self.inner.transform {
            let t = t.clone();
            transforms.push(Arc::new(move |o: &mut K| t(o.meta_mut())));
        }
        if let Some(t) = self
            .inner
            .typed_transforms
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&TypeId::of::<K>())
            .and_then(|b| b.downcast_ref::<Transform<K>>())
        {
            transforms.push(t.clone());
        }
        InformerOptions {
            config,
            transforms,
            watch_error_handler: None,
            default_resync: self
                .inner
                .custom_resync
                .get(&type_key)
                .copied()
                .or(self.inner.default_resync),
            name,
            backoff: self.inner.backoff,
            compact: self.inner.compact,
            storage: self
                .inner
                .storages
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get(&TypeId::of::<K>())
                .and_then(|b| b.downcast_ref::<CacheStorage<K>>())
                .cloned()
                .unwrap_or_default(),
        }
    }

    fn get_or_insert<K>(
        &self,
        key: InformerKey,
        make: impl FnOnce() -> (String, SharedIndexInformer<K>),
    ) -> SharedIndexInformer<K>
    where
        K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
        K::DynamicType: Clone + Send + Sync,
    {
        let mut informers = self.informers();
        if let Some(entry) = informers.iter().find(|e| e.key == key) {
            return entry
                .informer
                .as_any()
                .downcast_ref::<SharedIndexInformer<K>>()
                .expect("one key, one informer type")
                .clone();
        }
        let (name, informer) = make();
        informers.push(Entry {
            key,
            name,
            informer: Arc::new(informer.clone()),
        });
        informer
    }

    /// The informer of a typed kind; asking twice gives the same one.
    pub fn informer<K>(&self) -> SharedIndexInformer<K>
    where
        K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
        K::Scope: ScopeApi,
    {
        self.get_or_insert(InformerKey::Typed(TypeId::of::<K>()), || {
            let name = informer_name(&K::group(&()), &K::version(&()), &K::plural(&()), "");
            let api = <K::Scope as ScopeApi>::api::<K>(self.inner.client.clone(), self.inner.namespace.as_deref());
            let options = self.options::<K>(name.clone(), TypeId::of::<K>());
            (name, SharedIndexInformer::new(api, K::kind(&()).into_owned(), options))
        })
    }

    /// The informer of any resource as [`DynamicObject`]s; every object it hands out has its
    /// `kind`/`apiVersion` set.
    pub fn dynamic_informer(&self, resource: &ApiResource, scope: Scope) -> SharedIndexInformer<DynamicObject> {
        let gvr = GroupVersionResource::gvr(&resource.group, &resource.version, &resource.plural);
        self.get_or_insert(InformerKey::Dynamic(gvr.clone()), || {
            let name = informer_name(&gvr.group, &gvr.version, &gvr.resource, " (dynamic)");
            let api: Api<DynamicObject> = match (&self.inner.namespace, scope) {
                (Some(ns), Scope::Namespaced) => Api::namespaced_with(self.inner.client.clone(), ns, resource),
                _ => Api::all_with(self.inner.client.clone(), resource),
            };
            let mut options = self.options::<DynamicObject>(name.clone(), TypeId::of::<DynamicObject>());
            let types = TypeMeta {
                api_version: resource.api_version.clone(),
                kind: resource.kind.clone(),
            };
            options.transforms.insert(
                0,
                Arc::new(move |o: &mut DynamicObject| {
                    if o.types
                        .as_ref()
                        .is_none_or(|t| t.kind.is_empty() || t.api_version.is_empty())
                    {
                        o.types = Some(types.clone());
                    }
                }),
            );
            (name, SharedIndexInformer::new(api, resource.kind.clone(), options))
        })
    }

    /// The dynamic informer of a resource the factory's scheme knows (client-go's
    /// `ForResource`), or a typed error naming it.
    pub fn for_resource(&self, gvr: &GroupVersionResource) -> Result<SharedIndexInformer<DynamicObject>, FactoryError> {
        let info = self
            .inner
            .scheme
            .kind_for_resource(gvr)
            .map_err(|source| FactoryError::UnknownResource {
                resource: gvr_string(gvr),
                source: Box::new(source),
            })?;
        Ok(self.dynamic_informer(&info.api_resource(), info.scope()))
    }

    /// A metadata-only informer of a typed kind; its objects say `K`'s kind, not
    /// `PartialObjectMetadata`.
    pub fn metadata_informer<K>(&self) -> SharedIndexInformer<PartialObjectMeta<K>>
    where
        K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
        K::Scope: ScopeApi,
        PartialObjectMeta<K>: Resource<DynamicType = (), Scope = K::Scope>,
    {
        self.get_or_insert(InformerKey::Metadata(TypeId::of::<K>()), || {
            let name = informer_name(&K::group(&()), &K::version(&()), &K::plural(&()), " (metadata)");
            let api = <K::Scope as ScopeApi>::api::<PartialObjectMeta<K>>(
                self.inner.client.clone(),
                self.inner.namespace.as_deref(),
            );
            let mut options = self.options::<PartialObjectMeta<K>>(name.clone(), TypeId::of::<K>());
            let gvk = self.inner.scheme.gvk_for::<K>().ok();
            let types = TypeMeta {
                api_version: gvk
                    .as_ref()
                    .map_or_else(|| K::api_version(&()).into_owned(), |g| g.api_version()),
                kind: gvk.map_or_else(|| K::kind(&()).into_owned(), |g| g.kind),
            };
            options.transforms.insert(
                0,
                Arc::new(move |o: &mut PartialObjectMeta<K>| o.types = Some(types.clone())),
            );
            (name, SharedIndexInformer::new(api, K::kind(&()).into_owned(), options))
        })
    }

    /// Starts every informer not started yet; calling it again starts only new ones. Does
    /// nothing after [`shutdown`](Self::shutdown). Needs a tokio runtime.
    pub fn start(&self) {
        if *self
            .inner
            .shut_down
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
        {
            return;
        }
        for entry in self.informers().iter() {
            if !entry.informer.is_started() {
                entry.informer.start();
            }
        }
    }

    /// Waits until every started informer synced; reports each by name.
    pub async fn wait_for_cache_sync(&self) -> BTreeMap<String, bool> {
        self.wait_for_cache_sync_timeout(Duration::MAX).await
    }

    /// Waits until every started informer synced or `timeout` passed; reports each by name
    /// (`false`: not synced in time).
    pub async fn wait_for_cache_sync_timeout(&self, timeout: Duration) -> BTreeMap<String, bool> {
        let started: Vec<(String, Arc<dyn AnyInformer>)> = self
            .informers()
            .iter()
            .filter(|e| e.informer.is_started())
            .map(|e| (e.name.clone(), e.informer.clone()))
            .collect();
        // Woken by each informer as it syncs, not by polling.
        let all = futures::future::join_all(started.iter().map(|(_, informer)| informer.synced()));
        let _ = tokio::time::timeout(timeout, all).await;
        started
            .iter()
            .map(|(name, informer)| (name.clone(), informer.has_synced()))
            .collect()
    }

    /// Stops every watch, waits for every handler to finish what is queued, and empties every
    /// cache, freeing the memory. The factory does not start again.
    pub async fn shutdown(&self) {
        *self
            .inner
            .shut_down
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = true;
        let shutdowns: Vec<_> = self.informers().iter().map(|e| e.informer.shutdown()).collect();
        futures::future::join_all(shutdowns).await;
    }
}
