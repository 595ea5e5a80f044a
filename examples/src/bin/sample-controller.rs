//! kubernetes/sample-controller in Rust: `Foo` custom resources own Deployments; the
//! controller creates and scales them, reports `status.availableReplicas` and records events,
//! with leader election on a Lease and Prometheus metrics served at `/metrics`.
//!
//! `cargo run -p examples --bin sample-controller [-- --kubeconfig PATH]` runs a demo on the
//! embedded fake API server (or a real cluster): creates three Foos, shows the reconciles,
//! scales one, deletes one, prints a few metrics and ends. Options:
//! - `--controller-only`: no demo; reconcile until killed (for several replicas).
//! - `--identity NAME`: this replica's identity in the election (default: by process id).
//! - `--election LEASE_MS,RENEW_MS,RETRY_MS`: election timing (default 15000,10000,2000).
//! - `--simulate-deployments`: stand in for the Deployment controller, which sets
//!   `status.availableReplicas` (on by default on the embedded server, which has none).
//! - `--metrics-addr ADDR`: where to serve `/metrics` (default `127.0.0.1:0`, printed).

use std::sync::Arc;
use std::time::Duration;

use examples::sample_controller::{self, Foo, Options, divergence, foo};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube_controller::Metrics;
use prometheus_client::registry::Registry;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const NAMESPACE: &str = "default";

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn flag(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}

/// Serves the registry as OpenMetrics text at `/metrics`; returns the bound address.
async fn serve_metrics(
    registry: Arc<Registry>,
    addr: &str,
) -> Result<std::net::SocketAddr, Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let registry = registry.clone();
            async move {
                let mut text = String::new();
                match prometheus_client::encoding::text::encode(&mut text, &registry) {
                    Ok(()) => (
                        [(
                            axum::http::header::CONTENT_TYPE,
                            "application/openmetrics-text; version=1.0.0; charset=utf-8",
                        )],
                        text,
                    )
                        .into_response(),
                    Err(_) => axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                }
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(bound)
}

use axum::response::IntoResponse;

/// A plain HTTP/1.0 GET of our own `/metrics`.
async fn scrape(addr: std::net::SocketAddr) -> Result<String, std::io::Error> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream
        .write_all(b"GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    Ok(response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default())
}

async fn wait_converged(
    client: &kube::Client,
    what: &str,
    all_available: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let started = std::time::Instant::now();
    loop {
        let off = divergence(client, NAMESPACE, all_available).await?;
        if off.is_empty() {
            println!("converged: {what}");
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(60) {
            return Err(format!("not converged after 60 s ({what}): {off:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Creates the Foo CRD on a real cluster unless it exists, and waits until Foos are served.
async fn install_crd(client: &kube::Client) -> Result<(), Box<dyn std::error::Error>> {
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    match crds.create(&PostParams::default(), &sample_controller::crd()).await {
        Ok(_) => println!("installed CRD foos.samplecontroller.k8s.io"),
        Err(kube::Error::Api(s)) if s.code == 409 => {}
        Err(err) => return Err(err.into()),
    }
    let foos: Api<Foo> = Api::all(client.clone());
    for _ in 0..300 {
        if foos.list(&Default::default()).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err("the Foo CRD was not served after 30 s".into())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, fake) = match arg("--kubeconfig") {
        Some(path) => {
            let kubeconfig = kube::config::Kubeconfig::read_from(&path)?;
            let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default()).await?;
            println!("connected to {} (kubeconfig {path})", config.cluster_url);
            let client = kube::Client::try_from(config)?;
            install_crd(&client).await?;
            (client, None)
        }
        None => {
            let server = kube_fake_apiserver::FakeApiServer::start().await?;
            println!("started the embedded fake API server at {}", server.url());
            (server.client()?, Some(server))
        }
    };

    let mut options = Options::default();
    if let Some(identity) = arg("--identity") {
        options.identity = identity;
    }
    if let Some(timing) = arg("--election") {
        let ms: Vec<u64> = timing.split(',').map(str::parse).collect::<Result<_, _>>()?;
        let [lease, renew, retry] = ms[..] else {
            return Err("--election takes LEASE_MS,RENEW_MS,RETRY_MS".into());
        };
        options.election.lease_duration = Duration::from_millis(lease);
        options.election.renew_deadline = Duration::from_millis(renew);
        options.election.retry_period = Duration::from_millis(retry);
    }
    let mut registry = Registry::default();
    let metrics = Metrics::register(&mut registry);
    let registry = Arc::new(registry);
    let metrics_addr = serve_metrics(registry, &arg("--metrics-addr").unwrap_or("127.0.0.1:0".into())).await?;
    println!("serving metrics at http://{metrics_addr}/metrics");

    let simulate = fake.is_some() || flag("--simulate-deployments");
    if simulate {
        tokio::spawn(sample_controller::simulate_deployment_controller(
            client.clone(),
            Duration::from_millis(200),
        ));
    }

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let controller = tokio::spawn({
        let (client, metrics) = (client.clone(), metrics.clone());
        async move {
            sample_controller::run(client, options, &metrics, async move {
                let _ = stopped.await;
            })
            .await
        }
    });
    if flag("--controller-only") {
        controller.await??;
        return Ok(());
    }

    let foos: Api<Foo> = Api::namespaced(client.clone(), NAMESPACE);
    for (name, replicas) in [("example-foo", 1), ("web", 2), ("api", 3)] {
        foos.create(
            &PostParams::default(),
            &foo(name, &format!("{name}-deployment"), replicas),
        )
        .await?;
        println!("created Foo {NAMESPACE}/{name} ({replicas} replicas)");
    }
    wait_converged(&client, "3 Foos, each with its Deployment and status", simulate).await?;

    let scale = serde_json::json!({"spec": {"replicas": 5}});
    foos.patch("web", &PatchParams::default(), &Patch::Merge(&scale))
        .await?;
    println!("changed Foo {NAMESPACE}/web to 5 replicas");
    wait_converged(&client, "web-deployment scaled to 5", simulate).await?;

    foos.delete("api", &DeleteParams::default()).await?;
    println!("deleted Foo {NAMESPACE}/api");
    tokio::time::sleep(Duration::from_millis(500)).await;

    let text = scrape(metrics_addr).await?;
    for line in text.lines() {
        let shown = [
            "workqueue_adds_total{",
            "controller_reconcile_total{controller=\"sample-controller\",result=\"success\"}",
            "leader_election_master_status{",
            "informer_objects_cached{informer=\"foos\"}",
        ];
        if shown.iter().any(|s| line.starts_with(s)) {
            println!("metrics: {line}");
        }
    }

    stop.send(()).ok();
    controller.await??;
    if let Some(server) = fake {
        server.shutdown().await;
    }
    println!("sample-controller: done");
    Ok(())
}
