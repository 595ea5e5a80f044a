//! The kubectl differential test: the same script of everyday kubectl commands
//! (`tests/kubectl/commands.txt`) runs against the fake API server and against the real
//! kube-apiserver of kube-envtest, and their normalised outputs are compared.
//!
//! The commands whose outputs differ must be exactly those listed, each with its reason, in
//! `tests/kubectl/differences.txt`: the test fails when a new difference appears and when a listed
//! one is gone (fixed, so its entry must go). Both servers' outputs are written under
//! `target/tmp/kubectl-differential/{fake,real}/` for inspection.
//!
//! Needs kubectl v1.37.2 (`cargo xtask kubectl`, or `KUBE_ENVTEST_KUBECTL` naming one) and the
//! control plane (`cargo xtask control-plane`); `cargo xtask test` provisions both.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use regex::Regex;

const KUBECTL_ENV: &str = "KUBE_ENVTEST_KUBECTL";
const KUBERNETES_VERSION: &str = "v1.37.2";
/// The longest a single command may take before it is killed (a watch or wait that never ends).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

fn script_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kubectl")
}

/// The kubectl binary: `KUBE_ENVTEST_KUBECTL`, else where `cargo xtask kubectl` builds it.
fn kubectl() -> PathBuf {
    if let Some(path) = std::env::var_os(KUBECTL_ENV).filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    let cache = match std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        _ => PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache"),
    };
    let path = cache
        .join("kube-envtest")
        .join(format!("kubectl-{KUBERNETES_VERSION}"))
        .join("kubectl");
    assert!(
        path.is_file(),
        "kubectl {KUBERNETES_VERSION} is not at {}: run `cargo xtask kubectl` (or set {KUBECTL_ENV})",
        path.display()
    );
    path
}

/// One line of the script.
struct Step {
    name: String,
    command: String,
}

fn read_script() -> Vec<Step> {
    let text = std::fs::read_to_string(script_dir().join("commands.txt")).expect("the script is there");
    let mut steps = Vec::new();
    let mut names = BTreeSet::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, command) = line.split_once(": ").expect("a script line is `name: command`");
        assert!(names.insert(name.to_owned()), "the script names {name:?} twice");
        steps.push(Step {
            name: name.to_owned(),
            command: command.to_owned(),
        });
    }
    steps
}

/// `name: reason` lines of the known differences.
fn read_differences() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(script_dir().join("differences.txt")).expect("the differences are there");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let (name, reason) = line.split_once(": ").expect("a difference line is `name: reason`");
            assert!(!reason.trim().is_empty(), "difference {name:?} has no reason");
            (name.to_owned(), reason.to_owned())
        })
        .collect()
}

/// Runs every step in order with `kubectl` on the PATH and `KUBECONFIG` set; returns each
/// step's normalised exit code and output.
fn run_script(steps: &[Step], kubectl: &Path, kubeconfig: &Path, home: &Path) -> Vec<String> {
    let bin = home.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let link = bin.join("kubectl");
    if !link.exists() {
        std::os::unix::fs::symlink(kubectl, &link).unwrap();
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    steps
        .iter()
        .map(|step| {
            let mut child = Command::new("sh")
                .arg("-c")
                .arg(&step.command)
                .current_dir(script_dir())
                .env("PATH", &path)
                .env("KUBECONFIG", kubeconfig)
                .env("HOME", home)
                .env_remove("KUBE_EDITOR")
                .env_remove("EDITOR")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("sh runs");
            let started = Instant::now();
            let status = loop {
                if let Some(status) = child.try_wait().unwrap() {
                    break Some(status);
                }
                if started.elapsed() > COMMAND_TIMEOUT {
                    let _ = child.kill();
                    break None;
                }
                std::thread::sleep(Duration::from_millis(20));
            };
            let output = child.wait_with_output().unwrap();
            let code = match status.and_then(|s| s.code()) {
                Some(code) => code.to_string(),
                None => "killed".to_owned(),
            };
            normalise(&format!(
                "exit: {code}\n--- stdout\n{}\n--- stderr\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ))
        })
        .collect()
}

/// Masks what differs from run to run and between the two servers for reasons that are not
/// behaviour: server URLs, uids, timestamps, resourceVersions, ages, IPs, temporary folders, and
/// the column padding that depends on them.
fn normalise(text: &str) -> String {
    static RULES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
        [
            (r"https?://127\.0\.0\.1:\d+", "SERVER"),
            (r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "UID"),
            (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", "TIME"),
            (r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4}", "TIME"),
            (r#"(resourceVersion\\?"?:\s*\\?")\d+"#, "${1}RV"),
            (r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b", "IP"),
            (r"/tmp/(LIVE|MERGED)-\d+", "/tmp/$1"),
            (r"\b(\d+[smhd])(\d+[smh])?\b|<invalid>", "AGE"),
            (r"(\S)[ \t]{2,}", "$1 "),
            (r"[ \t]+\n", "\n"),
        ]
        .into_iter()
        .map(|(re, with)| (Regex::new(re).expect("a valid pattern"), with))
        .collect()
    });
    let mut text = text.to_owned();
    for (re, with) in RULES.iter() {
        text = re.replace_all(&text, *with).into_owned();
    }
    text
}

fn kubeconfig(server: &str) -> String {
    serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "fake", "cluster": {"server": server}}],
        "users": [{"name": "fake", "user": {}}],
        "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake"}}],
        "current-context": "fake",
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kubectl_behaves_as_against_the_real_server() {
    let kubectl = kubectl();
    let steps = read_script();
    let known = read_differences();
    for name in known.keys() {
        assert!(
            steps.iter().any(|s| &s.name == name),
            "differences.txt lists {name:?}, which the script does not run"
        );
    }
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("kubectl-differential");
    let _ = std::fs::remove_dir_all(&out);

    let fake = kube_fake_apiserver::FakeApiServer::start()
        .await
        .expect("the fake starts");
    let real = kube_envtest::ControlPlane::start()
        .await
        .expect("the real control plane starts (build it with `cargo xtask control-plane`)");

    let started = Instant::now();
    let mut runs = Vec::new();
    for (label, config) in [("fake", kubeconfig(&fake.url())), ("real", real.kubeconfig())] {
        let home = out.join(label);
        std::fs::create_dir_all(&home).unwrap();
        let config_path = home.join("kubeconfig");
        std::fs::write(&config_path, config).unwrap();
        let kubectl = kubectl.clone();
        let steps = read_script();
        runs.push(tokio::task::spawn_blocking(move || {
            run_script(&steps, &kubectl, &config_path, &home)
        }));
    }
    let real_outputs = runs.pop().unwrap().await.unwrap();
    let fake_outputs = runs.pop().unwrap().await.unwrap();
    let elapsed = started.elapsed();

    let mut differ = BTreeSet::new();
    let mut report = String::new();
    for ((step, fake), real) in steps.iter().zip(&fake_outputs).zip(&real_outputs) {
        for (label, text) in [("fake", fake), ("real", real)] {
            std::fs::write(out.join(label).join(format!("{}.txt", step.name)), text).unwrap();
        }
        if fake != real {
            differ.insert(step.name.clone());
            if !known.contains_key(&step.name) {
                report.push_str(&format!(
                    "\n=== {} ({})\n--- fake\n{fake}\n--- real\n{real}\n",
                    step.name, step.command
                ));
            }
        }
    }
    eprintln!(
        "kubectl differential: {} commands, {} same, {} differ ({:.0}s); outputs in {}",
        steps.len(),
        steps.len() - differ.len(),
        differ.len(),
        elapsed.as_secs_f64(),
        out.display()
    );
    let listed: BTreeSet<String> = known.keys().cloned().collect();
    let new: Vec<&String> = differ.difference(&listed).collect();
    let fixed: Vec<&String> = listed.difference(&differ).collect();
    assert!(
        new.is_empty() && fixed.is_empty(),
        "kubectl against the fake differs from the real server in commands not listed in \
         tests/kubectl/differences.txt: {new:?}; listed but now the same (remove them): {fixed:?}\n{report}"
    );
    fake.shutdown().await;
}

#[test]
fn normalise_masks_what_varies() {
    let text = "NAME       DATA   AGE\nsettings   2      12s\nweb        1      3m4s\n\
                resourceVersion: \"123\"\nuid: 0d3c7f4e-1a2b-4c5d-8e9f-0123456789ab\n\
                creationTimestamp: \"2026-11-28T23:59:01Z\"\nserver https://127.0.0.1:6443 ip 10.0.0.17\n";
    assert_eq!(
        normalise(text),
        "NAME DATA AGE\nsettings 2 AGE\nweb 1 AGE\nresourceVersion: \"RV\"\nuid: UID\n\
         creationTimestamp: \"TIME\"\nserver SERVER ip IP\n"
    );
}
