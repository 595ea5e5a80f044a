//! Watches and the history they resume from: each committed change goes to every open watch
//! whose selectors it concerns (as ADDED, MODIFIED or DELETED for that watch), and stays in a
//! bounded history, so that a watch from an older resourceVersion replays what it missed, or gets
//! `410 Expired` once that is compacted away.

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use kube_core::GroupVersionResource;
use kube_scheme::labels::LabelSelector;
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedSender;

use super::{Served, Shape, Store, parse_rv, present};
use crate::selectors::FieldSelector;
use crate::status::ApiError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change, kept in the history for watches that resume from an older resourceVersion.
pub(crate) struct Event {
    pub rv: u64,
    pub gvr: GroupVersionResource,
    pub ty: EventType,
    pub object: Arc<Value>,
    /// The object before the change, so that selector-filtered watches can tell an object that
    /// left their selection (DELETED) from one that entered it (ADDED).
    pub prev: Option<Arc<Value>>,
    full_json: OnceLock<Bytes>,
}

impl Event {
    fn object_json(&self) -> &Bytes {
        self.full_json
            .get_or_init(|| Bytes::from(serde_json::to_vec(&*self.object).expect("JSON values serialise")))
    }
}

/// A watch line: `{"type":"ADDED","object":{...}}\n`.
pub(crate) fn watch_line(ty: &str, object_json: &[u8]) -> Bytes {
    let mut line = Vec::with_capacity(object_json.len() + 32);
    line.extend_from_slice(b"{\"type\":\"");
    line.extend_from_slice(ty.as_bytes());
    line.extend_from_slice(b"\",\"object\":");
    line.extend_from_slice(object_json);
    line.extend_from_slice(b"}\n");
    Bytes::from(line)
}

/// `PartialObjectMetadata` for an object.
pub(crate) fn metadata_only(object: &Value) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": object.get("metadata").cloned().unwrap_or_else(|| json!({})),
    })
}

pub(crate) struct Watcher {
    /// The storage watched ([`Served::storage`]).
    pub gvr: GroupVersionResource,
    /// The version objects are presented in ([`Served::presents`]).
    pub presents: Option<String>,
    pub namespace: Option<String>,
    pub labels: LabelSelector,
    pub fields: FieldSelector,
    pub shape: Shape,
    /// Set when the client asked for Tables (`kubectl get -w`): each event is a one-row Table,
    /// the first with the column definitions.
    pub table: Option<(Served, crate::tables::IncludeObject)>,
    pub table_headers_sent: std::cell::Cell<bool>,
    pub tx: UnboundedSender<Bytes>,
}

impl Watcher {
    /// The JSON of `object` as this watcher wants it.
    fn render(&self, object: &Arc<Value>) -> Vec<u8> {
        let object = &present(self.presents.as_deref(), object);
        if let Some((served, include)) = &self.table {
            let rv = object.pointer("/metadata/resourceVersion").cloned().unwrap_or_default();
            let mut table = crate::tables::table(
                served,
                std::slice::from_ref(object),
                json!({"resourceVersion": rv}),
                *include,
            );
            if self.table_headers_sent.replace(true) {
                table["columnDefinitions"] = Value::Null;
            }
            return serde_json::to_vec(&table).expect("JSON values serialise");
        }
        match self.shape {
            Shape::Full => serde_json::to_vec(&**object),
            Shape::Metadata => serde_json::to_vec(&metadata_only(object)),
        }
        .expect("JSON values serialise")
    }

    pub(super) fn selects(&self, object: &Value) -> bool {
        if let Some(ns) = &self.namespace
            && object.pointer("/metadata/namespace").and_then(Value::as_str) != Some(ns.as_str())
        {
            return false;
        }
        self.labels.matches_json(object) && self.fields.matches(object)
    }

    /// The line this watcher sees for `event`, if any.
    fn line_for(&self, event: &Event) -> Option<Bytes> {
        let now = self.selects(&event.object);
        let before = event.prev.as_deref().is_some_and(|p| self.selects(p));
        let ty = match event.ty {
            EventType::Added if now => EventType::Added,
            EventType::Modified if now && before => EventType::Modified,
            EventType::Modified if now => EventType::Added,
            EventType::Modified if before => EventType::Deleted,
            EventType::Deleted if now || before => EventType::Deleted,
            _ => return None,
        };
        Some(match self.shape {
            Shape::Full
                if self.table.is_none()
                    && self
                        .presents
                        .as_deref()
                        .is_none_or(|v| event.object.get("apiVersion").and_then(Value::as_str) == Some(v)) =>
            {
                watch_line(ty.as_str(), event.object_json())
            }
            _ => watch_line(ty.as_str(), &self.render(&event.object)),
        })
    }
}

impl Store {
    /// Records a change: next resourceVersion already stamped on `object`.
    pub(super) fn commit(
        &mut self,
        gvr: GroupVersionResource,
        ty: EventType,
        object: Arc<Value>,
        prev: Option<Arc<Value>>,
    ) {
        let event = Arc::new(Event {
            rv: self.rv,
            gvr,
            ty,
            object,
            prev,
            full_json: OnceLock::new(),
        });
        self.watchers.retain(|_, w| {
            if w.gvr != event.gvr {
                return !w.tx.is_closed();
            }
            match w.line_for(&event) {
                Some(line) => w.tx.send(line).is_ok(),
                None => !w.tx.is_closed(),
            }
        });
        self.history.push_back(event);
        while self.history.len() > self.history_limit {
            let dropped = self.history.pop_front().expect("non-empty");
            self.compacted = dropped.rv;
        }
    }

    /// Starts a watch: replays what it must, then registers it, all under the caller's lock.
    pub fn watch(
        &mut self,
        served: &Served,
        watcher: Watcher,
        resource_version: Option<&str>,
        send_initial_events: bool,
    ) -> Result<u64, ApiError> {
        let start = match resource_version.filter(|r| !r.is_empty()) {
            Some("0") | None => None,
            Some(rv) => Some(parse_rv(rv)?),
        };
        if send_initial_events || start.is_none() {
            // Synthetic ADDED events for the current state, in key order.
            let items: Vec<Arc<Value>> = self
                .objects
                .get(&served.storage())
                .map(|t| t.values().filter(|o| watcher.selects(o)).cloned().collect())
                .unwrap_or_default();
            for object in items {
                let _ = watcher.tx.send(watch_line("ADDED", &watcher.render(&object)));
            }
            if send_initial_events {
                let _ = watcher.tx.send(self.bookmark_line(served, watcher.shape, true));
            }
        } else if let Some(rv) = start {
            if rv < self.compacted {
                return Err(ApiError::too_old_resource_version(rv, self.compacted + 1));
            }
            for event in self.history.iter().filter(|e| e.rv > rv && e.gvr == watcher.gvr) {
                if let Some(line) = watcher.line_for(event) {
                    let _ = watcher.tx.send(line);
                }
            }
        }
        let id = self.next_id;
        self.next_id += 1;
        self.watchers.insert(id, watcher);
        Ok(id)
    }

    pub fn bookmark_line(&self, served: &Served, shape: Shape, initial_events_end: bool) -> Bytes {
        let (kind, api_version) = match shape {
            Shape::Full => (served.kind().to_owned(), served.info.api_version().to_owned()),
            Shape::Metadata => ("PartialObjectMetadata".to_owned(), "meta.k8s.io/v1".to_owned()),
        };
        let mut metadata = json!({"resourceVersion": self.rv.to_string()});
        if initial_events_end {
            metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        let object = json!({"kind": kind, "apiVersion": api_version, "metadata": metadata});
        watch_line("BOOKMARK", &serde_json::to_vec(&object).expect("JSON values serialise"))
    }

    /// Sends a bookmark at the current resourceVersion to one watch, in order with its events.
    pub fn send_bookmark(&mut self, id: u64, served: &Served) {
        if let Some(w) = self.watchers.get(&id) {
            let line = self.bookmark_line(served, w.shape, false);
            if w.tx.send(line).is_err() {
                self.watchers.remove(&id);
            }
        }
    }

    pub fn forget_watch(&mut self, id: u64) {
        self.watchers.remove(&id);
    }

    /// Closes every open watch.
    pub fn drop_watches(&mut self) -> usize {
        let n = self.watchers.len();
        self.watchers.clear();
        n
    }

    /// Forgets the whole history: a watch from any version before now gets 410.
    pub fn compact(&mut self) {
        self.history.clear();
        self.compacted = self.rv;
        self.snapshots.clear();
    }

    /// Writes a line that is not JSON to every open watch.
    pub fn send_malformed(&mut self) -> usize {
        let mut n = 0;
        for w in self.watchers.values() {
            if w.tx
                .send(Bytes::from_static(b"{\"type\":\"MODIFIED\",\"object\":{not json\n"))
                .is_ok()
            {
                n += 1;
            }
        }
        n
    }

    pub fn open_watches(&self) -> usize {
        self.watchers.values().filter(|w| !w.tx.is_closed()).count()
    }
}
