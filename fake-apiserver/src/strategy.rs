//! What kube-apiserver's registry strategies decide kind by kind, in one place: the names a kind
//! takes (`ValidateObjectMeta`'s DNS label or subdomain), what a create prepares
//! (`PrepareForCreate`: a Namespace is `Active` with the `kubernetes` finalizer), whether the kind
//! keeps `metadata.generation` and what bumps it (`PrepareForUpdate`), which part of an object the
//! main resource and the `status` subresource write (the status reset), and how a custom
//! resource is pruned, defaulted and validated by its CRD's schema.
//!
//! The store (`crate::store::write`) calls these at the points kube-apiserver's generic registry
//! calls a strategy; nothing here stores or sends anything.

use serde_json::{Map, Value, json};

use crate::crd;
use crate::status::ApiError;
use crate::store::Served;
use crate::validation::go_quote;

/// The strategy of one served kind.
pub(crate) struct Strategy<'a> {
    served: &'a Served,
}

impl Served {
    /// This kind's strategy.
    pub(crate) fn strategy(&self) -> Strategy<'_> {
        Strategy { served: self }
    }
}

impl Strategy<'_> {
    /// The object's metadata as the kind's `ValidateObjectMeta` takes it, on create (`name` is
    /// the name it gets) and on update: Namespaces must be named by DNS labels, other kinds by
    /// DNS subdomains; label keys and values, annotation keys and finalizer names must be
    /// qualified names (label values may be empty), and a built-in kind's finalizer without a
    /// `/` must be a standard one (`kubernetes`, `orphan`, `foregroundDeletion`). Then, for a
    /// custom resource, its CRD schema's validation ([`crate::validation`]: the OpenAPI keywords,
    /// list types and `x-kubernetes-validations` rules; `old` is the stored object of an update,
    /// for transition rules and ratcheting). All causes come in one 422, metadata's first, as the
    /// custom resource strategy answers. Kinds without a CRD schema get no validation of their
    /// content (built-ins and kinds registered in code only).
    pub(crate) fn validate(&self, body: &Value, name: &str, old: Option<&Value>) -> Result<(), ApiError> {
        let mut causes = self.validate_meta_causes(body, name, old);
        if let Some(schema) = self.schema() {
            let blocked = blocking(&causes);
            causes.extend(crate::validation::validate(schema, body, old, blocked));
        }
        self.invalid(name, causes)
    }

    /// A create without a name or generateName: the required name, and for a custom resource
    /// the rest of its validation (whose CEL rules the required name stops).
    pub(crate) fn missing_name(&self, body: &Value) -> ApiError {
        let mut causes = vec![crate::validation::Cause {
            field: "metadata.name".into(),
            reason: "FieldValueRequired",
            message: "Required value: name or generateName is required".into(),
        }];
        if let Some(schema) = self.schema() {
            causes.extend(crate::validation::validate(schema, body, None, true));
        }
        match self.invalid("", causes) {
            Err(error) => error,
            Ok(()) => unreachable!("a required name is a cause"),
        }
    }

    /// 422 Invalid with `causes`, or nothing when there are none.
    fn invalid(&self, name: &str, causes: Vec<crate::validation::Cause>) -> Result<(), ApiError> {
        if causes.is_empty() {
            return Ok(());
        }
        let causes = causes
            .into_iter()
            .map(|c| (c.field, c.reason.to_owned(), c.message))
            .collect();
        Err(ApiError::invalid(self.served.group(), self.served.kind(), name, causes))
    }

    /// The metadata's causes (see [`Strategy::validate`]).
    /// `ValidateObjectMetaAccessor` on a create, `ValidateObjectMetaAccessorUpdate` on an update
    /// (`old`), which checks no names (they cannot change) nor finalizer names, but refuses new
    /// finalizers on an object being deleted; a built-in's finalizers get the Kubernetes rule on
    /// both.
    fn validate_meta_causes(&self, body: &Value, name: &str, old: Option<&Value>) -> Vec<crate::validation::Cause> {
        let served = self.served;
        let mut causes = Vec::new();
        let meta = body.get("metadata");
        let finalizers_of = |meta: Option<&Value>| -> Vec<String> {
            meta.and_then(|m| m.get("finalizers"))
                .and_then(Value::as_array)
                .map(|f| f.iter().map(|v| v.as_str().unwrap_or_default().to_owned()).collect())
                .unwrap_or_default()
        };
        let finalizers = finalizers_of(meta);
        if let Some(old) = old
            && old.pointer("/metadata/deletionTimestamp").is_some()
        {
            let before = finalizers_of(old.get("metadata"));
            let mut extra: Vec<&String> = finalizers.iter().filter(|f| !before.contains(f)).collect();
            extra.sort();
            extra.dedup();
            if !extra.is_empty() {
                let listed: Vec<String> = extra.iter().map(|f| go_quote(f)).collect();
                causes.push(crate::validation::Cause {
                    field: "metadata.finalizers".into(),
                    reason: "FieldValueForbidden",
                    message: format!(
                        "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{{{}}}",
                        listed.join(", ")
                    ),
                });
            }
        }
        let mut invalid = |field: String, value: &str, message: &str| {
            causes.push(crate::validation::Cause {
                field,
                reason: "FieldValueInvalid",
                message: format!("Invalid value: {}: {message}", go_quote(value)),
            });
        };
        if old.is_none() {
            let name_errors = if served.is_namespace() {
                dns_label_errors(name)
            } else {
                dns_subdomain_errors(name)
            };
            for message in name_errors {
                invalid("metadata.name".into(), name, &message);
            }
        }
        let strings = |field: &str| {
            meta.and_then(|m| m.get(field))
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        for (key, value) in strings("labels") {
            for message in qualified_name_errors(&key) {
                invalid("metadata.labels".into(), &key, &message);
            }
            for message in label_value_errors(&value) {
                invalid("metadata.labels".into(), &value, &message);
            }
        }
        let annotations = strings("annotations");
        for (key, _) in &annotations {
            for message in qualified_name_errors(&key.to_lowercase()) {
                invalid("metadata.annotations".into(), key, &message);
            }
        }
        if old.is_none() {
            for finalizer in &finalizers {
                for message in qualified_name_errors(finalizer) {
                    invalid("metadata.finalizers".into(), finalizer, &message);
                }
            }
        }
        // The total size of the annotations (`ValidateAnnotationsSize`).
        let size: usize = annotations.iter().map(|(k, v)| k.len() + v.len()).sum();
        if size > ANNOTATIONS_SIZE_LIMIT {
            causes.push(crate::validation::Cause {
                field: "metadata.annotations".into(),
                reason: "FieldValueTooLong",
                message: format!("Too long: may not be more than {ANNOTATIONS_SIZE_LIMIT} bytes"),
            });
        }
        if served.info.is_builtin() {
            let mut invalid = |field: String, value: &str, message: &str| {
                causes.push(crate::validation::Cause {
                    field,
                    reason: "FieldValueInvalid",
                    message: format!("Invalid value: {}: {message}", go_quote(value)),
                });
            };
            for (i, finalizer) in finalizers.iter().enumerate() {
                if !finalizer.contains('/')
                    && !matches!(finalizer.as_str(), "kubernetes" | "orphan" | "foregroundDeletion")
                {
                    invalid(
                        format!("metadata.finalizers[{i}]"),
                        finalizer,
                        "name is neither a standard finalizer name nor is it fully qualified",
                    );
                }
            }
        }
        causes
    }

    /// A write of the `status` subresource validated as the custom resource status strategy
    /// does: the metadata, then the status alone by the status schema (its texts name fields from
    /// the status down), the list types and the CEL rules of the whole object. Other kinds as
    /// [`Strategy::validate`].
    pub(crate) fn validate_status(&self, body: &Value, name: &str, old: &Value) -> Result<(), ApiError> {
        let Some(schema) = self.schema() else {
            return self.validate(body, name, Some(old));
        };
        let mut causes = self.validate_meta_causes(body, name, Some(old));
        let blocked = blocking(&causes);
        causes.extend(crate::validation::validate_status(schema, body, old, blocked));
        self.invalid(name, causes)
    }

    /// What decoding into the kind's Go type and encoding again does to an object: `ObjectMeta`'s
    /// empty lists and maps are left out (`omitempty`: `finalizers: []` is stored as no
    /// finalizers, which a JSON patch's `test` against `null` then finds), for every kind; and a
    /// built-in's `null` in a map of strings becomes `""` (labels, annotations, a ConfigMap's or
    /// Secret's data).
    pub(crate) fn decode(&self, body: &mut Value) {
        if let Some(meta) = body.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.retain(|key, value| {
                let empty = match value {
                    Value::Array(a) => a.is_empty(),
                    Value::Object(m) => m.is_empty(),
                    Value::Null => true,
                    _ => false,
                };
                !(empty
                    && matches!(
                        key.as_str(),
                        "labels" | "annotations" | "finalizers" | "ownerReferences"
                    ))
            });
        }
        if !self.served.info.is_builtin() {
            // A custom resource is decoded into JSON values and encoded again by Go, which
            // writes a float with no fraction as an integer (`2.0` is stored as `2`).
            integral_floats_as_integers(body);
            return;
        }
        let mut maps = vec!["/metadata/labels", "/metadata/annotations"];
        match (self.served.group(), self.served.kind()) {
            ("", "ConfigMap") => maps.extend(["/data", "/binaryData"]),
            ("", "Secret") => maps.extend(["/data", "/stringData"]),
            _ => {}
        }
        for pointer in maps {
            if let Some(map) = body.pointer_mut(pointer).and_then(Value::as_object_mut) {
                for value in map.values_mut().filter(|v| v.is_null()) {
                    *value = json!("");
                }
            }
        }
    }

    /// The kind's own checks of a new object beyond its name: a CRD's name must be
    /// `<plural>.<group>`.
    pub(crate) fn validate_create(&self, body: &Value, name: &str) -> Result<(), ApiError> {
        let served = self.served;
        if served.is_crd()
            && let Err(cause) = crd::validate(body)
        {
            return Err(ApiError::invalid(served.group(), served.kind(), name, vec![cause]));
        }
        Ok(())
    }

    /// `PrepareForCreate`: a Namespace starts `Active`, with the `kubernetes` finalizer and its
    /// name label.
    pub(crate) fn prepare_for_create(&self, body: &mut Value, name: &str) {
        if self.served.is_namespace() {
            body["spec"] = json!({"finalizers": ["kubernetes"]});
            body["status"] = json!({"phase": "Active"});
            body["metadata"]["labels"]["kubernetes.io/metadata.name"] = json!(name);
        }
    }

    /// `PrepareForUpdate`'s rules beside the generation: a Namespace keeps its name label.
    pub(crate) fn prepare_for_update(&self, next: &mut Value, name: &str) {
        if self.served.is_namespace() {
            next["metadata"]["labels"]["kubernetes.io/metadata.name"] = json!(name);
        }
    }

    /// The generation of a new object, or `None` for a kind that keeps none.
    pub(crate) fn initial_generation(&self, body: &Value) -> Option<i64> {
        self.served.tracks_generation(body).then_some(1)
    }

    /// The generation after an update of `current` to `next`, or `None` for a kind that keeps
    /// none: bumped when anything but metadata and status changed, and for Deployments also
    /// when the annotations changed (the Deployment strategy's rule: they are copied to the
    /// ReplicaSets).
    pub(crate) fn next_generation(&self, current: &Value, next: &Value) -> Option<i64> {
        let served = self.served;
        if !served.tracks_generation(current) {
            return None;
        }
        let generation = current
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        let annotations = |o: &Value| {
            o.pointer("/metadata/annotations")
                .filter(|a| a.as_object().is_some_and(|m| !m.is_empty()))
                .cloned()
        };
        let deployment = served.group() == "apps" && served.kind() == "Deployment";
        let status = served.has_status();
        let bumped = spec_of(next, status) != spec_of(current, status)
            || (deployment && annotations(next) != annotations(current));
        Some(if bumped { generation + 1 } else { generation })
    }

    /// The fields a write of the main resource may not change, which the field manager leaves
    /// out of the writer's ownership: the status, where the kind has a `status` subresource.
    pub(crate) fn reset_fields(&self) -> &'static [&'static str] {
        if self.served.has_status() { &["status"] } else { &[] }
    }

    /// The object an update stores, from the written one: where the kind has a `status`
    /// subresource, a write to it changes only the status (the rest stays `current`'s) and a
    /// write to the main resource everything but the status.
    pub(crate) fn reset_status(&self, current: &Value, mut written: Value, status_only: bool) -> Value {
        if !self.served.has_status() {
            return written;
        }
        let (mut next, status) = if status_only {
            let status = written.get_mut("status").map(Value::take);
            (current.clone(), status)
        } else {
            (written, current.get("status").cloned())
        };
        match status {
            Some(status) => next["status"] = status,
            None => {
                if let Some(map) = next.as_object_mut() {
                    map.remove("status");
                }
            }
        }
        next
    }

    /// Prunes and defaults a custom resource by its CRD version's schema, as decoding does on
    /// every write, and drops the `null`s of fields that are neither nullable nor defaulted.
    /// Kinds without a CRD schema (built-ins, kinds registered in code only) are left as they are.
    pub(crate) fn canonicalize(&self, body: &mut Value) {
        if let Some(schema) = self.schema() {
            crd::apply_schema(body, schema);
            crate::validation::prune_non_nullable_nulls(body, schema);
        }
    }

    /// The CRD version's `openAPIV3Schema`, if the kind has one.
    fn schema(&self) -> Option<&Value> {
        self.served.crd.as_ref().and_then(|c| c.schema.as_ref())
    }
}

/// Whether metadata causes stop the CEL rules: the cause types the custom resource strategy's
/// `hasBlockingErr` counts.
fn blocking(causes: &[crate::validation::Cause]) -> bool {
    causes.iter().any(|c| {
        matches!(
            c.reason,
            "FieldValueRequired"
                | "FieldValueNotSupported"
                | "FieldValueTooLong"
                | "FieldValueTooMany"
                | "FieldValueTypeInvalid"
        )
    })
}

/// Every float with no fraction in `value` as the integer Go's `encoding/json` writes for it (where
/// it fits an `i64`).
fn integral_floats_as_integers(value: &mut Value) {
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() < 9.0e18
            {
                *value = json!(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        Value::Object(map) => map.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

/// apimachinery's `RegexError`: the message, its examples and the pattern.
fn regex_error(message: &str, pattern: &str, examples: &[&str]) -> String {
    let examples: Vec<String> = examples.iter().map(|e| format!("'{e}', ")).collect();
    format!(
        "{message} (e.g. {}regex used for validation is '{pattern}')",
        examples.join(" or ")
    )
}

const QUALIFIED_NAME_PATTERN: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_MESSAGE: &str =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

fn is_qualified_name_part(name: &str) -> bool {
    let ok = |c: char| c.is_ascii_alphanumeric();
    name.starts_with(ok) && name.ends_with(ok) && name.chars().all(|c| ok(c) || matches!(c, '-' | '_' | '.'))
}

/// apimachinery's `IsQualifiedName`: an optional DNS subdomain prefix and `/`, then a name part of
/// at most 63 alphanumeric characters, `-`, `_` or `.`, starting and ending alphanumeric.
fn qualified_name_errors(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errors.push("prefix part must be non-empty".to_owned());
            } else {
                if prefix.len() > 253 {
                    errors.push("prefix part must be no more than 253 characters".to_owned());
                }
                if !is_dns_subdomain_pattern(prefix) {
                    errors.push(format!("prefix part {SUBDOMAIN_MESSAGE}"));
                }
            }
            *name
        }
        _ => {
            return vec![format!(
                "a valid label key {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(
                    QUALIFIED_NAME_MESSAGE,
                    QUALIFIED_NAME_PATTERN,
                    &["MyName", "my.name", "123-abc"]
                )
            )];
        }
    };
    if name.is_empty() {
        errors.push("name part must be non-empty".to_owned());
    } else if name.len() > 63 {
        errors.push("name part must be no more than 63 characters".to_owned());
    }
    if !is_qualified_name_part(name) {
        errors.push(format!(
            "name part {}",
            regex_error(
                QUALIFIED_NAME_MESSAGE,
                QUALIFIED_NAME_PATTERN,
                &["MyName", "my.name", "123-abc"]
            )
        ));
    }
    errors
}

/// apimachinery's `IsValidLabelValue`: empty, or a qualified name part of at most 63 characters.
fn label_value_errors(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > 63 {
        errors.push("must be no more than 63 characters".to_owned());
    }
    if !value.is_empty() && !is_qualified_name_part(value) {
        errors.push(regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            &format!("({QUALIFIED_NAME_PATTERN})?"),
            &["MyValue", "my_value", "12345"],
        ));
    }
    errors
}

/// The DNS-1123 subdomain pattern alone (the length is checked apart).
fn is_dns_subdomain_pattern(s: &str) -> bool {
    s.split('.').all(|p| {
        !p.is_empty()
            && p.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && p.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && p.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    })
}

/// apimachinery's `IsDNS1123Label`: at most 63 characters, and a subdomain without dots.
fn dns_label_errors(s: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if s.len() > 63 {
        errors.push("must be no more than 63 characters".to_owned());
    }
    if s.is_empty() || s.contains('.') || !is_dns_subdomain_pattern(s) {
        errors.push(if !s.is_empty() && is_dns_subdomain_pattern(s) {
            // A valid subdomain that is no label: it has dots.
            "must not contain dots".to_owned()
        } else {
            LABEL_MESSAGE.to_owned()
        });
    }
    errors
}

/// apimachinery's `IsDNS1123Subdomain`: at most 253 characters of dot-separated labels.
fn dns_subdomain_errors(s: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if s.len() > 253 {
        errors.push("must be no more than 253 characters".to_owned());
    }
    if s.is_empty() || !is_dns_subdomain_pattern(s) {
        errors.push(SUBDOMAIN_MESSAGE.to_owned());
    }
    errors
}

/// The most bytes an object's annotations may hold, keys and values together
/// (`TotalAnnotationSizeLimitB`).
const ANNOTATIONS_SIZE_LIMIT: usize = 256 * 1024;

const SUBDOMAIN_MESSAGE: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MESSAGE: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/// The parts of an object whose change bumps `metadata.generation`: all but metadata, and the
/// status where the kind has a `status` subresource (without one, a custom resource's status is
/// part of what bumps it: the custom resource strategy's `copyNonMetadata`).
fn spec_of(object: &Value, status_apart: bool) -> Map<String, Value> {
    object
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !matches!(k.as_str(), "metadata" | "kind" | "apiVersion"))
                .filter(|(k, _)| !(status_apart && k.as_str() == "status"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}
