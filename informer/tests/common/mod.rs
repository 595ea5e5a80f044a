//! Helpers for the informer tests: a recording handler and views to compare with the server.
#![allow(dead_code, missing_docs)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Resource;
use kube::api::{Api, ListParams};
use kube_informer::{DeleteEvent, ResourceEventHandler};

pub const TIMEOUT: Duration = Duration::from_secs(30);

pub fn configmap(name: &str, labels: &[(&str, &str)], value: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: (!labels.is_empty()).then(|| labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
            ..Default::default()
        },
        data: Some([("v".to_string(), value.to_string())].into()),
        ..Default::default()
    }
}

pub type Log = Arc<Mutex<Vec<String>>>;
pub type View = Arc<Mutex<BTreeMap<String, String>>>;

/// Records every notification as a line and keeps a view (key → resourceVersion).
pub struct Recorder<K> {
    pub log: Log,
    pub view: View,
    pub delay: Duration,
    _k: std::marker::PhantomData<fn(K)>,
}

impl<K> Recorder<K> {
    pub fn new() -> Self {
        Recorder {
            log: Default::default(),
            view: Default::default(),
            delay: Duration::ZERO,
            _k: Default::default(),
        }
    }
    pub fn slow(delay: Duration) -> Self {
        Recorder { delay, ..Self::new() }
    }
    pub fn handles(&self) -> (Log, View) {
        (self.log.clone(), self.view.clone())
    }
}

fn key<K: Resource>(o: &K) -> String {
    kube_informer::object_key(o)
}

fn rv<K: Resource>(o: &K) -> String {
    o.meta().resource_version.clone().unwrap_or_default()
}

impl<K: Resource + Send + Sync + 'static> ResourceEventHandler<K> for Recorder<K> {
    fn on_add(&self, obj: &Arc<K>, initial: bool) {
        std::thread::sleep(self.delay);
        self.log
            .lock()
            .unwrap()
            .push(format!("add {} initial={initial}", key(obj.as_ref())));
        self.view.lock().unwrap().insert(key(obj.as_ref()), rv(obj.as_ref()));
    }
    fn on_update(&self, old: &Arc<K>, new: &Arc<K>) {
        std::thread::sleep(self.delay);
        let tag = if Arc::ptr_eq(old, new) { "resync" } else { "update" };
        self.log.lock().unwrap().push(format!("{tag} {}", key(new.as_ref())));
        self.view.lock().unwrap().insert(key(new.as_ref()), rv(new.as_ref()));
    }
    fn on_delete(&self, obj: &DeleteEvent<K>) {
        std::thread::sleep(self.delay);
        let tag = if obj.is_tombstone() { "tombstone" } else { "delete" };
        self.log
            .lock()
            .unwrap()
            .push(format!("{tag} {}", key(obj.object().as_ref())));
        self.view.lock().unwrap().remove(&key(obj.object().as_ref()));
    }
}

/// The server's state of all configmaps in `default`: key → resourceVersion.
pub async fn server_view(api: &Api<ConfigMap>) -> BTreeMap<String, String> {
    api.list(&ListParams::default())
        .await
        .unwrap()
        .items
        .iter()
        .map(|c| (key(c), rv(c)))
        .collect()
}

/// Waits until `f` holds, or panics after [`TIMEOUT`].
pub async fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    while !f() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until a view equals the server's state.
pub async fn converges(what: &str, view: &View, api: &Api<ConfigMap>) {
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
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
