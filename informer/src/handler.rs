//! Event handlers: the `on_add`/`on_update`/`on_delete` trait, closures, tombstones, and a
//! handler's registration. Each handler gets a queue and a worker thread of its own (see
//! [`crate::processor`]).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::processor::ListenerShared;

/// An object deleted while the informer was not watching: the last state it knew
/// (client-go's `DeletedFinalStateUnknown`).
#[derive(Debug)]
pub struct DeletedFinalStateUnknown<K> {
    /// The cache key of the object.
    pub key: String,
    /// Its last known state.
    pub obj: Arc<K>,
}

impl<K> Clone for DeletedFinalStateUnknown<K> {
    fn clone(&self) -> Self {
        DeletedFinalStateUnknown {
            key: self.key.clone(),
            obj: self.obj.clone(),
        }
    }
}

/// What `on_delete` gets: the deleted object, or a tombstone when the deletion was missed and
/// found by a relist.
#[derive(Debug)]
pub enum DeleteEvent<K> {
    /// A deletion seen on the watch, with the object's final state.
    Object(Arc<K>),
    /// A deletion found by a relist; the state is the last one the cache had.
    Tombstone(DeletedFinalStateUnknown<K>),
}

impl<K> Clone for DeleteEvent<K> {
    fn clone(&self) -> Self {
        match self {
            DeleteEvent::Object(o) => DeleteEvent::Object(o.clone()),
            DeleteEvent::Tombstone(t) => DeleteEvent::Tombstone(t.clone()),
        }
    }
}

impl<K> DeleteEvent<K> {
    /// The object, whether seen deleted or found gone.
    pub fn object(&self) -> &Arc<K> {
        match self {
            DeleteEvent::Object(o) => o,
            DeleteEvent::Tombstone(t) => &t.obj,
        }
    }
    /// Whether this is a tombstone.
    pub fn is_tombstone(&self) -> bool {
        matches!(self, DeleteEvent::Tombstone(_))
    }
}

/// One change as handlers and event streams see it.
#[derive(Debug)]
pub enum Notification<K> {
    /// An object appeared; `is_initial_list` is true for objects of the first list (and for the
    /// replay a late handler gets).
    Add {
        /// The object.
        obj: Arc<K>,
        /// Whether it came with the initial list.
        is_initial_list: bool,
    },
    /// An object changed (or, on a resync, did not: then `old` and `new` are the same).
    Update {
        /// The state before.
        old: Arc<K>,
        /// The state now.
        new: Arc<K>,
    },
    /// An object went away.
    Delete(DeleteEvent<K>),
}

impl<K> Clone for Notification<K> {
    fn clone(&self) -> Self {
        match self {
            Notification::Add { obj, is_initial_list } => Notification::Add {
                obj: obj.clone(),
                is_initial_list: *is_initial_list,
            },
            Notification::Update { old, new } => Notification::Update {
                old: old.clone(),
                new: new.clone(),
            },
            Notification::Delete(d) => Notification::Delete(d.clone()),
        }
    }
}

/// Reacts to changes of a cached kind (client-go's `ResourceEventHandler`). Every method has an
/// empty default. Calls for one handler come one at a time, in order, on its own worker thread.
pub trait ResourceEventHandler<K>: Send + Sync + 'static {
    /// An object was added.
    fn on_add(&self, _obj: &Arc<K>, _is_initial_list: bool) {}
    /// An object changed (or a resync replayed it).
    fn on_update(&self, _old: &Arc<K>, _new: &Arc<K>) {}
    /// An object was deleted.
    fn on_delete(&self, _obj: &DeleteEvent<K>) {}
}

type AddFn<K> = Box<dyn Fn(&Arc<K>, bool) + Send + Sync>;
type UpdateFn<K> = Box<dyn Fn(&Arc<K>, &Arc<K>) + Send + Sync>;
type DeleteFn<K> = Box<dyn Fn(&DeleteEvent<K>) + Send + Sync>;

/// A handler made of closures (client-go's `ResourceEventHandlerFuncs`).
///
/// ```
/// use k8s_openapi::api::core::v1::Pod;
/// use kube_informer::HandlerFns;
///
/// let handler = HandlerFns::<Pod>::new()
///     .on_add(|pod, _| println!("added {:?}", pod.metadata.name))
///     .on_delete(|pod| println!("deleted {:?}", pod.object().metadata.name));
/// ```
pub struct HandlerFns<K> {
    add: Option<AddFn<K>>,
    update: Option<UpdateFn<K>>,
    delete: Option<DeleteFn<K>>,
}

impl<K> Default for HandlerFns<K> {
    fn default() -> Self {
        HandlerFns {
            add: None,
            update: None,
            delete: None,
        }
    }
}

impl<K> HandlerFns<K> {
    /// A handler that does nothing yet.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the add closure.
    pub fn on_add(mut self, f: impl Fn(&Arc<K>, bool) + Send + Sync + 'static) -> Self {
        self.add = Some(Box::new(f));
        self
    }
    /// Sets the update closure.
    pub fn on_update(mut self, f: impl Fn(&Arc<K>, &Arc<K>) + Send + Sync + 'static) -> Self {
        self.update = Some(Box::new(f));
        self
    }
    /// Sets the delete closure.
    pub fn on_delete(mut self, f: impl Fn(&DeleteEvent<K>) + Send + Sync + 'static) -> Self {
        self.delete = Some(Box::new(f));
        self
    }
}

impl<K: Send + Sync + 'static> ResourceEventHandler<K> for HandlerFns<K> {
    fn on_add(&self, obj: &Arc<K>, is_initial_list: bool) {
        if let Some(f) = &self.add {
            f(obj, is_initial_list);
        }
    }
    fn on_update(&self, old: &Arc<K>, new: &Arc<K>) {
        if let Some(f) = &self.update {
            f(old, new);
        }
    }
    fn on_delete(&self, obj: &DeleteEvent<K>) {
        if let Some(f) = &self.delete {
            f(obj);
        }
    }
}

/// A flag that can be awaited without polling: set by the informer's pipeline (a cache or a
/// handler has synced), awaited by whoever waits for it.
#[derive(Debug)]
pub(crate) struct SyncFlag(tokio::sync::watch::Sender<bool>);

impl SyncFlag {
    pub fn new() -> Self {
        SyncFlag(tokio::sync::watch::Sender::new(false))
    }

    pub fn get(&self) -> bool {
        *self.0.borrow()
    }

    /// Sets the flag, waking the waiters when it turns true.
    pub fn set(&self, value: bool) {
        self.0
            .send_if_modified(|current| std::mem::replace(current, value) != value);
    }

    /// Resolves once the flag is true (at once if it is); never, if it never is.
    pub fn wait(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.0.subscribe();
        async move {
            // An error means the informer is gone: then it never syncs.
            if rx.wait_for(|set| *set).await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// Waits until the flag is true or `timeout` passes; returns whether it is true.
    pub async fn wait_timeout(&self, timeout: Duration) -> bool {
        let _ = tokio::time::timeout(timeout, self.wait()).await;
        self.get()
    }
}

/// A handler's registration (client-go's `ResourceEventHandlerRegistration`).
pub struct HandlerRegistration {
    pub(crate) id: u64,
    pub(crate) shared: Arc<ListenerShared>,
    pub(crate) remove: RemoveFn,
    /// The worker thread, once detached by [`HandlerRegistration::remove`].
    pub(crate) thread: std::sync::Mutex<Option<std::thread::JoinHandle<()>>>,
}

/// Detaches a handler from its informer and hands back its worker thread.
pub(crate) type RemoveFn = Arc<dyn Fn(u64) -> Option<std::thread::JoinHandle<()>> + Send + Sync>;

impl std::fmt::Debug for HandlerRegistration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandlerRegistration")
            .field("id", &self.id)
            .field("synced", &self.has_synced())
            .finish()
    }
}

impl HandlerRegistration {
    /// Whether the handler has been given (and has handled) the whole initial state.
    pub fn has_synced(&self) -> bool {
        self.shared.synced.get()
    }
    /// How many times the handler panicked (each panic is caught and logged).
    pub fn panics(&self) -> u64 {
        self.shared.panics.load(Ordering::Relaxed)
    }
    /// How many notifications the handler has handled.
    pub fn delivered(&self) -> u64 {
        self.shared.delivered.load(Ordering::Relaxed)
    }
    /// Stops delivering to this handler (client-go's `RemoveEventHandler`), without waiting:
    /// notifications already queued are still handled, on the handler's own thread, after this
    /// returns ([`HandlerRegistration::removed`] waits for that). Callable from async code and
    /// from inside the handler itself.
    pub fn remove(&self) {
        if !self.shared.removed.swap(true, Ordering::AcqRel)
            && let Some(thread) = (self.remove)(self.id)
        {
            *self.thread.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(thread);
        }
    }

    /// Removes the handler if it is not yet removed, then waits until it has handled what was
    /// queued for it and its thread has ended. Do not await it from inside the handler.
    pub async fn removed(&self) {
        self.remove();
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(thread) = thread {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
    /// Waits until [`has_synced`](Self::has_synced) or the timeout; returns whether it synced.
    /// Woken by the handler's worker, not by polling.
    pub async fn wait_for_sync(&self, timeout: Duration) -> bool {
        self.shared.synced.wait_timeout(timeout).await
    }

    /// Resolves once the handler has synced (client-go's `registration.HasSynced()` as a
    /// future that holds no borrow of the registration).
    pub fn synced(&self) -> impl Future<Output = ()> + Send + 'static {
        self.shared.synced.wait()
    }
}
