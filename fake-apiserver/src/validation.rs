//! Validation of custom resources against their CRD version's structural schema, as
//! kube-apiserver's apiextensions-apiserver (v0.37.2, kube-openapi of 2026-07-21) does it, with
//! the same causes, in the same order, with the same texts.
//!
//! Why: a controller or client tested against the fake must meet the 422 the real server sends
//! for a string where an integer belongs, a value under `minimum` or outside `enum`, a broken
//! `x-kubernetes-validations` rule, too many items, and must not meet it for an update the real
//! server ratchets. The module is pure (no IO): the caller turns the causes into the `Invalid`
//! status.
//!
//! [`validate`] reproduces what `customResourceStrategy.Validate` and `ValidateUpdate`
//! (`pkg/registry/customresource/strategy.go`) return past the type and object metadata checks:
//!
//! 1. the OpenAPI value validation, a port of kube-openapi's `validate.SchemaValidator` (with its
//!    match counts, which pick the errors reported for a failed `anyOf` or `oneOf`) as
//!    `kubeOpenAPIResultToFieldErrors` turns its results into field errors, with the ratcheting
//!    of `CRDValidationRatcheting` (GA and locked on since 1.33) on updates: a correlatable value
//!    equal to the old one has its errors dropped;
//! 2. the `apiVersion`/`kind` checks of embedded resources (`x-kubernetes-embedded-resource`);
//! 3. the uniqueness of `x-kubernetes-list-type: set` items and `map` keys, skipped on an update
//!    whose old object already broke it;
//! 4. the `x-kubernetes-validations` CEL rules (`rule`, `message`, `messageExpression`, `reason`,
//!    `fieldPath`, transition rules with `oldSelf`, `optionalOldSelf`), evaluated with the `cel`
//!    crate; skipped, with the server's own cause, when the causes above hold a blocking one
//!    (unsupported value, required, too long, too many, wrong type).
//!
//! Where Go iterates a map (properties, object keys), its order is random, so the real server's
//! order of causes on sibling fields changes from one request to the next: here they come in the
//! byte order of the keys. The causes of one field come in the server's order.
//!
//! Not covered, or only approximately:
//! - the `metadata` of the object and of embedded resources (done elsewhere), and the scale
//!   subresource's replica paths (which the server checks between steps 1 and 2); blocking
//!   causes among those also stop the CEL rules on the real server, which this module can't see;
//! - the `uri` and `email` formats are close to Go's `url.ParseRequestURI` and
//!   `mail.ParseAddress`, not exact; a `pattern` is translated from Go's regexp syntax to the
//!   `regex` crate's (ASCII `\d`, `\w`, `\s`, `\b`), and an invalid one is described in Go's
//!   words for the common mistakes only;
//! - tuple `items`, `additionalItems`, `patternProperties` and `dependencies` (which structural
//!   schemas forbid) are ignored;
//! - CEL: no static type checking (the server rejects ill-typed rules when the CRD is written)
//!   and no cost limits; a set or map list compares in order, not as a set, and `+` on them
//!   appends; `self['raw-name']` (a property by its unescaped name) is not found; values kept by
//!   `x-kubernetes-preserve-unknown-fields` are plain CEL values, not opaque ones. Kubernetes'
//!   environment is the crate's standard library with its strings and lists extensions, plus
//!   `first`, `last`, `includes`, the list functions (`isSorted`, `sum`, `min`, `max`, `indexOf`,
//!   `lastIndexOf`), `find`, `findAll` and `sets.contains`/`equivalent`/`intersects` added here.
//!   Missing: the two-variable comprehensions (`all(i, v, ...)`, `exists(i, v, ...)`,
//!   `existsOne`, `transformList`, `transformMap`, `transformMapEntry`) and the `quantity`, `url`,
//!   `ip`, `cidr`, `format.*`, `semver` and authorizer libraries; a rule using them fails as an
//!   undeclared reference. Runtime error texts other than the common ones (no such key, division
//!   and modulus by zero, index out of bounds, overflow, no such overload, conversions, invalid
//!   regexps) are the crate's.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock, Mutex};

use cel::common::types::{DYN_TYPE, INT_TYPE, LIST_TYPE, STRING_TYPE};
use cel::common::value::{CowVal, Val};
use cel::objects::{Key as CelKey, Map as CelMap, OptionalValue};
use cel::{Context, Env, ExecutionError, Program, Value as CelValue};
use regex::{Regex, RegexBuilder};
use serde_json::{Map, Value};

/// One failed check, as kube-apiserver's `field.Error`: the field path (`spec.replicas`,
/// `spec.items[2]`, `<nil>` for the object itself), the cause type (`FieldValueInvalid`,
/// `FieldValueTypeInvalid`, `FieldValueNotSupported`, `FieldValueRequired`, `FieldValueTooMany`,
/// `FieldValueTooLong`, `FieldValueDuplicate`, `FieldValueForbidden`, ...) and the text of
/// `ErrorBody()` (`Invalid value: "string": spec.replicas in body must be of type integer:
/// "string"`), exactly as Go prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Cause {
    /// The field path, as `field.Path.String()` prints it.
    pub field: String,
    /// The cause type, `field.ErrorType`.
    pub reason: &'static str,
    /// `ErrorBody()`: the message without the field.
    pub message: String,
}

/// Validates `object` (a custom resource as JSON, already pruned, defaulted and cleared of its
/// non-nullable nulls by [`prune_non_nullable_nulls`]) against `schema` (the version's
/// `openAPIV3Schema`). As on the server, the whole object is validated: the root's own keywords
/// (`required`, `maxProperties`, ...) count `apiVersion`, `kind` and `metadata` too, and root
/// rules see `self.apiVersion`, `self.kind`, `self.metadata.name` and `generateName`.
///
/// `old` is the stored object on updates: it ratchets the errors of unchanged values, as the
/// real server does since `CRDValidationRatcheting` went GA (1.33, locked on), and is `oldSelf`
/// for CEL transition rules. On a `/status` update, pass the object as it will be stored (old
/// spec, new status): its unchanged parts ratchet.
///
/// Returns the causes in kube-apiserver's order: schema errors, embedded resource errors,
/// list-type errors, then CEL rule errors (or the cause saying they were not checked).
pub(crate) fn validate(schema: &Value, object: &Value, old: Option<&Value>) -> Vec<Cause> {
    let mut errors: Vec<FieldErr> = Vec::new();
    let result = validate_node(schema, "", object, old, true);
    errors.extend(result.errors.iter().map(|e| openapi_to_field_error(e, &FPath::root())));
    embedded_resources(&FPath::root(), object, schema, &mut errors);
    lists_and_rules(schema, object, old, errors)
}

/// Validates a write of the `status` subresource as the status strategy does: the status alone
/// by the status schema (`ValidateStatusUpdate`: field paths start at `status`, kube-openapi's
/// texts name fields from the status down, ratcheting against the old status), then the list
/// types and the CEL rules of the whole object, as [`validate`].
pub(crate) fn validate_status(schema: &Value, object: &Value, old: &Value) -> Vec<Cause> {
    let mut errors: Vec<FieldErr> = Vec::new();
    if let (Some(status_schema), Some(status)) = (schema.pointer("/properties/status"), object.get("status")) {
        let result = validate_node(status_schema, "", status, old.get("status"), false);
        let base = FPath::root().child("status");
        errors.extend(result.errors.iter().map(|e| openapi_to_field_error(e, &base)));
    }
    lists_and_rules(schema, object, Some(old), errors)
}

/// The steps after the OpenAPI validation: list types (skipped on an update whose old object
/// already broke them), then the CEL rules (or the cause saying they were not checked).
fn lists_and_rules(schema: &Value, object: &Value, old: Option<&Value>, mut errors: Vec<FieldErr>) -> Vec<Cause> {
    let list_errors = |o: &Value| {
        let mut errs = Vec::new();
        list_sets_and_maps(&FPath::root(), schema, o, &mut errs);
        errs
    };
    match old {
        Some(old) if !list_errors(old).is_empty() => {}
        _ => errors.extend(list_errors(object)),
    }
    if has_x_validations(schema) {
        if errors.iter().any(|e| BLOCKING.contains(&e.ty)) {
            errors.push(FieldErr::new(
                INVALID,
                &FPath::root(),
                Bad::Nil,
                "some validation rules were not checked because the object was invalid; correct the existing errors \
                 to complete validation",
            ));
        } else {
            let correlation = RatchetOpts {
                current: old.map(|old| Corr {
                    new: object,
                    old,
                    schema,
                }),
                nearest: None,
            };
            let mut walk = CelWalk { errors: &mut errors };
            let typed = decl_type_exists(schema);
            walk.node(schema, schema, true, typed, &FPath::root(), object, old, correlation);
        }
    }
    errors.into_iter().map(FieldErr::into_cause).collect()
}

/// Removes the `null` values of fields whose schema is neither `nullable` nor has a `default`,
/// as kube-apiserver does after pruning (`PruneNonNullableNullsWithoutDefaults`), before it
/// validates: such a null is dropped, not refused. Nulls in lists are kept.
pub(crate) fn prune_non_nullable_nulls(object: &mut Value, schema: &Value) {
    match object {
        Value::Object(map) => {
            map.retain(|key, value| {
                let field_schema = s_props(schema)
                    .and_then(|p| p.get(key))
                    .or_else(|| s_additional(schema));
                !(value.is_null() && field_schema.is_some_and(|s| !s_bool(s, "nullable") && s.get("default").is_none()))
            });
            for (key, value) in map.iter_mut() {
                if let Some(field_schema) = s_props(schema)
                    .and_then(|p| p.get(key))
                    .or_else(|| s_additional(schema))
                {
                    prune_non_nullable_nulls(value, field_schema);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items").filter(|i| i.is_object()) {
                for item in items {
                    prune_non_nullable_nulls(item, item_schema);
                }
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// field.Error and Go's printing of values
// ---------------------------------------------------------------------------------------------

/// `field.ErrorTypeInvalid`.
const INVALID: &str = "FieldValueInvalid";
/// `field.ErrorTypeTypeInvalid`.
const TYPE_INVALID: &str = "FieldValueTypeInvalid";
/// `field.ErrorTypeNotSupported`.
const NOT_SUPPORTED: &str = "FieldValueNotSupported";
/// `field.ErrorTypeRequired`.
const REQUIRED: &str = "FieldValueRequired";
/// `field.ErrorTypeDuplicate`.
const DUPLICATE: &str = "FieldValueDuplicate";
/// `field.ErrorTypeForbidden`.
const FORBIDDEN: &str = "FieldValueForbidden";
/// `field.ErrorTypeTooLong`.
const TOO_LONG: &str = "FieldValueTooLong";
/// `field.ErrorTypeTooMany`.
const TOO_MANY: &str = "FieldValueTooMany";

/// The cause types after which `hasBlockingErr` skips the CEL rules.
const BLOCKING: [&str; 5] = [NOT_SUPPORTED, REQUIRED, TOO_LONG, TOO_MANY, TYPE_INVALID];

/// A `field.Path`: `None` is the nil path, printed `<nil>`.
#[derive(Clone, Debug, Default)]
struct FPath(Option<String>);

impl FPath {
    fn root() -> Self {
        FPath(None)
    }

    /// `Path.Child(name)`.
    fn child(&self, name: &str) -> Self {
        match &self.0 {
            None => FPath(Some(name.to_owned())),
            Some(p) => FPath(Some(format!("{p}.{name}"))),
        }
    }

    /// `Path.Key(key)`.
    fn key(&self, key: &str) -> Self {
        FPath(Some(format!("{}[{key}]", self.0.as_deref().unwrap_or(""))))
    }

    /// `Path.Index(i)`.
    fn index(&self, i: usize) -> Self {
        FPath(Some(format!("{}[{i}]", self.0.as_deref().unwrap_or(""))))
    }

    fn render(&self) -> String {
        self.0.clone().unwrap_or_else(|| "<nil>".to_owned())
    }
}

/// A `field.Error`'s `BadValue`, with the Go type that decides how it prints.
#[derive(Clone, Debug)]
enum Bad {
    /// `field.OmitValueType{}`: no value printed.
    Omit,
    /// A nil interface: `null`.
    Nil,
    /// A Go `string`: `%q`.
    Str(String),
    /// A Go `int64` or `int`.
    Int(i64),
    /// A value decoded from JSON: `int64`, `float64`, `bool` and `string` print with `%v` or
    /// `%q`, maps and slices as JSON.
    Data(Value),
}

/// A `field.Error`.
#[derive(Clone, Debug)]
struct FieldErr {
    ty: &'static str,
    field: FPath,
    bad: Bad,
    detail: String,
}

impl FieldErr {
    fn new(ty: &'static str, field: &FPath, bad: Bad, detail: &str) -> Self {
        FieldErr {
            ty,
            field: field.clone(),
            bad,
            detail: detail.to_owned(),
        }
    }

    /// `ErrorBody()`.
    fn body(&self) -> String {
        let label = match self.ty {
            REQUIRED => "Required value",
            DUPLICATE => "Duplicate value",
            INVALID | TYPE_INVALID => "Invalid value",
            NOT_SUPPORTED => "Unsupported value",
            FORBIDDEN => "Forbidden",
            TOO_LONG => "Too long",
            TOO_MANY => "Too many",
            _ => "Internal error",
        };
        let mut s = label.to_owned();
        if !matches!(self.ty, REQUIRED | FORBIDDEN | TOO_LONG) {
            match &self.bad {
                Bad::Omit => {}
                Bad::Nil => s.push_str(": null"),
                Bad::Str(v) => {
                    s.push_str(": ");
                    s.push_str(&go_quote(v));
                }
                Bad::Int(i) => {
                    let _ = write!(s, ": {i}");
                }
                Bad::Data(v) => {
                    s.push_str(": ");
                    s.push_str(&match v {
                        Value::Bool(b) => b.to_string(),
                        Value::Number(n) => go_number_v(n),
                        Value::String(v) => go_quote(v),
                        _ => go_json(v),
                    });
                }
            }
        }
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }

    fn into_cause(self) -> Cause {
        Cause {
            message: self.body(),
            field: self.field.render(),
            reason: self.ty,
        }
    }
}

/// The printable runes of Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols.
static PRINTABLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\p{L}\p{M}\p{N}\p{P}\p{S}]$").expect("valid regex"));

/// Go's `strconv.Quote` (the `%q` verb).
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut buf = [0u8; 4];
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if PRINTABLE.is_match(c.encode_utf8(&mut buf)) => out.push(c),
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// The shortest decimal digits of `f` and its decimal exponent (`d.ddd × 10^exp`).
fn shortest_digits(f: f64) -> (String, i32) {
    let e = format!("{:e}", f.abs());
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    (mantissa.replace('.', ""), exp.parse().unwrap_or(0))
}

/// `d.ddd` followed by `e±XX`, Go's `%e` with the shortest precision (at least two exponent
/// digits) or, with `pad` false, JSON's cleaned-up form.
fn exp_form(f: f64, pad: bool) -> String {
    let (digits, exp) = shortest_digits(f);
    let mut s = String::new();
    if f.is_sign_negative() {
        s.push('-');
    }
    s.push_str(&digits[..1]);
    if digits.len() > 1 {
        s.push('.');
        s.push_str(&digits[1..]);
    }
    let sign = if exp < 0 { '-' } else { '+' };
    if pad {
        let _ = write!(s, "e{sign}{:02}", exp.abs());
    } else {
        let _ = write!(s, "e{sign}{}", exp.abs());
    }
    s
}

/// Go's `%v` of a `float64`: `%g` with the shortest precision.
fn go_float_v(f: f64) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    let (_, exp) = shortest_digits(f);
    if !(-4..6).contains(&exp) {
        exp_form(f, true)
    } else {
        format!("{f}")
    }
}

/// Go's `encoding/json` rendering of a `float64`.
fn go_json_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        exp_form(f, false)
    } else {
        format!("{f}")
    }
}

/// Whether a JSON number decodes to a Go `int64` (else to a `float64`), as Kubernetes'
/// `util/json` decodes it.
fn number_as_int(n: &serde_json::Number) -> Option<i64> {
    n.as_i64()
}

/// A JSON number as a Go `float64`.
fn number_as_f64(n: &serde_json::Number) -> f64 {
    n.as_f64().unwrap_or(0.0)
}

/// `%v` of a JSON number as Go decoded it.
fn go_number_v(n: &serde_json::Number) -> String {
    match number_as_int(n) {
        Some(i) => i.to_string(),
        None => go_float_v(number_as_f64(n)),
    }
}

/// Go's `json.Marshal` of a value decoded from JSON: sorted keys, HTML characters escaped.
fn go_json(v: &Value) -> String {
    let mut out = String::new();
    write_go_json(v, &mut out);
    out
}

/// Appends `json.Marshal` of `v` to `out`.
fn write_go_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match number_as_int(n) {
            Some(i) => out.push_str(&i.to_string()),
            None => out.push_str(&go_json_float(number_as_f64(n))),
        },
        Value::String(s) => write_go_json_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, key) in sorted_keys(map).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_json_string(key, out);
                out.push(':');
                write_go_json(&map[key], out);
            }
            out.push('}');
        }
    }
}

/// Appends a JSON string as `encoding/json` escapes it.
fn write_go_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The keys of an object in byte order (Go's `json.Marshal` order, and this module's for map iterations).
fn sorted_keys(map: &Map<String, Value>) -> Vec<&String> {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    keys
}

// ---------------------------------------------------------------------------------------------
// Schema access (the JSONSchemaProps → spec.Schema conversion of validation.go)
// ---------------------------------------------------------------------------------------------

/// A boolean keyword of a schema, false when absent.
fn s_bool(s: &Value, key: &str) -> bool {
    s.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// A string keyword of a schema, empty when absent.
fn s_str<'a>(s: &'a Value, key: &str) -> &'a str {
    s.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A numeric keyword of a schema (`minimum`, ...), as the `*float64` of `JSONSchemaProps`.
fn s_f64(s: &Value, key: &str) -> Option<f64> {
    s.get(key).and_then(Value::as_f64)
}

/// An integer keyword of a schema (`maxLength`, ...), as the `*int64` of `JSONSchemaProps`.
fn s_i64(s: &Value, key: &str) -> Option<i64> {
    s.get(key)
        .and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
}

/// A list keyword of a schema (`enum`, `required`, `allOf`, ...), empty when absent.
fn s_arr<'a>(s: &'a Value, key: &str) -> &'a [Value] {
    s.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// `properties`.
fn s_props(s: &Value) -> Option<&Map<String, Value>> {
    s.get("properties").and_then(Value::as_object)
}

/// `additionalProperties` when it is a schema.
fn s_additional(s: &Value) -> Option<&Value> {
    s.get("additionalProperties").filter(|a| a.is_object())
}

/// The `type` list kube-openapi validates: `[integer, string]` for `x-kubernetes-int-or-string`.
fn s_types(s: &Value) -> Vec<&str> {
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
const STRING_FORMATS: [&str; 26] = [
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
fn s_format(s: &Value) -> &str {
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

// ---------------------------------------------------------------------------------------------
// kube-openapi's SchemaValidator
// ---------------------------------------------------------------------------------------------

/// kube-openapi's error codes, and the two kinds of errors that are no `errors.Validation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Code {
    /// An `errors.New(CompositeErrorCode, ...)`: anyOf, oneOf, allOf, not.
    Composite,
    /// A plain `fmt.Errorf`: the numeric range checks.
    Plain,
    InvalidType,
    Required,
    TooLong,
    Enum,
    MaxItems,
    TooManyProperties,
    /// Any other `errors.Validation`, turned into `field.Invalid`.
    Other,
}

/// A kube-openapi error.
#[derive(Clone, Debug)]
struct OErr {
    code: Code,
    name: String,
    value: Option<Bad>,
    valid: Option<i64>,
    values: Vec<Value>,
    message: String,
}

impl OErr {
    fn new(code: Code, name: &str, value: Option<Bad>, message: String) -> Self {
        OErr {
            code,
            name: name.to_owned(),
            value,
            valid: None,
            values: Vec::new(),
            message,
        }
    }

    fn plain(message: String) -> Self {
        OErr::new(Code::Plain, "", None, message)
    }

    fn composite(message: String) -> Self {
        OErr::new(Code::Composite, "", None, message)
    }

    fn with_valid(mut self, valid: i64) -> Self {
        self.valid = Some(valid);
        self
    }
}

/// `errors.InvalidType(name, "body", typeName, value)` with a string value.
fn invalid_type(path: &str, type_name: &str, value: &str) -> OErr {
    OErr::new(
        Code::InvalidType,
        path,
        Some(Bad::Str(value.to_owned())),
        format!("{path} in body must be of type {type_name}: {}", go_quote(value)),
    )
}

/// A `validate.Result`: errors (kept unique by message) and the match count.
#[derive(Clone, Debug, Default)]
struct OResult {
    errors: Vec<OErr>,
    match_count: i64,
}

impl OResult {
    fn err(e: OErr) -> Self {
        OResult {
            errors: vec![e],
            match_count: 0,
        }
    }

    fn add(&mut self, e: OErr) {
        if !self.errors.iter().any(|x| x.message == e.message) {
            self.errors.push(e);
        }
    }

    fn merge(&mut self, other: OResult) {
        for e in other.errors {
            self.add(e);
        }
        self.match_count += other.match_count;
    }

    fn merge_opt(&mut self, other: Option<OResult>) {
        if let Some(other) = other {
            self.merge(other);
        }
    }

    fn inc(&mut self) {
        self.match_count += 1;
    }

    fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// The Go kind of a value decoded from JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Nil,
    Bool,
    Int,
    Float,
    String,
    Slice,
    Map,
}

/// The kind of a value decoded from JSON.
fn kind(v: &Value) -> Kind {
    match v {
        Value::Null => Kind::Nil,
        Value::Bool(_) => Kind::Bool,
        Value::Number(n) if number_as_int(n).is_some() => Kind::Int,
        Value::Number(_) => Kind::Float,
        Value::String(_) => Kind::String,
        Value::Array(_) => Kind::Slice,
        Value::Object(_) => Kind::Map,
    }
}

/// A number as kube-openapi's number validator sees it.
#[derive(Clone, Copy, Debug)]
enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    fn of(n: &serde_json::Number) -> Num {
        match number_as_int(n) {
            Some(i) => Num::Int(i),
            None => Num::Float(number_as_f64(n)),
        }
    }

    fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

/// Go's conversion of a `float64` to `int64` on amd64.
fn go_f64_to_i64(f: f64) -> i64 {
    if f.is_finite() && f.abs() < -(i64::MIN as f64) {
        f as i64
    } else {
        i64::MIN
    }
}

/// `swag.IsFloat64AJSONInteger`.
fn is_float64_json_integer(f: f64) -> bool {
    const MAX: f64 = 9_007_199_254_740_991.0;
    if !f.is_finite() || !(-MAX..=MAX).contains(&f) {
        return false;
    }
    let rounded = f.round();
    if f == rounded {
        return true;
    }
    if rounded == 0.0 {
        return false;
    }
    let diff = (f - rounded).abs();
    diff == 0.0 || diff < 1e-9 * rounded.abs()
}

/// A `ratchetingValueValidator` when `old` is the correlated old value, else a plain
/// `SchemaValidator`: validates `data` and drops its errors when it equals the old value.
fn validate_node(s: &Value, path: &str, data: &Value, old: Option<&Value>, root: bool) -> OResult {
    let mut res = schema_validate(s, path, data, old, root);
    if let Some(old) = old
        && !res.is_valid()
        && corr_deep_equal(s, data, old)
    {
        res.errors.clear();
    }
    res
}

/// `SchemaValidator.Validate`: the validators that apply, in kube-openapi's order.
fn schema_validate(s: &Value, path: &str, data: &Value, old: Option<&Value>, root: bool) -> OResult {
    let mut result = OResult::default();
    let kind = kind(data);
    if kind == Kind::Nil {
        result.merge(type_validate(s, path, data));
        result.merge_opt(enum_validate(s, path, data));
        return result;
    }
    let format = s_format(s);
    if !s_types(s).is_empty() || !format.is_empty() {
        result.merge(type_validate(s, path, data));
        result.inc();
    }
    result.merge(schema_props_validate(s, path, data));
    result.inc();
    if let Value::String(text) = data {
        result.merge_opt(string_validate(s, path, text));
        result.inc();
        if STRING_FORMATS.contains(&format.replace('-', "").as_str()) {
            if !format_validates(&format.replace('-', ""), text) {
                result.merge(OResult::err(invalid_type(path, format, text)));
            }
            result.inc();
        }
    }
    if let Value::Number(n) = data {
        result.merge(number_validate(s, path, Num::of(n)));
        result.inc();
    }
    if let Value::Array(items) = data {
        result.merge(slice_validate(s, path, items, old));
        result.inc();
    }
    result.merge_opt(enum_validate(s, path, data));
    result.inc();
    if let Value::Object(map) = data {
        result.merge(object_validate(s, path, map, old, root));
        result.inc();
    }
    result.inc();
    result
}

/// The type validator.
fn type_validate(s: &Value, path: &str, data: &Value) -> OResult {
    let mut result = OResult::default();
    result.inc();
    let types = s_types(s);
    let joined = types.join(",");
    if data.is_null() {
        if !types.is_empty() && !types.contains(&"null") && !s_bool(s, "nullable") {
            return OResult::err(invalid_type(path, &joined, "null"));
        }
        return result;
    }
    let format = s_format(s);
    let (sch_type, sch_format) = match data {
        Value::Bool(_) => ("boolean", ""),
        Value::String(_) => ("string", ""),
        Value::Number(n) if number_as_int(n).is_some() => ("integer", "int64"),
        Value::Number(_) => ("number", "float64"),
        Value::Array(_) => ("array", ""),
        _ => ("object", ""),
    };
    let string_or_slice = matches!(data, Value::String(_) | Value::Array(_));
    let is_float_int =
        sch_type == "number" && data.as_f64().is_some_and(is_float64_json_integer) && types.contains(&"integer");
    let is_int_float = sch_type == "integer" && types.contains(&"number");
    if !(string_or_slice
        || format.is_empty()
        || types.contains(&sch_type)
        || sch_format == format
        || is_float_int
        || is_int_float)
    {
        return OResult::err(invalid_type(path, format, sch_format));
    }
    if string_or_slice && !(types.contains(&"number") || types.contains(&"integer") || format.is_empty()) {
        return result;
    }
    if !(types.contains(&sch_type) || is_float_int || is_int_float) {
        return OResult::err(invalid_type(path, &joined, sch_type));
    }
    result
}

/// The allOf, anyOf, oneOf and not validator.
fn schema_props_validate(s: &Value, path: &str, data: &Value) -> OResult {
    let mut main = OResult::default();
    let any_of = s_arr(s, "anyOf");
    if !any_of.is_empty() {
        let mut best: Option<OResult> = None;
        let mut first_success: Option<OResult> = None;
        for sub in any_of {
            let r = schema_validate(sub, path, data, None, false);
            if r.is_valid() {
                best = None;
                first_success = Some(r);
                break;
            }
            if best.as_ref().is_none_or(|b| r.match_count > b.match_count) {
                best = Some(r);
            }
        }
        if first_success.is_none() {
            main.add(OErr::composite(format!(
                "{} must validate at least one schema (anyOf)",
                go_quote(path)
            )));
        }
        if let Some(best) = best {
            main.merge(best);
        } else if let Some(first) = first_success {
            main.merge(first);
        }
    }
    let one_of = s_arr(s, "oneOf");
    if !one_of.is_empty() {
        let mut best: Option<OResult> = None;
        let mut first_success: Option<OResult> = None;
        let mut validated = 0;
        for sub in one_of {
            let r = schema_validate(sub, path, data, None, false);
            if r.is_valid() {
                validated += 1;
                best = None;
                if first_success.is_none() {
                    first_success = Some(r);
                }
                continue;
            }
            if validated == 0 && best.as_ref().is_none_or(|b| r.match_count > b.match_count) {
                best = Some(r);
            }
        }
        if validated != 1 {
            let additional = if validated == 0 {
                "Found none valid".to_owned()
            } else {
                format!("Found {validated} valid alternatives")
            };
            main.add(OErr::composite(format!(
                "{} must validate one and only one schema (oneOf). {additional}",
                go_quote(path)
            )));
            if let Some(best) = best {
                main.merge(best);
            }
        } else if let Some(first) = first_success {
            main.merge(first);
        }
    }
    let all_of = s_arr(s, "allOf");
    if !all_of.is_empty() {
        let mut validated = 0;
        for sub in all_of {
            let r = schema_validate(sub, path, data, None, false);
            if r.is_valid() {
                validated += 1;
            }
            main.merge(r);
        }
        if validated != all_of.len() {
            let additional = if validated == 0 { ". None validated" } else { "" };
            main.add(OErr::composite(format!(
                "{} must validate all the schemas (allOf){additional}",
                go_quote(path)
            )));
        }
    }
    if let Some(not) = s.get("not").filter(|n| n.is_object())
        && schema_validate(not, path, data, None, false).is_valid()
    {
        main.add(OErr::composite(format!(
            "{} must not validate the schema (not)",
            go_quote(path)
        )));
    }
    main.inc();
    main
}

/// The string validator: the first of maxLength (in runes), minLength and pattern that fails.
fn string_validate(s: &Value, path: &str, text: &str) -> Option<OResult> {
    let runes = text.chars().count() as i64;
    if let Some(max) = s_i64(s, "maxLength")
        && runes > max
    {
        return Some(OResult::err(
            OErr::new(
                Code::TooLong,
                path,
                Some(Bad::Str(text.to_owned())),
                format!("{path} in body should be at most {max} chars long"),
            )
            .with_valid(max),
        ));
    }
    if let Some(min) = s_i64(s, "minLength")
        && runes < min
    {
        return Some(OResult::err(
            OErr::new(
                Code::Other,
                path,
                Some(Bad::Str(text.to_owned())),
                format!("{path} in body should be at least {min} chars long"),
            )
            .with_valid(min),
        ));
    }
    let pattern = s_str(s, "pattern");
    if !pattern.is_empty() {
        let shown = match go_regex(pattern) {
            Ok(re) if re.is_match(text) => return None,
            Ok(_) => pattern.to_owned(),
            Err(e) => format!("{pattern}, but pattern is invalid: {e}"),
        };
        return Some(OResult::err(OErr::new(
            Code::Other,
            path,
            Some(Bad::Str(text.to_owned())),
            format!("{path} in body should match '{shown}'"),
        )));
    }
    None
}

/// `IsValueValidAgainstRange`: whether `val` fits the type and format.
fn range_error(val: Num, type_name: &str, format: &str, prefix: &str, path: &str) -> Option<OErr> {
    let rep = match val {
        Num::Int(i) => i.to_string(),
        Num::Float(f) => format!("{f}"),
    };
    let bad = match type_name {
        "integer" => match format {
            "int32" => rep.parse::<i32>().is_err(),
            _ => rep.parse::<i64>().is_err(),
        },
        _ => match format {
            "float" | "float32" => rep
                .parse::<f64>()
                .map_or(true, |f| f.is_finite() && (f as f32).is_infinite()),
            _ => false,
        },
    };
    bad.then(|| {
        OErr::plain(if format.is_empty() {
            format!("{prefix} value must be of type {type_name} (default format) in {path}")
        } else {
            format!("{prefix} value must be of type {type_name} with format {format} in {path}")
        })
    })
}

/// The number validator: the value's range, then multipleOf, minimum and maximum.
fn number_validate(s: &Value, path: &str, val: Num) -> OResult {
    let types = s_types(s);
    let format = s_format(s);
    // Only a single type, and a format valid for it, constrain the range.
    let (type_name, format) = match (types.as_slice(), format) {
        (["integer"], "int32" | "int64") | (["number"], "float" | "double") => (types[0], format),
        (["integer"] | ["number"], _) => (types[0], ""),
        _ => ("", ""),
    };
    let mut res = OResult::default();
    let data = val.as_f64();
    let value = || Some(Bad::Data(number_value(val)));
    if let Some(e) = range_error(val, type_name, format, "Checked", path) {
        res.add(e);
    }
    let mut res_multiple = OResult::default();
    if let Some(factor) = s_f64(s, "multipleOf") {
        if let Some(e) = range_error(Num::Float(factor), type_name, format, "MultipleOf", path) {
            res_multiple.add(e);
        }
        let err = if res_multiple.is_valid() {
            match val {
                Num::Int(i) => {
                    let factor = go_f64_to_i64(factor);
                    if factor <= 0 {
                        Some(multiple_of_positive(path, &factor.to_string(), Bad::Int(factor)))
                    } else if (i / factor) * factor != i {
                        Some(not_multiple_of(path, &factor.to_string(), value()))
                    } else {
                        None
                    }
                }
                Num::Float(f) => float_multiple_of(path, f, factor, value()),
            }
        } else {
            float_multiple_of(path, data, factor, value())
        };
        if let Some(e) = err {
            res_multiple.add(e);
        }
    }
    let mut res_minimum = OResult::default();
    if let Some(min) = s_f64(s, "minimum") {
        let exclusive = s_bool(s, "exclusiveMinimum");
        if let Some(e) = range_error(Num::Float(min), type_name, format, "Minimum boundary", path) {
            res_minimum.add(e);
        }
        let failed = match val {
            Num::Int(i) if res_minimum.is_valid() => {
                let min = go_f64_to_i64(min);
                ((!exclusive && i < min) || (exclusive && i <= min)).then(|| min.to_string())
            }
            _ => ((!exclusive && data < min) || (exclusive && data <= min)).then(|| go_float_v(min)),
        };
        if let Some(min) = failed {
            let op = if exclusive {
                "greater than"
            } else {
                "greater than or equal to"
            };
            res_minimum.add(OErr::new(
                Code::Other,
                path,
                value(),
                format!("{path} in body should be {op} {min}"),
            ));
        }
    }
    let mut res_maximum = OResult::default();
    if let Some(max) = s_f64(s, "maximum") {
        let exclusive = s_bool(s, "exclusiveMaximum");
        if let Some(e) = range_error(Num::Float(max), type_name, format, "Maximum boundary", path) {
            res_maximum.add(e);
        }
        let failed = match val {
            Num::Int(i) if res_maximum.is_valid() => {
                let max = go_f64_to_i64(max);
                ((!exclusive && i > max) || (exclusive && i >= max)).then(|| max.to_string())
            }
            _ => ((!exclusive && data > max) || (exclusive && data >= max)).then(|| go_float_v(max)),
        };
        if let Some(max) = failed {
            let op = if exclusive {
                "less than"
            } else {
                "less than or equal to"
            };
            res_maximum.add(OErr::new(
                Code::Other,
                path,
                value(),
                format!("{path} in body should be {op} {max}"),
            ));
        }
    }
    res.merge(res_multiple);
    res.merge(res_minimum);
    res.merge(res_maximum);
    res.inc();
    res
}

/// A number back as JSON, to print as a bad value.
fn number_value(val: Num) -> Value {
    match val {
        Num::Int(i) => Value::from(i),
        Num::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
    }
}

/// `errors.MultipleOfMustBePositive`.
fn multiple_of_positive(path: &str, factor: &str, value: Bad) -> OErr {
    OErr::new(
        Code::Other,
        path,
        Some(value),
        format!("factor MultipleOf declared for {path} must be positive: {factor}"),
    )
}

/// `errors.NotMultipleOf`.
fn not_multiple_of(path: &str, factor: &str, value: Option<Bad>) -> OErr {
    OErr::new(
        Code::Other,
        path,
        value,
        format!("{path} in body should be a multiple of {factor}"),
    )
}

/// `MultipleOf` on floats.
fn float_multiple_of(path: &str, data: f64, factor: f64, value: Option<Bad>) -> Option<OErr> {
    if factor <= 0.0 {
        let bad = number_value(Num::Float(factor));
        return Some(multiple_of_positive(path, &go_float_v(factor), Bad::Data(bad)));
    }
    let mult = if factor < 1.0 {
        1.0 / factor * data
    } else {
        data / factor
    };
    (!is_float64_json_integer(mult)).then(|| not_multiple_of(path, &go_float_v(factor), value))
}

/// The slice validator: items, then minItems, maxItems and uniqueItems.
fn slice_validate(s: &Value, path: &str, items: &[Value], old: Option<&Value>) -> OResult {
    let mut result = OResult::default();
    if let Some(item_schema) = s.get("items").filter(|i| i.is_object()) {
        let old_items = old.and_then(Value::as_array).map(|o| MapList::new(s, o));
        for (i, item) in items.iter().enumerate() {
            let item_old = old_items.as_ref().and_then(|o| o.get(item));
            result.merge(validate_node(
                item_schema,
                &format!("{path}[{i}]"),
                item,
                item_old,
                false,
            ));
        }
    }
    let size = items.len() as i64;
    if let Some(min) = s_i64(s, "minItems")
        && size < min
    {
        result.add(
            OErr::new(
                Code::Other,
                path,
                Some(Bad::Int(size)),
                format!("{path} in body should have at least {min} items"),
            )
            .with_valid(min),
        );
    }
    if let Some(max) = s_i64(s, "maxItems")
        && size > max
    {
        result.add(
            OErr::new(
                Code::MaxItems,
                path,
                Some(Bad::Int(size)),
                format!("{path} in body should have at most {max} items"),
            )
            .with_valid(max),
        );
    }
    if s_bool(s, "uniqueItems") && items.iter().enumerate().any(|(i, v)| items[..i].contains(v)) {
        result.add(OErr::new(
            Code::Other,
            path,
            None,
            format!("{path} in body shouldn't contain duplicates"),
        ));
    }
    result.inc();
    result
}

/// The enum validator, with Go's conversion of the value to each allowed value's type.
fn enum_validate(s: &Value, path: &str, data: &Value) -> Option<OResult> {
    let values = s_arr(s, "enum");
    if values.is_empty() {
        return None;
    }
    if !data.is_null() && values.iter().any(|e| enum_match(data, e)) {
        return None;
    }
    let mut e = OErr::new(
        Code::Enum,
        path,
        Some(if data.is_null() {
            Bad::Nil
        } else {
            Bad::Data(data.clone())
        }),
        format!(
            "{path} in body should be one of [{}]",
            values.iter().map(go_json).collect::<Vec<_>>().join(" ")
        ),
    );
    e.values = values.to_vec();
    Some(OResult::err(e))
}

/// `reflect.Value.Convert` of `data` to the type of `allowed`, then `reflect.DeepEqual`.
fn enum_match(data: &Value, allowed: &Value) -> bool {
    match (data, allowed) {
        (_, Value::Null) => false,
        (Value::String(a), Value::String(b)) => a == b,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Number(a), Value::String(b)) => match number_as_int(a) {
            // Go converts an integer to the string of that rune.
            Some(i) => {
                let rune = u32::try_from(i).ok().and_then(char::from_u32).unwrap_or('\u{fffd}');
                b.chars().eq(std::iter::once(rune))
            }
            None => false,
        },
        (Value::Number(a), Value::Number(b)) => match (Num::of(a), Num::of(b)) {
            (Num::Int(x), Num::Int(y)) => x == y,
            (Num::Float(x), Num::Int(y)) => go_f64_to_i64(x) == y,
            (Num::Int(x), Num::Float(y)) => x as f64 == y,
            (Num::Float(x), Num::Float(y)) => x == y,
        },
        (Value::Array(_), Value::Array(_)) | (Value::Object(_), Value::Object(_)) => data == allowed,
        _ => false,
    }
}

/// The object validator: min/maxProperties, additionalProperties, properties, required.
fn object_validate(s: &Value, path: &str, map: &Map<String, Value>, old: Option<&Value>, root: bool) -> OResult {
    let mut res = OResult::default();
    let n = map.len() as i64;
    if let Some(min) = s_i64(s, "minProperties")
        && n < min
    {
        res.add(
            OErr::new(
                Code::Other,
                path,
                Some(Bad::Int(n)),
                format!("{path} in body should have at least {min} properties"),
            )
            .with_valid(min),
        );
    }
    if let Some(max) = s_i64(s, "maxProperties")
        && n > max
    {
        res.add(
            OErr::new(
                Code::TooManyProperties,
                path,
                Some(Bad::Int(n)),
                format!("{path} in body should have at most {max} properties"),
            )
            .with_valid(max),
        );
    }
    let properties = s_props(s);
    let is_property = |k: &str| properties.is_some_and(|p| p.contains_key(k));
    let old_map = old.and_then(Value::as_object);
    let child_old = |key: &str| {
        if root && matches!(key, "apiVersion" | "kind") {
            return None;
        }
        old_map.and_then(|o| o.get(key))
    };
    if s.get("additionalProperties") == Some(&Value::Bool(false)) {
        for key in sorted_keys(map) {
            if !is_property(key) {
                res.add(OErr::new(
                    Code::Other,
                    path,
                    Some(Bad::Str(key.clone())),
                    format!("{path}.{key} in body is a forbidden property"),
                ));
            }
        }
    } else if let Some(additional) = s_additional(s) {
        for key in sorted_keys(map) {
            if !is_property(key) {
                res.merge(validate_node(
                    additional,
                    &format!("{path}.{key}"),
                    &map[key],
                    child_old(key),
                    false,
                ));
            }
        }
    }
    if let Some(properties) = properties {
        for name in sorted_keys(properties) {
            if let Some(v) = map.get(name) {
                let child_path = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                res.merge(validate_node(&properties[name], &child_path, v, child_old(name), false));
            }
        }
    }
    for required in s_arr(s, "required").iter().filter_map(Value::as_str) {
        if !map.contains_key(required) {
            res.add(OErr::new(
                Code::Required,
                &format!("{path}.{required}"),
                None,
                format!("{path}.{required} in body is required"),
            ));
        }
    }
    res
}

/// `kubeOpenAPIResultToFieldErrors` for one error.
fn openapi_to_field_error(e: &OErr, base: &FPath) -> FieldErr {
    let path = if e.name.is_empty() || e.name == "." {
        base.clone()
    } else {
        base.child(e.name.trim_start_matches('.'))
    };
    let value = || e.value.clone().unwrap_or_else(|| Bad::Str(String::new()));
    match e.code {
        Code::Composite | Code::Plain => FieldErr::new(INVALID, base, Bad::Str(String::new()), &e.message),
        Code::Required => FieldErr::new(REQUIRED, &path, Bad::Str(String::new()), ""),
        Code::Enum => {
            let quoted: Vec<String> = e
                .values
                .iter()
                .map(|v| go_quote(&v.as_str().map_or_else(|| go_json(v), str::to_owned)))
                .collect();
            let detail = if quoted.is_empty() {
                String::new()
            } else {
                format!("supported values: {}", quoted.join(", "))
            };
            FieldErr::new(NOT_SUPPORTED, &path, e.value.clone().unwrap_or(Bad::Nil), &detail)
        }
        Code::TooLong => {
            let max = e.valid.unwrap_or(-1);
            let detail = match max {
                1 => "may not be more than 1 byte".to_owned(),
                m if m >= 0 => format!("may not be more than {m} bytes"),
                _ => "value is too long".to_owned(),
            };
            FieldErr::new(TOO_LONG, &path, Bad::Str("<value omitted>".to_owned()), &detail)
        }
        Code::MaxItems | Code::TooManyProperties => {
            let actual = match e.value {
                Some(Bad::Int(i)) => i,
                _ => -1,
            };
            let max = e.valid.unwrap_or(-1);
            let detail = match max {
                1 => "must have at most 1 item".to_owned(),
                m if m >= 0 => format!("must have at most {m} items"),
                _ => "has too many items".to_owned(),
            };
            let bad = if actual >= 0 { Bad::Int(actual) } else { Bad::Omit };
            FieldErr::new(TOO_MANY, &path, bad, &detail)
        }
        Code::InvalidType => FieldErr::new(TYPE_INVALID, &path, value(), &e.message),
        Code::Other => FieldErr::new(INVALID, &path, value(), &e.message),
    }
}

// ---------------------------------------------------------------------------------------------
// Correlation of old and new values (apiserver's cel/common.CorrelatedObject)
// ---------------------------------------------------------------------------------------------

/// The old items of an `x-kubernetes-list-type: map` list by their keys (`MapList`), to find
/// the old item a new one correlates with: the first with the same keys. Empty for other lists.
struct MapList<'a> {
    keys: Vec<&'a str>,
    by_key: HashMap<String, &'a Value>,
}

impl<'a> MapList<'a> {
    fn new(s: &'a Value, old_items: &'a [Value]) -> Self {
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
    fn composite(&self, v: &Value) -> Option<String> {
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

    fn get(&self, item: &Value) -> Option<&'a Value> {
        if self.by_key.is_empty() {
            return None;
        }
        self.by_key.get(&self.composite(item)?).copied()
    }
}

/// `CorrelatedObject.CachedDeepEqual` of a new value with the old one it correlates with.
fn corr_deep_equal(s: &Value, new: &Value, old: &Value) -> bool {
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

// ---------------------------------------------------------------------------------------------
// String formats (kube-openapi's strfmt registry)
// ---------------------------------------------------------------------------------------------

/// Compiles a built-in pattern, with room for the Unicode classes of the hostname one.
fn lazy_regex(re: &str) -> Regex {
    RegexBuilder::new(re)
        .size_limit(64 << 20)
        .build()
        .expect("valid built-in regex")
}

/// `strfmt.HostnamePattern`.
static HOSTNAME: LazyLock<Regex> = LazyLock::new(|| {
    lazy_regex(
        r"^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9\-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$",
    )
});
/// `strfmt.UUIDPattern`.
static UUID: LazyLock<Regex> =
    LazyLock::new(|| lazy_regex(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$"));
/// `strfmt.UUID3Pattern`.
static UUID3: LazyLock<Regex> =
    LazyLock::new(|| lazy_regex(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$"));
/// `strfmt.UUID4Pattern`.
static UUID4: LazyLock<Regex> =
    LazyLock::new(|| lazy_regex(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$"));
/// `strfmt.UUID5Pattern`.
static UUID5: LazyLock<Regex> =
    LazyLock::new(|| lazy_regex(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$"));
/// govalidator's credit card pattern.
static CREDIT_CARD: LazyLock<Regex> = LazyLock::new(|| {
    lazy_regex(
        r"^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35[0-9]{3})[0-9]{11})$",
    )
});
/// govalidator's hex color pattern.
static HEX_COLOR: LazyLock<Regex> = LazyLock::new(|| lazy_regex(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"));
/// govalidator's `rgb(r, g, b)` pattern.
static RGB_COLOR: LazyLock<Regex> = LazyLock::new(|| {
    let c = r"[\t\n\f\r ]*(0|[1-9][0-9]?|1[0-9][0-9]?|2[0-4][0-9]|25[0-5])[\t\n\f\r ]*";
    lazy_regex(&format!(r"^rgb\({c},{c},{c}\)$"))
});
/// govalidator's base64 pattern (standard alphabet, padded, not empty).
static BASE64: LazyLock<Regex> =
    LazyLock::new(|| lazy_regex(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$"));
/// govalidator's social security number pattern.
static SSN: LazyLock<Regex> = LazyLock::new(|| lazy_regex(r"^[0-9]{3}[- ]?[0-9]{2}[- ]?[0-9]{4}$"));
/// strfmt's time part of a date-time (lower-cased).
static DATE_TIME: LazyLock<Regex> =
    LazyLock::new(|| lazy_regex(r"^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$"));
/// strfmt's fallback duration parts (`3 days`).
static DURATION_PART: LazyLock<Regex> = LazyLock::new(|| lazy_regex(r"(([0-9]+)[\t\n\f\r ]*([A-Za-zµ]+))"));
/// `k8s-short-name`.
static SHORT_NAME: LazyLock<Regex> = LazyLock::new(|| lazy_regex(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"));
/// `k8s-long-name`.
static LONG_NAME: LazyLock<Regex> =
    LazyLock::new(|| lazy_regex(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"));

/// Whether `text` is valid for a (normalised) format of the registry.
fn format_validates(format: &str, text: &str) -> bool {
    match format {
        "bsonobjectid" => text.len() == 24 && text.bytes().all(|b| b.is_ascii_hexdigit()),
        "uri" => is_request_uri(text),
        "email" => is_email(text),
        "hostname" => HOSTNAME.is_match(text) && text.len() <= 255 && text.split('.').all(|p| p.len() <= 63),
        "ipv4" => parse_ip_sloppy(text).is_some() && text.contains('.'),
        "ipv6" => text.parse::<std::net::IpAddr>().is_ok() && text.contains(':'),
        "cidr" => is_cidr(text),
        "mac" => is_mac(text),
        "uuid" => UUID.is_match(text),
        "uuid3" => UUID3.is_match(text),
        "uuid4" => UUID4.is_match(text),
        "uuid5" => UUID5.is_match(text),
        "isbn" => is_isbn(text, 10) || is_isbn(text, 13),
        "isbn10" => is_isbn(text, 10),
        "isbn13" => is_isbn(text, 13),
        "creditcard" => is_credit_card(text),
        "ssn" => text.len() == 11 && SSN.is_match(text),
        "hexcolor" => HEX_COLOR.is_match(text),
        "rgbcolor" => RGB_COLOR.is_match(text),
        "byte" => BASE64.is_match(text),
        "password" => true,
        "date" => parse_date(text).is_some(),
        "datetime" => is_date_time(text),
        "duration" => parse_duration(text).is_some(),
        "k8sshortname" => text.len() <= 63 && SHORT_NAME.is_match(text),
        "k8slongname" => text.len() <= 253 && LONG_NAME.is_match(text),
        _ => false,
    }
}

/// `time.Parse("2006-01-02", s)`: the days since the epoch.
fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || !s.is_ascii() || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = &s[r];
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=days_in_month).contains(&day) {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// `strfmt.IsDateTime`.
fn is_date_time(s: &str) -> bool {
    if s.len() < 4 {
        return false;
    }
    let lower = s.to_lowercase();
    let mut parts = lower.split('t');
    let (Some(date), Some(time)) = (parts.next(), parts.next()) else {
        return false;
    };
    if parse_date(date).is_none() {
        return false;
    }
    DATE_TIME
        .captures(time)
        .is_some_and(|m| &m[1] <= "23" && &m[2] <= "59" && &m[3] <= "59")
}

/// Go's `time.ParseDuration`, in nanoseconds.
fn go_parse_duration(s: &str) -> Option<i64> {
    let mut s = s.as_bytes();
    let mut neg = false;
    if let Some(&c) = s.first()
        && (c == b'-' || c == b'+')
    {
        neg = c == b'-';
        s = &s[1..];
    }
    if s == b"0" {
        return Some(0);
    }
    if s.is_empty() {
        return None;
    }
    let mut d: u64 = 0;
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return None;
        }
        let start = s.len();
        let mut v: u64 = 0;
        while let Some(&c) = s.first().filter(|c| c.is_ascii_digit()) {
            v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
            if v > 1 << 63 {
                return None;
            }
            s = &s[1..];
        }
        let pre = start != s.len();
        let (mut f, mut scale, mut post) = (0u64, 1f64, false);
        if s.first() == Some(&b'.') {
            s = &s[1..];
            let start = s.len();
            let mut overflow = false;
            while let Some(&c) = s.first().filter(|c| c.is_ascii_digit()) {
                if !overflow {
                    if f > (1 << 63) / 10 {
                        overflow = true;
                    } else {
                        f = f * 10 + u64::from(c - b'0');
                        scale *= 10.0;
                    }
                }
                s = &s[1..];
            }
            post = start != s.len();
        }
        if !pre && !post {
            return None;
        }
        let unit_len = s.iter().take_while(|c| **c != b'.' && !c.is_ascii_digit()).count();
        if unit_len == 0 {
            return None;
        }
        let unit: u64 = match &s[..unit_len] {
            b"ns" => 1,
            b"us" | b"\xc2\xb5s" | b"\xce\xbcs" => 1_000,
            b"ms" => 1_000_000,
            b"s" => 1_000_000_000,
            b"m" => 60_000_000_000,
            b"h" => 3_600_000_000_000,
            _ => return None,
        };
        s = &s[unit_len..];
        if v > (1 << 63) / unit {
            return None;
        }
        v *= unit;
        if f > 0 {
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > 1 << 63 {
                return None;
            }
        }
        d = d.checked_add(v)?;
        if d > 1 << 63 {
            return None;
        }
    }
    if neg {
        return Some((d as i64).wrapping_neg());
    }
    i64::try_from(d).ok()
}

/// `strfmt.ParseDuration`: Go's syntax, else numbers with units such as `3 days`.
fn parse_duration(s: &str) -> Option<i64> {
    if let Some(d) = go_parse_duration(s) {
        return Some(d);
    }
    const UNITS: [(&[&str], i64); 8] = [
        (&["ns", "nano"], 1),
        (&["us", "µs", "micro"], 1_000),
        (&["ms", "milli"], 1_000_000),
        (&["s", "sec"], 1_000_000_000),
        (&["m", "min"], 60_000_000_000),
        (&["h", "hr", "hour"], 3_600_000_000_000),
        (&["d", "day"], 86_400_000_000_000),
        (&["w", "wk", "week"], 604_800_000_000_000),
    ];
    let mut dur: i64 = 0;
    let mut ok = false;
    for m in DURATION_PART.captures_iter(s) {
        let factor: i64 = m[2].parse().ok()?;
        let unit = m[3].trim().to_lowercase();
        for (variants, multiplier) in UNITS {
            let last = variants.len() - 1;
            for (i, variant) in variants.iter().enumerate() {
                if (i == last && unit.starts_with(variant)) || variant.eq_ignore_ascii_case(&unit) {
                    ok = true;
                    dur = dur.wrapping_add(factor.wrapping_mul(multiplier));
                }
            }
        }
    }
    ok.then_some(dur)
}

/// The forked `net.ParseIP` of `k8s.io/utils/net`, which allows leading zeros in IPv4.
fn parse_ip_sloppy(s: &str) -> Option<std::net::IpAddr> {
    if s.contains(':') {
        return s.parse::<std::net::Ipv6Addr>().ok().map(std::net::IpAddr::V6);
    }
    let mut octets = [0u8; 4];
    let mut parts = s.split('.');
    for octet in &mut octets {
        let part = parts.next()?;
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) || part.len() > 6 {
            return None;
        }
        *octet = u8::try_from(part.parse::<u32>().ok()?).ok()?;
    }
    parts.next().is_none().then(|| std::net::IpAddr::from(octets))
}

/// `ParseCIDRSloppy`.
fn is_cidr(s: &str) -> bool {
    let Some((addr, prefix)) = s.split_once('/') else {
        return false;
    };
    let bits = if addr.contains(':') { 128 } else { 32 };
    parse_ip_sloppy(addr).is_some()
        && !prefix.is_empty()
        && prefix.len() < 7
        && prefix.bytes().all(|b| b.is_ascii_digit())
        && prefix.parse::<u32>().is_ok_and(|p| p <= bits)
}

/// `net.ParseMAC`.
fn is_mac(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 14 {
        return false;
    }
    let hex = |r: &[u8]| r.iter().all(u8::is_ascii_hexdigit);
    if b[2] == b':' || b[2] == b'-' {
        if !(b.len() + 1).is_multiple_of(3) {
            return false;
        }
        let n = (b.len() + 1) / 3;
        matches!(n, 6 | 8 | 20) && (0..n).all(|i| hex(&b[3 * i..3 * i + 2]) && (i == n - 1 || b[3 * i + 2] == b[2]))
    } else if b[4] == b'.' {
        if !(b.len() + 1).is_multiple_of(5) {
            return false;
        }
        let n = 2 * (b.len() + 1) / 5;
        matches!(n, 6 | 8 | 20)
            && (0..n / 2).all(|i| hex(&b[5 * i..5 * i + 4]) && (i == n / 2 - 1 || b[5 * i + 4] == b'.'))
    } else {
        false
    }
}

/// govalidator's `IsISBN`.
fn is_isbn(s: &str, version: u32) -> bool {
    let sanitized: Vec<u8> = s
        .bytes()
        .filter(|b| !matches!(b, b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r' | b' ' | b'-'))
        .collect();
    let digit = |b: u8| i32::from(b) - i32::from(b'0');
    if version == 10 {
        let ok = sanitized.len() == 10
            && sanitized[..9].iter().all(u8::is_ascii_digit)
            && (sanitized[9].is_ascii_digit() || sanitized[9] == b'X');
        if !ok {
            return false;
        }
        let mut checksum: i32 = (0..9).map(|i| (i as i32 + 1) * digit(sanitized[i])).sum();
        checksum += 10 * if sanitized[9] == b'X' { 10 } else { digit(sanitized[9]) };
        checksum % 11 == 0
    } else {
        if sanitized.len() != 13 || !sanitized.iter().all(u8::is_ascii_digit) {
            return false;
        }
        let checksum: i32 = (0..12).map(|i| [1, 3][i % 2] * digit(sanitized[i])).sum();
        digit(sanitized[12]) - ((10 - (checksum % 10)) % 10) == 0
    }
}

/// govalidator's `IsCreditCard`: the pattern, then Luhn's checksum.
fn is_credit_card(s: &str) -> bool {
    let sanitized: String = s.chars().filter(char::is_ascii_digit).collect();
    if !CREDIT_CARD.is_match(&sanitized) {
        return false;
    }
    let mut sum = 0;
    let mut double = false;
    for b in sanitized.bytes().rev() {
        let mut d = u32::from(b - b'0');
        if double {
            d *= 2;
            sum += if d >= 10 { d % 10 + 1 } else { d };
        } else {
            sum += d;
        }
        double = !double;
    }
    sum % 10 == 0
}

/// Close to Go's `url.ParseRequestURI`: an absolute URI or an absolute path.
fn is_request_uri(s: &str) -> bool {
    if s.is_empty() || s.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return false;
    }
    if s == "*" {
        return true;
    }
    let mut rest = s;
    let mut scheme = "";
    for (i, c) in s.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' if i == 0 => return false,
            ':' => {
                scheme = &s[..i];
                rest = &s[i + 1..];
                break;
            }
            _ => break,
        }
    }
    if let Some((before, _)) = rest.split_once('?') {
        rest = before;
    }
    if !rest.starts_with('/') {
        return !scheme.is_empty();
    }
    let valid_escapes = |t: &str| {
        let b = t.as_bytes();
        (0..b.len()).all(|i| {
            b[i] != b'%'
                || (i + 2 < b.len() + 1 && b.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)))
        })
    };
    if !scheme.is_empty() && rest.starts_with("//") {
        let authority_end = rest[2..].find('/').map_or(rest.len(), |i| i + 2);
        let authority = &rest[2..authority_end];
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host_ok = if let Some(inner) = host.strip_prefix('[') {
            match inner.split_once(']') {
                Some((_, port)) => {
                    port.is_empty()
                        || port
                            .strip_prefix(':')
                            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
                }
                None => false,
            }
        } else {
            let (name, port) = host.rsplit_once(':').unwrap_or((host, ""));
            port.bytes().all(|b| b.is_ascii_digit())
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || "-._~!$&'()*+,;=%\"<>".contains(c))
        };
        return host_ok && valid_escapes(host) && valid_escapes(&rest[authority_end..]);
    }
    valid_escapes(rest)
}

/// Close to Go's `mail.ParseAddress`: `local@domain`, optionally as `Name <local@domain>`.
fn is_email(s: &str) -> bool {
    let s = s.trim_matches(|c| c == ' ' || c == '\t');
    let addr = match s.strip_suffix('>') {
        Some(inner) => match inner.rfind('<') {
            Some(i) => &inner[i + 1..],
            None => return false,
        },
        None => s,
    };
    let Some((local, domain)) = addr.rsplit_once('@') else {
        return false;
    };
    let atext = |c: char| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || !c.is_ascii();
    let dot_atom = |t: &str| !t.is_empty() && t.split('.').all(|p| !p.is_empty() && p.chars().all(atext));
    let local_ok = dot_atom(local) || (local.len() >= 2 && local.starts_with('"') && local.ends_with('"'));
    let domain_ok = dot_atom(domain) || (domain.starts_with('[') && domain.ends_with(']'));
    local_ok && domain_ok
}

/// Translates a Go (RE2) pattern to the `regex` crate's syntax, where `\d`, `\w`, `\s` and `\b`
/// are Unicode-aware and `[`, `&&`, `--` and `~~` mean something inside a class, and compiles it
/// (cached).
fn go_regex(pattern: &str) -> Result<Regex, String> {
    static CACHE: LazyLock<Mutex<HashMap<String, Result<Regex, String>>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    if let Some(found) = CACHE.lock().ok().and_then(|c| c.get(pattern).cloned()) {
        return found;
    }
    let translated = translate_go_regex(pattern);
    let compiled = RegexBuilder::new(&translated)
        .octal(true)
        .size_limit(64 << 20)
        .build()
        .map_err(|e| go_regex_error(pattern, &e));
    if let Ok(mut cache) = CACHE.lock() {
        if cache.len() > 1024 {
            cache.clear();
        }
        cache.insert(pattern.to_owned(), compiled.clone());
    }
    compiled
}

/// A `regex` crate error in the words of Go's `regexp/syntax` (`error parsing regexp: missing
/// closing ]: `[x``), for the errors Go names alike; others keep the crate's description.
fn go_regex_error(pattern: &str, e: &regex::Error) -> String {
    let text = e.to_string();
    let kind = text.lines().last().unwrap_or_default().trim_start_matches("error: ");
    // The caret line under the (single-line) pattern gives the offending span.
    let span = text.lines().find(|l| l.trim_start().starts_with('^')).map(|l| {
        let start = l.len() - l.trim_start().len();
        (start.saturating_sub(4), l.trim().len())
    });
    let from_span = |to_end: bool| {
        span.and_then(|(start, len)| {
            let chars: Vec<char> = pattern.chars().collect();
            let end = if to_end {
                chars.len()
            } else {
                (start + len).min(chars.len())
            };
            (start < chars.len()).then(|| chars[start..end].iter().collect::<String>())
        })
        .unwrap_or_else(|| pattern.to_owned())
    };
    let (code, fragment) = match kind {
        "unclosed character class" => ("missing closing ]", from_span(true)),
        "unclosed group" => ("missing closing )", pattern.to_owned()),
        "unopened group" => ("unexpected )", pattern.to_owned()),
        "repetition operator missing expression" => ("missing argument to repetition operator", from_span(false)),
        "unrecognized escape sequence" | "incomplete escape sequence, reached end of pattern prematurely" => {
            ("invalid escape sequence", from_span(false))
        }
        "invalid character class range, the start must be <= the end" => {
            ("invalid character class range", from_span(false))
        }
        "invalid repetition count range, the start must be <= the end"
        | "repetition quantifier expects a valid decimal" => ("invalid repeat count", from_span(false)),
        other => (other, pattern.to_owned()),
    };
    format!("error parsing regexp: {code}: `{fragment}`")
}

/// Rewrites Go regexp syntax for the `regex` crate (see [`go_regex`]).
fn translate_go_regex(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut i = 0;
    let mut in_class = false;
    let mut class_start = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            let e = chars[i + 1];
            i += 2;
            match e {
                'd' => out.push_str("[0-9]"),
                'D' => out.push_str("[^0-9]"),
                'w' => out.push_str("[0-9A-Za-z_]"),
                'W' => out.push_str("[^0-9A-Za-z_]"),
                's' => out.push_str(r"[\t\n\f\r ]"),
                'S' => out.push_str(r"[^\t\n\f\r ]"),
                'b' if !in_class => out.push_str(r"(?-u:\b)"),
                'B' if !in_class => out.push_str(r"(?-u:\B)"),
                'Q' if !in_class => {
                    let mut literal = String::new();
                    while i < chars.len() && !(chars[i] == '\\' && chars.get(i + 1) == Some(&'E')) {
                        literal.push(chars[i]);
                        i += 1;
                    }
                    i = (i + 2).min(chars.len());
                    out.push_str(&regex::escape(&literal));
                }
                _ => {
                    out.push('\\');
                    out.push(e);
                }
            }
            class_start = false;
            continue;
        }
        if in_class {
            match c {
                ']' if !class_start => in_class = false,
                ']' => {
                    out.push_str("\\]");
                    i += 1;
                    class_start = false;
                    continue;
                }
                '[' if chars.get(i + 1) == Some(&':') => {
                    // A POSIX class: copied through.
                    if let Some(end) =
                        (i + 2..chars.len().saturating_sub(1)).find(|&j| chars[j] == ':' && chars[j + 1] == ']')
                    {
                        out.extend(&chars[i..end + 2]);
                        i = end + 2;
                        class_start = false;
                        continue;
                    }
                    out.push_str("\\[");
                    i += 1;
                    class_start = false;
                    continue;
                }
                '[' | '&' | '~' => {
                    out.push('\\');
                    out.push(c);
                    i += 1;
                    class_start = false;
                    continue;
                }
                '-' if out.ends_with('-') => {
                    out.push_str("\\-");
                    i += 1;
                    class_start = false;
                    continue;
                }
                _ => {}
            }
            out.push(c);
            class_start = false;
            i += 1;
            continue;
        }
        out.push(c);
        if c == '[' {
            in_class = true;
            class_start = true;
            if chars.get(i + 1) == Some(&'^') {
                out.push('^');
                i += 1;
            }
        }
        i += 1;
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Embedded resources (schema/objectmeta.Validate)
// ---------------------------------------------------------------------------------------------

/// `IsDNS1035Label`'s message.
const DNS1035_MESSAGE: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an \
                               alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or \
                               'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/// `IsDNS1035Label`'s pattern.
static DNS1035: LazyLock<Regex> = LazyLock::new(|| lazy_regex(r"^[a-z]([-a-z0-9]*[a-z0-9])?$"));

/// The `apiVersion` and `kind` of objects under `x-kubernetes-embedded-resource`.
fn embedded_resources(path: &FPath, x: &Value, s: &Value, errs: &mut Vec<FieldErr>) {
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
fn embedded_resource(path: &FPath, map: &Map<String, Value>, errs: &mut Vec<FieldErr>) {
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

// ---------------------------------------------------------------------------------------------
// List types (schema/listtype.ValidateListSetsAndMaps)
// ---------------------------------------------------------------------------------------------

/// Walks objects and lists for `x-kubernetes-list-type` `set` and `map` lists.
fn list_sets_and_maps(path: &FPath, s: &Value, x: &Value, errs: &mut Vec<FieldErr>) {
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
enum SetKey {
    Unspecified,
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Compound(String),
}

impl SetKey {
    fn of(v: &Value) -> SetKey {
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
fn non_unique(keys: &[SetKey]) -> Vec<usize> {
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
fn list_map(path: &FPath, s: &Value, items: &[Value], errs: &mut Vec<FieldErr>) {
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

// ---------------------------------------------------------------------------------------------
// CEL (schema/cel.Validator)
// ---------------------------------------------------------------------------------------------

/// `hasXValidations`: rules in the schema, its items, additionalProperties or properties.
fn has_x_validations(s: &Value) -> bool {
    !s_arr(s, "x-kubernetes-validations").is_empty()
        || s.get("items").is_some_and(has_x_validations)
        || s_additional(s).is_some_and(has_x_validations)
        || s_props(s).is_some_and(|p| p.values().any(has_x_validations))
}

/// Whether `SchemaDeclType` gives the schema a CEL type: rules under a property without one are
/// never evaluated, and rules on items or values without one fail to compile.
fn decl_type_exists(s: &Value) -> bool {
    if s_bool(s, "x-kubernetes-int-or-string") {
        return true;
    }
    match s_str(s, "type") {
        "array" => s.get("items").filter(|i| i.is_object()).is_some_and(decl_type_exists),
        "object" => s_additional(s).is_none_or(decl_type_exists),
        "string" | "integer" | "number" | "boolean" => true,
        _ => false,
    }
}

/// The correlation of a node with its old value, for ratcheting rule errors.
#[derive(Clone, Copy)]
struct Corr<'a> {
    new: &'a Value,
    old: &'a Value,
    schema: &'a Value,
}

impl<'a> Corr<'a> {
    fn key(self, field: &str) -> Option<Corr<'a>> {
        let new = self.new.as_object()?.get(field)?;
        let old = self.old.as_object()?.get(field)?;
        let schema = s_props(self.schema)
            .and_then(|p| p.get(field))
            .or_else(|| s_additional(self.schema))?;
        Some(Corr { new, old, schema })
    }

    /// The correlation of item `i`, with the old items of this list by key.
    fn index(self, i: usize, old_items: Option<&MapList<'a>>) -> Option<Corr<'a>> {
        let new = self.new.as_array()?.get(i)?;
        let old = old_items?.get(new)?;
        let schema = self.schema.get("items").filter(|s| s.is_object())?;
        Some(Corr { new, old, schema })
    }

    fn deep_equal(self) -> bool {
        corr_deep_equal(self.schema, self.new, self.old)
    }
}

/// `ratchetingOptions`: the node's correlation, else its nearest correlatable ancestor's.
#[derive(Clone, Copy, Default)]
struct RatchetOpts<'a> {
    current: Option<Corr<'a>>,
    nearest: Option<Corr<'a>>,
}

impl<'a> RatchetOpts<'a> {
    fn key(self, field: &str) -> Self {
        match self.current {
            None => self,
            Some(_) if self.nearest.is_none() && matches!(field, "apiVersion" | "kind") => RatchetOpts::default(),
            Some(c) => RatchetOpts {
                current: c.key(field),
                nearest: Some(c),
            },
        }
    }

    /// `old_items`: the old items of the current node's list, by key.
    fn index(self, i: usize, old_items: Option<&MapList<'a>>) -> Self {
        match self.current {
            None => self,
            Some(c) => RatchetOpts {
                current: c.index(i, old_items),
                nearest: Some(c),
            },
        }
    }

    fn should_ratchet(self) -> bool {
        self.current.or(self.nearest).is_some_and(Corr::deep_equal)
    }
}

/// The CEL environment: the standard library, the strings and lists extensions (with `first` and
/// `last`), and the Kubernetes list, regex and sets functions (Kubernetes has no math extension).
static CEL_ENV: LazyLock<Arc<Env>> = LazyLock::new(|| {
    let mut env = Env::stdlib();
    let _ = env.add_extension(cel::extensions::strings);
    let _ = env.add_extension(cel::extensions::lists);
    let _ = env.add_member_overload("isSorted", "list.isSorted()", LIST_TYPE, vec![], k8s_is_sorted);
    let _ = env.add_member_overload("sum", "list.sum()", LIST_TYPE, vec![], k8s_sum);
    let _ = env.add_member_overload("min", "list.min()", LIST_TYPE, vec![], k8s_min);
    let _ = env.add_member_overload("max", "list.max()", LIST_TYPE, vec![], k8s_max);
    let _ = env.add_member_overload("indexOf", "list.indexOf(dyn)", LIST_TYPE, vec![DYN_TYPE], k8s_index_of);
    let _ = env.add_member_overload(
        "lastIndexOf",
        "list.lastIndexOf(dyn)",
        LIST_TYPE,
        vec![DYN_TYPE],
        k8s_last_index_of,
    );
    let _ = env.add_member_overload("includes", "dyn.includes(dyn)", DYN_TYPE, vec![DYN_TYPE], k8s_includes);
    let _ = env.add_member_overload("first", "list.first()", LIST_TYPE, vec![], lists_first);
    let _ = env.add_member_overload("last", "list.last()", LIST_TYPE, vec![], lists_last);
    let _ = env.add_member_overload("find", "string.find(string)", STRING_TYPE, vec![STRING_TYPE], k8s_find);
    let _ = env.add_member_overload(
        "findAll",
        "string.findAll(string)",
        STRING_TYPE,
        vec![STRING_TYPE],
        k8s_find_all,
    );
    let _ = env.add_member_overload(
        "findAll",
        "string.findAll(string,int)",
        STRING_TYPE,
        vec![STRING_TYPE, INT_TYPE],
        k8s_find_all_n,
    );
    let _ = env.add_overload(
        "sets.contains",
        "sets.contains(list,list)",
        vec![LIST_TYPE, LIST_TYPE],
        sets_contains,
    );
    let _ = env.add_overload(
        "sets.equivalent",
        "sets.equivalent(list,list)",
        vec![LIST_TYPE, LIST_TYPE],
        sets_equivalent,
    );
    let _ = env.add_overload(
        "sets.intersects",
        "sets.intersects(list,list)",
        vec![LIST_TYPE, LIST_TYPE],
        sets_intersects,
    );
    Arc::new(env)
});

/// Argument `i` of a function as a CEL value.
fn arg_value(args: &[CowVal<'_, '_>], i: usize) -> Result<CelValue, ExecutionError> {
    let arg = args.get(i).ok_or(ExecutionError::MissingArgumentOrTarget)?;
    let val: &dyn Val = &**arg;
    CelValue::try_from(val)
}

/// Argument `i` of a function as a list.
fn arg_list(args: &[CowVal<'_, '_>], i: usize) -> Result<Arc<Vec<CelValue>>, ExecutionError> {
    match arg_value(args, i)? {
        CelValue::List(l) => Ok(l),
        other => Err(other.error_expected_type(cel::objects::ValueType::List)),
    }
}

/// Argument `i` of a function as a string.
fn arg_string(args: &[CowVal<'_, '_>], i: usize) -> Result<Arc<String>, ExecutionError> {
    match arg_value(args, i)? {
        CelValue::String(s) => Ok(s),
        other => Err(other.error_expected_type(cel::objects::ValueType::String)),
    }
}

/// A function's result.
fn ret<'b, 'v>(value: CelValue) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let boxed: Box<dyn Val> = value.try_into()?;
    Ok(CowVal::Owned(boxed))
}

/// `<list>.isSorted()`.
fn k8s_is_sorted<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let list = arg_list(&args, 0)?;
    let sorted = list
        .windows(2)
        .all(|w| w[0].partial_cmp(&w[1]).is_some_and(|o| o.is_le()));
    ret(CelValue::Bool(sorted))
}

/// `<list>.sum()`: of ints, uints, doubles or durations.
fn k8s_sum<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let list = arg_list(&args, 0)?;
    let mut total = match list.first() {
        Some(CelValue::Float(_)) => CelValue::Float(0.0),
        Some(CelValue::UInt(_)) => CelValue::UInt(0),
        Some(CelValue::Duration(_)) => {
            eval_helper("duration(x)", "0s".to_owned()).map_err(|e| ExecutionError::function_error("sum", e))?
        }
        _ => CelValue::Int(0),
    };
    for item in list.iter() {
        total = (total + item.clone())?;
    }
    ret(total)
}

/// `<dyn>.includes(<dyn>)`: list membership, else equality.
fn k8s_includes<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (target, wanted) = (arg_value(&args, 0)?, arg_value(&args, 1)?);
    ret(CelValue::Bool(match &target {
        CelValue::List(items) => items.contains(&wanted),
        other => *other == wanted,
    }))
}

/// An optional CEL value.
fn optional(value: Option<&CelValue>) -> CelValue {
    CelValue::Opaque(Arc::new(match value {
        Some(v) => OptionalValue::of(v.clone()),
        None => OptionalValue::none(),
    }))
}

/// `<list>.first()`.
fn lists_first<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    ret(optional(arg_list(&args, 0)?.first()))
}

/// `<list>.last()`.
fn lists_last<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    ret(optional(arg_list(&args, 0)?.last()))
}

/// `min()` or `max()` of a list.
fn extreme<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
    name: &str,
    keep: std::cmp::Ordering,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let list = arg_list(&args, 0)?;
    let mut best: Option<&CelValue> = None;
    for item in list.iter() {
        best = match best {
            None => Some(item),
            Some(b) => match item.partial_cmp(b) {
                Some(o) if o == keep => Some(item),
                Some(_) => Some(b),
                None => return Err(ExecutionError::no_such_overload(name, vec!["list".to_owned()])),
            },
        };
    }
    match best {
        Some(b) => ret(b.clone()),
        None => Err(ExecutionError::function_error(
            name,
            format!("{name} called on empty list"),
        )),
    }
}

/// `<list>.min()`.
fn k8s_min<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    extreme(args, "min", std::cmp::Ordering::Less)
}

/// `<list>.max()`.
fn k8s_max<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    extreme(args, "max", std::cmp::Ordering::Greater)
}

/// `<list>.indexOf(<elem>)`.
fn k8s_index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let list = arg_list(&args, 0)?;
    let wanted = arg_value(&args, 1)?;
    ret(CelValue::Int(
        list.iter().position(|v| *v == wanted).map_or(-1, |i| i as i64),
    ))
}

/// `<list>.lastIndexOf(<elem>)`.
fn k8s_last_index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let list = arg_list(&args, 0)?;
    let wanted = arg_value(&args, 1)?;
    ret(CelValue::Int(
        list.iter().rposition(|v| *v == wanted).map_or(-1, |i| i as i64),
    ))
}

/// A pattern for the regex functions, with the library's error.
fn cel_regex(function: &str, pattern: &str) -> Result<Regex, ExecutionError> {
    go_regex(pattern).map_err(|e| ExecutionError::function_error(function, format!("Illegal regex: {e}")))
}

/// `<string>.find(<pattern>)`.
fn k8s_find<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let text = arg_string(&args, 0)?;
    let re = cel_regex("find", &arg_string(&args, 1)?)?;
    ret(CelValue::from(re.find(&text).map_or("", |m| m.as_str()).to_owned()))
}

/// `findAll`, with at most `limit` matches (all when negative).
fn find_all<'b, 'v>(args: &[CowVal<'b, 'v>], limit: i64) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let text = arg_string(args, 0)?;
    let re = cel_regex("findAll", &arg_string(args, 1)?)?;
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let found: Vec<CelValue> = re
        .find_iter(&text)
        .take(limit)
        .map(|m| CelValue::from(m.as_str().to_owned()))
        .collect();
    ret(CelValue::List(Arc::new(found)))
}

/// `<string>.find(<pattern>)`.
fn k8s_find_all<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    find_all(&args, -1)
}

/// `<string>.find(<pattern>)`.
fn k8s_find_all_n<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let limit = match arg_value(&args, 2)? {
        CelValue::Int(n) => n,
        other => return Err(other.error_expected_type(cel::objects::ValueType::Int)),
    };
    find_all(&args, limit)
}

/// `sets.contains(a, b)`.
fn sets_contains<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (a, b) = (arg_list(&args, 0)?, arg_list(&args, 1)?);
    ret(CelValue::Bool(b.iter().all(|x| a.contains(x))))
}

/// `sets.equivalent(a, b)`.
fn sets_equivalent<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (a, b) = (arg_list(&args, 0)?, arg_list(&args, 1)?);
    ret(CelValue::Bool(
        b.iter().all(|x| a.contains(x)) && a.iter().all(|x| b.contains(x)),
    ))
}

/// `sets.intersects(a, b)`.
fn sets_intersects<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (a, b) = (arg_list(&args, 0)?, arg_list(&args, 1)?);
    ret(CelValue::Bool(b.iter().any(|x| a.contains(x))))
}

/// A compiled rule or message expression, or its compile error.
type Compiled = Result<Arc<Program>, String>;

/// Compiles a CEL expression with [`CEL_ENV`], cached by source.
fn compile(source: &str) -> Compiled {
    static CACHE: LazyLock<Mutex<HashMap<String, Compiled>>> = LazyLock::new(|| Mutex::new(HashMap::new()));
    if let Some(found) = CACHE.lock().ok().and_then(|c| c.get(source).cloned()) {
        return found;
    }
    let compiled = CEL_ENV
        .compile(source)
        .map(Arc::new)
        // cel-go indents the lines under an issue by one more space.
        .map_err(|e| e.to_string().replace("\n|", "\n |"));
    if let Ok(mut cache) = CACHE.lock() {
        if cache.len() > 4096 {
            cache.clear();
        }
        cache.insert(source.to_owned(), compiled.clone());
    }
    compiled
}

/// Evaluates a helper expression on a string, to build the values the crate has no public
/// constructors for without chrono (timestamps and durations).
fn eval_helper(source: &str, arg: String) -> Result<CelValue, String> {
    let program = compile(source)?;
    let mut ctx = Context::with_env(Arc::clone(&CEL_ENV));
    ctx.add_variable_from_value("x", arg);
    program.execute(&ctx).map_err(|e| e.to_string())
}

/// `cel.Escape`: a property name as a CEL identifier, or `None` if it has no such form.
fn cel_escape(ident: &str) -> Option<String> {
    const RESERVED: [&str; 22] = [
        "true",
        "false",
        "null",
        "in",
        "as",
        "break",
        "const",
        "continue",
        "else",
        "for",
        "function",
        "if",
        "import",
        "let",
        "loop",
        "package",
        "namespace",
        "return",
        "var",
        "void",
        "while",
        "__proto__",
    ];
    let first = ident.chars().next()?;
    if first.is_ascii_digit() {
        return None;
    }
    if RESERVED[..21].contains(&ident) {
        return Some(format!("__{ident}__"));
    }
    let mut out = String::with_capacity(ident.len());
    let mut chars = ident.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '_' if chars.peek() == Some(&'_') => {
                chars.next();
                out.push_str("__underscores__");
            }
            '.' => out.push_str("__dot__"),
            '-' => out.push_str("__dash__"),
            '/' => out.push_str("__slash__"),
            c if c.is_ascii_alphanumeric() || c == '_' => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}

/// The schema of `apiVersion`, `kind` and `metadata` (`name`, `generateName`) that
/// `WithTypeAndObjectMeta` gives resource roots and embedded resources.
static TYPE_AND_OBJECT_META: LazyLock<Value> = LazyLock::new(|| {
    serde_json::json!({
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"type": "object", "properties": {"name": {"type": "string"}, "generateName": {"type": "string"}}},
    })
});

/// A JSON value as a plain CEL value (for values without a schema).
fn json_to_cel(v: &Value) -> CelValue {
    match v {
        Value::Null => CelValue::Null,
        Value::Bool(b) => CelValue::Bool(*b),
        Value::Number(n) => match Num::of(n) {
            Num::Int(i) => CelValue::Int(i),
            Num::Float(f) => CelValue::Float(f),
        },
        Value::String(s) => CelValue::from(s.clone()),
        Value::Array(items) => CelValue::List(Arc::new(items.iter().map(json_to_cel).collect())),
        Value::Object(map) => CelValue::Map(CelMap {
            map: Arc::new(
                map.iter()
                    .map(|(k, v)| (CelKey::String(Arc::new(k.clone())), json_to_cel(v)))
                    .collect(),
            ),
        }),
    }
}

/// Decodes base64 with the URL alphabet, as `strfmt.Base64.UnmarshalText` does.
fn base64_url_decode(s: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        })
    };
    let bytes = s.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for (n, chunk) in bytes.chunks(4).enumerate() {
        let last = n == bytes.len() / 4 - 1;
        let pad = chunk.iter().rev().take_while(|c| **c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut acc = 0u32;
        for &c in &chunk[..4 - pad] {
            acc = (acc << 6) | value(c)?;
        }
        acc <<= 6 * pad as u32;
        let decoded = [(acc >> 16) as u8, (acc >> 8) as u8, acc as u8];
        out.extend_from_slice(&decoded[..3 - pad]);
    }
    Some(out)
}

/// `UnstructuredToVal`: a value as CEL sees it under its schema. `type_meta` adds `apiVersion`,
/// `kind` and `metadata` for resource roots.
fn to_cel(v: &Value, s: &Value, type_meta: bool) -> Result<CelValue, String> {
    if v.is_null() {
        return if s_bool(s, "nullable") {
            Ok(CelValue::Null)
        } else {
            Err("invalid data, got null for schema with nullable=false".to_owned())
        };
    }
    if s_bool(s, "x-kubernetes-int-or-string") {
        return match v {
            Value::String(t) => Ok(CelValue::from(t.clone())),
            Value::Number(n) if number_as_int(n).is_some() => Ok(CelValue::Int(number_as_int(n).unwrap_or(0))),
            _ => Err("invalid data, expected XIntOrString value to be either a string or integer".to_owned()),
        };
    }
    match s_str(s, "type") {
        "object" => {
            let map = v
                .as_object()
                .ok_or("invalid data, expected a map for the provided schema with type=object")?;
            let embedded = type_meta || s_bool(s, "x-kubernetes-embedded-resource");
            let mut out: HashMap<CelKey, CelValue> = HashMap::new();
            if embedded || s_props(s).is_some() {
                for (k, item) in map {
                    let prop = embedded
                        .then(|| TYPE_AND_OBJECT_META.get(k))
                        .flatten()
                        .or_else(|| s_props(s).and_then(|p| p.get(k)));
                    let (Some(prop), Some(name)) = (prop, cel_escape(k)) else {
                        continue;
                    };
                    if item.is_null() {
                        continue;
                    }
                    if let Ok(val) = to_cel(item, prop, s_bool(prop, "x-kubernetes-embedded-resource")) {
                        out.insert(CelKey::String(Arc::new(name)), val);
                    }
                }
            } else if let Some(additional) = s_additional(s) {
                for (k, item) in map {
                    if let Ok(val) = to_cel(item, additional, s_bool(additional, "x-kubernetes-embedded-resource")) {
                        out.insert(CelKey::String(Arc::new(k.clone())), val);
                    }
                }
            } else if s_bool(s, "x-kubernetes-preserve-unknown-fields") {
                return Ok(json_to_cel(v));
            }
            Ok(CelValue::Map(CelMap { map: Arc::new(out) }))
        }
        "array" => {
            let items = v
                .as_array()
                .ok_or("invalid data, expected an array for the provided schema with type=array")?;
            let item_schema = s
                .get("items")
                .filter(|i| i.is_object())
                .ok_or("invalid array type, expected Items with a non-empty Schema")?;
            let embedded = s_bool(item_schema, "x-kubernetes-embedded-resource");
            let list = items
                .iter()
                .map(|i| to_cel(i, item_schema, embedded))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(CelValue::List(Arc::new(list)))
        }
        "string" => {
            let t = v
                .as_str()
                .ok_or_else(|| format!("invalid data, expected string, got {}", go_type_name(v)))?;
            match s_str(s, "format") {
                "duration" => {
                    let d = parse_duration(t).ok_or_else(|| format!("Invalid duration {t}"))?;
                    eval_helper("duration(x)", format!("{d}ns"))
                }
                "date" => {
                    parse_date(t).ok_or_else(|| format!("Invalid date formatted string {t}"))?;
                    eval_helper("timestamp(x)", format!("{t}T00:00:00Z"))
                }
                "date-time" => {
                    let has_zone = t.ends_with('Z') || t.get(19..).is_some_and(|z| z.contains(['+', '-']));
                    let rfc3339 = if has_zone { t.to_owned() } else { format!("{t}Z") };
                    eval_helper("timestamp(x)", rfc3339).map_err(|_| format!("Invalid date-time formatted string {t}"))
                }
                "byte" => base64_url_decode(t)
                    .map(|b| CelValue::Bytes(Arc::new(b)))
                    .ok_or_else(|| format!("Invalid byte formatted string {t}")),
                _ => Ok(CelValue::from(t.to_owned())),
            }
        }
        "number" => match v {
            Value::Number(n) => Ok(CelValue::Float(number_as_f64(n))),
            _ => Err(format!("invalid data, expected float, got {}", go_type_name(v))),
        },
        "integer" => match v.as_number().and_then(number_as_int) {
            Some(i) => Ok(CelValue::Int(i)),
            None => Err(format!("invalid data, expected int, got {}", go_type_name(v))),
        },
        "boolean" => v
            .as_bool()
            .map(CelValue::Bool)
            .ok_or_else(|| format!("invalid data, expected bool, got {}", go_type_name(v))),
        _ if s_bool(s, "x-kubernetes-preserve-unknown-fields") => Ok(json_to_cel(v)),
        t => Err(format!(
            "invalid type, expected object, array, number, integer, boolean or string, or no type with \
             x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields is true, got {t}"
        )),
    }
}

/// `%T` of a value decoded from JSON.
fn go_type_name(v: &Value) -> &'static str {
    match kind(v) {
        Kind::Nil => "<nil>",
        Kind::Bool => "bool",
        Kind::Int => "int64",
        Kind::Float => "float64",
        Kind::String => "string",
        Kind::Slice => "[]interface {}",
        Kind::Map => "map[string]interface {}",
    }
}

/// A rule of `x-kubernetes-validations`.
struct Rule<'a> {
    rule: &'a str,
    message: &'a str,
    message_expression: &'a str,
    reason: &'a str,
    field_path: &'a str,
    optional_old_self: bool,
}

impl<'a> Rule<'a> {
    fn of(v: &'a Value) -> Self {
        Rule {
            rule: s_str(v, "rule"),
            message: s_str(v, "message"),
            message_expression: s_str(v, "messageExpression"),
            reason: s_str(v, "reason"),
            field_path: s_str(v, "fieldPath"),
            optional_old_self: s_bool(v, "optionalOldSelf"),
        }
    }

    /// `ruleErrorString`.
    fn error_string(&self) -> &str {
        if self.message.is_empty() {
            self.rule.trim()
        } else {
            self.message.trim()
        }
    }
}

/// `ValidFieldPath`, normalised: the `field.Path` a rule's `fieldPath` names under `s`.
fn normalize_field_path(json_path: &str, mut s: &Value) -> Option<String> {
    let mut tokens: Vec<String> = Vec::new();
    let bytes = json_path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'.' | b'[' | b']' => {
                tokens.push((bytes[i] as char).to_string());
                i += 1;
            }
            b'\'' => {
                let mut j = i + 1;
                while j < bytes.len() && !(bytes[j] == b'\'' && bytes[j - 1] != b'\\') {
                    j += 1;
                }
                let end = (j + 1).min(bytes.len());
                tokens.push(json_path[i..end].to_owned());
                i = end;
            }
            _ => {
                let j = (i..bytes.len())
                    .find(|&j| matches!(bytes[j], b'.' | b'[' | b']'))
                    .unwrap_or(bytes.len());
                tokens.push(json_path[i..j].to_owned());
                i = j;
            }
        }
    }
    let mut path = FPath::root();
    let mut it = tokens.into_iter();
    while let Some(tok) = it.next() {
        let name = match tok.as_str() {
            "[" => {
                let quoted = it.next()?;
                if quoted.len() < 2 || !quoted.starts_with('\'') || !quoted.ends_with('\'') {
                    return None;
                }
                let inner = &quoted[1..quoted.len() - 1];
                let mut unescaped = String::new();
                let mut chars = inner.chars();
                while let Some(c) = chars.next() {
                    if c != '\\' {
                        unescaped.push(c);
                        continue;
                    }
                    unescaped.push(match chars.next()? {
                        'a' => '\u{7}',
                        'b' => '\u{8}',
                        'f' => '\u{c}',
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        'v' => '\u{b}',
                        '\'' => '\'',
                        '\\' => '\\',
                        _ => return None,
                    });
                }
                if it.next()? != "]" {
                    return None;
                }
                unescaped
            }
            "." => it.next()?,
            _ => return None,
        };
        if let Some(props) = s_props(s) {
            path = path.child(&name);
            s = props.get(&name)?;
        } else if let Some(additional) = s_additional(s) {
            path = path.key(&name);
            s = additional;
        } else {
            return None;
        }
    }
    path.0
}

/// The walk of `Validator.validate`, collecting rule errors.
struct CelWalk<'e> {
    errors: &'e mut Vec<FieldErr>,
}

impl CelWalk<'_> {
    /// `validate`: the node's rules, its allOf branches' rules, then its children. `vs` holds the
    /// rules (an allOf branch's or the node's own), `ns` is the node's structural schema, `typed`
    /// whether the node has a CEL type.
    #[allow(clippy::too_many_arguments)]
    fn node(
        &mut self,
        vs: &Value,
        ns: &Value,
        resource_root: bool,
        typed: bool,
        path: &FPath,
        obj: &Value,
        old: Option<&Value>,
        corr: RatchetOpts<'_>,
    ) {
        if obj.is_null() {
            return;
        }
        self.expressions(vs, ns, resource_root, typed, path, obj, old, corr);
        for branch in s_arr(vs, "allOf") {
            let branch_corr = RatchetOpts {
                current: None,
                nearest: corr.nearest,
            };
            self.node(branch, ns, resource_root, typed, path, obj, old, branch_corr);
        }
        match obj {
            Value::Array(items) => {
                let (Some(v_items), Some(n_items)) = (vs.get("items"), ns.get("items")) else {
                    return;
                };
                let embedded = s_bool(n_items, "x-kubernetes-embedded-resource");
                let old_items = old.and_then(Value::as_array).map(|o| MapList::new(ns, o));
                let corr_items = corr
                    .current
                    .and_then(|c| Some(MapList::new(c.schema, c.old.as_array()?)));
                for (i, item) in items.iter().enumerate() {
                    let item_old = old_items.as_ref().and_then(|o| o.get(item));
                    let item_corr = corr.index(i, corr_items.as_ref());
                    self.node(
                        v_items,
                        n_items,
                        embedded,
                        typed,
                        &path.index(i),
                        item,
                        item_old,
                        item_corr,
                    );
                }
            }
            Value::Object(map) => {
                let map_type = s_str(ns, "x-kubernetes-map-type");
                let correlatable = matches!(map_type, "" | "granular" | "atomic");
                let old_map = old.and_then(Value::as_object).filter(|_| correlatable);
                if let (Some(v_add), Some(n_add)) = (s_additional(vs), s_additional(ns)) {
                    let embedded = s_bool(n_add, "x-kubernetes-embedded-resource");
                    for key in sorted_keys(map) {
                        let child_old = old_map.and_then(|o| o.get(key));
                        let (key_path, value) = (path.key(key), &map[key]);
                        self.node(
                            v_add,
                            n_add,
                            embedded,
                            typed,
                            &key_path,
                            value,
                            child_old,
                            corr.key(key),
                        );
                    }
                }
                if let (Some(v_props), Some(n_props)) = (s_props(vs), s_props(ns)) {
                    for key in sorted_keys(map) {
                        let (Some(v_prop), Some(n_prop)) = (v_props.get(key), n_props.get(key)) else {
                            continue;
                        };
                        if !typed || !decl_type_exists(n_prop) {
                            // Fields without a CEL type are left out of CEL validation entirely.
                            continue;
                        }
                        let embedded = s_bool(n_prop, "x-kubernetes-embedded-resource");
                        let child_old = old_map.and_then(|o| o.get(key));
                        let (key_path, value) = (path.child(key), &map[key]);
                        self.node(
                            v_prop,
                            n_prop,
                            embedded,
                            true,
                            &key_path,
                            value,
                            child_old,
                            corr.key(key),
                        );
                    }
                }
            }
            _ => {}
        }
    }

    /// `validateExpressions`: the rules of one node.
    #[allow(clippy::too_many_arguments)]
    fn expressions(
        &mut self,
        vs: &Value,
        ns: &Value,
        resource_root: bool,
        typed: bool,
        path: &FPath,
        obj: &Value,
        old: Option<&Value>,
        corr: RatchetOpts<'_>,
    ) {
        let rules: Vec<Rule<'_>> = s_arr(vs, "x-kubernetes-validations").iter().map(Rule::of).collect();
        if rules.is_empty() {
            return;
        }
        let sts_type = s_str(ns, "type");
        let type_value = || Bad::Str(sts_type.to_owned());
        if !typed {
            self.errors.push(FieldErr::new(
                INVALID,
                path,
                type_value(),
                "rule compiler initialization error: failed to convert to declType for CEL validation rules",
            ));
            return;
        }
        let compiled: Vec<Compiled> = rules.iter().map(|r| compile(r.rule)).collect();
        let uses_old_self: Vec<bool> = compiled
            .iter()
            .map(|c| c.as_ref().is_ok_and(|p| p.references().has_variable("oldSelf")))
            .collect();
        let with_old_self = uses_old_self.iter().any(|u| *u);
        let self_value = to_cel(obj, ns, resource_root);
        let old_value = old.filter(|_| with_old_self).map(|o| to_cel(o, ns, resource_root));
        for (i, rule) in rules.iter().enumerate() {
            if rule.rule.trim().is_empty() {
                continue;
            }
            let program = match &compiled[i] {
                Ok(p) => p,
                Err(e) => {
                    self.errors.push(FieldErr::new(
                        INVALID,
                        path,
                        type_value(),
                        &format!("rule compile error: compilation failed: {e}"),
                    ));
                    continue;
                }
            };
            if uses_old_self[i] && old.is_none() && !rule.optional_old_self {
                continue;
            }
            let mut ctx = Context::with_env(Arc::clone(&CEL_ENV));
            let mut msg_ctx = Context::with_env(Arc::clone(&CEL_ENV));
            let outcome = (|| -> Result<CelValue, String> {
                let self_value = self_value
                    .clone()
                    .map_err(|e| format!("{e} evaluating rule: {}", rule.error_string()))?;
                ctx.add_variable_from_value("self", self_value.clone());
                msg_ctx.add_variable_from_value("self", self_value);
                if let Some(old_value) = &old_value {
                    let old_value = old_value
                        .clone()
                        .map_err(|e| format!("{e} evaluating rule: {}", rule.error_string()))?;
                    if !rule.optional_old_self {
                        // The message of an optionalOldSelf rule is compiled with an optional
                        // `oldSelf` but evaluated with the plain one: it never works.
                        msg_ctx.add_variable_from_value("oldSelf", old_value.clone());
                    }
                    if rule.optional_old_self {
                        ctx.add_variable_from_value(
                            "oldSelf",
                            CelValue::Opaque(Arc::new(OptionalValue::of(old_value))),
                        );
                    } else {
                        ctx.add_variable_from_value("oldSelf", old_value);
                    }
                } else if rule.optional_old_self {
                    ctx.add_variable_from_value("oldSelf", CelValue::Opaque(Arc::new(OptionalValue::none())));
                }
                program.execute(&ctx).map_err(|e| cel_error_text(&e, rule))
            })();
            let result = match outcome {
                Ok(v) => v,
                Err(detail) => {
                    self.errors.push(FieldErr::new(INVALID, path, type_value(), &detail));
                    continue;
                }
            };
            if result == CelValue::Bool(true) {
                continue;
            }
            let field = match normalize_field_path(rule.field_path, ns) {
                Some(p) if !rule.field_path.is_empty() => path.child(&p),
                _ => path.clone(),
            };
            let detail = message_expression(rule.message_expression, &msg_ctx).unwrap_or_else(|| {
                if rule.message.is_empty() {
                    format!("failed rule: {}", rule.rule.trim())
                } else {
                    rule.message.trim().to_owned()
                }
            });
            let value = if matches!(sts_type, "object" | "array") {
                Bad::Omit
            } else {
                Bad::Data(obj.clone())
            };
            let err = match rule.reason {
                "FieldValueForbidden" => FieldErr::new(FORBIDDEN, &field, Bad::Str(String::new()), &detail),
                "FieldValueRequired" => FieldErr::new(REQUIRED, &field, Bad::Str(String::new()), &detail),
                "FieldValueDuplicate" => FieldErr::new(DUPLICATE, &field, value, ""),
                _ => FieldErr::new(INVALID, &field, value, &detail),
            };
            if uses_old_self[i] || !corr.should_ratchet() {
                self.errors.push(err);
            }
        }
    }
}

/// A `messageExpression`'s message, when it evaluates to a usable one.
fn message_expression(source: &str, ctx: &Context<'_, '_>) -> Option<String> {
    if source.is_empty() {
        return None;
    }
    let program = compile(source).ok()?;
    let CelValue::String(message) = program.execute(ctx).ok()? else {
        return None;
    };
    let trimmed = message.trim();
    (!trimmed.is_empty() && trimmed.len() <= 5 * 1024 && !trimmed.contains('\n')).then(|| trimmed.to_owned())
}

/// The detail of a rule that failed to evaluate, in cel-go's words where they are known.
fn cel_error_text(e: &ExecutionError, rule: &Rule<'_>) -> String {
    let rule_text = rule.error_string();
    let err = match e {
        ExecutionError::NoSuchOverload(_)
        | ExecutionError::UnsupportedBinaryOperator(..)
        | ExecutionError::ValuesNotComparable(..)
        | ExecutionError::UnexpectedType { .. }
        | ExecutionError::UnsupportedTargetType { .. }
        | ExecutionError::NotSupportedAsMethod { .. } => {
            return format!(
                "'no such overload': call arguments did not match a supported operator, function or macro signature \
                 for rule: {rule_text}"
            );
        }
        ExecutionError::UndeclaredReference(name) => {
            // cel-go finds these when compiling, and points at them.
            return format!(
                "rule compile error: compilation failed: {}",
                undeclared_reference(rule.rule, name)
            );
        }
        ExecutionError::NoSuchKey(key) => format!("no such key: {key}"),
        ExecutionError::DivisionByZero(_) => "division by zero".to_owned(),
        ExecutionError::RemainderByZero(_) => "modulus by zero".to_owned(),
        ExecutionError::IndexOutOfBounds(CelValue::Int(i)) => format!("index out of bounds: {i}"),
        ExecutionError::IndexOutOfBounds(CelValue::UInt(i)) => format!("index out of bounds: {i}"),
        ExecutionError::Overflow(_, CelValue::UInt(_), _) => "unsigned integer overflow".to_owned(),
        ExecutionError::Overflow(..) => "integer overflow".to_owned(),
        ExecutionError::FunctionError { function, message } => match function.as_str() {
            "int" | "uint" | "double" if message.starts_with("string parse error") => {
                format!("type conversion error from 'string' to '{function}'")
            }
            "duration" if !message.contains("range") => {
                "type conversion error from 'string' to 'google.protobuf.Duration'".to_owned()
            }
            "timestamp" if !message.contains("range") => {
                "type conversion error from 'string' to 'google.protobuf.Timestamp'".to_owned()
            }
            "matches" => match message.split_once("' not a valid regex") {
                Some((pattern, _)) => {
                    let pattern = pattern.strip_prefix('\'').unwrap_or(pattern);
                    go_regex(pattern).err().unwrap_or_else(|| message.clone())
                }
                None => message.clone(),
            },
            _ => message.clone(),
        },
        other => other.to_string(),
    };
    format!("{err} evaluating rule: {rule_text}")
}

/// cel-go's issue for an undeclared reference, at the first place `name` appears in `source`.
fn undeclared_reference(source: &str, name: &str) -> String {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut found = None;
    for (i, _) in source.match_indices(name) {
        let before = source[..i].chars().next_back();
        let after = source[i + name.len()..].chars().next();
        if !before.is_some_and(is_ident) && !after.is_some_and(is_ident) {
            found = Some(i);
            break;
        }
    }
    let at = found.unwrap_or(0);
    let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_no = source[..at].matches('\n').count() + 1;
    let line = source[line_start..].lines().next().unwrap_or_default();
    let column = source[line_start..at].chars().count();
    format!(
        "ERROR: <input>:{line_no}:{}: undeclared reference to '{name}' (in container '')\n | {line}\n | {}^",
        column + 1,
        ".".repeat(column)
    )
}

#[cfg(test)]
mod tests {
    //! Expected causes come from a Go oracle: a program calling apiextensions-apiserver
    //! v0.37.2's `customresource.NewStrategy(...).Validate` and `ValidateUpdate` (schema
    //! validator, structural schema and CEL validator as kube-apiserver builds them) on the same
    //! schema and objects, with the metadata errors left out. Where Go's random map order lists
    //! sibling fields differently from run to run, the expected order is this module's (keys in
    //! byte order), one of the orders Go gives. Go's printing helpers are checked against
    //! `fmt`, `strconv` and `encoding/json` output.

    use super::*;

    /// The object as the harness sent it to the oracle: `apiVersion`, `kind` and a name added.
    fn resource(json: &str) -> Value {
        let mut v: Value = serde_json::from_str(json).expect("test JSON");
        v["apiVersion"] = Value::from("example.com/v1");
        v["kind"] = Value::from("Widget");
        if v.pointer("/metadata/name").is_none() {
            if !v["metadata"].is_object() {
                v["metadata"] = Value::Object(Map::new());
            }
            v["metadata"]["name"] = Value::from("w");
        }
        v
    }

    fn check(schema: &str, object: &str, old: Option<&str>, expected: &[(&str, &str, &str)]) {
        let schema: Value = serde_json::from_str(schema).expect("test schema");
        let old = old.map(resource);
        let causes = validate(&schema, &resource(object), old.as_ref());
        let got: Vec<(&str, &str, &str)> = causes
            .iter()
            .map(|c| (c.field.as_str(), c.reason, c.message.as_str()))
            .collect();
        assert_eq!(got, expected);
    }

    /// `PruneNonNullableNullsWithoutDefaults`, as its Go source reads: nulls of nullable or
    /// defaulted fields, of unknown fields and in lists stay.
    #[test]
    fn non_nullable_nulls_are_pruned() {
        let schema: Value = serde_json::from_str(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{
                "a":{"type":"string"},"b":{"type":"string","nullable":true},"c":{"type":"string","default":"x"},
                "l":{"type":"array","items":{"type":"object","properties":{"d":{"type":"integer"}}}},
                "m":{"type":"object","additionalProperties":{"type":"string"}},
                "u":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}"#,
        )
        .expect("test schema");
        let mut object = serde_json::json!({"spec": {
            "a": null, "b": null, "c": null, "l": [null, {"d": null}], "m": {"k": null}, "u": {"z": null}, "x": null,
        }});
        prune_non_nullable_nulls(&mut object, &schema);
        assert_eq!(
            object,
            serde_json::json!({"spec": {"b": null, "c": null, "l": [null, {}], "m": {}, "u": {"z": null}, "x": null}})
        );
    }

    /// Go's `%v`, `strconv.FormatFloat(f, 'f', -1, 64)` and `encoding/json` for floats.
    #[test]
    fn floats_print_like_go() {
        let cases: [(f64, &str, &str, &str); 13] = [
            (1.0, "1", "1", "1"),
            (1.5, "1.5", "1.5", "1.5"),
            (100000.0, "100000", "100000", "100000"),
            (1234567.0, "1.234567e+06", "1234567", "1234567"),
            (1e6, "1e+06", "1000000", "1000000"),
            (1e20, "1e+20", "100000000000000000000", "100000000000000000000"),
            (1e21, "1e+21", "1e+21", "1000000000000000000000"),
            (0.0001, "0.0001", "0.0001", "0.0001"),
            (0.00001, "1e-05", "0.00001", "0.00001"),
            (1e-7, "1e-07", "1e-7", "0.0000001"),
            (123456789.125, "1.23456789125e+08", "123456789.125", "123456789.125"),
            (
                3.4999999999999996,
                "3.4999999999999996",
                "3.4999999999999996",
                "3.4999999999999996",
            ),
            (
                1.7976931348623157e308,
                "1.7976931348623157e+308",
                "1.7976931348623157e+308",
                "",
            ),
        ];
        for (f, v, json, fixed) in cases {
            assert_eq!(go_float_v(f), v, "{f} %v");
            assert_eq!(go_json_float(f), json, "{f} json");
            if !fixed.is_empty() {
                assert_eq!(format!("{f}"), fixed, "{f} 'f'");
            }
        }
    }

    /// `strconv.Quote` and `json.Marshal` of strings and values.
    #[test]
    fn strings_and_values_print_like_go() {
        assert_eq!(
            go_quote("a\"\\\n\t\u{1}\u{7f}é\u{a0}\u{200b}\u{1F600}\u{301}\u{feff}"),
            "\"a\\\"\\\\\\n\\t\\x01\\x7fé\\u00a0\\u200b\u{1F600}\u{301}\\ufeff\""
        );
        let value = serde_json::json!({"b": "<&>\u{8}\u{c}\n\u{1}\u{2028}é\u{7f}", "a": [1, 1.0, null, true]});
        assert_eq!(
            go_json(&value),
            "{\"a\":[1,1,null,true],\"b\":\"\\u003c\\u0026\\u003e\\b\\f\\n\\u0001\\u2028é\u{7f}\"}"
        );
    }

    /// Go's `time.ParseDuration` and strfmt's fallback, in nanoseconds, as kube-openapi's
    /// `strfmt.ParseDuration` gives them.
    #[test]
    fn durations_parse_like_strfmt() {
        assert_eq!(parse_duration("1h30m"), Some(5_400_000_000_000));
        assert_eq!(parse_duration("1.5s"), Some(1_500_000_000));
        assert_eq!(parse_duration("-3m"), Some(-180_000_000_000));
        assert_eq!(parse_duration("5µs"), Some(5_000));
        assert_eq!(parse_duration("0"), Some(0));
        assert_eq!(parse_duration("5 days"), Some(432_000_000_000_000));
        assert_eq!(parse_duration("3 weeks 2 hours"), Some(1_821_600_000_000_000));
        assert_eq!(parse_duration("10 foo"), None);
        assert_eq!(parse_duration("1x"), None);
    }

    /// Go patterns: ASCII classes, and what means something else inside a class in Rust.
    #[test]
    fn go_patterns_translate() {
        assert_eq!(
            translate_go_regex(r"^\d+\w\s\b$"),
            r"^[0-9]+[0-9A-Za-z_][\t\n\f\r ](?-u:\b)$"
        );
        assert_eq!(translate_go_regex(r"[a&&b~~c[]"), r"[a\&\&b\~\~c\[]");
        assert_eq!(translate_go_regex(r"[]a][^]b][[:alpha:]]"), r"[\]a][^\]b][[:alpha:]]");
        assert_eq!(translate_go_regex(r"\Qa.b\E+"), r"a\.b+");
        assert!(go_regex(r"[\d-]").is_ok_and(|re| re.is_match("-") && !re.is_match("٣")));
        assert_eq!(
            go_regex("[x").err().as_deref(),
            Some("error parsing regexp: missing closing ]: `[x`")
        );
    }

    /// `cel.Escape` of property names.
    #[test]
    fn property_names_escape_like_kubernetes() {
        assert_eq!(cel_escape("namespace").as_deref(), Some("__namespace__"));
        assert_eq!(cel_escape("a-b.c/d").as_deref(), Some("a__dash__b__dot__c__slash__d"));
        assert_eq!(cel_escape("a__b").as_deref(), Some("a__underscores__b"));
        assert_eq!(cel_escape("a_b").as_deref(), Some("a_b"));
        assert_eq!(cel_escape("1x"), None);
        assert_eq!(cel_escape("a b"), None);
    }

    /// `type: integer` given a string: the example of the brief. Texts and order from the Go oracle.
    #[test]
    fn type_integer_given_a_string() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"replicas":{"type":"integer","minimum":1}}}}}"#,
            r#"{"spec":{"replicas":"x"}}"#,
            None,
            &[(
                "spec.replicas",
                "FieldValueTypeInvalid",
                "Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"",
            )],
        );
    }

    /// A value of the wrong kind for each type, and how kube-openapi names the kinds. Texts from the Go
    /// oracle, which lists sibling fields in random order.
    #[test]
    fn type_of_each_kind() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"o":{"type":"object"},"a":{"type":"array","items":{"type":"string"}},"s":{"type":"string"},"i":{"type":"integer"},"n":{"type":"number"},"b":{"type":"boolean"}}}}}"#,
            r#"{"spec":{"o":[1],"a":{"x":1},"s":1.5,"i":true,"n":"1","b":"true"}}"#,
            None,
            &[
                (
                    "spec.a",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"object\": spec.a in body must be of type array: \"object\"",
                ),
                (
                    "spec.b",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"string\": spec.b in body must be of type boolean: \"string\"",
                ),
                (
                    "spec.i",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"boolean\": spec.i in body must be of type integer: \"boolean\"",
                ),
                (
                    "spec.n",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"string\": spec.n in body must be of type number: \"string\"",
                ),
                (
                    "spec.o",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"array\": spec.o in body must be of type object: \"array\"",
                ),
                (
                    "spec.s",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"number\": spec.s in body must be of type string: \"number\"",
                ),
            ],
        );
    }

    /// `1.5` for an integer: the type error, and the range check reported on the object itself. Texts and
    /// order from the Go oracle.
    #[test]
    fn integer_given_a_fraction_also_fails_its_range_check() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"integer","minimum":1}}}}}"#,
            r#"{"spec":{"r":1.5}}"#,
            None,
            &[
                (
                    "spec.r",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"number\": spec.r in body must be of type integer: \"number\"",
                ),
                (
                    "<nil>",
                    "FieldValueInvalid",
                    "Invalid value: \"\": Checked value must be of type integer (default format) in spec.r",
                ),
            ],
        );
    }

    /// `3.0` is an integer for kube-openapi, `2` a number. Texts from the Go oracle, which lists sibling
    /// fields in random order.
    #[test]
    fn integral_floats_are_integers_and_integers_numbers() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"i":{"type":"integer","maximum":2},"j":{"type":"integer","minimum":3},"k":{"type":"number","maximum":1}}}}}"#,
            r#"{"spec":{"i":3.0,"j":2.0,"k":2}}"#,
            None,
            &[
                (
                    "spec.i",
                    "FieldValueInvalid",
                    "Invalid value: 3: spec.i in body should be less than or equal to 2",
                ),
                (
                    "spec.j",
                    "FieldValueInvalid",
                    "Invalid value: 2: spec.j in body should be greater than or equal to 3",
                ),
                (
                    "spec.k",
                    "FieldValueInvalid",
                    "Invalid value: 2: spec.k in body should be less than or equal to 1",
                ),
            ],
        );
    }

    /// `nullable: true` allows null, even with `required` below it. Texts and order from the Go oracle.
    #[test]
    fn nullable_allows_null() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"o":{"type":"object","nullable":true,"properties":{"x":{"type":"integer"}},"required":["x"]},"l":{"type":"array","nullable":true,"items":{"type":"string"}},"s":{"type":"string","nullable":true,"minLength":3}}}}}"#,
            r#"{"spec":{"o":null,"l":null,"s":null}}"#,
            None,
            &[],
        );
    }

    /// null for non-nullable object, array item and boolean. Texts from the Go oracle, which lists sibling
    /// fields in random order.
    #[test]
    fn null_where_not_nullable() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"o":{"type":"object"},"l":{"type":"array","items":{"type":"string"}},"b":{"type":"boolean"}}}}}"#,
            r#"{"spec":{"o":null,"l":[null,"x"],"b":null}}"#,
            None,
            &[
                (
                    "spec.b",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"null\": spec.b in body must be of type boolean: \"null\"",
                ),
                (
                    "spec.l[0]",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"null\": spec.l[0] in body must be of type string: \"null\"",
                ),
                (
                    "spec.o",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"null\": spec.o in body must be of type object: \"null\"",
                ),
            ],
        );
    }

    /// null is reported by the type and the enum validators. Texts and order from the Go oracle.
    #[test]
    fn null_with_an_enum() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"integer","enum":[1]}}}}}"#,
            r#"{"spec":{"r":null}}"#,
            None,
            &[
                (
                    "spec.r",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"null\": spec.r in body must be of type integer: \"null\"",
                ),
                (
                    "spec.r",
                    "FieldValueNotSupported",
                    "Unsupported value: null: supported values: \"1\"",
                ),
            ],
        );
    }

    /// a nullable enum still refuses null. Texts and order from the Go oracle.
    #[test]
    fn null_with_an_enum_even_when_nullable() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"integer","nullable":true,"enum":[1]}}}}}"#,
            r#"{"spec":{"r":null}}"#,
            None,
            &[(
                "spec.r",
                "FieldValueNotSupported",
                "Unsupported value: null: supported values: \"1\"",
            )],
        );
    }

    /// `minimum`. Texts and order from the Go oracle.
    #[test]
    fn minimum() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"replicas":{"type":"integer","minimum":1}}}}}"#,
            r#"{"spec":{"replicas":0}}"#,
            None,
            &[(
                "spec.replicas",
                "FieldValueInvalid",
                "Invalid value: 0: spec.replicas in body should be greater than or equal to 1",
            )],
        );
    }

    /// `exclusiveMinimum` and `exclusiveMaximum`. Texts from the Go oracle, which lists sibling fields in
    /// random order.
    #[test]
    fn exclusive_minimum_and_maximum() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer","minimum":3,"exclusiveMinimum":true},"b":{"type":"number","maximum":2.5,"exclusiveMaximum":true}}}}}"#,
            r#"{"spec":{"a":3,"b":2.5}}"#,
            None,
            &[
                (
                    "spec.a",
                    "FieldValueInvalid",
                    "Invalid value: 3: spec.a in body should be greater than 3",
                ),
                (
                    "spec.b",
                    "FieldValueInvalid",
                    "Invalid value: 2.5: spec.b in body should be less than 2.5",
                ),
            ],
        );
    }

    /// Go prints float bounds with `%v`: `1.2345675e+06`, `1e-05`. Texts and order from the Go oracle.
    #[test]
    fn float_bounds_print_like_go() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"number","minimum":1234567.5,"maximum":1e-05}}}}}"#,
            r#"{"spec":{"r":0.25}}"#,
            None,
            &[
                (
                    "spec.r",
                    "FieldValueInvalid",
                    "Invalid value: 0.25: spec.r in body should be greater than or equal to 1.2345675e+06",
                ),
                (
                    "spec.r",
                    "FieldValueInvalid",
                    "Invalid value: 0.25: spec.r in body should be less than or equal to 1e-05",
                ),
            ],
        );
    }

    /// A fractional `minimum` on an integer fails its own range check, whatever the value. Texts and order
    /// from the Go oracle.
    #[test]
    fn fractional_minimum_of_an_integer() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"integer","minimum":1.5}}}}}"#,
            r#"{"spec":{"r":5}}"#,
            None,
            &[(
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: \"\": Minimum boundary value must be of type integer (default format) in spec.r",
            )],
        );
    }

    /// kube-openapi compares an integer value with the truncated bound: `0 >= 0.5` passes. Texts and order
    /// from the Go oracle.
    #[test]
    fn integer_below_a_fractional_minimum_of_a_number_passes() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"number","minimum":0.5}}}}}"#,
            r#"{"spec":{"r":0}}"#,
            None,
            &[],
        );
    }

    /// `multipleOf` on integers and floats (`0.35` is no multiple of `0.1` in floating point). Texts from
    /// the Go oracle, which lists sibling fields in random order.
    #[test]
    fn multiple_of() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer","multipleOf":3},"b":{"type":"number","multipleOf":0.1},"c":{"type":"number","multipleOf":2.5}}}}}"#,
            r#"{"spec":{"a":4,"b":0.35,"c":6}}"#,
            None,
            &[
                (
                    "spec.a",
                    "FieldValueInvalid",
                    "Invalid value: 4: spec.a in body should be a multiple of 3",
                ),
                (
                    "spec.b",
                    "FieldValueInvalid",
                    "Invalid value: 0.35: spec.b in body should be a multiple of 0.1",
                ),
            ],
        );
    }

    /// `multipleOf` zero or negative, and fractional on an integer. Texts from the Go oracle, which lists
    /// sibling fields in random order.
    #[test]
    fn multiple_of_not_positive() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer","multipleOf":-2},"b":{"type":"number","multipleOf":-0.5},"c":{"type":"integer","multipleOf":0.5},"d":{"type":"number","multipleOf":3}}}}}"#,
            r#"{"spec":{"a":4,"b":1.0,"c":3,"d":7.5}}"#,
            None,
            &[
                (
                    "spec.a",
                    "FieldValueInvalid",
                    "Invalid value: -2: factor MultipleOf declared for spec.a must be positive: -2",
                ),
                (
                    "spec.b",
                    "FieldValueInvalid",
                    "Invalid value: -0.5: factor MultipleOf declared for spec.b must be positive: -0.5",
                ),
                (
                    "<nil>",
                    "FieldValueInvalid",
                    "Invalid value: \"\": MultipleOf value must be of type integer (default format) in spec.c",
                ),
                (
                    "spec.d",
                    "FieldValueInvalid",
                    "Invalid value: 7.5: spec.d in body should be a multiple of 3",
                ),
            ],
        );
    }

    /// `format: int32` bounds the value. Texts and order from the Go oracle.
    #[test]
    fn format_int32_range() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"integer","format":"int32"}}}}}"#,
            r#"{"spec":{"r":3000000000}}"#,
            None,
            &[(
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: \"\": Checked value must be of type integer with format int32 in spec.r",
            )],
        );
    }

    /// `format: int32` names the type error after the format. Texts and order from the Go oracle.
    #[test]
    fn format_int32_given_a_float() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"integer","format":"int32"}}}}}"#,
            r#"{"spec":{"r":1.5}}"#,
            None,
            &[
                (
                    "spec.r",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"float64\": spec.r in body must be of type int32: \"float64\"",
                ),
                (
                    "<nil>",
                    "FieldValueInvalid",
                    "Invalid value: \"\": Checked value must be of type integer with format int32 in spec.r",
                ),
            ],
        );
    }

    /// Integers past int64 decode as floats; `1e23` against `maximum: 1e22`. Texts from the Go oracle,
    /// which lists sibling fields in random order.
    #[test]
    fn numbers_beyond_int64_and_float_formats() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer","maximum":10},"b":{"type":"number","maximum":1e+22},"c":{"type":"integer"},"d":{"type":"number","minimum":-1e-07}}}}}"#,
            r#"{"spec":{"a":18446744073709551615,"b":1e+23,"c":1e+20,"d":-1e-06}}"#,
            None,
            &[
                (
                    "spec.a",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"number\": spec.a in body must be of type integer: \"number\"",
                ),
                (
                    "<nil>",
                    "FieldValueInvalid",
                    "Invalid value: \"\": Checked value must be of type integer (default format) in spec.a",
                ),
                (
                    "spec.a",
                    "FieldValueInvalid",
                    "Invalid value: 1.8446744073709552e+19: spec.a in body should be less than or equal to 10",
                ),
                (
                    "spec.b",
                    "FieldValueInvalid",
                    "Invalid value: 1e+23: spec.b in body should be less than or equal to 1e+22",
                ),
                (
                    "spec.c",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"number\": spec.c in body must be of type integer: \"number\"",
                ),
                (
                    "<nil>",
                    "FieldValueInvalid",
                    "Invalid value: \"\": Checked value must be of type integer (default format) in spec.c",
                ),
                (
                    "spec.d",
                    "FieldValueInvalid",
                    "Invalid value: -1e-06: spec.d in body should be greater than or equal to -1e-07",
                ),
            ],
        );
    }

    /// `maxLength`, `minLength` and `pattern`: only the first failure is reported. Texts and order from the
    /// Go oracle.
    #[test]
    fn max_length_stops_the_string_checks() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"string","maxLength":2,"minLength":1,"pattern":"^a"}}}}}"#,
            r#"{"spec":{"r":"bcd"}}"#,
            None,
            &[("spec.r", "FieldValueTooLong", "Too long: may not be more than 2 bytes")],
        );
    }

    /// `maxLength` counts runes, the message says bytes (and byte for 1). Texts and order from the Go
    /// oracle.
    #[test]
    fn max_length_counts_runes_and_says_bytes() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"string","maxLength":1,"pattern":"^a"}}}}}"#,
            r#"{"spec":{"r":"b\né "}}"#,
            None,
            &[("spec.r", "FieldValueTooLong", "Too long: may not be more than 1 byte")],
        );
    }

    /// Runes for `minLength`; Go's ASCII `\d`, `\w`, `\s` and `\b` in patterns. Texts from the Go oracle,
    /// which lists sibling fields in random order.
    #[test]
    fn min_length_and_patterns_with_go_classes() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"s":{"type":"string","maxLength":3},"t":{"type":"string","minLength":4},"u":{"type":"string","pattern":"^\\d+$"},"v":{"type":"string","pattern":"\\w+\\s\\bx"}}}}}"#,
            r#"{"spec":{"s":"héé","t":"héé","u":"١٢","v":"é x"}}"#,
            None,
            &[
                (
                    "spec.t",
                    "FieldValueInvalid",
                    "Invalid value: \"héé\": spec.t in body should be at least 4 chars long",
                ),
                (
                    "spec.u",
                    "FieldValueInvalid",
                    "Invalid value: \"١٢\": spec.u in body should match '^\\d+$'",
                ),
                (
                    "spec.v",
                    "FieldValueInvalid",
                    "Invalid value: \"é x\": spec.v in body should match '\\w+\\s\\bx'",
                ),
            ],
        );
    }

    /// `may not be more than 1 byte`. Texts from the Go oracle, which lists sibling fields in random order.
    #[test]
    fn max_length_of_one_and_zero() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"s":{"type":"string","maxLength":1},"t":{"type":"string","maxLength":0}}}}}"#,
            r#"{"spec":{"s":"ab","t":"a"}}"#,
            None,
            &[
                ("spec.s", "FieldValueTooLong", "Too long: may not be more than 1 byte"),
                ("spec.t", "FieldValueTooLong", "Too long: may not be more than 0 bytes"),
            ],
        );
    }

    /// `format: date`. Texts from the Go oracle, which lists sibling fields in random order.
    #[test]
    fn format_date() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"date"},"v01":{"type":"string","format":"date"},"v02":{"type":"string","format":"date"},"v03":{"type":"string","format":"date"},"v04":{"type":"string","format":"date"}}}}}"#,
            r#"{"spec":{"v00":"2020-02-29","v01":"2021-02-29","v02":"2020-1-01","v03":"2020-13-01","v04":"20200101"}}"#,
            None,
            &[
                (
                    "spec.v01",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"2021-02-29\": spec.v01 in body must be of type date: \"2021-02-29\"",
                ),
                (
                    "spec.v02",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"2020-1-01\": spec.v02 in body must be of type date: \"2020-1-01\"",
                ),
                (
                    "spec.v03",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"2020-13-01\": spec.v03 in body must be of type date: \"2020-13-01\"",
                ),
                (
                    "spec.v04",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"20200101\": spec.v04 in body must be of type date: \"20200101\"",
                ),
            ],
        );
    }

    /// `format: date-time`. Texts from the Go oracle, which lists sibling fields in random order.
    #[test]
    fn format_date_time() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"date-time"},"v01":{"type":"string","format":"date-time"},"v02":{"type":"string","format":"date-time"},"v03":{"type":"string","format":"date-time"},"v04":{"type":"string","format":"date-time"}}}}}"#,
            r#"{"spec":{"v00":"2020-01-01T00:00:00Z","v01":"2020-01-01t00:00:00.5+01:00","v02":"2020-01-01T24:00:00Z","v03":"2020-01-01 00:00:00Z","v04":"2020-01-01T00:00:00"}}"#,
            None,
            &[
                (
                    "spec.v02",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"2020-01-01T24:00:00Z\": spec.v02 in body must be of type date-time: \"2020-01-01T24:00:00Z\"",
                ),
                (
                    "spec.v03",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"2020-01-01 00:00:00Z\": spec.v03 in body must be of type date-time: \"2020-01-01 00:00:00Z\"",
                ),
                (
                    "spec.v04",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"2020-01-01T00:00:00\": spec.v04 in body must be of type date-time: \"2020-01-01T00:00:00\"",
                ),
            ],
        );
    }

    /// `format: duration`. Texts from the Go oracle, which lists sibling fields in random order.
    #[test]
    fn format_duration() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"duration"},"v01":{"type":"string","format":"duration"},"v02":{"type":"string","format":"duration"},"v03":{"type":"string","format":"duration"},"v04":{"type":"string","format":"duration"},"v05":{"type":"string","format":"duration"},"v06":{"type":"string","format":"duration"},"v07":{"type":"string","format":"duration"},"v08":{"type":"string","format":"duration"},"v09":{"type":"string","format":"duration"}}}}}"#,
            r#"{"spec":{"v00":"1h30m","v01":"5 days","v02":"1.5s","v03":"-3m","v04":"10 foo","v05":"3 weeks 2 hours","v06":"0","v07":"1x","v08":"µs","v09":"5µs"}}"#,
            None,
            &[
                (
                    "spec.v04",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"10 foo\": spec.v04 in body must be of type duration: \"10 foo\"",
                ),
                (
                    "spec.v07",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"1x\": spec.v07 in body must be of type duration: \"1x\"",
                ),
                (
                    "spec.v08",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"µs\": spec.v08 in body must be of type duration: \"µs\"",
                ),
            ],
        );
    }

    /// `format: byte`. Texts from the Go oracle, which lists sibling fields in random order.
    #[test]
    fn format_byte() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"byte"},"v01":{"type":"string","format":"byte"},"v02":{"type":"string","format":"byte"},"v03":{"type":"string","format":"byte"}}}}}"#,
            r#"{"spec":{"v00":"aGVsbG8=","v01":"aGVsbG8","v02":"","v03":"a+b/"}}"#,
            None,
            &[
                (
                    "spec.v01",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"aGVsbG8\": spec.v01 in body must be of type byte: \"aGVsbG8\"",
                ),
                (
                    "spec.v02",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"\": spec.v02 in body must be of type byte: \"\"",
                ),
            ],
        );
    }

    /// `format: uuid`. Texts and order from the Go oracle.
    #[test]
    fn format_uuid() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"uuid"},"v01":{"type":"string","format":"uuid"},"v02":{"type":"string","format":"uuid"}}}}}"#,
            r#"{"spec":{"v00":"123e4567-e89b-12d3-a456-426614174000","v01":"123E4567E89B12D3A456426614174000","v02":"nope"}}"#,
            None,
            &[(
                "spec.v02",
                "FieldValueTypeInvalid",
                "Invalid value: \"nope\": spec.v02 in body must be of type uuid: \"nope\"",
            )],
        );
    }

    /// `format: ipv4`. Texts from the Go oracle, which lists sibling fields in random order.
    #[test]
    fn format_ipv4() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"ipv4"},"v01":{"type":"string","format":"ipv4"},"v02":{"type":"string","format":"ipv4"},"v03":{"type":"string","format":"ipv4"},"v04":{"type":"string","format":"ipv4"}}}}}"#,
            r#"{"spec":{"v00":"1.2.3.4","v01":"01.2.3.4","v02":"256.1.1.1","v03":"1.2.3","v04":"::ffff:1.2.3.4"}}"#,
            None,
            &[
                (
                    "spec.v02",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"256.1.1.1\": spec.v02 in body must be of type ipv4: \"256.1.1.1\"",
                ),
                (
                    "spec.v03",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"1.2.3\": spec.v03 in body must be of type ipv4: \"1.2.3\"",
                ),
            ],
        );
    }

    /// `format: ipv6`. Texts from the Go oracle, which lists sibling fields in random order.
    #[test]
    fn format_ipv6() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"ipv6"},"v01":{"type":"string","format":"ipv6"},"v02":{"type":"string","format":"ipv6"},"v03":{"type":"string","format":"ipv6"}}}}}"#,
            r#"{"spec":{"v00":"::1","v01":"1.2.3.4","v02":"fe80::1%eth0","v03":"2001:db8::"}}"#,
            None,
            &[
                (
                    "spec.v01",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"1.2.3.4\": spec.v01 in body must be of type ipv6: \"1.2.3.4\"",
                ),
                (
                    "spec.v02",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"fe80::1%eth0\": spec.v02 in body must be of type ipv6: \"fe80::1%eth0\"",
                ),
            ],
        );
    }

    /// `format: cidr`. Texts from the Go oracle, which lists sibling fields in random order.
    #[test]
    fn format_cidr() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"cidr"},"v01":{"type":"string","format":"cidr"},"v02":{"type":"string","format":"cidr"},"v03":{"type":"string","format":"cidr"},"v04":{"type":"string","format":"cidr"}}}}}"#,
            r#"{"spec":{"v00":"10.0.0.0/8","v01":"10.0.0.0/33","v02":"::/0","v03":"1.2.3.4","v04":"010.0.0.0/8"}}"#,
            None,
            &[
                (
                    "spec.v01",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"10.0.0.0/33\": spec.v01 in body must be of type cidr: \"10.0.0.0/33\"",
                ),
                (
                    "spec.v03",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"1.2.3.4\": spec.v03 in body must be of type cidr: \"1.2.3.4\"",
                ),
            ],
        );
    }

    /// `format: mac`. Texts from the Go oracle, which lists sibling fields in random order.
    #[test]
    fn format_mac() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"mac"},"v01":{"type":"string","format":"mac"},"v02":{"type":"string","format":"mac"},"v03":{"type":"string","format":"mac"},"v04":{"type":"string","format":"mac"}}}}}"#,
            r#"{"spec":{"v00":"01:23:45:67:89:ab","v01":"01-23-45-67-89-ab","v02":"0123.4567.89ab","v03":"01:23:45:67:89","v04":"01:23-45:67:89:ab"}}"#,
            None,
            &[
                (
                    "spec.v03",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"01:23:45:67:89\": spec.v03 in body must be of type mac: \"01:23:45:67:89\"",
                ),
                (
                    "spec.v04",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"01:23-45:67:89:ab\": spec.v04 in body must be of type mac: \"01:23-45:67:89:ab\"",
                ),
            ],
        );
    }

    /// `format: hostname`. Texts from the Go oracle, which lists sibling fields in random order.
    #[test]
    fn format_hostname() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"hostname"},"v01":{"type":"string","format":"hostname"},"v02":{"type":"string","format":"hostname"},"v03":{"type":"string","format":"hostname"},"v04":{"type":"string","format":"hostname"},"v05":{"type":"string","format":"hostname"},"v06":{"type":"string","format":"hostname"}}}}}"#,
            r#"{"spec":{"v00":"example.com","v01":"ex_ample.com","v02":"-a.com","v03":"a","v04":"a..b","v05":"xn--bcher-kva.example","v06":"é.com"}}"#,
            None,
            &[
                (
                    "spec.v01",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"ex_ample.com\": spec.v01 in body must be of type hostname: \"ex_ample.com\"",
                ),
                (
                    "spec.v02",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"-a.com\": spec.v02 in body must be of type hostname: \"-a.com\"",
                ),
                (
                    "spec.v04",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"a..b\": spec.v04 in body must be of type hostname: \"a..b\"",
                ),
            ],
        );
    }

    /// `format: email`. Texts from the Go oracle, which lists sibling fields in random order.
    #[test]
    fn format_email() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"email"},"v01":{"type":"string","format":"email"},"v02":{"type":"string","format":"email"},"v03":{"type":"string","format":"email"},"v04":{"type":"string","format":"email"}}}}}"#,
            r#"{"spec":{"v00":"a@b.c","v01":"Bob <bob@x.org>","v02":"nope","v03":"a@","v04":"@b"}}"#,
            None,
            &[
                (
                    "spec.v02",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"nope\": spec.v02 in body must be of type email: \"nope\"",
                ),
                (
                    "spec.v03",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"a@\": spec.v03 in body must be of type email: \"a@\"",
                ),
                (
                    "spec.v04",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"@b\": spec.v04 in body must be of type email: \"@b\"",
                ),
            ],
        );
    }

    /// `format: uri`. Texts from the Go oracle, which lists sibling fields in random order.
    #[test]
    fn format_uri() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"uri"},"v01":{"type":"string","format":"uri"},"v02":{"type":"string","format":"uri"},"v03":{"type":"string","format":"uri"},"v04":{"type":"string","format":"uri"},"v05":{"type":"string","format":"uri"},"v06":{"type":"string","format":"uri"},"v07":{"type":"string","format":"uri"},"v08":{"type":"string","format":"uri"}}}}}"#,
            r#"{"spec":{"v00":"http://a.b/c","v01":"/abs","v02":"rel/x","v03":"mailto:x","v04":"http://a b/","v05":"http://x/%zz","v06":"","v07":"*","v08":"1http://x"}}"#,
            None,
            &[
                (
                    "spec.v02",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"rel/x\": spec.v02 in body must be of type uri: \"rel/x\"",
                ),
                (
                    "spec.v04",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"http://a b/\": spec.v04 in body must be of type uri: \"http://a b/\"",
                ),
                (
                    "spec.v05",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"http://x/%zz\": spec.v05 in body must be of type uri: \"http://x/%zz\"",
                ),
                (
                    "spec.v06",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"\": spec.v06 in body must be of type uri: \"\"",
                ),
                (
                    "spec.v08",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"1http://x\": spec.v08 in body must be of type uri: \"1http://x\"",
                ),
            ],
        );
    }

    /// `format: k8s-short-name`. Texts from the Go oracle, which lists sibling fields in random order.
    #[test]
    fn format_k8s_short_name() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"k8s-short-name"},"v01":{"type":"string","format":"k8s-short-name"},"v02":{"type":"string","format":"k8s-short-name"},"v03":{"type":"string","format":"k8s-short-name"}}}}}"#,
            r#"{"spec":{"v00":"abc-1","v01":"Abc","v02":"-a","v03":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}"#,
            None,
            &[
                (
                    "spec.v01",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"Abc\": spec.v01 in body must be of type k8s-short-name: \"Abc\"",
                ),
                (
                    "spec.v02",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"-a\": spec.v02 in body must be of type k8s-short-name: \"-a\"",
                ),
                (
                    "spec.v03",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": spec.v03 in body must be of type k8s-short-name: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
                ),
            ],
        );
    }

    /// `format: k8s-long-name`. Texts from the Go oracle, which lists sibling fields in random order.
    #[test]
    fn format_k8s_long_name() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"k8s-long-name"},"v01":{"type":"string","format":"k8s-long-name"},"v02":{"type":"string","format":"k8s-long-name"},"v03":{"type":"string","format":"k8s-long-name"}}}}}"#,
            r#"{"spec":{"v00":"a.b-c.d","v01":"a..b","v02":"A.b","v03":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}"#,
            None,
            &[
                (
                    "spec.v01",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"a..b\": spec.v01 in body must be of type k8s-long-name: \"a..b\"",
                ),
                (
                    "spec.v02",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"A.b\": spec.v02 in body must be of type k8s-long-name: \"A.b\"",
                ),
                (
                    "spec.v03",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": spec.v03 in body must be of type k8s-long-name: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
                ),
            ],
        );
    }

    /// `format: isbn`. Texts and order from the Go oracle.
    #[test]
    fn format_isbn() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"isbn"},"v01":{"type":"string","format":"isbn"},"v02":{"type":"string","format":"isbn"}}}}}"#,
            r#"{"spec":{"v00":"0321751043","v01":"978-0321751041","v02":"0321751044"}}"#,
            None,
            &[(
                "spec.v02",
                "FieldValueTypeInvalid",
                "Invalid value: \"0321751044\": spec.v02 in body must be of type isbn: \"0321751044\"",
            )],
        );
    }

    /// `format: creditcard`. Texts and order from the Go oracle.
    #[test]
    fn format_creditcard() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"creditcard"},"v01":{"type":"string","format":"creditcard"},"v02":{"type":"string","format":"creditcard"}}}}}"#,
            r#"{"spec":{"v00":"4111 1111 1111 1111","v01":"4111111111111112","v02":"5500-0000-0000-0004"}}"#,
            None,
            &[(
                "spec.v01",
                "FieldValueTypeInvalid",
                "Invalid value: \"4111111111111112\": spec.v01 in body must be of type creditcard: \"4111111111111112\"",
            )],
        );
    }

    /// `format: bsonobjectid`. Texts and order from the Go oracle.
    #[test]
    fn format_bsonobjectid() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"bsonobjectid"},"v01":{"type":"string","format":"bsonobjectid"}}}}}"#,
            r#"{"spec":{"v00":"507f1f77bcf86cd799439011","v01":"507f1f77bcf86cd79943901g"}}"#,
            None,
            &[(
                "spec.v01",
                "FieldValueTypeInvalid",
                "Invalid value: \"507f1f77bcf86cd79943901g\": spec.v01 in body must be of type bsonobjectid: \"507f1f77bcf86cd79943901g\"",
            )],
        );
    }

    /// `format: ssn`. Texts from the Go oracle, which lists sibling fields in random order.
    #[test]
    fn format_ssn() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"ssn"},"v01":{"type":"string","format":"ssn"},"v02":{"type":"string","format":"ssn"},"v03":{"type":"string","format":"ssn"}}}}}"#,
            r#"{"spec":{"v00":"123-45-6789","v01":"123456789","v02":"123 45 6789","v03":"12-345-6789"}}"#,
            None,
            &[
                (
                    "spec.v01",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"123456789\": spec.v01 in body must be of type ssn: \"123456789\"",
                ),
                (
                    "spec.v03",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"12-345-6789\": spec.v03 in body must be of type ssn: \"12-345-6789\"",
                ),
            ],
        );
    }

    /// `format: rgbcolor`. Texts and order from the Go oracle.
    #[test]
    fn format_rgbcolor() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"rgbcolor"},"v01":{"type":"string","format":"rgbcolor"},"v02":{"type":"string","format":"rgbcolor"}}}}}"#,
            r#"{"spec":{"v00":"rgb(255,0,0)","v01":"rgb( 1 , 2 , 3 )","v02":"rgb(256,0,0)"}}"#,
            None,
            &[(
                "spec.v02",
                "FieldValueTypeInvalid",
                "Invalid value: \"rgb(256,0,0)\": spec.v02 in body must be of type rgbcolor: \"rgb(256,0,0)\"",
            )],
        );
    }

    /// `format: hexcolor`. Texts and order from the Go oracle.
    #[test]
    fn format_hexcolor() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"hexcolor"},"v01":{"type":"string","format":"hexcolor"},"v02":{"type":"string","format":"hexcolor"}}}}}"#,
            r##"{"spec":{"v00":"#fff","v01":"FFFFFF","v02":"#ffff"}}"##,
            None,
            &[(
                "spec.v02",
                "FieldValueTypeInvalid",
                "Invalid value: \"#ffff\": spec.v02 in body must be of type hexcolor: \"#ffff\"",
            )],
        );
    }

    /// `format: uuid4`. Texts and order from the Go oracle.
    #[test]
    fn format_uuid4() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"uuid4"},"v01":{"type":"string","format":"uuid4"}}}}}"#,
            r#"{"spec":{"v00":"123e4567-e89b-42d3-a456-426614174000","v01":"123e4567-e89b-42d3-c456-426614174000"}}"#,
            None,
            &[(
                "spec.v01",
                "FieldValueTypeInvalid",
                "Invalid value: \"123e4567-e89b-42d3-c456-426614174000\": spec.v01 in body must be of type uuid4: \"123e4567-e89b-42d3-c456-426614174000\"",
            )],
        );
    }

    /// Formats the server does not know, or not for strings, are stripped. Texts and order from the Go
    /// oracle.
    #[test]
    fn format_unknown_or_misspelt_is_ignored() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"uri-reference"}}}}}"#,
            r#"{"spec":{"v00":"::"}}"#,
            None,
            &[],
        );
    }

    /// A string format given a number names the format: `must be of type date: "int64"`; numeric formats.
    /// Texts from the Go oracle, which lists sibling fields in random order.
    #[test]
    fn format_of_strings_given_other_kinds() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"string","format":"date"},"b":{"type":"string","format":"date"},"c":{"type":"string","format":"date"},"d":{"type":"integer","format":"int64"},"e":{"type":"integer","format":"date"},"f":{"type":"number","format":"float"},"g":{"type":"number","format":"double"},"h":{"type":"number","format":"int32"},"i":{"type":"integer","format":"int32"},"j":{"type":"boolean","format":"date"},"k":{"x-kubernetes-int-or-string":true,"format":"date"},"l":{"type":"number","format":"float"}}}}}"#,
            r#"{"spec":{"a":true,"b":1.5,"c":{"x":1},"d":1.5,"e":"x","f":1e+39,"g":1e+300,"h":1.5,"i":-2147483649,"j":"x","k":5,"l":3}}"#,
            None,
            &[
                (
                    "spec.a",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"\": spec.a in body must be of type date: \"\"",
                ),
                (
                    "spec.b",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"float64\": spec.b in body must be of type date: \"float64\"",
                ),
                (
                    "spec.c",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"\": spec.c in body must be of type date: \"\"",
                ),
                (
                    "spec.d",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"float64\": spec.d in body must be of type int64: \"float64\"",
                ),
                (
                    "<nil>",
                    "FieldValueInvalid",
                    "Invalid value: \"\": Checked value must be of type integer with format int64 in spec.d",
                ),
                (
                    "spec.e",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"string\": spec.e in body must be of type integer: \"string\"",
                ),
                (
                    "<nil>",
                    "FieldValueInvalid",
                    "Invalid value: \"\": Checked value must be of type number with format float in spec.f",
                ),
                (
                    "<nil>",
                    "FieldValueInvalid",
                    "Invalid value: \"\": Checked value must be of type integer with format int32 in spec.i",
                ),
                (
                    "spec.j",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"string\": spec.j in body must be of type boolean: \"string\"",
                ),
            ],
        );
    }

    /// kube-openapi lets an array through a `type: string` with a format. Texts and order from the Go
    /// oracle.
    #[test]
    fn format_of_strings_given_an_array_passes() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"string","format":"date"}}}}}"#,
            r#"{"spec":{"r":["x"]}}"#,
            None,
            &[],
        );
    }

    /// Allowed values print with Go's JSON (`1e+21`), strings as they are. Texts and order from the Go
    /// oracle.
    #[test]
    fn enum_of_numbers_and_other_kinds() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"number","enum":[1,2.5,1e+21,true,null,"s"]}}}}}"#,
            r#"{"spec":{"r":3.25}}"#,
            None,
            &[(
                "spec.r",
                "FieldValueNotSupported",
                "Unsupported value: 3.25: supported values: \"1\", \"2.5\", \"1e+21\", \"true\", \"null\", \"s\"",
            )],
        );
    }

    /// Enums of strings with null, arrays, numbers, booleans; an empty enum allows anything. Texts from the
    /// Go oracle, which lists sibling fields in random order.
    #[test]
    fn enum_of_several_kinds() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"string","enum":["x",null]},"b":{"type":"array","items":{"type":"integer"},"enum":[[1,2]]},"c":{"type":"number","enum":[1]},"d":{"type":"boolean","enum":[true]},"e":{"type":"string","enum":[]},"f":{"type":"string","enum":["a\"b","é\n"]}}}}}"#,
            r#"{"spec":{"a":"y","b":[1,2],"c":1.5,"d":false,"e":"z","f":"q"}}"#,
            None,
            &[
                (
                    "spec.a",
                    "FieldValueNotSupported",
                    "Unsupported value: \"y\": supported values: \"x\", \"null\"",
                ),
                (
                    "spec.d",
                    "FieldValueNotSupported",
                    "Unsupported value: false: supported values: \"true\"",
                ),
                (
                    "spec.f",
                    "FieldValueNotSupported",
                    "Unsupported value: \"q\": supported values: \"a\\\"b\", \"é\\n\"",
                ),
            ],
        );
    }

    /// Go converts `65` to the string `"A"`, which the enum allows. Texts and order from the Go oracle.
    #[test]
    fn enum_converts_an_integer_to_a_rune() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"integer","enum":["A"]}}}}}"#,
            r#"{"spec":{"r":65}}"#,
            None,
            &[],
        );
    }

    /// Objects compare deeply, integers as integers. Texts and order from the Go oracle.
    #[test]
    fn enum_of_objects() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"enum":[{"a":1},{"b":1.5}]}}}}}"#,
            r#"{"spec":{"r":{"a":1}}}"#,
            None,
            &[],
        );
    }

    /// Item errors first, then `minItems`, `maxItems` and `uniqueItems`. Texts and order from the Go
    /// oracle.
    #[test]
    fn items_and_array_bounds() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"array","maxItems":1,"minItems":5,"uniqueItems":true,"items":{"type":"integer","maximum":3}}}}}}"#,
            r#"{"spec":{"r":[4,4]}}"#,
            None,
            &[
                (
                    "spec.r[0]",
                    "FieldValueInvalid",
                    "Invalid value: 4: spec.r[0] in body should be less than or equal to 3",
                ),
                (
                    "spec.r[1]",
                    "FieldValueInvalid",
                    "Invalid value: 4: spec.r[1] in body should be less than or equal to 3",
                ),
                (
                    "spec.r",
                    "FieldValueInvalid",
                    "Invalid value: 2: spec.r in body should have at least 5 items",
                ),
                ("spec.r", "FieldValueTooMany", "Too many: 2: must have at most 1 item"),
                (
                    "spec.r",
                    "FieldValueInvalid",
                    "Invalid value: \"\": spec.r in body shouldn't contain duplicates",
                ),
            ],
        );
    }

    /// `must have at most 0 items`, `should have at least 1 items`. Texts from the Go oracle, which lists
    /// sibling fields in random order.
    #[test]
    fn min_and_max_items_of_zero_and_one() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","maxItems":0,"items":{"type":"string"}},"m":{"type":"array","minItems":1,"items":{"type":"string"}}}}}}"#,
            r#"{"spec":{"l":["a"],"m":[]}}"#,
            None,
            &[
                ("spec.l", "FieldValueTooMany", "Too many: 1: must have at most 0 items"),
                (
                    "spec.m",
                    "FieldValueInvalid",
                    "Invalid value: 0: spec.m in body should have at least 1 items",
                ),
            ],
        );
    }

    /// `uniqueItems`: `1` and `1.0` differ, equal objects do not. Texts and order from the Go oracle.
    #[test]
    fn unique_items_by_type() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","uniqueItems":true,"items":{"x-kubernetes-preserve-unknown-fields":true}},"m":{"type":"array","uniqueItems":true,"items":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}}"#,
            r#"{"spec":{"l":[1,1.0,"1"],"m":[{"a":1},{"a":1}]}}"#,
            None,
            &[(
                "spec.m",
                "FieldValueInvalid",
                "Invalid value: \"\": spec.m in body shouldn't contain duplicates",
            )],
        );
    }

    /// `minProperties`, `maxProperties` (reported as Too many) and an `additionalProperties` schema. Texts
    /// from the Go oracle, which lists sibling fields in random order.
    #[test]
    fn min_and_max_properties_and_additional_properties() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","maxProperties":1,"minProperties":5,"additionalProperties":{"type":"string"}}}}"#,
            r#"{"spec":{"a":1,"b":{"x":[1,1.5,"<&>"]}}}"#,
            None,
            &[
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: 2: spec in body should have at least 5 properties",
                ),
                ("spec", "FieldValueTooMany", "Too many: 2: must have at most 1 item"),
                (
                    "spec.a",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"integer\": spec.a in body must be of type string: \"integer\"",
                ),
                (
                    "spec.b",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"object\": spec.b in body must be of type string: \"object\"",
                ),
            ],
        );
    }

    /// `must have at most 1 item`. Texts and order from the Go oracle.
    #[test]
    fn max_properties_of_one() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","maxProperties":1,"properties":{"a":{"type":"string"},"b":{"type":"string"}}}}}"#,
            r#"{"spec":{"a":"1","b":"2"}}"#,
            None,
            &[("spec", "FieldValueTooMany", "Too many: 2: must have at most 1 item")],
        );
    }

    /// An `additionalProperties` schema with `required`, a set list below it. Texts from the Go oracle,
    /// which lists sibling fields in random order.
    #[test]
    fn additional_properties_schema_nested() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","additionalProperties":{"type":"object","required":["v"],"properties":{"v":{"type":"integer","minimum":1},"l":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"integer"}}}}}}}"#,
            r#"{"spec":{"k1":{"v":0,"l":[1,1]},"k.2":{"l":[]}}}"#,
            None,
            &[
                ("spec.k.2.v", "FieldValueRequired", "Required value"),
                (
                    "spec.k1.v",
                    "FieldValueInvalid",
                    "Invalid value: 0: spec.k1.v in body should be greater than or equal to 1",
                ),
                ("spec[k1].l[1]", "FieldValueDuplicate", "Duplicate value: 1"),
            ],
        );
    }

    /// `additionalProperties: false` forbids other fields. Texts from the Go oracle, which lists sibling
    /// fields in random order.
    #[test]
    fn additional_properties_false() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}}}"#,
            r#"{"spec":{"a":"x","b":1,"c":2}}"#,
            None,
            &[
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"b\": spec.b in body is a forbidden property",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"c\": spec.c in body is a forbidden property",
                ),
            ],
        );
    }

    /// At the root: `required` and `maxProperties` counting apiVersion, kind and metadata. Texts and order
    /// from the Go oracle.
    #[test]
    fn required_and_max_properties_at_the_root() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"x":{"type":"integer"}}}},"required":["spec","status"],"maxProperties":2}"#,
            r#"{}"#,
            None,
            &[
                ("<nil>", "FieldValueTooMany", "Too many: 3: must have at most 2 items"),
                ("spec", "FieldValueRequired", "Required value"),
                ("status", "FieldValueRequired", "Required value"),
            ],
        );
    }

    /// Paths through objects, arrays and maps. Texts and order from the Go oracle.
    #[test]
    fn deep_paths() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"array","items":{"type":"object","properties":{"c":{"type":"object","additionalProperties":{"type":"integer","maximum":1}}}}}}}}}}}"#,
            r#"{"spec":{"a":{"b":[{"c":{"k":2}}]}}}"#,
            None,
            &[(
                "spec.a.b[0].c.k",
                "FieldValueInvalid",
                "Invalid value: 2: spec.a.b[0].c.k in body should be less than or equal to 1",
            )],
        );
    }

    /// `x-kubernetes-preserve-unknown-fields` with properties: unknown fields pass, known ones are
    /// validated. Texts and order from the Go oracle.
    #[test]
    fn preserve_unknown_fields_keeps_validating_known_ones() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}}}}"#,
            r#"{"spec":{"x":5,"y":{"z":[1]}}}"#,
            None,
            &[(
                "spec.x",
                "FieldValueInvalid",
                "Invalid value: 5: spec.x in body should be less than or equal to 1",
            )],
        );
    }

    /// `x-kubernetes-int-or-string` refuses floats and booleans, allows `1.0`. Texts from the Go oracle,
    /// which lists sibling fields in random order.
    #[test]
    fn int_or_string() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"x-kubernetes-int-or-string":true},"b":{"x-kubernetes-int-or-string":true},"c":{"x-kubernetes-int-or-string":true}}}}}"#,
            r#"{"spec":{"a":1.5,"b":true,"c":1.0}}"#,
            None,
            &[
                (
                    "spec.a",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"number\": spec.a in body must be of type integer,string: \"number\"",
                ),
                (
                    "spec.b",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"boolean\": spec.b in body must be of type integer,string: \"boolean\"",
                ),
            ],
        );
    }

    /// An integer for an int-or-string is checked against `maximum`, not `pattern`. Texts and order from
    /// the Go oracle.
    #[test]
    fn int_or_string_with_number_bounds() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"p":{"x-kubernetes-int-or-string":true,"pattern":"^[0-9]+%$","maximum":5}}}}}"#,
            r#"{"spec":{"p":7}}"#,
            None,
            &[(
                "spec.p",
                "FieldValueInvalid",
                "Invalid value: 7: spec.p in body should be less than or equal to 5",
            )],
        );
    }

    /// The usual int-or-string `anyOf`, with `maxLength` and `pattern`. Texts and order from the Go oracle.
    #[test]
    fn int_or_string_with_any_of() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"p":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}],"pattern":"^[0-9]+%$","maxLength":3}}}}}"#,
            r#"{"spec":{"p":"1000%"}}"#,
            None,
            &[("spec.p", "FieldValueTooLong", "Too long: may not be more than 3 bytes")],
        );
    }

    /// A failed `anyOf` reports itself, then the branch with the most matches. Texts and order from the Go
    /// oracle.
    #[test]
    fn any_of_reports_the_first_best_branch() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","anyOf":[{"required":["a"]},{"required":["b"]}],"properties":{"a":{"type":"integer"},"b":{"type":"integer"}}}}}"#,
            r#"{"spec":{}}"#,
            None,
            &[
                (
                    "<nil>",
                    "FieldValueInvalid",
                    "Invalid value: \"\": \"spec\" must validate at least one schema (anyOf)",
                ),
                ("spec.a", "FieldValueRequired", "Required value"),
            ],
        );
    }

    /// The branch that matched more checks wins. Texts from the Go oracle, which lists sibling fields in
    /// random order.
    #[test]
    fn any_of_best_branch_by_match_count() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string"}},"anyOf":[{"properties":{"a":{"minimum":5}}},{"properties":{"a":{"maximum":0},"b":{"maxLength":1}},"required":["b"]}]}}}"#,
            r#"{"spec":{"a":3,"b":"xy"}}"#,
            None,
            &[
                (
                    "<nil>",
                    "FieldValueInvalid",
                    "Invalid value: \"\": \"spec\" must validate at least one schema (anyOf)",
                ),
                (
                    "spec.a",
                    "FieldValueInvalid",
                    "Invalid value: 3: spec.a in body should be less than or equal to 0",
                ),
                ("spec.b", "FieldValueTooLong", "Too long: may not be more than 1 byte"),
            ],
        );
    }

    /// One valid branch is enough. Texts and order from the Go oracle.
    #[test]
    fn any_of_passes_with_one_branch() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer"}},"anyOf":[{"properties":{"a":{"minimum":5}}},{"properties":{"a":{"maximum":4}}}]}}}"#,
            r#"{"spec":{"a":3}}"#,
            None,
            &[],
        );
    }

    /// `oneOf` with no valid branch. Texts and order from the Go oracle.
    #[test]
    fn one_of_with_none_valid() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer"}},"oneOf":[{"required":["b"]},{"properties":{"a":{"minimum":5}}}]}}}"#,
            r#"{"spec":{"a":3}}"#,
            None,
            &[
                (
                    "<nil>",
                    "FieldValueInvalid",
                    "Invalid value: \"\": \"spec\" must validate one and only one schema (oneOf). Found none valid",
                ),
                (
                    "spec.a",
                    "FieldValueInvalid",
                    "Invalid value: 3: spec.a in body should be greater than or equal to 5",
                ),
            ],
        );
    }

    /// `oneOf` with two valid branches. Texts and order from the Go oracle.
    #[test]
    fn one_of_with_two_valid() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer"}},"oneOf":[{"required":["a"]},{"properties":{"a":{"minimum":1}}}]}}}"#,
            r#"{"spec":{"a":3}}"#,
            None,
            &[(
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: \"\": \"spec\" must validate one and only one schema (oneOf). Found 2 valid alternatives",
            )],
        );
    }

    /// `allOf`: the branch errors, then the allOf error. Texts and order from the Go oracle.
    #[test]
    fn all_of_with_one_failing_branch() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer"}},"allOf":[{"properties":{"a":{"minimum":5}}},{"properties":{"a":{"maximum":4}}}]}}}"#,
            r#"{"spec":{"a":3}}"#,
            None,
            &[
                (
                    "spec.a",
                    "FieldValueInvalid",
                    "Invalid value: 3: spec.a in body should be greater than or equal to 5",
                ),
                (
                    "<nil>",
                    "FieldValueInvalid",
                    "Invalid value: \"\": \"spec\" must validate all the schemas (allOf)",
                ),
            ],
        );
    }

    /// `allOf`: `. None validated` when no branch passes. Texts and order from the Go oracle.
    #[test]
    fn all_of_with_all_failing() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer"}},"allOf":[{"properties":{"a":{"minimum":5}}},{"properties":{"a":{"maximum":1}}}]}}}"#,
            r#"{"spec":{"a":3}}"#,
            None,
            &[
                (
                    "spec.a",
                    "FieldValueInvalid",
                    "Invalid value: 3: spec.a in body should be greater than or equal to 5",
                ),
                (
                    "spec.a",
                    "FieldValueInvalid",
                    "Invalid value: 3: spec.a in body should be less than or equal to 1",
                ),
                (
                    "<nil>",
                    "FieldValueInvalid",
                    "Invalid value: \"\": \"spec\" must validate all the schemas (allOf). None validated",
                ),
            ],
        );
    }

    /// `not`. Texts and order from the Go oracle.
    #[test]
    fn not() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer"}},"not":{"required":["a"]}}}}"#,
            r#"{"spec":{"a":3}}"#,
            None,
            &[(
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: \"\": \"spec\" must not validate the schema (not)",
            )],
        );
    }

    /// Composition in array items. Texts and order from the Go oracle.
    #[test]
    fn any_of_in_items() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","items":{"type":"object","properties":{"x":{"type":"integer"},"y":{"type":"integer"}},"anyOf":[{"required":["x"]},{"required":["y"]}]}}}}}}"#,
            r#"{"spec":{"l":[{"x":1},{}]}}"#,
            None,
            &[
                (
                    "<nil>",
                    "FieldValueInvalid",
                    "Invalid value: \"\": \"spec.l[1]\" must validate at least one schema (anyOf)",
                ),
                ("spec.l[1].x", "FieldValueRequired", "Required value"),
            ],
        );
    }

    /// Embedded resources: empty kind, a bad group/version. Texts from the Go oracle, which lists sibling
    /// fields in random order.
    #[test]
    fn embedded_resource_kind_and_api_version() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"t":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}}}}"#,
            r#"{"spec":{"t":{"kind":"","apiVersion":"a/b/c","metadata":{"name":"x"}}}}"#,
            None,
            &[
                (
                    "spec.t.apiVersion",
                    "FieldValueInvalid",
                    "Invalid value: \"a/b/c\": unexpected GroupVersion string: a/b/c",
                ),
                (
                    "spec.t.kind",
                    "FieldValueInvalid",
                    "Invalid value: \"\": must not be empty",
                ),
            ],
        );
    }

    /// Embedded resources need apiVersion and kind. Texts and order from the Go oracle.
    #[test]
    fn embedded_resource_requires_kind_and_api_version() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"t":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}}}}"#,
            r#"{"spec":{"t":{"metadata":{"name":"x"}}}}"#,
            None,
            &[
                ("spec.t.apiVersion", "FieldValueRequired", "Required value"),
                ("spec.t.kind", "FieldValueRequired", "Required value"),
            ],
        );
    }

    /// Kinds are DNS-1035 labels in any case; strings required. Texts from the Go oracle, which lists
    /// sibling fields in random order.
    #[test]
    fn embedded_resource_kind_must_be_a_dns_label() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"e":{"type":"array","items":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}}}}}"#,
            r#"{"spec":{"e":[{"apiVersion":"v1","kind":"My_Kind"},{"apiVersion":5,"kind":true},{"apiVersion":"/","kind":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},{"apiVersion":"","kind":"Pod"}]}}"#,
            None,
            &[
                (
                    "spec.e[0].kind",
                    "FieldValueInvalid",
                    "Invalid value: \"My_Kind\": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
                ),
                (
                    "spec.e[1].apiVersion",
                    "FieldValueInvalid",
                    "Invalid value: 5: must be a string",
                ),
                (
                    "spec.e[1].kind",
                    "FieldValueInvalid",
                    "Invalid value: true: must be a string",
                ),
                (
                    "spec.e[2].kind",
                    "FieldValueInvalid",
                    "Invalid value: \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\": may have mixed case, but should otherwise match: must be no more than 63 characters",
                ),
                (
                    "spec.e[3].apiVersion",
                    "FieldValueInvalid",
                    "Invalid value: \"\": must not be empty",
                ),
            ],
        );
    }

    /// `x-kubernetes-list-type: set`: each second appearance is reported. Texts and order from the Go
    /// oracle.
    #[test]
    fn list_type_set_duplicates() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}}}}}}"#,
            r#"{"spec":{"a":["x","y","x","x","y"]}}"#,
            None,
            &[
                ("spec.a[2]", "FieldValueDuplicate", "Duplicate value: \"x\""),
                ("spec.a[4]", "FieldValueDuplicate", "Duplicate value: \"y\""),
            ],
        );
    }

    /// Sets: `1` and `"1"` differ, `[1]` and `[1.0]` do not. Texts from the Go oracle, which lists sibling
    /// fields in random order.
    #[test]
    fn list_type_set_compares_types() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","x-kubernetes-list-type":"set","items":{"x-kubernetes-int-or-string":true}},"o":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"array","items":{"type":"number"}}},"b":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"boolean"}}}}}}"#,
            r#"{"spec":{"l":[1,"1",1,"1",1],"o":[[1],[1.0],[2]],"b":[true,false,true]}}"#,
            None,
            &[
                ("spec.b[2]", "FieldValueDuplicate", "Duplicate value: true"),
                ("spec.l[2]", "FieldValueDuplicate", "Duplicate value: 1"),
                ("spec.l[3]", "FieldValueDuplicate", "Duplicate value: \"1\""),
                ("spec.o[1]", "FieldValueDuplicate", "Duplicate value: [1]"),
            ],
        );
    }

    /// `x-kubernetes-list-type: map` with one key; missing keys are duplicates too. Texts and order from
    /// the Go oracle.
    #[test]
    fn list_type_map_duplicate_keys() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],"items":{"type":"object","properties":{"name":{"type":"string"},"v":{"type":"integer"}}}}}}}}"#,
            r#"{"spec":{"a":[{"name":"x","v":1},{"name":"x","v":2},{"v":3},{"v":4}]}}"#,
            None,
            &[
                ("spec.a[1]", "FieldValueDuplicate", "Duplicate value: {\"name\":\"x\"}"),
                ("spec.a[3]", "FieldValueDuplicate", "Duplicate value: {}"),
            ],
        );
    }

    /// Two keys. Texts and order from the Go oracle.
    #[test]
    fn list_type_map_with_two_keys() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name","port"],"items":{"type":"object","properties":{"name":{"type":"string"},"port":{"type":"integer"}}}}}}}}"#,
            r#"{"spec":{"a":[{"name":"x","port":1},{"name":"x","port":1}]}}"#,
            None,
            &[(
                "spec.a[1]",
                "FieldValueDuplicate",
                "Duplicate value: {\"name\":\"x\",\"port\":1}",
            )],
        );
    }

    /// Map lists only hold objects. Texts and order from the Go oracle.
    #[test]
    fn list_type_map_items_must_be_objects() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"}}}}}}}}"#,
            r#"{"spec":{"l":[{"k":"a"},"x",{"k":"a"}]}}"#,
            None,
            &[
                (
                    "spec.l[1]",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"string\": spec.l[1] in body must be of type object: \"string\"",
                ),
                (
                    "spec.l[1]",
                    "FieldValueInvalid",
                    "Invalid value: \"x\": must be an object for an array of list-type map",
                ),
            ],
        );
    }

    /// Null items, integer and float keys. Texts and order from the Go oracle.
    #[test]
    fn list_type_map_null_and_numbers() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","nullable":true,"properties":{"k":{"type":"string"}}}}}}}}"#,
            r#"{"spec":{"l":[null,{},{"k":1},{"k":1.0},{"k":1}]}}"#,
            None,
            &[
                (
                    "spec.l[2].k",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"integer\": spec.l[2].k in body must be of type string: \"integer\"",
                ),
                (
                    "spec.l[3].k",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"number\": spec.l[3].k in body must be of type string: \"number\"",
                ),
                (
                    "spec.l[4].k",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"integer\": spec.l[4].k in body must be of type string: \"integer\"",
                ),
                ("spec.l[1]", "FieldValueDuplicate", "Duplicate value: {}"),
                ("spec.l[4]", "FieldValueDuplicate", "Duplicate value: {\"k\":1}"),
            ],
        );
    }

    /// Items missing some of several keys. Texts and order from the Go oracle.
    #[test]
    fn list_type_map_partial_keys() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["a","b"],"items":{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"number"}}}}}}}}"#,
            r#"{"spec":{"l":[{"a":"x"},{"a":"x","c":1},{"a":"y","b":1.5},{"b":1.5,"a":"y"}]}}"#,
            None,
            &[
                ("spec.l[1]", "FieldValueDuplicate", "Duplicate value: {\"a\":\"x\"}"),
                (
                    "spec.l[3]",
                    "FieldValueDuplicate",
                    "Duplicate value: {\"a\":\"y\",\"b\":1.5}",
                ),
            ],
        );
    }

    /// On update, an unchanged invalid value is allowed. Texts and order from the Go oracle.
    #[test]
    fn ratcheting_keeps_an_unchanged_invalid_value() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
            r#"{"spec":{"r":1}}"#,
            Some(r#"{"spec":{"r":1}}"#),
            &[],
        );
    }

    /// A changed invalid value is refused. Texts and order from the Go oracle.
    #[test]
    fn ratcheting_not_for_a_changed_value() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
            r#"{"spec":{"r":2}}"#,
            Some(r#"{"spec":{"r":1}}"#),
            &[(
                "spec.r",
                "FieldValueInvalid",
                "Invalid value: 2: spec.r in body should be greater than or equal to 5",
            )],
        );
    }

    /// Another field changing does not matter. Texts and order from the Go oracle.
    #[test]
    fn ratcheting_per_field() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
            r#"{"spec":{"r":1,"s":"abc"}}"#,
            Some(r#"{"spec":{"r":7,"s":"abc"}}"#),
            &[(
                "spec.r",
                "FieldValueInvalid",
                "Invalid value: 1: spec.r in body should be greater than or equal to 5",
            )],
        );
    }

    /// An unchanged atomic list keeps its invalid items. Texts and order from the Go oracle.
    #[test]
    fn ratcheting_of_unchanged_lists() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
            r#"{"spec":{"r":5,"l":[4,5]}}"#,
            Some(r#"{"spec":{"r":5,"l":[4,5]}}"#),
            &[],
        );
    }

    /// A changed atomic list has all its errors. Texts and order from the Go oracle.
    #[test]
    fn ratcheting_not_for_changed_lists() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
            r#"{"spec":{"r":5,"l":[4,6]}}"#,
            Some(r#"{"spec":{"r":5,"l":[4,5]}}"#),
            &[
                (
                    "spec.l[0]",
                    "FieldValueInvalid",
                    "Invalid value: 4: spec.l[0] in body should be less than or equal to 3",
                ),
                (
                    "spec.l[1]",
                    "FieldValueInvalid",
                    "Invalid value: 6: spec.l[1] in body should be less than or equal to 3",
                ),
                ("spec.l", "FieldValueTooMany", "Too many: 2: must have at most 1 item"),
                (
                    "<nil>",
                    "FieldValueInvalid",
                    "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
                ),
            ],
        );
    }

    /// Map list items correlate by key, whatever their order. Texts and order from the Go oracle.
    #[test]
    fn ratcheting_of_map_list_items_by_key() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
            r#"{"spec":{"r":5,"ml":[{"k":"a","v":9},{"k":"b","v":8}]}}"#,
            Some(r#"{"spec":{"r":5,"ml":[{"k":"b","v":7},{"k":"a","v":9}]}}"#),
            &[(
                "spec.ml[1].v",
                "FieldValueInvalid",
                "Invalid value: 8: spec.ml[1].v in body should be less than or equal to 3",
            )],
        );
    }

    /// Set duplicates are allowed when the old object had some. Texts and order from the Go oracle.
    #[test]
    fn ratcheting_of_list_types_when_old_had_duplicates() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
            r#"{"spec":{"r":5,"set":["a","a","b","b"]}}"#,
            Some(r#"{"spec":{"r":5,"set":["a","a"]}}"#),
            &[],
        );
    }

    /// New duplicates are refused. Texts and order from the Go oracle.
    #[test]
    fn ratcheting_not_for_new_duplicates() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
            r#"{"spec":{"r":5,"set":["a","a"]}}"#,
            Some(r#"{"spec":{"r":5,"set":["a"]}}"#),
            &[("spec.set[1]", "FieldValueDuplicate", "Duplicate value: \"a\"")],
        );
    }

    /// A missing required field in an unchanged object. Texts and order from the Go oracle.
    #[test]
    fn ratcheting_of_required_when_unchanged() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
            r#"{"spec":{}}"#,
            Some(r#"{"spec":{}}"#),
            &[],
        );
    }

    /// The root never compares equal (metadata has no schema): its errors stay. Texts and order from the Go
    /// oracle.
    #[test]
    fn ratcheting_not_at_the_root() {
        check(
            r#"{"type":"object","minProperties":9,"properties":{"apiVersion":{"type":"string"},"kind":{"type":"string"},"metadata":{"type":"object"},"spec":{"type":"object"}}}"#,
            r#"{"spec":{}}"#,
            Some(r#"{"spec":{}}"#),
            &[(
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: 4:  in body should have at least 9 properties",
            )],
        );
    }

    /// `1.0` is not `1`: no ratcheting. Texts and order from the Go oracle.
    #[test]
    fn ratcheting_compares_types() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
            r#"{"spec":{"r":1.0}}"#,
            Some(r#"{"spec":{"r":1}}"#),
            &[(
                "spec.r",
                "FieldValueInvalid",
                "Invalid value: 1: spec.r in body should be greater than or equal to 5",
            )],
        );
    }

    /// Unchanged values skip their rules, except transition rules. Texts and order from the Go oracle.
    #[test]
    fn ratcheting_of_rules_without_old_self() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
            r#"{"spec":{"r":5,"c":7}}"#,
            Some(r#"{"spec":{"r":5,"c":7}}"#),
            &[],
        );
    }

    /// A changed value has its rules checked. Texts and order from the Go oracle.
    #[test]
    fn ratcheting_not_for_changed_rules() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
            r#"{"spec":{"r":5,"c":8}}"#,
            Some(r#"{"spec":{"r":5,"c":7}}"#),
            &[
                ("spec.c", "FieldValueInvalid", "Invalid value: 8: failed rule: self < 3"),
                ("spec.c", "FieldValueInvalid", "Invalid value: 8: up"),
            ],
        );
    }

    /// Rules on items of an unchanged atomic list ratchet with the list. Texts and order from the Go
    /// oracle.
    #[test]
    fn ratcheting_of_rules_on_atomic_list_items() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","items":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"}]}},"o":{"type":"integer"}}}}}"#,
            r#"{"spec":{"l":[5],"o":2}}"#,
            Some(r#"{"spec":{"l":[5],"o":1}}"#),
            &[],
        );
    }

    /// Transition rules never ratchet. Texts and order from the Go oracle.
    #[test]
    fn ratcheting_of_transition_rules() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"n":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 0 || self > oldSelf","message":"t"},{"rule":"self < 0","message":"nt"}]}}}}}"#,
            r#"{"spec":{"n":1}}"#,
            Some(r#"{"spec":{"n":1}}"#),
            &[("spec.n", "FieldValueInvalid", "Invalid value: 1: t")],
        );
    }

    /// A failed rule on an object: no value printed. Texts and order from the Go oracle.
    #[test]
    fn cel_rule() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-validations":[{"rule":"self.a < 3"}],"properties":{"a":{"type":"integer"}}}}}"#,
            r#"{"spec":{"a":5}}"#,
            None,
            &[("spec", "FieldValueInvalid", "Invalid value: failed rule: self.a < 3")],
        );
    }

    /// Blocking errors skip the rules, with the server's own cause. Texts and order from the Go oracle.
    #[test]
    fn cel_skipped_after_blocking_errors() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-validations":[{"rule":"self.a < 3"}],"properties":{"a":{"type":"integer"},"b":{"type":"string","enum":["x","y"]}}}}}"#,
            r#"{"spec":{"a":5,"b":"z"}}"#,
            None,
            &[
                (
                    "spec.b",
                    "FieldValueNotSupported",
                    "Unsupported value: \"z\": supported values: \"x\", \"y\"",
                ),
                (
                    "<nil>",
                    "FieldValueInvalid",
                    "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
                ),
            ],
        );
    }

    /// `minimum` errors do not block the rules. Texts and order from the Go oracle.
    #[test]
    fn cel_not_skipped_after_invalid_values() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer","minimum":5}},"x-kubernetes-validations":[{"rule":"self.a > 10"}]}}}"#,
            r#"{"spec":{"a":1}}"#,
            None,
            &[
                (
                    "spec.a",
                    "FieldValueInvalid",
                    "Invalid value: 1: spec.a in body should be greater than or equal to 5",
                ),
                ("spec", "FieldValueInvalid", "Invalid value: failed rule: self.a > 10"),
            ],
        );
    }

    /// Set duplicates do not block the rules. Texts and order from the Go oracle.
    #[test]
    fn cel_not_skipped_after_duplicates() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}}},"x-kubernetes-validations":[{"rule":"size(self.a) > 5"}]}}}"#,
            r#"{"spec":{"a":["x","x"]}}"#,
            None,
            &[
                ("spec.a[1]", "FieldValueDuplicate", "Duplicate value: \"x\""),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: failed rule: size(self.a) > 5",
                ),
            ],
        );
    }

    /// A type error blocks. Texts and order from the Go oracle.
    #[test]
    fn cel_skipped_after_a_type_error() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string","x-kubernetes-validations":[{"rule":"self == 'q'"}]}}}}}"#,
            r#"{"spec":{"a":"x","b":"r"}}"#,
            None,
            &[
                (
                    "spec.a",
                    "FieldValueTypeInvalid",
                    "Invalid value: \"string\": spec.a in body must be of type integer: \"string\"",
                ),
                (
                    "<nil>",
                    "FieldValueInvalid",
                    "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
                ),
            ],
        );
    }

    /// `maxLength` blocks. Texts and order from the Go oracle.
    #[test]
    fn cel_skipped_after_too_long() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"string","maxLength":1},"b":{"type":"string","x-kubernetes-validations":[{"rule":"self == 'q'"}]}}}}}"#,
            r#"{"spec":{"a":"xx","b":"r"}}"#,
            None,
            &[
                ("spec.a", "FieldValueTooLong", "Too long: may not be more than 1 byte"),
                (
                    "<nil>",
                    "FieldValueInvalid",
                    "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
                ),
            ],
        );
    }

    /// `maxItems` blocks. Texts and order from the Go oracle.
    #[test]
    fn cel_skipped_after_too_many() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"array","maxItems":0,"items":{"type":"string"}},"b":{"type":"string","x-kubernetes-validations":[{"rule":"self == 'q'"}]}}}}}"#,
            r#"{"spec":{"a":["x"],"b":"r"}}"#,
            None,
            &[
                ("spec.a", "FieldValueTooMany", "Too many: 1: must have at most 0 items"),
                (
                    "<nil>",
                    "FieldValueInvalid",
                    "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
                ),
            ],
        );
    }

    /// A failed `anyOf` does not block. Texts and order from the Go oracle.
    #[test]
    fn cel_not_skipped_after_any_of() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer","anyOf":[{"minimum":3}]},"b":{"type":"string","x-kubernetes-validations":[{"rule":"self == 'q'"}]}}}}}"#,
            r#"{"spec":{"a":1,"b":"r"}}"#,
            None,
            &[
                (
                    "<nil>",
                    "FieldValueInvalid",
                    "Invalid value: \"\": \"spec.a\" must validate at least one schema (anyOf)",
                ),
                (
                    "spec.a",
                    "FieldValueInvalid",
                    "Invalid value: 1: spec.a in body should be greater than or equal to 3",
                ),
                (
                    "spec.b",
                    "FieldValueInvalid",
                    "Invalid value: \"r\": failed rule: self == 'q'",
                ),
            ],
        );
    }

    /// A rule at the root has the nil path. Texts and order from the Go oracle.
    #[test]
    fn cel_rule_at_the_root() {
        check(
            r#"{"type":"object","x-kubernetes-validations":[{"rule":"self.metadata.name == 'x'"}],"properties":{"spec":{"type":"object"}}}"#,
            r#"{"spec":{}}"#,
            None,
            &[(
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: failed rule: self.metadata.name == 'x'",
            )],
        );
    }

    /// `self.kind`, `self.apiVersion`, `self.metadata.name` at the root. Texts and order from the Go
    /// oracle.
    #[test]
    fn cel_root_sees_kind_api_version_and_name() {
        check(
            r#"{"type":"object","x-kubernetes-validations":[{"rule":"self.metadata.name == 'w'"},{"rule":"self.kind == 'Widget'"},{"rule":"self.apiVersion == 'example.com/v1'"},{"rule":"self.spec.x == 2"}],"properties":{"spec":{"type":"object","properties":{"x":{"type":"integer"}}}}}"#,
            r#"{"metadata":{"labels":{"a":"b"}},"spec":{"x":1,"e":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{}}}}"#,
            None,
            &[(
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: failed rule: self.spec.x == 2",
            )],
        );
    }

    /// `message`, `messageExpression`, each `reason`, `fieldPath`. Texts and order from the Go oracle.
    #[test]
    fn cel_message_message_expression_reason_and_field_path() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-validations":[{"rule":"self.a < 3","message":" too big "},{"rule":"self.a < 3","messageExpression":"'a is ' + string(self.a)"},{"rule":"self.a < 3","reason":"FieldValueForbidden","message":"no"},{"rule":"self.a < 3","reason":"FieldValueRequired"},{"rule":"self.a < 3","reason":"FieldValueDuplicate","fieldPath":".a"},{"rule":"self.a < 3","fieldPath":".a","reason":"FieldValueInvalid"},{"rule":"self.a < 3","messageExpression":"''"},{"rule":"self.a < 3","messageExpression":"1/0 == 1 ? 'x' : 'y'"}],"properties":{"a":{"type":"integer"}}}}}"#,
            r#"{"spec":{"a":5}}"#,
            None,
            &[
                ("spec", "FieldValueInvalid", "Invalid value: too big"),
                ("spec", "FieldValueInvalid", "Invalid value: a is 5"),
                ("spec", "FieldValueForbidden", "Forbidden: no"),
                ("spec", "FieldValueRequired", "Required value: failed rule: self.a < 3"),
                ("spec.a", "FieldValueDuplicate", "Duplicate value"),
                ("spec.a", "FieldValueInvalid", "Invalid value: failed rule: self.a < 3"),
                ("spec", "FieldValueInvalid", "Invalid value: failed rule: self.a < 3"),
                ("spec", "FieldValueInvalid", "Invalid value: failed rule: self.a < 3"),
            ],
        );
    }

    /// Rules on scalars print their value; map keys in brackets. Texts from the Go oracle, which lists
    /// sibling fields in random order.
    #[test]
    fn cel_rules_on_scalars_print_the_value() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"}]},"s":{"type":"string","x-kubernetes-validations":[{"rule":"self.startsWith('x')"}]},"m":{"type":"object","additionalProperties":{"type":"string","x-kubernetes-validations":[{"rule":"self != 'bad'"}]}},"l":{"type":"array","items":{"type":"object","x-kubernetes-validations":[{"rule":"self.v > 0"}],"properties":{"v":{"type":"number"}}}}}}}}"#,
            r#"{"spec":{"a":5,"s":"abc","m":{"k.x":"bad"},"l":[{"v":1},{"v":-1.5}]}}"#,
            None,
            &[
                ("spec.a", "FieldValueInvalid", "Invalid value: 5: failed rule: self < 3"),
                (
                    "spec.l[1]",
                    "FieldValueInvalid",
                    "Invalid value: failed rule: self.v > 0",
                ),
                (
                    "spec.m[k.x]",
                    "FieldValueInvalid",
                    "Invalid value: \"bad\": failed rule: self != 'bad'",
                ),
                (
                    "spec.s",
                    "FieldValueInvalid",
                    "Invalid value: \"abc\": failed rule: self.startsWith('x')",
                ),
            ],
        );
    }

    /// Transition rules are skipped on create, unless `optionalOldSelf`. Texts and order from the Go
    /// oracle.
    #[test]
    fn cel_transition_rules_skipped_on_create() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer","x-kubernetes-validations":[{"rule":"self >= oldSelf","message":"no decrease"}]},"b":{"type":"integer","x-kubernetes-validations":[{"rule":"oldSelf.hasValue()","optionalOldSelf":true,"message":"must exist"}]}}}}}"#,
            r#"{"spec":{"a":1,"b":1}}"#,
            None,
            &[("spec.b", "FieldValueInvalid", "Invalid value: 1: must exist")],
        );
    }

    /// `oldSelf` of map list items by key, of map values; none for atomic list items; a message expression
    /// with `oldSelf`. Texts from the Go oracle, which lists sibling fields in random order.
    #[test]
    fn cel_transition_rules_with_correlation() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"n":{"type":"integer"},"l":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer"}},"x-kubernetes-validations":[{"rule":"self.v >= oldSelf.v","message":"v down"}]}},"al":{"type":"array","items":{"type":"integer","x-kubernetes-validations":[{"rule":"self == oldSelf","message":"atomic item"}]}},"m":{"type":"object","additionalProperties":{"type":"integer","x-kubernetes-validations":[{"rule":"self >= oldSelf","message":"m down"}]}},"am":{"type":"object","x-kubernetes-map-type":"atomic","additionalProperties":{"type":"integer","x-kubernetes-validations":[{"rule":"self >= oldSelf","message":"am down"}]}}},"x-kubernetes-validations":[{"rule":"self.n >= oldSelf.n","message":"n down"},{"rule":"oldSelf.hasValue() && oldSelf.value().n == 2","optionalOldSelf":true,"message":"opt"},{"rule":"self.n == 5","messageExpression":"'old ' + string(oldSelf.n)"}]}}}"#,
            r#"{"spec":{"n":1,"l":[{"k":"a","v":1},{"k":"b","v":5}],"al":[1,2],"m":{"x":1,"y":2},"am":{"x":1}}}"#,
            Some(r#"{"spec":{"n":2,"l":[{"k":"b","v":6},{"k":"a","v":0}],"al":[1,3],"m":{"x":2},"am":{"x":2}}}"#),
            &[
                ("spec", "FieldValueInvalid", "Invalid value: n down"),
                ("spec", "FieldValueInvalid", "Invalid value: old 2"),
                ("spec.am[x]", "FieldValueInvalid", "Invalid value: 1: am down"),
                ("spec.l[1]", "FieldValueInvalid", "Invalid value: v down"),
                ("spec.m[x]", "FieldValueInvalid", "Invalid value: 1: m down"),
            ],
        );
    }

    /// `optionalOldSelf` on create: `oldSelf` is none. Texts and order from the Go oracle.
    #[test]
    fn cel_optional_old_self_on_create() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"n":{"type":"integer"}},"x-kubernetes-validations":[{"rule":"!oldSelf.hasValue()","optionalOldSelf":true,"message":"opt1"},{"rule":"oldSelf.hasValue()","optionalOldSelf":true,"message":"opt2"},{"rule":"oldSelf.orValue(self).n == 7","optionalOldSelf":true,"message":"opt3"}]}}}"#,
            r#"{"spec":{"n":1}}"#,
            None,
            &[
                ("spec", "FieldValueInvalid", "Invalid value: opt2"),
                ("spec", "FieldValueInvalid", "Invalid value: opt3"),
            ],
        );
    }

    /// The message expression of an optionalOldSelf rule falls back to the rule. Texts and order from the
    /// Go oracle.
    #[test]
    fn cel_optional_old_self_message_expression_falls_back() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"n":{"type":"integer","x-kubernetes-validations":[{"rule":"oldSelf.hasValue() && self > oldSelf.value()","optionalOldSelf":true,"messageExpression":"'was ' + string(oldSelf)"}]}}}}}"#,
            r#"{"spec":{"n":1}}"#,
            Some(r#"{"spec":{"n":2}}"#),
            &[(
                "spec.n",
                "FieldValueInvalid",
                "Invalid value: 1: failed rule: oldSelf.hasValue() && self > oldSelf.value()",
            )],
        );
    }

    /// Trimmed, multi-line, non-string and failing message expressions. Texts and order from the Go oracle.
    #[test]
    fn cel_message_expression_edge_cases() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"n":{"type":"integer"}},"x-kubernetes-validations":[{"rule":"false","messageExpression":"'n=' + string(self.n)"},{"rule":"false","messageExpression":"'  padded  '"},{"rule":"false","messageExpression":"'a\\nb'","message":"fallback"},{"rule":"false","messageExpression":"self.n","message":"notstring"},{"rule":"false","messageExpression":"self.nope","message":"err"},{"rule":"false","messageExpression":"'x'.repeat(1)"},{"rule":"false","message":"  spaces  "}]}}}"#,
            r#"{"spec":{"n":3}}"#,
            None,
            &[
                ("spec", "FieldValueInvalid", "Invalid value: n=3"),
                ("spec", "FieldValueInvalid", "Invalid value: padded"),
                ("spec", "FieldValueInvalid", "Invalid value: fallback"),
                ("spec", "FieldValueInvalid", "Invalid value: notstring"),
                ("spec", "FieldValueInvalid", "Invalid value: err"),
                ("spec", "FieldValueInvalid", "Invalid value: failed rule: false"),
                ("spec", "FieldValueInvalid", "Invalid value: spaces"),
            ],
        );
    }

    /// `fieldPath` with map keys and quoted names; invalid ones are ignored. Texts and order from the Go
    /// oracle.
    #[test]
    fn cel_field_path_forms() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"m":{"type":"object","additionalProperties":{"type":"integer"}},"o":{"type":"object","properties":{"x.y":{"type":"integer"}}}},"x-kubernetes-validations":[{"rule":"false","fieldPath":".m['k']"},{"rule":"false","fieldPath":".o['x.y']"},{"rule":"false","fieldPath":".o.nope"},{"rule":"false","fieldPath":".m.k"}]}}}"#,
            r#"{"spec":{"m":{"k":1},"o":{"x.y":1}}}"#,
            None,
            &[
                ("spec.m[k]", "FieldValueInvalid", "Invalid value: failed rule: false"),
                ("spec.o.x.y", "FieldValueInvalid", "Invalid value: failed rule: false"),
                ("spec", "FieldValueInvalid", "Invalid value: failed rule: false"),
                ("spec.m[k]", "FieldValueInvalid", "Invalid value: failed rule: false"),
            ],
        );
    }

    /// Duplicate, Required, Forbidden; printed values; untyped fields are not validated. Texts from the Go
    /// oracle, which lists sibling fields in random order.
    #[test]
    fn cel_reasons_and_values() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"s":{"type":"string","x-kubernetes-validations":[{"rule":"false","reason":"FieldValueDuplicate"},{"rule":"false","reason":"FieldValueRequired","message":"req"},{"rule":"false","reason":"FieldValueForbidden"}]},"f":{"type":"number","x-kubernetes-validations":[{"rule":"false"}]},"b":{"type":"boolean","x-kubernetes-validations":[{"rule":"false"}]},"l":{"type":"array","items":{"type":"string"},"x-kubernetes-validations":[{"rule":"false","reason":"FieldValueDuplicate"},{"rule":"false"}]},"pu":{"x-kubernetes-preserve-unknown-fields":true,"x-kubernetes-validations":[{"rule":"false"}]}},"x-kubernetes-validations":[]}}}"#,
            r#"{"spec":{"s":"x\"y","f":2.5,"b":false,"l":[],"pu":{"a":[1,2.5]}}}"#,
            None,
            &[
                (
                    "spec.b",
                    "FieldValueInvalid",
                    "Invalid value: false: failed rule: false",
                ),
                ("spec.f", "FieldValueInvalid", "Invalid value: 2.5: failed rule: false"),
                ("spec.l", "FieldValueDuplicate", "Duplicate value"),
                ("spec.l", "FieldValueInvalid", "Invalid value: failed rule: false"),
                ("spec.s", "FieldValueDuplicate", "Duplicate value: \"x\\\"y\""),
                ("spec.s", "FieldValueRequired", "Required value: req"),
                ("spec.s", "FieldValueForbidden", "Forbidden: failed rule: false"),
            ],
        );
    }

    /// Rules in `allOf` branches, after the node's own. Texts and order from the Go oracle.
    #[test]
    fn cel_all_of_rules() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"x":{"type":"integer"}},"allOf":[{"x-kubernetes-validations":[{"rule":"self.x > 5","message":"allof1"}]},{"properties":{"x":{"x-kubernetes-validations":[{"rule":"self > 6","message":"allof2"}]}}}],"x-kubernetes-validations":[{"rule":"self.x > 4","message":"own"}]}}}"#,
            r#"{"spec":{"x":1}}"#,
            None,
            &[
                ("spec", "FieldValueInvalid", "Invalid value: own"),
                ("spec", "FieldValueInvalid", "Invalid value: allof1"),
                ("spec.x", "FieldValueInvalid", "Invalid value: 1: allof2"),
            ],
        );
    }

    /// Int-or-string values are dynamic. Texts and order from the Go oracle.
    #[test]
    fn cel_int_or_string() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"ios":{"x-kubernetes-int-or-string":true,"x-kubernetes-validations":[{"rule":"self == 5"},{"rule":"self == '5'"},{"rule":"self > 10"}]}},"x-kubernetes-validations":[]}}}"#,
            r#"{"spec":{"ios":5}}"#,
            None,
            &[
                (
                    "spec.ios",
                    "FieldValueInvalid",
                    "Invalid value: 5: failed rule: self == '5'",
                ),
                (
                    "spec.ios",
                    "FieldValueInvalid",
                    "Invalid value: 5: failed rule: self > 10",
                ),
            ],
        );
    }

    /// `type(self) == string ? ... : ...`. Texts and order from the Go oracle.
    #[test]
    fn cel_int_or_string_type_switch() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"p":{"x-kubernetes-int-or-string":true,"x-kubernetes-validations":[{"rule":"type(self) == string ? self.endsWith('%') : self < 10"}]}}}}}"#,
            r#"{"spec":{"p":50}}"#,
            None,
            &[(
                "spec.p",
                "FieldValueInvalid",
                "Invalid value: 50: failed rule: type(self) == string ? self.endsWith('%') : self < 10",
            )],
        );
    }

    /// No such key, division by zero, index out of bounds, overflow, no such overload. Texts and order from
    /// the Go oracle.
    #[test]
    fn cel_evaluation_errors() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-validations":[{"rule":"self.a / 0 == 1"},{"rule":"self.a % 0 == 1"},{"rule":"[1,2][5] == 1"},{"rule":"self.l[5] == 1"},{"rule":"9223372036854775807 + self.a > 0"}],"properties":{"a":{"type":"integer"},"l":{"type":"array","items":{"type":"integer"}}}}}}"#,
            r#"{"spec":{"a":5,"l":[1]}}"#,
            None,
            &[
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"object\": division by zero evaluating rule: self.a / 0 == 1",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"object\": modulus by zero evaluating rule: self.a % 0 == 1",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"object\": index out of bounds: 5 evaluating rule: [1,2][5] == 1",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"object\": index out of bounds: 5 evaluating rule: self.l[5] == 1",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"object\": integer overflow evaluating rule: 9223372036854775807 + self.a > 0",
                ),
            ],
        );
    }

    /// A missing field. Texts and order from the Go oracle.
    #[test]
    fn cel_no_such_key() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-validations":[{"rule":"self.b == 1"}],"properties":{"a":{"type":"integer"},"b":{"type":"integer"}}}}}"#,
            r#"{"spec":{"a":5}}"#,
            None,
            &[(
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": no such key: b evaluating rule: self.b == 1",
            )],
        );
    }

    /// Dynamic values with the wrong type. Texts and order from the Go oracle.
    #[test]
    fn cel_no_such_overload() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-validations":[{"rule":"self.a + 1 == 2"}],"properties":{"a":{"x-kubernetes-int-or-string":true}}}}}"#,
            r#"{"spec":{"a":"x"}}"#,
            None,
            &[(
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": 'no such overload': call arguments did not match a supported operator, function or macro signature for rule: self.a + 1 == 2",
            )],
        );
    }

    /// Conversions, regexps, indices, comprehensions. Texts and order from the Go oracle.
    #[test]
    fn cel_runtime_errors() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"s":{"type":"string"},"n":{"type":"integer"},"f":{"type":"number"},"l":{"type":"array","items":{"type":"integer"}},"ios":{"x-kubernetes-int-or-string":true}},"x-kubernetes-validations":[{"rule":"int(self.s) == 1"},{"rule":"uint(self.s) == 1u"},{"rule":"double(self.s) == 1.0"},{"rule":"duration(self.s) > duration('1s')"},{"rule":"timestamp(self.s) > timestamp('2020-01-01T00:00:00Z')"},{"rule":"self.s.matches(self.s)"},{"rule":"self.l[self.n] == 1"},{"rule":"self.l[-1] == 1"},{"rule":"self.n / 0 == 1"},{"rule":"int(self.f) == 1"},{"rule":"self.ios.startsWith('x')"},{"rule":"self.ios + 1 == 2"},{"rule":"self.s.charAt(10) == 'x'"},{"rule":"self.s.substring(5) == 'x'"},{"rule":"self.l.all(x, 1 / x > 0)"},{"rule":"[1,2,3].map(x, x / self.n)[0] == 1"},{"rule":"{'a':1}[self.s] == 1"},{"rule":"self.s.find(self.s) == ''"},{"rule":"self.l.sum() > 100"},{"rule":"self.l.max() > 100"}]}}}"#,
            r#"{"spec":{"s":"[x","n":0,"f":1e+300,"l":[0],"ios":5}}"#,
            None,
            &[
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"object\": type conversion error from 'string' to 'int' evaluating rule: int(self.s) == 1",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"object\": type conversion error from 'string' to 'uint' evaluating rule: uint(self.s) == 1u",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"object\": type conversion error from 'string' to 'double' evaluating rule: double(self.s) == 1.0",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"object\": type conversion error from 'string' to 'google.protobuf.Duration' evaluating rule: duration(self.s) > duration('1s')",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"object\": type conversion error from 'string' to 'google.protobuf.Timestamp' evaluating rule: timestamp(self.s) > timestamp('2020-01-01T00:00:00Z')",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"object\": error parsing regexp: missing closing ]: `[x` evaluating rule: self.s.matches(self.s)",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: failed rule: self.l[self.n] == 1",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"object\": index out of bounds: -1 evaluating rule: self.l[-1] == 1",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"object\": division by zero evaluating rule: self.n / 0 == 1",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"object\": integer overflow evaluating rule: int(self.f) == 1",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"object\": 'no such overload': call arguments did not match a supported operator, function or macro signature for rule: self.ios.startsWith('x')",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: failed rule: self.ios + 1 == 2",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"object\": index out of range: 10 evaluating rule: self.s.charAt(10) == 'x'",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"object\": index out of range: 5 evaluating rule: self.s.substring(5) == 'x'",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"object\": division by zero evaluating rule: self.l.all(x, 1 / x > 0)",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"object\": division by zero evaluating rule: [1,2,3].map(x, x / self.n)[0] == 1",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"object\": no such key: [x evaluating rule: {'a':1}[self.s] == 1",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: \"object\": Illegal regex: error parsing regexp: missing closing ]: `[x` evaluating rule: self.s.find(self.s) == ''",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: failed rule: self.l.sum() > 100",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: failed rule: self.l.max() > 100",
                ),
            ],
        );
    }

    /// has, size, all, exists, exists_one, map, filter and string functions. Texts and order from the Go
    /// oracle.
    #[test]
    fn cel_functions_and_macros() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-validations":[{"rule":"self.s.lowerAscii() == 'abc'"},{"rule":"self.s.matches('^A')"},{"rule":"self.l.all(x, x > 0)"},{"rule":"self.l.exists_one(x, x > 1)"},{"rule":"self.l.map(x, x * 2).filter(x, x > 2).size() == 2"},{"rule":"has(self.z)"},{"rule":"size(self.s) == 3 && self.s.endsWith('C') && self.s.contains('B')"},{"rule":"self.l.isSorted() && self.l.sum() == 6 && self.l.max() == 3 && self.l.indexOf(2) == 1"},{"rule":"self.s.upperAscii() == 'ABC'"},{"rule":"'a,b'.split(',').size() == 2 && ' x '.trim() == 'x' && 'abc'.replace('b','x') == 'axc'"}],"properties":{"s":{"type":"string"},"z":{"type":"string"},"l":{"type":"array","items":{"type":"integer"}}}}}}"#,
            r#"{"spec":{"s":"AbC","l":[1,2,3]}}"#,
            None,
            &[
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: failed rule: self.l.exists_one(x, x > 1)",
                ),
                ("spec", "FieldValueInvalid", "Invalid value: failed rule: has(self.z)"),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: failed rule: size(self.s) == 3 && self.s.endsWith('C') && self.s.contains('B')",
                ),
            ],
        );
    }

    /// Rules on embedded resources see their kind and name. Texts and order from the Go oracle.
    #[test]
    fn cel_embedded_resource_items() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","items":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true,"properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true}},"x-kubernetes-validations":[{"rule":"self.metadata.name.startsWith('a')","fieldPath":".metadata.name"},{"rule":"has(self.spec)"}]}}}}}}"#,
            r#"{"spec":{"l":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"b"}},{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"},"spec":{}}]}}"#,
            None,
            &[
                (
                    "spec.l[0]",
                    "FieldValueInvalid",
                    "Invalid value: failed rule: self.metadata.name.startsWith('a')",
                ),
                (
                    "spec.l[0]",
                    "FieldValueInvalid",
                    "Invalid value: failed rule: has(self.spec)",
                ),
            ],
        );
    }

    /// A transition rule at the root with a fieldPath. Texts and order from the Go oracle.
    #[test]
    fn cel_transition_rule_at_the_root() {
        check(
            r#"{"type":"object","x-kubernetes-validations":[{"rule":"self.spec.x == oldSelf.spec.x","message":"immutable","fieldPath":".spec.x"}],"properties":{"spec":{"type":"object","properties":{"x":{"type":"string"}}}}}"#,
            r#"{"spec":{"x":"b"}}"#,
            Some(r#"{"spec":{"x":"a"}}"#),
            &[("spec.x", "FieldValueInvalid", "Invalid value: immutable")],
        );
    }

    /// `format: duration` values are CEL durations. Texts and order from the Go oracle.
    #[test]
    fn cel_duration_format() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"d":{"type":"string","format":"duration","x-kubernetes-validations":[{"rule":"self < duration('1h')"},{"rule":"self == duration('72h')"}]}}}}}"#,
            r#"{"spec":{"d":"3 days"}}"#,
            None,
            &[(
                "spec.d",
                "FieldValueInvalid",
                "Invalid value: \"3 days\": failed rule: self < duration('1h')",
            )],
        );
    }

    /// Properties CEL cannot name still have their own rules. Texts from the Go oracle, which lists sibling
    /// fields in random order.
    #[test]
    fn cel_unescapable_property_names() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"o":{"type":"object","properties":{"a b":{"type":"integer","x-kubernetes-validations":[{"rule":"self > 1"}]},"1x":{"type":"integer","x-kubernetes-validations":[{"rule":"self > 1"}]}}}}}}}"#,
            r#"{"spec":{"o":{"a b":0,"1x":0}}}"#,
            None,
            &[
                (
                    "spec.o.1x",
                    "FieldValueInvalid",
                    "Invalid value: 0: failed rule: self > 1",
                ),
                (
                    "spec.o.a b",
                    "FieldValueInvalid",
                    "Invalid value: 0: failed rule: self > 1",
                ),
            ],
        );
    }

    /// Rules on items of items. Texts and order from the Go oracle.
    #[test]
    fn cel_nested_lists() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","items":{"type":"array","items":{"type":"integer","x-kubernetes-validations":[{"rule":"self > 0"}]}}}}}}}"#,
            r#"{"spec":{"l":[[1,0],[-1]]}}"#,
            None,
            &[
                (
                    "spec.l[0][1]",
                    "FieldValueInvalid",
                    "Invalid value: 0: failed rule: self > 0",
                ),
                (
                    "spec.l[1][0]",
                    "FieldValueInvalid",
                    "Invalid value: -1: failed rule: self > 0",
                ),
            ],
        );
    }

    /// `type: number` values are doubles in CEL. Texts and order from the Go oracle.
    #[test]
    fn cel_number_given_an_integer() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"f":{"type":"number","x-kubernetes-validations":[{"rule":"self == 2.0"},{"rule":"self > 2.5"}]}}}}}"#,
            r#"{"spec":{"f":2}}"#,
            None,
            &[(
                "spec.f",
                "FieldValueInvalid",
                "Invalid value: 2: failed rule: self > 2.5",
            )],
        );
    }

    /// Values print with Go's `%q`. Texts and order from the Go oracle.
    #[test]
    fn cel_string_values_quote_like_go() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"s":{"type":"string","x-kubernetes-validations":[{"rule":"false"}]}}}}}"#,
            r#"{"spec":{"s":"tab\there é \u0007 \u200b"}}"#,
            None,
            &[(
                "spec.s",
                "FieldValueInvalid",
                "Invalid value: \"tab\\there é \\a \\u200b\": failed rule: false",
            )],
        );
    }

    /// `in` and `exists` on lists. Texts and order from the Go oracle.
    #[test]
    fn cel_in_and_exists() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","items":{"type":"string"}}},"x-kubernetes-validations":[{"rule":"'b' in self.l"},{"rule":"self.l.exists(x, x == 'z')"}]}}}"#,
            r#"{"spec":{"l":["a","b"]}}"#,
            None,
            &[(
                "spec",
                "FieldValueInvalid",
                "Invalid value: failed rule: self.l.exists(x, x == 'z')",
            )],
        );
    }

    /// Map values correlate by key. Texts and order from the Go oracle.
    #[test]
    fn cel_granular_map_values() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"m":{"type":"object","x-kubernetes-map-type":"granular","additionalProperties":{"type":"string","x-kubernetes-validations":[{"rule":"self == oldSelf","message":"immutable value"}]}}}}}}"#,
            r#"{"spec":{"m":{"a":"1","b":"2"}}}"#,
            Some(r#"{"spec":{"m":{"a":"0"}}}"#),
            &[(
                "spec.m[a]",
                "FieldValueInvalid",
                "Invalid value: \"1\": immutable value",
            )],
        );
    }

    /// A new field has no old value: its transition rules are skipped. Texts and order from the Go oracle.
    #[test]
    fn cel_transition_rule_without_old_value() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"o":{"type":"object","properties":{"x":{"type":"integer","x-kubernetes-validations":[{"rule":"self == oldSelf","message":"x immutable"}]}}}}}}}"#,
            r#"{"spec":{"o":{"x":1}}}"#,
            Some(r#"{"spec":{}}"#),
            &[],
        );
    }

    /// Strings, lists, Kubernetes' list, regex and sets functions, formats and escaped names. Texts and
    /// order from the Go oracle.
    #[test]
    fn cel_library() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"s":{"type":"string"},"n":{"type":"integer"},"f":{"type":"number"},"b":{"type":"boolean"},"l":{"type":"array","items":{"type":"string"}},"il":{"type":"array","items":{"type":"integer"}},"m":{"type":"object","additionalProperties":{"type":"integer"}},"o":{"type":"object","properties":{"x":{"type":"integer"},"y":{"type":"string"}}},"ios":{"x-kubernetes-int-or-string":true},"d":{"type":"string","format":"duration"},"t":{"type":"string","format":"date-time"},"dt":{"type":"string","format":"date"},"by":{"type":"string","format":"byte"},"dash-name":{"type":"string"},"namespace":{"type":"string"},"a__b":{"type":"string"},"nl":{"type":"string","nullable":true},"pu":{"type":"object","x-kubernetes-preserve-unknown-fields":true}},"x-kubernetes-validations":[{"rule":"self.s.startsWith('He') && self.s.endsWith('lo') && self.s.contains('ell')"},{"rule":"self.s.matches('^H[a-z]+$')"},{"rule":"self.s.lowerAscii() == 'hello' && self.s.upperAscii() == 'HELLO'"},{"rule":"size(self.s) == 5 && self.s.size() == 5"},{"rule":"self.l.all(x, x.size() == 1)"},{"rule":"self.l.exists(x, x == 'b')"},{"rule":"self.l.exists_one(x, x == 'b')"},{"rule":"self.l.map(x, x + x) == ['aa','bb','cc']"},{"rule":"self.il.filter(x, x > 1) == [3, 2]"},{"rule":"has(self.o.x) && !has(self.o.y)"},{"rule":"has(self.m.k1)"},{"rule":"'k1' in self.m"},{"rule":"self.m.all(k, self.m[k] > 0)"},{"rule":"self.f > 1 && self.f < 2.0"},{"rule":"self.b"},{"rule":"self.ios == '50%'"},{"rule":"self.d == duration('90m')"},{"rule":"self.t > timestamp('2019-12-31T00:00:00Z')"},{"rule":"self.t.getHours() == 10"},{"rule":"self.dt == timestamp('2020-01-02T00:00:00Z')"},{"rule":"self.by == b'hello'"},{"rule":"self.dash__dash__name == 'dn'"},{"rule":"self.__namespace__ == 'ns'"},{"rule":"self.a__underscores__b == 'ab'"},{"rule":"!has(self.nl)"},{"rule":"self.il.isSorted()"},{"rule":"self.l.isSorted()"},{"rule":"self.il.sum() == 6"},{"rule":"self.il.min() == 1 && self.il.max() == 3"},{"rule":"self.l.indexOf('b') == 1 && self.l.lastIndexOf('z') == -1"},{"rule":"self.s.find('l+') == 'll'"},{"rule":"self.s.findAll('l') == ['l','l']"},{"rule":"sets.contains(self.l, ['a']) && sets.intersects(self.l, ['z','c']) && !sets.equivalent(self.l, ['a'])"},{"rule":"self.s.indexOf('l') == 2 && self.s.replace('l','L') == 'HeLLo' && self.s.split('e') == ['H','llo'] && self.s.substring(1,3) == 'el'"},{"rule":"['x','y'].join(',') == 'x,y'"},{"rule":"self.s.charAt(0) == 'H'"},{"rule":"type(self.s) == string"},{"rule":"self.il.sort() == [1,2,3]"},{"rule":"self.il.all(x, x < 3)"},{"rule":"size(self.m) == 3"},{"rule":"optional.of(1).hasValue() && self.?o.?y.orValue('d') == 'd'"}]}}}"#,
            r#"{"spec":{"s":"Hello","n":3,"f":1.5,"b":true,"l":["a","b","c"],"il":[3,1,2],"m":{"k1":1,"k2":2},"o":{"x":1},"ios":"50%","d":"1h30m","t":"2020-01-01T10:00:00Z","dt":"2020-01-02","by":"aGVsbG8=","dash-name":"dn","namespace":"ns","a__b":"ab","nl":null,"pu":{"q":1}}}"#,
            None,
            &[
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: failed rule: self.il.isSorted()",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: failed rule: self.il.all(x, x < 3)",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: failed rule: size(self.m) == 3",
                ),
            ],
        );
    }

    /// `includes`, `first`, `last` and duration sums, passing and failing. Texts and order from the Go
    /// oracle.
    #[test]
    fn cel_lists_library() {
        check(
            r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","items":{"type":"string"}},"s":{"type":"string"},"d":{"type":"array","items":{"type":"string","format":"duration"}}},"x-kubernetes-validations":[{"rule":"self.l.includes('a')"},{"rule":"self.s.includes('x')"},{"rule":"self.l.first() == optional.of('a')"},{"rule":"self.l.last().value() == 'b'"},{"rule":"[].first().hasValue()"},{"rule":"self.d.sum() == duration('3s')"},{"rule":"self.l.includes('z')"},{"rule":"self.d.sum() > duration('1h')"},{"rule":"lists.range(2) == [0,1]"},{"rule":"[3,1].sortBy(x, x) == [1,3]"},{"rule":"self.l.slice(0,1) == ['a']"}]}}}"#,
            r#"{"spec":{"l":["a","b"],"s":"x","d":["1s","2s"]}}"#,
            None,
            &[
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: failed rule: [].first().hasValue()",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: failed rule: self.l.includes('z')",
                ),
                (
                    "spec",
                    "FieldValueInvalid",
                    "Invalid value: failed rule: self.d.sum() > duration('1h')",
                ),
            ],
        );
    }
}
