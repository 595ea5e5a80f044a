//! What the generator works from: resources with their Rust path, GVK, plural and scope, and
//! where each came from (for error messages).

use std::fmt;
use std::path::PathBuf;

/// Where a resource was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A k8s-openapi built-in.
    Builtin,
    /// An item in a scanned source file.
    Source {
        /// The file.
        file: PathBuf,
        /// The line of the item.
        line: usize,
        /// The item's name.
        item: String,
    },
    /// Given explicitly to [`crate::Config::custom`].
    Explicit,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Builtin => f.write_str("the k8s-openapi built-ins"),
            Origin::Source { file, line, item } => write!(f, "`{item}` at {}:{line}", file.display()),
            Origin::Explicit => f.write_str("an explicit custom resource"),
        }
    }
}

/// One resource to generate an informer and lister for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    /// The Rust path of its type (`k8s_openapi::api::core::v1::Pod`, `crate::crd::CronTab`).
    pub path: String,
    /// API group (empty for the core group).
    pub group: String,
    /// API version.
    pub version: String,
    /// Kind.
    pub kind: String,
    /// Plural resource name.
    pub plural: String,
    /// Whether it is namespaced.
    pub namespaced: bool,
    /// Where it came from.
    pub origin: Origin,
}

impl Resource {
    /// `group/version/Kind` (`core/v1/Pod` for the core group).
    pub fn gvk_string(&self) -> String {
        format!(
            "{}/{}/{}",
            if self.group.is_empty() { "core" } else { &self.group },
            self.version,
            self.kind
        )
    }
}

/// The default plural of a kind, as kube-derive and `#[derive(Kind)]` make it: lower-cased,
/// with the usual English rules.
pub fn default_plural(kind: &str) -> String {
    let word = kind.to_ascii_lowercase();
    if word.ends_with("endpoints") || word.ends_with("data") || word.ends_with("metrics") || word.ends_with("series") {
        return word;
    }
    if word.ends_with('s') || word.ends_with('x') || word.ends_with('z') || word.ends_with("ch") || word.ends_with("sh")
    {
        return format!("{word}es");
    }
    if let Some(stem) = word.strip_suffix('y')
        && !stem.is_empty()
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        return format!("{stem}ies");
    }
    format!("{word}s")
}
