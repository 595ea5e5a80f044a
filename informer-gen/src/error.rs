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
    /// A scanned folder has neither `lib.rs` nor `main.rs`, so it holds no crate's module tree.
    #[error(
        "{}: neither lib.rs nor main.rs is there; scan the folder that holds the crate root (usually `src`)", .dir.display()
    )]
    NoCrateRoot {
        /// The folder.
        dir: PathBuf,
    },
    /// A `mod name;` item names a file that is not there.
    #[error("{}:{line}: `mod {module};`: neither {} nor {} exists", .file.display(), .candidates[0].display(), .candidates.get(1).unwrap_or(&.candidates[0]).display())]
    ModuleNotFound {
        /// The file holding the `mod` item.
        file: PathBuf,
        /// Its line.
        line: usize,
        /// The module's name.
        module: String,
        /// Where the file was looked for.
        candidates: Vec<PathBuf>,
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
    /// Several problems, every one the scan found, in the order found.
    #[error("{} problems:\n{}", .0.len(), .0.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n"))]
    Many(Vec<Error>),
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

impl Error {
    /// Every problem this error stands for: the list of [`Error::Many`], else itself.
    pub fn problems(&self) -> Vec<&Error> {
        match self {
            Error::Many(errors) => errors.iter().collect(),
            other => vec![other],
        }
    }

    /// One error for `errors`: the error itself when there is one, [`Error::Many`] otherwise.
    pub(crate) fn from_all(mut errors: Vec<Error>) -> Option<Error> {
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(Error::Many(errors)),
        }
    }
}

/// Something the scan noticed that does not stop generation but may not be what was meant.
/// Build scripts print each as a `cargo:warning`; the CLI prints them on standard error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The file it is about.
    pub file: PathBuf,
    /// The line (0 when it is about the whole file).
    pub line: usize,
    /// What was noticed.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
        }
    }
}
