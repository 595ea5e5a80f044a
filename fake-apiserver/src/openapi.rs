//! OpenAPI v3 (`/openapi/v3` and its group-version documents): the real server's documents for
//! built-ins, recorded from kube-apiserver v1.37.2 into `data/openapi-v3.json.gz` by
//! `tests/real_server.rs`, and documents built from their schemas for the group versions that
//! CustomResourceDefinitions serve. kubectl reads them to validate (`--validate`, through the
//! `fieldValidation` parameter they list), for `explain`, and for the patch strategies of
//! client-side `apply`, `edit` and `diff`.
//!
//!
//! OpenAPI v2 (`/openapi/v2`), in JSON or, for `Accept:
//! application/com.github.proto-openapi.spec.v2@v1.0+protobuf` (what client-go's
//! `OpenAPISchema` asks for), in gnostic's protobuf: the real server's documents, recorded into
//! `data/openapi-v2.json.gz` and `data/openapi-v2.pb.gz`, with the definitions of the kinds CRDs
//! serve added (to the protobuf as an appended `definitions` field, which protobuf merges into
//! the recorded one). CRD paths are not added to v2.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::LazyLock;

use serde_json::{Value, json};

use crate::crd::CrdResource;
use crate::store::Store;

/// The recorded documents by path (`api/v1`, `apis/apps/v1`, ...), and the index's hashes.
static RECORDED: LazyLock<BTreeMap<String, (String, Value)>> = LazyLock::new(|| {
    let value: Value =
        serde_json::from_slice(&gunzip(include_bytes!("../data/openapi-v3.json.gz"))).expect("the recording is JSON");
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

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("the recording is gzip");
    out
}

/// The media type of OpenAPI v2 in protobuf.
pub(crate) const V2_PROTOBUF: &str = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

static RECORDED_V2: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_slice(&gunzip(include_bytes!("../data/openapi-v2.json.gz"))).expect("the recording is JSON")
});

static RECORDED_V2_PROTOBUF: LazyLock<Vec<u8>> = LazyLock::new(|| gunzip(include_bytes!("../data/openapi-v2.pb.gz")));

const METADATA: &str = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/// A CRD version's schema as the real server publishes it: with `apiVersion`, `kind` and
/// `metadata` (`metadata`, the reference to `ObjectMeta` in the document's form) and the kind it is.
fn kind_schema(crd: &CrdResource, metadata: Value) -> Value {
    let gvk = crd.info.gvk();
    let mut schema = crd.schema.clone().unwrap_or_else(|| json!({"type": "object"}));
    if let Some(map) = schema.as_object_mut() {
        let properties = map.entry("properties").or_insert_with(|| json!({}));
        properties["apiVersion"] = json!({"type": "string", "description": "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"});
        properties["kind"] = json!({"type": "string", "description": "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"});
        properties["metadata"] = metadata;
        map.insert(
            "x-kubernetes-group-version-kind".into(),
            json!([{"group": gvk.group, "version": gvk.version, "kind": gvk.kind}]),
        );
    }
    schema
}

/// The v2 definitions of the kinds CRDs serve, by name: each version's schema with `apiVersion`,
/// `kind` and `metadata`, and the kind it is.
fn v2_crd_definitions(store: &Store) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for crd in store.crds.values() {
        let metadata =
            json!({"description": METADATA, "$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"});
        let mut schema = kind_schema(crd, metadata);
        v2_schema(&mut schema);
        out.insert(definition_name(crd), schema);
    }
    out
}

/// What OpenAPI v2 cannot say of a structural schema goes, as the real server's v2 conversion
/// drops it: `nullable`, `oneOf`, `anyOf`, `not`, and the type of a nullable field.
fn v2_schema(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else { return };
    if map.remove("nullable") == Some(json!(true)) {
        map.remove("type");
    }
    for key in ["oneOf", "anyOf", "not"] {
        map.remove(key);
    }
    if let Some(properties) = map.get_mut("properties").and_then(Value::as_object_mut) {
        properties.values_mut().for_each(v2_schema);
    }
    for key in ["items", "additionalProperties"] {
        if let Some(child) = map.get_mut(key) {
            v2_schema(child);
        }
    }
}

/// The `/openapi/v2` document in JSON.
pub(crate) fn v2_document(store: &Store) -> Value {
    let mut doc = RECORDED_V2.clone();
    for (name, schema) in v2_crd_definitions(store) {
        doc["definitions"][name] = schema;
    }
    doc
}

/// The `/openapi/v2` document in protobuf.
pub(crate) fn v2_protobuf(store: &Store) -> Vec<u8> {
    let mut out = RECORDED_V2_PROTOBUF.clone();
    let definitions = v2_crd_definitions(store);
    if !definitions.is_empty() {
        let mut named = Vec::new();
        for (name, schema) in &definitions {
            let mut entry = Vec::new();
            pb::string(&mut entry, 1, name);
            pb::message(&mut entry, 2, &pb::schema(schema));
            pb::message(&mut named, 1, &entry);
        }
        // Document.definitions (9): merged with the recorded one by any protobuf reader.
        pb::message(&mut out, 9, &named);
    }
    out
}

/// Just enough of gnostic's `openapi_v2` protobuf encoding for the schemas of CRDs.
mod pb {
    use serde_json::Value;

    fn varint(out: &mut Vec<u8>, mut n: u64) {
        while n >= 0x80 {
            out.push((n as u8) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }

    fn key(out: &mut Vec<u8>, field: u64, wire: u64) {
        varint(out, (field << 3) | wire);
    }

    pub(super) fn bytes(out: &mut Vec<u8>, field: u64, value: &[u8]) {
        key(out, field, 2);
        varint(out, value.len() as u64);
        out.extend_from_slice(value);
    }

    pub(super) fn string(out: &mut Vec<u8>, field: u64, value: &str) {
        if !value.is_empty() {
            bytes(out, field, value.as_bytes());
        }
    }

    pub(super) fn message(out: &mut Vec<u8>, field: u64, value: &[u8]) {
        bytes(out, field, value);
    }

    fn int(out: &mut Vec<u8>, field: u64, value: i64) {
        if value != 0 {
            key(out, field, 0);
            varint(out, value as u64);
        }
    }

    fn boolean(out: &mut Vec<u8>, field: u64, value: bool) {
        if value {
            key(out, field, 0);
            varint(out, 1);
        }
    }

    fn double(out: &mut Vec<u8>, field: u64, value: f64) {
        if value != 0.0 {
            key(out, field, 1);
            out.extend_from_slice(&value.to_le_bytes());
        }
    }

    /// `Any` with the value as YAML text (JSON is YAML), as gnostic keeps parsed values.
    fn any(value: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        string(&mut out, 2, &(value.to_string() + "\n"));
        out
    }

    /// A `Schema` message of a JSON schema.
    pub(super) fn schema(value: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        let str_of = |k: &str| value.get(k).and_then(Value::as_str).unwrap_or_default();
        let int_of = |k: &str| value.get(k).and_then(Value::as_i64).unwrap_or_default();
        let bool_of = |k: &str| value.get(k).and_then(Value::as_bool).unwrap_or_default();
        let f64_of = |k: &str| value.get(k).and_then(Value::as_f64).unwrap_or_default();
        string(&mut out, 1, str_of("$ref"));
        string(&mut out, 2, str_of("format"));
        string(&mut out, 3, str_of("title"));
        string(&mut out, 4, str_of("description"));
        if let Some(default) = value.get("default") {
            message(&mut out, 5, &any(default));
        }
        double(&mut out, 6, f64_of("multipleOf"));
        double(&mut out, 7, f64_of("maximum"));
        boolean(&mut out, 8, bool_of("exclusiveMaximum"));
        double(&mut out, 9, f64_of("minimum"));
        boolean(&mut out, 10, bool_of("exclusiveMinimum"));
        int(&mut out, 11, int_of("maxLength"));
        int(&mut out, 12, int_of("minLength"));
        string(&mut out, 13, str_of("pattern"));
        int(&mut out, 14, int_of("maxItems"));
        int(&mut out, 15, int_of("minItems"));
        boolean(&mut out, 16, bool_of("uniqueItems"));
        int(&mut out, 17, int_of("maxProperties"));
        int(&mut out, 18, int_of("minProperties"));
        for required in value.get("required").and_then(Value::as_array).into_iter().flatten() {
            string(&mut out, 19, required.as_str().unwrap_or_default());
        }
        for item in value.get("enum").and_then(Value::as_array).into_iter().flatten() {
            message(&mut out, 20, &any(item));
        }
        match value.get("additionalProperties") {
            Some(Value::Bool(b)) => {
                let mut item = Vec::new();
                key(&mut item, 2, 0);
                varint(&mut item, u64::from(*b));
                message(&mut out, 21, &item);
            }
            Some(child @ Value::Object(_)) => {
                let mut item = Vec::new();
                message(&mut item, 1, &schema(child));
                message(&mut out, 21, &item);
            }
            _ => {}
        }
        if let Some(ty) = value.get("type").and_then(Value::as_str) {
            let mut item = Vec::new();
            string(&mut item, 1, ty);
            message(&mut out, 22, &item);
        }
        if let Some(items) = value.get("items").filter(|i| i.is_object()) {
            let mut item = Vec::new();
            message(&mut item, 1, &schema(items));
            message(&mut out, 23, &item);
        }
        for child in value.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            message(&mut out, 24, &schema(child));
        }
        if let Some(properties) = value.get("properties").and_then(Value::as_object) {
            let mut list = Vec::new();
            for (name, child) in properties {
                let mut named = Vec::new();
                string(&mut named, 1, name);
                message(&mut named, 2, &schema(child));
                message(&mut list, 1, &named);
            }
            message(&mut out, 25, &list);
        }
        for (name, extension) in value.as_object().into_iter().flatten() {
            if name.starts_with("x-") {
                let mut named = Vec::new();
                string(&mut named, 1, name);
                message(&mut named, 2, &any(extension));
                message(&mut out, 31, &named);
            }
        }
        out
    }
}

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
        // Operations carry one kind (schemas a list: `kind_schema`).
        let op_gvk = json!({"group": gvk.group, "version": gvk.version, "kind": gvk.kind});
        let metadata = json!({"description": METADATA, "allOf": [{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}]});
        schemas.insert(name.clone(), kind_schema(crd, metadata));
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
