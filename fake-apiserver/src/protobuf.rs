//! Protobuf request bodies (`application/vnd.kubernetes.protobuf`), what kubectl and every
//! client-go typed client send for built-in kinds: the `k8s\0` magic, a `runtime.Unknown` envelope
//! naming the kind, and the object's message, decoded into the JSON the real server would have
//! stored, by a table generated from the Go API types (`cargo xtask protobuf`, see
//! `data/protobuf.json`). Responses stay JSON: the real server too answers in the media type the
//! client accepts, and clients accept JSON.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::{Map, Value, json};

/// The first bytes of every Kubernetes protobuf body.
const MAGIC: &[u8] = b"k8s\0";

struct Field {
    number: u64,
    json: String,
    ty: String,
    repeated: bool,
    map: bool,
    omitempty: bool,
    pointer: bool,
    inline: bool,
}

struct Table {
    /// `apiVersion/kind` to message name.
    kinds: HashMap<String, String>,
    messages: HashMap<String, Vec<Field>>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let value: Value = serde_json::from_str(include_str!("../data/protobuf.json")).expect("the table is JSON");
    let kinds = value["kinds"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let messages = value["messages"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(name, fields)| {
                    let fields = fields
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|f| {
                            let flags = f[3].as_str().unwrap_or_default();
                            Field {
                                number: f[0].as_u64().unwrap_or_default(),
                                json: f[1].as_str().unwrap_or_default().to_owned(),
                                ty: f[2].as_str().unwrap_or_default().to_owned(),
                                repeated: flags.contains('r'),
                                map: flags.contains('m'),
                                omitempty: flags.contains('o'),
                                pointer: flags.contains('p'),
                                inline: flags.contains('i'),
                            }
                        })
                        .collect();
                    (name.clone(), fields)
                })
                .collect()
        })
        .unwrap_or_default();
    Table { kinds, messages }
});

/// Why a protobuf body could not be decoded.
#[derive(Debug)]
pub(crate) struct DecodeError(pub String);

fn err<T>(message: impl Into<String>) -> Result<T, DecodeError> {
    Err(DecodeError(message.into()))
}

/// A value on the wire.
enum Wire<'a> {
    Varint(u64),
    Fixed64(u64),
    Bytes(&'a [u8]),
    Fixed32(u32),
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, DecodeError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let Some((&byte, rest)) = self.bytes.split_first() else {
                return err("a truncated varint");
            };
            self.bytes = rest;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        err("a varint longer than 10 bytes")
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.bytes.len() < n {
            return err("a truncated field");
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    /// The next `(field number, value)`, or `None` at the end.
    fn next(&mut self) -> Result<Option<(u64, Wire<'a>)>, DecodeError> {
        if self.bytes.is_empty() {
            return Ok(None);
        }
        let key = self.varint()?;
        let value = match key & 7 {
            0 => Wire::Varint(self.varint()?),
            1 => Wire::Fixed64(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes"))),
            2 => {
                let len = usize::try_from(self.varint()?).map_err(|_| DecodeError("a huge length".into()))?;
                Wire::Bytes(self.take(len)?)
            }
            5 => Wire::Fixed32(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes"))),
            other => return err(format!("wire type {other} is not supported")),
        };
        Ok(Some((key >> 3, value)))
    }
}

/// Every `(number, value)` of a message.
fn fields(bytes: &[u8]) -> Result<Vec<(u64, Wire<'_>)>, DecodeError> {
    let mut reader = Reader { bytes };
    let mut out = Vec::new();
    while let Some(field) = reader.next()? {
        out.push(field);
    }
    Ok(out)
}

fn bytes_of<'a>(wire: &Wire<'a>) -> Result<&'a [u8], DecodeError> {
    match wire {
        Wire::Bytes(b) => Ok(b),
        _ => err("a length-delimited field was expected"),
    }
}

fn string_of(wire: &Wire<'_>) -> Result<String, DecodeError> {
    String::from_utf8(bytes_of(wire)?.to_vec()).map_err(|_| DecodeError("a string that is not UTF-8".into()))
}

fn varint_of(wire: &Wire<'_>) -> Result<u64, DecodeError> {
    match wire {
        Wire::Varint(v) => Ok(*v),
        Wire::Fixed64(v) => Ok(*v),
        Wire::Fixed32(v) => Ok(u64::from(*v)),
        Wire::Bytes(_) => err("a number was expected"),
    }
}

/// Decodes a whole request body: the `k8s\0` magic, the `runtime.Unknown` envelope, and the
/// object, returned as JSON with its `apiVersion` and `kind`.
pub(crate) fn decode(body: &[u8]) -> Result<Value, DecodeError> {
    let Some(envelope) = body.strip_prefix(MAGIC) else {
        return err("the protobuf body does not start with the k8s\\0 prefix");
    };
    let (mut api_version, mut kind, mut raw) = (String::new(), String::new(), &[][..]);
    for (number, wire) in fields(envelope)? {
        match number {
            1 => {
                for (n, w) in fields(bytes_of(&wire)?)? {
                    match n {
                        1 => api_version = string_of(&w)?,
                        2 => kind = string_of(&w)?,
                        _ => {}
                    }
                }
            }
            2 => raw = bytes_of(&wire)?,
            3 if !bytes_of(&wire)?.is_empty() => return err("content encodings are not supported"),
            _ => {}
        }
    }
    let Some(message) = TABLE.kinds.get(&format!("{api_version}/{kind}")) else {
        return err(format!(
            "no kind \"{kind}\" is registered for version \"{api_version}\""
        ));
    };
    let mut object = Map::new();
    object.insert("kind".into(), json!(kind));
    object.insert("apiVersion".into(), json!(api_version));
    object.extend(message_of(raw, message)?);
    Ok(Value::Object(object))
}

fn message_of(bytes: &[u8], name: &str) -> Result<Map<String, Value>, DecodeError> {
    let Some(table) = TABLE.messages.get(name) else {
        return err(format!("no message {name}"));
    };
    let mut values: HashMap<u64, Vec<Value>> = HashMap::new();
    let mut maps: HashMap<u64, Map<String, Value>> = HashMap::new();
    for (number, wire) in fields(bytes)? {
        let Some(field) = table.iter().find(|f| f.number == number) else {
            continue;
        };
        if field.map {
            let (mut key, mut value) = (String::new(), None);
            for (n, w) in fields(bytes_of(&wire)?)? {
                match n {
                    1 => key = string_of(&w)?,
                    2 => value = Some(value_of(&w, &field.ty)?),
                    _ => {}
                }
            }
            let value = match value {
                Some(v) => v,
                None => value_of(&Wire::Bytes(&[]), &field.ty)?,
            };
            maps.entry(number).or_default().insert(key, value);
        } else if field.repeated && is_packable(&field.ty) && matches!(wire, Wire::Bytes(_)) {
            let mut reader = Reader {
                bytes: bytes_of(&wire)?,
            };
            while !reader.bytes.is_empty() {
                let item = match field.ty.as_str() {
                    "float64" => Wire::Fixed64(u64::from_le_bytes(reader.take(8)?.try_into().expect("8 bytes"))),
                    _ => Wire::Varint(reader.varint()?),
                };
                values.entry(number).or_default().push(value_of(&item, &field.ty)?);
            }
        } else {
            values.entry(number).or_default().push(value_of(&wire, &field.ty)?);
        }
    }
    let mut out = Map::new();
    for field in table {
        let value = if field.map {
            match maps.remove(&field.number) {
                Some(map) => Value::Object(map),
                None => continue,
            }
        } else if field.repeated {
            match values.remove(&field.number) {
                Some(items) => Value::Array(items),
                None => continue,
            }
        } else {
            match values.remove(&field.number).and_then(|mut v| v.pop()) {
                Some(value) => value,
                // Go writes every non-pointer scalar; JSON has it without `omitempty`.
                None if !field.pointer && !field.omitempty => match zero_of(&field.ty) {
                    Some(zero) => zero,
                    None => continue,
                },
                None => continue,
            }
        };
        if field.inline {
            if let Value::Object(inner) = value {
                out.extend(inner);
            }
            continue;
        }
        // A zero time is left out too: `creationTimestamp` is `omitzero`.
        if field.omitempty && !field.pointer && (is_empty(&value) || (field.ty == "time" && value.is_null())) {
            continue;
        }
        out.insert(field.json.clone(), value);
    }
    Ok(out)
}

fn is_packable(ty: &str) -> bool {
    matches!(ty, "bool" | "int32" | "int64" | "uint32" | "uint64" | "float64")
}

fn zero_of(ty: &str) -> Option<Value> {
    Some(match ty {
        "string" => json!(""),
        "bool" => json!(false),
        "int32" | "int64" | "uint32" | "uint64" => json!(0),
        "float64" => json!(0.0),
        _ => return None,
    })
}

/// What Go's `omitempty` leaves out: false, 0, "", and empty lists and maps (not structs).
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(_) => false,
    }
}

fn value_of(wire: &Wire<'_>, ty: &str) -> Result<Value, DecodeError> {
    Ok(match ty {
        "string" => json!(string_of(wire)?),
        "bytes" => {
            use base64::Engine;
            json!(base64::engine::general_purpose::STANDARD.encode(bytes_of(wire)?))
        }
        "bool" => json!(varint_of(wire)? != 0),
        // Negative int32s are sign-extended to 64 bits on the wire.
        "int32" => json!(varint_of(wire)? as i64 as i32),
        "int64" => json!(varint_of(wire)? as i64),
        "uint32" => json!(varint_of(wire)? as u32),
        "uint64" => json!(varint_of(wire)?),
        "float64" => match wire {
            Wire::Fixed64(bits) => json!(f64::from_bits(*bits)),
            _ => return err("a double was expected"),
        },
        "time" => {
            let (mut seconds, mut nanos) = (0i64, 0i32);
            for (n, w) in fields(bytes_of(wire)?)? {
                match n {
                    1 => seconds = varint_of(&w)? as i64,
                    2 => nanos = varint_of(&w)? as i64 as i32,
                    _ => {}
                }
            }
            if seconds == 0 && nanos == 0 {
                Value::Null
            } else {
                let at = jiff::Timestamp::new(seconds, nanos).map_err(|e| DecodeError(format!("a bad time: {e}")))?;
                let format = if nanos == 0 {
                    "%Y-%m-%dT%H:%M:%SZ"
                } else {
                    "%Y-%m-%dT%H:%M:%S.%6fZ"
                };
                json!(at.strftime(format).to_string())
            }
        }
        "duration" => {
            let mut nanos = 0i64;
            for (n, w) in fields(bytes_of(wire)?)? {
                if n == 1 {
                    nanos = varint_of(&w)? as i64;
                }
            }
            json!(go_duration(nanos))
        }
        "quantity" => {
            let mut text = String::new();
            for (n, w) in fields(bytes_of(wire)?)? {
                if n == 1 {
                    text = string_of(&w)?;
                }
            }
            json!(text)
        }
        "intorstring" => {
            let (mut kind, mut int, mut text) = (0, 0i32, String::new());
            for (n, w) in fields(bytes_of(wire)?)? {
                match n {
                    1 => kind = varint_of(&w)?,
                    2 => int = varint_of(&w)? as i64 as i32,
                    3 => text = string_of(&w)?,
                    _ => {}
                }
            }
            if kind == 1 { json!(text) } else { json!(int) }
        }
        "raw" => {
            let mut raw = &[][..];
            for (n, w) in fields(bytes_of(wire)?)? {
                if n == 1 {
                    raw = bytes_of(&w)?;
                }
            }
            if raw.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(raw).map_err(|e| DecodeError(format!("embedded JSON: {e}")))?
            }
        }
        list if list.starts_with("list:") => {
            let item = &list["list:".len()..];
            let mut items = Vec::new();
            for (n, w) in fields(bytes_of(wire)?)? {
                if n == 1 {
                    items.push(value_of(&w, item)?);
                }
            }
            Value::Array(items)
        }
        message => Value::Object(message_of(bytes_of(wire)?, message)?),
    })
}

/// A duration as Go's `time.Duration.String` writes it (`1h2m3s`, `1.5s`, `0s`).
fn go_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let n = nanos.unsigned_abs();
    if n < 1_000_000_000 {
        let (unit, div) = if n < 1_000 {
            ("ns", 1)
        } else if n < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        return format!("{sign}{}{unit}", trim_fraction(n, div));
    }
    let hours = n / 3_600_000_000_000;
    let minutes = n / 60_000_000_000 % 60;
    let seconds = trim_fraction(n % 60_000_000_000, 1_000_000_000);
    let mut out = sign.to_owned();
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if hours > 0 || minutes > 0 {
        out.push_str(&format!("{minutes}m"));
    }
    out.push_str(&format!("{seconds}s"));
    out
}

fn trim_fraction(n: u64, div: u64) -> String {
    let whole = n / div;
    let fraction = n % div;
    if fraction == 0 {
        return whole.to_string();
    }
    let digits = div.to_string().len() - 1;
    let text = format!("{whole}.{fraction:0digits$}");
    text.trim_end_matches('0').to_owned()
}

/// The Go zero value of a built-in kind (`apiVersion`, `kind`) as the field manager sees it:
/// what `runtime.DefaultUnstructuredConverter` makes of `New()`. Fields with `omitempty` that are
/// zero, and nil pointers with it, are left out; nil lists, maps and pointers without it are
/// `null`; structs are always there (`omitempty` does not leave out a struct). It is the old
/// object a create is compared with, which is why a field that is a struct in Go (a
/// Deployment's `strategy`) is never added as a whole, where a map (`labels`) is. `None` for
/// kinds the table does not know (custom resources, whose zero value is empty).
pub(crate) fn zero_value(api_version: &str, kind: &str) -> Option<Value> {
    let message = TABLE.kinds.get(&format!("{api_version}/{kind}"))?;
    Some(Value::Object(zero_message(message, 0)))
}

fn zero_message(name: &str, depth: usize) -> Map<String, Value> {
    let mut out = Map::new();
    let Some(fields) = TABLE.messages.get(name).filter(|_| depth < 32) else {
        return out;
    };
    for field in fields {
        let value = if field.pointer || field.repeated || field.map || field.ty.starts_with("list:") {
            if field.omitempty {
                continue;
            }
            Value::Null
        } else if let Some(zero) = zero_of(&field.ty) {
            if field.omitempty {
                continue;
            }
            zero
        } else {
            match field.ty.as_str() {
                // A zero `metav1.Time` converts to null; `creationTimestamp` is `omitzero`, and
                // the other `omitempty` times are left out alike.
                "time" if field.omitempty => continue,
                "time" | "bytes" | "raw" => Value::Null,
                "duration" => json!("0s"),
                "quantity" => json!("0"),
                "intorstring" => json!(0),
                message => Value::Object(zero_message(message, depth + 1)),
            }
        };
        if field.inline {
            if let Value::Object(inner) = value {
                out.extend(inner);
            }
            continue;
        }
        out.insert(field.json.clone(), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(go_duration(0), "0s");
        assert_eq!(go_duration(1_500_000_000), "1.5s");
        assert_eq!(go_duration(3_723_000_000_000), "1h2m3s");
        assert_eq!(go_duration(60_000_000_000), "1m0s");
        assert_eq!(go_duration(2_000_000), "2ms");
    }
}
