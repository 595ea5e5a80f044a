//! Server-side apply (`application/apply-patch+yaml`): the applied configuration is merged into
//! the object (maps recursively, lists by the schema's `x-kubernetes-list-type`/`-map-keys` or
//! patch merge key, other lists replaced), each field manager's applied fields are recorded in
//! `metadata.managedFields` (`FieldsV1`), fields a manager applied before and no longer applies
//! are removed unless another manager owns them, and a field another manager owns with a
//! different value is a 409 conflict naming it, unless `force=true` takes it over.
//!
//! Only `Apply` operations are recorded: other writes (create, update, patch) keep the
//! `managedFields` they find, where the real server adds an `Update` entry for their manager.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::status::ApiError;
use crate::strategic::Schema;

/// A field path in FieldsV1 segments: `f:name`, `k:{"name":"a"}`, `v:"x"`, `.` (the item itself).
type Path = Vec<String>;

/// The metadata fields the field manager ignores (apimachinery's `stripmeta`).
const STRIPPED_META: [&str; 8] = [
    "name",
    "namespace",
    "creationTimestamp",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "managedFields",
];

/// How a list merges.
enum ListType {
    Atomic,
    Set,
    Map(Vec<String>),
}

fn list_type(raw: Option<&Value>) -> ListType {
    let Some(raw) = raw else { return ListType::Atomic };
    match raw.get("x-kubernetes-list-type").and_then(Value::as_str) {
        Some("set") => return ListType::Set,
        Some("map") => {
            let keys = raw
                .get("x-kubernetes-list-map-keys")
                .and_then(Value::as_array)
                .map(|k| k.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default();
            return ListType::Map(keys);
        }
        Some(_) => return ListType::Atomic,
        None => {}
    }
    match raw.get("x-kubernetes-patch-merge-key").and_then(Value::as_str) {
        Some(key)
            if raw
                .get("x-kubernetes-patch-strategy")
                .and_then(Value::as_str)
                .is_some_and(|s| s.contains("merge")) =>
        {
            ListType::Map(vec![key.to_owned()])
        }
        _ => ListType::Atomic,
    }
}

fn item_key(item: &Value, keys: &[String]) -> String {
    let mut key = Map::new();
    for k in keys {
        if let Some(v) = item.get(k) {
            key.insert(k.clone(), v.clone());
        }
    }
    format!("k:{}", Value::Object(key))
}

/// The fields a configuration sets, as paths.
fn field_set(value: &Value, schema: Schema<'_>, prefix: &mut Path, out: &mut BTreeSet<Path>) {
    let Value::Object(map) = value else {
        out.insert(prefix.clone());
        return;
    };
    if map.is_empty() && !prefix.is_empty() {
        out.insert(prefix.clone());
        return;
    }
    for (key, child) in map {
        if prefix.is_empty() && matches!(key.as_str(), "apiVersion" | "kind") {
            continue;
        }
        if prefix.len() == 1 && prefix[0] == "f:metadata" && STRIPPED_META.contains(&key.as_str()) {
            continue;
        }
        let (child_schema, raw) = schema.property(key);
        prefix.push(format!("f:{key}"));
        match child {
            Value::Array(items) => match list_type(raw) {
                ListType::Atomic => {
                    out.insert(prefix.clone());
                }
                ListType::Set => {
                    for item in items {
                        prefix.push(format!("v:{item}"));
                        out.insert(prefix.clone());
                        prefix.pop();
                    }
                }
                ListType::Map(keys) => {
                    for item in items {
                        prefix.push(item_key(item, &keys));
                        prefix.push(".".into());
                        out.insert(prefix.clone());
                        prefix.pop();
                        field_set(item, child_schema.items(), prefix, out);
                        prefix.pop();
                    }
                }
            },
            _ if child_schema.is_atomic_map() => {
                out.insert(prefix.clone());
            }
            _ => field_set(child, child_schema, prefix, out),
        }
        prefix.pop();
    }
}

/// FieldsV1 JSON of a set of paths.
fn to_fields_v1(set: &BTreeSet<Path>) -> Value {
    let mut root = Map::new();
    for path in set {
        let mut node = &mut root;
        for segment in path {
            node = node
                .entry(segment.clone())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("nodes are objects");
        }
    }
    Value::Object(root)
}

fn from_fields_v1(value: &Value, prefix: &mut Path, out: &mut BTreeSet<Path>) {
    let Some(map) = value.as_object() else { return };
    if map.is_empty() && !prefix.is_empty() {
        out.insert(prefix.clone());
        return;
    }
    for (segment, child) in map {
        prefix.push(segment.clone());
        from_fields_v1(child, prefix, out);
        prefix.pop();
    }
}

/// The value a path names in an object.
fn value_at<'a>(object: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut at = object;
    for segment in path {
        at = if segment == "." {
            at
        } else if let Some(name) = segment.strip_prefix("f:") {
            at.get(name)?
        } else if let Some(key) = segment.strip_prefix("k:") {
            let key: Map<String, Value> = serde_json::from_str(key).ok()?;
            at.as_array()?
                .iter()
                .find(|i| key.iter().all(|(k, v)| i.get(k) == Some(v)))?
        } else if let Some(value) = segment.strip_prefix("v:") {
            let value: Value = serde_json::from_str(value).ok()?;
            at.as_array()?.iter().find(|i| **i == value)?
        } else {
            return None;
        };
    }
    Some(at)
}

/// Removes what a path names from an object.
fn remove_at(object: &mut Value, path: &[String]) {
    let Some((last, parent)) = path.split_last() else {
        return;
    };
    if last == "." {
        remove_at(object, parent);
        return;
    }
    let mut at = object;
    for segment in parent {
        let next = if let Some(name) = segment.strip_prefix("f:") {
            at.get_mut(name)
        } else if let Some(key) = segment.strip_prefix("k:") {
            let Ok(key) = serde_json::from_str::<Map<String, Value>>(key) else {
                return;
            };
            at.as_array_mut()
                .and_then(|a| a.iter_mut().find(|i| key.iter().all(|(k, v)| i.get(k) == Some(v))))
        } else {
            None
        };
        match next {
            Some(next) => at = next,
            None => return,
        }
    }
    if let Some(name) = last.strip_prefix("f:") {
        if let Some(map) = at.as_object_mut() {
            map.remove(name);
        }
    } else if let Some(key) = last.strip_prefix("k:") {
        if let (Ok(key), Some(items)) = (serde_json::from_str::<Map<String, Value>>(key), at.as_array_mut()) {
            items.retain(|i| !key.iter().all(|(k, v)| i.get(k) == Some(v)));
        }
    } else if let Some(value) = last.strip_prefix("v:")
        && let (Ok(value), Some(items)) = (serde_json::from_str::<Value>(value), at.as_array_mut())
    {
        items.retain(|i| *i != value);
    }
}

/// Merges an applied configuration into an object.
fn merge(current: &mut Value, config: &Value, schema: Schema<'_>) {
    let (Some(target), Some(config)) = (current.as_object_mut(), config.as_object()) else {
        *current = config.clone();
        return;
    };
    for (key, value) in config {
        let (child_schema, raw) = schema.property(key);
        match (target.get_mut(key), value) {
            (Some(existing @ Value::Object(_)), Value::Object(_)) if !child_schema.is_atomic_map() => {
                merge(existing, value, child_schema)
            }
            (Some(Value::Array(existing)), Value::Array(items)) => match list_type(raw) {
                ListType::Atomic => *existing = items.clone(),
                ListType::Set => {
                    for item in items {
                        if !existing.contains(item) {
                            existing.push(item.clone());
                        }
                    }
                }
                ListType::Map(keys) => {
                    for item in items {
                        let key = item_key(item, &keys);
                        match existing.iter_mut().find(|e| item_key(e, &keys) == key) {
                            Some(found) => merge(found, item, child_schema.items()),
                            None => existing.push(item.clone()),
                        }
                    }
                }
            },
            _ => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
}

/// A managedFields entry.
struct Manager {
    entry: Value,
    set: BTreeSet<Path>,
}

fn render(path: &[String]) -> String {
    let mut out = String::new();
    for segment in path {
        if let Some(name) = segment.strip_prefix("f:") {
            out.push('.');
            out.push_str(name);
        } else if let Some(key) = segment.strip_prefix("k:") {
            let key: Map<String, Value> = serde_json::from_str(key).unwrap_or_default();
            let parts: Vec<String> = key.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.push_str(&format!("[{}]", parts.join(",")));
        } else if let Some(value) = segment.strip_prefix("v:") {
            out.push_str(&format!("[={value}]"));
        }
    }
    out
}

/// Applies `config` for `manager` to `current` (`None` when the object does not exist yet);
/// returns the object to store, with its `managedFields`.
pub(crate) fn apply(
    current: Option<&Value>,
    config: &Value,
    manager: &str,
    force: bool,
    schema: Schema<'_>,
    now: &str,
) -> Result<Value, ApiError> {
    let api_version = config
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut applied = BTreeSet::new();
    field_set(config, schema, &mut Vec::new(), &mut applied);
    let mut managers: Vec<Manager> = current
        .and_then(|c| c.pointer("/metadata/managedFields"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|entry| {
            let mut set = BTreeSet::new();
            if let Some(fields) = entry.get("fieldsV1") {
                from_fields_v1(fields, &mut Vec::new(), &mut set);
            }
            Manager {
                entry: entry.clone(),
                set,
            }
        })
        .collect();
    let is_self = |m: &Manager| m.entry["manager"] == manager && m.entry["operation"] == "Apply";
    let previous: BTreeSet<Path> = managers
        .iter()
        .find(|m| is_self(m))
        .map(|m| m.set.clone())
        .unwrap_or_default();

    let mut conflicts = Vec::new();
    if let Some(current) = current {
        for other in managers.iter_mut().filter(|m| !is_self(m)) {
            let taken: Vec<Path> = applied
                .iter()
                .filter(|p| other.set.contains(*p) && p.last().is_none_or(|s| s != "."))
                .filter(|p| value_at(current, p) != value_at(config, p))
                .cloned()
                .collect();
            for path in taken {
                if force {
                    other.set.remove(&path);
                } else {
                    let who = other.entry["manager"].as_str().unwrap_or_default().to_owned();
                    let version = other.entry["apiVersion"].as_str().unwrap_or_default().to_owned();
                    conflicts.push((who, version, render(&path)));
                }
            }
        }
    }
    // The other manager's version is named only when it is not the applied one.
    let using = |version: &str| {
        if version == api_version {
            String::new()
        } else {
            format!(" using {version}")
        }
    };
    if !conflicts.is_empty() {
        let summary: Vec<String> = conflicts
            .iter()
            .map(|(who, version, field)| format!("conflict with \"{who}\"{}: {field}", using(version)))
            .collect();
        let message = if conflicts.len() == 1 {
            format!("Apply failed with 1 conflict: {}", summary[0])
        } else {
            format!(
                "Apply failed with {} conflicts: {}",
                conflicts.len(),
                summary.join("\n")
            )
        };
        let causes: Vec<Value> = conflicts
            .iter()
            .map(|(who, version, field)| {
                json!({"reason": "FieldManagerConflict", "message": format!("conflict with \"{who}\"{}", using(version)), "field": field})
            })
            .collect();
        let mut error = ApiError::new(409, "Conflict", message);
        error.details = Some(json!({"causes": causes}));
        return Err(error);
    }

    let mut object = match current {
        Some(current) => {
            let mut object = current.clone();
            merge(&mut object, config, schema);
            let owned_by_others: BTreeSet<&Path> =
                managers.iter().filter(|m| !is_self(m)).flat_map(|m| &m.set).collect();
            // Longest paths first, so that list items go after their fields.
            let mut removed: Vec<&Path> = previous
                .difference(&applied)
                .filter(|p| !owned_by_others.contains(p))
                .collect();
            removed.sort_by_key(|p| std::cmp::Reverse(p.len()));
            for path in removed {
                remove_at(&mut object, path);
            }
            object
        }
        None => config.clone(),
    };
    let mine = json!({
        "manager": manager,
        "operation": "Apply",
        "apiVersion": api_version,
        "time": now,
        "fieldsType": "FieldsV1",
        "fieldsV1": to_fields_v1(&applied),
    });
    // The manager's entry keeps its place; a new manager's goes last.
    let mut placed = false;
    let mut entries: Vec<Value> = Vec::new();
    for m in managers {
        if is_self(&m) {
            entries.push(mine.clone());
            placed = true;
        } else if !m.set.is_empty() {
            let mut entry = m.entry;
            entry["fieldsV1"] = to_fields_v1(&m.set);
            entries.push(entry);
        }
    }
    if !placed {
        entries.push(mine);
    }
    if !object.get("metadata").is_some_and(Value::is_object) {
        object["metadata"] = json!({});
    }
    object["metadata"]["managedFields"] = Value::Array(entries);
    Ok(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> Value {
        Value::Null
    }

    #[test]
    fn apply_removes_dropped_fields_and_reports_conflicts() {
        let doc = none();
        let schema = Schema::new(&doc, None);
        let config =
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1", "b": "1"}});
        let first = apply(None, &config, "kubectl", false, schema, "T").unwrap();
        assert_eq!(
            first["metadata"]["managedFields"][0]["fieldsV1"],
            json!({"f:data": {"f:a": {}, "f:b": {}}})
        );
        let config = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "2"}});
        let second = apply(Some(&first), &config, "kubectl", false, schema, "T").unwrap();
        assert_eq!(second["data"], json!({"a": "2"}));
        let other = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "3"}});
        let err = apply(Some(&second), &other, "other", false, schema, "T").unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (409, "Apply failed with 1 conflict: conflict with \"kubectl\": .data.a")
        );
        let forced = apply(Some(&second), &other, "other", true, schema, "T").unwrap();
        assert_eq!(forced["data"], json!({"a": "3"}));
        let managers: Vec<&str> = forced["metadata"]["managedFields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["manager"].as_str().unwrap())
            .collect();
        assert_eq!(managers, ["other"]);
    }
}
