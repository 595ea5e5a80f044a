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
use crate::indexer::{IndexFn, Indexer, IndexerError};
use crate::lister::Lister;
use crate::reflector::Reflector;

/// A change applied to each object before it is cached (client-go's `TransformFunc`).
pub type Transform<K> = Arc<dyn Fn(&mut K) + Send + Sync>;
/// Called with every error of the list+watch (client-go's `WatchErrorHandler`); the informer
/// retries with backoff either way.
pub type WatchErrorHandler = Arc<dyn Fn(&watcher::Error) + Send + Sync>;

/// A ready transform: drops `metadata.managedFields`, which is often half of an object's size.
pub fn strip_managed_fields<K: Resource>(object: &mut K) {
    object.meta_mut().managed_fields = None;
}

/// How long the informer waits before retrying a failed list or watch: exponential from
/// `initial` to `max`, back to `initial` after `reset_after` without errors. The default is
/// client-go's reflector's: 800 ms, 30 s, 2 min.
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

/// kube-runtime's `Backoff` for [`BackoffSettings`].
struct InformerBackoff {
    settings: BackoffSettings,
    next: Duration,
    last: Option<std::time::Instant>,
}

impl Iterator for InformerBackoff {
    type Item = Duration;
    fn next(&mut self) -> Option<Duration> {
        let now = std::time::Instant::now();
        if self
            .last
            .is_some_and(|l| now.duration_since(l) > self.settings.reset_after)
        {
            self.next = self.settings.initial;
        }
        self.last = Some(now);
        let wait = self.next;
        self.next = (self.next * 2).min(self.settings.max);
        Some(wait)
    }
}

impl kube::runtime::utils::Backoff for InformerBackoff {
    fn reset(&mut self) {
        self.next = self.settings.initial;
    }
}

/// How an informer lists and watches, and what it does to objects on the way in.
pub struct InformerOptions<K> {
    /// Selectors, page size, streaming lists... for kube-runtime's watcher.
    pub config: watcher::Config,
    /// Applied to each object before it is cached, in order.
    pub transforms: Vec<Transform<K>>,
    /// Told about every list/watch error.
    pub watch_error_handler: Option<WatchErrorHandler>,
    /// The resync period of handlers added without one (`None`: no resync).
    pub default_resync: Option<Duration>,
    /// A name for logs and handler threads (the kind, by default).
    pub name: String,
    /// Waits between retries of a failed list or watch.
    pub backoff: BackoffSettings,
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
    synced: AtomicBool,
    started: AtomicBool,
    next_id: AtomicU64,
    tasks: Mutex<Vec<JoinHandle<()>>>,
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
            .field("synced", &self.inner.synced.load(Ordering::Relaxed))
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
        let indexer = Indexer::new();
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
                synced: AtomicBool::new(false),
                started: AtomicBool::new(false),
                next_id: AtomicU64::new(1),
                tasks: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Whether both handles are the same informer.
    pub fn ptr_eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The kind this informer caches.
    pub fn kind(&self) -> &str {
        &self.inner.kind
    }

    /// The cache.
    pub fn indexer(&self) -> &Indexer<K> {
        &self.inner.indexer
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
        self.inner.synced.load(Ordering::Acquire)
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
                for (_, obj) in entries {
                    let _ = tx.send(Message::Notify(Notification::Add {
                        obj,
                        is_initial_list: true,
                    }));
                }
                let _ = tx.send(Message::Synced);
            }
            dispatch.handlers.push(HandlerSlot {
                id,
                tx,
                resync,
                next_resync: resync.map(|r| tokio::time::Instant::now() + r),
            });
            dispatch.threads.push((id, thread));
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
        let inner = self.inner.clone();
        let watch = tokio::spawn(async move {
            let backoff = InformerBackoff {
                settings: inner.options.backoff,
                next: inner.options.backoff.initial,
                last: None,
            };
            let stream = watcher(inner.api.clone(), inner.options.config.clone()).backoff(backoff);
            let mut stream = std::pin::pin!(stream);
            let mut notes = Vec::new();
            while let Some(item) = stream.next().await {
                let event = match item {
                    Ok(event) => event,
                    Err(err) => {
                        tracing::warn!(informer = %inner.options.name, %err, "list/watch failed; retrying");
                        if let Some(handler) = &inner.options.watch_error_handler {
                            handler(&err);
                        }
                        continue;
                    }
                };
                let event = if inner.options.transforms.is_empty() {
                    event
                } else {
                    event.modify(|o| inner.options.transforms.iter().for_each(|t| t(o)))
                };
                let event = match event {
                    watcher::Event::Apply(o) => watcher::Event::Apply(compact(o)),
                    watcher::Event::InitApply(o) => watcher::Event::InitApply(compact(o)),
                    other => other,
                };
                let mut dispatch = inner.dispatch();
                let first_sync = dispatch.reflector.apply(event, &mut notes);
                dispatch.handlers.retain(|h| {
                    notes.iter().all(|n| h.tx.send(Message::Notify(n.clone())).is_ok())
                        && (!first_sync || h.tx.send(Message::Synced).is_ok())
                });
                notes.clear();
                if first_sync {
                    inner.synced.store(true, Ordering::Release);
                }
            }
        });
        let inner = self.inner.clone();
        let resync = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(20));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                tick.tick().await;
                let mut dispatch = inner.dispatch();
                if !dispatch.reflector.has_synced() || dispatch.handlers.iter().all(|h| h.resync.is_none()) {
                    continue;
                }
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
                    for o in objects.iter() {
                        let _ = h.tx.send(Message::Notify(Notification::Update {
                            old: o.clone(),
                            new: o.clone(),
                        }));
                    }
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
        crate::handler::poll_until(timeout, || self.has_synced()).await
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
        self.inner.synced.store(false, Ordering::Release);
        self.inner.started.store(false, Ordering::Release);
    }
}

/// An exactly sized copy of a freshly decoded object, for the cache: serde leaves spare capacity
/// in every `Vec` (room for 4 containers, volumes... when there are 1 or 2), about an eighth of a
/// cached pod. kube-runtime's store clones every object too.
fn compact<K: Clone>(object: K) -> K {
    object.clone()
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
