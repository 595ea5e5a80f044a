//! Helpers shared by the tests against the real control plane.
#![allow(dead_code, missing_docs)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub const TIMEOUT: Duration = Duration::from_secs(60);

/// The custom resource the tests install: the CronTab of the Kubernetes CRD documentation.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "stable.example.com",
    version = "v1",
    kind = "CronTab",
    plural = "crontabs",
    namespaced
)]
#[serde(rename_all = "camelCase")]
pub struct CronTabSpec {
    pub cron_spec: String,
    #[serde(default)]
    pub replicas: i32,
}

pub fn crontab(name: &str, cron_spec: &str) -> CronTab {
    CronTab::new(
        name,
        CronTabSpec {
            cron_spec: cron_spec.into(),
            replicas: 1,
        },
    )
}

pub fn configmap(name: &str, value: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        },
        data: Some(BTreeMap::from([("v".to_string(), value.to_string())])),
        ..Default::default()
    }
}

/// Starts a control plane, or panics with the error (which says how to build missing binaries).
pub async fn start() -> kube_envtest::ControlPlane {
    match kube_envtest::ControlPlane::start().await {
        Ok(control_plane) => {
            eprintln!("control plane ready in {} ms", control_plane.startup_time().as_millis());
            control_plane
        }
        Err(err) => panic!("starting the control plane: {err}"),
    }
}

/// Polls `check` until it holds, panicking with `what` after [`TIMEOUT`].
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(started.elapsed() < TIMEOUT, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The `metav1.Status` of a failed call.
pub fn status(err: kube::Error) -> kube::core::Status {
    match err {
        kube::Error::Api(status) => *status,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// Resident memory of a process in KiB, from `/proc/<pid>/status`.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Whether a process with this id exists (and is not a zombie).
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| !stat.contains(") Z "))
        .unwrap_or(false)
}
