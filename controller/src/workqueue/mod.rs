//! client-go's `util/workqueue`, typed: a deduplicating [`Queue`] that never hands one item to
//! two workers, a [`DelayingQueue`] for items due later, and a [`RateLimitingQueue`] that
//! retries failed items after a wait its [`RateLimiter`] chooses.

mod delaying;
pub(crate) mod queue;
mod rate_limiting;

pub use delaying::DelayingQueue;
pub use queue::Queue;
pub use rate_limiting::{
    BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, RateLimiter, RateLimitingQueue,
    default_controller_rate_limiter,
};
