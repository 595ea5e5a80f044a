//! Finds the crate's own custom resources by parsing its sources with syn: `#[derive(Kind)]`
//! types with `#[kind(...)]`, and kube-derive `#[derive(CustomResource)]` spec structs with
//! `#[kube(...)]` (whose generated type is named by `kind`).

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::model::{Origin, Resource, default_plural};

/// Every `.rs` file under `dir`, sorted, so output does not depend on the file system's order.
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

/// The module path of a file relative to the scanned root: `lib.rs` → crate root, `a/mod.rs`
/// and `a.rs` → `a`, `a/b.rs` → `a::b`.
fn module_of(root: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(root).unwrap_or(file);
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if !(matches!(stem, "mod") || (parts.is_empty() && matches!(stem, "lib" | "main"))) {
        parts.push(stem.to_owned());
    }
    parts
}

/// Scans every `.rs` file under `root`.
pub fn scan(root: &Path) -> Result<Vec<Resource>, Error> {
    let mut files = Vec::new();
    rust_files(root, &mut files)?;
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|source| Error::Io {
            path: file.clone(),
            source,
        })?;
        let parsed = syn::parse_file(&text).map_err(|e| Error::Parse {
            file: file.clone(),
            line: e.span().start().line,
            column: e.span().start().column + 1,
            message: e.to_string(),
        })?;
        let module = module_of(root, &file);
        scan_items(&file, &module, &parsed.items, &mut out)?;
    }
    Ok(out)
}

fn scan_items(file: &Path, module: &[String], items: &[syn::Item], out: &mut Vec<Resource>) -> Result<(), Error> {
    for item in items {
        match item {
            syn::Item::Struct(s) => {
                if let Some(resource) = resource_of(file, module, s)? {
                    out.push(resource);
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    let mut inner = module.to_vec();
                    inner.push(m.ident.to_string());
                    scan_items(file, &inner, items, out)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Which derives an item has, by their last path segment.
fn derives(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        let _ = attr.parse_nested_meta(|meta| {
            if let Some(last) = meta.path.segments.last() {
                out.push(last.ident.to_string());
            }
            Ok(())
        });
    }
    out
}

#[derive(Default)]
struct Fields {
    group: Option<String>,
    version: Option<String>,
    kind: Option<String>,
    plural: Option<String>,
    namespaced: bool,
    cluster: bool,
}

fn parse_attr(attr: &syn::Attribute) -> syn::Result<Fields> {
    let mut f = Fields::default();
    attr.parse_nested_meta(|meta| {
        let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
        let string = |meta: &syn::meta::ParseNestedMeta<'_>| -> syn::Result<String> {
            let lit: syn::LitStr = meta.value()?.parse()?;
            Ok(lit.value())
        };
        match key.as_str() {
            "group" => f.group = Some(string(&meta)?),
            "version" => f.version = Some(string(&meta)?),
            "kind" => f.kind = Some(string(&meta)?),
            "plural" => f.plural = Some(string(&meta)?),
            "namespaced" => f.namespaced = true,
            "cluster" => f.cluster = true,
            _ => {
                // Other keys (kube-derive has many): skip their value.
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
    })?;
    Ok(f)
}

fn resource_of(file: &Path, module: &[String], s: &syn::ItemStruct) -> Result<Option<Resource>, Error> {
    let derives = derives(&s.attrs);
    let (attr_name, is_kube) = if derives.iter().any(|d| d == "Kind") {
        ("kind", false)
    } else if derives.iter().any(|d| d == "CustomResource") {
        ("kube", true)
    } else {
        return Ok(None);
    };
    let line = s.ident.span().start().line;
    let item = s.ident.to_string();
    let error = |message: String| Error::Attribute {
        file: file.to_path_buf(),
        line,
        item: item.clone(),
        message,
    };
    let Some(attr) = s.attrs.iter().find(|a| a.path().is_ident(attr_name)) else {
        return Err(error(format!(
            "`#[derive({})]` without a `#[{attr_name}(...)]` attribute",
            if is_kube { "CustomResource" } else { "Kind" }
        )));
    };
    let fields = parse_attr(attr).map_err(|e| error(format!("malformed `#[{attr_name}(...)]`: {e}")))?;
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
        return Err(error(format!("`#[{attr_name}(...)]` lacks {}", missing.join(", "))));
    }
    let kind = fields.kind.expect("checked");
    let namespaced = if is_kube {
        fields.namespaced
    } else {
        match (fields.namespaced, fields.cluster) {
            (true, false) => true,
            (false, true) => false,
            _ => {
                return Err(error(
                    "`#[kind(...)]` must say exactly one of `namespaced` or `cluster`".into(),
                ));
            }
        }
    };
    // kube-derive names the generated type by the kind; `#[derive(Kind)]` is on the type itself.
    let type_name = if is_kube { kind.clone() } else { item.clone() };
    let mut path = vec!["crate".to_owned()];
    path.extend(module.iter().cloned());
    path.push(type_name);
    Ok(Some(Resource {
        path: path.join("::"),
        group: fields.group.expect("checked"),
        version: fields.version.expect("checked"),
        plural: fields.plural.unwrap_or_else(|| default_plural(&kind)),
        kind,
        namespaced,
        origin: Origin::Source {
            file: file.to_path_buf(),
            line,
            item,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths() {
        let root = Path::new("/x/src");
        assert!(module_of(root, Path::new("/x/src/lib.rs")).is_empty());
        assert!(module_of(root, Path::new("/x/src/main.rs")).is_empty());
        assert_eq!(module_of(root, Path::new("/x/src/crd.rs")), ["crd"]);
        assert_eq!(module_of(root, Path::new("/x/src/api/mod.rs")), ["api"]);
        assert_eq!(module_of(root, Path::new("/x/src/api/v1.rs")), ["api", "v1"]);
    }
}
