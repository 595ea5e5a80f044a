//! `cargo xtask control-plane [--print-dir]`: provisions the `kube-apiserver` and `etcd` binaries
//! that tests run against a real control plane need.
//!
//! No prebuilt binary can be downloaded here, so both are built from their published Go modules
//! with the installed Go toolchain (only the Go module proxy is needed), each from a throw-away
//! wrapper module:
//!
//! - `kube-apiserver`: a module that requires `k8s.io/kubernetes` and replaces every staging
//!   module (`k8s.io/api`, `k8s.io/apiserver`, ...; the list is read from `k8s.io/kubernetes`'s
//!   own `go.mod`, which points them at `./staging/src/...`) with its published `v0.x.y` release,
//!   then builds `k8s.io/kubernetes/cmd/kube-apiserver`, version-stamped like a release build.
//! - `etcd`: a module that requires `go.etcd.io/etcd/server/v3`, whose root package is etcd's main.
//!
//! The binaries land in `$XDG_CACHE_HOME/kube-envtest/k8s-<version>-etcd-<version>/` (or under
//! `$HOME/.cache`), written under a temporary name and renamed into place once they run, so an
//! interrupted build never leaves half a binary. When both are there and report the wanted
//! versions, nothing is done. `KUBE_ENVTEST_BIN_DIR` names a folder that already holds both
//! binaries and skips building altogether.

use std::env;
use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use crate::Result;

/// The Kubernetes release whose `kube-apiserver` is built.
pub const KUBERNETES_VERSION: &str = "v1.37.2";
/// The etcd release that is built: the one `k8s.io/kubernetes` pins at [`KUBERNETES_VERSION`]
/// (its `go.mod` and `build/dependencies.yaml`); a build warns when the two drift apart.
pub const ETCD_VERSION: &str = "v3.7.0";
/// Names a folder that already holds `kube-apiserver` and `etcd`: when set, nothing is built.
pub const BIN_DIR_ENV: &str = "KUBE_ENVTEST_BIN_DIR";

const KUBE_APISERVER: &str = "kube-apiserver";
const ETCD: &str = "etcd";
const KUBERNETES_MODULE: &str = "k8s.io/kubernetes";
const KUBE_APISERVER_PACKAGE: &str = "k8s.io/kubernetes/cmd/kube-apiserver";
const ETCD_MODULE: &str = "go.etcd.io/etcd/server/v3";
/// The Go version written in the wrapper modules; `go mod tidy` raises it when a dependency needs more.
const WRAPPER_GO_VERSION: &str = "1.26.0";

/// `cargo xtask control-plane [--print-dir]`: makes sure both binaries are there; with
/// `--print-dir`, prints the folder that holds them on standard output.
pub fn run(args: &[String]) -> Result {
    let mut print_dir = false;
    for arg in args {
        match arg.as_str() {
            "--print-dir" => print_dir = true,
            other => {
                return Err(
                    format!("control-plane: unknown argument {other:?} (usage: control-plane [--print-dir])").into(),
                );
            }
        }
    }
    let dir = ensure()?;
    if print_dir {
        println!("{}", dir.display());
    }
    Ok(())
}

/// Makes sure `kube-apiserver` and `etcd` are built, and returns the folder that holds them.
///
/// Honors [`BIN_DIR_ENV`]; otherwise builds whichever binary is missing (or does not report the
/// wanted version) into the per-version cache folder. Concurrent callers wait for each other.
pub fn ensure() -> Result<PathBuf> {
    let progress = Progress::new();
    if let Some(dir) = env::var_os(BIN_DIR_ENV).filter(|dir| !dir.is_empty()) {
        let dir = PathBuf::from(dir);
        for name in [KUBE_APISERVER, ETCD] {
            if !dir.join(name).is_file() {
                return Err(format!("{BIN_DIR_ENV}={}: there is no `{name}` in it", dir.display()).into());
            }
        }
        progress.say(format_args!("using the binaries in {BIN_DIR_ENV}={}", dir.display()));
        return Ok(dir);
    }

    let dir = cache_dir()?;
    let binaries = [Binary::kube_apiserver(), Binary::etcd()];
    if binaries.iter().all(|binary| binary.is_installed(&dir)) {
        progress.say(format_args!(
            "kube-apiserver {KUBERNETES_VERSION} and etcd {ETCD_VERSION} are already in {}",
            dir.display()
        ));
        return Ok(dir);
    }

    let (_lock, waited) = lock_build_dir(&dir, "", &progress)?;
    if waited && binaries.iter().all(|binary| binary.is_installed(&dir)) {
        progress.say(format_args!("the other build put both binaries in {}", dir.display()));
        return Ok(dir);
    }

    let go = Go::find(&progress)?;
    let work = dir.join(".work");
    for binary in &binaries {
        // Checked again under the lock: another process may have built it meanwhile.
        if binary.is_installed(&dir) {
            progress.say(format_args!("{} is already in {}", binary.name, dir.display()));
            continue;
        }
        let started = Instant::now();
        let work = work.join(binary.name);
        if work.exists() {
            fs::remove_dir_all(&work)?;
        }
        fs::create_dir_all(&work)?;
        let partial = dir.join(format!(".{}.partial", binary.name));
        (binary.build)(&go, &work, &partial)?;
        let version = binary.check(&partial).inspect_err(|_| {
            let _ = fs::remove_file(&partial);
        })?;
        let target = dir.join(binary.name);
        fs::rename(&partial, &target)?;
        let size = fs::metadata(&target)?.len();
        progress.say(format_args!(
            "built {} in {:.0}s ({:.1} MiB): {version}",
            target.display(),
            started.elapsed().as_secs_f64(),
            size as f64 / (1024.0 * 1024.0)
        ));
    }
    if work.exists() {
        fs::remove_dir_all(&work)?;
    }
    progress.say(format_args!("kube-apiserver and etcd are in {}", dir.display()));
    Ok(dir)
}

/// Creates `dir` and takes its build lock (`.lock`), so that concurrent builds into one folder
/// wait for each other; `what` prefixes the message said while waiting. Returns the lock (held
/// until dropped) and whether another build held it first, in which case the caller checks again
/// for what that build may have put there.
pub(crate) fn lock_build_dir(dir: &Path, what: &str, progress: &Progress) -> Result<(fs::File, bool)> {
    fs::create_dir_all(dir).map_err(|err| format!("creating {}: {err}", dir.display()))?;
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(".lock"))?;
    match lock.try_lock() {
        Ok(()) => Ok((lock, false)),
        Err(fs::TryLockError::WouldBlock) => {
            progress.say(format_args!("{what}waiting for another build into {}", dir.display()));
            lock.lock()?;
            Ok((lock, true))
        }
        Err(fs::TryLockError::Error(err)) => Err(format!("locking {}/.lock: {err}", dir.display()).into()),
    }
}

/// The per-version cache folder: `$XDG_CACHE_HOME/kube-envtest/k8s-<v>-etcd-<v>`, with
/// `$HOME/.cache` standing in for an unset (or relative) `XDG_CACHE_HOME`.
pub(crate) fn cache_dir() -> Result<PathBuf> {
    let root = match env::var_os("XDG_CACHE_HOME").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        _ => match env::var_os("HOME").filter(|home| !home.is_empty()) {
            Some(home) => PathBuf::from(home).join(".cache"),
            None => return Err("neither XDG_CACHE_HOME nor HOME is set: no cache folder to build into".into()),
        },
    };
    Ok(root
        .join("kube-envtest")
        .join(format!("k8s-{KUBERNETES_VERSION}-etcd-{ETCD_VERSION}")))
}

/// One binary to provision.
struct Binary {
    name: &'static str,
    /// A line that `<name> --version` prints when the binary is the wanted release.
    version_line: String,
    /// Builds the binary into the given file, using the given (empty) work folder.
    build: fn(&Go, &Path, &Path) -> Result,
}

impl Binary {
    fn kube_apiserver() -> Self {
        Binary {
            name: KUBE_APISERVER,
            version_line: format!("Kubernetes {KUBERNETES_VERSION}"),
            build: build_kube_apiserver,
        }
    }

    fn etcd() -> Self {
        Binary {
            name: ETCD,
            version_line: format!("etcd Version: {}", ETCD_VERSION.trim_start_matches('v')),
            build: build_etcd,
        }
    }

    /// Whether `dir` holds this binary, and it runs and reports the wanted version.
    fn is_installed(&self, dir: &Path) -> bool {
        let path = dir.join(self.name);
        path.is_file() && self.check(&path).is_ok()
    }

    /// Runs `<path> --version`; returns its first line when it reports the wanted version.
    fn check(&self, path: &Path) -> Result<String> {
        let output = Command::new(path)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .map_err(|err| format!("running {} --version: {err}", path.display()))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if output.status.success() && stdout.lines().any(|line| line.trim() == self.version_line) {
            Ok(stdout.lines().next().unwrap_or_default().trim().to_owned())
        } else {
            Err(format!(
                "{} --version did not report `{}` ({}): {}{}",
                path.display(),
                self.version_line,
                output.status,
                stdout.trim(),
                String::from_utf8_lossy(&output.stderr).trim()
            )
            .into())
        }
    }
}

/// Builds `kube-apiserver` at [`KUBERNETES_VERSION`] into `out`.
fn build_kube_apiserver(go: &Go, work: &Path, out: &Path) -> Result {
    let staging_version = staging_version(KUBERNETES_VERSION)?;
    go.progress.say(format_args!(
        "kube-apiserver: fetching {KUBERNETES_MODULE}@{KUBERNETES_VERSION}"
    ));
    let module = go.download(work, &format!("{KUBERNETES_MODULE}@{KUBERNETES_VERSION}"))?;
    let go_mod = read_to_string(Path::new(json_str(&module, "GoMod")?))?;
    let staging = staging_modules(&go_mod);
    if staging.is_empty() {
        return Err(format!("{KUBERNETES_MODULE}@{KUBERNETES_VERSION}'s go.mod replaces no staging module").into());
    }
    match required_version(&go_mod, ETCD_MODULE) {
        Some(pinned) if pinned != ETCD_VERSION => go.progress.say(format_args!(
            "warning: {KUBERNETES_MODULE}@{KUBERNETES_VERSION} pins {ETCD_MODULE} {pinned}, but etcd {ETCD_VERSION} is built"
        )),
        _ => {}
    }
    // The release's publication time stands in for the build date, which keeps the build reproducible.
    let info: serde_json::Value = serde_json::from_str(&read_to_string(Path::new(json_str(&module, "Info")?))?)?;
    let build_date = info["Time"].as_str().unwrap_or("1970-01-01T00:00:00Z").to_owned();

    let mut wrapper = format!(
        "module kube-envtest/kube-apiserver\n\ngo {WRAPPER_GO_VERSION}\n\nrequire {KUBERNETES_MODULE} {KUBERNETES_VERSION}\n\n\
         tool {KUBE_APISERVER_PACKAGE}\n\n// {KUBERNETES_MODULE} points these at ./staging; use their published releases.\nreplace (\n"
    );
    for path in &staging {
        wrapper.push_str(&format!("\t{path} => {path} {staging_version}\n"));
    }
    wrapper.push_str(")\n");
    fs::write(work.join("go.mod"), wrapper)?;
    go.progress.say(format_args!(
        "kube-apiserver: resolving dependencies (go mod tidy; {} staging modules at {staging_version})",
        staging.len()
    ));
    go.run(work, &["mod", "tidy"])?;

    let (major, minor) = major_minor(KUBERNETES_VERSION)?;
    let mut ldflags = String::from("-s -w");
    for package in ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"] {
        for (var, value) in [
            ("gitVersion", KUBERNETES_VERSION),
            ("gitMajor", major),
            ("gitMinor", minor),
            ("buildDate", build_date.as_str()),
        ] {
            ldflags.push_str(&format!(" -X {package}.{var}={value}"));
        }
    }
    go.progress.say(format_args!(
        "kube-apiserver: go build {KUBE_APISERVER_PACKAGE} (the longest step: minutes on a cold Go build cache)"
    ));
    go.build(work, &ldflags, out, KUBE_APISERVER_PACKAGE)
}

/// Builds `etcd` at [`ETCD_VERSION`] into `out`.
fn build_etcd(go: &Go, work: &Path, out: &Path) -> Result {
    let wrapper = format!(
        "module kube-envtest/etcd\n\ngo {WRAPPER_GO_VERSION}\n\nrequire {ETCD_MODULE} {ETCD_VERSION}\n\ntool {ETCD_MODULE}\n"
    );
    fs::write(work.join("go.mod"), wrapper)?;
    go.progress.say(format_args!(
        "etcd: resolving dependencies of {ETCD_MODULE}@{ETCD_VERSION} (go mod tidy)"
    ));
    go.run(work, &["mod", "tidy"])?;
    go.progress.say(format_args!("etcd: go build {ETCD_MODULE}"));
    go.build(work, "-s -w", out, ETCD_MODULE)
}

/// `v1.37.2` -> `v0.37.2`: the version under which a Kubernetes release's staging modules are published.
pub(crate) fn staging_version(kubernetes: &str) -> Result<String> {
    kubernetes
        .strip_prefix("v1.")
        .map(|rest| format!("v0.{rest}"))
        .ok_or_else(|| format!("unexpected Kubernetes version {kubernetes}").into())
}

/// `v1.37.2` -> (`1`, `37`).
pub(crate) fn major_minor(version: &str) -> Result<(&str, &str)> {
    let mut parts = version.trim_start_matches('v').split('.');
    match (parts.next(), parts.next()) {
        (Some(major), Some(minor)) => Ok((major, minor)),
        _ => Err(format!("unexpected version {version}").into()),
    }
}

/// The modules that a `go.mod` replaces with a folder under `./staging/`.
pub(crate) fn staging_modules(go_mod: &str) -> Vec<String> {
    go_mod
        .lines()
        .filter_map(|line| {
            let (from, to) = line.split_once("=>")?;
            let from = from.trim().trim_start_matches("replace").split_whitespace().next()?;
            to.trim().starts_with("./staging/").then(|| from.to_owned())
        })
        .collect()
}

/// The version at which a `go.mod` requires `module`, if it does.
fn required_version(go_mod: &str, module: &str) -> Option<String> {
    go_mod.lines().find_map(|line| {
        let mut words = line.trim().trim_start_matches("require").split_whitespace();
        (words.next()? == module).then(|| words.next().map(str::to_owned))?
    })
}

pub(crate) fn read_to_string(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|err| format!("reading {}: {err}", path.display()).into())
}

pub(crate) fn json_str<'a>(value: &'a serde_json::Value, key: &str) -> Result<&'a str> {
    value[key]
        .as_str()
        .ok_or_else(|| format!("`go mod download -json` printed no {key}: {value}").into())
}

/// Runs the Go toolchain at the lowest CPU priority, in module mode, without cgo and without
/// switching toolchains.
pub(crate) struct Go<'a> {
    progress: &'a Progress,
    goflags: OsString,
    nice: bool,
}

impl<'a> Go<'a> {
    pub(crate) fn find(progress: &'a Progress) -> Result<Self> {
        let mut goflags = env::var_os("GOFLAGS").unwrap_or_default();
        if !goflags.is_empty() {
            goflags.push(" ");
        }
        goflags.push("-mod=mod");
        let nice =
            env::var_os("PATH").is_some_and(|path| env::split_paths(&path).any(|dir| dir.join("nice").is_file()));
        let go = Go {
            progress,
            goflags,
            nice,
        };
        let output = go
            .command(Path::new("."), &["env", "GOVERSION"])
            .output()
            .map_err(|err| format!("running go: {err} (building kube-apiserver and etcd needs Go 1.26 or later)"))?;
        check(&output, "go env GOVERSION")?;
        progress.say(format_args!(
            "building with {}{}",
            String::from_utf8_lossy(&output.stdout).trim(),
            if nice { " under nice -n 19" } else { "" }
        ));
        Ok(go)
    }

    fn command(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = if self.nice {
            let mut cmd = Command::new("nice");
            cmd.args(["-n", "19", "go"]);
            cmd
        } else {
            Command::new("go")
        };
        cmd.args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .env("GOFLAGS", &self.goflags)
            .env("GOTOOLCHAIN", "local")
            .env("GOWORK", "off")
            .env("CGO_ENABLED", "0");
        cmd
    }

    /// Runs `go <args>` in `dir`, keeping its output to show only if it fails.
    pub(crate) fn run(&self, dir: &Path, args: &[&str]) -> Result<Output> {
        let what = format!("go {}", args.join(" "));
        let started = Instant::now();
        let output = self
            .command(dir, args)
            .output()
            .map_err(|err| format!("running {what}: {err}"))?;
        check(&output, &what)?;
        self.progress.say(format_args!(
            "  {what}: done in {:.0}s",
            started.elapsed().as_secs_f64()
        ));
        Ok(output)
    }

    /// `go mod download -json <module@version>`, run in the (still empty) `dir`.
    pub(crate) fn download(&self, dir: &Path, module: &str) -> Result<serde_json::Value> {
        let output = self.run(dir, &["mod", "download", "-json", module])?;
        let value: serde_json::Value = serde_json::from_slice(&output.stdout)?;
        if let Some(err) = value["Error"].as_str() {
            return Err(format!("go mod download {module}: {err}").into());
        }
        Ok(value)
    }

    /// `go build -trimpath -ldflags <ldflags> -o <out> <package>`.
    pub(crate) fn build(&self, dir: &Path, ldflags: &str, out: &Path, package: &str) -> Result {
        let out = out.to_str().ok_or("the cache folder's path is not UTF-8")?;
        self.run(dir, &["build", "-trimpath", "-ldflags", ldflags, "-o", out, package])
            .map(drop)
    }
}

fn check(output: &Output, what: &str) -> Result {
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|line| !line.starts_with("go: downloading"))
        .collect();
    let tail = lines[lines.len().saturating_sub(40)..].join("\n");
    Err(format!("{what} failed ({}):\n{tail}", output.status).into())
}

/// Progress lines on standard error, stamped with the seconds since the start.
pub(crate) struct Progress {
    started: Instant,
}

impl Progress {
    pub(crate) fn new() -> Self {
        Progress {
            started: Instant::now(),
        }
    }

    pub(crate) fn say(&self, message: fmt::Arguments<'_>) {
        eprintln!(
            "control-plane [{:>5.1}s] {message}",
            self.started.elapsed().as_secs_f64()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_staging_modules_and_requirements() {
        let go_mod = "module k8s.io/kubernetes\n\nrequire (\n\tgo.etcd.io/etcd/server/v3 v3.7.0 // indirect\n\tk8s.io/api v0.0.0\n)\n\n\
                      replace (\n\tk8s.io/api => ./staging/src/k8s.io/api\n\tk8s.io/client-go => ./staging/src/k8s.io/client-go\n\
                      \texample.com/other => example.com/other v1.0.0\n)\n\nreplace k8s.io/kms => ./staging/src/k8s.io/kms\n";
        assert_eq!(
            staging_modules(go_mod),
            ["k8s.io/api", "k8s.io/client-go", "k8s.io/kms"]
        );
        assert_eq!(
            required_version(go_mod, "go.etcd.io/etcd/server/v3").as_deref(),
            Some("v3.7.0")
        );
        assert_eq!(required_version(go_mod, "go.etcd.io/etcd/client/v3"), None);
        assert_eq!(staging_version("v1.37.2").unwrap(), "v0.37.2");
        assert_eq!(major_minor("v1.37.2").unwrap(), ("1", "37"));
    }
}
