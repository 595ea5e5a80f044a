//! The generator over a large body of real kopium bindings: the `kube-custom-resources-rs` crate
//! (some 1,600 CRD types from about 400 API groups, each file kopium's output), fetched by cargo
//! from crates.io as `fixtures/corpus/Cargo.toml` names it.
//!
//! Each type's scope and plural is checked against what kopium wrote for kube-derive to read
//! (`plural = "..."`, and `#[kube(namespaced)]` on a line of its own), read from the text with no
//! help from the scanner; that kube-derive serves exactly these names is checked by compiling a
//! sample (`fixtures/kopium`, in the `integration-tests` crate).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use kube_informer_gen::{Config, Origin};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The corpus's `src` folder, fetched by cargo into its registry.
fn corpus_src() -> PathBuf {
    let manifest = workspace().join("fixtures/corpus/Cargo.toml");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let fetch = Command::new(&cargo)
        .args(["fetch", "--locked", "--manifest-path"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(
        fetch.status.success(),
        "`cargo fetch --manifest-path {}` failed (the corpus comes from crates.io):\n{}",
        manifest.display(),
        String::from_utf8_lossy(&fetch.stderr)
    );
    let metadata = Command::new(&cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--offline",
            "--manifest-path",
        ])
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(
        metadata.status.success(),
        "{}",
        String::from_utf8_lossy(&metadata.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&metadata.stdout).unwrap();
    let package = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "kube-custom-resources-rs")
        .expect("the corpus package is in the metadata");
    Path::new(package["manifest_path"].as_str().unwrap())
        .parent()
        .unwrap()
        .join("src")
}

/// What kopium wrote for one type, read from the text alone.
#[derive(Debug, PartialEq, Eq)]
struct Written {
    path: String,
    plural: String,
    namespaced: bool,
}

/// Every `#[derive(CustomResource ...)]` struct of every file: its `#[kube(...)]` lines up to the
/// `pub struct`, keyed by group, version and kind.
fn written(src: &Path) -> BTreeMap<(String, String, String), Vec<Written>> {
    fn files(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let quoted = |line: &str, key: &str| -> Option<String> {
        let start = line.find(&format!("{key} = \""))? + key.len() + 4;
        Some(line[start..start + line[start..].find('"')?].to_owned())
    };
    let mut all = Vec::new();
    files(src, &mut all);
    let mut out: BTreeMap<(String, String, String), Vec<Written>> = BTreeMap::new();
    for file in all {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            if !(line.starts_with("#[derive(") && line.contains("CustomResource")) {
                continue;
            }
            let (mut group, mut version, mut kind, mut plural, mut namespaced) = (None, None, None, None, false);
            for line in lines.by_ref() {
                if line.starts_with("pub struct") {
                    break;
                }
                if line.trim() == "#[kube(namespaced)]" {
                    namespaced = true;
                }
                if line.starts_with("#[kube(group") {
                    group = quoted(line, "group");
                    version = quoted(line, "version");
                    kind = quoted(line, "kind");
                    plural = quoted(line, "plural");
                }
            }
            let module = file.strip_prefix(src).unwrap().with_extension("");
            let module: Vec<String> = module.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            let kind = kind.expect("kopium writes the kind");
            out.entry((group.unwrap(), version.unwrap(), kind.clone()))
                .or_default()
                .push(Written {
                    path: format!("crate::{}::{kind}", module.join("::")),
                    plural: plural.expect("kopium writes the plural"),
                    namespaced,
                });
        }
    }
    out
}

#[test]
fn every_kopium_binding_of_the_corpus() {
    let src = corpus_src();
    let written = written(&src);
    let types: usize = written.values().map(Vec::len).sum();
    assert!(types > 1_500, "the corpus holds {types} CustomResource types");

    // The whole crate, as its `lib.rs` mounts it (every group behind a feature of its own),
    // through the CLI. One problem is real: the corpus's
    // `gateway_networking_k8s_io/v1/referencegrants.rs` says `version = "v1beta1"`, as
    // `v1beta1/referencegrants.rs` does. The scan names both, and nothing is written.
    let out = std::env::temp_dir().join(format!("informer-gen-corpus-cli-{}", std::process::id()));
    let run = Command::new(env!("CARGO_BIN_EXE_informer-gen"))
        .args(["--k8s-version", "1.37", "--scan"])
        .arg(&src)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let file = |rel: &str| src.join(rel).display().to_string();
    assert_eq!(
        String::from_utf8_lossy(&run.stderr),
        format!(
            "informer-gen: kind gateway.networking.k8s.io/v1beta1/ReferenceGrant is claimed twice: by `ReferenceGrantSpec` at {}:19 and by `ReferenceGrantSpec` at {}:19\n",
            file("gateway_networking_k8s_io/v1/referencegrants.rs"),
            file("gateway_networking_k8s_io/v1beta1/referencegrants.rs"),
        )
    );
    assert!(!out.exists(), "nothing is written when the scan fails");
    for (key, claims) in &written {
        assert!(
            claims.len() == 1 || key.2 == "ReferenceGrant",
            "the corpus claims {key:?} {} times",
            claims.len()
        );
    }

    // A crate root that leaves the one misnamed file out, mounting the rest with `#[path]`.
    let root = std::env::temp_dir().join(format!("informer-gen-corpus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let left_out = src.join("gateway_networking_k8s_io/v1/referencegrants.rs");
    let mut lib = String::new();
    let mut groups: Vec<PathBuf> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    groups.sort();
    for group in &groups {
        let name = group.file_name().unwrap().to_string_lossy().into_owned();
        if !left_out.starts_with(group) {
            lib.push_str(&format!(
                "#[cfg(feature = \"{name}\")]\n#[path = \"{}\"]\npub mod {name};\n",
                group.join("mod.rs").display()
            ));
            continue;
        }
        lib.push_str(&format!("#[cfg(feature = \"{name}\")]\npub mod {name} {{\n"));
        let mut versions: Vec<PathBuf> = std::fs::read_dir(group).unwrap().map(|e| e.unwrap().path()).collect();
        versions.sort();
        for version in versions.iter().filter(|v| v.is_dir()) {
            let v = version.file_name().unwrap().to_string_lossy().into_owned();
            lib.push_str(&format!("    pub mod {v} {{\n"));
            let mut kinds: Vec<PathBuf> = std::fs::read_dir(version).unwrap().map(|e| e.unwrap().path()).collect();
            kinds.sort();
            for kind in kinds.iter().filter(|k| **k != left_out && !k.ends_with("mod.rs")) {
                let k = kind.file_stem().unwrap().to_string_lossy().into_owned();
                lib.push_str(&format!(
                    "        #[path = \"{}\"]\n        pub mod {k};\n",
                    kind.display()
                ));
            }
            lib.push_str("    }\n");
        }
        lib.push_str("}\n");
    }
    std::fs::write(root.join("lib.rs"), lib).unwrap();

    let generated = Config::new()
        .k8s_version("1.37")
        .builtins_all()
        .scan(&root)
        .generate_output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(generated.warnings.is_empty(), "{:?}", generated.warnings);
    let scanned: Vec<_> = generated
        .resources
        .iter()
        .filter(|r| matches!(r.origin, Origin::Source { .. }))
        .collect();
    assert_eq!(scanned.len(), types - 1);
    let mut checked = 0;
    for r in &scanned {
        let claims = &written[&(r.group.clone(), r.version.clone(), r.kind.clone())];
        let want = claims
            .iter()
            .find(|w| w.path == r.path)
            .unwrap_or_else(|| panic!("{} is not among {claims:?}", r.path));
        assert_eq!((&r.plural, r.namespaced), (&want.plural, want.namespaced), "{}", r.path);
        // Each group's feature gates its generated code as it gates its module.
        let group_module = r.path.split("::").nth(1).unwrap();
        assert_eq!(r.cfg, [format!("feature = \"{group_module}\"")], "{}", r.path);
        assert!(r.register);
        checked += 1;
    }
    let namespaced = scanned.iter().filter(|r| r.namespaced).count();
    println!(
        "corpus: {checked} kopium types checked ({namespaced} namespaced, {} cluster-scoped) in {} groups; {} lines generated",
        checked - namespaced,
        groups.len(),
        generated.files.values().map(|c| c.lines().count()).sum::<usize>()
    );
    // Namespaced kinds are most of them: the scope comes from `#[kube(namespaced)]` on its own line.
    assert!(namespaced * 10 > checked * 7, "{namespaced} of {checked}");
    std::fs::remove_dir_all(&root).unwrap();
}
