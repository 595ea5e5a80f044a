//! The in-memory state: objects per resource, a global resourceVersion, a bounded event history
//! for watch resumption, and the open watches. Everything here runs under one lock, so each write
//! gets the next resourceVersion and reaches every watch in that order.
//!
//! One concern a file: this one has the tables and what is served; [`write`] the writes
//! (create, update, patch, delete, namespace lifecycle), [`list`] lists and continue tokens,
//! [`watch`] the watches and the history they resume from. What differs kind by kind (kube-apiserver's
//! registry strategies) is in [`crate::strategy`].

mod list;
mod watch;
mod write;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use kube_core::GroupVersionResource;
use kube_scheme::{KindInfo, Scheme, Scope};
use serde_json::{Value, json};

use crate::crd::{self, CrdResource};
use crate::status::ApiError;

use list::Snapshot;
pub(crate) use list::{ListQuery, ListResult};
use watch::Event;
pub(crate) use watch::{EventType, Watcher, metadata_only, watch_line};
pub(crate) use write::Patch;

/// `(namespace or "", name)`.
pub(crate) type Key = (String, String);

/// What a response carries: whole objects, or `PartialObjectMetadata`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    Full,
    Metadata,
}

/// A served resource: its kind info (scope, plural, whether it is built in), and the
/// CustomResourceDefinition's details when one defines it.
#[derive(Clone, Debug)]
pub(crate) struct Served {
    pub info: KindInfo,
    pub crd: Option<Arc<CrdResource>>,
}

impl Served {
    /// The table this resource's objects are kept in: one per CRD resource for all its served
    /// versions (the real server keeps one storage per CRD and converts on read; with the `None`
    /// conversion strategy only `apiVersion` changes), else one per group version resource.
    pub fn storage(&self) -> GroupVersionResource {
        match self.crd {
            Some(_) => crd_storage(&self.info.gvr()),
            None => self.info.gvr(),
        }
    }

    /// The version objects are presented in, when they may be stored in another one.
    pub fn presents(&self) -> Option<String> {
        self.crd.as_ref().map(|_| self.info.api_version().to_owned())
    }

    /// `object` as this resource's version presents it.
    pub fn present(&self, object: &Arc<Value>) -> Arc<Value> {
        present(self.presents().as_deref(), object)
    }

    pub fn group(&self) -> &str {
        &self.info.gvk().group
    }
    pub fn plural(&self) -> &str {
        self.info.plural()
    }
    pub fn kind(&self) -> &str {
        &self.info.gvk().kind
    }
    /// Whether the real server keeps `metadata.generation` for this kind: custom resources always;
    /// built-ins with a spec whose strategy tracks it, which in the core group are only pods and
    /// replication controllers (a ConfigMap, Secret, Service or Namespace has none).
    pub fn tracks_generation(&self, object: &Value) -> bool {
        if !self.info.is_builtin() {
            return true;
        }
        if self.group().is_empty() {
            return matches!(self.kind(), "Pod" | "ReplicationController");
        }
        object.get("spec").is_some()
    }
    pub fn namespaced(&self) -> bool {
        self.info.scope() == Scope::Namespaced
    }
    /// Whether the kind has a `status` subresource: every kind the scheme serves (see the crate's
    /// known differences), a CRD's kind only when it declares one.
    pub fn has_status(&self) -> bool {
        self.crd.as_ref().is_none_or(|c| c.status)
    }
    /// Whether these are CustomResourceDefinitions.
    pub fn is_crd(&self) -> bool {
        self.group() == crd::GROUP && self.plural() == crd::PLURAL
    }
    /// Whether these are Namespaces.
    pub fn is_namespace(&self) -> bool {
        self.group().is_empty() && self.plural() == "namespaces"
    }
}

/// The table of a CRD resource, whatever its version.
fn crd_storage(gvr: &GroupVersionResource) -> GroupVersionResource {
    GroupVersionResource::gvr(&gvr.group, "", &gvr.resource)
}

/// `object` with `api_version` (`None`: as stored).
fn present(api_version: Option<&str>, object: &Arc<Value>) -> Arc<Value> {
    match api_version {
        Some(version) if object.get("apiVersion").and_then(Value::as_str) != Some(version) => {
            let mut converted = (**object).clone();
            converted["apiVersion"] = json!(version);
            Arc::new(converted)
        }
        _ => object.clone(),
    }
}

pub(crate) struct Store {
    pub scheme: Scheme,
    pub rv: u64,
    pub objects: HashMap<GroupVersionResource, BTreeMap<Key, Arc<Value>>>,
    history: VecDeque<Arc<Event>>,
    history_limit: usize,
    /// Every event with a resourceVersion above this one is still in the history.
    compacted: u64,
    watchers: HashMap<u64, Watcher>,
    next_id: u64,
    snapshots: VecDeque<Snapshot>,
    pub require_namespaces: bool,
    /// The resources that stored CustomResourceDefinitions serve.
    pub crds: HashMap<GroupVersionResource, Arc<CrdResource>>,
}

fn now() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn meta_str<'a>(object: &'a Value, field: &str) -> Option<&'a str> {
    object
        .get("metadata")
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
}

/// Parses a client-supplied resourceVersion.
pub(crate) fn parse_rv(rv: &str) -> Result<u64, ApiError> {
    rv.parse::<u64>()
        .map_err(|_| ApiError::bad_request(format!("invalid resource version: {rv:?}")))
}

impl Store {
    pub fn new(scheme: Scheme, history_limit: usize) -> Self {
        let mut store = Store {
            scheme,
            rv: 0,
            objects: HashMap::new(),
            history: VecDeque::new(),
            history_limit,
            compacted: 0,
            watchers: HashMap::new(),
            next_id: 1,
            snapshots: VecDeque::new(),
            require_namespaces: true,
            crds: HashMap::new(),
        };
        // The namespaces every cluster has.
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let served = store
                .served(&GroupVersionResource::gvr("", "v1", "namespaces"))
                .expect("namespaces are built in");
            let body = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}, "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}});
            store
                .create(&served, None, body, false, None)
                .expect("seeding namespaces");
        }
        store
    }

    pub fn served(&self, gvr: &GroupVersionResource) -> Option<Served> {
        let crd = self.crds.get(gvr).cloned();
        match self.scheme.kind_for_resource(gvr) {
            Ok(info) => Some(Served {
                info: info.clone(),
                crd,
            }),
            Err(_) => crd.map(|crd| Served {
                info: crd.info.clone(),
                crd: Some(crd),
            }),
        }
    }

    /// The lowest address of the service CIDR `10.0.0.0/24` (kube-envtest's) that no Service
    /// holds, `10.0.0.1` left to the `kubernetes` service as on a real cluster.
    fn free_cluster_ip(&self) -> Option<String> {
        let taken: std::collections::HashSet<&str> = self
            .objects
            .get(&GroupVersionResource::gvr("", "v1", "services"))
            .into_iter()
            .flat_map(|t| t.values())
            .filter_map(|s| s.pointer("/spec/clusterIP").and_then(Value::as_str))
            .collect();
        (2..255)
            .map(|n| format!("10.0.0.{n}"))
            .find(|ip| !taken.contains(ip.as_str()))
    }

    /// Serves what the stored CustomResourceDefinitions define, after one of them was written:
    /// gives each the status the real server's controllers would (names accepted, established),
    /// starts serving new resources, and stops serving resources no CRD defines any more,
    /// deleting their objects (the real server's CRD finalizer does this before the CRD goes).
    pub fn sync_crds(&mut self) {
        let crd_gvr = GroupVersionResource::gvr(crd::GROUP, "v1", crd::PLURAL);
        let Some(served_crds) = self.served(&crd_gvr) else {
            return;
        };
        let stored: Vec<Arc<Value>> = self
            .objects
            .get(&crd_gvr)
            .map(|t| t.values().cloned().collect())
            .unwrap_or_default();
        let mut serving = HashMap::new();
        for object in &stored {
            if object.pointer("/metadata/deletionTimestamp").is_some() {
                continue;
            }
            let status = crd::accepted_status(object, &now());
            if object.get("status") != Some(&status) {
                let name = meta_str(object, "name").unwrap_or_default().to_owned();
                let mut next = (**object).clone();
                next["status"] = status;
                if let Err(err) = self.replace(&served_crds, None, &name, object, next, false, false, None) {
                    tracing::warn!(%name, message = %err.message, "cannot write a CRD's status");
                }
            }
            for resource in crd::resources_of(object).unwrap_or_default() {
                serving.insert(resource.info.gvr(), Arc::new(resource));
            }
        }
        let gone: Vec<GroupVersionResource> = self
            .crds
            .keys()
            .filter(|gvr| !serving.contains_key(*gvr))
            .cloned()
            .collect();
        let still_stored: std::collections::HashSet<GroupVersionResource> = serving.keys().map(crd_storage).collect();
        self.crds = serving;
        for gvr in gone {
            // A version no longer served leaves the objects to the others; the last one takes
            // them with it.
            if self.scheme.kind_for_resource(&gvr).is_ok() || still_stored.contains(&crd_storage(&gvr)) {
                continue;
            }
            let gvr = crd_storage(&gvr);
            let objects: Vec<(Key, Arc<Value>)> = self
                .objects
                .remove(&gvr)
                .map(|t| t.into_iter().collect())
                .unwrap_or_default();
            for (_, object) in objects {
                self.rv += 1;
                let mut gone = (*object).clone();
                gone["metadata"]["resourceVersion"] = json!(self.rv.to_string());
                self.commit(gvr.clone(), EventType::Deleted, Arc::new(gone), Some(object));
            }
        }
    }

    fn table(&mut self, gvr: &GroupVersionResource) -> &mut BTreeMap<Key, Arc<Value>> {
        self.objects.entry(gvr.clone()).or_default()
    }

    pub fn get(&self, served: &Served, namespace: Option<&str>, name: &str) -> Result<Arc<Value>, ApiError> {
        let key = (namespace.unwrap_or("").to_owned(), name.to_owned());
        self.objects
            .get(&served.storage())
            .and_then(|t| t.get(&key))
            .map(|o| served.present(o))
            .ok_or_else(|| ApiError::not_found(served.group(), served.plural(), name))
    }

    fn check_namespace(&self, served: &Served, namespace: Option<&str>) -> Result<(), ApiError> {
        if !served.namespaced() || !self.require_namespaces {
            return Ok(());
        }
        let ns = namespace.unwrap_or("");
        let exists = self
            .objects
            .get(&GroupVersionResource::gvr("", "v1", "namespaces"))
            .is_some_and(|t| t.contains_key(&(String::new(), ns.to_owned())));
        if exists {
            Ok(())
        } else {
            Err(ApiError::not_found("", "namespaces", ns))
        }
    }
}
