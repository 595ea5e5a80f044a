//! The delaying queue: items become ready after a delay, with one timer task driven by a heap
//! (client-go's `workqueue.TypedDelayingInterface`).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fmt::Debug;
use std::hash::Hash;
use std::ops::Deref;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use super::Queue;

/// A [`Queue`] that can also add items after a delay. Derefs to the [`Queue`].
///
/// The waiting items sit in a heap ordered by ready time; a single timer task, started by the
/// first [`add_after`](Self::add_after) on the caller's tokio runtime, sleeps until the earliest
/// one is due or a new earlier one arrives, so an idle queue costs nothing. The task ends when
/// the queue is shut down or dropped.
pub struct DelayingQueue<T> {
    queue: Queue<T>,
    delayed: Arc<Delayed<T>>,
}

impl<T> Clone for DelayingQueue<T> {
    fn clone(&self) -> Self {
        DelayingQueue {
            queue: self.queue.clone(),
            delayed: self.delayed.clone(),
        }
    }
}

impl<T> Debug for DelayingQueue<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DelayingQueue")
            .field("queue", &self.queue)
            .field("waiting", &self.delayed.waiting().ready_at.len())
            .finish()
    }
}

impl<T> Deref for DelayingQueue<T> {
    type Target = Queue<T>;
    fn deref(&self) -> &Queue<T> {
        &self.queue
    }
}

struct Delayed<T> {
    waiting: Mutex<Waiting<T>>,
    /// Wakes the timer task when an item became the earliest, on shutdown, and on drop.
    changed: Arc<Notify>,
}

impl<T> Drop for Delayed<T> {
    fn drop(&mut self) {
        // The timer task holds no strong reference; tell it the queue is gone.
        self.changed.notify_one();
    }
}

struct Waiting<T> {
    /// (ready time, sequence) of every entry; an entry whose sequence is no longer in `items`
    /// was superseded by an earlier ready time and is skipped.
    heap: BinaryHeap<Reverse<(Instant, u64)>>,
    /// The ready time and sequence of each waiting item, and the item of each live sequence.
    ready_at: HashMap<T, (Instant, u64)>,
    items: HashMap<u64, T>,
    next_seq: u64,
    timer_started: bool,
}

impl<T> Delayed<T> {
    fn waiting(&self) -> MutexGuard<'_, Waiting<T>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T: Hash + Eq + Clone + Send + Sync + 'static> Default for DelayingQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Hash + Eq + Clone + Send + Sync + 'static> DelayingQueue<T> {
    /// An empty delaying queue without metrics.
    pub fn new() -> Self {
        Self::from_queue(Queue::new())
    }

    /// A delaying queue over `queue` (one made with [`Queue::with_metrics`], say).
    pub fn from_queue(queue: Queue<T>) -> Self {
        DelayingQueue {
            queue,
            delayed: Arc::new(Delayed {
                waiting: Mutex::new(Waiting {
                    heap: BinaryHeap::new(),
                    ready_at: HashMap::new(),
                    items: HashMap::new(),
                    next_seq: 0,
                    timer_started: false,
                }),
                changed: Arc::new(Notify::new()),
            }),
        }
    }

    /// The underlying queue.
    pub fn queue(&self) -> &Queue<T> {
        &self.queue
    }

    /// Adds `item` once `delay` has passed (at once for a zero delay). If the item already
    /// waits, the earlier of the two ready times wins. Must be called within a tokio runtime
    /// (for a non-zero delay). Ignored after shutdown.
    pub fn add_after(&self, item: T, delay: Duration) {
        if self.queue.shutting_down() {
            return;
        }
        if delay.is_zero() {
            self.queue.add(item);
            return;
        }
        let ready = Instant::now() + delay;
        let mut waiting = self.delayed.waiting();
        if let Some((at, _)) = waiting.ready_at.get(&item)
            && *at <= ready
        {
            return;
        }
        let seq = waiting.next_seq;
        waiting.next_seq += 1;
        let earliest = waiting.heap.peek().is_none_or(|Reverse((at, _))| ready < *at);
        waiting.heap.push(Reverse((ready, seq)));
        if let Some((_, old)) = waiting.ready_at.insert(item.clone(), (ready, seq)) {
            waiting.items.remove(&old);
        }
        waiting.items.insert(seq, item);
        let start = !waiting.timer_started;
        waiting.timer_started = true;
        drop(waiting);
        if start {
            self.spawn_timer();
        } else if earliest {
            self.delayed.changed.notify_one();
        }
    }

    /// How many items wait for their delay.
    pub fn waiting(&self) -> usize {
        self.delayed.waiting().ready_at.len()
    }

    /// Shuts down the queue and ends the timer task; waiting items are dropped.
    pub fn shut_down(&self) {
        self.queue.shut_down();
        self.delayed.changed.notify_one();
    }

    /// Shuts down (see [`shut_down`](Self::shut_down)) and waits until workers are done with
    /// what they hold.
    pub async fn shut_down_with_drain(&self) {
        self.delayed.changed.notify_one();
        self.queue.shut_down_with_drain().await;
        self.delayed.changed.notify_one();
    }

    fn spawn_timer(&self) {
        let queue: Weak<_> = Arc::downgrade(&self.queue.inner);
        let delayed = Arc::downgrade(&self.delayed);
        let changed_notify = self.delayed.changed.clone();
        tokio::spawn(async move {
            loop {
                let (Some(shared), Some(delayed)) = (queue.upgrade(), delayed.upgrade()) else {
                    return;
                };
                let queue = Queue { inner: shared };
                if queue.shutting_down() {
                    let mut waiting = delayed.waiting();
                    waiting.heap.clear();
                    waiting.ready_at.clear();
                    waiting.items.clear();
                    return;
                }
                let changed = changed_notify.notified();
                tokio::pin!(changed);
                changed.as_mut().enable();
                let next = {
                    let now = Instant::now();
                    let mut waiting = delayed.waiting();
                    let mut due = Vec::new();
                    let mut next = None;
                    while let Some(Reverse((at, seq))) = waiting.heap.peek().copied() {
                        if !waiting.items.contains_key(&seq) {
                            waiting.heap.pop(); // superseded by an earlier ready time
                            continue;
                        }
                        if at > now {
                            next = Some(at);
                            break;
                        }
                        waiting.heap.pop();
                        let item = waiting.items.remove(&seq).expect("looked up above");
                        waiting.ready_at.remove(&item);
                        due.push(item);
                    }
                    drop(waiting);
                    for item in due {
                        queue.add(item);
                    }
                    next
                };
                // Hold no strong reference while sleeping: a dropped queue ends the task.
                drop(queue);
                drop(delayed);
                match next {
                    Some(at) => {
                        tokio::select! {
                            _ = tokio::time::sleep_until(at) => {}
                            _ = &mut changed => {}
                        }
                    }
                    None => changed.await,
                }
            }
        });
    }
}
