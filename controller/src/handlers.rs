//! Event handlers that turn informer events into queue keys: the object's own key, its
//! controlling owner's key, or keys a user function maps it to (client-go's
//! `cache.MetaNamespaceKeyFunc` handlers and sample-controller's `handleObject`,
//! controller-runtime's `EnqueueRequestForObject` / `EnqueueRequestForOwner` / `EnqueueRequestsFromMapFunc`).

use std::fmt;
use std::sync::Arc;

use kube::Resource;
use kube_informer::{DeleteEvent, ResourceEventHandler};

use crate::workqueue::RateLimitingQueue;

/// The key of an object in a queue: its namespace (none for cluster-scoped objects) and name
/// (client-go's `namespace/name` key, kube-runtime's `ObjectRef` without the type).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectRef {
    /// The namespace, for namespaced objects.
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
}

impl ObjectRef {
    /// The key of a namespaced object.
    pub fn new_namespaced(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        ObjectRef {
            namespace: Some(namespace.into()),
            name: name.into(),
        }
    }

    /// The key of a cluster-scoped object.
    pub fn new_cluster(name: impl Into<String>) -> Self {
        ObjectRef {
            namespace: None,
            name: name.into(),
        }
    }

    /// The key of `obj` (`None` if it has no name).
    pub fn from_obj<K: Resource>(obj: &K) -> Option<Self> {
        let meta = obj.meta();
        Some(ObjectRef {
            namespace: meta.namespace.clone().filter(|n| !n.is_empty()),
            name: meta.name.clone()?,
        })
    }

    /// Parses a client-go key (`namespace/name` or `name`).
    pub fn from_key(key: &str) -> Self {
        match key.split_once('/') {
            Some((namespace, name)) => ObjectRef::new_namespaced(namespace, name),
            None => ObjectRef::new_cluster(key),
        }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{ns}/{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

fn delete_key<K: Resource>(event: &DeleteEvent<K>) -> Option<ObjectRef> {
    match event {
        DeleteEvent::Object(obj) => ObjectRef::from_obj(obj.as_ref()),
        // A tombstone's key is the cache key the object had.
        DeleteEvent::Tombstone(t) => Some(ObjectRef::from_key(&t.key)),
    }
}

/// A handler that queues the key of every added, updated and deleted object (deletions found
/// by a relist, as tombstones, included).
///
/// ```no_run
/// # fn demo(informer: kube_informer::SharedIndexInformer<k8s_openapi::api::apps::v1::Deployment>) {
/// use kube_controller::{enqueue_keys, workqueue::RateLimitingQueue};
///
/// let queue = RateLimitingQueue::default();
/// informer.add_event_handler(enqueue_keys(queue.clone()));
/// # }
/// ```
pub fn enqueue_keys<K: Resource + Send + Sync + 'static>(
    queue: RateLimitingQueue<ObjectRef>,
) -> impl ResourceEventHandler<K> {
    EnqueueKeys { queue }
}

struct EnqueueKeys {
    queue: RateLimitingQueue<ObjectRef>,
}

impl<K: Resource + Send + Sync + 'static> ResourceEventHandler<K> for EnqueueKeys {
    fn on_add(&self, obj: &Arc<K>, _: bool) {
        if let Some(key) = ObjectRef::from_obj(obj.as_ref()) {
            self.queue.add(key);
        }
    }
    fn on_update(&self, _old: &Arc<K>, new: &Arc<K>) {
        if let Some(key) = ObjectRef::from_obj(new.as_ref()) {
            self.queue.add(key);
        }
    }
    fn on_delete(&self, event: &DeleteEvent<K>) {
        if let Some(key) = delete_key(event) {
            self.queue.add(key);
        }
    }
}

/// The key of `obj`'s controlling owner (`ownerReferences` with `controller: true`) if that
/// owner has the given `api_version` and `kind`. The owner is taken to be in `obj`'s namespace
/// (owners are in the same namespace as what they own, or cluster-scoped).
pub fn controller_owner_key<K: Resource>(obj: &K, api_version: &str, kind: &str) -> Option<ObjectRef> {
    let meta = obj.meta();
    let owner = meta
        .owner_references
        .as_ref()?
        .iter()
        .find(|r| r.controller == Some(true))?;
    if owner.kind != kind || owner.api_version != api_version {
        return None;
    }
    Some(ObjectRef {
        namespace: meta.namespace.clone().filter(|n| !n.is_empty()),
        name: owner.name.clone(),
    })
}

/// A handler that queues the key of the controlling owner of type `Owner` of every added,
/// updated and deleted object (sample-controller's `handleObject`): a Foo's key when one of the
/// Deployments it controls changes. On an update, the owners of the old and the new state are
/// both queued (if they differ).
///
/// ```no_run
/// # fn demo(informer: kube_informer::SharedIndexInformer<k8s_openapi::api::apps::v1::ReplicaSet>) {
/// use k8s_openapi::api::apps::v1::Deployment;
/// use kube_controller::{enqueue_owner, workqueue::RateLimitingQueue};
///
/// let queue = RateLimitingQueue::default();
/// informer.add_event_handler(enqueue_owner::<Deployment, _>(queue.clone()));
/// # }
/// ```
pub fn enqueue_owner<Owner, K>(queue: RateLimitingQueue<ObjectRef>) -> impl ResourceEventHandler<K>
where
    Owner: Resource<DynamicType = ()>,
    K: Resource + Send + Sync + 'static,
{
    enqueue_owner_of(
        queue,
        Owner::api_version(&()).into_owned(),
        Owner::kind(&()).into_owned(),
    )
}

/// [`enqueue_owner`] for an owner known by `api_version` (`group/version`, or `v1` for the
/// core group) and `kind` only (a dynamic type, say).
pub fn enqueue_owner_of<K: Resource + Send + Sync + 'static>(
    queue: RateLimitingQueue<ObjectRef>,
    api_version: impl Into<String>,
    kind: impl Into<String>,
) -> impl ResourceEventHandler<K> {
    let (api_version, kind) = (api_version.into(), kind.into());
    enqueue_mapped(queue, move |obj: &K| {
        controller_owner_key(obj, &api_version, &kind).into_iter().collect()
    })
}

/// A handler that queues whatever keys `map` gives for every added, updated (old and new
/// state) and deleted object.
///
/// ```no_run
/// # fn demo(informer: kube_informer::SharedIndexInformer<k8s_openapi::api::core::v1::ConfigMap>) {
/// use kube_controller::{ObjectRef, enqueue_mapped, workqueue::RateLimitingQueue};
///
/// let queue = RateLimitingQueue::default();
/// // Every ConfigMap labelled app=<name> concerns the Foo of that name.
/// informer.add_event_handler(enqueue_mapped(queue.clone(), |cm: &k8s_openapi::api::core::v1::ConfigMap| {
///     let app = cm.metadata.labels.as_ref().and_then(|l| l.get("app").cloned());
///     app.map(|name| ObjectRef::new_namespaced(cm.metadata.namespace.clone().unwrap_or_default(), name))
///         .into_iter()
///         .collect()
/// }));
/// # }
/// ```
pub fn enqueue_mapped<K, F>(queue: RateLimitingQueue<ObjectRef>, map: F) -> impl ResourceEventHandler<K>
where
    K: Resource + Send + Sync + 'static,
    F: Fn(&K) -> Vec<ObjectRef> + Send + Sync + 'static,
{
    EnqueueMapped { queue, map }
}

struct EnqueueMapped<F> {
    queue: RateLimitingQueue<ObjectRef>,
    map: F,
}

impl<K, F> ResourceEventHandler<K> for EnqueueMapped<F>
where
    K: Resource + Send + Sync + 'static,
    F: Fn(&K) -> Vec<ObjectRef> + Send + Sync + 'static,
{
    fn on_add(&self, obj: &Arc<K>, _: bool) {
        for key in (self.map)(obj) {
            self.queue.add(key);
        }
    }
    fn on_update(&self, old: &Arc<K>, new: &Arc<K>) {
        let new_keys = (self.map)(new);
        if !Arc::ptr_eq(old, new) {
            for key in (self.map)(old) {
                if !new_keys.contains(&key) {
                    self.queue.add(key);
                }
            }
        }
        for key in new_keys {
            self.queue.add(key);
        }
    }
    fn on_delete(&self, event: &DeleteEvent<K>) {
        for key in (self.map)(event.object()) {
            self.queue.add(key);
        }
    }
}
