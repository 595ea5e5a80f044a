//! Embedded resources (schema/objectmeta.Validate).

use super::*;

/// `IsDNS1035Label`'s message.
pub(super) const DNS1035_MESSAGE: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an \
                               alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or \
                               'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/// `IsDNS1035Label`'s pattern.
pub(super) static DNS1035: LazyLock<Regex> = LazyLock::new(|| lazy_regex(r"^[a-z]([-a-z0-9]*[a-z0-9])?$"));

/// The `apiVersion` and `kind` of objects under `x-kubernetes-embedded-resource`.
pub(super) fn embedded_resources(path: &FPath, x: &Value, s: &Value, errs: &mut Vec<FieldErr>) {
    match x {
        Value::Object(map) => {
            if s_bool(s, "x-kubernetes-embedded-resource") {
                embedded_resource(path, map, errs);
            }
            for key in sorted_keys(map) {
                if let Some(prop) = s_props(s).and_then(|p| p.get(key)) {
                    embedded_resources(&path.child(key), &map[key], prop, errs);
                } else if let Some(additional) = s_additional(s) {
                    embedded_resources(&path.key(key), &map[key], additional, errs);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = s.get("items").filter(|i| i.is_object()) {
                for (i, item) in items.iter().enumerate() {
                    embedded_resources(&path.index(i), item, item_schema, errs);
                }
            }
        }
        _ => {}
    }
}

/// `validateEmbeddedResource`: `apiVersion` and `kind` of one embedded resource.
pub(super) fn embedded_resource(path: &FPath, map: &Map<String, Value>, errs: &mut Vec<FieldErr>) {
    for field in ["apiVersion", "kind"] {
        if !map.contains_key(field) {
            errs.push(FieldErr::new(REQUIRED, &path.child(field), Bad::Str(String::new()), ""));
        }
    }
    for key in sorted_keys(map) {
        let v = &map[key];
        let invalid = |bad: Bad, detail: &str| FieldErr::new(INVALID, &path.child(key), bad, detail);
        if !matches!(key.as_str(), "apiVersion" | "kind") {
            continue;
        }
        let Some(s) = v.as_str() else {
            errs.push(invalid(Bad::Data(v.clone()), "must be a string"));
            continue;
        };
        if s.is_empty() {
            errs.push(invalid(Bad::Str(String::new()), "must not be empty"));
        } else if key == "apiVersion" {
            if s != "/" && s.matches('/').count() > 1 {
                errs.push(invalid(
                    Bad::Str(s.to_owned()),
                    &format!("unexpected GroupVersion string: {s}"),
                ));
            }
        } else {
            let lower = s.to_lowercase();
            let mut problems = Vec::new();
            if lower.len() > 63 {
                problems.push("must be no more than 63 characters");
            }
            if !DNS1035.is_match(&lower) {
                problems.push(DNS1035_MESSAGE);
            }
            if !problems.is_empty() {
                errs.push(invalid(
                    Bad::Str(s.to_owned()),
                    &format!(
                        "may have mixed case, but should otherwise match: {}",
                        problems.join(",")
                    ),
                ));
            }
        }
    }
}
