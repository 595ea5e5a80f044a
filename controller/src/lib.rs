//! The controller half of client-go for kube-rs, on kube-informer's informers: the
//! [`workqueue`], a [`Controller`] loop (handlers enqueue keys, workers reconcile them), leader
//! election on `coordination.k8s.io/v1` Leases ([`leaderelection`]) and Prometheus [`Metrics`].

#![forbid(unsafe_code)]

mod metrics;
pub mod workqueue;

pub use metrics::Metrics;
