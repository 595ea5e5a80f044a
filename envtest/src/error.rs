//! What can go wrong while starting, driving or stopping the control plane.

use std::path::PathBuf;
use std::time::Duration;

/// An error of the control plane, naming what failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A binary is not where it should be.
    #[error(
        "no `{binary}` in {}: run `cargo xtask control-plane` to build kube-apiserver and etcd \
         (or set KUBE_ENVTEST_BIN_DIR to a folder that holds both)",
        dir.display()
    )]
    MissingBinary {
        /// `etcd` or `kube-apiserver`.
        binary: &'static str,
        /// The folder that was searched.
        dir: PathBuf,
    },
    /// Neither `XDG_CACHE_HOME` nor `HOME` is set, and no `KUBE_ENVTEST_BIN_DIR` either.
    #[error("neither KUBE_ENVTEST_BIN_DIR, XDG_CACHE_HOME nor HOME is set: cannot find the control plane binaries")]
    NoCacheDir,
    /// Preparing files (temporary folders, keys, the token file) failed.
    #[error("preparing {what}: {source}")]
    Prepare {
        /// What was being prepared.
        what: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Generating the service-account signing key failed.
    #[error("generating the service-account signing key: {0}")]
    Key(String),
    /// Generating the control plane's CA or kube-apiserver's serving certificate failed.
    #[error("{what}: {message}")]
    Tls {
        /// What was being generated.
        what: &'static str,
        /// rcgen's error.
        message: String,
    },
    /// A process could not be spawned.
    #[error("spawning `{binary}`: {source}")]
    Spawn {
        /// `etcd` or `kube-apiserver`.
        binary: &'static str,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A process exited while it should be serving.
    #[error("`{binary}` (port {port}) exited with {status}; last lines of its stderr:\n{stderr}")]
    Exited {
        /// `etcd` or `kube-apiserver`.
        binary: &'static str,
        /// The port it was to listen on.
        port: u16,
        /// Its exit status.
        status: std::process::ExitStatus,
        /// The last lines it wrote to standard error.
        stderr: String,
    },
    /// A process did not become ready in time.
    #[error(
        "`{binary}` (port {port}) was not ready after {waited:?}: {last_error}; last lines of its stderr:\n{stderr}"
    )]
    NotReady {
        /// `etcd` or `kube-apiserver`.
        binary: &'static str,
        /// The port it listens on.
        port: u16,
        /// How long it was waited for.
        waited: Duration,
        /// The last readiness probe's failure.
        last_error: String,
        /// The last lines it wrote to standard error.
        stderr: String,
    },
    /// No free loopback port could be found.
    #[error("finding a free loopback port: {0}")]
    Port(#[source] std::io::Error),
    /// The kube client could not be built.
    #[error("building the kube client for {url}: {source}")]
    Client {
        /// The API server's URL.
        url: String,
        /// The underlying error.
        #[source]
        source: kube::Error,
    },
    /// A call to the API server failed.
    #[error("{what}: {source}")]
    Kube {
        /// What was asked.
        what: String,
        /// The underlying error.
        #[source]
        source: kube::Error,
    },
    /// A call to etcd failed or answered something unexpected.
    #[error("etcd (port {port}) {what}: {message}")]
    Etcd {
        /// etcd's client port.
        port: u16,
        /// What was asked.
        what: &'static str,
        /// What went wrong.
        message: String,
    },
    /// A custom resource definition was not established or served in time.
    #[error("CustomResourceDefinition {name} was not {state} after {waited:?}")]
    CrdNotReady {
        /// The CRD's name.
        name: String,
        /// `Established` or `served (discovery)`.
        state: &'static str,
        /// How long it was waited for.
        waited: Duration,
    },
}
