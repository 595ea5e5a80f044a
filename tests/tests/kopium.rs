//! Real CRD bindings as kopium writes them (`fixtures/kopium`), through the generator and against
//! the fake API server: every generated resource has the plural and scope kube-derive itself
//! gives its type, namespaced kinds get namespaced listers, cluster-scoped kinds `get` by name,
//! `for_resource` finds each by its real plural, a kind `X` lives beside `XNamespace`, and the
//! scheme knows every scanned type without a hand-written `register!`.

use std::time::Duration;

use integration_tests::informers::{RESOURCES, ResourceInfo, SharedInformerFactory};
use integration_tests::kopium::azure_microsoft_com::v1alpha1::eventhubnamespaces::{
    EventhubNamespace, EventhubNamespaceSpec,
};
use integration_tests::kopium::azure_microsoft_com::v1alpha1::eventhubs::{Eventhub, EventhubSpec};
use integration_tests::kopium::cert_manager_io::v1::certificates::{Certificate, CertificateSpec};
use integration_tests::kopium::cert_manager_io::v1::clusterissuers::{ClusterIssuer, ClusterIssuerSpec};
use integration_tests::kopium::externaldata_gatekeeper_sh::{v1alpha1, v1beta1};
use integration_tests::kopium::kube_attributes::{
    Gateway, Index, MetricData, NodeMetrics, NodeMetricsSpec, Patch, Policy, ServiceEndpoints, TimeSeries,
    WidgetObject, WidgetSpec,
};
use integration_tests::kopium::monitoring_coreos_com::v1::servicemonitors::{ServiceMonitor, ServiceMonitorSpec};
use integration_tests::kopium::secrets_store_csi_x_k8s_io as csi;
use kube::Resource;
use kube::api::{Api, PostParams};
use kube::core::GroupVersionResource;
use kube_fake_apiserver::FakeApiServer;
use kube_informer::{InformerObject, ScopeApi};
use kube_scheme::{ObjectKind, Scheme};

const TIMEOUT: Duration = Duration::from_secs(30);

/// What kube-derive gave type `K`, in the generator's terms.
fn derived<K: InformerObject>() -> ResourceInfo {
    let leak = |s: std::borrow::Cow<'_, str>| -> &'static str { Box::leak(s.into_owned().into_boxed_str()) };
    ResourceInfo {
        group: leak(K::group(&())),
        version: leak(K::version(&())),
        kind: leak(K::kind(&())),
        plural: leak(K::plural(&())),
        namespaced: <K::Scope as ScopeApi>::SCOPE.is_namespaced(),
    }
}

macro_rules! derived_all {
    ($($ty:ty),+ $(,)?) => { vec![$(derived::<$ty>()),+] };
}

/// Every custom resource type the crate holds, kopium's and the hand-written fixtures.
fn every_custom_type() -> Vec<ResourceInfo> {
    use integration_tests::kopium::argoproj_io::v1alpha1::applications::Application;
    use integration_tests::kopium::cert_manager_io::v1::certificaterequests::CertificateRequest;
    use integration_tests::kopium::monitoring_coreos_com::v1::prometheusrules::PrometheusRule;
    use integration_tests::{ClusterPolicy, CronTab, Database, Loop, nested::Widget};
    derived_all![
        Application,
        Eventhub,
        EventhubNamespace,
        Certificate,
        CertificateRequest,
        ClusterIssuer,
        v1alpha1::providers::Provider,
        v1beta1::providers::Provider,
        WidgetObject,
        NodeMetrics,
        ServiceEndpoints,
        MetricData,
        TimeSeries,
        Policy,
        Gateway,
        Index,
        Patch,
        PrometheusRule,
        ServiceMonitor,
        csi::v1::secretproviderclasses::SecretProviderClass,
        csi::v1alpha1::secretproviderclasses::SecretProviderClass,
        ClusterPolicy,
        CronTab,
        Database,
        Loop,
        Widget,
    ]
}

#[test]
fn every_scanned_type_has_the_plural_and_scope_kube_derive_gave_it() {
    let builtin = |r: &ResourceInfo| r.group.is_empty() || r.group.ends_with(".k8s.io") || !r.group.contains('.');
    let mut generated: Vec<ResourceInfo> = RESOURCES.iter().copied().filter(|r| !builtin(r)).collect();
    let mut by_kube_derive = every_custom_type();
    let key = |r: &ResourceInfo| (r.group, r.version, r.kind);
    generated.sort_by_key(key);
    by_kube_derive.sort_by_key(key);
    // kopium writes no `CustomResource` for a CRD without a spec (`SecretProviderClassPodStatus`
    // has only a status struct): nothing is generated for it, and nothing is missing.
    assert_eq!(generated, by_kube_derive);
    // The kopium namespaced kinds (`#[kube(namespaced)]` on its own line) are namespaced.
    assert!(derived::<Certificate>().namespaced && derived::<ServiceMonitor>().namespaced);
    assert!(!derived::<ClusterIssuer>().namespaced);
    assert_eq!(derived::<WidgetObject>().plural, "gadgets");
    assert_eq!(derived::<NodeMetrics>().plural, "nodemetricses");
    // kube-derive's pluralisation, rule by rule (the generator's plurals equal these, above).
    let plurals = [
        derived::<ServiceEndpoints>().plural,
        derived::<MetricData>().plural,
        derived::<TimeSeries>().plural,
        derived::<Policy>().plural,
        derived::<Gateway>().plural,
        derived::<Index>().plural,
        derived::<Patch>().plural,
    ];
    assert_eq!(
        plurals,
        [
            "serviceendpointses",
            "metricdatas",
            "timeserieses",
            "policies",
            "gateways",
            "indexes",
            "patches"
        ]
    );
}

#[test]
fn scanned_kube_derive_types_are_in_the_scheme() {
    let scheme = Scheme::with_builtins();
    for info in every_custom_type() {
        let gvk = kube::core::GroupVersionKind::gvk(info.group, info.version, info.kind);
        assert!(scheme.recognizes(&gvk), "{gvk:?} is not registered");
        let kind = scheme.kind(&gvk).unwrap();
        assert_eq!(kind.plural(), info.plural, "{gvk:?}");
        assert_eq!(kind.scope().is_namespaced(), info.namespaced, "{gvk:?}");
    }
    // And `ObjectKind` names an object's kind without a hand-written `impl_object_kind!`.
    let cert = Certificate::new("c", CertificateSpec::default());
    assert_eq!(cert.object_gvk(&scheme).unwrap().kind, "Certificate");
}

fn named<K: Resource<DynamicType = ()>>(mut object: K, name: &str) -> K {
    object.meta_mut().name = Some(name.into());
    object
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kopium_bindings_against_the_fake_server() {
    // The fake server serves the scheme's kinds: the generated code registered these.
    let server = FakeApiServer::start().await.unwrap();
    let client = server.client().unwrap();
    let pp = PostParams::default();
    Api::<k8s_openapi::api::core::v1::Namespace>::all(client.clone())
        .create(&pp, &named(k8s_openapi::api::core::v1::Namespace::default(), "other"))
        .await
        .unwrap();
    let ns = |name: &str| -> Api<Certificate> { Api::namespaced(client.clone(), name) };
    ns("default")
        .create(&pp, &Certificate::new("web-tls", CertificateSpec::default()))
        .await
        .unwrap();
    ns("other")
        .create(&pp, &Certificate::new("web-tls", CertificateSpec::default()))
        .await
        .unwrap();
    Api::<ServiceMonitor>::namespaced(client.clone(), "default")
        .create(&pp, &ServiceMonitor::new("web", ServiceMonitorSpec::default()))
        .await
        .unwrap();
    Api::<Eventhub>::namespaced(client.clone(), "default")
        .create(&pp, &Eventhub::new("hub", EventhubSpec::default()))
        .await
        .unwrap();
    Api::<EventhubNamespace>::namespaced(client.clone(), "default")
        .create(&pp, &EventhubNamespace::new("hubns", EventhubNamespaceSpec::default()))
        .await
        .unwrap();
    Api::<csi::v1::secretproviderclasses::SecretProviderClass>::namespaced(client.clone(), "default")
        .create(
            &pp,
            &named(
                csi::v1::secretproviderclasses::SecretProviderClass::default(),
                "vault-v1",
            ),
        )
        .await
        .unwrap();
    Api::<csi::v1alpha1::secretproviderclasses::SecretProviderClass>::namespaced(client.clone(), "default")
        .create(
            &pp,
            &named(
                csi::v1alpha1::secretproviderclasses::SecretProviderClass::default(),
                "vault-v1alpha1",
            ),
        )
        .await
        .unwrap();
    Api::<ClusterIssuer>::all(client.clone())
        .create(&pp, &ClusterIssuer::new("letsencrypt", ClusterIssuerSpec::default()))
        .await
        .unwrap();
    Api::<v1beta1::providers::Provider>::all(client.clone())
        .create(&pp, &named(v1beta1::providers::Provider::default(), "ext"))
        .await
        .unwrap();
    Api::<WidgetObject>::namespaced(client.clone(), "default")
        .create(&pp, &WidgetObject::new("w", WidgetSpec { replicas: 3 }))
        .await
        .unwrap();
    Api::<NodeMetrics>::all(client.clone())
        .create(&pp, &NodeMetrics::new("node-1", NodeMetricsSpec::default()))
        .await
        .unwrap();

    let factory = SharedInformerFactory::new(client.clone(), Duration::ZERO);
    let certificates = factory.cert_manager_io().v1().certificates();
    let issuers = factory.cert_manager_io().v1().clusterissuers();
    let monitors = factory.monitoring_coreos_com().v1().servicemonitors();
    let hubs = factory.azure_microsoft_com().v1alpha1().eventhubs();
    let hub_namespaces = factory.azure_microsoft_com().v1alpha1().eventhubnamespaces();
    let spc_v1 = factory.secrets_store_csi_x_k8s_io().v1().secretproviderclasses();
    let spc_v1alpha1 = factory.secrets_store_csi_x_k8s_io().v1alpha1().secretproviderclasses();
    let providers = factory.externaldata_gatekeeper_sh().v1beta1().providers();
    let widgets = factory.attrs_example_com().v1().gadgets();
    let node_metrics = factory.attrs_example_com().v1().nodemetricses();
    // Metadata-only and dynamic informers of a generated kind, from the generated accessor.
    let certificate_metadata = certificates.metadata_informer();
    let certificate_dynamic = certificates.dynamic_informer();
    for informer_started in [
        certificates.informer().is_started(),
        issuers.informer().is_started(),
        monitors.informer().is_started(),
        hubs.informer().is_started(),
        hub_namespaces.informer().is_started(),
        spc_v1.informer().is_started(),
        spc_v1alpha1.informer().is_started(),
        providers.informer().is_started(),
        widgets.informer().is_started(),
        node_metrics.informer().is_started(),
    ] {
        assert!(!informer_started);
    }
    factory.start();
    let report = factory.wait_for_cache_sync_timeout(TIMEOUT).await;
    assert_eq!(report.len(), 12, "{report:?}");
    assert!(report.values().all(|synced| *synced), "{report:?}");
    // One name format for every informer: resource.version.group, qualified for metadata and
    // dynamic informers.
    for name in [
        "certificates.v1.cert-manager.io",
        "certificates.v1.cert-manager.io (metadata)",
        "certificates.v1.cert-manager.io (dynamic)",
        "gadgets.v1.attrs.example.com",
    ] {
        assert!(report.contains_key(name), "{name} not in {report:?}");
    }

    // Namespaced kinds: namespaced listers (the kopium `#[kube(namespaced)]` form).
    let in_default = certificates.lister().namespace("default").list(&Default::default());
    assert_eq!(in_default.len(), 1);
    assert_eq!(certificates.lister().list(&Default::default()).len(), 2);
    assert!(certificates.lister().namespace("other").get("web-tls").is_ok());
    assert!(monitors.lister().namespace("default").get("web").is_ok());
    // `Eventhub` beside `EventhubNamespace`: two kinds, two informers, no name clash.
    assert!(hubs.lister().namespace("default").get("hub").is_ok());
    assert!(hub_namespaces.lister().namespace("default").get("hubns").is_ok());
    assert!(hubs.lister().namespace("default").get("hubns").is_err());
    // Two versions of one group, each its own informer.
    assert!(spc_v1.lister().namespace("default").get("vault-v1").is_ok());
    assert!(spc_v1alpha1.lister().namespace("default").get("vault-v1alpha1").is_ok());
    // `root` names the type; `singular` makes the plural the accessor is named by.
    assert_eq!(widgets.lister().namespace("default").get("w").unwrap().spec.replicas, 3);
    // Cluster-scoped kinds: get by name.
    assert!(issuers.lister().get("letsencrypt").is_ok());
    assert!(providers.lister().get("ext").is_ok());
    assert!(node_metrics.lister().get("node-1").is_ok());
    // Metadata and dynamic informers carry the real kind.
    let meta = certificate_metadata
        .lister()
        .namespace("default")
        .get("web-tls")
        .unwrap();
    assert_eq!(meta.types.as_ref().unwrap().kind, "Certificate");
    let dynamic = certificate_dynamic.lister().namespace("other").get("web-tls").unwrap();
    assert_eq!(dynamic.types.as_ref().unwrap().api_version, "cert-manager.io/v1");

    // for_resource finds every generated custom resource by the plural kube-derive serves.
    for info in every_custom_type() {
        let gvr = GroupVersionResource::gvr(info.group, info.version, info.plural);
        let generic = factory.for_resource(&gvr).unwrap_or_else(|e| panic!("{info:?}: {e}"));
        assert_eq!(generic.gvr(), &gvr);
    }
    let generic = factory
        .for_resource(&GroupVersionResource::gvr("cert-manager.io", "v1", "clusterissuers"))
        .unwrap();
    factory.start();
    assert!(generic.informer().wait_for_sync(TIMEOUT).await);
    assert!(generic.lister().get("letsencrypt").is_ok());

    factory.shutdown().await;
    server.shutdown().await;
}
