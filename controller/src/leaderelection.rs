//! Leader election on a `coordination.k8s.io/v1` Lease (client-go's `tools/leaderelection` with
//! its `LeaseLock`): candidates race to write their identity into the Lease; the holder renews
//! it every retry period; the others take it over once they have seen it unchanged for a lease
//! duration.
//!
//! Only local, monotonic clocks measure time: a candidate compares the moment *it* last saw the
//! Lease change with its own clock, never the times written in the Lease with another host's.
//! Writes go through resourceVersion (optimistic concurrency): of two candidates updating the
//! same version, one gets a conflict.
//!
//! One difference from client-go, on the safe side: the leader gives up once `renew_deadline`
//! has passed since it *sent* the last renewal that succeeded (client-go counts from the start
//! of the current renewal attempt, a retry period later). So the leader has stopped, at the
//! latest, `lease_duration - renew_deadline` before any other candidate may take over.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::api::{Api, PostParams};
use prometheus_client::metrics::gauge::Gauge;
use rand::Rng;
use tokio::time::Instant;

use crate::Metrics;

/// A Lease as a lock: where it lives and who this candidate is (client-go's `LeaseLock`).
#[derive(Clone)]
pub struct LeaseLock {
    api: Api<Lease>,
    namespace: String,
    name: String,
    identity: String,
}

impl std::fmt::Debug for LeaseLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeaseLock")
            .field("namespace", &self.namespace)
            .field("name", &self.name)
            .field("identity", &self.identity)
            .finish()
    }
}

impl LeaseLock {
    /// The Lease `namespace/name`, for the candidate `identity` (unique per replica: a pod
    /// name, or a hostname plus a random suffix).
    pub fn new(
        client: kube::Client,
        namespace: impl Into<String>,
        name: impl Into<String>,
        identity: impl Into<String>,
    ) -> Self {
        let namespace = namespace.into();
        LeaseLock {
            api: Api::namespaced(client, &namespace),
            namespace,
            name: name.into(),
            identity: identity.into(),
        }
    }

    /// This candidate's identity.
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// `namespace/name` of the Lease.
    pub fn describe(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// Timing of an election (client-go's `LeaderElectionConfig` durations).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeaderElectionConfig {
    /// How long other candidates wait, after they last saw the Lease change, before they take
    /// it over (default 15 s).
    pub lease_duration: Duration,
    /// How long the leader keeps trying to renew before it gives up leading (default 10 s).
    pub renew_deadline: Duration,
    /// How often candidates try to acquire (jittered by up to 1.2 times more) and the leader
    /// renews (default 2 s).
    pub retry_period: Duration,
    /// Whether the leader empties the Lease when it stops because it was told to, so another
    /// candidate takes over at its next try instead of after a lease duration.
    pub release_on_cancel: bool,
}

impl Default for LeaderElectionConfig {
    fn default() -> Self {
        LeaderElectionConfig {
            lease_duration: Duration::from_secs(15),
            renew_deadline: Duration::from_secs(10),
            retry_period: Duration::from_secs(2),
            release_on_cancel: false,
        }
    }
}

/// client-go's `JitterFactor` for acquire retries.
const JITTER_FACTOR: f64 = 1.2;

impl LeaderElectionConfig {
    /// Checks client-go's rules: lease duration > renew deadline > 1.2 x retry period > 0.
    pub fn validate(&self) -> Result<(), LeaderElectionError> {
        let invalid = |why: String| Err(LeaderElectionError::InvalidConfig(why));
        if self.retry_period.is_zero() {
            return invalid("retry_period must be greater than zero".into());
        }
        if self.lease_duration <= self.renew_deadline {
            return invalid(format!(
                "lease_duration ({:?}) must be greater than renew_deadline ({:?})",
                self.lease_duration, self.renew_deadline
            ));
        }
        if self.renew_deadline.as_secs_f64() <= JITTER_FACTOR * self.retry_period.as_secs_f64() {
            return invalid(format!(
                "renew_deadline ({:?}) must be greater than {JITTER_FACTOR} x retry_period ({:?})",
                self.renew_deadline, self.retry_period
            ));
        }
        if self.lease_duration.as_secs() < 1 {
            return invalid(format!(
                "lease_duration ({:?}) must be at least 1 s: the Lease stores whole seconds",
                self.lease_duration
            ));
        }
        Ok(())
    }
}

/// What went wrong with an election.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LeaderElectionError {
    /// The durations break client-go's rules.
    #[error("invalid leader election config: {0}")]
    InvalidConfig(String),
}

/// How a term ([`LeaderElector::run`]) ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TermEnd {
    /// Shut down before this candidate became leader.
    NeverLed,
    /// This candidate led, and lost the Lease (could not renew within the renew deadline).
    Lost,
    /// This candidate led until it was shut down (the Lease was released if configured).
    Cancelled,
    /// The leading future finished by itself (the Lease was released if configured).
    Finished,
}

/// A term in office: ends it (flag, gauge, callback) when dropped.
struct Term<'a>(&'a LeaderElector);

impl Drop for Term<'_> {
    fn drop(&mut self) {
        self.0.set_leading(false);
        if let Some(f) = &self.0.on_stopped_leading {
            f();
        }
    }
}

/// What one read-and-write of the Lease found.
enum Attempt {
    /// The Lease is ours (written now).
    Ours,
    /// Another candidate holds an unexpired Lease.
    HeldByOther,
}

type Callback = Arc<dyn Fn() + Send + Sync>;
type LeaderCallback = Arc<dyn Fn(&str) + Send + Sync>;

/// Runs a candidate in an election (client-go's `LeaderElector`). Cloning gives another handle
/// to the same candidate.
///
/// ```no_run
/// # async fn demo(client: kube::Client) -> Result<(), Box<dyn std::error::Error>> {
/// use kube_controller::leaderelection::{LeaderElectionConfig, LeaderElector, LeaseLock};
///
/// let lock = LeaseLock::new(client, "default", "my-controller", "replica-1");
/// let elector = LeaderElector::new(lock, LeaderElectionConfig::default())?
///     .on_new_leader(|who| println!("{who} leads"));
/// let end = elector
///     .run(tokio::time::sleep(std::time::Duration::from_secs(3600)), || async {
///         // Lead: this future is dropped as soon as the Lease is lost.
///         std::future::pending::<()>().await
///     })
///     .await;
/// println!("term ended: {end:?}");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct LeaderElector {
    lock: LeaseLock,
    config: LeaderElectionConfig,
    on_started_leading: Option<Callback>,
    on_stopped_leading: Option<Callback>,
    on_new_leader: Option<LeaderCallback>,
    leader_gauge: Option<Gauge>,
    state: Arc<ElectorState>,
}

impl std::fmt::Debug for LeaderElector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeaderElector")
            .field("lock", &self.lock)
            .field("config", &self.config)
            .field("leading", &self.is_leader())
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct ElectorState {
    leading: AtomicBool,
    observed: Mutex<Observed>,
}

/// The Lease as this candidate last saw it, and when (on its own clock) it last changed.
#[derive(Default)]
struct Observed {
    resource_version: Option<String>,
    holder: Option<String>,
    time: Option<Instant>,
    lease: Option<Lease>,
}

impl LeaderElector {
    /// A candidate for `lock`, with `config` validated.
    pub fn new(lock: LeaseLock, config: LeaderElectionConfig) -> Result<Self, LeaderElectionError> {
        config.validate()?;
        Ok(LeaderElector {
            lock,
            config,
            on_started_leading: None,
            on_stopped_leading: None,
            on_new_leader: None,
            leader_gauge: None,
            state: Arc::new(ElectorState::default()),
        })
    }

    /// Called when this candidate becomes leader, before the leading future starts.
    pub fn on_started_leading(mut self, f: impl Fn() + Send + Sync + 'static) -> Self {
        self.on_started_leading = Some(Arc::new(f));
        self
    }

    /// Called when this candidate stops leading, after the leading future was dropped or finished.
    pub fn on_stopped_leading(mut self, f: impl Fn() + Send + Sync + 'static) -> Self {
        self.on_stopped_leading = Some(Arc::new(f));
        self
    }

    /// Called with the holder's identity whenever this candidate sees a new holder (itself
    /// included).
    pub fn on_new_leader(mut self, f: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.on_new_leader = Some(Arc::new(f));
        self
    }

    /// Reports `leader_election_master_status{name="<lease name>"}`.
    pub fn metrics(mut self, metrics: &Metrics) -> Self {
        self.leader_gauge = Some(metrics.leader(&self.lock.name));
        self
    }

    /// The configuration.
    pub fn config(&self) -> &LeaderElectionConfig {
        &self.config
    }

    /// This candidate's identity.
    pub fn identity(&self) -> &str {
        &self.lock.identity
    }

    /// Whether this candidate leads now.
    pub fn is_leader(&self) -> bool {
        self.state.leading.load(Ordering::Acquire)
    }

    /// The holder this candidate last saw in the Lease.
    pub fn leader(&self) -> Option<String> {
        self.observed().holder.clone()
    }

    fn observed(&self) -> std::sync::MutexGuard<'_, Observed> {
        self.state.observed.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// One term: tries to acquire the Lease every retry period (jittered) until it does or
    /// `shutdown` completes; then runs `lead()` while renewing. The leading future is dropped
    /// as soon as the Lease is lost (or `shutdown` completes), which stops whatever it writes.
    /// With `release_on_cancel`, a leader that stops for any reason but a lost Lease empties
    /// the Lease so that another candidate takes over at its next try.
    pub async fn run<S, L, F>(&self, shutdown: S, lead: L) -> TermEnd
    where
        S: Future<Output = ()>,
        L: FnOnce() -> F,
        F: Future<Output = ()>,
    {
        tokio::pin!(shutdown);
        let renewed_sent = tokio::select! {
            sent = self.acquire() => sent,
            _ = &mut shutdown => return TermEnd::NeverLed,
        };
        self.set_leading(true);
        if let Some(f) = &self.on_started_leading {
            f();
        }
        // Stops leading however this future ends, dropped included.
        let term = Term(self);
        let end = {
            let leading = lead();
            tokio::pin!(leading);
            tokio::select! {
                _ = self.renew(renewed_sent) => TermEnd::Lost,
                _ = &mut shutdown => TermEnd::Cancelled,
                _ = &mut leading => TermEnd::Finished,
            }
        };
        // The leading future is dropped: nothing it does runs any more.
        drop(term);
        if end != TermEnd::Lost && self.config.release_on_cancel {
            self.release().await;
        }
        end
    }

    fn set_leading(&self, leading: bool) {
        self.state.leading.store(leading, Ordering::Release);
        if let Some(g) = &self.leader_gauge {
            g.set(i64::from(leading));
        }
        tracing::info!(lease = %self.lock.describe(), identity = %self.lock.identity, leading, "leader election");
    }

    /// Tries until the Lease is ours; returns when the successful write was sent.
    async fn acquire(&self) -> Instant {
        loop {
            let sent = Instant::now();
            match self.try_acquire_or_renew().await {
                Ok(Attempt::Ours) => return sent,
                Ok(Attempt::HeldByOther) => {}
                Err(err) => {
                    tracing::debug!(lease = %self.lock.describe(), %err, "acquiring the lease failed");
                }
            }
            let jitter = rand::rng().random_range(0.0..JITTER_FACTOR);
            tokio::time::sleep(self.config.retry_period.mul_f64(1.0 + jitter)).await;
        }
    }

    /// Renews every retry period; returns once `renew_deadline` has passed since the last
    /// successful renewal was sent (the Lease is then lost).
    async fn renew(&self, mut last_sent: Instant) {
        loop {
            let deadline = last_sent + self.config.renew_deadline;
            let attempt = async {
                tokio::time::sleep(self.config.retry_period).await;
                loop {
                    let sent = Instant::now();
                    match self.try_acquire_or_renew().await {
                        Ok(Attempt::Ours) => return Some(sent),
                        Ok(Attempt::HeldByOther) => {
                            tracing::warn!(lease = %self.lock.describe(), "another candidate holds the lease");
                            return None;
                        }
                        Err(err) => {
                            tracing::warn!(lease = %self.lock.describe(), %err, "renewing the lease failed");
                        }
                    }
                    tokio::time::sleep(self.config.retry_period).await;
                }
            };
            tokio::select! {
                sent = attempt => match sent {
                    Some(sent) => last_sent = sent,
                    None => return,
                },
                _ = tokio::time::sleep_until(deadline) => {
                    tracing::warn!(lease = %self.lock.describe(), identity = %self.lock.identity, "failed to renew the lease within the renew deadline; stopped leading");
                    return;
                }
            }
        }
    }

    /// client-go's `tryAcquireOrRenew`: reads the Lease, notes any change on the local clock,
    /// and writes this candidate into it if it is free, expired or already ours.
    async fn try_acquire_or_renew(&self) -> Result<Attempt, kube::Error> {
        let now = Instant::now();
        let lease = match self.lock.api.get_opt(&self.lock.name).await? {
            Some(lease) => lease,
            None => {
                let lease = Lease {
                    metadata: ObjectMeta {
                        name: Some(self.lock.name.clone()),
                        namespace: Some(self.lock.namespace.clone()),
                        ..ObjectMeta::default()
                    },
                    spec: Some(self.record(None, true)),
                };
                let created = self.lock.api.create(&PostParams::default(), &lease).await?;
                self.observe(&created, Instant::now());
                return Ok(Attempt::Ours);
            }
        };
        // As client-go does, a change is observed when the read returns, not when it was sent:
        // a slow read must not start another holder's expiry clock early.
        self.observe(&lease, Instant::now());
        let (holder, observed_at) = {
            let o = self.observed();
            (o.holder.clone(), o.time)
        };
        let ours = holder.as_deref() == Some(self.lock.identity.as_str());
        let held = holder.as_deref().is_some_and(|h| !h.is_empty());
        let lease_duration = lease
            .spec
            .as_ref()
            .and_then(|s| s.lease_duration_seconds)
            .map_or(self.config.lease_duration, |s| {
                Duration::from_secs(u64::try_from(s).unwrap_or(0))
            });
        let expired = observed_at.is_none_or(|t| now >= t + lease_duration);
        if held && !ours && !expired {
            return Ok(Attempt::HeldByOther);
        }
        let mut updated = lease.clone();
        updated.spec = Some(self.record(lease.spec.as_ref(), !ours));
        // resourceVersion from the read: a concurrent write makes this a 409 Conflict.
        let written = self
            .lock
            .api
            .replace(&self.lock.name, &PostParams::default(), &updated)
            .await?;
        self.observe(&written, Instant::now());
        Ok(Attempt::Ours)
    }

    /// The record this candidate writes: itself as holder, renewed now; acquiring, a new
    /// acquire time and one more transition.
    fn record(&self, old: Option<&LeaseSpec>, acquiring: bool) -> LeaseSpec {
        let now = MicroTime(jiff_now());
        let transitions = old.and_then(|s| s.lease_transitions).unwrap_or(0);
        LeaseSpec {
            holder_identity: Some(self.lock.identity.clone()),
            lease_duration_seconds: Some(i32::try_from(self.config.lease_duration.as_secs()).unwrap_or(i32::MAX)),
            acquire_time: if acquiring {
                Some(now.clone())
            } else {
                old.and_then(|s| s.acquire_time.clone())
            },
            renew_time: Some(now),
            lease_transitions: Some(if acquiring && old.is_some() {
                transitions + 1
            } else {
                transitions
            }),
            ..LeaseSpec::default()
        }
    }

    /// Notes the Lease as seen at `now`: a new resourceVersion means it changed.
    fn observe(&self, lease: &Lease, now: Instant) {
        let holder = lease.spec.as_ref().and_then(|s| s.holder_identity.clone());
        let new_leader = {
            let mut o = self.observed();
            if o.resource_version.is_some() && o.resource_version == lease.metadata.resource_version {
                return;
            }
            let changed_holder = o.holder != holder;
            o.resource_version = lease.metadata.resource_version.clone();
            o.holder = holder.clone();
            o.time = Some(now);
            o.lease = Some(lease.clone());
            changed_holder
        };
        if new_leader && let (Some(f), Some(h)) = (&self.on_new_leader, holder.as_deref().filter(|h| !h.is_empty())) {
            f(h);
        }
    }

    /// client-go's `release`: if the Lease is ours, empties its holder (lease duration 1 s).
    async fn release(&self) {
        let Some(mut lease) = self.observed().lease.clone() else {
            return;
        };
        let ours = lease.spec.as_ref().and_then(|s| s.holder_identity.as_deref()) == Some(self.lock.identity.as_str());
        if !ours {
            return;
        }
        let now = MicroTime(jiff_now());
        let transitions = lease.spec.as_ref().and_then(|s| s.lease_transitions);
        lease.spec = Some(LeaseSpec {
            holder_identity: None,
            lease_duration_seconds: Some(1),
            acquire_time: Some(now.clone()),
            renew_time: Some(now),
            lease_transitions: transitions,
            ..LeaseSpec::default()
        });
        match self
            .lock
            .api
            .replace(&self.lock.name, &PostParams::default(), &lease)
            .await
        {
            Ok(written) => self.observe(&written, Instant::now()),
            Err(err) => tracing::warn!(lease = %self.lock.describe(), %err, "releasing the lease failed"),
        }
    }
}

/// Wall-clock time for the Lease's fields, which are informational: no candidate compares them.
fn jiff_now() -> k8s_openapi::jiff::Timestamp {
    k8s_openapi::jiff::Timestamp::now()
}
