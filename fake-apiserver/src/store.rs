//! The in-memory state: objects per resource, a global resourceVersion, a bounded event history
//! for watch resumption, and the open watches. Everything here runs under one lock, so each write
//! gets the next resourceVersion and reaches every watch in that order.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use kube_core::GroupVersionResource;
use kube_scheme::labels::LabelSelector;
use kube_scheme::{KindInfo, Scheme, Scope};
use serde_json::{Map, Value, json};
use tokio::sync::mpsc::UnboundedSender;

use crate::selectors::FieldSelector;
use crate::status::ApiError;

/// `(namespace or "", name)`.
pub(crate) type Key = (String, String);

/// What a response carries: whole objects, or `PartialObjectMetadata`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    Full,
    Metadata,
}

/// A served resource: its kind info (scope, plural, whether it is built in).
#[derive(Clone, Debug)]
pub(crate) struct Served {
    pub info: KindInfo,
}

impl Served {
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
}

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
    pub gvr: GroupVersionResource,
    pub namespace: Option<String>,
    pub labels: LabelSelector,
    pub fields: FieldSelector,
    pub shape: Shape,
    pub tx: UnboundedSender<Bytes>,
}

impl Watcher {
    fn selects(&self, object: &Value) -> bool {
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
            Shape::Full => watch_line(ty.as_str(), event.object_json()),
            Shape::Metadata => {
                let json = serde_json::to_vec(&metadata_only(&event.object)).expect("JSON values serialise");
                watch_line(ty.as_str(), &json)
            }
        })
    }
}

/// A consistent list snapshot behind a continue token.
struct Snapshot {
    id: u64,
    rv: u64,
    items: Arc<Vec<Arc<Value>>>,
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
}

const SNAPSHOTS: usize = 32;

fn now() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|p| {
            !p.is_empty()
                && p.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && p.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty() && s.len() <= 63 && !s.contains('.') && is_dns_subdomain(s)
}

const SUBDOMAIN_MESSAGE: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MESSAGE: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/// The parts of an object whose change bumps `metadata.generation`: all but metadata and status.
fn spec_of(object: &Value) -> Map<String, Value> {
    object
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !matches!(k.as_str(), "metadata" | "status" | "kind" | "apiVersion"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
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

/// What a write did, for the response.
pub(crate) struct Written {
    pub object: Arc<Value>,
    pub created: bool,
}

/// List parameters after parsing.
pub(crate) struct ListQuery {
    pub namespace: Option<String>,
    pub labels: LabelSelector,
    pub fields: FieldSelector,
    pub limit: Option<usize>,
    pub continue_token: Option<String>,
    pub resource_version: Option<String>,
    pub resource_version_match: Option<String>,
}

pub(crate) struct ListResult {
    pub items: Vec<Arc<Value>>,
    pub rv: u64,
    pub continue_token: Option<String>,
    pub remaining: Option<usize>,
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
        };
        // The namespaces every cluster has.
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let served = store
                .served(&GroupVersionResource::gvr("", "v1", "namespaces"))
                .expect("namespaces are built in");
            let body = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}, "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}});
            store.create(&served, None, body, false).expect("seeding namespaces");
        }
        store
    }

    pub fn served(&self, gvr: &GroupVersionResource) -> Option<Served> {
        self.scheme
            .kind_for_resource(gvr)
            .ok()
            .map(|info| Served { info: info.clone() })
    }

    fn table(&mut self, gvr: &GroupVersionResource) -> &mut BTreeMap<Key, Arc<Value>> {
        self.objects.entry(gvr.clone()).or_default()
    }

    pub fn get(&self, served: &Served, namespace: Option<&str>, name: &str) -> Result<Arc<Value>, ApiError> {
        let key = (namespace.unwrap_or("").to_owned(), name.to_owned());
        self.objects
            .get(&served.info.gvr())
            .and_then(|t| t.get(&key))
            .cloned()
            .ok_or_else(|| ApiError::not_found(served.group(), served.plural(), name))
    }

    /// Records a change: next resourceVersion already stamped on `object`.
    fn commit(&mut self, gvr: GroupVersionResource, ty: EventType, object: Arc<Value>, prev: Option<Arc<Value>>) {
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

    /// Checks `kind`/`apiVersion` of a body against the resource it was sent to.
    pub fn check_type(served: &Served, body: &Value) -> Result<(), ApiError> {
        let kind = body.get("kind").and_then(Value::as_str).unwrap_or("");
        let api_version = body.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        if kind.is_empty() {
            return Err(ApiError::bad_request(format!(
                "Object 'Kind' is missing in '{}'",
                truncate(body)
            )));
        }
        if api_version.is_empty() {
            return Err(ApiError::bad_request(format!(
                "Object 'apiVersion' is missing in '{}'",
                truncate(body)
            )));
        }
        if api_version != served.info.api_version() {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({api_version}) does not match the expected API version ({})",
                served.info.api_version()
            )));
        }
        if kind != served.kind() {
            return Err(ApiError::bad_request(format!(
                "the kind in the data ({kind}) does not match the expected kind ({})",
                served.kind()
            )));
        }
        Ok(())
    }

    fn validate_name(served: &Served, name: &str) -> Result<(), ApiError> {
        // Namespaces (and a few others) must be DNS labels; most kinds DNS subdomains.
        let (ok, message) = if served.plural() == "namespaces" {
            (is_dns_label(name), LABEL_MESSAGE)
        } else {
            (is_dns_subdomain(name), SUBDOMAIN_MESSAGE)
        };
        if ok {
            return Ok(());
        }
        Err(ApiError::invalid(
            served.group(),
            served.kind(),
            name,
            vec![(
                "metadata.name".into(),
                "FieldValueInvalid".into(),
                format!("Invalid value: \"{name}\": {message}"),
            )],
        ))
    }

    pub fn create(
        &mut self,
        served: &Served,
        namespace: Option<&str>,
        mut body: Value,
        dry_run: bool,
    ) -> Result<Written, ApiError> {
        Self::check_type(served, &body)?;
        let Some(meta) = body.get_mut("metadata").and_then(Value::as_object_mut) else {
            return Err(ApiError::invalid(
                served.group(),
                served.kind(),
                "",
                vec![(
                    "metadata.name".into(),
                    "FieldValueRequired".into(),
                    "Required value: name or generateName is required".into(),
                )],
            ));
        };
        // Namespace: the URL's; a different one in the body is a bad request.
        if served.namespaced() {
            let url_ns = namespace.unwrap_or("");
            match meta.get("namespace").and_then(Value::as_str) {
                Some(ns) if !ns.is_empty() && ns != url_ns => {
                    return Err(ApiError::bad_request(
                        "the namespace of the provided object does not match the namespace sent on the request",
                    ));
                }
                _ => {
                    meta.insert("namespace".into(), json!(url_ns));
                }
            }
        } else {
            meta.remove("namespace");
        }
        let name = match meta.get("name").and_then(Value::as_str).filter(|n| !n.is_empty()) {
            Some(name) => name.to_owned(),
            None => match meta
                .get("generateName")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
            {
                Some(prefix) => {
                    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
                    let random = uuid::Uuid::new_v4();
                    let suffix: String = random.as_bytes()[..5]
                        .iter()
                        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
                        .collect();
                    format!("{prefix}{suffix}")
                }
                None => {
                    return Err(ApiError::invalid(
                        served.group(),
                        served.kind(),
                        "",
                        vec![(
                            "metadata.name".into(),
                            "FieldValueRequired".into(),
                            "Required value: name or generateName is required".into(),
                        )],
                    ));
                }
            },
        };
        Self::validate_name(served, &name)?;
        self.check_namespace(served, namespace)?;
        let key = (
            if served.namespaced() {
                namespace.unwrap_or("").to_owned()
            } else {
                String::new()
            },
            name.clone(),
        );
        let gvr = served.info.gvr();
        if self.objects.get(&gvr).is_some_and(|t| t.contains_key(&key)) {
            return Err(ApiError::already_exists(served.group(), served.plural(), &name));
        }
        let rv = self.rv + 1;
        let tracks_generation = served.tracks_generation(&body);
        let meta = body["metadata"].as_object_mut().expect("checked above");
        meta.insert("name".into(), json!(name));
        meta.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
        meta.insert("resourceVersion".into(), json!(rv.to_string()));
        meta.insert("creationTimestamp".into(), json!(now()));
        if tracks_generation {
            meta.insert("generation".into(), json!(1));
        } else {
            meta.remove("generation");
        }
        meta.remove("deletionTimestamp");
        meta.remove("deletionGracePeriodSeconds");
        let object = Arc::new(body);
        if dry_run {
            return Ok(Written { object, created: true });
        }
        self.rv = rv;
        self.table(&gvr).insert(key, object.clone());
        self.commit(gvr, EventType::Added, object.clone(), None);
        Ok(Written { object, created: true })
    }

    /// Replaces an object (PUT), or only its status (`status` set).
    pub fn update(
        &mut self,
        served: &Served,
        namespace: Option<&str>,
        name: &str,
        body: Value,
        status_only: bool,
        dry_run: bool,
    ) -> Result<Written, ApiError> {
        Self::check_type(served, &body)?;
        let current = self.get(served, namespace, name)?;
        let body_name = meta_str(&body, "name").unwrap_or("");
        if body_name != name {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({body_name}) does not match the name on the URL ({name})"
            )));
        }
        if served.namespaced()
            && let Some(ns) = meta_str(&body, "namespace").filter(|n| !n.is_empty())
            && Some(ns) != namespace
        {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        if let Some(rv) = meta_str(&body, "resourceVersion").filter(|r| !r.is_empty())
            && rv != meta_str(&current, "resourceVersion").unwrap_or("")
        {
            return Err(ApiError::stale(served.group(), served.plural(), name));
        }
        let next = split_status(&current, body, status_only);
        self.replace(served, namespace, name, &current, next, dry_run)
    }

    /// Stores `next` in place of `current`, keeping server-managed metadata and bumping the
    /// generation on spec changes. Finishes a deletion when the last finalizer goes.
    fn replace(
        &mut self,
        served: &Served,
        namespace: Option<&str>,
        name: &str,
        current: &Arc<Value>,
        mut next: Value,
        dry_run: bool,
    ) -> Result<Written, ApiError> {
        if !next.get("metadata").is_some_and(Value::is_object) {
            next["metadata"] = json!({});
        }
        let rv = self.rv + 1;
        let generation = current
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        let generation = if spec_of(&next) != spec_of(current) {
            generation + 1
        } else {
            generation
        };
        {
            let meta = next["metadata"].as_object_mut().expect("set above");
            for keep in [
                "uid",
                "creationTimestamp",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "namespace",
            ] {
                match current.pointer(&format!("/metadata/{keep}")) {
                    Some(v) => meta.insert(keep.into(), v.clone()),
                    None => meta.remove(keep),
                };
            }
            meta.insert("name".into(), json!(name));
            if served.tracks_generation(current) {
                meta.insert("generation".into(), json!(generation));
            } else {
                meta.remove("generation");
            }
            meta.insert("resourceVersion".into(), json!(rv.to_string()));
        }
        next["kind"] = json!(served.kind());
        next["apiVersion"] = json!(served.info.api_version());
        if *current.as_ref() == next_without_rv(&next, current) {
            // Nothing changed: the real server answers with the stored object and no event.
            return Ok(Written {
                object: current.clone(),
                created: false,
            });
        }
        let finalizers_left = next
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .is_some_and(|f| !f.is_empty());
        let deleting = next.pointer("/metadata/deletionTimestamp").is_some();
        let object = Arc::new(next);
        if dry_run {
            return Ok(Written { object, created: false });
        }
        self.rv = rv;
        let gvr = served.info.gvr();
        let key = (namespace.unwrap_or("").to_owned(), name.to_owned());
        if deleting && !finalizers_left {
            self.table(&gvr).remove(&key);
            self.commit(gvr, EventType::Deleted, object.clone(), Some(current.clone()));
        } else {
            self.table(&gvr).insert(key, object.clone());
            self.commit(gvr, EventType::Modified, object.clone(), Some(current.clone()));
        }
        Ok(Written { object, created: false })
    }

    /// Applies a merge or JSON patch (or a server-side apply, approximated as a merge).
    pub fn patch(
        &mut self,
        served: &Served,
        namespace: Option<&str>,
        name: &str,
        patch: Patch,
        status_only: bool,
        dry_run: bool,
    ) -> Result<Written, ApiError> {
        let current = match self.get(served, namespace, name) {
            Ok(current) => current,
            Err(not_found) => {
                // Server-side apply creates what is missing.
                if let Patch::Apply(body) = patch {
                    return self.create(served, namespace, body, dry_run);
                }
                return Err(not_found);
            }
        };
        let mut next = (*current).clone();
        match patch {
            Patch::Merge(p) | Patch::Apply(p) => json_patch::merge(&mut next, &p),
            Patch::Json(p) => json_patch::patch(&mut next, &p).map_err(|e| {
                ApiError::new(
                    422,
                    "Invalid",
                    format!("the server rejected our request due to an error in our request: {e}"),
                )
            })?,
        }
        if let Some(rv) = meta_str(&next, "resourceVersion").filter(|r| !r.is_empty())
            && rv != meta_str(&current, "resourceVersion").unwrap_or("")
        {
            return Err(ApiError::stale(served.group(), served.plural(), name));
        }
        if meta_str(&next, "name") != Some(name) {
            return Err(ApiError::bad_request(
                "metadata.name: the name of a patched object cannot change",
            ));
        }
        let next = split_status(&current, next, status_only);
        self.replace(served, namespace, name, &current, next, dry_run)
    }

    /// Deletes an object: at once, or (with finalizers) by setting `deletionTimestamp`.
    pub fn delete(
        &mut self,
        served: &Served,
        namespace: Option<&str>,
        name: &str,
        preconditions: (Option<String>, Option<String>),
        dry_run: bool,
    ) -> Result<Arc<Value>, ApiError> {
        let current = self.get(served, namespace, name)?;
        let (uid, rv) = preconditions;
        if let Some(uid) = uid
            && Some(uid.as_str()) != meta_str(&current, "uid")
        {
            return Err(ApiError::conflict(
                served.group(),
                served.plural(),
                name,
                &format!(
                    "Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
                    meta_str(&current, "uid").unwrap_or("")
                ),
            ));
        }
        if let Some(rv) = rv
            && Some(rv.as_str()) != meta_str(&current, "resourceVersion")
        {
            return Err(ApiError::conflict(
                served.group(),
                served.plural(),
                name,
                &format!(
                    "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {}",
                    meta_str(&current, "resourceVersion").unwrap_or("")
                ),
            ));
        }
        let has_finalizers = current
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .is_some_and(|f| !f.is_empty());
        if has_finalizers {
            if current.pointer("/metadata/deletionTimestamp").is_some() {
                return Ok(current);
            }
            let mut next = (*current).clone();
            next["metadata"]["deletionTimestamp"] = json!(now());
            next["metadata"]["deletionGracePeriodSeconds"] = json!(0);
            // `replace` keeps deletionTimestamp from the current object, so store directly.
            let rv = self.rv + 1;
            next["metadata"]["resourceVersion"] = json!(rv.to_string());
            let object = Arc::new(next);
            if dry_run {
                return Ok(object);
            }
            self.rv = rv;
            let gvr = served.info.gvr();
            self.table(&gvr)
                .insert((namespace.unwrap_or("").to_owned(), name.to_owned()), object.clone());
            self.commit(gvr, EventType::Modified, object.clone(), Some(current));
            return Ok(object);
        }
        if dry_run {
            return Ok(current);
        }
        self.rv += 1;
        let mut gone = (*current).clone();
        gone["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        let gone = Arc::new(gone);
        let gvr = served.info.gvr();
        self.table(&gvr)
            .remove(&(namespace.unwrap_or("").to_owned(), name.to_owned()));
        // A namespace takes its objects with it.
        if served.plural() == "namespaces" && served.group().is_empty() {
            self.delete_namespace_contents(name);
        }
        self.commit(gvr, EventType::Deleted, gone.clone(), Some(current));
        Ok(gone)
    }

    fn delete_namespace_contents(&mut self, namespace: &str) {
        let mut doomed = Vec::new();
        for (gvr, table) in &self.objects {
            for (key, object) in table.range((namespace.to_owned(), String::new())..) {
                if key.0 != namespace {
                    break;
                }
                doomed.push((gvr.clone(), key.clone(), object.clone()));
            }
        }
        for (gvr, key, object) in doomed {
            self.rv += 1;
            let mut gone = (*object).clone();
            gone["metadata"]["resourceVersion"] = json!(self.rv.to_string());
            self.table(&gvr).remove(&key);
            self.commit(gvr, EventType::Deleted, Arc::new(gone), Some(object));
        }
    }

    /// The objects a list returns, in key order, with consistent pagination.
    pub fn list(&mut self, served: &Served, query: &ListQuery) -> Result<ListResult, ApiError> {
        let (snapshot_rv, items, offset) = match &query.continue_token {
            Some(token) => {
                let (id, offset) = decode_continue(token)?;
                let Some(snapshot) = self.snapshots.iter().find(|s| s.id == id) else {
                    return Err(ApiError::expired(
                        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
                    ));
                };
                (snapshot.rv, snapshot.items.clone(), offset)
            }
            None => {
                if let Some(rv) = query.resource_version.as_deref().filter(|r| !r.is_empty() && *r != "0") {
                    let rv = parse_rv(rv)?;
                    if rv > self.rv {
                        return Err(ApiError::new(
                            504,
                            "Timeout",
                            format!("Too large resource version: {rv}, current: {}", self.rv),
                        ));
                    }
                    if query.resource_version_match.as_deref() == Some("Exact") && rv != self.rv {
                        // Only the newest state is kept: an older exact version is gone.
                        return Err(ApiError::too_old_resource_version(rv, self.rv));
                    }
                }
                let items: Vec<Arc<Value>> = self
                    .objects
                    .get(&served.info.gvr())
                    .map(|table| {
                        let range: Box<dyn Iterator<Item = (&Key, &Arc<Value>)>> = match &query.namespace {
                            Some(ns) => Box::new(
                                table
                                    .range((ns.clone(), String::new())..)
                                    .take_while(move |(k, _)| &k.0 == ns),
                            ),
                            None => Box::new(table.iter()),
                        };
                        range
                            .filter(|(_, o)| query.labels.matches_json(o) && query.fields.matches(o))
                            .map(|(_, o)| o.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                (self.rv, Arc::new(items), 0)
            }
        };
        let limit = query.limit.filter(|l| *l > 0);
        let end = limit.map_or(items.len(), |l| (offset + l).min(items.len()));
        let page: Vec<Arc<Value>> = items.get(offset..end).map(<[_]>::to_vec).unwrap_or_default();
        let (continue_token, remaining) = if end < items.len() {
            let id = match &query.continue_token {
                Some(token) => decode_continue(token)?.0,
                None => {
                    let id = self.next_id;
                    self.next_id += 1;
                    self.snapshots.push_back(Snapshot {
                        id,
                        rv: snapshot_rv,
                        items: items.clone(),
                    });
                    while self.snapshots.len() > SNAPSHOTS {
                        self.snapshots.pop_front();
                    }
                    id
                }
            };
            (Some(encode_continue(id, end, snapshot_rv)), Some(items.len() - end))
        } else {
            (None, None)
        };
        Ok(ListResult {
            items: page,
            rv: snapshot_rv,
            continue_token,
            remaining,
        })
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
                .get(&served.info.gvr())
                .map(|t| t.values().filter(|o| watcher.selects(o)).cloned().collect())
                .unwrap_or_default();
            for object in items {
                let json = match watcher.shape {
                    Shape::Full => serde_json::to_vec(&*object),
                    Shape::Metadata => serde_json::to_vec(&metadata_only(&object)),
                }
                .expect("JSON values serialise");
                let _ = watcher.tx.send(watch_line("ADDED", &json));
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

/// The status-subresource rule: a write to the status subresource changes only the status (the
/// rest stays `current`'s); a write to the main resource changes everything but the status.
fn split_status(current: &Value, mut written: Value, status_only: bool) -> Value {
    let (mut next, status) = if status_only {
        let status = written.get_mut("status").map(Value::take);
        (current.clone(), status)
    } else {
        (written, current.get("status").cloned())
    };
    match status {
        Some(status) => next["status"] = status,
        None => {
            if let Some(map) = next.as_object_mut() {
                map.remove("status");
            }
        }
    }
    next
}

/// `next` with the current object's resourceVersion, to tell a no-op write.
fn next_without_rv(next: &Value, current: &Value) -> Value {
    let mut probe = next.clone();
    probe["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"].clone();
    probe
}

fn encode_continue(id: u64, offset: usize, rv: u64) -> String {
    use base64::Engine;
    let token = json!({"v": "meta.k8s.io/v1", "rv": rv, "start": format!("{id}:{offset}")});
    base64::engine::general_purpose::STANDARD.encode(token.to_string())
}

fn decode_continue(token: &str) -> Result<(u64, usize), ApiError> {
    use base64::Engine;
    let bad = || ApiError::bad_request(format!("invalid continue token: {token:?}"));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(token)
        .map_err(|_| bad())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    let start = value.get("start").and_then(Value::as_str).ok_or_else(bad)?;
    let (id, offset) = start.split_once(':').ok_or_else(bad)?;
    Ok((id.parse().map_err(|_| bad())?, offset.parse().map_err(|_| bad())?))
}

fn truncate(body: &Value) -> String {
    let mut text = body.to_string();
    if text.len() > 200 {
        let mut cut = 200;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text
}

/// A patch body by its content type.
pub(crate) enum Patch {
    Merge(Value),
    Json(json_patch::Patch),
    Apply(Value),
}
