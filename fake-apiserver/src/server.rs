//! The HTTP side: routing, request parsing, responses, watch streams, and the server's handle
//! with its fault injection.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::Response;
use bytes::Bytes;
use kube_core::{ApiResource, GroupVersionKind, GroupVersionResource};
use kube_scheme::labels::LabelSelector;
use kube_scheme::{Scheme, Scope};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::discovery;
use crate::selectors::FieldSelector;
use crate::status::ApiError;
use crate::store::{ListQuery, Patch, Served, Shape, Store, Watcher, metadata_only, watch_line};
use crate::{openapi, reviews, scale, tables};

/// Errors of the fake server's own handle (not of the API it serves).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The kube client could not be built for the server's URL.
    #[error("cannot build a kube client for {url}: {source}")]
    Client {
        /// The server's URL.
        url: String,
        /// Why.
        #[source]
        source: kube::Error,
    },
    /// A kind given to [`FakeApiServer::add_kind`] conflicts with the scheme.
    #[error(transparent)]
    Scheme(#[from] kube_scheme::SchemeError),
    /// [`FakeApiServer::seed`] could not write an object: its resource is not served, or the
    /// store refused it (the `metav1.Status` the API would have answered). The objects before it
    /// were written; it and those after it were not.
    #[error("cannot seed {resource} {}: {reason}", match .namespace { Some(ns) => format!("{ns}/{}", .name), None => .name.clone() })]
    Seed {
        /// The resource (`deployments.apps/v1`).
        resource: String,
        /// The object's namespace, for namespaced kinds.
        namespace: Option<String>,
        /// The object's name.
        name: String,
        /// Why.
        reason: String,
    },
}

/// Configures a [`FakeApiServer`].
#[derive(Debug)]
pub struct Builder {
    scheme: Option<Scheme>,
    addr: SocketAddr,
    history: usize,
    bookmark_interval: Duration,
    require_namespaces: bool,
    selectable_fields: HashMap<GroupVersionKind, Vec<String>>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            scheme: None,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            history: 10_000,
            bookmark_interval: Duration::from_secs(5),
            require_namespaces: true,
            selectable_fields: HashMap::new(),
        }
    }
}

impl Builder {
    /// Serves the kinds of this scheme (default: [`Scheme::with_builtins`], which includes every
    /// `#[derive(Kind)]` type of the binary).
    pub fn scheme(mut self, scheme: Scheme) -> Self {
        self.scheme = Some(scheme);
        self
    }
    /// Listens on `addr` (default `127.0.0.1:0`, loopback only, a free port).
    ///
    /// The server has no authentication and no authorization: on an address other than loopback
    /// it serves every object, secrets included, to anyone who can reach it, and lets them write.
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }
    /// How many events the history keeps for watches that resume from an older resourceVersion
    /// (default 10,000). Older versions get `410 Expired`.
    pub fn history(mut self, events: usize) -> Self {
        self.history = events.max(1);
        self
    }
    /// How often a watch with `allowWatchBookmarks` gets a BOOKMARK (default 5 s; the real
    /// server sends one about every minute).
    pub fn bookmark_interval(mut self, interval: Duration) -> Self {
        self.bookmark_interval = interval;
        self
    }
    /// Whether namespaced objects need their namespace to exist, as admission makes the real
    /// server do (default `true`; `default`, `kube-system`, `kube-public` and `kube-node-lease`
    /// exist from the start).
    pub fn require_namespaces(mut self, require: bool) -> Self {
        self.require_namespaces = require;
        self
    }
    /// Declares the `selectableFields` of a custom resource kind, as its CustomResourceDefinition
    /// would (`spec.color` or `.spec.color`): field selectors may then name them, besides
    /// `metadata.name` and, when namespaced, `metadata.namespace`. Any other field is refused with
    /// `400 Bad Request`, as by the real server.
    pub fn selectable_fields<I, S>(mut self, gvk: GroupVersionKind, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.selectable_fields
            .entry(gvk)
            .or_default()
            .extend(fields.into_iter().map(Into::into));
        self
    }
    /// Starts serving.
    pub async fn start(self) -> Result<FakeApiServer, Error> {
        let mut store = Store::new(self.scheme.unwrap_or_else(Scheme::with_builtins), self.history);
        store.require_namespaces = self.require_namespaces;
        let shared = Arc::new(Shared {
            accepting: std::sync::atomic::AtomicBool::new(true),
            store: Mutex::new(store),
            faults: Mutex::new(Faults::default()),
            bookmark_interval: self.bookmark_interval,
            selectable_fields: self.selectable_fields,
        });
        let (addr, serving) = serve(shared.clone(), self.addr).await?;
        Ok(FakeApiServer {
            shared,
            addr,
            serving: tokio::sync::Mutex::new(Some(serving)),
        })
    }
}

#[derive(Default)]
struct Faults {
    rules: Vec<FailRule>,
    delay: Duration,
}

struct FailRule {
    path_prefix: String,
    remaining: usize,
    code: u16,
}

pub(crate) struct Shared {
    /// False while restarting or stopped: requests get 503 instead of starting new watches that
    /// would hold the old listener open.
    accepting: std::sync::atomic::AtomicBool,
    store: Mutex<Store>,
    faults: Mutex<Faults>,
    bookmark_interval: Duration,
    /// Custom resources' declared `selectableFields`.
    selectable_fields: HashMap<GroupVersionKind, Vec<String>>,
}

impl Shared {
    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

struct Serving {
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

async fn serve(shared: Arc<Shared>, addr: SocketAddr) -> Result<(SocketAddr, Serving), Error> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| Error::Bind { addr, source })?;
    let addr = listener.local_addr().map_err(|source| Error::Bind { addr, source })?;
    let router = axum::Router::new().fallback(handle).with_state(shared);
    let (shutdown, signal) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let server = axum::serve(listener, router).with_graceful_shutdown(async {
            let _ = signal.await;
        });
        if let Err(err) = server.await {
            tracing::warn!(%err, "fake API server stopped with an error");
        }
    });
    Ok((addr, Serving { shutdown, task }))
}

/// An in-memory Kubernetes API server on loopback, speaking the real HTTP API.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use k8s_openapi::api::core::v1::ConfigMap;
/// use kube::api::{Api, PostParams};
///
/// let server = kube_fake_apiserver::FakeApiServer::start().await?;
/// let configmaps: Api<ConfigMap> = Api::namespaced(server.client()?, "default");
/// let mut cm = ConfigMap::default();
/// cm.metadata.name = Some("settings".into());
/// configmaps.create(&PostParams::default(), &cm).await?;
/// server.shutdown().await;
/// # Ok(()) }
/// ```
pub struct FakeApiServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    serving: tokio::sync::Mutex<Option<Serving>>,
}

impl std::fmt::Debug for FakeApiServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeApiServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// `deployments.apps/v1`, `pods/v1`: a resource as errors name it.
fn describe(gvr: &GroupVersionResource) -> String {
    if gvr.group.is_empty() {
        format!("{}/{}", gvr.resource, gvr.version)
    } else {
        format!("{}.{}/{}", gvr.resource, gvr.group, gvr.version)
    }
}

impl FakeApiServer {
    /// Starts a server with every built-in kind and every registered custom resource, on a free
    /// loopback port.
    pub async fn start() -> Result<Self, Error> {
        Builder::default().start().await
    }

    /// A [`Builder`] for other settings.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on (loopback unless [`Builder::addr`] chose another).
    ///
    /// The server has no authentication and no authorization: on an address other than loopback
    /// it serves every object, secrets included, to anyone who can reach it, without credentials.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A kube client for this server.
    pub fn client(&self) -> Result<kube::Client, Error> {
        let url = self.url();
        let uri: axum::http::Uri = url.parse().expect("a loopback URL parses");
        let config = kube::Config::new(uri);
        kube::Client::try_from(config).map_err(|source| Error::Client { url, source })
    }

    /// Serves a kind that has no Rust type (a CRD installed at run time).
    pub fn add_kind(&self, resource: &ApiResource, scope: Scope) -> Result<(), Error> {
        self.shared.store().scheme.add_kind(resource, scope)?;
        Ok(())
    }

    /// The current (newest) resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.shared.store().rv
    }

    /// How many watches are open.
    pub fn open_watches(&self) -> usize {
        self.shared.store().open_watches()
    }

    /// Fault: closes every open watch (clients see their stream end).
    pub fn drop_watches(&self) -> usize {
        self.shared.store().drop_watches()
    }

    /// Fault: forgets the event history, so a watch from any earlier resourceVersion gets
    /// `410 Expired` (like an etcd compaction), and continue tokens expire.
    pub fn compact(&self) {
        self.shared.store().compact();
    }

    /// Fault: the next `count` requests whose path starts with `path_prefix` fail with `code`
    /// (and a `metav1.Status` body).
    pub fn fail_next(&self, path_prefix: &str, count: usize, code: u16) {
        self.faults().rules.push(FailRule {
            path_prefix: path_prefix.to_owned(),
            remaining: count,
            code,
        });
    }

    /// Fault: delays every response by `delay` (zero to stop).
    pub fn set_delay(&self, delay: Duration) {
        self.faults().delay = delay;
    }

    /// Fault: writes a line that is not JSON to every open watch; returns how many got it.
    pub fn send_malformed_event(&self) -> usize {
        self.shared.store().send_malformed()
    }

    /// Fault: stops listening, cuts every watch, and listens again on the same port, keeping
    /// every object and the history (like a kube-apiserver restart in front of the same etcd).
    pub async fn restart(&self) -> Result<(), Error> {
        let mut serving = self.serving.lock().await;
        self.shared.accepting.store(false, std::sync::atomic::Ordering::SeqCst);
        if let Some(old) = serving.take() {
            stop(&self.shared, old).await;
        }
        let started = serve(self.shared.clone(), self.addr).await;
        self.shared.accepting.store(true, std::sync::atomic::Ordering::SeqCst);
        *serving = Some(started?.1);
        Ok(())
    }

    /// Stops the server, closing open watches cleanly.
    pub async fn shutdown(self) {
        let serving = self.serving.lock().await.take();
        self.shared.accepting.store(false, std::sync::atomic::Ordering::SeqCst);
        if let Some(serving) = serving {
            stop(&self.shared, serving).await;
        }
    }

    /// Seeds the server with objects, as client-go's fake clientset and controller-runtime's
    /// fake client (`WithObjects`) take them: each is written straight into the store, without
    /// HTTP, as a create (if it does not exist) or an update without a resourceVersion
    /// precondition (if it does) would be, so resourceVersion, uid, timestamps and defaults are
    /// set and open watches get the event. Namespaced objects need `metadata.namespace`; the
    /// namespace need not exist. Returns how many objects were written.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use k8s_openapi::api::core::v1::ConfigMap;
    /// use kube::api::ObjectMeta;
    ///
    /// let server = kube_fake_apiserver::FakeApiServer::start().await?;
    /// let config = ConfigMap {
    ///     metadata: ObjectMeta { name: Some("settings".into()), namespace: Some("default".into()), ..ObjectMeta::default() },
    ///     ..ConfigMap::default()
    /// };
    /// assert_eq!(server.seed([config])?, 1);
    /// # Ok(()) }
    /// ```
    pub fn seed<K>(&self, objects: impl IntoIterator<Item = K>) -> Result<usize, Error>
    where
        K: kube::Resource<DynamicType = ()> + serde::Serialize,
    {
        let resource = kube::core::ApiResource::erase::<K>(&());
        let gvr = GroupVersionResource::gvr(&resource.group, &resource.version, &resource.plural);
        let mut typed = Vec::new();
        for object in objects {
            let mut value = serde_json::to_value(&object).map_err(|e| Error::Seed {
                resource: describe(&gvr),
                namespace: object.meta().namespace.clone(),
                name: object.meta().name.clone().unwrap_or_default(),
                reason: format!("does not serialise: {e}"),
            })?;
            // kube-derive's and k8s-openapi's types write their kind; a plain `Resource` may not.
            if let Some(map) = value.as_object_mut() {
                map.entry("apiVersion")
                    .or_insert_with(|| resource.api_version.clone().into());
                map.entry("kind").or_insert_with(|| resource.kind.clone().into());
            }
            typed.push(value);
        }
        self.seed_json(&gvr, typed)
    }

    /// [`FakeApiServer::seed`] for objects as JSON, of any resource the server serves (custom
    /// resources added at run time included). Each object needs `kind`, `apiVersion` and
    /// `metadata.name`.
    pub fn seed_json(
        &self,
        gvr: &GroupVersionResource,
        objects: impl IntoIterator<Item = Value>,
    ) -> Result<usize, Error> {
        let mut written = 0;
        for mut object in objects {
            let mut store = self.shared.store();
            let name = object
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let given_ns = object
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let seed_error = |reason: String| Error::Seed {
                resource: describe(gvr),
                namespace: given_ns.clone(),
                name: name.clone(),
                reason,
            };
            let served = store
                .served(gvr)
                .ok_or_else(|| seed_error("the resource is not served".into()))?;
            let ns = given_ns.clone().filter(|_| served.namespaced());
            let result = if store.get(&served, ns.as_deref(), &name).is_ok() {
                if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
                    meta.remove("resourceVersion");
                }
                store.update(&served, ns.as_deref(), &name, object, false, false, None)
            } else {
                store.create(&served, ns.as_deref(), object, false, None)
            };
            result.map_err(|e| seed_error(e.status().to_string()))?;
            written += 1;
        }
        Ok(written)
    }

    fn faults(&self) -> std::sync::MutexGuard<'_, Faults> {
        self.shared
            .faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Stops a listener: no new connections, every watch cut, in-flight requests finished (a few
/// seconds at most, then the task is aborted).
async fn stop(shared: &Shared, serving: Serving) {
    let _ = serving.shutdown.send(());
    shared.store().drop_watches();
    let mut task = serving.task;
    if tokio::time::timeout(Duration::from_secs(5), &mut task).await.is_err() {
        task.abort();
    }
}

impl Drop for FakeApiServer {
    fn drop(&mut self) {
        self.shared.accepting.store(false, std::sync::atomic::Ordering::SeqCst);
        self.shared.store().drop_watches();
        if let Some(serving) = self.serving.get_mut().take() {
            let _ = serving.shutdown.send(());
            serving.task.abort();
        }
    }
}

fn json_response(code: u16, body: &Value) -> Response {
    bytes_response(
        code,
        Bytes::from(serde_json::to_vec(body).expect("JSON values serialise")),
    )
}

fn bytes_response(code: u16, body: Bytes) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .expect("a valid response")
}

fn error_response(err: &ApiError) -> Response {
    json_response(err.code, &err.status())
}

/// What a path names.
enum Route {
    Version,
    OpenApiV2,
    OpenApiIndex,
    OpenApiDocument(String),
    CoreVersions,
    Groups,
    Group(String),
    Resources(String, String),
    Resource(Target),
}

struct Target {
    gvr: GroupVersionResource,
    namespace: Option<String>,
    name: Option<String>,
    subresource: Option<String>,
}

fn route(store: &Store, path: &str) -> Result<Route, ApiError> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    let (group, version, rest) = match segments.as_slice() {
        ["version"] => return Ok(Route::Version),
        ["openapi", "v2"] => return Ok(Route::OpenApiV2),
        ["openapi", "v3"] => return Ok(Route::OpenApiIndex),
        ["openapi", "v3", rest @ ..] => return Ok(Route::OpenApiDocument(rest.join("/"))),
        ["api"] => return Ok(Route::CoreVersions),
        ["apis"] => return Ok(Route::Groups),
        ["api", v] => return Ok(Route::Resources(String::new(), (*v).to_owned())),
        ["apis", g] => return Ok(Route::Group((*g).to_owned())),
        ["apis", g, v] => return Ok(Route::Resources((*g).to_owned(), (*v).to_owned())),
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return Err(ApiError::no_route()),
    };
    let namespaced_path = rest.len() >= 3
        && rest[0] == "namespaces"
        && store
            .served(&GroupVersionResource::gvr(group, version, rest[2]))
            .is_some_and(|s| s.namespaced());
    let (namespace, rest) = if namespaced_path {
        (Some(rest[1].to_owned()), &rest[2..])
    } else {
        (None, rest)
    };
    if rest.is_empty() || rest.len() > 3 {
        return Err(ApiError::no_route());
    }
    Ok(Route::Resource(Target {
        gvr: GroupVersionResource::gvr(group, version, rest[0]),
        namespace,
        name: rest.get(1).map(|s| (*s).to_owned()),
        subresource: rest.get(2).map(|s| (*s).to_owned()),
    }))
}

fn truthy(params: &HashMap<String, String>, key: &str) -> bool {
    params.get(key).is_some_and(|v| v == "true" || v == "1")
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
    body: Body,
) -> Response {
    if !shared.accepting.load(std::sync::atomic::Ordering::SeqCst) {
        return error_response(&ApiError::new(
            503,
            "ServiceUnavailable",
            "the fake API server is restarting or stopped",
        ));
    }
    let path = uri.path().to_owned();
    let (fault, delay) = {
        let mut faults = shared.faults.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let fault = faults
            .rules
            .iter_mut()
            .find(|r| r.remaining > 0 && path.starts_with(&r.path_prefix))
            .map(|r| {
                r.remaining -= 1;
                r.code
            });
        faults.rules.retain(|r| r.remaining > 0);
        (fault, faults.delay)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(code) = fault {
        return error_response(&ApiError::injected(code));
    }
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return error_response(&ApiError::too_large(MAX_BODY));
    };
    match dispatch(&shared, &method, &path, &headers, &params, body) {
        Ok(response) => response,
        Err(err) => error_response(&err),
    }
}

/// Whether the client asks for a `meta.k8s.io` Table (kubectl's `get`), and what its rows carry.
fn wants_table(headers: &HeaderMap, params: &HashMap<String, String>) -> Option<tables::IncludeObject> {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    // The first acceptable media type wins; a Table is asked for by `as=Table` in it.
    let first = accept.split(',').next().unwrap_or("");
    first
        .contains("as=Table")
        .then(|| tables::IncludeObject::parse(params.get("includeObject").map(String::as_str)))
}

/// The largest request body the real server reads (`MaxRequestBodyBytes`, 3 MiB).
const MAX_BODY: usize = 3 * 1024 * 1024;

fn shape(headers: &HeaderMap) -> Shape {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    if accept.contains("as=PartialObjectMetadata") {
        Shape::Metadata
    } else {
        Shape::Full
    }
}

/// The object of a create or update request, by its content type: JSON (the default),
/// protobuf (built-in kinds), or 415 Unsupported Media Type.
fn parse_body(headers: &HeaderMap, body: &[u8]) -> Result<Value, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    match media {
        "" | "application/json" | "*/*" => parse_json(body),
        "application/vnd.kubernetes.protobuf" => crate::protobuf::decode(body).map_err(|e| {
            ApiError::bad_request(format!(
                "the body of the request could not be decoded as protobuf: {}",
                e.0
            ))
        }),
        other => Err(ApiError::unsupported_body(other)),
    }
}

fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body of the request could not be decoded as JSON: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "the object provided is unrecognized (must be a JSON object)",
        ));
    }
    Ok(value)
}

/// A merge or strategic merge patch's body: a JSON object, else what kube-apiserver's decoding
/// into a Go map answers.
fn parse_patch(body: &[u8]) -> Result<Value, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body of the request could not be decoded as JSON: {e}")))?;
    let found = match &value {
        Value::Object(_) => return Ok(value),
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Null => return Ok(json!({})),
    };
    Err(ApiError::bad_request(format!(
        "error decoding patch: json: cannot unmarshal {found} into Go value of type map[string]interface {{}}"
    )))
}

fn dry_run(params: &HashMap<String, String>) -> bool {
    params.get("dryRun").is_some_and(|v| v == "All")
}

fn dispatch(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let mut store = shared.store();
    let target = match route(&store, path)? {
        Route::Version => return Ok(json_response(200, &discovery::version(&store.scheme))),
        Route::OpenApiV2 => {
            let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
            if accept.contains(openapi::V2_PROTOBUF) {
                return Ok(Response::builder()
                    .status(StatusCode::OK)
                    // As kube-openapi answers it (the media type itself does not parse in Go).
                    .header(header::CONTENT_TYPE, "application/octet-stream")
                    .body(Body::from(openapi::v2_protobuf(&store)))
                    .expect("a valid response"));
            }
            return Ok(json_response(200, &openapi::v2_document(&store)));
        }
        Route::OpenApiIndex => return Ok(json_response(200, &openapi::index(&store))),
        Route::OpenApiDocument(path) => {
            return openapi::document(&store, &path)
                .map(|doc| json_response(200, &doc))
                .ok_or_else(ApiError::no_route);
        }
        Route::CoreVersions => return Ok(json_response(200, &discovery::core_versions())),
        Route::Groups => return Ok(json_response(200, &discovery::group_list(&store))),
        Route::Group(group) => {
            let list = discovery::group_list(&store);
            let found = list["groups"]
                .as_array()
                .and_then(|g| g.iter().find(|g| g["name"] == group.as_str()).cloned());
            return match found {
                Some(mut g) => {
                    g["kind"] = json!("APIGroup");
                    g["apiVersion"] = json!("v1");
                    Ok(json_response(200, &g))
                }
                None => Err(ApiError::no_route()),
            };
        }
        Route::Resources(group, version) => {
            return discovery::resource_list(&store, &group, &version)
                .map(|list| json_response(200, &list))
                .ok_or_else(ApiError::no_route);
        }
        Route::Resource(target) => target,
    };
    if let Some(review) = reviews::Review::of(&target.gvr) {
        if method != Method::POST || target.name.is_some() {
            return Err(ApiError::method_not_allowed(method.as_str()));
        }
        return Ok(json_response(201, &review.answer(parse_body(headers, &body)?)?));
    }
    let served = store.served(&target.gvr).ok_or_else(ApiError::no_route)?;
    if target.namespace.is_some() && !served.namespaced() {
        return Err(ApiError::no_route());
    }
    let writer = crate::ssa::Writer::new(
        params.get("fieldManager").map(String::as_str),
        headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()),
    );
    let status_only = match target.subresource.as_deref() {
        None => false,
        Some("status") if served.has_status() => true,
        Some("scale") if target.name.is_some() && scale::Scalable::of(&served).is_some() => {
            let name = target.name.as_deref().expect("checked");
            let response = scale::handle(
                &mut store,
                &served,
                target.namespace.as_deref(),
                name,
                method,
                headers,
                &body,
                dry_run(params),
                &writer,
            )?;
            return Ok(json_response(200, &response));
        }
        Some(_) => return Err(ApiError::no_route()),
    };
    let ns = target.namespace.as_deref();
    let shape = shape(headers);
    if method == Method::GET && target.name.is_none() && truthy(params, "watch") {
        let query = list_query(&served, &shared.selectable_fields, ns, params)?;
        drop(store);
        return watch(shared, headers, served, query, params, shape);
    }
    let writes = !dry_run(params) && method != Method::GET;
    let response = serve_resource(
        &mut store,
        &served,
        &shared.selectable_fields,
        &target,
        ns,
        status_only,
        method,
        headers,
        params,
        body,
        shape,
        &writer.on(status_only.then_some("status")),
    );
    if writes && served.is_crd() && response.as_ref().is_ok_and(|r| r.status().is_success()) {
        store.sync_crds();
    }
    response
}

/// Get, list, watch, create, update, patch, delete and delete-collection of one resource.
#[allow(clippy::too_many_arguments)]
fn serve_resource(
    store: &mut Store,
    served: &Served,
    selectable_fields: &HashMap<GroupVersionKind, Vec<String>>,
    target: &Target,
    ns: Option<&str>,
    status_only: bool,
    method: &Method,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
    body: Bytes,
    shape: Shape,
    writer: &crate::ssa::Writer,
) -> Result<Response, ApiError> {
    let served = served.clone();
    match (method, &target.name) {
        (&Method::GET, Some(name)) => {
            if served.namespaced() && ns.is_none() {
                return Err(ApiError::no_route());
            }
            let object = store.get(&served, ns, name)?;
            if let Some(include) = wants_table(headers, params) {
                let rv = object.pointer("/metadata/resourceVersion").cloned().unwrap_or_default();
                return Ok(json_response(
                    200,
                    &tables::table(&served, &[object], json!({"resourceVersion": rv}), include),
                ));
            }
            Ok(object_response(200, &object, shape))
        }
        (&Method::GET, None) => {
            let query = list_query(&served, selectable_fields, ns, params)?;
            let list = store.list(&served, &query)?;
            if let Some(include) = wants_table(headers, params) {
                let mut metadata = json!({"resourceVersion": list.rv.to_string()});
                if let Some(token) = &list.continue_token {
                    metadata["continue"] = json!(token);
                }
                if let Some(remaining) = list.remaining {
                    metadata["remainingItemCount"] = json!(remaining);
                }
                return Ok(json_response(
                    200,
                    &tables::table(&served, &list.items, metadata, include),
                ));
            }
            Ok(list_response(&served, list, shape))
        }
        (&Method::POST, None) => {
            if served.namespaced() && ns.is_none() {
                return Err(ApiError::method_not_allowed("POST"));
            }
            let written = store.create(&served, ns, parse_body(headers, &body)?, dry_run(params), Some(writer))?;
            Ok(object_response(201, &written.object, shape))
        }
        (&Method::PUT, Some(name)) => {
            let written = store.update(
                &served,
                ns,
                name,
                parse_body(headers, &body)?,
                status_only,
                dry_run(params),
                Some(writer),
            )?;
            Ok(object_response(200, &written.object, shape))
        }
        (&Method::PATCH, Some(name)) => {
            let content_type = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let media = content_type.split(';').next().unwrap_or("").trim();
            // kube-apiserver checks that a patch other than an apply is JSON before it reads the
            // object: 400 `invalid JSON patch` even for an object that does not exist.
            // A media type the resource does not take is a 415 before that (custom resources
            // take no strategic merge patch).
            let strategic = media == "application/strategic-merge-patch+json";
            if matches!(media, "application/merge-patch+json" | "application/json-patch+json")
                || (strategic && served.info.is_builtin())
            {
                crate::jsonpatch::check_json(&body).map_err(|e| ApiError::new(e.code(), "BadRequest", e.message()))?;
            }
            let patch = match media {
                "application/merge-patch+json" => Patch::Merge(parse_patch(&body)?),
                // As on the real server, custom resources take no strategic merge patch.
                "application/strategic-merge-patch+json" if served.info.is_builtin() => {
                    Patch::Strategic(parse_patch(&body)?)
                }
                "application/apply-patch+yaml" | "application/apply-patch+json" => Patch::Apply {
                    body: parse_json(&body)?,
                    manager: params
                        .get("fieldManager")
                        .filter(|m| !m.is_empty())
                        .cloned()
                        .ok_or_else(|| {
                            ApiError::invalid(
                                "meta.k8s.io",
                                "PatchOptions",
                                "",
                                vec![(
                                    "fieldManager".into(),
                                    "FieldValueRequired".into(),
                                    "Required value: is required for apply patch".into(),
                                )],
                            )
                        })?,
                    force: truthy(params, "force"),
                },
                "application/json-patch+json" => Patch::Json {
                    body: body.clone(),
                    validation: match params.get("fieldValidation").map(String::as_str) {
                        Some("Ignore") => crate::jsonpatch::FieldValidation::Ignore,
                        Some("Strict") => crate::jsonpatch::FieldValidation::Strict,
                        _ => crate::jsonpatch::FieldValidation::Warn,
                    },
                },
                _ => return Err(ApiError::unsupported_media_type()),
            };
            let written = store.patch(&served, ns, name, patch, status_only, dry_run(params), Some(writer))?;
            Ok(object_response(
                if written.created { 201 } else { 200 },
                &written.object,
                shape,
            ))
        }
        (&Method::DELETE, Some(name)) => {
            let options: Value = if body.is_empty() {
                json!({})
            } else {
                parse_body(headers, &body)?
            };
            let precondition = |field: &str| {
                options
                    .pointer(&format!("/preconditions/{field}"))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            let dry = dry_run(params)
                || options
                    .get("dryRun")
                    .and_then(Value::as_array)
                    .is_some_and(|d| d.iter().any(|v| v == "All"));
            let object = store.delete(
                &served,
                ns,
                name,
                (precondition("uid"), precondition("resourceVersion")),
                dry,
            )?;
            Ok(object_response(200, &object, shape))
        }
        (&Method::DELETE, None) => {
            let query = list_query(&served, selectable_fields, ns, params)?;
            let mut all = ListQuery {
                limit: None,
                continue_token: None,
                ..query
            };
            all.resource_version = None;
            let list = store.list(&served, &all)?;
            let mut deleted = Vec::new();
            for object in &list.items {
                let name = object
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                let object_ns = object
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                deleted.push(store.delete(&served, object_ns.as_deref(), &name, (None, None), dry_run(params))?);
            }
            let rv = store.rv;
            Ok(list_response(
                &served,
                crate::store::ListResult {
                    items: deleted,
                    rv,
                    continue_token: None,
                    remaining: None,
                },
                shape,
            ))
        }
        (method, _) => Err(ApiError::method_not_allowed(method.as_str())),
    }
}

fn list_query(
    served: &Served,
    selectable_fields: &HashMap<GroupVersionKind, Vec<String>>,
    namespace: Option<&str>,
    params: &HashMap<String, String>,
) -> Result<ListQuery, ApiError> {
    let labels: LabelSelector = params
        .get("labelSelector")
        .map(|s| s.parse())
        .transpose()
        .map_err(|e: kube_scheme::labels::SelectorParseError| ApiError::bad_request(e.apimachinery_message()))?
        .unwrap_or_default();
    let fields = FieldSelector::parse(
        params.get("fieldSelector").map_or("", String::as_str),
        served,
        selectable_fields.get(served.info.gvk()).map_or(&[][..], Vec::as_slice),
    )?;
    // A limit of zero or less is no limit, as on the real server (`limit=-1` lists everything).
    let limit = params
        .get("limit")
        .map(|l| {
            l.parse::<i64>()
                .map_err(|_| ApiError::bad_request(format!("invalid limit: {l:?}")))
        })
        .transpose()?
        .and_then(|l| usize::try_from(l).ok())
        .filter(|l| *l > 0);
    Ok(ListQuery {
        namespace: namespace.map(str::to_owned),
        labels,
        fields,
        limit,
        continue_token: params.get("continue").filter(|c| !c.is_empty()).cloned(),
        resource_version: params.get("resourceVersion").cloned(),
        resource_version_match: params.get("resourceVersionMatch").cloned(),
    })
}

fn object_response(code: u16, object: &Value, shape: Shape) -> Response {
    match shape {
        Shape::Full => json_response(code, object),
        Shape::Metadata => json_response(code, &metadata_only(object)),
    }
}

/// Writes a list the way the real server does: for built-in kinds, items carry no
/// `kind`/`apiVersion`; for custom resources they keep theirs.
fn list_response(served: &Served, list: crate::store::ListResult, shape: Shape) -> Response {
    let mut metadata = json!({"resourceVersion": list.rv.to_string()});
    if let Some(token) = &list.continue_token {
        metadata["continue"] = json!(token);
    } else if shape == Shape::Full && !served.info.is_builtin() {
        // Custom resource lists are written from unstructured lists, which always carry it.
        metadata["continue"] = json!("");
    }
    if let Some(remaining) = list.remaining {
        metadata["remainingItemCount"] = json!(remaining);
    }
    let (kind, api_version) = match shape {
        Shape::Full => (served.info.list_kind().to_owned(), served.info.api_version().to_owned()),
        Shape::Metadata => ("PartialObjectMetadataList".to_owned(), "meta.k8s.io/v1".to_owned()),
    };
    let strip = shape == Shape::Full && served.info.is_builtin();
    let mut out = Vec::with_capacity(64 + list.items.len() * 512);
    out.extend_from_slice(b"{\"kind\":");
    serde_json::to_writer(&mut out, &kind).expect("strings serialise");
    out.extend_from_slice(b",\"apiVersion\":");
    serde_json::to_writer(&mut out, &api_version).expect("strings serialise");
    out.extend_from_slice(b",\"metadata\":");
    serde_json::to_writer(&mut out, &metadata).expect("JSON values serialise");
    out.extend_from_slice(b",\"items\":[");
    for (i, item) in list.items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match shape {
            Shape::Metadata => serde_json::to_writer(&mut out, &metadata_only(item)),
            Shape::Full if strip => serde_json::to_writer(&mut out, &WithoutTypeMeta(item)),
            Shape::Full => serde_json::to_writer(&mut out, &**item),
        }
        .expect("JSON values serialise");
    }
    out.extend_from_slice(b"]}");
    bytes_response(200, Bytes::from(out))
}

/// Serialises an object without its `kind` and `apiVersion`.
struct WithoutTypeMeta<'a>(&'a Value);

impl serde::Serialize for WithoutTypeMeta<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let Some(map) = self.0.as_object() else {
            return self.0.serialize(serializer);
        };
        let mut out = serializer.serialize_map(None)?;
        for (k, v) in map
            .iter()
            .filter(|(k, _)| k.as_str() != "kind" && k.as_str() != "apiVersion")
        {
            out.serialize_entry(k, v)?;
        }
        out.end()
    }
}

/// Removes the watch from the store when its stream ends or its client goes away.
struct WatchGuard {
    shared: Arc<Shared>,
    id: u64,
}

impl Drop for WatchGuard {
    fn drop(&mut self) {
        self.shared.store().forget_watch(self.id);
    }
}

fn watch(
    shared: &Arc<Shared>,
    headers: &HeaderMap,
    served: Served,
    query: ListQuery,
    params: &HashMap<String, String>,
    shape: Shape,
) -> Result<Response, ApiError> {
    let (tx, rx) = mpsc::unbounded_channel::<Bytes>();
    let watcher = Watcher {
        gvr: served.storage(),
        presents: served.presents(),
        namespace: query.namespace.clone(),
        labels: query.labels,
        fields: query.fields,
        shape,
        table: wants_table(headers, params).map(|include| (served.clone(), include)),
        table_headers_sent: std::cell::Cell::new(false),
        tx,
    };
    let started = shared.store().watch(
        &served,
        watcher,
        query.resource_version.as_deref(),
        truthy(params, "sendInitialEvents"),
    );
    let id = match started {
        Ok(id) => id,
        // The real server answers 200 and sends the error as the stream's only event.
        Err(err) => {
            let line = watch_line(
                "ERROR",
                &serde_json::to_vec(&err.status()).expect("JSON values serialise"),
            );
            return Ok(Response::builder()
                .status(200)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(line))
                .expect("a valid response"));
        }
    };
    let timeout = params
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map(Duration::from_secs);
    let deadline = tokio::time::Instant::now() + timeout.unwrap_or(Duration::from_secs(1800));
    let bookmarks = truthy(params, "allowWatchBookmarks");
    let period = shared.bookmark_interval;
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let guard = WatchGuard {
        shared: shared.clone(),
        id,
    };
    let state = (rx, ticker, guard, served);
    let stream = futures::stream::unfold(state, move |(mut rx, mut ticker, guard, served)| async move {
        loop {
            tokio::select! {
                line = rx.recv() => {
                    return line.map(|line| (Ok::<_, std::convert::Infallible>(line), (rx, ticker, guard, served)));
                }
                _ = ticker.tick(), if bookmarks => {
                    guard.shared.store().send_bookmark(guard.id, &served);
                }
                _ = tokio::time::sleep_until(deadline) => return None,
            }
        }
    });
    Ok(Response::builder()
        .status(200)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::TRANSFER_ENCODING, "chunked")
        .body(Body::from_stream(stream))
        .expect("a valid response"))
}
