//! Label selectors in apimachinery's string syntax (`app=web,tier in (a,b),!legacy`), parsed into
//! requirements and matched against labels exactly as `k8s.io/apimachinery/pkg/labels` v0.37.2 does.
//!
//! The lexer, the parser, requirement validation, matching and the canonical string are ports of
//! apimachinery's `selector.go`; its own test cases run against this module
//! (`labels/apimachinery_tests.rs`), and a differential test judges 100,000 generated selectors with
//! both this module and apimachinery itself (`tests/selectors_differential.rs`). What that means in
//! practice:
//!
//! - `in` and `notin` are operators only after a key: `notin=in` and `x in (in,notin)` are valid.
//! - A set may be empty or have empty members: `x in ()`, `x notin ( )`, `x in (a,)` and `x in (a,,)`
//!   all hold the empty value (`x in ()` is the set `{""}`).
//! - Values are label values (at most 63 characters, alphanumeric at both ends, `-`, `_`, `.`
//!   inside), so `x>-1` and `x=a b` are rejected, and nothing a value holds needs escaping.
//! - The canonical string keeps `==` apart from `=`, and lists a set's values sorted.
//!
//! - Requirements are ordered by key exactly as apimachinery's Go `sort.Sort` orders them (a port of
//!   Go's pattern-defeating quicksort: stable up to 12 requirements, and past that the same order
//!   of same-key requirements as Go's, so the strings agree).
//! - Error messages: [`SelectorParseError::apimachinery_message`] is apimachinery's, word for word.
//!
//! One deliberate difference: apimachinery's lexer reads a NUL byte as the end of the input (so
//! `a=b\0junk` parses as `a=b` there), while here a NUL byte anywhere is an error
//! ([`SelectorErrorKind::NulByte`]): a selector that does not say what it selects is refused
//! rather than cut short.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The operator of one requirement, as apimachinery's `selection.Operator`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `key=value`.
    Equals,
    /// `key==value`: the same test as [`Operator::Equals`], kept apart because the canonical
    /// string writes it back as `==`.
    DoubleEquals,
    /// `key!=value`: the key is absent or has another value.
    NotEquals,
    /// `key in (a,b)`: the key is present with one of the values.
    In,
    /// `key notin (a,b)`: the key is absent or has none of the values.
    NotIn,
    /// `key`: the key is present.
    Exists,
    /// `!key`: the key is absent.
    DoesNotExist,
    /// `key>n`: the value is an integer greater than `n`.
    GreaterThan,
    /// `key<n`: the value is an integer less than `n`.
    LessThan,
}

impl Operator {
    /// apimachinery's name of the operator (`selection.Operator`'s string): `=`, `==`, `!=`, `in`,
    /// `notin`, `exists`, `!`, `gt`, `lt`.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Equals => "=",
            Operator::DoubleEquals => "==",
            Operator::NotEquals => "!=",
            Operator::In => "in",
            Operator::NotIn => "notin",
            Operator::Exists => "exists",
            Operator::DoesNotExist => "!",
            Operator::GreaterThan => "gt",
            Operator::LessThan => "lt",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An operator name that apimachinery does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "operator: Unsupported value: {0:?}: supported values: \"in\", \"notin\", \"=\", \"==\", \"!=\", \"gt\", \"lt\", \"exists\", \"!\""
)]
pub struct UnsupportedOperator(pub String);

impl FromStr for Operator {
    type Err = UnsupportedOperator;

    /// Reads apimachinery's operator names (see [`Operator::as_str`]).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "=" => Operator::Equals,
            "==" => Operator::DoubleEquals,
            "!=" => Operator::NotEquals,
            "in" => Operator::In,
            "notin" => Operator::NotIn,
            "exists" => Operator::Exists,
            "!" => Operator::DoesNotExist,
            "gt" => Operator::GreaterThan,
            "lt" => Operator::LessThan,
            other => return Err(UnsupportedOperator(other.to_owned())),
        })
    }
}

/// One requirement of a selector: a key, an operator and the values it compares with.
///
/// Only [`Requirement::new`] and the parser make one, so every requirement is valid: its key is
/// a label key, its values are label values, and their count fits the operator.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Requirement {
    key: String,
    operator: Operator,
    values: Vec<String>,
}

/// One thing wrong with a requirement: apimachinery's `field.Error` of `NewRequirement`, printed
/// as apimachinery prints it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequirementProblem {
    /// The key is not a label key (`[prefix/]name`, see [`validate_label_key`]).
    #[error("key: Invalid value: {}: {}", go_quote(key), reasons.join("; "))]
    InvalidKey {
        /// The key.
        key: String,
        /// apimachinery's reasons, in its words.
        reasons: Vec<String>,
    },
    /// `in`/`notin` with no value.
    #[error("values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty")]
    EmptySet,
    /// `=`, `==` or `!=` with other than one value.
    #[error(
        "values: Invalid value: {}: exact-match compatibility requires one single value",
        go_json(values)
    )]
    NotOneValue {
        /// The values given.
        values: Vec<String>,
    },
    /// `exists` or `!` with values.
    #[error(
        "values: Invalid value: {}: values set must be empty for exists and does not exist",
        go_json(values)
    )]
    ValuesForUnary {
        /// The values given.
        values: Vec<String>,
    },
    /// `gt` or `lt` with other than one value.
    #[error(
        "values: Invalid value: {}: for 'Gt', 'Lt' operators, exactly one value is required",
        go_json(values)
    )]
    NotOneInteger {
        /// The values given.
        values: Vec<String>,
    },
    /// A `gt` or `lt` value that is not a 64-bit integer.
    #[error(
        "values[{index}]: Invalid value: {}: for 'Gt', 'Lt' operators, the value must be an integer",
        go_quote(value)
    )]
    NotAnInteger {
        /// Its position among the values.
        index: usize,
        /// The value.
        value: String,
    },
    /// A value that is not a label value (see [`validate_label_value`]).
    #[error("values[{index}][{key}]: Invalid value: {}: {}", go_quote(value), reasons.join("; "))]
    InvalidValue {
        /// Its position among the values.
        index: usize,
        /// The requirement's key.
        key: String,
        /// The value.
        value: String,
        /// apimachinery's reasons, in its words.
        reasons: Vec<String>,
    },
}

/// Why [`Requirement::new`] refused: every problem found, in apimachinery's order. It prints as
/// apimachinery's aggregated error: the one problem, or `[first, second]`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", go_aggregate(problems))]
pub struct RequirementError {
    /// The requirement's key.
    pub key: String,
    /// What was wrong, at least one thing.
    pub problems: Vec<RequirementProblem>,
}

impl Requirement {
    /// A requirement, validated as apimachinery's `NewRequirement` does: the key must be a label
    /// key; `in`/`notin` need at least one value, `=`/`==`/`!=` exactly one, `exists`/`!` none,
    /// `gt`/`lt` exactly one 64-bit integer; every value must be a label value. The empty string
    /// is a valid value. Values are kept in the order given (the canonical string sorts them).
    ///
    /// ```
    /// use kube_scheme::labels::{Operator, Requirement};
    ///
    /// let tier = Requirement::new("tier", Operator::In, ["front", "back"])?;
    /// assert_eq!(tier.to_string(), "tier in (back,front)");
    /// assert!(Requirement::new("x", Operator::Equals, ["a,b"]).is_err());
    /// # Ok::<(), kube_scheme::labels::RequirementError>(())
    /// ```
    pub fn new<I, S>(key: impl Into<String>, operator: Operator, values: I) -> Result<Self, RequirementError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let key = key.into();
        let values: Vec<String> = values.into_iter().map(Into::into).collect();
        let mut problems = Vec::new();
        if let Err(reasons) = validate_label_key(&key) {
            problems.push(RequirementProblem::InvalidKey {
                key: key.clone(),
                reasons,
            });
        }
        match operator {
            Operator::In | Operator::NotIn if values.is_empty() => problems.push(RequirementProblem::EmptySet),
            Operator::Equals | Operator::DoubleEquals | Operator::NotEquals if values.len() != 1 => {
                problems.push(RequirementProblem::NotOneValue { values: values.clone() })
            }
            Operator::Exists | Operator::DoesNotExist if !values.is_empty() => {
                problems.push(RequirementProblem::ValuesForUnary { values: values.clone() })
            }
            Operator::GreaterThan | Operator::LessThan => {
                if values.len() != 1 {
                    problems.push(RequirementProblem::NotOneInteger { values: values.clone() });
                }
                for (index, value) in values.iter().enumerate() {
                    if parse_int(value).is_none() {
                        problems.push(RequirementProblem::NotAnInteger {
                            index,
                            value: value.clone(),
                        });
                    }
                }
            }
            _ => {}
        }
        for (index, value) in values.iter().enumerate() {
            if let Err(reasons) = validate_label_value(value) {
                problems.push(RequirementProblem::InvalidValue {
                    index,
                    key: key.clone(),
                    value: value.clone(),
                    reasons,
                });
            }
        }
        if problems.is_empty() {
            Ok(Requirement { key, operator, values })
        } else {
            Err(RequirementError { key, problems })
        }
    }

    /// The label key, with its optional DNS prefix (`app.kubernetes.io/name`).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The operator.
    pub fn operator(&self) -> Operator {
        self.operator
    }

    /// The values, in the order given (sorted and without duplicates when parsed).
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// Whether `labels` satisfy this requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.matches_value(labels.get(&self.key).map(String::as_str))
    }

    /// Whether the value of this requirement's key (`None` when absent) satisfies it.
    pub fn matches_value(&self, value: Option<&str>) -> bool {
        let has = |v: &str| self.values.iter().any(|x| x == v);
        match self.operator {
            Operator::In | Operator::Equals | Operator::DoubleEquals => value.is_some_and(has),
            Operator::NotIn | Operator::NotEquals => value.is_none_or(|v| !has(v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::GreaterThan | Operator::LessThan => {
                let (Some(found), [wanted]) = (value.and_then(parse_int), self.values.as_slice()) else {
                    return false;
                };
                let Some(wanted) = parse_int(wanted) else {
                    return false;
                };
                if self.operator == Operator::GreaterThan {
                    found > wanted
                } else {
                    found < wanted
                }
            }
        }
    }
}

/// Go's `utilerrors.Aggregate` message: one error as is, several (duplicates dropped) as `[a, b]`.
fn go_aggregate(problems: &[RequirementProblem]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for message in problems.iter().map(ToString::to_string) {
        if !seen.contains(&message) {
            seen.push(message);
        }
    }
    if seen.len() == 1 {
        seen.remove(0)
    } else {
        format!("[{}]", seen.join(", "))
    }
}

/// Go's `%q` (`strconv.Quote`) of a string: printable characters as they are, `\"` and `\\`
/// escaped, control characters as `\n`, `\t`, `\xNN` or `\uNNNN`. Non-ASCII characters count as
/// printable unless they are control or whitespace characters (Go's `unicode.IsPrint` also escapes
/// unassigned and format characters, which label selectors do not hold in practice).
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            ' ' => out.push(' '),
            c if c.is_ascii() && (c.is_ascii_control()) => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if !c.is_ascii() && (c.is_control() || c.is_whitespace()) => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32))
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32))
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `json.Marshal` of a `[]string` (which escapes `<`, `>` and `&` for HTML).
fn go_json(values: &[String]) -> String {
    serde_json::to_string(values)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Go's `strconv.ParseInt(s, 10, 64)`: an optional sign, then ASCII digits, within `i64`; which is
/// also what Rust's `i64::from_str` accepts.
fn parse_int(s: &str) -> Option<i64> {
    s.parse().ok()
}

impl fmt::Display for Requirement {
    /// apimachinery's `Requirement.String()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.operator == Operator::DoesNotExist {
            f.write_str("!")?;
        }
        f.write_str(&self.key)?;
        let (before, after) = match self.operator {
            Operator::Exists | Operator::DoesNotExist => return Ok(()),
            Operator::Equals => ("=", ""),
            Operator::DoubleEquals => ("==", ""),
            Operator::NotEquals => ("!=", ""),
            Operator::In => (" in (", ")"),
            Operator::NotIn => (" notin (", ")"),
            Operator::GreaterThan => (">", ""),
            Operator::LessThan => ("<", ""),
        };
        f.write_str(before)?;
        if let [one] = self.values.as_slice() {
            f.write_str(one)?;
        } else {
            let mut sorted: Vec<&str> = self.values.iter().map(String::as_str).collect();
            sorted.sort_unstable();
            f.write_str(&sorted.join(","))?;
        }
        f.write_str(after)
    }
}

/// A parsed label selector: every requirement must hold. The empty selector matches everything.
///
/// ```
/// use std::collections::BTreeMap;
/// use kube_scheme::labels::LabelSelector;
///
/// let selector: LabelSelector = "tier in (b, a),app=web,!legacy".parse()?;
/// let labels = BTreeMap::from([("app".to_owned(), "web".to_owned()), ("tier".to_owned(), "b".to_owned())]);
/// assert!(selector.matches(&labels));
/// assert_eq!(selector.to_string(), "app=web,!legacy,tier in (a,b)");
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

    /// A selector from requirements, sorted by key as apimachinery's `Selector.Add` sorts them
    /// (Go's `sort.Sort`: stable up to 12 requirements).
    pub fn new(mut requirements: Vec<Requirement>) -> Self {
        go_sort::sort(&mut requirements, |a, b| a.key < b.key);
        LabelSelector { requirements }
    }

    /// This selector with more requirements, sorted by key again (apimachinery's `Selector.Add`).
    pub fn add_requirements(mut self, requirements: impl IntoIterator<Item = Requirement>) -> Self {
        self.requirements.extend(requirements);
        go_sort::sort(&mut self.requirements, |a, b| a.key < b.key);
        self
    }

    /// The selector that matches exactly these labels (apimachinery's `ValidatedSelectorFromSet`):
    /// one `key=value` requirement per label, each validated.
    pub fn from_labels<'a>(
        labels: impl IntoIterator<Item = (&'a String, &'a String)>,
    ) -> Result<Self, RequirementError> {
        let requirements = labels
            .into_iter()
            .map(|(k, v)| Requirement::new(k.clone(), Operator::Equals, [v.clone()]))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(LabelSelector::new(requirements))
    }

    /// Whether it has no requirement (and so matches everything).
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Its requirements, sorted by key.
    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    /// If the selector's first requirement on `key` needs one specific value (`key=v`, `key==v` or
    /// `key in (v)`), that value (apimachinery's `RequiresExactMatch`).
    pub fn requires_exact_match(&self, key: &str) -> Option<&str> {
        // Only the first requirement on the key counts, as in apimachinery.
        let r = self.requirements.iter().find(|r| r.key == key)?;
        match (r.operator, r.values.as_slice()) {
            (Operator::In | Operator::Equals | Operator::DoubleEquals, [one]) => Some(one.as_str()),
            _ => None,
        }
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

impl fmt::Display for LabelSelector {
    /// apimachinery's `Selector.String()`: the requirements' strings joined by `,`.
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

/// apimachinery's `content.IsLabelKey` (`validation.IsQualifiedName`): `[prefix/]name`, where the
/// prefix is a lowercase DNS subdomain (at most 253 characters) and the name is at most 63
/// characters, alphanumeric at both ends, with `-`, `_` or `.` inside. Returns apimachinery's
/// reasons, in its words.
pub fn validate_label_key(key: &str) -> Result<(), Vec<String>> {
    const NAME_REGEX: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    let mut errs = Vec::new();
    let parts: Vec<&str> = key.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_owned());
            } else {
                errs.extend(
                    dns1123_subdomain_errors(prefix)
                        .into_iter()
                        .map(|e| format!("prefix part {e}")),
                );
            }
            *name
        }
        _ => {
            return Err(vec![format!(
                "a valid label key {NAME_REGEX} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            )]);
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_owned());
    } else if name.len() > 63 {
        errs.push("name part must be no more than 63 bytes".to_owned());
    }
    if !is_label_name(name) {
        errs.push(format!("name part {NAME_REGEX}"));
    }
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

/// apimachinery's `validation.IsValidLabelValue`: empty, or at most 63 characters, alphanumeric at
/// both ends, with `-`, `_` or `.` inside. Returns apimachinery's reasons, in its words.
pub fn validate_label_value(value: &str) -> Result<(), Vec<String>> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push("must be no more than 63 bytes".to_owned());
    }
    if !value.is_empty() && !is_label_name(value) {
        errs.push("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".to_owned());
    }
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

/// `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`, with no length limit.
fn is_label_name(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        }
        _ => false,
    }
}

/// apimachinery's `content.IsDNS1123Subdomain`: at most 253 characters, matching
/// `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`.
fn dns1123_subdomain_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 253 {
        errs.push("must be no more than 253 bytes".to_owned());
    }
    let label_ok = |l: &str| {
        let b = l.as_bytes();
        match (b.first(), b.last()) {
            (Some(first), Some(last)) => {
                (first.is_ascii_lowercase() || first.is_ascii_digit())
                    && (last.is_ascii_lowercase() || last.is_ascii_digit())
                    && b.iter()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
            }
            _ => false,
        }
    };
    if !value.split('.').all(label_ok) {
        errs.push("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')".to_owned());
    }
    errs
}

/// Why a label selector string did not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unable to parse label selector {input:?} at byte {position}: {kind}")]
pub struct SelectorParseError {
    /// The whole selector string.
    pub input: String,
    /// Byte offset of the offending token (or of the requirement's key when the requirement as a
    /// whole is invalid).
    pub position: usize,
    /// What was wrong.
    pub kind: SelectorErrorKind,
    /// Whether apimachinery reports it from inside a requirement (its message then starts with
    /// `unable to parse requirement: `).
    in_requirement: bool,
}

impl SelectorParseError {
    /// The message apimachinery's `labels.Parse` gives for the same input, word for word (what a
    /// real API server answers a bad `labelSelector` with). NUL bytes, which apimachinery reads
    /// as the end of the input, get a message of this crate's own.
    pub fn apimachinery_message(&self) -> String {
        if self.in_requirement {
            format!("unable to parse requirement: {}", self.kind)
        } else {
            self.kind.to_string()
        }
    }
}

/// What was wrong in a label selector string.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SelectorErrorKind {
    /// A token that the grammar does not allow where it stands.
    #[error(
        "found '{found}'{} expected: {expected}",
        // apimachinery's message for a missing `(` has no comma.
        if *expected == "'('" { "" } else { "," }
    )]
    Unexpected {
        /// What was there (the token as written; empty at the end of the input).
        found: String,
        /// What apimachinery's parser wanted there, in its words.
        expected: &'static str,
    },
    /// The key is not a valid label key.
    #[error("<nil>: Invalid value: {}: {}", go_quote(key), reasons.join("; "))]
    InvalidKey {
        /// The key.
        key: String,
        /// apimachinery's reasons.
        reasons: Vec<String>,
    },
    /// The requirement as a whole is invalid (a value that is not a label value, `>`/`<` with a
    /// value that is not an integer).
    #[error(transparent)]
    Requirement(#[from] RequirementError),
    /// A NUL byte: apimachinery reads one as the end of the selector; this crate refuses it.
    #[error("a NUL byte in a label selector")]
    NulByte,
}

/// A token of apimachinery's label selector lexer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    EndOfString,
    ClosedPar,
    Comma,
    DoesNotExist,
    DoubleEquals,
    Equals,
    GreaterThan,
    Identifier,
    In,
    LessThan,
    NotEquals,
    NotIn,
    OpenPar,
}

/// Context of a look-up: after a key, `in` and `notin` are operators; elsewhere identifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Context {
    KeyAndOperator,
    Values,
}

#[derive(Clone, Copy, Debug)]
struct Scanned<'a> {
    token: Token,
    literal: &'a str,
    position: usize,
}

fn is_whitespace(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_special_symbol(c: u8) -> bool {
    matches!(c, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

/// apimachinery's `Lexer`, over the bytes of the input (the caller has refused NUL bytes).
struct Lexer<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn lex(&mut self) -> Scanned<'a> {
        let b = self.s.as_bytes();
        while self.pos < b.len() && is_whitespace(b[self.pos]) {
            self.pos += 1;
        }
        let start = self.pos;
        let Some(&c) = b.get(start) else {
            return Scanned {
                token: Token::EndOfString,
                literal: "",
                position: start,
            };
        };
        let token = if is_special_symbol(c) {
            // The longest of the one- and two-byte operators that the input starts with.
            let two = match (c, b.get(start + 1)) {
                (b'!', Some(b'=')) => Some(Token::NotEquals),
                (b'=', Some(b'=')) => Some(Token::DoubleEquals),
                _ => None,
            };
            if let Some(token) = two {
                self.pos += 2;
                token
            } else {
                self.pos += 1;
                match c {
                    b'=' => Token::Equals,
                    b'!' => Token::DoesNotExist,
                    b'(' => Token::OpenPar,
                    b')' => Token::ClosedPar,
                    b',' => Token::Comma,
                    b'>' => Token::GreaterThan,
                    _ => Token::LessThan,
                }
            }
        } else {
            while self.pos < b.len() && !is_special_symbol(b[self.pos]) && !is_whitespace(b[self.pos]) {
                self.pos += 1;
            }
            match &self.s[start..self.pos] {
                "in" => Token::In,
                "notin" => Token::NotIn,
                _ => Token::Identifier,
            }
        };
        Scanned {
            token,
            literal: &self.s[start..self.pos],
            position: start,
        }
    }
}

/// apimachinery's `Parser`: the scanned tokens and a position in them.
struct Parser<'a> {
    input: &'a str,
    items: Vec<Scanned<'a>>,
    position: usize,
}

fn in_context(mut item: Scanned<'_>, context: Context) -> Scanned<'_> {
    if context == Context::Values && matches!(item.token, Token::In | Token::NotIn) {
        item.token = Token::Identifier;
    }
    item
}

impl<'a> Parser<'a> {
    fn new(input: &'a str) -> Self {
        let mut lexer = Lexer { s: input, pos: 0 };
        let mut items = Vec::new();
        loop {
            let item = lexer.lex();
            items.push(item);
            if item.token == Token::EndOfString {
                break;
            }
        }
        Parser {
            input,
            items,
            position: 0,
        }
    }

    fn lookahead(&self, context: Context) -> Scanned<'a> {
        in_context(self.items[self.position], context)
    }

    fn consume(&mut self, context: Context) -> Scanned<'a> {
        let item = self.items[self.position];
        // The end of the string stays the last item, however often it is consumed.
        self.position = (self.position + 1).min(self.items.len() - 1);
        in_context(item, context)
    }

    fn error(&self, position: usize, kind: SelectorErrorKind) -> SelectorParseError {
        SelectorParseError {
            input: self.input.to_owned(),
            position,
            kind,
            in_requirement: true,
        }
    }

    fn unexpected(&self, item: Scanned<'_>, expected: &'static str) -> SelectorParseError {
        let found = item.literal.to_owned();
        self.error(item.position, SelectorErrorKind::Unexpected { found, expected })
    }

    /// An error of the selector level, outside any requirement.
    fn unexpected_between(&self, item: Scanned<'_>, expected: &'static str) -> SelectorParseError {
        SelectorParseError {
            in_requirement: false,
            ..self.unexpected(item, expected)
        }
    }

    fn parse(&mut self) -> Result<Vec<Requirement>, SelectorParseError> {
        let mut requirements = Vec::new();
        loop {
            let item = self.lookahead(Context::Values);
            match item.token {
                Token::Identifier | Token::DoesNotExist => {
                    requirements.push(self.requirement()?);
                    let next = self.consume(Context::Values);
                    match next.token {
                        Token::EndOfString => return Ok(requirements),
                        Token::Comma => {
                            let after = self.lookahead(Context::Values);
                            if !matches!(after.token, Token::Identifier | Token::DoesNotExist) {
                                return Err(self.unexpected_between(after, "identifier after ','"));
                            }
                        }
                        _ => return Err(self.unexpected_between(next, "',' or 'end of string'")),
                    }
                }
                Token::EndOfString => return Ok(requirements),
                _ => return Err(self.unexpected_between(item, "!, identifier, or 'end of string'")),
            }
        }
    }

    fn requirement(&mut self) -> Result<Requirement, SelectorParseError> {
        let (key, position, operator) = self.key_and_inferred_operator()?;
        let (operator, values) = match operator {
            Some(operator) => (operator, Vec::new()),
            None => {
                let operator = self.operator()?;
                let values = match operator {
                    Operator::In | Operator::NotIn => self.values()?,
                    _ => vec![self.exact_value()?],
                };
                (operator, values)
            }
        };
        Requirement::new(key, operator, values).map_err(|err| self.error(position, err.into()))
    }

    /// The key, its position, and `exists`/`!` when no binary operator follows.
    fn key_and_inferred_operator(&mut self) -> Result<(String, usize, Option<Operator>), SelectorParseError> {
        let mut item = self.consume(Context::Values);
        let mut operator = None;
        if item.token == Token::DoesNotExist {
            operator = Some(Operator::DoesNotExist);
            item = self.consume(Context::Values);
        }
        if item.token != Token::Identifier {
            return Err(self.unexpected(item, "identifier"));
        }
        if let Err(reasons) = validate_label_key(item.literal) {
            return Err(self.error(
                item.position,
                SelectorErrorKind::InvalidKey {
                    key: item.literal.to_owned(),
                    reasons,
                },
            ));
        }
        if matches!(self.lookahead(Context::Values).token, Token::EndOfString | Token::Comma) && operator.is_none() {
            operator = Some(Operator::Exists);
        }
        Ok((item.literal.to_owned(), item.position, operator))
    }

    fn operator(&mut self) -> Result<Operator, SelectorParseError> {
        let item = self.consume(Context::KeyAndOperator);
        Ok(match item.token {
            Token::In => Operator::In,
            Token::Equals => Operator::Equals,
            Token::DoubleEquals => Operator::DoubleEquals,
            Token::GreaterThan => Operator::GreaterThan,
            Token::LessThan => Operator::LessThan,
            Token::NotIn => Operator::NotIn,
            Token::NotEquals => Operator::NotEquals,
            _ => return Err(self.unexpected(item, "in, notin, =, ==, !=, gt, lt")),
        })
    }

    /// A value set `(a,b)`: sorted, without duplicates; `()` and empty members are the empty value.
    fn values(&mut self) -> Result<Vec<String>, SelectorParseError> {
        let open = self.consume(Context::Values);
        if open.token != Token::OpenPar {
            return Err(self.unexpected(open, "'('"));
        }
        let first = self.lookahead(Context::Values);
        let set = match first.token {
            Token::Identifier | Token::Comma => {
                let set = self.identifiers()?;
                if self.consume(Context::Values).token != Token::ClosedPar {
                    return Err(self.unexpected(first, "')'"));
                }
                set
            }
            Token::ClosedPar => {
                self.consume(Context::Values);
                std::collections::BTreeSet::from([String::new()])
            }
            _ => return Err(self.unexpected(first, "',', ')' or identifier")),
        };
        Ok(set.into_iter().collect())
    }

    /// apimachinery's `parseIdentifiersList`: comma-separated, possibly empty identifiers.
    fn identifiers(&mut self) -> Result<std::collections::BTreeSet<String>, SelectorParseError> {
        let mut set = std::collections::BTreeSet::new();
        loop {
            let item = self.consume(Context::Values);
            match item.token {
                Token::Identifier => {
                    set.insert(item.literal.to_owned());
                    let next = self.lookahead(Context::Values);
                    match next.token {
                        Token::Comma => continue,
                        Token::ClosedPar => return Ok(set),
                        _ => return Err(self.unexpected(next, "',' or ')'")),
                    }
                }
                Token::Comma => {
                    if set.is_empty() {
                        set.insert(String::new()); // `(,`
                    }
                    match self.lookahead(Context::Values).token {
                        Token::ClosedPar => {
                            set.insert(String::new()); // `,)`
                            return Ok(set);
                        }
                        Token::Comma => {
                            set.insert(String::new()); // `,,`
                        }
                        _ => {}
                    }
                }
                _ => return Err(self.unexpected(item, "',', or identifier")),
            }
        }
    }

    /// The one value after `=`, `==`, `!=`, `>` or `<`; empty before `,` or the end.
    fn exact_value(&mut self) -> Result<String, SelectorParseError> {
        if matches!(self.lookahead(Context::Values).token, Token::EndOfString | Token::Comma) {
            return Ok(String::new());
        }
        let item = self.consume(Context::Values);
        if item.token == Token::Identifier {
            Ok(item.literal.to_owned())
        } else {
            Err(self.unexpected(item, "identifier"))
        }
    }
}

impl FromStr for LabelSelector {
    type Err = SelectorParseError;

    /// apimachinery's `labels.Parse`.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        if let Some(position) = input.bytes().position(|b| b == 0) {
            return Err(SelectorParseError {
                input: input.to_owned(),
                position,
                kind: SelectorErrorKind::NulByte,
                in_requirement: false,
            });
        }
        let requirements = Parser::new(input).parse()?;
        Ok(LabelSelector::new(requirements))
    }
}

/// Why [`labels_from_selector`] refused a selector.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LabelsFromSelectorError {
    /// A term is not one `key=value`.
    #[error("invalid selector: {term:?} is not one key=value")]
    NotKeyValue {
        /// The term.
        term: String,
    },
    /// The key is not a label key.
    #[error("invalid label key {key:?}: {}", reasons.join("; "))]
    InvalidKey {
        /// The key.
        key: String,
        /// apimachinery's reasons.
        reasons: Vec<String>,
    },
    /// The value is not a label value.
    #[error("invalid label value {value:?} for key {key:?}: {}", reasons.join("; "))]
    InvalidValue {
        /// The key.
        key: String,
        /// The value.
        value: String,
        /// apimachinery's reasons.
        reasons: Vec<String>,
    },
}

/// The labels that an equality-only selector (`a=b, c=d`) names, as apimachinery's
/// `ConvertSelectorToLabelsMap`: terms split on `,`, each exactly one `=`, key and value trimmed
/// and validated. Anything else (`x`, `x!=y`, `x==y`, `x in (y)`) is an error.
pub fn labels_from_selector(selector: &str) -> Result<BTreeMap<String, String>, LabelsFromSelectorError> {
    let mut labels = BTreeMap::new();
    if selector.is_empty() {
        return Ok(labels);
    }
    for term in selector.split(',') {
        let mut parts = term.split('=');
        let (Some(key), Some(value), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(LabelsFromSelectorError::NotKeyValue { term: term.to_owned() });
        };
        let (key, value) = (key.trim(), value.trim());
        validate_label_key(key).map_err(|reasons| LabelsFromSelectorError::InvalidKey {
            key: key.to_owned(),
            reasons,
        })?;
        validate_label_value(value).map_err(|reasons| LabelsFromSelectorError::InvalidValue {
            key: key.to_owned(),
            value: value.to_owned(),
            reasons,
        })?;
        labels.insert(key.to_owned(), value.to_owned());
    }
    Ok(labels)
}

/// Why a `metav1.LabelSelector` is no [`LabelSelector`]: apimachinery's
/// `LabelSelectorAsSelector` errors, in its words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LabelSelectorConversionError {
    /// A `matchExpressions` operator other than `In`, `NotIn`, `Exists` and `DoesNotExist`.
    #[error("{} is not a valid label selector operator", go_quote(operator))]
    InvalidOperator {
        /// The operator given.
        operator: String,
    },
    /// A `matchLabels` entry or a `matchExpressions` requirement that does not validate.
    #[error(transparent)]
    Requirement(#[from] RequirementError),
}

impl TryFrom<&k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector> for LabelSelector {
    type Error = LabelSelectorConversionError;

    /// apimachinery's `metav1.LabelSelectorAsSelector`: `matchLabels` become `key=value`
    /// requirements, `matchExpressions` `in`, `notin`, exists and `!` requirements, each validated
    /// as [`Requirement::new`] does; an empty selector matches everything. (A missing one, `nil`
    /// in Go, selects nothing: keep the `Option` and match nothing for `None`.)
    ///
    /// ```
    /// use k8s_openapi::apimachinery::pkg::apis::meta::v1 as metav1;
    /// use kube_scheme::labels::LabelSelector;
    ///
    /// let of_deployment = metav1::LabelSelector {
    ///     match_labels: Some([("app".to_owned(), "web".to_owned())].into()),
    ///     match_expressions: Some(vec![metav1::LabelSelectorRequirement {
    ///         key: "tier".into(),
    ///         operator: "In".into(),
    ///         values: Some(vec!["front".into(), "back".into()]),
    ///     }]),
    /// };
    /// let selector = LabelSelector::try_from(&of_deployment)?;
    /// assert_eq!(selector.to_string(), "app=web,tier in (back,front)");
    /// # Ok::<(), kube_scheme::labels::LabelSelectorConversionError>(())
    /// ```
    fn try_from(selector: &k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector) -> Result<Self, Self::Error> {
        let mut requirements = Vec::new();
        for (key, value) in selector.match_labels.iter().flatten() {
            requirements.push(Requirement::new(key.clone(), Operator::Equals, [value.clone()])?);
        }
        for expression in selector.match_expressions.iter().flatten() {
            let operator = match expression.operator.as_str() {
                "In" => Operator::In,
                "NotIn" => Operator::NotIn,
                "Exists" => Operator::Exists,
                "DoesNotExist" => Operator::DoesNotExist,
                other => {
                    return Err(LabelSelectorConversionError::InvalidOperator {
                        operator: other.to_owned(),
                    });
                }
            };
            let values = expression.values.clone().unwrap_or_default();
            requirements.push(Requirement::new(expression.key.clone(), operator, values)?);
        }
        Ok(LabelSelector::new(requirements))
    }
}

impl TryFrom<&kube_core::Selector> for LabelSelector {
    type Error = RequirementError;

    /// kube-core's selector (what `ListParams::labels_from` takes), requirement by requirement,
    /// each validated as [`Requirement::new`] does.
    ///
    /// ```
    /// use kube_core::{Expression, Selector};
    /// use kube_scheme::labels::LabelSelector;
    ///
    /// let selector: Selector = Expression::Equal("app".into(), "web".into()).into();
    /// assert_eq!(LabelSelector::try_from(&selector)?.to_string(), "app=web");
    /// # Ok::<(), kube_scheme::labels::RequirementError>(())
    /// ```
    fn try_from(selector: &kube_core::Selector) -> Result<Self, Self::Error> {
        use kube_core::Expression;
        let requirements = selector
            .clone()
            .into_iter()
            .map(|expression| match expression {
                Expression::In(key, values) => Requirement::new(key, Operator::In, values),
                Expression::NotIn(key, values) => Requirement::new(key, Operator::NotIn, values),
                Expression::Equal(key, value) => Requirement::new(key, Operator::Equals, [value]),
                Expression::NotEqual(key, value) => Requirement::new(key, Operator::NotEquals, [value]),
                Expression::Exists(key) => Requirement::new(key, Operator::Exists, Vec::<String>::new()),
                Expression::DoesNotExist(key) => Requirement::new(key, Operator::DoesNotExist, Vec::<String>::new()),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(LabelSelector::new(requirements))
    }
}

mod go_sort;

#[cfg(test)]
mod apimachinery_tests;

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
            "a=1,b==2,c!=3,d in (x,y),e notin (z),example.com/j=k,f,!g,h>5,i<7,l="
        );
        let round: LabelSelector = s.to_string().parse().unwrap();
        assert_eq!(round, s);
        assert!("".parse::<LabelSelector>().unwrap().is_empty());
        assert!("  ".parse::<LabelSelector>().unwrap().is_empty());
    }

    #[test]
    fn matches_json_reads_metadata_labels() {
        let json = serde_json::json!({"metadata": {"labels": {"app": "web"}}});
        assert!("app=web,!legacy".parse::<LabelSelector>().unwrap().matches_json(&json));
        assert!(!"app=web,legacy".parse::<LabelSelector>().unwrap().matches_json(&json));
        assert!(
            "x!=1"
                .parse::<LabelSelector>()
                .unwrap()
                .matches_json(&serde_json::json!({}))
        );
        let l = labels(&[("app", "web")]);
        assert!("app in (web)".parse::<LabelSelector>().unwrap().matches(&l));
    }

    #[test]
    fn typed_errors_say_where_and_what() {
        let cases = [
            ("app=web,", 8, "found '', expected: identifier after ','"),
            ("tier in a", 8, "found 'a' expected: '('"),
            ("tier in (a", 10, "found '', expected: ',' or ')'"),
            ("Bad Key=1", 4, "found 'Key', expected: in, notin, =, ==, !=, gt, lt"),
            ("=a", 0, "found '=', expected: !, identifier, or 'end of string'"),
            ("a=b c", 4, "found 'c', expected: ',' or 'end of string'"),
        ];
        for (input, position, message) in cases {
            let err = input.parse::<LabelSelector>().unwrap_err();
            assert_eq!(
                (err.position, err.kind.to_string().as_str()),
                (position, message),
                "{input}"
            );
        }
        let err = "app=web,".parse::<LabelSelector>().unwrap_err();
        assert_eq!(err.apimachinery_message(), "found '', expected: identifier after ','");
        let err = "tier in (a".parse::<LabelSelector>().unwrap_err();
        assert_eq!(
            err.apimachinery_message(),
            "unable to parse requirement: found '', expected: ',' or ')'"
        );
        let err = "-x=1".parse::<LabelSelector>().unwrap_err();
        assert!(
            matches!(err.kind, SelectorErrorKind::InvalidKey { ref key, .. } if key == "-x"),
            "{err}"
        );
        let err = "n>x".parse::<LabelSelector>().unwrap_err();
        let SelectorErrorKind::Requirement(req) = &err.kind else {
            panic!("{err}")
        };
        assert_eq!(
            req.problems,
            [RequirementProblem::NotAnInteger {
                index: 0,
                value: "x".into()
            }]
        );
        let err = "a=-b".parse::<LabelSelector>().unwrap_err();
        assert_eq!(err.position, 0);
        assert!(
            matches!(&err.kind, SelectorErrorKind::Requirement(r) if matches!(r.problems[..], [RequirementProblem::InvalidValue { .. }]))
        );
    }

    #[test]
    fn nul_bytes_are_refused_where_apimachinery_stops_reading() {
        for input in ["a=b\0", "\0", "a\0b", "a=b,\0c"] {
            let err = input.parse::<LabelSelector>().unwrap_err();
            assert_eq!(err.kind, SelectorErrorKind::NulByte, "{input:?}");
            assert_eq!(err.position, input.find('\0').unwrap());
        }
    }

    #[test]
    fn operator_names_round_trip() {
        for op in [
            Operator::Equals,
            Operator::DoubleEquals,
            Operator::NotEquals,
            Operator::In,
            Operator::NotIn,
            Operator::Exists,
            Operator::DoesNotExist,
            Operator::GreaterThan,
            Operator::LessThan,
        ] {
            assert_eq!(op.as_str().parse::<Operator>(), Ok(op));
        }
    }
}
