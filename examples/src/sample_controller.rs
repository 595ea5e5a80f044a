//! The Rust counterpart of kubernetes/sample-controller: a `Foo` custom resource owns a
//! Deployment of `spec.replicas` replicas named `spec.deploymentName`; the controller creates
//! and scales it, reports `status.availableReplicas`, and records events. Built on generated
//! informers, kube-controller's workqueue, controller loop, leader election and metrics.

// kubernetes/sample-controller's kind is called Foo, so its variables are `foo`.
#![allow(clippy::disallowed_names)]

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::Resource;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use kube_controller::leaderelection::{LeaderElectionConfig, LeaderElector, LeaseLock};
use kube_controller::workqueue::{Queue, RateLimitingQueue, default_controller_rate_limiter};
use kube_controller::{Action, Controller, Metrics, ObjectRef, enqueue_keys, enqueue_owner};
use kube_informer::Lister;
use serde::{Deserialize, Serialize};

use crate::informers::SharedInformerFactory;

/// The spec of a [`Foo`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FooSpec {
    /// The name of the Deployment the Foo owns.
    #[serde(default)]
    pub deployment_name: String,
    /// How many replicas it should have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
}

/// The status of a [`Foo`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FooStatus {
    /// The available replicas of its Deployment.
    #[serde(default)]
    pub available_replicas: i32,
}

/// sample-controller's custom resource.
#[derive(Clone, Debug, Default, PartialEq, kube_scheme::Kind)]
#[kind(
    group = "samplecontroller.k8s.io",
    version = "v1alpha1",
    kind = "Foo",
    plural = "foos",
    namespaced
)]
pub struct Foo {
    /// Standard object metadata.
    pub metadata: ObjectMeta,
    /// What the user wants.
    pub spec: FooSpec,
    /// What the controller saw.
    #[serde(default)]
    pub status: Option<FooStatus>,
}

/// sample-controller's `artifacts/examples/crd-status-subresource.yaml`, for real clusters.
pub fn crd() -> CustomResourceDefinition {
    serde_json::from_value(serde_json::json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": "foos.samplecontroller.k8s.io",
            // *.k8s.io groups are protected; sample-controller's own CRD says this.
            "annotations": {"api-approved.kubernetes.io": "unapproved, experimental-only; please get an approval from Kubernetes API reviewers if you're trying to develop a CRD in the *.k8s.io or *.kubernetes.io groups"}
        },
        "spec": {
            "group": "samplecontroller.k8s.io",
            "names": {"kind": "Foo", "plural": "foos", "singular": "foo", "listKind": "FooList"},
            "scope": "Namespaced",
            "versions": [{
                "name": "v1alpha1", "served": true, "storage": true,
                "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "properties": {
                        "spec": {"type": "object", "properties": {
                            "deploymentName": {"type": "string"},
                            "replicas": {"type": "integer", "minimum": 1, "maximum": 10}
                        }},
                        "status": {"type": "object", "properties": {
                            "availableReplicas": {"type": "integer"}
                        }}
                    }
                }}
            }]
        }
    }))
    .expect("a valid CRD")
}

/// A Foo named `name` wanting `replicas` replicas of the Deployment `deployment`.
pub fn foo(name: &str, deployment: &str, replicas: i32) -> Foo {
    Foo {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..ObjectMeta::default()
        },
        spec: FooSpec {
            deployment_name: deployment.into(),
            replicas: Some(replicas),
        },
        status: None,
    }
}

/// The Deployment a Foo wants (sample-controller's `newDeployment`), controlled by it.
pub fn new_deployment(foo: &Foo) -> Deployment {
    let mut deployment = crate::deployment(
        &foo.spec.deployment_name,
        "nginx",
        foo.spec.replicas.unwrap_or(1),
        "nginx:latest",
    );
    let labels = [
        ("app".to_string(), "nginx".to_string()),
        ("controller".to_string(), foo.metadata.name.clone().unwrap_or_default()),
    ];
    deployment.metadata.labels = Some(labels.clone().into());
    deployment.metadata.namespace = foo.metadata.namespace.clone();
    deployment.spec.selector.match_labels = Some(labels.clone().into());
    deployment.spec.template.metadata.as_mut().unwrap().labels = Some(labels.into());
    deployment.metadata.owner_references = Some(vec![OwnerReference {
        api_version: Foo::api_version(&()).into(),
        kind: Foo::kind(&()).into(),
        name: foo.metadata.name.clone().unwrap_or_default(),
        uid: foo.metadata.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }]);
    deployment
}

/// Why a reconcile failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// A call to the API server failed.
    #[error("{what} {namespace}/{name}: {source}")]
    Api {
        /// What was asked.
        what: &'static str,
        /// The namespace.
        namespace: String,
        /// The name.
        name: String,
        /// The error.
        source: kube::Error,
    },
    /// The Deployment exists and another owner controls it (sample-controller's
    /// `ErrResourceExists`).
    #[error("Resource {namespace}/{name} already exists and is not managed by Foo")]
    NotOurs {
        /// The namespace.
        namespace: String,
        /// The Deployment.
        name: String,
    },
}

/// Runs the controller's reconcile for one key: what sample-controller's `syncHandler` does.
struct Syncer {
    client: kube::Client,
    foos: Lister<Foo>,
    deployments: Lister<Deployment>,
    recorder: Recorder,
    print: bool,
}

impl Syncer {
    async fn sync(&self, key: ObjectRef) -> Result<Action, SyncError> {
        let namespace = key.namespace.clone().unwrap_or_default();
        let Ok(foo) = self.foos.namespace(&namespace).get(&key.name) else {
            self.say(format!("reconcile {key}: the Foo no longer exists; nothing to do"));
            return Ok(Action::await_change());
        };
        let name = &foo.spec.deployment_name;
        if name.is_empty() {
            self.say(format!("reconcile {key}: spec.deploymentName must be specified"));
            return Ok(Action::await_change());
        }
        let api = |what| {
            let (namespace, name) = (namespace.clone(), name.clone());
            move |source| SyncError::Api {
                what,
                namespace,
                name,
                source,
            }
        };
        let deployments: Api<Deployment> = Api::namespaced(self.client.clone(), &namespace);
        let wanted = foo.spec.replicas.unwrap_or(1);
        let deployment = match self.deployments.namespace(&namespace).get(name) {
            Ok(d) => (*d).clone(),
            Err(_) => {
                let created = deployments
                    .create(&PostParams::default(), &new_deployment(&foo))
                    .await
                    .map_err(api("creating Deployment"))?;
                self.say(format!(
                    "reconcile {key}: created Deployment {namespace}/{name} with {wanted} replicas"
                ));
                created
            }
        };
        let controlled = kube_controller::controller_owner_key(&deployment, "samplecontroller.k8s.io/v1alpha1", "Foo")
            .is_some_and(|owner| owner.name == key.name);
        if !controlled {
            let err = SyncError::NotOurs {
                namespace: namespace.clone(),
                name: name.clone(),
            };
            self.event(&foo, EventType::Warning, "ErrResourceExists", err.to_string())
                .await;
            return Err(err);
        }
        let deployment = if deployment.spec.replicas != Some(wanted) {
            let mut updated = deployment.clone();
            let had = updated.spec.replicas.unwrap_or(0);
            updated.spec.replicas = Some(wanted);
            let written = deployments
                .replace(name, &PostParams::default(), &updated)
                .await
                .map_err(api("updating Deployment"))?;
            self.say(format!(
                "reconcile {key}: scaled Deployment {namespace}/{name} from {had} to {wanted} replicas"
            ));
            written
        } else {
            deployment
        };
        let available = deployment
            .status
            .as_ref()
            .and_then(|s| s.available_replicas)
            .unwrap_or(0);
        if foo.status.as_ref().map(|s| s.available_replicas) != Some(available) {
            let foos: Api<Foo> = Api::namespaced(self.client.clone(), &namespace);
            let patch = serde_json::json!({"status": {"availableReplicas": available}});
            foos.patch_status(&key.name, &PatchParams::default(), &Patch::Merge(&patch))
                .await
                .map_err(|source| SyncError::Api {
                    what: "updating the status of Foo",
                    namespace: namespace.clone(),
                    name: key.name.clone(),
                    source,
                })?;
            self.say(format!("reconcile {key}: status.availableReplicas = {available}"));
        }
        self.event(&foo, EventType::Normal, "Synced", "Foo synced successfully".into())
            .await;
        Ok(Action::await_change())
    }

    fn say(&self, line: String) {
        if self.print {
            println!("{line}");
        }
    }

    async fn event(&self, foo: &Foo, type_: EventType, reason: &str, note: String) {
        let event = Event {
            type_,
            reason: reason.into(),
            note: Some(note),
            action: "Sync".into(),
            secondary: None,
        };
        if let Err(err) = self.recorder.publish(&event, &foo.object_ref(&())).await {
            tracing::warn!(%err, "recording an event failed");
        }
    }
}

/// How to run the sample controller.
#[derive(Clone, Debug)]
pub struct Options {
    /// This replica's identity in the election.
    pub identity: String,
    /// Where the Lease lives.
    pub lease_namespace: String,
    /// Election timing.
    pub election: LeaderElectionConfig,
    /// Workers.
    pub workers: usize,
    /// Print what each reconcile did.
    pub print: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            identity: format!("sample-controller-{}", std::process::id()),
            lease_namespace: "default".into(),
            election: LeaderElectionConfig {
                release_on_cancel: true,
                ..LeaderElectionConfig::default()
            },
            workers: 2,
            print: true,
        }
    }
}

/// Runs the sample controller until `shutdown`: generated informers for Deployments and the
/// factory's informer for Foos, Foo keys from both (Deployments through their controlling
/// Foo), leader election, metrics into `metrics`.
pub async fn run(
    client: kube::Client,
    options: Options,
    metrics: &Metrics,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> Result<(), kube_controller::leaderelection::LeaderElectionError> {
    let factory = SharedInformerFactory::new(client.clone(), Duration::from_secs(30));
    let deployments = factory.apps().v1().deployments();
    let foos = factory.factory().informer::<Foo>();
    metrics.watch_informer("deployments", &deployments.informer());
    metrics.watch_informer("foos", &foos);
    let queue = RateLimitingQueue::from_queue(Queue::with_metrics("foos", metrics), default_controller_rate_limiter());
    foos.add_event_handler(enqueue_keys(queue.clone()));
    deployments
        .informer()
        .add_event_handler(enqueue_owner::<Foo, _>(queue.clone()));
    factory.start();

    let identity = options.identity.clone();
    let print = options.print;
    let elector = LeaderElector::new(
        LeaseLock::new(client.clone(), &options.lease_namespace, "sample-controller", &identity),
        options.election,
    )?
    .on_started_leading(move || {
        if print {
            println!("leader election: {identity} started leading");
        }
    })
    .on_new_leader(move |who| {
        if print {
            println!("leader election: {who} is the leader");
        }
    });
    let syncer = Arc::new(Syncer {
        recorder: Recorder::new(
            client.clone(),
            Reporter {
                controller: "sample-controller".into(),
                instance: Some(options.identity.clone()),
            },
        ),
        client,
        foos: foos.lister(),
        deployments: deployments.informer().lister(),
        print: options.print,
    });
    let reconcile = move |key: ObjectRef| {
        let syncer = syncer.clone();
        async move { syncer.sync(key).await }
    };
    let error_policy = move |key: &ObjectRef, err: &SyncError, retries: u32| {
        if print {
            println!("reconcile {key} failed (retry {retries}): {err}");
        }
        Action::requeue_with_backoff()
    };
    Controller::new(queue, reconcile, error_policy)
        .name("sample-controller")
        .workers(options.workers)
        .wait_for(&foos)
        .wait_for(&deployments.informer())
        .leader_election(elector)
        .metrics(metrics)
        .run(shutdown)
        .await;
    factory.shutdown().await;
    Ok(())
}

/// Stands in for kube-controller-manager's Deployment controller, which neither the fake
/// server nor a bare control plane runs: sets every Deployment's `status.availableReplicas`
/// to its `spec.replicas`, checking every `period`.
pub async fn simulate_deployment_controller(client: kube::Client, period: Duration) {
    let api: Api<Deployment> = Api::all(client.clone());
    loop {
        if let Ok(list) = api.list(&Default::default()).await {
            for d in list.items {
                let wanted = d.spec.replicas.unwrap_or(1);
                let have = d.status.as_ref().and_then(|s| s.available_replicas);
                if have == Some(wanted) {
                    continue;
                }
                let (Some(ns), Some(name)) = (d.metadata.namespace.as_deref(), d.metadata.name.as_deref()) else {
                    continue;
                };
                let patch = serde_json::json!({"status": {"replicas": wanted, "availableReplicas": wanted, "readyReplicas": wanted}});
                let api: Api<Deployment> = Api::namespaced(client.clone(), ns);
                let _ = api
                    .patch_status(name, &PatchParams::default(), &Patch::Merge(&patch))
                    .await;
            }
        }
        tokio::time::sleep(period).await;
    }
}

/// Whether every Foo in `namespace` has converged: its Deployment exists with the right
/// replicas and the Foo as controlling owner, and its status reports the Deployment's
/// available replicas (all of them, with `all_available`, when a Deployment controller or its
/// stand-in runs). Returns what is still off, if anything.
pub async fn divergence(
    client: &kube::Client,
    namespace: &str,
    all_available: bool,
) -> Result<Vec<String>, kube::Error> {
    let foos: Api<Foo> = Api::namespaced(client.clone(), namespace);
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), namespace);
    let mut off = Vec::new();
    for foo in foos.list(&Default::default()).await?.items {
        let name = foo.metadata.name.clone().unwrap_or_default();
        let Some(d) = deployments.get_opt(&foo.spec.deployment_name).await? else {
            off.push(format!("{name}: no Deployment {}", foo.spec.deployment_name));
            continue;
        };
        let owner = kube_controller::controller_owner_key(&d, "samplecontroller.k8s.io/v1alpha1", "Foo");
        let owner_uid = d
            .metadata
            .owner_references
            .iter()
            .flatten()
            .find(|r| r.controller == Some(true))
            .map(|r| r.uid.clone());
        if owner.map(|o| o.name) != Some(name.clone()) || owner_uid != foo.metadata.uid {
            off.push(format!("{name}: Deployment not controlled by it"));
        }
        let replicas = d.spec.replicas;
        if replicas != foo.spec.replicas {
            off.push(format!(
                "{name}: Deployment has {replicas:?} replicas, wants {:?}",
                foo.spec.replicas
            ));
        }
        let available = d.status.as_ref().and_then(|s| s.available_replicas).unwrap_or(0);
        if all_available && Some(available) != foo.spec.replicas {
            off.push(format!(
                "{name}: {available} of {:?} replicas available",
                foo.spec.replicas
            ));
        }
        if foo.status.as_ref().map(|s| s.available_replicas) != Some(available) {
            off.push(format!(
                "{name}: status {:?}, Deployment has {available} available",
                foo.status
            ));
        }
    }
    Ok(off)
}
