//! Schema access: the JSONSchemaProps to spec.Schema conversion of apiextensions' validation.go.

use super::*;

/// A boolean keyword of a schema, false when absent.
pub(super) fn s_bool(s: &Value, key: &str) -> bool {
    s.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// A string keyword of a schema, empty when absent.
pub(super) fn s_str<'a>(s: &'a Value, key: &str) -> &'a str {
    s.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A numeric keyword of a schema (`minimum`, ...), as the `*float64` of `JSONSchemaProps`.
pub(super) fn s_f64(s: &Value, key: &str) -> Option<f64> {
    s.get(key).and_then(Value::as_f64)
}

/// An integer keyword of a schema (`maxLength`, ...), as the `*int64` of `JSONSchemaProps`.
pub(super) fn s_i64(s: &Value, key: &str) -> Option<i64> {
    s.get(key)
        .and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
}

/// A list keyword of a schema (`enum`, `required`, `allOf`, ...), empty when absent.
pub(super) fn s_arr<'a>(s: &'a Value, key: &str) -> &'a [Value] {
    s.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// `properties`.
pub(super) fn s_props(s: &Value) -> Option<&Map<String, Value>> {
    s.get("properties").and_then(Value::as_object)
}

/// `additionalProperties` when it is a schema.
pub(super) fn s_additional(s: &Value) -> Option<&Value> {
    s.get("additionalProperties").filter(|a| a.is_object())
}

/// The `type` list kube-openapi validates: `[integer, string]` for `x-kubernetes-int-or-string`.
pub(super) fn s_types(s: &Value) -> Vec<&str> {
    if s_bool(s, "x-kubernetes-int-or-string") {
        return vec!["integer", "string"];
    }
    match s_str(s, "type") {
        "" => vec![],
        t => vec![t],
    }
}

/// The string formats of kube-openapi's registry, normalised (dashes removed), all of which the
/// server supports at its compatibility version.
pub(super) const STRING_FORMATS: [&str; 26] = [
    "bsonobjectid",
    "uri",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "cidr",
    "mac",
    "uuid",
    "uuid3",
    "uuid4",
    "uuid5",
    "isbn",
    "isbn10",
    "isbn13",
    "creditcard",
    "ssn",
    "hexcolor",
    "rgbcolor",
    "byte",
    "password",
    "date",
    "duration",
    "datetime",
    "k8sshortname",
    "k8slongname",
];

/// The `format` left by `StripUnsupportedFormatsPostProcessorForVersion`.
pub(super) fn s_format(s: &Value) -> &str {
    let format = s_str(s, "format");
    if format.is_empty() {
        return format;
    }
    let types = s_types(s);
    let single = if types.len() == 1 { types[0] } else { "" };
    let kept = match single {
        "" | "string" => STRING_FORMATS.contains(&format.replace('-', "").as_str()),
        "integer" => matches!(format, "int32" | "int64"),
        "number" => matches!(format, "float" | "double"),
        _ => false,
    };
    if kept { format } else { "" }
}
