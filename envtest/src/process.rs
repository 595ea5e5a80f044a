//! One child process of the control plane: spawned with its standard error going to a log file (no
//! pipe to drain, nothing blocks), killed and reaped on drop.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::Error;

/// How many lines of a process's stderr an error shows.
const STDERR_LINES: usize = 20;

/// A running `etcd` or `kube-apiserver`.
#[derive(Debug)]
pub(crate) struct Process {
    binary: &'static str,
    port: u16,
    child: Option<Child>,
    log: PathBuf,
}

impl Process {
    /// Spawns `path` with `args`; its stdout and stderr go to `log`.
    pub(crate) fn spawn(
        binary: &'static str,
        path: &Path,
        args: &[String],
        port: u16,
        log: PathBuf,
    ) -> Result<Self, Error> {
        let prepare = |source| Error::Prepare {
            what: format!("the log file {} of `{binary}`", log.display()),
            source,
        };
        let err = File::create(&log).map_err(prepare)?;
        let out = err.try_clone().map_err(prepare)?;
        let child = Command::new(path)
            .args(args)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|source| Error::Spawn { binary, source })?;
        tracing::debug!(binary, port, pid = child.id(), "spawned");
        Ok(Process {
            binary,
            port,
            child: Some(child),
            log,
        })
    }

    /// The process id, while it runs.
    pub(crate) fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// [`Error::Exited`] if the process has exited.
    pub(crate) fn check_running(&mut self) -> Result<(), Error> {
        let Some(child) = self.child.as_mut() else {
            return Ok(());
        };
        match child.try_wait() {
            Ok(Some(status)) => {
                self.child = None;
                Err(Error::Exited {
                    binary: self.binary,
                    port: self.port,
                    status,
                    stderr: self.stderr_tail(),
                })
            }
            _ => Ok(()),
        }
    }

    /// [`Error::NotReady`] with the tail of the process's stderr.
    pub(crate) fn not_ready(&self, waited: std::time::Duration, last_error: String) -> Error {
        Error::NotReady {
            binary: self.binary,
            port: self.port,
            waited,
            last_error,
            stderr: self.stderr_tail(),
        }
    }

    /// The last lines the process wrote to stderr.
    pub(crate) fn stderr_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(STDERR_LINES)..].join("\n")
    }

    /// Kills the process and waits for it to exit (idempotent).
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // An error means it already exited; wait reaps it either way.
            let _ = child.kill();
            match child.wait() {
                Ok(status) => tracing::debug!(binary = self.binary, port = self.port, %status, "stopped"),
                Err(err) => tracing::warn!(binary = self.binary, port = self.port, %err, "waiting for the process"),
            }
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.stop();
    }
}
