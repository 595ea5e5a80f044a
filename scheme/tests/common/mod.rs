//! Shared fixtures for the scheme's tests.
#![allow(dead_code, missing_docs)]

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};

/// Reads a recorded API response from `fixtures/responses/`.
pub fn response(name: &str) -> String {
    let path = format!("{}/../fixtures/responses/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CronTabSpec {
    pub cron_spec: String,
    pub image: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
}

#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct CronTabStatus {
    pub last_run: Option<String>,
}

/// The user's path: a `#[derive(Kind)]` custom resource.
#[derive(Clone, Debug, PartialEq, Default, kube_scheme::Kind)]
#[kind(
    group = "stable.example.com",
    version = "v1",
    kind = "CronTab",
    plural = "crontabs",
    namespaced
)]
pub struct CronTab {
    pub metadata: ObjectMeta,
    pub spec: CronTabSpec,
    pub status: Option<CronTabStatus>,
}

/// A cluster-scoped kind whose plural comes from the English rules.
#[derive(Clone, Debug, PartialEq, Default, kube_scheme::Kind)]
#[kind(group = "policy.example.com", version = "v1alpha1", kind = "ClusterPolicy", cluster)]
pub struct ClusterPolicy {
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub rule_names: Vec<String>,
}
