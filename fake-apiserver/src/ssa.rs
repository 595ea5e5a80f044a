//! Server-side apply (`application/apply-patch+yaml`): the applied configuration is merged into
//! the object (maps recursively, lists by the schema's `x-kubernetes-list-type`/`-map-keys` or
//! patch merge key, other lists replaced), each field manager's applied fields are recorded in
//! `metadata.managedFields` (`FieldsV1`), fields a manager applied before and no longer applies
//! are removed unless another manager owns them, and a field another manager owns with a
//! different value is a 409 conflict naming it, unless `force=true` takes it over.
//!
//! Other writes (create, update, patch, and writes to the `status` and `scale` subresources)
//! are recorded as `Update` operations, as structured-merge-diff's `Updater.Update` records them:
//! the old object (for a create, the kind's Go zero value) is compared with the new one, the
//! writer's manager gets every added and modified field, and every other manager loses those and
//! the removed ones.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::status::ApiError;
use crate::strategic::Schema;

/// A field path in FieldsV1 segments: `f:name`, `k:{"name":"a"}`, `v:"x"`. A set holds the
/// paths of leaves and of the containers that are themselves owned (a list item, a map added
/// as a whole); FieldsV1 writes the latter as `.` when the set holds fields under them too.
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

/// The `k:` path segment of a list-map item: its key fields, a missing one taking the default its
/// schema declares (structured-merge-diff does, so an applied Service port without `protocol` is
/// the live port with `protocol: TCP`).
fn item_key(item: &Value, keys: &[String], schema: Schema<'_>) -> String {
    let mut key = Map::new();
    for k in keys {
        let (field, raw) = schema.property(k);
        if let Some(v) = item
            .get(k)
            .or_else(|| raw.and_then(|r| r.get("default")))
            .or_else(|| field.default_value())
        {
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
                        prefix.push(item_key(item, &keys, child_schema.items()));
                        out.insert(prefix.clone());
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

/// Whether `set` holds paths under `path`.
fn has_children(set: &BTreeSet<Path>, path: &Path) -> bool {
    set.range(path.clone()..)
        .find(|p| *p != path)
        .is_some_and(|p| p.starts_with(path))
}

/// FieldsV1 JSON of a set of paths: a path is `{}`, or `.` among the fields under it.
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
        if has_children(set, path) {
            node.insert(".".into(), json!({}));
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
        if segment == "." {
            out.insert(prefix.clone());
            continue;
        }
        prefix.push(segment.clone());
        from_fields_v1(child, prefix, out);
        prefix.pop();
    }
}

/// The index of the list-map item a `k:` key names: the one with every key field equal, else
/// one whose missing key fields took their schema default in the key (see [`item_key`]: the
/// default is not known here, but every field the item has must match).
fn find_item(items: &[Value], key: &Map<String, Value>) -> Option<usize> {
    items
        .iter()
        .position(|i| key.iter().all(|(k, v)| i.get(k) == Some(v)))
        .or_else(|| {
            items
                .iter()
                .position(|i| key.iter().all(|(k, v)| i.get(k).is_none_or(|x| x == v)))
        })
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
            let items = at.as_array()?;
            &items[find_item(items, &key)?]
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
                .and_then(|a| find_item(a, &key).map(move |i| &mut a[i]))
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
        if let (Ok(key), Some(items)) = (serde_json::from_str::<Map<String, Value>>(key), at.as_array_mut())
            && let Some(i) = find_item(items, &key)
        {
            items.remove(i);
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
                    let item_schema = child_schema.items();
                    for item in items {
                        let key = item_key(item, &keys, item_schema);
                        match existing.iter_mut().find(|e| item_key(e, &keys, item_schema) == key) {
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

/// Who writes an object other than by apply: the `fieldManager` parameter, or else the user
/// agent up to its first `/` (apiserver's `managerOrUserAgent`), and the subresource written.
#[derive(Clone, Debug)]
pub(crate) struct Writer {
    pub(crate) manager: String,
    pub(crate) subresource: Option<&'static str>,
}

impl Writer {
    /// The writer of a request with `field_manager` (may be empty) and `user_agent`.
    pub(crate) fn new(field_manager: Option<&str>, user_agent: Option<&str>) -> Self {
        let manager = match field_manager.filter(|m| !m.is_empty()) {
            Some(m) => m.to_owned(),
            None => {
                let prefix = user_agent.unwrap_or_default().split('/').next().unwrap_or_default();
                let mut out = String::new();
                for c in prefix.chars().filter(|c| !c.is_control()) {
                    if out.len() + c.len_utf8() > 128 {
                        break;
                    }
                    out.push(c);
                }
                // What kube-apiserver names a writer that sends no user agent.
                if out.is_empty() { "unknown".to_owned() } else { out }
            }
        };
        Writer {
            manager,
            subresource: None,
        }
    }

    /// The same writer, writing `subresource`.
    pub(crate) fn on(mut self, subresource: Option<&'static str>) -> Self {
        self.subresource = subresource;
        self
    }
}

/// What changed between two objects: structured-merge-diff's `Comparison`.
#[derive(Default, Debug)]
struct Comparison {
    added: BTreeSet<Path>,
    modified: BTreeSet<Path>,
    removed: BTreeSet<Path>,
}

/// A leaf (scalar, atomic list or map, or a list or map empty on both sides).
fn compare_leaf(lhs: Option<&Value>, rhs: Option<&Value>, path: &Path, out: &mut Comparison) {
    match (lhs, rhs) {
        (None, Some(_)) => {
            out.added.insert(path.clone());
        }
        (Some(_), None) => {
            out.removed.insert(path.clone());
        }
        (Some(l), Some(r)) if l != r => {
            out.modified.insert(path.clone());
        }
        _ => {}
    }
}

/// Compares `lhs` (old, `None` when absent) with `rhs` (new) at `path`, by `schema` (the node's
/// resolved schema) and `raw` (the property as declared, which carries the list type); without
/// a schema a map is granular and a list atomic, as structured-merge-diff deduces.
fn compare(
    lhs: Option<&Value>,
    rhs: Option<&Value>,
    schema: Schema<'_>,
    raw: Option<&Value>,
    path: &mut Path,
    out: &mut Comparison,
) {
    let either = |f: fn(&Value) -> bool| lhs.is_some_and(f) || rhs.is_some_and(f);
    let container = if either(Value::is_array) {
        let (l, r) = (lhs.and_then(Value::as_array), rhs.and_then(Value::as_array));
        if l.is_none_or(Vec::is_empty) && r.is_none_or(Vec::is_empty) {
            compare_leaf(lhs, rhs, path, out);
            return;
        }
        match list_type(raw) {
            ListType::Atomic => {
                compare_leaf(lhs, rhs, path, out);
                return;
            }
            ListType::Set => {
                let mut seen = BTreeSet::new();
                for item in l.into_iter().flatten().chain(r.into_iter().flatten()) {
                    let segment = format!("v:{item}");
                    if !seen.insert(segment.clone()) {
                        continue;
                    }
                    let li = l.and_then(|list| list.iter().find(|i| *i == item));
                    let ri = r.and_then(|list| list.iter().find(|i| *i == item));
                    path.push(segment);
                    compare_leaf(li, ri, path, out);
                    path.pop();
                }
            }
            ListType::Map(keys) => {
                let mut seen = BTreeSet::new();
                for item in l.into_iter().flatten().chain(r.into_iter().flatten()) {
                    let segment = item_key(item, &keys, schema.items());
                    if !seen.insert(segment.clone()) {
                        continue;
                    }
                    let li = l.and_then(|list| list.iter().find(|i| item_key(i, &keys, schema.items()) == segment));
                    let ri = r.and_then(|list| list.iter().find(|i| item_key(i, &keys, schema.items()) == segment));
                    path.push(segment);
                    compare(li, ri, schema.items(), None, path, out);
                    path.pop();
                }
            }
        }
        true
    } else if either(Value::is_object) {
        let (l, r) = (lhs.and_then(Value::as_object), rhs.and_then(Value::as_object));
        if schema.is_atomic_map() || (l.is_none_or(Map::is_empty) && r.is_none_or(Map::is_empty)) {
            compare_leaf(lhs, rhs, path, out);
            return;
        }
        let keys: BTreeSet<&String> = l
            .into_iter()
            .flatten()
            .chain(r.into_iter().flatten())
            .map(|(k, _)| k)
            .collect();
        for key in keys {
            let (child, child_raw) = schema.property(key);
            path.push(format!("f:{key}"));
            compare(
                l.and_then(|m| m.get(key)),
                r.and_then(|m| m.get(key)),
                child,
                child_raw,
                path,
                out,
            );
            path.pop();
        }
        true
    } else {
        compare_leaf(lhs, rhs, path, out);
        false
    };
    if container && !path.is_empty() {
        match (lhs, rhs) {
            (None, Some(_)) => {
                out.added.insert(path.clone());
            }
            (Some(_), None) => {
                out.removed.insert(path.clone());
            }
            _ => {}
        }
    }
}

/// Whether the field manager leaves `path` out (apimachinery's `stripmeta`).
fn stripped(path: &Path) -> bool {
    match path.as_slice() {
        [first] => matches!(first.as_str(), "f:apiVersion" | "f:kind" | "f:metadata"),
        [first, second] if first == "f:metadata" => STRIPPED_META.iter().any(|f| second.strip_prefix("f:") == Some(*f)),
        [first, second, ..] if first == "f:metadata" => second == "f:managedFields",
        _ => false,
    }
}

/// The entries of `managedFields` with their field sets.
fn managers_of(object: &Value) -> Vec<Manager> {
    object
        .pointer("/metadata/managedFields")
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
        .collect()
}

/// Orders entries as apimachinery encodes them: by operation, time (seconds), manager,
/// apiVersion, subresource.
fn sort_entries(entries: &mut [Value]) {
    let key = |e: &Value| {
        ["operation", "time", "manager", "apiVersion", "subresource"]
            .map(|k| e.get(k).and_then(Value::as_str).unwrap_or_default().to_owned())
    };
    entries.sort_by_key(key);
}

/// Records a write other than apply of `new` over `old` by `writer` in `new`'s `managedFields`:
/// structured-merge-diff's `Update`. For a create `old` is the kind's Go zero value (empty for
/// custom resources). `only` limits what the write
/// can own to the fields under one path (a subresource's); `ignored` are fields the endpoint
/// resets (a main resource's `status`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_update(
    old: &Value,
    new: &mut Value,
    writer: &Writer,
    only: Option<&[&str]>,
    ignored: &[&str],
    schema: Schema<'_>,
    now: &str,
) {
    let api_version = new
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    // The managed fields the request carries, unless it carries none or writes a subresource:
    // then the stored ones (clients that do not know managedFields do not lose them).
    // `managedFields: []` or `[{}]` resets them (apimachinery's `isResetManagedFields`).
    let reset = new
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .is_some_and(|m| m.is_empty() || (m.len() == 1 && m[0].as_object().is_some_and(Map::is_empty)));
    let sent = managers_of(new);
    let mut managers = if writer.subresource.is_some() || (sent.is_empty() && !reset) {
        managers_of(old)
    } else if reset {
        Vec::new()
    } else {
        sent
    };
    // `managedFields` themselves are compared too, and left out with the rest of `stripped`.
    let mut cmp = Comparison::default();
    compare(Some(old), Some(new), schema, None, &mut Vec::new(), &mut cmp);
    let keep = |p: &Path| {
        let under = |prefix: &[&str]| {
            p.len() >= prefix.len() && p.iter().zip(prefix).all(|(s, f)| s.strip_prefix("f:") == Some(*f))
        };
        !stripped(p) && only.is_none_or(under) && !ignored.iter().any(|f| under(&[f]))
    };
    for set in [&mut cmp.added, &mut cmp.modified, &mut cmp.removed] {
        set.retain(|p| keep(p));
    }
    for other in &mut managers {
        other
            .set
            .retain(|p| !cmp.added.contains(p) && !cmp.modified.contains(p) && !cmp.removed.contains(p));
    }
    managers.retain(|m| !m.set.is_empty());
    let taken: BTreeSet<Path> = cmp.added.union(&cmp.modified).cloned().collect();
    if !taken.is_empty() {
        let is_writer = |m: &Manager| {
            m.entry["manager"] == writer.manager.as_str()
                && m.entry["operation"] == "Update"
                && m.entry["apiVersion"] == api_version.as_str()
                && m.entry.get("subresource").and_then(Value::as_str) == writer.subresource
        };
        match managers.iter_mut().find(|m| is_writer(m)) {
            Some(mine) => {
                mine.set.extend(taken);
                mine.entry["time"] = json!(now);
            }
            None => {
                let mut entry = json!({
                    "manager": writer.manager,
                    "operation": "Update",
                    "apiVersion": api_version,
                    "time": now,
                    "fieldsType": "FieldsV1",
                });
                if let Some(subresource) = writer.subresource {
                    entry["subresource"] = json!(subresource);
                }
                managers.push(Manager { entry, set: taken });
            }
        }
    }
    let mut entries: Vec<Value> = managers
        .into_iter()
        .map(|m| {
            let mut entry = m.entry;
            entry["fieldsV1"] = to_fields_v1(&m.set);
            entry
        })
        .collect();
    sort_entries(&mut entries);
    if !new.get("metadata").is_some_and(Value::is_object) {
        new["metadata"] = json!({});
    }
    let meta = new["metadata"].as_object_mut().expect("set above");
    if entries.is_empty() {
        meta.remove("managedFields");
    } else {
        meta.insert("managedFields".into(), Value::Array(entries));
    }
}

/// A manager as a conflict names it (apiserver's `printManager`): `"name"`, its subresource,
/// and for an `Update` the version it wrote.
fn describe(entry: &Value) -> String {
    let text = |k: &str| entry.get(k).and_then(Value::as_str).unwrap_or_default();
    let mut out = format!("{:?}", text("manager"));
    if !text("subresource").is_empty() {
        out.push_str(&format!(" with subresource {:?}", text("subresource")));
    }
    if text("operation") == "Update" {
        out.push_str(&format!(" using {}", text("apiVersion")));
    }
    out
}

/// The field manager of `kubectl apply --server-side`, which kube-apiserver treats specially
/// while objects move from client-side apply (its `lastAppliedManager` and `lastAppliedUpdater`).
const KUBECTL: &str = "kubectl";

/// The annotation client-side apply keeps the applied configuration in.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The fields the client-side apply annotation of `live` holds with their live values: those a
/// `kubectl` apply may take over without a conflict (`allowedConflictsFromLastApplied`). Empty
/// when there is no annotation or it is of another apiVersion.
fn allowed_by_last_applied(live: &Value, schema: Schema<'_>) -> BTreeSet<Path> {
    let Some(last) = live
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(LAST_APPLIED))
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .and_then(|t| serde_json::from_str::<Value>(t).ok())
    else {
        return BTreeSet::new();
    };
    if last.get("apiVersion") != live.get("apiVersion") {
        return BTreeSet::new();
    }
    let mut set = BTreeSet::new();
    field_set(&last, schema, &mut Vec::new(), &mut set);
    set.retain(|p| value_at(&last, p) == value_at(live, p));
    set
}

/// Keeps the client-side apply annotation in step with a `kubectl` server-side apply, where the
/// object has one (kube-apiserver's `lastAppliedUpdater`): it becomes the applied configuration
/// without the annotation, encoded as Go's `encoding/json` does.
fn update_last_applied(object: &mut Value, config: &Value) {
    let has = object
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(LAST_APPLIED))
        .and_then(Value::as_str)
        .is_some_and(|t| !t.is_empty());
    if !has {
        return;
    }
    let mut applied = config.clone();
    if let Some(meta) = applied.get_mut("metadata").and_then(Value::as_object_mut)
        && let Some(annotations) = meta.get_mut("annotations").and_then(Value::as_object_mut)
    {
        annotations.remove(LAST_APPLIED);
    }
    object["metadata"]["annotations"][LAST_APPLIED] = json!(crate::validation::go_json(&applied) + "\n");
}

/// Removes from `object` (the live object merged with the configuration) what the applying
/// manager owned before (`previous`) and no manager owns now (`owned`), as structured-merge-diff's
/// `prune` does: with both sets taken with the struct fields on the way to their fields
/// (`EnsureNamedFieldsAreMembers`), a previously owned field goes unless it is still owned, and a
/// container goes with everything under it. So a struct field such as `spec` or `data` stays
/// while a field under it is owned, but a list item or map entry only while it is owned itself:
/// another manager's field inside a dropped list item goes with the item.
fn prune(object: &mut Value, previous: &BTreeSet<Path>, owned: &BTreeSet<Path>, schema: Schema<'_>) {
    let last = with_named_parents(previous, schema);
    let owned = with_named_parents(owned, schema);
    let mut removed: Vec<&Path> = last.iter().filter(|p| !owned.contains(*p)).collect();
    // Shortest paths first: a container goes as a whole, and the fields under it with it (a list
    // item is found by its key fields, so they must not go first).
    removed.sort_by_key(|p| p.len());
    let mut gone: Vec<&Path> = Vec::new();
    for path in removed {
        if gone.iter().any(|g| path.starts_with(g)) {
            continue;
        }
        remove_at(object, path);
        gone.push(path);
    }
}

/// `set` with the struct fields on the way to each of its paths (structured-merge-diff's
/// `EnsureNamedFieldsAreMembers`): a declared property of an object schema, `metadata` and the
/// fields of ObjectMeta; never a list item or a map entry.
fn with_named_parents(set: &BTreeSet<Path>, schema: Schema<'_>) -> BTreeSet<Path> {
    let mut out = set.clone();
    for path in set {
        let mut at = schema;
        for (depth, segment) in path.iter().enumerate().take(path.len().saturating_sub(1)) {
            let named = match segment.strip_prefix("f:") {
                Some(name) => {
                    let named = match depth {
                        0 => matches!(name, "metadata" | "apiVersion" | "kind") || at.is_named_field(name),
                        // ObjectMeta is a struct: its fields are named.
                        1 if path[0] == "f:metadata" => true,
                        _ => at.is_named_field(name),
                    };
                    at = at.property(name).0;
                    named
                }
                None => {
                    at = at.items();
                    false
                }
            };
            if named {
                out.insert(path[..=depth].to_vec());
            }
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
    let mut managers: Vec<Manager> = current.map(managers_of).unwrap_or_default();
    let is_self = |m: &Manager| m.entry["manager"] == manager && m.entry["operation"] == "Apply";
    let previous: BTreeSet<Path> = managers
        .iter()
        .find(|m| is_self(m))
        .map(|m| m.set.clone())
        .unwrap_or_default();

    let mut conflicts = Vec::new();
    if let Some(current) = current {
        // kube-apiserver's lastAppliedManager: for `kubectl` (the manager of `kubectl apply
        // --server-side`), a conflict over a field that the client-side apply annotation holds
        // with its live value is no conflict: the object moves from client-side apply.
        let allowed = if manager == KUBECTL {
            allowed_by_last_applied(current, schema)
        } else {
            BTreeSet::new()
        };
        let mut found = Vec::new();
        for (index, other) in managers.iter().enumerate().filter(|(_, m)| !is_self(m)) {
            for path in applied
                .iter()
                .filter(|p| other.set.contains(*p) && !has_children(&applied, p))
                .filter(|p| value_at(current, p) != value_at(config, p))
            {
                found.push((index, path.clone()));
            }
        }
        let forced = force || found.iter().all(|(_, path)| allowed.contains(path));
        for (index, path) in found {
            if forced {
                managers[index].set.remove(&path);
            } else if !allowed.contains(&path) {
                conflicts.push((describe(&managers[index].entry), render(&path)));
            }
        }
    }
    if !conflicts.is_empty() {
        let summary: Vec<String> = conflicts
            .iter()
            .map(|(who, field)| format!("conflict with {who}: {field}"))
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
            .map(|(who, field)| {
                json!({"reason": "FieldManagerConflict", "message": format!("conflict with {who}"), "field": field})
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
            // What every manager owns once this apply is recorded, with the name and namespace
            // the configuration names (structured-merge-diff prunes before metadata is stripped).
            let mut owned: BTreeSet<Path> = managers
                .iter()
                .filter(|m| !is_self(m))
                .flat_map(|m| m.set.iter().cloned())
                .chain(applied.iter().cloned())
                .collect();
            for field in ["name", "namespace"] {
                if config.pointer(&format!("/metadata/{field}")).is_some() {
                    owned.insert(vec!["f:metadata".to_owned(), format!("f:{field}")]);
                }
            }
            prune(&mut object, &previous, &owned, schema);
            // What the apply removed is no one's any more (the `update` step of
            // structured-merge-diff's `Apply`).
            let mut cmp = Comparison::default();
            compare(Some(current), Some(&object), schema, None, &mut Vec::new(), &mut cmp);
            for other in managers.iter_mut().filter(|m| !is_self(m)) {
                other.set.retain(|p| !cmp.removed.contains(p));
            }
            object
        }
        None => config.clone(),
    };
    if manager == KUBECTL {
        update_last_applied(&mut object, config);
    }
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
    sort_entries(&mut entries);
    if !object.get("metadata").is_some_and(Value::is_object) {
        object["metadata"] = json!({});
    }
    object["metadata"]["managedFields"] = Value::Array(entries);
    Ok(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writers_are_named_by_field_manager_or_user_agent() {
        assert_eq!(Writer::new(Some("ctl"), Some("kubectl/v1.37.2")).manager, "ctl");
        assert_eq!(
            Writer::new(Some(""), Some("kubectl/v1.37.2 (linux/amd64)")).manager,
            "kubectl"
        );
        assert_eq!(Writer::new(None, None).manager, "unknown");
        assert_eq!(Writer::new(None, Some(&"x".repeat(200))).manager.len(), 128);
    }

    #[test]
    fn an_owned_container_is_a_dot_only_beside_fields_under_it() {
        let mut set = BTreeSet::new();
        set.insert(vec!["f:data".to_owned()]);
        assert_eq!(to_fields_v1(&set), json!({"f:data": {}}));
        set.insert(vec!["f:data".to_owned(), "f:a".to_owned()]);
        assert_eq!(to_fields_v1(&set), json!({"f:data": {".": {}, "f:a": {}}}));
        let mut parsed = BTreeSet::new();
        from_fields_v1(&to_fields_v1(&set), &mut Vec::new(), &mut parsed);
        assert_eq!(parsed, set);
    }

    #[test]
    fn entries_are_ordered_by_operation_then_time_then_manager() {
        let mut entries = vec![
            json!({"manager": "b", "operation": "Update", "time": "2026-01-01T00:00:01Z"}),
            json!({"manager": "z", "operation": "Update", "time": "2026-01-01T00:00:00Z"}),
            json!({"manager": "a", "operation": "Update", "time": "2026-01-01T00:00:01Z"}),
            json!({"manager": "y", "operation": "Apply", "time": "2026-01-01T00:00:09Z"}),
        ];
        sort_entries(&mut entries);
        let order: Vec<&str> = entries.iter().map(|e| e["manager"].as_str().unwrap()).collect();
        assert_eq!(order, ["y", "z", "a", "b"]);
    }

    fn none() -> Value {
        Value::Null
    }

    /// structured-merge-diff's own case `remove_one_with_dangling_subitem_keep_one`
    /// (merge/multiple_appliers_test.go): a list item one applier drops goes, with a field
    /// another manager (an `Update`) owns inside it, and that manager with it.
    #[test]
    fn a_dropped_list_item_goes_with_fields_others_own_in_it() {
        let doc = json!({"properties": {"listOfLists": {
            "type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
            "items": {"type": "object", "properties": {
                "name": {"type": "string"},
                "value": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
            }},
        }}});
        let schema = Schema::new(&doc, Some(&doc));
        let with =
            |list: Value| json!({"apiVersion": "v1", "kind": "Thing", "metadata": {"name": "t"}, "listOfLists": list});
        let one = apply(
            None,
            &with(json!([{"name": "a"}, {"name": "b", "value": ["c"]}])),
            "apply-one",
            false,
            schema,
            "T",
        )
        .unwrap();
        let two = apply(
            Some(&one),
            &with(json!([{"name": "a", "value": ["b"]}])),
            "apply-two",
            false,
            schema,
            "T",
        )
        .unwrap();
        let mut updated = with(json!([{"name": "a", "value": ["b"]}, {"name": "b", "value": ["c", "d"]}]));
        updated["metadata"]["managedFields"] = two["metadata"]["managedFields"].clone();
        let writer = Writer::new(Some("controller"), None);
        record_update(&two, &mut updated, &writer, None, &[], schema, "T");
        let last = apply(
            Some(&updated),
            &with(json!([{"name": "a"}])),
            "apply-one",
            false,
            schema,
            "T",
        )
        .unwrap();
        assert_eq!(last["listOfLists"], json!([{"name": "a", "value": ["b"]}]));
        let managers: Vec<(&str, &Value)> = last["metadata"]["managedFields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["manager"].as_str().unwrap(), &m["fieldsV1"]))
            .collect();
        assert_eq!(
            managers,
            [
                (
                    "apply-one",
                    &json!({"f:listOfLists": {"k:{\"name\":\"a\"}": {".": {}, "f:name": {}}}})
                ),
                (
                    "apply-two",
                    &json!({"f:listOfLists": {"k:{\"name\":\"a\"}": {".": {}, "f:name": {}, "f:value": {"v:\"b\"": {}}}}})
                ),
            ]
        );
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
