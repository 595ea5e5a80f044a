//! The `scale` subresource (`autoscaling/v1` `Scale`) of the built-ins that have one
//! (Deployments, ReplicaSets, StatefulSets, ReplicationControllers) and of custom resources whose
//! CRD declares one.

use axum::http::{HeaderMap, Method, header};
use serde_json::{Value, json};

use crate::crd;
use crate::status::ApiError;
use crate::store::{Served, Store};

/// Where a scalable kind keeps its replicas and selector.
pub(crate) struct Scalable {
    spec_replicas: String,
    status_replicas: String,
    selector: Selector,
}

enum Selector {
    /// A `metav1.LabelSelector` at this path, written as a selector string.
    Label(&'static str),
    /// A map of labels at this path (ReplicationController's `spec.selector`).
    Map(&'static str),
    /// A selector string at this path (a CRD's `labelSelectorPath`).
    Text(String),
    None,
}

impl Scalable {
    pub(crate) fn of(served: &Served) -> Option<Scalable> {
        if let Some(crd) = &served.crd {
            let scale = crd.scale.as_ref()?;
            return Some(Scalable {
                spec_replicas: scale.spec_replicas_path.clone(),
                status_replicas: scale.status_replicas_path.clone(),
                selector: scale.label_selector_path.clone().map_or(Selector::None, Selector::Text),
            });
        }
        let builtin = served.info.is_builtin();
        let selector = match (served.group(), served.info.gvk().version.as_str(), served.plural()) {
            ("apps", "v1", "deployments" | "replicasets" | "statefulsets") if builtin => {
                Selector::Label(".spec.selector")
            }
            ("", "v1", "replicationcontrollers") if builtin => Selector::Map(".spec.selector"),
            _ => return None,
        };
        Some(Scalable {
            spec_replicas: ".spec.replicas".into(),
            status_replicas: ".status.replicas".into(),
            selector,
        })
    }

    /// The `Scale` of an object.
    fn scale_of(&self, object: &Value) -> Value {
        let meta = &object["metadata"];
        let mut metadata = json!({});
        for field in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            if let Some(v) = meta.get(field) {
                metadata[field] = v.clone();
            }
        }
        let replicas = |path: &str| crd::get_path(object, path).and_then(Value::as_i64).unwrap_or(0);
        let mut spec = json!({});
        if replicas(&self.spec_replicas) != 0 {
            spec["replicas"] = json!(replicas(&self.spec_replicas));
        }
        let mut status = json!({"replicas": replicas(&self.status_replicas)});
        let selector = match &self.selector {
            Selector::Label(path) => crd::get_path(object, path).map(label_selector_string),
            Selector::Map(path) => crd::get_path(object, path).and_then(Value::as_object).map(|m| {
                m.iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join(",")
            }),
            Selector::Text(path) => crd::get_path(object, path).and_then(Value::as_str).map(str::to_owned),
            Selector::None => None,
        };
        if let Some(selector) = selector.filter(|s| !s.is_empty()) {
            status["selector"] = json!(selector);
        }
        json!({"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": metadata, "spec": spec, "status": status})
    }
}

/// A `metav1.LabelSelector` as the selector string the real server writes (`a=b,c in (d,e)`).
pub(crate) fn label_selector_string(selector: &Value) -> String {
    let mut parts: Vec<String> = selector["matchLabels"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    for expr in selector["matchExpressions"].as_array().into_iter().flatten() {
        let key = expr["key"].as_str().unwrap_or_default();
        let mut values: Vec<&str> = expr["values"]
            .as_array()
            .map(|v| v.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        values.sort_unstable();
        parts.push(match expr["operator"].as_str().unwrap_or_default() {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.to_owned(),
            _ => format!("!{key}"),
        });
    }
    parts.join(",")
}

/// GET, PUT or PATCH of `.../{name}/scale`; returns the `Scale` after the request.
#[allow(clippy::too_many_arguments)]
pub(crate) fn handle(
    store: &mut Store,
    served: &Served,
    namespace: Option<&str>,
    name: &str,
    method: &Method,
    headers: &HeaderMap,
    body: &[u8],
    dry_run: bool,
    writer: &crate::ssa::Writer,
) -> Result<Value, ApiError> {
    let scalable = Scalable::of(served).expect("the caller checked");
    let current = store.get(served, namespace, name)?;
    let scale = scalable.scale_of(&current);
    let wanted = match *method {
        Method::GET => return Ok(scale),
        Method::PUT => serde_json::from_slice::<Value>(body)
            .map_err(|e| ApiError::bad_request(format!("the body of the request could not be decoded as JSON: {e}")))?,
        Method::PATCH => {
            let media = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .and_then(|c| c.split(';').next())
                .unwrap_or("")
                .trim();
            let mut patched = scale.clone();
            match media {
                // A Scale has no lists, so a strategic merge patch is a merge patch.
                "application/merge-patch+json" | "application/strategic-merge-patch+json" => {
                    let patch: Value = serde_json::from_slice(body).map_err(|e| {
                        ApiError::bad_request(format!("the body of the request could not be decoded as JSON: {e}"))
                    })?;
                    json_patch::merge(&mut patched, &patch);
                }
                "application/json-patch+json" => {
                    crate::jsonpatch::check_json(body).map_err(ApiError::json_patch)?;
                    patched = crate::jsonpatch::apply(&patched, body, crate::jsonpatch::FieldValidation::Warn)
                        .map_err(ApiError::json_patch)?
                        .value;
                }
                _ => return Err(ApiError::unsupported_media_type()),
            }
            patched
        }
        ref other => return Err(ApiError::method_not_allowed(other.as_str())),
    };
    if let Some(rv) = wanted
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .filter(|r| !r.is_empty())
        && Some(rv) != current.pointer("/metadata/resourceVersion").and_then(Value::as_str)
    {
        return Err(ApiError::stale(served.group(), served.plural(), name));
    }
    let replicas = wanted.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(0);
    if replicas < 0 {
        return Err(ApiError::invalid(
            "autoscaling",
            "Scale",
            name,
            vec![(
                "spec.replicas".into(),
                "FieldValueInvalid".into(),
                format!("Invalid value: {replicas}: must be greater than or equal to 0"),
            )],
        ));
    }
    let mut next = (*current).clone();
    crd::set_path(&mut next, &scalable.spec_replicas, json!(replicas));
    let writer = writer.clone().on(Some("scale"));
    let written = store.replace(served, namespace, name, &current, next, false, dry_run, Some(&writer))?;
    Ok(scalable.scale_of(&written.object))
}
