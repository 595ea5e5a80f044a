//! The generator's errors: each names the file, line and item, or the input, that was wrong.

use std::path::PathBuf;

/// Everything that stops generation. Nothing is written when one happens.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A source file does not parse as Rust.
    #[error("{}:{line}:{column}: cannot parse: {message}", .file.display())]
    Parse {
        /// The file.
        file: PathBuf,
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
        /// What syn said.
        message: String,
    },
    /// A `#[kind(...)]` or `#[kube(...)]` attribute is incomplete or malformed.
    #[error("{}:{line}: `{item}`: {message}", .file.display())]
    Attribute {
        /// The file.
        file: PathBuf,
        /// Line of the item.
        line: usize,
        /// The item.
        item: String,
        /// What is wrong.
        message: String,
    },
    /// Two resources claim the same kind in one group version, or the same plural.
    #[error("{what} is claimed twice: by {first} and by {second}")]
    Conflict {
        /// The contested kind or resource.
        what: String,
        /// The first claimant.
        first: String,
        /// The second claimant.
        second: String,
    },
    /// A built-in selection names nothing that exists.
    #[error("unknown built-in {name:?} for Kubernetes 1.{minor}{}", .suggestion.as_ref().map(|s| format!("; did you mean {s:?}?")).unwrap_or_default())]
    UnknownBuiltin {
        /// What was asked for.
        name: String,
        /// The Kubernetes minor version.
        minor: u32,
        /// The closest existing name.
        suggestion: Option<String>,
    },
    /// No Kubernetes version was given and none could be read from k8s-openapi.
    #[error(
        "no Kubernetes version: call `.k8s_version(\"1.37\")` (CLI: `--k8s-version 1.37`), or run from a build script of a crate that depends on k8s-openapi with a version feature enabled (it reads DEP_K8S_OPENAPI_*_VERSION)"
    )]
    NoK8sVersion,
    /// The Kubernetes version is not one k8s-openapi 0.29 supports.
    #[error("unsupported Kubernetes version {0:?}: k8s-openapi 0.29 supports 1.33 to 1.37")]
    UnsupportedK8sVersion(String),
    /// A custom resource given explicitly is malformed.
    #[error("custom resource {path:?}: {message}")]
    Custom {
        /// Its Rust path.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Reading sources or writing output failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },
    /// No output folder: not in a build script and none given.
    #[error("no output folder: call `.out_dir(...)` or run from a build script (OUT_DIR)")]
    NoOutDir,
    /// The generated code did not parse: a bug in the generator.
    #[error("informer-gen produced invalid Rust (a bug, please report it): {0}")]
    Internal(String),
}
