//! Finds the crate's own custom resources by parsing its sources with syn: `#[derive(Kind)]`
//! types with `#[kind(...)]`, and kube-derive `#[derive(CustomResource)]` spec structs with
//! `#[kube(...)]` (whose generated type is named by `root`, else by `kind`).
//!
//! The scan follows the crate's module tree as rustc does, from `lib.rs` (or `main.rs`) through
//! `mod` items, inline or in files (`name.rs`, `name/mod.rs`, `#[path = "..."]`), so a stray
//! file that no `mod` reaches produces nothing. It reads every `#[kube(...)]` attribute of a
//! type, in any order, as kube-derive does (kopium writes `#[kube(namespaced)]` on its own), and
//! carries `#[cfg(...)]` of items and modules, and `#[cfg_attr(PRED, derive(...))]`, over to the
//! generated code. It never stops at the first problem: it returns every problem and every
//! warning it found.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use quote::ToTokens;
use syn::ext::IdentExt;
use syn::punctuated::Punctuated;

use crate::error::{Error, Warning};
use crate::model::{Origin, Resource, default_plural, kube_derive_plural};

/// What one scanned folder gave.
#[derive(Debug, Default)]
pub struct Scan {
    /// The custom resources found.
    pub resources: Vec<Resource>,
    /// Everything noticed that does not stop generation.
    pub warnings: Vec<Warning>,
    /// Every problem found.
    pub errors: Vec<Error>,
}

/// Scans the crate whose root (`lib.rs`, else `main.rs`) is in `root`.
pub fn scan(root: &Path) -> Scan {
    let mut walker = Walker {
        visited: BTreeSet::new(),
        derive_text: Vec::new(),
        out: Scan::default(),
    };
    let entry = ["lib.rs", "main.rs"].iter().map(|f| root.join(f)).find(|p| p.is_file());
    let Some(entry) = entry else {
        walker.out.errors.push(Error::NoCrateRoot {
            dir: root.to_path_buf(),
        });
        return walker.out;
    };
    walker.file(&entry, &[], root, &[]);

    if walker.out.resources.is_empty() && !walker.derive_text.is_empty() {
        let files: Vec<String> = walker.derive_text.iter().map(|p| p.display().to_string()).collect();
        walker.out.warnings.push(Warning {
            file: entry.clone(),
            line: 0,
            message: format!(
                "no custom resource type found in this crate, though `derive(...)` of `CustomResource` or `Kind` \
                 appears in {} (derived through a macro, or under an attribute the scan does not read?)",
                files.join(", ")
            ),
        });
    }
    // Files under the folder that no `mod` reaches: rustc does not compile them, so neither do
    // we; say so when they look like they hold custom resources.
    let mut all = Vec::new();
    if let Err(error) = rust_files(root, &mut all) {
        walker.out.errors.push(error);
    }
    for file in all {
        if walker.visited.contains(&file) || file == entry {
            continue;
        }
        if std::fs::read_to_string(&file).is_ok_and(|text| mentions_derive(&text)) {
            walker.out.warnings.push(Warning {
                file: file.clone(),
                line: 0,
                message: format!(
                    "not in the module tree of {} (no `mod` item reaches it), so its types are skipped",
                    entry.display()
                ),
            });
        }
    }
    walker.out
}

/// Whether source text looks like it derives a custom resource.
fn mentions_derive(text: &str) -> bool {
    text.contains("derive(") && (text.contains("CustomResource") || text.contains("Kind"))
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

struct Walker {
    visited: BTreeSet<PathBuf>,
    /// Files whose text mentions a derive, for the "found nothing" warning.
    derive_text: Vec<PathBuf>,
    out: Scan,
}

/// Where the items of one module look for their files.
struct Dirs<'a> {
    /// Where `mod name;` looks for `name.rs` and `name/mod.rs`.
    children: &'a Path,
    /// What `#[path = "..."]` is relative to.
    path_base: &'a Path,
}

impl Walker {
    fn file(&mut self, file: &Path, module: &[String], children: &Path, cfg: &[String]) {
        if !self.visited.insert(file.to_path_buf()) {
            return;
        }
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(source) => {
                self.out.errors.push(Error::Io {
                    path: file.to_path_buf(),
                    source,
                });
                return;
            }
        };
        if mentions_derive(&text) {
            self.derive_text.push(file.to_path_buf());
        }
        let parsed = match syn::parse_file(&text) {
            Ok(parsed) => parsed,
            Err(e) => {
                self.out.errors.push(Error::Parse {
                    file: file.to_path_buf(),
                    line: e.span().start().line,
                    column: e.span().start().column + 1,
                    message: e.to_string(),
                });
                return;
            }
        };
        // `#[path]` on a file-level `mod` is relative to the folder of the file holding it.
        let base = file.parent().unwrap_or(Path::new("."));
        let dirs = Dirs {
            children,
            path_base: base,
        };
        self.items(file, module, &dirs, &parsed.items, cfg);
    }

    fn items(&mut self, file: &Path, module: &[String], dirs: &Dirs<'_>, items: &[syn::Item], cfg: &[String]) {
        for item in items {
            match item {
                syn::Item::Struct(s) => {
                    let cfg = with_cfgs(cfg, &s.attrs);
                    self.structure(file, module, &s.ident, &s.attrs, cfg);
                }
                // kube-derive derives `CustomResource` for an enum spec as well.
                syn::Item::Enum(e) => {
                    let cfg = with_cfgs(cfg, &e.attrs);
                    self.structure(file, module, &e.ident, &e.attrs, cfg);
                }
                syn::Item::Mod(m) => {
                    let cfg = with_cfgs(cfg, &m.attrs);
                    let name = m.ident.unraw().to_string();
                    let mut inner = module.to_vec();
                    inner.push(m.ident.to_string());
                    let path_attr = m.attrs.iter().find_map(|a| match &a.meta {
                        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
                            syn::Expr::Lit(syn::ExprLit {
                                lit: syn::Lit::Str(s), ..
                            }) => Some(s.value()),
                            _ => None,
                        },
                        _ => None,
                    });
                    if let Some((_, content)) = &m.content {
                        // An inline module's own `mod` items and `#[path]`s live in a folder
                        // named after it (or named by its `#[path]`).
                        let child = match &path_attr {
                            Some(p) => dirs.path_base.join(p),
                            None => dirs.children.join(&name),
                        };
                        let inner_dirs = Dirs {
                            children: &child,
                            path_base: &child,
                        };
                        self.items(file, &inner, &inner_dirs, content, &cfg);
                        continue;
                    }
                    let line = m.ident.span().start().line;
                    let (target, children) = match &path_attr {
                        // A file loaded through `#[path]` is read as a `mod.rs` file.
                        Some(p) => {
                            let target = dirs.path_base.join(p);
                            let children = target.parent().unwrap_or(Path::new(".")).to_path_buf();
                            (Some(target), children)
                        }
                        None => {
                            let flat = dirs.children.join(format!("{name}.rs"));
                            let nested = dirs.children.join(&name).join("mod.rs");
                            let children = dirs.children.join(&name);
                            if flat.is_file() {
                                (Some(flat), children)
                            } else if nested.is_file() {
                                (Some(nested), children)
                            } else {
                                self.missing_module(file, line, &name, vec![flat, nested], &cfg);
                                continue;
                            }
                        }
                    };
                    let target = target.expect("set above");
                    if !target.is_file() {
                        self.missing_module(file, line, &name, vec![target], &cfg);
                        continue;
                    }
                    self.file(&target, &inner, &children, &cfg);
                }
                _ => {}
            }
        }
    }

    fn missing_module(&mut self, file: &Path, line: usize, module: &str, candidates: Vec<PathBuf>, cfg: &[String]) {
        if cfg.is_empty() {
            self.out.errors.push(Error::ModuleNotFound {
                file: file.to_path_buf(),
                line,
                module: module.to_owned(),
                candidates,
            });
        } else {
            // Under a cfg, rustc may never look for it.
            self.out.warnings.push(Warning {
                file: file.to_path_buf(),
                line,
                message: format!(
                    "`mod {module};` under `cfg({})`: its file is not there, so it is skipped",
                    cfg.join(", ")
                ),
            });
        }
    }

    fn structure(
        &mut self,
        file: &Path,
        module: &[String],
        ident: &syn::Ident,
        attrs: &[syn::Attribute],
        mut cfg: Vec<String>,
    ) {
        let line = ident.span().start().line;
        let item = ident.to_string();
        let error = |message: String| Error::Attribute {
            file: file.to_path_buf(),
            line,
            item: item.clone(),
            message,
        };
        let attrs = Attributes::of(attrs);
        let kind_derive = attrs.derive("Kind");
        let kube_derive = attrs.derive("CustomResource");
        let (derive_cond, is_kube) = match (kind_derive, kube_derive) {
            (None, None) => return,
            (Some(_), Some(_)) => {
                self.out.errors.push(error(
                    "derives both `Kind` and `CustomResource`: a type is one or the other".into(),
                ));
                return;
            }
            (Some(cond), None) => (cond, false),
            (None, Some(cond)) => (cond, true),
        };
        if let Some(cond) = &derive_cond {
            cfg.push(cond.clone());
        }
        let attr_name = if is_kube { "kube" } else { "kind" };
        let derive_name = if is_kube { "CustomResource" } else { "Kind" };
        let lists: Vec<&(syn::MetaList, Option<String>)> =
            attrs.lists.iter().filter(|(l, _)| l.path.is_ident(attr_name)).collect();
        if lists.is_empty() {
            self.out.errors.push(error(format!(
                "`#[derive({derive_name})]` without a `#[{attr_name}(...)]` attribute"
            )));
            return;
        }
        let mut fields = Fields::default();
        let mut problems = Vec::new();
        for (list, cond) in lists {
            if let Some(cond) = cond
                && Some(cond) != derive_cond.as_ref()
            {
                self.out.warnings.push(Warning {
                    file: file.to_path_buf(),
                    line,
                    message: format!(
                        "`{item}`: `#[cfg_attr({cond}, {attr_name}(...))]` is read as if `{cond}` held; \
                         the generated names may not match when it does not"
                    ),
                });
            }
            if let Err(e) = fields.parse(list, &mut problems) {
                problems.push(format!("malformed `#[{attr_name}(...)]`: {e}"));
            }
        }
        let missing: Vec<&str> = [
            ("group", &fields.group),
            ("version", &fields.version),
            ("kind", &fields.kind),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_none())
        .map(|(k, _)| k)
        .collect();
        if !missing.is_empty() {
            problems.push(format!("`#[{attr_name}(...)]` lacks {}", missing.join(", ")));
        }
        let namespaced = if is_kube {
            if fields.cluster {
                problems.push("kube-derive has no `cluster`: leave out `namespaced` for a cluster-scoped kind".into());
            }
            fields.namespaced.unwrap_or(false)
        } else {
            if fields.root.is_some() || fields.singular.is_some() {
                problems.push("`#[kind(...)]` has no `root` or `singular` (kube-derive's `#[kube]` has)".into());
            }
            match (fields.namespaced.unwrap_or(false), fields.cluster) {
                (true, false) => true,
                (false, true) => false,
                _ => {
                    problems.push("`#[kind(...)]` must say exactly one of `namespaced` or `cluster`".into());
                    false
                }
            }
        };
        if !problems.is_empty() {
            self.out.errors.extend(problems.into_iter().map(error));
            return;
        }
        let kind = fields.kind.expect("checked");
        // kube-derive names the generated type by `root`, else by the kind; `#[derive(Kind)]` is
        // on the type itself.
        let type_name = if is_kube {
            fields.root.clone().unwrap_or_else(|| kind.clone())
        } else {
            item.clone()
        };
        let plural = match (&fields.plural, is_kube) {
            (Some(plural), _) => plural.clone(),
            (None, true) => kube_derive_plural(&fields.singular.clone().unwrap_or_else(|| kind.to_ascii_lowercase())),
            (None, false) => default_plural(&kind),
        };
        let mut path = vec!["crate".to_owned()];
        path.extend(module.iter().cloned());
        path.push(type_name);
        self.out.resources.push(Resource {
            path: path.join("::"),
            group: fields.group.expect("checked"),
            version: fields.version.expect("checked"),
            plural,
            kind,
            namespaced,
            origin: Origin::Source {
                file: file.to_path_buf(),
                line,
                item,
            },
            cfg,
            register: is_kube,
        });
    }
}

/// `cfg` plus the predicates of `#[cfg(...)]` among `attrs`.
fn with_cfgs(cfg: &[String], attrs: &[syn::Attribute]) -> Vec<String> {
    let mut out = cfg.to_vec();
    for attr in attrs {
        if let syn::Meta::List(list) = &attr.meta
            && list.path.is_ident("cfg")
        {
            out.push(list.tokens.to_string());
        }
    }
    out
}

/// The derives and the `#[name(...)]` lists of an item, each with the `cfg_attr` predicate it
/// sits under, if any.
struct Attributes {
    derives: Vec<(String, Option<String>)>,
    lists: Vec<(syn::MetaList, Option<String>)>,
}

impl Attributes {
    fn of(attrs: &[syn::Attribute]) -> Self {
        let mut out = Attributes {
            derives: Vec::new(),
            lists: Vec::new(),
        };
        for attr in attrs {
            out.add(&attr.meta, None);
        }
        out
    }

    fn add(&mut self, meta: &syn::Meta, cond: Option<&str>) {
        let syn::Meta::List(list) = meta else { return };
        if list.path.is_ident("derive") {
            let paths = list.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated);
            for path in paths.into_iter().flatten() {
                if let Some(last) = path.segments.last() {
                    self.derives.push((last.ident.to_string(), cond.map(str::to_owned)));
                }
            }
        } else if list.path.is_ident("cfg_attr") {
            let parsed = list.parse_args_with(|input: syn::parse::ParseStream<'_>| {
                let predicate: syn::Meta = input.parse()?;
                input.parse::<syn::Token![,]>()?;
                let metas = Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated(input)?;
                Ok((predicate, metas))
            });
            if let Ok((predicate, metas)) = parsed {
                let predicate = predicate.to_token_stream().to_string();
                let cond = match cond {
                    Some(outer) => format!("all({outer}, {predicate})"),
                    None => predicate,
                };
                for meta in &metas {
                    self.add(meta, Some(&cond));
                }
            }
        } else {
            self.lists.push((list.clone(), cond.map(str::to_owned)));
        }
    }

    /// The derive named `name` (by its last path segment): `Some(None)` when unconditional,
    /// `Some(Some(predicate))` when under a `cfg_attr`.
    fn derive(&self, name: &str) -> Option<Option<String>> {
        let mut found = None;
        for (derive, cond) in &self.derives {
            if derive == name {
                match cond {
                    None => return Some(None),
                    Some(c) => found = Some(Some(c.clone())),
                }
            }
        }
        found
    }
}

/// What a `#[kind(...)]` or the `#[kube(...)]` attributes of one type say, merged as darling
/// merges kube-derive's attributes.
#[derive(Default)]
struct Fields {
    group: Option<String>,
    version: Option<String>,
    kind: Option<String>,
    plural: Option<String>,
    singular: Option<String>,
    root: Option<String>,
    namespaced: Option<bool>,
    cluster: bool,
}

impl Fields {
    fn parse(&mut self, list: &syn::MetaList, problems: &mut Vec<String>) -> syn::Result<()> {
        list.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
            let mut set = |slot: &mut Option<String>, value: String| {
                if slot.is_some() {
                    problems.push(format!("`{key}` is given twice"));
                }
                *slot = Some(value);
            };
            let string = |meta: &syn::meta::ParseNestedMeta<'_>| -> syn::Result<String> {
                let lit: syn::LitStr = meta.value()?.parse()?;
                Ok(lit.value())
            };
            match key.as_str() {
                "group" => set(&mut self.group, string(&meta)?),
                "version" => set(&mut self.version, string(&meta)?),
                "kind" => set(&mut self.kind, string(&meta)?),
                "plural" => set(&mut self.plural, string(&meta)?),
                "singular" => set(&mut self.singular, string(&meta)?),
                "root" => set(&mut self.root, string(&meta)?),
                "namespaced" => {
                    let value = if meta.input.peek(syn::Token![=]) {
                        let lit: syn::LitBool = meta.value()?.parse()?;
                        lit.value
                    } else {
                        true
                    };
                    if self.namespaced.is_some() {
                        problems.push("`namespaced` is given twice".into());
                    }
                    self.namespaced = Some(value);
                }
                "cluster" => self.cluster = true,
                _ => {
                    // Everything else kube-derive reads (status, shortname, category,
                    // printcolumn, scale(...), derive, schema, crates(...), ...): skip its value.
                    if meta.input.peek(syn::Token![=]) {
                        let _: syn::Expr = meta.value()?.parse()?;
                    } else if meta.input.peek(syn::token::Paren) {
                        let content;
                        syn::parenthesized!(content in meta.input);
                        let _: proc_macro2::TokenStream = content.parse()?;
                    }
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_text(files: &[(&str, &str)]) -> (Scan, PathBuf) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "informer-gen-scan-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let scan = scan(&dir);
        (scan, dir)
    }

    fn summary(scan: &Scan) -> Vec<String> {
        scan.resources
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} {}{}",
                    r.path,
                    r.gvk_string(),
                    r.plural,
                    if r.namespaced { "namespaced" } else { "cluster" },
                    if r.cfg.is_empty() {
                        String::new()
                    } else {
                        format!(" cfg({})", r.cfg.join("; "))
                    }
                )
            })
            .collect()
    }

    const HEAD: &str = "use kube::CustomResource;\n";

    #[test]
    fn every_kube_attribute_in_any_order() {
        let (scan, _) = scan_text(&[(
            "lib.rs",
            &format!(
                "{HEAD}
#[derive(CustomResource)]
#[kube(namespaced)]
#[kube(group = \"cert-manager.io\", version = \"v1\", kind = \"Certificate\", plural = \"certificates\")]
#[kube(status = \"CertificateStatus\")]
#[kube(schema = \"disabled\")]
#[kube(derive=\"Default\")]
pub struct CertificateSpec {{}}

#[derive(CustomResource)]
#[kube(group = \"cert-manager.io\", version = \"v1\", kind = \"ClusterIssuer\")]
#[kube(shortname = \"ci\", category = \"cert-manager\", printcolumn = r#\"{{\"name\":\"Ready\"}}\"#)]
#[kube(scale(spec_replicas_path = \".spec.replicas\", status_replicas_path = \".status.replicas\"))]
pub struct ClusterIssuerSpec {{}}

#[derive(CustomResource)]
#[kube(group = \"x.io\", version = \"v1\", kind = \"Thing\", namespaced = false)]
pub struct ThingSpec {{}}
"
            ),
        )]);
        assert!(scan.errors.is_empty(), "{:?}", scan.errors);
        assert_eq!(
            summary(&scan),
            [
                "crate::Certificate cert-manager.io/v1/Certificate certificates namespaced",
                "crate::ClusterIssuer cert-manager.io/v1/ClusterIssuer clusterissuers cluster",
                "crate::Thing x.io/v1/Thing things cluster",
            ]
        );
        assert!(scan.resources.iter().all(|r| r.register));
    }

    #[test]
    fn kube_derive_names_root_singular_and_plural() {
        let (scan, _) = scan_text(&[(
            "lib.rs",
            &format!(
                "{HEAD}
#[derive(CustomResource)]
#[kube(group = \"m.io\", version = \"v1\", kind = \"PodMetrics\", namespaced)]
pub struct PodMetricsSpec {{}}

#[derive(CustomResource)]
#[kube(group = \"m.io\", version = \"v1\", kind = \"Proxy\", singular = \"proxyentry\", root = \"ProxyObject\")]
pub struct ProxySpec {{}}

#[derive(CustomResource)]
#[kube(group = \"m.io\", version = \"v1\", kind = \"Policy\", singular = \"pol\", plural = \"pols\", namespaced)]
pub struct PolicySpec {{}}
"
            ),
        )]);
        assert!(scan.errors.is_empty(), "{:?}", scan.errors);
        assert_eq!(
            summary(&scan),
            [
                "crate::PodMetrics m.io/v1/PodMetrics podmetricses namespaced",
                "crate::ProxyObject m.io/v1/Proxy proxyentries cluster",
                "crate::Policy m.io/v1/Policy pols namespaced",
            ]
        );
    }

    #[test]
    fn an_enum_spec_is_a_custom_resource_too() {
        // kube-derive derives `CustomResource` for enums as well as structs.
        let (scan, _) = scan_text(&[(
            "lib.rs",
            &format!(
                "{HEAD}
#[derive(CustomResource)]
#[kube(group = \"e.io\", version = \"v1\", kind = \"Choice\")]
#[kube(namespaced)]
pub enum ChoiceSpec {{ A {{ a: u32 }}, B {{ b: String }} }}

pub enum NotAResource {{ X }}
"
            ),
        )]);
        assert!(scan.errors.is_empty(), "{:?}", scan.errors);
        assert_eq!(summary(&scan), ["crate::Choice e.io/v1/Choice choices namespaced"]);
    }

    #[test]
    fn module_tree_only() {
        let spec = |kind: &str| {
            format!(
                "#[derive(kube::CustomResource)]\n#[kube(group = \"g.io\", version = \"v1\", kind = \"{kind}\", namespaced)]\npub struct {kind}Spec {{}}\n"
            )
        };
        let (scan, dir) = scan_text(&[
            (
                "lib.rs",
                "pub mod a;\nmod b;\n#[path = \"elsewhere/c_file.rs\"]\npub mod c;\npub mod inline { pub mod deep; }\n",
            ),
            ("a.rs", &format!("pub mod nested;\n{}", spec("A"))),
            ("a/nested.rs", &spec("ANested")),
            ("b/mod.rs", &spec("B")),
            ("elsewhere/c_file.rs", &format!("pub mod sub;\n{}", spec("C"))),
            ("elsewhere/sub.rs", &spec("CSub")),
            ("inline/deep.rs", &spec("Deep")),
            ("stray.rs", &spec("Stray")),
        ]);
        assert!(scan.errors.is_empty(), "{:?}", scan.errors);
        let mut found = summary(&scan);
        found.sort();
        assert_eq!(
            found,
            [
                "crate::a::A g.io/v1/A as namespaced",
                "crate::a::nested::ANested g.io/v1/ANested anesteds namespaced",
                "crate::b::B g.io/v1/B bs namespaced",
                "crate::c::C g.io/v1/C cs namespaced",
                "crate::c::sub::CSub g.io/v1/CSub csubs namespaced",
                "crate::inline::deep::Deep g.io/v1/Deep deeps namespaced",
            ]
        );
        assert_eq!(scan.warnings.len(), 1, "{:?}", scan.warnings);
        assert_eq!(scan.warnings[0].file, dir.join("stray.rs"));
        assert!(scan.warnings[0].message.contains("not in the module tree"));
    }

    #[test]
    fn cfg_and_cfg_attr_carry_over() {
        let (scan, _) = scan_text(&[
            (
                "lib.rs",
                "#[cfg(feature = \"certs\")]\npub mod certs;\n#[cfg(feature = \"gone\")]\nmod gone;\n",
            ),
            (
                "certs.rs",
                "#[cfg_attr(feature = \"crd\", derive(kube::CustomResource))]\n\
                 #[cfg_attr(feature = \"crd\", kube(group = \"c.io\", version = \"v1\", kind = \"Cert\", namespaced))]\n\
                 pub struct CertSpec {}\n\
                 #[derive(kube::CustomResource)]\n\
                 #[kube(group = \"c.io\", version = \"v1\", kind = \"Other\")]\n\
                 #[cfg_attr(feature = \"ns\", kube(namespaced))]\n\
                 pub struct OtherSpec {}\n",
            ),
        ]);
        assert!(scan.errors.is_empty(), "{:?}", scan.errors);
        assert_eq!(
            summary(&scan),
            [
                "crate::certs::Cert c.io/v1/Cert certs namespaced cfg(feature = \"certs\"; feature = \"crd\")",
                "crate::certs::Other c.io/v1/Other others namespaced cfg(feature = \"certs\")",
            ]
        );
        let warnings: Vec<String> = scan.warnings.iter().map(|w| w.message.clone()).collect();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].contains("`OtherSpec`: `#[cfg_attr(feature = \"ns\", kube(...))]` is read as if"),
            "{warnings:?}"
        );
        assert!(
            warnings[1].contains("`mod gone;` under `cfg(feature = \"gone\")`"),
            "{warnings:?}"
        );
    }

    #[test]
    fn every_problem_at_once() {
        let (scan, dir) = scan_text(&[
            ("lib.rs", "mod broken;\nmod missing;\npub mod ok;\n"),
            ("broken.rs", "pub fn broken( {\n"),
            (
                "ok.rs",
                "#[derive(kube_scheme::Kind)]\n#[kind(group = \"g\", version = \"v1\", kind = \"NoScope\")]\npub struct NoScope {}\n\
                 #[derive(kube::CustomResource)]\n#[kube(version = \"v1\", kind = \"NoGroup\")]\npub struct NoGroupSpec {}\n\
                 #[derive(kube::CustomResource)]\n#[kube(group = \"g\", version = \"v1\", kind = \"Twice\")]\n#[kube(group = \"h\")]\npub struct TwiceSpec {}\n",
            ),
        ]);
        let messages: Vec<String> = scan.errors.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 5, "{messages:#?}");
        let ok = dir.join("ok.rs").display().to_string();
        assert!(
            messages[0].starts_with(&format!("{}:1:", dir.join("broken.rs").display())),
            "{messages:#?}"
        );
        assert!(messages[1].contains("`mod missing;`: neither"), "{messages:#?}");
        assert_eq!(
            messages[2],
            format!("{ok}:3: `NoScope`: `#[kind(...)]` must say exactly one of `namespaced` or `cluster`")
        );
        assert_eq!(
            messages[3],
            format!("{ok}:6: `NoGroupSpec`: `#[kube(...)]` lacks group")
        );
        assert_eq!(messages[4], format!("{ok}:10: `TwiceSpec`: `group` is given twice"));
    }

    #[test]
    fn no_crate_root() {
        let (scan, dir) = scan_text(&[("crd.rs", "pub struct X;")]);
        assert!(matches!(&scan.errors[..], [Error::NoCrateRoot { dir: d }] if *d == dir));
    }

    #[test]
    fn derive_text_without_types_warns() {
        let (scan, _) = scan_text(&[(
            "lib.rs",
            "macro_rules! crd { () => { #[derive(kube::CustomResource)] pub struct XSpec {} } }\ncrd!();\n",
        )]);
        assert!(scan.resources.is_empty() && scan.errors.is_empty());
        assert_eq!(scan.warnings.len(), 1);
        assert!(scan.warnings[0].message.starts_with("no custom resource type found"));
    }
}
