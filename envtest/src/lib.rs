//! A real etcd and kube-apiserver for tests, like controller-runtime's envtest: [`ControlPlane::start`]
//! launches both on free loopback ports with throw-away data folders, waits until the API server is
//! ready and the `default` namespace exists, and hands out an admin [`kube::Client`]. Dropping the
//! [`ControlPlane`] kills and reaps both processes and removes every file it wrote, also when the
//! test panics.
//!
//! The binaries are built by `cargo xtask control-plane` into
//! `$XDG_CACHE_HOME/kube-envtest/k8s-v1.37.2-etcd-v3.7.0/` (or `$HOME/.cache/...`);
//! [`BIN_DIR_ENV`] names another folder that holds `etcd` and `kube-apiserver`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use k8s_openapi::api::core::v1::Namespace;
//!
//! let control_plane = kube_envtest::ControlPlane::start().await?;
//! let namespaces: kube::Api<Namespace> = kube::Api::all(control_plane.client());
//! let default = namespaces.get("default").await?;
//! # Ok(()) }
//! ```
//!
//! Faults for reliability tests: [`ControlPlane::restart_apiserver`] (watches break, the
//! resourceVersion history survives) and [`ControlPlane::compact_etcd`] (with a restart, a watch
//! from an older resourceVersion gets `410 Expired`).

#![forbid(unsafe_code)]

mod binaries;
mod control_plane;
mod error;
mod pki;
mod process;

pub use binaries::{BIN_DIR_ENV, ETCD_VERSION, KUBERNETES_VERSION, bin_dir};
pub use control_plane::ControlPlane;
pub use error::Error;
