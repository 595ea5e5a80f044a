//! The queue between two threads of an informer: the watch task and the thread that
//! applies its events, or that thread and one handler's worker (client-go's growing ring buffer
//! in `processorListener`, and the DeltaFIFO between the reflector and `processLoop`).
//!
//! Made for throughput between a producer and a consumer on different threads:
//! - the producer queues a whole batch under one lock and wakes the consumer at most once for
//!   it, and only when the consumer sleeps; the consumer takes everything queued at once. A
//!   per-message channel wakes the consumer per message: with a fast consumer that is a futex
//!   wake and a context switch per event;
//! - the consumer hands back what it is done with ("spent": handled notifications, what is left
//!   of the objects it decoded) and the producer drops it on its next send. Memory then goes
//!   back to the allocator on the thread that allocated it: a consumer freeing the producer's
//!   objects competes with it for the allocator's arena lock (profiled with per-message channels: 7% of
//!   samples waking waiters of that lock, 13% in the workers' context switches). A consumer with
//!   nothing left to do drops what it handed back itself only once the producer has stayed quiet
//!   for [`SPENT_GRACE`]: a consumer faster than its producer (a handler that counts, say) would
//!   otherwise free nearly every object itself, in the gap before the producer's next send.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How long a consumer with nothing queued leaves what it handed back for the producer to drop
/// on its next send, before it drops it itself. A producer busy with its next batch sends again
/// well within it (an informer's apply thread decodes 16 events in about a millisecond); one gone
/// quiet leaves a batch's worth alive for this long at most. On the events benchmark (100,000
/// pod updates to 3 counting handlers, 2 interleaved rounds on 2026-12-03), the handlers' threads
/// had freed the objects the apply thread decoded: with the grace, glibc's malloc ran 13,245 and
/// 17,023 events/s against 6,989 and 7,141 without, at the same peak RSS (57-60 MiB); jemalloc
/// and mimalloc were unchanged within their spread.
pub(crate) const SPENT_GRACE: Duration = Duration::from_millis(50);

struct Shared<T, S> {
    state: Mutex<State<T, S>>,
    /// See [`SPENT_GRACE`].
    grace: Duration,
    ready: Condvar,
    /// Woken when the consumer takes what is queued, for a producer in [`Backlog::wait_below`].
    drained: Condvar,
}

struct State<T, S> {
    items: Vec<T>,
    spent: Vec<S>,
    /// The producer is gone: the consumer finishes what is queued and stops.
    closed: bool,
    /// The consumer is gone: sending is pointless.
    gone: bool,
    /// The consumer waits on `ready`.
    sleeping: bool,
    /// A producer waits on `drained`.
    waiting: bool,
}

impl<T, S> Shared<T, S> {
    fn lock(&self) -> MutexGuard<'_, State<T, S>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A queue's two ends.
pub(crate) fn queue<T, S>() -> (Sender<T, S>, Receiver<T, S>) {
    queue_with_grace(SPENT_GRACE)
}

/// [`queue`], with a grace other than [`SPENT_GRACE`] (for tests).
fn queue_with_grace<T, S>(grace: Duration) -> (Sender<T, S>, Receiver<T, S>) {
    let shared = Arc::new(Shared {
        grace,
        state: Mutex::new(State {
            items: Vec::new(),
            spent: Vec::new(),
            closed: false,
            gone: false,
            sleeping: false,
            waiting: false,
        }),
        ready: Condvar::new(),
        drained: Condvar::new(),
    });
    (Sender { shared: shared.clone() }, Receiver { shared })
}

/// The producer's end; dropping it lets the consumer finish and stop.
pub(crate) struct Sender<T, S> {
    shared: Arc<Shared<T, S>>,
}

impl<T, S> Sender<T, S> {
    /// Queues `items` in order and wakes the consumer if it sleeps; then drops what the consumer
    /// handed back. False when the consumer is gone.
    pub fn send_all(&self, items: impl IntoIterator<Item = T>) -> bool {
        self.send(items).is_some()
    }

    /// [`Sender::send_all`], returning how many items are queued now (None when the consumer is
    /// gone).
    pub fn send(&self, items: impl IntoIterator<Item = T>) -> Option<usize> {
        let mut state = self.shared.lock();
        if state.gone {
            return None;
        }
        state.items.extend(items);
        let queued = state.items.len();
        let wake = state.sleeping && queued > 0;
        let spent = std::mem::take(&mut state.spent);
        drop(state);
        if wake {
            self.shared.ready.notify_one();
        }
        drop(spent);
        Some(queued)
    }

    /// How many items are queued.
    pub fn len(&self) -> usize {
        self.shared.lock().items.len()
    }

    /// A handle to wait on the queue's backlog from elsewhere (without a lock the sender is
    /// kept under).
    pub fn backlog(&self) -> Backlog<T, S> {
        Backlog {
            shared: self.shared.clone(),
        }
    }
}

/// See [`Sender::backlog`].
pub(crate) struct Backlog<T, S> {
    shared: Arc<Shared<T, S>>,
}

impl<T, S> Backlog<T, S> {
    /// Waits (blocking the thread) until at most `limit` items are queued, or the consumer is
    /// gone. Called on the producer's thread: what the consumer hands back meanwhile is dropped
    /// as it comes (a producer waiting here sends nothing, and would otherwise keep it all).
    pub fn wait_below(&self, limit: usize) {
        let mut state = self.shared.lock();
        loop {
            let spent = std::mem::take(&mut state.spent);
            if !spent.is_empty() {
                drop(state);
                drop(spent);
                state = self.shared.lock();
                continue;
            }
            if state.items.len() <= limit || state.gone {
                return;
            }
            state.waiting = true;
            state = self.shared.drained.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl<T, S> Drop for Sender<T, S> {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.ready.notify_one();
    }
}

/// The consumer's end.
pub(crate) struct Receiver<T, S> {
    shared: Arc<Shared<T, S>>,
}

impl<T, S> Receiver<T, S> {
    /// Hands back `done` (emptied) for the producer to drop, then waits until something is
    /// queued and swaps all of it into `batch` (which must be empty). False once the producer
    /// is gone and everything was taken. When nothing comes for [`SPENT_GRACE`], it drops what
    /// is still handed back itself and sleeps on: a producer gone quiet holds nothing for long.
    pub fn take_all(&self, batch: &mut Vec<T>, done: &mut Vec<S>) -> bool {
        let mut state = self.shared.lock();
        if state.closed {
            // Nobody collects any more.
            done.clear();
        } else if state.spent.is_empty() {
            std::mem::swap(&mut state.spent, done);
        } else {
            state.spent.append(done);
        }
        let mut grace_over = None;
        loop {
            if !state.items.is_empty() {
                std::mem::swap(&mut state.items, batch);
                if std::mem::take(&mut state.waiting) {
                    self.shared.drained.notify_all();
                }
                return true;
            }
            if state.closed {
                return false;
            }
            // Nothing queued: the producer may not send again for a long time, and would keep
            // what was handed back until it does. Dropped here once the grace is over.
            let left = (!state.spent.is_empty()).then(|| {
                let deadline = *grace_over.get_or_insert_with(|| Instant::now() + self.shared.grace);
                deadline.saturating_duration_since(Instant::now())
            });
            if left.is_some_and(|left| left.is_zero()) {
                let spent = std::mem::take(&mut state.spent);
                drop(state);
                drop(spent);
                state = self.shared.lock();
                continue;
            }
            state.sleeping = true;
            let ready = &self.shared.ready;
            state = match left {
                Some(left) => {
                    ready
                        .wait_timeout(state, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
                None => ready.wait(state).unwrap_or_else(PoisonError::into_inner),
            };
            state.sleeping = false;
        }
    }
}

impl<T, S> Drop for Receiver<T, S> {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.gone = true;
        state.items.clear();
        self.shared.drained.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records on which thread it was dropped.
    struct Spent(Arc<Mutex<Vec<std::thread::ThreadId>>>);

    impl Drop for Spent {
        fn drop(&mut self) {
            self.0.lock().unwrap().push(std::thread::current().id());
        }
    }

    #[test]
    fn batches_arrive_in_order_and_nothing_spent_is_kept() {
        let drops = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = queue::<u32, Spent>();
        let (processed_tx, processed) = std::sync::mpsc::channel();
        let consumer = {
            let drops = drops.clone();
            std::thread::spawn(move || {
                let (mut batch, mut done) = (Vec::new(), Vec::new());
                let mut seen = Vec::new();
                while rx.take_all(&mut batch, &mut done) {
                    for n in batch.drain(..) {
                        seen.push(n);
                        done.push(Spent(drops.clone()));
                    }
                    processed_tx.send(seen.len()).unwrap();
                }
                seen
            })
        };
        for chunk in (0..1_000u32).collect::<Vec<_>>().chunks(7) {
            assert!(tx.send_all(chunk.iter().copied()));
        }
        while processed.recv().unwrap() < 1_000 {}
        // Run idle, the consumer drops what the producer did not take back: all of it is
        // dropped without another send.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while drops.lock().unwrap().len() < 1_000 {
            assert!(std::time::Instant::now() < deadline, "spent items were kept");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        drop(tx);
        assert_eq!(consumer.join().unwrap(), (0..1_000).collect::<Vec<_>>());
    }

    #[test]
    fn a_consumer_faster_than_its_producer_leaves_what_it_handed_back_to_the_producer() {
        let drops = Arc::new(Mutex::new(Vec::new()));
        // A grace no test run outlasts: the consumer never drops anything itself here.
        let (tx, rx) = queue_with_grace::<u32, Spent>(Duration::from_secs(600));
        let consumer = {
            let drops = drops.clone();
            std::thread::spawn(move || {
                let (mut batch, mut done) = (Vec::new(), Vec::new());
                while rx.take_all(&mut batch, &mut done) {
                    done.extend(batch.drain(..).map(|_| Spent(drops.clone())));
                }
            })
        };
        let me = std::thread::current().id();
        for round in 1..=3 {
            assert!(tx.send_all(0..10));
            // The consumer handles the batch at once and hands it back as it waits for more.
            let deadline = Instant::now() + Duration::from_secs(10);
            while tx.shared.lock().spent.len() < 10 {
                let dropped = drops.lock().unwrap().len();
                assert_eq!(dropped, (round - 1) * 10, "the consumer dropped what it handed back");
                assert!(Instant::now() < deadline, "the consumer never handed back its batch");
                std::thread::sleep(Duration::from_millis(1));
            }
            assert_eq!(drops.lock().unwrap().len(), (round - 1) * 10);
            // The producer's next send takes it back and drops it, on the producer's thread.
            assert!(tx.send_all(std::iter::empty()));
            let dropped = drops.lock().unwrap().clone();
            assert_eq!(dropped.len(), round * 10);
            assert!(dropped.iter().all(|t| *t == me), "dropped on the producer's thread");
        }
        drop(tx);
        consumer.join().unwrap();
    }

    #[test]
    fn a_producer_waiting_for_the_backlog_drops_what_is_handed_back_meanwhile() {
        let drops = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = queue::<u32, Spent>();
        let (took_tx, took) = std::sync::mpsc::channel::<usize>();
        let (go, go_rx) = std::sync::mpsc::channel::<()>();
        let consumer = {
            let drops = drops.clone();
            std::thread::spawn(move || {
                let (mut batch, mut done) = (Vec::new(), Vec::new());
                while rx.take_all(&mut batch, &mut done) {
                    took_tx.send(batch.len()).unwrap();
                    done.extend(batch.drain(..).map(|_| Spent(drops.clone())));
                    if go_rx.recv().is_err() {
                        break;
                    }
                }
            })
        };
        assert!(tx.send_all(0..10));
        assert_eq!(took.recv().unwrap(), 10);
        // The second batch is queued before the consumer is done with the first.
        assert!(tx.send_all(10..20));
        go.send(()).unwrap();
        tx.backlog().wait_below(5);
        // The consumer handed the first batch back as it took the second: the waiting producer
        // dropped it, without another send.
        let me = std::thread::current().id();
        let dropped = drops.lock().unwrap().clone();
        assert_eq!(dropped.len(), 10, "the first batch is dropped");
        assert!(dropped.iter().all(|t| *t == me), "on the producer's thread");
        drop(go);
        drop(tx);
        consumer.join().unwrap();
    }

    #[test]
    fn sending_to_a_gone_consumer_fails() {
        let (tx, rx) = queue::<u32, u32>();
        drop(rx);
        assert!(!tx.send_all([1]));
    }
}
