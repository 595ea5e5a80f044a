//! `cargo xtask protobuf [--check]`: writes `fake-apiserver/data/protobuf.json`, the table the fake
//! API server decodes protobuf request bodies with (what kubectl and every client-go typed client
//! send for built-in kinds).
//!
//! The table is read from the Go source of the published API modules at
//! [`KUBERNETES_VERSION`] (`k8s.io/api`,
//! `k8s.io/apimachinery`, `k8s.io/apiextensions-apiserver`, `k8s.io/kube-aggregator`): each struct
//! field's `protobuf:"<wire>,<number>,<opt|rep>,name=..."` tag gives its field number, its
//! `json:"name,omitempty"` tag its JSON name and whether a zero value is left out, and its Go type
//! whether it is a pointer (kept when zero), a list, a map or another message. For every kind (a
//! struct with an inline `TypeMeta` in a package with a `GroupName`), the table maps
//! `apiVersion/kind` to its message. With `--check`, fails when the committed table differs.
//!
//! Table format: `{"kinds": {"apps/v1/Deployment": "k8s.io/api/apps/v1.Deployment", ...},
//! "messages": {"<package>.<Type>": [[number, "jsonName", "type", "flags"], ...]}}`, where a type
//! is a scalar (`string`, `bool`, `int32`, `int64`, `uint32`, `uint64`, `float64`, `bytes`), a
//! special message (`time`, `duration`, `quantity`, `intorstring`, `raw`), `list:<type>` (a named
//! slice type, encoded as a message whose field 1 holds the items) or another message's name; flags
//! are `r` (repeated), `m` (map from string), `o` (omitempty), `p` (pointer), `i` (inlined in JSON).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};

use crate::Result;
use crate::control_plane::{self, Go, KUBERNETES_VERSION, Progress};

/// Go modules whose API packages are read, and the version of each (staging modules are
/// published as `v0.x.y`).
fn modules() -> Result<Vec<(&'static str, String)>> {
    let staging = control_plane::staging_version(KUBERNETES_VERSION)?;
    Ok(vec![
        ("k8s.io/api", staging.clone()),
        ("k8s.io/apimachinery", staging.clone()),
        ("k8s.io/apiextensions-apiserver", staging.clone()),
        ("k8s.io/kube-aggregator", staging),
    ])
}

/// Packages whose kinds are served, besides every `k8s.io/api` group version.
const EXTRA_KIND_PACKAGES: [&str; 2] = [
    "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1",
    "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1",
];

fn output() -> PathBuf {
    crate::workspace_root().join("fake-apiserver/data/protobuf.json")
}

/// `cargo xtask protobuf [--check]`.
pub fn run(args: &[String]) -> Result {
    let check = args.iter().any(|a| a == "--check");
    let progress = Progress::new();
    let go = Go::find(&progress)?;
    let work = std::env::temp_dir().join(format!("xtask-protobuf-{}", std::process::id()));
    fs::create_dir_all(&work)?;
    let mut roots = BTreeMap::new();
    for (module, version) in modules()? {
        let info = go.download(&work, &format!("{module}@{version}"))?;
        roots.insert(module, PathBuf::from(control_plane::json_str(&info, "Dir")?));
    }
    let _ = fs::remove_dir_all(&work);
    let table = generate(&roots)?;
    let text = serde_json::to_string(&table)? + "\n";
    let path = output();
    if check {
        let committed = fs::read_to_string(&path).unwrap_or_default();
        if committed != text {
            return Err(format!("{} is out of date: run `cargo xtask protobuf`", path.display()).into());
        }
        progress.say(format_args!("{} is up to date", path.display()));
    } else {
        fs::write(&path, &text)?;
        progress.say(format_args!("wrote {} ({} bytes)", path.display(), text.len()));
    }
    Ok(())
}

/// One Go package's declarations.
#[derive(Default)]
struct Package {
    group: Option<String>,
    imports: BTreeMap<String, String>,
    structs: BTreeMap<String, Vec<GoField>>,
    /// `type Name underlying` for non-struct types.
    named: BTreeMap<String, String>,
}

struct GoField {
    name: Option<String>,
    ty: String,
    tag: String,
}

fn package_dir(roots: &BTreeMap<&str, PathBuf>, path: &str) -> Option<PathBuf> {
    roots
        .iter()
        .filter(|(module, _)| path == **module || path.starts_with(&format!("{module}/")))
        .max_by_key(|(module, _)| module.len())
        .map(|(module, root)| root.join(path[module.len()..].trim_start_matches('/')))
}

fn parse_package(dir: &Path) -> Result<Package> {
    let mut package = Package::default();
    let mut files: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name.ends_with(".go")
                && !name.ends_with("_test.go")
                && !name.starts_with("zz_generated")
                && !name.starts_with("generated.")
                && !name.ends_with("_fuzz.go")
        })
        .collect();
    files.sort();
    for file in files {
        let text = fs::read_to_string(&file)?;
        parse_file(&text, &mut package);
    }
    Ok(package)
}

fn parse_file(text: &str, package: &mut Package) {
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("const GroupName = ") {
            package.group = Some(rest.trim().trim_matches('"').to_owned());
        } else if trimmed == "import (" {
            for line in lines.by_ref() {
                let line = line.trim();
                if line == ")" {
                    break;
                }
                let words: Vec<&str> = line.split_whitespace().collect();
                match words.as_slice() {
                    [path] if path.starts_with('"') => {
                        let path = path.trim_matches('"');
                        let alias = path.rsplit('/').next().unwrap_or(path);
                        package.imports.insert(alias.to_owned(), path.to_owned());
                    }
                    [alias, path, ..] if path.starts_with('"') => {
                        package
                            .imports
                            .insert((*alias).to_owned(), path.trim_matches('"').to_owned());
                    }
                    _ => {}
                }
            }
        } else if let Some(rest) = line.strip_prefix("type ") {
            let mut words = rest.split_whitespace();
            let (Some(name), Some(mut underlying)) = (words.next(), words.next()) else {
                continue;
            };
            // `type A = B`: an alias.
            if underlying == "=" {
                let Some(aliased) = words.next() else { continue };
                underlying = aliased;
            }
            if underlying == "struct{}" {
                package.structs.insert(name.to_owned(), Vec::new());
            } else if underlying == "struct" && rest.trim_end().ends_with('{') {
                let mut fields = Vec::new();
                let mut depth = 1;
                for line in lines.by_ref() {
                    let t = line.trim();
                    if t.starts_with("//") || t.is_empty() {
                        continue;
                    }
                    if depth == 1 && t == "}" {
                        break;
                    }
                    depth += t.matches('{').count();
                    depth -= t.matches('}').count();
                    if depth != 1 {
                        continue;
                    }
                    if let Some(field) = parse_field(t) {
                        fields.push(field);
                    }
                }
                package.structs.insert(name.to_owned(), fields);
            } else if underlying != "struct" && underlying != "interface" && !underlying.starts_with("interface{") {
                package.named.insert(name.to_owned(), underlying.to_owned());
            }
        }
    }
}

fn parse_field(line: &str) -> Option<GoField> {
    let (decl, tag) = match line.split_once('`') {
        Some((decl, rest)) => (decl.trim(), rest.trim_end_matches('`').to_owned()),
        None => (line.trim(), String::new()),
    };
    let words: Vec<&str> = decl.split_whitespace().collect();
    match words.as_slice() {
        [ty] => Some(GoField {
            name: None,
            ty: (*ty).to_owned(),
            tag,
        }),
        [name, ty] => Some(GoField {
            name: Some((*name).to_owned()),
            ty: (*ty).to_owned(),
            tag,
        }),
        _ => None,
    }
}

fn tag_value<'a>(tag: &'a str, key: &str) -> Option<&'a str> {
    let start = tag.find(&format!("{key}:\""))? + key.len() + 2;
    let end = tag[start..].find('"')? + start;
    Some(&tag[start..end])
}

/// Type names with a protobuf form of their own.
fn special(full: &str) -> Option<&'static str> {
    Some(match full {
        "k8s.io/apimachinery/pkg/apis/meta/v1.Time" | "k8s.io/apimachinery/pkg/apis/meta/v1.MicroTime" => "time",
        "k8s.io/apimachinery/pkg/apis/meta/v1.Duration" => "duration",
        "k8s.io/apimachinery/pkg/api/resource.Quantity" => "quantity",
        "k8s.io/apimachinery/pkg/util/intstr.IntOrString" => "intorstring",
        "k8s.io/apimachinery/pkg/runtime.RawExtension"
        | "k8s.io/apimachinery/pkg/apis/meta/v1.FieldsV1"
        | "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1.JSON" => "raw",
        "k8s.io/apimachinery/pkg/types.UID" => "string",
        _ => return None,
    })
}

struct Generator<'a> {
    roots: &'a BTreeMap<&'a str, PathBuf>,
    packages: BTreeMap<String, Package>,
    messages: BTreeMap<String, Vec<serde_json::Value>>,
    queue: VecDeque<String>,
    seen: BTreeSet<String>,
}

impl Generator<'_> {
    fn package(&mut self, path: &str) -> Result<&Package> {
        if !self.packages.contains_key(path) {
            let dir = package_dir(self.roots, path).ok_or_else(|| format!("no module holds package {path}"))?;
            let package = parse_package(&dir)?;
            self.packages.insert(path.to_owned(), package);
        }
        Ok(&self.packages[path])
    }

    /// Resolves a Go type written in package `pkg` to a table type, with its flags.
    fn resolve(&mut self, pkg: &str, ty: &str) -> Result<(String, String)> {
        let mut flags = String::new();
        let mut ty = ty;
        if let Some(rest) = ty.strip_prefix('*') {
            flags.push('p');
            ty = rest;
        }
        if ty == "[]byte" {
            return Ok(("bytes".into(), flags));
        }
        if let Some(elem) = ty.strip_prefix("[]") {
            let (elem, _) = self.resolve(pkg, elem)?;
            return Ok((elem, flags + "r"));
        }
        if let Some(rest) = ty.strip_prefix("map[") {
            let (_, value) = rest.split_once(']').ok_or("a map type without ]")?;
            let (value, _) = self.resolve(pkg, value)?;
            return Ok((value, flags + "m"));
        }
        let scalar = match ty {
            "string" => Some("string"),
            "bool" => Some("bool"),
            "int32" | "int" | "int16" | "int8" => Some("int32"),
            "int64" => Some("int64"),
            "uint32" | "uint16" | "uint8" => Some("uint32"),
            "uint64" => Some("uint64"),
            "float64" | "float32" => Some("float64"),
            _ => None,
        };
        if let Some(scalar) = scalar {
            return Ok((scalar.into(), flags));
        }
        let (path, name) = match ty.split_once('.') {
            Some((alias, name)) => {
                let path = self
                    .package(pkg)?
                    .imports
                    .get(alias)
                    .cloned()
                    .ok_or_else(|| format!("{pkg}: unknown import {alias}"))?;
                (path, name.to_owned())
            }
            None => (pkg.to_owned(), ty.to_owned()),
        };
        let full = format!("{path}.{name}");
        if let Some(special) = special(&full) {
            return Ok((special.into(), flags));
        }
        let package = self.package(&path)?;
        if package.structs.contains_key(&name) {
            if self.seen.insert(full.clone()) {
                self.queue.push_back(full.clone());
            }
            return Ok((full, flags));
        }
        if let Some(underlying) = package.named.get(&name).cloned() {
            let (inner, inner_flags) = self.resolve(&path, &underlying)?;
            // A named slice type (other than bytes) is a message whose field 1 holds the items.
            if inner_flags.contains('r') {
                return Ok((format!("list:{inner}"), flags));
            }
            return Ok((inner, flags + &inner_flags));
        }
        Err(format!("cannot resolve Go type {ty} in {pkg}").into())
    }

    fn message(&mut self, full: &str) -> Result {
        let (path, name) = full.rsplit_once('.').expect("a qualified name");
        let fields: Vec<(Option<String>, String, String)> = self.package(path)?.structs[name]
            .iter()
            .map(|f| (f.name.clone(), f.ty.clone(), f.tag.clone()))
            .collect();
        let mut out = Vec::new();
        for (field_name, ty, tag) in fields {
            let Some(proto) = tag_value(&tag, "protobuf").filter(|p| *p != "-") else {
                continue;
            };
            let mut parts = proto.split(',');
            let _wire = parts.next();
            let number: u64 = parts
                .next()
                .and_then(|n| n.parse().ok())
                .ok_or("a protobuf tag without a number")?;
            let json = tag_value(&tag, "json").unwrap_or_default();
            let mut json_parts = json.split(',');
            let json_name = json_parts.next().unwrap_or_default().to_owned();
            let omitempty = json_parts.any(|p| p == "omitempty");
            let (table_type, mut flags) = self.resolve(path, &ty)?;
            if omitempty {
                flags.push('o');
            }
            if json_name.is_empty() && field_name.is_none() || json.contains("inline") {
                flags.push('i');
            }
            out.push(serde_json::json!([number, json_name, table_type, flags]));
        }
        self.messages.insert(full.to_owned(), out);
        Ok(())
    }
}

fn generate(roots: &BTreeMap<&str, PathBuf>) -> Result<serde_json::Value> {
    let mut generator = Generator {
        roots,
        packages: BTreeMap::new(),
        messages: BTreeMap::new(),
        queue: VecDeque::new(),
        seen: BTreeSet::new(),
    };
    let mut kind_packages = Vec::new();
    let api_root = &roots["k8s.io/api"];
    for group in fs::read_dir(api_root)?.filter_map(|e| e.ok()) {
        if !group.path().is_dir() {
            continue;
        }
        for version in fs::read_dir(group.path())?.filter_map(|e| e.ok()) {
            if version.path().join("register.go").is_file() {
                let rel = version.path().strip_prefix(api_root)?.to_string_lossy().into_owned();
                kind_packages.push(format!("k8s.io/api/{rel}"));
            }
        }
    }
    kind_packages.extend(EXTRA_KIND_PACKAGES.iter().map(|p| (*p).to_owned()));
    kind_packages.sort();
    let mut kinds = BTreeMap::new();
    for path in &kind_packages {
        let version = path.rsplit('/').next().unwrap_or_default().to_owned();
        let package = generator.package(path)?;
        let Some(group) = package.group.clone() else {
            continue;
        };
        let names: Vec<String> = package
            .structs
            .iter()
            .filter(|(_, fields)| fields.iter().any(|f| f.name.is_none() && f.ty.ends_with("TypeMeta")))
            .map(|(name, _)| name.clone())
            .collect();
        for name in names {
            let api_version = if group.is_empty() {
                version.clone()
            } else {
                format!("{group}/{version}")
            };
            let full = format!("{path}.{name}");
            kinds.insert(format!("{api_version}/{name}"), serde_json::json!(full));
            if generator.seen.insert(full.clone()) {
                generator.queue.push_back(full);
            }
        }
    }
    while let Some(full) = generator.queue.pop_front() {
        generator.message(&full)?;
    }
    Ok(serde_json::json!({"kinds": kinds, "messages": generator.messages}))
}
