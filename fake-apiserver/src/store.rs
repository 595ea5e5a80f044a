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

use crate::crd::{self, CrdResource};
use crate::selectors::FieldSelector;
use crate::ssa::Writer;
use crate::status::ApiError;

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
    /// The resources that stored CustomResourceDefinitions serve.
    pub crds: HashMap<GroupVersionResource, Arc<CrdResource>>,
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
                if let Err(err) = self.replace(&served_crds, None, &name, object, next, false, None) {
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

    /// Prunes, defaults and checks a custom resource against its CRD's schema (see
    /// [`crd::apply_schema`]); 422 Invalid when required fields are missing.
    fn apply_crd_schema(served: &Served, body: &mut Value) -> Result<(), ApiError> {
        let Some(schema) = served.crd.as_ref().and_then(|c| c.schema.as_ref()) else {
            return Ok(());
        };
        let causes = crd::apply_schema(body, schema);
        if causes.is_empty() {
            return Ok(());
        }
        let name = meta_str(body, "name").unwrap_or_default().to_owned();
        let mut error = ApiError::invalid(served.group(), served.kind(), &name, causes);
        error.message = error.message.replacen(
            &format!("{} \"", served.kind()),
            &format!("{}.{} \"", served.kind(), served.group()),
            1,
        );
        Err(error)
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

    /// Creates an object; `writer` (none for server-side apply, which records its own manager)
    /// is recorded as its `Update` manager.
    pub fn create(
        &mut self,
        served: &Served,
        namespace: Option<&str>,
        mut body: Value,
        dry_run: bool,
        writer: Option<&Writer>,
    ) -> Result<Written, ApiError> {
        Self::check_type(served, &body)?;
        Self::apply_crd_schema(served, &mut body)?;
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
        if served.is_crd()
            && let Err(cause) = crd::validate(&body)
        {
            return Err(ApiError::invalid(served.group(), served.kind(), &name, vec![cause]));
        }
        self.check_namespace(served, namespace)?;
        let key = (
            if served.namespaced() {
                namespace.unwrap_or("").to_owned()
            } else {
                String::new()
            },
            name.clone(),
        );
        let gvr = served.storage();
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
        if served.is_namespace() {
            // The namespace strategy's PrepareForCreate: Active, with the `kubernetes` finalizer.
            body["spec"] = json!({"finalizers": ["kubernetes"]});
            body["status"] = json!({"phase": "Active"});
            body["metadata"]["labels"]["kubernetes.io/metadata.name"] = json!(name);
        }
        crate::defaults::on_create(served, &mut body, || self.free_cluster_ip());
        if let Some(writer) = writer {
            // The field manager runs on the decoded, defaulted request, before the registry
            // and admission fill in the rest (a cluster IP, a Job's selector): those are no
            // one's. It compares with the kind's Go zero value.
            let mut probe = body.clone();
            crate::defaults::unowned(served, &mut probe);
            let zero = if served.info.is_builtin() {
                crate::protobuf::zero_value(served.info.api_version(), served.kind()).unwrap_or_else(|| json!({}))
            } else {
                json!({})
            };
            let empty = Value::Null;
            let ignored: &[&str] = if served.has_status() { &["status"] } else { &[] };
            crate::ssa::record_update(
                &zero,
                &mut probe,
                writer,
                None,
                ignored,
                Self::schema(served, &empty),
                &now(),
            );
            match probe.pointer_mut("/metadata/managedFields").map(Value::take) {
                Some(managed) => body["metadata"]["managedFields"] = managed,
                None => {
                    if let Some(meta) = body["metadata"].as_object_mut() {
                        meta.remove("managedFields");
                    }
                }
            }
        }
        if dry_run {
            // Nothing was stored, so the answer has no resourceVersion, as on the real server.
            if let Some(meta) = body["metadata"].as_object_mut() {
                meta.remove("resourceVersion");
            }
            return Ok(Written {
                object: Arc::new(body),
                created: true,
            });
        }
        let object = Arc::new(body);
        self.rv = rv;
        self.table(&gvr).insert(key, object.clone());
        self.commit(gvr, EventType::Added, object.clone(), None);
        Ok(Written { object, created: true })
    }

    /// Replaces an object (PUT), or only its status (`status` set).
    #[allow(clippy::too_many_arguments)]
    pub fn update(
        &mut self,
        served: &Served,
        namespace: Option<&str>,
        name: &str,
        body: Value,
        status_only: bool,
        dry_run: bool,
        writer: Option<&Writer>,
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
        let next = if served.has_status() {
            split_status(&current, body, status_only)
        } else {
            body
        };
        self.replace(served, namespace, name, &current, next, dry_run, writer)
    }

    /// Stores `next` in place of `current`, keeping server-managed metadata and bumping the
    /// generation on spec changes. Finishes a deletion when the last finalizer goes. `writer`
    /// is recorded as an `Update` manager of what the write changed (none for server-side
    /// apply, which records its own, and for the server's own writes).
    #[allow(clippy::too_many_arguments)]
    pub fn replace(
        &mut self,
        served: &Served,
        namespace: Option<&str>,
        name: &str,
        current: &Arc<Value>,
        mut next: Value,
        dry_run: bool,
        writer: Option<&Writer>,
    ) -> Result<Written, ApiError> {
        if !next.get("metadata").is_some_and(Value::is_object) {
            next["metadata"] = json!({});
        }
        Self::apply_crd_schema(served, &mut next)?;
        // The real server defaults every write it decodes, not only creates.
        crate::defaults::on_create(served, &mut next, || None);
        let rv = self.rv + 1;
        let generation = current
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        // The Deployment strategy bumps the generation on annotation changes too: they are
        // copied to the ReplicaSets.
        let annotations_count = served.group() == "apps" && served.kind() == "Deployment";
        let annotations = |o: &Value| {
            o.pointer("/metadata/annotations")
                .filter(|a| a.as_object().is_some_and(|m| !m.is_empty()))
                .cloned()
        };
        let generation = if spec_of(&next) != spec_of(current)
            || (annotations_count && annotations(&next) != annotations(current))
        {
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
        if served.is_namespace() {
            next["metadata"]["labels"]["kubernetes.io/metadata.name"] = json!(name);
        }
        if let Some(writer) = writer {
            let (only, ignored): (Option<&[&str]>, &[&str]) = match writer.subresource {
                Some("status") => (Some(&["status"]), &[]),
                Some("scale") => (Some(&["spec", "replicas"]), &[]),
                _ if served.has_status() => (None, &["status"]),
                _ => (None, &[]),
            };
            let empty = Value::Null;
            let schema = Self::schema(served, &empty);
            crate::ssa::record_update(current, &mut next, writer, only, ignored, schema, &now());
        }
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
        if dry_run {
            // Nothing was stored: the answer keeps the stored resourceVersion.
            next["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"].clone();
            return Ok(Written {
                object: Arc::new(next),
                created: false,
            });
        }
        let object = Arc::new(next);
        self.rv = rv;
        let gvr = served.storage();
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
    #[allow(clippy::too_many_arguments)]
    pub fn patch(
        &mut self,
        served: &Served,
        namespace: Option<&str>,
        name: &str,
        patch: Patch,
        status_only: bool,
        dry_run: bool,
        writer: Option<&Writer>,
    ) -> Result<Written, ApiError> {
        let empty = Value::Null;
        let schema = Self::schema(served, &empty);
        let applied = matches!(patch, Patch::Apply { .. });
        let current = match self.get(served, namespace, name) {
            Ok(current) => current,
            Err(not_found) => {
                // Server-side apply creates what is missing.
                if let Patch::Apply { body, manager, force } = patch {
                    let body = crate::ssa::apply(None, &body, &manager, force, schema, &now())?;
                    return self.create(served, namespace, body, dry_run, None);
                }
                return Err(not_found);
            }
        };
        let mut next = (*current).clone();
        match patch {
            Patch::Merge(p) => json_patch::merge(&mut next, &p),
            Patch::Apply { body, manager, force } => {
                Self::check_type(served, &body)?;
                next = crate::ssa::apply(Some(&next), &body, &manager, force, schema, &now())?;
            }
            Patch::Strategic(p) => {
                next = crate::strategic::apply(&next, &p, schema)?;
            }
            Patch::Json(p) => json_patch::patch(&mut next, &p).map_err(|_| {
                ApiError::new(
                    422,
                    "Invalid",
                    "the server rejected our request due to an error in our request",
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
        let next = if served.has_status() {
            split_status(&current, next, status_only)
        } else {
            next
        };
        let writer = if applied { None } else { writer };
        self.replace(served, namespace, name, &current, next, dry_run, writer)
    }

    /// The schema of a served kind: the built-in's OpenAPI v3 definition, a CRD version's
    /// schema, or none (`empty`).
    fn schema<'a>(served: &'a Served, empty: &'a Value) -> crate::strategic::Schema<'a> {
        let gvk = served.info.gvk();
        match crate::openapi::builtin_schema(&gvk.group, &gvk.version, &gvk.kind) {
            Some((doc, schema)) => crate::strategic::Schema::new(doc, Some(schema)),
            None => match served.crd.as_ref().and_then(|c| c.schema.as_ref()) {
                Some(schema) => crate::strategic::Schema::new(schema, Some(schema)),
                None => crate::strategic::Schema::new(empty, None),
            },
        }
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
        if served.is_namespace() && current.pointer("/metadata/deletionTimestamp").is_none() {
            return Ok(self.delete_namespace(served, name, &current, dry_run));
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
            let gvr = served.storage();
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
        let gvr = served.storage();
        self.table(&gvr)
            .remove(&(namespace.unwrap_or("").to_owned(), name.to_owned()));
        self.commit(gvr, EventType::Deleted, gone.clone(), Some(current));
        Ok(gone)
    }

    /// Deletes a namespace as a cluster with a namespace controller does: the namespace turns
    /// `Terminating` (deletionTimestamp set, the answer to the DELETE), its contents are deleted,
    /// the controller drops the `kubernetes` finalizer, and the namespace is gone unless other
    /// (metadata) finalizers hold it. All of it happens before the DELETE is answered, so no
    /// request sees the namespace half emptied.
    fn delete_namespace(&mut self, served: &Served, name: &str, current: &Arc<Value>, dry_run: bool) -> Arc<Value> {
        let gvr = served.storage();
        let key = (String::new(), name.to_owned());
        let mut terminating = (**current).clone();
        terminating["metadata"]["deletionTimestamp"] = json!(now());
        terminating["metadata"]["deletionGracePeriodSeconds"] = json!(0);
        terminating["status"] = json!({"phase": "Terminating"});
        terminating["metadata"]["resourceVersion"] = json!((self.rv + 1).to_string());
        let terminating = Arc::new(terminating);
        if dry_run {
            return terminating;
        }
        self.rv += 1;
        self.table(&gvr).insert(key.clone(), terminating.clone());
        self.commit(
            gvr.clone(),
            EventType::Modified,
            terminating.clone(),
            Some(current.clone()),
        );
        self.delete_namespace_contents(name);
        let mut finalized = (*terminating).clone();
        finalized["spec"] = json!({});
        self.rv += 1;
        finalized["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        let held = finalized
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .is_some_and(|f| !f.is_empty());
        let finalized = Arc::new(finalized);
        if held {
            self.table(&gvr).insert(key, finalized.clone());
            self.commit(gvr, EventType::Modified, finalized, Some(terminating.clone()));
        } else {
            self.table(&gvr).remove(&key);
            self.commit(gvr, EventType::Deleted, finalized, Some(terminating.clone()));
        }
        terminating
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
                    .get(&served.storage())
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
                            .map(|(_, o)| served.present(o))
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
    Strategic(Value),
    Json(json_patch::Patch),
    /// Server-side apply by a field manager, forcing conflicts or not.
    Apply {
        body: Value,
        manager: String,
        force: bool,
    },
}
