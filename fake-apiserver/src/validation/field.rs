//! field.Error and Go's printing of values.

use super::*;

/// `field.ErrorTypeInvalid`.
pub(super) const INVALID: &str = "FieldValueInvalid";
/// `field.ErrorTypeTypeInvalid`.
pub(super) const TYPE_INVALID: &str = "FieldValueTypeInvalid";
/// `field.ErrorTypeNotSupported`.
pub(super) const NOT_SUPPORTED: &str = "FieldValueNotSupported";
/// `field.ErrorTypeRequired`.
pub(super) const REQUIRED: &str = "FieldValueRequired";
/// `field.ErrorTypeDuplicate`.
pub(super) const DUPLICATE: &str = "FieldValueDuplicate";
/// `field.ErrorTypeForbidden`.
pub(super) const FORBIDDEN: &str = "FieldValueForbidden";
/// `field.ErrorTypeTooLong`.
pub(super) const TOO_LONG: &str = "FieldValueTooLong";
/// `field.ErrorTypeTooMany`.
pub(super) const TOO_MANY: &str = "FieldValueTooMany";

/// The cause types after which `hasBlockingErr` skips the CEL rules.
pub(super) const BLOCKING: [&str; 5] = [NOT_SUPPORTED, REQUIRED, TOO_LONG, TOO_MANY, TYPE_INVALID];

/// A `field.Path`: `None` is the nil path, printed `<nil>`.
#[derive(Clone, Debug, Default)]
pub(super) struct FPath(pub(super) Option<String>);

impl FPath {
    pub(super) fn root() -> Self {
        FPath(None)
    }

    /// `Path.Child(name)`.
    pub(super) fn child(&self, name: &str) -> Self {
        match &self.0 {
            None => FPath(Some(name.to_owned())),
            Some(p) => FPath(Some(format!("{p}.{name}"))),
        }
    }

    /// `Path.Key(key)`.
    pub(super) fn key(&self, key: &str) -> Self {
        FPath(Some(format!("{}[{key}]", self.0.as_deref().unwrap_or(""))))
    }

    /// `Path.Index(i)`.
    pub(super) fn index(&self, i: usize) -> Self {
        FPath(Some(format!("{}[{i}]", self.0.as_deref().unwrap_or(""))))
    }

    pub(super) fn render(&self) -> String {
        self.0.clone().unwrap_or_else(|| "<nil>".to_owned())
    }
}

/// A `field.Error`'s `BadValue`, with the Go type that decides how it prints.
#[derive(Clone, Debug)]
pub(super) enum Bad {
    /// `field.OmitValueType{}`: no value printed.
    Omit,
    /// A nil interface: `null`.
    Nil,
    /// A Go `string`: `%q`.
    Str(String),
    /// A Go `int64` or `int`.
    Int(i64),
    /// A value decoded from JSON: `int64`, `float64`, `bool` and `string` print with `%v` or
    /// `%q`, maps and slices as JSON.
    Data(Value),
}

/// A `field.Error`.
#[derive(Clone, Debug)]
pub(super) struct FieldErr {
    pub(super) ty: &'static str,
    pub(super) field: FPath,
    pub(super) bad: Bad,
    pub(super) detail: String,
}

impl FieldErr {
    pub(super) fn new(ty: &'static str, field: &FPath, bad: Bad, detail: &str) -> Self {
        FieldErr {
            ty,
            field: field.clone(),
            bad,
            detail: detail.to_owned(),
        }
    }

    /// `ErrorBody()`.
    pub(super) fn body(&self) -> String {
        let label = match self.ty {
            REQUIRED => "Required value",
            DUPLICATE => "Duplicate value",
            INVALID | TYPE_INVALID => "Invalid value",
            NOT_SUPPORTED => "Unsupported value",
            FORBIDDEN => "Forbidden",
            TOO_LONG => "Too long",
            TOO_MANY => "Too many",
            _ => "Internal error",
        };
        let mut s = label.to_owned();
        if !matches!(self.ty, REQUIRED | FORBIDDEN | TOO_LONG) {
            match &self.bad {
                Bad::Omit => {}
                Bad::Nil => s.push_str(": null"),
                Bad::Str(v) => {
                    s.push_str(": ");
                    s.push_str(&go_quote(v));
                }
                Bad::Int(i) => {
                    let _ = write!(s, ": {i}");
                }
                Bad::Data(v) => {
                    s.push_str(": ");
                    s.push_str(&match v {
                        Value::Bool(b) => b.to_string(),
                        Value::Number(n) => go_number_v(n),
                        Value::String(v) => go_quote(v),
                        _ => go_json(v),
                    });
                }
            }
        }
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }

    pub(super) fn into_cause(self) -> Cause {
        Cause {
            message: self.body(),
            field: self.field.render(),
            reason: self.ty,
        }
    }
}

/// The printable runes of Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols.
pub(super) static PRINTABLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\p{L}\p{M}\p{N}\p{P}\p{S}]$").expect("valid regex"));

/// Go's `strconv.Quote` (the `%q` verb).
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut buf = [0u8; 4];
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
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if PRINTABLE.is_match(c.encode_utf8(&mut buf)) => out.push(c),
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// The shortest decimal digits of `f` and its decimal exponent (`d.ddd × 10^exp`).
pub(super) fn shortest_digits(f: f64) -> (String, i32) {
    let e = format!("{:e}", f.abs());
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    (mantissa.replace('.', ""), exp.parse().unwrap_or(0))
}

/// `d.ddd` followed by `e±XX`, Go's `%e` with the shortest precision (at least two exponent
/// digits) or, with `pad` false, JSON's cleaned-up form.
pub(super) fn exp_form(f: f64, pad: bool) -> String {
    let (digits, exp) = shortest_digits(f);
    let mut s = String::new();
    if f.is_sign_negative() {
        s.push('-');
    }
    s.push_str(&digits[..1]);
    if digits.len() > 1 {
        s.push('.');
        s.push_str(&digits[1..]);
    }
    let sign = if exp < 0 { '-' } else { '+' };
    if pad {
        let _ = write!(s, "e{sign}{:02}", exp.abs());
    } else {
        let _ = write!(s, "e{sign}{}", exp.abs());
    }
    s
}

/// Go's `%v` of a `float64`: `%g` with the shortest precision.
pub(super) fn go_float_v(f: f64) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    let (_, exp) = shortest_digits(f);
    if !(-4..6).contains(&exp) {
        exp_form(f, true)
    } else {
        format!("{f}")
    }
}

/// Go's `encoding/json` rendering of a `float64`.
pub(super) fn go_json_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        exp_form(f, false)
    } else {
        format!("{f}")
    }
}

/// Whether a JSON number decodes to a Go `int64` (else to a `float64`), as Kubernetes'
/// `util/json` decodes it.
pub(super) fn number_as_int(n: &serde_json::Number) -> Option<i64> {
    n.as_i64()
}

/// A JSON number as a Go `float64`.
pub(super) fn number_as_f64(n: &serde_json::Number) -> f64 {
    n.as_f64().unwrap_or(0.0)
}

/// `%v` of a JSON number as Go decoded it.
pub(super) fn go_number_v(n: &serde_json::Number) -> String {
    match number_as_int(n) {
        Some(i) => i.to_string(),
        None => go_float_v(number_as_f64(n)),
    }
}

/// Go's `json.Marshal` of a value decoded from JSON: sorted keys, HTML characters escaped.
pub(crate) fn go_json(v: &Value) -> String {
    let mut out = String::new();
    write_go_json(v, &mut out);
    out
}

/// Appends `json.Marshal` of `v` to `out`.
pub(super) fn write_go_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match number_as_int(n) {
            Some(i) => out.push_str(&i.to_string()),
            None => out.push_str(&go_json_float(number_as_f64(n))),
        },
        Value::String(s) => write_go_json_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, key) in sorted_keys(map).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_json_string(key, out);
                out.push(':');
                write_go_json(&map[key], out);
            }
            out.push('}');
        }
    }
}

/// Appends a JSON string as `encoding/json` escapes it.
pub(super) fn write_go_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The keys of an object in byte order (Go's `json.Marshal` order, and this module's for map iterations).
pub(super) fn sorted_keys(map: &Map<String, Value>) -> Vec<&String> {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    keys
}
