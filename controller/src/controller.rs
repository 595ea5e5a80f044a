//! The controller loop: workers take keys from a rate-limiting queue and reconcile them
//! (client-go's sample-controller `runWorker`/`processNextWorkItem`, with kube-runtime's
//! reconcile-returns-an-action and error policy).

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::ObjectRef;
use crate::leaderelection::{LeaderElector, TermEnd};
use crate::metrics::{ControllerMetrics, Metrics};
use crate::workqueue::RateLimitingQueue;

/// What to do with a key after its reconcile (kube-runtime's `Action`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Action {
    kind: ActionKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ActionKind {
    RequeueAfter(Duration),
    AwaitChange,
    Backoff,
}

impl Action {
    /// Reconcile the key again after `duration` (and on any change before).
    pub fn requeue(duration: Duration) -> Self {
        Action {
            kind: ActionKind::RequeueAfter(duration),
        }
    }

    /// Reconcile the key again only when an event queues it (or a resync does).
    pub fn await_change() -> Self {
        Action {
            kind: ActionKind::AwaitChange,
        }
    }

    /// Reconcile the key again after the queue's rate limiter's wait for it (the per-key
    /// backoff grows each time): what the default error policy does.
    pub fn requeue_with_backoff() -> Self {
        Action {
            kind: ActionKind::Backoff,
        }
    }

    /// The requeue delay, for [`Action::requeue`].
    pub fn requeue_after(&self) -> Option<Duration> {
        match self.kind {
            ActionKind::RequeueAfter(d) => Some(d),
            _ => None,
        }
    }
}

/// The error policy most controllers want: log nothing more, retry with the queue's backoff.
pub fn default_error_policy<E>(_key: &ObjectRef, _error: &E, _retries: u32) -> Action {
    Action::requeue_with_backoff()
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
type ReconcileFn<E> = Arc<dyn Fn(ObjectRef) -> BoxFuture<Result<Action, E>> + Send + Sync>;
type ErrorPolicyFn<E> = Arc<dyn Fn(&ObjectRef, &E, u32) -> Action + Send + Sync>;
/// Resolves once a cache (or a handler registration) has synced.
type Synced = BoxFuture<()>;

/// A controller: `workers` tasks take keys from `queue` and call `reconcile(key)`; errors go
/// through `error_policy` (given the error and how many times the key was retried) and the
/// queue's rate limiter; a success forgets the key's failures; a panic is caught, logged,
/// counted and retried with backoff like an error.
///
/// Workers start once every cache given to [`wait_for`](Self::wait_for) has synced (and, with
/// [`leader_election`](Self::leader_election), only while this replica leads).
///
/// ```no_run
/// # async fn demo(client: kube::Client) {
/// use std::time::Duration;
/// use k8s_openapi::api::apps::v1::Deployment;
/// use kube_controller::{Action, Controller, ObjectRef, enqueue_keys, workqueue::RateLimitingQueue};
/// use kube_informer::SharedInformerFactory;
///
/// let factory = SharedInformerFactory::new(client, Duration::from_secs(300));
/// let deployments = factory.informer::<Deployment>();
/// let queue = RateLimitingQueue::default();
/// deployments.add_event_handler(enqueue_keys(queue.clone()));
/// factory.start();
///
/// let lister = deployments.lister();
/// let reconcile = move |key: ObjectRef| {
///     let lister = lister.clone();
///     async move {
///         let Ok(deployment) = lister.namespace(key.namespace.as_deref().unwrap_or("")).get(&key.name) else {
///             return Ok::<_, kube::Error>(Action::await_change()); // deleted
///         };
///         println!("{key}: {:?} replicas", deployment.spec.replicas);
///         Ok(Action::requeue(Duration::from_secs(300)))
///     }
/// };
/// Controller::new(queue, reconcile, kube_controller::default_error_policy)
///     .workers(2)
///     .wait_for(&deployments)
///     .run(tokio::time::sleep(Duration::from_secs(60)))
///     .await;
/// # }
/// ```
pub struct Controller<E> {
    name: String,
    queue: RateLimitingQueue<ObjectRef>,
    reconcile: ReconcileFn<E>,
    error_policy: ErrorPolicyFn<E>,
    workers: usize,
    /// In a mutex only to keep the controller `Sync` (the futures are `Send`, not `Sync`).
    synced: std::sync::Mutex<Vec<Synced>>,
    elector: Option<LeaderElector>,
    metrics: Option<ControllerMetrics>,
    registry: Option<Metrics>,
    grace: Option<Duration>,
}

impl<E> std::fmt::Debug for Controller<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Controller")
            .field("name", &self.name)
            .field("workers", &self.workers)
            .field("leader_election", &self.elector)
            .finish_non_exhaustive()
    }
}

impl<E: std::fmt::Display + Send + 'static> Controller<E> {
    /// A controller of one worker over `queue`.
    pub fn new<R, F, P>(queue: RateLimitingQueue<ObjectRef>, reconcile: R, error_policy: P) -> Self
    where
        R: Fn(ObjectRef) -> F + Send + Sync + 'static,
        F: Future<Output = Result<Action, E>> + Send + 'static,
        P: Fn(&ObjectRef, &E, u32) -> Action + Send + Sync + 'static,
    {
        Controller {
            name: "controller".into(),
            queue,
            reconcile: Arc::new(move |key| Box::pin(reconcile(key))),
            error_policy: Arc::new(error_policy),
            workers: 1,
            synced: std::sync::Mutex::default(),
            elector: None,
            metrics: None,
            registry: None,
            grace: Some(Duration::from_secs(30)),
        }
    }

    /// How long shutdown waits for reconciles in flight before dropping them (default 30 s,
    /// controller-runtime's `GracefulShutdownTimeout`; `None` waits for ever).
    pub fn graceful_shutdown_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.grace = timeout;
        self
    }

    /// Names the controller in logs and metrics (`controller` label).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// How many keys are reconciled at once (at least one).
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers.max(1);
        self
    }

    /// Starts the workers only once `informer`'s cache has synced.
    pub fn wait_for<K>(mut self, informer: &kube_informer::SharedIndexInformer<K>) -> Self
    where
        K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug + Send + Sync + 'static,
        K::DynamicType: Clone + Send + Sync,
    {
        self.synced_mut().push(Box::pin(informer.synced()));
        self
    }

    /// Starts the workers only once `synced` resolves: a handler registration's
    /// [`synced()`](kube_informer::HandlerRegistration::synced), say, so that the workers start
    /// once a handler has been given the whole cache.
    pub fn wait_until(mut self, synced: impl Future<Output = ()> + Send + 'static) -> Self {
        self.synced_mut().push(Box::pin(synced));
        self
    }

    /// Runs the workers only while `elector` leads: they start when it acquires the Lease and
    /// are stopped at once (their reconciles dropped mid-way, their keys queued again) when it
    /// loses it; then it campaigns again.
    pub fn leader_election(mut self, elector: LeaderElector) -> Self {
        self.elector = Some(elector);
        self
    }

    /// Reports `controller_*` metrics under this controller's [`name`](Self::name), and the
    /// leader status if leader election is on (in whatever order these are set).
    pub fn metrics(mut self, metrics: &Metrics) -> Self {
        self.registry = Some(metrics.clone());
        self
    }

    /// Runs until `shutdown` completes: waits for the caches, then (leading, if electing)
    /// reconciles. On shutdown, workers take no new key and finish the reconcile they are in
    /// (for at most the [graceful shutdown timeout](Self::graceful_shutdown_timeout)); then the
    /// queue is shut down.
    pub async fn run(mut self, shutdown: impl Future<Output = ()> + Send) {
        if let Some(metrics) = self.registry.take() {
            self.metrics = Some(metrics.controller(&self.name));
            self.elector = self.elector.take().map(|e| e.metrics(&metrics));
        }
        let (stop_tx, stop_rx) = watch::channel(false);
        let stopped = async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        };
        let (queue, name, grace) = (self.queue.clone(), self.name.clone(), self.grace);
        let work = self.run_inner(stop_rx);
        tokio::pin!(work);
        tokio::select! {
            _ = &mut work => {}
            _ = stopped => match grace {
                None => work.await,
                Some(grace) => {
                    if tokio::time::timeout(grace, &mut work).await.is_err() {
                        tracing::warn!(controller = %name, ?grace, "reconciles still running after the graceful shutdown timeout; dropped");
                        queue.shut_down();
                    }
                }
            },
        }
    }

    fn synced_mut(&mut self) -> &mut Vec<Synced> {
        self.synced.get_mut().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn run_inner(mut self, stop: watch::Receiver<bool>) {
        let stopping = |mut stop: watch::Receiver<bool>| async move {
            let _ = stop.wait_for(|s| *s).await;
        };
        // Wait for the caches: each informer wakes this when it syncs.
        {
            let synced = futures::future::join_all(std::mem::take(self.synced_mut()));
            tokio::select! {
                _ = synced => {}
                _ = stopping(stop.clone()) => {
                    self.queue.shut_down();
                    return;
                }
            }
        }
        tracing::info!(controller = %self.name, workers = self.workers, "caches synced; starting workers");
        let workers = Workers {
            name: self.name.clone(),
            queue: self.queue.clone(),
            reconcile: self.reconcile.clone(),
            error_policy: self.error_policy.clone(),
            metrics: self.metrics.clone(),
        };
        match &self.elector {
            None => workers.run(self.workers, stop.clone()).await,
            Some(elector) => loop {
                // Shut down while leading, the workers finish their keys and the term ends as
                // `Finished` (releasing the Lease if configured); while campaigning, at once.
                let shutdown = {
                    let stop = stop.clone();
                    async move {
                        stopping(stop).await;
                        if elector.is_leader() {
                            std::future::pending::<()>().await;
                        }
                    }
                };
                let end = elector.run(shutdown, || workers.run(self.workers, stop.clone())).await;
                match end {
                    TermEnd::Lost => {
                        tracing::warn!(controller = %self.name, "lost the lease; workers stopped; campaigning again");
                    }
                    TermEnd::NeverLed | TermEnd::Cancelled | TermEnd::Finished => break,
                }
            },
        }
        self.queue.shut_down();
        tracing::info!(controller = %self.name, "stopped");
    }
}

/// What each worker needs.
struct Workers<E> {
    name: String,
    queue: RateLimitingQueue<ObjectRef>,
    reconcile: ReconcileFn<E>,
    error_policy: ErrorPolicyFn<E>,
    metrics: Option<ControllerMetrics>,
}

impl<E: std::fmt::Display + Send + 'static> Workers<E> {
    /// Runs `n` workers until `stop`; each finishes its current key. Dropping this future
    /// aborts them at once (their keys are queued again).
    async fn run(&self, n: usize, stop: watch::Receiver<bool>) {
        let mut set = JoinSet::new();
        for _ in 0..n {
            let worker = Worker {
                name: self.name.clone(),
                queue: self.queue.clone(),
                reconcile: self.reconcile.clone(),
                error_policy: self.error_policy.clone(),
                metrics: self.metrics.clone(),
            };
            set.spawn(worker.run(stop.clone()));
        }
        // A JoinSet aborts its tasks when dropped: losing the lease drops this future.
        while set.join_next().await.is_some() {}
    }
}

struct Worker<E> {
    name: String,
    queue: RateLimitingQueue<ObjectRef>,
    reconcile: ReconcileFn<E>,
    error_policy: ErrorPolicyFn<E>,
    metrics: Option<ControllerMetrics>,
}

/// Gives a key back to the queue when its reconcile is dropped unfinished (the worker was
/// aborted): queued again, then done.
/// One running worker in the active-workers gauge, for as long as it lives.
struct ActiveWorker<'a>(&'a prometheus_client::metrics::gauge::Gauge);

impl Drop for ActiveWorker<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

struct Held<'a> {
    queue: &'a RateLimitingQueue<ObjectRef>,
    key: Option<ObjectRef>,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.queue.add(key.clone());
            self.queue.done(&key);
        }
    }
}

impl<E: std::fmt::Display + Send + 'static> Worker<E> {
    async fn run(self, mut stop: watch::Receiver<bool>) {
        // Counted down when the worker ends, however it ends: an aborted worker (a lost lease)
        // drops this future without running what follows the loop.
        let _active = self.metrics.as_ref().map(|m| {
            m.active_workers.inc();
            ActiveWorker(&m.active_workers)
        });
        loop {
            let key = tokio::select! {
                biased;
                _ = stop.wait_for(|s| *s) => break,
                key = self.queue.get() => key,
            };
            let Some(key) = key else { break };
            let mut held = Held {
                queue: &self.queue,
                key: Some(key.clone()),
            };
            self.process(&key).await;
            held.key = None;
            self.queue.done(&key);
        }
    }

    async fn process(&self, key: &ObjectRef) {
        let started = tokio::time::Instant::now();
        let reconcile = self.reconcile.clone();
        let k = key.clone();
        // A panic in the call itself or in the future it returns is caught alike.
        let result = AssertUnwindSafe(async move { reconcile(k).await }).catch_unwind().await;
        if let Some(m) = &self.metrics {
            m.time.observe(started.elapsed().as_secs_f64());
        }
        let action = match result {
            Ok(Ok(action)) => {
                self.queue.forget(key);
                if let Some(m) = &self.metrics {
                    match action.kind {
                        ActionKind::RequeueAfter(_) => m.requeue_after.inc(),
                        _ => m.success.inc(),
                    };
                }
                action
            }
            Ok(Err(err)) => {
                let retries = self.queue.num_requeues(key);
                tracing::warn!(controller = %self.name, %key, %err, retries, "reconcile failed");
                if let Some(m) = &self.metrics {
                    m.error.inc();
                    m.errors.inc();
                }
                let policy = self.error_policy.clone();
                match std::panic::catch_unwind(AssertUnwindSafe(|| policy(key, &err, retries))) {
                    Ok(action) => action,
                    Err(_) => {
                        tracing::error!(controller = %self.name, %key, "the error policy panicked; retrying with backoff");
                        Action::requeue_with_backoff()
                    }
                }
            }
            Err(panic) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(not a string)".into());
                tracing::error!(controller = %self.name, %key, panic = %message, "reconcile panicked; retrying with backoff");
                if let Some(m) = &self.metrics {
                    m.panic.inc();
                    m.panics.inc();
                }
                Action::requeue_with_backoff()
            }
        };
        match action.kind {
            ActionKind::RequeueAfter(d) => self.queue.add_after(key.clone(), d),
            ActionKind::AwaitChange => {}
            ActionKind::Backoff => self.queue.add_rate_limited(key.clone()),
        }
    }
}
