//! Differential tests against apimachinery itself: the same label and field selectors (and label
//! or field sets) go through `kube_scheme::labels` / `kube_scheme::fields` and through
//! `peers/selectors`, a Go program built on `k8s.io/apimachinery` v0.37.2, and every answer must
//! agree: whether it parses, the error message word for word when it does not, the canonical
//! string, and whether it matches each set.
//!
//! The Go program is built by `cargo xtask go-peers` (and by `cargo xtask test`, which names it in
//! `KUBE_SELECTORS_PEER`). Without it these tests fail and say how to get it.
//!
//! Selectors are generated from a fixed seed, biased towards the edges where parsers part ways:
//! `in`/`notin` as keys and values, empty sets, stray and trailing commas, signs before numbers,
//! escapes, values at and past 63 characters, characters a label may not hold, whitespace of every
//! kind apimachinery skips, up to 30 requirements (past 12, Go's unstable sort reorders
//! requirements with the same key, which the port of its sort must follow). One input is left out
//! on purpose, as documented on the module: NUL bytes (apimachinery stops reading at one, we refuse
//! it).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

use kube_scheme::fields::FieldSelector;
use kube_scheme::labels::LabelSelector;
use serde_json::{Value, json};

const PEER_ENV: &str = "KUBE_SELECTORS_PEER";
const RANDOM_CASES: usize = 100_000;

/// SplitMix64: a small, seeded generator, so every run judges the same selectors.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }
}

/// One case for the peer: a label or field selector, and the sets to match it against.
struct Case {
    label: bool,
    selector: String,
    sets: Vec<BTreeMap<String, String>>,
}

/// What one side made of a case: apimachinery's error message, or the canonical string and the
/// matches.
#[derive(Debug, PartialEq)]
enum Verdict {
    Error(String),
    Parsed { string: String, matches: Vec<bool> },
}

fn ours(case: &Case) -> Verdict {
    if case.label {
        match case.selector.parse::<LabelSelector>() {
            Ok(s) => Verdict::Parsed {
                string: s.to_string(),
                matches: case.sets.iter().map(|set| s.matches(set)).collect(),
            },
            Err(e) => Verdict::Error(e.apimachinery_message()),
        }
    } else {
        match case.selector.parse::<FieldSelector>() {
            Ok(s) => Verdict::Parsed {
                string: s.to_string(),
                matches: case.sets.iter().map(|set| s.matches(set)).collect(),
            },
            Err(e) => Verdict::Error(e.to_string()),
        }
    }
}

/// Runs every case through one peer process: requests written on one thread, answers read on this
/// one, so neither pipe fills up.
fn apimachinery(cases: &[Case]) -> Vec<Verdict> {
    let Some(peer) = std::env::var_os(PEER_ENV).filter(|p| !p.is_empty()) else {
        panic!(
            "{PEER_ENV} is not set: this test runs apimachinery's own selector code through the Go program in \
             peers/selectors. Run the suite with `cargo xtask test`, which builds it, or build it with \
             `cargo xtask go-peers` and set {PEER_ENV}=\"$(cargo xtask go-peers --print-path)\""
        )
    };
    let mut child = Command::new(&peer)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "running {PEER_ENV}={}: {e} (build it with `cargo xtask go-peers`)",
                peer.to_string_lossy()
            )
        });
    let mut stdin = std::io::BufWriter::new(child.stdin.take().expect("piped"));
    let requests: Vec<String> = cases
        .iter()
        .map(|c| {
            let kind = if c.label { "label" } else { "field" };
            json!({ kind: c.selector, "sets": c.sets }).to_string()
        })
        .collect();
    let writer = std::thread::spawn(move || {
        for line in requests {
            stdin.write_all(line.as_bytes())?;
            stdin.write_all(b"\n")?;
        }
        stdin.flush()
    });
    let mut answers = Vec::with_capacity(cases.len());
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let answer: Value =
            serde_json::from_str(&line.expect("reading the peer's answers")).expect("peer answers JSON");
        let verdict = if answer["ok"] == true {
            Verdict::Parsed {
                string: answer["string"].as_str().unwrap_or_default().to_owned(),
                matches: answer["matches"]
                    .as_array()
                    .map(|a| a.iter().map(|m| m == true).collect())
                    .unwrap_or_default(),
            }
        } else {
            Verdict::Error(answer["error"].as_str().unwrap_or_default().to_owned())
        };
        answers.push(verdict);
    }
    writer
        .join()
        .expect("writer thread")
        .expect("writing requests to the peer");
    let status = child.wait().expect("waiting for the peer");
    assert!(status.success(), "the peer exited with {status}");
    assert_eq!(answers.len(), cases.len(), "the peer answered fewer cases than asked");
    answers
}

/// Judges every case on both sides; panics listing the first disagreements.
fn assert_agree(what: &str, cases: &[Case]) {
    let started = Instant::now();
    let theirs = apimachinery(cases);
    let go_time = started.elapsed();
    let mut disagreements = Vec::new();
    let (mut parsed, mut matched, mut judged) = (0, 0, 0);
    for (case, verdict) in cases.iter().zip(theirs) {
        let mine = ours(case);
        if let Verdict::Parsed { matches, .. } = &verdict {
            parsed += 1;
            judged += matches.len();
            matched += matches.iter().filter(|m| **m).count();
        }
        if mine != verdict {
            disagreements.push(format!(
                "  {:?} on sets {:?}\n    apimachinery: {verdict:?}\n    ours:         {mine:?}",
                case.selector, case.sets,
            ));
        }
    }
    eprintln!(
        "{what}: {} cases ({parsed} valid for apimachinery, matching {matched} of {judged} sets), {} disagreements; \
         {:.1}s in all ({:.1}s waiting for apimachinery)",
        cases.len(),
        disagreements.len(),
        started.elapsed().as_secs_f64(),
        go_time.as_secs_f64(),
    );
    assert!(
        disagreements.is_empty(),
        "{what}: {} of {} cases judged differently by apimachinery and us; the first ones:\n{}",
        disagreements.len(),
        cases.len(),
        disagreements.iter().take(10).cloned().collect::<Vec<_>>().join("\n")
    );
}

const KEYS: &[&str] = &[
    "x",
    "y",
    "a",
    "in",
    "notin",
    "app",
    "tier",
    "app.kubernetes.io/name",
    "example.com/a",
    "Example.com/a",
    "example..com/a",
    "-example.com/a",
    "a/b/c",
    "/a",
    "a/",
    "-a",
    "a-",
    "a_b",
    "a.b",
    "_a",
    "1",
    "A",
    "ü",
    "a~b",
    "a|b",
    "a$",
    "k.8-s_io",
];

const VALUES: &[&str] = &[
    "",
    "a",
    "b",
    "in",
    "notin",
    "web",
    "1",
    "0",
    "2",
    "-1",
    "+1",
    "01",
    "007",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "a_b",
    "a.b",
    "a-b",
    "_a",
    "a.",
    "-a",
    "A",
    "ü",
    "a~b",
    "a|b",
    "$y",
    "a/b",
    "exists",
    "gt",
];

const SPACES: &[&str] = &["", "", "", " ", "  ", "\t", "\n", "\r", " \t"];

fn long(rng: &mut Rng, unit: &str) -> String {
    let n = [62usize, 63, 64, 200, 253, 254][rng.below(6)];
    unit.repeat(n)
}

fn key(rng: &mut Rng) -> String {
    match rng.below(20) {
        0 => long(rng, "k"),
        1 => format!("{}/{}", long(rng, "p"), rng.pick(KEYS)),
        2 => format!("example.com/{}", long(rng, "n")),
        _ => rng.pick(KEYS).to_owned(),
    }
}

fn value(rng: &mut Rng) -> String {
    match rng.below(25) {
        0 => long(rng, "v"),
        1 => format!("a{}", long(rng, "-")),
        2 => rng.below(200).to_string(),
        _ => rng.pick(VALUES).to_owned(),
    }
}

fn space(rng: &mut Rng) -> &'static str {
    rng.pick(SPACES)
}

/// One requirement, mostly well formed, sometimes not.
fn requirement(rng: &mut Rng) -> String {
    let k = key(rng);
    let s1 = space(rng);
    let s2 = space(rng);
    match rng.below(14) {
        0 => k,
        1 => format!("!{s1}{k}"),
        2 => format!("{k}{s1}={s2}{}", value(rng)),
        3 => format!("{k}{s1}=={s2}{}", value(rng)),
        4 => format!("{k}{s1}!={s2}{}", value(rng)),
        5 | 6 => {
            let op = if rng.chance(50) { "in" } else { "notin" };
            format!("{k} {op}{s1}{}", set(rng))
        }
        7 => format!("{k}{s1}>{s2}{}", value(rng)),
        8 => format!("{k}{s1}<{s2}{}", value(rng)),
        9 => {
            let sign = rng.pick(&["-", "+", "", "--", "0"]);
            let op = rng.pick(&[">", "<"]);
            format!("{k}{op}{sign}{}", rng.below(10))
        }
        10 => {
            // operators that are not quite operators
            let op = rng.pick(&[
                "=!",
                "<=",
                ">=",
                "!==",
                "===",
                " nott in ",
                " in",
                " notin",
                "!",
                "=(",
                " in in ",
                "(",
                ")",
            ]);
            format!("{k}{op}{}", value(rng))
        }
        11 => format!("!{k}{s1}={}", value(rng)),
        12 => format!("{k}{s1}{}", set(rng)),
        _ => format!("{k}={}", value(rng)),
    }
}

/// A value set, with every kind of emptiness apimachinery accepts and some it does not.
fn set(rng: &mut Rng) -> String {
    let mut out = String::new();
    if !rng.chance(3) {
        out.push('(');
    }
    let items = rng.below(5);
    for i in 0..items {
        if i > 0 || rng.chance(10) {
            out.push_str(space(rng));
            out.push(',');
            if rng.chance(10) {
                out.push(',');
            }
        }
        out.push_str(space(rng));
        if !rng.chance(15) {
            out.push_str(&value(rng));
        }
        if rng.chance(3) {
            out.push(' ');
            out.push_str(&value(rng));
        }
    }
    if rng.chance(10) {
        out.push(',');
    }
    out.push_str(space(rng));
    if !rng.chance(3) {
        out.push(')');
    }
    out
}

/// Keys and values that apimachinery accepts, edges included (`in`/`notin`, empty values, 63
/// characters, leading zeros), so that half the selectors get as far as matching.
const VALID_KEYS: &[&str] = &[
    "x",
    "y",
    "a",
    "in",
    "notin",
    "app",
    "app.kubernetes.io/name",
    "a_b",
    "A",
    "k.8-s_io",
];
const VALID_VALUES: &[&str] = &[
    "", "a", "b", "in", "notin", "web", "1", "0", "2", "01", "007", "a_b", "A", "exists",
];

fn valid_requirement(rng: &mut Rng) -> String {
    let k = if rng.chance(3) {
        "k".repeat(63)
    } else {
        rng.pick(VALID_KEYS).to_owned()
    };
    let v = |rng: &mut Rng| {
        if rng.chance(3) {
            "v".repeat(63)
        } else {
            rng.pick(VALID_VALUES).to_owned()
        }
    };
    let (s1, s2) = (space(rng), space(rng));
    match rng.below(9) {
        0 => k,
        1 => format!("!{s1}{k}"),
        2 => format!("{k}{s1}={s2}{}", v(rng)),
        3 => format!("{k}{s1}=={s2}{}", v(rng)),
        4 => format!("{k}{s1}!={s2}{}", v(rng)),
        5 | 6 => {
            let op = if rng.chance(50) { "in" } else { "notin" };
            let mut set = String::from("(");
            for i in 0..rng.below(4) {
                if i > 0 || rng.chance(10) {
                    set.push(',');
                    if rng.chance(10) {
                        set.push(',');
                    }
                }
                set.push_str(space(rng));
                set.push_str(&v(rng));
            }
            if rng.chance(10) {
                set.push(',');
            }
            set.push(')');
            format!("{k} {op}{s1}{set}")
        }
        7 => format!("{k}{s1}>{s2}{}", rng.below(12)),
        _ => format!("{k}{s1}<{s2}{}", rng.below(12)),
    }
}

fn label_selector(rng: &mut Rng) -> String {
    if rng.chance(50) {
        let n = if rng.chance(20) {
            13 + rng.below(18)
        } else {
            rng.below(13)
        };
        let parts: Vec<String> = (0..n).map(|_| valid_requirement(rng)).collect();
        return parts.join(rng.pick(&[",", ", ", " ,", "\t,\n"]));
    }
    if rng.chance(5) {
        // a short run of the lexer's own alphabet
        let alphabet = [
            "=", "!", "(", ")", ",", ">", "<", " ", "in", "notin", "x", "a", "1", "-", "\t",
        ];
        return (0..rng.below(10)).map(|_| rng.pick(&alphabet)).collect();
    }
    let n = if rng.chance(10) {
        13 + rng.below(18)
    } else {
        rng.below(13)
    };
    let mut out = String::from(space(rng));
    for i in 0..n {
        if i > 0 {
            out.push_str(space(rng));
            out.push(',');
            if rng.chance(3) {
                out.push(',');
            }
            out.push_str(space(rng));
        }
        out.push_str(&requirement(rng));
    }
    if rng.chance(5) {
        out.push(',');
    }
    out.push_str(space(rng));
    out
}

/// Label sets for a selector: keys from the selector's own vocabulary, values that sit on the
/// edges of what it compares with (equal, integers either side, absent).
fn label_sets(rng: &mut Rng) -> Vec<BTreeMap<String, String>> {
    (0..3)
        .map(|_| {
            (0..rng.below(9))
                .map(|_| {
                    let k = match rng.below(10) {
                        0 => rng.pick(KEYS).to_owned(),
                        1 => "k".repeat(63),
                        _ => rng.pick(VALID_KEYS).to_owned(),
                    };
                    let v = match rng.below(10) {
                        0..3 => (rng.below(25) as i64 - 12).to_string(),
                        3 => value(rng),
                        4 => "v".repeat(63),
                        _ => rng.pick(VALID_VALUES).to_owned(),
                    };
                    (k, v)
                })
                .collect()
        })
        .collect()
}

const FIELDS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "spec.nodeName",
    "status.phase",
    "a",
    "x",
    "함",
    "",
];
const FIELD_PIECES: &[&str] = &[
    "a", "b", "web", "", " ", "=", "==", "!=", "!", ",", r"\", r"\,", r"\=", r"\\", r"\a", "함", "in", "(", ")", "-",
];

fn field_selector(rng: &mut Rng) -> String {
    if rng.chance(20) {
        return (0..rng.below(12)).map(|_| rng.pick(FIELD_PIECES)).collect();
    }
    let mut out = String::new();
    for i in 0..rng.below(5) {
        if i > 0 || rng.chance(5) {
            out.push(',');
        }
        if rng.chance(10) {
            out.push(' ');
        }
        out.push_str(rng.pick(FIELDS));
        out.push_str(rng.pick(&["=", "==", "!=", "=", " = ", "", "=!", "!==", "==="]));
        for _ in 0..rng.below(4) {
            out.push_str(rng.pick(FIELD_PIECES));
        }
    }
    if rng.chance(5) {
        out.push(',');
    }
    out
}

fn field_sets(rng: &mut Rng) -> Vec<BTreeMap<String, String>> {
    (0..3)
        .map(|_| {
            (0..rng.below(4))
                .map(|_| {
                    let v: String = (0..rng.below(3))
                        .map(|_| rng.pick(&["a", "b", "web", ",", "=", r"\", " ", ""]))
                        .collect();
                    (rng.pick(FIELDS).to_owned(), v)
                })
                .collect()
        })
        .collect()
}

/// apimachinery's own test inputs and the ones the issue names, judged by both sides.
const LABEL_CASES: &[&str] = &[
    "x=a,y=b,z=c",
    "",
    "x!=a,y=b",
    "x=",
    "x= ",
    "x=,z= ",
    "x= ,z= ",
    "!x",
    "x>1",
    "x>1,z<5",
    "x=a||y=b",
    "x==a==b",
    "!x=a",
    "x<a",
    "x=a,a=x",
    "a=x,x=a",
    "x=y,z=w",
    "x!=y,z!=w",
    "notin=in",
    "x",
    "x<1",
    "x=z",
    "foo=bar",
    "baz=blah",
    "foo=bar,baz=blah",
    "foo=blah",
    "baz=bar",
    "foo=bar,foobar=bar,baz=blah",
    "\rx",
    "this-is-a-dns.domain.com/key-with-dash",
    "this-is-another-dns.domain.com/key-with-dash in (so,what)",
    "0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
    "foo  in\t (abc)",
    "x notin\n (abc)",
    "x  notin\t\t\t(abc,def)",
    "x in (abc,def)",
    "x in (abc,)",
    "x in (abc,abc)",
    "x in ()",
    "x in (a,,)",
    "x in (a,,,)",
    "x in (a,,,,,,)",
    "x in (a,,a,,a,,a,,)",
    "x notin (abc,,def),bar,z in (),w",
    "x,y in (a)",
    "x=a",
    "x<7",
    "x=a,y!=b",
    "x=a,y!=b,z in (h,i,j)",
    "x,,y",
    ",x,y",
    "x nott in (y)",
    "x notin ( )",
    "x notin (, a)",
    "a in (xyz),",
    "a in (xyz)b notin ()",
    "a ",
    "a in (x,y,notin, z,in)",
    "a in (xyz abc)",
    "a notin(",
    "a (",
    "(",
    "traffic=in",
    "notin=in",
    "x in (in)",
    "in in (in)",
    "x>-1",
    "x<-1",
    "x>+1",
    "x=a b",
    "a,!a",
    "a=b,a!=b",
    "a in (b),a notin (b)",
    "x==y",
    "x=$y",
    "x y",
    ",",
    "x,y",
    " x = a , y = b , z = c ",
    "color=green, env=test, service=front",
];

const FIELD_CASES: &[&str] = &[
    "a",
    "a=avalue",
    "a=avalue,b=bvalue",
    "a=avalue,b==bvalue,c!=cvalue",
    "",
    "a=a,",
    ",a=a",
    r"k=\,,k2=v2",
    r"k=\\,k2=v2",
    r"k=\\\,,k2=v2",
    r"k=\a\b\",
    r"k=\",
    "함=수,목=록",
    "x=a,y=b,z=c",
    "x!=a,y=b",
    r"x=a||y\=b",
    r"x=a\=\=b",
    "x=a||y=b",
    "x==a==b",
    "x=a,b",
    "x in (a)",
    "x in (a,b,c)",
    "x",
    "x=a,a=x",
    "x=y,z=w",
    "x!=y,z!=w",
    "notin=in",
    "foo=bar,baz=blah",
    r"foo=bar,baz=blah,complex=\=value\\\,\\",
    "foo=blah",
    " metadata.name = a ",
    "=",
    "a=b=c",
    "metadata.name=web ,status.phase=Running",
];

fn fixed_sets() -> Vec<BTreeMap<String, String>> {
    let s = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    vec![
        s(&[]),
        s(&[("x", "a"), ("y", "b"), ("z", "c")]),
        s(&[("x", ""), ("notin", "in"), ("a", "x")]),
        s(&[("x", "2"), ("z", "4"), ("foo", "bar"), ("baz", "blah")]),
        s(&[("complex", r"=value\,\"), ("k", ","), (" metadata.name ", " a ")]),
    ]
}

#[test]
fn ported_and_issue_cases_agree_with_apimachinery() {
    let mut cases: Vec<Case> = LABEL_CASES
        .iter()
        .map(|s| Case {
            label: true,
            selector: (*s).to_owned(),
            sets: fixed_sets(),
        })
        .collect();
    cases.extend(FIELD_CASES.iter().map(|s| Case {
        label: false,
        selector: (*s).to_owned(),
        sets: fixed_sets(),
    }));
    assert_agree("apimachinery's cases and the issue's", &cases);
}

#[test]
fn random_label_selectors_agree_with_apimachinery() {
    let mut rng = Rng(0x6b75_6265_2d73_656c);
    let cases: Vec<Case> = (0..RANDOM_CASES)
        .map(|_| Case {
            label: true,
            selector: label_selector(&mut rng),
            sets: label_sets(&mut rng),
        })
        .collect();
    assert_agree("random label selectors", &cases);
}

#[test]
fn random_field_selectors_agree_with_apimachinery() {
    let mut rng = Rng(0x6669_656c_6473_2d31);
    let cases: Vec<Case> = (0..RANDOM_CASES)
        .map(|_| Case {
            label: false,
            selector: field_selector(&mut rng),
            sets: field_sets(&mut rng),
        })
        .collect();
    assert_agree("random field selectors", &cases);
}
