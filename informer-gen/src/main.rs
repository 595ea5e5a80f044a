//! `informer-gen`: writes the typed informers of kube-informer-gen into a folder, for crates that
//! check generated code in; `--check` fails when the folder is out of date.
//!
//! ```text
//! informer-gen --k8s-version 1.37 [--builtins all|GROUP[/VERSION[/KIND]],...] [--scan DIR]...
//!              [--custom PATH=GROUP/VERSION/KIND/PLURAL/namespaced|cluster]... --out DIR [--check]
//!              [--stats]
//! ```
//!
//! Warnings of the scan go to standard error; every problem is listed before it fails. With
//! `--stats`, it also prints how many resources it generated for, the time it took and its peak
//! resident memory.

use std::path::PathBuf;
use std::process::ExitCode;

fn usage() -> &'static str {
    "usage: informer-gen --k8s-version 1.37 [--builtins all|GROUP[/VERSION[/KIND]],...] [--scan DIR]... \
     [--custom PATH=GROUP/VERSION/KIND/PLURAL/namespaced|cluster]... --out DIR [--check] [--stats]"
}

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("informer-gen: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Vec<String>) -> Result<ExitCode, String> {
    let mut config = kube_informer_gen::Config::new();
    let mut out: Option<PathBuf> = None;
    let mut check = false;
    let mut stats = false;
    let started = std::time::Instant::now();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value\n{}", usage()));
        match arg.as_str() {
            "--k8s-version" => config = config.k8s_version(value("--k8s-version")?),
            "--builtins" => {
                let v = value("--builtins")?;
                config = if v == "all" {
                    config.builtins_all()
                } else {
                    config.builtins(v.split(','))
                };
            }
            "--scan" => config = config.scan(value("--scan")?),
            "--custom" => {
                let v = value("--custom")?;
                let (path, spec) = v
                    .split_once('=')
                    .ok_or_else(|| format!("--custom {v:?}: expected PATH=GROUP/VERSION/KIND/PLURAL/SCOPE"))?;
                let parts: Vec<&str> = spec.split('/').collect();
                let [group, version, kind, plural, scope] = parts.as_slice() else {
                    return Err(format!("--custom {v:?}: expected PATH=GROUP/VERSION/KIND/PLURAL/SCOPE"));
                };
                let namespaced = match *scope {
                    "namespaced" => true,
                    "cluster" => false,
                    other => {
                        return Err(format!(
                            "--custom {v:?}: scope {other:?} is neither namespaced nor cluster"
                        ));
                    }
                };
                config = config.custom(path, group, version, kind, plural, namespaced);
            }
            "--out" => out = Some(value("--out")?.into()),
            "--check" => check = true,
            "--stats" => stats = true,
            "-h" | "--help" => {
                println!("{}", usage());
                return Ok(ExitCode::SUCCESS);
            }
            other => return Err(format!("unknown argument {other:?}\n{}", usage())),
        }
    }
    let out = out.ok_or_else(|| format!("--out is required\n{}", usage()))?;
    let generated = match config.generate_output() {
        Ok(generated) => generated,
        Err(e) => {
            if stats {
                // A large tree of bindings may hold a real conflict: the cost of the scan that
                // found it is still worth knowing.
                eprintln!(
                    "informer-gen: failed after {:.3} s, peak RSS {}, {} problems",
                    started.elapsed().as_secs_f64(),
                    peak_rss().map_or_else(|| "unknown".to_owned(), |kib| format!("{kib} KiB")),
                    e.problems().len(),
                );
            }
            return Err(e.to_string());
        }
    };
    for warning in &generated.warnings {
        eprintln!("informer-gen: warning: {warning}");
    }
    if stats {
        let resources = &generated.resources;
        let lines: usize = generated.files.values().map(|code| code.lines().count()).sum();
        println!(
            "informer-gen: {} resources ({} scanned), {} lines generated, {} warnings, {:.3} s, peak RSS {}",
            resources.len(),
            resources
                .iter()
                .filter(|r| matches!(r.origin, kube_informer_gen::Origin::Source { .. }))
                .count(),
            lines,
            generated.warnings.len(),
            started.elapsed().as_secs_f64(),
            peak_rss().map_or_else(|| "unknown".to_owned(), |kib| format!("{} KiB", kib)),
        );
    }
    let files = generated.files;
    if check {
        let mut stale = Vec::new();
        for (name, code) in &files {
            let path = out.join(name);
            let current = std::fs::read_to_string(&path).unwrap_or_default();
            if current != *code {
                let (old, new): (Vec<&str>, Vec<&str>) = (current.lines().collect(), code.lines().collect());
                let first = old
                    .iter()
                    .zip(&new)
                    .position(|(a, b)| a != b)
                    .unwrap_or(old.len().min(new.len()));
                stale.push(format!(
                    "{}: out of date ({} lines on disk, {} generated; first difference at line {})",
                    path.display(),
                    old.len(),
                    new.len(),
                    first + 1
                ));
            }
        }
        if stale.is_empty() {
            println!("informer-gen: {} is up to date", out.display());
            return Ok(ExitCode::SUCCESS);
        }
        for s in &stale {
            eprintln!("informer-gen: {s}");
        }
        eprintln!("informer-gen: run without --check to regenerate");
        return Ok(ExitCode::from(1));
    }
    kube_informer_gen::write_files(&out, &files).map_err(|e| e.to_string())?;
    println!("informer-gen: wrote {} file(s) into {}", files.len(), out.display());
    Ok(ExitCode::SUCCESS)
}

/// The process's peak resident memory in KiB, from `/proc/self/status` (Linux).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
