//! JSON patch (`application/json-patch+json`) applied as kube-apiserver applies it, quirks included.
//!
//! kube-apiserver v1.37.2 does not apply RFC 6902 to the letter: its patch handler
//! (`jsonPatcher.applyJSPatch` in k8s.io/apiserver's `pkg/endpoints/handlers/patch.go`) runs
//! `gopkg.in/evanphx/json-patch.v4` v4.13.0, and clients rely on where that library departs from
//! the RFC: kube-runtime's finalizer helper tests a missing `/metadata/finalizers` against `null`,
//! which the library accepts and the `json-patch` crate refuses. So this module ports the
//! library's `patch.go`, error texts included, inside the handler's steps:
//!
//! 1. the body must be JSON, else 400 `invalid JSON patch`, before the object is even read
//!    ([`check_json`]);
//! 2. unless `fieldValidation=Ignore`, the body is decoded strictly into the handler's
//!    `[]jsonPatchOp` (sigs.k8s.io/json): a wrong type is a 400, an unknown or duplicate field a
//!    strict error ([`Patched::strict_errors`]);
//! 3. `jsonpatch.DecodePatch` (400), at most 10000 operations (413);
//! 4. `Patch.Apply`, with copies limited to 3 MiB (k8s.io/apiserver's `JSONPatchMaxCopyBytes`),
//!    where a failed operation is a 422.
//!
//! The library works on JSON text, decoded lazily, and that shows: `test` compares scalars by
//! their text, so `1.0` is not `1`, `"\u0031"` is not `"1"`, and `"<"` does not test equal to a
//! stored `<`, which the server's encoder wrote as `\u003c`. Hence the document is first encoded
//! as the server encodes it (`encode`) and patch values keep their text. Other departures kept:
//! a missing member tests equal to `null` and to an absent `value`; `replace` of a missing member
//! adds it; `add` at the root fails; `copy` from a missing member copies `null`; array indexes may
//! be negative (`-1` appends for `add`), signed or zero-padded; a path without a leading `/` loses
//! its first token; a missing `value` is `null`. Where the library panics, so does the server
//! ([`PatchError::Panic`]; the fake answers a 500 where the real server drops the connection).
//! The tests' expected answers are the library's own, printed by a Go program that runs it.
//!
//! Not ported: a patch nested deeper than 512 levels is refused (Go takes 10000); with `Ignore`, a
//! number beyond f64 is refused (Go keeps its text); and Go iterates maps in random order, so
//! when a `test` of two objects could both fail and panic (an array holding `null` in one member,
//! a mismatch in another), Go's answer varies, ours is that of sorted key order.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde_json::{Map, Number, Value};

use crate::validation::go_quote;

/// The most operations a patch may have (`maxJSONPatchOperations` in patch.go).
const MAX_OPERATIONS: usize = 10_000;
/// The most bytes the `copy` operations of one patch may add: k8s.io/apiserver's default
/// `JSONPatchMaxCopyBytes`, which it sets as the library's `AccumulatedCopySizeLimit`.
const COPY_SIZE_LIMIT: usize = 3 * 1024 * 1024;
/// How deep Go's encoding/json lets JSON nest (`maxNestingDepth`); deeper is not JSON to it.
const MAX_NESTING_DEPTH: usize = 10_000;
/// How deep a patch may nest here: deeper is answered as Go answers past its own limit. The code
/// here recurses, at up to 2 KiB of stack a level in a debug build, and a tokio worker thread has
/// 2 MiB; nor could serde_json (the fake's and kube-rs's reader) read more than 128 levels back.
const MAX_APPLY_DEPTH: usize = 512;

/// The PATCH's `fieldValidation` query parameter: how unknown and duplicate fields of the
/// operations are treated (the server defaults to `Warn`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum FieldValidation {
    /// No strict decoding: only the library decodes the patch.
    Ignore,
    /// Unknown and duplicate fields are warnings.
    #[default]
    Warn,
    /// Unknown and duplicate fields fail the request, once the patched object has decoded.
    Strict,
}

/// A patch that applied.
#[derive(Debug)]
pub(crate) struct Patched {
    /// The patched object.
    pub(crate) value: Value,
    /// The unknown and duplicate fields of the operations, as the server words them
    /// (`json patch unknown field "[0].extra"`); always empty with [`FieldValidation::Ignore`].
    /// With `Warn`, each is a `Warning: 299 - "..."` header. With `Strict`, once the patched
    /// object decodes, the request fails: 422 Invalid, message
    /// ` "" is invalid: patch: Invalid value: "<patched object>": strict decoding error: <these,
    /// joined by ", ">`.
    pub(crate) strict_errors: Vec<String>,
}

/// Why kube-apiserver refuses a JSON patch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PatchError {
    /// The body is not JSON, or not a list of operations: 400 BadRequest with this message, no
    /// details. `invalid JSON patch`; `error decoding patch: json: cannot unmarshal object into
    /// Go value of type []handlers.jsonPatchOp` from the strict decoding; with `Ignore`, the
    /// library's own `json: cannot unmarshal object into Go value of type jsonpatch.Patch`.
    Decode(String),
    /// More than 10000 operations: 413 RequestEntityTooLarge with this message, no details.
    TooManyOperations(String),
    /// An operation failed, a `test` for one: 422 Invalid, message "the server rejected our
    /// request due to an error in our request", `"details":{}`. The server does not say which
    /// operation failed nor why; the string is the library's error text, for logs.
    Apply(String),
    /// The library panicked (a nil pointer or a nil map); the string is Go's panic value. The
    /// server's panic filter writes a 500 with the text body `This request caused apiserver to
    /// panic. Look in the logs for details.`, but then panics on (`ReallyCrash`), and Go's HTTP
    /// server closes the connection (HTTP/1.1) or resets the stream (HTTP/2) before that answer
    /// is flushed: the client gets no answer at all (read from the source, not seen live).
    Panic(String),
}

impl PatchError {
    /// The HTTP status code of the answer.
    pub(crate) fn code(&self) -> u16 {
        match self {
            PatchError::Decode(_) => 400,
            PatchError::TooManyOperations(_) => 413,
            PatchError::Apply(_) => 422,
            PatchError::Panic(_) => 500,
        }
    }

    /// The `metav1.Status` reason, `None` for a panic, which is answered in plain text.
    pub(crate) fn reason(&self) -> Option<&'static str> {
        match self {
            PatchError::Decode(_) => Some("BadRequest"),
            PatchError::TooManyOperations(_) => Some("RequestEntityTooLarge"),
            PatchError::Apply(_) => Some("Invalid"),
            PatchError::Panic(_) => None,
        }
    }

    /// The message of the answer: the `metav1.Status` message, or the body of a panic's 500.
    pub(crate) fn message(&self) -> &str {
        match self {
            PatchError::Decode(message) | PatchError::TooManyOperations(message) => message,
            PatchError::Apply(_) => "the server rejected our request due to an error in our request",
            PatchError::Panic(_) => "This request caused apiserver to panic. Look in the logs for details.",
        }
    }
}

impl fmt::Display for PatchError {
    /// The Go error text (or panic value) behind the answer.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatchError::Decode(text)
            | PatchError::TooManyOperations(text)
            | PatchError::Apply(text)
            | PatchError::Panic(text) => f.write_str(text),
        }
    }
}

impl std::error::Error for PatchError {}

/// The first check kube-apiserver makes of any non-apply patch body (`validateAndTranscodePatch`),
/// before it reads the object: a body that is not JSON is a 400 even for an object that does not
/// exist. Merge and strategic merge patches get the same check and message.
pub(crate) fn check_json(patch: &[u8]) -> Result<(), PatchError> {
    check_nesting(patch, MAX_NESTING_DEPTH)
}

fn check_nesting(patch: &[u8], max_depth: usize) -> Result<(), PatchError> {
    match skip_value(patch, skip_ws(patch, 0), max_depth) {
        Some(end) if skip_ws(patch, end) == patch.len() => Ok(()),
        _ => Err(PatchError::Decode("invalid JSON patch".into())),
    }
}

/// Applies JSON patch `patch` to object `doc` as kube-apiserver does, [`check_json`] included
/// (but for patches nested more than 512 levels deep, refused as Go refuses them past 10000).
pub(crate) fn apply(doc: &Value, patch: &[u8], validation: FieldValidation) -> Result<Patched, PatchError> {
    check_nesting(patch, MAX_APPLY_DEPTH)?;
    let strict_errors = match validation {
        FieldValidation::Ignore => Vec::new(),
        FieldValidation::Warn | FieldValidation::Strict => strict_decode(patch)?,
    };
    let operations = decode_patch(patch)?;
    if operations.len() > MAX_OPERATIONS {
        return Err(PatchError::TooManyOperations(format!(
            "Request entity too large: The allowed maximum operations in a JSON patch is {MAX_OPERATIONS}, got {}",
            operations.len()
        )));
    }
    let mut root = LazyNode::raw(encode(doc));
    let found = if is_array(root.raw.as_deref().unwrap_or_default()) {
        root.as_ary().is_some()
    } else {
        root.as_doc().is_some()
    };
    if !found {
        let kind = kind_of(root.raw.as_deref().unwrap_or_default());
        return Err(PatchError::Apply(format!(
            "json: cannot unmarshal {kind} into Go value of type jsonpatch.partialDoc"
        )));
    }
    let mut root = root.form;
    let mut copied = 0;
    for operation in &operations {
        let done = match kind(operation).as_str() {
            "add" => add(&mut root, operation),
            "remove" => remove(&mut root, operation),
            "replace" => replace(&mut root, operation),
            "move" => move_(&mut root, operation),
            "test" => test(&mut root, operation),
            "copy" => copy(&mut root, operation, &mut copied),
            other => Err(Failure::Error(format!("Unexpected kind: {other}"))),
        };
        done.map_err(|failure| match failure {
            Failure::Error(text) => PatchError::Apply(text),
            Failure::Panic(text) => PatchError::Panic(text.into()),
        })?;
    }
    let mut out = Vec::new();
    marshal_form(&root, &mut out);
    let value = to_value(&out).map_err(|number| {
        // Only a patch value can hold a number beyond f64, which the strict decoding refused
        // already. Go keeps its text with Ignore, but a Value cannot: refused as without Ignore.
        PatchError::Decode(format!(
            "error decoding patch: json: cannot unmarshal number {number} \
             into Go struct field jsonPatchOp.value of type float64"
        ))
    })?;
    Ok(Patched { value, strict_errors })
}

// The handler's strict decoding and the library's DecodePatch.

/// One operation as `DecodePatch` keeps it (the library's `Operation`): member name to value
/// text, `None` for `null`; a later duplicate member wins.
type Operation<'p> = BTreeMap<String, Option<&'p [u8]>>;

/// `kjson.UnmarshalStrict(patch, &[]jsonPatchOp)`: the first type error, else the unknown and
/// duplicate fields, each once, in the order met.
fn strict_decode(patch: &[u8]) -> Result<Vec<String>, PatchError> {
    let type_error = |what: String| PatchError::Decode(format!("error decoding patch: json: cannot unmarshal {what}"));
    let top = trim(patch);
    let elements = match top.first() {
        Some(b'n') => return Ok(Vec::new()),
        Some(b'[') => elements(top),
        _ => {
            return Err(type_error(format!(
                "{} into Go value of type []handlers.jsonPatchOp",
                kind_of(top)
            )));
        }
    };
    let mut strict = Strict::default();
    for (index, element) in elements.into_iter().enumerate() {
        let Some(element) = element else { continue };
        if element[0] != b'{' {
            let kind = kind_of(element);
            return Err(type_error(format!("{kind} into Go value of type handlers.jsonPatchOp")));
        }
        let mut seen = HashSet::new();
        for (key, value) in members(element) {
            let path = format!("[{index}].{key}");
            if !matches!(key.as_str(), "op" | "path" | "from" | "value") {
                strict.push("unknown field", &path);
                continue;
            }
            if !seen.insert(key.clone()) {
                strict.push("duplicate field", &path);
            }
            match (key.as_str(), value) {
                (_, None) => {}
                ("value", Some(value)) => strict.check_value(value, &path).map_err(|number| {
                    let number = String::from_utf8_lossy(number);
                    type_error(format!(
                        "number {number} into Go struct field jsonPatchOp.value of type float64"
                    ))
                })?,
                (_, Some(value)) if value[0] != b'"' => {
                    let kind = kind_of(value);
                    return Err(type_error(format!(
                        "{kind} into Go struct field jsonPatchOp.{key} of type string"
                    )));
                }
                _ => {}
            }
        }
    }
    Ok(strict.errors)
}

/// The strict errors sigs.k8s.io/json collects, each (kind and path) once.
#[derive(Default)]
struct Strict {
    seen: HashSet<String>,
    errors: Vec<String>,
}

impl Strict {
    fn push(&mut self, kind: &str, path: &str) {
        let error = format!("json patch {kind} {}", go_quote(path));
        if self.seen.insert(error.clone()) {
            self.errors.push(error);
        }
    }

    /// Decodes an operation's `value` into `interface{}`: duplicate members are strict errors,
    /// and a number beyond f64 (its text returned) is a type error.
    fn check_value<'p>(&mut self, value: &'p [u8], path: &str) -> Result<(), &'p [u8]> {
        match value[0] {
            b'{' => {
                let mut seen = HashSet::new();
                for (key, member) in members(value) {
                    let path = format!("{path}.{key}");
                    if !seen.insert(key) {
                        self.push("duplicate field", &path);
                    }
                    if let Some(member) = member {
                        self.check_value(member, &path)?;
                    }
                }
            }
            b'[' => {
                for (index, element) in elements(value).into_iter().enumerate() {
                    if let Some(element) = element {
                        self.check_value(element, &format!("{path}[{index}]"))?;
                    }
                }
            }
            b'-' | b'0'..=b'9' if parse_number(value).is_none() => return Err(value),
            _ => {}
        }
        Ok(())
    }
}

/// `jsonpatch.DecodePatch`: `json.Unmarshal` into `[]map[string]*json.RawMessage`.
fn decode_patch(patch: &[u8]) -> Result<Vec<Operation<'_>>, PatchError> {
    let top = trim(patch);
    let type_error = |kind: &str, into: &str| {
        PatchError::Decode(format!(
            "json: cannot unmarshal {kind} into Go value of type jsonpatch.{into}"
        ))
    };
    match top[0] {
        b'n' => return Ok(Vec::new()),
        b'[' => {}
        _ => return Err(type_error(kind_of(top), "Patch")),
    }
    let mut operations = Vec::new();
    for element in elements(top) {
        match element {
            None => operations.push(Operation::new()),
            Some(element) if element[0] == b'{' => operations.push(members(element).into_iter().collect()),
            Some(element) => return Err(type_error(kind_of(element), "Operation")),
        }
    }
    Ok(operations)
}

/// `Operation.Kind`: the `op` string, or `unknown`.
fn kind(operation: &Operation<'_>) -> String {
    match operation.get("op") {
        Some(Some(op)) if op[0] == b'"' => unquote(op),
        _ => "unknown".into(),
    }
}

/// `Operation.Path` and `Operation.From`: the member's string, or Go's error text.
fn string_member(operation: &Operation<'_>, name: &str, missing: &str) -> Result<String, String> {
    match operation.get(name) {
        Some(Some(text)) if text[0] == b'"' => Ok(unquote(text)),
        Some(Some(text)) => Err(format!(
            "json: cannot unmarshal {} into Go value of type string",
            kind_of(text)
        )),
        _ => Err(format!("{missing}: missing value")),
    }
}

fn path(operation: &Operation<'_>) -> Result<String, String> {
    string_member(operation, "path", "operation missing path field")
}

fn from(operation: &Operation<'_>) -> Result<String, String> {
    string_member(operation, "from", "operation, missing from field")
}

/// `Operation.value`: no node without a `value` member, a node without text for `null`.
fn value(operation: &Operation<'_>) -> Option<LazyNode> {
    operation.get("value").map(|text| LazyNode {
        raw: text.map(<[u8]>::to_vec),
        form: Form::Raw,
    })
}

// The library's documents: lazyNode, partialDoc, partialArray.

/// A JSON value as the library holds it (its `lazyNode`): the value's text, decoded into an
/// object or an array when first needed.
#[derive(Debug)]
struct LazyNode {
    /// The text; `None` for an operation's `"value": null`, which the library never decodes.
    raw: Option<Vec<u8>>,
    form: Form,
}

#[derive(Debug)]
enum Form {
    /// Not decoded yet.
    Raw,
    /// An object; `None` is Go's nil map, what the text `null` decodes to (reads find nothing,
    /// writes panic).
    Doc(Option<Doc>),
    Ary(Ary),
}

/// A member or element: `None` is Go's nil pointer, for a `null` or a missing `value`.
type Slot = Option<LazyNode>;
type Doc = BTreeMap<String, Slot>;
type Ary = Vec<Slot>;

/// How an operation fails: an error, or a Go panic with its value.
enum Failure {
    Error(String),
    Panic(&'static str),
}

impl From<String> for Failure {
    fn from(text: String) -> Self {
        Failure::Error(text)
    }
}

const NIL_POINTER: Failure = Failure::Panic("runtime error: invalid memory address or nil pointer dereference");
const NIL_MAP: Failure = Failure::Panic("assignment to entry in nil map");

impl LazyNode {
    fn raw(text: Vec<u8>) -> Self {
        LazyNode {
            raw: Some(text),
            form: Form::Raw,
        }
    }

    /// `intoDoc`: the node as an object, decoding its text if need be.
    fn as_doc(&mut self) -> Option<&mut Option<Doc>> {
        if !matches!(self.form, Form::Doc(_)) {
            self.form = Form::Doc(decode_doc(self.raw.as_deref()?)?);
        }
        match &mut self.form {
            Form::Doc(doc) => Some(doc),
            _ => None,
        }
    }

    /// `intoAry`: the node as an array, decoding its text if need be.
    fn as_ary(&mut self) -> Option<&mut Ary> {
        if !matches!(self.form, Form::Ary(_)) {
            let text = self.raw.as_deref()?;
            let ary = (text.first() == Some(&b'[')).then(|| elements(text).into_iter().map(node).collect())?;
            self.form = Form::Ary(ary);
        }
        match &mut self.form {
            Form::Ary(ary) => Some(ary),
            _ => None,
        }
    }

    /// `tryDoc` then `tryAry`, for a node not decoded yet: whether it is a container.
    fn try_container(&mut self) -> bool {
        self.as_doc().is_some() || self.as_ary().is_some()
    }
}

/// Decodes `null` (to a nil map) or an object, as `json.Unmarshal` into a `partialDoc` does.
fn decode_doc(text: &[u8]) -> Option<Option<Doc>> {
    match text.first() {
        Some(b'n') => Some(None),
        Some(b'{') => Some(Some(
            members(text)
                .into_iter()
                .map(|(key, value)| (key, node(value)))
                .collect(),
        )),
        _ => None,
    }
}

fn node(text: Option<&[u8]>) -> Slot {
    text.map(|text| LazyNode::raw(text.to_vec()))
}

/// `isArray`: whether the text starts with `[`, after spaces, newlines and tabs.
fn is_array(text: &[u8]) -> bool {
    text.iter().find(|&&c| !matches!(c, b' ' | b'\n' | b'\t')) == Some(&b'[')
}

/// `lazyNode.equal`, which decodes containers of both sides and compares anything else by
/// compact text. A nil pointer on either side of an array element panics in Go.
fn equal(n: &mut LazyNode, o: &mut LazyNode) -> Result<bool, Failure> {
    if matches!(n.form, Form::Raw) && !n.try_container() {
        if !matches!(o.form, Form::Raw) {
            return Ok(false);
        }
        let text = |node: &LazyNode| node.raw.as_deref().map(|raw| compact(raw, false)).unwrap_or_default();
        return Ok(text(n) == text(o));
    }
    match &mut n.form {
        Form::Doc(doc) => {
            if matches!(o.form, Form::Raw) && o.as_doc().is_none() {
                return Ok(false);
            }
            let Form::Doc(other) = &mut o.form else {
                return Ok(false);
            };
            let (mut empty, mut other_empty) = (Doc::new(), Doc::new());
            let doc = doc.as_mut().unwrap_or(&mut empty);
            let other = other.as_mut().unwrap_or(&mut other_empty);
            if doc.len() != other.len() {
                return Ok(false);
            }
            for (key, value) in doc.iter_mut() {
                match (value, other.get_mut(key)) {
                    (_, None) => return Ok(false),
                    (None, Some(None)) => {}
                    (Some(value), Some(Some(other))) => {
                        if !equal(value, other)? {
                            return Ok(false);
                        }
                    }
                    _ => return Ok(false),
                }
            }
            Ok(true)
        }
        Form::Ary(ary) => {
            if !matches!(o.form, Form::Ary(_)) && o.as_ary().is_none() {
                return Ok(false);
            }
            let Form::Ary(other) = &mut o.form else {
                return Ok(false);
            };
            if ary.len() != other.len() {
                return Ok(false);
            }
            for (value, other) in ary.iter_mut().zip(other.iter_mut()) {
                let (Some(value), Some(other)) = (value, other) else {
                    return Err(NIL_POINTER);
                };
                if !equal(value, other)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Form::Raw => unreachable!("try_container decoded the node"),
    }
}

/// `lazyNode.MarshalJSON` as `json.Marshal` writes it: compact, `<`, `>` and `&` escaped.
fn marshal(node: Option<&LazyNode>, out: &mut Vec<u8>) {
    match node {
        None
        | Some(LazyNode {
            raw: None,
            form: Form::Raw,
        }) => out.extend_from_slice(b"null"),
        Some(LazyNode {
            raw: Some(raw),
            form: Form::Raw,
        }) => out.extend_from_slice(&compact(raw, true)),
        Some(LazyNode { form, .. }) => marshal_form(form, out),
    }
}

fn marshal_form(form: &Form, out: &mut Vec<u8>) {
    match form {
        Form::Raw | Form::Doc(None) => out.extend_from_slice(b"null"),
        Form::Doc(Some(doc)) => {
            out.push(b'{');
            for (i, (key, value)) in doc.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                go_string(key, out);
                out.push(b':');
                marshal(value.as_ref(), out);
            }
            out.push(b'}');
        }
        Form::Ary(ary) => {
            out.push(b'[');
            for (i, value) in ary.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                marshal(value.as_ref(), out);
            }
            out.push(b']');
        }
    }
}

/// `deepCopy`: a fresh node of the value's marshalled text, and that text's length.
fn deep_copy(node: Option<&LazyNode>) -> (Slot, usize) {
    if node.is_none() {
        return (None, 0);
    }
    let mut text = Vec::new();
    marshal(node, &mut text);
    let size = text.len();
    (Some(LazyNode::raw(text)), size)
}

/// The object or array a path's last token is looked up in (the library's `container`).
enum Container<'a> {
    Doc(&'a mut Option<Doc>),
    Ary(&'a mut Ary),
}

impl<'a> Container<'a> {
    fn of(form: &'a mut Form) -> Option<Self> {
        match form {
            Form::Doc(doc) => Some(Container::Doc(doc)),
            Form::Ary(ary) => Some(Container::Ary(ary)),
            Form::Raw => None,
        }
    }

    /// `get`: the member or element, `Ok(None)` for a missing member or a `null`.
    fn get(&mut self, key: &str) -> Result<Option<&mut LazyNode>, String> {
        match self {
            Container::Doc(doc) => Ok(doc.as_mut().and_then(|doc| doc.get_mut(key)?.as_mut())),
            Container::Ary(ary) => {
                let index = get_index(key, ary.len())?;
                Ok(ary[index].as_mut())
            }
        }
    }

    /// `get` consuming the container, for walking down a path.
    fn child(self, key: &str) -> Option<&'a mut LazyNode> {
        match self {
            Container::Doc(doc) => doc.as_mut()?.get_mut(key)?.as_mut(),
            Container::Ary(ary) => {
                let index = get_index(key, ary.len()).ok()?;
                ary[index].as_mut()
            }
        }
    }

    /// `add`: sets a member, or inserts an element (`-` appends).
    fn add(&mut self, key: &str, value: Slot) -> Result<(), Failure> {
        match self {
            Container::Doc(doc) => {
                doc.as_mut().ok_or(NIL_MAP)?.insert(key.to_owned(), value);
            }
            Container::Ary(ary) => {
                if key == "-" {
                    ary.push(value);
                    return Ok(());
                }
                let index =
                    atoi(key).map_err(|error| format!("value was not a proper array index: '{key}': {error}"))?;
                let size = ary.len() as i64 + 1;
                if index >= size || index < -size {
                    return Err(invalid_index(index).into());
                }
                let index = if index < 0 { index + size } else { index };
                ary.insert(index as usize, value);
            }
        }
        Ok(())
    }

    /// `set`, for `replace`, whose `get` of the same key succeeded.
    fn set(&mut self, key: &str, value: Slot) -> Result<(), Failure> {
        match self {
            Container::Doc(_) => self.add(key, value),
            Container::Ary(ary) => {
                let index = get_index(key, ary.len())?;
                ary[index] = value;
                Ok(())
            }
        }
    }

    /// `remove`, returning what it removed.
    fn remove(&mut self, key: &str) -> Result<Slot, String> {
        match self {
            Container::Doc(doc) => doc
                .as_mut()
                .and_then(|doc| doc.remove(key))
                .ok_or_else(|| format!("Unable to remove nonexistent key: {key}: missing value")),
            Container::Ary(ary) => {
                let index = atoi(key)?;
                let len = ary.len() as i64;
                if index >= len || index < -len {
                    return Err(invalid_index(index));
                }
                let index = if index < 0 { index + len } else { index };
                Ok(ary.remove(index as usize))
            }
        }
    }
}

/// The index `partialArray.get` reads: negative counts from the end.
fn get_index(key: &str, len: usize) -> Result<usize, String> {
    let index = atoi(key)?;
    let len = len as i64;
    let index = if index < 0 && index >= -len { index + len } else { index };
    if index < 0 || index >= len {
        return Err(invalid_index(index));
    }
    Ok(index as usize)
}

fn invalid_index(index: i64) -> String {
    format!("Unable to access invalid index: {index}: invalid index referenced")
}

/// `findObject`: the container of the path's last token, and that token unescaped. Only the
/// tokens after the first `/` count, so `a/b` is `/b`, and `` and `a` have no container.
fn find_object<'a>(root: &'a mut Form, path: &str) -> Option<(Container<'a>, String)> {
    let tokens: Vec<&str> = path.split('/').collect();
    let (last, parents) = tokens.split_last()?;
    if parents.is_empty() {
        return None;
    }
    let mut container = Container::of(root)?;
    for token in &parents[1..] {
        let next = container.child(&unescape(token))?;
        let raw = next.raw.as_deref()?;
        container = if is_array(raw) {
            Container::Ary(next.as_ary()?)
        } else {
            Container::Doc(next.as_doc()?)
        };
    }
    Some((container, unescape(last)))
}

/// `decodePatchKey`: `~1` is `/` and `~0` is `~` (so `~01` is `~1`).
fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

// The operations, as patch.go words their errors.

fn add(root: &mut Form, operation: &Operation<'_>) -> Result<(), Failure> {
    let path = path(operation).map_err(|_| "add operation failed to decode path: missing value".to_owned())?;
    let Some((mut container, key)) = find_object(root, &path) else {
        return Err(format!("add operation does not apply: doc is missing path: \"{path}\": missing value").into());
    };
    container.add(&key, value(operation)).map_err(|failure| match failure {
        Failure::Error(text) => format!("error in add for path: '{path}': {text}").into(),
        panic => panic,
    })
}

fn remove(root: &mut Form, operation: &Operation<'_>) -> Result<(), Failure> {
    let path = path(operation).map_err(|_| "remove operation failed to decode path: missing value".to_owned())?;
    let Some((mut container, key)) = find_object(root, &path) else {
        return Err(format!("remove operation does not apply: doc is missing path: \"{path}\": missing value").into());
    };
    container
        .remove(&key)
        .map_err(|text| format!("error in remove for path: '{path}': {text}"))?;
    Ok(())
}

fn replace(root: &mut Form, operation: &Operation<'_>) -> Result<(), Failure> {
    let path = path(operation).map_err(|text| format!("replace operation failed to decode path: {text}"))?;
    if path.is_empty() {
        let mut value = value(operation).ok_or(NIL_POINTER)?;
        if !value.try_container() {
            // Go formats the nil error it wraps with %w.
            return Err("replace operation value must be object or array: %!w(<nil>)"
                .to_owned()
                .into());
        }
        *root = value.form;
        return Ok(());
    }
    let Some((mut container, key)) = find_object(root, &path) else {
        return Err(format!("replace operation does not apply: doc is missing path: {path}: missing value").into());
    };
    if container.get(&key).is_err() {
        return Err(format!("replace operation does not apply: doc is missing key: {path}: missing value").into());
    }
    container.set(&key, value(operation))
}

fn move_(root: &mut Form, operation: &Operation<'_>) -> Result<(), Failure> {
    let from = from(operation).map_err(|text| format!("move operation failed to decode from: {text}"))?;
    let Some((mut container, key)) = find_object(root, &from) else {
        return Err(format!("move operation does not apply: doc is missing from path: {from}: missing value").into());
    };
    let failed = |text| format!("error in move for path: '{key}': {text}");
    container.get(&key).map_err(failed)?;
    let moved = container.remove(&key).map_err(failed)?;
    let path = path(operation).map_err(|text| format!("move operation failed to decode path: {text}"))?;
    let Some((mut container, key)) = find_object(root, &path) else {
        return Err(
            format!("move operation does not apply: doc is missing destination path: {path}: missing value").into(),
        );
    };
    container.add(&key, moved).map_err(|failure| match failure {
        Failure::Error(text) => format!("error in move for path: '{path}': {text}").into(),
        panic => panic,
    })
}

fn test(root: &mut Form, operation: &Operation<'_>) -> Result<(), Failure> {
    let path = path(operation).map_err(|text| format!("test operation failed to decode path: {text}"))?;
    let failed = || Failure::Error(format!("testing value {path} failed: test failed"));
    if path.is_empty() {
        let mut this = LazyNode {
            raw: None,
            form: std::mem::replace(root, Form::Raw),
        };
        let equal = match value(operation) {
            Some(mut value) => equal(&mut this, &mut value),
            None => Err(NIL_POINTER),
        };
        *root = this.form;
        return if equal? { Ok(()) } else { Err(failed()) };
    }
    let Some((mut container, key)) = find_object(root, &path) else {
        return Err(format!("test operation does not apply: is missing path: {path}: missing value").into());
    };
    let found = container
        .get(&key)
        .map_err(|text| format!("error in test for path: '{path}': {text}"))?;
    let matched = match (found, value(operation)) {
        (None, value) => value.is_none_or(|value| value.raw.is_none()),
        (Some(_), None) => false,
        (Some(found), Some(mut value)) => equal(found, &mut value)?,
    };
    if matched { Ok(()) } else { Err(failed()) }
}

fn copy(root: &mut Form, operation: &Operation<'_>, copied: &mut usize) -> Result<(), Failure> {
    let from = from(operation).map_err(|text| format!("copy operation failed to decode from: {text}"))?;
    let Some((mut container, key)) = find_object(root, &from) else {
        return Err(format!("copy operation does not apply: doc is missing from path: {from}: missing value").into());
    };
    let found = container
        .get(&key)
        .map_err(|text| format!("error in copy for from: '{from}': {text}"))?;
    let (copy, size) = deep_copy(found.as_deref());
    let path = path(operation).map_err(|_| "copy operation failed to decode path: missing value".to_owned())?;
    let Some((mut container, key)) = find_object(root, &path) else {
        return Err(
            format!("copy operation does not apply: doc is missing destination path: {path}: missing value").into(),
        );
    };
    *copied += size;
    if *copied > COPY_SIZE_LIMIT {
        return Err(format!(
            "Unable to complete the copy, the accumulated size increase of copy is {copied}, \
             exceeding the limit {COPY_SIZE_LIMIT}"
        )
        .into());
    }
    container.add(&key, copy).map_err(|failure| match failure {
        Failure::Error(text) => format!("error while adding value during copy: {text}").into(),
        panic => panic,
    })
}

// Go's JSON text: scanning, decoding, encoding. The input was checked by `check_json`, or
// written by `encode` or `marshal`, so a span always holds one valid value.

fn skip_ws(text: &[u8], mut i: usize) -> usize {
    while matches!(text.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

fn trim(text: &[u8]) -> &[u8] {
    let start = skip_ws(text, 0);
    let end = skip_value(text, start, MAX_NESTING_DEPTH).unwrap_or(text.len());
    &text[start..end]
}

/// The end of the JSON value at `text[i]`, if there is one nesting at most `max_depth` deep.
fn skip_value(text: &[u8], mut i: usize, max_depth: usize) -> Option<usize> {
    let mut open = Vec::new();
    'value: loop {
        i = skip_ws(text, i);
        match text.get(i)? {
            c @ (b'{' | b'[') => {
                if open.len() == max_depth {
                    return None;
                }
                open.push(*c);
                i = skip_ws(text, i + 1);
                if text.get(i) == Some(&if *c == b'{' { b'}' } else { b']' }) {
                    open.pop();
                    i += 1;
                } else if *c == b'{' {
                    i = skip_key(text, i)?;
                    continue 'value;
                } else {
                    continue 'value;
                }
            }
            b'"' => i = skip_string(text, i)?,
            b't' => i = skip_literal(text, i, b"true")?,
            b'f' => i = skip_literal(text, i, b"false")?,
            b'n' => i = skip_literal(text, i, b"null")?,
            _ => i = skip_number(text, i)?,
        }
        // A value ended: close what it ends, up to the next value.
        loop {
            let Some(&container) = open.last() else { return Some(i) };
            i = skip_ws(text, i);
            match (container, text.get(i)?) {
                (b'{', b',') => {
                    i = skip_key(text, skip_ws(text, i + 1))?;
                    continue 'value;
                }
                (b'[', b',') => {
                    i += 1;
                    continue 'value;
                }
                (b'{', b'}') | (b'[', b']') => {
                    open.pop();
                    i += 1;
                }
                _ => return None,
            }
        }
    }
}

/// Skips a member name and its colon.
fn skip_key(text: &[u8], i: usize) -> Option<usize> {
    let i = skip_ws(text, skip_string(text, i)?);
    (text.get(i) == Some(&b':')).then_some(i + 1)
}

fn skip_literal(text: &[u8], i: usize, literal: &[u8]) -> Option<usize> {
    text[i..].starts_with(literal).then_some(i + literal.len())
}

/// Skips a string; Go takes any byte but controls, quotes and bad escapes, valid UTF-8 or not.
fn skip_string(text: &[u8], i: usize) -> Option<usize> {
    if text.get(i) != Some(&b'"') {
        return None;
    }
    let mut i = i + 1;
    loop {
        match *text.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => match *text.get(i + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                b'u' if text.get(i + 2..i + 6)?.iter().all(u8::is_ascii_hexdigit) => i += 6,
                _ => return None,
            },
            0..0x20 => return None,
            _ => i += 1,
        }
    }
}

fn skip_number(text: &[u8], mut i: usize) -> Option<usize> {
    let digits = |mut i: usize| {
        let start = i;
        while text.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i > start).then_some(i)
    };
    if text.get(i) == Some(&b'-') {
        i += 1;
    }
    i = match text.get(i)? {
        b'0' => i + 1,
        b'1'..=b'9' => digits(i)?,
        _ => return None,
    };
    if text.get(i) == Some(&b'.') {
        i = digits(i + 1)?;
    }
    if matches!(text.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(text.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(i)?;
    }
    Some(i)
}

/// The members of an object's text: name and value text, `None` for `null`.
fn members(text: &[u8]) -> Vec<(String, Option<&[u8]>)> {
    let mut members = Vec::new();
    let mut i = skip_ws(text, 1);
    while text.get(i) == Some(&b'"') {
        let end = skip_string(text, i).unwrap_or(text.len());
        let key = unquote(&text[i..end]);
        let start = skip_ws(text, skip_ws(text, end) + 1);
        let end = skip_value(text, start, MAX_NESTING_DEPTH).unwrap_or(text.len());
        members.push((key, non_null(&text[start..end])));
        i = skip_ws(text, skip_ws(text, end) + 1);
    }
    members
}

/// The elements of an array's text, `None` for `null`.
fn elements(text: &[u8]) -> Vec<Option<&[u8]>> {
    let mut elements = Vec::new();
    let mut i = skip_ws(text, 1);
    while text.get(i).is_some_and(|&c| c != b']') {
        let end = skip_value(text, i, MAX_NESTING_DEPTH).unwrap_or(text.len());
        elements.push(non_null(&text[i..end]));
        i = skip_ws(text, skip_ws(text, end) + 1);
    }
    elements
}

fn non_null(text: &[u8]) -> Option<&[u8]> {
    (text != b"null").then_some(text)
}

/// How Go's type errors name a value's JSON type.
fn kind_of(text: &[u8]) -> &'static str {
    match text.first() {
        Some(b'{') => "object",
        Some(b'[') => "array",
        Some(b'"') => "string",
        Some(b't' | b'f') => "bool",
        Some(b'n') => "null",
        _ => "number",
    }
}

/// A string's text decoded as Go does: a bad byte, or a lone surrogate, is U+FFFD.
fn unquote(text: &[u8]) -> String {
    let inner = &text[1..text.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        match inner[i] {
            b'\\' => {
                let escape = inner[i + 1];
                i += 2;
                match escape {
                    b'b' => out.push('\u{8}'),
                    b'f' => out.push('\u{c}'),
                    b'n' => out.push('\n'),
                    b'r' => out.push('\r'),
                    b't' => out.push('\t'),
                    b'u' => {
                        let unit = hex4(&inner[i..]);
                        i += 4;
                        let low = (inner.get(i..i + 2) == Some(b"\\u")).then(|| hex4(&inner[i + 2..]));
                        let decoded = match (unit, low) {
                            (0xD800..0xDC00, Some(low @ 0xDC00..0xE000)) => {
                                i += 6;
                                char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                            }
                            _ => char::from_u32(unit),
                        };
                        out.push(decoded.unwrap_or(char::REPLACEMENT_CHARACTER));
                    }
                    c => out.push(char::from(c)),
                }
            }
            _ => {
                let end = inner[i..]
                    .iter()
                    .position(|&c| c == b'\\')
                    .map_or(inner.len(), |n| i + n);
                for chunk in inner[i..end].utf8_chunks() {
                    out.push_str(chunk.valid());
                    out.extend(chunk.invalid().iter().map(|_| char::REPLACEMENT_CHARACTER));
                }
                i = end;
            }
        }
    }
    out
}

fn hex4(text: &[u8]) -> u32 {
    text[..4]
        .iter()
        .fold(0, |n, &c| n * 16 + char::from(c).to_digit(16).unwrap_or(0))
}

/// `json.Compact`, and with `escape_html` the compaction `json.Marshal` does of a value's text,
/// which escapes `<`, `>`, `&`, U+2028 and U+2029.
fn compact(text: &[u8], escape_html: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        i += 1;
        if escape_html && matches!(c, b'<' | b'>' | b'&') {
            out.extend_from_slice(format!("\\u00{c:02x}").as_bytes());
        } else if escape_html && c == 0xE2 && text.get(i) == Some(&0x80) && matches!(text.get(i + 1), Some(0xA8 | 0xA9))
        {
            out.extend_from_slice(format!("\\u202{:x}", text[i + 1] & 0xF).as_bytes());
            i += 2;
        } else if in_string || !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            out.push(c);
        }
        if in_string {
            (in_string, escaped) = (escaped || c != b'"', !escaped && c == b'\\');
        } else {
            in_string = c == b'"';
        }
    }
    out
}

/// Writes a value as kube-apiserver's JSON encoder (Go's `json.Encoder`) writes objects for
/// patching: compact, with Go's escapes and number forms. Member order does not matter here.
fn encode(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(value, &mut out);
    out
}

fn encode_into(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => out.extend_from_slice(go_number(n).as_bytes()),
        Value::String(s) => go_string(s, out),
        Value::Array(values) => {
            out.push(b'[');
            for (i, value) in values.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                encode_into(value, out);
            }
            out.push(b']');
        }
        Value::Object(members) => {
            out.push(b'{');
            for (i, (key, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                go_string(key, out);
                out.push(b':');
                encode_into(value, out);
            }
            out.push(b'}');
        }
    }
}

/// A string as Go's encoder writes it, HTML escaping on.
fn go_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\0'..'\u{20}' | '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.extend_from_slice(format!("\\u{:04x}", u32::from(c)).as_bytes());
            }
            c => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    out.push(b'"');
}

/// A number as Go's encoder writes an int64 or a float64: floats in the shortest form, with an
/// exponent (`1e+21`, `1e-7`) only below 1e-6 or from 1e21.
fn go_number(n: &Number) -> String {
    match n.as_f64() {
        // Beyond int64, Go decoded the number as a float64.
        Some(f) if n.is_f64() || n.as_u64().is_some_and(|u| u > i64::MAX as u64) => {
            let abs = f.abs();
            if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
                let text = format!("{f:e}");
                match text.split_once('e') {
                    Some((mantissa, exponent)) if !exponent.starts_with('-') => format!("{mantissa}e+{exponent}"),
                    _ => text,
                }
            } else {
                format!("{f}")
            }
        }
        _ => n.to_string(),
    }
}

/// The patched text as a `Value`, as the server decodes it: the text of a number beyond f64
/// is the error.
fn to_value(text: &[u8]) -> Result<Value, String> {
    let value = |text: Option<&[u8]>| text.map_or(Ok(Value::Null), to_value);
    Ok(match text[0] {
        b'{' => {
            let mut object = Map::new();
            for (key, member) in members(text) {
                object.insert(key, value(member)?);
            }
            Value::Object(object)
        }
        b'[' => {
            let mut array = Vec::new();
            for element in elements(text) {
                array.push(value(element)?);
            }
            Value::Array(array)
        }
        b'"' => Value::String(unquote(text)),
        b't' => Value::Bool(true),
        b'f' => Value::Bool(false),
        b'n' => Value::Null,
        _ => Value::Number(parse_number(text).ok_or_else(|| String::from_utf8_lossy(text).into_owned())?),
    })
}

/// A number's text as an integer if it is one that fits, else as a finite float.
fn parse_number(text: &[u8]) -> Option<Number> {
    let text = std::str::from_utf8(text).ok()?;
    if !text.contains(['.', 'e', 'E']) {
        if let Ok(n) = text.parse::<i64>() {
            return Some(n.into());
        }
        if let Ok(n) = text.parse::<u64>() {
            return Some(n.into());
        }
    }
    Number::from_f64(text.parse().ok()?)
}

/// `strconv.Atoi`, with its error texts.
fn atoi(s: &str) -> Result<i64, String> {
    let error = |why: &str| format!("strconv.Atoi: parsing {}: {why}", go_quote(s));
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return Err(error("invalid syntax"));
    }
    let mut n: u64 = 0;
    for c in digits.bytes() {
        if !c.is_ascii_digit() {
            return Err(error("invalid syntax"));
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(c - b'0')))
            .ok_or_else(|| error("value out of range"))?;
    }
    match (negative, i64::try_from(n)) {
        (false, Ok(n)) => Ok(n),
        (true, _) if n <= 1 << 63 => Ok((n as i64).wrapping_neg()),
        _ => Err(error("value out of range")),
    }
}

#[cfg(test)]
mod tests {
    //! Every expected result and error text was printed by a Go program (an oracle) that runs
    //! gopkg.in/evanphx/json-patch.v4 v4.13.0 through the steps of kube-apiserver v1.37.2's handler:
    //! `json.Valid`, the strict decoding into `handlers.jsonPatchOp` with sigs.k8s.io/json, the
    //! library's `DecodePatch`, the operation limit, and `Apply` with the copy limit, on the document
    //! as `runtime.Encode` writes it; a panic is recovered and its value printed. The patched text is
    //! shown as the server's decoder reads it. The HTTP codes and reasons are read from patch.go.

    use serde_json::json;

    use super::*;

    const CONFIGMAP: &str = r#"{"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "patched", "namespace": "default", "labels": {"app": "a", "a/b": "x", "m~n": "y"},
            "annotations": {"note": "n"}},
        "data": {"a": "1", "b": "2"}}"#;
    const DEPLOYMENT: &str = r#"{"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}, "finalizers": ["a", "b"]},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [
                {"name": "app", "image": "nginx:1.27", "ports": [{"containerPort": 80}],
                    "env": [{"name": "A", "value": "1"}]},
                {"name": "sidecar", "image": "busybox"}]}}}}"#;
    /// Strings the server's encoder escapes.
    const HTML: &str = r#"{"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "html", "annotations": {"h": "a<b&c>d"}},
        "data": {"u": "\u2028", "ctl": "\b\f\n\u0001", "e": "é"}}"#;
    /// Numbers as the server decodes them (int64, or float64) before it encodes them again.
    const FLOATS: &str = r#"{"f": {"a": 1e21, "b": 1e-7, "c": 0.1, "d": 1.5, "e": 100.0, "f": 123456789.125, "g": 1e20,
        "h": 0.000001, "i": -2.5e-8, "j": 12345678901234567890, "k": -9223372036854775808, "l": 0.0, "m": 1e100}}"#;

    /// The cases the server tests share, against the fake and the real server: each applies to
    /// [`CONFIGMAP`] with the default validation, `evanphx` being the oracle's answer.
    const SERVER_TABLE: &str = include_str!("../tests/data/json-patch-cases.json");

    /// More cases, one a line: other documents and validations, panics, bodies that are not a JSON
    /// value (`body`). `want` is the oracle's answer, but where `deviation` says why the module
    /// knowingly answers otherwise.
    const MORE: &str = r#"
{"name": "test finalizers with null element", "doc": "configmap", "validation": "Warn", "patch": [{"op": "add", "path": "/metadata/finalizers", "value": ["a", "b"]}, {"op": "test", "path": "/metadata/finalizers", "value": ["a", null]}], "want": {"error": "panic", "message": "runtime error: invalid memory address or nil pointer dereference"}}
{"name": "ignore: move path not a string", "doc": "configmap", "validation": "Ignore", "patch": [{"op": "move", "from": "/data/a", "path": 1}], "want": {"error": "apply", "message": "move operation failed to decode path: json: cannot unmarshal number into Go value of type string"}}
{"name": "strict: unknown then duplicate", "doc": "configmap", "validation": "Strict", "body": "[{\"zz\":1,\"op\":\"add\",\"path\":\"/data/c\",\"zz\":2,\"value\":\"1\",\"value\":\"2\",\"path\":\"/data/d\"}]", "want": {"ok": {"apiVersion": "v1", "data": {"a": "1", "b": "2", "d": "2"}, "kind": "ConfigMap", "metadata": {"annotations": {"note": "n"}, "labels": {"a/b": "x", "app": "a", "m~n": "y"}, "name": "patched", "namespace": "default"}}, "strict": ["json patch unknown field \"[0].zz\"", "json patch duplicate field \"[0].value\"", "json patch duplicate field \"[0].path\""]}}
{"name": "deploy: add into a new object", "doc": "deployment", "validation": "Warn", "patch": [{"op": "add", "path": "/spec/template/metadata/annotations", "value": {"a": {}}}, {"op": "add", "path": "/spec/template/metadata/annotations/a/b", "value": "1"}, {"op": "test", "path": "/spec/template/metadata/annotations", "value": {"a": {"b": "1"}}}], "want": {"ok": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"finalizers": ["a", "b"], "labels": {"app": "web"}, "name": "web", "namespace": "default"}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"annotations": {"a": {"b": "1"}}, "labels": {"app": "web"}}, "spec": {"containers": [{"env": [{"name": "A", "value": "1"}], "image": "nginx:1.27", "name": "app", "ports": [{"containerPort": 80}]}, {"image": "busybox", "name": "sidecar"}]}}}}}}
{"name": "deploy: test whole object", "doc": "deployment", "validation": "Warn", "patch": [{"op": "test", "path": "", "value": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}, "finalizers": ["a", "b"]}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": "nginx:1.27", "ports": [{"containerPort": 80}], "env": [{"name": "A", "value": "1"}]}, {"name": "sidecar", "image": "busybox"}]}}}}}], "want": {"ok": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"finalizers": ["a", "b"], "labels": {"app": "web"}, "name": "web", "namespace": "default"}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"env": [{"name": "A", "value": "1"}], "image": "nginx:1.27", "name": "app", "ports": [{"containerPort": 80}]}, {"image": "busybox", "name": "sidecar"}]}}}}}}
{"name": "deploy: replace in array of objects", "doc": "deployment", "validation": "Warn", "patch": [{"op": "replace", "path": "/spec/template/spec/containers/1", "value": {"name": "sidecar", "image": "busybox:1"}}], "want": {"ok": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"finalizers": ["a", "b"], "labels": {"app": "web"}, "name": "web", "namespace": "default"}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"env": [{"name": "A", "value": "1"}], "image": "nginx:1.27", "name": "app", "ports": [{"containerPort": 80}]}, {"image": "busybox:1", "name": "sidecar"}]}}}}}}
{"name": "invalid JSON", "doc": "configmap", "validation": "Warn", "body": "[{\"op\":\"add\"", "want": {"error": "decode", "message": "invalid JSON patch"}}
{"name": "empty body", "doc": "configmap", "validation": "Warn", "body": "", "want": {"error": "decode", "message": "invalid JSON patch"}}
{"name": "whitespace body", "doc": "configmap", "validation": "Warn", "body": " \n", "want": {"error": "decode", "message": "invalid JSON patch"}}
{"name": "trailing garbage", "doc": "configmap", "validation": "Warn", "body": "[] x", "want": {"error": "decode", "message": "invalid JSON patch"}}
{"name": "single quotes", "doc": "configmap", "validation": "Warn", "body": "[{'op':'add'}]", "want": {"error": "decode", "message": "invalid JSON patch"}}
{"name": "whitespace around patch", "doc": "configmap", "validation": "Warn", "body": " \t\r\n[ { \"op\" : \"add\" , \"path\" : \"/data/c\" , \"value\" : \"3\" } ] \n", "want": {"ok": {"apiVersion": "v1", "data": {"a": "1", "b": "2", "c": "3"}, "kind": "ConfigMap", "metadata": {"annotations": {"note": "n"}, "labels": {"a/b": "x", "app": "a", "m~n": "y"}, "name": "patched", "namespace": "default"}}}}
{"name": "lone surrogate escape", "doc": "configmap", "validation": "Warn", "body": "[{\"op\":\"add\",\"path\":\"/data/c\",\"value\":\"\\ud800x\"}]", "want": {"ok": {"apiVersion": "v1", "data": {"a": "1", "b": "2", "c": "�x"}, "kind": "ConfigMap", "metadata": {"annotations": {"note": "n"}, "labels": {"a/b": "x", "app": "a", "m~n": "y"}, "name": "patched", "namespace": "default"}}}}
{"name": "escapes in keys", "doc": "configmap", "validation": "Warn", "body": "[{\"op\":\"add\",\"path\":\"/data/c\",\"value\":{\"\\u0041\":\"\\n\\/\"}}]", "want": {"ok": {"apiVersion": "v1", "data": {"a": "1", "b": "2", "c": {"A": "\n/"}}, "kind": "ConfigMap", "metadata": {"annotations": {"note": "n"}, "labels": {"a/b": "x", "app": "a", "m~n": "y"}, "name": "patched", "namespace": "default"}}}}
{"name": "ignore: not an array", "doc": "configmap", "validation": "Ignore", "patch": {"op": "add"}, "want": {"error": "decode", "message": "json: cannot unmarshal object into Go value of type jsonpatch.Patch"}}
{"name": "ignore: element not an object", "doc": "configmap", "validation": "Ignore", "patch": ["add"], "want": {"error": "decode", "message": "json: cannot unmarshal string into Go value of type jsonpatch.Operation"}}
{"name": "ignore: element is array", "doc": "configmap", "validation": "Ignore", "patch": [[1]], "want": {"error": "decode", "message": "json: cannot unmarshal array into Go value of type jsonpatch.Operation"}}
{"name": "ignore: string patch", "doc": "configmap", "validation": "Ignore", "patch": "x", "want": {"error": "decode", "message": "json: cannot unmarshal string into Go value of type jsonpatch.Patch"}}
{"name": "ignore: number patch", "doc": "configmap", "validation": "Ignore", "patch": 5, "want": {"error": "decode", "message": "json: cannot unmarshal number into Go value of type jsonpatch.Patch"}}
{"name": "ignore: bool patch", "doc": "configmap", "validation": "Ignore", "patch": true, "want": {"error": "decode", "message": "json: cannot unmarshal bool into Go value of type jsonpatch.Patch"}}
{"name": "ignore: add path not a string", "doc": "configmap", "validation": "Ignore", "patch": [{"op": "add", "path": 5, "value": "x"}], "want": {"error": "apply", "message": "add operation failed to decode path: missing value"}}
{"name": "ignore: replace path not a string", "doc": "configmap", "validation": "Ignore", "patch": [{"op": "replace", "path": 5, "value": "x"}], "want": {"error": "apply", "message": "replace operation failed to decode path: json: cannot unmarshal number into Go value of type string"}}
{"name": "ignore: test path not a string", "doc": "configmap", "validation": "Ignore", "patch": [{"op": "test", "path": true, "value": "x"}], "want": {"error": "apply", "message": "test operation failed to decode path: json: cannot unmarshal bool into Go value of type string"}}
{"name": "ignore: move from not a string", "doc": "configmap", "validation": "Ignore", "patch": [{"op": "move", "from": 1, "path": "/data/c"}], "want": {"error": "apply", "message": "move operation failed to decode from: json: cannot unmarshal number into Go value of type string"}}
{"name": "ignore: copy path not a string", "doc": "configmap", "validation": "Ignore", "patch": [{"op": "copy", "from": "/data/a", "path": {}}], "want": {"error": "apply", "message": "copy operation failed to decode path: missing value"}}
{"name": "ignore: op not a string", "doc": "configmap", "validation": "Ignore", "patch": [{"op": 1, "path": "/data/a"}], "want": {"error": "apply", "message": "Unexpected kind: unknown"}}
{"name": "ignore: unknown field", "doc": "configmap", "validation": "Ignore", "patch": [{"op": "add", "path": "/data/c", "value": "3", "extra": 1}], "want": {"ok": {"apiVersion": "v1", "data": {"a": "1", "b": "2", "c": "3"}, "kind": "ConfigMap", "metadata": {"annotations": {"note": "n"}, "labels": {"a/b": "x", "app": "a", "m~n": "y"}, "name": "patched", "namespace": "default"}}}}
{"name": "ignore: value with huge number", "doc": "configmap", "validation": "Ignore", "body": "[{\"op\":\"add\",\"path\":\"/metadata/annotations/n\",\"value\":1e400}]", "want": {"error": "decode", "message": "error decoding patch: json: cannot unmarshal number 1e400 into Go struct field jsonPatchOp.value of type float64"}, "deviation": "Go answers ok, keeping the text 1e400, which a serde_json Value cannot hold; the module answers as Warn does"}
{"name": "strict: unknown fields", "doc": "configmap", "validation": "Strict", "patch": [{"op": "add", "path": "/data/c", "value": "3", "x": 1, "y": 2}, {"op": "test", "path": "/data/c", "z": 0}], "want": {"error": "apply", "message": "testing value /data/c failed: test failed"}}
{"name": "strict: duplicate nested", "doc": "configmap", "validation": "Strict", "body": "[{\"op\":\"add\",\"path\":\"/data/c\",\"value\":{\"a\":[{\"b\":1,\"b\":2}]}},{\"op\":\"test\",\"path\":\"/data/c\",\"path\":\"/data/c\"}]", "want": {"error": "apply", "message": "testing value /data/c failed: test failed"}}
{"name": "panic: test root without value", "doc": "configmap", "validation": "Warn", "patch": [{"op": "test", "path": ""}], "want": {"error": "panic", "message": "runtime error: invalid memory address or nil pointer dereference"}}
{"name": "panic: replace root without value", "doc": "configmap", "validation": "Warn", "patch": [{"op": "replace", "path": ""}], "want": {"error": "panic", "message": "runtime error: invalid memory address or nil pointer dereference"}}
{"name": "panic: add into copied null", "doc": "configmap", "validation": "Warn", "patch": [{"op": "add", "path": "/data/n", "value": null}, {"op": "copy", "from": "/data/n", "path": "/metadata/annotations/n"}, {"op": "add", "path": "/metadata/annotations/n/x", "value": "1"}], "want": {"error": "panic", "message": "assignment to entry in nil map"}}
{"name": "copied null equals empty object", "doc": "configmap", "validation": "Warn", "patch": [{"op": "add", "path": "/data/n", "value": null}, {"op": "copy", "from": "/data/n", "path": "/metadata/annotations/n"}, {"op": "test", "path": "/metadata/annotations/n", "value": {}}, {"op": "remove", "path": "/metadata/annotations/n"}], "want": {"ok": {"apiVersion": "v1", "data": {"a": "1", "b": "2", "n": null}, "kind": "ConfigMap", "metadata": {"annotations": {"note": "n"}, "labels": {"a/b": "x", "app": "a", "m~n": "y"}, "name": "patched", "namespace": "default"}}}}
{"name": "html: test raw text fails", "doc": "html", "validation": "Warn", "patch": [{"op": "test", "path": "/metadata/annotations/h", "value": "a<b&c>d"}], "want": {"error": "apply", "message": "testing value /metadata/annotations/h failed: test failed"}}
{"name": "html: test escaped text passes", "doc": "html", "validation": "Warn", "body": "[{\"op\":\"test\",\"path\":\"/metadata/annotations/h\",\"value\":\"a\\u003cb\\u0026c\\u003ed\"}]", "want": {"ok": {"apiVersion": "v1", "data": {"ctl": "\b\f\n\u0001", "e": "é", "u": " "}, "kind": "ConfigMap", "metadata": {"annotations": {"h": "a<b&c>d"}, "name": "html"}}}}
{"name": "html: line separator", "doc": "html", "validation": "Warn", "body": "[{\"op\":\"test\",\"path\":\"/data/u\",\"value\":\"\\u2028\"}]", "want": {"ok": {"apiVersion": "v1", "data": {"ctl": "\b\f\n\u0001", "e": "é", "u": " "}, "kind": "ConfigMap", "metadata": {"annotations": {"h": "a<b&c>d"}, "name": "html"}}}}
{"name": "html: control chars", "doc": "html", "validation": "Warn", "body": "[{\"op\":\"test\",\"path\":\"/data/ctl\",\"value\":\"\\b\\f\\n\\u0001\"}]", "want": {"ok": {"apiVersion": "v1", "data": {"ctl": "\b\f\n\u0001", "e": "é", "u": " "}, "kind": "ConfigMap", "metadata": {"annotations": {"h": "a<b&c>d"}, "name": "html"}}}}
{"name": "html: utf-8 text", "doc": "html", "validation": "Warn", "patch": [{"op": "test", "path": "/data/e", "value": "é"}], "want": {"ok": {"apiVersion": "v1", "data": {"ctl": "\b\f\n\u0001", "e": "é", "u": " "}, "kind": "ConfigMap", "metadata": {"annotations": {"h": "a<b&c>d"}, "name": "html"}}}}
{"name": "html: copy size counts escapes", "doc": "html", "validation": "Warn", "patch": [{"op": "copy", "from": "/metadata/annotations", "path": "/data/x"}], "want": {"ok": {"apiVersion": "v1", "data": {"ctl": "\b\f\n\u0001", "e": "é", "u": " ", "x": {"h": "a<b&c>d"}}, "kind": "ConfigMap", "metadata": {"annotations": {"h": "a<b&c>d"}, "name": "html"}}}}
{"name": "floats: Go's number text", "doc": "floats", "validation": "Warn", "body": "[{\"op\":\"test\",\"path\":\"/f/a\",\"value\":1e+21},{\"op\":\"test\",\"path\":\"/f/b\",\"value\":1e-7},{\"op\":\"test\",\"path\":\"/f/c\",\"value\":0.1},{\"op\":\"test\",\"path\":\"/f/d\",\"value\":1.5},{\"op\":\"test\",\"path\":\"/f/e\",\"value\":100},{\"op\":\"test\",\"path\":\"/f/f\",\"value\":123456789.125},{\"op\":\"test\",\"path\":\"/f/g\",\"value\":100000000000000000000},{\"op\":\"test\",\"path\":\"/f/h\",\"value\":0.000001},{\"op\":\"test\",\"path\":\"/f/i\",\"value\":-2.5e-8},{\"op\":\"test\",\"path\":\"/f/j\",\"value\":12345678901234567000},{\"op\":\"test\",\"path\":\"/f/k\",\"value\":-9223372036854775808},{\"op\":\"test\",\"path\":\"/f/l\",\"value\":0},{\"op\":\"test\",\"path\":\"/f/m\",\"value\":1e+100}]", "want": {"ok": {"f": {"a": 1e+21, "b": 1e-07, "c": 0.1, "d": 1.5, "e": 100, "f": 123456789.125, "g": 100000000000000000000, "h": 1e-06, "i": -2.5e-08, "j": 12345678901234567000, "k": -9223372036854775808, "l": 0, "m": 1e+100}}}}
{"name": "floats: 100.0 is 100", "doc": "floats", "validation": "Warn", "body": "[{\"op\":\"test\",\"path\":\"/f/e\",\"value\":100.0}]", "want": {"error": "apply", "message": "testing value /f/e failed: test failed"}}
{"name": "floats: 1e21 is 1e+21", "doc": "floats", "validation": "Warn", "body": "[{\"op\":\"test\",\"path\":\"/f/a\",\"value\":1e21}]", "want": {"error": "apply", "message": "testing value /f/a failed: test failed"}}
{"name": "deploy: replace image", "doc": "deployment", "validation": "Warn", "patch": [{"op": "test", "path": "/spec/template/spec/containers/0/name", "value": "app"}, {"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "nginx:1.28"}], "want": {"ok": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"finalizers": ["a", "b"], "labels": {"app": "web"}, "name": "web", "namespace": "default"}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"env": [{"name": "A", "value": "1"}], "image": "nginx:1.28", "name": "app", "ports": [{"containerPort": 80}]}, {"image": "busybox", "name": "sidecar"}]}}}}}}
{"name": "deploy: add env", "doc": "deployment", "validation": "Warn", "patch": [{"op": "add", "path": "/spec/template/spec/containers/0/env/-", "value": {"name": "B", "value": "2"}}], "want": {"ok": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"finalizers": ["a", "b"], "labels": {"app": "web"}, "name": "web", "namespace": "default"}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}], "image": "nginx:1.27", "name": "app", "ports": [{"containerPort": 80}]}, {"image": "busybox", "name": "sidecar"}]}}}}}}
{"name": "deploy: add container at 1", "doc": "deployment", "validation": "Warn", "patch": [{"op": "add", "path": "/spec/template/spec/containers/1", "value": {"name": "init", "image": "alpine"}}], "want": {"ok": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"finalizers": ["a", "b"], "labels": {"app": "web"}, "name": "web", "namespace": "default"}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"env": [{"name": "A", "value": "1"}], "image": "nginx:1.27", "name": "app", "ports": [{"containerPort": 80}]}, {"image": "alpine", "name": "init"}, {"image": "busybox", "name": "sidecar"}]}}}}}}
{"name": "deploy: remove last container", "doc": "deployment", "validation": "Warn", "patch": [{"op": "remove", "path": "/spec/template/spec/containers/-1"}], "want": {"ok": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"finalizers": ["a", "b"], "labels": {"app": "web"}, "name": "web", "namespace": "default"}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"env": [{"name": "A", "value": "1"}], "image": "nginx:1.27", "name": "app", "ports": [{"containerPort": 80}]}]}}}}}}
{"name": "deploy: move container to end", "doc": "deployment", "validation": "Warn", "patch": [{"op": "move", "from": "/spec/template/spec/containers/0", "path": "/spec/template/spec/containers/-"}], "want": {"ok": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"finalizers": ["a", "b"], "labels": {"app": "web"}, "name": "web", "namespace": "default"}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"image": "busybox", "name": "sidecar"}, {"env": [{"name": "A", "value": "1"}], "image": "nginx:1.27", "name": "app", "ports": [{"containerPort": 80}]}]}}}}}}
{"name": "deploy: copy ports", "doc": "deployment", "validation": "Warn", "patch": [{"op": "copy", "from": "/spec/template/spec/containers/0/ports", "path": "/spec/template/spec/containers/1/ports"}], "want": {"ok": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"finalizers": ["a", "b"], "labels": {"app": "web"}, "name": "web", "namespace": "default"}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"env": [{"name": "A", "value": "1"}], "image": "nginx:1.27", "name": "app", "ports": [{"containerPort": 80}]}, {"image": "busybox", "name": "sidecar", "ports": [{"containerPort": 80}]}]}}}}}}
{"name": "deploy: replace replicas", "doc": "deployment", "validation": "Warn", "patch": [{"op": "test", "path": "/spec/replicas", "value": 3}, {"op": "replace", "path": "/spec/replicas", "value": 5}], "want": {"ok": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"finalizers": ["a", "b"], "labels": {"app": "web"}, "name": "web", "namespace": "default"}, "spec": {"replicas": 5, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"env": [{"name": "A", "value": "1"}], "image": "nginx:1.27", "name": "app", "ports": [{"containerPort": 80}]}, {"image": "busybox", "name": "sidecar"}]}}}}}}
{"name": "deploy: test replicas 3.0", "doc": "deployment", "validation": "Warn", "patch": [{"op": "test", "path": "/spec/replicas", "value": 3.0}], "want": {"error": "apply", "message": "testing value /spec/replicas failed: test failed"}}
{"name": "deploy: test replicas string", "doc": "deployment", "validation": "Warn", "patch": [{"op": "test", "path": "/spec/replicas", "value": "3"}], "want": {"error": "apply", "message": "testing value /spec/replicas failed: test failed"}}
{"name": "deploy: test ports", "doc": "deployment", "validation": "Warn", "patch": [{"op": "test", "path": "/spec/template/spec/containers/0/ports", "value": [{"containerPort": 80}]}], "want": {"ok": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"finalizers": ["a", "b"], "labels": {"app": "web"}, "name": "web", "namespace": "default"}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"env": [{"name": "A", "value": "1"}], "image": "nginx:1.27", "name": "app", "ports": [{"containerPort": 80}]}, {"image": "busybox", "name": "sidecar"}]}}}}}}
{"name": "deploy: test ports differ", "doc": "deployment", "validation": "Warn", "patch": [{"op": "test", "path": "/spec/template/spec/containers/0/ports", "value": [{"containerPort": 81}]}], "want": {"error": "apply", "message": "testing value /spec/template/spec/containers/0/ports failed: test failed"}}
{"name": "deploy: test containers length", "doc": "deployment", "validation": "Warn", "patch": [{"op": "test", "path": "/spec/template/spec/containers", "value": [{"name": "app"}]}], "want": {"error": "apply", "message": "testing value /spec/template/spec/containers failed: test failed"}}
{"name": "deploy: index into object", "doc": "deployment", "validation": "Warn", "patch": [{"op": "add", "path": "/spec/selector/0", "value": "x"}], "want": {"ok": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"finalizers": ["a", "b"], "labels": {"app": "web"}, "name": "web", "namespace": "default"}, "spec": {"replicas": 3, "selector": {"0": "x", "matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"env": [{"name": "A", "value": "1"}], "image": "nginx:1.27", "name": "app", "ports": [{"containerPort": 80}]}, {"image": "busybox", "name": "sidecar"}]}}}}}}
{"name": "deploy: name as array index", "doc": "deployment", "validation": "Warn", "patch": [{"op": "replace", "path": "/spec/template/spec/containers/app/image", "value": "x"}], "want": {"error": "apply", "message": "replace operation does not apply: doc is missing path: /spec/template/spec/containers/app/image: missing value"}}
{"name": "deploy: test finalizers", "doc": "deployment", "validation": "Warn", "patch": [{"op": "test", "path": "/metadata/finalizers", "value": ["a", "b"]}], "want": {"ok": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"finalizers": ["a", "b"], "labels": {"app": "web"}, "name": "web", "namespace": "default"}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"env": [{"name": "A", "value": "1"}], "image": "nginx:1.27", "name": "app", "ports": [{"containerPort": 80}]}, {"image": "busybox", "name": "sidecar"}]}}}}}}
{"name": "deploy: remove finalizer by index", "doc": "deployment", "validation": "Warn", "patch": [{"op": "test", "path": "/metadata/finalizers/1", "value": "b"}, {"op": "remove", "path": "/metadata/finalizers/1"}], "want": {"ok": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"finalizers": ["a"], "labels": {"app": "web"}, "name": "web", "namespace": "default"}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"env": [{"name": "A", "value": "1"}], "image": "nginx:1.27", "name": "app", "ports": [{"containerPort": 80}]}, {"image": "busybox", "name": "sidecar"}]}}}}}}
{"name": "deploy: null in array then test", "doc": "deployment", "validation": "Warn", "patch": [{"op": "add", "path": "/metadata/finalizers/-"}, {"op": "test", "path": "/metadata/finalizers", "value": ["a", "b", null]}], "want": {"error": "panic", "message": "runtime error: invalid memory address or nil pointer dereference"}}
{"name": "deploy: null in array equal prefix fails first", "doc": "deployment", "validation": "Warn", "patch": [{"op": "add", "path": "/metadata/finalizers/-"}, {"op": "test", "path": "/metadata/finalizers", "value": ["x", "b", null]}], "want": {"error": "apply", "message": "testing value /metadata/finalizers failed: test failed"}}
{"name": "deploy: array raw with whitespace", "doc": "deployment", "validation": "Warn", "body": "[{\"op\":\"add\",\"path\":\"/spec/x\",\"value\":1},{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/ports/-\",\"value\": { \"containerPort\" : 81 } },{\"op\":\"test\",\"path\":\"/spec/template/spec/containers/0/ports/1/containerPort\",\"value\":81}]", "want": {"ok": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"finalizers": ["a", "b"], "labels": {"app": "web"}, "name": "web", "namespace": "default"}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"env": [{"name": "A", "value": "1"}], "image": "nginx:1.27", "name": "app", "ports": [{"containerPort": 80}, {"containerPort": 81}]}, {"image": "busybox", "name": "sidecar"}]}}, "x": 1}}}}
"#;

    fn doc(name: &str) -> Value {
        let text = match name {
            "configmap" => CONFIGMAP,
            "deployment" => DEPLOYMENT,
            "html" => HTML,
            "floats" => FLOATS,
            other => panic!("no document {other}"),
        };
        serde_json::from_str(text).unwrap()
    }

    /// What [`apply`] answers, shaped as the oracle prints it.
    fn answer(doc: &Value, body: &[u8], validation: FieldValidation) -> Value {
        match apply(doc, body, validation) {
            Ok(patched) if patched.strict_errors.is_empty() => json!({"ok": patched.value}),
            Ok(patched) => json!({"ok": patched.value, "strict": patched.strict_errors}),
            Err(error) => {
                let kind = match error {
                    PatchError::Decode(_) => "decode",
                    PatchError::TooManyOperations(_) => "too_many",
                    PatchError::Apply(_) => "apply",
                    PatchError::Panic(_) => "panic",
                };
                json!({"error": kind, "message": error.to_string()})
            }
        }
    }

    /// The body a case sends: `body` as is, or `patch` as serde_json writes it (the oracle got the
    /// same bytes: members sorted, compact).
    fn body(case: &Value) -> Vec<u8> {
        match case.get("body") {
            Some(body) => body.as_str().unwrap().as_bytes().to_vec(),
            None => serde_json::to_vec(&case["patch"]).unwrap(),
        }
    }

    #[test]
    fn server_table() {
        let cases: Vec<Value> = serde_json::from_str(SERVER_TABLE).unwrap();
        assert!(cases.len() > 100);
        for case in &cases {
            let got = answer(&doc("configmap"), &body(case), FieldValidation::Warn);
            assert_eq!(got, case["evanphx"], "{}", case["name"]);
        }
    }

    #[test]
    fn more_cases() {
        let mut count = 0;
        for line in MORE.lines().filter(|line| !line.is_empty()) {
            let case: Value = serde_json::from_str(line).unwrap();
            let validation = match case["validation"].as_str().unwrap() {
                "Ignore" => FieldValidation::Ignore,
                "Warn" => FieldValidation::Warn,
                "Strict" => FieldValidation::Strict,
                other => panic!("no validation {other}"),
            };
            let got = answer(&doc(case["doc"].as_str().unwrap()), &body(&case), validation);
            assert_eq!(got, case["want"], "{}", case["name"]);
            count += 1;
        }
        assert!(count > 50);
    }

    fn data(patched: &Patched, key: &str) -> Value {
        patched.value["data"][key].clone()
    }

    #[test]
    fn operation_limit() {
        let ops = |n| {
            format!(
                "[{}]",
                vec![r#"{"op":"test","path":"/data/a","value":"1"}"#; n].join(",")
            )
        };
        let cm = doc("configmap");
        assert_eq!(
            apply(&cm, ops(10_000).as_bytes(), FieldValidation::Warn).unwrap().value,
            cm
        );
        let error = apply(&cm, ops(10_001).as_bytes(), FieldValidation::Warn).unwrap_err();
        let message = "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001";
        assert_eq!(error, PatchError::TooManyOperations(message.into()));
    }

    #[test]
    fn nesting_limit() {
        // Go's limit counts every container, the patch's own array and object included.
        let nested = |depth, inner: &str| {
            format!(
                r#"[{{"op":"add","path":"/data/c","value":{}{inner}{}}}]"#,
                "[".repeat(depth),
                "]".repeat(depth)
            )
        };
        assert_eq!(check_json(nested(9998, "").as_bytes()), Ok(()));
        let invalid = PatchError::Decode("invalid JSON patch".into());
        for body in [nested(9999, ""), nested(9998, "{}")] {
            assert_eq!(check_json(body.as_bytes()), Err(invalid.clone()));
        }
        // Not Go: apply stops at MAX_APPLY_DEPTH.
        let patched = apply(&doc("configmap"), nested(510, "").as_bytes(), FieldValidation::Warn).unwrap();
        let mut value = &data(&patched, "c");
        let mut depth = 1;
        while let Some([inner]) = value.as_array().map(Vec::as_slice) {
            (value, depth) = (inner, depth + 1);
        }
        assert_eq!((depth, value), (510, &json!([])));
        let refused = apply(&doc("configmap"), nested(511, "").as_bytes(), FieldValidation::Warn);
        assert_eq!(refused.unwrap_err(), invalid);
    }

    #[test]
    fn bad_utf8_is_replaced_byte_by_byte() {
        let body = b"[{\"op\":\"add\",\"path\":\"/data/c\",\"value\":\"a\xffb\xe2\x82\"}]";
        let patched = apply(&doc("configmap"), body, FieldValidation::Warn).unwrap();
        assert_eq!(data(&patched, "c"), "a\u{fffd}b\u{fffd}\u{fffd}");
    }

    #[test]
    fn copy_size_limit() {
        // 524287 `<` are written `\u003c`: 6 bytes each, then the tail and two quotes.
        let copy = br#"[{"op":"copy","from":"/metadata/annotations/h","path":"/data/h"}]"#;
        let big = |tail| {
            let mut doc = doc("configmap");
            doc["metadata"]["annotations"]["h"] = json!(format!("{}{tail}", "<".repeat(524_287)));
            doc
        };
        let patched = apply(&big("abcd"), copy, FieldValidation::Warn).unwrap();
        assert_eq!(data(&patched, "h"), patched.value["metadata"]["annotations"]["h"]);
        let error = apply(&big("abcde"), copy, FieldValidation::Warn).unwrap_err();
        let message = "Unable to complete the copy, the accumulated size increase of copy is 3145729, \
                       exceeding the limit 3145728";
        assert_eq!(error, PatchError::Apply(message.into()));
        // A value from the patch keeps its text: each `\u0041` counts 6 bytes, not 1.
        let add = format!(
            r#"{{"op":"add","path":"/data/s","value":"{}"}}"#,
            r"\u0041".repeat(262_144)
        );
        let copy = |to| format!(r#"{{"op":"copy","from":"/data/s","path":"/data/{to}"}}"#);
        let body = format!("[{add},{},{}]", copy("t"), copy("u"));
        let error = apply(&doc("configmap"), body.as_bytes(), FieldValidation::Warn).unwrap_err();
        let message = "Unable to complete the copy, the accumulated size increase of copy is 3145732, \
                       exceeding the limit 3145728";
        assert_eq!(error, PatchError::Apply(message.into()));
    }

    #[test]
    fn answers() {
        let decode = PatchError::Decode("invalid JSON patch".into());
        assert_eq!(
            (decode.code(), decode.reason(), decode.message()),
            (400, Some("BadRequest"), "invalid JSON patch")
        );
        let too_many = PatchError::TooManyOperations("Request entity too large: ...".into());
        assert_eq!(
            (too_many.code(), too_many.reason()),
            (413, Some("RequestEntityTooLarge"))
        );
        let failed = apply(
            &doc("configmap"),
            br#"[{"op":"test","path":"/data/a","value":"2"}]"#,
            FieldValidation::Warn,
        );
        let failed = failed.unwrap_err();
        assert_eq!((failed.code(), failed.reason()), (422, Some("Invalid")));
        assert_eq!(
            failed.message(),
            "the server rejected our request due to an error in our request"
        );
        assert_eq!(failed.to_string(), "testing value /data/a failed: test failed");
        let panic = PatchError::Panic("assignment to entry in nil map".into());
        assert_eq!((panic.code(), panic.reason()), (500, None));
    }
}
