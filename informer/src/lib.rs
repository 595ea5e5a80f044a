//! What client-go's `tools/cache` and `informers` give Go controllers, for kube-rs: shared index
//! informers with add/update/delete handlers and tombstones, an indexed cache, resync,
//! transforms, listers, a shared informer factory, and dynamic and metadata-only informers whose
//! objects always carry their `kind`/`apiVersion`. List+watch, pagination, bookmarks, backoff and
//! streaming lists are kube-runtime's watcher's.
//!
//! Each started informer runs a watch task on the caller's tokio runtime, which reads the list
//! and watch responses into objects' JSON texts; an apply thread of its own, which decodes them
//! (every list at its exact length), runs the transforms, updates the cache and queues the
//! changes; and one worker thread per handler. Transforms and the watch error handler run on
//! the apply thread, inside the runtime's context (the error handler also on the watch task).
//! A handler more than 16 notifications behind makes the apply thread wait for it, so that
//! the versions queued for it stay bounded.
//!
//! The cache keeps objects decoded by default; [`CacheStorage::compressed`] keeps each one as
//! LZ4-compressed JSON against a dictionary the cache shares (a few hundred bytes per pod,
//! against about 30 KB decoded), decoding on every read: for big caches read seldom. The
//! crate's README gives the measured costs of both, and an allocator recommendation for
//! binaries.
//!
//! ```no_run
//! # async fn demo(client: kube::Client) {
//! use std::sync::Arc;
//! use std::time::Duration;
//! use k8s_openapi::api::core::v1::Pod;
//! use kube_informer::{HandlerFns, SharedInformerFactory};
//!
//! let factory = SharedInformerFactory::new(client, Duration::from_secs(30));
//! let pods = factory.informer::<Pod>();
//! pods.add_event_handler(
//!     HandlerFns::new()
//!         .on_add(|pod: &Arc<Pod>, _| println!("add {:?}", pod.metadata.name))
//!         .on_update(|_, new: &Arc<Pod>| println!("update {:?}", new.metadata.name))
//!         .on_delete(|pod| println!("delete {:?}", pod.object().metadata.name)),
//! );
//! factory.start();
//! factory.wait_for_cache_sync().await;
//! let web = pods.lister().namespace("default").list(&"app=web".parse().unwrap());
//! # }
//! ```

#![forbid(unsafe_code)]

mod factory;
mod handler;
mod hinted;
mod indexer;
mod informer;
mod lister;
mod pipeline;
mod processor;
mod queue;
mod raw;
mod reflector;
mod stats;
mod storage;
mod typed;

pub use factory::{
    FactoryBuilder, FactoryError, MetaTransform, ScopeApi, SharedInformerFactory, TweakListOptions,
    strip_managed_fields_meta,
};
pub use handler::{
    DeleteEvent, DeletedFinalStateUnknown, HandlerFns, HandlerRegistration, Notification, ResourceEventHandler,
};
pub use indexer::{IndexFn, Indexer, IndexerError, IndexerReader, NAMESPACE_INDEX, object_key, split_key};
pub use informer::{
    BackoffSettings, EventStream, InformerError, InformerOptions, SharedIndexInformer, Transform, WatchErrorHandler,
    WeakSharedIndexInformer, strip_managed_fields,
};
pub use kube_scheme::{Scope, labels};
pub use stats::InformerStats;
pub use storage::CacheStorage;

/// Includes the code `kube-informer-gen` wrote into `OUT_DIR` from a build script
/// (`informers.rs`, or the file name given).
///
/// ```text
/// mod informers {
///     kube_informer::include_informers!();
/// }
/// ```
#[macro_export]
macro_rules! include_informers {
    () => {
        include!(concat!(env!("OUT_DIR"), "/informers.rs"));
    };
    ($file:literal) => {
        include!(concat!(env!("OUT_DIR"), "/", $file));
    };
}
pub use lister::{ClusterLookup, Lister, NamespaceLister, NamespacedLookup, NotFound};
pub use reflector::Reflector;
pub use typed::{InformerObject, TypedInformer};

#[doc(hidden)]
pub mod __private {
    pub use kube_scheme::{impl_object_kind, register, register_kind};
}
