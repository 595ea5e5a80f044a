//! The informer's pure state machine: watcher events in, cache changes and notifications out.
//!
//! A relist (the watcher's `Init`, `InitApply`..., `InitDone`, after a start, a 410, a dropped
//! watch or a restart) is buffered until `InitDone` and then diffed against the cache: new
//! objects are adds, objects whose resourceVersion changed are updates, and cached objects the
//! list no longer has are deletes with a tombstone. Unchanged objects notify nobody, so every
//! change reaches handlers exactly once.

use std::collections::HashMap;
use std::sync::Arc;

use kube::Resource;
use kube::runtime::watcher;

use crate::handler::{DeleteEvent, DeletedFinalStateUnknown, Notification};
use crate::indexer::{Indexer, object_key};

/// Applies watcher events to an indexer.
pub struct Reflector<K> {
    indexer: Indexer<K>,
    relist: Option<HashMap<String, Arc<K>>>,
    synced: bool,
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

fn same_version<K: Resource>(a: &K, b: &K) -> bool {
    let (a, b) = (
        a.meta().resource_version.as_deref(),
        b.meta().resource_version.as_deref(),
    );
    a.is_some() && a == b
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
                self.relist = Some(HashMap::new());
                false
            }
            watcher::Event::InitApply(object) => {
                self.relist
                    .get_or_insert_default()
                    .insert(object_key(object.as_ref()), object);
                false
            }
            watcher::Event::InitDone => {
                let listed = self.relist.take().unwrap_or_default();
                let initial = !self.synced;
                for (key, old) in self.indexer.entries() {
                    if !listed.contains_key(&key) {
                        self.indexer.remove(&key);
                        out.push(Notification::Delete(DeleteEvent::Tombstone(DeletedFinalStateUnknown {
                            key,
                            obj: old,
                        })));
                    }
                }
                let mut listed: Vec<(String, Arc<K>)> = listed.into_iter().collect();
                listed.sort_by(|a, b| a.0.cmp(&b.0));
                for (key, new) in listed {
                    match self.indexer.get(&key) {
                        None => {
                            self.indexer.insert(key, new.clone());
                            out.push(Notification::Add {
                                obj: new,
                                is_initial_list: initial,
                            });
                        }
                        Some(old) if !same_version(old.as_ref(), new.as_ref()) => {
                            self.indexer.insert(key, new.clone());
                            out.push(Notification::Update { old, new });
                        }
                        Some(_) => {}
                    }
                }
                self.synced = true;
                initial
            }
            watcher::Event::Apply(object) => {
                let key = object_key(object.as_ref());
                match self.indexer.get(&key) {
                    Some(old) if same_version(old.as_ref(), object.as_ref()) => {}
                    Some(old) => {
                        self.indexer.insert(key, object.clone());
                        out.push(Notification::Update { old, new: object });
                    }
                    None => {
                        self.indexer.insert(key, object.clone());
                        out.push(Notification::Add {
                            obj: object,
                            is_initial_list: false,
                        });
                    }
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
}
