//! Discovery documents: `/version`, `/api`, `/apis`, `/api/v1`, `/apis/{group}/{version}`, with the
//! real server's short names, categories and subresources for built-ins (recorded) and the
//! CustomResourceDefinitions' for custom resources.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use kube_core::GroupVersionResource;
use kube_scheme::{KindInfo, Scheme, Scope};
use serde_json::{Value, json};

use crate::store::Store;

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

/// `/version`: the real server's (recorded from kube-apiserver v1.37.2 in `data/version.json`:
/// the version, emulation and compatibility fields that clients compare) when the scheme serves
/// the recorded minor version, else `v1.<minor>.0`. The fake names itself in `platform`, where
/// nothing parses the value, so that version checks in client tools behave as against the real
/// server.
pub(crate) fn version(scheme: &Scheme) -> Value {
    static RECORDED: LazyLock<Value> =
        LazyLock::new(|| serde_json::from_str(include_str!("../data/version.json")).expect("the recording is JSON"));
    let minor = scheme.k8s_version().and_then(|v| v.strip_prefix("1.")).unwrap_or("37");
    let mut version = if RECORDED["minor"] == minor {
        RECORDED.clone()
    } else {
        json!({
            "major": "1",
            "minor": minor,
            "gitVersion": format!("v1.{minor}.0"),
            "emulationMajor": "1",
            "emulationMinor": minor,
            "compiler": "gc",
        })
    };
    for (key, value) in [
        ("gitCommit", "0000000000000000000000000000000000000000"),
        ("gitTreeState", "clean"),
        ("buildDate", "2026-01-01T00:00:00Z"),
        ("goVersion", "go1.26"),
        ("platform", "linux/amd64 (kube-fake-apiserver)"),
    ] {
        version[key] = json!(value);
    }
    version
}

pub(crate) fn core_versions() -> Value {
    json!({"kind": "APIVersions", "apiVersion": "v1", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})
}

/// The real server's discovery of built-ins, recorded from kube-apiserver v1.37.2 by
/// `tests/real_server.rs`: its group list and each group version's resources.
static RECORDED: LazyLock<Recorded> = LazyLock::new(|| {
    let value: Value = serde_json::from_str(include_str!("../data/discovery.json")).expect("the recording is JSON");
    let preferred = value["preferred"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(g, v)| (g.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let resources = value["resources"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(gv, list)| (gv.clone(), list.as_array().cloned().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    let groups = value["groups"]
        .as_array()
        .map(|g| g.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    Recorded {
        groups,
        preferred,
        resources,
    }
});

struct Recorded {
    /// Group names in the order `/apis` lists them.
    groups: Vec<String>,
    /// Group to its preferred version.
    preferred: BTreeMap<String, String>,
    /// Group version (`v1`, `apps/v1`) to its `APIResource`s, in the real server's order.
    resources: BTreeMap<String, Vec<Value>>,
}

fn group_version(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    }
}

/// Whether discovery lists a group version: built-in ones only when the real server serves them
/// (k8s-openapi also has alpha and beta versions it leaves off), others always.
fn listed(store: &Store, group: &str, version: &str) -> bool {
    let gv = group_version(group, version);
    RECORDED.resources.contains_key(&gv)
        || store
            .scheme
            .kinds()
            .any(|k| k.gvk().group == group && k.gvk().version == version && !k.is_builtin())
        || store.crds.keys().any(|r| r.group == group && r.version == version)
}

/// Groups and their listed versions, newest first as the real server orders them (v1 before
/// v1beta1).
fn groups(store: &Store) -> BTreeMap<String, Vec<String>> {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let recorded = RECORDED.resources.keys().map(|gv| match gv.split_once('/') {
        Some((g, v)) => (g.to_owned(), v.to_owned()),
        None => (String::new(), gv.clone()),
    });
    let gvks = store
        .scheme
        .kinds()
        .map(|k| (k.gvk().group.clone(), k.gvk().version.clone()))
        .chain(store.crds.keys().map(|r| (r.group.clone(), r.version.clone())))
        .chain(recorded);
    for (group, version) in gvks {
        if groups.get(&group).is_some_and(|v| v.contains(&version)) || resource_list(store, &group, &version).is_none()
        {
            continue;
        }
        let versions = groups.entry(group).or_default();
        if !versions.contains(&version) {
            versions.push(version);
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

pub(crate) fn group_list(store: &Store) -> Value {
    let mut groups: Vec<(String, Vec<String>)> = groups(store).into_iter().collect();
    // The real server's order for built-in groups (by priority), then the others by name.
    groups.sort_by_key(|(group, _)| RECORDED.groups.iter().position(|g| g == group).unwrap_or(usize::MAX));
    let groups: Vec<Value> = groups
        .into_iter()
        .filter(|(group, _)| !group.is_empty())
        .map(|(group, versions)| {
            let preferred = RECORDED
                .preferred
                .get(&group)
                .filter(|p| versions.contains(p))
                .cloned()
                .unwrap_or_else(|| versions[0].clone());
            let versions: Vec<Value> = versions
                .iter()
                .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
                .collect();
            json!({
                "name": group,
                "versions": versions,
                "preferredVersion": {"groupVersion": format!("{group}/{preferred}"), "version": preferred},
            })
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// The `APIResource`s of a kind the recording does not know (custom resources, kinds added at run
/// time): the kind, its `status` subresource, and `scale` when a CRD declares it.
fn unrecorded(store: &Store, info: &KindInfo) -> Vec<Value> {
    let namespaced = info.scope() == Scope::Namespaced;
    let crd = store.crds.get(&info.gvr());
    let mut main = json!({
        "name": info.plural(),
        "singularName": crd.map_or_else(|| info.gvk().kind.to_lowercase(), |c| c.singular.clone()),
        "namespaced": namespaced,
        "kind": info.gvk().kind,
        "verbs": VERBS,
    });
    if let Some(crd) = crd {
        if !crd.short_names.is_empty() {
            main["shortNames"] = json!(crd.short_names);
        }
        if !crd.categories.is_empty() {
            main["categories"] = json!(crd.categories);
        }
    }
    let mut out = vec![main];
    if crd.is_none_or(|c| c.status) {
        out.push(json!({
            "name": format!("{}/status", info.plural()),
            "singularName": "",
            "namespaced": namespaced,
            "kind": info.gvk().kind,
            "verbs": ["get", "patch", "update"],
        }));
    }
    if crd.is_some_and(|c| c.scale.is_some()) {
        out.push(json!({
            "name": format!("{}/scale", info.plural()),
            "singularName": "",
            "namespaced": namespaced,
            "group": "autoscaling",
            "version": "v1",
            "kind": "Scale",
            "verbs": ["get", "patch", "update"],
        }));
    }
    out
}

/// The `APIResourceList` of one group version, or `None` when nothing is listed there.
pub(crate) fn resource_list(store: &Store, group: &str, version: &str) -> Option<Value> {
    if !listed(store, group, version) {
        return None;
    }
    let gv = group_version(group, version);
    let served = |plural: &str| {
        store
            .served(&GroupVersionResource::gvr(group, version, plural))
            .is_some()
    };
    let mut resources: Vec<Value> = RECORDED
        .resources
        .get(&gv)
        .map(|recorded| {
            recorded
                .iter()
                .filter(|r| {
                    let name = r["name"].as_str().unwrap_or_default();
                    match name.split_once('/') {
                        None => served(name) || crate::reviews::Review::serves(group, version, name),
                        Some((main, "status" | "scale")) => served(main),
                        Some(_) => false,
                    }
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let recorded_plural = |plural: &str| {
        RECORDED
            .resources
            .get(&gv)
            .is_some_and(|r| r.iter().any(|r| r["name"] == plural))
    };
    let kinds: Vec<KindInfo> = store
        .scheme
        .kinds()
        .filter(|k| k.gvk().group == group && k.gvk().version == version && !recorded_plural(k.plural()))
        .cloned()
        .chain(
            store
                .crds
                .values()
                .filter(|c| c.info.gvk().group == group && c.info.gvk().version == version)
                .filter(|c| store.scheme.kind_for_resource(&c.info.gvr()).is_err())
                .map(|c| c.info.clone()),
        )
        .collect();
    for info in &kinds {
        resources.extend(unrecorded(store, info));
    }
    if resources.is_empty() {
        return None;
    }
    Some(json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}))
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
