//! The built-in table holds every listable kind of the enabled k8s-openapi version, and nothing else.
//!
//! The expected set is read independently from k8s-openapi's own source for the enabled version:
//! each `impl crate::Resource` block that is followed by `impl crate::ListableResource`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kube_scheme::Scheme;

fn k8s_openapi_dir() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("running cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let manifest = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "k8s-openapi")
        .expect("k8s-openapi in the graph")["manifest_path"]
        .as_str()
        .unwrap()
        .to_owned();
    Path::new(&manifest).parent().unwrap().to_path_buf()
}

fn constant(text: &str, name: &str) -> String {
    let marker = format!("const {name}: &'static str = \"");
    let start = text.find(&marker).unwrap_or_else(|| panic!("no {name}")) + marker.len();
    text[start..start + text[start..].find('"').unwrap()].to_owned()
}

/// (group, version, kind, plural) of every listable resource in the source tree.
fn listable_in(dir: &Path, out: &mut BTreeSet<(String, String, String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            listable_in(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            if let Some(at) = text.find("impl crate::ListableResource for") {
                let resource = &text[text[..at]
                    .rfind("impl crate::Resource for")
                    .expect("Resource impl before ListableResource")..at];
                out.insert((
                    constant(resource, "GROUP"),
                    constant(resource, "VERSION"),
                    constant(resource, "KIND"),
                    constant(resource, "URL_PATH_SEGMENT"),
                ));
            }
        }
    }
}

#[test]
fn table_matches_the_enabled_k8s_openapi_version() {
    let scheme = Scheme::with_builtins();
    let version = scheme.k8s_version().expect("built-ins added");
    let minor = version.strip_prefix("1.").unwrap();
    let mut expected = BTreeSet::new();
    listable_in(
        &k8s_openapi_dir().join("src").join(format!("v1_{minor}")),
        &mut expected,
    );
    assert!(
        (81..=93).contains(&expected.len()),
        "k8s-openapi {version} has {} listable kinds",
        expected.len()
    );

    let actual: BTreeSet<_> = scheme
        .kinds()
        .filter(|k| k.is_builtin())
        .map(|k| {
            (
                k.gvk().group.clone(),
                k.gvk().version.clone(),
                k.gvk().kind.clone(),
                k.plural().to_owned(),
            )
        })
        .collect();
    let missing: Vec<_> = expected.difference(&actual).collect();
    let extra: Vec<_> = actual.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing from the table: {missing:?}\nnot in k8s-openapi {version}: {extra:?}"
    );
}

#[test]
fn enabled_version_is_the_one_the_tests_chose() {
    // The dev-dependency enables k8s-openapi's `latest` feature.
    assert_eq!(Scheme::with_builtins().k8s_version(), Some("1.37"));
    assert_eq!(Scheme::new().k8s_version(), None);
}

#[test]
fn builtin_scopes_and_list_kinds() {
    use kube_scheme::{GroupVersionKind, Scope};
    let scheme = Scheme::with_builtins();
    let check = |g: &str, v: &str, k: &str, plural: &str, scope: Scope| {
        let info = scheme.kind(&GroupVersionKind::gvk(g, v, k)).unwrap();
        assert_eq!(
            (info.plural(), info.scope(), info.list_kind()),
            (plural, scope, format!("{k}List").as_str())
        );
    };
    check("", "v1", "Pod", "pods", Scope::Namespaced);
    check("", "v1", "Node", "nodes", Scope::Cluster);
    check("", "v1", "Endpoints", "endpoints", Scope::Namespaced);
    check("apps", "v1", "Deployment", "deployments", Scope::Namespaced);
    check(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRole",
        "clusterroles",
        Scope::Cluster,
    );
    check(
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        Scope::Cluster,
    );
    check(
        "apiregistration.k8s.io",
        "v1",
        "APIService",
        "apiservices",
        Scope::Cluster,
    );
}
