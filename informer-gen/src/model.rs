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
    /// The `cfg` predicates the type is compiled under (from `#[cfg(...)]` on it or on the
    /// modules holding it, and from a `#[cfg_attr(PRED, derive(...))]` that derives it), as
    /// source text; the generated code for it is compiled under the same predicates.
    pub cfg: Vec<String>,
    /// Whether the generated code registers the type with the scheme (`kube_scheme::register_kind!`:
    /// kind, plural and scope, no decoder) and implements `kube_scheme::ObjectKind` for it: true
    /// for kube-derive types found by the scan, which do not register themselves as
    /// `#[derive(Kind)]` types do.
    pub register: bool,
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

/// The default plural of a `#[derive(Kind)]` kind, as kube-scheme-derive makes it: lower-cased,
/// with the usual English rules, and kinds that are already plural (`-endpoints`, `-data`,
/// `-metrics`, `-series`) kept as they are.
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

/// The plural kube-derive's `#[derive(CustomResource)]` serves when `plural` is not given: from
/// `singular` (default: the lower-cased kind), with kube-derive's own rules, which have no
/// already-plural words: `-s`, `-x`, `-z`, `-ch`, `-sh` take `-es`; a consonant before a final
/// `y` makes `-ies`; everything else takes `-s` (`PodMetrics` → `podmetricses`).
pub fn kube_derive_plural(singular: &str) -> String {
    let word = singular;
    if word.ends_with('s') || word.ends_with('x') || word.ends_with('z') || word.ends_with("ch") || word.ends_with("sh")
    {
        return format!("{word}es");
    }
    if let Some(stem) = word.strip_suffix('y')
        && let Some(before) = stem.chars().last()
        && !matches!(before, 'a' | 'e' | 'i' | 'o' | 'u')
    {
        return format!("{stem}ies");
    }
    format!("{word}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kube_derive_plurals() {
        // kube-derive 5's `to_plural`, case for case, including where it differs from ours.
        for (singular, plural) in [
            ("certificate", "certificates"),
            ("issuer", "issuers"),
            ("ingress", "ingresses"),
            ("box", "boxes"),
            ("quiz", "quizes"),
            ("patch", "patches"),
            ("mesh", "meshes"),
            ("policy", "policies"),
            ("gateway", "gateways"),
            ("podmetrics", "podmetricses"),
            ("endpoints", "endpointses"),
            ("data", "datas"),
            ("timeseries", "timeserieses"),
        ] {
            assert_eq!(kube_derive_plural(singular), plural, "{singular}");
        }
        assert_eq!(default_plural("PodMetrics"), "podmetrics");
        assert_eq!(default_plural("Endpoints"), "endpoints");
    }
}
