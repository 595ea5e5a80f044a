//! CustomResourceDefinitions: what a stored CRD serves (one resource per served version, with its
//! names, scope, subresources and printer columns), and the status the real server's controllers
//! give it once its names are accepted.

use kube_core::{ApiResource, GroupVersionResource};
use kube_scheme::{KindInfo, Scheme, Scope};
use serde_json::{Value, json};

/// The group and plural of CustomResourceDefinitions themselves.
pub(crate) const GROUP: &str = "apiextensions.k8s.io";
/// The resource name of CustomResourceDefinitions.
pub(crate) const PLURAL: &str = "customresourcedefinitions";

/// The scale subresource of a custom resource (`spec.versions[].subresources.scale`).
#[derive(Clone, Debug)]
pub(crate) struct ScaleSpec {
    pub spec_replicas_path: String,
    pub status_replicas_path: String,
    pub label_selector_path: Option<String>,
}

/// One served version of a CRD.
#[derive(Clone, Debug)]
pub(crate) struct CrdResource {
    pub info: KindInfo,
    pub singular: String,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    pub status: bool,
    pub scale: Option<ScaleSpec>,
    /// `additionalPrinterColumns` of the version.
    pub columns: Vec<Value>,
    /// `schema.openAPIV3Schema` of the version.
    pub schema: Option<Value>,
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The resources a CRD object serves: one per served version. `None` for what is not a usable
/// CRD (no group, plural or kind), which the real server would have refused.
pub(crate) fn resources_of(crd: &Value) -> Option<Vec<CrdResource>> {
    let spec = crd.get("spec")?;
    let group = spec["group"].as_str().filter(|s| !s.is_empty())?;
    let names = &spec["names"];
    let plural = names["plural"].as_str().filter(|s| !s.is_empty())?;
    let kind = names["kind"].as_str().filter(|s| !s.is_empty())?;
    let scope = if spec["scope"] == "Cluster" {
        Scope::Cluster
    } else {
        Scope::Namespaced
    };
    let singular = names["singular"]
        .as_str()
        .filter(|s| !s.is_empty())
        .map_or_else(|| kind.to_lowercase(), str::to_owned);
    let mut out = Vec::new();
    for version in spec["versions"].as_array()? {
        if version["served"] != true {
            continue;
        }
        let name = version["name"].as_str()?;
        let resource = ApiResource {
            group: group.to_owned(),
            version: name.to_owned(),
            api_version: format!("{group}/{name}"),
            kind: kind.to_owned(),
            plural: plural.to_owned(),
        };
        let mut scheme = Scheme::new();
        scheme.add_kind(&resource, scope).ok()?;
        let info = scheme
            .kind_for_resource(&GroupVersionResource::gvr(group, name, plural))
            .ok()?
            .clone();
        let subresources = &version["subresources"];
        let scale = subresources.get("scale").map(|s| ScaleSpec {
            spec_replicas_path: s["specReplicasPath"].as_str().unwrap_or(".spec.replicas").to_owned(),
            status_replicas_path: s["statusReplicasPath"]
                .as_str()
                .unwrap_or(".status.replicas")
                .to_owned(),
            label_selector_path: s["labelSelectorPath"].as_str().map(str::to_owned),
        });
        out.push(CrdResource {
            info,
            singular: singular.clone(),
            short_names: strings(&names["shortNames"]),
            categories: strings(&names["categories"]),
            status: subresources.get("status").is_some(),
            scale,
            columns: version["additionalPrinterColumns"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
            schema: version.pointer("/schema/openAPIV3Schema").cloned(),
        });
    }
    Some(out)
}

/// The status the real server's naming and establishing controllers write for a CRD whose
/// names conflict with no other: `acceptedNames`, `NamesAccepted` and `Established` conditions
/// (keeping their transition times when already true), and the stored versions.
pub(crate) fn accepted_status(crd: &Value, now: &str) -> Value {
    let spec = &crd["spec"];
    let names = &spec["names"];
    let kind = names["kind"].as_str().unwrap_or_default();
    let mut accepted = json!({
        "plural": names["plural"],
        "singular": names["singular"].as_str().filter(|s| !s.is_empty()).map_or_else(|| kind.to_lowercase(), str::to_owned),
        "kind": kind,
        "listKind": names["listKind"].as_str().filter(|s| !s.is_empty()).map_or_else(|| format!("{kind}List"), str::to_owned),
    });
    for optional in ["shortNames", "categories"] {
        if names
            .get(optional)
            .is_some_and(|v| v.as_array().is_some_and(|a| !a.is_empty()))
        {
            accepted[optional] = names[optional].clone();
        }
    }
    let previous = |ty: &str| {
        crd.pointer("/status/conditions")
            .and_then(Value::as_array)
            .and_then(|c| c.iter().find(|c| c["type"] == ty && c["status"] == "True"))
            .and_then(|c| c["lastTransitionTime"].as_str())
            .unwrap_or(now)
            .to_owned()
    };
    let mut stored = strings(&crd["status"]["storedVersions"]);
    for version in spec["versions"].as_array().into_iter().flatten() {
        if version["storage"] == true
            && let Some(name) = version["name"].as_str()
            && !stored.iter().any(|s| s == name)
        {
            stored.push(name.to_owned());
        }
    }
    json!({
        "acceptedNames": accepted,
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "lastTransitionTime": previous("NamesAccepted"), "reason": "NoConflicts", "message": "no conflicts found"},
            {"type": "Established", "status": "True", "lastTransitionTime": previous("Established"), "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"},
        ],
        "storedVersions": stored,
    })
}

/// Whether a request body's object is a CRD the fake can serve: `metadata.name` must be
/// `<plural>.<group>`, as the real server validates.
pub(crate) fn validate(crd: &Value) -> Result<(), (String, String, String)> {
    let name = crd
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let group = crd.pointer("/spec/group").and_then(Value::as_str).unwrap_or_default();
    let plural = crd
        .pointer("/spec/names/plural")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let wanted = format!("{plural}.{group}");
    if name.is_empty() || name == wanted {
        return Ok(());
    }
    Err((
        "metadata.name".into(),
        "FieldValueInvalid".into(),
        format!("Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group"),
    ))
}

/// Reads a `.a.b.c` JSON path (the form of scale subresource paths) in `object`.
pub(crate) fn get_path<'a>(object: &'a Value, path: &str) -> Option<&'a Value> {
    path.trim_start_matches('.')
        .split('.')
        .try_fold(object, |v, segment| v.get(segment))
}

/// Sets a `.a.b.c` JSON path in `object`, creating objects on the way.
pub(crate) fn set_path(object: &mut Value, path: &str, value: Value) {
    let mut at = object;
    for segment in path.trim_start_matches('.').split('.') {
        if !at.is_object() {
            *at = json!({});
        }
        at = at
            .as_object_mut()
            .expect("made an object above")
            .entry(segment.to_owned())
            .or_insert(Value::Null);
    }
    *at = value;
}

/// Applies a CRD version's structural schema to a custom resource as the real server does when it
/// decodes every write: unknown fields are pruned (but where `x-kubernetes-preserve-unknown-fields`
/// or `additionalProperties` keeps them) and `default`s are filled in. Validation is
/// [`crate::validation`]'s.
pub(crate) fn apply_schema(object: &mut Value, schema: &Value) {
    if let Some(map) = object.as_object_mut() {
        for (key, value) in map.iter_mut() {
            if matches!(key.as_str(), "apiVersion" | "kind" | "metadata") {
                continue;
            }
            if let Some(property) = schema.pointer(&format!("/properties/{key}")) {
                walk(value, property);
            }
        }
        if schema.get("x-kubernetes-preserve-unknown-fields") != Some(&Value::Bool(true))
            && let Some(properties) = schema.get("properties").and_then(Value::as_object)
        {
            map.retain(|k, _| matches!(k.as_str(), "apiVersion" | "kind" | "metadata") || properties.contains_key(k));
        }
        fill_defaults(map, schema);
    }
}

fn fill_defaults(map: &mut serde_json::Map<String, Value>, schema: &Value) {
    for (key, property) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if !map.contains_key(key)
            && let Some(default) = property.get("default")
        {
            let mut value = default.clone();
            walk(&mut value, property);
            map.insert(key.clone(), value);
        }
    }
}

fn walk(value: &mut Value, schema: &Value) {
    match value {
        Value::Object(map) => {
            let preserve = schema.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (key, value) in map.iter_mut() {
                    if let Some(property) = properties.get(key) {
                        walk(value, property);
                    }
                }
                if !preserve {
                    map.retain(|k, _| properties.contains_key(k));
                }
                fill_defaults(map, schema);
            } else if let Some(additional) = schema.get("additionalProperties").filter(|a| a.is_object()) {
                for value in map.values_mut() {
                    walk(value, additional);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items.iter_mut() {
                    walk(item, item_schema);
                }
            }
        }
        _ => {}
    }
}
