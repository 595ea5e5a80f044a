//! Field selectors (`metadata.name=web,status.phase!=Running`) as the real kube-apiserver applies
//! them: parsed by apimachinery's rules ([`kube_scheme::fields`]), each field checked against the
//! ones the kind declares (anything else is `400 Bad Request`, as the real server answers), then
//! matched against the values the real server's storage computes for each object.
//!
//! What each kind declares comes from Kubernetes v1.37.2 itself: the field label conversion
//! functions (`pkg/apis/*/conversion.go`, which say which fields a request may name) and the
//! registry strategies' `GetAttrs` (`pkg/registry/**/strategy.go`, which say what each field's
//! value is: `spec.hostNetwork` is `false` when unset, `status.replicas` is `0`, an event's
//! `source` falls back to its reporting controller). Kinds without a conversion function accept
//! `metadata.name` and `metadata.namespace` only (apimachinery's
//! `DefaultMetaV1FieldSelectorConversion`); custom resources accept `metadata.name`,
//! `metadata.namespace` when namespaced, and the fields their definition declares as
//! `selectableFields` ([`Builder::selectable_fields`](crate::Builder::selectable_fields)).
//! `envtest/tests/field_selectors.rs` holds the table against a real kube-apiserver.

use kube_scheme::fields::FieldSelector as Parsed;
use serde_json::Value;

use crate::status::ApiError;
use crate::store::Served;

/// Where a selectable field's value comes from in an object's JSON, and what it is when unset.
#[derive(Clone, Debug)]
enum Source {
    /// The first of these pointers that holds a non-empty string; `""` when none does.
    Str(&'static [&'static str]),
    /// A string that the real server always sets at creation, this when unset: a namespace's
    /// `status.phase` is `Active` until it terminates.
    StrOr(&'static str, &'static str),
    /// A boolean, `false` when unset (`strconv.FormatBool`, `fmt.Sprint`).
    Bool(&'static str),
    /// An integer, `0` when unset (`strconv.Itoa`).
    Int(&'static str),
    /// A field the kind accepts but never sets: always `""` (pods' `status.podIPs`).
    Never,
    /// A custom resource's selectable field: `fmt.Sprint` of its value, `""` when unset.
    Json(String),
}

impl Source {
    fn value(&self, object: &Value) -> String {
        match self {
            Source::Str(pointers) => pointers
                .iter()
                .find_map(|p| object.pointer(p).and_then(Value::as_str).filter(|s| !s.is_empty()))
                .unwrap_or("")
                .to_owned(),
            Source::StrOr(pointer, default) => object
                .pointer(pointer)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .unwrap_or(default)
                .to_owned(),
            Source::Bool(pointer) => object
                .pointer(pointer)
                .and_then(Value::as_bool)
                .unwrap_or(false)
                .to_string(),
            Source::Int(pointer) => object.pointer(pointer).and_then(Value::as_i64).unwrap_or(0).to_string(),
            Source::Never => String::new(),
            Source::Json(pointer) => match object.pointer(pointer) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
            },
        }
    }
}

const NAME: (&str, Source) = ("metadata.name", Source::Str(&["/metadata/name"]));
const NAMESPACE: (&str, Source) = ("metadata.namespace", Source::Str(&["/metadata/namespace"]));

/// The real server's message for a field a built-in kind with a conversion function does not
/// accept (most say `field label not supported: <field>`; a few have words of their own).
fn unsupported_message(group: &str, version: &str, kind: &str, label: &str) -> String {
    match (group, kind) {
        ("batch", "Job") => format!("field label {label:?} not supported for Job"),
        ("resource.k8s.io", "ResourceSlice") => {
            format!("field label not supported for {group}/{version}, Kind={kind}: {label}")
        }
        _ => format!("field label not supported: {label}"),
    }
}

/// The fields a built-in kind's conversion function accepts, or `None` for kinds that have none
/// (and so accept `metadata.name` and `metadata.namespace` only).
fn builtin_fields(group: &str, kind: &str) -> Option<Vec<(&'static str, Source)>> {
    use Source::*;
    let s = |pointer: &'static [&'static str]| Str(pointer);
    Some(match (group, kind) {
        ("", "Pod") => vec![
            NAME,
            NAMESPACE,
            ("spec.nodeName", s(&["/spec/nodeName"])),
            ("spec.restartPolicy", s(&["/spec/restartPolicy"])),
            ("spec.schedulerName", s(&["/spec/schedulerName"])),
            ("spec.serviceAccountName", s(&["/spec/serviceAccountName"])),
            ("spec.hostNetwork", Bool("/spec/hostNetwork")),
            ("status.phase", s(&["/status/phase"])),
            ("status.podIP", s(&["/status/podIPs/0/ip", "/status/podIP"])),
            ("status.podIPs", Never),
            ("status.nominatedNodeName", s(&["/status/nominatedNodeName"])),
            // For old v1 clients; the server reads it as spec.nodeName.
            ("spec.host", s(&["/spec/nodeName"])),
        ],
        ("", "Node") => vec![NAME, ("spec.unschedulable", Bool("/spec/unschedulable"))],
        ("", "ReplicationController") => vec![NAME, NAMESPACE, ("status.replicas", Int("/status/replicas"))],
        ("", "Event") => vec![
            ("involvedObject.kind", s(&["/involvedObject/kind"])),
            ("involvedObject.namespace", s(&["/involvedObject/namespace"])),
            ("involvedObject.name", s(&["/involvedObject/name"])),
            ("involvedObject.uid", s(&["/involvedObject/uid"])),
            ("involvedObject.apiVersion", s(&["/involvedObject/apiVersion"])),
            (
                "involvedObject.resourceVersion",
                s(&["/involvedObject/resourceVersion"]),
            ),
            ("involvedObject.fieldPath", s(&["/involvedObject/fieldPath"])),
            ("reason", s(&["/reason"])),
            ("reportingComponent", s(&["/reportingComponent"])),
            ("source", s(&["/source/component", "/reportingComponent"])),
            ("type", s(&["/type"])),
            NAMESPACE,
            NAME,
        ],
        ("events.k8s.io", "Event") => vec![
            ("reason", s(&["/reason"])),
            ("regarding.kind", s(&["/regarding/kind"])),
            ("regarding.namespace", s(&["/regarding/namespace"])),
            ("regarding.name", s(&["/regarding/name"])),
            ("regarding.uid", s(&["/regarding/uid"])),
            ("regarding.apiVersion", s(&["/regarding/apiVersion"])),
            ("regarding.resourceVersion", s(&["/regarding/resourceVersion"])),
            ("regarding.fieldPath", s(&["/regarding/fieldPath"])),
            ("reportingController", s(&["/reportingController"])),
            ("type", s(&["/type"])),
            NAMESPACE,
            NAME,
        ],
        ("", "Namespace") => vec![("status.phase", StrOr("/status/phase", "Active")), NAME],
        ("", "Secret") => vec![("type", s(&["/type"])), NAMESPACE, NAME],
        ("", "Service") => vec![
            NAMESPACE,
            NAME,
            ("spec.clusterIP", s(&["/spec/clusterIP"])),
            ("spec.type", s(&["/spec/type"])),
        ],
        ("batch", "Job") => vec![NAME, NAMESPACE, ("status.successful", Int("/status/succeeded"))],
        ("certificates.k8s.io", "CertificateSigningRequest" | "ClusterTrustBundle") => {
            vec![NAME, ("spec.signerName", s(&["/spec/signerName"]))]
        }
        ("certificates.k8s.io", "PodCertificateRequest") => vec![
            NAME,
            ("spec.signerName", s(&["/spec/signerName"])),
            ("spec.podName", s(&["/spec/podName"])),
            ("spec.nodeName", s(&["/spec/nodeName"])),
        ],
        ("resource.k8s.io", "ResourceSlice") => vec![
            NAME,
            ("spec.nodeName", s(&["/spec/nodeName"])),
            ("spec.driver", s(&["/spec/driver"])),
            ("spec.pool.name", s(&["/spec/pool/name"])),
        ],
        _ => return None,
    })
}

/// `.spec.color` or `spec.color` (a CRD's `selectableFields[].jsonPath`, without the leading dot)
/// as a JSON pointer.
fn pointer_of(path: &str) -> String {
    path.trim_start_matches('.')
        .split('.')
        .fold(String::new(), |mut out, part| {
            out.push('/');
            out.push_str(&part.replace('~', "~0").replace('/', "~1"));
            out
        })
}

/// One checked term: where the field's value comes from, the value, `=` or `!=`.
#[derive(Clone, Debug)]
struct FieldRequirement {
    source: Source,
    value: String,
    equal: bool,
}

/// A field selector checked against a kind; the empty one matches everything.
#[derive(Clone, Debug, Default)]
pub(crate) struct FieldSelector {
    requirements: Vec<FieldRequirement>,
}

impl FieldSelector {
    /// Parses `input` by apimachinery's rules and checks every field against what `served`
    /// declares (`custom_fields`: a custom resource's `selectableFields`, as paths without the
    /// leading dot). Both failures are `400 Bad Request`, with the real server's messages.
    pub fn parse(input: &str, served: &Served, custom_fields: &[String]) -> Result<Self, ApiError> {
        let parsed: Parsed = input.parse().map_err(|e| ApiError::bad_request(format!("{e}")))?;
        let builtin = served
            .info
            .is_builtin()
            .then(|| builtin_fields(served.group(), served.kind()))
            .flatten();
        let mut requirements = Vec::with_capacity(parsed.requirements().len());
        for r in parsed.requirements() {
            let label = r.field.as_str();
            let source = if let Some(fields) = &builtin {
                let found = fields.iter().find(|(name, _)| *name == label);
                let gvk = served.info.gvk();
                Some(found.map(|(_, source)| source.clone()).ok_or_else(|| {
                    ApiError::bad_request(unsupported_message(&gvk.group, &gvk.version, &gvk.kind, label))
                })?)
            } else if served.info.is_builtin() {
                // apimachinery's DefaultMetaV1FieldSelectorConversion.
                match label {
                    "metadata.name" => Some(NAME.1),
                    "metadata.namespace" => Some(NAMESPACE.1),
                    _ => {
                        return Err(ApiError::bad_request(format!(
                            "{label:?} is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
                        )));
                    }
                }
            } else if label == "metadata.name" {
                Some(NAME.1)
            } else if label == "metadata.namespace" && served.namespaced() {
                Some(NAMESPACE.1)
            } else {
                custom_fields
                    .iter()
                    .find(|f| f.trim_start_matches('.') == label)
                    .map(|f| Source::Json(pointer_of(f)))
            };
            let source = source.ok_or_else(|| ApiError::bad_request(format!("field label not supported: {label}")))?;
            requirements.push(FieldRequirement {
                source,
                value: r.value.clone(),
                equal: r.equal,
            });
        }
        Ok(FieldSelector { requirements })
    }

    /// Whether the object's field values satisfy every term.
    pub fn matches(&self, object: &Value) -> bool {
        self.requirements
            .iter()
            .all(|r| (r.source.value(object) == r.value) == r.equal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_resource_paths_become_pointers() {
        assert_eq!(pointer_of(".spec.color"), "/spec/color");
        assert_eq!(pointer_of("spec.a/b"), "/spec/a~1b");
    }

    #[test]
    fn unset_fields_take_the_real_servers_defaults() {
        let pod = serde_json::json!({"metadata": {"name": "p"}, "status": {"podIP": "10.0.0.1"}});
        assert_eq!(Source::Bool("/spec/hostNetwork").value(&pod), "false");
        assert_eq!(Source::Int("/status/replicas").value(&pod), "0");
        assert_eq!(
            Source::Str(&["/status/podIPs/0/ip", "/status/podIP"]).value(&pod),
            "10.0.0.1"
        );
        assert_eq!(Source::Never.value(&pod), "");
        assert_eq!(
            Source::Json("/spec/size".into()).value(&serde_json::json!({"spec": {"size": 3}})),
            "3"
        );
    }
}
