//! Every metric of the crate, scraped as OpenMetrics text from a registry after a controller
//! (with leader election) ran against the fake API server, checked strictly: each family's
//! `# TYPE` line with its type, sample names the type allows, label sets, plausible values.

use std::collections::HashMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, DeleteParams, PostParams};
use kube_controller::leaderelection::{LeaderElectionConfig, LeaderElector, LeaseLock};
use kube_controller::workqueue::{Queue, RateLimitingQueue, default_controller_rate_limiter};
use kube_controller::{Action, Controller, Metrics, ObjectRef, enqueue_keys};
use kube_fake_apiserver::FakeApiServer;
use kube_informer::SharedInformerFactory;
use prometheus_client::registry::Registry;

#[path = "support/openmetrics.rs"]
mod openmetrics;
use openmetrics::{Family, parse, value};

async fn eventually(what: &str, check: impl Fn() -> bool) {
    for _ in 0..1000 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for: {what}");
}

fn scrape(registry: &Registry) -> HashMap<String, Family> {
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, registry).unwrap();
    parse(&text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_metric_is_exposed_with_its_type() {
    let server = FakeApiServer::start().await.unwrap();
    let client = server.client().unwrap();
    let mut registry = Registry::default();
    let metrics = Metrics::register(&mut registry);

    let factory = SharedInformerFactory::new(client.clone(), Duration::from_secs(300));
    let informer = factory.informer::<ConfigMap>();
    metrics.watch_informer("configmaps", &informer);
    let queue = RateLimitingQueue::from_queue(
        Queue::with_metrics("configmaps", &metrics),
        default_controller_rate_limiter(),
    );
    informer.add_event_handler(enqueue_keys(queue.clone()));
    factory.start();

    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    for name in ["a", "b", "fails-once", "slow"] {
        let cm = ConfigMap {
            metadata: ObjectMeta {
                name: Some(name.into()),
                ..ObjectMeta::default()
            },
            ..ConfigMap::default()
        };
        api.create(&PostParams::default(), &cm).await.unwrap();
    }
    let failed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (release_slow, slow_released) = tokio::sync::watch::channel(false);
    let f = failed.clone();
    let reconcile = move |key: ObjectRef| {
        let (f, mut slow) = (f.clone(), slow_released.clone());
        async move {
            if key.name == "fails-once" && !f.swap(true, std::sync::atomic::Ordering::SeqCst) {
                return Err("first attempt fails");
            }
            if key.name == "slow" {
                let _ = slow.wait_for(|r| *r).await;
            }
            Ok(Action::await_change())
        }
    };
    let elector = LeaderElector::new(
        LeaseLock::new(client, "default", "metrics-test", "only"),
        LeaderElectionConfig::default(),
    )
    .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(
        Controller::new(queue.clone(), reconcile, kube_controller::default_error_policy)
            .name("configmaps")
            .workers(2)
            .wait_for(&informer)
            .leader_election(elector.clone())
            .metrics(&metrics)
            .run(async move {
                let _ = stopped.await;
            }),
    );
    eventually("leading", || elector.is_leader()).await;
    eventually("the failed key retried", || {
        failed.load(std::sync::atomic::Ordering::SeqCst) && queue.is_empty() && queue.processing() == 1
    })
    .await;
    let mut events = informer.events();
    api.delete("a", &DeleteParams::default()).await.unwrap();
    let deleted_rv = loop {
        use futures::StreamExt;
        if let Some(kube_informer::Notification::Delete(d)) = events.next().await {
            break d.object().metadata.resource_version.clone().unwrap();
        }
    };
    drop(events);
    eventually("the delete applied", || informer.stats().events_applied >= 1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    // "slow" is still being processed: the in-flight gauges see it.
    let m = scrape(&registry);
    let q = [("name", "configmaps")];
    assert_eq!(value(&m, "workqueue_depth", "gauge", "workqueue_depth", &q), 0.0);
    assert!(value(&m, "workqueue_adds", "counter", "workqueue_adds_total", &q) >= 5.0);
    let queued = value(
        &m,
        "workqueue_queue_duration_seconds",
        "histogram",
        "workqueue_queue_duration_seconds_count",
        &q,
    );
    assert!(queued >= 5.0, "queue durations observed: {queued}");
    value(
        &m,
        "workqueue_queue_duration_seconds",
        "histogram",
        "workqueue_queue_duration_seconds_bucket",
        &[("name", "configmaps"), ("le", "+Inf")],
    );
    let worked = value(
        &m,
        "workqueue_work_duration_seconds",
        "histogram",
        "workqueue_work_duration_seconds_count",
        &q,
    );
    assert!(worked >= 4.0, "work durations observed: {worked}");
    assert!(
        value(
            &m,
            "workqueue_unfinished_work_seconds",
            "gauge",
            "workqueue_unfinished_work_seconds",
            &q
        ) > 0.05
    );
    assert!(
        value(
            &m,
            "workqueue_longest_running_processor_seconds",
            "gauge",
            "workqueue_longest_running_processor_seconds",
            &q
        ) > 0.05
    );
    assert_eq!(
        value(&m, "workqueue_retries", "counter", "workqueue_retries_total", &q),
        1.0
    );

    let c = [("controller", "configmaps")];
    assert_eq!(
        value(
            &m,
            "controller_reconcile",
            "counter",
            "controller_reconcile_total",
            &[("controller", "configmaps"), ("result", "error")]
        ),
        1.0
    );
    assert!(
        value(
            &m,
            "controller_reconcile",
            "counter",
            "controller_reconcile_total",
            &[("controller", "configmaps"), ("result", "success")]
        ) >= 3.0
    );
    value(
        &m,
        "controller_reconcile",
        "counter",
        "controller_reconcile_total",
        &[("controller", "configmaps"), ("result", "panic")],
    );
    value(
        &m,
        "controller_reconcile",
        "counter",
        "controller_reconcile_total",
        &[("controller", "configmaps"), ("result", "requeue_after")],
    );
    assert_eq!(
        value(
            &m,
            "controller_reconcile_errors",
            "counter",
            "controller_reconcile_errors_total",
            &c
        ),
        1.0
    );
    assert_eq!(
        value(
            &m,
            "controller_reconcile_panics",
            "counter",
            "controller_reconcile_panics_total",
            &c
        ),
        0.0
    );
    assert!(
        value(
            &m,
            "controller_reconcile_time_seconds",
            "histogram",
            "controller_reconcile_time_seconds_count",
            &c
        ) >= 4.0
    );
    assert_eq!(
        value(
            &m,
            "controller_active_workers",
            "gauge",
            "controller_active_workers",
            &c
        ),
        2.0
    );
    assert_eq!(
        value(
            &m,
            "leader_election_master_status",
            "gauge",
            "leader_election_master_status",
            &[("name", "metrics-test")]
        ),
        1.0
    );

    let i = [("informer", "configmaps")];
    assert!(
        value(
            &m,
            "informer_list_requests",
            "counter",
            "informer_list_requests_total",
            &i
        ) >= 1.0
    );
    assert!(
        value(
            &m,
            "informer_watch_requests",
            "counter",
            "informer_watch_requests_total",
            &i
        ) >= 1.0
    );
    assert_eq!(
        value(&m, "informer_relists", "counter", "informer_relists_total", &i),
        0.0
    );
    assert!(
        value(
            &m,
            "informer_events_applied",
            "counter",
            "informer_events_applied_total",
            &i
        ) >= 1.0
    );
    assert_eq!(
        value(&m, "informer_objects_cached", "gauge", "informer_objects_cached", &i),
        3.0
    );
    let rv = deleted_rv;
    assert_eq!(
        value(
            &m,
            "informer_last_synced_resource_version_info",
            "gauge",
            "informer_last_synced_resource_version_info",
            &[("informer", "configmaps"), ("resource_version", &rv)]
        ),
        1.0
    );

    // A relist (410 after a cut watch) is counted, with its list request.
    let lists_before = informer.stats().list_requests;
    server.fail_next("/api/v1/configmaps", 1, 503);
    server.drop_watches();
    let cm = ConfigMap {
        metadata: ObjectMeta {
            name: Some("while-cut".into()),
            ..ObjectMeta::default()
        },
        ..ConfigMap::default()
    };
    api.create(&PostParams::default(), &cm).await.unwrap();
    server.compact();
    eventually("a relist", || informer.stats().relists == 1).await;
    assert!(informer.stats().list_requests > lists_before);

    // Shut down: workers finish, leader status drops to 0.
    release_slow.send(true).unwrap();
    stop.send(()).unwrap();
    run.await.unwrap();
    let m = scrape(&registry);
    assert_eq!(
        value(&m, "informer_relists", "counter", "informer_relists_total", &i),
        1.0
    );
    assert_eq!(
        value(
            &m,
            "leader_election_master_status",
            "gauge",
            "leader_election_master_status",
            &[("name", "metrics-test")]
        ),
        0.0
    );
    assert_eq!(
        value(
            &m,
            "controller_active_workers",
            "gauge",
            "controller_active_workers",
            &c
        ),
        0.0
    );
    assert_eq!(
        value(
            &m,
            "workqueue_unfinished_work_seconds",
            "gauge",
            "workqueue_unfinished_work_seconds",
            &q
        ),
        0.0
    );
    factory.shutdown().await;
}
