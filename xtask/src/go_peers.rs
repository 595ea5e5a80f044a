//! `cargo xtask go-peers [--print-path]`: builds the Go programs under `peers/` that run beside
//! our code, in the differential tests and the benchmarks; with `--print-path`, prints the
//! selectors peer's path.
//!
//! - `peers/selectors`: judges label and field selectors with `k8s.io/apimachinery` itself (the
//!   version its `go.mod` requires, with `go.sum` committed). `kube-scheme`'s
//!   `tests/selectors_differential.rs` finds it through [`SELECTORS_PEER_ENV`].
//! - `peers/informer`: client-go v0.37.2's shared informer on pods (sync, memory, events to
//!   three handlers), the Go column of `cargo xtask bench` ([`ensure_informer_peer`]), which
//!   passes it to the orchestrator as `--peer`; run by hand, the orchestrator finds it through
//!   [`INFORMER_PEER_ENV`].
//!
//! Built with the installed Go toolchain from the Go module proxy (nothing else is downloaded),
//! into `target/go-peers/`, written under a temporary name and renamed into place, so an
//! interrupted build never leaves half a binary. Go's own build cache makes a rebuild of unchanged
//! sources take about a second, so a peer is always rebuilt rather than trusted by its date.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::Result;

/// Names the built `selectors-peer` binary for the differential tests.
pub const SELECTORS_PEER_ENV: &str = "KUBE_SELECTORS_PEER";

/// Names the built `informer-peer` binary for the benchmark orchestrator
/// (`bench/src/orchestrate.rs`) when it is run without `--peer`.
pub const INFORMER_PEER_ENV: &str = "KUBE_INFORMER_PEER";

/// `cargo xtask go-peers [--print-path]`: builds every peer; `--print-path` prints the selectors
/// peer's path alone on stdout (what `scheme/tests/selectors_differential.rs` tells you to put in
/// [`SELECTORS_PEER_ENV`]), and stderr says where the informer peer went.
pub fn run(args: &[String]) -> Result {
    let mut print_path = false;
    for arg in args {
        match arg.as_str() {
            "--print-path" => print_path = true,
            other => {
                return Err(format!("go-peers: unknown argument {other:?} (usage: go-peers [--print-path])").into());
            }
        }
    }
    let path = ensure()?;
    let informer_peer = ensure_informer_peer()?;
    eprintln!(
        "go-peers: {SELECTORS_PEER_ENV}={} {INFORMER_PEER_ENV}={}",
        path.display(),
        informer_peer.display()
    );
    if print_path {
        println!("{}", path.display());
    }
    Ok(())
}

/// Builds `peers/selectors` into `target/go-peers/selectors-peer` and returns its path (the
/// informer peer is [`ensure_informer_peer`]'s, so `cargo xtask test`, which calls both, builds
/// each once).
pub fn ensure() -> Result<PathBuf> {
    build_peer("selectors", "selectors-peer", "apimachinery")
}

/// Builds `peers/informer` (client-go's shared informer, for `cargo xtask bench`) into
/// `target/go-peers/informer-peer` and returns its path.
pub fn ensure_informer_peer() -> Result<PathBuf> {
    build_peer("informer", "informer-peer", "client-go")
}

/// Builds `peers/<folder>` into `target/go-peers/<binary>` (under a temporary name, renamed
/// into place) and returns its path; `fetches` names what Go downloads the first time.
fn build_peer(folder: &str, binary: &str, fetches: &str) -> Result<PathBuf> {
    let root = crate::workspace_root();
    let source = root.join("peers").join(folder);
    let target = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| if dir.is_absolute() { dir } else { root.join(dir) })
        .unwrap_or_else(|| root.join("target"));
    let out_dir = target.join("go-peers");
    fs::create_dir_all(&out_dir).map_err(|err| format!("creating {}: {err}", out_dir.display()))?;
    let out = out_dir.join(binary);
    let partial = out_dir.join(format!(".{binary}.{}.partial", std::process::id()));
    let started = Instant::now();
    eprintln!(
        "go-peers: building {} (go build; minutes the first time, while Go fetches {fetches})",
        source.display()
    );
    build(&source, &partial).inspect_err(|_| {
        let _ = fs::remove_file(&partial);
    })?;
    fs::rename(&partial, &out).map_err(|err| format!("renaming {} to {}: {err}", partial.display(), out.display()))?;
    eprintln!(
        "go-peers: built {} in {:.1}s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(out)
}

/// `go build -trimpath -o <out> .` in `dir`, at low CPU priority, with the module's own go.sum.
fn build(dir: &Path, out: &Path) -> Result {
    let out = out.to_str().ok_or("the target folder's path is not UTF-8")?;
    let nice = env::var_os("PATH").is_some_and(|path| env::split_paths(&path).any(|dir| dir.join("nice").is_file()));
    let mut cmd = if nice {
        let mut cmd = Command::new("nice");
        cmd.args(["-n", "19", "go"]);
        cmd
    } else {
        Command::new("go")
    };
    let output = cmd
        .args(["build", "-trimpath", "-mod=readonly", "-o", out, "."])
        .current_dir(dir)
        .stdin(Stdio::null())
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env("CGO_ENABLED", "0")
        .output()
        .map_err(|err| format!("running go: {err} (building the Go peers needs Go 1.26 or later on PATH)"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "go build in {} failed ({}):\n{}",
            dir.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )
        .into())
    }
}
