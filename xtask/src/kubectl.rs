//! `cargo xtask kubectl [--print-path]`: provisions the `kubectl` that the kubectl differential
//! test (`fake-apiserver/tests/kubectl.rs`) runs against the fake and the real API server.
//!
//! Built like `kube-apiserver` (see `control_plane`): `k8s.io/kubectl` is a library, the `kubectl`
//! main is `k8s.io/kubernetes/cmd/kubectl`, so a throw-away wrapper module requires
//! `k8s.io/kubernetes` at [`KUBERNETES_VERSION`], replaces every staging module with its published
//! `v0.x.y` release, and builds that package, version-stamped like a release build. The binary
//! lands in `$XDG_CACHE_HOME/kube-envtest/kubectl-<version>/kubectl` (or under `$HOME/.cache`),
//! written under a temporary name and renamed once `kubectl version --client` reports the wanted
//! version; concurrent builds wait for each other on a file lock. [`KUBECTL_ENV`] names an existing
//! binary instead.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::Result;
use crate::control_plane::{self, Go, KUBERNETES_VERSION, Progress};

/// Names a `kubectl` binary to use: when set, nothing is built. `cargo xtask test` sets it for
/// the tests.
pub const KUBECTL_ENV: &str = "KUBE_ENVTEST_KUBECTL";

const KUBERNETES_MODULE: &str = "k8s.io/kubernetes";
const KUBECTL_PACKAGE: &str = "k8s.io/kubernetes/cmd/kubectl";
const WRAPPER_GO_VERSION: &str = "1.26.0";

/// `cargo xtask kubectl [--print-path]`.
pub fn run(args: &[String]) -> Result {
    let mut print_path = false;
    for arg in args {
        match arg.as_str() {
            "--print-path" => print_path = true,
            other => {
                return Err(format!("kubectl: unknown argument {other:?} (usage: kubectl [--print-path])").into());
            }
        }
    }
    let path = ensure()?;
    if print_path {
        println!("{}", path.display());
    }
    Ok(())
}

/// Makes sure `kubectl` is built and returns its path (honouring [`KUBECTL_ENV`]).
pub fn ensure() -> Result<PathBuf> {
    let progress = Progress::new();
    if let Some(path) = env::var_os(KUBECTL_ENV).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        check(&path)?;
        progress.say(format_args!("kubectl: using {KUBECTL_ENV}={}", path.display()));
        return Ok(path);
    }
    let dir = control_plane::cache_dir()?
        .parent()
        .ok_or("the cache folder has no parent")?
        .join(format!("kubectl-{KUBERNETES_VERSION}"));
    let target = dir.join("kubectl");
    if check(&target).is_ok() {
        progress.say(format_args!(
            "kubectl {KUBERNETES_VERSION} is already at {}",
            target.display()
        ));
        return Ok(target);
    }
    let (_lock, _) = control_plane::lock_build_dir(&dir, "kubectl: ", &progress)?;
    if check(&target).is_ok() {
        return Ok(target);
    }
    let started = Instant::now();
    let go = Go::find(&progress)?;
    let work = dir.join(".work");
    if work.exists() {
        fs::remove_dir_all(&work)?;
    }
    fs::create_dir_all(&work)?;
    let partial = dir.join(".kubectl.partial");
    build(&go, &progress, &work, &partial)?;
    let version = check(&partial).inspect_err(|_| {
        let _ = fs::remove_file(&partial);
    })?;
    fs::rename(&partial, &target)?;
    fs::remove_dir_all(&work)?;
    progress.say(format_args!(
        "built {} in {:.0}s ({:.1} MiB): {version}",
        target.display(),
        started.elapsed().as_secs_f64(),
        fs::metadata(&target)?.len() as f64 / (1024.0 * 1024.0)
    ));
    Ok(target)
}

/// Builds `kubectl` at [`KUBERNETES_VERSION`] into `out`, from the (empty) folder `work`.
fn build(go: &Go, progress: &Progress, work: &Path, out: &Path) -> Result {
    let staging_version = control_plane::staging_version(KUBERNETES_VERSION)?;
    progress.say(format_args!(
        "kubectl: fetching {KUBERNETES_MODULE}@{KUBERNETES_VERSION}"
    ));
    let module = go.download(work, &format!("{KUBERNETES_MODULE}@{KUBERNETES_VERSION}"))?;
    let go_mod = control_plane::read_to_string(Path::new(control_plane::json_str(&module, "GoMod")?))?;
    let staging = control_plane::staging_modules(&go_mod);
    if staging.is_empty() {
        return Err(format!("{KUBERNETES_MODULE}@{KUBERNETES_VERSION}'s go.mod replaces no staging module").into());
    }
    let info: serde_json::Value = serde_json::from_str(&control_plane::read_to_string(Path::new(
        control_plane::json_str(&module, "Info")?,
    ))?)?;
    let build_date = info["Time"].as_str().unwrap_or("1970-01-01T00:00:00Z").to_owned();
    let mut wrapper = format!(
        "module kube-envtest/kubectl\n\ngo {WRAPPER_GO_VERSION}\n\nrequire {KUBERNETES_MODULE} {KUBERNETES_VERSION}\n\n\
         tool {KUBECTL_PACKAGE}\n\n// {KUBERNETES_MODULE} points these at ./staging; use their published releases.\nreplace (\n"
    );
    for path in &staging {
        wrapper.push_str(&format!("\t{path} => {path} {staging_version}\n"));
    }
    wrapper.push_str(")\n");
    fs::write(work.join("go.mod"), wrapper)?;
    progress.say(format_args!("kubectl: resolving dependencies (go mod tidy)"));
    go.run(work, &["mod", "tidy"])?;
    let (major, minor) = control_plane::major_minor(KUBERNETES_VERSION)?;
    let mut ldflags = String::from("-s -w");
    for package in ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"] {
        for (var, value) in [
            ("gitVersion", KUBERNETES_VERSION),
            ("gitMajor", major),
            ("gitMinor", minor),
            ("buildDate", build_date.as_str()),
            ("gitTreeState", "clean"),
        ] {
            ldflags.push_str(&format!(" -X {package}.{var}={value}"));
        }
    }
    progress.say(format_args!("kubectl: go build {KUBECTL_PACKAGE}"));
    go.build(work, &ldflags, out, KUBECTL_PACKAGE)
}

/// Runs `kubectl version --client`; returns its first line when it reports the wanted version.
fn check(path: &Path) -> Result<String> {
    let output = Command::new(path)
        .args(["version", "--client"])
        .stdin(Stdio::null())
        .output()
        .map_err(|err| format!("running {} version --client: {err}", path.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let wanted = format!("Client Version: {KUBERNETES_VERSION}");
    if output.status.success() && stdout.lines().any(|line| line.trim() == wanted) {
        Ok(wanted)
    } else {
        Err(format!(
            "{} version --client did not report `{wanted}` ({}): {}{}",
            path.display(),
            output.status,
            stdout.trim(),
            String::from_utf8_lossy(&output.stderr).trim()
        )
        .into())
    }
}
