//! The indexer: a thread-safe cache of `Arc<K>` keyed `namespace/name`, with named indexes
//! (client-go's `cache.Indexer` and `threadSafeMap`).
//!
//! Writes change one object at a time under a short write lock; reads take a read lock and clone
//! `Arc`s, never the cache. With [`CacheStorage::compressed`] the objects are kept compressed
//! and reads decode them.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use kube::Resource;

use crate::storage::{CacheStorage, Packer, Slot};

/// The name of the namespace index every indexer has.
pub const NAMESPACE_INDEX: &str = "namespace";

/// An index function: the index values of an object (several, or none).
pub type IndexFn<K> = Arc<dyn Fn(&K) -> Vec<String> + Send + Sync>;

/// The cache key of an object: `namespace/name`, or `name` for cluster-scoped objects
/// (client-go's `MetaNamespaceKeyFunc`).
pub fn object_key<K: Resource>(object: &K) -> String {
    let meta = object.meta();
    let name = meta.name.as_deref().unwrap_or("");
    match meta.namespace.as_deref() {
        Some(ns) if !ns.is_empty() => format!("{ns}/{name}"),
        _ => name.to_owned(),
    }
}

/// Splits a key made by [`object_key`] into namespace and name.
pub fn split_key(key: &str) -> (Option<&str>, &str) {
    match key.split_once('/') {
        Some((ns, name)) => (Some(ns), name),
        None => (None, key),
    }
}

/// Errors of the indexer.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum IndexerError {
    /// No index of that name exists.
    #[error("no index named {0:?}")]
    NoSuchIndex(String),
    /// An index of that name exists already.
    #[error("an index named {0:?} exists already")]
    IndexExists(String),
}

/// A key, shared by the items and every index that lists it (one allocation per object).
type Key = Arc<str>;

struct State<K> {
    items: HashMap<Key, Slot<K>>,
    /// With compressed storage: what packs and unpacks the objects.
    packer: Option<Packer<K>>,
    indexers: HashMap<String, IndexFn<K>>,
    /// index name → index value → keys.
    indices: HashMap<String, HashMap<String, HashSet<Key>>>,
}

impl<K: Resource> State<K> {
    /// The slot for `object`.
    fn slot(&self, object: Arc<K>) -> Slot<K> {
        match &self.packer {
            Some(packer) => packer.pack(object),
            None => Slot::Object(object),
        }
    }

    /// The object in `slot` (decoded anew if it is compressed).
    fn object(&self, slot: &Slot<K>) -> Option<Arc<K>> {
        match (slot, &self.packer) {
            (Slot::Object(object), _) => Some(object.clone()),
            (packed, Some(packer)) => packer.unpack(packed),
            (Slot::Packed(_), None) => None,
        }
    }

    /// The object under `key`.
    fn get(&self, key: &str) -> Option<Arc<K>> {
        self.object(self.items.get(key)?)
    }

    /// Moves `key` from the index values of `old` (if any) to those of `new` (if any), index by
    /// index; an index whose values did not change is left alone.
    fn reindex(&mut self, key: &Key, old: Option<&K>, new: Option<&K>) {
        for (name, f) in &self.indexers {
            let index = self.indices.get_mut(name).expect("every indexer has an index");
            let old_values = old.map(|o| f(o)).unwrap_or_default();
            let new_values = new.map(|o| f(o)).unwrap_or_default();
            if old_values == new_values {
                continue;
            }
            for value in old_values {
                if let Some(keys) = index.get_mut(&value) {
                    keys.remove(key);
                    if keys.is_empty() {
                        index.remove(&value);
                    }
                }
            }
            for value in new_values {
                index.entry(value).or_default().insert(key.clone());
            }
        }
    }
}

/// A thread-safe, indexed cache of shared objects. Cloning it gives another handle to the same
/// cache.
pub struct Indexer<K> {
    state: Arc<RwLock<State<K>>>,
}

impl<K> Clone for Indexer<K> {
    fn clone(&self) -> Self {
        Indexer {
            state: self.state.clone(),
        }
    }
}

impl<K: Resource> std::fmt::Debug for Indexer<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Indexer")
            .field("len", &self.read().items.len())
            .finish()
    }
}

/// A read-only view of an informer's cache ([`SharedIndexInformer::indexer`]): every query of
/// [`Indexer`] and [`add_indexers`](Self::add_indexers) (client-go's `AddIndexers`), none of its
/// writes, so that no caller changes the cache without the handlers hearing of it (kube-runtime
/// splits its reflector's cache the same way, into `Store` and `Writer`).
///
/// [`SharedIndexInformer::indexer`]: crate::SharedIndexInformer::indexer
pub struct IndexerReader<K>(Indexer<K>);

impl<K> Clone for IndexerReader<K> {
    fn clone(&self) -> Self {
        IndexerReader(self.0.clone())
    }
}

impl<K: Resource> std::fmt::Debug for IndexerReader<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexerReader")
            .field("len", &self.0.read().items.len())
            .finish()
    }
}

impl<K: Resource> IndexerReader<K> {
    pub(crate) fn new(indexer: Indexer<K>) -> Self {
        IndexerReader(indexer)
    }

    /// [`Indexer::add_indexers`].
    pub fn add_indexers(&self, indexers: impl IntoIterator<Item = (String, IndexFn<K>)>) -> Result<(), IndexerError> {
        self.0.add_indexers(indexers)
    }
    /// [`Indexer::get`].
    pub fn get(&self, key: &str) -> Option<Arc<K>> {
        self.0.get(key)
    }
    /// [`Indexer::get_by`].
    pub fn get_by(&self, namespace: Option<&str>, name: &str) -> Option<Arc<K>> {
        self.0.get_by(namespace, name)
    }
    /// [`Indexer::list`].
    pub fn list(&self) -> Vec<Arc<K>> {
        self.0.list()
    }
    /// [`Indexer::keys`].
    pub fn keys(&self) -> Vec<String> {
        self.0.keys()
    }
    /// [`Indexer::entries`].
    pub fn entries(&self) -> Vec<(String, Arc<K>)> {
        self.0.entries()
    }
    /// [`Indexer::len`].
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// [`Indexer::is_empty`].
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// [`Indexer::by_index`].
    pub fn by_index(&self, index: &str, value: &str) -> Result<Vec<Arc<K>>, IndexerError> {
        self.0.by_index(index, value)
    }
    /// [`Indexer::for_each_in_index`].
    pub fn for_each_in_index(&self, index: &str, value: &str, f: impl FnMut(&Arc<K>)) -> Result<(), IndexerError> {
        self.0.for_each_in_index(index, value, f)
    }
    /// [`Indexer::index_keys`].
    pub fn index_keys(&self, index: &str, value: &str) -> Result<Vec<String>, IndexerError> {
        self.0.index_keys(index, value)
    }
    /// [`Indexer::list_index_values`].
    pub fn list_index_values(&self, index: &str) -> Result<Vec<String>, IndexerError> {
        self.0.list_index_values(index)
    }
    /// [`Indexer::index_names`].
    pub fn index_names(&self) -> Vec<String> {
        self.0.index_names()
    }
}

impl<K: Resource + 'static> Default for Indexer<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Resource + 'static> Indexer<K> {
    /// An empty cache with the namespace index.
    pub fn new() -> Self {
        Self::with_storage(CacheStorage::decoded())
    }

    /// An empty cache with the namespace index, keeping its objects as `storage` says.
    pub fn with_storage(storage: CacheStorage<K>) -> Self {
        let namespace: IndexFn<K> = Arc::new(|o: &K| o.meta().namespace.iter().cloned().collect());
        Indexer {
            state: Arc::new(RwLock::new(State {
                items: HashMap::new(),
                packer: storage.0.map(Packer::new),
                indexers: HashMap::from([(NAMESPACE_INDEX.to_owned(), namespace)]),
                indices: HashMap::from([(NAMESPACE_INDEX.to_owned(), HashMap::new())]),
            })),
        }
    }
}

impl<K: Resource> Indexer<K> {
    fn read(&self) -> RwLockReadGuard<'_, State<K>> {
        self.state.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
    fn write(&self) -> RwLockWriteGuard<'_, State<K>> {
        self.state.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds index functions; allowed after the cache is filled (existing objects are indexed).
    pub fn add_indexers(&self, indexers: impl IntoIterator<Item = (String, IndexFn<K>)>) -> Result<(), IndexerError> {
        let indexers: Vec<(String, IndexFn<K>)> = indexers.into_iter().collect();
        let mut state = self.write();
        for (name, _) in &indexers {
            if state.indexers.contains_key(name) {
                return Err(IndexerError::IndexExists(name.clone()));
            }
        }
        for (name, f) in indexers {
            let mut index: HashMap<String, HashSet<Key>> = HashMap::new();
            for (key, slot) in &state.items {
                let Some(object) = state.object(slot) else { continue };
                for value in f(&object) {
                    index.entry(value).or_default().insert(key.clone());
                }
            }
            state.indices.insert(name.clone(), index);
            state.indexers.insert(name, f);
        }
        Ok(())
    }

    /// Inserts or replaces the object under `key`; returns the previous one.
    pub fn insert(&self, key: String, object: Arc<K>) -> Option<Arc<K>> {
        // Compressed outside the write lock.
        let slot = self.pack(object.clone());
        let mut state = self.write();
        let key: Key = match state.items.get_key_value(key.as_str()) {
            Some((shared, _)) => shared.clone(),
            None => Arc::from(key),
        };
        let old = state.items.insert(key.clone(), slot).and_then(|old| state.object(&old));
        state.reindex(&key, old.as_deref(), Some(&object));
        old
    }

    /// Whether the object under `key` has `resource_version` (without decoding it).
    pub(crate) fn has_version(&self, key: &str, resource_version: Option<&str>) -> bool {
        let state = self.read();
        let Some(cached) = state.items.get(key).map(Slot::resource_version) else {
            return false;
        };
        cached.is_some() && cached == resource_version
    }

    /// Whether objects are kept compressed.
    pub(crate) fn is_compressed(&self) -> bool {
        self.read().packer.is_some()
    }

    /// `object` as this cache would keep it (compressed, for a compressed cache), outside the
    /// cache: for what the reflector holds during a relist.
    pub(crate) fn pack(&self, object: Arc<K>) -> Slot<K> {
        self.read().slot(object)
    }

    /// Inserts a slot made by [`Indexer::pack`]; returns the object in it and the previous
    /// one, decoded.
    pub(crate) fn insert_slot(&self, key: String, slot: Slot<K>) -> (Option<Arc<K>>, Option<Arc<K>>) {
        let mut state = self.write();
        let key: Key = match state.items.get_key_value(key.as_str()) {
            Some((shared, _)) => shared.clone(),
            None => Arc::from(key),
        };
        let new = state.object(&slot);
        let old = state.items.insert(key.clone(), slot).and_then(|old| state.object(&old));
        state.reindex(&key, old.as_deref(), new.as_deref());
        (new, old)
    }

    /// Removes the object under `key`; returns it.
    pub fn remove(&self, key: &str) -> Option<Arc<K>> {
        let mut state = self.write();
        let (key, old) = state.items.remove_entry(key)?;
        let old = state.object(&old)?;
        state.reindex(&key, Some(&old), None);
        Some(old)
    }

    /// Removes everything, freeing the memory.
    pub fn clear(&self) {
        let mut state = self.write();
        state.items = HashMap::new();
        if let Some(packer) = &state.packer {
            packer.reset();
        }
        for index in state.indices.values_mut() {
            *index = HashMap::new();
        }
    }

    /// The object under `key`.
    pub fn get(&self, key: &str) -> Option<Arc<K>> {
        self.read().get(key)
    }

    /// The object named `name` in `namespace` (or cluster-scoped when `None`).
    pub fn get_by(&self, namespace: Option<&str>, name: &str) -> Option<Arc<K>> {
        let state = self.read();
        match namespace {
            Some(ns) => {
                let mut key = String::with_capacity(ns.len() + 1 + name.len());
                key.push_str(ns);
                key.push('/');
                key.push_str(name);
                state.get(&key)
            }
            None => state.get(name),
        }
    }

    /// Every object.
    pub fn list(&self) -> Vec<Arc<K>> {
        let state = self.read();
        state.items.values().filter_map(|slot| state.object(slot)).collect()
    }

    /// Every key.
    pub fn keys(&self) -> Vec<String> {
        self.read().items.keys().map(|k| k.to_string()).collect()
    }

    /// Every object with its key.
    pub fn entries(&self) -> Vec<(String, Arc<K>)> {
        let state = self.read();
        state
            .items
            .iter()
            .filter_map(|(k, slot)| Some((k.to_string(), state.object(slot)?)))
            .collect()
    }

    /// How many objects it holds.
    pub fn len(&self) -> usize {
        self.read().items.len()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.read().items.is_empty()
    }

    /// Objects whose index `index` has value `value` (client-go's `ByIndex`).
    pub fn by_index(&self, index: &str, value: &str) -> Result<Vec<Arc<K>>, IndexerError> {
        let state = self.read();
        let idx = state
            .indices
            .get(index)
            .ok_or_else(|| IndexerError::NoSuchIndex(index.to_owned()))?;
        Ok(idx
            .get(value)
            .map(|keys| keys.iter().filter_map(|k| state.get(k)).collect())
            .unwrap_or_default())
    }

    /// Calls `f` on every object whose index `index` has value `value`, without collecting them.
    pub fn for_each_in_index(&self, index: &str, value: &str, mut f: impl FnMut(&Arc<K>)) -> Result<(), IndexerError> {
        let state = self.read();
        let idx = state
            .indices
            .get(index)
            .ok_or_else(|| IndexerError::NoSuchIndex(index.to_owned()))?;
        if let Some(keys) = idx.get(value) {
            for key in keys {
                if let Some(o) = state.get(key) {
                    f(&o);
                }
            }
        }
        Ok(())
    }

    /// Keys whose index `index` has value `value` (client-go's `IndexKeys`).
    pub fn index_keys(&self, index: &str, value: &str) -> Result<Vec<String>, IndexerError> {
        let state = self.read();
        let idx = state
            .indices
            .get(index)
            .ok_or_else(|| IndexerError::NoSuchIndex(index.to_owned()))?;
        Ok(idx
            .get(value)
            .map(|keys| keys.iter().map(|k| k.to_string()).collect())
            .unwrap_or_default())
    }

    /// Every value index `index` has (client-go's `ListIndexFuncValues`), sorted.
    pub fn list_index_values(&self, index: &str) -> Result<Vec<String>, IndexerError> {
        let state = self.read();
        let idx = state
            .indices
            .get(index)
            .ok_or_else(|| IndexerError::NoSuchIndex(index.to_owned()))?;
        Ok(idx.keys().cloned().collect::<BTreeSet<_>>().into_iter().collect())
    }

    /// The names of its indexes.
    pub fn index_names(&self) -> Vec<String> {
        self.read().indexers.keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;

    fn pod(ns: &str, name: &str, node: &str) -> Arc<Pod> {
        let mut p = Pod::default();
        p.metadata.namespace = Some(ns.into());
        p.metadata.name = Some(name.into());
        p.spec = Some(k8s_openapi::api::core::v1::PodSpec {
            node_name: Some(node.into()),
            ..Default::default()
        });
        Arc::new(p)
    }

    fn node_index() -> IndexFn<Pod> {
        Arc::new(|p: &Pod| p.spec.as_ref().and_then(|s| s.node_name.clone()).into_iter().collect())
    }

    #[test]
    fn indexes_follow_inserts_updates_and_removes() {
        indexes_follow(Indexer::new());
    }

    #[test]
    fn compressed_indexes_follow_inserts_updates_and_removes() {
        indexes_follow(Indexer::with_storage(CacheStorage::compressed()));
    }

    fn indexes_follow(idx: Indexer<Pod>) {
        idx.add_indexers([("node".to_owned(), node_index())]).unwrap();
        for (ns, name, node) in [("a", "p1", "n1"), ("a", "p2", "n2"), ("b", "p1", "n1")] {
            let p = pod(ns, name, node);
            idx.insert(object_key(p.as_ref()), p);
        }
        let mut on_n1 = idx.index_keys("node", "n1").unwrap();
        on_n1.sort();
        assert_eq!(on_n1, ["a/p1", "b/p1"]);
        assert_eq!(idx.by_index(NAMESPACE_INDEX, "a").unwrap().len(), 2);
        assert_eq!(idx.list_index_values("node").unwrap(), ["n1", "n2"]);

        // Moving a pod moves its index entry; removing the last one removes the value.
        idx.insert("a/p2".into(), pod("a", "p2", "n1"));
        assert_eq!(idx.list_index_values("node").unwrap(), ["n1"]);
        // Its namespace did not change: still indexed there, once.
        let mut in_a = idx.index_keys(NAMESPACE_INDEX, "a").unwrap();
        in_a.sort();
        assert_eq!(in_a, ["a/p1", "a/p2"]);
        idx.remove("a/p1");
        idx.remove("b/p1");
        assert_eq!(idx.index_keys("node", "n1").unwrap(), ["a/p2"]);
        assert_eq!(idx.index_keys(NAMESPACE_INDEX, "a").unwrap(), ["a/p2"]);
        assert_eq!(idx.list_index_values(NAMESPACE_INDEX).unwrap(), ["a"]);
        assert_eq!(
            idx.get_by(Some("a"), "p2").unwrap().metadata.name.as_deref(),
            Some("p2")
        );
        assert!(idx.get("a/p1").is_none());

        assert_eq!(
            idx.by_index("nope", "x").unwrap_err(),
            IndexerError::NoSuchIndex("nope".into())
        );
        assert_eq!(
            idx.add_indexers([("node".to_owned(), node_index())]).unwrap_err(),
            IndexerError::IndexExists("node".into())
        );
    }

    #[test]
    fn indexers_added_later_index_what_is_there() {
        for idx in [Indexer::new(), Indexer::with_storage(CacheStorage::compressed())] {
            idx.insert("a/p1".into(), pod("a", "p1", "n9"));
            idx.add_indexers([("node".to_owned(), node_index())]).unwrap();
            assert_eq!(idx.index_keys("node", "n9").unwrap(), ["a/p1"]);
            idx.clear();
            assert!(idx.is_empty());
            assert!(idx.list_index_values("node").unwrap().is_empty());
        }
    }

    /// Compressed, an object reads back equal to what was inserted (every field, unknown
    /// fields of a `DynamicObject` too), each read a new decode; versions are compared
    /// without one.
    #[test]
    fn compressed_objects_read_back_as_inserted() {
        let idx: Indexer<Pod> = Indexer::with_storage(CacheStorage::compressed());
        let mut p = (*pod("ns", "web-1", "n1")).clone();
        p.metadata.resource_version = Some("42".into());
        p.metadata.labels = Some([("app".to_owned(), "web".to_owned())].into());
        p.status = Some(k8s_openapi::api::core::v1::PodStatus {
            phase: Some("Running".into()),
            ..Default::default()
        });
        let p = Arc::new(p);
        assert!(idx.insert("ns/web-1".into(), p.clone()).is_none());
        let read = idx.get("ns/web-1").unwrap();
        assert_eq!(read, p);
        assert!(!Arc::ptr_eq(&read, &p), "a compressed cache decodes anew");
        assert!(idx.has_version("ns/web-1", Some("42")));
        assert!(!idx.has_version("ns/web-1", Some("43")));
        assert!(!idx.has_version("ns/web-2", Some("42")));
        assert_eq!(idx.list(), std::slice::from_ref(&p));
        assert_eq!(idx.by_index(NAMESPACE_INDEX, "ns").unwrap(), std::slice::from_ref(&p));
        let old = idx.insert("ns/web-1".into(), pod("ns", "web-1", "n2")).unwrap();
        assert_eq!(old, p, "the replaced object comes back decoded");
        assert_eq!(idx.remove("ns/web-1"), Some(pod("ns", "web-1", "n2")));
        assert!(idx.is_empty());

        let dynamic: Indexer<kube::core::DynamicObject> = Indexer::with_storage(CacheStorage::compressed());
        let object: kube::core::DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": "w", "namespace": "ns"},
            "spec": {"size": 3, "nested": {"list": [1, "two", null]}}
        }))
        .unwrap();
        dynamic.insert("ns/w".into(), Arc::new(object.clone()));
        assert_eq!(*dynamic.get("ns/w").unwrap(), object);
    }

    #[test]
    fn keys() {
        let p = pod("ns", "name", "n");
        assert_eq!(object_key(p.as_ref()), "ns/name");
        let mut node = k8s_openapi::api::core::v1::Node::default();
        node.metadata.name = Some("n1".into());
        assert_eq!(object_key(&node), "n1");
        assert_eq!(split_key("ns/name"), (Some("ns"), "name"));
        assert_eq!(split_key("n1"), (None, "n1"));
    }
}
