//! The shared processor: an informer's handlers, each a listener with a queue and a worker
//! thread of its own, so a slow or panicking handler holds up nobody else (client-go's
//! `sharedProcessor` and `processorListener`). It hands every change to every listener, replays
//! the cache to a handler added late, resyncs the handlers that asked for it, and holds the
//! informer back while a listener is far behind.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use crate::handler::{Notification, ResourceEventHandler, SyncFlag};
use crate::queue;

/// The most notifications queued for one listener before the informer waits for it to catch up
/// (client-go's listeners have no bound: a handler slower than the watch then holds every
/// version of the objects it has yet to see). Measured on the events benchmark (100,000 pod
/// updates to 3 handlers, 1,000 pods cached): with no bound the run peaked at 332 MiB of RSS;
/// dispatching 64 events at a time, the peak live heap was 46 MiB with a bound of 256 and 38 MiB
/// with 64 (kube-runtime's reflector feeding 3 channels: 36 MiB), and the events faster. Every
/// notification queued holds the replaced object alive beside the cache: with 16 (and the
/// pipeline's `DISPATCH_BATCH` of 16), 3 interleaved rounds on 2026-12-03 put the run's peak live heap
/// at 30.8-30.9 MiB against 33.5-35.3 MiB with 64 under each of glibc, jemalloc and mimalloc
/// (kube-runtime: 34.9), and its peak RSS at 53.6 / 61.3 / 73.0 MiB against 58.4 / 62.3 / 78.7;
/// events/s fell from 14,891 / 16,456 / 11,993 to 11,896 / 12,564 / 12,341 (1.36-2.30x
/// kube-runtime's in the same rounds).
pub(crate) const LISTENER_BACKLOG: usize = 16;

/// What goes down a listener's queue.
pub(crate) enum Message<K> {
    Notify(Notification<K>),
    /// Everything before this was the handler's initial state.
    Synced,
}

/// The state a handler's registration shares with its listener's worker.
pub(crate) struct ListenerShared {
    pub synced: SyncFlag,
    pub panics: AtomicU64,
    pub delivered: AtomicU64,
    pub removed: AtomicBool,
}

/// The informer's end of a listener's queue: notifications in, handled ones back (dropped by
/// the informer's thread, see [`crate::queue`]).
type ListenerQueue<K> = queue::Sender<Message<K>, Message<K>>;

/// The processor's side of one handler: its queue and resync period.
struct Listener<K> {
    id: u64,
    tx: ListenerQueue<K>,
    resync: Option<Duration>,
    next_resync: Option<tokio::time::Instant>,
}

/// Every listener of one informer (client-go's `sharedProcessor`).
pub(crate) struct Processor<K> {
    listeners: Vec<Listener<K>>,
    /// The listeners' worker threads, joined on shutdown (or handed to a removed handler).
    threads: Vec<(u64, std::thread::JoinHandle<()>)>,
}

impl<K> Processor<K> {
    pub fn new() -> Self {
        Processor {
            listeners: Vec::new(),
            threads: Vec::new(),
        }
    }

    /// Stops distributing to a listener; hands back its worker thread, which ends once it has
    /// handled what is queued.
    pub fn remove_listener(&mut self, id: u64) -> Option<std::thread::JoinHandle<()>> {
        self.listeners.retain(|l| l.id != id);
        let at = self.threads.iter().position(|(t, _)| *t == id)?;
        Some(self.threads.swap_remove(at).1)
    }

    /// Queues `notes` (emptied) to every listener, then `Synced` if `synced` (client-go's
    /// `distribute`); drops listeners whose worker is gone.
    pub fn distribute(&mut self, notes: &mut Vec<Notification<K>>, synced: bool) {
        if notes.is_empty() && !synced {
            return;
        }
        self.listeners.retain(|l| {
            let messages = notes.iter().map(|n| Message::Notify(n.clone()));
            if synced {
                l.tx.send_all(messages.chain(std::iter::once(Message::Synced)))
            } else {
                l.tx.send_all(messages)
            }
        });
        notes.clear();
    }

    /// The listeners more than [`LISTENER_BACKLOG`] notifications behind, to wait for with
    /// [`wait_for_laggards`] once the caller's lock is let go (a handler may take it to remove
    /// itself).
    pub fn laggards(&self) -> Vec<queue::Backlog<Message<K>, Message<K>>> {
        self.listeners
            .iter()
            .filter(|l| l.tx.len() > LISTENER_BACKLOG)
            .map(|l| l.tx.backlog())
            .collect()
    }

    /// When the next listener's resync is due, if any listener resyncs.
    pub fn next_resync(&self) -> Option<tokio::time::Instant> {
        self.listeners.iter().filter_map(|l| l.next_resync).min()
    }

    /// Queues every cached object as an update (old and new the same) to each listener whose
    /// resync is due at `now` (client-go's `shouldResync`), and schedules its next one; `list`
    /// is called at most once.
    pub fn resync(&mut self, now: tokio::time::Instant, list: impl Fn() -> Vec<Arc<K>>) {
        let mut objects = None;
        for l in self.listeners.iter_mut() {
            let (Some(period), Some(next)) = (l.resync, l.next_resync) else {
                continue;
            };
            if now < next {
                continue;
            }
            l.next_resync = Some(now + period);
            let objects = objects.get_or_insert_with(&list);
            l.tx.send_all(objects.iter().map(|o| {
                Message::Notify(Notification::Update {
                    old: o.clone(),
                    new: o.clone(),
                })
            }));
        }
    }

    /// Drops every listener (their workers end once they have handled what is queued) and
    /// hands back their threads to join.
    pub fn stop(&mut self) -> Vec<std::thread::JoinHandle<()>> {
        self.listeners.clear();
        std::mem::take(&mut self.threads).into_iter().map(|(_, t)| t).collect()
    }
}

impl<K: Send + Sync + 'static> Processor<K> {
    /// Starts a listener for `handler` (its worker thread named `name`). With `replay` (the
    /// cache's objects, once it has synced), the handler first gets each as an initial add, then
    /// learns it synced; the caller holds the lock that orders this against the changes
    /// distributed, so nothing is missed or seen twice.
    pub fn add_listener(
        &mut self,
        id: u64,
        name: String,
        handler: Box<dyn ResourceEventHandler<K>>,
        resync: Option<Duration>,
        replay: Option<Vec<Arc<K>>>,
    ) -> Arc<ListenerShared> {
        let (tx, shared, thread) = spawn_listener(name, handler);
        if let Some(objects) = replay {
            let adds = objects.into_iter().map(|obj| {
                Message::Notify(Notification::Add {
                    obj,
                    is_initial_list: true,
                })
            });
            tx.send_all(adds.chain(std::iter::once(Message::Synced)));
        }
        self.listeners.push(Listener {
            id,
            tx,
            resync,
            next_resync: resync.map(|r| tokio::time::Instant::now() + r),
        });
        self.threads.push((id, thread));
        shared
    }
}

/// Waits until each of `laggards` is down to half of [`LISTENER_BACKLOG`].
pub(crate) fn wait_for_laggards<K>(laggards: Vec<queue::Backlog<Message<K>, Message<K>>>) {
    for backlog in laggards {
        backlog.wait_below(LISTENER_BACKLOG / 2);
    }
}

/// Starts the worker thread of a listener; returns its queue, shared state and join handle
/// (client-go's `processorListener.run`).
fn spawn_listener<K: Send + Sync + 'static>(
    name: String,
    handler: Box<dyn ResourceEventHandler<K>>,
) -> (ListenerQueue<K>, Arc<ListenerShared>, std::thread::JoinHandle<()>) {
    let (tx, rx) = queue::queue();
    let shared = Arc::new(ListenerShared {
        synced: SyncFlag::new(),
        panics: AtomicU64::new(0),
        delivered: AtomicU64::new(0),
        removed: AtomicBool::new(false),
    });
    let worker_shared = shared.clone();
    // Handlers run inside the runtime the informer was used from, so that they may
    // `tokio::spawn` or use a `Handle::current()` (a plain thread has no runtime context).
    let runtime = tokio::runtime::Handle::try_current().ok();
    let thread = std::thread::Builder::new()
        .name(name.clone())
        .spawn(move || {
            let _context = runtime.as_ref().map(tokio::runtime::Handle::enter);
            let (mut batch, mut done) = (Vec::new(), Vec::new());
            while rx.take_all(&mut batch, &mut done) {
                for message in &batch {
                    let notification = match message {
                        Message::Synced => {
                            worker_shared.synced.set(true);
                            continue;
                        }
                        Message::Notify(n) => n,
                    };
                    let result = std::panic::catch_unwind(AssertUnwindSafe(|| match notification {
                        Notification::Add { obj, is_initial_list } => handler.on_add(obj, *is_initial_list),
                        Notification::Update { old, new } => handler.on_update(old, new),
                        Notification::Delete(d) => handler.on_delete(d),
                    }));
                    worker_shared.delivered.fetch_add(1, Ordering::Relaxed);
                    if result.is_err() {
                        let n = worker_shared.panics.fetch_add(1, Ordering::Relaxed) + 1;
                        tracing::error!(handler = %name, panics = n, "event handler panicked; it keeps receiving events");
                    }
                }
                // Handled: back to the informer's thread, which drops them.
                std::mem::swap(&mut batch, &mut done);
            }
        })
        .expect("spawning a handler thread");
    (tx, shared, thread)
}
