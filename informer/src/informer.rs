//! The shared index informer: one list+watch per kind, shared by every handler and lister
//! (client-go's `SharedIndexInformer`), on kube-runtime's watcher.

use std::fmt::Debug;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::StreamExt;
use kube::Resource;
use kube::api::Api;
use kube::runtime::{WatchStreamExt, watcher};
use serde::de::DeserializeOwned;
use tokio::task::JoinHandle;

use crate::handler::{HandlerRegistration, HandlerSlot, Message, Notification, ResourceEventHandler, spawn_worker};
use crate::indexer::{IndexFn, Indexer, IndexerError, IndexerReader};
use crate::lister::Lister;
use crate::raw::Raw;
use crate::reflector::{Reflector, map_event};
use crate::stats::{Counters, InformerStats};
use crate::storage::CacheStorage;

/// A handle to a [`SharedIndexInformer`] that does not keep it alive.
pub struct WeakSharedIndexInformer<K: Resource> {
    inner: std::sync::Weak<Inner<K>>,
}

impl<K: Resource> Clone for WeakSharedIndexInformer<K> {
    fn clone(&self) -> Self {
        WeakSharedIndexInformer {
            inner: self.inner.clone(),
        }
    }
}

impl<K: Resource> Debug for WeakSharedIndexInformer<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeakSharedIndexInformer").finish_non_exhaustive()
    }
}

impl<K: Resource> WeakSharedIndexInformer<K> {
    /// The informer, if it still exists.
    pub fn upgrade(&self) -> Option<SharedIndexInformer<K>> {
        self.inner.upgrade().map(|inner| SharedIndexInformer { inner })
    }
}

/// A change applied to each object before it is cached (client-go's `TransformFunc`).
pub type Transform<K> = Arc<dyn Fn(&mut K) + Send + Sync>;
/// Called with every error of the list+watch and every object that cannot be cached (client-go's
/// `WatchErrorHandler`); the informer retries with backoff either way.
pub type WatchErrorHandler = Arc<dyn Fn(&InformerError) + Send + Sync>;

/// What went wrong in an informer's list+watch, as told to its [`WatchErrorHandler`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InformerError {
    /// A list or watch request failed (kube-runtime's watcher error); it is retried with
    /// backoff.
    #[error("list/watch of {kind} failed: {source}")]
    Watch {
        /// The kind the informer serves.
        kind: String,
        /// The watcher's error.
        #[source]
        source: watcher::Error,
    },
    /// An object the server sent does not decode as the informer's type: it is skipped, and
    /// what was cached of it stays.
    #[error("{kind} {}: does not decode: {source}", fmt_key(.namespace.as_deref(), .name))]
    Decode {
        /// The kind the informer serves.
        kind: String,
        /// The object's namespace, if it has one.
        namespace: Option<String>,
        /// The object's name.
        name: String,
        /// The resourceVersion the server gave it.
        resource_version: Option<String>,
        /// Why it does not decode.
        #[source]
        source: serde_json::Error,
    },
}

fn fmt_key(namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) => format!("\"{ns}/{name}\""),
        None => format!("\"{name}\""),
    }
}

/// A ready transform: drops `metadata.managedFields`, which is often half of an object's size.
pub fn strip_managed_fields<K: Resource>(object: &mut K) {
    object.meta_mut().managed_fields = None;
}

/// How long the informer waits before retrying a failed list or watch: exponential from
/// `initial` to `max` with jitter (each wait up to twice the last, at random, so that the
/// informers of many replicas do not retry in lockstep after an API server restart), back to
/// `initial` after `reset_after` without errors. The default is client-go's reflector's and
/// kube-runtime's `DefaultBackoff`: 800 ms, 30 s, 2 min.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackoffSettings {
    /// The first wait.
    pub initial: Duration,
    /// The longest wait.
    pub max: Duration,
    /// Quiet time after which waits start again from `initial`.
    pub reset_after: Duration,
}

impl Default for BackoffSettings {
    fn default() -> Self {
        BackoffSettings {
            initial: Duration::from_millis(800),
            max: Duration::from_secs(30),
            reset_after: Duration::from_secs(120),
        }
    }
}

impl BackoffSettings {
    /// kube-runtime's own backoff for these settings: its jittered `ExponentialBackoff` (backon's
    /// exponential builder, factor 2) inside its `ResetTimerBackoff`, as its `DefaultBackoff` is
    /// made.
    fn backoff(self) -> impl kube::runtime::utils::Backoff {
        let exponential = backon::ExponentialBuilder::default()
            .with_min_delay(self.initial)
            .with_max_delay(self.max)
            .with_factor(2.0)
            .with_jitter()
            .without_max_times();
        kube::runtime::utils::ResetTimerBackoff::new(
            kube::runtime::watcher::ExponentialBackoff::from(exponential),
            self.reset_after,
        )
    }
}

/// How an informer lists and watches, and what it does to objects on the way in.
pub struct InformerOptions<K> {
    /// Selectors, page size, streaming lists... for kube-runtime's watcher.
    pub config: watcher::Config,
    /// Applied to each object before it is cached, in order.
    pub transforms: Vec<Transform<K>>,
    /// Told about every list/watch error ([`InformerError::Watch`]), and about every object that
    /// does not decode as `K` ([`InformerError::Decode`], naming it; the object is skipped and
    /// what was cached of it stays).
    pub watch_error_handler: Option<WatchErrorHandler>,
    /// The resync period of handlers added without one (`None`: no resync).
    pub default_resync: Option<Duration>,
    /// A name for logs and handler threads (the kind, by default).
    pub name: String,
    /// Waits between retries of a failed list or watch.
    pub backoff: BackoffSettings,
    /// Decodes every list of an object at its exact length (default: on). serde alone grows
    /// them by doubling, leaving spare room that is 12-14% of a cached pod (measured). The
    /// lengths come from a scan of the object's text before it is decoded (a listed object's
    /// on the apply thread, a watch event's on the watch task); with no list to grow, decoding
    /// is faster too (measured: 100,000 pod updates to 3 handlers, 30,670 events/s on, 25,662
    /// off).
    pub compact: bool,
    /// How the cache keeps its objects: decoded (the default) or compressed, decoded on every
    /// read ([`CacheStorage`] weighs the two).
    pub storage: CacheStorage<K>,
}

impl<K> Default for InformerOptions<K> {
    fn default() -> Self {
        InformerOptions {
            config: watcher::Config::default(),
            transforms: Vec::new(),
            watch_error_handler: None,
            default_resync: None,
            name: "informer".into(),
            backoff: BackoffSettings::default(),
            compact: true,
            storage: CacheStorage::decoded(),
        }
    }
}

impl<K> Clone for InformerOptions<K> {
    fn clone(&self) -> Self {
        InformerOptions {
            config: self.config.clone(),
            transforms: self.transforms.clone(),
            watch_error_handler: self.watch_error_handler.clone(),
            default_resync: self.default_resync,
            name: self.name.clone(),
            backoff: self.backoff,
            compact: self.compact,
            storage: self.storage.clone(),
        }
    }
}

struct Dispatch<K> {
    reflector: Reflector<K>,
    handlers: Vec<HandlerSlot<K>>,
    threads: Vec<(u64, std::thread::JoinHandle<()>)>,
}

struct Inner<K: Resource> {
    api: Api<K>,
    options: InformerOptions<K>,
    indexer: Indexer<K>,
    kind: String,
    dispatch: Mutex<Dispatch<K>>,
    synced: crate::handler::SyncFlag,
    started: AtomicBool,
    next_id: AtomicU64,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    /// The thread that caches the watch's events and dispatches them (see [`apply_batch`]).
    applier: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// Requests, lists and events so far, for metrics.
    counters: Arc<Counters>,
    /// Wakes the resync timer: a handler was added or the cache synced.
    resync_changed: tokio::sync::Notify,
}

impl<K: Resource> Inner<K> {
    fn dispatch(&self) -> MutexGuard<'_, Dispatch<K>> {
        self.dispatch.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A shared index informer for `K`. Cloning gives another handle to the same informer.
pub struct SharedIndexInformer<K: Resource> {
    inner: Arc<Inner<K>>,
}

impl<K: Resource> Clone for SharedIndexInformer<K> {
    fn clone(&self) -> Self {
        SharedIndexInformer {
            inner: self.inner.clone(),
        }
    }
}

impl<K: Resource> Debug for SharedIndexInformer<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedIndexInformer")
            .field("name", &self.inner.options.name)
            .field("synced", &self.inner.synced.get())
            .finish_non_exhaustive()
    }
}

impl<K> SharedIndexInformer<K>
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    K::DynamicType: Clone + Send + Sync,
{
    /// An informer listing and watching through `api`; `kind` names it in errors and logs.
    pub fn new(api: Api<K>, kind: impl Into<String>, options: InformerOptions<K>) -> Self {
        let indexer = Indexer::with_storage(options.storage.clone());
        SharedIndexInformer {
            inner: Arc::new(Inner {
                api,
                kind: kind.into(),
                dispatch: Mutex::new(Dispatch {
                    reflector: Reflector::new(indexer.clone()),
                    handlers: Vec::new(),
                    threads: Vec::new(),
                }),
                indexer,
                options,
                synced: crate::handler::SyncFlag::new(),
                started: AtomicBool::new(false),
                next_id: AtomicU64::new(1),
                tasks: Mutex::new(Vec::new()),
                applier: Mutex::new(None),
                counters: Arc::new(Counters::default()),
                resync_changed: tokio::sync::Notify::new(),
            }),
        }
    }

    /// A handle that does not keep the informer alive (for metrics collectors, say).
    pub fn downgrade(&self) -> WeakSharedIndexInformer<K> {
        WeakSharedIndexInformer {
            inner: Arc::downgrade(&self.inner),
        }
    }

    /// What the informer did so far: list and watch requests, relists, events applied, objects
    /// cached and the last resourceVersion applied.
    pub fn stats(&self) -> InformerStats {
        self.inner.counters.snapshot(self.inner.indexer.len())
    }

    /// Whether both handles are the same informer.
    pub fn ptr_eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The kind this informer caches.
    pub fn kind(&self) -> &str {
        &self.inner.kind
    }

    /// The cache, read-only: only the informer writes it, so handlers hear of every change.
    pub fn indexer(&self) -> IndexerReader<K> {
        IndexerReader::new(self.inner.indexer.clone())
    }

    /// A lister over the cache.
    pub fn lister(&self) -> Lister<K> {
        Lister::new(self.inner.indexer.clone(), self.inner.kind.clone())
    }

    /// Adds index functions (also after start).
    pub fn add_indexers(&self, indexers: impl IntoIterator<Item = (String, IndexFn<K>)>) -> Result<(), IndexerError> {
        self.inner.indexer.add_indexers(indexers)
    }

    /// Whether the first list has reached the cache.
    pub fn has_synced(&self) -> bool {
        self.inner.synced.get()
    }

    /// Resolves once the first list has reached the cache (at once if it has): an event-driven
    /// `HasSynced`, woken by the informer itself.
    pub fn synced(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        self.inner.synced.wait()
    }

    /// Whether [`run`](Self::run) was called.
    pub fn is_started(&self) -> bool {
        self.inner.started.load(Ordering::Acquire)
    }

    /// Registers a handler with the informer's default resync period. A handler added after the
    /// cache synced first gets the cache's content as adds.
    pub fn add_event_handler(&self, handler: impl ResourceEventHandler<K>) -> HandlerRegistration {
        self.register(Box::new(handler), self.inner.options.default_resync)
    }

    /// Registers a handler that also gets every cached object as an update every `resync`.
    pub fn add_event_handler_with_resync(
        &self,
        handler: impl ResourceEventHandler<K>,
        resync: Duration,
    ) -> HandlerRegistration {
        self.register(Box::new(handler), Some(resync))
    }

    fn register(&self, handler: Box<dyn ResourceEventHandler<K>>, resync: Option<Duration>) -> HandlerRegistration {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, shared, thread) = spawn_worker(format!("{}-handler-{id}", self.inner.options.name), handler);
        {
            let mut dispatch = self.inner.dispatch();
            if dispatch.reflector.has_synced() {
                // Replay under the lock: nothing is missed or seen twice.
                let mut entries = self.inner.indexer.entries();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                let adds = entries.into_iter().map(|(_, obj)| {
                    Message::Notify(Notification::Add {
                        obj,
                        is_initial_list: true,
                    })
                });
                tx.send_all(adds.chain(std::iter::once(Message::Synced)));
            }
            dispatch.handlers.push(HandlerSlot {
                id,
                tx,
                resync,
                next_resync: resync.map(|r| tokio::time::Instant::now() + r),
            });
            dispatch.threads.push((id, thread));
        }
        if resync.is_some() {
            self.inner.resync_changed.notify_one();
        }
        let weak = Arc::downgrade(&self.inner);
        HandlerRegistration {
            id,
            shared,
            remove: Arc::new(move |id| {
                let inner = weak.upgrade()?;
                let mut dispatch = inner.dispatch();
                dispatch.handlers.retain(|h| h.id != id);
                let at = dispatch.threads.iter().position(|(t, _)| *t == id)?;
                Some(dispatch.threads.swap_remove(at).1)
            }),
            thread: std::sync::Mutex::new(None),
        }
    }

    /// The changes as an async stream (a handler feeding a channel). Dropping the stream
    /// removes its handler.
    pub fn events(&self) -> EventStream<K> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let forward = move |n: Notification<K>| {
            let _ = tx.send(n);
        };
        let registration = self.add_event_handler(ForwardHandler(forward));
        EventStream {
            rx,
            registration: Some(registration),
        }
    }

    /// Starts the list+watch (and resync) on the current tokio runtime; does nothing if started.
    pub fn run(&self) {
        if self.inner.started.swap(true, Ordering::AcqRel) {
            return;
        }
        // The watch task reads the watch's lines into objects' texts (with the few metadata the
        // watcher needs); a thread of its own decodes, transforms, caches and dispatches them,
        // side by side with the reading of what follows (client-go's reflector and
        // processLoop, with the DeltaFIFO between them). The texts are in mappings of their
        // own, a chunk unmapped once its last text is decoded (see `raw::TextWriter`); the few
        // small allocations beside them come back to the watch task to be freed where they were
        // allocated. The objects are allocated on the apply thread and mostly freed there
        // (handled notifications come back to it), so the two threads seldom contend for an
        // allocator arena.
        let (events, applied) = crate::queue::queue::<watcher::Event<Raw<K>>, Raw<K>>();
        // Room in the queue: the watch task waits for it rather than read ahead without bound
        // (the server and the socket hold the rest).
        let room = Arc::new(tokio::sync::Notify::new());
        let inner = self.inner.clone();
        let made_room = room.clone();
        // Transforms and the watch error handler run there, inside the runtime's context.
        let runtime = tokio::runtime::Handle::current();
        let applier = std::thread::Builder::new()
            .name("informer-apply".into())
            .spawn(move || {
                let _context = runtime.enter();
                // However the thread ends, a watch task waiting for room goes on (and finds it
                // gone when it sends).
                let _wake_on_exit = WakeOnDrop(made_room.clone());
                let mut work = ApplyBuffers::default();
                while applied.take_all(&mut work.batch, &mut work.spent) {
                    made_room.notify_one();
                    apply_batch(&inner, &mut work);
                }
            })
            .expect("spawning an informer's apply thread");
        *self
            .inner
            .applier
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(applier);
        let inner = self.inner.clone();
        let sender = events;
        let watch = tokio::spawn(async move {
            let backoff = inner.options.backoff.backoff();
            let api = crate::raw::raw_api(&inner.api, &inner.kind, inner.counters.clone());
            let stream = watcher(api, inner.options.config.clone()).backoff(backoff);
            // Texts go to chunks of their own, sealed before each batch is handed over.
            let mut stream = crate::raw::WithTexts::new(stream.fuse());
            let (mut batch, mut ready) = (Vec::new(), Vec::new());
            while next_batch(&mut stream, &mut batch).await {
                for item in batch.drain(..) {
                    match item {
                        Ok(event) => {
                            if let watcher::Event::Init = event {
                                inner.counters.lists.fetch_add(1, Ordering::Relaxed);
                            }
                            ready.push(event)
                        }
                        Err(err) => report_watch_error(&inner, err),
                    }
                }
                if ready.is_empty() {
                    continue;
                }
                stream.seal();
                if inner.options.compact {
                    // Listing, this task is the critical path (it asks for the next page once it
                    // has split this one) and the apply thread scans lists' lengths; watching, the
                    // apply thread is, and this task scans watch events' lengths.
                    for event in &mut ready {
                        if let watcher::Event::Apply(raw) | watcher::Event::Delete(raw) = event {
                            raw.scan_lengths();
                        }
                    }
                }
                let Some(mut queued) = sender.send(ready.drain(..)) else {
                    tracing::error!(informer = %inner.options.name, "the apply thread is gone; the informer stops");
                    break;
                };
                while queued >= APPLY_QUEUE {
                    room.notified().await;
                    queued = sender.len();
                }
            }
        });
        let inner = self.inner.clone();
        let resync = tokio::spawn(async move {
            // Sleeps until the next handler's resync is due, or until the handlers or the sync
            // state change (`resync_changed`): no wake-up while nothing is due.
            loop {
                let due = {
                    let dispatch = inner.dispatch();
                    if dispatch.reflector.has_synced() {
                        dispatch.handlers.iter().filter_map(|h| h.next_resync).min()
                    } else {
                        None
                    }
                };
                match due {
                    Some(due) => {
                        tokio::select! {
                            _ = tokio::time::sleep_until(due) => {}
                            _ = inner.resync_changed.notified() => continue,
                        }
                    }
                    None => {
                        inner.resync_changed.notified().await;
                        continue;
                    }
                }
                let mut dispatch = inner.dispatch();
                let now = tokio::time::Instant::now();
                let mut objects = None;
                for h in dispatch.handlers.iter_mut() {
                    let (Some(period), Some(next)) = (h.resync, h.next_resync) else {
                        continue;
                    };
                    if now < next {
                        continue;
                    }
                    h.next_resync = Some(now + period);
                    let objects = objects.get_or_insert_with(|| inner.indexer.list());
                    h.tx.send_all(objects.iter().map(|o| {
                        Message::Notify(Notification::Update {
                            old: o.clone(),
                            new: o.clone(),
                        })
                    }));
                }
            }
        });
        let mut tasks = self
            .inner
            .tasks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        tasks.push(watch);
        tasks.push(resync);
    }

    /// Waits until the cache synced or `timeout` passed; returns whether it synced.
    pub async fn wait_for_sync(&self, timeout: Duration) -> bool {
        self.inner.synced.wait_timeout(timeout).await
    }

    /// Stops the list+watch, lets every handler finish what is queued, and empties the cache.
    pub async fn shutdown(&self) {
        let tasks: Vec<JoinHandle<()>> = std::mem::take(
            &mut *self
                .inner
                .tasks
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for task in &tasks {
            task.abort();
        }
        for task in tasks {
            let _ = task.await;
        }
        // With the watch gone the apply thread finishes what is queued and stops.
        let applier = self
            .inner
            .applier
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(applier) = applier {
            let _ = tokio::task::spawn_blocking(move || applier.join()).await;
        }
        let threads = {
            let mut dispatch = self.inner.dispatch();
            dispatch.handlers.clear();
            dispatch.reflector.reset();
            std::mem::take(&mut dispatch.threads)
        };
        let _ = tokio::task::spawn_blocking(move || {
            for (_, thread) in threads {
                let _ = thread.join();
            }
        })
        .await;
        self.inner.indexer.clear();
        self.inner.synced.set(false);
        self.inner.started.store(false, Ordering::Release);
    }
}

/// Logs a list/watch error and tells the watch error handler.
fn report_watch_error<K: Resource>(inner: &Inner<K>, err: watcher::Error) {
    tracing::warn!(informer = %inner.options.name, %err, "list/watch failed; retrying");
    report(
        inner,
        &InformerError::Watch {
            kind: inner.kind.clone(),
            source: err,
        },
    );
}

/// Tells the watch error handler, if any (a panic in it is caught and logged).
fn report<K: Resource>(inner: &Inner<K>, err: &InformerError) {
    if let Some(handler) = &inner.options.watch_error_handler
        && std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(err))).is_err()
    {
        tracing::error!(informer = %inner.options.name, "the watch error handler panicked");
    }
}

/// Wakes the waiter of a `Notify` when dropped.
struct WakeOnDrop(Arc<tokio::sync::Notify>);

impl Drop for WakeOnDrop {
    fn drop(&mut self) {
        self.0.notify_one();
    }
}

/// The apply thread's buffers, kept between batches.
struct ApplyBuffers<K> {
    batch: Vec<watcher::Event<Raw<K>>>,
    /// Decoded objects, their texts let go: back to the watch task.
    spent: Vec<Raw<K>>,
    /// The lengths of the lists of the object being decoded.
    lengths: Vec<u32>,
    shared: Vec<watcher::Event<Decoded<K>>>,
    notes: Vec<Notification<K>>,
}

impl<K> Default for ApplyBuffers<K> {
    fn default() -> Self {
        ApplyBuffers {
            batch: Vec::new(),
            spent: Vec::new(),
            lengths: Vec::new(),
            shared: Vec::new(),
            notes: Vec::new(),
        }
    }
}

/// Decodes, transforms and caches a batch of watch events (emptied; what is left of them goes to
/// `spent`) and queues the changes to every handler, [`DISPATCH_BATCH`] events at a time: one
/// lock of the dispatch state and one send per handler for each. The watch task hands over
/// everything it queued at once (a page of a list, or a thousand watch events when the apply
/// thread fell behind); decoding all of it before dispatching any would keep that many decoded
/// objects alive at once, and queue them to the handlers in one go, past their backlog bound.
fn apply_batch<K>(inner: &Inner<K>, work: &mut ApplyBuffers<K>)
where
    K: Resource + DeserializeOwned + 'static,
{
    let ApplyBuffers {
        batch,
        spent,
        lengths,
        shared,
        notes,
    } = work;
    for event in batch.drain(..) {
        match &event {
            watcher::Event::Apply(raw) | watcher::Event::Delete(raw) => {
                inner.counters.events_applied.fetch_add(1, Ordering::Relaxed);
                inner
                    .counters
                    .set_resource_version(raw.meta().resource_version.as_deref());
            }
            watcher::Event::InitApply(raw) => {
                inner
                    .counters
                    .set_resource_version(raw.meta().resource_version.as_deref());
            }
            _ => {}
        }
        // A listed object's or deleted object's stand-in is the cached one, if it does not decode.
        let keep_cached = !matches!(event, watcher::Event::Apply(_));
        if let watcher::Event::InitApply(_) = event {
            grow_heap_ahead();
        }
        shared.extend(map_event(event, |raw| decode(inner, raw, spent, lengths, keep_cached)));
        if shared.len() >= DISPATCH_BATCH {
            dispatch_decoded(inner, shared, notes);
        }
    }
    dispatch_decoded(inner, shared, notes);
}

/// Caches the decoded events (emptied) and queues their changes to every handler, then waits
/// for any handler far behind.
fn dispatch_decoded<K>(inner: &Inner<K>, shared: &mut Vec<watcher::Event<Decoded<K>>>, notes: &mut Vec<Notification<K>>)
where
    K: Resource + DeserializeOwned + 'static,
{
    if shared.is_empty() {
        return;
    }
    let mut dispatch = inner.dispatch();
    for event in shared.drain(..) {
        // Stand-ins are looked up now, after the earlier events.
        let event = map_event(event, |decoded| decoded.resolve(&inner.indexer));
        if let Some(event) = event
            && dispatch.reflector.apply(event, notes)
        {
            // Handlers learn they synced right after the notes of the first list.
            send_notes(&mut dispatch.handlers, notes, true);
            inner.synced.set(true);
            inner.resync_changed.notify_one();
        }
    }
    send_notes(&mut dispatch.handlers, notes, false);
    // A handler far behind holds every version of the objects queued for it: wait for it
    // (outside the lock, which a handler may take to remove itself) before decoding more.
    let behind: Vec<_> = dispatch
        .handlers
        .iter()
        .filter(|h| h.tx.len() > HANDLER_BACKLOG)
        .map(|h| h.tx.backlog())
        .collect();
    drop(dispatch);
    for backlog in behind {
        backlog.wait_below(HANDLER_BACKLOG / 2);
    }
}

/// The most notifications queued for one handler before the informer waits for it to catch up
/// (client-go's listeners have no bound: a handler slower than the watch then holds every
/// version of the objects it has yet to see). Measured on the events benchmark (100,000 pod
/// updates to 3 handlers, 1,000 pods cached): with no bound the run peaked at 332 MiB of RSS;
/// dispatching 64 events at a time, the peak live heap was 46 MiB with a bound of 256 and 38 MiB
/// with 64 (kube-runtime's reflector feeding 3 channels: 36 MiB), and the events faster.
const HANDLER_BACKLOG: usize = 64;

/// Makes room for a listed object before it is decoded. glibc grows a thread's heap (the apply
/// thread allocates in an arena of its own) by exactly what one allocation needs: one `mprotect`
/// per few pages, 79,420 calls while a list of 10,000 pods filled the cache (strace), a third of
/// the apply thread's time (perf). Allocating and freeing a block of 60 KiB first grows the
/// heap in one step, and the object is then carved from it: 10,050 calls, and the sync 10-20%
/// faster. The block stays under 64 KiB (freeing more consolidates glibc's fast bins) and
/// 128 KiB (where glibc would map it, or trim the heap when it is freed).
fn grow_heap_ahead() {
    drop(std::hint::black_box(Vec::<u8>::with_capacity(60 << 10)));
}

/// An event's object, decoded, or the key of the object cached under it.
enum Decoded<K> {
    Object(Arc<K>),
    Cached(String),
}

impl<K: Resource + 'static> Decoded<K> {
    /// The object, or what `indexer` holds under the key (if anything).
    fn resolve(self, indexer: &Indexer<K>) -> Option<Arc<K>> {
        match self {
            Decoded::Object(object) => Some(object),
            Decoded::Cached(key) => indexer.get(&key),
        }
    }
}

/// Decodes and transforms a listed or watched object (with compaction on, every list allocated
/// at its length). An object that does not decode as `K` is reported to the watch error handler
/// and skipped, as is one a transform panicked on; with `keep_cached`, the cached object of its
/// key stands in for it (so that a relist does not drop it and a delete still removes it). The
/// text is let go of, and the rest goes to `spent`.
fn decode<K>(
    inner: &Inner<K>,
    mut raw: Raw<K>,
    spent: &mut Vec<Raw<K>>,
    lengths: &mut Vec<u32>,
    keep_cached: bool,
) -> Option<Decoded<K>>
where
    K: Resource + DeserializeOwned + 'static,
{
    let decoded = raw
        .decode(inner.options.compact.then_some(lengths))
        .map_err(Unusable::Decode)
        .and_then(|mut object| {
            // A panicking transform must not take the apply thread (and with it the informer) down.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                inner.options.transforms.iter().for_each(|t| t(&mut object));
                object
            }))
            .map_err(|_| Unusable::TransformPanicked)
        });
    let decoded = match decoded {
        Ok(object) => Some(Decoded::Object(Arc::new(object))),
        Err(failure) => {
            let meta = raw.meta();
            let (namespace, name) = (
                meta.namespace.as_deref().unwrap_or(""),
                meta.name.as_deref().unwrap_or(""),
            );
            match failure {
                Unusable::TransformPanicked => {
                    tracing::error!(informer = %inner.options.name, kind = %inner.kind, namespace, name, "a transform panicked; object skipped");
                }
                Unusable::Decode(err) => {
                    tracing::error!(informer = %inner.options.name, kind = %inner.kind, namespace, name, %err, "object does not decode; skipped");
                    report(
                        inner,
                        &InformerError::Decode {
                            kind: inner.kind.clone(),
                            namespace: meta.namespace.clone(),
                            name: name.to_owned(),
                            resource_version: meta.resource_version.clone(),
                            source: err,
                        },
                    );
                }
            }
            keep_cached.then(|| Decoded::Cached(crate::object_key(&raw)))
        }
    };
    raw.release_text();
    spent.push(raw);
    decoded
}

/// Why an object is skipped.
enum Unusable {
    Decode(serde_json::Error),
    TransformPanicked,
}

/// The most watch events queued for the apply thread before the watch task waits.
const APPLY_QUEUE: usize = 1024;

/// The most watch events applied and dispatched as one batch.
const DISPATCH_BATCH: usize = 64;

/// Waits for the next item of `stream`, then takes every further item that is ready, up to
/// [`DISPATCH_BATCH`], into `batch` (which must be empty); false when the stream ended.
///
/// A watch delivers one event per turn of the HTTP connection's task, so "ready now" alone
/// would be a batch of one: when nothing is ready this yields to the runtime once (letting the
/// connection hand over what the socket already holds) before it settles for what it has. An
/// idle watch costs one yield per event; a busy one shares each lock and wake among many.
async fn next_batch<S: futures::Stream + Unpin>(stream: &mut S, batch: &mut Vec<S::Item>) -> bool {
    use futures::FutureExt;
    let Some(first) = stream.next().await else {
        return false;
    };
    batch.push(first);
    let mut yielded = false;
    while batch.len() < DISPATCH_BATCH {
        match stream.next().now_or_never() {
            Some(Some(item)) => {
                batch.push(item);
                yielded = false;
            }
            Some(None) => break,
            None if !yielded => {
                tokio::task::yield_now().await;
                yielded = true;
            }
            None => break,
        }
    }
    true
}

/// Queues `notes` (emptied) to every handler, then `Synced` if `synced`; drops handlers whose
/// worker is gone.
fn send_notes<K>(handlers: &mut Vec<HandlerSlot<K>>, notes: &mut Vec<Notification<K>>, synced: bool) {
    if notes.is_empty() && !synced {
        return;
    }
    handlers.retain(|h| {
        let messages = notes.iter().map(|n| Message::Notify(n.clone()));
        if synced {
            h.tx.send_all(messages.chain(std::iter::once(Message::Synced)))
        } else {
            h.tx.send_all(messages)
        }
    });
    notes.clear();
}

struct ForwardHandler<F>(F);

impl<K: Send + Sync + 'static, F: Fn(Notification<K>) + Send + Sync + 'static> ResourceEventHandler<K>
    for ForwardHandler<F>
{
    fn on_add(&self, obj: &Arc<K>, is_initial_list: bool) {
        (self.0)(Notification::Add {
            obj: obj.clone(),
            is_initial_list,
        });
    }
    fn on_update(&self, old: &Arc<K>, new: &Arc<K>) {
        (self.0)(Notification::Update {
            old: old.clone(),
            new: new.clone(),
        });
    }
    fn on_delete(&self, obj: &crate::DeleteEvent<K>) {
        (self.0)(Notification::Delete(obj.clone()));
    }
}

/// The informer's changes as a stream; see [`SharedIndexInformer::events`].
pub struct EventStream<K> {
    rx: tokio::sync::mpsc::UnboundedReceiver<Notification<K>>,
    registration: Option<HandlerRegistration>,
}

impl<K> futures::Stream for EventStream<K> {
    type Item = Notification<K>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

impl<K> Drop for EventStream<K> {
    fn drop(&mut self) {
        if let Some(registration) = self.registration.take()
            && !registration.shared.removed.swap(true, Ordering::AcqRel)
        {
            // Detach without joining: the worker ends once its queue is dropped.
            let _ = (registration.remove)(registration.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::Pod;

    #[test]
    fn exact_decoding_keeps_the_content_and_leaves_no_spare_room() {
        // From text, as the watch decodes it (a `Value` would tell serde the list lengths).
        let text = serde_json::json!({
            "metadata": {
                "name": "p", "namespace": "ns", "resourceVersion": "7",
                "labels": {"app": "web"},
                "finalizers": ["a", "b"],
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u"}],
                "managedFields": [{"manager": "m", "operation": "Update", "fieldsType": "FieldsV1",
                                   "fieldsV1": {"f:metadata": {"f:labels": {"f:app": {}}}, "f:x": [[1, 2], [3]]}}],
                "unknownField": [[1], [2, 3, 4], {"k": ["v"]}]
            },
            "spec": {"containers": [{"name": "a", "env": [{"name": "X", "value": "1"}], "args": ["[", "]"]}, {"name": "b"}]},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}
        })
        .to_string();
        let raw: crate::raw::Raw<Pod> = serde_json::from_str(&text).unwrap();
        let pod = raw.decode(None).unwrap();
        let env = |p: &Pod| p.spec.as_ref().unwrap().containers[0].env.as_ref().unwrap().capacity();
        let args = |p: &Pod| p.spec.as_ref().unwrap().containers[0].args.as_ref().unwrap().capacity();
        let conditions = |p: &Pod| p.status.as_ref().unwrap().conditions.as_ref().unwrap().capacity();
        assert_eq!(
            (env(&pod), args(&pod), conditions(&pod)),
            (4, 4, 4),
            "serde leaves room"
        );
        let compacted = raw.decode(Some(&mut Vec::new())).unwrap();
        assert_eq!(compacted, pod);
        assert_eq!((env(&compacted), args(&compacted), conditions(&compacted)), (1, 2, 1));
        let meta = &compacted.metadata;
        assert_eq!(meta.finalizers.as_ref().map(Vec::capacity), Some(2));
        assert_eq!(meta.owner_references.as_ref().map(Vec::capacity), Some(1));
        assert_eq!(meta.managed_fields.as_ref().map(Vec::capacity), Some(1));
    }

    /// The retry waits are kube-runtime's jittered exponential backoff: each wait lies between
    /// the plain exponential delay and twice it, and replicas do not all wait the same.
    #[tokio::test]
    async fn backoff_is_exponential_with_jitter() {
        let settings = super::BackoffSettings {
            initial: std::time::Duration::from_millis(100),
            max: std::time::Duration::from_secs(1),
            reset_after: std::time::Duration::from_secs(60),
        };
        let runs: Vec<Vec<std::time::Duration>> = (0..20).map(|_| settings.backoff().take(6).collect()).collect();
        for run in &runs {
            for (i, wait) in run.iter().enumerate() {
                let plain = (settings.initial * 2u32.pow(i as u32)).min(settings.max);
                assert!(
                    *wait >= plain && *wait < plain * 2,
                    "wait {i}: {wait:?} (plain {plain:?})"
                );
            }
        }
        let first: std::collections::BTreeSet<std::time::Duration> = runs.iter().map(|r| r[0]).collect();
        assert!(first.len() > 1, "20 informers waited exactly alike: {first:?}");
        // `reset` (the watcher calls it after a success) starts again from `initial`.
        let mut backoff = settings.backoff();
        let _ = backoff.by_ref().take(5).count();
        kube::runtime::utils::Backoff::reset(&mut backoff);
        assert!(backoff.next().unwrap() < settings.initial * 2);
    }
}
