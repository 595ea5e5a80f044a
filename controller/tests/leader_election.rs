//! Leader election with three candidates in one process, against the fake API server and the
//! real kube-apiserver (kube-envtest): at every instant at most one believes it leads (each
//! records its leading intervals on one clock), a killed leader is replaced within the lease
//! duration plus retry periods, `release_on_cancel` hands over at once, and an API server
//! restart or outage never makes two leaders.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kube_controller::leaderelection::{LeaderElectionConfig, LeaderElectionError, LeaderElector, LeaseLock, TermEnd};
use tokio::task::JoinHandle;
use tokio::time::Instant;

const LEASE: Duration = Duration::from_secs(2);
const RENEW: Duration = Duration::from_millis(1500);
const RETRY: Duration = Duration::from_millis(300);

fn config() -> LeaderElectionConfig {
    LeaderElectionConfig {
        lease_duration: LEASE,
        renew_deadline: RENEW,
        retry_period: RETRY,
        release_on_cancel: true,
    }
}

/// A leading interval: who, from when, until when (open while leading).
type Interval = (String, Instant, Option<Instant>);

/// Who believed they led, from when to when, on this process's one monotonic clock.
#[derive(Clone, Default)]
struct Timeline(Arc<Mutex<Vec<Interval>>>);

impl Timeline {
    fn start(&self, id: &str) {
        self.0.lock().unwrap().push((id.to_string(), Instant::now(), None));
    }
    fn stop(&self, id: &str) {
        let mut t = self.0.lock().unwrap();
        if let Some(open) = t.iter_mut().rev().find(|(who, _, end)| who == id && end.is_none()) {
            open.2 = Some(Instant::now());
        }
    }
    fn leaders_now(&self) -> Vec<String> {
        let t = self.0.lock().unwrap();
        t.iter()
            .filter(|(_, _, end)| end.is_none())
            .map(|(who, _, _)| who.clone())
            .collect()
    }
    fn starts_after(&self, at: Instant) -> Option<(String, Instant)> {
        let t = self.0.lock().unwrap();
        t.iter()
            .filter(|(_, start, _)| *start > at)
            .map(|(who, start, _)| (who.clone(), *start))
            .min_by_key(|(_, s)| *s)
    }
    /// Panics if two intervals overlap.
    fn assert_at_most_one_leader(&self) {
        let mut t = self.0.lock().unwrap().clone();
        t.sort_by_key(|(_, start, _)| *start);
        for pair in t.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let a_end = a.2.unwrap_or_else(Instant::now);
            assert!(
                a_end <= b.1,
                "two leaders at once: {} led until {:?} after {} started ({} intervals: {:?})",
                a.0,
                a_end - b.1,
                b.0,
                t.len(),
                t.iter().map(|(w, _, e)| (w, e.is_some())).collect::<Vec<_>>()
            );
        }
    }
}

struct Candidate {
    id: String,
    elector: LeaderElector,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: JoinHandle<TermEnd>,
}

/// A candidate that campaigns again after a lost term (as the controller does), until stopped.
fn candidate(client: kube::Client, lease_name: &str, id: &str, timeline: &Timeline) -> Candidate {
    let (t1, t2) = (timeline.clone(), timeline.clone());
    let (id1, id2) = (id.to_string(), id.to_string());
    let elector = LeaderElector::new(LeaseLock::new(client, "default", lease_name, id), config())
        .unwrap()
        .on_started_leading(move || t1.start(&id1))
        .on_stopped_leading(move || t2.stop(&id2));
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let e = elector.clone();
    let task = tokio::spawn(async move {
        loop {
            let end = e
                .run(
                    async {
                        let _ = (&mut stopped).await;
                    },
                    std::future::pending::<()>,
                )
                .await;
            if end != TermEnd::Lost {
                return end;
            }
        }
    });
    Candidate {
        id: id.to_string(),
        elector,
        stop: Some(stop),
        task,
    }
}

async fn eventually(what: &str, timeout: Duration, check: impl Fn() -> bool) -> Instant {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Instant::now()
}

fn the_leader<'a>(candidates: &'a [Candidate], timeline: &Timeline) -> &'a Candidate {
    let leaders = timeline.leaders_now();
    assert_eq!(leaders.len(), 1, "leaders now: {leaders:?}");
    candidates.iter().find(|c| c.id == leaders[0]).unwrap()
}

/// The whole scenario, against any server; `outage` makes the API server unavailable for a while
/// (a restart). Returns the measured handovers (kill, release).
async fn scenario<O, F>(client: kube::Client, lease: &str, outage: O) -> (Duration, Duration)
where
    O: FnOnce() -> F,
    F: Future<Output = ()>,
{
    let timeline = Timeline::default();
    let mut candidates: Vec<Candidate> = ["a", "b", "c"]
        .iter()
        .map(|id| candidate(client.clone(), lease, id, &timeline))
        .collect();

    // Someone leads, and only one; every candidate sees who.
    eventually("a first leader", LEASE * 3, || timeline.leaders_now().len() == 1).await;
    tokio::time::sleep(LEASE).await;
    let leader = the_leader(&candidates, &timeline).id.clone();
    for c in &candidates {
        assert_eq!(c.elector.leader().as_deref(), Some(leader.as_str()), "{} sees", c.id);
        assert_eq!(c.elector.is_leader(), c.id == leader);
    }
    timeline.assert_at_most_one_leader();

    // Kill the leader (no release): another takes over once the lease expired. The bound is
    // client-go's: a candidate sees the last renewal up to one jittered retry late, and tries
    // again up to one jittered retry after the expiry.
    let at = candidates.iter().position(|c| c.id == leader).unwrap();
    let killed = candidates.remove(at);
    killed.task.abort();
    let _ = killed.task.await;
    let killed_at = Instant::now();
    timeline.stop(&killed.id);
    let bound = LEASE + RETRY.mul_f64(2.2) * 2 + Duration::from_millis(500);
    let taken = eventually("a leader after the kill", bound, || {
        timeline.starts_after(killed_at).is_some()
    })
    .await;
    let kill_handover = taken - killed_at;
    timeline.assert_at_most_one_leader();

    // release_on_cancel: the leader stops cleanly and empties the Lease; the other candidate
    // takes over at its next try, well before a lease duration.
    candidates.push(candidate(client.clone(), lease, "d", &timeline));
    let leader = the_leader(&candidates, &timeline).id.clone();
    let at = candidates.iter().position(|c| c.id == leader).unwrap();
    let mut released = candidates.remove(at);
    let released_at = Instant::now();
    released.stop.take().unwrap().send(()).unwrap();
    assert_eq!(released.task.await.unwrap(), TermEnd::Cancelled);
    let taken = eventually("a leader after the release", LEASE, || {
        timeline.starts_after(released_at).is_some()
    })
    .await;
    let release_handover = taken - released_at;
    assert!(
        release_handover < RETRY.mul_f64(2.2) + Duration::from_millis(400),
        "release handed over in {release_handover:?}, not at the next try"
    );
    timeline.assert_at_most_one_leader();

    // An outage (API server restart): never two leaders, and a leader again afterwards.
    candidates.push(candidate(client.clone(), lease, "e", &timeline));
    let intervals_before = timeline.0.lock().unwrap().len();
    outage().await;
    let ended = timeline.0.lock().unwrap()[intervals_before - 1].2.is_some();
    assert!(
        ended,
        "the leader kept leading through an outage longer than its renew deadline"
    );
    eventually("a leader after the outage", LEASE * 5, || {
        timeline.leaders_now().len() == 1
    })
    .await;
    tokio::time::sleep(LEASE).await;
    timeline.assert_at_most_one_leader();
    assert_eq!(timeline.leaders_now().len(), 1);

    for mut c in candidates {
        c.stop.take().unwrap().send(()).unwrap();
        c.task.await.unwrap();
    }
    timeline.assert_at_most_one_leader();
    assert!(timeline.leaders_now().is_empty());
    (kill_handover, release_handover)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_candidates_on_the_fake_server() {
    let server = kube_fake_apiserver::FakeApiServer::start().await.unwrap();
    let client = server.client().unwrap();
    let (kill, release) = scenario(client, "fake-election", || async {
        // A restart, then an outage long enough for the leader to lose the lease: every Lease
        // request fails for a while.
        server.restart().await.unwrap();
        server.fail_next("/apis/coordination.k8s.io/v1/namespaces/default/leases", 24, 503);
        tokio::time::sleep(LEASE * 2).await;
    })
    .await;
    println!("fake server: handover after a kill {kill:?}, after a release {release:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_candidates_on_a_real_control_plane() {
    let mut cp = kube_envtest::ControlPlane::start()
        .await
        .expect("a control plane: run `cargo xtask control-plane` first");
    let client = cp.client();
    let cp = &mut cp;
    let (kill, release) = scenario(client, "real-election", || async move {
        // A restart (the leader may keep leading through it: how long kube-apiserver takes to
        // come back depends on the machine, under a second on a fast idle one), then an outage
        // of a known length, longer than the renew deadline, which the leader must not lead
        // through.
        cp.restart_apiserver().await.unwrap();
        cp.stop_apiserver();
        tokio::time::sleep(LEASE * 2).await;
        cp.start_apiserver().await.unwrap();
    })
    .await;
    println!("kube-apiserver: handover after a kill {kill:?}, after a release {release:?}");
}

#[test]
fn configs_breaking_client_go_rules_are_rejected() {
    let check = |lease: u64, renew: u64, retry: u64| {
        LeaderElectionConfig {
            lease_duration: Duration::from_millis(lease),
            renew_deadline: Duration::from_millis(renew),
            retry_period: Duration::from_millis(retry),
            release_on_cancel: false,
        }
        .validate()
    };
    assert!(check(15_000, 10_000, 2_000).is_ok());
    assert!(LeaderElectionConfig::default().validate().is_ok());
    let err = |r: Result<(), LeaderElectionError>| r.unwrap_err().to_string();
    assert!(
        err(check(10_000, 10_000, 2_000)).contains("lease_duration (10s) must be greater than renew_deadline (10s)")
    );
    assert!(err(check(15_000, 2_000, 2_000)).contains("must be greater than 1.2 x retry_period"));
    assert!(err(check(15_000, 10_000, 0)).contains("retry_period must be greater than zero"));
    assert!(err(check(900, 500, 100)).contains("at least 1 s"));
}
