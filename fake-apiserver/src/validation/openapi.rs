//! kube-openapi's SchemaValidator, as apiextensions turns its results into field errors.

use super::*;

/// kube-openapi's error codes, and the two kinds of errors that are no `errors.Validation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Code {
    /// An `errors.New(CompositeErrorCode, ...)`: anyOf, oneOf, allOf, not.
    Composite,
    /// A plain `fmt.Errorf`: the numeric range checks.
    Plain,
    InvalidType,
    Required,
    TooLong,
    Enum,
    MaxItems,
    TooManyProperties,
    /// Any other `errors.Validation`, turned into `field.Invalid`.
    Other,
}

/// A kube-openapi error.
#[derive(Clone, Debug)]
pub(super) struct OErr {
    pub(super) code: Code,
    pub(super) name: String,
    pub(super) value: Option<Bad>,
    pub(super) valid: Option<i64>,
    pub(super) values: Vec<Value>,
    pub(super) message: String,
}

impl OErr {
    pub(super) fn new(code: Code, name: &str, value: Option<Bad>, message: String) -> Self {
        OErr {
            code,
            name: name.to_owned(),
            value,
            valid: None,
            values: Vec::new(),
            message,
        }
    }

    pub(super) fn plain(message: String) -> Self {
        OErr::new(Code::Plain, "", None, message)
    }

    pub(super) fn composite(message: String) -> Self {
        OErr::new(Code::Composite, "", None, message)
    }

    pub(super) fn with_valid(mut self, valid: i64) -> Self {
        self.valid = Some(valid);
        self
    }
}

/// `errors.InvalidType(name, "body", typeName, value)` with a string value.
pub(super) fn invalid_type(path: &str, type_name: &str, value: &str) -> OErr {
    OErr::new(
        Code::InvalidType,
        path,
        Some(Bad::Str(value.to_owned())),
        format!("{path} in body must be of type {type_name}: {}", go_quote(value)),
    )
}

/// A `validate.Result`: errors (kept unique by message) and the match count.
#[derive(Clone, Debug, Default)]
pub(super) struct OResult {
    pub(super) errors: Vec<OErr>,
    pub(super) match_count: i64,
}

impl OResult {
    pub(super) fn err(e: OErr) -> Self {
        OResult {
            errors: vec![e],
            match_count: 0,
        }
    }

    pub(super) fn add(&mut self, e: OErr) {
        if !self.errors.iter().any(|x| x.message == e.message) {
            self.errors.push(e);
        }
    }

    pub(super) fn merge(&mut self, other: OResult) {
        for e in other.errors {
            self.add(e);
        }
        self.match_count += other.match_count;
    }

    pub(super) fn merge_opt(&mut self, other: Option<OResult>) {
        if let Some(other) = other {
            self.merge(other);
        }
    }

    pub(super) fn inc(&mut self) {
        self.match_count += 1;
    }

    pub(super) fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// The Go kind of a value decoded from JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Nil,
    Bool,
    Int,
    Float,
    String,
    Slice,
    Map,
}

/// The kind of a value decoded from JSON.
pub(super) fn kind(v: &Value) -> Kind {
    match v {
        Value::Null => Kind::Nil,
        Value::Bool(_) => Kind::Bool,
        Value::Number(n) if number_as_int(n).is_some() => Kind::Int,
        Value::Number(_) => Kind::Float,
        Value::String(_) => Kind::String,
        Value::Array(_) => Kind::Slice,
        Value::Object(_) => Kind::Map,
    }
}

/// A number as kube-openapi's number validator sees it.
#[derive(Clone, Copy, Debug)]
pub(super) enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    pub(super) fn of(n: &serde_json::Number) -> Num {
        match number_as_int(n) {
            Some(i) => Num::Int(i),
            None => Num::Float(number_as_f64(n)),
        }
    }

    pub(super) fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

/// Go's conversion of a `float64` to `int64` on amd64.
pub(super) fn go_f64_to_i64(f: f64) -> i64 {
    if f.is_finite() && f.abs() < -(i64::MIN as f64) {
        f as i64
    } else {
        i64::MIN
    }
}

/// `swag.IsFloat64AJSONInteger`.
pub(super) fn is_float64_json_integer(f: f64) -> bool {
    const MAX: f64 = 9_007_199_254_740_991.0;
    if !f.is_finite() || !(-MAX..=MAX).contains(&f) {
        return false;
    }
    let rounded = f.round();
    if f == rounded {
        return true;
    }
    if rounded == 0.0 {
        return false;
    }
    let diff = (f - rounded).abs();
    diff == 0.0 || diff < 1e-9 * rounded.abs()
}

/// A `ratchetingValueValidator` when `old` is the correlated old value, else a plain
/// `SchemaValidator`: validates `data` and drops its errors when it equals the old value.
pub(super) fn validate_node(s: &Value, path: &str, data: &Value, old: Option<&Value>, root: bool) -> OResult {
    let mut res = schema_validate(s, path, data, old, root);
    if let Some(old) = old
        && !res.is_valid()
        && corr_deep_equal(s, data, old)
    {
        res.errors.clear();
    }
    res
}

/// `SchemaValidator.Validate`: the validators that apply, in kube-openapi's order.
pub(super) fn schema_validate(s: &Value, path: &str, data: &Value, old: Option<&Value>, root: bool) -> OResult {
    let mut result = OResult::default();
    let kind = kind(data);
    if kind == Kind::Nil {
        result.merge(type_validate(s, path, data));
        result.merge_opt(enum_validate(s, path, data));
        return result;
    }
    let format = s_format(s);
    if !s_types(s).is_empty() || !format.is_empty() {
        result.merge(type_validate(s, path, data));
        result.inc();
    }
    result.merge(schema_props_validate(s, path, data));
    result.inc();
    if let Value::String(text) = data {
        result.merge_opt(string_validate(s, path, text));
        result.inc();
        if STRING_FORMATS.contains(&format.replace('-', "").as_str()) {
            if !format_validates(&format.replace('-', ""), text) {
                result.merge(OResult::err(invalid_type(path, format, text)));
            }
            result.inc();
        }
    }
    if let Value::Number(n) = data {
        result.merge(number_validate(s, path, Num::of(n)));
        result.inc();
    }
    if let Value::Array(items) = data {
        result.merge(slice_validate(s, path, items, old));
        result.inc();
    }
    result.merge_opt(enum_validate(s, path, data));
    result.inc();
    if let Value::Object(map) = data {
        result.merge(object_validate(s, path, map, old, root));
        result.inc();
    }
    result.inc();
    result
}

/// The type validator.
pub(super) fn type_validate(s: &Value, path: &str, data: &Value) -> OResult {
    let mut result = OResult::default();
    result.inc();
    let types = s_types(s);
    let joined = types.join(",");
    if data.is_null() {
        if !types.is_empty() && !types.contains(&"null") && !s_bool(s, "nullable") {
            return OResult::err(invalid_type(path, &joined, "null"));
        }
        return result;
    }
    let format = s_format(s);
    let (sch_type, sch_format) = match data {
        Value::Bool(_) => ("boolean", ""),
        Value::String(_) => ("string", ""),
        Value::Number(n) if number_as_int(n).is_some() => ("integer", "int64"),
        Value::Number(_) => ("number", "float64"),
        Value::Array(_) => ("array", ""),
        _ => ("object", ""),
    };
    let string_or_slice = matches!(data, Value::String(_) | Value::Array(_));
    let is_float_int =
        sch_type == "number" && data.as_f64().is_some_and(is_float64_json_integer) && types.contains(&"integer");
    let is_int_float = sch_type == "integer" && types.contains(&"number");
    if !(string_or_slice
        || format.is_empty()
        || types.contains(&sch_type)
        || sch_format == format
        || is_float_int
        || is_int_float)
    {
        return OResult::err(invalid_type(path, format, sch_format));
    }
    if string_or_slice && !(types.contains(&"number") || types.contains(&"integer") || format.is_empty()) {
        return result;
    }
    if !(types.contains(&sch_type) || is_float_int || is_int_float) {
        return OResult::err(invalid_type(path, &joined, sch_type));
    }
    result
}

/// The allOf, anyOf, oneOf and not validator.
pub(super) fn schema_props_validate(s: &Value, path: &str, data: &Value) -> OResult {
    let mut main = OResult::default();
    let any_of = s_arr(s, "anyOf");
    if !any_of.is_empty() {
        let mut best: Option<OResult> = None;
        let mut first_success: Option<OResult> = None;
        for sub in any_of {
            let r = schema_validate(sub, path, data, None, false);
            if r.is_valid() {
                best = None;
                first_success = Some(r);
                break;
            }
            if best.as_ref().is_none_or(|b| r.match_count > b.match_count) {
                best = Some(r);
            }
        }
        if first_success.is_none() {
            main.add(OErr::composite(format!(
                "{} must validate at least one schema (anyOf)",
                go_quote(path)
            )));
        }
        if let Some(best) = best {
            main.merge(best);
        } else if let Some(first) = first_success {
            main.merge(first);
        }
    }
    let one_of = s_arr(s, "oneOf");
    if !one_of.is_empty() {
        let mut best: Option<OResult> = None;
        let mut first_success: Option<OResult> = None;
        let mut validated = 0;
        for sub in one_of {
            let r = schema_validate(sub, path, data, None, false);
            if r.is_valid() {
                validated += 1;
                best = None;
                if first_success.is_none() {
                    first_success = Some(r);
                }
                continue;
            }
            if validated == 0 && best.as_ref().is_none_or(|b| r.match_count > b.match_count) {
                best = Some(r);
            }
        }
        if validated != 1 {
            let additional = if validated == 0 {
                "Found none valid".to_owned()
            } else {
                format!("Found {validated} valid alternatives")
            };
            main.add(OErr::composite(format!(
                "{} must validate one and only one schema (oneOf). {additional}",
                go_quote(path)
            )));
            if let Some(best) = best {
                main.merge(best);
            }
        } else if let Some(first) = first_success {
            main.merge(first);
        }
    }
    let all_of = s_arr(s, "allOf");
    if !all_of.is_empty() {
        let mut validated = 0;
        for sub in all_of {
            let r = schema_validate(sub, path, data, None, false);
            if r.is_valid() {
                validated += 1;
            }
            main.merge(r);
        }
        if validated != all_of.len() {
            let additional = if validated == 0 { ". None validated" } else { "" };
            main.add(OErr::composite(format!(
                "{} must validate all the schemas (allOf){additional}",
                go_quote(path)
            )));
        }
    }
    if let Some(not) = s.get("not").filter(|n| n.is_object())
        && schema_validate(not, path, data, None, false).is_valid()
    {
        main.add(OErr::composite(format!(
            "{} must not validate the schema (not)",
            go_quote(path)
        )));
    }
    main.inc();
    main
}

/// The string validator: the first of maxLength (in runes), minLength and pattern that fails.
pub(super) fn string_validate(s: &Value, path: &str, text: &str) -> Option<OResult> {
    let runes = text.chars().count() as i64;
    if let Some(max) = s_i64(s, "maxLength")
        && runes > max
    {
        return Some(OResult::err(
            OErr::new(
                Code::TooLong,
                path,
                Some(Bad::Str(text.to_owned())),
                format!("{path} in body should be at most {max} chars long"),
            )
            .with_valid(max),
        ));
    }
    if let Some(min) = s_i64(s, "minLength")
        && runes < min
    {
        return Some(OResult::err(
            OErr::new(
                Code::Other,
                path,
                Some(Bad::Str(text.to_owned())),
                format!("{path} in body should be at least {min} chars long"),
            )
            .with_valid(min),
        ));
    }
    let pattern = s_str(s, "pattern");
    if !pattern.is_empty() {
        let shown = match go_regex(pattern) {
            Ok(re) if re.is_match(text) => return None,
            Ok(_) => pattern.to_owned(),
            Err(e) => format!("{pattern}, but pattern is invalid: {e}"),
        };
        return Some(OResult::err(OErr::new(
            Code::Other,
            path,
            Some(Bad::Str(text.to_owned())),
            format!("{path} in body should match '{shown}'"),
        )));
    }
    None
}

/// `IsValueValidAgainstRange`: whether `val` fits the type and format.
pub(super) fn range_error(val: Num, type_name: &str, format: &str, prefix: &str, path: &str) -> Option<OErr> {
    let rep = match val {
        Num::Int(i) => i.to_string(),
        Num::Float(f) => format!("{f}"),
    };
    let bad = match type_name {
        "integer" => match format {
            "int32" => rep.parse::<i32>().is_err(),
            _ => rep.parse::<i64>().is_err(),
        },
        _ => match format {
            "float" | "float32" => rep
                .parse::<f64>()
                .map_or(true, |f| f.is_finite() && (f as f32).is_infinite()),
            _ => false,
        },
    };
    bad.then(|| {
        OErr::plain(if format.is_empty() {
            format!("{prefix} value must be of type {type_name} (default format) in {path}")
        } else {
            format!("{prefix} value must be of type {type_name} with format {format} in {path}")
        })
    })
}

/// The number validator: the value's range, then multipleOf, minimum and maximum.
pub(super) fn number_validate(s: &Value, path: &str, val: Num) -> OResult {
    let types = s_types(s);
    let format = s_format(s);
    // Only a single type, and a format valid for it, constrain the range.
    let (type_name, format) = match (types.as_slice(), format) {
        (["integer"], "int32" | "int64") | (["number"], "float" | "double") => (types[0], format),
        (["integer"] | ["number"], _) => (types[0], ""),
        _ => ("", ""),
    };
    let mut res = OResult::default();
    let data = val.as_f64();
    let value = || Some(Bad::Data(number_value(val)));
    if let Some(e) = range_error(val, type_name, format, "Checked", path) {
        res.add(e);
    }
    let mut res_multiple = OResult::default();
    if let Some(factor) = s_f64(s, "multipleOf") {
        if let Some(e) = range_error(Num::Float(factor), type_name, format, "MultipleOf", path) {
            res_multiple.add(e);
        }
        let err = if res_multiple.is_valid() {
            match val {
                Num::Int(i) => {
                    let factor = go_f64_to_i64(factor);
                    if factor <= 0 {
                        Some(multiple_of_positive(path, &factor.to_string(), Bad::Int(factor)))
                    } else if (i / factor) * factor != i {
                        Some(not_multiple_of(path, &factor.to_string(), value()))
                    } else {
                        None
                    }
                }
                Num::Float(f) => float_multiple_of(path, f, factor, value()),
            }
        } else {
            float_multiple_of(path, data, factor, value())
        };
        if let Some(e) = err {
            res_multiple.add(e);
        }
    }
    let mut res_minimum = OResult::default();
    if let Some(min) = s_f64(s, "minimum") {
        let exclusive = s_bool(s, "exclusiveMinimum");
        if let Some(e) = range_error(Num::Float(min), type_name, format, "Minimum boundary", path) {
            res_minimum.add(e);
        }
        let failed = match val {
            Num::Int(i) if res_minimum.is_valid() => {
                let min = go_f64_to_i64(min);
                ((!exclusive && i < min) || (exclusive && i <= min)).then(|| min.to_string())
            }
            _ => ((!exclusive && data < min) || (exclusive && data <= min)).then(|| go_float_v(min)),
        };
        if let Some(min) = failed {
            let op = if exclusive {
                "greater than"
            } else {
                "greater than or equal to"
            };
            res_minimum.add(OErr::new(
                Code::Other,
                path,
                value(),
                format!("{path} in body should be {op} {min}"),
            ));
        }
    }
    let mut res_maximum = OResult::default();
    if let Some(max) = s_f64(s, "maximum") {
        let exclusive = s_bool(s, "exclusiveMaximum");
        if let Some(e) = range_error(Num::Float(max), type_name, format, "Maximum boundary", path) {
            res_maximum.add(e);
        }
        let failed = match val {
            Num::Int(i) if res_maximum.is_valid() => {
                let max = go_f64_to_i64(max);
                ((!exclusive && i > max) || (exclusive && i >= max)).then(|| max.to_string())
            }
            _ => ((!exclusive && data > max) || (exclusive && data >= max)).then(|| go_float_v(max)),
        };
        if let Some(max) = failed {
            let op = if exclusive {
                "less than"
            } else {
                "less than or equal to"
            };
            res_maximum.add(OErr::new(
                Code::Other,
                path,
                value(),
                format!("{path} in body should be {op} {max}"),
            ));
        }
    }
    res.merge(res_multiple);
    res.merge(res_minimum);
    res.merge(res_maximum);
    res.inc();
    res
}

/// A number back as JSON, to print as a bad value.
pub(super) fn number_value(val: Num) -> Value {
    match val {
        Num::Int(i) => Value::from(i),
        Num::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
    }
}

/// `errors.MultipleOfMustBePositive`.
pub(super) fn multiple_of_positive(path: &str, factor: &str, value: Bad) -> OErr {
    OErr::new(
        Code::Other,
        path,
        Some(value),
        format!("factor MultipleOf declared for {path} must be positive: {factor}"),
    )
}

/// `errors.NotMultipleOf`.
pub(super) fn not_multiple_of(path: &str, factor: &str, value: Option<Bad>) -> OErr {
    OErr::new(
        Code::Other,
        path,
        value,
        format!("{path} in body should be a multiple of {factor}"),
    )
}

/// `MultipleOf` on floats.
pub(super) fn float_multiple_of(path: &str, data: f64, factor: f64, value: Option<Bad>) -> Option<OErr> {
    if factor <= 0.0 {
        let bad = number_value(Num::Float(factor));
        return Some(multiple_of_positive(path, &go_float_v(factor), Bad::Data(bad)));
    }
    let mult = if factor < 1.0 {
        1.0 / factor * data
    } else {
        data / factor
    };
    (!is_float64_json_integer(mult)).then(|| not_multiple_of(path, &go_float_v(factor), value))
}

/// The slice validator: items, then minItems, maxItems and uniqueItems.
pub(super) fn slice_validate(s: &Value, path: &str, items: &[Value], old: Option<&Value>) -> OResult {
    let mut result = OResult::default();
    if let Some(item_schema) = s.get("items").filter(|i| i.is_object()) {
        let old_items = old.and_then(Value::as_array).map(|o| MapList::new(s, o));
        for (i, item) in items.iter().enumerate() {
            let item_old = old_items.as_ref().and_then(|o| o.get(item));
            result.merge(validate_node(
                item_schema,
                &format!("{path}[{i}]"),
                item,
                item_old,
                false,
            ));
        }
    }
    let size = items.len() as i64;
    if let Some(min) = s_i64(s, "minItems")
        && size < min
    {
        result.add(
            OErr::new(
                Code::Other,
                path,
                Some(Bad::Int(size)),
                format!("{path} in body should have at least {min} items"),
            )
            .with_valid(min),
        );
    }
    if let Some(max) = s_i64(s, "maxItems")
        && size > max
    {
        result.add(
            OErr::new(
                Code::MaxItems,
                path,
                Some(Bad::Int(size)),
                format!("{path} in body should have at most {max} items"),
            )
            .with_valid(max),
        );
    }
    if s_bool(s, "uniqueItems") && items.iter().enumerate().any(|(i, v)| items[..i].contains(v)) {
        result.add(OErr::new(
            Code::Other,
            path,
            None,
            format!("{path} in body shouldn't contain duplicates"),
        ));
    }
    result.inc();
    result
}

/// The enum validator, with Go's conversion of the value to each allowed value's type.
pub(super) fn enum_validate(s: &Value, path: &str, data: &Value) -> Option<OResult> {
    let values = s_arr(s, "enum");
    if values.is_empty() {
        return None;
    }
    if !data.is_null() && values.iter().any(|e| enum_match(data, e)) {
        return None;
    }
    let mut e = OErr::new(
        Code::Enum,
        path,
        Some(if data.is_null() {
            Bad::Nil
        } else {
            Bad::Data(data.clone())
        }),
        format!(
            "{path} in body should be one of [{}]",
            values.iter().map(go_json).collect::<Vec<_>>().join(" ")
        ),
    );
    e.values = values.to_vec();
    Some(OResult::err(e))
}

/// `reflect.Value.Convert` of `data` to the type of `allowed`, then `reflect.DeepEqual`.
pub(super) fn enum_match(data: &Value, allowed: &Value) -> bool {
    match (data, allowed) {
        (_, Value::Null) => false,
        (Value::String(a), Value::String(b)) => a == b,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Number(a), Value::String(b)) => match number_as_int(a) {
            // Go converts an integer to the string of that rune.
            Some(i) => {
                let rune = u32::try_from(i).ok().and_then(char::from_u32).unwrap_or('\u{fffd}');
                b.chars().eq(std::iter::once(rune))
            }
            None => false,
        },
        (Value::Number(a), Value::Number(b)) => match (Num::of(a), Num::of(b)) {
            (Num::Int(x), Num::Int(y)) => x == y,
            (Num::Float(x), Num::Int(y)) => go_f64_to_i64(x) == y,
            (Num::Int(x), Num::Float(y)) => x as f64 == y,
            (Num::Float(x), Num::Float(y)) => x == y,
        },
        (Value::Array(_), Value::Array(_)) | (Value::Object(_), Value::Object(_)) => data == allowed,
        _ => false,
    }
}

/// The object validator: min/maxProperties, additionalProperties, properties, required.
pub(super) fn object_validate(
    s: &Value,
    path: &str,
    map: &Map<String, Value>,
    old: Option<&Value>,
    root: bool,
) -> OResult {
    let mut res = OResult::default();
    let n = map.len() as i64;
    if let Some(min) = s_i64(s, "minProperties")
        && n < min
    {
        res.add(
            OErr::new(
                Code::Other,
                path,
                Some(Bad::Int(n)),
                format!("{path} in body should have at least {min} properties"),
            )
            .with_valid(min),
        );
    }
    if let Some(max) = s_i64(s, "maxProperties")
        && n > max
    {
        res.add(
            OErr::new(
                Code::TooManyProperties,
                path,
                Some(Bad::Int(n)),
                format!("{path} in body should have at most {max} properties"),
            )
            .with_valid(max),
        );
    }
    let properties = s_props(s);
    let is_property = |k: &str| properties.is_some_and(|p| p.contains_key(k));
    let old_map = old.and_then(Value::as_object);
    let child_old = |key: &str| {
        if root && matches!(key, "apiVersion" | "kind") {
            return None;
        }
        old_map.and_then(|o| o.get(key))
    };
    if s.get("additionalProperties") == Some(&Value::Bool(false)) {
        for key in sorted_keys(map) {
            if !is_property(key) {
                res.add(OErr::new(
                    Code::Other,
                    path,
                    Some(Bad::Str(key.clone())),
                    format!("{path}.{key} in body is a forbidden property"),
                ));
            }
        }
    } else if let Some(additional) = s_additional(s) {
        for key in sorted_keys(map) {
            if !is_property(key) {
                res.merge(validate_node(
                    additional,
                    &format!("{path}.{key}"),
                    &map[key],
                    child_old(key),
                    false,
                ));
            }
        }
    }
    if let Some(properties) = properties {
        for name in sorted_keys(properties) {
            if let Some(v) = map.get(name) {
                let child_path = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                res.merge(validate_node(&properties[name], &child_path, v, child_old(name), false));
            }
        }
    }
    for required in s_arr(s, "required").iter().filter_map(Value::as_str) {
        if !map.contains_key(required) {
            res.add(OErr::new(
                Code::Required,
                &format!("{path}.{required}"),
                None,
                format!("{path}.{required} in body is required"),
            ));
        }
    }
    res
}

/// `kubeOpenAPIResultToFieldErrors` for one error.
pub(super) fn openapi_to_field_error(e: &OErr, base: &FPath) -> FieldErr {
    let path = if e.name.is_empty() || e.name == "." {
        base.clone()
    } else {
        base.child(e.name.trim_start_matches('.'))
    };
    let value = || e.value.clone().unwrap_or_else(|| Bad::Str(String::new()));
    match e.code {
        Code::Composite | Code::Plain => FieldErr::new(INVALID, base, Bad::Str(String::new()), &e.message),
        Code::Required => FieldErr::new(REQUIRED, &path, Bad::Str(String::new()), ""),
        Code::Enum => {
            let quoted: Vec<String> = e
                .values
                .iter()
                .map(|v| go_quote(&v.as_str().map_or_else(|| go_json(v), str::to_owned)))
                .collect();
            let detail = if quoted.is_empty() {
                String::new()
            } else {
                format!("supported values: {}", quoted.join(", "))
            };
            FieldErr::new(NOT_SUPPORTED, &path, e.value.clone().unwrap_or(Bad::Nil), &detail)
        }
        Code::TooLong => {
            let max = e.valid.unwrap_or(-1);
            let detail = match max {
                1 => "may not be more than 1 byte".to_owned(),
                m if m >= 0 => format!("may not be more than {m} bytes"),
                _ => "value is too long".to_owned(),
            };
            FieldErr::new(TOO_LONG, &path, Bad::Str("<value omitted>".to_owned()), &detail)
        }
        Code::MaxItems | Code::TooManyProperties => {
            let actual = match e.value {
                Some(Bad::Int(i)) => i,
                _ => -1,
            };
            let max = e.valid.unwrap_or(-1);
            let detail = match max {
                1 => "must have at most 1 item".to_owned(),
                m if m >= 0 => format!("must have at most {m} items"),
                _ => "has too many items".to_owned(),
            };
            let bad = if actual >= 0 { Bad::Int(actual) } else { Bad::Omit };
            FieldErr::new(TOO_MANY, &path, bad, &detail)
        }
        Code::InvalidType => FieldErr::new(TYPE_INVALID, &path, value(), &e.message),
        Code::Other => FieldErr::new(INVALID, &path, value(), &e.message),
    }
}
