//! Shared pieces of the examples: the generated informers, connecting to the embedded fake API
//! server (seeded with realistic objects) or to a real cluster with `--kubeconfig PATH`, and
//! the seed objects themselves.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    Container, Event, EventSource, Namespace, ObjectReference, Pod, PodSpec, PodStatus, PodTemplateSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use kube::api::{Api, PostParams};
use kube_fake_apiserver::FakeApiServer;

/// The generated informers, listers and factory for every built-in kind.
pub mod informers {
    kube_informer::include_informers!();
}

pub mod sample_controller;

/// The namespace the examples work in.
pub const NAMESPACE: &str = "shop";

/// Where an example runs: the embedded fake server (kept alive here) or a real cluster.
pub struct Target {
    /// A client for it.
    pub client: kube::Client,
    /// The embedded server, when no `--kubeconfig` was given.
    pub fake: Option<FakeApiServer>,
}

/// Connects as the command line says: `--kubeconfig PATH` for a real cluster, else an embedded
/// fake API server. Either way the `shop` namespace is created and seeded.
pub async fn connect() -> Result<Target, Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let kubeconfig = args
        .iter()
        .position(|a| a == "--kubeconfig")
        .and_then(|i| args.get(i + 1));
    let target = match kubeconfig {
        Some(path) => {
            let kubeconfig = kube::config::Kubeconfig::read_from(path)?;
            let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default()).await?;
            println!("connected to {} (kubeconfig {path})", config.cluster_url);
            Target {
                client: kube::Client::try_from(config)?,
                fake: None,
            }
        }
        None => {
            let server = FakeApiServer::start().await?;
            println!("started the embedded fake API server at {}", server.url());
            Target {
                client: server.client()?,
                fake: Some(server),
            }
        }
    };
    seed(&target.client).await?;
    Ok(target)
}

fn labels(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
    Some(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

/// A deployment as `kubectl create deployment` makes it.
pub fn deployment(name: &str, app: &str, replicas: i32, image: &str) -> Deployment {
    Deployment {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: labels(&[("app", app)]),
            ..Default::default()
        },
        spec: DeploymentSpec {
            replicas: Some(replicas),
            selector: LabelSelector {
                match_labels: labels(&[("app", app)]),
                ..Default::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: labels(&[("app", app)]),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    containers: vec![Container {
                        name: app.into(),
                        image: Some(image.into()),
                        ..Default::default()
                    }],
                    ..Default::default()
                }),
            },
            ..Default::default()
        },
        ..Default::default()
    }
}

fn pod(name: &str, app: &str, node: &str, image: &str) -> Pod {
    Pod {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: labels(&[("app", app), ("pod-template-hash", "7c9d6b5f4")]),
            ..Default::default()
        },
        spec: Some(PodSpec {
            node_name: Some(node.into()),
            containers: vec![Container {
                name: app.into(),
                image: Some(image.into()),
                ..Default::default()
            }],
            ..Default::default()
        }),
        status: Some(PodStatus {
            phase: Some("Running".into()),
            ..Default::default()
        }),
    }
}

fn event(name: &str, pod: &str, reason: &str, message: &str) -> Event {
    Event {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        },
        involved_object: ObjectReference {
            kind: Some("Pod".into()),
            name: Some(pod.into()),
            namespace: Some(NAMESPACE.into()),
            api_version: Some("v1".into()),
            ..Default::default()
        },
        reason: Some(reason.into()),
        message: Some(message.into()),
        type_: Some("Normal".into()),
        source: Some(EventSource {
            component: Some("kubelet".into()),
            host: Some("node-1".into()),
        }),
        count: Some(1),
        ..Default::default()
    }
}

/// Creates the `shop` namespace with deployments, pods and events, like a small real shop.
pub async fn seed(client: &kube::Client) -> Result<(), kube::Error> {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(NAMESPACE.into()),
            ..Default::default()
        },
        ..Default::default()
    };
    match namespaces.create(&PostParams::default(), &ns).await {
        Ok(_) => {}
        Err(kube::Error::Api(s)) if s.code == 409 => {}
        Err(e) => return Err(e),
    }
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), NAMESPACE);
    let pods: Api<Pod> = Api::namespaced(client.clone(), NAMESPACE);
    let events: Api<Event> = Api::namespaced(client.clone(), NAMESPACE);
    let create = PostParams::default();
    for (name, app, replicas, image) in [
        ("web", "web", 2, "nginx:1.27"),
        ("api", "api", 1, "shop/api:3.4"),
        ("db", "db", 1, "postgres:17"),
    ] {
        ignore_exists(
            deployments
                .create(&create, &deployment(name, app, replicas, image))
                .await,
        )?;
    }
    for (name, app, node, image) in [
        ("web-7c9d6b5f4-x2kqp", "web", "node-1", "nginx:1.27"),
        ("web-7c9d6b5f4-m8zlc", "web", "node-2", "nginx:1.27"),
        ("api-5f6d8b9c7-q4wrt", "api", "node-1", "shop/api:3.4"),
        ("db-0", "db", "node-2", "postgres:17"),
    ] {
        ignore_exists(pods.create(&create, &pod(name, app, node, image)).await)?;
    }
    for (name, pod, reason, message) in [
        (
            "web-7c9d6b5f4-x2kqp.1",
            "web-7c9d6b5f4-x2kqp",
            "Scheduled",
            "Successfully assigned shop/web-7c9d6b5f4-x2kqp to node-1",
        ),
        (
            "web-7c9d6b5f4-x2kqp.2",
            "web-7c9d6b5f4-x2kqp",
            "Pulled",
            "Container image \"nginx:1.27\" already present on machine",
        ),
        (
            "db-0.1",
            "db-0",
            "Pulled",
            "Successfully pulled image \"postgres:17\" in 4.2s",
        ),
    ] {
        ignore_exists(events.create(&create, &event(name, pod, reason, message)).await)?;
    }
    Ok(())
}

fn ignore_exists<T>(result: Result<T, kube::Error>) -> Result<(), kube::Error> {
    match result {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 409 => Ok(()),
        Err(e) => Err(e),
    }
}

/// A new event object for `pod` (used by the event-informer example to show a live `Pulled`).
pub fn pulled_event(name: &str, pod: &str, image: &str) -> Event {
    event(
        name,
        pod,
        "Pulled",
        &format!("Successfully pulled image \"{image}\" in 1.1s"),
    )
}

/// The embedded fake server's pod object for `name`, used to add pods while an example runs.
pub fn new_pod(name: &str, app: &str) -> Pod {
    pod(name, app, "node-3", "nginx:1.27")
}
