//! Issue 14's benchmark: our informer (objects cached decoded, and compressed), kube-runtime's
//! reflector + `Store`, and client-go v0.37.2's shared informer (`peers/informer`, a Go
//! program), side by side in one run, every API server in a process of its own, our and
//! kube-runtime's consumers under glibc's malloc, jemalloc and mimalloc (this binary built once
//! per allocator). `cargo xtask bench` builds everything and runs it; it writes the table to
//! `bench/results/informer.md` and a chart to `bench/results/informer.svg`.
//!
//! This one binary is the orchestrator and, re-executed with a first argument, each process:
//! - `server N NAMESPACES`: the fake API server loaded with N realistic pods (5.2 KB of JSON
//!   with managedFields each); prints `URL ...`, then obeys `probe` and `updates` lines on stdin
//!   (one pod updated; 100,000 updates written), answering `ok`; stops at end of input;
//! - `sync VARIANT URL N`: a consumer that syncs the N pods and prints one JSON line: wall time,
//!   RSS before and after, live heap before and after, peak RSS;
//! - `events VARIANT URL`: a consumer with three counting handlers that obeys `WAIT n` (answers
//!   `REACHED n unix_nanos`, the time the last handler saw its n-th notification) and `EXIT`
//!   (answers `{"hwm":KiB}`), the protocol of the Go peer too;
//! - `query VARIANT`: lister `get` and namespace `list` times on 10,000 pods cached directly.
//!
//! Events: 1,000 pods synced, one probe update seen by all three handlers (so the watch is
//! open); the consumer is stopped (SIGSTOP), 100,000 updates are written (they queue in the
//! server and the socket), and the time runs from SIGCONT until the last handler has seen the
//! last update.

mod alloc;
mod chart;
#[allow(dead_code)]
#[path = "../../informer/benches/common/mod.rs"]
mod common;
mod consumers;
mod orchestrate;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("server") => consumers::server(&args[1..]),
        Some("sync") => consumers::sync(&args[1..]),
        Some("events") => consumers::events(&args[1..]),
        Some("query") => consumers::query(&args[1..]),
        _ => orchestrate::run(&args),
    };
    std::process::exit(code);
}
