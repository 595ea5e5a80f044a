//! The controller loop against the fake API server: handlers that enqueue (keys, tombstones,
//! owners, mappings), reconciles with actions, errors, panics and graceful shutdown, with
//! typed, dynamic and metadata informers.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, DynamicObject};
use kube_controller::workqueue::{ItemExponentialFailureRateLimiter, RateLimitingQueue};
use kube_controller::{
    Action, Controller, ObjectRef, default_error_policy, enqueue_keys, enqueue_mapped, enqueue_owner, enqueue_owner_of,
};
use kube_fake_apiserver::FakeApiServer;
use kube_informer::{Scope, SharedInformerFactory};

/// Every key reconciled, in order.
type Log = Arc<Mutex<Vec<ObjectRef>>>;

fn config_map(name: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some("default".into()),
            ..ObjectMeta::default()
        },
        data: Some(BTreeMap::from([("k".to_string(), "v".to_string())])),
        ..ConfigMap::default()
    }
}

async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..1000 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for: {what}");
}

fn count(log: &Log, key: &ObjectRef) -> usize {
    log.lock().unwrap().iter().filter(|k| *k == key).count()
}

fn fast_queue() -> RateLimitingQueue<ObjectRef> {
    RateLimitingQueue::new(ItemExponentialFailureRateLimiter::new(
        Duration::from_millis(5),
        Duration::from_millis(200),
    ))
}

/// Starts a controller logging its keys (and what the lister said) over ConfigMaps.
struct Setup {
    server: FakeApiServer,
    api: Api<ConfigMap>,
    factory: SharedInformerFactory,
    log: Log,
    seen: Arc<Mutex<Vec<(ObjectRef, bool)>>>,
    stop: tokio::sync::oneshot::Sender<()>,
    controller: tokio::task::JoinHandle<()>,
}

async fn setup() -> Setup {
    let server = FakeApiServer::start().await.unwrap();
    let client = server.client().unwrap();
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    api.create(&PostParams::default(), &config_map("before-start"))
        .await
        .unwrap();
    let factory = SharedInformerFactory::new(client, Duration::from_secs(300));
    let informer = factory.informer::<ConfigMap>();
    let queue = fast_queue();
    informer.add_event_handler(enqueue_keys(queue.clone()));
    factory.start();
    let log: Log = Arc::default();
    let seen: Arc<Mutex<Vec<(ObjectRef, bool)>>> = Arc::default();
    let lister = informer.lister();
    let (l, s) = (log.clone(), seen.clone());
    let reconcile = move |key: ObjectRef| {
        let (lister, l, s) = (lister.clone(), l.clone(), s.clone());
        async move {
            let exists = lister
                .namespace(key.namespace.as_deref().unwrap())
                .get(&key.name)
                .is_ok();
            l.lock().unwrap().push(key.clone());
            s.lock().unwrap().push((key, exists));
            Ok::<_, std::convert::Infallible>(Action::await_change())
        }
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let controller = tokio::spawn(
        Controller::new(queue, reconcile, default_error_policy)
            .workers(2)
            .wait_for(&informer)
            .run(async move {
                let _ = stopped.await;
            }),
    );
    Setup {
        server,
        api,
        factory,
        log,
        seen,
        stop,
        controller,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adds_updates_and_deletes_are_reconciled_by_key() {
    let s = setup().await;
    let before = ObjectRef::new_namespaced("default", "before-start");
    eventually("the listed object reconciled", || count(&s.log, &before) == 1).await;

    s.api.create(&PostParams::default(), &config_map("web")).await.unwrap();
    let web = ObjectRef::new_namespaced("default", "web");
    eventually("the add reconciled", || count(&s.log, &web) == 1).await;

    let patch = serde_json::json!({"data": {"k": "changed"}});
    s.api
        .patch("web", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    eventually("the update reconciled", || count(&s.log, &web) == 2).await;

    s.api.delete("web", &DeleteParams::default()).await.unwrap();
    eventually("the delete reconciled", || count(&s.log, &web) == 3).await;
    let last = s.seen.lock().unwrap().iter().rev().find(|(k, _)| *k == web).cloned();
    assert_eq!(last, Some((web, false)), "after the delete the lister no longer has it");

    s.stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), s.controller)
        .await
        .unwrap()
        .unwrap();
    s.factory.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deletion_missed_across_a_relist_is_reconciled_from_its_tombstone() {
    let s = setup().await;
    let gone = ObjectRef::new_namespaced("default", "before-start");
    eventually("the listed object reconciled", || count(&s.log, &gone) == 1).await;
    // Cut the watch, delete meanwhile and forget the history: the watch's resume gets 410, the
    // relist no longer has the object, and the informer delivers a tombstone.
    let tombstones = Arc::new(AtomicU32::new(0));
    let t = tombstones.clone();
    s.factory
        .informer::<ConfigMap>()
        .add_event_handler(kube_informer::HandlerFns::new().on_delete(move |d| {
            if d.is_tombstone() {
                t.fetch_add(1, Ordering::SeqCst);
            }
        }));
    // The informer's next list/watch request fails, so it waits (backoff) while we delete.
    s.server.fail_next("/api/v1/configmaps", 1, 503);
    s.server.drop_watches();
    s.api.delete("before-start", &DeleteParams::default()).await.unwrap();
    s.server.compact();
    eventually("the tombstone reconciled", || count(&s.log, &gone) == 2).await;
    eventually("the delete came as a tombstone", || {
        tombstones.load(Ordering::SeqCst) == 1
    })
    .await;
    let last = s.seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(last, (gone, false));
    s.stop.send(()).unwrap();
    s.controller.await.unwrap();
    s.factory.shutdown().await;
}

fn replica_set(name: &str, owners: Vec<OwnerReference>) -> ReplicaSet {
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": name, "namespace": "default", "ownerReferences": owners},
        "spec": {"selector": {"matchLabels": {"app": name}}, "template": {"metadata": {"labels": {"app": name}}}},
    }))
    .unwrap()
}

fn owner(api_version: &str, kind: &str, name: &str, controller: bool) -> OwnerReference {
    OwnerReference {
        api_version: api_version.into(),
        kind: kind.into(),
        name: name.into(),
        uid: format!("uid-{name}"),
        controller: Some(controller),
        block_owner_deletion: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owned_objects_queue_their_controlling_owner_matched_by_kind_and_api_version() {
    let server = FakeApiServer::start().await.unwrap();
    let client = server.client().unwrap();
    let factory = SharedInformerFactory::new(client.clone(), Duration::from_secs(300));
    let queue = fast_queue();
    factory
        .informer::<ReplicaSet>()
        .add_event_handler(enqueue_owner::<Deployment, _>(queue.clone()));
    // The same through a dynamic informer, owner named by apiVersion and kind.
    let dynamic_queue = fast_queue();
    factory
        .dynamic_informer(&ApiResource::erase::<ReplicaSet>(&()), Scope::Namespaced)
        .add_event_handler(enqueue_owner_of::<DynamicObject>(
            dynamic_queue.clone(),
            "apps/v1",
            "Deployment",
        ));
    factory.start();
    factory.wait_for_cache_sync().await;

    let rs: Api<ReplicaSet> = Api::namespaced(client, "default");
    let create = |name: &'static str, owners| {
        let rs = rs.clone();
        async move {
            rs.create(&PostParams::default(), &replica_set(name, owners))
                .await
                .unwrap()
        }
    };
    create("controlled", vec![owner("apps/v1", "Deployment", "web", true)]).await;
    create("not-controller", vec![owner("apps/v1", "Deployment", "other", false)]).await;
    create("wrong-kind", vec![owner("apps/v1", "StatefulSet", "db", true)]).await;
    create("wrong-version", vec![owner("apps/v1beta1", "Deployment", "old", true)]).await;
    create(
        "second-ref-controls",
        vec![
            owner("v1", "ConfigMap", "cfg", false),
            owner("apps/v1", "Deployment", "api", true),
        ],
    )
    .await;

    for q in [&queue, &dynamic_queue] {
        let mut keys = Vec::new();
        eventually("two owners queued", || q.len() == 2).await;
        while !q.is_empty() {
            let key = q.get().await.unwrap();
            q.done(&key);
            keys.push(key);
        }
        keys.sort();
        assert_eq!(
            keys,
            [
                ObjectRef::new_namespaced("default", "api"),
                ObjectRef::new_namespaced("default", "web")
            ]
        );
    }
    // A delete queues the owner too.
    rs.delete("controlled", &DeleteParams::default()).await.unwrap();
    eventually("the owner of a deleted object queued", || queue.len() == 1).await;
    assert_eq!(queue.get().await, Some(ObjectRef::new_namespaced("default", "web")));
    factory.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mapping_function_queues_old_and_new_keys_and_works_on_metadata_informers() {
    let server = FakeApiServer::start().await.unwrap();
    let client = server.client().unwrap();
    let factory = SharedInformerFactory::new(client.clone(), Duration::from_secs(300));
    let queue = fast_queue();
    let map = |cm: &kube::core::PartialObjectMeta<ConfigMap>| {
        let target = cm.metadata.labels.as_ref().and_then(|l| l.get("for").cloned());
        target
            .map(|t| ObjectRef::new_namespaced("default", t))
            .into_iter()
            .collect()
    };
    factory
        .metadata_informer::<ConfigMap>()
        .add_event_handler(enqueue_mapped(queue.clone(), map));
    factory.start();
    factory.wait_for_cache_sync().await;
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    let mut cm = config_map("settings");
    cm.metadata.labels = Some(BTreeMap::from([("for".to_string(), "a".to_string())]));
    api.create(&PostParams::default(), &cm).await.unwrap();
    eventually("mapped key queued", || queue.len() == 1).await;
    let key = queue.get().await.unwrap();
    queue.done(&key);
    assert_eq!(key, ObjectRef::new_namespaced("default", "a"));
    // Relabelled: both the old and the new target are queued.
    let patch = serde_json::json!({"metadata": {"labels": {"for": "b"}}});
    api.patch("settings", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    eventually("old and new targets queued", || queue.len() == 2).await;
    let mut keys = vec![queue.get().await.unwrap(), queue.get().await.unwrap()];
    keys.sort();
    assert_eq!(
        keys,
        [
            ObjectRef::new_namespaced("default", "a"),
            ObjectRef::new_namespaced("default", "b")
        ]
    );
    factory.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_go_through_the_policy_with_backoff_and_success_forgets() {
    let queue = fast_queue();
    let attempts = Arc::new(AtomicU32::new(0));
    let policy_saw: Arc<Mutex<Vec<u32>>> = Arc::default();
    let a = attempts.clone();
    let reconcile = move |_key: ObjectRef| {
        let a = a.clone();
        async move {
            // Fails three times, then succeeds.
            if a.fetch_add(1, Ordering::SeqCst) < 3 {
                Err("not yet")
            } else {
                Ok(Action::await_change())
            }
        }
    };
    let p = policy_saw.clone();
    let policy = move |_key: &ObjectRef, err: &&str, retries: u32| {
        assert_eq!(*err, "not yet");
        p.lock().unwrap().push(retries);
        Action::requeue_with_backoff()
    };
    let key = ObjectRef::new_namespaced("default", "flaky");
    queue.add(key.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let q = queue.clone();
    let run = tokio::spawn(Controller::new(q, reconcile, policy).run(async move {
        let _ = stopped.await;
    }));
    eventually("four attempts", || attempts.load(Ordering::SeqCst) == 4).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        *policy_saw.lock().unwrap(),
        [0, 1, 2],
        "the policy sees the retries so far"
    );
    assert_eq!(queue.num_requeues(&key), 0, "a success forgets the key's failures");
    assert_eq!(attempts.load(Ordering::SeqCst), 4, "await_change: no further reconcile");
    stop.send(()).unwrap();
    run.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requeue_after_reconciles_again_later() {
    let queue = fast_queue();
    let times: Arc<Mutex<Vec<tokio::time::Instant>>> = Arc::default();
    let t = times.clone();
    let reconcile = move |_key: ObjectRef| {
        let t = t.clone();
        async move {
            t.lock().unwrap().push(tokio::time::Instant::now());
            Ok::<_, String>(Action::requeue(Duration::from_millis(200)))
        }
    };
    queue.add(ObjectRef::new_cluster("periodic"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(Controller::new(queue, reconcile, default_error_policy).run(async move {
        let _ = stopped.await;
    }));
    eventually("three reconciles", || times.lock().unwrap().len() >= 3).await;
    stop.send(()).unwrap();
    run.await.unwrap();
    let times = times.lock().unwrap();
    for pair in times.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_millis(200),
            "requeued too early: {times:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_reconcile_is_caught_counted_and_retried_while_other_keys_go_on() {
    let mut registry = prometheus_client::registry::Registry::default();
    let metrics = kube_controller::Metrics::register(&mut registry);
    let queue = fast_queue();
    let panics = Arc::new(AtomicU32::new(0));
    let others = Arc::new(AtomicU32::new(0));
    let (p, o) = (panics.clone(), others.clone());
    let reconcile = move |key: ObjectRef| {
        let (p, o) = (p.clone(), o.clone());
        async move {
            if key.name == "bad" {
                if p.fetch_add(1, Ordering::SeqCst) < 2 {
                    panic!("reconcile of {key} blew up");
                }
            } else {
                o.fetch_add(1, Ordering::SeqCst);
            }
            Ok::<_, String>(Action::await_change())
        }
    };
    queue.add(ObjectRef::new_cluster("bad"));
    for i in 0..5 {
        queue.add(ObjectRef::new_cluster(format!("good-{i}")));
    }
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(
        Controller::new(queue.clone(), reconcile, default_error_policy)
            .name("panicky")
            .metrics(&metrics)
            .run(async move {
                let _ = stopped.await;
            }),
    );
    eventually("the other keys reconciled", || others.load(Ordering::SeqCst) == 5).await;
    eventually("the panicking key retried until it succeeded", || {
        panics.load(Ordering::SeqCst) == 3
    })
    .await;
    stop.send(()).unwrap();
    run.await.unwrap();
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
    assert!(
        text.contains("controller_reconcile_panics_total{controller=\"panicky\"} 2"),
        "{text}"
    );
    assert!(
        text.contains("controller_reconcile_total{controller=\"panicky\",result=\"panic\"} 2"),
        "{text}"
    );
    assert!(
        text.contains("controller_reconcile_total{controller=\"panicky\",result=\"success\"} 6"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_takes_no_new_key_and_finishes_the_reconciles_in_flight() {
    let queue = fast_queue();
    let started = Arc::new(AtomicU32::new(0));
    let finished = Arc::new(AtomicU32::new(0));
    let (s, f) = (started.clone(), finished.clone());
    let reconcile = move |_key: ObjectRef| {
        let (s, f) = (s.clone(), f.clone());
        async move {
            s.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(300)).await;
            f.fetch_add(1, Ordering::SeqCst);
            Ok::<_, String>(Action::await_change())
        }
    };
    for i in 0..10 {
        queue.add(ObjectRef::new_cluster(format!("k{i}")));
    }
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(
        Controller::new(queue.clone(), reconcile, default_error_policy)
            .workers(3)
            .run(async move {
                let _ = stopped.await;
            }),
    );
    eventually("three reconciles in flight", || started.load(Ordering::SeqCst) == 3).await;
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(started.load(Ordering::SeqCst), 3, "no new key after shutdown");
    assert_eq!(finished.load(Ordering::SeqCst), 3, "the keys in flight were finished");
    assert!(queue.shutting_down());
    assert_eq!(queue.processing(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_wait_for_the_caches_to_sync() {
    let server = FakeApiServer::start().await.unwrap();
    let client = server.client().unwrap();
    let factory = SharedInformerFactory::new(client, Duration::from_secs(300));
    let informer = factory.dynamic_informer(&ApiResource::erase::<ConfigMap>(&()), Scope::Namespaced);
    let queue = fast_queue();
    informer.add_event_handler(enqueue_keys(queue.clone()));
    queue.add(ObjectRef::new_cluster("early"));
    let synced_when_reconciled = Arc::new(Mutex::new(Vec::new()));
    let (i, s) = (informer.clone(), synced_when_reconciled.clone());
    let reconcile = move |_key: ObjectRef| {
        let (i, s) = (i.clone(), s.clone());
        async move {
            s.lock().unwrap().push(i.has_synced());
            Ok::<_, String>(Action::await_change())
        }
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(
        Controller::new(queue.clone(), reconcile, default_error_policy)
            .wait_for(&informer)
            .run(async move {
                let _ = stopped.await;
            }),
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        synced_when_reconciled.lock().unwrap().is_empty(),
        "reconciled before start"
    );
    factory.start();
    eventually("reconciled after sync", || {
        !synced_when_reconciled.lock().unwrap().is_empty()
    })
    .await;
    assert!(synced_when_reconciled.lock().unwrap().iter().all(|s| *s));
    stop.send(()).unwrap();
    run.await.unwrap();
    factory.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_before_the_caches_sync_ends_the_controller() {
    let queue = fast_queue();
    let reconcile = |_key: ObjectRef| async { Ok::<_, String>(Action::await_change()) };
    let run = Controller::new(queue.clone(), reconcile, default_error_policy)
        .wait_until(std::future::pending())
        .run(tokio::time::sleep(Duration::from_millis(100)));
    tokio::time::timeout(Duration::from_secs(5), run).await.unwrap();
    assert!(queue.shutting_down());
}

/// Records when a reconcile's future is dropped before it finished.
struct DropGuard(Arc<Mutex<Vec<tokio::time::Instant>>>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.lock().unwrap().push(tokio::time::Instant::now());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_run_only_while_leading_and_stop_at_once_when_the_lease_is_lost() {
    use kube_controller::leaderelection::{LeaderElectionConfig, LeaderElector, LeaseLock};
    let server = FakeApiServer::start().await.unwrap();
    let client = server.client().unwrap();
    let config = LeaderElectionConfig {
        lease_duration: Duration::from_secs(2),
        renew_deadline: Duration::from_millis(1500),
        retry_period: Duration::from_millis(300),
        release_on_cancel: true,
    };
    // (candidate, leading when the reconcile started)
    let reconciles: Arc<Mutex<Vec<(String, bool)>>> = Arc::default();
    let dropped: Arc<Mutex<Vec<tokio::time::Instant>>> = Arc::default();
    let mut stops = Vec::new();
    let mut runs = Vec::new();
    let mut electors = Vec::new();
    for id in ["a", "b"] {
        let elector = LeaderElector::new(LeaseLock::new(client.clone(), "default", "workers", id), config).unwrap();
        let (e, r, d) = (elector.clone(), reconciles.clone(), dropped.clone());
        let reconcile = move |_key: ObjectRef| {
            let (e, r, d) = (e.clone(), r.clone(), d.clone());
            async move {
                r.lock().unwrap().push((e.identity().to_string(), e.is_leader()));
                let _guard = DropGuard(d);
                std::future::pending::<()>().await;
                Ok::<_, String>(Action::await_change())
            }
        };
        let queue = fast_queue();
        queue.add(ObjectRef::new_cluster("slow"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        runs.push(tokio::spawn(
            Controller::new(queue, reconcile, default_error_policy)
                .leader_election(elector.clone())
                .graceful_shutdown_timeout(Some(Duration::from_millis(200)))
                .run(async move {
                    let _ = stopped.await;
                }),
        ));
        stops.push(stop);
        electors.push(elector);
        if id == "a" {
            eventually("a leads", || electors[0].is_leader()).await;
        }
    }
    eventually("the leader reconciles", || reconciles.lock().unwrap().len() == 1).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        *reconciles.lock().unwrap(),
        [("a".to_string(), true)],
        "only the leader's workers run"
    );
    // An outage of the Lease API: the leader cannot renew, gives up within its renew deadline,
    // and its in-flight reconcile is dropped at once.
    let outage = tokio::time::Instant::now();
    server.fail_next("/apis/coordination.k8s.io/v1/namespaces/default/leases", 20, 503);
    eventually("the reconcile dropped", || dropped.lock().unwrap().len() == 1).await;
    let stopped_after = dropped.lock().unwrap()[0] - outage;
    assert!(
        stopped_after <= Duration::from_millis(1500 + 1000),
        "workers stopped {stopped_after:?} after the outage began"
    );
    assert!(!electors[0].is_leader());
    // After the outage someone leads again and reconciles; every reconcile ran while leading.
    eventually("a reconcile after the outage", || reconciles.lock().unwrap().len() == 2).await;
    assert!(reconciles.lock().unwrap().iter().all(|(_, leading)| *leading));
    for stop in stops {
        stop.send(()).unwrap();
    }
    for run in runs {
        tokio::time::timeout(Duration::from_secs(10), run)
            .await
            .unwrap()
            .unwrap();
    }
    // Nobody leads; the reconcile that never finishes is dropped (its task aborted) after the
    // grace period.
    assert!(electors.iter().all(|e| !e.is_leader()));
    eventually("the second reconcile dropped", || dropped.lock().unwrap().len() == 2).await;
}
