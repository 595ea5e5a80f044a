//! An in-memory Kubernetes API server that speaks the real HTTP API on loopback, so that kube-rs's
//! own client and watcher, unchanged, talk to it: for fast tests of controllers without a
//! cluster, and as the embedded default of the project's examples. kubectl works against it as
//! against a real cluster for everyday commands (checked against kube-apiserver v1.37.2 by the
//! kubectl differential test, `tests/kubectl.rs`).
//!
//! It serves discovery, and get, list, watch, create, update, patch, delete and
//! delete-collection for every kind of its [`kube_scheme::Scheme`] (all built-ins and registered
//! custom resources, plus kinds added at run time), with the semantics the real server has: one
//! global resourceVersion, uid, creationTimestamp, generation bumped on spec changes, optimistic
//! concurrency, finalizers, `metav1.Status` errors with the real reasons, label and field
//! selectors, pagination, watch resumption from a bounded history with `410 Expired` beyond it,
//! bookmarks and streaming lists. List items of built-in kinds carry no `kind`/`apiVersion`, as on
//! the real server. Besides:
//!
//! - Discovery with the real server's short names, categories, verbs and `status`/`scale`
//!   subresources for built-ins (recorded from kube-apiserver v1.37.2 in `data/discovery.json`),
//!   listing only the built-in group versions the real server serves.
//! - CustomResourceDefinitions written through the API serve their kinds (every served version,
//!   scope, names, short names, categories, `status` and `scale` subresources, printer columns),
//!   with `NamesAccepted` and `Established` conditions; custom resources are pruned, defaulted and
//!   validated by the CRD's schema as the real server does (every OpenAPI keyword structural
//!   schemas allow, list types, `x-kubernetes-validations` CEL rules with transition rules and
//!   ratcheting, on create, update, every patch, apply and the `status` subresource, with the real
//!   server's messages and causes: `tests/crd_validation.rs`); all versions of a CRD share one
//!   storage.
//!   The CRD itself is defaulted (`listKind`, the `None` conversion). Deleting the CRD deletes its
//!   objects and stops serving them.
//! - OpenAPI v3 (`/openapi/v3`): the real server's documents (recorded, `data/openapi-v3.json.gz`),
//!   and documents built for CRD group versions. OpenAPI v2 (`/openapi/v2`) in JSON and in the
//!   protobuf client-go asks for (recorded, `data/openapi-v2.json.gz` and `.pb.gz`), with the
//!   definitions of the kinds CRDs serve (not their paths).
//! - Patches: JSON (with kube-apiserver's JSON patch library's semantics: a `test` of a missing
//!   path against `null` passes, as kube-runtime's `finalizer()` needs; held to the real server
//!   by a table of 148 patches), merge, strategic merge (by the OpenAPI patch strategies and merge keys, with
//!   the `$patch`, `$setElementOrder`, `$deleteFromPrimitiveList` and `$retainKeys` directives)
//!   and server-side apply (field managers in `managedFields`, removal of fields a manager no
//!   longer applies, 409 conflicts, `force`, and the move from client-side apply as
//!   kube-apiserver's field manager carries it for `kubectl`). Every other write (create, update, patch, the
//!   `status` and `scale` subresources) is recorded as an `Update` manager, named by
//!   `fieldManager` or the user agent, from a comparison with the old object (for a create, the
//!   kind's Go zero value, from the protobuf table): an apply conflicts with those managers
//!   too. Held to the real server by `tests/real_server.rs`.
//! - Protobuf request bodies for built-in kinds (what kubectl's typed requests send), decoded by a
//!   table generated from the Go API types (`data/protobuf.json`, `cargo xtask protobuf`).
//! - Server-side Tables (`kubectl get`): the real columns of pods, deployments, replicasets,
//!   services, configmaps, secrets, namespaces, nodes, events and jobs (recorded in
//!   `data/tables.json`), CRD printer columns, Name and Created At otherwise; also in watches.
//! - Defaulting on create of Pods, pod templates, Deployments, ReplicaSets, StatefulSets,
//!   DaemonSets, Jobs (with their generated selector), CronJobs and Services (cluster IPs from
//!   `10.0.0.0/24`).
//! - Namespaces: `Active` with the `kubernetes` finalizer; deleting one turns it `Terminating`,
//!   deletes its contents and removes it, as a cluster with a namespace controller does (kube-envtest
//!   runs no controllers: there a deleted namespace stays `Terminating`).
//! - The `scale` subresource of Deployments, ReplicaSets, StatefulSets, ReplicationControllers and
//!   CRDs that declare one; `SelfSubjectAccessReview`, `SubjectAccessReview`,
//!   `LocalSubjectAccessReview` and `SelfSubjectRulesReview` (everything is allowed) and
//!   `SelfSubjectReview` (user `fake-admin` in `system:masters`).
//! - 415 for request bodies in other media types, 413 for bodies over 3 MiB, `limit=-1` (no limit).
//!
//! Faults for reliability tests: [`FakeApiServer::drop_watches`], [`FakeApiServer::compact`],
//! [`FakeApiServer::fail_next`], [`FakeApiServer::set_delay`], [`FakeApiServer::restart`] and
//! [`FakeApiServer::send_malformed_event`].
//!
//! # Known differences from kube-apiserver
//! The kubectl differential test keeps the list of commands whose output differs, each with its
//! reason, in `tests/kubectl/differences.txt`. In short:
//! - Managed fields: at most 10 `Update` managers are kept by the real server (older ones are
//!   merged into `ancient-changes`); the fake keeps them all. Apply works on the fields it is
//!   given without type conversion, and a manager's fields are not converted between the
//!   versions of a kind. `Update` managers of custom resources follow the same rules (an empty
//!   zero value) but are not checked against the real server.
//! - Kinds added to the scheme in code without a CRD (registered custom resource types) have no
//!   schema here: they are stored as written, neither pruned, defaulted nor validated. Write the
//!   CRD through the API for the real server's behaviour. CEL rules using the two-variable
//!   comprehensions or Kubernetes' quantity, URL, IP, CIDR, format, semver or authorizer
//!   libraries fail as undeclared references (the `cel` crate lacks them), and rules have no
//!   static type checking or cost budget (see `src/validation/`).
//! - Every kind the scheme serves has a `status` subresource (a CRD's kinds only when declared):
//!   writes to the main resource keep the stored status.
//! - Field selectors are refused (400) on fields a kind does not declare, as on the real server,
//!   but the list of declared fields is the fake's own table (`src/selectors.rs`), held to the real
//!   server by kube-envtest's field selector test.
//! - A list at an exact older `resourceVersion` is `410 Expired` (only the newest state is kept).
//! - `metadata.generation` is kept for custom resources, pods, replication controllers and
//!   built-ins of other groups that have a `spec`; the real server decides kind by kind (a
//!   Service has a spec but no generation). ConfigMaps, Secrets and Namespaces have none, as on
//!   the real server.
//! - No admission beyond namespaces' existence; built-ins are validated for their metadata only
//!   (names, labels, annotations, finalizers), not their types or specs (a number for an
//!   annotation is stored); JSON patch's strict-decoding warnings (`fieldValidation=Warn`) are
//!   not sent as `Warning` headers; no RBAC
//!   or authentication (`SelfSubjectReview` answers user `fake-admin`, where kube-envtest's admin
//!   token is user `envtest-admin`); defaulting covers the kinds above only; OpenAPI v2 lists no paths
//!   of CRDs.
//! - No controllers but the namespace lifecycle: no garbage collector (owner references are
//!   stored, dependents are not deleted), no Deployment or ReplicaSet controller; pods'
//!   `bindings` subresource and `TokenReview` are not served (no scheduler, no authentication).
//! - A JSON patch that makes kube-apiserver's JSON patch library panic gets a 500 here; the real
//!   server panics too and drops the connection before answering.
//! - Responses are always JSON (the real server answers protobuf to clients that prefer it), with
//!   object keys in sorted order where the real server writes Go struct order, and no trailing
//!   newline.
//! - The built-in kinds served in several versions (`autoscaling/v1` and `v2`
//!   HorizontalPodAutoscalers) keep objects per version: the fake has no conversion between
//!   built-in versions. The versions of a CRD share one storage, as on the real server (the
//!   `None` conversion strategy: only `apiVersion` changes); conversion webhooks are not called.
//! - After a CRD is deleted, requests for its resources get the generic 404 of an unknown path;
//!   the real server's 404 still names the resource in its details.

#![forbid(unsafe_code)]

mod crd;
mod defaults;
mod discovery;
mod jsonpatch;
mod openapi;
mod protobuf;
mod reviews;
mod scale;
mod selectors;
mod server;
mod ssa;
mod status;
mod store;
mod strategic;
mod strategy;
mod tables;
mod validation;

pub use server::{Builder, Error, FakeApiServer};
