//! Label selectors in apimachinery's string syntax (`app=web,tier in (a,b),!legacy`), parsed into
//! requirements and matched against labels, like `k8s.io/apimachinery/pkg/labels`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

/// The operator of one requirement.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `key=value` or `key==value`.
    Equals(String),
    /// `key!=value`: the key is absent or has another value.
    NotEquals(String),
    /// `key in (a,b)`.
    In(BTreeSet<String>),
    /// `key notin (a,b)`: the key is absent or has none of the values.
    NotIn(BTreeSet<String>),
    /// `key`: the key is present.
    Exists,
    /// `!key`: the key is absent.
    DoesNotExist,
    /// `key>n`: the value is an integer greater than `n`.
    GreaterThan(i64),
    /// `key<n`: the value is an integer less than `n`.
    LessThan(i64),
}

/// One requirement of a selector: a key and what its value must be.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Requirement {
    /// The label key, with its optional DNS prefix (`app.kubernetes.io/name`).
    pub key: String,
    /// What the key's value must be.
    pub operator: Operator,
}

impl Requirement {
    /// Whether `labels` satisfy this requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.matches_value(labels.get(&self.key).map(String::as_str))
    }

    /// Whether the value of this requirement's key (`None` when absent) satisfies it.
    pub fn matches_value(&self, value: Option<&str>) -> bool {
        match &self.operator {
            Operator::Equals(v) => value == Some(v.as_str()),
            Operator::NotEquals(v) => value != Some(v.as_str()),
            Operator::In(set) => value.is_some_and(|v| set.contains(v)),
            Operator::NotIn(set) => value.is_none_or(|v| !set.contains(v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::GreaterThan(n) => value.and_then(|v| v.parse::<i64>().ok()).is_some_and(|v| v > *n),
            Operator::LessThan(n) => value.and_then(|v| v.parse::<i64>().ok()).is_some_and(|v| v < *n),
        }
    }
}

/// A parsed label selector: every requirement must hold. The empty selector matches everything.
///
/// ```
/// use std::collections::BTreeMap;
/// use kube_scheme::labels::LabelSelector;
///
/// let selector: LabelSelector = "app=web,tier in (a, b),!legacy".parse()?;
/// let labels = BTreeMap::from([("app".to_owned(), "web".to_owned()), ("tier".to_owned(), "b".to_owned())]);
/// assert!(selector.matches(&labels));
/// assert_eq!(selector.to_string(), "app=web,tier in (a,b),!legacy");
/// # Ok::<(), kube_scheme::labels::SelectorParseError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct LabelSelector {
    requirements: Vec<Requirement>,
}

impl LabelSelector {
    /// The selector that matches everything.
    pub fn everything() -> Self {
        Self::default()
    }
    /// A selector from requirements.
    pub fn new(requirements: Vec<Requirement>) -> Self {
        LabelSelector { requirements }
    }
    /// Whether it has no requirement (and so matches everything).
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }
    /// Its requirements, in the order written.
    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }
    /// Whether `labels` satisfy every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }
    /// Whether the labels of an object (`None` when it has none) satisfy every requirement.
    pub fn matches_opt(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        static EMPTY: BTreeMap<String, String> = BTreeMap::new();
        self.matches(labels.unwrap_or(&EMPTY))
    }
    /// Whether the labels of a JSON object's `metadata.labels` satisfy every requirement.
    pub fn matches_json(&self, object: &serde_json::Value) -> bool {
        if self.requirements.is_empty() {
            return true;
        }
        let labels = object.pointer("/metadata/labels").and_then(|l| l.as_object());
        self.requirements
            .iter()
            .all(|r| r.matches_value(labels.and_then(|l| l.get(&r.key)).and_then(|v| v.as_str())))
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(",");
        match &self.operator {
            Operator::Equals(v) => write!(f, "{}={v}", self.key),
            Operator::NotEquals(v) => write!(f, "{}!={v}", self.key),
            Operator::In(s) => write!(f, "{} in ({})", self.key, set(s)),
            Operator::NotIn(s) => write!(f, "{} notin ({})", self.key, set(s)),
            Operator::Exists => write!(f, "{}", self.key),
            Operator::DoesNotExist => write!(f, "!{}", self.key),
            Operator::GreaterThan(n) => write!(f, "{}>{n}", self.key),
            Operator::LessThan(n) => write!(f, "{}<{n}", self.key),
        }
    }
}

impl fmt::Display for LabelSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

/// Why a label selector string did not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unable to parse label selector {input:?} at byte {position}: {kind}")]
pub struct SelectorParseError {
    /// The whole selector string.
    pub input: String,
    /// Byte offset of the offending token.
    pub position: usize,
    /// What was wrong.
    pub kind: SelectorErrorKind,
}

/// What was wrong in a label selector string.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SelectorErrorKind {
    /// A key was expected (after `,` or `!`, or at the start).
    #[error("expected a label key, found {found}")]
    ExpectedKey {
        /// What was there instead.
        found: String,
    },
    /// The key is not a valid label key.
    #[error("invalid label key {key:?}: {reason}")]
    InvalidKey {
        /// The key.
        key: String,
        /// Why.
        reason: &'static str,
    },
    /// The value is not a valid label value.
    #[error("invalid label value {value:?}: {reason}")]
    InvalidValue {
        /// The value.
        value: String,
        /// Why.
        reason: &'static str,
    },
    /// Something other than an operator, `,` or the end followed a key.
    #[error("expected an operator (=, ==, !=, in, notin, >, <), `,` or the end, found {found}")]
    ExpectedOperator {
        /// What was there instead.
        found: String,
    },
    /// `in`/`notin` without a parenthesised set, or a set that is not closed.
    #[error("expected {expected} in a value set, found {found}")]
    BadSet {
        /// What the parser wanted.
        expected: &'static str,
        /// What was there instead.
        found: String,
    },
    /// `in ()` or `notin ()`.
    #[error("a value set for `in`/`notin` must not be empty")]
    EmptySet,
    /// `>`/`<` with a value that is not an integer.
    #[error("`>` and `<` need an integer, found {found:?}")]
    NotAnInteger {
        /// The value.
        found: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
    Comma,
    Not,
    Eq,
    DoubleEq,
    NotEq,
    Gt,
    Lt,
    Open,
    Close,
    In,
    NotIn,
    End,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Ident(s) => format!("{s:?}"),
            Token::Comma => "`,`".into(),
            Token::Not => "`!`".into(),
            Token::Eq => "`=`".into(),
            Token::DoubleEq => "`==`".into(),
            Token::NotEq => "`!=`".into(),
            Token::Gt => "`>`".into(),
            Token::Lt => "`<`".into(),
            Token::Open => "`(`".into(),
            Token::Close => "`)`".into(),
            Token::In => "`in`".into(),
            Token::NotIn => "`notin`".into(),
            Token::End => "the end".into(),
        }
    }
}

fn lex(input: &str) -> Vec<(usize, Token)> {
    let bytes = input.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let two = |b: u8| bytes.get(i + 1) == Some(&b);
        let token = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b',' => Token::Comma,
            b'(' => Token::Open,
            b')' => Token::Close,
            b'>' => Token::Gt,
            b'<' => Token::Lt,
            b'!' if two(b'=') => {
                i += 1;
                Token::NotEq
            }
            b'!' => Token::Not,
            b'=' if two(b'=') => {
                i += 1;
                Token::DoubleEq
            }
            b'=' => Token::Eq,
            _ => {
                while i < bytes.len() && !b" \t\n\r,()<>!=".contains(&bytes[i]) {
                    i += 1;
                }
                let word = &input[start..i];
                out.push((
                    start,
                    match word {
                        "in" => Token::In,
                        "notin" => Token::NotIn,
                        _ => Token::Ident(word.to_owned()),
                    },
                ));
                continue;
            }
        };
        i += 1;
        out.push((start, token));
    }
    out.push((input.len(), Token::End));
    out
}

fn is_name(s: &str) -> bool {
    s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn check_key(key: &str) -> Result<(), &'static str> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        let ok = !prefix.is_empty()
            && prefix.len() <= 253
            && prefix.split('.').all(|p| {
                !p.is_empty()
                    && p.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                    && p.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                    && p.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            });
        if !ok {
            return Err("the prefix must be a lowercase DNS subdomain");
        }
    }
    if !is_name(name) {
        return Err("a name is at most 63 alphanumeric characters, '-', '_' or '.', starting and ending alphanumeric");
    }
    Ok(())
}

fn check_value(value: &str) -> Result<(), &'static str> {
    if value.is_empty() || is_name(value) {
        Ok(())
    } else {
        Err("a value is empty or at most 63 alphanumeric characters, '-', '_' or '.', starting and ending alphanumeric")
    }
}

struct Parser<'a> {
    input: &'a str,
    tokens: Vec<(usize, Token)>,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &(usize, Token) {
        &self.tokens[self.at]
    }
    fn next(&mut self) -> (usize, Token) {
        let t = self.tokens[self.at].clone();
        if self.at + 1 < self.tokens.len() {
            self.at += 1;
        }
        t
    }
    fn error(&self, position: usize, kind: SelectorErrorKind) -> SelectorParseError {
        SelectorParseError {
            input: self.input.to_owned(),
            position,
            kind,
        }
    }
    fn key(&mut self) -> Result<String, SelectorParseError> {
        match self.next() {
            (pos, Token::Ident(key)) => {
                check_key(&key).map_err(|reason| {
                    self.error(
                        pos,
                        SelectorErrorKind::InvalidKey {
                            key: key.clone(),
                            reason,
                        },
                    )
                })?;
                Ok(key)
            }
            (pos, other) => Err(self.error(
                pos,
                SelectorErrorKind::ExpectedKey {
                    found: other.describe(),
                },
            )),
        }
    }
    /// A value after `=`, `==` or `!=`; it may be empty (`app=`).
    fn value(&mut self) -> Result<String, SelectorParseError> {
        match self.peek().clone() {
            (pos, Token::Ident(value)) => {
                self.next();
                check_value(&value).map_err(|reason| {
                    self.error(
                        pos,
                        SelectorErrorKind::InvalidValue {
                            value: value.clone(),
                            reason,
                        },
                    )
                })?;
                Ok(value)
            }
            (_, Token::Comma | Token::End) => Ok(String::new()),
            (pos, other) => Err(self.error(
                pos,
                SelectorErrorKind::InvalidValue {
                    value: other.describe(),
                    reason: "expected a value",
                },
            )),
        }
    }
    fn set(&mut self) -> Result<BTreeSet<String>, SelectorParseError> {
        match self.next() {
            (_, Token::Open) => {}
            (pos, other) => {
                return Err(self.error(
                    pos,
                    SelectorErrorKind::BadSet {
                        expected: "`(`",
                        found: other.describe(),
                    },
                ));
            }
        }
        let mut set = BTreeSet::new();
        if let (pos, Token::Close) = self.peek().clone() {
            return Err(self.error(pos, SelectorErrorKind::EmptySet));
        }
        loop {
            let value = self.value()?;
            set.insert(value);
            match self.next() {
                (_, Token::Comma) => continue,
                (_, Token::Close) => return Ok(set),
                (pos, other) => {
                    return Err(self.error(
                        pos,
                        SelectorErrorKind::BadSet {
                            expected: "`,` or `)`",
                            found: other.describe(),
                        },
                    ));
                }
            }
        }
    }
    fn integer(&mut self) -> Result<i64, SelectorParseError> {
        match self.next() {
            (pos, Token::Ident(v)) => v
                .parse()
                .map_err(|_| self.error(pos, SelectorErrorKind::NotAnInteger { found: v })),
            (pos, other) => Err(self.error(
                pos,
                SelectorErrorKind::NotAnInteger {
                    found: other.describe(),
                },
            )),
        }
    }
    fn requirement(&mut self) -> Result<Requirement, SelectorParseError> {
        if let (_, Token::Not) = self.peek() {
            self.next();
            let key = self.key()?;
            return Ok(Requirement {
                key,
                operator: Operator::DoesNotExist,
            });
        }
        let key = self.key()?;
        let operator = match self.peek().clone() {
            (_, Token::Comma | Token::End) => Operator::Exists,
            (_, Token::Eq | Token::DoubleEq) => {
                self.next();
                Operator::Equals(self.value()?)
            }
            (_, Token::NotEq) => {
                self.next();
                Operator::NotEquals(self.value()?)
            }
            (_, Token::In) => {
                self.next();
                Operator::In(self.set()?)
            }
            (_, Token::NotIn) => {
                self.next();
                Operator::NotIn(self.set()?)
            }
            (_, Token::Gt) => {
                self.next();
                Operator::GreaterThan(self.integer()?)
            }
            (_, Token::Lt) => {
                self.next();
                Operator::LessThan(self.integer()?)
            }
            (pos, other) => {
                return Err(self.error(
                    pos,
                    SelectorErrorKind::ExpectedOperator {
                        found: other.describe(),
                    },
                ));
            }
        };
        Ok(Requirement { key, operator })
    }
}

impl FromStr for LabelSelector {
    type Err = SelectorParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let mut parser = Parser {
            input,
            tokens: lex(input),
            at: 0,
        };
        let mut requirements = Vec::new();
        if let (_, Token::End) = parser.peek() {
            return Ok(LabelSelector::everything());
        }
        loop {
            requirements.push(parser.requirement()?);
            match parser.next() {
                (_, Token::End) => return Ok(LabelSelector { requirements }),
                (_, Token::Comma) => continue,
                (pos, other) => {
                    return Err(parser.error(
                        pos,
                        SelectorErrorKind::ExpectedOperator {
                            found: other.describe(),
                        },
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn parses_every_operator() {
        let s: LabelSelector = "a=1, b==2,c!=3,d in (x, y),e notin (z),f,!g,h>5,i<7,example.com/j=k,l="
            .parse()
            .unwrap();
        assert_eq!(s.requirements().len(), 11);
        assert_eq!(
            s.to_string(),
            "a=1,b=2,c!=3,d in (x,y),e notin (z),f,!g,h>5,i<7,example.com/j=k,l="
        );
        let round: LabelSelector = s.to_string().parse().unwrap();
        assert_eq!(round, s);
        assert!("".parse::<LabelSelector>().unwrap().is_empty());
        assert!("  ".parse::<LabelSelector>().unwrap().is_empty());
    }

    #[test]
    fn matches_like_apimachinery() {
        let l = labels(&[("app", "web"), ("tier", "front"), ("n", "10")]);
        let yes = [
            "app=web",
            "app==web",
            "app!=db",
            "x!=y",
            "tier in (front,back)",
            "tier notin (db)",
            "x notin (y)",
            "app",
            "!x",
            "n>9",
            "n<11",
            "",
        ];
        let no = [
            "app=db",
            "app!=web",
            "tier in (db)",
            "tier notin (front)",
            "x",
            "!app",
            "n>10",
            "x>1",
            "x in (y)",
            "app=web,x",
        ];
        for s in yes {
            assert!(s.parse::<LabelSelector>().unwrap().matches(&l), "{s} should match");
        }
        for s in no {
            assert!(!s.parse::<LabelSelector>().unwrap().matches(&l), "{s} should not match");
        }
        let json = serde_json::json!({"metadata": {"labels": {"app": "web"}}});
        assert!("app=web,!legacy".parse::<LabelSelector>().unwrap().matches_json(&json));
        assert!(!"app=web,legacy".parse::<LabelSelector>().unwrap().matches_json(&json));
        assert!(
            "x!=1"
                .parse::<LabelSelector>()
                .unwrap()
                .matches_json(&serde_json::json!({}))
        );
    }

    #[test]
    fn typed_errors_say_where_and_what() {
        let cases = [
            ("app=web,", 8, "expected a label key, found the end"),
            ("tier in a", 8, "expected `(` in a value set, found \"a\""),
            ("tier in (a", 10, "expected `,` or `)` in a value set, found the end"),
            ("tier in ()", 9, "a value set for `in`/`notin` must not be empty"),
            (
                "Bad Key=1",
                4,
                "expected an operator (=, ==, !=, in, notin, >, <), `,` or the end, found \"Key\"",
            ),
            (
                "-x=1",
                0,
                "invalid label key \"-x\": a name is at most 63 alphanumeric characters, '-', '_' or '.', starting and ending alphanumeric",
            ),
            (
                "a=b c",
                4,
                "expected an operator (=, ==, !=, in, notin, >, <), `,` or the end, found \"c\"",
            ),
            ("n>x", 2, "`>` and `<` need an integer, found \"x\""),
            (
                "a=-b",
                2,
                "invalid label value \"-b\": a value is empty or at most 63 alphanumeric characters, '-', '_' or '.', starting and ending alphanumeric",
            ),
            ("=a", 0, "expected a label key, found `=`"),
        ];
        for (input, position, message) in cases {
            let err = input.parse::<LabelSelector>().unwrap_err();
            assert_eq!(
                (err.position, err.kind.to_string().as_str()),
                (position, message),
                "{input}"
            );
        }
    }
}
