//! `cargo xtask ...`: project automation.
//!
//! - `cargo xtask builtins [--check]`: regenerate `scheme/src/builtins/generated.rs` from
//!   k8s-openapi's own sources; with `--check`, fail when the checked-in copy differs.
//! - `cargo xtask test`: run the whole workspace test suite (the README's test command).
//! - `cargo xtask bench [--reps N] [--pause SECS] [--large-rounds N] [--only
//!   sync|events|query]`: issue 14's table, our informer beside kube-runtime and client-go under
//!   three allocators (`bench/`); `cargo xtask bench informer [filter]`: issue 4's in-crate
//!   benchmark.
//! - `cargo xtask bench controller`: the workqueue and controller benchmarks' tables (issue 13).
//! - `cargo xtask control-plane [--print-dir]`: build `kube-apiserver` and `etcd` from their Go
//!   modules into a per-version cache folder (see `control_plane`); with `--print-dir`, print it.
//! - `cargo xtask go-peers [--print-path]`: build the Go programs under `peers/` that differential
//!   tests and the benchmark run beside our code (apimachinery's selectors, client-go's
//!   informer; see `go_peers`).
//! - `cargo xtask kubectl [--print-path]`: build `kubectl` from Go modules into the same cache
//!   (see `kubectl`); with `--print-path`, print its path.
//! - `cargo xtask protobuf [--check]`: regenerate the fake API server's protobuf table from the
//!   Go API modules (see `protobuf`); with `--check`, fail when the committed copy differs.
//! - `cargo xtask record`: re-record what the fake API server serves from the real one
//!   (discovery, Table columns, OpenAPI v3 into `fake-apiserver/data/`), by running its
//!   `real_server` test against kube-envtest with `KUBE_ENVTEST_RECORD=1`. Without it that test
//!   is the drift check `cargo xtask test` runs: it fails when the recordings differ.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod builtins;
mod control_plane;
mod go_peers;
mod kubectl;
mod protobuf;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("builtins") => builtins::run(&workspace_root(), args.iter().any(|a| a == "--check")),
        Some("test") => test(&args[1..]),
        Some("control-plane") => control_plane::run(&args[1..]),
        Some("go-peers") => go_peers::run(&args[1..]),
        Some("kubectl") => kubectl::run(&args[1..]),
        Some("protobuf") => protobuf::run(&args[1..]),
        Some("bench") => bench(&args[1..]),
        Some("record") => record(),
        _ => Err(
            "usage: cargo xtask <builtins [--check] | test [cargo test args...] | control-plane [--print-dir] | go-peers [--print-path] | kubectl [--print-path] | protobuf [--check] | record | bench [filter]>".into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: {err}");
            ExitCode::FAILURE
        }
    }
}

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The workspace root: the parent of this crate's manifest directory.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// `cargo xtask bench [controller | informer [filter] | ARGS]`:
/// - with no argument (or the orchestrator's own, such as `--reps 5` (the default), `--pause 3`
///   (seconds each consumer waits once its API server is ready, for the machine's free memory to
///   settle; the default), `--large-rounds 3` (rounds that also sync 50,000 pods; the default),
///   `--only events` or `--consumers ours,kube`):
///   issue 14's table, our informer beside kube-runtime's reflector and client-go's informer
///   (the Go peer, built here), every server out of process, the Rust consumers built once per
///   allocator (glibc, jemalloc, mimalloc); writes `bench/results/informer.md` and `.svg`;
/// - `controller`: kube-controller's queue and reconcile tables (issue 13);
/// - `informer [filter]`: issue 4's in-crate benchmark (`cargo bench -p kube-informer --bench
///   informer`).
fn bench(extra: &[String]) -> Result {
    let status = match extra.first().map(String::as_str) {
        Some("controller") => cargo().args(["bench", "-p", "kube-controller"]).status()?,
        Some("informer") => cargo()
            .args(["bench", "-p", "kube-informer", "--bench", "informer", "--"])
            .args(&extra[1..])
            .status()?,
        _ => return bench_peers(extra),
    };
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo bench failed: {status}").into())
    }
}

/// Issue 14's side-by-side benchmark (see [`bench()`]).
fn bench_peers(extra: &[String]) -> Result {
    let peer = go_peers::ensure_informer_peer()?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let out_dir = target.join("bench");
    std::fs::create_dir_all(&out_dir)?;
    let mut binaries = Vec::new();
    for (alloc, features) in [
        ("glibc", None),
        ("jemalloc", Some("jemalloc")),
        ("mimalloc", Some("mimalloc")),
    ] {
        let mut build = cargo();
        build.args(["build", "--release", "-p", "kube-informer-bench"]);
        if let Some(features) = features {
            build.args(["--features", features]);
        }
        let status = build.status()?;
        if !status.success() {
            return Err(format!("building the {alloc} benchmark binary failed: {status}").into());
        }
        let binary = out_dir.join(format!("informer-bench-{alloc}"));
        std::fs::copy(target.join("release").join("kube-informer-bench"), &binary)?;
        binaries.push(format!("{alloc}={}", binary.display()));
    }
    let status = Command::new(out_dir.join("informer-bench-glibc"))
        .current_dir(workspace_root())
        .args(["--binaries", &binaries.join(","), "--peer"])
        .arg(&peer)
        .args(extra)
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the benchmark failed: {status}").into())
    }
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(workspace_root());
    cmd
}

/// `cargo xtask record`: the fake API server's recordings of the real server, made anew.
fn record() -> Result {
    let bin_dir = control_plane::ensure()?;
    let status = cargo()
        .args(["test", "-p", "kube-fake-apiserver", "--test", "real_server"])
        .env(control_plane::BIN_DIR_ENV, &bin_dir)
        .env("KUBE_ENVTEST_RECORD", "1")
        .status()?;
    if status.success() {
        println!(
            "xtask: recorded into fake-apiserver/data/ (review and commit the changes: git diff --stat fake-apiserver/data)"
        );
        Ok(())
    } else {
        Err(format!("recording failed: {status}").into())
    }
}

/// Runs every test of the workspace: unit, integration, property, compile-fail and doc tests,
/// then prints one closing line that sums every `test result:` line.
///
/// First provisions kube-apiserver and etcd (`control_plane::ensure`, minutes when cold) and
/// names their folder in `KUBE_ENVTEST_BIN_DIR` for kube-envtest's tests; builds the Go peers
/// (`go_peers::ensure`), naming them in their variables for the differential tests; then
/// `kubectl`, named in `KUBE_ENVTEST_KUBECTL` for the kubectl differential test.
fn test(extra: &[String]) -> Result {
    let bin_dir = control_plane::ensure()?;
    let selectors_peer = go_peers::ensure()?;
    // Not run by the tests, but `cargo xtask bench` needs it: its build is checked here.
    go_peers::ensure_informer_peer()?;
    let kubectl = kubectl::ensure()?;
    let mut totals = Totals::default();
    let mut failures = Vec::new();
    for args in [
        // Every target but the benches: `cargo bench` runs those, and clippy compiles them.
        // `--no-fail-fast`: one failing test binary must not hide the others' results.
        &[
            "test",
            "--workspace",
            "--no-fail-fast",
            "--lib",
            "--bins",
            "--tests",
            "--examples",
        ][..],
        &["test", "--workspace", "--no-fail-fast", "--doc"][..],
    ] {
        let mut cmd = cargo();
        cmd.args(args)
            .args(extra)
            .env(control_plane::BIN_DIR_ENV, &bin_dir)
            .env(go_peers::SELECTORS_PEER_ENV, &selectors_peer)
            .env(kubectl::KUBECTL_ENV, &kubectl);
        if let Err(err) = run_counting(cmd, &mut totals) {
            failures.push(err.to_string());
        }
    }
    println!(
        "\ntests: {} passed, {} failed, {} ignored",
        totals.passed, totals.failed, totals.ignored
    );
    if totals.passed == 0 {
        failures.push("no test ran".into());
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; ").into())
    }
}

#[derive(Default)]
struct Totals {
    passed: u64,
    failed: u64,
    ignored: u64,
}

/// Runs `cmd`, echoing its standard output and adding up libtest's `test result:` lines.
fn run_counting(mut cmd: Command, totals: &mut Totals) -> Result {
    use std::io::BufRead;
    eprintln!("xtask: running {cmd:?}");
    let mut child = cmd.stdout(std::process::Stdio::piped()).spawn()?;
    let stdout = child.stdout.take().expect("piped");
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line?;
        println!("{line}");
        if let Some(rest) = line.trim().strip_prefix("test result: ") {
            for part in rest.split(';') {
                let mut words = part.split_whitespace().rev();
                let (Some(label), Some(n)) = (words.next(), words.next()) else {
                    continue;
                };
                let n: u64 = n.parse().unwrap_or(0);
                match label {
                    "passed" => totals.passed += n,
                    "failed" => totals.failed += n,
                    "ignored" => totals.ignored += n,
                    _ => {}
                }
            }
        }
    }
    let status = child.wait()?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed: {status}").into())
    }
}
