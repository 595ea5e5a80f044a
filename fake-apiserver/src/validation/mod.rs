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
//! One concern a file, each named after what it ports: `field` (`field.Error` and Go's printing
//! of values), `schema` (schema access), `openapi` (kube-openapi's `SchemaValidator`),
//! `correlation` (old and new values, for ratcheting), `formats` (strfmt), `embedded`
//! (embedded resources), `listtype` (list-type uniqueness) and `rules` (the CEL rules).
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
///
/// `blocked` says the metadata's own checks found a blocking cause (a required name, say), which
/// stops the CEL rules on the real server as a blocking schema cause does.
pub(crate) fn validate(schema: &Value, object: &Value, old: Option<&Value>, blocked: bool) -> Vec<Cause> {
    let mut errors: Vec<FieldErr> = Vec::new();
    let result = validate_node(schema, "", object, old, true);
    errors.extend(result.errors.iter().map(|e| openapi_to_field_error(e, &FPath::root())));
    embedded_resources(&FPath::root(), object, schema, &mut errors);
    lists_and_rules(schema, object, old, errors, blocked)
}

/// Validates a write of the `status` subresource as the status strategy does: the status alone
/// by the status schema (`ValidateStatusUpdate`: field paths start at `status`, kube-openapi's
/// texts name fields from the status down, ratcheting against the old status), then the list
/// types and the CEL rules of the whole object, as [`validate`].
pub(crate) fn validate_status(schema: &Value, object: &Value, old: &Value, blocked: bool) -> Vec<Cause> {
    let mut errors: Vec<FieldErr> = Vec::new();
    if let (Some(status_schema), Some(status)) = (schema.pointer("/properties/status"), object.get("status")) {
        let result = validate_node(status_schema, "", status, old.get("status"), false);
        let base = FPath::root().child("status");
        errors.extend(result.errors.iter().map(|e| openapi_to_field_error(e, &base)));
    }
    lists_and_rules(schema, object, Some(old), errors, blocked)
}

/// The steps after the OpenAPI validation: list types (skipped on an update whose old object
/// already broke them), then the CEL rules (or the cause saying they were not checked).
fn lists_and_rules(
    schema: &Value,
    object: &Value,
    old: Option<&Value>,
    mut errors: Vec<FieldErr>,
    blocked: bool,
) -> Vec<Cause> {
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
        if blocked || errors.iter().any(|e| BLOCKING.contains(&e.ty)) {
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

mod correlation;
mod embedded;
mod field;
mod formats;
mod listtype;
mod openapi;
mod rules;
mod schema;

use field::*;

use correlation::*;
use embedded::*;
/// Go's `strconv.Quote` and `json.Marshal`, which the other modules' texts need too.
pub(crate) use field::{go_json, go_quote};
use formats::*;
use listtype::*;
use openapi::*;
use rules::*;
use schema::*;

#[cfg(test)]
mod tests;
