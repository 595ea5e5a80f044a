//! The basic queue: dedup through the dirty set, one worker per item through the processing set
//! (client-go's `workqueue.Typed`).

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt::Debug;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::metrics::QueueMetrics;

/// A work queue of keys (client-go's `workqueue.TypedInterface`).
///
/// - An item added several times before a worker takes it is handed out once (the dirty set).
/// - An item added while a worker holds it is not handed to another worker: it is queued again
///   when the holder calls [`done`](Self::done) (the processing set).
/// - Items come out in the order they were first added.
///
/// Cloning gives another handle to the same queue.
///
/// ```no_run
/// # async fn demo() {
/// use kube_controller::workqueue::Queue;
///
/// let queue = Queue::new();
/// queue.add("default/web".to_string());
/// while let Some(key) = queue.get().await {
///     println!("working on {key}");
///     queue.done(&key);
/// }
/// # }
/// ```
pub struct Queue<T> {
    pub(crate) inner: Arc<Shared<T>>,
}

impl<T> Clone for Queue<T> {
    fn clone(&self) -> Self {
        Queue {
            inner: self.inner.clone(),
        }
    }
}

impl<T> Debug for Queue<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.inner.state();
        f.debug_struct("Queue")
            .field("queued", &state.queue.len())
            .field("processing", &state.processing.len())
            .field("shutting_down", &state.shutting_down)
            .finish()
    }
}

pub(crate) struct Shared<T> {
    state: Mutex<State<T>>,
    /// Wakes one waiting [`Queue::get`] per added item; all of them on shutdown.
    ready: Notify,
    /// Wakes [`Queue::shut_down_with_drain`] when the processing set empties.
    drained: Notify,
    metrics: Option<QueueMetrics>,
}

pub(crate) struct State<T> {
    queue: VecDeque<T>,
    dirty: HashSet<T>,
    /// The items workers hold, with the time each was taken.
    processing: HashMap<T, Instant>,
    /// When each queued item was added (for `workqueue_queue_duration_seconds`).
    added_at: HashMap<T, Instant>,
    pub(crate) shutting_down: bool,
    drain: bool,
}

impl<T> Shared<T> {
    pub(crate) fn state(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T: Hash + Eq + Clone + Send + Sync + 'static> Shared<T> {
    /// Seconds of work in progress, summed and longest (for the unfinished-work gauges).
    pub(crate) fn in_flight_seconds(&self) -> (f64, f64) {
        let now = Instant::now();
        let state = self.state();
        state.processing.values().fold((0.0, 0.0), |(sum, longest), started| {
            let secs = now.saturating_duration_since(*started).as_secs_f64();
            (sum + secs, f64::max(longest, secs))
        })
    }
}

impl<T: Hash + Eq + Clone + Send + Sync + 'static> Default for Queue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Hash + Eq + Clone + Send + Sync + 'static> Queue<T> {
    /// An empty queue without metrics.
    pub fn new() -> Self {
        Self::build(None)
    }

    /// An empty queue reporting client-go's `workqueue_*` metrics under `name`.
    pub fn with_metrics(name: impl Into<String>, metrics: &crate::Metrics) -> Self {
        let queue = Self::build(Some(metrics.queue(name.into())));
        metrics.watch_queue(&queue);
        queue
    }

    fn build(metrics: Option<QueueMetrics>) -> Self {
        Queue {
            inner: Arc::new(Shared {
                state: Mutex::new(State {
                    queue: VecDeque::new(),
                    dirty: HashSet::new(),
                    processing: HashMap::new(),
                    added_at: HashMap::new(),
                    shutting_down: false,
                    drain: false,
                }),
                ready: Notify::new(),
                drained: Notify::new(),
                metrics,
            }),
        }
    }

    pub(crate) fn metrics(&self) -> Option<&QueueMetrics> {
        self.inner.metrics.as_ref()
    }

    /// Marks `item` as needing processing. Does nothing after [`shut_down`](Self::shut_down), or
    /// if the item is already queued; an item a worker holds is queued again when it is done.
    pub fn add(&self, item: T) {
        let mut state = self.inner.state();
        if state.shutting_down || state.dirty.contains(&item) {
            return;
        }
        if let Some(m) = &self.inner.metrics {
            m.add();
        }
        state.dirty.insert(item.clone());
        if state.processing.contains_key(&item) {
            return;
        }
        state.added_at.insert(item.clone(), Instant::now());
        state.queue.push_back(item);
        if let Some(m) = &self.inner.metrics {
            m.set_depth(state.queue.len());
        }
        drop(state);
        self.inner.ready.notify_one();
    }

    /// How many items wait to be taken (not counting those being processed).
    pub fn len(&self) -> usize {
        self.inner.state().queue.len()
    }

    /// Whether no item waits to be taken.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Waits for an item and marks it as being processed; the caller must call
    /// [`done`](Self::done) with it afterwards. Returns `None` once the queue is shut down and
    /// empty: the worker should then exit.
    pub async fn get(&self) -> Option<T> {
        loop {
            let ready = self.inner.ready.notified();
            tokio::pin!(ready);
            // Registered before looking, so an add between the look and the wait is not missed.
            ready.as_mut().enable();
            {
                let mut state = self.inner.state();
                if let Some(item) = state.queue.pop_front() {
                    let now = Instant::now();
                    if let Some(m) = &self.inner.metrics {
                        m.set_depth(state.queue.len());
                        if let Some(added) = state.added_at.remove(&item) {
                            m.observe_queue_duration(now.saturating_duration_since(added));
                        }
                    } else {
                        state.added_at.remove(&item);
                    }
                    state.dirty.remove(&item);
                    state.processing.insert(item.clone(), now);
                    let more = !state.queue.is_empty();
                    drop(state);
                    if more {
                        // Another waiter may have been woken for this item by an add that raced
                        // with us; hand the wake-up on.
                        self.inner.ready.notify_one();
                    }
                    return Some(item);
                }
                if state.shutting_down {
                    return None;
                }
            }
            ready.await;
        }
    }

    /// Marks `item` as processed. If it was added again meanwhile, it is queued again now.
    pub fn done(&self, item: &T) {
        let mut state = self.inner.state();
        let Some(started) = state.processing.remove(item) else {
            return;
        };
        if let Some(m) = &self.inner.metrics {
            m.observe_work_duration(Instant::now().saturating_duration_since(started));
        }
        let requeue = state.dirty.contains(item);
        if requeue {
            state.added_at.insert(item.clone(), Instant::now());
            state.queue.push_back(item.clone());
            if let Some(m) = &self.inner.metrics {
                m.set_depth(state.queue.len());
            }
        }
        let drained = state.drain && state.processing.is_empty();
        drop(state);
        if requeue {
            self.inner.ready.notify_one();
        }
        if drained {
            self.inner.drained.notify_waiters();
        }
    }

    /// Stops taking new items: later adds are ignored; workers get what is queued, then `None`.
    /// Does not wait.
    pub fn shut_down(&self) {
        self.inner.state().shutting_down = true;
        self.inner.ready.notify_waiters();
    }

    /// Like [`shut_down`](Self::shut_down), then waits until every item workers hold is
    /// [`done`](Self::done) (client-go's `ShutDownWithDrain`).
    pub async fn shut_down_with_drain(&self) {
        {
            let mut state = self.inner.state();
            state.shutting_down = true;
            state.drain = true;
        }
        self.inner.ready.notify_waiters();
        loop {
            let drained = self.inner.drained.notified();
            tokio::pin!(drained);
            drained.as_mut().enable();
            if self.inner.state().processing.is_empty() {
                break;
            }
            drained.await;
        }
        self.inner.state().drain = false;
    }

    /// Whether [`shut_down`](Self::shut_down) was called.
    pub fn shutting_down(&self) -> bool {
        self.inner.state().shutting_down
    }

    /// How many items workers hold.
    pub fn processing(&self) -> usize {
        self.inner.state().processing.len()
    }
}
