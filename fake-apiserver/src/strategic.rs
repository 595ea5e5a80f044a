//! Strategic merge patch (`application/strategic-merge-patch+json`), apimachinery's
//! `strategicpatch.StrategicMergePatch`, driven by the OpenAPI v3 extensions of the real server's
//! schemas (`x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key`): lists with the
//! `merge` strategy are merged by their key (containers by `name`) or, for lists of scalars,
//! by value; other lists are replaced; maps merge recursively and `null` deletes. Directives:
//! `$patch: delete | replace | merge`, `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`
//! and `$retainKeys`. No crate implements this in Rust (searched crates.io and docs.rs: only
//! JSON Patch and JSON Merge Patch crates exist, and k8s-openapi's merge strategies work on its
//! typed structs, not JSON).

use serde_json::{Map, Value};

use crate::status::ApiError;

/// The schema context of a JSON value: its OpenAPI v3 schema (already de-referenced) in a
/// document, or none (everything merges as maps, lists are replaced).
#[derive(Clone, Copy)]
pub(crate) struct Schema<'a> {
    doc: &'a Value,
    node: Option<&'a Value>,
}

impl<'a> Schema<'a> {
    /// The schema `node` of document `doc`.
    pub(crate) fn new(doc: &'a Value, node: Option<&'a Value>) -> Self {
        Schema {
            doc,
            node: node.map(|n| resolve(doc, n)),
        }
    }

    pub(crate) fn property(&self, name: &str) -> (Schema<'a>, Option<&'a Value>) {
        let raw = self
            .node
            .and_then(|n| n.pointer(&format!("/properties/{}", name.replace('~', "~0").replace('/', "~1"))));
        let raw = raw.or_else(|| {
            self.node
                .and_then(|n| n.get("additionalProperties"))
                .filter(|a| a.is_object())
        });
        (Schema::new(self.doc, raw), raw)
    }

    /// Whether `name` is a declared field of this object schema (a struct field in Go, which
    /// structured-merge-diff calls a named field), not an entry of a map.
    pub(crate) fn is_named_field(&self, name: &str) -> bool {
        self.node
            .and_then(|n| n.get("properties"))
            .and_then(|p| p.get(name))
            .is_some()
    }

    /// Whether the schema is a map that is replaced as a whole (`x-kubernetes-map-type: atomic`).
    pub(crate) fn is_atomic_map(&self) -> bool {
        self.node
            .and_then(|n| n.get("x-kubernetes-map-type"))
            .is_some_and(|t| t == "atomic")
    }

    /// The schema's `default`, if it declares one.
    pub(crate) fn default_value(&self) -> Option<&'a Value> {
        self.node.and_then(|n| n.get("default"))
    }

    pub(crate) fn items(&self) -> Schema<'a> {
        Schema::new(self.doc, self.node.and_then(|n| n.get("items")))
    }
}

/// Follows `$ref` and single-element `allOf` to the schema they name.
fn resolve<'a>(doc: &'a Value, mut node: &'a Value) -> &'a Value {
    for _ in 0..16 {
        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            match reference.strip_prefix('#').and_then(|p| doc.pointer(p)) {
                Some(target) => node = target,
                None => return node,
            }
        } else if let Some([only]) = node.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            node = only;
        } else {
            return node;
        }
    }
    node
}

/// The patch strategy and merge key of a field, from the raw (un-resolved) property schema,
/// which carries the extensions next to its `allOf`/`$ref`.
fn strategy(raw: Option<&Value>) -> (Vec<String>, Option<String>) {
    let Some(raw) = raw else {
        return (Vec::new(), None);
    };
    let strategies = raw
        .get("x-kubernetes-patch-strategy")
        .and_then(Value::as_str)
        .map(|s| s.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    let key = raw
        .get("x-kubernetes-patch-merge-key")
        .and_then(Value::as_str)
        .map(str::to_owned);
    (strategies, key)
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(422, "Invalid", message)
}

/// Applies a strategic merge `patch` to `original` (an object), with `schema` the object's
/// schema.
pub(crate) fn apply(original: &Value, patch: &Value, schema: Schema<'_>) -> Result<Value, ApiError> {
    let Value::Object(patch) = patch else {
        return Err(ApiError::bad_request("the strategic merge patch is not a JSON object"));
    };
    match original {
        Value::Object(original) => Ok(Value::Object(merge_map(original.clone(), patch, schema)?)),
        _ => Ok(Value::Object(merge_map(Map::new(), patch, schema)?)),
    }
}

fn merge_map(
    mut original: Map<String, Value>,
    patch: &Map<String, Value>,
    schema: Schema<'_>,
) -> Result<Map<String, Value>, ApiError> {
    match patch.get("$patch").and_then(Value::as_str) {
        Some("replace") => {
            let mut replaced = patch.clone();
            replaced.remove("$patch");
            return Ok(strip_directives(replaced));
        }
        Some("delete") => return Ok(Map::new()),
        Some("merge") | None => {}
        Some(other) => return Err(invalid(format!("Unknown patch type: {other} in map: {patch:?}"))),
    }
    let retain: Option<Vec<String>> = patch
        .get("$retainKeys")
        .and_then(Value::as_array)
        .map(|keys| keys.iter().filter_map(Value::as_str).map(str::to_owned).collect());
    for (key, value) in patch {
        if key.starts_with('$') {
            continue;
        }
        let (field_schema, raw) = schema.property(key);
        if value.is_null() {
            original.remove(key);
            continue;
        }
        let merged = match (original.remove(key), value) {
            (Some(Value::Object(current)), Value::Object(p)) => Value::Object(merge_map(current, p, field_schema)?),
            (None, Value::Object(p)) => Value::Object(merge_map(Map::new(), p, field_schema)?),
            (current, Value::Array(p)) => {
                let (strategies, merge_key) = strategy(raw);
                let current = match current {
                    Some(Value::Array(items)) => items,
                    _ => Vec::new(),
                };
                let deletes = patch
                    .get(&format!("$deleteFromPrimitiveList/{key}"))
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let order = patch.get(&format!("$setElementOrder/{key}")).and_then(Value::as_array);
                let merged = if strategies.iter().any(|s| s == "merge") {
                    merge_list(current, p, merge_key.as_deref(), field_schema.items(), order)?
                } else {
                    strip_list(p.clone())
                };
                Value::Array(merged.into_iter().filter(|v| !deletes.contains(v)).collect())
            }
            (_, other) => other.clone(),
        };
        original.insert(key.clone(), merged);
    }
    // `$deleteFromPrimitiveList` for lists the patch does not otherwise name.
    for (key, values) in patch {
        if let Some(list) = key.strip_prefix("$deleteFromPrimitiveList/")
            && !patch.contains_key(list)
            && let (Some(Value::Array(items)), Some(values)) = (original.get_mut(list), values.as_array())
        {
            items.retain(|v| !values.contains(v));
        }
    }
    if let Some(retain) = retain {
        original.retain(|k, _| retain.contains(k));
    }
    Ok(original)
}

fn merge_list(
    current: Vec<Value>,
    patch: &[Value],
    key: Option<&str>,
    items: Schema<'_>,
    order: Option<&Vec<Value>>,
) -> Result<Vec<Value>, ApiError> {
    if patch
        .iter()
        .any(|p| p.get("$patch").and_then(Value::as_str) == Some("replace"))
    {
        return Ok(strip_list(
            patch.iter().filter(|p| p.get("$patch").is_none()).cloned().collect(),
        ));
    }
    let Some(key) = key else {
        // A list of scalars (apimachinery's mergeSlice): the union without duplicates, then the
        // items the patch names (or `$setElementOrder` names) in that order, and the live list's
        // other items put in among them by their place in it (mergeSortedSlice): `[a, b]`
        // patched with `[c]` is `[c, a, b]`.
        let server_order = current.clone();
        let mut merged: Vec<Value> = Vec::with_capacity(current.len() + patch.len());
        for item in current.into_iter().chain(patch.iter().cloned()) {
            if !merged.contains(&item) {
                merged.push(item);
            }
        }
        let patch_order: &[Value] = order.map_or(patch, Vec::as_slice);
        let (mut patched, server_only): (Vec<Value>, Vec<Value>) =
            merged.into_iter().partition(|item| patch_order.contains(item));
        patched.sort_by_key(|item| patch_order.iter().position(|o| o == item).unwrap_or(usize::MAX));
        let place = |item: &Value| server_order.iter().position(|o| o == item);
        return Ok(merge_sorted(server_only, patched, place));
    };
    let id = |item: &Value| item.get(key).cloned();
    let server_order: Vec<Option<Value>> = current.iter().map(id).collect();
    let mut server_only = current;
    let mut patched = Vec::new();
    for item in patch {
        let Some(item_id) = id(item) else {
            // The real server answers this one with a 500 and no reason, naming the item as Go
            // prints a map.
            return Err(ApiError::new(
                500,
                "",
                format!("map: {} does not contain declared merge key: {key}", go_print(item)),
            ));
        };
        let found = server_only.iter().position(|c| id(c).as_ref() == Some(&item_id));
        let existing = found.map(|at| server_only.remove(at));
        if item.get("$patch").and_then(Value::as_str) == Some("delete") {
            continue;
        }
        let Value::Object(p) = item else {
            patched.push(item.clone());
            continue;
        };
        let base = match existing {
            Some(Value::Object(existing)) => existing,
            _ => Map::new(),
        };
        patched.push(Value::Object(merge_map(base, p, items)?));
    }
    // `$setElementOrder/<list>` orders the patched items (apimachinery's normalizeElementOrder).
    if let Some(order) = order {
        // Items the order names are placed by it, whether the patch changed them or not.
        let (named, rest): (Vec<Value>, Vec<Value>) = server_only
            .into_iter()
            .partition(|item| order.iter().any(|o| o.get(key) == item.get(key)));
        server_only = rest;
        patched.extend(named);
        let rank = |item: &Value| {
            order
                .iter()
                .position(|o| o.get(key) == item.get(key))
                .unwrap_or(usize::MAX)
        };
        patched.sort_by_key(|item| rank(item));
    }
    // apimachinery's mergeSortedSlice: server-only items go in among the patched ones by their
    // place in the live list; patched items new to it come first.
    let place = |item: &Value| server_order.iter().position(|o| o.as_ref() == id(item).as_ref());
    Ok(merge_sorted(server_only, patched, place))
}

/// apimachinery's mergeSortedSlice: the live list's own items (`left`) go in among the patched
/// ones (`right`) by their `place` in the live list; a patched item the live list lacks comes
/// before them.
fn merge_sorted(left: Vec<Value>, right: Vec<Value>, place: impl Fn(&Value) -> Option<usize>) -> Vec<Value> {
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut left, mut right) = (left.into_iter().peekable(), right.into_iter().peekable());
    loop {
        match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => out.push(left.next().expect("peeked")),
            (None, Some(_)) => out.push(right.next().expect("peeked")),
            (Some(l), Some(r)) => match (place(l), place(r)) {
                (Some(li), Some(ri)) if li < ri => out.push(left.next().expect("peeked")),
                _ => out.push(right.next().expect("peeked")),
            },
        }
    }
    out
}

/// A JSON value as Go's `%v` prints its decoded form (`map[a:1 b:x]`, `[1 2]`).
fn go_print(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let parts: Vec<String> = map.iter().map(|(k, v)| format!("{k}:{}", go_print(v))).collect();
            format!("map[{}]", parts.join(" "))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(go_print).collect::<Vec<_>>().join(" ")),
        Value::String(s) => s.clone(),
        Value::Null => "<nil>".into(),
        other => other.to_string(),
    }
}

fn strip_directives(mut map: Map<String, Value>) -> Map<String, Value> {
    map.retain(|k, _| !k.starts_with('$'));
    for value in map.values_mut() {
        strip_value(value);
    }
    map
}

fn strip_list(items: Vec<Value>) -> Vec<Value> {
    items
        .into_iter()
        .map(|mut v| {
            strip_value(&mut v);
            v
        })
        .collect()
}

fn strip_value(value: &mut Value) {
    match value {
        Value::Object(map) => *map = strip_directives(std::mem::take(map)),
        Value::Array(items) => *items = strip_list(std::mem::take(items)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({"components": {"schemas": {
            "Spec": {"properties": {
                "containers": {"type": "array", "items": {"$ref": "#/components/schemas/Container"}, "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge"},
                "finalizers": {"type": "array", "items": {"type": "string"}, "x-kubernetes-patch-strategy": "merge"},
                "args": {"type": "array", "items": {"type": "string"}},
            }},
            "Container": {"properties": {"env": {"type": "array", "items": {"type": "object"}, "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge"}}},
        }}})
    }

    #[test]
    fn merges_lists_by_key_and_follows_directives() {
        let doc = doc();
        let schema = Schema::new(&doc, doc.pointer("/components/schemas/Spec"));
        let original = json!({
            "containers": [{"name": "a", "image": "a:1", "env": [{"name": "X", "value": "1"}]}, {"name": "b", "image": "b:1"}],
            "finalizers": ["f1"],
            "args": ["x"],
        });
        let patch = json!({
            "containers": [{"name": "a", "image": "a:2", "env": [{"name": "Y", "value": "2"}]}, {"name": "b", "$patch": "delete"}, {"name": "c", "image": "c:1"}],
            "finalizers": ["f2"],
            "args": ["y"],
            "$setElementOrder/containers": [{"name": "c"}, {"name": "a"}],
        });
        assert_eq!(
            apply(&original, &patch, schema).unwrap(),
            json!({
                "containers": [{"name": "c", "image": "c:1"}, {"name": "a", "image": "a:2", "env": [{"name": "Y", "value": "2"}, {"name": "X", "value": "1"}]}],
                // The patch's scalars first, as the real server orders them (`real_server.rs`).
                "finalizers": ["f2", "f1"],
                "args": ["y"],
            })
        );
        let replaced = apply(
            &original,
            &json!({"containers": [{"name": "z"}, {"$patch": "replace"}], "args": null}),
            schema,
        )
        .unwrap();
        assert_eq!(replaced, json!({"containers": [{"name": "z"}], "finalizers": ["f1"]}));
    }
}
