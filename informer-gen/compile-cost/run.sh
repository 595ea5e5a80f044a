#!/usr/bin/env bash
# What the generated informer code adds to a crate's compile time and peak rustc memory (issue 16).
#
# Builds one consumer crate twice, side by side: 75 real kopium bindings (every 22nd file of the
# kube-custom-resources-rs corpus that fixtures/corpus names) plus, in the second build, the
# generated informers for all built-ins and those 75 kinds. Dependencies are built first (not
# measured); then the crate alone, `rounds` times each way, interleaved. Prints wall time and the
# peak RSS of the build (that of rustc: getrusage's children maximum).
#
#   bash informer-gen/compile-cost/run.sh [rounds]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rounds="${1:-2}"
work="$root/target/compile-cost"
cargo fetch --locked --manifest-path "$root/fixtures/corpus/Cargo.toml" >/dev/null
corpus="$(cargo metadata --format-version 1 --locked --offline --manifest-path "$root/fixtures/corpus/Cargo.toml" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print([p["manifest_path"] for p in d["packages"] if p["name"]=="kube-custom-resources-rs"][0].rsplit("/",1)[0])')/src"
rm -rf "$work" && mkdir -p "$work/src"
cat > "$work/Cargo.toml" <<TOML
[package]
name = "compile-cost"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
kube = { version = "5", default-features = false, features = ["client", "derive"] }
k8s-openapi = { version = "0.29", default-features = false, features = ["std", "latest"] }
kube-informer = { path = "$root/informer" }
kube-scheme = { path = "$root/scheme" }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
schemars = "1"

[build-dependencies]
kube-informer-gen = { path = "$root/informer-gen" }

[workspace]
TOML
cp "$root/Cargo.lock" "$work/Cargo.lock"
cat > "$work/build.rs" <<'RS'
fn main() {
    println!("cargo::rerun-if-env-changed=GENERATE");
    println!("cargo::rustc-check-cfg=cfg(generated)");
    if std::env::var_os("GENERATE").is_some() {
        println!("cargo::rustc-cfg=generated");
        kube_informer_gen::Config::new().builtins_all().scan("src").generate().unwrap();
    }
}
RS
{
    echo '#![allow(warnings)]'
    n=0
    find "$corpus" -name '*.rs' ! -name mod.rs ! -name lib.rs | sort | awk 'NR % 22 == 0' | head -75 | while read -r f; do
        n=$((n + 1))
        printf '#[path = "%s"]\npub mod b%03d;\n' "$f" "$n"
    done
    echo '#[cfg(generated)]'
    echo 'pub mod informers { kube_informer::include_informers!(); }'
} > "$work/src/lib.rs"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
echo "compile-cost: $(grep -c '^pub mod b' "$work/src/lib.rs") bindings; building dependencies (not measured)"
cargo build --quiet --manifest-path "$work/Cargo.toml"
GENERATE=1 cargo build --quiet --manifest-path "$work/Cargo.toml"
for round in $(seq "$rounds"); do
    for variant in without with; do
        touch "$work/src/lib.rs"
        if [ "$variant" = with ]; then export GENERATE=1; else unset GENERATE; fi
        /usr/bin/time -f "round $round $variant generated code: wall %e s, peak RSS %M KiB" \
            cargo build --quiet --manifest-path "$work/Cargo.toml"
    done
done
