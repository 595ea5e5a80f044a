//! The same scenarios, driven through kube-rs, against the fake API server and the real
//! kube-apiserver: both must observe the same status codes and reasons, list shapes, watch event
//! sequences and `410 Expired` for a resourceVersion from before a compaction.

mod common;

use std::collections::BTreeSet;

use common::{CronTab, configmap, status};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::{Client, ResourceExt};
use kube_envtest::ControlPlane;
use kube_fake_apiserver::FakeApiServer;
use serde_json::Value;

/// One of the two servers, with a way to make old resourceVersions expire.
enum Server {
    Fake(FakeApiServer),
    Real(Box<ControlPlane>),
}

impl Server {
    async fn fake() -> Self {
        let mut scheme = kube_scheme::Scheme::with_builtins();
        scheme.register::<CronTab>().unwrap();
        Server::Fake(FakeApiServer::builder().scheme(scheme).start().await.unwrap())
    }

    async fn real() -> Self {
        let control_plane = common::start().await;
        control_plane.install_crd_for::<CronTab>().await.unwrap();
        Server::Real(Box::new(control_plane))
    }

    fn client(&self) -> Client {
        match self {
            Server::Fake(fake) => fake.client().unwrap(),
            Server::Real(real) => real.client(),
        }
    }

    /// Drops the history before now, so a watch from an older resourceVersion gets 410.
    async fn expire_history(&mut self) {
        match self {
            Server::Fake(fake) => fake.compact(),
            Server::Real(real) => {
                real.compact_etcd().await.unwrap();
                real.restart_apiserver().await.unwrap();
            }
        }
    }
}

/// What a scenario saw, compared between the servers.
#[derive(Debug, PartialEq)]
struct Observed(Vec<String>);

impl Observed {
    fn see(&mut self, what: impl Into<String>) {
        self.0.push(what.into());
    }

    fn see_error(&mut self, step: &str, result: Result<impl std::fmt::Debug, kube::Error>) {
        let err = status(result.expect_err(step));
        let details = err
            .details
            .as_ref()
            .map(|d| format!("{}/{}/{}", d.group, d.kind, d.name))
            .unwrap_or_default();
        self.see(format!("{step}: {} {} {details}", err.code, err.reason));
    }
}

fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .map(|map| map.keys().filter(|key| *key != "managedFields").cloned().collect())
        .unwrap_or_default()
}

async fn get_raw(client: &Client, path: &str) -> Value {
    let request = http::Request::get(path).body(Vec::new()).unwrap();
    serde_json::from_str(&client.request_text(request).await.unwrap()).unwrap()
}

/// Errors: NotFound, AlreadyExists, Conflict and an invalid name, on a built-in and a CRD.
async fn errors(client: Client) -> Observed {
    let mut seen = Observed(Vec::new());
    let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let crontabs: Api<CronTab> = Api::namespaced(client.clone(), "default");
    seen.see_error("get missing configmap", configmaps.get("missing").await);
    seen.see_error("get missing crontab", crontabs.get("missing").await);
    seen.see_error(
        "delete missing configmap",
        configmaps.delete("missing", &DeleteParams::default()).await,
    );

    let created = configmaps
        .create(&PostParams::default(), &configmap("taken", "1"))
        .await
        .unwrap();
    seen.see_error(
        "create existing configmap",
        configmaps
            .create(&PostParams::default(), &configmap("taken", "1"))
            .await,
    );
    let mut stale = created.clone();
    configmaps
        .patch(
            "taken",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"data": {"v": "2"}})),
        )
        .await
        .unwrap();
    stale.data = Some([("v".to_string(), "3".to_string())].into());
    seen.see_error(
        "replace with a stale resourceVersion",
        configmaps.replace("taken", &PostParams::default(), &stale).await,
    );
    let invalid = configmaps
        .create(&PostParams::default(), &configmap("Bad_Name", "1"))
        .await;
    seen.see_error("create with an invalid name", invalid);
    seen
}

/// The keys of a list, its metadata, and its items and their metadata.
async fn list_shapes(client: Client) -> Observed {
    let mut seen = Observed(Vec::new());
    let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    configmaps
        .create(&PostParams::default(), &configmap("shape", "1"))
        .await
        .unwrap();
    let crontabs: Api<CronTab> = Api::namespaced(client.clone(), "default");
    crontabs
        .create(&PostParams::default(), &common::crontab("shape", "0 0 * * *"))
        .await
        .unwrap();
    for path in [
        "/api/v1/namespaces/default/configmaps",
        "/apis/stable.example.com/v1/namespaces/default/crontabs",
    ] {
        let list = get_raw(&client, path).await;
        seen.see(format!(
            "{path}: {:?} metadata {:?}",
            keys(&list),
            keys(&list["metadata"])
        ));
        for item in list["items"].as_array().unwrap() {
            seen.see(format!(
                "{path} item: {:?} metadata {:?}",
                keys(item),
                keys(&item["metadata"])
            ));
        }
    }
    seen
}

/// The watch events of a create, an update and a delete.
async fn watch_sequence(client: Client) -> Observed {
    let mut seen = Observed(Vec::new());
    let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let from = configmaps
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    let stream = configmaps
        .watch(&WatchParams::default().timeout(30), &from)
        .await
        .unwrap();
    let mut stream = Box::pin(stream);
    configmaps
        .create(&PostParams::default(), &configmap("watched", "1"))
        .await
        .unwrap();
    configmaps
        .patch(
            "watched",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"data": {"v": "2"}})),
        )
        .await
        .unwrap();
    configmaps.delete("watched", &DeleteParams::default()).await.unwrap();
    while seen.0.len() < 3 {
        let event = tokio::time::timeout(common::TIMEOUT, stream.try_next())
            .await
            .expect("a watch event in time")
            .unwrap()
            .expect("the watch goes on");
        match event {
            WatchEvent::Added(cm) => seen.see(format!("ADDED {} v={}", cm.name_any(), cm.data.unwrap()["v"])),
            WatchEvent::Modified(cm) => seen.see(format!("MODIFIED {} v={}", cm.name_any(), cm.data.unwrap()["v"])),
            WatchEvent::Deleted(cm) => seen.see(format!("DELETED {} v={}", cm.name_any(), cm.data.unwrap()["v"])),
            WatchEvent::Bookmark(_) => {}
            WatchEvent::Error(err) => seen.see(format!("ERROR {} {}", err.code, err.reason)),
        }
    }
    seen
}

/// A watch from a resourceVersion older than the kept history.
async fn too_old_resource_version(server: &mut Server) -> Observed {
    let mut seen = Observed(Vec::new());
    let configmaps: Api<ConfigMap> = Api::namespaced(server.client(), "default");
    configmaps
        .create(&PostParams::default(), &configmap("old", "1"))
        .await
        .unwrap();
    let old = configmaps
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    for i in 0..3 {
        configmaps
            .patch(
                "old",
                &PatchParams::default(),
                &Patch::Merge(serde_json::json!({"data": {"v": i.to_string()}})),
            )
            .await
            .unwrap();
    }
    server.expire_history().await;
    let configmaps: Api<ConfigMap> = Api::namespaced(server.client(), "default");
    match configmaps.watch(&WatchParams::default().timeout(10), &old).await {
        Err(err) => seen.see_error("watch from an expired resourceVersion", Err::<(), _>(err)),
        Ok(stream) => match Box::pin(stream).next().await {
            Some(Ok(WatchEvent::Error(err))) => seen.see(format!("watch event ERROR {} {}", err.code, err.reason)),
            Some(Err(kube::Error::Api(err))) => seen.see(format!("watch error {} {}", err.code, err.reason)),
            other => seen.see(format!("unexpected {other:?}")),
        },
    }
    seen
}

#[tokio::test]
async fn error_statuses_match() {
    let (fake, real) = (Server::fake().await, Server::real().await);
    let (fake_seen, real_seen) = (errors(fake.client()).await, errors(real.client()).await);
    eprintln!("{real_seen:#?}");
    assert_eq!(fake_seen, real_seen);
}

#[tokio::test]
async fn list_shapes_match() {
    let (fake, real) = (Server::fake().await, Server::real().await);
    let (fake_seen, real_seen) = (list_shapes(fake.client()).await, list_shapes(real.client()).await);
    eprintln!("{real_seen:#?}");
    assert_eq!(fake_seen, real_seen);
}

#[tokio::test]
async fn watch_event_sequences_match() {
    let (fake, real) = (Server::fake().await, Server::real().await);
    let (fake_seen, real_seen) = (watch_sequence(fake.client()).await, watch_sequence(real.client()).await);
    assert_eq!(
        real_seen.0,
        ["ADDED watched v=1", "MODIFIED watched v=2", "DELETED watched v=2"]
    );
    assert_eq!(fake_seen, real_seen);
}

#[tokio::test]
async fn too_old_resource_versions_expire_alike() {
    let (mut fake, mut real) = (Server::fake().await, Server::real().await);
    let fake_seen = too_old_resource_version(&mut fake).await;
    let real_seen = too_old_resource_version(&mut real).await;
    eprintln!("{real_seen:#?}");
    assert_eq!(fake_seen, real_seen);
}
