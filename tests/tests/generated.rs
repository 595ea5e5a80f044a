//! The generated code, end to end against the fake API server: factory accessors, handlers,
//! listers with selectors, cluster-scoped gets, custom resources and `for_resource`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use integration_tests::informers::SharedInformerFactory;
use integration_tests::{ClusterPolicy, CronTab, CronTabSpec, Database, DatabaseSpec, Loop};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, PostParams};
use kube::core::GroupVersionResource;
use kube_fake_apiserver::FakeApiServer;
use kube_informer::HandlerFns;

const TIMEOUT: Duration = Duration::from_secs(30);

fn meta(name: &str, app: &str) -> k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
    k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
        name: Some(name.into()),
        labels: Some([("app".to_string(), app.to_string())].into()),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_factory_against_the_fake_server() {
    let server = FakeApiServer::start().await.unwrap();
    let client = server.client().unwrap();
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "default");
    for (name, app) in [("web", "web"), ("api", "api")] {
        let d = Deployment {
            metadata: meta(name, app),
            ..Default::default()
        };
        deployments.create(&PostParams::default(), &d).await.unwrap();
    }
    let tabs: Api<CronTab> = Api::namespaced(client.clone(), "default");
    tabs.create(
        &PostParams::default(),
        &CronTab {
            metadata: meta("nightly", "backup"),
            spec: CronTabSpec {
                cron_spec: "0 3 * * *".into(),
                image: "b".into(),
            },
        },
    )
    .await
    .unwrap();
    let policies: Api<ClusterPolicy> = Api::all(client.clone());
    policies
        .create(
            &PostParams::default(),
            &ClusterPolicy {
                metadata: meta("strict", "sec"),
                rules: vec!["a".into()],
            },
        )
        .await
        .unwrap();
    let dbs: Api<Database> = Api::namespaced(client.clone(), "default");
    dbs.create(
        &PostParams::default(),
        &Database::new(
            "main",
            DatabaseSpec {
                engine: "postgres".into(),
            },
        ),
    )
    .await
    .unwrap();
    let loops: Api<Loop> = Api::namespaced(client.clone(), "default");
    loops
        .create(
            &PostParams::default(),
            &Loop {
                metadata: meta("l", "x"),
            },
        )
        .await
        .unwrap();
    let nodes: Api<Node> = Api::all(client.clone());
    nodes
        .create(
            &PostParams::default(),
            &Node {
                metadata: meta("node-1", "n"),
                ..Default::default()
            },
        )
        .await
        .unwrap();

    let factory = SharedInformerFactory::new(client.clone(), Duration::ZERO);
    let deployment_informer = factory.apps().v1().deployments();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let registration = deployment_informer.informer().add_event_handler(
        HandlerFns::new()
            .on_add(move |d: &Arc<Deployment>, _| log.lock().unwrap().push(d.metadata.name.clone().unwrap())),
    );
    let crontabs = factory.stable_example_com().v1().crontabs();
    let widgets = factory.stable_example_com().v1().widgets();
    let cluster_policies = factory.policy_example_com().v1alpha1().clusterpolicies();
    let databases = factory.infra_example_com().v1beta1().databases();
    let loop_informer = factory.async_example_com().v1().r#loop();
    let node_informer = factory.core().v1().nodes();
    // As in client-go, an accessor alone starts nothing: asking for the informer (or lister)
    // registers it with the factory.
    for registered in [
        crontabs.informer().has_synced(),
        widgets.informer().has_synced(),
        cluster_policies.informer().has_synced(),
        databases.informer().has_synced(),
        loop_informer.informer().has_synced(),
        node_informer.informer().has_synced(),
    ] {
        assert!(!registered);
    }
    // Asking twice gives the same shared informer.
    assert!(
        factory
            .apps()
            .v1()
            .deployments()
            .informer()
            .ptr_eq(&deployment_informer.informer())
    );

    factory.start();
    let report = factory.wait_for_cache_sync_timeout(TIMEOUT).await;
    assert_eq!(report.len(), 7, "{report:?}");
    assert!(report.values().all(|s| *s), "{report:?}");

    // The cache synced; the handler runs on a thread of its own and may not have handled the
    // list yet: its registration says when it has (client-go's `registration.HasSynced()`).
    assert!(registration.wait_for_sync(TIMEOUT).await, "the handler never synced");
    let mut names = seen.lock().unwrap().clone();
    names.sort();
    assert_eq!(names, ["api", "web"]);
    let web = deployment_informer
        .lister()
        .namespace("default")
        .list(&"app=web".parse().unwrap());
    assert_eq!(web.len(), 1);
    assert_eq!(web[0].metadata.name.as_deref(), Some("web"));
    assert_eq!(
        deployment_informer
            .lister()
            .list(&"app in (web,api)".parse().unwrap())
            .len(),
        2
    );
    let err = deployment_informer
        .lister()
        .namespace("default")
        .get("nope")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"Deployment "default/nope" not found in the informer cache"#
    );

    assert_eq!(
        crontabs
            .lister()
            .namespace("default")
            .get("nightly")
            .unwrap()
            .spec
            .cron_spec,
        "0 3 * * *"
    );
    assert!(widgets.lister().list(&Default::default()).is_empty());
    assert_eq!(cluster_policies.lister().get("strict").unwrap().rules, ["a"]);
    assert_eq!(
        databases.lister().namespace("default").get("main").unwrap().spec.engine,
        "postgres"
    );
    assert_eq!(
        loop_informer
            .lister()
            .namespace("default")
            .list(&Default::default())
            .len(),
        1
    );
    assert!(node_informer.lister().get("node-1").is_ok());

    // for_resource: a generic informer for a generated resource, an error for others.
    let generic = factory
        .for_resource(&GroupVersionResource::gvr("stable.example.com", "v1", "crontabs"))
        .unwrap();
    factory.start();
    assert!(generic.informer().wait_for_sync(TIMEOUT).await);
    let tab = generic.lister().namespace("default").get("nightly").unwrap();
    assert_eq!(tab.types.as_ref().unwrap().kind, "CronTab");
    let err = factory
        .for_resource(&GroupVersionResource::gvr("example.com", "v1", "nothings"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"no generated informer for resource "nothings" in group "example.com" version "v1""#
    );

    factory.shutdown().await;
    server.shutdown().await;
}
