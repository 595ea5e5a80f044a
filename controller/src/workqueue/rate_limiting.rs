//! Rate limiters and the rate-limiting queue (client-go's `default_rate_limiters.go` and
//! `rate_limiting_queue.go`).

use std::collections::HashMap;
use std::fmt::Debug;
use std::hash::Hash;
use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use super::{DelayingQueue, Queue};

/// Decides how long an item waits before it is retried (client-go's `TypedRateLimiter`).
pub trait RateLimiter<T>: Send + Sync {
    /// How long `item` should wait now; counts as one more failure of it.
    fn when(&self, item: &T) -> Duration;
    /// Stops tracking `item` (it succeeded): its next failure starts from scratch.
    fn forget(&self, item: &T);
    /// How many times `item` failed since it was last forgotten.
    fn num_requeues(&self, item: &T) -> u32;
}

/// Per-item exponential backoff: `base * 2^failures`, at most `max`
/// (client-go's `ItemExponentialFailureRateLimiter`).
#[derive(Debug)]
pub struct ItemExponentialFailureRateLimiter<T> {
    base: Duration,
    max: Duration,
    failures: Mutex<HashMap<T, u32>>,
}

impl<T: Hash + Eq + Clone> ItemExponentialFailureRateLimiter<T> {
    /// Backoff from `base` doubling up to `max`.
    pub fn new(base: Duration, max: Duration) -> Self {
        ItemExponentialFailureRateLimiter {
            base,
            max,
            failures: Mutex::new(HashMap::new()),
        }
    }
}

impl<T: Hash + Eq + Clone + Send + Sync> RateLimiter<T> for ItemExponentialFailureRateLimiter<T> {
    fn when(&self, item: &T) -> Duration {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let count = failures.entry(item.clone()).or_insert(0);
        let exp = *count;
        *count = count.saturating_add(1);
        // base * 2^exp, saturating: past 2^63 the max applies anyway.
        let factor = 2f64.powi(exp.min(1023) as i32);
        let secs = self.base.as_secs_f64() * factor;
        if !secs.is_finite() || secs >= self.max.as_secs_f64() {
            return self.max;
        }
        Duration::from_secs_f64(secs)
    }
    fn forget(&self, item: &T) {
        self.failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(item);
    }
    fn num_requeues(&self, item: &T) -> u32 {
        let failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        failures.get(item).copied().unwrap_or(0)
    }
}

/// An overall token bucket: `qps` tokens a second, at most `burst` saved up; an item that finds
/// no token waits for one (client-go's `BucketRateLimiter` over `x/time/rate`, whose
/// reservations may take tokens the bucket has yet to earn).
#[derive(Debug)]
pub struct BucketRateLimiter {
    qps: f64,
    burst: f64,
    bucket: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl BucketRateLimiter {
    /// A full bucket of `burst` tokens refilled at `qps` a second.
    ///
    /// # Panics
    /// If `qps` is not positive and finite.
    pub fn new(qps: f64, burst: u32) -> Self {
        assert!(
            qps > 0.0 && qps.is_finite(),
            "BucketRateLimiter: qps must be positive, got {qps}"
        );
        BucketRateLimiter {
            qps,
            burst: f64::from(burst),
            bucket: Mutex::new(Bucket {
                tokens: f64::from(burst),
                last: Instant::now(),
            }),
        }
    }
}

impl<T> RateLimiter<T> for BucketRateLimiter {
    fn when(&self, _item: &T) -> Duration {
        let mut bucket = self.bucket.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let earned = now.saturating_duration_since(bucket.last).as_secs_f64() * self.qps;
        bucket.tokens = f64::min(self.burst, bucket.tokens + earned);
        bucket.last = now;
        bucket.tokens -= 1.0;
        if bucket.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-bucket.tokens / self.qps)
        }
    }
    fn forget(&self, _item: &T) {}
    fn num_requeues(&self, _item: &T) -> u32 {
        0
    }
}

/// The longest wait of several limiters (client-go's `MaxOfRateLimiter`).
pub struct MaxOfRateLimiter<T> {
    limiters: Vec<Box<dyn RateLimiter<T>>>,
}

impl<T> Debug for MaxOfRateLimiter<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MaxOfRateLimiter")
            .field("limiters", &self.limiters.len())
            .finish()
    }
}

impl<T> MaxOfRateLimiter<T> {
    /// The maximum of `limiters`.
    pub fn new(limiters: Vec<Box<dyn RateLimiter<T>>>) -> Self {
        MaxOfRateLimiter { limiters }
    }
}

impl<T> RateLimiter<T> for MaxOfRateLimiter<T> {
    fn when(&self, item: &T) -> Duration {
        // Every limiter is asked: each counts the failure.
        self.limiters
            .iter()
            .map(|l| l.when(item))
            .max()
            .unwrap_or(Duration::ZERO)
    }
    fn forget(&self, item: &T) {
        for l in &self.limiters {
            l.forget(item);
        }
    }
    fn num_requeues(&self, item: &T) -> u32 {
        self.limiters.iter().map(|l| l.num_requeues(item)).max().unwrap_or(0)
    }
}

/// client-go's `DefaultTypedControllerRateLimiter`: per-item exponential backoff from 5 ms to
/// 1000 s, and overall 10 retries a second with bursts of 100, whichever waits longer.
pub fn default_controller_rate_limiter<T: Hash + Eq + Clone + Send + Sync + 'static>() -> MaxOfRateLimiter<T> {
    MaxOfRateLimiter::new(vec![
        Box::new(ItemExponentialFailureRateLimiter::new(
            Duration::from_millis(5),
            Duration::from_secs(1000),
        )),
        Box::new(BucketRateLimiter::new(10.0, 100)),
    ])
}

/// A [`DelayingQueue`] that retries items after a wait its [`RateLimiter`] decides (client-go's
/// `TypedRateLimitingInterface`). Derefs to the [`DelayingQueue`] (and so to the [`Queue`]).
///
/// ```no_run
/// # async fn demo() {
/// use kube_controller::workqueue::RateLimitingQueue;
///
/// let queue = RateLimitingQueue::<String>::default(); // the default controller limiter
/// queue.add("default/web".into());
/// while let Some(key) = queue.get().await {
///     let ok = key.len() > 3; // reconcile
///     if ok { queue.forget(&key) } else { queue.add_rate_limited(key.clone()) }
///     queue.done(&key);
/// }
/// # }
/// ```
pub struct RateLimitingQueue<T> {
    queue: DelayingQueue<T>,
    limiter: Arc<dyn RateLimiter<T>>,
}

impl<T> Clone for RateLimitingQueue<T> {
    fn clone(&self) -> Self {
        RateLimitingQueue {
            queue: self.queue.clone(),
            limiter: self.limiter.clone(),
        }
    }
}

impl<T> Debug for RateLimitingQueue<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimitingQueue").field("queue", &self.queue).finish()
    }
}

impl<T> Deref for RateLimitingQueue<T> {
    type Target = DelayingQueue<T>;
    fn deref(&self) -> &DelayingQueue<T> {
        &self.queue
    }
}

impl<T: Hash + Eq + Clone + Send + Sync + 'static> Default for RateLimitingQueue<T> {
    fn default() -> Self {
        Self::new(default_controller_rate_limiter())
    }
}

impl<T: Hash + Eq + Clone + Send + Sync + 'static> RateLimitingQueue<T> {
    /// An empty queue without metrics, retrying after what `limiter` says.
    pub fn new(limiter: impl RateLimiter<T> + 'static) -> Self {
        Self::from_queue(Queue::new(), limiter)
    }

    /// A rate-limiting queue over `queue` (one made with [`Queue::with_metrics`], say).
    pub fn from_queue(queue: Queue<T>, limiter: impl RateLimiter<T> + 'static) -> Self {
        RateLimitingQueue {
            queue: DelayingQueue::from_queue(queue),
            limiter: Arc::new(limiter),
        }
    }

    /// Adds `item` after the wait the limiter gives it (one more failure of it).
    pub fn add_rate_limited(&self, item: T) {
        if let Some(m) = self.queue.queue().metrics() {
            m.retry();
        }
        let delay = self.limiter.when(&item);
        self.queue.add_after(item, delay);
    }

    /// Forgets `item`'s failures: its next retry waits the shortest time again. Does not take it
    /// off the queue.
    pub fn forget(&self, item: &T) {
        self.limiter.forget(item);
    }

    /// How many times `item` was retried since it was last forgotten.
    pub fn num_requeues(&self, item: &T) -> u32 {
        self.limiter.num_requeues(item)
    }
}
