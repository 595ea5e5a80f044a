//! Field selectors (`metadata.name=web,status.phase!=Running`), parsed and matched exactly as
//! `k8s.io/apimachinery/pkg/fields` v0.37.2 does.
//!
//! The syntax is apimachinery's, not the label selectors': terms split on unescaped `,`, each
//! `field=value`, `field==value` or `field!=value` (the first operator found, left to right). In a
//! value, `\,`, `\=` and `\\` stand for `,`, `=` and `\`; any other `\x` is an error, and so is an
//! unescaped `=` or `,`. Nothing is trimmed (`" metadata.name = a"` names the field
//! `" metadata.name "`), empty terms are skipped, a term with neither field nor value (`=`) is
//! dropped, and terms are sorted. The field path is not checked here: which fields a kind
//! supports is the server's business (the fake server refuses the ones the real one refuses).
//!
//! apimachinery's own tests run against this module (`fields/apimachinery_tests.rs`), and the
//! differential test judges generated selectors with apimachinery itself.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// One term of a field selector.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldRequirement {
    /// The field path as written (`metadata.name`).
    pub field: String,
    /// The value, unescaped.
    pub value: String,
    /// `true` for `=`/`==`, `false` for `!=`.
    pub equal: bool,
}

impl FieldRequirement {
    /// Whether a field whose value is `found` (`""` when the object has no such field, as
    /// apimachinery's `fields.Set.Get`) satisfies the term.
    pub fn matches_value(&self, found: &str) -> bool {
        (found == self.value) == self.equal
    }
}

impl fmt::Display for FieldRequirement {
    /// `field=value` or `field!=value`, the value escaped (`==` is written `=`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = if self.equal { "=" } else { "!=" };
        write!(f, "{}{op}{}", self.field, escape_value(&self.value))
    }
}

/// A parsed field selector: every term must hold. The empty selector matches everything.
///
/// ```
/// use std::collections::BTreeMap;
/// use kube_scheme::fields::FieldSelector;
///
/// let selector: FieldSelector = r"status.phase!=Running,metadata.name=a\,b".parse()?;
/// let fields = BTreeMap::from([("metadata.name".to_owned(), "a,b".to_owned())]);
/// assert!(selector.matches(&fields));
/// assert_eq!(selector.to_string(), r"metadata.name=a\,b,status.phase!=Running");
/// # Ok::<(), kube_scheme::fields::FieldSelectorError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FieldSelector {
    requirements: Vec<FieldRequirement>,
}

impl FieldSelector {
    /// The selector that matches everything.
    pub fn everything() -> Self {
        Self::default()
    }

    /// The selector of one `field=value` term (apimachinery's `OneTermEqualSelector`).
    pub fn one_term_equal(field: impl Into<String>, value: impl Into<String>) -> Self {
        FieldSelector {
            requirements: vec![FieldRequirement {
                field: field.into(),
                value: value.into(),
                equal: true,
            }],
        }
    }

    /// The selector that matches exactly these fields (apimachinery's `SelectorFromSet`), its
    /// terms sorted by field.
    pub fn from_fields<'a>(fields: impl IntoIterator<Item = (&'a String, &'a String)>) -> Self {
        let mut requirements: Vec<FieldRequirement> = fields
            .into_iter()
            .map(|(field, value)| FieldRequirement {
                field: field.clone(),
                value: value.clone(),
                equal: true,
            })
            .collect();
        requirements.sort_by(|a, b| a.field.cmp(&b.field));
        FieldSelector { requirements }
    }

    /// Whether it has no term (and so matches everything).
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Its terms, in apimachinery's order (the written terms sorted as strings).
    pub fn requirements(&self) -> &[FieldRequirement] {
        &self.requirements
    }

    /// If the selector needs `field` to have one value (a `field=value` term), that value
    /// (apimachinery's `RequiresExactMatch`: the first such term).
    pub fn requires_exact_match(&self, field: &str) -> Option<&str> {
        self.requirements
            .iter()
            .find(|r| r.equal && r.field == field)
            .map(|r| r.value.as_str())
    }

    /// Whether `fields` satisfy every term; a field that is absent counts as `""`.
    pub fn matches(&self, fields: &BTreeMap<String, String>) -> bool {
        self.requirements
            .iter()
            .all(|r| r.matches_value(fields.get(&r.field).map_or("", String::as_str)))
    }

    /// Each term's field and value rewritten by `f` (apimachinery's `Transform`, which servers use
    /// to check and convert field labels); a term that `f` turns into an empty field and value is
    /// dropped.
    pub fn transform<E>(self, mut f: impl FnMut(&str, &str) -> Result<(String, String), E>) -> Result<Self, E> {
        let mut requirements = Vec::with_capacity(self.requirements.len());
        for r in self.requirements {
            let (field, value) = f(&r.field, &r.value)?;
            if !(field.is_empty() && value.is_empty()) {
                requirements.push(FieldRequirement {
                    field,
                    value,
                    equal: r.equal,
                });
            }
        }
        Ok(FieldSelector { requirements })
    }
}

impl fmt::Display for FieldSelector {
    /// apimachinery's `Selector.String()`: the terms joined by `,`, values escaped.
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

/// Why a field selector string did not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FieldSelectorError {
    /// A term with no `=`, `==` or `!=`.
    #[error("invalid selector: '{selector}'; can't understand '{term}'")]
    NoOperator {
        /// The whole selector.
        selector: String,
        /// The term.
        term: String,
    },
    /// A `\` followed by something other than `\`, `,` or `=`, or ending the value.
    #[error("invalid field selector: invalid escape sequence: {sequence}")]
    InvalidEscape {
        /// The sequence (`\x`, or a lone `\`).
        sequence: String,
    },
    /// A `,` or `=` in a value without a `\` before it.
    #[error("invalid field selector: unescaped character in value: {}", *character as u32)]
    UnescapedCharacter {
        /// The character.
        character: char,
    },
}

/// apimachinery's `EscapeValue`: `\` to `\\`, `,` to `\,`, `=` to `\=`.
pub fn escape_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\\' | ',' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// apimachinery's `UnescapeValue`: the reverse of [`escape_value`], refusing a bad escape or an
/// unescaped `,` or `=`.
pub fn unescape_value(value: &str) -> Result<String, FieldSelectorError> {
    if !value.contains(['\\', ',', '=']) {
        return Ok(value.to_owned());
    }
    let mut out = String::with_capacity(value.len());
    let mut in_slash = false;
    for c in value.chars() {
        if in_slash {
            if !matches!(c, '\\' | ',' | '=') {
                return Err(FieldSelectorError::InvalidEscape {
                    sequence: format!("\\{c}"),
                });
            }
            out.push(c);
            in_slash = false;
            continue;
        }
        match c {
            '\\' => in_slash = true,
            ',' | '=' => return Err(FieldSelectorError::UnescapedCharacter { character: c }),
            _ => out.push(c),
        }
    }
    if in_slash {
        return Err(FieldSelectorError::InvalidEscape { sequence: "\\".into() });
    }
    Ok(out)
}

/// apimachinery's `splitTerms`: split on every `,` that is not escaped by a `\`.
fn split_terms(selector: &str) -> Vec<&str> {
    if selector.is_empty() {
        return Vec::new();
    }
    let mut terms = Vec::new();
    let mut start = 0;
    let mut in_slash = false;
    for (i, c) in selector.char_indices() {
        if in_slash {
            in_slash = false;
        } else if c == '\\' {
            in_slash = true;
        } else if c == ',' {
            terms.push(&selector[start..i]);
            start = i + 1;
        }
    }
    terms.push(&selector[start..]);
    terms
}

/// apimachinery's `splitTerm`: at the first position where `!=`, `==` or `=` starts (tried in
/// that order), the field, whether the operator is `!=`, and the raw value.
fn split_term(term: &str) -> Option<(&str, bool, &str)> {
    for (i, _) in term.char_indices() {
        let rest = &term[i..];
        for (op, equal) in [("!=", false), ("==", true), ("=", true)] {
            if rest.starts_with(op) {
                return Some((&term[..i], equal, &term[i + op.len()..]));
            }
        }
    }
    None
}

impl FromStr for FieldSelector {
    type Err = FieldSelectorError;

    /// apimachinery's `fields.ParseSelector`.
    fn from_str(selector: &str) -> Result<Self, Self::Err> {
        let mut terms = split_terms(selector);
        terms.sort_unstable();
        let mut requirements = Vec::with_capacity(terms.len());
        for term in terms {
            if term.is_empty() {
                continue;
            }
            let (field, equal, raw) = split_term(term).ok_or_else(|| FieldSelectorError::NoOperator {
                selector: selector.to_owned(),
                term: term.to_owned(),
            })?;
            let value = unescape_value(raw)?;
            // apimachinery's identity Transform drops a term with neither field nor value.
            if field.is_empty() && value.is_empty() {
                continue;
            }
            requirements.push(FieldRequirement {
                field: field.to_owned(),
                value,
                equal,
            });
        }
        Ok(FieldSelector { requirements })
    }
}

#[cfg(test)]
mod apimachinery_tests;
