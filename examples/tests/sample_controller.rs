//! The sample controller converges (every Foo has its Deployment with the right replicas and
//! the Foo as controlling owner, and its status reports the available replicas) after creates,
//! updates, deletes and injected faults, against the fake API server and a real control plane;
//! and two `sample-controller` processes hand over when the leader is killed.

#![allow(clippy::disallowed_names)] // sample-controller's kind is Foo

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use examples::sample_controller::{self, Foo, Options, divergence, foo};
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube_controller::Metrics;
use kube_controller::leaderelection::LeaderElectionConfig;
use prometheus_client::registry::Registry;

#[path = "../../controller/tests/support/openmetrics.rs"]
mod openmetrics;

const NS: &str = "default";

fn fast_options(identity: &str) -> Options {
    Options {
        identity: identity.into(),
        election: LeaderElectionConfig {
            lease_duration: Duration::from_secs(2),
            renew_deadline: Duration::from_millis(1500),
            retry_period: Duration::from_millis(300),
            release_on_cancel: true,
        },
        print: false,
        ..Options::default()
    }
}

async fn converge(client: &kube::Client, what: &str) {
    let started = std::time::Instant::now();
    loop {
        match divergence(client, NS, true).await {
            Ok(off) if off.is_empty() => return,
            Ok(off) if started.elapsed() > Duration::from_secs(60) => panic!("not converged ({what}): {off:?}"),
            Err(err) if started.elapsed() > Duration::from_secs(60) => panic!("not converged ({what}): {err}"),
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

async fn scale(foos: &Api<Foo>, name: &str, replicas: i32) {
    let patch = serde_json::json!({"spec": {"replicas": replicas}});
    foos.patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
}

/// Starts the controller in this process; returns its stop switch, task and metrics registry.
fn start(
    client: &kube::Client,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
    Arc<Mutex<Registry>>,
) {
    let mut registry = Registry::default();
    let metrics = Metrics::register(&mut registry);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let client = client.clone();
    let task = tokio::spawn(async move {
        sample_controller::run(client, fast_options("in-process"), &metrics, async move {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    (stop, task, Arc::new(Mutex::new(registry)))
}

/// The part every server shares: creates, scales, deletes, and a Deployment deleted behind the
/// controller's back.
async fn creates_updates_deletes(client: &kube::Client) {
    let foos: Api<Foo> = Api::namespaced(client.clone(), NS);
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), NS);
    for i in 0..5 {
        foos.create(
            &PostParams::default(),
            &foo(&format!("foo-{i}"), &format!("foo-{i}-deploy"), 1 + i % 3),
        )
        .await
        .unwrap();
    }
    converge(client, "five Foos created").await;
    scale(&foos, "foo-1", 4).await;
    scale(&foos, "foo-2", 1).await;
    converge(client, "two Foos scaled").await;
    foos.delete("foo-4", &DeleteParams::default()).await.unwrap();
    deployments
        .delete("foo-0-deploy", &DeleteParams::default())
        .await
        .unwrap();
    converge(client, "a Foo deleted, a Deployment recreated").await;
    assert!(deployments.get_opt("foo-0-deploy").await.unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converges_on_the_fake_server_through_410_restarts_and_failed_writes() {
    let server = kube_fake_apiserver::FakeApiServer::start().await.unwrap();
    let client = server.client().unwrap();
    let stand_in = tokio::spawn(sample_controller::simulate_deployment_controller(
        client.clone(),
        Duration::from_millis(100),
    ));
    let (stop, task, registry) = start(&client);
    creates_updates_deletes(&client).await;
    let foos: Api<Foo> = Api::namespaced(client.clone(), NS);

    // 410: the Foo watch is cut (and its next request fails, so it waits) and the history
    // compacted while Foos change: it must relist.
    server.fail_next("/apis/samplecontroller.k8s.io/v1alpha1/foos", 1, 503);
    server.drop_watches();
    scale(&foos, "foo-3", 3).await;
    server.compact();
    foos.create(&PostParams::default(), &foo("after-410", "after-410-deploy", 2))
        .await
        .unwrap();
    converge(&client, "after a 410").await;

    // A restart of the server.
    server.restart().await.unwrap();
    scale(&foos, "foo-1", 2).await;
    converge(&client, "after a restart").await;

    // Failed writes: the controller's Deployment creates fail three times, then succeed.
    server.fail_next("/apis/apps/v1/namespaces/default/deployments", 3, 500);
    foos.create(
        &PostParams::default(),
        &foo("after-failures", "after-failures-deploy", 3),
    )
    .await
    .unwrap();
    converge(&client, "after failed writes").await;
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &registry.lock().unwrap()).unwrap();
    let errors = text
        .lines()
        .find(|l| l.starts_with("controller_reconcile_errors_total{controller=\"sample-controller\"}"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap();
    assert!(errors >= 1, "the failed writes were retried as errors:\n{text}");
    let relists = text
        .lines()
        .find(|l| l.starts_with("informer_relists_total{informer=\"foos\"}"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap();
    assert!(relists >= 1, "the Foo informer relisted after the 410:\n{text}");

    // Events were recorded for the Foos.
    let events: Api<k8s_openapi::api::events::v1::Event> = Api::namespaced(client.clone(), NS);
    let synced = events
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| {
            e.reason.as_deref() == Some("Synced") && e.regarding.as_ref().and_then(|r| r.kind.as_deref()) == Some("Foo")
        })
        .count();
    assert!(synced >= 5, "{synced} Synced events");

    stop.send(()).unwrap();
    task.await.unwrap();
    stand_in.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converges_on_a_real_control_plane_through_compaction_and_restarts() {
    let mut cp = kube_envtest::ControlPlane::start()
        .await
        .expect("a control plane: run `cargo xtask control-plane` first");
    cp.install_crd(&sample_controller::crd()).await.unwrap();
    let client = cp.client();
    let stand_in = tokio::spawn(sample_controller::simulate_deployment_controller(
        client.clone(),
        Duration::from_millis(200),
    ));
    let (stop, task, registry) = start(&client);
    creates_updates_deletes(&client).await;
    let foos: Api<Foo> = Api::namespaced(client.clone(), NS);

    // etcd compacted, then kube-apiserver restarted: watches resume from compacted versions
    // (410) while Foos change.
    cp.compact_etcd().await.unwrap();
    cp.restart_apiserver().await.unwrap();
    scale(&foos, "foo-3", 3).await;
    foos.create(&PostParams::default(), &foo("after-restart", "after-restart-deploy", 2))
        .await
        .unwrap();
    converge(&client, "after compaction and a restart").await;

    // Failed writes, refused by the real server's own admission: a ValidatingAdmissionPolicy
    // (in-process CEL, no webhook) denies every Deployment create until its binding is deleted.
    let errors = || {
        counter(
            &registry,
            "controller_reconcile_errors_total",
            &[("controller", "sample-controller")],
        )
        .unwrap_or(0)
    };
    let errors_before = errors();
    let refusal = RefuseDeploymentCreates::install(&client).await;
    foos.create(&PostParams::default(), &foo("refused", "refused-deploy", 1))
        .await
        .unwrap();
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), NS);
    let started = std::time::Instant::now();
    while errors() < errors_before + 2 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the refused Deployment create was not retried as an error"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(deployments.get_opt("refused-deploy").await.unwrap().is_none());
    refusal.remove().await;
    converge(&client, "after writes refused by admission").await;

    stop.send(()).unwrap();
    task.await.unwrap();
    stand_in.abort();
}

/// A ValidatingAdmissionPolicy and its binding that make kube-apiserver refuse every Deployment
/// create; installed once a dry-run create is refused (policies take effect within a second).
struct RefuseDeploymentCreates {
    bindings: Api<kube::core::DynamicObject>,
}

impl RefuseDeploymentCreates {
    async fn install(client: &kube::Client) -> Self {
        use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
        let resource = |kind: &str, plural: &str| {
            ApiResource::from_gvk_with_plural(
                &GroupVersionKind::gvk("admissionregistration.k8s.io", "v1", kind),
                plural,
            )
        };
        let policies: Api<DynamicObject> = Api::all_with(
            client.clone(),
            &resource("ValidatingAdmissionPolicy", "validatingadmissionpolicies"),
        );
        let bindings: Api<DynamicObject> = Api::all_with(
            client.clone(),
            &resource("ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings"),
        );
        let policy: DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
            "metadata": {"name": "refuse-deployment-creates"},
            "spec": {
                "failurePolicy": "Fail",
                "matchConstraints": {"resourceRules": [{"apiGroups": ["apps"], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["deployments"]}]},
                "validations": [{"expression": "false", "message": "Deployment creates are refused by the test"}],
            },
        }))
        .unwrap();
        policies.create(&PostParams::default(), &policy).await.unwrap();
        let binding: DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
            "metadata": {"name": "refuse-deployment-creates"},
            "spec": {"policyName": "refuse-deployment-creates", "validationActions": ["Deny"]},
        }))
        .unwrap();
        bindings.create(&PostParams::default(), &binding).await.unwrap();
        let deployments: Api<Deployment> = Api::namespaced(client.clone(), NS);
        let probe: Deployment = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "admission-probe"},
            "spec": {"selector": {"matchLabels": {"probe": "yes"}}, "template": {"metadata": {"labels": {"probe": "yes"}}, "spec": {"containers": [{"name": "c", "image": "c"}]}}},
        }))
        .unwrap();
        let dry_run = PostParams {
            dry_run: true,
            ..PostParams::default()
        };
        for _ in 0..300 {
            if deployments.create(&dry_run, &probe).await.is_err() {
                return RefuseDeploymentCreates { bindings };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the ValidatingAdmissionPolicy did not take effect within 30 s");
    }

    async fn remove(self) {
        self.bindings
            .delete("refuse-deployment-creates", &DeleteParams::default())
            .await
            .unwrap();
    }
}

/// The value of one counter sample in the registry's exposition, read strictly (see
/// [`openmetrics::parse`]), if the sample is there (a labelled counter appears once it was first
/// counted).
fn counter(registry: &Mutex<Registry>, name: &str, labels: &[(&str, &str)]) -> Option<u64> {
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &registry.lock().unwrap()).unwrap();
    let value = openmetrics::sample(&openmetrics::parse(&text), name, labels)?;
    assert!(value >= 0.0 && value.fract() == 0.0, "{name} {labels:?}: {value}");
    Some(value as u64)
}

/// Scrapes the replica's `/metrics` over HTTP, as Prometheus would, and checks the answer
/// strictly: status, OpenMetrics content type, `# EOF` last, every sample under a `# TYPE` of
/// its family, and every family issue 13 names with its type, with the leading replica's values.
async fn check_served_metrics(replica: &Replica) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = replica
        .lines
        .lock()
        .unwrap()
        .iter()
        .find_map(|l| {
            l.strip_prefix("serving metrics at http://")?
                .strip_suffix("/metrics")
                .map(str::to_owned)
        })
        .expect("the replica says where it serves /metrics");
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/openmetrics-text; version=1.0.0; charset=utf-8"),
        "{head}"
    );
    let families = openmetrics::parse(body);
    for (family, kind) in [
        ("workqueue_depth", "gauge"),
        ("workqueue_adds", "counter"),
        ("workqueue_queue_duration_seconds", "histogram"),
        ("workqueue_work_duration_seconds", "histogram"),
        ("workqueue_unfinished_work_seconds", "gauge"),
        ("workqueue_longest_running_processor_seconds", "gauge"),
        ("workqueue_retries", "counter"),
        ("controller_reconcile", "counter"),
        ("controller_reconcile_errors", "counter"),
        ("leader_election_master_status", "gauge"),
        ("informer_list_requests", "counter"),
        ("informer_watch_requests", "counter"),
        ("informer_relists", "counter"),
        ("informer_events_applied", "counter"),
        ("informer_objects_cached", "gauge"),
        ("informer_last_synced_resource_version_info", "gauge"),
    ] {
        assert_eq!(
            families.get(family).map(|f| f.kind.as_str()),
            Some(kind),
            "{family} in:\n{body}"
        );
    }
    let value = |family: &str, kind: &str, sample: &str, labels: &[(&str, &str)]| {
        openmetrics::value(&families, family, kind, sample, labels)
    };
    assert_eq!(
        value(
            "leader_election_master_status",
            "gauge",
            "leader_election_master_status",
            &[("name", "sample-controller")]
        ),
        1.0
    );
    assert_eq!(
        value(
            "informer_objects_cached",
            "gauge",
            "informer_objects_cached",
            &[("informer", "foos")]
        ),
        4.0
    );
    assert!(
        value(
            "controller_reconcile",
            "counter",
            "controller_reconcile_total",
            &[("controller", "sample-controller"), ("result", "success")]
        ) >= 1.0
    );
}

/// A `sample-controller --controller-only` process whose stdout lines are collected.
struct Replica {
    name: &'static str,
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

fn replica(name: &'static str, kubeconfig: &std::path::Path) -> Replica {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sample-controller"))
        .args(["--kubeconfig"])
        .arg(kubeconfig)
        .args(["--controller-only", "--identity", name, "--election", "2000,1500,300"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let lines: Arc<Mutex<Vec<String>>> = Arc::default();
    let l = lines.clone();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            l.lock().unwrap().push(line);
        }
    });
    Replica { name, child, lines }
}

impl Replica {
    fn said(&self, text: &str) -> bool {
        self.lines.lock().unwrap().iter().any(|l| l.contains(text))
    }
}

async fn until(what: &str, check: impl Fn() -> bool) {
    for _ in 0..600 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for: {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_a_real_control_plane_hand_over_when_the_leader_is_killed() {
    let cp = kube_envtest::ControlPlane::start()
        .await
        .expect("a control plane: run `cargo xtask control-plane` first");
    cp.install_crd(&sample_controller::crd()).await.unwrap();
    let kubeconfig = cp.write_kubeconfig().unwrap();
    let client = cp.client();
    let stand_in = tokio::spawn(sample_controller::simulate_deployment_controller(
        client.clone(),
        Duration::from_millis(200),
    ));
    let first = replica("replica-1", &kubeconfig);
    until("replica-1 leads", || first.said("replica-1 started leading")).await;
    let second = replica("replica-2", &kubeconfig);
    until("replica-2 sees the leader", || second.said("replica-1 is the leader")).await;

    let foos: Api<Foo> = Api::namespaced(client.clone(), NS);
    for i in 0..3 {
        foos.create(
            &PostParams::default(),
            &foo(&format!("p-{i}"), &format!("p-{i}-deploy"), 2),
        )
        .await
        .unwrap();
    }
    converge(&client, "reconciled by replica-1").await;
    assert!(first.said("reconcile default/p-0: created Deployment"));
    assert!(!second.said("reconcile "), "the follower reconciled");

    let (mut leader, follower) = (first, second);
    leader.child.kill().unwrap();
    leader.child.wait().unwrap();
    let killed = std::time::Instant::now();
    until("replica-2 takes over", || follower.said("replica-2 started leading")).await;
    let handover = killed.elapsed();
    scale(&foos, "p-1", 5).await;
    foos.create(&PostParams::default(), &foo("p-3", "p-3-deploy", 1))
        .await
        .unwrap();
    converge(&client, "reconciled by replica-2").await;
    assert!(follower.said("reconcile default/p-3: created Deployment"));
    println!("{} killed; {} took over after {handover:?}", leader.name, follower.name);
    assert!(handover < Duration::from_secs(6), "handover took {handover:?}");
    check_served_metrics(&follower).await;

    let mut follower = follower;
    follower.child.kill().unwrap();
    follower.child.wait().unwrap();
    stand_in.abort();
}
