//! apimachinery v0.37.2's own `pkg/fields` test cases (`selector_test.go`, `fields_test.go`),
//! ported one for one with their expected results. Each test names the Go test it ports.

use std::collections::BTreeMap;

use super::*;

fn set(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn parse(s: &str) -> Result<FieldSelector, FieldSelectorError> {
    s.parse()
}

#[test]
fn test_split_terms() {
    let cases: [(&str, &[&str]); 12] = [
        // Simple selectors
        (r"a", &[r"a"]),
        (r"a=avalue", &[r"a=avalue"]),
        (r"a=avalue,b=bvalue", &[r"a=avalue", r"b=bvalue"]),
        (
            r"a=avalue,b==bvalue,c!=cvalue",
            &[r"a=avalue", r"b==bvalue", r"c!=cvalue"],
        ),
        // Empty terms
        (r"", &[]),
        (r"a=a,", &[r"a=a", r""]),
        (r",a=a", &[r"", r"a=a"]),
        // Escaped values
        (r"k=\,,k2=v2", &[r"k=\,", r"k2=v2"]),     // escaped comma in value
        (r"k=\\,k2=v2", &[r"k=\\", r"k2=v2"]),     // escaped backslash, unescaped comma
        (r"k=\\\,,k2=v2", &[r"k=\\\,", r"k2=v2"]), // escaped backslash and comma
        (r"k=\a\b\", &[r"k=\a\b\"]),               // non-escape sequences
        (r"k=\", &[r"k=\"]),                       // orphan backslash
    ];
    for (selector, terms) in cases {
        assert_eq!(split_terms(selector), terms, "{selector}");
    }
    // Multi-byte
    assert_eq!(split_terms("함=수,목=록"), ["함=수", "목=록"]);
}

/// lhs, operator, rhs
type Split<'a> = Option<(&'a str, &'a str, &'a str)>;

#[test]
fn test_split_term() {
    let cases: [(&str, Split); 9] = [
        // Simple terms
        (r"a=value", Some((r"a", "=", r"value"))),
        (r"b==value", Some((r"b", "==", r"value"))),
        (r"c!=value", Some((r"c", "!=", r"value"))),
        // Empty or invalid terms
        (r"", None),
        (r"a", None),
        // Escaped values
        (r"k=\,", Some((r"k", "=", r"\,"))),
        (r"k=\=", Some((r"k", "=", r"\="))),
        (r"k=\\\a\b\=\,\", Some((r"k", "=", r"\\\a\b\=\,\"))),
        // Multi-byte
        ("함=수", Some(("함", "=", "수"))),
    ];
    for (term, want) in cases {
        let got = split_term(term);
        match want {
            None => assert_eq!(got, None, "{term}"),
            Some((lhs, op, rhs)) => {
                let (l, equal, r) = got.unwrap_or_else(|| panic!("{term}: no operator"));
                assert_eq!((l, r), (lhs, rhs), "{term}");
                assert_eq!(equal, op != "!=", "{term}");
                // `==` is told apart from `=` by where the value starts.
                assert_eq!(term.len() - l.len() - r.len(), op.len(), "{term}");
            }
        }
    }
}

#[test]
fn test_escape_value() {
    // values and their normalized escaped forms
    for (unescaped, escaped) in [
        (r"", r""),
        (r"a", r"a"),
        (r"=", r"\="),
        (r",", r"\,"),
        (r"\", r"\\"),
        (r"\=\,\", r"\\\=\\\,\\"),
    ] {
        assert_eq!(escape_value(unescaped), escaped, "EscapeValue({unescaped})");
        assert_eq!(
            unescape_value(escaped).as_deref(),
            Ok(unescaped),
            "UnescapeValue({escaped})"
        );
    }
    // invalid escape sequences
    for invalid in [
        r"\",   // orphan slash is invalid
        r"\\\", // orphan slash is invalid
        r"\a",  // unrecognized escape sequence is invalid
    ] {
        assert!(
            matches!(unescape_value(invalid), Err(FieldSelectorError::InvalidEscape { .. })),
            "UnescapeValue({invalid})"
        );
    }
}

#[test]
fn test_selector_parse() {
    let good = ["x=a,y=b,z=c", "", "x!=a,y=b", r"x=a||y\=b", r"x=a\=\=b"];
    let bad = ["x=a||y=b", "x==a==b", "x=a,b", "x in (a)", "x in (a,b,c)", "x"];
    for test in good {
        let lq = parse(test).unwrap_or_else(|e| panic!("{test}: {e}"));
        assert_eq!(test, lq.to_string(), "{test} restring");
    }
    for test in bad {
        assert!(parse(test).is_err(), "{test}: did not get expected error");
    }
}

#[test]
fn test_deterministic_parse() {
    assert_eq!(
        parse("x=a,a=x").unwrap().to_string(),
        parse("a=x,x=a").unwrap().to_string()
    );
}

#[test]
fn test_everything() {
    assert!(FieldSelector::everything().matches(&set(&[("x", "y")])));
    assert!(FieldSelector::everything().is_empty());
}

#[track_caller]
fn expect_match(selector: &str, fields: &BTreeMap<String, String>) {
    let lq = parse(selector).unwrap_or_else(|e| panic!("unable to parse {selector}: {e}"));
    assert!(
        lq.matches(fields),
        "wanted {selector} to match {fields:?}, but it did not"
    );
}

#[track_caller]
fn expect_no_match(selector: &str, fields: &BTreeMap<String, String>) {
    let lq = parse(selector).unwrap_or_else(|e| panic!("unable to parse {selector}: {e}"));
    assert!(
        !lq.matches(fields),
        "wanted {selector} not to match {fields:?}, but it did"
    );
}

#[test]
fn test_selector_matches() {
    expect_match("", &set(&[("x", "y")]));
    expect_match("x=y", &set(&[("x", "y")]));
    expect_match("x=y,z=w", &set(&[("x", "y"), ("z", "w")]));
    expect_match("x!=y,z!=w", &set(&[("x", "z"), ("z", "a")]));
    expect_match("notin=in", &set(&[("notin", "in")])); // in and notin in exactMatch
    expect_no_match("x=y", &set(&[("x", "z")]));
    expect_no_match("x=y,z=w", &set(&[("x", "w"), ("z", "w")]));
    expect_no_match("x!=y,z!=w", &set(&[("x", "z"), ("z", "w")]));

    let fieldset = set(&[("foo", "bar"), ("baz", "blah"), ("complex", r"=value\,\")]);
    expect_match("foo=bar", &fieldset);
    expect_match("baz=blah", &fieldset);
    expect_match("foo=bar,baz=blah", &fieldset);
    expect_match(r"foo=bar,baz=blah,complex=\=value\\\,\\", &fieldset);
    expect_no_match("foo=blah", &fieldset);
    expect_no_match("baz=bar", &fieldset);
    expect_no_match("foo=bar,foobar=bar,baz=blah", &fieldset);
}

#[test]
fn test_one_term_equal_selector() {
    assert!(FieldSelector::one_term_equal("x", "y").matches(&set(&[("x", "y")])));
    assert!(!FieldSelector::one_term_equal("x", "y").matches(&set(&[("x", "z")])));
}

#[test]
fn test_set_matches() {
    let labelset = set(&[("foo", "bar"), ("baz", "blah")]);
    for selector in [
        set(&[]),
        set(&[("foo", "bar")]),
        set(&[("baz", "blah")]),
        set(&[("foo", "bar"), ("baz", "blah")]),
    ] {
        assert!(FieldSelector::from_fields(&selector).matches(&labelset), "{selector:?}");
    }
    for selector in [
        set(&[("foo", "=blah")]),
        set(&[("baz", "=bar")]),
        set(&[("foo", "=bar"), ("foobar", "bar"), ("baz", "blah")]),
    ] {
        assert!(
            !FieldSelector::from_fields(&selector).matches(&labelset),
            "{selector:?}"
        );
    }
}

#[test]
fn test_nil_map_is_valid_and_set_is_empty() {
    // TestNilMapIsValid and TestSetIsEmpty: an empty set is Everything, a term is not empty.
    assert!(FieldSelector::from_fields(&set(&[])).is_empty());
    assert!(!FieldSelector::one_term_equal("", "").is_empty());
    assert!(!FieldSelector::one_term_equal("a", "b").is_empty());
    assert!(!parse("a!=b").unwrap().is_empty());
}

#[test]
fn test_requires_exact_match() {
    let not_has = |f: &str, v: &str| FieldSelector {
        requirements: vec![FieldRequirement {
            field: f.into(),
            value: v.into(),
            equal: false,
        }],
    };
    let and = |terms: &[(&str, &str)]| FieldSelector {
        requirements: terms
            .iter()
            .map(|(f, v)| FieldRequirement {
                field: (*f).into(),
                value: (*v).into(),
                equal: true,
            })
            .collect(),
    };
    let cases = [
        ("empty set", FieldSelector::from_fields(&set(&[])), None),
        ("empty hasTerm", FieldSelector::one_term_equal("", ""), None),
        ("skipped hasTerm", FieldSelector::one_term_equal("a", "b"), None),
        ("valid hasTerm", FieldSelector::one_term_equal("test", "b"), Some("b")),
        (
            "valid hasTerm no value",
            FieldSelector::one_term_equal("test", ""),
            Some(""),
        ),
        ("valid notHasTerm", not_has("test", "b"), None),
        ("valid notHasTerm no value", not_has("test", ""), None),
        ("empty andTerm", and(&[]), None),
        ("nested andTerm matches", and(&[("test", "b")]), Some("b")),
        ("andTerm with non-match", and(&[("", ""), ("test", "b")]), Some("b")),
    ];
    for (name, selector, want) in cases {
        assert_eq!(selector.requires_exact_match("test"), want, "{name}");
    }
}

#[test]
fn test_transform() {
    type Transform = fn(&str, &str) -> Result<(String, String), ()>;
    let same: Transform = |f, v| Ok((f.into(), v.into()));
    let cases: [(&str, Transform, &str, bool); 5] = [
        ("", same, "", true),
        ("a=b,c=d", same, "a=b,c=d", false),
        (
            "a=b,c=d",
            |f, v| {
                Ok(if f == "a" {
                    ("e".into(), "f".into())
                } else {
                    (f.into(), v.into())
                })
            },
            "e=f,c=d",
            false,
        ),
        ("a=b", |_, _| Ok((String::new(), String::new())), "", true),
        (
            "a=b,c=d,e=f",
            |f, v| {
                Ok(if f == "c" {
                    (String::new(), String::new())
                } else {
                    (f.into(), v.into())
                })
            },
            "a=b,e=f",
            false,
        ),
    ];
    for (selector, transform, result, empty) in cases {
        let got = parse(selector).unwrap().transform(transform).unwrap();
        assert_eq!(got.is_empty(), empty, "{selector}");
        assert_eq!(got.to_string(), result, "{selector}");
    }
}

#[test]
fn test_set_string() {
    // fields_test.go's TestSetString: a set's selector string, sorted.
    for (fields, out) in [
        (set(&[("x", "y")]), "x=y"),
        (set(&[("foo", "bar")]), "foo=bar"),
        (set(&[("foo", "bar"), ("baz", "qup")]), "baz=qup,foo=bar"),
    ] {
        assert_eq!(FieldSelector::from_fields(&fields).to_string(), out);
    }
}

#[test]
fn nothing_is_trimmed_and_bad_values_are_refused() {
    // Not an apimachinery case: what the issue found different before (spaces kept, `=` and bad
    // escapes refused), with apimachinery's answers.
    let s = parse(" metadata.name = a ").unwrap();
    assert_eq!(s.requirements()[0].field, " metadata.name ");
    assert_eq!(s.requirements()[0].value, " a ");
    assert_eq!(
        parse("a=b=c"),
        Err(FieldSelectorError::UnescapedCharacter { character: '=' })
    );
    assert_eq!(
        parse("a=b=c").unwrap_err().to_string(),
        "invalid field selector: unescaped character in value: 61"
    );
    assert_eq!(
        parse(r"a=\x"),
        Err(FieldSelectorError::InvalidEscape { sequence: r"\x".into() })
    );
    assert!(parse("=").unwrap().is_empty());
}
