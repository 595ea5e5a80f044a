//! The informer's pipeline: the watch task that lists and watches, and the apply thread that
//! decodes, transforms and caches what it read and hands the changes to the processor
//! (client-go's reflector and `processLoop`, with the DeltaFIFO between them).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::StreamExt;
use kube::Resource;
use kube::runtime::{WatchStreamExt, watcher};
use serde::de::DeserializeOwned;
use tokio::task::JoinHandle;

use crate::handler::Notification;
use crate::indexer::Indexer;
use crate::informer::{InformerError, Inner};
use crate::processor::wait_for_laggards;
use crate::raw::Raw;
use crate::reflector::map_event;

/// The most events queued for the apply thread before the watch task waits.
const APPLY_QUEUE: usize = 1024;

/// The most bytes of watch events' texts queued for the apply thread before the watch task
/// waits (the server and the socket hold the rest). Texts waiting are memory beside the cache:
/// on the events benchmark (100,000 pod updates of 5.2 KB to 3 handlers), 1,024 queued events
/// held 4-7 MB of text in mappings at the peak (`/proc/PID/smaps`); with this bound, 0-4 MB.
/// Nor does a burst of 1 MB objects queue a gigabyte. A list's page is read
/// whole anyway, so listed objects count against [`APPLY_QUEUE`] only: the watch task then asks
/// for the next page while the apply thread still decodes this one.
const APPLY_QUEUE_BYTES: usize = 2 << 20;

/// The most watch events applied and dispatched as one batch (see
/// [`crate::processor::LISTENER_BACKLOG`] for how it was chosen: the objects a batch replaces
/// stay alive until the slowest handler has handled it).
const DISPATCH_BATCH: usize = 16;

/// Starts the pipeline of `inner`'s informer on the current tokio runtime: returns the watch
/// task and the apply thread, which ends once the watch task has ended and it has applied what
/// was queued.
///
/// The watch task reads the watch's lines into objects' texts (with the few metadata the
/// watcher needs); the apply thread decodes, transforms, caches and dispatches them, side by
/// side with the reading of what follows. The texts are in mappings of their own, a chunk
/// unmapped once its last text is decoded (see `raw::TextWriter`); the few small allocations
/// beside them come back to the watch task to be freed where they were allocated. The objects
/// are allocated on the apply thread and mostly freed there (handled notifications come back to
/// it), so the two threads seldom contend for an allocator arena.
pub(crate) fn start<K>(inner: &Arc<Inner<K>>) -> (JoinHandle<()>, std::thread::JoinHandle<()>)
where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug + Send + Sync + 'static,
    K::DynamicType: Clone + Send + Sync,
{
    let (events, applied) = crate::queue::queue::<watcher::Event<Raw<K>>, Raw<K>>();
    // Transforms and the watch error handler run there, inside the runtime's context.
    let runtime = tokio::runtime::Handle::current();
    let apply_inner = inner.clone();
    let applier = std::thread::Builder::new()
        .name("informer-apply".into())
        .spawn(move || {
            let _context = runtime.enter();
            // However the thread ends, a watch task waiting for room goes on (and finds the
            // thread gone when it sends).
            let applied = ApplyEnd {
                applied: Some(applied),
                room: &apply_inner.room,
            };
            let mut work = ApplyBuffers::default();
            while applied.take_all(&mut work) {
                apply_batch(&apply_inner, &mut work);
            }
        })
        .expect("spawning an informer's apply thread");
    let inner = inner.clone();
    let sender = events;
    let watch = tokio::spawn(async move {
        let backoff = inner.options.backoff.backoff();
        let api = crate::raw::raw_api(&inner.api, &inner.kind, inner.counters.clone());
        let stream = watcher(api, inner.options.config.clone()).backoff(backoff);
        // Texts go to chunks of their own, sealed before each batch is handed over.
        let mut stream = crate::raw::WithTexts::new(stream.fuse());
        let (mut batch, mut ready) = (Vec::new(), Vec::new());
        while next_batch(&mut stream, &mut batch).await {
            for item in batch.drain(..) {
                match item {
                    Ok(event) => {
                        if let watcher::Event::Init = event {
                            inner.counters.lists.fetch_add(1, Ordering::Relaxed);
                        }
                        ready.push(event)
                    }
                    Err(err) => report_watch_error(&inner, err),
                }
            }
            if ready.is_empty() {
                continue;
            }
            stream.seal();
            if inner.options.compact {
                // Listing, this task is the critical path (it asks for the next page once it
                // has split this one) and the apply thread scans lists' lengths; watching, the
                // apply thread is, and this task scans watch events' lengths.
                for event in &mut ready {
                    if let watcher::Event::Apply(raw) | watcher::Event::Delete(raw) = event {
                        raw.scan_lengths();
                    }
                }
            }
            // Counted before they are queued, so the apply thread never takes away more than
            // was added.
            let room = &inner.room;
            room.text_bytes.fetch_add(watch_text_bytes(&ready), Ordering::AcqRel);
            let Some(mut queued) = sender.send(ready.drain(..)) else {
                tracing::error!(informer = %inner.options.name, "the apply thread is gone; the informer stops");
                break;
            };
            // Rather than read ahead without bound: the server and the socket hold the rest.
            while queued >= APPLY_QUEUE || room.text_bytes.load(Ordering::Acquire) >= APPLY_QUEUE_BYTES {
                room.made.notified().await;
                queued = sender.len();
            }
        }
    });
    (watch, applier)
}

/// Logs a list/watch error and tells the watch error handler.
fn report_watch_error<K: Resource>(inner: &Inner<K>, err: watcher::Error) {
    tracing::warn!(informer = %inner.options.name, %err, "list/watch failed; retrying");
    report(
        inner,
        &InformerError::Watch {
            kind: inner.kind.clone(),
            source: err,
        },
    );
}

/// Tells the watch error handler, if any (a panic in it is caught and logged).
fn report<K: Resource>(inner: &Inner<K>, err: &InformerError) {
    if let Some(handler) = &inner.options.watch_error_handler
        && std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(err))).is_err()
    {
        tracing::error!(informer = %inner.options.name, "the watch error handler panicked");
    }
}

/// The bytes of the watch events' texts among `events` (see [`APPLY_QUEUE_BYTES`]).
fn watch_text_bytes<K>(events: &[watcher::Event<Raw<K>>]) -> usize {
    events
        .iter()
        .map(|event| match event {
            watcher::Event::Apply(raw) | watcher::Event::Delete(raw) => raw.text_len(),
            _ => 0,
        })
        .sum()
}

/// Room in the queue from the watch task to the apply thread, beside the count of events that
/// the queue itself keeps (an informer's, see [`APPLY_QUEUE`] and [`APPLY_QUEUE_BYTES`]).
#[derive(Debug, Default)]
pub(crate) struct Room {
    /// The bytes of watch events' texts queued.
    text_bytes: AtomicUsize,
    /// Notified when the apply thread takes what is queued, or is gone.
    made: tokio::sync::Notify,
}

/// The apply thread's end of the queue from the watch task: takes what is queued and makes room
/// for more. Dropped (however the thread ends), it closes the queue, then wakes a watch task
/// waiting for room, which finds the queue closed when it sends.
struct ApplyEnd<'a, K> {
    applied: Option<crate::queue::Receiver<watcher::Event<Raw<K>>, Raw<K>>>,
    room: &'a Room,
}

impl<K> ApplyEnd<'_, K> {
    /// Takes everything queued into `work.batch`, handing back `work.spent`; false once the
    /// watch task is gone and everything was taken.
    fn take_all(&self, work: &mut ApplyBuffers<K>) -> bool {
        let Some(applied) = &self.applied else {
            return false;
        };
        if !applied.take_all(&mut work.batch, &mut work.spent) {
            return false;
        }
        self.room
            .text_bytes
            .fetch_sub(watch_text_bytes(&work.batch), Ordering::AcqRel);
        self.room.made.notify_one();
        true
    }
}

impl<K> Drop for ApplyEnd<'_, K> {
    fn drop(&mut self) {
        // Closed first (sending then fails, and the queue is empty), woken after: a watch task
        // woken earlier could find the queue still full and wait again, for good.
        drop(self.applied.take());
        self.room.text_bytes.store(0, Ordering::Release);
        self.room.made.notify_one();
    }
}

/// The apply thread's buffers, kept between batches.
struct ApplyBuffers<K> {
    batch: Vec<watcher::Event<Raw<K>>>,
    /// Decoded objects, their texts let go: back to the watch task.
    spent: Vec<Raw<K>>,
    /// The lengths of the lists of the object being decoded.
    lengths: Vec<u32>,
    shared: Vec<watcher::Event<Decoded<K>>>,
    notes: Vec<Notification<K>>,
}

impl<K> Default for ApplyBuffers<K> {
    fn default() -> Self {
        ApplyBuffers {
            batch: Vec::new(),
            spent: Vec::new(),
            lengths: Vec::new(),
            shared: Vec::new(),
            notes: Vec::new(),
        }
    }
}

/// Decodes, transforms and caches a batch of watch events (emptied; what is left of them goes to
/// `spent`) and queues the changes to every handler, [`DISPATCH_BATCH`] events at a time: one
/// lock of the dispatch state and one send per handler for each. The watch task hands over
/// everything it queued at once (a page of a list, or a thousand watch events when the apply
/// thread fell behind); decoding all of it before dispatching any would keep that many decoded
/// objects alive at once, and queue them to the handlers in one go, past their backlog bound.
fn apply_batch<K>(inner: &Inner<K>, work: &mut ApplyBuffers<K>)
where
    K: Resource + DeserializeOwned + 'static,
{
    let ApplyBuffers {
        batch,
        spent,
        lengths,
        shared,
        notes,
    } = work;
    for event in batch.drain(..) {
        match &event {
            watcher::Event::Apply(raw) | watcher::Event::Delete(raw) => {
                inner.counters.events_applied.fetch_add(1, Ordering::Relaxed);
                inner
                    .counters
                    .set_resource_version(raw.meta().resource_version.as_deref());
            }
            watcher::Event::InitApply(raw) => {
                inner
                    .counters
                    .set_resource_version(raw.meta().resource_version.as_deref());
            }
            _ => {}
        }
        // A listed object's or deleted object's stand-in is the cached one, if it does not decode.
        let keep_cached = !matches!(event, watcher::Event::Apply(_));
        shared.extend(map_event(event, |raw| decode(inner, raw, spent, lengths, keep_cached)));
        if shared.len() >= DISPATCH_BATCH {
            dispatch_decoded(inner, shared, notes);
        }
    }
    dispatch_decoded(inner, shared, notes);
}

/// Caches the decoded events (emptied) and queues their changes to every handler, then waits
/// for any handler far behind.
fn dispatch_decoded<K>(inner: &Inner<K>, shared: &mut Vec<watcher::Event<Decoded<K>>>, notes: &mut Vec<Notification<K>>)
where
    K: Resource + DeserializeOwned + 'static,
{
    if shared.is_empty() {
        return;
    }
    let mut dispatch = inner.dispatch();
    for event in shared.drain(..) {
        // Stand-ins are looked up now, after the earlier events.
        let event = map_event(event, |decoded| decoded.resolve(&inner.indexer));
        if let Some(event) = event
            && dispatch.reflector.apply(event, notes)
        {
            // Handlers learn they synced right after the notes of the first list.
            dispatch.processor.distribute(notes, true);
            inner.synced.set(true);
            inner.resync_changed.notify_one();
        }
    }
    dispatch.processor.distribute(notes, false);
    // A handler far behind holds every version of the objects queued for it: wait for it
    // (outside the lock, which a handler may take to remove itself) before decoding more.
    let laggards = dispatch.processor.laggards();
    drop(dispatch);
    wait_for_laggards(laggards);
}

/// An event's object, decoded, or the key of the object cached under it.
enum Decoded<K> {
    Object(Arc<K>),
    Cached(String),
}

impl<K: Resource + 'static> Decoded<K> {
    /// The object, or what `indexer` holds under the key (if anything).
    fn resolve(self, indexer: &Indexer<K>) -> Option<Arc<K>> {
        match self {
            Decoded::Object(object) => Some(object),
            Decoded::Cached(key) => indexer.get(&key),
        }
    }
}

/// Decodes and transforms a listed or watched object (with compaction on, every list allocated
/// at its length). An object that does not decode as `K` is reported to the watch error handler
/// and skipped, as is one a transform panicked on; with `keep_cached`, the cached object of its
/// key stands in for it (so that a relist does not drop it and a delete still removes it). The
/// text is let go of, and the rest goes to `spent`.
fn decode<K>(
    inner: &Inner<K>,
    mut raw: Raw<K>,
    spent: &mut Vec<Raw<K>>,
    lengths: &mut Vec<u32>,
    keep_cached: bool,
) -> Option<Decoded<K>>
where
    K: Resource + DeserializeOwned + 'static,
{
    let decoded = raw
        .decode(inner.options.compact.then_some(lengths))
        .map_err(Unusable::Decode)
        .and_then(|mut object| {
            // A panicking transform must not take the apply thread (and with it the informer) down.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                inner.options.transforms.iter().for_each(|t| t(&mut object));
                object
            }))
            .map_err(|_| Unusable::TransformPanicked)
        });
    let decoded = match decoded {
        Ok(object) => Some(Decoded::Object(Arc::new(object))),
        Err(failure) => {
            let meta = raw.meta();
            let (namespace, name) = (
                meta.namespace.as_deref().unwrap_or(""),
                meta.name.as_deref().unwrap_or(""),
            );
            match failure {
                Unusable::TransformPanicked => {
                    tracing::error!(informer = %inner.options.name, kind = %inner.kind, namespace, name, "a transform panicked; object skipped");
                }
                Unusable::Decode(err) => {
                    tracing::error!(informer = %inner.options.name, kind = %inner.kind, namespace, name, %err, "object does not decode; skipped");
                    report(
                        inner,
                        &InformerError::Decode {
                            kind: inner.kind.clone(),
                            namespace: meta.namespace.clone(),
                            name: name.to_owned(),
                            resource_version: meta.resource_version.clone(),
                            source: err,
                        },
                    );
                }
            }
            keep_cached.then(|| Decoded::Cached(crate::object_key(&raw)))
        }
    };
    raw.release_text();
    spent.push(raw);
    decoded
}

/// Why an object is skipped.
enum Unusable {
    Decode(serde_json::Error),
    TransformPanicked,
}

/// Waits for the next item of `stream`, then takes every further item that is ready, up to
/// [`DISPATCH_BATCH`], into `batch` (which must be empty); false when the stream ended.
///
/// A watch delivers one event per turn of the HTTP connection's task, so "ready now" alone
/// would be a batch of one: when nothing is ready this yields to the runtime once (letting the
/// connection hand over what the socket already holds) before it settles for what it has. An
/// idle watch costs one yield per event; a busy one shares each lock and wake among many.
async fn next_batch<S: futures::Stream + Unpin>(stream: &mut S, batch: &mut Vec<S::Item>) -> bool {
    use futures::FutureExt;
    let Some(first) = stream.next().await else {
        return false;
    };
    batch.push(first);
    let mut yielded = false;
    while batch.len() < DISPATCH_BATCH {
        match stream.next().now_or_never() {
            Some(Some(item)) => {
                batch.push(item);
                yielded = false;
            }
            Some(None) => break,
            None if !yielded => {
                tokio::task::yield_now().await;
                yielded = true;
            }
            None => break,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;
    use std::time::Duration;

    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::api::{Api, PostParams};
    use kube_fake_apiserver::FakeApiServer;

    use crate::{HandlerFns, InformerOptions, SharedIndexInformer};

    /// A handler that blocks holds the apply thread back, and the watch task then stops reading
    /// once the texts it queued reach the bound: 400 ConfigMaps of 64 KB (25.6 MB) are written,
    /// fewer than 1,024 events, so the count bound alone would queue all the apply thread did not
    /// take before it blocked.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_watch_task_stops_reading_once_the_texts_queued_reach_their_bound() {
        const CREATED: usize = 400;
        let server = FakeApiServer::start().await.unwrap();
        let client = server.client().unwrap();
        let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
        let informer = SharedIndexInformer::new(Api::<ConfigMap>::all(client), "ConfigMap", InformerOptions::default());
        let (release, released) = std::sync::mpsc::channel::<()>();
        let released = std::sync::Mutex::new(Some(released));
        informer.add_event_handler(HandlerFns::<ConfigMap>::new().on_add(move |_, _| {
            if let Some(released) = released.lock().unwrap().take() {
                let _ = released.recv();
            }
        }));
        informer.run();
        assert!(informer.wait_for_sync(Duration::from_secs(10)).await);
        let filler = "x".repeat(64 << 10);
        for i in 0..CREATED {
            let cm = ConfigMap {
                metadata: kube::api::ObjectMeta {
                    name: Some(format!("big-{i}")),
                    ..Default::default()
                },
                data: Some([("k".to_owned(), filler.clone())].into()),
                ..Default::default()
            };
            api.create(&PostParams::default(), &cm).await.unwrap();
        }
        // Let the watch task read all it will.
        let queued = || informer.inner.room.text_bytes.load(Ordering::Acquire);
        let mut last = usize::MAX;
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let now = queued();
            if now == last {
                break;
            }
            last = now;
        }
        let queued_now = queued();
        // The bound, plus the batch that crossed it (up to DISPATCH_BATCH events).
        let most = super::APPLY_QUEUE_BYTES + super::DISPATCH_BATCH * (65 << 10);
        assert!(queued_now > 0, "nothing queued behind a blocked handler");
        assert!(
            queued_now <= most,
            "{queued_now} bytes of text queued past a blocked handler (bound {})",
            super::APPLY_QUEUE_BYTES
        );
        release.send(()).unwrap();
        for _ in 0..100 {
            if informer.lister().list(&Default::default()).len() == CREATED {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(informer.lister().list(&Default::default()).len(), CREATED);
        assert_eq!(queued(), 0, "every queued text counted out");
        informer.shutdown().await;
        server.shutdown().await;
    }
}
