//! The shared index informer against the fake API server: handlers, late registration, removal,
//! slow and panicking handlers, resync, relists after faults, and event streams.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Recorder, TIMEOUT, configmap, converges, eventually, server_view};
use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube_fake_apiserver::FakeApiServer;
use kube_informer::{CacheStorage, HandlerFns, InformerOptions, Notification, SharedIndexInformer};
use serde_json::json;

fn informer(server: &FakeApiServer, options: InformerOptions<ConfigMap>) -> SharedIndexInformer<ConfigMap> {
    let api: Api<ConfigMap> = Api::all(server.client().unwrap());
    SharedIndexInformer::new(api, "ConfigMap", options)
}

fn default_api(server: &FakeApiServer) -> Api<ConfigMap> {
    Api::namespaced(server.client().unwrap(), "default")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handlers_see_adds_updates_and_deletes_in_order() {
    adds_updates_and_deletes(CacheStorage::decoded()).await;
}

/// The same with the cache compressed: handlers, lister and cache see the same objects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compressed_cache_handlers_see_adds_updates_and_deletes_in_order() {
    adds_updates_and_deletes(CacheStorage::compressed()).await;
}

async fn adds_updates_and_deletes(storage: CacheStorage<ConfigMap>) {
    let compressed = storage.is_compressed();
    let server = FakeApiServer::start().await.unwrap();
    let api = default_api(&server);
    api.create(&PostParams::default(), &configmap("a", &[], "1"))
        .await
        .unwrap();
    api.create(&PostParams::default(), &configmap("b", &[], "1"))
        .await
        .unwrap();

    let inf = informer(
        &server,
        InformerOptions {
            storage,
            ..Default::default()
        },
    );
    let recorder = Recorder::new();
    let (log, view) = recorder.handles();
    let reg = inf.add_event_handler(recorder);
    assert!(!reg.has_synced());
    inf.run();
    inf.run(); // idempotent
    assert!(inf.wait_for_sync(TIMEOUT).await);
    assert!(reg.wait_for_sync(TIMEOUT).await);
    assert_eq!(
        *log.lock().unwrap(),
        ["add default/a initial=true", "add default/b initial=true"]
    );

    api.create(&PostParams::default(), &configmap("c", &[], "1"))
        .await
        .unwrap();
    api.patch("a", &PatchParams::default(), &Patch::Merge(json!({"data": {"v": "2"}})))
        .await
        .unwrap();
    api.delete("b", &DeleteParams::default()).await.unwrap();
    eventually("three more notifications", || log.lock().unwrap().len() == 5).await;
    assert_eq!(
        log.lock().unwrap()[2..],
        ["add default/c initial=false", "update default/a", "delete default/b"]
    );
    converges("the handler view", &view, &api).await;

    // The cache holds shared objects; the lister reads it.
    let a = inf.lister().namespace("default").get("a").unwrap();
    assert_eq!(a.data.as_ref().unwrap()["v"], "2");
    let again = inf.indexer().get("default/a").unwrap();
    assert_eq!(a, again);
    assert_eq!(
        Arc::ptr_eq(&a, &again),
        !compressed,
        "decoded: no deep copy per reader; compressed: a decode per read"
    );
    let err = inf.lister().namespace("default").get("b").unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"ConfigMap "default/b" not found in the informer cache"#
    );
    inf.shutdown().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_handler_gets_the_cache_and_removal_stops_delivery() {
    let server = FakeApiServer::start().await.unwrap();
    let api = default_api(&server);
    for name in ["x", "y"] {
        api.create(&PostParams::default(), &configmap(name, &[], "1"))
            .await
            .unwrap();
    }
    let inf = informer(&server, InformerOptions::default());
    inf.run();
    assert!(inf.wait_for_sync(TIMEOUT).await);

    let late = Recorder::new();
    let (late_log, _) = late.handles();
    let reg = inf.add_event_handler(late);
    assert!(reg.wait_for_sync(TIMEOUT).await);
    assert_eq!(
        *late_log.lock().unwrap(),
        ["add default/x initial=true", "add default/y initial=true"]
    );

    api.create(&PostParams::default(), &configmap("z", &[], "1"))
        .await
        .unwrap();
    eventually("the late handler sees z", || late_log.lock().unwrap().len() == 3).await;
    reg.remove();
    api.create(&PostParams::default(), &configmap("after", &[], "1"))
        .await
        .unwrap();
    // Another handler proves the event was delivered; the removed one stays at three.
    let probe = Recorder::new();
    let (probe_log, _) = probe.handles();
    inf.add_event_handler(probe);
    eventually("the probe sees 'after'", || {
        probe_log.lock().unwrap().iter().any(|l| l.contains("after"))
    })
    .await;
    assert_eq!(late_log.lock().unwrap().len(), 3, "a removed handler gets nothing more");
    inf.shutdown().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_panicking_handlers_do_not_hold_up_a_fast_one() {
    let server = FakeApiServer::start().await.unwrap();
    let api = default_api(&server);
    let inf = informer(&server, InformerOptions::default());
    let slow = Recorder::slow(Duration::from_millis(200));
    let (slow_log, slow_view) = slow.handles();
    inf.add_event_handler(slow);
    let panicky = inf.add_event_handler(HandlerFns::<ConfigMap>::new().on_add(|_, _| panic!("handler bug")));
    let fast = Recorder::new();
    let (fast_log, fast_view) = fast.handles();
    inf.add_event_handler(fast);
    inf.run();
    assert!(inf.wait_for_sync(TIMEOUT).await);

    let started = std::time::Instant::now();
    for i in 0..10 {
        api.create(&PostParams::default(), &configmap(&format!("cm-{i}"), &[], "1"))
            .await
            .unwrap();
    }
    eventually("the fast handler sees all ten", || fast_log.lock().unwrap().len() == 10).await;
    let fast_done = started.elapsed();
    // The slow handler needs 2 s for ten events; the fast one did not wait for it.
    assert!(
        slow_log.lock().unwrap().len() < 10,
        "the slow handler was still busy when the fast one finished ({fast_done:?})"
    );
    eventually("the panicking handler panicked ten times", || panicky.panics() == 10).await;
    converges("the fast view", &fast_view, &api).await;
    converges("the slow view", &slow_view, &api).await;
    assert!(inf.indexer().len() == 10, "the cache is complete");
    inf.shutdown().await;
    server.shutdown().await;
}

/// A handler that falls behind holds the informer back: however many events the watch has
/// queued meanwhile, the informer decodes and queues only a bounded number more for it, rather
/// than every version it is yet to see.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_far_behind_holds_back_the_informer_by_a_bounded_number_of_events() {
    use std::sync::atomic::{AtomicU64, Ordering};
    const CREATED: usize = 1_500;
    let server = FakeApiServer::start().await.unwrap();
    let api = default_api(&server);
    let inf = informer(&server, InformerOptions::default());
    let weak = Arc::new(std::sync::OnceLock::<kube_informer::WeakSharedIndexInformer<ConfigMap>>::new());
    let (release, released) = std::sync::mpsc::channel::<()>();
    let released = std::sync::Mutex::new(Some(released));
    let (handled, most_ahead) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    inf.add_event_handler(HandlerFns::<ConfigMap>::new().on_add({
        let (weak, handled, most_ahead) = (weak.clone(), handled.clone(), most_ahead.clone());
        move |_, _| {
            // Blocked on the first add until every object exists.
            if let Some(released) = released.lock().unwrap().take() {
                let _ = released.recv();
            }
            let handled = handled.fetch_add(1, Ordering::Relaxed) + 1;
            let applied = weak
                .get()
                .and_then(|w| w.upgrade())
                .map_or(0, |i| i.stats().events_applied);
            most_ahead.fetch_max(applied.saturating_sub(handled), Ordering::Relaxed);
        }
    }));
    weak.set(inf.downgrade()).unwrap();
    inf.run();
    assert!(inf.wait_for_sync(TIMEOUT).await);
    for i in 0..CREATED {
        api.create(&PostParams::default(), &configmap(&format!("cm-{i}"), &[], "1"))
            .await
            .unwrap();
    }
    // Everything is on the watch, most of it queued for the apply thread, which waits.
    let stalled = inf.stats().events_applied;
    assert!(
        stalled < 400,
        "{stalled} of {CREATED} events applied past a blocked handler"
    );
    release.send(()).unwrap();
    eventually("the handler sees every object", || {
        handled.load(Ordering::Relaxed) == CREATED as u64
    })
    .await;
    // Released with a thousand events queued, the informer still keeps within its bound.
    let ahead = most_ahead.load(Ordering::Relaxed);
    assert!(ahead < 400, "the informer ran {ahead} events ahead of its handler");
    inf.shutdown().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resync_replays_the_cache_as_updates_without_api_calls() {
    let server = FakeApiServer::start().await.unwrap();
    let api = default_api(&server);
    api.create(&PostParams::default(), &configmap("r", &[], "1"))
        .await
        .unwrap();
    let inf = informer(&server, InformerOptions::default());
    let resyncing = Recorder::new();
    let (log, _) = resyncing.handles();
    inf.add_event_handler_with_resync(resyncing, Duration::from_millis(100));
    let quiet = Recorder::new();
    let (quiet_log, _) = quiet.handles();
    inf.add_event_handler(quiet);
    inf.run();
    assert!(inf.wait_for_sync(TIMEOUT).await);
    let rv_before = server.resource_version();
    eventually("three resyncs", || {
        log.lock().unwrap().iter().filter(|l| *l == "resync default/r").count() >= 3
    })
    .await;
    assert_eq!(server.resource_version(), rv_before);
    assert_eq!(
        *quiet_log.lock().unwrap(),
        ["add default/r initial=true"],
        "a handler without resync gets none"
    );
    inf.shutdown().await;
    server.shutdown().await;
}

/// Runs a fault while objects change and vanish; every handler's view and the cache must end
/// equal to the server, and a relist must report vanished objects as tombstones.
async fn relist_after(fault: &str) {
    relist_with(fault, CacheStorage::decoded()).await;
}

async fn relist_with(fault: &str, storage: CacheStorage<ConfigMap>) {
    let server = FakeApiServer::builder().history(50).start().await.unwrap();
    let api = default_api(&server);
    for i in 0..6 {
        api.create(&PostParams::default(), &configmap(&format!("cm-{i}"), &[], "1"))
            .await
            .unwrap();
    }
    let inf = informer(
        &server,
        InformerOptions {
            storage,
            ..Default::default()
        },
    );
    let recorders: Vec<_> = (0..2).map(|_| Recorder::new()).collect();
    let views: Vec<_> = recorders.iter().map(|r| r.handles()).collect();
    for r in recorders {
        inf.add_event_handler(r);
    }
    inf.run();
    assert!(inf.wait_for_sync(TIMEOUT).await);
    eventually("the watch is open", || server.open_watches() == 1).await;

    // Keep the informer from watching while things change.
    server.fail_next("/api/v1/configmaps", 2, 500);
    match fault {
        "drop" => {
            server.drop_watches();
        }
        "410" => {
            server.compact();
            server.drop_watches();
        }
        "restart" => {
            server.restart().await.unwrap();
            // The test's own client may still hold keep-alive connections to the stopped server,
            // whose close it has not seen yet: a request on one fails (hyper's IncompleteMessage),
            // as against any API server that restarts. Spend them on reads before the writes.
            for _ in 0..8 {
                if api.get_opt("cm-0").await.is_ok() {
                    break;
                }
            }
        }
        "malformed" => {
            server.send_malformed_event();
            server.drop_watches();
        }
        other => unreachable!("{other}"),
    }
    api.delete("cm-0", &DeleteParams::default()).await.unwrap();
    api.patch(
        "cm-1",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"v": "2"}})),
    )
    .await
    .unwrap();
    api.create(&PostParams::default(), &configmap("new", &[], "1"))
        .await
        .unwrap();
    if fault == "410" {
        // Push the changes out of the history, so only a relist can find them.
        server.compact();
    }
    for (i, (log, view)) in views.iter().enumerate() {
        converges(&format!("handler {i} after {fault}"), view, &api).await;
        let log = log.lock().unwrap();
        let deletes = log
            .iter()
            .filter(|l| l.ends_with("default/cm-0") && (l.starts_with("delete") || l.starts_with("tombstone")))
            .count();
        assert_eq!(deletes, 1, "cm-0's deletion reached handler {i} exactly once: {log:?}");
        if fault == "410" {
            assert!(
                log.contains(&"tombstone default/cm-0".to_owned()),
                "a relist reports a missed delete as a tombstone: {log:?}"
            );
        }
        let adds_of_new = log.iter().filter(|l| l.starts_with("add default/new")).count();
        assert_eq!(adds_of_new, 1, "'new' was added once: {log:?}");
    }
    let cache: std::collections::BTreeMap<_, _> = inf
        .indexer()
        .entries()
        .into_iter()
        .map(|(k, v)| (k, v.metadata.resource_version.clone().unwrap()))
        .collect();
    assert_eq!(cache, server_view(&api).await);
    inf.shutdown().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relist_after_dropped_watches() {
    relist_after("drop").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relist_after_410() {
    relist_after("410").await;
}

/// A relist against a compressed cache: tombstones and updates carry the decoded old objects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compressed_cache_relist_after_410() {
    relist_with("410", CacheStorage::compressed()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relist_after_restart() {
    relist_after("restart").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relist_after_malformed_event() {
    relist_after("malformed").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_stream_transforms_selectors_and_error_hook() {
    let server = FakeApiServer::start().await.unwrap();
    let api = default_api(&server);
    let errors = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = errors.clone();
    let options = InformerOptions {
        config: kube::runtime::watcher::Config::default().labels("app=web"),
        transforms: vec![
            Arc::new(kube_informer::strip_managed_fields::<ConfigMap>),
            Arc::new(|c: &mut ConfigMap| {
                c.metadata
                    .annotations
                    .get_or_insert_default()
                    .insert("seen".into(), "yes".into());
            }),
        ],
        watch_error_handler: Some(Arc::new(move |_| {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        })),
        ..Default::default()
    };
    let inf = informer(&server, options);
    let mut events = inf.events();
    server.fail_next("/api/v1/configmaps", 1, 500);
    inf.run();
    assert!(inf.wait_for_sync(TIMEOUT).await);
    assert!(
        errors.load(std::sync::atomic::Ordering::Relaxed) >= 1,
        "the error hook heard the failed list"
    );

    let mut cm = configmap("web", &[("app", "web")], "1");
    cm.metadata.managed_fields = Some(vec![Default::default()]);
    api.create(&PostParams::default(), &cm).await.unwrap();
    api.create(&PostParams::default(), &configmap("db", &[("app", "db")], "1"))
        .await
        .unwrap();
    let event = tokio::time::timeout(TIMEOUT, events.next()).await.unwrap().unwrap();
    match event {
        Notification::Add { obj, is_initial_list } => {
            assert_eq!(obj.metadata.name.as_deref(), Some("web"));
            assert!(!is_initial_list);
            assert!(obj.metadata.managed_fields.is_none());
            assert_eq!(obj.metadata.annotations.as_ref().unwrap()["seen"], "yes");
        }
        other => panic!("expected an add, got {other:?}"),
    }
    assert_eq!(inf.indexer().len(), 1, "the selector kept db out");
    drop(events);
    inf.shutdown().await;
    assert!(inf.indexer().is_empty(), "shutdown clears the cache");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_that_do_not_decode_are_reported_and_skipped_keeping_what_was_cached() {
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    let server = FakeApiServer::start().await.unwrap();
    let api = default_api(&server);
    let gvr = kube_core::GroupVersionResource::gvr("", "v1", "configmaps");
    // `data` holds strings: a number there does not decode as a ConfigMap.
    let bad = |name: &str| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}, "data": {"k": 1}});
    api.create(&PostParams::default(), &configmap("good", &[], "1"))
        .await
        .unwrap();
    api.create(&PostParams::default(), &configmap("boom", &[], "1"))
        .await
        .unwrap();
    assert_eq!(server.seed_json(&gvr, [bad("bad")]).unwrap(), 1);
    let errors = Arc::new(AtomicUsize::new(0));
    let counter = errors.clone();
    let told: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
    let tell = told.clone();
    let options = InformerOptions {
        transforms: vec![Arc::new(|c: &mut ConfigMap| {
            assert_ne!(c.metadata.name.as_deref(), Some("boom"), "a transform that panics");
        })],
        watch_error_handler: Some(Arc::new(move |err| {
            counter.fetch_add(1, Relaxed);
            if let kube_informer::InformerError::Decode { namespace, name, .. } = err {
                tell.lock().unwrap().push(format!("{namespace:?} {name} | {err}"));
            }
        })),
        ..Default::default()
    };
    let inf = informer(&server, options);
    let mut events = inf.events();
    inf.run();
    assert!(inf.wait_for_sync(TIMEOUT).await);
    assert_eq!(inf.indexer().keys(), ["default/good"], "bad and boom are skipped");
    assert_eq!(errors.load(Relaxed), 1, "the object that does not decode was reported");
    let told = told.lock().unwrap().clone();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].starts_with("Some(\"default\") bad | ConfigMap \"default/bad\": does not decode: "),
        "the typed error names the object: {told:?}"
    );
    assert!(
        matches!(next(&mut events).await, Notification::Add { obj, .. } if obj.metadata.name.as_deref() == Some("good"))
    );

    // An update that does not decode leaves the cached version, and the informer goes on.
    let cached = inf.indexer().get("default/good").unwrap();
    assert_eq!(server.seed_json(&gvr, [bad("good")]).unwrap(), 1);
    api.create(&PostParams::default(), &configmap("later", &[], "1"))
        .await
        .unwrap();
    assert!(
        matches!(next(&mut events).await, Notification::Add { obj, .. } if obj.metadata.name.as_deref() == Some("later"))
    );
    assert_eq!(errors.load(Relaxed), 2);
    assert!(Arc::ptr_eq(&inf.indexer().get("default/good").unwrap(), &cached));

    // A delete whose final state does not decode still removes the object, handing out what
    // was cached.
    // (Through a dynamic API: the typed one would fail to decode the answer.)
    let resource = kube::api::ApiResource::erase::<ConfigMap>(&());
    let dynamic: Api<kube::api::DynamicObject> = Api::namespaced_with(server.client().unwrap(), "default", &resource);
    dynamic.delete("good", &DeleteParams::default()).await.unwrap();
    match next(&mut events).await {
        Notification::Delete(kube_informer::DeleteEvent::Object(obj)) => assert!(Arc::ptr_eq(&obj, &cached)),
        other => panic!("expected the delete of good, got {other:?}"),
    }
    assert_eq!(inf.indexer().keys(), ["default/later"]);
    assert_eq!(errors.load(Relaxed), 3);
    drop(events);
    inf.shutdown().await;
    server.shutdown().await;
}

async fn next(events: &mut kube_informer::EventStream<ConfigMap>) -> Notification<ConfigMap> {
    tokio::time::timeout(TIMEOUT, events.next())
        .await
        .expect("a notification in time")
        .expect("the stream goes on")
}

/// Handlers run inside the runtime the informer was used from (`tokio::spawn` works in them),
/// and removing one never waits for it: not from async code while it is busy, not from inside
/// the handler itself; `removed().await` is the wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handlers_run_in_the_runtime_and_removal_does_not_block() {
    let server = FakeApiServer::start().await.unwrap();
    let api = default_api(&server);
    api.create(&PostParams::default(), &configmap("a", &[], "1"))
        .await
        .unwrap();
    let inf = informer(&server, InformerOptions::default());

    // tokio::spawn from a handler.
    let (spawned_tx, mut spawned) = tokio::sync::mpsc::unbounded_channel::<String>();
    inf.add_event_handler(HandlerFns::new().on_add(move |c: &Arc<ConfigMap>, _| {
        let (tx, name) = (spawned_tx.clone(), c.metadata.name.clone().unwrap_or_default());
        tokio::spawn(async move {
            let _ = tx.send(name);
        });
    }));

    // A handler blocked until released: removing it returns at once.
    let (release_tx, release) = std::sync::mpsc::channel::<()>();
    let release = std::sync::Mutex::new(release);
    let handled = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = handled.clone();
    let blocked = inf.add_event_handler(HandlerFns::new().on_add(move |_: &Arc<ConfigMap>, _| {
        let _ = release.lock().unwrap().recv();
        counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }));

    // A handler that removes itself on its first event.
    let own: Arc<std::sync::OnceLock<kube_informer::HandlerRegistration>> = Arc::default();
    let own_in_handler = own.clone();
    let self_seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = self_seen.clone();
    let _ = own.set(
        inf.add_event_handler(HandlerFns::new().on_add(move |_: &Arc<ConfigMap>, _| {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if let Some(registration) = own_in_handler.get() {
                registration.remove();
            }
        })),
    );

    inf.run();
    assert!(inf.wait_for_sync(TIMEOUT).await);
    assert_eq!(
        tokio::time::timeout(TIMEOUT, spawned.recv()).await.unwrap().as_deref(),
        Some("a")
    );
    eventually("the self-removing handler saw a", || {
        self_seen.load(std::sync::atomic::Ordering::SeqCst) == 1
    })
    .await;

    // The blocked handler is inside its first event: remove() must not wait for it.
    blocked.remove();
    assert_eq!(handled.load(std::sync::atomic::Ordering::SeqCst), 0, "still blocked");
    release_tx.send(()).unwrap();
    tokio::time::timeout(TIMEOUT, blocked.removed()).await.unwrap();
    assert_eq!(handled.load(std::sync::atomic::Ordering::SeqCst), 1);

    api.create(&PostParams::default(), &configmap("b", &[], "1"))
        .await
        .unwrap();
    assert_eq!(
        tokio::time::timeout(TIMEOUT, spawned.recv()).await.unwrap().as_deref(),
        Some("b")
    );
    assert_eq!(self_seen.load(std::sync::atomic::Ordering::SeqCst), 1, "removed itself");
    inf.shutdown().await;
    server.shutdown().await;
}
