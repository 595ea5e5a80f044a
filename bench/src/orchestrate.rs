//! The orchestrator: runs every measurement of every consumer under every allocator, in
//! interleaved rounds, and writes the table and the chart.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::consumers::{EVENT_PODS, EVENTS};

const SYNC_PODS: usize = 10_000;
/// The large sync (`--large-rounds`): the second size.
const SYNC_LARGE: usize = 50_000;
const SYNC_NAMESPACES: usize = 100;
const EVENT_NAMESPACES: usize = 10;

/// The consumers, as the table names them, and the Rust variant behind each.
pub const RUST: [(&str, &str); 3] = [
    ("ours", "ours"),
    ("ours, compressed cache", "ours-compressed"),
    ("kube-runtime", "kube"),
];
/// The events run's peak RSS once the 1,000 pods are listed, before any event: the initial
/// list's share of the run's peak.
pub const LISTED_PEAK: &str = "events run: peak RSS once listed (MiB)";
/// The sync consumer's user CPU: the whole process, start to exit.
pub const SYNC_USER: &str = "sync: consumer user CPU (s)";
/// The sync consumer's system CPU: the whole process, start to exit.
pub const SYNC_SYSTEM: &str = "sync: consumer system CPU (s)";
/// The events consumer's user CPU over its whole run (list and events).
pub const EVENTS_USER: &str = "events run: consumer user CPU (s)";
/// The events consumer's system CPU over its whole run (list and events).
pub const EVENTS_SYSTEM: &str = "events run: consumer system CPU (s)";
/// The large sync's rows (see [`SYNC_LARGE`]): wall, system CPU (most of its time, see
/// [`pause`]) and RSS per pod, the rows the issue gave at that size.
pub const LARGE_WALL: &str = "sync 50,000 pods, wall (s)";
/// See [`LARGE_WALL`].
pub const LARGE_SYSTEM: &str = "sync 50,000 pods: consumer system CPU (s)";
/// See [`LARGE_WALL`].
pub const LARGE_RSS: &str = "RSS per cached pod (B), 50,000 pods";
/// The Go peer's name in the table.
pub const GO: &str = "client-go v0.37.2";
/// The Go peer's name for `--consumers`.
const GO_VARIANT: &str = "go";

/// What every run needs.
struct RunSettings {
    /// The kernel's clock ticks per second.
    ticks: f64,
    /// Seconds to wait before a consumer starts ([`pause`]).
    pause: f64,
}

struct Options {
    /// Seconds each sync and events consumer waits for once its API server is ready
    /// (`--pause`; see [`pause`]).
    pause: f64,
    /// The rounds, from the first, that also sync 50,000 pods (`--large-rounds`; at most
    /// `reps` take effect, and only with the sync measurement).
    large_rounds: usize,
    /// (allocator, binary) pairs for the Rust consumers.
    binaries: Vec<(String, PathBuf)>,
    peer: PathBuf,
    reps: usize,
    out: PathBuf,
    only: Option<String>,
    /// The consumers to run, by their variant names (`ours`, `ours-compressed`, `kube`, `go`);
    /// all of them when None.
    consumers: Option<Vec<String>>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut options = Options {
        binaries: vec![(crate::alloc::NAME.to_owned(), me)],
        peer: std::env::var_os("KUBE_INFORMER_PEER")
            .map(PathBuf::from)
            .unwrap_or_default(),
        reps: 5,
        pause: 3.0,
        large_rounds: 3,
        out: PathBuf::from("bench/results"),
        only: None,
        consumers: None,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().cloned().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--binaries" => {
                options.binaries = value()?
                    .split(',')
                    .map(|pair| {
                        let (name, path) = pair
                            .split_once('=')
                            .ok_or(format!("--binaries: {pair:?} is not NAME=PATH"))?;
                        Ok((name.to_owned(), PathBuf::from(path)))
                    })
                    .collect::<Result<_, String>>()?;
            }
            "--peer" => options.peer = PathBuf::from(value()?),
            "--reps" => options.reps = value()?.parse().map_err(|e| format!("--reps: {e}"))?,
            "--large-rounds" => {
                options.large_rounds = value()?.parse().map_err(|e| format!("--large-rounds: {e}"))?;
            }
            "--pause" => {
                let secs: f64 = value()?.parse().map_err(|e| format!("--pause: {e}"))?;
                if !(0.0..=600.0).contains(&secs) {
                    return Err(format!("--pause: {secs} is not a number of seconds from 0 to 600"));
                }
                options.pause = secs;
            }
            "--out" => options.out = PathBuf::from(value()?),
            "--only" => options.only = Some(value()?),
            "--consumers" => {
                let names: Vec<String> = value()?.split(',').map(str::to_owned).collect();
                let known: Vec<&str> = RUST.iter().map(|(_, v)| *v).chain([GO_VARIANT]).collect();
                let unknown: Vec<&String> = names.iter().filter(|n| !known.contains(&n.as_str())).collect();
                if !unknown.is_empty() {
                    return Err(format!(
                        "--consumers: unknown {unknown:?} (known: {})",
                        known.join(", ")
                    ));
                }
                options.consumers = Some(names);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if options.runs(GO_VARIANT) && !options.peer.is_file() {
        return Err(format!(
            "the client-go peer is missing ({:?}): build it with `cargo xtask go-peers` and name it in KUBE_INFORMER_PEER or --peer (`cargo xtask bench` does both)",
            options.peer
        ));
    }
    Ok(options)
}

impl Options {
    /// Whether the consumer of this variant name runs.
    fn runs(&self, variant: &str) -> bool {
        self.consumers.as_ref().is_none_or(|c| c.iter().any(|n| n == variant))
    }

    /// The Rust consumers that run, as in [`RUST`].
    fn rust(&self) -> Vec<(&'static str, &'static str)> {
        RUST.into_iter().filter(|(_, v)| self.runs(v)).collect()
    }
}

/// Samples per (measurement, consumer, allocator).
type Samples = BTreeMap<(String, String, String), Vec<f64>>;

/// Runs everything; the process's exit code.
pub fn run(args: &[String]) -> i32 {
    let options = match parse(args) {
        Ok(options) => options,
        Err(err) => {
            eprintln!("kube-informer-bench: {err}");
            return 2;
        }
    };
    let wanted = |what: &str| options.only.as_deref().is_none_or(|o| o == what);
    let settings = RunSettings {
        ticks: clock_ticks(),
        pause: options.pause,
    };
    let mut samples = Samples::new();
    let mut push = |measurement: &str, consumer: &str, alloc: &str, value: f64| {
        samples
            .entry((measurement.to_owned(), consumer.to_owned(), alloc.to_owned()))
            .or_default()
            .push(value);
    };
    for round in 0..options.reps {
        eprintln!("round {}/{}", round + 1, options.reps);
        if wanted("sync") {
            for strip in [false, true] {
                let suffix = if strip { ", managedFields stripped" } else { "" };
                for (consumer, alloc, r, cpu) in sync_all(&options, &settings, SYNC_PODS, strip) {
                    record_sync(&mut push, &r, &cpu, consumer, &alloc, suffix);
                }
            }
            if round < options.large_rounds {
                for (consumer, alloc, r, cpu) in sync_all(&options, &settings, SYNC_LARGE, false) {
                    record_large(&mut push, &r, &cpu, consumer, &alloc);
                }
            }
        }
        if wanted("events") {
            for (alloc, binary) in &options.binaries {
                for (consumer, variant) in options.rust() {
                    let e = events_run(Command::new(binary).args(["events", variant]), &[], &settings);
                    let heap = e.heap.expect("a Rust consumer reports its peak live heap");
                    eprintln!(
                        "  events {consumer} [{alloc}]: {:.0} ev/s, peak {} KiB ({} KiB once listed), peak heap {heap} KiB, cpu {:?}",
                        e.rate, e.hwm, e.listed, e.cpu
                    );
                    record_events(&mut push, &e, consumer, alloc);
                    push("events run: peak live heap (MiB)", consumer, alloc, heap / 1024.0);
                }
            }
            if options.runs(GO_VARIANT) {
                let pods = EVENT_PODS.to_string();
                let e = events_run(Command::new(&options.peer).arg("events"), &[&pods], &settings);
                eprintln!(
                    "  events {GO}: {:.0} ev/s, peak {} KiB ({} KiB once listed), cpu {:?}",
                    e.rate, e.hwm, e.listed, e.cpu
                );
                record_events(&mut push, &e, GO, "Go");
            }
        }
        if wanted("query") && round == 0 {
            for (alloc, binary) in &options.binaries {
                for (consumer, variant) in options.rust() {
                    let out = Command::new(binary)
                        .args(["query", variant])
                        .output()
                        .expect("a query run");
                    let r: Value = serde_json::from_slice(&out.stdout)
                        .unwrap_or_else(|e| panic!("query {variant}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
                    eprintln!("  query {consumer} [{alloc}]: {r}");
                    push("lister get by name (ns)", consumer, alloc, f(&r, "get_ns"));
                    push(
                        "lister list of a namespace, 100 pods (µs)",
                        consumer,
                        alloc,
                        f(&r, "list_ns") / 1e3,
                    );
                }
            }
        }
    }
    let allocs: Vec<String> = options.binaries.iter().map(|(a, _)| a.clone()).collect();
    let table = crate::chart::table(&samples, &allocs, options.reps);
    println!("{table}");
    let pause_note = format!(
        "each sync and events consumer started {} s after its API server was ready",
        options.pause
    );
    if let Err(err) = write_results(&options.out, &table, &samples, &allocs, &pause_note) {
        eprintln!("kube-informer-bench: writing the results: {err}");
        return 1;
    }
    0
}

fn f(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("{key} in {v}"))
}

/// One sync of `pods` pods by every consumer that runs, each Rust one under every allocator,
/// then the Go peer: (consumer, allocator, the consumer's JSON line, its CPU).
fn sync_all(
    options: &Options,
    settings: &RunSettings,
    pods: usize,
    strip: bool,
) -> Vec<(&'static str, String, Value, Cpu)> {
    let suffix = if strip { ", managedFields stripped" } else { "" };
    let mut runs = Vec::new();
    for (alloc, binary) in &options.binaries {
        for (consumer, variant) in options.rust() {
            let variant = if strip {
                format!("{variant}+strip")
            } else {
                variant.to_owned()
            };
            let command = [binary.as_os_str().into(), "sync".into(), variant.into()];
            let (r, cpu) = sync_run(&command, pods, &[], settings);
            eprintln!("  sync {pods} {consumer} [{alloc}]{suffix}: {r} cpu {cpu:?}");
            runs.push((consumer, alloc.clone(), r, cpu));
        }
    }
    if options.runs(GO_VARIANT) {
        let peer = [options.peer.clone().into(), "sync".into()];
        let flags: &[&str] = if strip { &["--strip-managed-fields"] } else { &[] };
        let (r, cpu) = sync_run(&peer, pods, flags, settings);
        eprintln!("  sync {pods} {GO}{suffix}: {r} cpu {cpu:?}");
        runs.push((GO, "Go".to_owned(), r, cpu));
    }
    runs
}

/// RSS per cached object, in bytes, of a sync consumer's JSON line.
fn rss_per_object(r: &Value) -> f64 {
    (f(r, "rss_after") - f(r, "rss_before")) * 1024.0 / f(r, "n")
}

fn record_sync(
    push: &mut impl FnMut(&str, &str, &str, f64),
    r: &Value,
    cpu: &Cpu,
    consumer: &str,
    alloc: &str,
    suffix: &str,
) {
    let n = f(r, "n");
    if suffix.is_empty() {
        push("sync 10,000 pods, wall (s)", consumer, alloc, f(r, "secs"));
        push(SYNC_USER, consumer, alloc, cpu.user);
        push(SYNC_SYSTEM, consumer, alloc, cpu.system);
    }
    push(
        &format!("RSS per cached pod (B){suffix}"),
        consumer,
        alloc,
        rss_per_object(r),
    );
    push(
        &format!("live heap per cached pod (B){suffix}"),
        consumer,
        alloc,
        (f(r, "heap_after") - f(r, "heap_before")) / n,
    );
}

fn record_large(push: &mut impl FnMut(&str, &str, &str, f64), r: &Value, cpu: &Cpu, consumer: &str, alloc: &str) {
    push(LARGE_WALL, consumer, alloc, f(r, "secs"));
    push(LARGE_SYSTEM, consumer, alloc, cpu.system);
    push(LARGE_RSS, consumer, alloc, rss_per_object(r));
}

fn record_events(push: &mut impl FnMut(&str, &str, &str, f64), e: &Events, consumer: &str, alloc: &str) {
    push("events/s, 100,000 updates to 3 handlers", consumer, alloc, e.rate);
    push(LISTED_PEAK, consumer, alloc, e.listed / 1024.0);
    push("events run: peak RSS (MiB)", consumer, alloc, e.hwm / 1024.0);
    push(EVENTS_USER, consumer, alloc, e.cpu.user);
    push(EVENTS_SYSTEM, consumer, alloc, e.cpu.system);
}

/// A server process and its command pipe.
struct Server {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    url: String,
}

impl Server {
    fn start(pods: usize, namespaces: usize) -> Server {
        let mut child = Command::new(std::env::current_exe().expect("own path"))
            .args(["server", &pods.to_string(), &namespaces.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting the server process");
        let stdin = child.stdin.take().expect("the server's stdin");
        let mut stdout = BufReader::new(child.stdout.take().expect("the server's stdout"));
        let url = read_line(&mut stdout)
            .strip_prefix("URL ")
            .expect("the server prints its URL")
            .to_owned();
        Server {
            child,
            stdin,
            stdout,
            url,
        }
    }

    fn command(&mut self, command: &str) -> String {
        writeln!(self.stdin, "{command}").expect("a command to the server");
        read_line(&mut self.stdout)
    }

    fn stop(self) {
        let Server { mut child, stdin, .. } = self;
        drop(stdin);
        let _ = child.wait();
    }
}

fn read_line(reader: &mut impl BufRead) -> String {
    let mut line = String::new();
    reader.read_line(&mut line).expect("a line");
    assert!(!line.is_empty(), "the process ended early");
    line.trim().to_owned()
}

/// CPU seconds of a process, or of this one's waited-for children ([`children_cpu`]).
#[derive(Clone, Copy, Debug)]
struct Cpu {
    user: f64,
    system: f64,
}

impl Cpu {
    /// What was spent between `earlier` and `self`.
    fn since(self, earlier: Cpu) -> Cpu {
        Cpu {
            user: self.user - earlier.user,
            system: self.system - earlier.system,
        }
    }
}

/// A sync run of a consumer command, given URL and N, then `after`: the consumer's JSON line.
fn sync_run(command: &[std::ffi::OsString], pods: usize, after: &[&str], c: &RunSettings) -> (Value, Cpu) {
    let server = Server::start(pods, SYNC_NAMESPACES);
    pause(c.pause);
    let cpu_before = children_cpu(c.ticks);
    let out = Command::new(&command[0])
        .args(&command[1..])
        .args([server.url.as_str(), &pods.to_string()])
        .args(after)
        .stderr(Stdio::inherit())
        .output()
        .expect("a sync run");
    let cpu = children_cpu(c.ticks).since(cpu_before);
    server.stop();
    assert!(out.status.success(), "sync run {command:?} failed: {}", out.status);
    let value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("sync run {command:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)));
    (value, cpu)
}

fn unix_nanos() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_nanos() as u64
}

fn signal(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success(), "kill {signal} {pid}");
}

/// What an events run measured.
struct Events {
    /// Events per second.
    rate: f64,
    /// Peak RSS in KiB once the pods are listed, before any event.
    listed: f64,
    /// Peak RSS in KiB at the end.
    hwm: f64,
    /// From a Rust consumer (the Go peer has no counting allocator), peak live heap in KiB.
    heap: Option<f64>,
    /// The consumer's CPU over its whole run.
    cpu: Cpu,
}

/// An events run of a consumer command, given the URL, then `after`.
fn events_run(consumer: &mut Command, after: &[&str], c: &RunSettings) -> Events {
    let mut server = Server::start(EVENT_PODS, EVENT_NAMESPACES);
    pause(c.pause);
    let cpu_before = children_cpu(c.ticks);
    let mut child = consumer
        .arg(&server.url)
        .args(after)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starting a consumer");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut wait = |n: usize, stdin: &mut ChildStdin| -> u64 {
        writeln!(stdin, "WAIT {n}").expect("a command to the consumer");
        let line = read_line(&mut stdout);
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["REACHED", m, at] if *m == n.to_string() => at.parse().expect("nanoseconds"),
            _ => panic!("unexpected answer {line:?}"),
        }
    };
    wait(EVENT_PODS, &mut stdin);
    let listed = peak_rss_kib(child.id());
    assert_eq!(server.command("probe"), "ok");
    wait(EVENT_PODS + 1, &mut stdin);
    let target = EVENT_PODS + 1 + EVENTS;
    // The target is set before the events exist; the answer comes once they are all seen.
    writeln!(stdin, "WAIT {target}").expect("a command to the consumer");
    signal(child.id(), "-STOP");
    let written = server.command("updates");
    assert!(written.starts_with("ok"), "{written}");
    let start = unix_nanos();
    signal(child.id(), "-CONT");
    let line = read_line(&mut stdout);
    let reached: u64 = match line.split_whitespace().collect::<Vec<_>>().as_slice() {
        ["REACHED", _, at] => at.parse().expect("nanoseconds"),
        _ => panic!("unexpected answer {line:?}"),
    };
    writeln!(stdin, "EXIT").expect("EXIT");
    let exit: Value = serde_json::from_str(&read_line(&mut stdout)).expect("the consumer's last line");
    let _ = child.wait();
    let cpu = children_cpu(c.ticks).since(cpu_before);
    server.stop();
    let secs = reached.saturating_sub(start) as f64 / 1e9;
    Events {
        rate: EVENTS as f64 / secs,
        listed,
        hwm: f(&exit, "hwm"),
        heap: exit.get("heap_hwm").and_then(Value::as_f64),
        cpu,
    }
}

/// A process's peak RSS so far (`VmHWM`), in KiB.
fn peak_rss_kib(pid: u32) -> f64 {
    let (hwm, _) = crate::consumers::process_memory_kib(&pid.to_string());
    assert!(hwm > 0, "no VmHWM in /proc/{pid}/status");
    hwm as f64
}

/// Waits once a consumer's API server is ready, before the consumer starts, so that every
/// consumer finds the machine's free memory in the same state: the memory the previous consumer
/// and server freed handed back to the hypervisor.
///
/// On a VM with free-page reporting (virtio-balloon, as on the development machine), memory a
/// process frees is reported to the host some seconds later; touching it again then costs a
/// host fault, which shows as the guest's system time. A consumer started at once reused the
/// previous run's pages, hot: the same mimalloc sync took 0.04-0.08 s of system time then, and
/// 0.75-0.88 s when started 2, 3 or 5 s later (and 0.41-0.84 s for the first run of a batch).
/// The wall-time ratios swung with which state a consumer happened to meet. Writing
/// `/proc/sys/vm/compact_memory` instead did not settle it (0.18-1.06 s). With a 3 s pause, a
/// consumer still met warm pages now and then (kube-runtime's system CPU, 0.14-0.77 s in one
/// 5-round table): the system CPU rows show when.
fn pause(secs: f64) {
    std::thread::sleep(std::time::Duration::from_secs_f64(secs));
}

/// The user and system CPU seconds of this process's waited-for children so far (`cutime` and
/// `cstime` of `/proc/self/stat`). The difference across one consumer's wait is that consumer's
/// CPU, as long as no other child is waited for between the two readings (an events run waits
/// for two `kill` processes between them, about a millisecond).
fn children_cpu(ticks_per_sec: f64) -> Cpu {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    parse_children_cpu(&stat, ticks_per_sec)
}

/// [`children_cpu`] of a `/proc/PID/stat` line: fields 16 and 17 (proc(5)), counted after the
/// command's closing parenthesis, as the command may hold spaces and parentheses itself.
fn parse_children_cpu(stat: &str, ticks_per_sec: f64) -> Cpu {
    // The fields after the command's closing parenthesis, starting with the state (field 3).
    let rest = &stat[stat.rfind(')').expect("a command in /proc/self/stat") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| -> f64 { fields[n - 3].parse::<f64>().expect("a number in /proc/self/stat") };
    Cpu {
        user: field(16) / ticks_per_sec,
        system: field(17) / ticks_per_sec,
    }
}

/// The kernel's clock ticks per second (`getconf CLK_TCK`), in which `/proc` gives CPU times.
fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or("unknown CPU")
        .trim()
        .to_owned();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|kib| kib.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0 / 1024.0);
    format!("{cores} cores ({model}), {mem_gib:.0} GiB")
}

fn today() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn write_results(
    out: &Path,
    table: &str,
    samples: &Samples,
    allocs: &[String],
    pause_note: &str,
) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    let header = format!(
        "Measured {} on {} by `cargo xtask bench`; every API server in a process of its own; {pause_note}.\n\n",
        today(),
        machine()
    );
    std::fs::write(out.join("informer.md"), format!("{header}{table}\n"))?;
    crate::chart::svg(
        &out.join("informer.svg"),
        samples,
        allocs,
        &format!("{} · {}", today(), machine()),
    )
    .map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real line: `/proc/PID/stat` of a copy of bash named `s) h` that had waited for a
    /// Python loop (0.75 s of user time) and a `dd` to /dev/null (0.36 s of system time), at
    /// 100 ticks a second.
    const STAT: &str = "3968 (s) h) S 3966 3966 5225 0 -1 4194304 222 9565 0 0 0 0 75 36 20 0 1 0 1228375 4464640 762 18446744073709551615 94612240011264 94612240800669 140729718281520 0 0 0 65536 4 65538 1 0 0 17 1 0 0 0 0 0 94612241033968 94612241082212 94612570292224 140729718286725 140729718286873 140729718286873 140729718288366 0\n";

    #[test]
    fn children_cpu_reads_cutime_and_cstime_past_a_command_with_parentheses() {
        let cpu = parse_children_cpu(STAT, 100.0);
        assert_eq!((cpu.user, cpu.system), (0.75, 0.36));
    }

    #[test]
    fn children_cpu_counts_a_waited_child() {
        let before = children_cpu(clock_ticks());
        let status = Command::new("sh")
            .args(["-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done"])
            .status()
            .expect("sh");
        assert!(status.success());
        let spent = children_cpu(clock_ticks()).since(before);
        assert!(
            spent.user + spent.system > 0.0,
            "a busy child's CPU was not counted: {spent:?}"
        );
    }
}
