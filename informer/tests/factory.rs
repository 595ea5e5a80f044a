//! The factory: sharing, start, sync reports, shutdown with cache clearing, options, and dynamic
//! and metadata-only informers whose objects carry their real kind.

mod common;

use std::time::Duration;

use common::{Recorder, TIMEOUT, configmap, eventually};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Node};
use kube::api::{Api, PostParams};
use kube_core::{ApiResource, GroupVersionResource};
use kube_fake_apiserver::FakeApiServer;
use kube_informer::{FactoryError, SharedInformerFactory};
use kube_scheme::Scope;

async fn seeded() -> FakeApiServer {
    let server = FakeApiServer::start().await.unwrap();
    let client = server.client().unwrap();
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let mut ns = Namespace::default();
    ns.metadata.name = Some("other".into());
    namespaces.create(&PostParams::default(), &ns).await.unwrap();
    for (namespace, name, app) in [
        ("default", "web", "web"),
        ("default", "db", "db"),
        ("other", "web", "web"),
    ] {
        let api: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
        let mut cm = configmap(name, &[("app", app)], "1");
        cm.metadata.managed_fields = Some(vec![Default::default()]);
        api.create(&PostParams::default(), &cm).await.unwrap();
    }
    let nodes: Api<Node> = Api::all(client);
    let mut node = Node::default();
    node.metadata.name = Some("node-1".into());
    nodes.create(&PostParams::default(), &node).await.unwrap();
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_informer_per_kind_start_sync_and_shutdown() {
    let server = seeded().await;
    let factory = SharedInformerFactory::new(server.client().unwrap(), Duration::ZERO);
    let a = factory.informer::<ConfigMap>();
    let b = factory.informer::<ConfigMap>();
    assert!(a.ptr_eq(&b), "asking twice gives the same informer");
    assert!(!a.ptr_eq(&SharedInformerFactory::new(server.client().unwrap(), Duration::ZERO).informer::<ConfigMap>()));
    // Same informer: a handler on one is a handler on the other, one cache.
    let recorder = Recorder::new();
    let (log, _) = recorder.handles();
    b.add_event_handler(recorder);
    assert!(!a.is_started());
    factory.start();
    factory.start();
    assert!(a.is_started() && b.is_started());
    let report = factory.wait_for_cache_sync().await;
    assert_eq!(
        report.into_iter().collect::<Vec<_>>(),
        [("configmaps.v1".to_owned(), true)]
    );
    assert_eq!(a.indexer().len(), 3);
    eventually("three adds through the shared informer", || {
        log.lock().unwrap().len() == 3
    })
    .await;

    // An informer created after start waits for the next start() call.
    let nodes = factory.informer::<Node>();
    assert!(!nodes.is_started());
    let report = factory.wait_for_cache_sync_timeout(Duration::from_millis(50)).await;
    assert_eq!(report.len(), 1, "only started informers are reported");
    factory.start();
    let report = factory.wait_for_cache_sync_timeout(TIMEOUT).await;
    assert_eq!(report.values().filter(|s| **s).count(), 2);
    assert_eq!(
        nodes.lister().get("node-1").unwrap().metadata.name.as_deref(),
        Some("node-1")
    );

    factory.shutdown().await;
    assert!(
        a.indexer().is_empty() && nodes.indexer().is_empty(),
        "shutdown clears every cache"
    );
    assert!(!a.has_synced());
    factory.start();
    assert!(!a.is_started(), "a shut-down factory does not start again");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespace_selector_transform_and_resync_options() {
    let server = seeded().await;
    let factory = SharedInformerFactory::builder(server.client().unwrap())
        .namespace("default")
        .tweak_list_options(|c| c.labels("app=web"))
        .transform(kube_informer::strip_managed_fields_meta)
        .custom_resync::<ConfigMap>(Duration::from_millis(100))
        .build();
    let cms = factory.informer::<ConfigMap>();
    let recorder = Recorder::new();
    let (log, _) = recorder.handles();
    cms.add_event_handler(recorder);
    let nodes = factory.informer::<Node>();
    factory.start();
    factory.wait_for_cache_sync_timeout(TIMEOUT).await;
    let keys = cms.indexer().keys();
    assert_eq!(keys, ["default/web"], "namespace and selector both apply");
    assert!(
        cms.indexer()
            .get("default/web")
            .unwrap()
            .metadata
            .managed_fields
            .is_none()
    );
    // A cluster-scoped kind ignores the namespace (selector still applies: node-1 has no app label).
    assert_eq!(nodes.indexer().len(), 0);
    eventually("resyncs at the custom period", || {
        log.lock().unwrap().iter().filter(|l| l.starts_with("resync")).count() >= 2
    })
    .await;
    factory.shutdown().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamic_and_metadata_informers_restore_kinds() {
    let server = seeded().await;
    let factory = SharedInformerFactory::new(server.client().unwrap(), Duration::ZERO);
    let dynamic = factory
        .for_resource(&GroupVersionResource::gvr("", "v1", "configmaps"))
        .unwrap();
    let again = factory.dynamic_informer(&ApiResource::erase::<ConfigMap>(&()), Scope::Namespaced);
    let metadata = factory.metadata_informer::<ConfigMap>();
    factory.start();
    let report = factory.wait_for_cache_sync_timeout(TIMEOUT).await;
    assert!(report.values().all(|s| *s), "{report:?}");
    assert_eq!(
        report.len(),
        2,
        "for_resource and dynamic_informer share one informer: {report:?}"
    );

    let objects = again.lister().namespace("default").list(&"app=web".parse().unwrap());
    assert_eq!(objects.len(), 1);
    // A `metav1.LabelSelector` (a Deployment's `spec.selector`) selects the same way.
    let web: k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector = serde_json::from_value(
        serde_json::json!({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]}),
    )
    .unwrap();
    assert_eq!(
        again.lister().namespace("default").list_matching(&web).unwrap().len(),
        1
    );
    assert_eq!(again.lister().list_matching(&web).unwrap().len(), 2);
    let bad: k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector = serde_json::from_value(
        serde_json::json!({"matchExpressions": [{"key": "app", "operator": "Gt", "values": ["1"]}]}),
    )
    .unwrap();
    let err = again.lister().list_matching(&bad).unwrap_err();
    assert_eq!(err.to_string(), "\"Gt\" is not a valid label selector operator");
    for o in dynamic.indexer().list() {
        let types = o.types.as_ref().expect("kind restored on dynamic list items");
        assert_eq!((types.api_version.as_str(), types.kind.as_str()), ("v1", "ConfigMap"));
    }
    assert_eq!(metadata.indexer().len(), 3);
    for o in metadata.indexer().list() {
        let types = o.types.as_ref().unwrap();
        assert_eq!(
            (types.api_version.as_str(), types.kind.as_str()),
            ("v1", "ConfigMap"),
            "not PartialObjectMetadata"
        );
        assert!(o.metadata.labels.is_some());
    }
    let web = metadata.lister().namespace("other").get("web").unwrap();
    assert_eq!(web.metadata.namespace.as_deref(), Some("other"));

    let err = factory
        .for_resource(&GroupVersionResource::gvr("example.com", "v1", "nothings"))
        .unwrap_err();
    assert!(matches!(err, FactoryError::UnknownResource { .. }));
    assert_eq!(
        err.to_string(),
        "no informer for example.com/v1/nothings: no resource is registered for example.com/v1, Resource=nothings in this scheme"
    );
    factory.shutdown().await;
    server.shutdown().await;
}
