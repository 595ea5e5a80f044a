//! Defaulting of the common built-in kinds on create, as kube-apiserver's defaulting functions
//! (`pkg/apis/*/v1/defaults.go`) and its default admission plugins do it for the fields users read
//! back: Pods and pod templates, Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs,
//! CronJobs and Services (with a cluster IP from the service CIDR `10.0.0.0/24`, as kube-envtest
//! configures it). Checked field by field against the real server by the kubectl differential
//! test (`get -o yaml` after the same creates).

use serde_json::{Map, Value, json};

use crate::store::Served;

fn set(map: &mut Map<String, Value>, key: &str, value: Value) {
    if map.get(key).is_none_or(Value::is_null) {
        map.insert(key.to_owned(), value);
    }
}

fn object<'a>(value: &'a mut Value, key: &str) -> Option<&'a mut Map<String, Value>> {
    let map = value.as_object_mut()?;
    if map.get(key).is_none_or(Value::is_null) {
        map.insert(key.to_owned(), json!({}));
    }
    map.get_mut(key)?.as_object_mut()
}

/// The image pull policy the real server gives a container without one: `Always` for `:latest`
/// or untagged images, else `IfNotPresent`.
fn pull_policy(image: &str) -> &'static str {
    let name = image.rsplit('/').next().unwrap_or(image);
    if image.contains('@') {
        return "IfNotPresent";
    }
    match name.split_once(':') {
        Some((_, "latest")) | None => "Always",
        Some(_) => "IfNotPresent",
    }
}

fn container(c: &mut Value) {
    let Some(map) = c.as_object_mut() else { return };
    let image = map.get("image").and_then(Value::as_str).unwrap_or_default().to_owned();
    set(map, "imagePullPolicy", json!(pull_policy(&image)));
    set(map, "terminationMessagePath", json!("/dev/termination-log"));
    set(map, "terminationMessagePolicy", json!("File"));
    set(map, "resources", json!({}));
    for port in map.get_mut("ports").and_then(Value::as_array_mut).into_iter().flatten() {
        if let Some(port) = port.as_object_mut() {
            set(port, "protocol", json!("TCP"));
        }
    }
}

/// `SetDefaults_PodSpec` and the container defaults.
fn pod_spec(spec: &mut Map<String, Value>) {
    set(spec, "restartPolicy", json!("Always"));
    set(spec, "terminationGracePeriodSeconds", json!(30));
    set(spec, "dnsPolicy", json!("ClusterFirst"));
    set(spec, "securityContext", json!({}));
    set(spec, "schedulerName", json!("default-scheduler"));
    for list in ["containers", "initContainers"] {
        for c in spec.get_mut(list).and_then(Value::as_array_mut).into_iter().flatten() {
            container(c);
        }
    }
}

fn template(spec: &mut Value) {
    if let Some(template) = object(spec, "template") {
        // `creationTimestamp` is `omitzero` since Kubernetes 1.35: no `null` in templates.
        if let Some(meta) = template.get_mut("metadata").and_then(Value::as_object_mut)
            && meta.get("creationTimestamp").is_some_and(Value::is_null)
        {
            meta.remove("creationTimestamp");
        }
        if let Some(spec) = template.entry("spec").or_insert_with(|| json!({})).as_object_mut() {
            pod_spec(spec);
        }
    }
}

/// Fills in what the real server defaults on create of `body`. `cluster_ip` gives the next free
/// service IP.
pub(crate) fn on_create(served: &Served, body: &mut Value, cluster_ip: impl FnOnce() -> Option<String>) {
    if !served.info.is_builtin() {
        return;
    }
    match (served.group(), served.kind()) {
        ("", "Pod") => {
            if let Some(spec) = object(body, "spec") {
                pod_spec(spec);
                set(spec, "enableServiceLinks", json!(true));
                set(spec, "preemptionPolicy", json!("PreemptLowerPriority"));
                set(spec, "priority", json!(0));
                // The DefaultTolerationSeconds admission plugin.
                let tolerations = spec.entry("tolerations").or_insert_with(|| json!([]));
                if let Some(list) = tolerations.as_array_mut() {
                    for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
                        if !list.iter().any(|t| t["key"] == key) {
                            list.push(json!({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}));
                        }
                    }
                }
            }
            let qos = qos_class(body);
            if let Some(status) = object(body, "status") {
                set(status, "phase", json!("Pending"));
                set(status, "qosClass", json!(qos));
            }
        }
        ("apps", "Deployment") => {
            if let Some(spec) = body.get_mut("spec") {
                if let Some(map) = spec.as_object_mut() {
                    set(map, "replicas", json!(1));
                    set(map, "revisionHistoryLimit", json!(10));
                    set(map, "progressDeadlineSeconds", json!(600));
                }
                if let Some(strategy) = object(spec, "strategy") {
                    set(strategy, "type", json!("RollingUpdate"));
                    if strategy["type"] == "RollingUpdate" {
                        let rolling = strategy.entry("rollingUpdate").or_insert_with(|| json!({}));
                        if let Some(rolling) = rolling.as_object_mut() {
                            set(rolling, "maxUnavailable", json!("25%"));
                            set(rolling, "maxSurge", json!("25%"));
                        }
                    }
                }
                template(spec);
            }
            set_empty_status(body);
        }
        ("apps", "ReplicaSet") => {
            if let Some(spec) = body.get_mut("spec") {
                if let Some(map) = spec.as_object_mut() {
                    set(map, "replicas", json!(1));
                }
                template(spec);
            }
            set_status(body, json!({"replicas": 0}));
        }
        ("apps", "StatefulSet") => {
            if let Some(spec) = body.get_mut("spec") {
                if let Some(map) = spec.as_object_mut() {
                    set(map, "replicas", json!(1));
                    set(map, "podManagementPolicy", json!("OrderedReady"));
                    set(map, "revisionHistoryLimit", json!(10));
                    set(
                        map,
                        "updateStrategy",
                        json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0, "maxUnavailable": 1}}),
                    );
                    set(
                        map,
                        "persistentVolumeClaimRetentionPolicy",
                        json!({"whenDeleted": "Retain", "whenScaled": "Retain"}),
                    );
                }
                template(spec);
            }
            set_status(body, json!({"replicas": 0, "availableReplicas": 0}));
        }
        ("apps", "DaemonSet") => {
            if let Some(spec) = body.get_mut("spec") {
                if let Some(map) = spec.as_object_mut() {
                    set(map, "revisionHistoryLimit", json!(10));
                    set(
                        map,
                        "updateStrategy",
                        json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
                    );
                }
                template(spec);
            }
            // The DaemonSet strategy's template generation, kept in an annotation.
            if let Some(meta) = body.get_mut("metadata").and_then(Value::as_object_mut) {
                let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
                if let Some(annotations) = annotations.as_object_mut() {
                    annotations.insert("deprecated.daemonset.template.generation".into(), json!("1"));
                }
            }
        }
        ("batch", "Job") => {
            if let Some(spec) = body.get_mut("spec") {
                job_spec(spec);
            }
            job_selector(body);
            set_empty_status(body);
        }
        ("batch", "CronJob") => {
            if let Some(spec) = body.get_mut("spec") {
                if let Some(map) = spec.as_object_mut() {
                    set(map, "concurrencyPolicy", json!("Allow"));
                    set(map, "suspend", json!(false));
                    set(map, "successfulJobsHistoryLimit", json!(3));
                    set(map, "failedJobsHistoryLimit", json!(1));
                }
                if let Some(job) = object(spec, "jobTemplate") {
                    // The job template's metadata is a Go struct: always there, `{}` when empty.
                    let meta = job.entry("metadata").or_insert_with(|| json!({}));
                    if let Some(meta) = meta.as_object_mut()
                        && meta.get("creationTimestamp").is_some_and(Value::is_null)
                    {
                        meta.remove("creationTimestamp");
                    }
                    // Only the pod template inside is defaulted: the Job defaults (completions,
                    // backoffLimit, ...) are the Job's, applied when the CronJob makes one.
                    if let Some(spec) = job.get_mut("spec") {
                        template(spec);
                    }
                }
            }
            set_empty_status(body);
        }
        ("", "Service") => service(body, cluster_ip),
        ("apiextensions.k8s.io", "CustomResourceDefinition") => {
            if let Some(spec) = object(body, "spec") {
                let kind = spec
                    .get("names")
                    .and_then(|n| n.get("kind"))
                    .and_then(Value::as_str)
                    .map(|k| format!("{k}List"));
                if let (Some(kind), Some(names)) = (kind, spec.get_mut("names").and_then(Value::as_object_mut)) {
                    set(names, "listKind", json!(kind));
                }
                set(spec, "conversion", json!({"strategy": "None"}));
            }
        }
        ("", "Secret") => {
            if let Some(map) = body.as_object_mut() {
                set(map, "type", json!("Opaque"));
            }
        }
        _ => {}
    }
}

/// Removes from a defaulted object what the registry and admission set after the field manager
/// has run (so no manager owns it): a Service's cluster IPs and IP families, a Job's generated
/// selector and its labels, a Pod's priority, preemption policy and the tolerations of the DefaultTolerationSeconds plugin, a Namespace's finalizers and status.
pub(crate) fn unowned(served: &Served, body: &mut Value) {
    // Removes the field at `path`, and its parents left empty (below the top level).
    fn remove(body: &mut Value, path: &[&str]) {
        let Some((last, parent)) = path.split_last() else {
            return;
        };
        let pointer: String = parent
            .iter()
            .map(|k| format!("/{}", k.replace('~', "~0").replace('/', "~1")))
            .collect();
        let Some(map) = body.pointer_mut(&pointer).and_then(Value::as_object_mut) else {
            return;
        };
        map.remove(*last);
        if map.is_empty() && parent.len() > 1 {
            remove(body, parent);
        }
    }
    if !served.info.is_builtin() {
        return;
    }
    match (served.group(), served.kind()) {
        ("", "Service") => {
            for field in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"] {
                remove(body, &["spec", field]);
            }
        }
        ("batch", "Job") => {
            remove(body, &["spec", "selector"]);
            for label in [
                "batch.kubernetes.io/controller-uid",
                "batch.kubernetes.io/job-name",
                "controller-uid",
                "job-name",
            ] {
                remove(body, &["spec", "template", "metadata", "labels", label]);
            }
        }
        ("", "Pod") => {
            remove(body, &["spec", "priority"]);
            remove(body, &["spec", "preemptionPolicy"]);
            if let Some(list) = body.pointer_mut("/spec/tolerations").and_then(Value::as_array_mut) {
                list.retain(|t| {
                    !(t["operator"] == "Exists"
                        && t["effect"] == "NoExecute"
                        && t["tolerationSeconds"] == 300
                        && matches!(
                            t["key"].as_str(),
                            Some("node.kubernetes.io/not-ready" | "node.kubernetes.io/unreachable")
                        ))
                });
                if list.is_empty() {
                    remove(body, &["spec", "tolerations"]);
                }
            }
        }
        ("", "Namespace") => {
            remove(body, &["spec"]);
            remove(body, &["status"]);
        }
        _ => {}
    }
}

fn set_empty_status(body: &mut Value) {
    if let Some(map) = body.as_object_mut() {
        set(map, "status", json!({}));
    }
}

fn set_status(body: &mut Value, status: Value) {
    if let Some(map) = body.as_object_mut() {
        set(map, "status", status);
    }
}

fn job_spec(spec: &mut Value) {
    if let Some(map) = spec.as_object_mut() {
        let completions_set = map.get("completions").is_some_and(|c| !c.is_null());
        let parallelism_set = map.get("parallelism").is_some_and(|c| !c.is_null());
        if !completions_set && !parallelism_set {
            map.insert("completions".into(), json!(1));
            map.insert("parallelism".into(), json!(1));
        }
        set(map, "parallelism", json!(1));
        set(map, "backoffLimit", json!(6));
        set(map, "completionMode", json!("NonIndexed"));
        set(map, "suspend", json!(false));
        set(map, "podReplacementPolicy", json!("TerminatingOrFailed"));
    }
    template(spec);
}

/// The Job strategy's `generateSelectorIfNeeded`: a selector on the job's uid, and the labels
/// that match it on the pod template.
fn job_selector(body: &mut Value) {
    let uid = body.pointer("/metadata/uid").cloned().unwrap_or_default();
    let name = body.pointer("/metadata/name").cloned().unwrap_or_default();
    let Some(spec) = body.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    if spec.get("manualSelector") == Some(&json!(true)) {
        return;
    }
    spec.insert("manualSelector".into(), json!(false));
    spec.insert(
        "selector".into(),
        json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}),
    );
    let labels = spec
        .entry("template")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .map(|t| t.entry("metadata").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut)
        .map(|m| m.entry("labels").or_insert_with(|| json!({})));
    if let Some(Value::Object(labels)) = labels {
        labels.insert("batch.kubernetes.io/controller-uid".into(), uid.clone());
        labels.insert("batch.kubernetes.io/job-name".into(), name.clone());
        labels.insert("controller-uid".into(), uid);
        labels.insert("job-name".into(), name);
    }
}

/// The QoS class of a pod from its containers' requests and limits.
fn qos_class(pod: &Value) -> &'static str {
    let containers = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut any = false;
    let mut guaranteed = !containers.is_empty();
    for c in &containers {
        let requests = c.pointer("/resources/requests").and_then(Value::as_object);
        let limits = c.pointer("/resources/limits").and_then(Value::as_object);
        if requests.is_some_and(|r| !r.is_empty()) || limits.is_some_and(|l| !l.is_empty()) {
            any = true;
        }
        let full = limits.is_some_and(|l| l.contains_key("cpu") && l.contains_key("memory"))
            && requests.is_none_or(|r| limits.is_some_and(|l| r.iter().all(|(k, v)| l.get(k) == Some(v))));
        guaranteed &= full;
    }
    if !any {
        "BestEffort"
    } else if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

fn service(body: &mut Value, cluster_ip: impl FnOnce() -> Option<String>) {
    let Some(spec) = object(body, "spec") else { return };
    set(spec, "type", json!("ClusterIP"));
    set(spec, "sessionAffinity", json!("None"));
    let ty = spec["type"].as_str().unwrap_or_default().to_owned();
    if ty != "ExternalName" {
        set(spec, "internalTrafficPolicy", json!("Cluster"));
        if spec.get("clusterIP").is_none_or(|ip| ip.is_null() || ip == "")
            && let Some(ip) = cluster_ip()
        {
            spec.insert("clusterIP".into(), json!(ip));
        }
        if let Some(ip) = spec.get("clusterIP").cloned() {
            set(spec, "clusterIPs", json!([ip]));
        }
        set(spec, "ipFamilies", json!(["IPv4"]));
        set(spec, "ipFamilyPolicy", json!("SingleStack"));
    }
    if matches!(ty.as_str(), "NodePort" | "LoadBalancer") {
        set(spec, "externalTrafficPolicy", json!("Cluster"));
    }
    for port in spec
        .get_mut("ports")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        if let Some(port) = port.as_object_mut() {
            set(port, "protocol", json!("TCP"));
            if let Some(number) = port.get("port").cloned() {
                set(port, "targetPort", number);
            }
        }
    }
    set_status(body, json!({"loadBalancer": {}}));
}
