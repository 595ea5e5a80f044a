//! Watches through kube-rs: resume, 410, bookmarks, streaming lists, selectors, and every fault.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{configmap, status};
use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::runtime::watcher;
use kube_fake_apiserver::FakeApiServer;
use serde_json::json;

const TIMEOUT: Duration = Duration::from_secs(20);

fn describe(event: &WatchEvent<ConfigMap>) -> String {
    match event {
        WatchEvent::Added(c) => format!("ADDED {}", c.metadata.name.as_deref().unwrap()),
        WatchEvent::Modified(c) => format!("MODIFIED {}", c.metadata.name.as_deref().unwrap()),
        WatchEvent::Deleted(c) => format!("DELETED {}", c.metadata.name.as_deref().unwrap()),
        WatchEvent::Bookmark(b) => format!("BOOKMARK {}", b.metadata.resource_version),
        WatchEvent::Error(s) => format!("ERROR {} {}", s.code, s.reason),
    }
}

async fn next_events(
    stream: &mut (impl futures::Stream<Item = kube::Result<WatchEvent<ConfigMap>>> + Unpin),
    n: usize,
) -> Vec<String> {
    let mut out = Vec::new();
    while out.len() < n {
        let event = tokio::time::timeout(TIMEOUT, stream.next())
            .await
            .expect("an event in time")
            .expect("stream open");
        let event = event.expect("a well-formed event");
        if !matches!(event, WatchEvent::Bookmark(_)) {
            out.push(describe(&event));
        }
    }
    out
}

fn rv(cm: &ConfigMap) -> String {
    cm.metadata.resource_version.clone().unwrap()
}

#[tokio::test]
async fn watch_resumes_from_a_version_in_order() {
    let server = FakeApiServer::start().await.unwrap();
    let api: Api<ConfigMap> = Api::namespaced(server.client().unwrap(), "default");
    let a = api
        .create(&PostParams::default(), &configmap("a", &[], &[]))
        .await
        .unwrap();
    api.create(&PostParams::default(), &configmap("b", &[], &[]))
        .await
        .unwrap();
    api.patch("a", &PatchParams::default(), &Patch::Merge(json!({"data": {"x": "1"}})))
        .await
        .unwrap();
    api.delete("b", &DeleteParams::default()).await.unwrap();

    let mut stream = api.watch(&WatchParams::default(), &rv(&a)).await.unwrap().boxed();
    assert_eq!(
        next_events(&mut stream, 3).await,
        ["ADDED b", "MODIFIED a", "DELETED b"]
    );
    // Live events follow the replay.
    api.create(&PostParams::default(), &configmap("c", &[], &[]))
        .await
        .unwrap();
    assert_eq!(next_events(&mut stream, 1).await, ["ADDED c"]);

    // From "0": the current state as synthetic ADDED events.
    let mut stream = api.watch(&WatchParams::default(), "0").await.unwrap().boxed();
    assert_eq!(next_events(&mut stream, 2).await, ["ADDED a", "ADDED c"]);
    server.shutdown().await;
}

#[tokio::test]
async fn too_old_a_version_is_410_and_the_watcher_relists() {
    let server = FakeApiServer::builder().history(5).start().await.unwrap();
    let api: Api<ConfigMap> = Api::namespaced(server.client().unwrap(), "default");
    let first = api
        .create(&PostParams::default(), &configmap("first", &[], &[]))
        .await
        .unwrap();
    for i in 0..10 {
        api.create(&PostParams::default(), &configmap(&format!("cm-{i}"), &[], &[]))
            .await
            .unwrap();
    }
    // Ten events later, a history of five no longer reaches the first version.
    let mut stream = api.watch(&WatchParams::default(), &rv(&first)).await.unwrap().boxed();
    let event = tokio::time::timeout(TIMEOUT, stream.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(describe(&event), "ERROR 410 Expired");
    assert!(stream.next().await.is_none(), "the stream ends after the error");

    // kube's watcher meets the 410 after a compaction and relists; its view ends up right.
    let mut events = watcher(api.clone(), watcher::Config::default()).boxed();
    let mut seen = BTreeMap::new();
    apply_until(&mut events, &mut seen, |e| matches!(e, watcher::Event::InitDone)).await;
    assert_eq!(seen.len(), 11);
    api.delete("cm-0", &DeleteParams::default()).await.unwrap();
    server.compact();
    server.drop_watches();
    api.delete("cm-1", &DeleteParams::default()).await.unwrap();
    api.create(&PostParams::default(), &configmap("late", &[], &[]))
        .await
        .unwrap();
    apply_until(&mut events, &mut seen, |e| matches!(e, watcher::Event::InitDone)).await;
    let names: Vec<_> = seen.keys().cloned().collect();
    let server_names: Vec<_> = api
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|c| c.metadata.name.unwrap())
        .collect();
    assert_eq!(names, server_names);
    assert!(!names.contains(&"cm-0".to_owned()) && names.contains(&"late".to_owned()));
    server.shutdown().await;
}

/// Feeds watcher events into `seen` (by name) until `done` says stop. A relist's Init/InitDone
/// replaces the view, as a reflector store does.
async fn apply_until(
    events: &mut (impl futures::Stream<Item = Result<watcher::Event<ConfigMap>, watcher::Error>> + Unpin),
    seen: &mut BTreeMap<String, ConfigMap>,
    done: impl Fn(&watcher::Event<ConfigMap>) -> bool,
) {
    let mut buffer: Option<BTreeMap<String, ConfigMap>> = None;
    loop {
        let event = tokio::time::timeout(TIMEOUT, events.next())
            .await
            .expect("a watcher event in time")
            .expect("open");
        let Ok(event) = event else { continue };
        match &event {
            watcher::Event::Init => buffer = Some(BTreeMap::new()),
            watcher::Event::InitApply(c) => {
                buffer
                    .get_or_insert_default()
                    .insert(c.metadata.name.clone().unwrap(), c.clone());
            }
            watcher::Event::InitDone => *seen = buffer.take().unwrap_or_default(),
            watcher::Event::Apply(c) => {
                seen.insert(c.metadata.name.clone().unwrap(), c.clone());
            }
            watcher::Event::Delete(c) => {
                seen.remove(c.metadata.name.as_deref().unwrap());
            }
        }
        if done(&event) {
            return;
        }
    }
}

#[tokio::test]
async fn bookmarks_and_streaming_lists() {
    let server = FakeApiServer::builder()
        .bookmark_interval(Duration::from_millis(100))
        .start()
        .await
        .unwrap();
    let api: Api<ConfigMap> = Api::namespaced(server.client().unwrap(), "default");
    let a = api
        .create(&PostParams::default(), &configmap("a", &[], &[]))
        .await
        .unwrap();
    api.create(&PostParams::default(), &configmap("b", &[], &[]))
        .await
        .unwrap();

    let mut stream = api
        .watch(
            &WatchParams {
                bookmarks: true,
                ..Default::default()
            },
            &rv(&a),
        )
        .await
        .unwrap()
        .boxed();
    let mut got_bookmark = None;
    while got_bookmark.is_none() {
        match tokio::time::timeout(TIMEOUT, stream.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap()
        {
            WatchEvent::Bookmark(b) => got_bookmark = Some(b),
            other => assert_eq!(describe(&other), "ADDED b"),
        }
    }
    assert_eq!(
        got_bookmark.unwrap().metadata.resource_version,
        server.resource_version().to_string()
    );

    // Streaming list: the state as ADDED, then the initial-events-end bookmark.
    let mut stream = api
        .watch(&WatchParams::default().initial_events(), "")
        .await
        .unwrap()
        .boxed();
    let mut added = Vec::new();
    loop {
        match tokio::time::timeout(TIMEOUT, stream.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap()
        {
            WatchEvent::Added(c) => added.push(c.metadata.name.unwrap()),
            WatchEvent::Bookmark(b) => {
                assert_eq!(
                    b.metadata
                        .annotations
                        .get("k8s.io/initial-events-end")
                        .map(String::as_str),
                    Some("true")
                );
                break;
            }
            other => panic!("unexpected {}", describe(&other)),
        }
    }
    assert_eq!(added, ["a", "b"]);

    // kube's watcher in streaming-list mode syncs from it.
    let mut events = watcher(api.clone(), watcher::Config::default().streaming_lists()).boxed();
    let mut seen = BTreeMap::new();
    apply_until(&mut events, &mut seen, |e| matches!(e, watcher::Event::InitDone)).await;
    assert_eq!(seen.keys().collect::<Vec<_>>(), ["a", "b"]);
    server.shutdown().await;
}

#[tokio::test]
async fn timeout_seconds_ends_the_stream() {
    let server = FakeApiServer::start().await.unwrap();
    let api: Api<ConfigMap> = Api::namespaced(server.client().unwrap(), "default");
    let mut stream = api
        .watch(&WatchParams::default().timeout(1), "0")
        .await
        .unwrap()
        .boxed();
    let ended = tokio::time::timeout(TIMEOUT, stream.next())
        .await
        .expect("the stream ends by itself");
    assert!(ended.is_none(), "{:?}", ended.map(|e| e.map(|e| describe(&e))));
    server.shutdown().await;
}

#[tokio::test]
async fn selector_watches_see_objects_enter_and_leave() {
    let server = FakeApiServer::start().await.unwrap();
    let api: Api<ConfigMap> = Api::namespaced(server.client().unwrap(), "default");
    let start = api
        .create(&PostParams::default(), &configmap("x", &[("app", "db")], &[]))
        .await
        .unwrap();
    let mut stream = api
        .watch(&WatchParams::default().labels("app=web"), &rv(&start))
        .await
        .unwrap()
        .boxed();
    let label = |app: &str| Patch::Merge(json!({"metadata": {"labels": {"app": app}}}));
    api.patch("x", &PatchParams::default(), &label("web")).await.unwrap();
    api.patch("x", &PatchParams::default(), &Patch::Merge(json!({"data": {"k": "v"}})))
        .await
        .unwrap();
    api.patch("x", &PatchParams::default(), &label("db")).await.unwrap();
    api.create(&PostParams::default(), &configmap("y", &[("app", "other")], &[]))
        .await
        .unwrap();
    api.create(&PostParams::default(), &configmap("z", &[("app", "web")], &[]))
        .await
        .unwrap();
    assert_eq!(
        next_events(&mut stream, 4).await,
        ["ADDED x", "MODIFIED x", "DELETED x", "ADDED z"]
    );
    server.shutdown().await;
}

#[tokio::test]
async fn metadata_watch() {
    let server = FakeApiServer::start().await.unwrap();
    let api: Api<ConfigMap> = Api::namespaced(server.client().unwrap(), "default");
    let mut stream = api.watch_metadata(&WatchParams::default(), "0").await.unwrap().boxed();
    api.create(
        &PostParams::default(),
        &configmap("m", &[("a", "b")], &[("big", "data")]),
    )
    .await
    .unwrap();
    match tokio::time::timeout(TIMEOUT, stream.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap()
    {
        WatchEvent::Added(partial) => {
            assert_eq!(partial.types.as_ref().unwrap().kind, "PartialObjectMetadata");
            assert_eq!(partial.metadata.labels.unwrap()["a"], "b");
        }
        other => panic!("expected ADDED, got {other:?}"),
    }
    server.shutdown().await;
}

#[tokio::test]
async fn fault_drop_watches_and_the_watcher_resumes() {
    let server = FakeApiServer::start().await.unwrap();
    let api: Api<ConfigMap> = Api::namespaced(server.client().unwrap(), "default");
    api.create(&PostParams::default(), &configmap("a", &[], &[]))
        .await
        .unwrap();

    let mut raw = api.watch(&WatchParams::default(), "0").await.unwrap().boxed();
    assert_eq!(next_events(&mut raw, 1).await, ["ADDED a"]);

    let mut events = driven(watcher(api.clone(), watcher::Config::default()));
    let mut seen = BTreeMap::new();
    apply_until(&mut events, &mut seen, |e| matches!(e, watcher::Event::InitDone)).await;
    wait_for(|| server.open_watches() == 2).await;
    assert_eq!(server.drop_watches(), 2);
    assert!(
        tokio::time::timeout(TIMEOUT, raw.next()).await.unwrap().is_none(),
        "the raw stream ended"
    );

    // The watcher re-watches from its last version and sees what happened meanwhile.
    api.create(&PostParams::default(), &configmap("b", &[], &[]))
        .await
        .unwrap();
    apply_until(
        &mut events,
        &mut seen,
        |e| matches!(e, watcher::Event::Apply(c) if c.metadata.name.as_deref() == Some("b")),
    )
    .await;
    assert_eq!(seen.keys().collect::<Vec<_>>(), ["a", "b"]);
    server.shutdown().await;
}

/// Polls a watcher in its own task, as a controller would, so that its watch is open while the
/// test does other things.
fn driven(
    stream: impl futures::Stream<Item = Result<watcher::Event<ConfigMap>, watcher::Error>> + Send + 'static,
) -> impl futures::Stream<Item = Result<watcher::Event<ConfigMap>, watcher::Error>> + Unpin {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut stream = std::pin::pin!(stream);
        while let Some(event) = stream.next().await {
            if tx.send(event).is_err() {
                return;
            }
        }
    });
    tokio_stream_from(rx)
}

fn tokio_stream_from<T>(mut rx: tokio::sync::mpsc::UnboundedReceiver<T>) -> impl futures::Stream<Item = T> + Unpin {
    Box::pin(futures::stream::poll_fn(move |cx| rx.poll_recv(cx)))
}

async fn wait_for(condition: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    while !condition() {
        assert!(tokio::time::Instant::now() < deadline, "condition not met in time");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn fault_fail_next_and_delay() {
    let server = FakeApiServer::start().await.unwrap();
    let api: Api<ConfigMap> = Api::namespaced(server.client().unwrap(), "default");
    api.create(&PostParams::default(), &configmap("a", &[], &[]))
        .await
        .unwrap();
    server.fail_next("/api/v1/namespaces/default/configmaps", 2, 500);
    for _ in 0..2 {
        let err = status(api.get("a").await.unwrap_err());
        assert_eq!((err.code, err.reason.as_str()), (500, "InternalError"));
    }
    assert!(api.get("a").await.is_ok(), "only the next two failed");
    // Other paths are not affected.
    server.fail_next("/apis/apps", 1, 500);
    assert!(api.get("a").await.is_ok());

    server.set_delay(Duration::from_millis(300));
    let started = std::time::Instant::now();
    api.get("a").await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "the response was delayed"
    );
    server.set_delay(Duration::ZERO);
    server.shutdown().await;
}

#[tokio::test]
async fn fault_restart_keeps_objects_and_cuts_watches() {
    let server = FakeApiServer::start().await.unwrap();
    let api: Api<ConfigMap> = Api::namespaced(server.client().unwrap(), "default");
    api.create(&PostParams::default(), &configmap("a", &[], &[]))
        .await
        .unwrap();
    let mut events = watcher(api.clone(), watcher::Config::default()).boxed();
    let mut seen = BTreeMap::new();
    apply_until(&mut events, &mut seen, |e| matches!(e, watcher::Event::InitDone)).await;
    let mut raw = api.watch(&WatchParams::default(), "0").await.unwrap().boxed();
    assert_eq!(next_events(&mut raw, 1).await, ["ADDED a"]);

    server.restart().await.unwrap();
    assert!(
        tokio::time::timeout(TIMEOUT, raw.next()).await.unwrap().is_none(),
        "the watch was cut"
    );
    assert_eq!(
        api.get("a").await.unwrap().metadata.name.as_deref(),
        Some("a"),
        "objects survive"
    );
    api.create(&PostParams::default(), &configmap("b", &[], &[]))
        .await
        .unwrap();
    apply_until(
        &mut events,
        &mut seen,
        |e| matches!(e, watcher::Event::Apply(c) if c.metadata.name.as_deref() == Some("b")),
    )
    .await;
    assert_eq!(seen.keys().collect::<Vec<_>>(), ["a", "b"]);
    server.shutdown().await;
}

#[tokio::test]
async fn fault_malformed_event() {
    let server = FakeApiServer::start().await.unwrap();
    let api: Api<ConfigMap> = Api::namespaced(server.client().unwrap(), "default");
    let mut stream = api.watch(&WatchParams::default(), "0").await.unwrap().boxed();
    wait_for(|| server.open_watches() == 1).await;
    assert_eq!(server.send_malformed_event(), 1);
    let item = tokio::time::timeout(TIMEOUT, stream.next()).await.unwrap().unwrap();
    assert!(item.is_err(), "a malformed line is an error for the client: {item:?}");
    // The stream goes on after it.
    api.create(&PostParams::default(), &configmap("after", &[], &[]))
        .await
        .unwrap();
    assert_eq!(next_events(&mut stream, 1).await, ["ADDED after"]);
    server.shutdown().await;
}

#[tokio::test]
async fn shutdown_and_drop_close_watches() {
    for drop_it in [false, true] {
        let server = FakeApiServer::start().await.unwrap();
        let api: Api<ConfigMap> = Api::namespaced(server.client().unwrap(), "default");
        let mut stream = api.watch(&WatchParams::default(), "0").await.unwrap().boxed();
        wait_for(|| server.open_watches() == 1).await;
        if drop_it {
            drop(server);
        } else {
            server.shutdown().await;
        }
        let end = tokio::time::timeout(TIMEOUT, stream.next())
            .await
            .expect("the watch closes");
        assert!(end.is_none_or(|e| e.is_err()), "no event after the server stopped");
        assert!(api.get("anything").await.is_err(), "nothing listens any more");
    }
}
