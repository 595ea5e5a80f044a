//! OpenAPI v3 (`/openapi/v3` and its group-version documents): the real server's documents for
//! built-ins, recorded from kube-apiserver v1.37.2 into `data/openapi-v3.json.gz` by
//! `tests/real_server.rs`, and documents built from their schemas for the group versions that
//! CustomResourceDefinitions serve. kubectl reads them to validate (`--validate`, through the
//! `fieldValidation` parameter they list), for `explain`, and for the patch strategies of
//! client-side `apply`, `edit` and `diff`.
//!
//! `/openapi/v2` is not served: client-go asks for it only in protobuf, and only when v3 is missing.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::LazyLock;

use serde_json::{Value, json};

use crate::crd::CrdResource;
use crate::store::Store;

/// The recorded documents by path (`api/v1`, `apis/apps/v1`, ...), and the index's hashes.
static RECORDED: LazyLock<BTreeMap<String, (String, Value)>> = LazyLock::new(|| {
    let mut text = String::new();
    flate2::read::GzDecoder::new(&include_bytes!("../data/openapi-v3.json.gz")[..])
        .read_to_string(&mut text)
        .expect("the recording is gzip");
    let value: Value = serde_json::from_str(&text).expect("the recording is JSON");
    value
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(path, entry)| {
                    (
                        path.clone(),
                        (
                            entry["hash"].as_str().unwrap_or_default().to_owned(),
                            entry["document"].clone(),
                        ),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
});

fn crd_path(group: &str, version: &str) -> String {
    format!("apis/{group}/{version}")
}

/// The `/openapi/v3` index: every recorded group version, plus those CRDs serve.
pub(crate) fn index(store: &Store) -> Value {
    let mut paths = serde_json::Map::new();
    for (path, (hash, _)) in RECORDED.iter() {
        paths.insert(
            path.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={hash}")}),
        );
    }
    for crd in store.crds.values() {
        let path = crd_path(&crd.info.gvk().group, &crd.info.gvk().version);
        let hash = format!("{:X}", fnv(&crd_document(store, &path).to_string()));
        paths.insert(
            path.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={hash}")}),
        );
    }
    json!({"paths": paths})
}

/// The document of one group version (`apis/apps/v1`), if it is served.
pub(crate) fn document(store: &Store, path: &str) -> Option<Value> {
    if let Some((_, doc)) = RECORDED.get(path) {
        return Some(doc.clone());
    }
    store
        .crds
        .values()
        .any(|c| crd_path(&c.info.gvk().group, &c.info.gvk().version) == path)
        .then(|| crd_document(store, path))
}

/// 64-bit FNV-1a, a stable stand-in for the real server's content hash.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The definition name of a custom resource: the group reversed, the version, the kind
/// (`com.example.stable.v1.CronTab`), as the real server's CRD OpenAPI builder names it.
fn definition_name(crd: &CrdResource) -> String {
    let gvk = crd.info.gvk();
    let reversed: Vec<&str> = gvk.group.split('.').rev().collect();
    format!("{}.{}.{}", reversed.join("."), gvk.version, gvk.kind)
}

/// A document for the group version `path` of CRDs: its resources' paths (with the query
/// parameters kubectl looks for) and schemas, plus the `ObjectMeta` family they refer to.
fn crd_document(store: &Store, path: &str) -> Value {
    let mut paths = serde_json::Map::new();
    let mut schemas = serde_json::Map::new();
    let meta_doc = RECORDED.get("api/v1").map(|(_, d)| d.clone()).unwrap_or_default();
    for crd in store
        .crds
        .values()
        .filter(|c| crd_path(&c.info.gvk().group, &c.info.gvk().version) == path)
    {
        let gvk = crd.info.gvk();
        let name = definition_name(crd);
        // Schemas carry a list of kinds, operations one kind.
        let gvk_ext = json!([{"group": gvk.group, "version": gvk.version, "kind": gvk.kind}]);
        let op_gvk = json!({"group": gvk.group, "version": gvk.version, "kind": gvk.kind});
        let mut schema = crd.schema.clone().unwrap_or_else(|| json!({"type": "object"}));
        if let Some(map) = schema.as_object_mut() {
            let properties = map.entry("properties").or_insert_with(|| json!({}));
            properties["apiVersion"] = json!({"type": "string", "description": "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"});
            properties["kind"] = json!({"type": "string", "description": "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"});
            properties["metadata"] = json!({"description": "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata", "allOf": [{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}]});
            map.insert("x-kubernetes-group-version-kind".into(), gvk_ext.clone());
        }
        schemas.insert(name.clone(), schema);
        let params = json!([
            {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "fieldValidation", "in": "query", "description": "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields.", "schema": {"type": "string", "uniqueItems": true}},
        ]);
        let reference = json!({"$ref": format!("#/components/schemas/{name}")});
        let operation = |action: &str| {
            json!({
                "parameters": params,
                "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": reference}}}},
                "x-kubernetes-action": action,
                "x-kubernetes-group-version-kind": op_gvk,
            })
        };
        let plural = crd.info.plural();
        let base = if crd.info.scope() == kube_scheme::Scope::Namespaced {
            format!("/apis/{}/{}/namespaces/{{namespace}}/{plural}", gvk.group, gvk.version)
        } else {
            format!("/apis/{}/{}/{plural}", gvk.group, gvk.version)
        };
        paths.insert(base.clone(), json!({"post": operation("post")}));
        paths.insert(
            format!("{base}/{{name}}"),
            json!({"put": operation("put"), "patch": operation("patch")}),
        );
    }
    // The metadata types every resource refers to.
    if let Some(all) = meta_doc.pointer("/components/schemas").and_then(Value::as_object) {
        for (key, value) in all {
            if key.starts_with("io.k8s.apimachinery.pkg.apis.meta.v1.") {
                schemas.insert(key.clone(), value.clone());
            }
        }
    }
    json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes CRD Swagger", "version": "v0.1.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    })
}

/// Every recorded kind's schema, by `(group, version, kind)`: the document it is in and its
/// name under `components.schemas`.
/// `(group, version, kind)`.
type Gvk = (String, String, String);

static KINDS: LazyLock<std::collections::HashMap<Gvk, (String, String)>> = LazyLock::new(|| {
    let mut kinds = std::collections::HashMap::new();
    for (path, (_, doc)) in RECORDED.iter() {
        for (name, schema) in doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            for gvk in schema
                .get("x-kubernetes-group-version-kind")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let key = |k: &str| gvk[k].as_str().unwrap_or_default().to_owned();
                kinds
                    .entry((key("group"), key("version"), key("kind")))
                    .or_insert_with(|| (path.clone(), name.clone()));
            }
        }
    }
    kinds
});

/// The recorded document holding a built-in kind's schema, and that schema.
pub(crate) fn builtin_schema(group: &str, version: &str, kind: &str) -> Option<(&'static Value, &'static Value)> {
    let (path, name) = KINDS.get(&(group.to_owned(), version.to_owned(), kind.to_owned()))?;
    let (_, doc) = RECORDED.get(path)?;
    let schema = doc.pointer("/components/schemas")?.get(name)?;
    Some((doc, schema))
}
