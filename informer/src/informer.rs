//! The shared index informer: one list+watch per kind, shared by every handler and lister
//! (client-go's `SharedIndexInformer`), on kube-runtime's watcher. This is its face: options,
//! errors, handles, handler registration and the resync timer. The list+watch and the apply
//! thread are in [`crate::pipeline`], the handlers' listeners in [`crate::processor`].

use std::fmt::Debug;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use kube::Resource;
use kube::api::Api;
use kube::runtime::watcher;
use serde::de::DeserializeOwned;
use tokio::task::JoinHandle;

use crate::handler::{HandlerRegistration, Notification, ResourceEventHandler};
use crate::indexer::{IndexFn, Indexer, IndexerError, IndexerReader};
use crate::lister::Lister;
use crate::processor::Processor;
use crate::reflector::Reflector;
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
    pub(crate) fn backoff(self) -> impl kube::runtime::utils::Backoff {
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

/// What the apply thread changes under one lock: the cache (through the reflector) and the
/// handlers it tells, so that a handler added meanwhile misses nothing and sees nothing twice.
pub(crate) struct Dispatch<K> {
    pub reflector: Reflector<K>,
    pub processor: Processor<K>,
}

/// The state an informer's handles, its pipeline and its resync task share.
pub(crate) struct Inner<K: Resource> {
    pub api: Api<K>,
    pub options: InformerOptions<K>,
    pub indexer: Indexer<K>,
    pub kind: String,
    pub dispatch: Mutex<Dispatch<K>>,
    pub synced: crate::handler::SyncFlag,
    started: AtomicBool,
    next_id: AtomicU64,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    /// The thread that caches the watch's events and dispatches them (see [`crate::pipeline`]).
    applier: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// Requests, lists and events so far, for metrics.
    pub counters: Arc<Counters>,
    /// Room in the queue from the watch task to the apply thread.
    pub room: crate::pipeline::Room,
    /// Wakes the resync timer: a handler was added or the cache synced.
    pub resync_changed: tokio::sync::Notify,
}

impl<K: Resource> Inner<K> {
    pub fn dispatch(&self) -> MutexGuard<'_, Dispatch<K>> {
        self.dispatch.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A shared index informer for `K`. Cloning gives another handle to the same informer.
pub struct SharedIndexInformer<K: Resource> {
    pub(crate) inner: Arc<Inner<K>>,
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
                    processor: Processor::new(),
                }),
                indexer,
                options,
                synced: crate::handler::SyncFlag::new(),
                started: AtomicBool::new(false),
                next_id: AtomicU64::new(1),
                tasks: Mutex::new(Vec::new()),
                applier: Mutex::new(None),
                counters: Arc::new(Counters::default()),
                room: Default::default(),
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
        let name = format!("{}-handler-{id}", self.inner.options.name);
        let shared = {
            let mut dispatch = self.inner.dispatch();
            // Replay under the lock: nothing is missed or seen twice.
            let replay = dispatch.reflector.has_synced().then(|| {
                let mut entries = self.inner.indexer.entries();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                entries.into_iter().map(|(_, obj)| obj).collect()
            });
            dispatch.processor.add_listener(id, name, handler, resync, replay)
        };
        if resync.is_some() {
            self.inner.resync_changed.notify_one();
        }
        let weak = Arc::downgrade(&self.inner);
        HandlerRegistration {
            id,
            shared,
            remove: Arc::new(move |id| weak.upgrade()?.dispatch().processor.remove_listener(id)),
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
        let (watch, applier) = crate::pipeline::start(&self.inner);
        *self
            .inner
            .applier
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(applier);
        let inner = self.inner.clone();
        let resync = tokio::spawn(async move {
            // Sleeps until the next handler's resync is due, or until the handlers or the sync
            // state change (`resync_changed`): no wake-up while nothing is due.
            loop {
                let due = {
                    let dispatch = inner.dispatch();
                    if dispatch.reflector.has_synced() {
                        dispatch.processor.next_resync()
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
                let now = tokio::time::Instant::now();
                inner.dispatch().processor.resync(now, || inner.indexer.list());
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
            dispatch.reflector.reset();
            dispatch.processor.stop()
        };
        let _ = tokio::task::spawn_blocking(move || {
            for thread in threads {
                let _ = thread.join();
            }
        })
        .await;
        self.inner.indexer.clear();
        self.inner.synced.set(false);
        self.inner.started.store(false, Ordering::Release);
    }
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
