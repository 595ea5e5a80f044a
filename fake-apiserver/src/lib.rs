//! An in-memory Kubernetes API server that speaks the real HTTP API on loopback, so that kube-rs's
//! own client and watcher, unchanged, talk to it: for fast tests of controllers without a
//! cluster, and as the embedded default of the project's examples.
//!
//! It serves discovery, and get, list, watch, create, update, merge/JSON patch, delete and
//! delete-collection for every kind of its [`kube_scheme::Scheme`] (all built-ins and registered
//! custom resources, plus kinds added at run time), with the semantics the real server has: one
//! global resourceVersion, uid, creationTimestamp, generation bumped on spec changes, optimistic
//! concurrency, finalizers, `metav1.Status` errors with the real reasons, label and field
//! selectors, pagination, watch resumption from a bounded history with `410 Expired` beyond it,
//! bookmarks and streaming lists. List items of built-in kinds carry no `kind`/`apiVersion`, as on
//! the real server.
//!
//! Faults for reliability tests: [`FakeApiServer::drop_watches`], [`FakeApiServer::compact`],
//! [`FakeApiServer::fail_next`], [`FakeApiServer::set_delay`], [`FakeApiServer::restart`] and
//! [`FakeApiServer::send_malformed_event`].
//!
//! # Known differences from kube-apiserver
//! - Strategic merge patch is refused with 415; server-side apply is approximated by a merge
//!   patch (no field ownership, `managedFields` are not written).
//! - Every kind has a `status` subresource: writes to the main resource keep the stored status.
//! - Field selectors accept any dotted path for every kind (the real server accepts only the
//!   fields each kind declares, besides `metadata.name` and `metadata.namespace`).
//! - A list at an exact older `resourceVersion` is `410 Expired` (only the newest state is kept).
//! - `metadata.generation` is kept for custom resources, pods, replication controllers and
//!   built-ins of other groups that have a `spec`; the real server decides kind by kind (a
//!   Service has a spec but no generation). ConfigMaps, Secrets and Namespaces have none, as on
//!   the real server.
//! - No admission, no defaulting, no validation beyond names; no RBAC or authentication.

#![forbid(unsafe_code)]

mod discovery;
mod selectors;
mod server;
mod status;
mod store;

pub use server::{Builder, Error, FakeApiServer};
