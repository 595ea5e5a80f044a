//! List types (schema/listtype.ValidateListSetsAndMaps).

use super::*;

/// Walks objects and lists for `x-kubernetes-list-type` `set` and `map` lists.
pub(super) fn list_sets_and_maps(path: &FPath, s: &Value, x: &Value, errs: &mut Vec<FieldErr>) {
    match x {
        Value::Object(map) => {
            if let Some(additional) = s_additional(s) {
                for key in sorted_keys(map) {
                    list_sets_and_maps(&path.key(key), additional, &map[key], errs);
                }
            }
            if let Some(props) = s_props(s) {
                for key in sorted_keys(map) {
                    if let Some(prop) = props.get(key) {
                        list_sets_and_maps(&path.child(key), prop, &map[key], errs);
                    }
                }
            }
        }
        Value::Array(items) => {
            match s_str(s, "x-kubernetes-list-type") {
                "set" => {
                    let keys: Vec<SetKey> = items.iter().map(SetKey::of).collect();
                    for i in non_unique(&keys) {
                        errs.push(FieldErr::new(
                            DUPLICATE,
                            &path.index(i),
                            Bad::Data(items[i].clone()),
                            "",
                        ));
                    }
                }
                "map" => list_map(path, s, items, errs),
                _ => {}
            }
            if let Some(item_schema) = s.get("items").filter(|i| i.is_object()) {
                for (i, item) in items.iter().enumerate() {
                    list_sets_and_maps(&path.index(i), item_schema, item, errs);
                }
            }
        }
        _ => {}
    }
}

/// An item of a set as Go compares it: scalars by type and value, compounds by their JSON.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum SetKey {
    Unspecified,
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Compound(String),
}

impl SetKey {
    pub(super) fn of(v: &Value) -> SetKey {
        match v {
            Value::Null => SetKey::Null,
            Value::Bool(b) => SetKey::Bool(*b),
            Value::Number(n) => match Num::of(n) {
                Num::Int(i) => SetKey::Int(i),
                Num::Float(f) => SetKey::Float(f),
            },
            Value::String(s) => SetKey::Str(s.clone()),
            _ => SetKey::Compound(go_json(v)),
        }
    }
}

/// The second appearances of items (`validateListSet`).
pub(super) fn non_unique(keys: &[SetKey]) -> Vec<usize> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        // Go's map keys: +0 and -0 are one key.
        let canonical = match k {
            SetKey::Float(f) if *f == 0.0 => "Float(0.0)".to_owned(),
            k => format!("{k:?}"),
        };
        let times = seen.entry(canonical).or_insert(0);
        *times += 1;
        if *times == 2 {
            out.push(i);
        }
    }
    out
}

/// `validateListMap`: items must be objects with unique keys.
pub(super) fn list_map(path: &FPath, s: &Value, items: &[Value], errs: &mut Vec<FieldErr>) {
    if let Some(i) = items.iter().position(|x| !x.is_null() && !x.is_object()) {
        errs.push(FieldErr::new(
            INVALID,
            &path.index(i),
            Bad::Data(items[i].clone()),
            "must be an object for an array of list-type map",
        ));
        return;
    }
    if items.len() <= 1 {
        return;
    }
    let key_fields: Vec<&str> = s_arr(s, "x-kubernetes-list-map-keys")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if key_fields.len() == 1 {
        let field = key_fields[0];
        let keys: Vec<(SetKey, Option<&Value>)> = items
            .iter()
            .map(|x| match x.get(field) {
                Some(k) => (SetKey::of(k), Some(k)),
                None => (SetKey::Unspecified, None),
            })
            .collect();
        let set_keys: Vec<SetKey> = keys.iter().map(|k| k.0.clone()).collect();
        for i in non_unique(&set_keys) {
            let mut dup = Map::new();
            if let Some(k) = keys[i].1 {
                dup.insert(field.to_owned(), k.clone());
            }
            errs.push(FieldErr::new(
                DUPLICATE,
                &path.index(i),
                Bad::Data(Value::Object(dup)),
                "",
            ));
        }
        return;
    }
    let keys: Vec<Value> = items
        .iter()
        .map(|x| {
            let mut key = Map::new();
            for field in &key_fields {
                if let Some(k) = x.get(*field) {
                    key.insert((*field).to_owned(), k.clone());
                }
            }
            Value::Object(key)
        })
        .collect();
    let set_keys: Vec<SetKey> = keys.iter().map(SetKey::of).collect();
    for i in non_unique(&set_keys) {
        errs.push(FieldErr::new(DUPLICATE, &path.index(i), Bad::Data(keys[i].clone()), ""));
    }
}
