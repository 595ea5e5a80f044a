//! What both benchmark binaries share: the realistic pod, a fake server loaded with them, and
//! our informer's options per variant.

use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube_core::GroupVersionResource;
use kube_fake_apiserver::FakeApiServer;
use kube_informer::InformerOptions;
use serde_json::{Value, json};

/// A realistic pod (~4 KB of JSON): managedFields, labels, annotations, an owner, two containers
/// with env, probes and mounts, the service-account volume, and a full status.
pub fn pod_json(i: usize, namespaces: usize) -> Value {
    let ns = format!("ns-{:04}", i % namespaces);
    let app = format!("app-{}", (i / namespaces) % 10);
    let rs = format!("{app}-7c9d6b5f4");
    let name = format!("{rs}-{i:07}");
    let uid = format!("5f0d9a62-2c1e-4c8e-{:04x}-{:012x}", i % 65_536, i);
    let node = format!("node-{}", i % 200);
    let ip = format!("10.{}.{}.{}", 244 + (i >> 16) % 10, (i >> 8) & 255, i & 255);
    let tier = if i.is_multiple_of(2) { "frontend" } else { "backend" };
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "generateName": format!("{rs}-"),
            "namespace": ns,
            "uid": uid,
            "resourceVersion": "1",
            "creationTimestamp": "2026-11-20T09:14:03Z",
            "labels": {"app": app, "pod-template-hash": "7c9d6b5f4", "tier": tier, "app.kubernetes.io/part-of": "shop"},
            "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"},
            "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs, "uid": "0b4f3e21-9a8d-4c7b-8e6f-5d4c3b2a1f09", "controller": true, "blockOwnerDeletion": true}
            ],
            "managedFields": [
                {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1", "time": "2026-11-20T09:14:03Z", "fieldsType": "FieldsV1",
                 "fieldsV1": {"f:metadata": {"f:generateName": {}, "f:labels": {".": {}, "f:app": {}, "f:pod-template-hash": {}, "f:tier": {}, "f:app.kubernetes.io/part-of": {}},
                   "f:ownerReferences": {".": {}, "k:{\"uid\":\"0b4f3e21-9a8d-4c7b-8e6f-5d4c3b2a1f09\"}": {}}},
                   "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {".": {}, "f:env": {}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {}, "f:ports": {}, "f:resources": {}},
                     "k:{\"name\":\"proxy\"}": {".": {}, "f:image": {}, "f:name": {}}}, "f:dnsPolicy": {}, "f:restartPolicy": {}, "f:schedulerName": {}}}},
                {"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "time": "2026-11-20T09:14:09Z", "fieldsType": "FieldsV1", "subresource": "status",
                 "fieldsV1": {"f:status": {"f:conditions": {"k:{\"type\":\"Ready\"}": {".": {}, "f:status": {}, "f:type": {}}}, "f:containerStatuses": {}, "f:hostIP": {}, "f:phase": {}, "f:podIP": {}, "f:podIPs": {}, "f:startTime": {}}}}
            ]
        },
        "spec": {
            "containers": [
                {"name": "web", "image": "registry.example.com/shop/web:1.27.3", "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}, {"name": "metrics", "containerPort": 9090, "protocol": "TCP"}],
                 "env": [{"name": "APP_ENV", "value": "production"}, {"name": "LOG_LEVEL", "value": "info"}, {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
                         {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}}],
                 "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
                 "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"}, "initialDelaySeconds": 10, "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
                 "volumeMounts": [{"name": "kube-api-access-x7k2p", "readOnly": true, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}],
                 "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"},
                {"name": "proxy", "image": "registry.example.com/mesh/proxy:1.22.0", "args": ["proxy", "sidecar", "--concurrency", "2"],
                 "resources": {"requests": {"cpu": "10m", "memory": "40Mi"}},
                 "volumeMounts": [{"name": "kube-api-access-x7k2p", "readOnly": true, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}],
                 "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"}
            ],
            "volumes": [{"name": "kube-api-access-x7k2p", "projected": {"defaultMode": 420, "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}}],
            "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "default", "serviceAccount": "default", "nodeName": node,
            "securityContext": {}, "schedulerName": "default-scheduler",
            "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}],
            "priority": 0, "enableServiceLinks": true, "preemptionPolicy": "PreemptLowerPriority"
        },
        "status": {
            "phase": "Running",
            "conditions": [
                {"type": "Initialized", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2026-11-20T09:14:03Z"},
                {"type": "Ready", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2026-11-20T09:14:09Z"},
                {"type": "ContainersReady", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2026-11-20T09:14:09Z"},
                {"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2026-11-20T09:14:03Z"}
            ],
            "hostIP": "10.0.0.11", "podIP": ip, "podIPs": [{"ip": ip}],
            "startTime": "2026-11-20T09:14:03Z", "qosClass": "Burstable",
            "containerStatuses": [
                {"name": "proxy", "state": {"running": {"startedAt": "2026-11-20T09:14:07Z"}}, "lastState": {}, "ready": true, "restartCount": 0,
                 "image": "registry.example.com/mesh/proxy:1.22.0", "imageID": "registry.example.com/mesh/proxy@sha256:9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0",
                 "containerID": "containerd://1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b", "started": true},
                {"name": "web", "state": {"running": {"startedAt": "2026-11-20T09:14:08Z"}}, "lastState": {}, "ready": true, "restartCount": 0,
                 "image": "registry.example.com/shop/web:1.27.3", "imageID": "registry.example.com/shop/web@sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
                 "containerID": "containerd://4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f", "started": true}
            ]
        }
    })
}

pub fn pods_gvr() -> GroupVersionResource {
    GroupVersionResource::gvr("", "v1", "pods")
}

/// A fake server holding `n` realistic pods in `namespaces` namespaces.
pub async fn loaded_server(n: usize, namespaces: usize) -> FakeApiServer {
    let server = FakeApiServer::builder()
        .require_namespaces(false)
        .history(1_000)
        .bookmark_interval(Duration::from_secs(3_600))
        .start()
        .await
        .expect("fake server starts");
    server
        .seed_json(&pods_gvr(), (0..n).map(|i| pod_json(i, namespaces)))
        .expect("loading pods");
    server
}

/// Our informer's options for variant `what`: "ours" (the defaults) or "ours-nocompact".
pub fn our_options(what: &str) -> InformerOptions<Pod> {
    InformerOptions {
        compact: what == "ours",
        ..Default::default()
    }
}
