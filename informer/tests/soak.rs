//! Soak: random creates, updates and deletes for about 40 seconds while faults fire; at the end
//! every cache and handler view equals the server, and no handler saw a change twice or missed
//! one (an add of a key it holds, or an update or delete of a key it does not, is a duplicate or a
//! loss).

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{TIMEOUT, configmap, server_view};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube_fake_apiserver::FakeApiServer;
use kube_informer::{BackoffSettings, DeleteEvent, ResourceEventHandler, SharedInformerFactory};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

const RUN_FOR: Duration = Duration::from_secs(40);
const NAMES: usize = 40;

#[derive(Default)]
struct Checker {
    view: Mutex<BTreeMap<String, String>>,
    anomalies: Mutex<Vec<String>>,
    notifications: Mutex<u64>,
}

struct CheckingHandler(Arc<Checker>);

impl ResourceEventHandler<ConfigMap> for CheckingHandler {
    fn on_add(&self, obj: &Arc<ConfigMap>, _: bool) {
        let key = kube_informer::object_key(obj.as_ref());
        *self.0.notifications.lock().unwrap() += 1;
        if self
            .0
            .view
            .lock()
            .unwrap()
            .insert(key.clone(), obj.metadata.resource_version.clone().unwrap())
            .is_some()
        {
            self.0
                .anomalies
                .lock()
                .unwrap()
                .push(format!("add of {key}, which the handler already had"));
        }
    }
    fn on_update(&self, old: &Arc<ConfigMap>, new: &Arc<ConfigMap>) {
        let key = kube_informer::object_key(new.as_ref());
        *self.0.notifications.lock().unwrap() += 1;
        let mut view = self.0.view.lock().unwrap();
        match view.insert(key.clone(), new.metadata.resource_version.clone().unwrap()) {
            None => self
                .0
                .anomalies
                .lock()
                .unwrap()
                .push(format!("update of {key}, which the handler never had")),
            Some(had) if Some(&had) != old.metadata.resource_version.as_ref() => {
                self.0.anomalies.lock().unwrap().push(format!(
                    "update of {key} from {had}, but old says {:?}",
                    old.metadata.resource_version
                ))
            }
            Some(_) => {}
        }
    }
    fn on_delete(&self, obj: &DeleteEvent<ConfigMap>) {
        let key = kube_informer::object_key(obj.object().as_ref());
        *self.0.notifications.lock().unwrap() += 1;
        if self.0.view.lock().unwrap().remove(&key).is_none() {
            self.0
                .anomalies
                .lock()
                .unwrap()
                .push(format!("delete of {key}, which the handler did not have"));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_changes_under_faults_converge_exactly_once() {
    let server = Arc::new(FakeApiServer::builder().history(200).start().await.unwrap());
    // Retry quickly: faults fire every second, and client-go's 30 s ceiling would make the
    // informer sit out most of the run.
    let factory = SharedInformerFactory::builder(server.client().unwrap())
        .backoff(BackoffSettings {
            initial: Duration::from_millis(50),
            max: Duration::from_secs(1),
            reset_after: Duration::from_secs(5),
        })
        .build();
    let informer = factory.informer::<ConfigMap>();
    let checkers: Vec<Arc<Checker>> = (0..3).map(|_| Arc::new(Checker::default())).collect();
    for c in &checkers {
        informer.add_event_handler(CheckingHandler(c.clone()));
    }
    factory.start();
    factory.wait_for_cache_sync_timeout(TIMEOUT).await;

    let api: Api<ConfigMap> = Api::namespaced(server.client().unwrap(), "default");
    // SOAK_SECS and SOAK_FAULTS (a list of fault numbers 0-4) narrow a run down when debugging.
    let run_for = std::env::var("SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(RUN_FOR, Duration::from_secs);
    let allowed: Vec<u32> = std::env::var("SOAK_FAULTS")
        .map(|s| s.split(',').filter_map(|f| f.trim().parse().ok()).collect())
        .unwrap_or_else(|_| (0..5).collect());
    let deadline = tokio::time::Instant::now() + run_for;
    let writer = {
        let api = api.clone();
        tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(7);
            let mut writes = 0u64;
            while tokio::time::Instant::now() < deadline {
                let name = format!("cm-{}", rng.random_range(0..NAMES));
                let result = match rng.random_range(0..3) {
                    0 => api
                        .create(&PostParams::default(), &configmap(&name, &[], "0"))
                        .await
                        .map(|_| ()),
                    1 => api
                        .patch(
                            &name,
                            &PatchParams::default(),
                            &Patch::Merge(json!({"data": {"v": writes.to_string()}})),
                        )
                        .await
                        .map(|_| ()),
                    _ => api.delete(&name, &DeleteParams::default()).await.map(|_| ()),
                };
                // Conflicts, not-founds and injected faults are expected; only success counts.
                if result.is_ok() {
                    writes += 1;
                }
                tokio::time::sleep(Duration::from_millis(rng.random_range(0..4))).await;
            }
            writes
        })
    };
    let faults = {
        let server = server.clone();
        let allowed = allowed.clone();
        tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(11);
            let mut fired = BTreeMap::<&str, u32>::new();
            while tokio::time::Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(rng.random_range(500..1500))).await;
                let fault = match allowed[rng.random_range(0..allowed.len())] {
                    0 => {
                        server.drop_watches();
                        "drop"
                    }
                    1 => {
                        server.compact();
                        server.drop_watches();
                        "410"
                    }
                    2 => {
                        server.restart().await.unwrap();
                        "restart"
                    }
                    3 => {
                        server.send_malformed_event();
                        "malformed"
                    }
                    _ => {
                        server.fail_next("/api/v1/configmaps", 2, 500);
                        server.drop_watches();
                        "fail"
                    }
                };
                *fired.entry(fault).or_default() += 1;
            }
            fired
        })
    };
    let writes = writer.await.unwrap();
    let fired = faults.await.unwrap();

    // Converge: cache and every handler view equal the server.
    let want = server_view(&api).await;
    let converge_start = tokio::time::Instant::now();
    let converge_by = converge_start + Duration::from_secs(70);
    loop {
        let cache: BTreeMap<String, String> = informer
            .indexer()
            .entries()
            .into_iter()
            .map(|(k, v)| (k, v.metadata.resource_version.clone().unwrap()))
            .collect();
        let views_ok = checkers.iter().all(|c| *c.view.lock().unwrap() == want);
        if cache == want && views_ok {
            break;
        }
        if tokio::time::Instant::now() >= converge_by {
            let diff = |have: &BTreeMap<String, String>| -> Vec<String> {
                let keys: std::collections::BTreeSet<_> = have.keys().chain(want.keys()).collect();
                keys.into_iter()
                    .filter(|k| have.get(*k) != want.get(*k))
                    .map(|k| format!("{k}: have {:?} want {:?}", have.get(k), want.get(k)))
                    .collect()
            };
            let views: Vec<_> = checkers.iter().map(|c| diff(&c.view.lock().unwrap())).collect();
            panic!(
                "no convergence after {:?}: cache diff {:?}; handler diffs {views:?}; faults {fired:?}; server rv {}",
                converge_start.elapsed(),
                diff(&cache),
                server.resource_version()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!(
        "soak: converged {:?} after the writer stopped",
        converge_start.elapsed()
    );
    for (i, c) in checkers.iter().enumerate() {
        let anomalies = c.anomalies.lock().unwrap();
        assert!(
            anomalies.is_empty(),
            "handler {i} saw changes twice or lost them: {anomalies:?}"
        );
    }
    println!(
        "soak: {writes} successful writes, faults {fired:?}, {} notifications per handler, final {} objects",
        *checkers[0].notifications.lock().unwrap(),
        want.len()
    );
    if run_for == RUN_FOR {
        assert!(writes > 500, "the writer made progress ({writes} writes)");
        assert!(fired.values().sum::<u32>() >= 20, "faults fired: {fired:?}");
    }
    factory.shutdown().await;
}
