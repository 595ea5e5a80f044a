//! The informer's pure state machine: watcher events in, cache changes and notifications out.
//!
//! A relist (the watcher's `Init`, `InitApply`..., `InitDone`, after a start, a 410, a dropped
//! watch or a restart) is buffered until `InitDone` and then diffed against the cache: new
//! objects are adds, objects whose resourceVersion changed are updates, and cached objects the
//! list no longer has are deletes with a tombstone. Unchanged objects notify nobody, so every
//! change reaches handlers exactly once.
//!
//! With a compressed cache the listed objects are held compressed until `InitDone` (and only
//! those that changed are decoded again, for their notifications), and the first list, into
//! an empty cache, is not held at all: each object is cached and notified as it arrives, so
//! that a large first list never has all its objects decoded at once.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use kube::Resource;
use kube::runtime::watcher;

use crate::handler::{DeleteEvent, DeletedFinalStateUnknown, Notification};
use crate::indexer::{Indexer, object_key};
use crate::storage::Slot;

/// Applies watcher events to an indexer.
pub struct Reflector<K> {
    indexer: Indexer<K>,
    relist: Option<Listing<K>>,
    synced: bool,
}

/// A list in progress.
struct Listing<K> {
    /// Objects cached as they arrive (the first list into an empty compressed cache): their
    /// keys.
    streamed: Option<HashSet<String>>,
    /// Objects held until the list is done, as the cache keeps them.
    held: HashMap<String, Slot<K>>,
}

/// `event` with its object (if it has one) mapped by `f`; `None` if `f` gives none.
pub(crate) fn map_event<A, B>(event: watcher::Event<A>, f: impl FnOnce(A) -> Option<B>) -> Option<watcher::Event<B>> {
    Some(match event {
        watcher::Event::Apply(object) => watcher::Event::Apply(f(object)?),
        watcher::Event::InitApply(object) => watcher::Event::InitApply(f(object)?),
        watcher::Event::Delete(object) => watcher::Event::Delete(f(object)?),
        watcher::Event::Init => watcher::Event::Init,
        watcher::Event::InitDone => watcher::Event::InitDone,
    })
}

impl<K: Resource + 'static> Reflector<K> {
    /// A reflector writing into `indexer`.
    pub fn new(indexer: Indexer<K>) -> Self {
        Reflector {
            indexer,
            relist: None,
            synced: false,
        }
    }

    /// Whether the first list has been applied.
    pub fn has_synced(&self) -> bool {
        self.synced
    }

    /// Forgets the sync (after the cache was cleared).
    pub fn reset(&mut self) {
        self.synced = false;
        self.relist = None;
    }

    /// Applies one event; pushes what handlers must hear to `out`. Returns true when this event
    /// completed the first sync.
    pub fn apply(&mut self, event: watcher::Event<Arc<K>>, out: &mut Vec<Notification<K>>) -> bool {
        match event {
            watcher::Event::Init => {
                let stream = !self.synced && self.indexer.is_compressed() && self.indexer.is_empty();
                self.relist = Some(Listing {
                    streamed: stream.then(HashSet::new),
                    held: HashMap::new(),
                });
                false
            }
            watcher::Event::InitApply(object) => {
                let listing = self.relist.get_or_insert_with(|| Listing {
                    streamed: None,
                    held: HashMap::new(),
                });
                let key = object_key(object.as_ref());
                match &mut listing.streamed {
                    Some(keys) => {
                        keys.insert(key.clone());
                        if !self
                            .indexer
                            .has_version(&key, object.meta().resource_version.as_deref())
                        {
                            match self.indexer.insert(key, object.clone()) {
                                None => out.push(Notification::Add {
                                    obj: object,
                                    is_initial_list: true,
                                }),
                                Some(old) => out.push(Notification::Update { old, new: object }),
                            }
                        }
                    }
                    None => {
                        listing.held.insert(key, self.indexer.pack(object));
                    }
                }
                false
            }
            watcher::Event::InitDone => {
                let Listing { streamed, held } = self.relist.take().unwrap_or(Listing {
                    streamed: None,
                    held: HashMap::new(),
                });
                let streamed = streamed.unwrap_or_default();
                let initial = !self.synced;
                for key in self.indexer.keys() {
                    if !held.contains_key(&key)
                        && !streamed.contains(&key)
                        && let Some(old) = self.indexer.remove(&key)
                    {
                        out.push(Notification::Delete(DeleteEvent::Tombstone(DeletedFinalStateUnknown {
                            key,
                            obj: old,
                        })));
                    }
                }
                let mut held: Vec<(String, Slot<K>)> = held.into_iter().collect();
                held.sort_by(|a, b| a.0.cmp(&b.0));
                for (key, slot) in held {
                    if self.indexer.has_version(&key, slot.resource_version()) {
                        continue;
                    }
                    match self.indexer.insert_slot(key, slot) {
                        (Some(new), None) => out.push(Notification::Add {
                            obj: new,
                            is_initial_list: initial,
                        }),
                        (Some(new), Some(old)) => out.push(Notification::Update { old, new }),
                        (None, _) => {}
                    }
                }
                self.synced = true;
                initial
            }
            watcher::Event::Apply(object) => {
                let key = object_key(object.as_ref());
                if self
                    .indexer
                    .has_version(&key, object.meta().resource_version.as_deref())
                {
                    return false;
                }
                match self.indexer.insert(key, object.clone()) {
                    Some(old) => out.push(Notification::Update { old, new: object }),
                    None => out.push(Notification::Add {
                        obj: object,
                        is_initial_list: false,
                    }),
                }
                false
            }
            watcher::Event::Delete(object) => {
                let key = object_key(object.as_ref());
                if self.indexer.remove(&key).is_some() {
                    out.push(Notification::Delete(DeleteEvent::Object(object)));
                }
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::ConfigMap;

    fn cm(name: &str, rv: &str) -> ConfigMap {
        let mut c = ConfigMap::default();
        c.metadata.namespace = Some("ns".into());
        c.metadata.name = Some(name.into());
        c.metadata.resource_version = Some(rv.into());
        c
    }

    fn describe(out: &[Notification<ConfigMap>]) -> Vec<String> {
        out.iter()
            .map(|n| match n {
                Notification::Add { obj, is_initial_list } => {
                    format!("add {} {}", obj.metadata.name.as_deref().unwrap(), is_initial_list)
                }
                Notification::Update { old, new } => format!(
                    "update {} {}->{}",
                    new.metadata.name.as_deref().unwrap(),
                    old.metadata.resource_version.as_deref().unwrap(),
                    new.metadata.resource_version.as_deref().unwrap()
                ),
                Notification::Delete(DeleteEvent::Object(o)) => {
                    format!("delete {}", o.metadata.name.as_deref().unwrap())
                }
                Notification::Delete(DeleteEvent::Tombstone(t)) => format!("tombstone {}", t.key),
            })
            .collect()
    }

    fn run(r: &mut Reflector<ConfigMap>, events: Vec<watcher::Event<ConfigMap>>) -> Vec<String> {
        let mut out = Vec::new();
        for e in events {
            let e = map_event(e, |o| Some(Arc::new(o))).expect("every object maps");
            r.apply(e, &mut out);
        }
        describe(&out)
    }

    #[test]
    fn first_list_then_watch_then_relist() {
        use watcher::Event::*;
        let indexer = Indexer::new();
        let mut r = Reflector::new(indexer.clone());
        let first = run(
            &mut r,
            vec![Init, InitApply(cm("a", "1")), InitApply(cm("b", "2")), InitDone],
        );
        assert_eq!(first, ["add a true", "add b true"]);
        assert!(r.has_synced());

        let watched = run(
            &mut r,
            vec![
                Apply(cm("c", "3")),
                Apply(cm("a", "4")),
                Apply(cm("a", "4")),
                Delete(cm("b", "5")),
            ],
        );
        assert_eq!(watched, ["add c false", "update a 1->4", "delete b"]);

        // A relist after a gap: c changed, a vanished, d appeared, e unchanged is not mentioned.
        let relist = run(
            &mut r,
            vec![Init, InitApply(cm("c", "7")), InitApply(cm("d", "8")), InitDone],
        );
        assert_eq!(relist, ["tombstone ns/a", "update c 3->7", "add d false"]);
        let mut keys = indexer.keys();
        keys.sort();
        assert_eq!(keys, ["ns/c", "ns/d"]);

        // The same list again changes nothing.
        assert!(
            run(
                &mut r,
                vec![Init, InitApply(cm("c", "7")), InitApply(cm("d", "8")), InitDone]
            )
            .is_empty()
        );
        // A delete for something not cached is not repeated.
        assert!(run(&mut r, vec![Delete(cm("zz", "9"))]).is_empty());
    }

    /// Compressed: the first list is cached and notified object by object as it arrives; a
    /// list started again before it was done, and later relists, are held and diffed.
    #[test]
    fn compressed_first_list_streams_then_relists_diff() {
        use watcher::Event::*;
        let indexer = Indexer::with_storage(crate::CacheStorage::compressed());
        let mut r = Reflector::new(indexer.clone());
        let mut out = Vec::new();
        for e in [Init, InitApply(cm("a", "1"))] {
            r.apply(map_event(e, |o| Some(Arc::new(o))).unwrap(), &mut out);
        }
        assert_eq!(describe(&out), ["add a true"], "notified before the list is done");
        assert_eq!(indexer.len(), 1);
        assert!(!r.has_synced());
        // The list starts again (the watcher retried it) without a.
        let rest = run(&mut r, vec![Init, InitApply(cm("b", "2")), InitDone]);
        assert_eq!(rest, ["tombstone ns/a", "add b true"]);
        assert!(r.has_synced());
        let relist = run(
            &mut r,
            vec![Init, InitApply(cm("b", "2")), InitApply(cm("c", "3")), InitDone],
        );
        assert_eq!(relist, ["add c false"], "unchanged b notifies nobody");
        assert_eq!(
            indexer.get("ns/c").unwrap().metadata.resource_version.as_deref(),
            Some("3")
        );
    }
}
