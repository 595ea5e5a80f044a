//! kube-informer's shared informers against the real kube-apiserver: they sync built-ins and a
//! custom resource, see real creates/updates/deletes, and recover with nothing lost when the API
//! server restarts mid-watch and when etcd is compacted so that the watch gets `410 Expired`.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{CronTab, TIMEOUT, configmap, crontab, eventually, start};
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::{Resource, ResourceExt};
use kube_informer::{BackoffSettings, HandlerFns, InformerOptions, SharedIndexInformer, SharedInformerFactory};

type Log = Arc<Mutex<Vec<String>>>;
type View = Arc<Mutex<BTreeMap<String, String>>>;

/// Quick retries: a restarted API server is back within seconds.
const BACKOFF: BackoffSettings = BackoffSettings {
    initial: Duration::from_millis(100),
    max: Duration::from_secs(1),
    reset_after: Duration::from_secs(30),
};

/// A handler that logs every notification and keeps a view (name → resourceVersion).
fn recorder<K: Resource + Send + Sync + 'static>() -> (HandlerFns<K>, Log, View) {
    let (log, view): (Log, View) = Default::default();
    let handler = HandlerFns::new()
        .on_add({
            let (log, view) = (log.clone(), view.clone());
            move |object: &Arc<K>, _| {
                log.lock().unwrap().push(format!("add {}", object.name_any()));
                view.lock()
                    .unwrap()
                    .insert(object.name_any(), object.resource_version().unwrap_or_default());
            }
        })
        .on_update({
            let (log, view) = (log.clone(), view.clone());
            move |old: &Arc<K>, new: &Arc<K>| {
                if old.resource_version() != new.resource_version() {
                    log.lock().unwrap().push(format!("update {}", new.name_any()));
                }
                view.lock()
                    .unwrap()
                    .insert(new.name_any(), new.resource_version().unwrap_or_default());
            }
        })
        .on_delete({
            let (log, view) = (log.clone(), view.clone());
            move |event: &kube_informer::DeleteEvent<K>| {
                let tag = if event.is_tombstone() { "tombstone" } else { "delete" };
                log.lock().unwrap().push(format!("{tag} {}", event.object().name_any()));
                view.lock().unwrap().remove(&event.object().name_any());
            }
        });
    (handler, log, view)
}

/// The server's objects: name → resourceVersion.
async fn server_view<K>(api: &Api<K>) -> BTreeMap<String, String>
where
    K: Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let list = api.list(&ListParams::default()).await.unwrap();
    list.items
        .iter()
        .map(|object| (object.name_any(), object.resource_version().unwrap_or_default()))
        .collect()
}

/// Waits until the handler's view equals the server's state.
async fn converges<K>(what: &str, view: &View, api: &Api<K>)
where
    K: Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        let want = server_view(api).await;
        let have = view.lock().unwrap().clone();
        if want == have {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} never matched the server:\n have {have:?}\n want {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn count(log: &Log, line: &str) -> usize {
    log.lock().unwrap().iter().filter(|l| *l == line).count()
}

async fn set_value(api: &Api<ConfigMap>, name: &str, value: &str) {
    let patch = serde_json::json!({ "data": { "v": value } });
    api.patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn informers_sync_builtins_and_a_crd_and_see_real_events() {
    let control_plane = start().await;
    let client = control_plane.client();
    control_plane.install_crd_for::<CronTab>().await.unwrap();
    let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let crontabs: Api<CronTab> = Api::namespaced(client.clone(), "default");
    configmaps
        .create(&PostParams::default(), &configmap("before", "0"))
        .await
        .unwrap();
    crontabs
        .create(&PostParams::default(), &crontab("before", "0 0 * * *"))
        .await
        .unwrap();

    let factory = SharedInformerFactory::builder(client.clone())
        .namespace("default")
        .backoff(BACKOFF)
        .build();
    let (cm_handler, cm_log, cm_view) = recorder::<ConfigMap>();
    let (ct_handler, ct_log, ct_view) = recorder::<CronTab>();
    factory.informer::<ConfigMap>().add_event_handler(cm_handler);
    factory.informer::<CronTab>().add_event_handler(ct_handler);
    factory.start();
    let synced = factory.wait_for_cache_sync_timeout(TIMEOUT).await;
    assert!(synced.values().all(|synced| *synced), "{synced:?}");
    assert_eq!(
        factory
            .informer::<CronTab>()
            .lister()
            .namespace("default")
            .get("before")
            .unwrap()
            .spec
            .cron_spec,
        "0 0 * * *"
    );
    assert!(
        factory
            .informer::<ConfigMap>()
            .lister()
            .namespace("default")
            .get("before")
            .is_ok()
    );

    configmaps
        .create(&PostParams::default(), &configmap("web", "1"))
        .await
        .unwrap();
    set_value(&configmaps, "web", "2").await;
    configmaps.delete("web", &DeleteParams::default()).await.unwrap();
    crontabs
        .create(&PostParams::default(), &crontab("hourly", "0 * * * *"))
        .await
        .unwrap();
    let patch = serde_json::json!({ "spec": { "cronSpec": "30 * * * *" } });
    crontabs
        .patch("hourly", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    crontabs.delete("hourly", &DeleteParams::default()).await.unwrap();

    eventually("the configmap's delete", || count(&cm_log, "delete web") == 1).await;
    eventually("the crontab's delete", || count(&ct_log, "delete hourly") == 1).await;
    let lines = |log: &Log, name: &str| -> Vec<String> {
        log.lock()
            .unwrap()
            .iter()
            .filter(|line| line.ends_with(name))
            .cloned()
            .collect()
    };
    assert_eq!(lines(&cm_log, " web"), ["add web", "update web", "delete web"]);
    assert_eq!(
        lines(&ct_log, " hourly"),
        ["add hourly", "update hourly", "delete hourly"]
    );
    converges("the configmap view", &cm_view, &configmaps).await;
    converges("the crontab view", &ct_view, &crontabs).await;
    // Objects handed out by a typed informer are whole: the custom resource keeps its type meta.
    factory.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn informers_recover_from_an_apiserver_restart_mid_watch() {
    let mut control_plane = start().await;
    let client = control_plane.client();
    let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    for name in ["keep", "change", "remove"] {
        configmaps
            .create(&PostParams::default(), &configmap(name, "0"))
            .await
            .unwrap();
    }

    let factory = SharedInformerFactory::builder(client.clone())
        .namespace("default")
        .backoff(BACKOFF)
        .build();
    let (handler, log, view) = recorder::<ConfigMap>();
    factory.informer::<ConfigMap>().add_event_handler(handler);
    factory.start();
    assert!(factory.wait_for_cache_sync_timeout(TIMEOUT).await.values().all(|s| *s));
    set_value(&configmaps, "change", "1").await;
    eventually("the first update", || count(&log, "update change") == 1).await;

    control_plane.restart_apiserver().await.unwrap();

    set_value(&configmaps, "change", "2").await;
    configmaps.delete("remove", &DeleteParams::default()).await.unwrap();
    configmaps
        .create(&PostParams::default(), &configmap("new", "0"))
        .await
        .unwrap();

    converges("the view after the restart", &view, &configmaps).await;
    eventually("the delete after the restart", || {
        count(&log, "delete remove") + count(&log, "tombstone remove") == 1
    })
    .await;
    for name in ["keep", "change", "remove", "new"] {
        assert_eq!(
            count(&log, &format!("add {name}")),
            1,
            "{name} was added twice: {:?}",
            log.lock().unwrap()
        );
    }
    let informer = factory.informer::<ConfigMap>();
    assert_eq!(
        informer
            .lister()
            .namespace("default")
            .get("change")
            .unwrap()
            .data
            .as_ref()
            .unwrap()["v"],
        "2"
    );
    factory.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn informers_recover_from_410_after_etcd_compaction() {
    let mut control_plane = start().await;
    let client = control_plane.client();
    let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    for name in ["keep", "change", "remove"] {
        configmaps
            .create(&PostParams::default(), &configmap(name, "0"))
            .await
            .unwrap();
    }

    let errors: Log = Default::default();
    let informer = SharedIndexInformer::new(
        configmaps.clone(),
        "ConfigMap",
        InformerOptions {
            watch_error_handler: Some(Arc::new({
                let errors = errors.clone();
                move |err: &kube_informer::InformerError| errors.lock().unwrap().push(err.to_string())
            })),
            backoff: BACKOFF,
            ..Default::default()
        },
    );
    let (handler, log, view) = recorder::<ConfigMap>();
    informer.add_event_handler(handler);
    informer.run();
    assert!(informer.wait_for_sync(TIMEOUT).await);
    let synced_at = configmaps
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();

    // Writes the informer does not watch move etcd's revision past the informer's.
    let secrets: Api<Secret> = Api::namespaced(client.clone(), "default");
    for i in 0..5 {
        let secret = Secret {
            metadata: kube::api::ObjectMeta {
                name: Some(format!("unwatched-{i}")),
                ..Default::default()
            },
            ..Default::default()
        };
        secrets.create(&PostParams::default(), &secret).await.unwrap();
    }
    let revision = control_plane.compact_etcd().await.unwrap();
    assert!(revision > synced_at.parse::<i64>().unwrap());
    control_plane.restart_apiserver().await.unwrap();

    // A watch from before the compaction is expired.
    let wp = kube::api::WatchParams::default();
    let mut stream = Box::pin(configmaps.watch(&wp, &synced_at).await.unwrap());
    let first = futures::StreamExt::next(&mut stream).await;
    match first {
        Some(Err(kube::Error::Api(status))) => assert_eq!((status.code, status.reason.as_str()), (410, "Expired")),
        Some(Ok(kube::core::WatchEvent::Error(status))) => {
            assert_eq!((status.code, status.reason.as_str()), (410, "Expired"))
        }
        other => panic!("expected 410 Expired for a watch from {synced_at} after compacting at {revision}: {other:?}"),
    }

    set_value(&configmaps, "change", "1").await;
    configmaps.delete("remove", &DeleteParams::default()).await.unwrap();
    configmaps
        .create(&PostParams::default(), &configmap("new", "0"))
        .await
        .unwrap();

    converges("the view after the compaction", &view, &configmaps).await;
    eventually("the delete", || {
        count(&log, "delete remove") + count(&log, "tombstone remove") == 1
    })
    .await;
    for name in ["keep", "change", "remove", "new"] {
        assert_eq!(
            count(&log, &format!("add {name}")),
            1,
            "{name}: {:?}",
            log.lock().unwrap()
        );
    }
    let errors = errors.lock().unwrap().clone();
    assert!(
        errors
            .iter()
            .any(|err| err.contains("410") || err.contains("Expired") || err.contains("too old")),
        "the informer's watch never got 410: {errors:?}"
    );
    informer.shutdown().await;
}
