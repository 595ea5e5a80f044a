//! Expected causes come from a Go oracle: a program calling apiextensions-apiserver
//! v0.37.2's `customresource.NewStrategy(...).Validate` and `ValidateUpdate` (schema
//! validator, structural schema and CEL validator as kube-apiserver builds them) on the same
//! schema and objects, with the metadata errors left out. Where Go's random map order lists
//! sibling fields differently from run to run, the expected order is this module's (keys in
//! byte order), one of the orders Go gives. Go's printing helpers are checked against
//! `fmt`, `strconv` and `encoding/json` output.

use super::*;

/// [`super::validate`] with no blocking metadata cause, as most cases are.
fn validate(schema: &Value, object: &Value, old: Option<&Value>) -> Vec<Cause> {
    super::validate(schema, object, old, false)
}

/// The object as the harness sent it to the oracle: `apiVersion`, `kind` and a name added.
fn resource(json: &str) -> Value {
    let mut v: Value = serde_json::from_str(json).expect("test JSON");
    v["apiVersion"] = Value::from("example.com/v1");
    v["kind"] = Value::from("Widget");
    if v.pointer("/metadata/name").is_none() {
        if !v["metadata"].is_object() {
            v["metadata"] = Value::Object(Map::new());
        }
        v["metadata"]["name"] = Value::from("w");
    }
    v
}

fn check(schema: &str, object: &str, old: Option<&str>, expected: &[(&str, &str, &str)]) {
    let schema: Value = serde_json::from_str(schema).expect("test schema");
    let old = old.map(resource);
    let causes = validate(&schema, &resource(object), old.as_ref());
    let got: Vec<(&str, &str, &str)> = causes
        .iter()
        .map(|c| (c.field.as_str(), c.reason, c.message.as_str()))
        .collect();
    assert_eq!(got, expected);
}

/// `PruneNonNullableNullsWithoutDefaults`, as its Go source reads: nulls of nullable or
/// defaulted fields, of unknown fields and in lists stay.
#[test]
fn non_nullable_nulls_are_pruned() {
    let schema: Value = serde_json::from_str(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{
            "a":{"type":"string"},"b":{"type":"string","nullable":true},"c":{"type":"string","default":"x"},
            "l":{"type":"array","items":{"type":"object","properties":{"d":{"type":"integer"}}}},
            "m":{"type":"object","additionalProperties":{"type":"string"}},
            "u":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}"#,
    )
    .expect("test schema");
    let mut object = serde_json::json!({"spec": {
        "a": null, "b": null, "c": null, "l": [null, {"d": null}], "m": {"k": null}, "u": {"z": null}, "x": null,
    }});
    prune_non_nullable_nulls(&mut object, &schema);
    assert_eq!(
        object,
        serde_json::json!({"spec": {"b": null, "c": null, "l": [null, {}], "m": {}, "u": {"z": null}, "x": null}})
    );
}

/// Go's `%v`, `strconv.FormatFloat(f, 'f', -1, 64)` and `encoding/json` for floats.
#[test]
fn floats_print_like_go() {
    let cases: [(f64, &str, &str, &str); 13] = [
        (1.0, "1", "1", "1"),
        (1.5, "1.5", "1.5", "1.5"),
        (100000.0, "100000", "100000", "100000"),
        (1234567.0, "1.234567e+06", "1234567", "1234567"),
        (1e6, "1e+06", "1000000", "1000000"),
        (1e20, "1e+20", "100000000000000000000", "100000000000000000000"),
        (1e21, "1e+21", "1e+21", "1000000000000000000000"),
        (0.0001, "0.0001", "0.0001", "0.0001"),
        (0.00001, "1e-05", "0.00001", "0.00001"),
        (1e-7, "1e-07", "1e-7", "0.0000001"),
        (123456789.125, "1.23456789125e+08", "123456789.125", "123456789.125"),
        (
            3.4999999999999996,
            "3.4999999999999996",
            "3.4999999999999996",
            "3.4999999999999996",
        ),
        (
            1.7976931348623157e308,
            "1.7976931348623157e+308",
            "1.7976931348623157e+308",
            "",
        ),
    ];
    for (f, v, json, fixed) in cases {
        assert_eq!(go_float_v(f), v, "{f} %v");
        assert_eq!(go_json_float(f), json, "{f} json");
        if !fixed.is_empty() {
            assert_eq!(format!("{f}"), fixed, "{f} 'f'");
        }
    }
}

/// `strconv.Quote` and `json.Marshal` of strings and values.
#[test]
fn strings_and_values_print_like_go() {
    assert_eq!(
        go_quote("a\"\\\n\t\u{1}\u{7f}é\u{a0}\u{200b}\u{1F600}\u{301}\u{feff}"),
        "\"a\\\"\\\\\\n\\t\\x01\\x7fé\\u00a0\\u200b\u{1F600}\u{301}\\ufeff\""
    );
    let value = serde_json::json!({"b": "<&>\u{8}\u{c}\n\u{1}\u{2028}é\u{7f}", "a": [1, 1.0, null, true]});
    assert_eq!(
        go_json(&value),
        "{\"a\":[1,1,null,true],\"b\":\"\\u003c\\u0026\\u003e\\b\\f\\n\\u0001\\u2028é\u{7f}\"}"
    );
}

/// Go's `time.ParseDuration` and strfmt's fallback, in nanoseconds, as kube-openapi's
/// `strfmt.ParseDuration` gives them.
#[test]
fn durations_parse_like_strfmt() {
    assert_eq!(parse_duration("1h30m"), Some(5_400_000_000_000));
    assert_eq!(parse_duration("1.5s"), Some(1_500_000_000));
    assert_eq!(parse_duration("-3m"), Some(-180_000_000_000));
    assert_eq!(parse_duration("5µs"), Some(5_000));
    assert_eq!(parse_duration("0"), Some(0));
    assert_eq!(parse_duration("5 days"), Some(432_000_000_000_000));
    assert_eq!(parse_duration("3 weeks 2 hours"), Some(1_821_600_000_000_000));
    assert_eq!(parse_duration("10 foo"), None);
    assert_eq!(parse_duration("1x"), None);
}

/// Go patterns: ASCII classes, and what means something else inside a class in Rust.
#[test]
fn go_patterns_translate() {
    assert_eq!(
        translate_go_regex(r"^\d+\w\s\b$"),
        r"^[0-9]+[0-9A-Za-z_][\t\n\f\r ](?-u:\b)$"
    );
    assert_eq!(translate_go_regex(r"[a&&b~~c[]"), r"[a\&\&b\~\~c\[]");
    assert_eq!(translate_go_regex(r"[]a][^]b][[:alpha:]]"), r"[\]a][^\]b][[:alpha:]]");
    assert_eq!(translate_go_regex(r"\Qa.b\E+"), r"a\.b+");
    assert!(go_regex(r"[\d-]").is_ok_and(|re| re.is_match("-") && !re.is_match("٣")));
    assert_eq!(
        go_regex("[x").err().as_deref(),
        Some("error parsing regexp: missing closing ]: `[x`")
    );
}

/// `cel.Escape` of property names.
#[test]
fn property_names_escape_like_kubernetes() {
    assert_eq!(cel_escape("namespace").as_deref(), Some("__namespace__"));
    assert_eq!(cel_escape("a-b.c/d").as_deref(), Some("a__dash__b__dot__c__slash__d"));
    assert_eq!(cel_escape("a__b").as_deref(), Some("a__underscores__b"));
    assert_eq!(cel_escape("a_b").as_deref(), Some("a_b"));
    assert_eq!(cel_escape("1x"), None);
    assert_eq!(cel_escape("a b"), None);
}

/// `type: integer` given a string: the example of the brief. Texts and order from the Go oracle.
#[test]
fn type_integer_given_a_string() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"replicas":{"type":"integer","minimum":1}}}}}"#,
        r#"{"spec":{"replicas":"x"}}"#,
        None,
        &[(
            "spec.replicas",
            "FieldValueTypeInvalid",
            "Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"",
        )],
    );
}

/// A value of the wrong kind for each type, and how kube-openapi names the kinds. Texts from the Go
/// oracle, which lists sibling fields in random order.
#[test]
fn type_of_each_kind() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"o":{"type":"object"},"a":{"type":"array","items":{"type":"string"}},"s":{"type":"string"},"i":{"type":"integer"},"n":{"type":"number"},"b":{"type":"boolean"}}}}}"#,
        r#"{"spec":{"o":[1],"a":{"x":1},"s":1.5,"i":true,"n":"1","b":"true"}}"#,
        None,
        &[
            (
                "spec.a",
                "FieldValueTypeInvalid",
                "Invalid value: \"object\": spec.a in body must be of type array: \"object\"",
            ),
            (
                "spec.b",
                "FieldValueTypeInvalid",
                "Invalid value: \"string\": spec.b in body must be of type boolean: \"string\"",
            ),
            (
                "spec.i",
                "FieldValueTypeInvalid",
                "Invalid value: \"boolean\": spec.i in body must be of type integer: \"boolean\"",
            ),
            (
                "spec.n",
                "FieldValueTypeInvalid",
                "Invalid value: \"string\": spec.n in body must be of type number: \"string\"",
            ),
            (
                "spec.o",
                "FieldValueTypeInvalid",
                "Invalid value: \"array\": spec.o in body must be of type object: \"array\"",
            ),
            (
                "spec.s",
                "FieldValueTypeInvalid",
                "Invalid value: \"number\": spec.s in body must be of type string: \"number\"",
            ),
        ],
    );
}

/// `1.5` for an integer: the type error, and the range check reported on the object itself. Texts and
/// order from the Go oracle.
#[test]
fn integer_given_a_fraction_also_fails_its_range_check() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"integer","minimum":1}}}}}"#,
        r#"{"spec":{"r":1.5}}"#,
        None,
        &[
            (
                "spec.r",
                "FieldValueTypeInvalid",
                "Invalid value: \"number\": spec.r in body must be of type integer: \"number\"",
            ),
            (
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: \"\": Checked value must be of type integer (default format) in spec.r",
            ),
        ],
    );
}

/// `3.0` is an integer for kube-openapi, `2` a number. Texts from the Go oracle, which lists sibling
/// fields in random order.
#[test]
fn integral_floats_are_integers_and_integers_numbers() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"i":{"type":"integer","maximum":2},"j":{"type":"integer","minimum":3},"k":{"type":"number","maximum":1}}}}}"#,
        r#"{"spec":{"i":3.0,"j":2.0,"k":2}}"#,
        None,
        &[
            (
                "spec.i",
                "FieldValueInvalid",
                "Invalid value: 3: spec.i in body should be less than or equal to 2",
            ),
            (
                "spec.j",
                "FieldValueInvalid",
                "Invalid value: 2: spec.j in body should be greater than or equal to 3",
            ),
            (
                "spec.k",
                "FieldValueInvalid",
                "Invalid value: 2: spec.k in body should be less than or equal to 1",
            ),
        ],
    );
}

/// `nullable: true` allows null, even with `required` below it. Texts and order from the Go oracle.
#[test]
fn nullable_allows_null() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"o":{"type":"object","nullable":true,"properties":{"x":{"type":"integer"}},"required":["x"]},"l":{"type":"array","nullable":true,"items":{"type":"string"}},"s":{"type":"string","nullable":true,"minLength":3}}}}}"#,
        r#"{"spec":{"o":null,"l":null,"s":null}}"#,
        None,
        &[],
    );
}

/// null for non-nullable object, array item and boolean. Texts from the Go oracle, which lists sibling
/// fields in random order.
#[test]
fn null_where_not_nullable() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"o":{"type":"object"},"l":{"type":"array","items":{"type":"string"}},"b":{"type":"boolean"}}}}}"#,
        r#"{"spec":{"o":null,"l":[null,"x"],"b":null}}"#,
        None,
        &[
            (
                "spec.b",
                "FieldValueTypeInvalid",
                "Invalid value: \"null\": spec.b in body must be of type boolean: \"null\"",
            ),
            (
                "spec.l[0]",
                "FieldValueTypeInvalid",
                "Invalid value: \"null\": spec.l[0] in body must be of type string: \"null\"",
            ),
            (
                "spec.o",
                "FieldValueTypeInvalid",
                "Invalid value: \"null\": spec.o in body must be of type object: \"null\"",
            ),
        ],
    );
}

/// null is reported by the type and the enum validators. Texts and order from the Go oracle.
#[test]
fn null_with_an_enum() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"integer","enum":[1]}}}}}"#,
        r#"{"spec":{"r":null}}"#,
        None,
        &[
            (
                "spec.r",
                "FieldValueTypeInvalid",
                "Invalid value: \"null\": spec.r in body must be of type integer: \"null\"",
            ),
            (
                "spec.r",
                "FieldValueNotSupported",
                "Unsupported value: null: supported values: \"1\"",
            ),
        ],
    );
}

/// a nullable enum still refuses null. Texts and order from the Go oracle.
#[test]
fn null_with_an_enum_even_when_nullable() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"integer","nullable":true,"enum":[1]}}}}}"#,
        r#"{"spec":{"r":null}}"#,
        None,
        &[(
            "spec.r",
            "FieldValueNotSupported",
            "Unsupported value: null: supported values: \"1\"",
        )],
    );
}

/// `minimum`. Texts and order from the Go oracle.
#[test]
fn minimum() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"replicas":{"type":"integer","minimum":1}}}}}"#,
        r#"{"spec":{"replicas":0}}"#,
        None,
        &[(
            "spec.replicas",
            "FieldValueInvalid",
            "Invalid value: 0: spec.replicas in body should be greater than or equal to 1",
        )],
    );
}

/// `exclusiveMinimum` and `exclusiveMaximum`. Texts from the Go oracle, which lists sibling fields in
/// random order.
#[test]
fn exclusive_minimum_and_maximum() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer","minimum":3,"exclusiveMinimum":true},"b":{"type":"number","maximum":2.5,"exclusiveMaximum":true}}}}}"#,
        r#"{"spec":{"a":3,"b":2.5}}"#,
        None,
        &[
            (
                "spec.a",
                "FieldValueInvalid",
                "Invalid value: 3: spec.a in body should be greater than 3",
            ),
            (
                "spec.b",
                "FieldValueInvalid",
                "Invalid value: 2.5: spec.b in body should be less than 2.5",
            ),
        ],
    );
}

/// Go prints float bounds with `%v`: `1.2345675e+06`, `1e-05`. Texts and order from the Go oracle.
#[test]
fn float_bounds_print_like_go() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"number","minimum":1234567.5,"maximum":1e-05}}}}}"#,
        r#"{"spec":{"r":0.25}}"#,
        None,
        &[
            (
                "spec.r",
                "FieldValueInvalid",
                "Invalid value: 0.25: spec.r in body should be greater than or equal to 1.2345675e+06",
            ),
            (
                "spec.r",
                "FieldValueInvalid",
                "Invalid value: 0.25: spec.r in body should be less than or equal to 1e-05",
            ),
        ],
    );
}

/// A fractional `minimum` on an integer fails its own range check, whatever the value. Texts and order
/// from the Go oracle.
#[test]
fn fractional_minimum_of_an_integer() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"integer","minimum":1.5}}}}}"#,
        r#"{"spec":{"r":5}}"#,
        None,
        &[(
            "<nil>",
            "FieldValueInvalid",
            "Invalid value: \"\": Minimum boundary value must be of type integer (default format) in spec.r",
        )],
    );
}

/// kube-openapi compares an integer value with the truncated bound: `0 >= 0.5` passes. Texts and order
/// from the Go oracle.
#[test]
fn integer_below_a_fractional_minimum_of_a_number_passes() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"number","minimum":0.5}}}}}"#,
        r#"{"spec":{"r":0}}"#,
        None,
        &[],
    );
}

/// `multipleOf` on integers and floats (`0.35` is no multiple of `0.1` in floating point). Texts from
/// the Go oracle, which lists sibling fields in random order.
#[test]
fn multiple_of() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer","multipleOf":3},"b":{"type":"number","multipleOf":0.1},"c":{"type":"number","multipleOf":2.5}}}}}"#,
        r#"{"spec":{"a":4,"b":0.35,"c":6}}"#,
        None,
        &[
            (
                "spec.a",
                "FieldValueInvalid",
                "Invalid value: 4: spec.a in body should be a multiple of 3",
            ),
            (
                "spec.b",
                "FieldValueInvalid",
                "Invalid value: 0.35: spec.b in body should be a multiple of 0.1",
            ),
        ],
    );
}

/// `multipleOf` zero or negative, and fractional on an integer. Texts from the Go oracle, which lists
/// sibling fields in random order.
#[test]
fn multiple_of_not_positive() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer","multipleOf":-2},"b":{"type":"number","multipleOf":-0.5},"c":{"type":"integer","multipleOf":0.5},"d":{"type":"number","multipleOf":3}}}}}"#,
        r#"{"spec":{"a":4,"b":1.0,"c":3,"d":7.5}}"#,
        None,
        &[
            (
                "spec.a",
                "FieldValueInvalid",
                "Invalid value: -2: factor MultipleOf declared for spec.a must be positive: -2",
            ),
            (
                "spec.b",
                "FieldValueInvalid",
                "Invalid value: -0.5: factor MultipleOf declared for spec.b must be positive: -0.5",
            ),
            (
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: \"\": MultipleOf value must be of type integer (default format) in spec.c",
            ),
            (
                "spec.d",
                "FieldValueInvalid",
                "Invalid value: 7.5: spec.d in body should be a multiple of 3",
            ),
        ],
    );
}

/// `format: int32` bounds the value. Texts and order from the Go oracle.
#[test]
fn format_int32_range() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"integer","format":"int32"}}}}}"#,
        r#"{"spec":{"r":3000000000}}"#,
        None,
        &[(
            "<nil>",
            "FieldValueInvalid",
            "Invalid value: \"\": Checked value must be of type integer with format int32 in spec.r",
        )],
    );
}

/// `format: int32` names the type error after the format. Texts and order from the Go oracle.
#[test]
fn format_int32_given_a_float() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"integer","format":"int32"}}}}}"#,
        r#"{"spec":{"r":1.5}}"#,
        None,
        &[
            (
                "spec.r",
                "FieldValueTypeInvalid",
                "Invalid value: \"float64\": spec.r in body must be of type int32: \"float64\"",
            ),
            (
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: \"\": Checked value must be of type integer with format int32 in spec.r",
            ),
        ],
    );
}

/// Integers past int64 decode as floats; `1e23` against `maximum: 1e22`. Texts from the Go oracle,
/// which lists sibling fields in random order.
#[test]
fn numbers_beyond_int64_and_float_formats() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer","maximum":10},"b":{"type":"number","maximum":1e+22},"c":{"type":"integer"},"d":{"type":"number","minimum":-1e-07}}}}}"#,
        r#"{"spec":{"a":18446744073709551615,"b":1e+23,"c":1e+20,"d":-1e-06}}"#,
        None,
        &[
            (
                "spec.a",
                "FieldValueTypeInvalid",
                "Invalid value: \"number\": spec.a in body must be of type integer: \"number\"",
            ),
            (
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: \"\": Checked value must be of type integer (default format) in spec.a",
            ),
            (
                "spec.a",
                "FieldValueInvalid",
                "Invalid value: 1.8446744073709552e+19: spec.a in body should be less than or equal to 10",
            ),
            (
                "spec.b",
                "FieldValueInvalid",
                "Invalid value: 1e+23: spec.b in body should be less than or equal to 1e+22",
            ),
            (
                "spec.c",
                "FieldValueTypeInvalid",
                "Invalid value: \"number\": spec.c in body must be of type integer: \"number\"",
            ),
            (
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: \"\": Checked value must be of type integer (default format) in spec.c",
            ),
            (
                "spec.d",
                "FieldValueInvalid",
                "Invalid value: -1e-06: spec.d in body should be greater than or equal to -1e-07",
            ),
        ],
    );
}

/// `maxLength`, `minLength` and `pattern`: only the first failure is reported. Texts and order from the
/// Go oracle.
#[test]
fn max_length_stops_the_string_checks() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"string","maxLength":2,"minLength":1,"pattern":"^a"}}}}}"#,
        r#"{"spec":{"r":"bcd"}}"#,
        None,
        &[("spec.r", "FieldValueTooLong", "Too long: may not be more than 2 bytes")],
    );
}

/// `maxLength` counts runes, the message says bytes (and byte for 1). Texts and order from the Go
/// oracle.
#[test]
fn max_length_counts_runes_and_says_bytes() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"string","maxLength":1,"pattern":"^a"}}}}}"#,
        r#"{"spec":{"r":"b\né "}}"#,
        None,
        &[("spec.r", "FieldValueTooLong", "Too long: may not be more than 1 byte")],
    );
}

/// Runes for `minLength`; Go's ASCII `\d`, `\w`, `\s` and `\b` in patterns. Texts from the Go oracle,
/// which lists sibling fields in random order.
#[test]
fn min_length_and_patterns_with_go_classes() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"s":{"type":"string","maxLength":3},"t":{"type":"string","minLength":4},"u":{"type":"string","pattern":"^\\d+$"},"v":{"type":"string","pattern":"\\w+\\s\\bx"}}}}}"#,
        r#"{"spec":{"s":"héé","t":"héé","u":"١٢","v":"é x"}}"#,
        None,
        &[
            (
                "spec.t",
                "FieldValueInvalid",
                "Invalid value: \"héé\": spec.t in body should be at least 4 chars long",
            ),
            (
                "spec.u",
                "FieldValueInvalid",
                "Invalid value: \"١٢\": spec.u in body should match '^\\d+$'",
            ),
            (
                "spec.v",
                "FieldValueInvalid",
                "Invalid value: \"é x\": spec.v in body should match '\\w+\\s\\bx'",
            ),
        ],
    );
}

/// `may not be more than 1 byte`. Texts from the Go oracle, which lists sibling fields in random order.
#[test]
fn max_length_of_one_and_zero() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"s":{"type":"string","maxLength":1},"t":{"type":"string","maxLength":0}}}}}"#,
        r#"{"spec":{"s":"ab","t":"a"}}"#,
        None,
        &[
            ("spec.s", "FieldValueTooLong", "Too long: may not be more than 1 byte"),
            ("spec.t", "FieldValueTooLong", "Too long: may not be more than 0 bytes"),
        ],
    );
}

/// `format: date`. Texts from the Go oracle, which lists sibling fields in random order.
#[test]
fn format_date() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"date"},"v01":{"type":"string","format":"date"},"v02":{"type":"string","format":"date"},"v03":{"type":"string","format":"date"},"v04":{"type":"string","format":"date"}}}}}"#,
        r#"{"spec":{"v00":"2020-02-29","v01":"2021-02-29","v02":"2020-1-01","v03":"2020-13-01","v04":"20200101"}}"#,
        None,
        &[
            (
                "spec.v01",
                "FieldValueTypeInvalid",
                "Invalid value: \"2021-02-29\": spec.v01 in body must be of type date: \"2021-02-29\"",
            ),
            (
                "spec.v02",
                "FieldValueTypeInvalid",
                "Invalid value: \"2020-1-01\": spec.v02 in body must be of type date: \"2020-1-01\"",
            ),
            (
                "spec.v03",
                "FieldValueTypeInvalid",
                "Invalid value: \"2020-13-01\": spec.v03 in body must be of type date: \"2020-13-01\"",
            ),
            (
                "spec.v04",
                "FieldValueTypeInvalid",
                "Invalid value: \"20200101\": spec.v04 in body must be of type date: \"20200101\"",
            ),
        ],
    );
}

/// `format: date-time`. Texts from the Go oracle, which lists sibling fields in random order.
#[test]
fn format_date_time() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"date-time"},"v01":{"type":"string","format":"date-time"},"v02":{"type":"string","format":"date-time"},"v03":{"type":"string","format":"date-time"},"v04":{"type":"string","format":"date-time"}}}}}"#,
        r#"{"spec":{"v00":"2020-01-01T00:00:00Z","v01":"2020-01-01t00:00:00.5+01:00","v02":"2020-01-01T24:00:00Z","v03":"2020-01-01 00:00:00Z","v04":"2020-01-01T00:00:00"}}"#,
        None,
        &[
            (
                "spec.v02",
                "FieldValueTypeInvalid",
                "Invalid value: \"2020-01-01T24:00:00Z\": spec.v02 in body must be of type date-time: \"2020-01-01T24:00:00Z\"",
            ),
            (
                "spec.v03",
                "FieldValueTypeInvalid",
                "Invalid value: \"2020-01-01 00:00:00Z\": spec.v03 in body must be of type date-time: \"2020-01-01 00:00:00Z\"",
            ),
            (
                "spec.v04",
                "FieldValueTypeInvalid",
                "Invalid value: \"2020-01-01T00:00:00\": spec.v04 in body must be of type date-time: \"2020-01-01T00:00:00\"",
            ),
        ],
    );
}

/// `format: duration`. Texts from the Go oracle, which lists sibling fields in random order.
#[test]
fn format_duration() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"duration"},"v01":{"type":"string","format":"duration"},"v02":{"type":"string","format":"duration"},"v03":{"type":"string","format":"duration"},"v04":{"type":"string","format":"duration"},"v05":{"type":"string","format":"duration"},"v06":{"type":"string","format":"duration"},"v07":{"type":"string","format":"duration"},"v08":{"type":"string","format":"duration"},"v09":{"type":"string","format":"duration"}}}}}"#,
        r#"{"spec":{"v00":"1h30m","v01":"5 days","v02":"1.5s","v03":"-3m","v04":"10 foo","v05":"3 weeks 2 hours","v06":"0","v07":"1x","v08":"µs","v09":"5µs"}}"#,
        None,
        &[
            (
                "spec.v04",
                "FieldValueTypeInvalid",
                "Invalid value: \"10 foo\": spec.v04 in body must be of type duration: \"10 foo\"",
            ),
            (
                "spec.v07",
                "FieldValueTypeInvalid",
                "Invalid value: \"1x\": spec.v07 in body must be of type duration: \"1x\"",
            ),
            (
                "spec.v08",
                "FieldValueTypeInvalid",
                "Invalid value: \"µs\": spec.v08 in body must be of type duration: \"µs\"",
            ),
        ],
    );
}

/// `format: byte`. Texts from the Go oracle, which lists sibling fields in random order.
#[test]
fn format_byte() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"byte"},"v01":{"type":"string","format":"byte"},"v02":{"type":"string","format":"byte"},"v03":{"type":"string","format":"byte"}}}}}"#,
        r#"{"spec":{"v00":"aGVsbG8=","v01":"aGVsbG8","v02":"","v03":"a+b/"}}"#,
        None,
        &[
            (
                "spec.v01",
                "FieldValueTypeInvalid",
                "Invalid value: \"aGVsbG8\": spec.v01 in body must be of type byte: \"aGVsbG8\"",
            ),
            (
                "spec.v02",
                "FieldValueTypeInvalid",
                "Invalid value: \"\": spec.v02 in body must be of type byte: \"\"",
            ),
        ],
    );
}

/// `format: uuid`. Texts and order from the Go oracle.
#[test]
fn format_uuid() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"uuid"},"v01":{"type":"string","format":"uuid"},"v02":{"type":"string","format":"uuid"}}}}}"#,
        r#"{"spec":{"v00":"123e4567-e89b-12d3-a456-426614174000","v01":"123E4567E89B12D3A456426614174000","v02":"nope"}}"#,
        None,
        &[(
            "spec.v02",
            "FieldValueTypeInvalid",
            "Invalid value: \"nope\": spec.v02 in body must be of type uuid: \"nope\"",
        )],
    );
}

/// `format: ipv4`. Texts from the Go oracle, which lists sibling fields in random order.
#[test]
fn format_ipv4() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"ipv4"},"v01":{"type":"string","format":"ipv4"},"v02":{"type":"string","format":"ipv4"},"v03":{"type":"string","format":"ipv4"},"v04":{"type":"string","format":"ipv4"}}}}}"#,
        r#"{"spec":{"v00":"1.2.3.4","v01":"01.2.3.4","v02":"256.1.1.1","v03":"1.2.3","v04":"::ffff:1.2.3.4"}}"#,
        None,
        &[
            (
                "spec.v02",
                "FieldValueTypeInvalid",
                "Invalid value: \"256.1.1.1\": spec.v02 in body must be of type ipv4: \"256.1.1.1\"",
            ),
            (
                "spec.v03",
                "FieldValueTypeInvalid",
                "Invalid value: \"1.2.3\": spec.v03 in body must be of type ipv4: \"1.2.3\"",
            ),
        ],
    );
}

/// `format: ipv6`. Texts from the Go oracle, which lists sibling fields in random order.
#[test]
fn format_ipv6() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"ipv6"},"v01":{"type":"string","format":"ipv6"},"v02":{"type":"string","format":"ipv6"},"v03":{"type":"string","format":"ipv6"}}}}}"#,
        r#"{"spec":{"v00":"::1","v01":"1.2.3.4","v02":"fe80::1%eth0","v03":"2001:db8::"}}"#,
        None,
        &[
            (
                "spec.v01",
                "FieldValueTypeInvalid",
                "Invalid value: \"1.2.3.4\": spec.v01 in body must be of type ipv6: \"1.2.3.4\"",
            ),
            (
                "spec.v02",
                "FieldValueTypeInvalid",
                "Invalid value: \"fe80::1%eth0\": spec.v02 in body must be of type ipv6: \"fe80::1%eth0\"",
            ),
        ],
    );
}

/// `format: cidr`. Texts from the Go oracle, which lists sibling fields in random order.
#[test]
fn format_cidr() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"cidr"},"v01":{"type":"string","format":"cidr"},"v02":{"type":"string","format":"cidr"},"v03":{"type":"string","format":"cidr"},"v04":{"type":"string","format":"cidr"}}}}}"#,
        r#"{"spec":{"v00":"10.0.0.0/8","v01":"10.0.0.0/33","v02":"::/0","v03":"1.2.3.4","v04":"010.0.0.0/8"}}"#,
        None,
        &[
            (
                "spec.v01",
                "FieldValueTypeInvalid",
                "Invalid value: \"10.0.0.0/33\": spec.v01 in body must be of type cidr: \"10.0.0.0/33\"",
            ),
            (
                "spec.v03",
                "FieldValueTypeInvalid",
                "Invalid value: \"1.2.3.4\": spec.v03 in body must be of type cidr: \"1.2.3.4\"",
            ),
        ],
    );
}

/// `format: mac`. Texts from the Go oracle, which lists sibling fields in random order.
#[test]
fn format_mac() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"mac"},"v01":{"type":"string","format":"mac"},"v02":{"type":"string","format":"mac"},"v03":{"type":"string","format":"mac"},"v04":{"type":"string","format":"mac"}}}}}"#,
        r#"{"spec":{"v00":"01:23:45:67:89:ab","v01":"01-23-45-67-89-ab","v02":"0123.4567.89ab","v03":"01:23:45:67:89","v04":"01:23-45:67:89:ab"}}"#,
        None,
        &[
            (
                "spec.v03",
                "FieldValueTypeInvalid",
                "Invalid value: \"01:23:45:67:89\": spec.v03 in body must be of type mac: \"01:23:45:67:89\"",
            ),
            (
                "spec.v04",
                "FieldValueTypeInvalid",
                "Invalid value: \"01:23-45:67:89:ab\": spec.v04 in body must be of type mac: \"01:23-45:67:89:ab\"",
            ),
        ],
    );
}

/// `format: hostname`. Texts from the Go oracle, which lists sibling fields in random order.
#[test]
fn format_hostname() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"hostname"},"v01":{"type":"string","format":"hostname"},"v02":{"type":"string","format":"hostname"},"v03":{"type":"string","format":"hostname"},"v04":{"type":"string","format":"hostname"},"v05":{"type":"string","format":"hostname"},"v06":{"type":"string","format":"hostname"}}}}}"#,
        r#"{"spec":{"v00":"example.com","v01":"ex_ample.com","v02":"-a.com","v03":"a","v04":"a..b","v05":"xn--bcher-kva.example","v06":"é.com"}}"#,
        None,
        &[
            (
                "spec.v01",
                "FieldValueTypeInvalid",
                "Invalid value: \"ex_ample.com\": spec.v01 in body must be of type hostname: \"ex_ample.com\"",
            ),
            (
                "spec.v02",
                "FieldValueTypeInvalid",
                "Invalid value: \"-a.com\": spec.v02 in body must be of type hostname: \"-a.com\"",
            ),
            (
                "spec.v04",
                "FieldValueTypeInvalid",
                "Invalid value: \"a..b\": spec.v04 in body must be of type hostname: \"a..b\"",
            ),
        ],
    );
}

/// `format: email`. Texts from the Go oracle, which lists sibling fields in random order.
#[test]
fn format_email() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"email"},"v01":{"type":"string","format":"email"},"v02":{"type":"string","format":"email"},"v03":{"type":"string","format":"email"},"v04":{"type":"string","format":"email"}}}}}"#,
        r#"{"spec":{"v00":"a@b.c","v01":"Bob <bob@x.org>","v02":"nope","v03":"a@","v04":"@b"}}"#,
        None,
        &[
            (
                "spec.v02",
                "FieldValueTypeInvalid",
                "Invalid value: \"nope\": spec.v02 in body must be of type email: \"nope\"",
            ),
            (
                "spec.v03",
                "FieldValueTypeInvalid",
                "Invalid value: \"a@\": spec.v03 in body must be of type email: \"a@\"",
            ),
            (
                "spec.v04",
                "FieldValueTypeInvalid",
                "Invalid value: \"@b\": spec.v04 in body must be of type email: \"@b\"",
            ),
        ],
    );
}

/// `format: uri`. Texts from the Go oracle, which lists sibling fields in random order.
#[test]
fn format_uri() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"uri"},"v01":{"type":"string","format":"uri"},"v02":{"type":"string","format":"uri"},"v03":{"type":"string","format":"uri"},"v04":{"type":"string","format":"uri"},"v05":{"type":"string","format":"uri"},"v06":{"type":"string","format":"uri"},"v07":{"type":"string","format":"uri"},"v08":{"type":"string","format":"uri"}}}}}"#,
        r#"{"spec":{"v00":"http://a.b/c","v01":"/abs","v02":"rel/x","v03":"mailto:x","v04":"http://a b/","v05":"http://x/%zz","v06":"","v07":"*","v08":"1http://x"}}"#,
        None,
        &[
            (
                "spec.v02",
                "FieldValueTypeInvalid",
                "Invalid value: \"rel/x\": spec.v02 in body must be of type uri: \"rel/x\"",
            ),
            (
                "spec.v04",
                "FieldValueTypeInvalid",
                "Invalid value: \"http://a b/\": spec.v04 in body must be of type uri: \"http://a b/\"",
            ),
            (
                "spec.v05",
                "FieldValueTypeInvalid",
                "Invalid value: \"http://x/%zz\": spec.v05 in body must be of type uri: \"http://x/%zz\"",
            ),
            (
                "spec.v06",
                "FieldValueTypeInvalid",
                "Invalid value: \"\": spec.v06 in body must be of type uri: \"\"",
            ),
            (
                "spec.v08",
                "FieldValueTypeInvalid",
                "Invalid value: \"1http://x\": spec.v08 in body must be of type uri: \"1http://x\"",
            ),
        ],
    );
}

/// `format: k8s-short-name`. Texts from the Go oracle, which lists sibling fields in random order.
#[test]
fn format_k8s_short_name() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"k8s-short-name"},"v01":{"type":"string","format":"k8s-short-name"},"v02":{"type":"string","format":"k8s-short-name"},"v03":{"type":"string","format":"k8s-short-name"}}}}}"#,
        r#"{"spec":{"v00":"abc-1","v01":"Abc","v02":"-a","v03":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}"#,
        None,
        &[
            (
                "spec.v01",
                "FieldValueTypeInvalid",
                "Invalid value: \"Abc\": spec.v01 in body must be of type k8s-short-name: \"Abc\"",
            ),
            (
                "spec.v02",
                "FieldValueTypeInvalid",
                "Invalid value: \"-a\": spec.v02 in body must be of type k8s-short-name: \"-a\"",
            ),
            (
                "spec.v03",
                "FieldValueTypeInvalid",
                "Invalid value: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": spec.v03 in body must be of type k8s-short-name: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
            ),
        ],
    );
}

/// `format: k8s-long-name`. Texts from the Go oracle, which lists sibling fields in random order.
#[test]
fn format_k8s_long_name() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"k8s-long-name"},"v01":{"type":"string","format":"k8s-long-name"},"v02":{"type":"string","format":"k8s-long-name"},"v03":{"type":"string","format":"k8s-long-name"}}}}}"#,
        r#"{"spec":{"v00":"a.b-c.d","v01":"a..b","v02":"A.b","v03":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}"#,
        None,
        &[
            (
                "spec.v01",
                "FieldValueTypeInvalid",
                "Invalid value: \"a..b\": spec.v01 in body must be of type k8s-long-name: \"a..b\"",
            ),
            (
                "spec.v02",
                "FieldValueTypeInvalid",
                "Invalid value: \"A.b\": spec.v02 in body must be of type k8s-long-name: \"A.b\"",
            ),
            (
                "spec.v03",
                "FieldValueTypeInvalid",
                "Invalid value: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": spec.v03 in body must be of type k8s-long-name: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
            ),
        ],
    );
}

/// `format: isbn`. Texts and order from the Go oracle.
#[test]
fn format_isbn() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"isbn"},"v01":{"type":"string","format":"isbn"},"v02":{"type":"string","format":"isbn"}}}}}"#,
        r#"{"spec":{"v00":"0321751043","v01":"978-0321751041","v02":"0321751044"}}"#,
        None,
        &[(
            "spec.v02",
            "FieldValueTypeInvalid",
            "Invalid value: \"0321751044\": spec.v02 in body must be of type isbn: \"0321751044\"",
        )],
    );
}

/// `format: creditcard`. Texts and order from the Go oracle.
#[test]
fn format_creditcard() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"creditcard"},"v01":{"type":"string","format":"creditcard"},"v02":{"type":"string","format":"creditcard"}}}}}"#,
        r#"{"spec":{"v00":"4111 1111 1111 1111","v01":"4111111111111112","v02":"5500-0000-0000-0004"}}"#,
        None,
        &[(
            "spec.v01",
            "FieldValueTypeInvalid",
            "Invalid value: \"4111111111111112\": spec.v01 in body must be of type creditcard: \"4111111111111112\"",
        )],
    );
}

/// `format: bsonobjectid`. Texts and order from the Go oracle.
#[test]
fn format_bsonobjectid() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"bsonobjectid"},"v01":{"type":"string","format":"bsonobjectid"}}}}}"#,
        r#"{"spec":{"v00":"507f1f77bcf86cd799439011","v01":"507f1f77bcf86cd79943901g"}}"#,
        None,
        &[(
            "spec.v01",
            "FieldValueTypeInvalid",
            "Invalid value: \"507f1f77bcf86cd79943901g\": spec.v01 in body must be of type bsonobjectid: \"507f1f77bcf86cd79943901g\"",
        )],
    );
}

/// `format: ssn`. Texts from the Go oracle, which lists sibling fields in random order.
#[test]
fn format_ssn() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"ssn"},"v01":{"type":"string","format":"ssn"},"v02":{"type":"string","format":"ssn"},"v03":{"type":"string","format":"ssn"}}}}}"#,
        r#"{"spec":{"v00":"123-45-6789","v01":"123456789","v02":"123 45 6789","v03":"12-345-6789"}}"#,
        None,
        &[
            (
                "spec.v01",
                "FieldValueTypeInvalid",
                "Invalid value: \"123456789\": spec.v01 in body must be of type ssn: \"123456789\"",
            ),
            (
                "spec.v03",
                "FieldValueTypeInvalid",
                "Invalid value: \"12-345-6789\": spec.v03 in body must be of type ssn: \"12-345-6789\"",
            ),
        ],
    );
}

/// `format: rgbcolor`. Texts and order from the Go oracle.
#[test]
fn format_rgbcolor() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"rgbcolor"},"v01":{"type":"string","format":"rgbcolor"},"v02":{"type":"string","format":"rgbcolor"}}}}}"#,
        r#"{"spec":{"v00":"rgb(255,0,0)","v01":"rgb( 1 , 2 , 3 )","v02":"rgb(256,0,0)"}}"#,
        None,
        &[(
            "spec.v02",
            "FieldValueTypeInvalid",
            "Invalid value: \"rgb(256,0,0)\": spec.v02 in body must be of type rgbcolor: \"rgb(256,0,0)\"",
        )],
    );
}

/// `format: hexcolor`. Texts and order from the Go oracle.
#[test]
fn format_hexcolor() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"hexcolor"},"v01":{"type":"string","format":"hexcolor"},"v02":{"type":"string","format":"hexcolor"}}}}}"#,
        r##"{"spec":{"v00":"#fff","v01":"FFFFFF","v02":"#ffff"}}"##,
        None,
        &[(
            "spec.v02",
            "FieldValueTypeInvalid",
            "Invalid value: \"#ffff\": spec.v02 in body must be of type hexcolor: \"#ffff\"",
        )],
    );
}

/// `format: uuid4`. Texts and order from the Go oracle.
#[test]
fn format_uuid4() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"uuid4"},"v01":{"type":"string","format":"uuid4"}}}}}"#,
        r#"{"spec":{"v00":"123e4567-e89b-42d3-a456-426614174000","v01":"123e4567-e89b-42d3-c456-426614174000"}}"#,
        None,
        &[(
            "spec.v01",
            "FieldValueTypeInvalid",
            "Invalid value: \"123e4567-e89b-42d3-c456-426614174000\": spec.v01 in body must be of type uuid4: \"123e4567-e89b-42d3-c456-426614174000\"",
        )],
    );
}

/// Formats the server does not know, or not for strings, are stripped. Texts and order from the Go
/// oracle.
#[test]
fn format_unknown_or_misspelt_is_ignored() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"v00":{"type":"string","format":"uri-reference"}}}}}"#,
        r#"{"spec":{"v00":"::"}}"#,
        None,
        &[],
    );
}

/// A string format given a number names the format: `must be of type date: "int64"`; numeric formats.
/// Texts from the Go oracle, which lists sibling fields in random order.
#[test]
fn format_of_strings_given_other_kinds() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"string","format":"date"},"b":{"type":"string","format":"date"},"c":{"type":"string","format":"date"},"d":{"type":"integer","format":"int64"},"e":{"type":"integer","format":"date"},"f":{"type":"number","format":"float"},"g":{"type":"number","format":"double"},"h":{"type":"number","format":"int32"},"i":{"type":"integer","format":"int32"},"j":{"type":"boolean","format":"date"},"k":{"x-kubernetes-int-or-string":true,"format":"date"},"l":{"type":"number","format":"float"}}}}}"#,
        r#"{"spec":{"a":true,"b":1.5,"c":{"x":1},"d":1.5,"e":"x","f":1e+39,"g":1e+300,"h":1.5,"i":-2147483649,"j":"x","k":5,"l":3}}"#,
        None,
        &[
            (
                "spec.a",
                "FieldValueTypeInvalid",
                "Invalid value: \"\": spec.a in body must be of type date: \"\"",
            ),
            (
                "spec.b",
                "FieldValueTypeInvalid",
                "Invalid value: \"float64\": spec.b in body must be of type date: \"float64\"",
            ),
            (
                "spec.c",
                "FieldValueTypeInvalid",
                "Invalid value: \"\": spec.c in body must be of type date: \"\"",
            ),
            (
                "spec.d",
                "FieldValueTypeInvalid",
                "Invalid value: \"float64\": spec.d in body must be of type int64: \"float64\"",
            ),
            (
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: \"\": Checked value must be of type integer with format int64 in spec.d",
            ),
            (
                "spec.e",
                "FieldValueTypeInvalid",
                "Invalid value: \"string\": spec.e in body must be of type integer: \"string\"",
            ),
            (
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: \"\": Checked value must be of type number with format float in spec.f",
            ),
            (
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: \"\": Checked value must be of type integer with format int32 in spec.i",
            ),
            (
                "spec.j",
                "FieldValueTypeInvalid",
                "Invalid value: \"string\": spec.j in body must be of type boolean: \"string\"",
            ),
        ],
    );
}

/// kube-openapi lets an array through a `type: string` with a format. Texts and order from the Go
/// oracle.
#[test]
fn format_of_strings_given_an_array_passes() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"string","format":"date"}}}}}"#,
        r#"{"spec":{"r":["x"]}}"#,
        None,
        &[],
    );
}

/// Allowed values print with Go's JSON (`1e+21`), strings as they are. Texts and order from the Go
/// oracle.
#[test]
fn enum_of_numbers_and_other_kinds() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"number","enum":[1,2.5,1e+21,true,null,"s"]}}}}}"#,
        r#"{"spec":{"r":3.25}}"#,
        None,
        &[(
            "spec.r",
            "FieldValueNotSupported",
            "Unsupported value: 3.25: supported values: \"1\", \"2.5\", \"1e+21\", \"true\", \"null\", \"s\"",
        )],
    );
}

/// Enums of strings with null, arrays, numbers, booleans; an empty enum allows anything. Texts from the
/// Go oracle, which lists sibling fields in random order.
#[test]
fn enum_of_several_kinds() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"string","enum":["x",null]},"b":{"type":"array","items":{"type":"integer"},"enum":[[1,2]]},"c":{"type":"number","enum":[1]},"d":{"type":"boolean","enum":[true]},"e":{"type":"string","enum":[]},"f":{"type":"string","enum":["a\"b","é\n"]}}}}}"#,
        r#"{"spec":{"a":"y","b":[1,2],"c":1.5,"d":false,"e":"z","f":"q"}}"#,
        None,
        &[
            (
                "spec.a",
                "FieldValueNotSupported",
                "Unsupported value: \"y\": supported values: \"x\", \"null\"",
            ),
            (
                "spec.d",
                "FieldValueNotSupported",
                "Unsupported value: false: supported values: \"true\"",
            ),
            (
                "spec.f",
                "FieldValueNotSupported",
                "Unsupported value: \"q\": supported values: \"a\\\"b\", \"é\\n\"",
            ),
        ],
    );
}

/// Go converts `65` to the string `"A"`, which the enum allows. Texts and order from the Go oracle.
#[test]
fn enum_converts_an_integer_to_a_rune() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"integer","enum":["A"]}}}}}"#,
        r#"{"spec":{"r":65}}"#,
        None,
        &[],
    );
}

/// Objects compare deeply, integers as integers. Texts and order from the Go oracle.
#[test]
fn enum_of_objects() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"enum":[{"a":1},{"b":1.5}]}}}}}"#,
        r#"{"spec":{"r":{"a":1}}}"#,
        None,
        &[],
    );
}

/// Item errors first, then `minItems`, `maxItems` and `uniqueItems`. Texts and order from the Go
/// oracle.
#[test]
fn items_and_array_bounds() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"r":{"type":"array","maxItems":1,"minItems":5,"uniqueItems":true,"items":{"type":"integer","maximum":3}}}}}}"#,
        r#"{"spec":{"r":[4,4]}}"#,
        None,
        &[
            (
                "spec.r[0]",
                "FieldValueInvalid",
                "Invalid value: 4: spec.r[0] in body should be less than or equal to 3",
            ),
            (
                "spec.r[1]",
                "FieldValueInvalid",
                "Invalid value: 4: spec.r[1] in body should be less than or equal to 3",
            ),
            (
                "spec.r",
                "FieldValueInvalid",
                "Invalid value: 2: spec.r in body should have at least 5 items",
            ),
            ("spec.r", "FieldValueTooMany", "Too many: 2: must have at most 1 item"),
            (
                "spec.r",
                "FieldValueInvalid",
                "Invalid value: \"\": spec.r in body shouldn't contain duplicates",
            ),
        ],
    );
}

/// `must have at most 0 items`, `should have at least 1 items`. Texts from the Go oracle, which lists
/// sibling fields in random order.
#[test]
fn min_and_max_items_of_zero_and_one() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","maxItems":0,"items":{"type":"string"}},"m":{"type":"array","minItems":1,"items":{"type":"string"}}}}}}"#,
        r#"{"spec":{"l":["a"],"m":[]}}"#,
        None,
        &[
            ("spec.l", "FieldValueTooMany", "Too many: 1: must have at most 0 items"),
            (
                "spec.m",
                "FieldValueInvalid",
                "Invalid value: 0: spec.m in body should have at least 1 items",
            ),
        ],
    );
}

/// `uniqueItems`: `1` and `1.0` differ, equal objects do not. Texts and order from the Go oracle.
#[test]
fn unique_items_by_type() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","uniqueItems":true,"items":{"x-kubernetes-preserve-unknown-fields":true}},"m":{"type":"array","uniqueItems":true,"items":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}}"#,
        r#"{"spec":{"l":[1,1.0,"1"],"m":[{"a":1},{"a":1}]}}"#,
        None,
        &[(
            "spec.m",
            "FieldValueInvalid",
            "Invalid value: \"\": spec.m in body shouldn't contain duplicates",
        )],
    );
}

/// `minProperties`, `maxProperties` (reported as Too many) and an `additionalProperties` schema. Texts
/// from the Go oracle, which lists sibling fields in random order.
#[test]
fn min_and_max_properties_and_additional_properties() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","maxProperties":1,"minProperties":5,"additionalProperties":{"type":"string"}}}}"#,
        r#"{"spec":{"a":1,"b":{"x":[1,1.5,"<&>"]}}}"#,
        None,
        &[
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: 2: spec in body should have at least 5 properties",
            ),
            ("spec", "FieldValueTooMany", "Too many: 2: must have at most 1 item"),
            (
                "spec.a",
                "FieldValueTypeInvalid",
                "Invalid value: \"integer\": spec.a in body must be of type string: \"integer\"",
            ),
            (
                "spec.b",
                "FieldValueTypeInvalid",
                "Invalid value: \"object\": spec.b in body must be of type string: \"object\"",
            ),
        ],
    );
}

/// `must have at most 1 item`. Texts and order from the Go oracle.
#[test]
fn max_properties_of_one() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","maxProperties":1,"properties":{"a":{"type":"string"},"b":{"type":"string"}}}}}"#,
        r#"{"spec":{"a":"1","b":"2"}}"#,
        None,
        &[("spec", "FieldValueTooMany", "Too many: 2: must have at most 1 item")],
    );
}

/// An `additionalProperties` schema with `required`, a set list below it. Texts from the Go oracle,
/// which lists sibling fields in random order.
#[test]
fn additional_properties_schema_nested() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","additionalProperties":{"type":"object","required":["v"],"properties":{"v":{"type":"integer","minimum":1},"l":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"integer"}}}}}}}"#,
        r#"{"spec":{"k1":{"v":0,"l":[1,1]},"k.2":{"l":[]}}}"#,
        None,
        &[
            ("spec.k.2.v", "FieldValueRequired", "Required value"),
            (
                "spec.k1.v",
                "FieldValueInvalid",
                "Invalid value: 0: spec.k1.v in body should be greater than or equal to 1",
            ),
            ("spec[k1].l[1]", "FieldValueDuplicate", "Duplicate value: 1"),
        ],
    );
}

/// `additionalProperties: false` forbids other fields. Texts from the Go oracle, which lists sibling
/// fields in random order.
#[test]
fn additional_properties_false() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}}}"#,
        r#"{"spec":{"a":"x","b":1,"c":2}}"#,
        None,
        &[
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"b\": spec.b in body is a forbidden property",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"c\": spec.c in body is a forbidden property",
            ),
        ],
    );
}

/// At the root: `required` and `maxProperties` counting apiVersion, kind and metadata. Texts and order
/// from the Go oracle.
#[test]
fn required_and_max_properties_at_the_root() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"x":{"type":"integer"}}}},"required":["spec","status"],"maxProperties":2}"#,
        r#"{}"#,
        None,
        &[
            ("<nil>", "FieldValueTooMany", "Too many: 3: must have at most 2 items"),
            ("spec", "FieldValueRequired", "Required value"),
            ("status", "FieldValueRequired", "Required value"),
        ],
    );
}

/// Paths through objects, arrays and maps. Texts and order from the Go oracle.
#[test]
fn deep_paths() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"array","items":{"type":"object","properties":{"c":{"type":"object","additionalProperties":{"type":"integer","maximum":1}}}}}}}}}}}"#,
        r#"{"spec":{"a":{"b":[{"c":{"k":2}}]}}}"#,
        None,
        &[(
            "spec.a.b[0].c.k",
            "FieldValueInvalid",
            "Invalid value: 2: spec.a.b[0].c.k in body should be less than or equal to 1",
        )],
    );
}

/// `x-kubernetes-preserve-unknown-fields` with properties: unknown fields pass, known ones are
/// validated. Texts and order from the Go oracle.
#[test]
fn preserve_unknown_fields_keeps_validating_known_ones() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}}}}"#,
        r#"{"spec":{"x":5,"y":{"z":[1]}}}"#,
        None,
        &[(
            "spec.x",
            "FieldValueInvalid",
            "Invalid value: 5: spec.x in body should be less than or equal to 1",
        )],
    );
}

/// `x-kubernetes-int-or-string` refuses floats and booleans, allows `1.0`. Texts from the Go oracle,
/// which lists sibling fields in random order.
#[test]
fn int_or_string() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"x-kubernetes-int-or-string":true},"b":{"x-kubernetes-int-or-string":true},"c":{"x-kubernetes-int-or-string":true}}}}}"#,
        r#"{"spec":{"a":1.5,"b":true,"c":1.0}}"#,
        None,
        &[
            (
                "spec.a",
                "FieldValueTypeInvalid",
                "Invalid value: \"number\": spec.a in body must be of type integer,string: \"number\"",
            ),
            (
                "spec.b",
                "FieldValueTypeInvalid",
                "Invalid value: \"boolean\": spec.b in body must be of type integer,string: \"boolean\"",
            ),
        ],
    );
}

/// An integer for an int-or-string is checked against `maximum`, not `pattern`. Texts and order from
/// the Go oracle.
#[test]
fn int_or_string_with_number_bounds() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"p":{"x-kubernetes-int-or-string":true,"pattern":"^[0-9]+%$","maximum":5}}}}}"#,
        r#"{"spec":{"p":7}}"#,
        None,
        &[(
            "spec.p",
            "FieldValueInvalid",
            "Invalid value: 7: spec.p in body should be less than or equal to 5",
        )],
    );
}

/// The usual int-or-string `anyOf`, with `maxLength` and `pattern`. Texts and order from the Go oracle.
#[test]
fn int_or_string_with_any_of() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"p":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}],"pattern":"^[0-9]+%$","maxLength":3}}}}}"#,
        r#"{"spec":{"p":"1000%"}}"#,
        None,
        &[("spec.p", "FieldValueTooLong", "Too long: may not be more than 3 bytes")],
    );
}

/// A failed `anyOf` reports itself, then the branch with the most matches. Texts and order from the Go
/// oracle.
#[test]
fn any_of_reports_the_first_best_branch() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","anyOf":[{"required":["a"]},{"required":["b"]}],"properties":{"a":{"type":"integer"},"b":{"type":"integer"}}}}}"#,
        r#"{"spec":{}}"#,
        None,
        &[
            (
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: \"\": \"spec\" must validate at least one schema (anyOf)",
            ),
            ("spec.a", "FieldValueRequired", "Required value"),
        ],
    );
}

/// The branch that matched more checks wins. Texts from the Go oracle, which lists sibling fields in
/// random order.
#[test]
fn any_of_best_branch_by_match_count() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string"}},"anyOf":[{"properties":{"a":{"minimum":5}}},{"properties":{"a":{"maximum":0},"b":{"maxLength":1}},"required":["b"]}]}}}"#,
        r#"{"spec":{"a":3,"b":"xy"}}"#,
        None,
        &[
            (
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: \"\": \"spec\" must validate at least one schema (anyOf)",
            ),
            (
                "spec.a",
                "FieldValueInvalid",
                "Invalid value: 3: spec.a in body should be less than or equal to 0",
            ),
            ("spec.b", "FieldValueTooLong", "Too long: may not be more than 1 byte"),
        ],
    );
}

/// One valid branch is enough. Texts and order from the Go oracle.
#[test]
fn any_of_passes_with_one_branch() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer"}},"anyOf":[{"properties":{"a":{"minimum":5}}},{"properties":{"a":{"maximum":4}}}]}}}"#,
        r#"{"spec":{"a":3}}"#,
        None,
        &[],
    );
}

/// `oneOf` with no valid branch. Texts and order from the Go oracle.
#[test]
fn one_of_with_none_valid() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer"}},"oneOf":[{"required":["b"]},{"properties":{"a":{"minimum":5}}}]}}}"#,
        r#"{"spec":{"a":3}}"#,
        None,
        &[
            (
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: \"\": \"spec\" must validate one and only one schema (oneOf). Found none valid",
            ),
            (
                "spec.a",
                "FieldValueInvalid",
                "Invalid value: 3: spec.a in body should be greater than or equal to 5",
            ),
        ],
    );
}

/// `oneOf` with two valid branches. Texts and order from the Go oracle.
#[test]
fn one_of_with_two_valid() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer"}},"oneOf":[{"required":["a"]},{"properties":{"a":{"minimum":1}}}]}}}"#,
        r#"{"spec":{"a":3}}"#,
        None,
        &[(
            "<nil>",
            "FieldValueInvalid",
            "Invalid value: \"\": \"spec\" must validate one and only one schema (oneOf). Found 2 valid alternatives",
        )],
    );
}

/// `allOf`: the branch errors, then the allOf error. Texts and order from the Go oracle.
#[test]
fn all_of_with_one_failing_branch() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer"}},"allOf":[{"properties":{"a":{"minimum":5}}},{"properties":{"a":{"maximum":4}}}]}}}"#,
        r#"{"spec":{"a":3}}"#,
        None,
        &[
            (
                "spec.a",
                "FieldValueInvalid",
                "Invalid value: 3: spec.a in body should be greater than or equal to 5",
            ),
            (
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: \"\": \"spec\" must validate all the schemas (allOf)",
            ),
        ],
    );
}

/// `allOf`: `. None validated` when no branch passes. Texts and order from the Go oracle.
#[test]
fn all_of_with_all_failing() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer"}},"allOf":[{"properties":{"a":{"minimum":5}}},{"properties":{"a":{"maximum":1}}}]}}}"#,
        r#"{"spec":{"a":3}}"#,
        None,
        &[
            (
                "spec.a",
                "FieldValueInvalid",
                "Invalid value: 3: spec.a in body should be greater than or equal to 5",
            ),
            (
                "spec.a",
                "FieldValueInvalid",
                "Invalid value: 3: spec.a in body should be less than or equal to 1",
            ),
            (
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: \"\": \"spec\" must validate all the schemas (allOf). None validated",
            ),
        ],
    );
}

/// `not`. Texts and order from the Go oracle.
#[test]
fn not() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer"}},"not":{"required":["a"]}}}}"#,
        r#"{"spec":{"a":3}}"#,
        None,
        &[(
            "<nil>",
            "FieldValueInvalid",
            "Invalid value: \"\": \"spec\" must not validate the schema (not)",
        )],
    );
}

/// Composition in array items. Texts and order from the Go oracle.
#[test]
fn any_of_in_items() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","items":{"type":"object","properties":{"x":{"type":"integer"},"y":{"type":"integer"}},"anyOf":[{"required":["x"]},{"required":["y"]}]}}}}}}"#,
        r#"{"spec":{"l":[{"x":1},{}]}}"#,
        None,
        &[
            (
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: \"\": \"spec.l[1]\" must validate at least one schema (anyOf)",
            ),
            ("spec.l[1].x", "FieldValueRequired", "Required value"),
        ],
    );
}

/// Embedded resources: empty kind, a bad group/version. Texts from the Go oracle, which lists sibling
/// fields in random order.
#[test]
fn embedded_resource_kind_and_api_version() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"t":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}}}}"#,
        r#"{"spec":{"t":{"kind":"","apiVersion":"a/b/c","metadata":{"name":"x"}}}}"#,
        None,
        &[
            (
                "spec.t.apiVersion",
                "FieldValueInvalid",
                "Invalid value: \"a/b/c\": unexpected GroupVersion string: a/b/c",
            ),
            (
                "spec.t.kind",
                "FieldValueInvalid",
                "Invalid value: \"\": must not be empty",
            ),
        ],
    );
}

/// Embedded resources need apiVersion and kind. Texts and order from the Go oracle.
#[test]
fn embedded_resource_requires_kind_and_api_version() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"t":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}}}}"#,
        r#"{"spec":{"t":{"metadata":{"name":"x"}}}}"#,
        None,
        &[
            ("spec.t.apiVersion", "FieldValueRequired", "Required value"),
            ("spec.t.kind", "FieldValueRequired", "Required value"),
        ],
    );
}

/// Kinds are DNS-1035 labels in any case; strings required. Texts from the Go oracle, which lists
/// sibling fields in random order.
#[test]
fn embedded_resource_kind_must_be_a_dns_label() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"e":{"type":"array","items":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}}}}}"#,
        r#"{"spec":{"e":[{"apiVersion":"v1","kind":"My_Kind"},{"apiVersion":5,"kind":true},{"apiVersion":"/","kind":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},{"apiVersion":"","kind":"Pod"}]}}"#,
        None,
        &[
            (
                "spec.e[0].kind",
                "FieldValueInvalid",
                "Invalid value: \"My_Kind\": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
            ),
            (
                "spec.e[1].apiVersion",
                "FieldValueInvalid",
                "Invalid value: 5: must be a string",
            ),
            (
                "spec.e[1].kind",
                "FieldValueInvalid",
                "Invalid value: true: must be a string",
            ),
            (
                "spec.e[2].kind",
                "FieldValueInvalid",
                "Invalid value: \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\": may have mixed case, but should otherwise match: must be no more than 63 characters",
            ),
            (
                "spec.e[3].apiVersion",
                "FieldValueInvalid",
                "Invalid value: \"\": must not be empty",
            ),
        ],
    );
}

/// `x-kubernetes-list-type: set`: each second appearance is reported. Texts and order from the Go
/// oracle.
#[test]
fn list_type_set_duplicates() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}}}}}}"#,
        r#"{"spec":{"a":["x","y","x","x","y"]}}"#,
        None,
        &[
            ("spec.a[2]", "FieldValueDuplicate", "Duplicate value: \"x\""),
            ("spec.a[4]", "FieldValueDuplicate", "Duplicate value: \"y\""),
        ],
    );
}

/// Sets: `1` and `"1"` differ, `[1]` and `[1.0]` do not. Texts from the Go oracle, which lists sibling
/// fields in random order.
#[test]
fn list_type_set_compares_types() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","x-kubernetes-list-type":"set","items":{"x-kubernetes-int-or-string":true}},"o":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"array","items":{"type":"number"}}},"b":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"boolean"}}}}}}"#,
        r#"{"spec":{"l":[1,"1",1,"1",1],"o":[[1],[1.0],[2]],"b":[true,false,true]}}"#,
        None,
        &[
            ("spec.b[2]", "FieldValueDuplicate", "Duplicate value: true"),
            ("spec.l[2]", "FieldValueDuplicate", "Duplicate value: 1"),
            ("spec.l[3]", "FieldValueDuplicate", "Duplicate value: \"1\""),
            ("spec.o[1]", "FieldValueDuplicate", "Duplicate value: [1]"),
        ],
    );
}

/// `x-kubernetes-list-type: map` with one key; missing keys are duplicates too. Texts and order from
/// the Go oracle.
#[test]
fn list_type_map_duplicate_keys() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],"items":{"type":"object","properties":{"name":{"type":"string"},"v":{"type":"integer"}}}}}}}}"#,
        r#"{"spec":{"a":[{"name":"x","v":1},{"name":"x","v":2},{"v":3},{"v":4}]}}"#,
        None,
        &[
            ("spec.a[1]", "FieldValueDuplicate", "Duplicate value: {\"name\":\"x\"}"),
            ("spec.a[3]", "FieldValueDuplicate", "Duplicate value: {}"),
        ],
    );
}

/// Two keys. Texts and order from the Go oracle.
#[test]
fn list_type_map_with_two_keys() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name","port"],"items":{"type":"object","properties":{"name":{"type":"string"},"port":{"type":"integer"}}}}}}}}"#,
        r#"{"spec":{"a":[{"name":"x","port":1},{"name":"x","port":1}]}}"#,
        None,
        &[(
            "spec.a[1]",
            "FieldValueDuplicate",
            "Duplicate value: {\"name\":\"x\",\"port\":1}",
        )],
    );
}

/// Map lists only hold objects. Texts and order from the Go oracle.
#[test]
fn list_type_map_items_must_be_objects() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"}}}}}}}}"#,
        r#"{"spec":{"l":[{"k":"a"},"x",{"k":"a"}]}}"#,
        None,
        &[
            (
                "spec.l[1]",
                "FieldValueTypeInvalid",
                "Invalid value: \"string\": spec.l[1] in body must be of type object: \"string\"",
            ),
            (
                "spec.l[1]",
                "FieldValueInvalid",
                "Invalid value: \"x\": must be an object for an array of list-type map",
            ),
        ],
    );
}

/// Null items, integer and float keys. Texts and order from the Go oracle.
#[test]
fn list_type_map_null_and_numbers() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","nullable":true,"properties":{"k":{"type":"string"}}}}}}}}"#,
        r#"{"spec":{"l":[null,{},{"k":1},{"k":1.0},{"k":1}]}}"#,
        None,
        &[
            (
                "spec.l[2].k",
                "FieldValueTypeInvalid",
                "Invalid value: \"integer\": spec.l[2].k in body must be of type string: \"integer\"",
            ),
            (
                "spec.l[3].k",
                "FieldValueTypeInvalid",
                "Invalid value: \"number\": spec.l[3].k in body must be of type string: \"number\"",
            ),
            (
                "spec.l[4].k",
                "FieldValueTypeInvalid",
                "Invalid value: \"integer\": spec.l[4].k in body must be of type string: \"integer\"",
            ),
            ("spec.l[1]", "FieldValueDuplicate", "Duplicate value: {}"),
            ("spec.l[4]", "FieldValueDuplicate", "Duplicate value: {\"k\":1}"),
        ],
    );
}

/// Items missing some of several keys. Texts and order from the Go oracle.
#[test]
fn list_type_map_partial_keys() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["a","b"],"items":{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"number"}}}}}}}}"#,
        r#"{"spec":{"l":[{"a":"x"},{"a":"x","c":1},{"a":"y","b":1.5},{"b":1.5,"a":"y"}]}}"#,
        None,
        &[
            ("spec.l[1]", "FieldValueDuplicate", "Duplicate value: {\"a\":\"x\"}"),
            (
                "spec.l[3]",
                "FieldValueDuplicate",
                "Duplicate value: {\"a\":\"y\",\"b\":1.5}",
            ),
        ],
    );
}

/// On update, an unchanged invalid value is allowed. Texts and order from the Go oracle.
#[test]
fn ratcheting_keeps_an_unchanged_invalid_value() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
        r#"{"spec":{"r":1}}"#,
        Some(r#"{"spec":{"r":1}}"#),
        &[],
    );
}

/// A changed invalid value is refused. Texts and order from the Go oracle.
#[test]
fn ratcheting_not_for_a_changed_value() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
        r#"{"spec":{"r":2}}"#,
        Some(r#"{"spec":{"r":1}}"#),
        &[(
            "spec.r",
            "FieldValueInvalid",
            "Invalid value: 2: spec.r in body should be greater than or equal to 5",
        )],
    );
}

/// Another field changing does not matter. Texts and order from the Go oracle.
#[test]
fn ratcheting_per_field() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
        r#"{"spec":{"r":1,"s":"abc"}}"#,
        Some(r#"{"spec":{"r":7,"s":"abc"}}"#),
        &[(
            "spec.r",
            "FieldValueInvalid",
            "Invalid value: 1: spec.r in body should be greater than or equal to 5",
        )],
    );
}

/// An unchanged atomic list keeps its invalid items. Texts and order from the Go oracle.
#[test]
fn ratcheting_of_unchanged_lists() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
        r#"{"spec":{"r":5,"l":[4,5]}}"#,
        Some(r#"{"spec":{"r":5,"l":[4,5]}}"#),
        &[],
    );
}

/// A changed atomic list has all its errors. Texts and order from the Go oracle.
#[test]
fn ratcheting_not_for_changed_lists() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
        r#"{"spec":{"r":5,"l":[4,6]}}"#,
        Some(r#"{"spec":{"r":5,"l":[4,5]}}"#),
        &[
            (
                "spec.l[0]",
                "FieldValueInvalid",
                "Invalid value: 4: spec.l[0] in body should be less than or equal to 3",
            ),
            (
                "spec.l[1]",
                "FieldValueInvalid",
                "Invalid value: 6: spec.l[1] in body should be less than or equal to 3",
            ),
            ("spec.l", "FieldValueTooMany", "Too many: 2: must have at most 1 item"),
            (
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
            ),
        ],
    );
}

/// Map list items correlate by key, whatever their order. Texts and order from the Go oracle.
#[test]
fn ratcheting_of_map_list_items_by_key() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
        r#"{"spec":{"r":5,"ml":[{"k":"a","v":9},{"k":"b","v":8}]}}"#,
        Some(r#"{"spec":{"r":5,"ml":[{"k":"b","v":7},{"k":"a","v":9}]}}"#),
        &[(
            "spec.ml[1].v",
            "FieldValueInvalid",
            "Invalid value: 8: spec.ml[1].v in body should be less than or equal to 3",
        )],
    );
}

/// Set duplicates are allowed when the old object had some. Texts and order from the Go oracle.
#[test]
fn ratcheting_of_list_types_when_old_had_duplicates() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
        r#"{"spec":{"r":5,"set":["a","a","b","b"]}}"#,
        Some(r#"{"spec":{"r":5,"set":["a","a"]}}"#),
        &[],
    );
}

/// New duplicates are refused. Texts and order from the Go oracle.
#[test]
fn ratcheting_not_for_new_duplicates() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
        r#"{"spec":{"r":5,"set":["a","a"]}}"#,
        Some(r#"{"spec":{"r":5,"set":["a"]}}"#),
        &[("spec.set[1]", "FieldValueDuplicate", "Duplicate value: \"a\"")],
    );
}

/// A missing required field in an unchanged object. Texts and order from the Go oracle.
#[test]
fn ratcheting_of_required_when_unchanged() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
        r#"{"spec":{}}"#,
        Some(r#"{"spec":{}}"#),
        &[],
    );
}

/// The root never compares equal (metadata has no schema): its errors stay. Texts and order from the Go
/// oracle.
#[test]
fn ratcheting_not_at_the_root() {
    check(
        r#"{"type":"object","minProperties":9,"properties":{"apiVersion":{"type":"string"},"kind":{"type":"string"},"metadata":{"type":"object"},"spec":{"type":"object"}}}"#,
        r#"{"spec":{}}"#,
        Some(r#"{"spec":{}}"#),
        &[(
            "<nil>",
            "FieldValueInvalid",
            "Invalid value: 4:  in body should have at least 9 properties",
        )],
    );
}

/// `1.0` is not `1`: no ratcheting. Texts and order from the Go oracle.
#[test]
fn ratcheting_compares_types() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
        r#"{"spec":{"r":1.0}}"#,
        Some(r#"{"spec":{"r":1}}"#),
        &[(
            "spec.r",
            "FieldValueInvalid",
            "Invalid value: 1: spec.r in body should be greater than or equal to 5",
        )],
    );
}

/// Unchanged values skip their rules, except transition rules. Texts and order from the Go oracle.
#[test]
fn ratcheting_of_rules_without_old_self() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
        r#"{"spec":{"r":5,"c":7}}"#,
        Some(r#"{"spec":{"r":5,"c":7}}"#),
        &[],
    );
}

/// A changed value has its rules checked. Texts and order from the Go oracle.
#[test]
fn ratcheting_not_for_changed_rules() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","required":["r"],"maxProperties":3,"properties":{"r":{"type":"integer","minimum":5},"s":{"type":"string","maxLength":2},"l":{"type":"array","maxItems":1,"items":{"type":"integer","maximum":3}},"ml":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer","maximum":3}}}},"set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},"m":{"type":"object","additionalProperties":{"type":"string","enum":["a"]}},"u":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"x":{"type":"integer","maximum":1}}},"c":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"},{"rule":"self <= oldSelf","message":"up"}]}}}}}"#,
        r#"{"spec":{"r":5,"c":8}}"#,
        Some(r#"{"spec":{"r":5,"c":7}}"#),
        &[
            ("spec.c", "FieldValueInvalid", "Invalid value: 8: failed rule: self < 3"),
            ("spec.c", "FieldValueInvalid", "Invalid value: 8: up"),
        ],
    );
}

/// Rules on items of an unchanged atomic list ratchet with the list. Texts and order from the Go
/// oracle.
#[test]
fn ratcheting_of_rules_on_atomic_list_items() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","items":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"}]}},"o":{"type":"integer"}}}}}"#,
        r#"{"spec":{"l":[5],"o":2}}"#,
        Some(r#"{"spec":{"l":[5],"o":1}}"#),
        &[],
    );
}

/// Transition rules never ratchet. Texts and order from the Go oracle.
#[test]
fn ratcheting_of_transition_rules() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"n":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 0 || self > oldSelf","message":"t"},{"rule":"self < 0","message":"nt"}]}}}}}"#,
        r#"{"spec":{"n":1}}"#,
        Some(r#"{"spec":{"n":1}}"#),
        &[("spec.n", "FieldValueInvalid", "Invalid value: 1: t")],
    );
}

/// A failed rule on an object: no value printed. Texts and order from the Go oracle.
#[test]
fn cel_rule() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-validations":[{"rule":"self.a < 3"}],"properties":{"a":{"type":"integer"}}}}}"#,
        r#"{"spec":{"a":5}}"#,
        None,
        &[("spec", "FieldValueInvalid", "Invalid value: failed rule: self.a < 3")],
    );
}

/// Blocking errors skip the rules, with the server's own cause. Texts and order from the Go oracle.
#[test]
fn cel_skipped_after_blocking_errors() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-validations":[{"rule":"self.a < 3"}],"properties":{"a":{"type":"integer"},"b":{"type":"string","enum":["x","y"]}}}}}"#,
        r#"{"spec":{"a":5,"b":"z"}}"#,
        None,
        &[
            (
                "spec.b",
                "FieldValueNotSupported",
                "Unsupported value: \"z\": supported values: \"x\", \"y\"",
            ),
            (
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
            ),
        ],
    );
}

/// `minimum` errors do not block the rules. Texts and order from the Go oracle.
#[test]
fn cel_not_skipped_after_invalid_values() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer","minimum":5}},"x-kubernetes-validations":[{"rule":"self.a > 10"}]}}}"#,
        r#"{"spec":{"a":1}}"#,
        None,
        &[
            (
                "spec.a",
                "FieldValueInvalid",
                "Invalid value: 1: spec.a in body should be greater than or equal to 5",
            ),
            ("spec", "FieldValueInvalid", "Invalid value: failed rule: self.a > 10"),
        ],
    );
}

/// Set duplicates do not block the rules. Texts and order from the Go oracle.
#[test]
fn cel_not_skipped_after_duplicates() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}}},"x-kubernetes-validations":[{"rule":"size(self.a) > 5"}]}}}"#,
        r#"{"spec":{"a":["x","x"]}}"#,
        None,
        &[
            ("spec.a[1]", "FieldValueDuplicate", "Duplicate value: \"x\""),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: failed rule: size(self.a) > 5",
            ),
        ],
    );
}

/// A type error blocks. Texts and order from the Go oracle.
#[test]
fn cel_skipped_after_a_type_error() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string","x-kubernetes-validations":[{"rule":"self == 'q'"}]}}}}}"#,
        r#"{"spec":{"a":"x","b":"r"}}"#,
        None,
        &[
            (
                "spec.a",
                "FieldValueTypeInvalid",
                "Invalid value: \"string\": spec.a in body must be of type integer: \"string\"",
            ),
            (
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
            ),
        ],
    );
}

/// `maxLength` blocks. Texts and order from the Go oracle.
#[test]
fn cel_skipped_after_too_long() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"string","maxLength":1},"b":{"type":"string","x-kubernetes-validations":[{"rule":"self == 'q'"}]}}}}}"#,
        r#"{"spec":{"a":"xx","b":"r"}}"#,
        None,
        &[
            ("spec.a", "FieldValueTooLong", "Too long: may not be more than 1 byte"),
            (
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
            ),
        ],
    );
}

/// `maxItems` blocks. Texts and order from the Go oracle.
#[test]
fn cel_skipped_after_too_many() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"array","maxItems":0,"items":{"type":"string"}},"b":{"type":"string","x-kubernetes-validations":[{"rule":"self == 'q'"}]}}}}}"#,
        r#"{"spec":{"a":["x"],"b":"r"}}"#,
        None,
        &[
            ("spec.a", "FieldValueTooMany", "Too many: 1: must have at most 0 items"),
            (
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
            ),
        ],
    );
}

/// A failed `anyOf` does not block. Texts and order from the Go oracle.
#[test]
fn cel_not_skipped_after_any_of() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer","anyOf":[{"minimum":3}]},"b":{"type":"string","x-kubernetes-validations":[{"rule":"self == 'q'"}]}}}}}"#,
        r#"{"spec":{"a":1,"b":"r"}}"#,
        None,
        &[
            (
                "<nil>",
                "FieldValueInvalid",
                "Invalid value: \"\": \"spec.a\" must validate at least one schema (anyOf)",
            ),
            (
                "spec.a",
                "FieldValueInvalid",
                "Invalid value: 1: spec.a in body should be greater than or equal to 3",
            ),
            (
                "spec.b",
                "FieldValueInvalid",
                "Invalid value: \"r\": failed rule: self == 'q'",
            ),
        ],
    );
}

/// A rule at the root has the nil path. Texts and order from the Go oracle.
#[test]
fn cel_rule_at_the_root() {
    check(
        r#"{"type":"object","x-kubernetes-validations":[{"rule":"self.metadata.name == 'x'"}],"properties":{"spec":{"type":"object"}}}"#,
        r#"{"spec":{}}"#,
        None,
        &[(
            "<nil>",
            "FieldValueInvalid",
            "Invalid value: failed rule: self.metadata.name == 'x'",
        )],
    );
}

/// `self.kind`, `self.apiVersion`, `self.metadata.name` at the root. Texts and order from the Go
/// oracle.
#[test]
fn cel_root_sees_kind_api_version_and_name() {
    check(
        r#"{"type":"object","x-kubernetes-validations":[{"rule":"self.metadata.name == 'w'"},{"rule":"self.kind == 'Widget'"},{"rule":"self.apiVersion == 'example.com/v1'"},{"rule":"self.spec.x == 2"}],"properties":{"spec":{"type":"object","properties":{"x":{"type":"integer"}}}}}"#,
        r#"{"metadata":{"labels":{"a":"b"}},"spec":{"x":1,"e":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{}}}}"#,
        None,
        &[(
            "<nil>",
            "FieldValueInvalid",
            "Invalid value: failed rule: self.spec.x == 2",
        )],
    );
}

/// `message`, `messageExpression`, each `reason`, `fieldPath`. Texts and order from the Go oracle.
#[test]
fn cel_message_message_expression_reason_and_field_path() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-validations":[{"rule":"self.a < 3","message":" too big "},{"rule":"self.a < 3","messageExpression":"'a is ' + string(self.a)"},{"rule":"self.a < 3","reason":"FieldValueForbidden","message":"no"},{"rule":"self.a < 3","reason":"FieldValueRequired"},{"rule":"self.a < 3","reason":"FieldValueDuplicate","fieldPath":".a"},{"rule":"self.a < 3","fieldPath":".a","reason":"FieldValueInvalid"},{"rule":"self.a < 3","messageExpression":"''"},{"rule":"self.a < 3","messageExpression":"1/0 == 1 ? 'x' : 'y'"}],"properties":{"a":{"type":"integer"}}}}}"#,
        r#"{"spec":{"a":5}}"#,
        None,
        &[
            ("spec", "FieldValueInvalid", "Invalid value: too big"),
            ("spec", "FieldValueInvalid", "Invalid value: a is 5"),
            ("spec", "FieldValueForbidden", "Forbidden: no"),
            ("spec", "FieldValueRequired", "Required value: failed rule: self.a < 3"),
            ("spec.a", "FieldValueDuplicate", "Duplicate value"),
            ("spec.a", "FieldValueInvalid", "Invalid value: failed rule: self.a < 3"),
            ("spec", "FieldValueInvalid", "Invalid value: failed rule: self.a < 3"),
            ("spec", "FieldValueInvalid", "Invalid value: failed rule: self.a < 3"),
        ],
    );
}

/// Rules on scalars print their value; map keys in brackets. Texts from the Go oracle, which lists
/// sibling fields in random order.
#[test]
fn cel_rules_on_scalars_print_the_value() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 3"}]},"s":{"type":"string","x-kubernetes-validations":[{"rule":"self.startsWith('x')"}]},"m":{"type":"object","additionalProperties":{"type":"string","x-kubernetes-validations":[{"rule":"self != 'bad'"}]}},"l":{"type":"array","items":{"type":"object","x-kubernetes-validations":[{"rule":"self.v > 0"}],"properties":{"v":{"type":"number"}}}}}}}}"#,
        r#"{"spec":{"a":5,"s":"abc","m":{"k.x":"bad"},"l":[{"v":1},{"v":-1.5}]}}"#,
        None,
        &[
            ("spec.a", "FieldValueInvalid", "Invalid value: 5: failed rule: self < 3"),
            (
                "spec.l[1]",
                "FieldValueInvalid",
                "Invalid value: failed rule: self.v > 0",
            ),
            (
                "spec.m[k.x]",
                "FieldValueInvalid",
                "Invalid value: \"bad\": failed rule: self != 'bad'",
            ),
            (
                "spec.s",
                "FieldValueInvalid",
                "Invalid value: \"abc\": failed rule: self.startsWith('x')",
            ),
        ],
    );
}

/// Transition rules are skipped on create, unless `optionalOldSelf`. Texts and order from the Go
/// oracle.
#[test]
fn cel_transition_rules_skipped_on_create() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer","x-kubernetes-validations":[{"rule":"self >= oldSelf","message":"no decrease"}]},"b":{"type":"integer","x-kubernetes-validations":[{"rule":"oldSelf.hasValue()","optionalOldSelf":true,"message":"must exist"}]}}}}}"#,
        r#"{"spec":{"a":1,"b":1}}"#,
        None,
        &[("spec.b", "FieldValueInvalid", "Invalid value: 1: must exist")],
    );
}

/// `oldSelf` of map list items by key, of map values; none for atomic list items; a message expression
/// with `oldSelf`. Texts from the Go oracle, which lists sibling fields in random order.
#[test]
fn cel_transition_rules_with_correlation() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"n":{"type":"integer"},"l":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer"}},"x-kubernetes-validations":[{"rule":"self.v >= oldSelf.v","message":"v down"}]}},"al":{"type":"array","items":{"type":"integer","x-kubernetes-validations":[{"rule":"self == oldSelf","message":"atomic item"}]}},"m":{"type":"object","additionalProperties":{"type":"integer","x-kubernetes-validations":[{"rule":"self >= oldSelf","message":"m down"}]}},"am":{"type":"object","x-kubernetes-map-type":"atomic","additionalProperties":{"type":"integer","x-kubernetes-validations":[{"rule":"self >= oldSelf","message":"am down"}]}}},"x-kubernetes-validations":[{"rule":"self.n >= oldSelf.n","message":"n down"},{"rule":"oldSelf.hasValue() && oldSelf.value().n == 2","optionalOldSelf":true,"message":"opt"},{"rule":"self.n == 5","messageExpression":"'old ' + string(oldSelf.n)"}]}}}"#,
        r#"{"spec":{"n":1,"l":[{"k":"a","v":1},{"k":"b","v":5}],"al":[1,2],"m":{"x":1,"y":2},"am":{"x":1}}}"#,
        Some(r#"{"spec":{"n":2,"l":[{"k":"b","v":6},{"k":"a","v":0}],"al":[1,3],"m":{"x":2},"am":{"x":2}}}"#),
        &[
            ("spec", "FieldValueInvalid", "Invalid value: n down"),
            ("spec", "FieldValueInvalid", "Invalid value: old 2"),
            ("spec.am[x]", "FieldValueInvalid", "Invalid value: 1: am down"),
            ("spec.l[1]", "FieldValueInvalid", "Invalid value: v down"),
            ("spec.m[x]", "FieldValueInvalid", "Invalid value: 1: m down"),
        ],
    );
}

/// `optionalOldSelf` on create: `oldSelf` is none. Texts and order from the Go oracle.
#[test]
fn cel_optional_old_self_on_create() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"n":{"type":"integer"}},"x-kubernetes-validations":[{"rule":"!oldSelf.hasValue()","optionalOldSelf":true,"message":"opt1"},{"rule":"oldSelf.hasValue()","optionalOldSelf":true,"message":"opt2"},{"rule":"oldSelf.orValue(self).n == 7","optionalOldSelf":true,"message":"opt3"}]}}}"#,
        r#"{"spec":{"n":1}}"#,
        None,
        &[
            ("spec", "FieldValueInvalid", "Invalid value: opt2"),
            ("spec", "FieldValueInvalid", "Invalid value: opt3"),
        ],
    );
}

/// The message expression of an optionalOldSelf rule falls back to the rule. Texts and order from the
/// Go oracle.
#[test]
fn cel_optional_old_self_message_expression_falls_back() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"n":{"type":"integer","x-kubernetes-validations":[{"rule":"oldSelf.hasValue() && self > oldSelf.value()","optionalOldSelf":true,"messageExpression":"'was ' + string(oldSelf)"}]}}}}}"#,
        r#"{"spec":{"n":1}}"#,
        Some(r#"{"spec":{"n":2}}"#),
        &[(
            "spec.n",
            "FieldValueInvalid",
            "Invalid value: 1: failed rule: oldSelf.hasValue() && self > oldSelf.value()",
        )],
    );
}

/// Trimmed, multi-line, non-string and failing message expressions. Texts and order from the Go oracle.
#[test]
fn cel_message_expression_edge_cases() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"n":{"type":"integer"}},"x-kubernetes-validations":[{"rule":"false","messageExpression":"'n=' + string(self.n)"},{"rule":"false","messageExpression":"'  padded  '"},{"rule":"false","messageExpression":"'a\\nb'","message":"fallback"},{"rule":"false","messageExpression":"self.n","message":"notstring"},{"rule":"false","messageExpression":"self.nope","message":"err"},{"rule":"false","messageExpression":"'x'.repeat(1)"},{"rule":"false","message":"  spaces  "}]}}}"#,
        r#"{"spec":{"n":3}}"#,
        None,
        &[
            ("spec", "FieldValueInvalid", "Invalid value: n=3"),
            ("spec", "FieldValueInvalid", "Invalid value: padded"),
            ("spec", "FieldValueInvalid", "Invalid value: fallback"),
            ("spec", "FieldValueInvalid", "Invalid value: notstring"),
            ("spec", "FieldValueInvalid", "Invalid value: err"),
            ("spec", "FieldValueInvalid", "Invalid value: failed rule: false"),
            ("spec", "FieldValueInvalid", "Invalid value: spaces"),
        ],
    );
}

/// `fieldPath` with map keys and quoted names; invalid ones are ignored. Texts and order from the Go
/// oracle.
#[test]
fn cel_field_path_forms() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"m":{"type":"object","additionalProperties":{"type":"integer"}},"o":{"type":"object","properties":{"x.y":{"type":"integer"}}}},"x-kubernetes-validations":[{"rule":"false","fieldPath":".m['k']"},{"rule":"false","fieldPath":".o['x.y']"},{"rule":"false","fieldPath":".o.nope"},{"rule":"false","fieldPath":".m.k"}]}}}"#,
        r#"{"spec":{"m":{"k":1},"o":{"x.y":1}}}"#,
        None,
        &[
            ("spec.m[k]", "FieldValueInvalid", "Invalid value: failed rule: false"),
            ("spec.o.x.y", "FieldValueInvalid", "Invalid value: failed rule: false"),
            ("spec", "FieldValueInvalid", "Invalid value: failed rule: false"),
            ("spec.m[k]", "FieldValueInvalid", "Invalid value: failed rule: false"),
        ],
    );
}

/// Duplicate, Required, Forbidden; printed values; untyped fields are not validated. Texts from the Go
/// oracle, which lists sibling fields in random order.
#[test]
fn cel_reasons_and_values() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"s":{"type":"string","x-kubernetes-validations":[{"rule":"false","reason":"FieldValueDuplicate"},{"rule":"false","reason":"FieldValueRequired","message":"req"},{"rule":"false","reason":"FieldValueForbidden"}]},"f":{"type":"number","x-kubernetes-validations":[{"rule":"false"}]},"b":{"type":"boolean","x-kubernetes-validations":[{"rule":"false"}]},"l":{"type":"array","items":{"type":"string"},"x-kubernetes-validations":[{"rule":"false","reason":"FieldValueDuplicate"},{"rule":"false"}]},"pu":{"x-kubernetes-preserve-unknown-fields":true,"x-kubernetes-validations":[{"rule":"false"}]}},"x-kubernetes-validations":[]}}}"#,
        r#"{"spec":{"s":"x\"y","f":2.5,"b":false,"l":[],"pu":{"a":[1,2.5]}}}"#,
        None,
        &[
            (
                "spec.b",
                "FieldValueInvalid",
                "Invalid value: false: failed rule: false",
            ),
            ("spec.f", "FieldValueInvalid", "Invalid value: 2.5: failed rule: false"),
            ("spec.l", "FieldValueDuplicate", "Duplicate value"),
            ("spec.l", "FieldValueInvalid", "Invalid value: failed rule: false"),
            ("spec.s", "FieldValueDuplicate", "Duplicate value: \"x\\\"y\""),
            ("spec.s", "FieldValueRequired", "Required value: req"),
            ("spec.s", "FieldValueForbidden", "Forbidden: failed rule: false"),
        ],
    );
}

/// Rules in `allOf` branches, after the node's own. Texts and order from the Go oracle.
#[test]
fn cel_all_of_rules() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"x":{"type":"integer"}},"allOf":[{"x-kubernetes-validations":[{"rule":"self.x > 5","message":"allof1"}]},{"properties":{"x":{"x-kubernetes-validations":[{"rule":"self > 6","message":"allof2"}]}}}],"x-kubernetes-validations":[{"rule":"self.x > 4","message":"own"}]}}}"#,
        r#"{"spec":{"x":1}}"#,
        None,
        &[
            ("spec", "FieldValueInvalid", "Invalid value: own"),
            ("spec", "FieldValueInvalid", "Invalid value: allof1"),
            ("spec.x", "FieldValueInvalid", "Invalid value: 1: allof2"),
        ],
    );
}

/// Int-or-string values are dynamic. Texts and order from the Go oracle.
#[test]
fn cel_int_or_string() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"ios":{"x-kubernetes-int-or-string":true,"x-kubernetes-validations":[{"rule":"self == 5"},{"rule":"self == '5'"},{"rule":"self > 10"}]}},"x-kubernetes-validations":[]}}}"#,
        r#"{"spec":{"ios":5}}"#,
        None,
        &[
            (
                "spec.ios",
                "FieldValueInvalid",
                "Invalid value: 5: failed rule: self == '5'",
            ),
            (
                "spec.ios",
                "FieldValueInvalid",
                "Invalid value: 5: failed rule: self > 10",
            ),
        ],
    );
}

/// `type(self) == string ? ... : ...`. Texts and order from the Go oracle.
#[test]
fn cel_int_or_string_type_switch() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"p":{"x-kubernetes-int-or-string":true,"x-kubernetes-validations":[{"rule":"type(self) == string ? self.endsWith('%') : self < 10"}]}}}}}"#,
        r#"{"spec":{"p":50}}"#,
        None,
        &[(
            "spec.p",
            "FieldValueInvalid",
            "Invalid value: 50: failed rule: type(self) == string ? self.endsWith('%') : self < 10",
        )],
    );
}

/// No such key, division by zero, index out of bounds, overflow, no such overload. Texts and order from
/// the Go oracle.
#[test]
fn cel_evaluation_errors() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-validations":[{"rule":"self.a / 0 == 1"},{"rule":"self.a % 0 == 1"},{"rule":"[1,2][5] == 1"},{"rule":"self.l[5] == 1"},{"rule":"9223372036854775807 + self.a > 0"}],"properties":{"a":{"type":"integer"},"l":{"type":"array","items":{"type":"integer"}}}}}}"#,
        r#"{"spec":{"a":5,"l":[1]}}"#,
        None,
        &[
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": division by zero evaluating rule: self.a / 0 == 1",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": modulus by zero evaluating rule: self.a % 0 == 1",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": index out of bounds: 5 evaluating rule: [1,2][5] == 1",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": index out of bounds: 5 evaluating rule: self.l[5] == 1",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": integer overflow evaluating rule: 9223372036854775807 + self.a > 0",
            ),
        ],
    );
}

/// A missing field. Texts and order from the Go oracle.
#[test]
fn cel_no_such_key() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-validations":[{"rule":"self.b == 1"}],"properties":{"a":{"type":"integer"},"b":{"type":"integer"}}}}}"#,
        r#"{"spec":{"a":5}}"#,
        None,
        &[(
            "spec",
            "FieldValueInvalid",
            "Invalid value: \"object\": no such key: b evaluating rule: self.b == 1",
        )],
    );
}

/// Dynamic values with the wrong type. Texts and order from the Go oracle.
#[test]
fn cel_no_such_overload() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-validations":[{"rule":"self.a + 1 == 2"}],"properties":{"a":{"x-kubernetes-int-or-string":true}}}}}"#,
        r#"{"spec":{"a":"x"}}"#,
        None,
        &[(
            "spec",
            "FieldValueInvalid",
            "Invalid value: \"object\": 'no such overload': call arguments did not match a supported operator, function or macro signature for rule: self.a + 1 == 2",
        )],
    );
}

/// Conversions, regexps, indices, comprehensions. Texts and order from the Go oracle.
#[test]
fn cel_runtime_errors() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"s":{"type":"string"},"n":{"type":"integer"},"f":{"type":"number"},"l":{"type":"array","items":{"type":"integer"}},"ios":{"x-kubernetes-int-or-string":true}},"x-kubernetes-validations":[{"rule":"int(self.s) == 1"},{"rule":"uint(self.s) == 1u"},{"rule":"double(self.s) == 1.0"},{"rule":"duration(self.s) > duration('1s')"},{"rule":"timestamp(self.s) > timestamp('2020-01-01T00:00:00Z')"},{"rule":"self.s.matches(self.s)"},{"rule":"self.l[self.n] == 1"},{"rule":"self.l[-1] == 1"},{"rule":"self.n / 0 == 1"},{"rule":"int(self.f) == 1"},{"rule":"self.ios.startsWith('x')"},{"rule":"self.ios + 1 == 2"},{"rule":"self.s.charAt(10) == 'x'"},{"rule":"self.s.substring(5) == 'x'"},{"rule":"self.l.all(x, 1 / x > 0)"},{"rule":"[1,2,3].map(x, x / self.n)[0] == 1"},{"rule":"{'a':1}[self.s] == 1"},{"rule":"self.s.find(self.s) == ''"},{"rule":"self.l.sum() > 100"},{"rule":"self.l.max() > 100"}]}}}"#,
        r#"{"spec":{"s":"[x","n":0,"f":1e+300,"l":[0],"ios":5}}"#,
        None,
        &[
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": type conversion error from 'string' to 'int' evaluating rule: int(self.s) == 1",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": type conversion error from 'string' to 'uint' evaluating rule: uint(self.s) == 1u",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": type conversion error from 'string' to 'double' evaluating rule: double(self.s) == 1.0",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": type conversion error from 'string' to 'google.protobuf.Duration' evaluating rule: duration(self.s) > duration('1s')",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": type conversion error from 'string' to 'google.protobuf.Timestamp' evaluating rule: timestamp(self.s) > timestamp('2020-01-01T00:00:00Z')",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": error parsing regexp: missing closing ]: `[x` evaluating rule: self.s.matches(self.s)",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: failed rule: self.l[self.n] == 1",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": index out of bounds: -1 evaluating rule: self.l[-1] == 1",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": division by zero evaluating rule: self.n / 0 == 1",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": integer overflow evaluating rule: int(self.f) == 1",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": 'no such overload': call arguments did not match a supported operator, function or macro signature for rule: self.ios.startsWith('x')",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: failed rule: self.ios + 1 == 2",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": index out of range: 10 evaluating rule: self.s.charAt(10) == 'x'",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": index out of range: 5 evaluating rule: self.s.substring(5) == 'x'",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": division by zero evaluating rule: self.l.all(x, 1 / x > 0)",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": division by zero evaluating rule: [1,2,3].map(x, x / self.n)[0] == 1",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": no such key: [x evaluating rule: {'a':1}[self.s] == 1",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: \"object\": Illegal regex: error parsing regexp: missing closing ]: `[x` evaluating rule: self.s.find(self.s) == ''",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: failed rule: self.l.sum() > 100",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: failed rule: self.l.max() > 100",
            ),
        ],
    );
}

/// has, size, all, exists, exists_one, map, filter and string functions. Texts and order from the Go
/// oracle.
#[test]
fn cel_functions_and_macros() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-validations":[{"rule":"self.s.lowerAscii() == 'abc'"},{"rule":"self.s.matches('^A')"},{"rule":"self.l.all(x, x > 0)"},{"rule":"self.l.exists_one(x, x > 1)"},{"rule":"self.l.map(x, x * 2).filter(x, x > 2).size() == 2"},{"rule":"has(self.z)"},{"rule":"size(self.s) == 3 && self.s.endsWith('C') && self.s.contains('B')"},{"rule":"self.l.isSorted() && self.l.sum() == 6 && self.l.max() == 3 && self.l.indexOf(2) == 1"},{"rule":"self.s.upperAscii() == 'ABC'"},{"rule":"'a,b'.split(',').size() == 2 && ' x '.trim() == 'x' && 'abc'.replace('b','x') == 'axc'"}],"properties":{"s":{"type":"string"},"z":{"type":"string"},"l":{"type":"array","items":{"type":"integer"}}}}}}"#,
        r#"{"spec":{"s":"AbC","l":[1,2,3]}}"#,
        None,
        &[
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: failed rule: self.l.exists_one(x, x > 1)",
            ),
            ("spec", "FieldValueInvalid", "Invalid value: failed rule: has(self.z)"),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: failed rule: size(self.s) == 3 && self.s.endsWith('C') && self.s.contains('B')",
            ),
        ],
    );
}

/// Rules on embedded resources see their kind and name. Texts and order from the Go oracle.
#[test]
fn cel_embedded_resource_items() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","items":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true,"properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true}},"x-kubernetes-validations":[{"rule":"self.metadata.name.startsWith('a')","fieldPath":".metadata.name"},{"rule":"has(self.spec)"}]}}}}}}"#,
        r#"{"spec":{"l":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"b"}},{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"},"spec":{}}]}}"#,
        None,
        &[
            (
                "spec.l[0]",
                "FieldValueInvalid",
                "Invalid value: failed rule: self.metadata.name.startsWith('a')",
            ),
            (
                "spec.l[0]",
                "FieldValueInvalid",
                "Invalid value: failed rule: has(self.spec)",
            ),
        ],
    );
}

/// A transition rule at the root with a fieldPath. Texts and order from the Go oracle.
#[test]
fn cel_transition_rule_at_the_root() {
    check(
        r#"{"type":"object","x-kubernetes-validations":[{"rule":"self.spec.x == oldSelf.spec.x","message":"immutable","fieldPath":".spec.x"}],"properties":{"spec":{"type":"object","properties":{"x":{"type":"string"}}}}}"#,
        r#"{"spec":{"x":"b"}}"#,
        Some(r#"{"spec":{"x":"a"}}"#),
        &[("spec.x", "FieldValueInvalid", "Invalid value: immutable")],
    );
}

/// `format: duration` values are CEL durations. Texts and order from the Go oracle.
#[test]
fn cel_duration_format() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"d":{"type":"string","format":"duration","x-kubernetes-validations":[{"rule":"self < duration('1h')"},{"rule":"self == duration('72h')"}]}}}}}"#,
        r#"{"spec":{"d":"3 days"}}"#,
        None,
        &[(
            "spec.d",
            "FieldValueInvalid",
            "Invalid value: \"3 days\": failed rule: self < duration('1h')",
        )],
    );
}

/// Properties CEL cannot name still have their own rules. Texts from the Go oracle, which lists sibling
/// fields in random order.
#[test]
fn cel_unescapable_property_names() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"o":{"type":"object","properties":{"a b":{"type":"integer","x-kubernetes-validations":[{"rule":"self > 1"}]},"1x":{"type":"integer","x-kubernetes-validations":[{"rule":"self > 1"}]}}}}}}}"#,
        r#"{"spec":{"o":{"a b":0,"1x":0}}}"#,
        None,
        &[
            (
                "spec.o.1x",
                "FieldValueInvalid",
                "Invalid value: 0: failed rule: self > 1",
            ),
            (
                "spec.o.a b",
                "FieldValueInvalid",
                "Invalid value: 0: failed rule: self > 1",
            ),
        ],
    );
}

/// Rules on items of items. Texts and order from the Go oracle.
#[test]
fn cel_nested_lists() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","items":{"type":"array","items":{"type":"integer","x-kubernetes-validations":[{"rule":"self > 0"}]}}}}}}}"#,
        r#"{"spec":{"l":[[1,0],[-1]]}}"#,
        None,
        &[
            (
                "spec.l[0][1]",
                "FieldValueInvalid",
                "Invalid value: 0: failed rule: self > 0",
            ),
            (
                "spec.l[1][0]",
                "FieldValueInvalid",
                "Invalid value: -1: failed rule: self > 0",
            ),
        ],
    );
}

/// `type: number` values are doubles in CEL. Texts and order from the Go oracle.
#[test]
fn cel_number_given_an_integer() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"f":{"type":"number","x-kubernetes-validations":[{"rule":"self == 2.0"},{"rule":"self > 2.5"}]}}}}}"#,
        r#"{"spec":{"f":2}}"#,
        None,
        &[(
            "spec.f",
            "FieldValueInvalid",
            "Invalid value: 2: failed rule: self > 2.5",
        )],
    );
}

/// Values print with Go's `%q`. Texts and order from the Go oracle.
#[test]
fn cel_string_values_quote_like_go() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"s":{"type":"string","x-kubernetes-validations":[{"rule":"false"}]}}}}}"#,
        r#"{"spec":{"s":"tab\there é \u0007 \u200b"}}"#,
        None,
        &[(
            "spec.s",
            "FieldValueInvalid",
            "Invalid value: \"tab\\there é \\a \\u200b\": failed rule: false",
        )],
    );
}

/// `in` and `exists` on lists. Texts and order from the Go oracle.
#[test]
fn cel_in_and_exists() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","items":{"type":"string"}}},"x-kubernetes-validations":[{"rule":"'b' in self.l"},{"rule":"self.l.exists(x, x == 'z')"}]}}}"#,
        r#"{"spec":{"l":["a","b"]}}"#,
        None,
        &[(
            "spec",
            "FieldValueInvalid",
            "Invalid value: failed rule: self.l.exists(x, x == 'z')",
        )],
    );
}

/// Map values correlate by key. Texts and order from the Go oracle.
#[test]
fn cel_granular_map_values() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"m":{"type":"object","x-kubernetes-map-type":"granular","additionalProperties":{"type":"string","x-kubernetes-validations":[{"rule":"self == oldSelf","message":"immutable value"}]}}}}}}"#,
        r#"{"spec":{"m":{"a":"1","b":"2"}}}"#,
        Some(r#"{"spec":{"m":{"a":"0"}}}"#),
        &[(
            "spec.m[a]",
            "FieldValueInvalid",
            "Invalid value: \"1\": immutable value",
        )],
    );
}

/// A new field has no old value: its transition rules are skipped. Texts and order from the Go oracle.
#[test]
fn cel_transition_rule_without_old_value() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"o":{"type":"object","properties":{"x":{"type":"integer","x-kubernetes-validations":[{"rule":"self == oldSelf","message":"x immutable"}]}}}}}}}"#,
        r#"{"spec":{"o":{"x":1}}}"#,
        Some(r#"{"spec":{}}"#),
        &[],
    );
}

/// Strings, lists, Kubernetes' list, regex and sets functions, formats and escaped names. Texts and
/// order from the Go oracle.
#[test]
fn cel_library() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"s":{"type":"string"},"n":{"type":"integer"},"f":{"type":"number"},"b":{"type":"boolean"},"l":{"type":"array","items":{"type":"string"}},"il":{"type":"array","items":{"type":"integer"}},"m":{"type":"object","additionalProperties":{"type":"integer"}},"o":{"type":"object","properties":{"x":{"type":"integer"},"y":{"type":"string"}}},"ios":{"x-kubernetes-int-or-string":true},"d":{"type":"string","format":"duration"},"t":{"type":"string","format":"date-time"},"dt":{"type":"string","format":"date"},"by":{"type":"string","format":"byte"},"dash-name":{"type":"string"},"namespace":{"type":"string"},"a__b":{"type":"string"},"nl":{"type":"string","nullable":true},"pu":{"type":"object","x-kubernetes-preserve-unknown-fields":true}},"x-kubernetes-validations":[{"rule":"self.s.startsWith('He') && self.s.endsWith('lo') && self.s.contains('ell')"},{"rule":"self.s.matches('^H[a-z]+$')"},{"rule":"self.s.lowerAscii() == 'hello' && self.s.upperAscii() == 'HELLO'"},{"rule":"size(self.s) == 5 && self.s.size() == 5"},{"rule":"self.l.all(x, x.size() == 1)"},{"rule":"self.l.exists(x, x == 'b')"},{"rule":"self.l.exists_one(x, x == 'b')"},{"rule":"self.l.map(x, x + x) == ['aa','bb','cc']"},{"rule":"self.il.filter(x, x > 1) == [3, 2]"},{"rule":"has(self.o.x) && !has(self.o.y)"},{"rule":"has(self.m.k1)"},{"rule":"'k1' in self.m"},{"rule":"self.m.all(k, self.m[k] > 0)"},{"rule":"self.f > 1 && self.f < 2.0"},{"rule":"self.b"},{"rule":"self.ios == '50%'"},{"rule":"self.d == duration('90m')"},{"rule":"self.t > timestamp('2019-12-31T00:00:00Z')"},{"rule":"self.t.getHours() == 10"},{"rule":"self.dt == timestamp('2020-01-02T00:00:00Z')"},{"rule":"self.by == b'hello'"},{"rule":"self.dash__dash__name == 'dn'"},{"rule":"self.__namespace__ == 'ns'"},{"rule":"self.a__underscores__b == 'ab'"},{"rule":"!has(self.nl)"},{"rule":"self.il.isSorted()"},{"rule":"self.l.isSorted()"},{"rule":"self.il.sum() == 6"},{"rule":"self.il.min() == 1 && self.il.max() == 3"},{"rule":"self.l.indexOf('b') == 1 && self.l.lastIndexOf('z') == -1"},{"rule":"self.s.find('l+') == 'll'"},{"rule":"self.s.findAll('l') == ['l','l']"},{"rule":"sets.contains(self.l, ['a']) && sets.intersects(self.l, ['z','c']) && !sets.equivalent(self.l, ['a'])"},{"rule":"self.s.indexOf('l') == 2 && self.s.replace('l','L') == 'HeLLo' && self.s.split('e') == ['H','llo'] && self.s.substring(1,3) == 'el'"},{"rule":"['x','y'].join(',') == 'x,y'"},{"rule":"self.s.charAt(0) == 'H'"},{"rule":"type(self.s) == string"},{"rule":"self.il.sort() == [1,2,3]"},{"rule":"self.il.all(x, x < 3)"},{"rule":"size(self.m) == 3"},{"rule":"optional.of(1).hasValue() && self.?o.?y.orValue('d') == 'd'"}]}}}"#,
        r#"{"spec":{"s":"Hello","n":3,"f":1.5,"b":true,"l":["a","b","c"],"il":[3,1,2],"m":{"k1":1,"k2":2},"o":{"x":1},"ios":"50%","d":"1h30m","t":"2020-01-01T10:00:00Z","dt":"2020-01-02","by":"aGVsbG8=","dash-name":"dn","namespace":"ns","a__b":"ab","nl":null,"pu":{"q":1}}}"#,
        None,
        &[
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: failed rule: self.il.isSorted()",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: failed rule: self.il.all(x, x < 3)",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: failed rule: size(self.m) == 3",
            ),
        ],
    );
}

/// `includes`, `first`, `last` and duration sums, passing and failing. Texts and order from the Go
/// oracle.
#[test]
fn cel_lists_library() {
    check(
        r#"{"type":"object","properties":{"spec":{"type":"object","properties":{"l":{"type":"array","items":{"type":"string"}},"s":{"type":"string"},"d":{"type":"array","items":{"type":"string","format":"duration"}}},"x-kubernetes-validations":[{"rule":"self.l.includes('a')"},{"rule":"self.s.includes('x')"},{"rule":"self.l.first() == optional.of('a')"},{"rule":"self.l.last().value() == 'b'"},{"rule":"[].first().hasValue()"},{"rule":"self.d.sum() == duration('3s')"},{"rule":"self.l.includes('z')"},{"rule":"self.d.sum() > duration('1h')"},{"rule":"lists.range(2) == [0,1]"},{"rule":"[3,1].sortBy(x, x) == [1,3]"},{"rule":"self.l.slice(0,1) == ['a']"}]}}}"#,
        r#"{"spec":{"l":["a","b"],"s":"x","d":["1s","2s"]}}"#,
        None,
        &[
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: failed rule: [].first().hasValue()",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: failed rule: self.l.includes('z')",
            ),
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: failed rule: self.d.sum() > duration('1h')",
            ),
        ],
    );
}
