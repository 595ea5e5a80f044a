//! The controller half of client-go for kube-rs, on kube-informer's informers: the
//! [`workqueue`], a [`Controller`] loop (handlers enqueue keys, workers reconcile them from
//! listers), leader election on `coordination.k8s.io/v1` Leases ([`leaderelection`]) and
//! Prometheus [`Metrics`].
//!
//! ```no_run
//! # async fn demo(client: kube::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
//! use kube_controller::leaderelection::{LeaderElectionConfig, LeaderElector, LeaseLock};
//! use kube_controller::{Action, Controller, Metrics, ObjectRef, enqueue_keys, enqueue_owner};
//! use kube_controller::workqueue::{Queue, RateLimitingQueue, default_controller_rate_limiter};
//! use kube_informer::SharedInformerFactory;
//!
//! let mut registry = prometheus_client::registry::Registry::default();
//! let metrics = Metrics::register(&mut registry);
//! let factory = SharedInformerFactory::new(client.clone(), Duration::from_secs(300));
//! let deployments = factory.informer::<Deployment>();
//! let replica_sets = factory.informer::<ReplicaSet>();
//! let queue = RateLimitingQueue::from_queue(Queue::with_metrics("deployments", &metrics), default_controller_rate_limiter());
//! deployments.add_event_handler(enqueue_keys(queue.clone()));
//! replica_sets.add_event_handler(enqueue_owner::<Deployment, _>(queue.clone()));
//! factory.start();
//!
//! let elector = LeaderElector::new(
//!     LeaseLock::new(client, "default", "deployment-watcher", "replica-1"),
//!     LeaderElectionConfig::default(),
//! )?;
//! Controller::new(queue, |key: ObjectRef| async move {
//!     println!("reconcile {key}");
//!     Ok::<_, kube::Error>(Action::await_change())
//! }, kube_controller::default_error_policy)
//!     .name("deployment-watcher")
//!     .workers(2)
//!     .wait_for(&deployments)
//!     .wait_for(&replica_sets)
//!     .leader_election(elector)
//!     .metrics(&metrics)
//!     .run(tokio::time::sleep(Duration::from_secs(60)))
//!     .await;
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]

mod controller;
mod handlers;
pub mod leaderelection;
mod metrics;
pub mod workqueue;

pub use controller::{Action, Controller, default_error_policy};
pub use handlers::{ObjectRef, controller_owner_key, enqueue_keys, enqueue_mapped, enqueue_owner, enqueue_owner_of};
pub use metrics::Metrics;
