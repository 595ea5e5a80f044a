//! Where the `etcd` and `kube-apiserver` binaries are: the same folder `cargo xtask control-plane`
//! builds into.

use std::env;
use std::path::PathBuf;

use crate::Error;

/// The Kubernetes release of the `kube-apiserver` that is run.
pub const KUBERNETES_VERSION: &str = "v1.37.2";
/// The etcd release that is run.
pub const ETCD_VERSION: &str = "v3.7.0";
/// Names a folder that holds `kube-apiserver` and `etcd`, instead of the default cache folder.
pub const BIN_DIR_ENV: &str = "KUBE_ENVTEST_BIN_DIR";

/// The folder that should hold the binaries: [`BIN_DIR_ENV`] when set, else
/// `$XDG_CACHE_HOME/kube-envtest/k8s-<version>-etcd-<version>` (or `$HOME/.cache/...`), the folder
/// `cargo xtask control-plane` builds into. Whether the binaries are there is checked by
/// [`crate::ControlPlane::start`].
pub fn bin_dir() -> Result<PathBuf, Error> {
    if let Some(dir) = env::var_os(BIN_DIR_ENV).filter(|dir| !dir.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let root = match env::var_os("XDG_CACHE_HOME").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        _ => match env::var_os("HOME").filter(|home| !home.is_empty()) {
            Some(home) => PathBuf::from(home).join(".cache"),
            None => return Err(Error::NoCacheDir),
        },
    };
    Ok(root
        .join("kube-envtest")
        .join(format!("k8s-{KUBERNETES_VERSION}-etcd-{ETCD_VERSION}")))
}

/// The path of one binary in `dir`, or [`Error::MissingBinary`].
pub(crate) fn find(dir: &std::path::Path, binary: &'static str) -> Result<PathBuf, Error> {
    let path = dir.join(binary);
    if path.is_file() {
        Ok(path)
    } else {
        Err(Error::MissingBinary {
            binary,
            dir: dir.to_path_buf(),
        })
    }
}
