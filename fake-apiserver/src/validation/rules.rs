//! The x-kubernetes-validations CEL rules (schema/cel.Validator).

use super::*;

/// `hasXValidations`: rules in the schema, its items, additionalProperties or properties.
pub(super) fn has_x_validations(s: &Value) -> bool {
    !s_arr(s, "x-kubernetes-validations").is_empty()
        || s.get("items").is_some_and(has_x_validations)
        || s_additional(s).is_some_and(has_x_validations)
        || s_props(s).is_some_and(|p| p.values().any(has_x_validations))
}

/// Whether `SchemaDeclType` gives the schema a CEL type: rules under a property without one are
/// never evaluated, and rules on items or values without one fail to compile.
pub(super) fn decl_type_exists(s: &Value) -> bool {
    if s_bool(s, "x-kubernetes-int-or-string") {
        return true;
    }
    match s_str(s, "type") {
        "array" => s.get("items").filter(|i| i.is_object()).is_some_and(decl_type_exists),
        "object" => s_additional(s).is_none_or(decl_type_exists),
        "string" | "integer" | "number" | "boolean" => true,
        _ => false,
    }
}

/// The correlation of a node with its old value, for ratcheting rule errors.
#[derive(Clone, Copy)]
pub(super) struct Corr<'a> {
    pub(super) new: &'a Value,
    pub(super) old: &'a Value,
    pub(super) schema: &'a Value,
}

impl<'a> Corr<'a> {
    pub(super) fn key(self, field: &str) -> Option<Corr<'a>> {
        let new = self.new.as_object()?.get(field)?;
        let old = self.old.as_object()?.get(field)?;
        let schema = s_props(self.schema)
            .and_then(|p| p.get(field))
            .or_else(|| s_additional(self.schema))?;
        Some(Corr { new, old, schema })
    }

    /// The correlation of item `i`, with the old items of this list by key.
    pub(super) fn index(self, i: usize, old_items: Option<&MapList<'a>>) -> Option<Corr<'a>> {
        let new = self.new.as_array()?.get(i)?;
        let old = old_items?.get(new)?;
        let schema = self.schema.get("items").filter(|s| s.is_object())?;
        Some(Corr { new, old, schema })
    }

    pub(super) fn deep_equal(self) -> bool {
        corr_deep_equal(self.schema, self.new, self.old)
    }
}

/// `ratchetingOptions`: the node's correlation, else its nearest correlatable ancestor's.
#[derive(Clone, Copy, Default)]
pub(super) struct RatchetOpts<'a> {
    pub(super) current: Option<Corr<'a>>,
    pub(super) nearest: Option<Corr<'a>>,
}

impl<'a> RatchetOpts<'a> {
    pub(super) fn key(self, field: &str) -> Self {
        match self.current {
            None => self,
            Some(_) if self.nearest.is_none() && matches!(field, "apiVersion" | "kind") => RatchetOpts::default(),
            Some(c) => RatchetOpts {
                current: c.key(field),
                nearest: Some(c),
            },
        }
    }

    /// `old_items`: the old items of the current node's list, by key.
    pub(super) fn index(self, i: usize, old_items: Option<&MapList<'a>>) -> Self {
        match self.current {
            None => self,
            Some(c) => RatchetOpts {
                current: c.index(i, old_items),
                nearest: Some(c),
            },
        }
    }

    pub(super) fn should_ratchet(self) -> bool {
        self.current.or(self.nearest).is_some_and(Corr::deep_equal)
    }
}

/// The CEL environment: the standard library, the strings and lists extensions (with `first` and
/// `last`), and the Kubernetes list, regex and sets functions (Kubernetes has no math extension).
pub(super) static CEL_ENV: LazyLock<Arc<Env>> = LazyLock::new(|| {
    let mut env = Env::stdlib();
    let _ = env.add_extension(cel::extensions::strings);
    let _ = env.add_extension(cel::extensions::lists);
    let _ = env.add_member_overload("isSorted", "list.isSorted()", LIST_TYPE, vec![], k8s_is_sorted);
    let _ = env.add_member_overload("sum", "list.sum()", LIST_TYPE, vec![], k8s_sum);
    let _ = env.add_member_overload("min", "list.min()", LIST_TYPE, vec![], k8s_min);
    let _ = env.add_member_overload("max", "list.max()", LIST_TYPE, vec![], k8s_max);
    let _ = env.add_member_overload("indexOf", "list.indexOf(dyn)", LIST_TYPE, vec![DYN_TYPE], k8s_index_of);
    let _ = env.add_member_overload(
        "lastIndexOf",
        "list.lastIndexOf(dyn)",
        LIST_TYPE,
        vec![DYN_TYPE],
        k8s_last_index_of,
    );
    let _ = env.add_member_overload("includes", "dyn.includes(dyn)", DYN_TYPE, vec![DYN_TYPE], k8s_includes);
    let _ = env.add_member_overload("first", "list.first()", LIST_TYPE, vec![], lists_first);
    let _ = env.add_member_overload("last", "list.last()", LIST_TYPE, vec![], lists_last);
    let _ = env.add_member_overload("find", "string.find(string)", STRING_TYPE, vec![STRING_TYPE], k8s_find);
    let _ = env.add_member_overload(
        "findAll",
        "string.findAll(string)",
        STRING_TYPE,
        vec![STRING_TYPE],
        k8s_find_all,
    );
    let _ = env.add_member_overload(
        "findAll",
        "string.findAll(string,int)",
        STRING_TYPE,
        vec![STRING_TYPE, INT_TYPE],
        k8s_find_all_n,
    );
    let _ = env.add_overload(
        "sets.contains",
        "sets.contains(list,list)",
        vec![LIST_TYPE, LIST_TYPE],
        sets_contains,
    );
    let _ = env.add_overload(
        "sets.equivalent",
        "sets.equivalent(list,list)",
        vec![LIST_TYPE, LIST_TYPE],
        sets_equivalent,
    );
    let _ = env.add_overload(
        "sets.intersects",
        "sets.intersects(list,list)",
        vec![LIST_TYPE, LIST_TYPE],
        sets_intersects,
    );
    Arc::new(env)
});

/// Argument `i` of a function as a CEL value.
pub(super) fn arg_value(args: &[CowVal<'_, '_>], i: usize) -> Result<CelValue, ExecutionError> {
    let arg = args.get(i).ok_or(ExecutionError::MissingArgumentOrTarget)?;
    let val: &dyn Val = &**arg;
    CelValue::try_from(val)
}

/// Argument `i` of a function as a list.
pub(super) fn arg_list(args: &[CowVal<'_, '_>], i: usize) -> Result<Arc<Vec<CelValue>>, ExecutionError> {
    match arg_value(args, i)? {
        CelValue::List(l) => Ok(l),
        other => Err(other.error_expected_type(cel::objects::ValueType::List)),
    }
}

/// Argument `i` of a function as a string.
pub(super) fn arg_string(args: &[CowVal<'_, '_>], i: usize) -> Result<Arc<String>, ExecutionError> {
    match arg_value(args, i)? {
        CelValue::String(s) => Ok(s),
        other => Err(other.error_expected_type(cel::objects::ValueType::String)),
    }
}

/// A function's result.
pub(super) fn ret<'b, 'v>(value: CelValue) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let boxed: Box<dyn Val> = value.try_into()?;
    Ok(CowVal::Owned(boxed))
}

/// `<list>.isSorted()`.
pub(super) fn k8s_is_sorted<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let list = arg_list(&args, 0)?;
    let sorted = list
        .windows(2)
        .all(|w| w[0].partial_cmp(&w[1]).is_some_and(|o| o.is_le()));
    ret(CelValue::Bool(sorted))
}

/// `<list>.sum()`: of ints, uints, doubles or durations.
pub(super) fn k8s_sum<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let list = arg_list(&args, 0)?;
    let mut total = match list.first() {
        Some(CelValue::Float(_)) => CelValue::Float(0.0),
        Some(CelValue::UInt(_)) => CelValue::UInt(0),
        Some(CelValue::Duration(_)) => {
            eval_helper("duration(x)", "0s".to_owned()).map_err(|e| ExecutionError::function_error("sum", e))?
        }
        _ => CelValue::Int(0),
    };
    for item in list.iter() {
        total = (total + item.clone())?;
    }
    ret(total)
}

/// `<dyn>.includes(<dyn>)`: list membership, else equality.
pub(super) fn k8s_includes<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (target, wanted) = (arg_value(&args, 0)?, arg_value(&args, 1)?);
    ret(CelValue::Bool(match &target {
        CelValue::List(items) => items.contains(&wanted),
        other => *other == wanted,
    }))
}

/// An optional CEL value.
pub(super) fn optional(value: Option<&CelValue>) -> CelValue {
    CelValue::Opaque(Arc::new(match value {
        Some(v) => OptionalValue::of(v.clone()),
        None => OptionalValue::none(),
    }))
}

/// `<list>.first()`.
pub(super) fn lists_first<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    ret(optional(arg_list(&args, 0)?.first()))
}

/// `<list>.last()`.
pub(super) fn lists_last<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    ret(optional(arg_list(&args, 0)?.last()))
}

/// `min()` or `max()` of a list.
pub(super) fn extreme<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
    name: &str,
    keep: std::cmp::Ordering,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let list = arg_list(&args, 0)?;
    let mut best: Option<&CelValue> = None;
    for item in list.iter() {
        best = match best {
            None => Some(item),
            Some(b) => match item.partial_cmp(b) {
                Some(o) if o == keep => Some(item),
                Some(_) => Some(b),
                None => return Err(ExecutionError::no_such_overload(name, vec!["list".to_owned()])),
            },
        };
    }
    match best {
        Some(b) => ret(b.clone()),
        None => Err(ExecutionError::function_error(
            name,
            format!("{name} called on empty list"),
        )),
    }
}

/// `<list>.min()`.
pub(super) fn k8s_min<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    extreme(args, "min", std::cmp::Ordering::Less)
}

/// `<list>.max()`.
pub(super) fn k8s_max<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    extreme(args, "max", std::cmp::Ordering::Greater)
}

/// `<list>.indexOf(<elem>)`.
pub(super) fn k8s_index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let list = arg_list(&args, 0)?;
    let wanted = arg_value(&args, 1)?;
    ret(CelValue::Int(
        list.iter().position(|v| *v == wanted).map_or(-1, |i| i as i64),
    ))
}

/// `<list>.lastIndexOf(<elem>)`.
pub(super) fn k8s_last_index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let list = arg_list(&args, 0)?;
    let wanted = arg_value(&args, 1)?;
    ret(CelValue::Int(
        list.iter().rposition(|v| *v == wanted).map_or(-1, |i| i as i64),
    ))
}

/// A pattern for the regex functions, with the library's error.
pub(super) fn cel_regex(function: &str, pattern: &str) -> Result<Regex, ExecutionError> {
    go_regex(pattern).map_err(|e| ExecutionError::function_error(function, format!("Illegal regex: {e}")))
}

/// `<string>.find(<pattern>)`.
pub(super) fn k8s_find<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let text = arg_string(&args, 0)?;
    let re = cel_regex("find", &arg_string(&args, 1)?)?;
    ret(CelValue::from(re.find(&text).map_or("", |m| m.as_str()).to_owned()))
}

/// `findAll`, with at most `limit` matches (all when negative).
pub(super) fn find_all<'b, 'v>(args: &[CowVal<'b, 'v>], limit: i64) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let text = arg_string(args, 0)?;
    let re = cel_regex("findAll", &arg_string(args, 1)?)?;
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let found: Vec<CelValue> = re
        .find_iter(&text)
        .take(limit)
        .map(|m| CelValue::from(m.as_str().to_owned()))
        .collect();
    ret(CelValue::List(Arc::new(found)))
}

/// `<string>.find(<pattern>)`.
pub(super) fn k8s_find_all<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    find_all(&args, -1)
}

/// `<string>.find(<pattern>)`.
pub(super) fn k8s_find_all_n<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let limit = match arg_value(&args, 2)? {
        CelValue::Int(n) => n,
        other => return Err(other.error_expected_type(cel::objects::ValueType::Int)),
    };
    find_all(&args, limit)
}

/// `sets.contains(a, b)`.
pub(super) fn sets_contains<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (a, b) = (arg_list(&args, 0)?, arg_list(&args, 1)?);
    ret(CelValue::Bool(b.iter().all(|x| a.contains(x))))
}

/// `sets.equivalent(a, b)`.
pub(super) fn sets_equivalent<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (a, b) = (arg_list(&args, 0)?, arg_list(&args, 1)?);
    ret(CelValue::Bool(
        b.iter().all(|x| a.contains(x)) && a.iter().all(|x| b.contains(x)),
    ))
}

/// `sets.intersects(a, b)`.
pub(super) fn sets_intersects<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (a, b) = (arg_list(&args, 0)?, arg_list(&args, 1)?);
    ret(CelValue::Bool(b.iter().any(|x| a.contains(x))))
}

/// A compiled rule or message expression, or its compile error.
pub(super) type Compiled = Result<Arc<Program>, String>;

/// Compiles a CEL expression with [`CEL_ENV`], cached by source.
pub(super) fn compile(source: &str) -> Compiled {
    static CACHE: LazyLock<Mutex<HashMap<String, Compiled>>> = LazyLock::new(|| Mutex::new(HashMap::new()));
    if let Some(found) = CACHE.lock().ok().and_then(|c| c.get(source).cloned()) {
        return found;
    }
    let compiled = CEL_ENV
        .compile(source)
        .map(Arc::new)
        // cel-go indents the lines under an issue by one more space.
        .map_err(|e| e.to_string().replace("\n|", "\n |"));
    if let Ok(mut cache) = CACHE.lock() {
        if cache.len() > 4096 {
            cache.clear();
        }
        cache.insert(source.to_owned(), compiled.clone());
    }
    compiled
}

/// Evaluates a helper expression on a string, to build the values the crate has no public
/// constructors for without chrono (timestamps and durations).
pub(super) fn eval_helper(source: &str, arg: String) -> Result<CelValue, String> {
    let program = compile(source)?;
    let mut ctx = Context::with_env(Arc::clone(&CEL_ENV));
    ctx.add_variable_from_value("x", arg);
    program.execute(&ctx).map_err(|e| e.to_string())
}

/// `cel.Escape`: a property name as a CEL identifier, or `None` if it has no such form.
pub(super) fn cel_escape(ident: &str) -> Option<String> {
    const RESERVED: [&str; 22] = [
        "true",
        "false",
        "null",
        "in",
        "as",
        "break",
        "const",
        "continue",
        "else",
        "for",
        "function",
        "if",
        "import",
        "let",
        "loop",
        "package",
        "namespace",
        "return",
        "var",
        "void",
        "while",
        "__proto__",
    ];
    let first = ident.chars().next()?;
    if first.is_ascii_digit() {
        return None;
    }
    if RESERVED[..21].contains(&ident) {
        return Some(format!("__{ident}__"));
    }
    let mut out = String::with_capacity(ident.len());
    let mut chars = ident.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '_' if chars.peek() == Some(&'_') => {
                chars.next();
                out.push_str("__underscores__");
            }
            '.' => out.push_str("__dot__"),
            '-' => out.push_str("__dash__"),
            '/' => out.push_str("__slash__"),
            c if c.is_ascii_alphanumeric() || c == '_' => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}

/// The schema of `apiVersion`, `kind` and `metadata` (`name`, `generateName`) that
/// `WithTypeAndObjectMeta` gives resource roots and embedded resources.
pub(super) static TYPE_AND_OBJECT_META: LazyLock<Value> = LazyLock::new(|| {
    serde_json::json!({
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"type": "object", "properties": {"name": {"type": "string"}, "generateName": {"type": "string"}}},
    })
});

/// A JSON value as a plain CEL value (for values without a schema).
pub(super) fn json_to_cel(v: &Value) -> CelValue {
    match v {
        Value::Null => CelValue::Null,
        Value::Bool(b) => CelValue::Bool(*b),
        Value::Number(n) => match Num::of(n) {
            Num::Int(i) => CelValue::Int(i),
            Num::Float(f) => CelValue::Float(f),
        },
        Value::String(s) => CelValue::from(s.clone()),
        Value::Array(items) => CelValue::List(Arc::new(items.iter().map(json_to_cel).collect())),
        Value::Object(map) => CelValue::Map(CelMap {
            map: Arc::new(
                map.iter()
                    .map(|(k, v)| (CelKey::String(Arc::new(k.clone())), json_to_cel(v)))
                    .collect(),
            ),
        }),
    }
}

/// Decodes base64 with the URL alphabet, as `strfmt.Base64.UnmarshalText` does.
pub(super) fn base64_url_decode(s: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        })
    };
    let bytes = s.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for (n, chunk) in bytes.chunks(4).enumerate() {
        let last = n == bytes.len() / 4 - 1;
        let pad = chunk.iter().rev().take_while(|c| **c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut acc = 0u32;
        for &c in &chunk[..4 - pad] {
            acc = (acc << 6) | value(c)?;
        }
        acc <<= 6 * pad as u32;
        let decoded = [(acc >> 16) as u8, (acc >> 8) as u8, acc as u8];
        out.extend_from_slice(&decoded[..3 - pad]);
    }
    Some(out)
}

/// `UnstructuredToVal`: a value as CEL sees it under its schema. `type_meta` adds `apiVersion`,
/// `kind` and `metadata` for resource roots.
pub(super) fn to_cel(v: &Value, s: &Value, type_meta: bool) -> Result<CelValue, String> {
    if v.is_null() {
        return if s_bool(s, "nullable") {
            Ok(CelValue::Null)
        } else {
            Err("invalid data, got null for schema with nullable=false".to_owned())
        };
    }
    if s_bool(s, "x-kubernetes-int-or-string") {
        return match v {
            Value::String(t) => Ok(CelValue::from(t.clone())),
            Value::Number(n) if number_as_int(n).is_some() => Ok(CelValue::Int(number_as_int(n).unwrap_or(0))),
            _ => Err("invalid data, expected XIntOrString value to be either a string or integer".to_owned()),
        };
    }
    match s_str(s, "type") {
        "object" => {
            let map = v
                .as_object()
                .ok_or("invalid data, expected a map for the provided schema with type=object")?;
            let embedded = type_meta || s_bool(s, "x-kubernetes-embedded-resource");
            let mut out: HashMap<CelKey, CelValue> = HashMap::new();
            if embedded || s_props(s).is_some() {
                for (k, item) in map {
                    let prop = embedded
                        .then(|| TYPE_AND_OBJECT_META.get(k))
                        .flatten()
                        .or_else(|| s_props(s).and_then(|p| p.get(k)));
                    let (Some(prop), Some(name)) = (prop, cel_escape(k)) else {
                        continue;
                    };
                    if item.is_null() {
                        continue;
                    }
                    if let Ok(val) = to_cel(item, prop, s_bool(prop, "x-kubernetes-embedded-resource")) {
                        out.insert(CelKey::String(Arc::new(name)), val);
                    }
                }
            } else if let Some(additional) = s_additional(s) {
                for (k, item) in map {
                    if let Ok(val) = to_cel(item, additional, s_bool(additional, "x-kubernetes-embedded-resource")) {
                        out.insert(CelKey::String(Arc::new(k.clone())), val);
                    }
                }
            } else if s_bool(s, "x-kubernetes-preserve-unknown-fields") {
                return Ok(json_to_cel(v));
            }
            Ok(CelValue::Map(CelMap { map: Arc::new(out) }))
        }
        "array" => {
            let items = v
                .as_array()
                .ok_or("invalid data, expected an array for the provided schema with type=array")?;
            let item_schema = s
                .get("items")
                .filter(|i| i.is_object())
                .ok_or("invalid array type, expected Items with a non-empty Schema")?;
            let embedded = s_bool(item_schema, "x-kubernetes-embedded-resource");
            let list = items
                .iter()
                .map(|i| to_cel(i, item_schema, embedded))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(CelValue::List(Arc::new(list)))
        }
        "string" => {
            let t = v
                .as_str()
                .ok_or_else(|| format!("invalid data, expected string, got {}", go_type_name(v)))?;
            match s_str(s, "format") {
                "duration" => {
                    let d = parse_duration(t).ok_or_else(|| format!("Invalid duration {t}"))?;
                    eval_helper("duration(x)", format!("{d}ns"))
                }
                "date" => {
                    parse_date(t).ok_or_else(|| format!("Invalid date formatted string {t}"))?;
                    eval_helper("timestamp(x)", format!("{t}T00:00:00Z"))
                }
                "date-time" => {
                    let has_zone = t.ends_with('Z') || t.get(19..).is_some_and(|z| z.contains(['+', '-']));
                    let rfc3339 = if has_zone { t.to_owned() } else { format!("{t}Z") };
                    eval_helper("timestamp(x)", rfc3339).map_err(|_| format!("Invalid date-time formatted string {t}"))
                }
                "byte" => base64_url_decode(t)
                    .map(|b| CelValue::Bytes(Arc::new(b)))
                    .ok_or_else(|| format!("Invalid byte formatted string {t}")),
                _ => Ok(CelValue::from(t.to_owned())),
            }
        }
        "number" => match v {
            Value::Number(n) => Ok(CelValue::Float(number_as_f64(n))),
            _ => Err(format!("invalid data, expected float, got {}", go_type_name(v))),
        },
        "integer" => match v.as_number().and_then(number_as_int) {
            Some(i) => Ok(CelValue::Int(i)),
            None => Err(format!("invalid data, expected int, got {}", go_type_name(v))),
        },
        "boolean" => v
            .as_bool()
            .map(CelValue::Bool)
            .ok_or_else(|| format!("invalid data, expected bool, got {}", go_type_name(v))),
        _ if s_bool(s, "x-kubernetes-preserve-unknown-fields") => Ok(json_to_cel(v)),
        t => Err(format!(
            "invalid type, expected object, array, number, integer, boolean or string, or no type with \
             x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields is true, got {t}"
        )),
    }
}

/// `%T` of a value decoded from JSON.
pub(super) fn go_type_name(v: &Value) -> &'static str {
    match kind(v) {
        Kind::Nil => "<nil>",
        Kind::Bool => "bool",
        Kind::Int => "int64",
        Kind::Float => "float64",
        Kind::String => "string",
        Kind::Slice => "[]interface {}",
        Kind::Map => "map[string]interface {}",
    }
}

/// A rule of `x-kubernetes-validations`.
pub(super) struct Rule<'a> {
    pub(super) rule: &'a str,
    pub(super) message: &'a str,
    pub(super) message_expression: &'a str,
    pub(super) reason: &'a str,
    pub(super) field_path: &'a str,
    pub(super) optional_old_self: bool,
}

impl<'a> Rule<'a> {
    pub(super) fn of(v: &'a Value) -> Self {
        Rule {
            rule: s_str(v, "rule"),
            message: s_str(v, "message"),
            message_expression: s_str(v, "messageExpression"),
            reason: s_str(v, "reason"),
            field_path: s_str(v, "fieldPath"),
            optional_old_self: s_bool(v, "optionalOldSelf"),
        }
    }

    /// `ruleErrorString`.
    pub(super) fn error_string(&self) -> &str {
        if self.message.is_empty() {
            self.rule.trim()
        } else {
            self.message.trim()
        }
    }
}

/// `ValidFieldPath`, normalised: the `field.Path` a rule's `fieldPath` names under `s`.
pub(super) fn normalize_field_path(json_path: &str, mut s: &Value) -> Option<String> {
    let mut tokens: Vec<String> = Vec::new();
    let bytes = json_path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'.' | b'[' | b']' => {
                tokens.push((bytes[i] as char).to_string());
                i += 1;
            }
            b'\'' => {
                let mut j = i + 1;
                while j < bytes.len() && !(bytes[j] == b'\'' && bytes[j - 1] != b'\\') {
                    j += 1;
                }
                let end = (j + 1).min(bytes.len());
                tokens.push(json_path[i..end].to_owned());
                i = end;
            }
            _ => {
                let j = (i..bytes.len())
                    .find(|&j| matches!(bytes[j], b'.' | b'[' | b']'))
                    .unwrap_or(bytes.len());
                tokens.push(json_path[i..j].to_owned());
                i = j;
            }
        }
    }
    let mut path = FPath::root();
    let mut it = tokens.into_iter();
    while let Some(tok) = it.next() {
        let name = match tok.as_str() {
            "[" => {
                let quoted = it.next()?;
                if quoted.len() < 2 || !quoted.starts_with('\'') || !quoted.ends_with('\'') {
                    return None;
                }
                let inner = &quoted[1..quoted.len() - 1];
                let mut unescaped = String::new();
                let mut chars = inner.chars();
                while let Some(c) = chars.next() {
                    if c != '\\' {
                        unescaped.push(c);
                        continue;
                    }
                    unescaped.push(match chars.next()? {
                        'a' => '\u{7}',
                        'b' => '\u{8}',
                        'f' => '\u{c}',
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        'v' => '\u{b}',
                        '\'' => '\'',
                        '\\' => '\\',
                        _ => return None,
                    });
                }
                if it.next()? != "]" {
                    return None;
                }
                unescaped
            }
            "." => it.next()?,
            _ => return None,
        };
        if let Some(props) = s_props(s) {
            path = path.child(&name);
            s = props.get(&name)?;
        } else if let Some(additional) = s_additional(s) {
            path = path.key(&name);
            s = additional;
        } else {
            return None;
        }
    }
    path.0
}

/// The walk of `Validator.validate`, collecting rule errors.
pub(super) struct CelWalk<'e> {
    pub(super) errors: &'e mut Vec<FieldErr>,
}

impl CelWalk<'_> {
    /// `validate`: the node's rules, its allOf branches' rules, then its children. `vs` holds the
    /// rules (an allOf branch's or the node's own), `ns` is the node's structural schema, `typed`
    /// whether the node has a CEL type.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn node(
        &mut self,
        vs: &Value,
        ns: &Value,
        resource_root: bool,
        typed: bool,
        path: &FPath,
        obj: &Value,
        old: Option<&Value>,
        corr: RatchetOpts<'_>,
    ) {
        if obj.is_null() {
            return;
        }
        self.expressions(vs, ns, resource_root, typed, path, obj, old, corr);
        for branch in s_arr(vs, "allOf") {
            let branch_corr = RatchetOpts {
                current: None,
                nearest: corr.nearest,
            };
            self.node(branch, ns, resource_root, typed, path, obj, old, branch_corr);
        }
        match obj {
            Value::Array(items) => {
                let (Some(v_items), Some(n_items)) = (vs.get("items"), ns.get("items")) else {
                    return;
                };
                let embedded = s_bool(n_items, "x-kubernetes-embedded-resource");
                let old_items = old.and_then(Value::as_array).map(|o| MapList::new(ns, o));
                let corr_items = corr
                    .current
                    .and_then(|c| Some(MapList::new(c.schema, c.old.as_array()?)));
                for (i, item) in items.iter().enumerate() {
                    let item_old = old_items.as_ref().and_then(|o| o.get(item));
                    let item_corr = corr.index(i, corr_items.as_ref());
                    self.node(
                        v_items,
                        n_items,
                        embedded,
                        typed,
                        &path.index(i),
                        item,
                        item_old,
                        item_corr,
                    );
                }
            }
            Value::Object(map) => {
                let map_type = s_str(ns, "x-kubernetes-map-type");
                let correlatable = matches!(map_type, "" | "granular" | "atomic");
                let old_map = old.and_then(Value::as_object).filter(|_| correlatable);
                if let (Some(v_add), Some(n_add)) = (s_additional(vs), s_additional(ns)) {
                    let embedded = s_bool(n_add, "x-kubernetes-embedded-resource");
                    for key in sorted_keys(map) {
                        let child_old = old_map.and_then(|o| o.get(key));
                        let (key_path, value) = (path.key(key), &map[key]);
                        self.node(
                            v_add,
                            n_add,
                            embedded,
                            typed,
                            &key_path,
                            value,
                            child_old,
                            corr.key(key),
                        );
                    }
                }
                if let (Some(v_props), Some(n_props)) = (s_props(vs), s_props(ns)) {
                    for key in sorted_keys(map) {
                        let (Some(v_prop), Some(n_prop)) = (v_props.get(key), n_props.get(key)) else {
                            continue;
                        };
                        if !typed || !decl_type_exists(n_prop) {
                            // Fields without a CEL type are left out of CEL validation entirely.
                            continue;
                        }
                        let embedded = s_bool(n_prop, "x-kubernetes-embedded-resource");
                        let child_old = old_map.and_then(|o| o.get(key));
                        let (key_path, value) = (path.child(key), &map[key]);
                        self.node(
                            v_prop,
                            n_prop,
                            embedded,
                            true,
                            &key_path,
                            value,
                            child_old,
                            corr.key(key),
                        );
                    }
                }
            }
            _ => {}
        }
    }

    /// `validateExpressions`: the rules of one node.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn expressions(
        &mut self,
        vs: &Value,
        ns: &Value,
        resource_root: bool,
        typed: bool,
        path: &FPath,
        obj: &Value,
        old: Option<&Value>,
        corr: RatchetOpts<'_>,
    ) {
        let rules: Vec<Rule<'_>> = s_arr(vs, "x-kubernetes-validations").iter().map(Rule::of).collect();
        if rules.is_empty() {
            return;
        }
        let sts_type = s_str(ns, "type");
        let type_value = || Bad::Str(sts_type.to_owned());
        if !typed {
            self.errors.push(FieldErr::new(
                INVALID,
                path,
                type_value(),
                "rule compiler initialization error: failed to convert to declType for CEL validation rules",
            ));
            return;
        }
        let compiled: Vec<Compiled> = rules.iter().map(|r| compile(r.rule)).collect();
        let uses_old_self: Vec<bool> = compiled
            .iter()
            .map(|c| c.as_ref().is_ok_and(|p| p.references().has_variable("oldSelf")))
            .collect();
        let with_old_self = uses_old_self.iter().any(|u| *u);
        let self_value = to_cel(obj, ns, resource_root);
        let old_value = old.filter(|_| with_old_self).map(|o| to_cel(o, ns, resource_root));
        for (i, rule) in rules.iter().enumerate() {
            if rule.rule.trim().is_empty() {
                continue;
            }
            let program = match &compiled[i] {
                Ok(p) => p,
                Err(e) => {
                    self.errors.push(FieldErr::new(
                        INVALID,
                        path,
                        type_value(),
                        &format!("rule compile error: compilation failed: {e}"),
                    ));
                    continue;
                }
            };
            if uses_old_self[i] && old.is_none() && !rule.optional_old_self {
                continue;
            }
            let mut ctx = Context::with_env(Arc::clone(&CEL_ENV));
            let mut msg_ctx = Context::with_env(Arc::clone(&CEL_ENV));
            let outcome = (|| -> Result<CelValue, String> {
                let self_value = self_value
                    .clone()
                    .map_err(|e| format!("{e} evaluating rule: {}", rule.error_string()))?;
                ctx.add_variable_from_value("self", self_value.clone());
                msg_ctx.add_variable_from_value("self", self_value);
                if let Some(old_value) = &old_value {
                    let old_value = old_value
                        .clone()
                        .map_err(|e| format!("{e} evaluating rule: {}", rule.error_string()))?;
                    if !rule.optional_old_self {
                        // The message of an optionalOldSelf rule is compiled with an optional
                        // `oldSelf` but evaluated with the plain one: it never works.
                        msg_ctx.add_variable_from_value("oldSelf", old_value.clone());
                    }
                    if rule.optional_old_self {
                        ctx.add_variable_from_value(
                            "oldSelf",
                            CelValue::Opaque(Arc::new(OptionalValue::of(old_value))),
                        );
                    } else {
                        ctx.add_variable_from_value("oldSelf", old_value);
                    }
                } else if rule.optional_old_self {
                    ctx.add_variable_from_value("oldSelf", CelValue::Opaque(Arc::new(OptionalValue::none())));
                }
                program.execute(&ctx).map_err(|e| cel_error_text(&e, rule))
            })();
            let result = match outcome {
                Ok(v) => v,
                Err(detail) => {
                    self.errors.push(FieldErr::new(INVALID, path, type_value(), &detail));
                    continue;
                }
            };
            if result == CelValue::Bool(true) {
                continue;
            }
            let field = match normalize_field_path(rule.field_path, ns) {
                Some(p) if !rule.field_path.is_empty() => path.child(&p),
                _ => path.clone(),
            };
            let detail = message_expression(rule.message_expression, &msg_ctx).unwrap_or_else(|| {
                if rule.message.is_empty() {
                    format!("failed rule: {}", rule.rule.trim())
                } else {
                    rule.message.trim().to_owned()
                }
            });
            let value = if matches!(sts_type, "object" | "array") {
                Bad::Omit
            } else {
                Bad::Data(obj.clone())
            };
            let err = match rule.reason {
                "FieldValueForbidden" => FieldErr::new(FORBIDDEN, &field, Bad::Str(String::new()), &detail),
                "FieldValueRequired" => FieldErr::new(REQUIRED, &field, Bad::Str(String::new()), &detail),
                "FieldValueDuplicate" => FieldErr::new(DUPLICATE, &field, value, ""),
                _ => FieldErr::new(INVALID, &field, value, &detail),
            };
            if uses_old_self[i] || !corr.should_ratchet() {
                self.errors.push(err);
            }
        }
    }
}

/// A `messageExpression`'s message, when it evaluates to a usable one.
pub(super) fn message_expression(source: &str, ctx: &Context<'_, '_>) -> Option<String> {
    if source.is_empty() {
        return None;
    }
    let program = compile(source).ok()?;
    let CelValue::String(message) = program.execute(ctx).ok()? else {
        return None;
    };
    let trimmed = message.trim();
    (!trimmed.is_empty() && trimmed.len() <= 5 * 1024 && !trimmed.contains('\n')).then(|| trimmed.to_owned())
}

/// The detail of a rule that failed to evaluate, in cel-go's words where they are known.
pub(super) fn cel_error_text(e: &ExecutionError, rule: &Rule<'_>) -> String {
    let rule_text = rule.error_string();
    let err = match e {
        ExecutionError::NoSuchOverload(_)
        | ExecutionError::UnsupportedBinaryOperator(..)
        | ExecutionError::ValuesNotComparable(..)
        | ExecutionError::UnexpectedType { .. }
        | ExecutionError::UnsupportedTargetType { .. }
        | ExecutionError::NotSupportedAsMethod { .. } => {
            return format!(
                "'no such overload': call arguments did not match a supported operator, function or macro signature \
                 for rule: {rule_text}"
            );
        }
        ExecutionError::UndeclaredReference(name) => {
            // cel-go finds these when compiling, and points at them.
            return format!(
                "rule compile error: compilation failed: {}",
                undeclared_reference(rule.rule, name)
            );
        }
        ExecutionError::NoSuchKey(key) => format!("no such key: {key}"),
        ExecutionError::DivisionByZero(_) => "division by zero".to_owned(),
        ExecutionError::RemainderByZero(_) => "modulus by zero".to_owned(),
        ExecutionError::IndexOutOfBounds(CelValue::Int(i)) => format!("index out of bounds: {i}"),
        ExecutionError::IndexOutOfBounds(CelValue::UInt(i)) => format!("index out of bounds: {i}"),
        ExecutionError::Overflow(_, CelValue::UInt(_), _) => "unsigned integer overflow".to_owned(),
        ExecutionError::Overflow(..) => "integer overflow".to_owned(),
        ExecutionError::FunctionError { function, message } => match function.as_str() {
            "int" | "uint" | "double" if message.starts_with("string parse error") => {
                format!("type conversion error from 'string' to '{function}'")
            }
            "duration" if !message.contains("range") => {
                "type conversion error from 'string' to 'google.protobuf.Duration'".to_owned()
            }
            "timestamp" if !message.contains("range") => {
                "type conversion error from 'string' to 'google.protobuf.Timestamp'".to_owned()
            }
            "matches" => match message.split_once("' not a valid regex") {
                Some((pattern, _)) => {
                    let pattern = pattern.strip_prefix('\'').unwrap_or(pattern);
                    go_regex(pattern).err().unwrap_or_else(|| message.clone())
                }
                None => message.clone(),
            },
            _ => message.clone(),
        },
        other => other.to_string(),
    };
    format!("{err} evaluating rule: {rule_text}")
}

/// cel-go's issue for an undeclared reference, at the first place `name` appears in `source`.
pub(super) fn undeclared_reference(source: &str, name: &str) -> String {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut found = None;
    for (i, _) in source.match_indices(name) {
        let before = source[..i].chars().next_back();
        let after = source[i + name.len()..].chars().next();
        if !before.is_some_and(is_ident) && !after.is_some_and(is_ident) {
            found = Some(i);
            break;
        }
    }
    let at = found.unwrap_or(0);
    let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_no = source[..at].matches('\n').count() + 1;
    let line = source[line_start..].lines().next().unwrap_or_default();
    let column = source[line_start..at].chars().count();
    format!(
        "ERROR: <input>:{line_no}:{}: undeclared reference to '{name}' (in container '')\n | {line}\n | {}^",
        column + 1,
        ".".repeat(column)
    )
}
