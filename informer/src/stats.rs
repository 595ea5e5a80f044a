//! Counters of an informer's list+watch for metrics: requests, relists, events applied, the
//! cache's size and the last resourceVersion seen.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use kube::Client;

/// What an informer did so far (read with
/// [`SharedIndexInformer::stats`](crate::SharedIndexInformer::stats)).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct InformerStats {
    /// HTTP list requests (each page of a paginated list counts).
    pub list_requests: u64,
    /// HTTP watch requests.
    pub watch_requests: u64,
    /// Lists after the first one (after a `410 Gone`, say).
    pub relists: u64,
    /// Watch events (adds, updates, deletes) applied to the cache.
    pub events_applied: u64,
    /// Objects in the cache now.
    pub objects_cached: u64,
    /// The resourceVersion of the last object the cache applied, from a list or a watch.
    pub last_synced_resource_version: Option<String>,
}

/// The live counters, shared by the watch task, the apply thread and the HTTP client.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub list_requests: AtomicU64,
    pub watch_requests: AtomicU64,
    pub lists: AtomicU64,
    pub events_applied: AtomicU64,
    pub last_resource_version: Mutex<Option<String>>,
}

impl Counters {
    pub fn snapshot(&self, objects_cached: usize) -> InformerStats {
        InformerStats {
            list_requests: self.list_requests.load(Ordering::Relaxed),
            watch_requests: self.watch_requests.load(Ordering::Relaxed),
            relists: self.lists.load(Ordering::Relaxed).saturating_sub(1),
            events_applied: self.events_applied.load(Ordering::Relaxed),
            objects_cached: objects_cached as u64,
            last_synced_resource_version: self
                .last_resource_version
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        }
    }

    pub fn set_resource_version(&self, rv: Option<&str>) {
        if let Some(rv) = rv {
            let mut last = self
                .last_resource_version
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if last.as_deref() != Some(rv) {
                *last = Some(rv.to_owned());
            }
        }
    }
}

/// `client`, counting the list and watch requests that go through it.
pub(crate) fn counting_client(client: Client, counters: std::sync::Arc<Counters>) -> Client {
    let namespace = client.default_namespace().to_owned();
    let service = tower::service_fn(move |request: http::Request<kube::client::Body>| {
        let watch = request
            .uri()
            .query()
            .is_some_and(|q| q.split('&').any(|kv| kv == "watch=true" || kv == "watch=1"));
        if request.method() == http::Method::GET {
            let counter = if watch {
                &counters.watch_requests
            } else {
                &counters.list_requests
            };
            counter.fetch_add(1, Ordering::Relaxed);
        }
        let client = client.clone();
        async move { client.send(request).await }
    });
    Client::new(service, namespace)
}
