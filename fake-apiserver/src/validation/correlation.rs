//! Correlation of old and new values, for ratcheting and transition rules (apiserver's cel/common.CorrelatedObject).

use super::*;

/// The old items of an `x-kubernetes-list-type: map` list by their keys (`MapList`), to find
/// the old item a new one correlates with: the first with the same keys. Empty for other lists.
pub(super) struct MapList<'a> {
    pub(super) keys: Vec<&'a str>,
    pub(super) by_key: HashMap<String, &'a Value>,
}

impl<'a> MapList<'a> {
    pub(super) fn new(s: &'a Value, old_items: &'a [Value]) -> Self {
        let keys: Vec<&str> = s_arr(s, "x-kubernetes-list-map-keys")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let mut list = MapList {
            keys,
            by_key: HashMap::new(),
        };
        if s_str(s, "type") == "array" && s_str(s, "x-kubernetes-list-type") == "map" && !list.keys.is_empty() {
            for item in old_items {
                if let Some(key) = list.composite(item) {
                    list.by_key.entry(key).or_insert(item);
                }
            }
        }
        list
    }

    /// The keys of an item as Go's key strategies compare them (types apart; floats with `%f`
    /// when there are several keys), or `None` when one is missing or not a scalar.
    pub(super) fn composite(&self, v: &Value) -> Option<String> {
        let obj = v.as_object()?;
        let mut out = String::new();
        for key in &self.keys {
            match obj.get(*key)? {
                Value::Bool(b) => write!(out, "\0b{b}"),
                Value::Number(n) => match number_as_int(n) {
                    Some(i) => write!(out, "\0i{i}"),
                    None if self.keys.len() == 1 => write!(out, "\0f{}", number_as_f64(n)),
                    None => write!(out, "\0f{:.6}", number_as_f64(n)),
                },
                Value::String(s) => write!(out, "\0s{s}"),
                _ => return None,
            }
            .ok()?;
        }
        Some(out)
    }

    pub(super) fn get(&self, item: &Value) -> Option<&'a Value> {
        if self.by_key.is_empty() {
            return None;
        }
        self.by_key.get(&self.composite(item)?).copied()
    }
}

/// `CorrelatedObject.CachedDeepEqual` of a new value with the old one it correlates with.
pub(super) fn corr_deep_equal(s: &Value, new: &Value, old: &Value) -> bool {
    match (new, old) {
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::Array(n), Value::Array(o)) => {
            if n.len() != o.len() {
                return false;
            }
            if n.is_empty() {
                return true;
            }
            if s_str(s, "x-kubernetes-list-type") != "map" {
                return n == o;
            }
            let Some(items) = s.get("items").filter(|i| i.is_object()) else {
                return false;
            };
            let old_items = MapList::new(s, o);
            n.iter().all(|item| {
                old_items
                    .get(item)
                    .is_some_and(|old_item| corr_deep_equal(items, item, old_item))
            })
        }
        (Value::Object(n), Value::Object(o)) => {
            n.len() == o.len()
                && n.iter().all(|(k, v)| {
                    let schema = s_props(s).and_then(|p| p.get(k)).or_else(|| s_additional(s));
                    match (o.get(k), schema) {
                        (Some(old_v), Some(schema)) => corr_deep_equal(schema, v, old_v),
                        _ => false,
                    }
                })
        }
        (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => false,
        _ => new == old,
    }
}
