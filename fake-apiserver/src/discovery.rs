//! Discovery documents: `/version`, `/api`, `/apis`, `/api/v1`, `/apis/{group}/{version}`.

use std::collections::BTreeMap;

use kube_scheme::{Scheme, Scope};
use serde_json::{Value, json};

/// Verbs of a served resource.
const VERBS: [&str; 8] = [
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

/// The version the fake claims, matching the k8s-openapi version it serves.
pub(crate) fn version(scheme: &Scheme) -> Value {
    let minor = scheme.k8s_version().and_then(|v| v.strip_prefix("1.")).unwrap_or("37");
    json!({
        "major": "1",
        "minor": minor,
        "gitVersion": format!("v1.{minor}.0-fake"),
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.26",
        "compiler": "gc",
        "platform": "linux/amd64",
        "emulationMajor": "1",
        "emulationMinor": minor,
    })
}

pub(crate) fn core_versions() -> Value {
    json!({"kind": "APIVersions", "apiVersion": "v1", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})
}

/// Groups and their versions, newest first as the real server orders them (v1 before v1beta1).
fn groups(scheme: &Scheme) -> BTreeMap<String, Vec<String>> {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for info in scheme.kinds() {
        let versions = groups.entry(info.gvk().group.clone()).or_default();
        if !versions.contains(&info.gvk().version) {
            versions.push(info.gvk().version.clone());
        }
    }
    for versions in groups.values_mut() {
        versions.sort_by_key(|v| version_priority(v));
    }
    groups
}

/// Kubernetes' version ordering: GA before beta before alpha, higher numbers first.
fn version_priority(version: &str) -> (u8, std::cmp::Reverse<u32>, std::cmp::Reverse<u32>) {
    let rest = version.strip_prefix('v').unwrap_or(version);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let major = digits.parse().unwrap_or(0);
    let tail = &rest[digits.len()..];
    let (class, minor) = if tail.is_empty() {
        (0, 0)
    } else if let Some(n) = tail.strip_prefix("beta") {
        (1, n.parse().unwrap_or(0))
    } else if let Some(n) = tail.strip_prefix("alpha") {
        (2, n.parse().unwrap_or(0))
    } else {
        (3, 0)
    };
    (class, std::cmp::Reverse(major), std::cmp::Reverse(minor))
}

pub(crate) fn group_list(scheme: &Scheme) -> Value {
    let groups: Vec<Value> = groups(scheme)
        .into_iter()
        .filter(|(group, _)| !group.is_empty())
        .map(|(group, versions)| {
            let versions: Vec<Value> = versions
                .iter()
                .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
                .collect();
            json!({"name": group, "versions": versions, "preferredVersion": versions[0]})
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// The `APIResourceList` of one group version, or `None` when nothing is served there.
pub(crate) fn resource_list(scheme: &Scheme, group: &str, version: &str) -> Option<Value> {
    let mut resources = Vec::new();
    for info in scheme
        .kinds()
        .filter(|k| k.gvk().group == group && k.gvk().version == version)
    {
        let namespaced = info.scope() == Scope::Namespaced;
        resources.push(json!({
            "name": info.plural(),
            "singularName": info.gvk().kind.to_lowercase(),
            "namespaced": namespaced,
            "kind": info.gvk().kind,
            "verbs": VERBS,
        }));
        resources.push(json!({
            "name": format!("{}/status", info.plural()),
            "singularName": "",
            "namespaced": namespaced,
            "kind": info.gvk().kind,
            "verbs": ["get", "patch", "update"],
        }));
    }
    if resources.is_empty() {
        return None;
    }
    let group_version = if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    };
    Some(json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources}))
}

#[cfg(test)]
mod tests {
    #[test]
    fn versions_sort_like_kubernetes() {
        let mut v = vec!["v1alpha1", "v1beta1", "v2", "v1", "v2beta2", "v1beta2"];
        v.sort_by_key(|v| super::version_priority(v));
        assert_eq!(v, ["v2", "v1", "v2beta2", "v1beta2", "v1beta1", "v1alpha1"]);
    }
}
