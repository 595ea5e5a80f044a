//! Server-side `Table` output (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), what
//! `kubectl get` asks for: the real server's columns for the built-ins kubectl users look at most
//! (recorded from kube-apiserver v1.37.2 in `data/tables.json` by `tests/real_server.rs`), with
//! cells computed as its printers compute them (`pkg/printers/internalversion`); a CRD's
//! `additionalPrinterColumns`; `Name` and `Created At` for other built-ins, `Name` and `Age`
//! for other custom resources, as the real server's default table convertors answer.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use serde_json::{Value, json};

use crate::crd;
use crate::scale::label_selector_string;
use crate::store::{Served, metadata_only};

/// Recorded column definitions by `<plural>.<group>` (`pods`, `deployments.apps`).
static COLUMNS: LazyLock<HashMap<String, Vec<Value>>> = LazyLock::new(|| {
    let value: Value = serde_json::from_str(include_str!("../data/tables.json")).expect("the recording is JSON");
    value
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_array().cloned().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default()
});

/// What a Table row carries besides its cells (`?includeObject=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IncludeObject {
    None,
    Metadata,
    Object,
}

impl IncludeObject {
    pub(crate) fn parse(param: Option<&str>) -> IncludeObject {
        match param {
            Some("None") => IncludeObject::None,
            Some("Object") => IncludeObject::Object,
            _ => IncludeObject::Metadata,
        }
    }
}

fn name_column() -> Value {
    json!({"name": "Name", "type": "string", "format": "name", "description": "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names", "priority": 0})
}

const CREATION_DESCRIPTION: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/// How one kind is printed.
enum Printer {
    /// A built-in with a printer of its own: recorded columns, cells by [`builtin_cells`].
    Builtin(String, Vec<Value>),
    /// A CRD's `additionalPrinterColumns`.
    Crd(Arc<crd::CrdResource>),
    /// The default: Name and Created At (built-ins) or Age (custom resources).
    Default(bool),
}

fn printer(served: &Served) -> Printer {
    if let Some(crd) = &served.crd
        && !served.info.is_builtin()
    {
        return Printer::Crd(crd.clone());
    }
    if served.info.is_builtin() {
        let key = crate::status::qualified(served.group(), served.plural());
        if let Some(columns) = COLUMNS.get(&key) {
            return Printer::Builtin(key, columns.clone());
        }
        return Printer::Default(true);
    }
    Printer::Default(false)
}

fn columns(printer: &Printer) -> Vec<Value> {
    match printer {
        Printer::Builtin(_, columns) => columns.clone(),
        Printer::Crd(crd) if !crd.columns.is_empty() => std::iter::once(name_column())
            .chain(crd.columns.iter().map(|c| {
                let description = c
                    .get("description")
                    .and_then(Value::as_str)
                    .filter(|d| !d.is_empty())
                    .map_or_else(
                        || {
                            format!(
                                "Custom resource definition column (in JSONPath format): {}",
                                c["jsonPath"].as_str().unwrap_or_default()
                            )
                        },
                        str::to_owned,
                    );
                json!({
                    "name": c["name"],
                    "type": c["type"],
                    "format": c.get("format").cloned().unwrap_or(json!("")),
                    "description": description,
                    "priority": c.get("priority").cloned().unwrap_or(json!(0)),
                })
            }))
            .collect(),
        Printer::Crd(_) | Printer::Default(false) => vec![
            name_column(),
            json!({"name": "Age", "type": "date", "format": "", "description": CREATION_DESCRIPTION, "priority": 0}),
        ],
        Printer::Default(true) => vec![
            name_column(),
            json!({"name": "Created At", "type": "date", "format": "", "description": CREATION_DESCRIPTION, "priority": 0}),
        ],
    }
}

/// A `Table` of `objects`; `metadata` is the list's (resourceVersion, continue).
pub(crate) fn table(served: &Served, objects: &[Arc<Value>], metadata: Value, include: IncludeObject) -> Value {
    let printer = printer(served);
    let rows: Vec<Value> = objects
        .iter()
        .map(|object| {
            let mut row = json!({"cells": cells(&printer, object)});
            match include {
                IncludeObject::None => {}
                IncludeObject::Metadata => row["object"] = metadata_only(object),
                IncludeObject::Object => row["object"] = (**object).clone(),
            }
            row
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": columns(&printer),
        "rows": rows,
    })
}

fn cells(printer: &Printer, object: &Value) -> Vec<Value> {
    let name = json!(
        object
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
    );
    let created = object
        .pointer("/metadata/creationTimestamp")
        .cloned()
        .unwrap_or(Value::Null);
    match printer {
        Printer::Builtin(key, _) => builtin_cells(key, object),
        Printer::Crd(crd) if !crd.columns.is_empty() => std::iter::once(name)
            .chain(crd.columns.iter().map(|c| {
                let path = c["jsonPath"].as_str().unwrap_or_default();
                crd_cell(c["type"].as_str().unwrap_or_default(), crd::get_path(object, path))
            }))
            .collect(),
        // A custom resource's default column is its age; a built-in's its creation time.
        Printer::Crd(_) | Printer::Default(false) => vec![name, age(Some(&created))],
        _ => vec![name, created],
    }
}

/// A CRD printer column's cell, as the real server's CRD table convertor writes it.
fn crd_cell(ty: &str, value: Option<&Value>) -> Value {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Value::Null;
    };
    match (ty, value) {
        ("string", Value::String(s)) => json!(s),
        ("string", other) => json!(other.to_string()),
        ("integer", Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .map_or(Value::Null, |i| json!(i)),
        ("number", Value::Number(n)) => n.as_f64().map_or(Value::Null, |f| json!(f)),
        ("boolean", Value::Bool(b)) => json!(b),
        ("date", Value::String(_)) => age(Some(value)),
        _ => Value::Null,
    }
}

/// Go's `duration.HumanDuration` of the time since an RFC 3339 timestamp, or `<unknown>`.
fn age(timestamp: Option<&Value>) -> Value {
    let Some(at) = timestamp
        .and_then(Value::as_str)
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
    else {
        return json!("<unknown>");
    };
    let seconds = jiff::Timestamp::now().as_second() - at.as_second();
    json!(human_duration(seconds))
}

fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".into();
    }
    if seconds < 0 {
        return "0s".into();
    }
    if seconds < 120 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    format!("{}y", hours / 24 / 365)
}

fn int(object: &Value, pointer: &str) -> i64 {
    object.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

fn text<'a>(object: &'a Value, pointer: &str) -> &'a str {
    object.pointer(pointer).and_then(Value::as_str).unwrap_or_default()
}

fn len_of(object: &Value, pointer: &str) -> i64 {
    match object.pointer(pointer) {
        Some(Value::Object(m)) => m.len() as i64,
        Some(Value::Array(a)) => a.len() as i64,
        _ => 0,
    }
}

/// Container names and images of a pod template, comma separated.
fn containers(object: &Value, pointer: &str) -> (Value, Value) {
    let containers = object
        .pointer(pointer)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let names: Vec<&str> = containers
        .iter()
        .map(|c| c["name"].as_str().unwrap_or_default())
        .collect();
    let images: Vec<&str> = containers
        .iter()
        .map(|c| c["image"].as_str().unwrap_or_default())
        .collect();
    (json!(names.join(",")), json!(images.join(",")))
}

fn labels_string(value: Option<&Value>) -> String {
    let labels = value
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    if labels.is_empty() { "<none>".into() } else { labels }
}

fn selector_string(value: Option<&Value>) -> String {
    let selector = value.map(label_selector_string).unwrap_or_default();
    if selector.is_empty() { "<none>".into() } else { selector }
}

/// The cells of a built-in with a printer, wide columns included (the server always sends them).
fn builtin_cells(key: &str, o: &Value) -> Vec<Value> {
    let name = json!(text(o, "/metadata/name"));
    let age = age(o.pointer("/metadata/creationTimestamp"));
    match key {
        "configmaps" => vec![name, json!(len_of(o, "/data") + len_of(o, "/binaryData")), age],
        "secrets" => vec![name, json!(text(o, "/type")), json!(len_of(o, "/data")), age],
        "namespaces" => vec![name, json!(text(o, "/status/phase")), age],
        "deployments.apps" => {
            let (names, images) = containers(o, "/spec/template/spec/containers");
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    int(o, "/status/readyReplicas"),
                    int(o, "/spec/replicas")
                )),
                json!(int(o, "/status/updatedReplicas")),
                json!(int(o, "/status/availableReplicas")),
                age,
                names,
                images,
                json!(selector_string(o.pointer("/spec/selector")).replace("<none>", "")),
            ]
        }
        "replicasets.apps" => {
            let (names, images) = containers(o, "/spec/template/spec/containers");
            vec![
                name,
                json!(int(o, "/spec/replicas")),
                json!(int(o, "/status/replicas")),
                json!(int(o, "/status/readyReplicas")),
                age,
                names,
                images,
                json!(selector_string(o.pointer("/spec/selector"))),
            ]
        }
        "services" => {
            let ty = text(o, "/spec/type");
            let cluster_ip = o
                .pointer("/spec/clusterIPs/0")
                .and_then(Value::as_str)
                .unwrap_or("<none>");
            let external: Vec<&str> = o
                .pointer("/spec/externalIPs")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let external = match ty {
                "ClusterIP" | "NodePort" if !external.is_empty() => external.join(","),
                "ClusterIP" | "NodePort" => "<none>".into(),
                "LoadBalancer" if !external.is_empty() => external.join(","),
                "LoadBalancer" => "<pending>".into(),
                "ExternalName" => text(o, "/spec/externalName").to_owned(),
                _ => "<unknown>".into(),
            };
            let ports: Vec<String> = o
                .pointer("/spec/ports")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|p| {
                    let protocol = p["protocol"].as_str().unwrap_or_default();
                    match p["nodePort"].as_i64().filter(|n| *n > 0) {
                        Some(node) => format!("{}:{node}/{protocol}", p["port"]),
                        None => format!("{}/{protocol}", p["port"]),
                    }
                })
                .collect();
            let ports = if ports.is_empty() {
                "<none>".into()
            } else {
                ports.join(",")
            };
            vec![
                name,
                json!(ty),
                json!(cluster_ip),
                json!(external),
                json!(ports),
                age,
                json!(labels_string(o.pointer("/spec/selector"))),
            ]
        }
        "jobs.batch" => {
            let completions = match o.pointer("/spec/completions").and_then(Value::as_i64) {
                Some(c) => format!("{}/{c}", int(o, "/status/succeeded")),
                None => {
                    let parallelism = int(o, "/spec/parallelism");
                    if parallelism > 1 {
                        format!("{}/1 of {parallelism}", int(o, "/status/succeeded"))
                    } else {
                        format!("{}/1", int(o, "/status/succeeded"))
                    }
                }
            };
            let has = |ty: &str| {
                o.pointer("/status/conditions")
                    .and_then(Value::as_array)
                    .is_some_and(|c| c.iter().any(|c| c["type"] == ty && c["status"] == "True"))
            };
            let status = if has("Complete") {
                "Complete"
            } else if has("Failed") {
                "Failed"
            } else if o.pointer("/metadata/deletionTimestamp").is_some() {
                "Terminating"
            } else if has("Suspended") {
                "Suspended"
            } else if has("FailureTarget") {
                "FailureTarget"
            } else if has("SuccessCriteriaMet") {
                "SuccessCriteriaMet"
            } else {
                "Running"
            };
            let (names, images) = containers(o, "/spec/template/spec/containers");
            vec![
                name,
                json!(status),
                json!(completions),
                json!(""),
                age,
                names,
                images,
                json!(selector_string(o.pointer("/spec/selector"))),
            ]
        }
        "pods" => pod_cells(o, name, age),
        "customresourcedefinitions.apiextensions.k8s.io" => {
            let versions: Vec<String> = o
                .pointer("/spec/versions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|v| v["served"] == true)
                .filter_map(|v| {
                    let name = v["name"].as_str()?;
                    Some(if v["storage"] == true {
                        format!("{name}(storage)")
                    } else {
                        name.to_owned()
                    })
                })
                .collect();
            let short: Vec<&str> = o
                .pointer("/spec/names/shortNames")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let established = o
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .is_some_and(|c| c.iter().any(|c| c["type"] == "Established" && c["status"] == "True"));
            vec![
                name,
                json!(text(o, "/spec/scope")),
                json!(versions.join(",")),
                o.pointer("/metadata/creationTimestamp").cloned().unwrap_or(Value::Null),
                json!(text(o, "/spec/group")),
                json!(text(o, "/spec/names/kind")),
                json!(short.join(",")),
                json!(established),
            ]
        }
        "nodes" => {
            let conditions = o.pointer("/status/conditions").and_then(Value::as_array);
            let mut status: Vec<String> = conditions
                .into_iter()
                .flatten()
                .filter(|c| c["type"] == "Ready")
                .map(|c| {
                    if c["status"] == "True" {
                        "Ready".into()
                    } else {
                        "NotReady".into()
                    }
                })
                .collect();
            if status.is_empty() {
                status.push("Unknown".into());
            }
            if o.pointer("/spec/unschedulable") == Some(&json!(true)) {
                status.push("SchedulingDisabled".into());
            }
            let mut roles: Vec<String> = o
                .pointer("/metadata/labels")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| {
                    k.strip_prefix("node-role.kubernetes.io/")
                        .map(str::to_owned)
                        .or_else(|| (k == "kubernetes.io/role").then(|| v.as_str().unwrap_or_default().to_owned()))
                })
                .filter(|r| !r.is_empty())
                .collect();
            roles.sort();
            let roles = if roles.is_empty() {
                "<none>".into()
            } else {
                roles.join(",")
            };
            let address = |ty: &str| {
                o.pointer("/status/addresses")
                    .and_then(Value::as_array)
                    .and_then(|a| a.iter().find(|a| a["type"] == ty))
                    .and_then(|a| a["address"].as_str())
                    .unwrap_or("<none>")
                    .to_owned()
            };
            let info = |field: &str| {
                let v = text(o, &format!("/status/nodeInfo/{field}"));
                if v.is_empty() {
                    "<unknown>".to_owned()
                } else {
                    v.to_owned()
                }
            };
            vec![
                name,
                json!(status.join(",")),
                json!(roles),
                age,
                json!(text(o, "/status/nodeInfo/kubeletVersion")),
                json!(address("InternalIP")),
                json!(address("ExternalIP")),
                json!(info("osImage")),
                json!(info("kernelVersion")),
                json!(info("containerRuntimeVersion")),
            ]
        }
        "events" => {
            let first = if o.pointer("/firstTimestamp").is_some_and(|v| !v.is_null()) {
                crate::tables::age(o.pointer("/firstTimestamp"))
            } else {
                crate::tables::age(o.pointer("/eventTime"))
            };
            let last = if o.pointer("/lastTimestamp").is_some_and(|v| !v.is_null()) {
                crate::tables::age(o.pointer("/lastTimestamp"))
            } else {
                first.clone()
            };
            let count = match int(o, "/count") {
                0 => 1,
                n => n,
            };
            let kind = text(o, "/involvedObject/kind").to_lowercase();
            let target = match text(o, "/involvedObject/name") {
                "" => kind,
                name => format!("{kind}/{name}"),
            };
            let component = [text(o, "/source/component"), text(o, "/reportingComponent")]
                .into_iter()
                .find(|s| !s.is_empty())
                .unwrap_or_default();
            let host = [text(o, "/source/host"), text(o, "/reportingInstance")]
                .into_iter()
                .find(|s| !s.is_empty())
                .unwrap_or_default();
            let source = if host.is_empty() {
                component.to_owned()
            } else {
                format!("{component}, {host}")
            };
            vec![
                last,
                json!(text(o, "/type")),
                json!(text(o, "/reason")),
                json!(target),
                json!(text(o, "/involvedObject/fieldPath")),
                json!(source),
                json!(text(o, "/message").trim()),
                first,
                json!(count),
                name,
            ]
        }
        _ => vec![name, age],
    }
}

fn pod_cells(o: &Value, name: Value, age: Value) -> Vec<Value> {
    let total = len_of(o, "/spec/containers");
    let statuses = o
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let ready = statuses.iter().filter(|s| s["ready"] == true).count();
    let restarts: i64 = statuses.iter().map(|s| s["restartCount"].as_i64().unwrap_or(0)).sum();
    let mut reason = match text(o, "/status/reason") {
        "" => text(o, "/status/phase").to_owned(),
        r => r.to_owned(),
    };
    for status in statuses.iter().rev() {
        if let Some(r) = status.pointer("/state/waiting/reason").and_then(Value::as_str) {
            reason = r.to_owned();
        } else if let Some(r) = status.pointer("/state/terminated/reason").and_then(Value::as_str) {
            reason = r.to_owned();
        }
    }
    if o.pointer("/metadata/deletionTimestamp").is_some() {
        reason = if text(o, "/status/reason") == "NodeLost" {
            "Unknown".into()
        } else {
            "Terminating".into()
        };
    }
    let or_none = |s: &str| {
        if s.is_empty() {
            "<none>".to_owned()
        } else {
            s.to_owned()
        }
    };
    let gates = len_of(o, "/spec/readinessGates");
    let gates = if gates == 0 {
        "<none>".to_owned()
    } else {
        let true_gates = o
            .pointer("/spec/readinessGates")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|g| {
                o.pointer("/status/conditions")
                    .and_then(Value::as_array)
                    .is_some_and(|c| {
                        c.iter()
                            .any(|c| c["type"] == g["conditionType"] && c["status"] == "True")
                    })
            })
            .count();
        format!("{true_gates}/{gates}")
    };
    vec![
        name,
        json!(format!("{ready}/{total}")),
        json!(reason),
        json!(restarts.to_string()),
        age,
        json!(or_none(text(o, "/status/podIP"))),
        json!(or_none(text(o, "/spec/nodeName"))),
        json!(or_none(text(o, "/status/nominatedNodeName"))),
        json!(gates),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn human_durations_as_go_writes_them() {
        for (seconds, text) in [
            (-5, "<invalid>"),
            (0, "0s"),
            (119, "119s"),
            (120, "2m"),
            (185, "3m5s"),
            (600, "10m"),
            (3 * 3600 + 60, "3h1m"),
            (30 * 3600, "30h"),
            (3 * 86400 + 3600, "3d1h"),
        ] {
            assert_eq!(super::human_duration(seconds), text);
        }
    }
}
