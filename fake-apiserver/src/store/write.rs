//! Writes: create, update (PUT), patch (merge, strategic, JSON, server-side apply), delete and
//! the namespace lifecycle, each stamping the next resourceVersion and recording its field
//! manager; what a kind adds to them is its strategy's ([`crate::strategy`]).

use std::sync::Arc;

use serde_json::{Value, json};

use super::{EventType, Served, Store, meta_str, now};

/// The built-in kinds, to word a body of another kind as kube-apiserver's decoder does.
static BUILTINS: std::sync::LazyLock<kube_scheme::Scheme> =
    std::sync::LazyLock::new(kube_scheme::Scheme::with_builtins);
use crate::ssa::Writer;
use crate::status::ApiError;

/// What a write did, for the response.
pub(crate) struct Written {
    pub object: Arc<Value>,
    pub created: bool,
}

impl Store {
    /// Checks `kind`/`apiVersion` of a body against the resource it was sent to. With `fill`
    /// (a create or update), a built-in's body may leave either out: kube-apiserver's decoder
    /// takes the endpoint's. Another kind or version is refused as the real decoder words it.
    pub fn check_type(served: &Served, body: &mut Value, fill: bool) -> Result<(), ApiError> {
        let builtin = served.info.is_builtin();
        if fill && builtin && body.is_object() {
            for (field, value) in [("kind", served.kind()), ("apiVersion", served.info.api_version())] {
                if body.get(field).and_then(Value::as_str).is_none_or(str::is_empty) {
                    body[field] = json!(value);
                }
            }
        }
        let kind = body.get("kind").and_then(Value::as_str).unwrap_or("");
        let api_version = body.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let other_version = || {
            ApiError::bad_request(format!(
                "the API version in the data ({api_version}) does not match the expected API version ({})",
                served.info.api_version()
            ))
        };
        if fill && !builtin {
            // A custom resource's body, as the unstructured decoder and the custom resource
            // strategy's `ValidateTypeMeta` answer it.
            if kind.is_empty() {
                let text = body.to_string();
                let summary = if text.len() > 30 {
                    format!("{} ...", &text[..text.floor_char_boundary(30)])
                } else {
                    text.clone()
                };
                return Err(ApiError::bad_request(format!(
                    "the object provided is unrecognized (must be of type {}): Object 'Kind' is missing in '{text}' ({summary})",
                    served.kind()
                )));
            }
            if api_version != served.info.api_version() {
                return Err(other_version());
            }
            if kind != served.kind() {
                let name = meta_str(body, "name").unwrap_or_default();
                return Err(ApiError::invalid(
                    served.group(),
                    kind,
                    name,
                    vec![(
                        "kind".into(),
                        "FieldValueInvalid".into(),
                        format!(
                            "Invalid value: {}: must be {}",
                            crate::validation::go_quote(kind),
                            served.kind()
                        ),
                    )],
                ));
            }
        }
        if kind.is_empty() {
            return Err(ApiError::bad_request(format!(
                "Object 'Kind' is missing in '{}'",
                truncate(body)
            )));
        }
        if api_version.is_empty() {
            return Err(ApiError::bad_request(format!(
                "Object 'apiVersion' is missing in '{}'",
                truncate(body)
            )));
        }
        if builtin && (api_version != served.info.api_version() || kind != served.kind()) {
            // The decoder's own words: the body's kind, known or not, cannot become the
            // endpoint's (`runtime.Scheme.Convert` or `New`).
            let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
            let known = BUILTINS.recognizes(&kube_core::GroupVersionKind::gvk(group, version, kind));
            let why = if known {
                let target_group = served.group();
                let internal = if target_group.is_empty() {
                    "core"
                } else {
                    target_group.split('.').next().unwrap_or(target_group)
                };
                format!(
                    "converting ({version}.{kind}) to ({internal}.{}): unknown conversion",
                    served.kind()
                )
            } else {
                format!(
                    "no kind \"{kind}\" is registered for version \"{api_version}\" in scheme \"pkg/runtime/scheme.go:111\""
                )
            };
            return Err(ApiError::bad_request(format!(
                "{kind} in version \"{version}\" cannot be handled as a {}: {why}",
                served.kind()
            )));
        }
        if api_version != served.info.api_version() {
            return Err(other_version());
        }
        if kind != served.kind() {
            return Err(ApiError::bad_request(format!(
                "the kind in the data ({kind}) does not match the expected kind ({})",
                served.kind()
            )));
        }
        Ok(())
    }

    /// Creates an object; `writer` (none for server-side apply, which records its own manager)
    /// is recorded as its `Update` manager.
    pub fn create(
        &mut self,
        served: &Served,
        namespace: Option<&str>,
        mut body: Value,
        dry_run: bool,
        writer: Option<&Writer>,
    ) -> Result<Written, ApiError> {
        Self::check_type(served, &mut body, true)?;
        served.strategy().canonicalize(&mut body);
        let Some(meta) = body.get_mut("metadata").and_then(Value::as_object_mut) else {
            return Err(ApiError::invalid(
                served.group(),
                served.kind(),
                "",
                vec![(
                    "metadata.name".into(),
                    "FieldValueRequired".into(),
                    "Required value: name or generateName is required".into(),
                )],
            ));
        };
        // Namespace: the URL's; a different one in the body is a bad request.
        if served.namespaced() {
            let url_ns = namespace.unwrap_or("");
            match meta.get("namespace").and_then(Value::as_str) {
                Some(ns) if !ns.is_empty() && ns != url_ns => {
                    return Err(ApiError::bad_request(
                        "the namespace of the provided object does not match the namespace sent on the request",
                    ));
                }
                _ => {
                    meta.insert("namespace".into(), json!(url_ns));
                }
            }
        } else {
            meta.remove("namespace");
        }
        let name = match meta.get("name").and_then(Value::as_str).filter(|n| !n.is_empty()) {
            Some(name) => name.to_owned(),
            None => match meta
                .get("generateName")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
            {
                Some(prefix) => {
                    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
                    let random = uuid::Uuid::new_v4();
                    let suffix: String = random.as_bytes()[..5]
                        .iter()
                        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
                        .collect();
                    format!("{prefix}{suffix}")
                }
                None => return Err(served.strategy().missing_name(&body)),
            },
        };
        // The namespace's existence (admission) is checked before the strategy validates.
        self.check_namespace(served, namespace)?;
        served.strategy().decode(&mut body);
        served.strategy().validate(&body, &name, None)?;
        served.strategy().validate_create(&body, &name)?;
        let key = (
            if served.namespaced() {
                namespace.unwrap_or("").to_owned()
            } else {
                String::new()
            },
            name.clone(),
        );
        let gvr = served.storage();
        if self.objects.get(&gvr).is_some_and(|t| t.contains_key(&key)) {
            return Err(ApiError::already_exists(served.group(), served.plural(), &name));
        }
        let rv = self.rv + 1;
        let generation = served.strategy().initial_generation(&body);
        let meta = body["metadata"].as_object_mut().expect("checked above");
        meta.insert("name".into(), json!(name));
        meta.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
        meta.insert("resourceVersion".into(), json!(rv.to_string()));
        meta.insert("creationTimestamp".into(), json!(now()));
        if let Some(generation) = generation {
            meta.insert("generation".into(), json!(generation));
        } else {
            meta.remove("generation");
        }
        meta.remove("deletionTimestamp");
        meta.remove("deletionGracePeriodSeconds");
        served.strategy().prepare_for_create(&mut body, &name);
        crate::defaults::on_create(served, &mut body, || self.free_cluster_ip());
        if let Some(writer) = writer {
            // The field manager runs on the decoded, defaulted request, before the registry
            // and admission fill in the rest (a cluster IP, a Job's selector): those are no
            // one's. It compares with the kind's Go zero value.
            let mut probe = body.clone();
            crate::defaults::unowned(served, &mut probe);
            let zero = if served.info.is_builtin() {
                crate::protobuf::zero_value(served.info.api_version(), served.kind()).unwrap_or_else(|| json!({}))
            } else {
                json!({})
            };
            let empty = Value::Null;
            let ignored = served.strategy().reset_fields();
            crate::ssa::record_update(
                &zero,
                &mut probe,
                writer,
                None,
                ignored,
                Self::schema(served, &empty),
                &now(),
            );
            match probe.pointer_mut("/metadata/managedFields").map(Value::take) {
                Some(managed) => body["metadata"]["managedFields"] = managed,
                None => {
                    if let Some(meta) = body["metadata"].as_object_mut() {
                        meta.remove("managedFields");
                    }
                }
            }
        }
        if dry_run {
            // Nothing was stored, so the answer has no resourceVersion, as on the real server.
            if let Some(meta) = body["metadata"].as_object_mut() {
                meta.remove("resourceVersion");
            }
            return Ok(Written {
                object: Arc::new(body),
                created: true,
            });
        }
        let object = Arc::new(body);
        self.rv = rv;
        self.table(&gvr).insert(key, object.clone());
        self.commit(gvr, EventType::Added, object.clone(), None);
        Ok(Written { object, created: true })
    }

    /// Replaces an object (PUT), or only its status (`status` set).
    #[allow(clippy::too_many_arguments)]
    pub fn update(
        &mut self,
        served: &Served,
        namespace: Option<&str>,
        name: &str,
        mut body: Value,
        status_only: bool,
        dry_run: bool,
        writer: Option<&Writer>,
    ) -> Result<Written, ApiError> {
        Self::check_type(served, &mut body, true)?;
        let current = self.get(served, namespace, name)?;
        let body_name = meta_str(&body, "name").unwrap_or("");
        if body_name != name {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({body_name}) does not match the name on the URL ({name})"
            )));
        }
        if served.namespaced()
            && let Some(ns) = meta_str(&body, "namespace").filter(|n| !n.is_empty())
            && Some(ns) != namespace
        {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        if let Some(rv) = meta_str(&body, "resourceVersion").filter(|r| !r.is_empty())
            && rv != meta_str(&current, "resourceVersion").unwrap_or("")
        {
            return Err(ApiError::stale(served.group(), served.plural(), name));
        }
        let next = served.strategy().reset_status(&current, body, status_only);
        self.replace(served, namespace, name, &current, next, status_only, dry_run, writer)
    }

    /// Stores `next` in place of `current` (`status_only` for a write of the `status`
    /// subresource, which validates the status alone), keeping server-managed metadata and bumping the
    /// generation on spec changes. Finishes a deletion when the last finalizer goes. `writer`
    /// is recorded as an `Update` manager of what the write changed (none for server-side
    /// apply, which records its own, and for the server's own writes).
    #[allow(clippy::too_many_arguments)]
    pub fn replace(
        &mut self,
        served: &Served,
        namespace: Option<&str>,
        name: &str,
        current: &Arc<Value>,
        mut next: Value,
        status_only: bool,
        dry_run: bool,
        writer: Option<&Writer>,
    ) -> Result<Written, ApiError> {
        if !next.get("metadata").is_some_and(Value::is_object) {
            next["metadata"] = json!({});
        }
        served.strategy().canonicalize(&mut next);
        served.strategy().decode(&mut next);
        if status_only {
            served.strategy().validate_status(&next, name, current)?;
        } else {
            served.strategy().validate(&next, name, Some(current))?;
        }
        // The real server defaults every write it decodes, not only creates.
        crate::defaults::on_create(served, &mut next, || None);
        let rv = self.rv + 1;
        let generation = served.strategy().next_generation(current, &next);
        {
            let meta = next["metadata"].as_object_mut().expect("set above");
            for keep in [
                "uid",
                "creationTimestamp",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "namespace",
            ] {
                match current.pointer(&format!("/metadata/{keep}")) {
                    Some(v) => meta.insert(keep.into(), v.clone()),
                    None => meta.remove(keep),
                };
            }
            meta.insert("name".into(), json!(name));
            if let Some(generation) = generation {
                meta.insert("generation".into(), json!(generation));
            } else {
                meta.remove("generation");
            }
            meta.insert("resourceVersion".into(), json!(rv.to_string()));
        }
        next["kind"] = json!(served.kind());
        next["apiVersion"] = json!(served.info.api_version());
        served.strategy().prepare_for_update(&mut next, name);
        if let Some(writer) = writer {
            let (only, ignored): (Option<&[&str]>, &[&str]) = match writer.subresource {
                Some("status") => (Some(&["status"]), &[]),
                Some("scale") => (Some(&["spec", "replicas"]), &[]),
                _ => (None, served.strategy().reset_fields()),
            };
            let empty = Value::Null;
            let schema = Self::schema(served, &empty);
            crate::ssa::record_update(current, &mut next, writer, only, ignored, schema, &now());
        }
        if *current.as_ref() == next_without_rv(&next, current) {
            // Nothing changed: the real server answers with the stored object and no event.
            return Ok(Written {
                object: current.clone(),
                created: false,
            });
        }
        let finalizers_left = next
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .is_some_and(|f| !f.is_empty());
        let deleting = next.pointer("/metadata/deletionTimestamp").is_some();
        if dry_run {
            // Nothing was stored: the answer keeps the stored resourceVersion.
            next["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"].clone();
            return Ok(Written {
                object: Arc::new(next),
                created: false,
            });
        }
        let object = Arc::new(next);
        self.rv = rv;
        let gvr = served.storage();
        let key = (namespace.unwrap_or("").to_owned(), name.to_owned());
        if deleting && !finalizers_left {
            self.table(&gvr).remove(&key);
            self.commit(gvr, EventType::Deleted, object.clone(), Some(current.clone()));
        } else {
            self.table(&gvr).insert(key, object.clone());
            self.commit(gvr, EventType::Modified, object.clone(), Some(current.clone()));
        }
        Ok(Written { object, created: false })
    }

    /// Applies a patch: merge, strategic merge, JSON patch or server-side apply.
    #[allow(clippy::too_many_arguments)]
    pub fn patch(
        &mut self,
        served: &Served,
        namespace: Option<&str>,
        name: &str,
        patch: Patch,
        status_only: bool,
        dry_run: bool,
        writer: Option<&Writer>,
    ) -> Result<Written, ApiError> {
        let empty = Value::Null;
        let schema = Self::schema(served, &empty);
        let applied = matches!(patch, Patch::Apply { .. });
        let current = match self.get(served, namespace, name) {
            Ok(current) => current,
            Err(not_found) => {
                // Server-side apply creates what is missing.
                if let Patch::Apply { body, manager, force } = patch {
                    let body = crate::ssa::apply(None, &body, &manager, force, schema, &now())?;
                    return self.create(served, namespace, body, dry_run, None);
                }
                return Err(not_found);
            }
        };
        let mut next = (*current).clone();
        match patch {
            Patch::Merge(p) => json_patch::merge(&mut next, &p),
            Patch::Apply {
                mut body,
                manager,
                force,
            } => {
                Self::check_type(served, &mut body, false)?;
                next = crate::ssa::apply(Some(&next), &body, &manager, force, schema, &now())?;
            }
            Patch::Strategic(p) => {
                next = crate::strategic::apply(&next, &p, schema)?;
            }
            Patch::Json { body, validation } => {
                let patched = crate::jsonpatch::apply(&next, &body, validation).map_err(ApiError::json_patch)?;
                if validation == crate::jsonpatch::FieldValidation::Strict && !patched.strict_errors.is_empty() {
                    // What the strict decoding of the operations found, once the patched object
                    // decodes: kube-apiserver's `NewInvalid` with an empty kind and name.
                    let errors = patched.strict_errors.join(", ");
                    let mut error = ApiError::new(
                        422,
                        "Invalid",
                        format!(
                            " \"\" is invalid: patch: Invalid value: {:?}: strict decoding error: {errors}",
                            patched.value.to_string()
                        ),
                    );
                    error.details = Some(json!({"causes": [{"reason": "FieldValueInvalid", "field": "patch",
                        "message": format!("Invalid value: {:?}: strict decoding error: {errors}", patched.value.to_string())}]}));
                    return Err(error);
                }
                next = patched.value;
            }
        }
        if let Some(rv) = meta_str(&next, "resourceVersion").filter(|r| !r.is_empty())
            && rv != meta_str(&current, "resourceVersion").unwrap_or("")
        {
            return Err(ApiError::stale(served.group(), served.plural(), name));
        }
        if !next.is_object() {
            // What decoding the patched JSON answers (kube-apiserver's `NewInvalid` with an empty
            // kind and name).
            let text = next.to_string();
            let found = match next {
                Value::Array(_) => "array",
                Value::String(_) => "string",
                Value::Number(_) => "number",
                Value::Bool(_) => "bool",
                _ => "null",
            };
            let why = format!(
                "couldn't get version/kind; json parse error: json: cannot unmarshal {found} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }}"
            );
            let mut error = ApiError::new(
                422,
                "Invalid",
                format!(" \"\" is invalid: patch: Invalid value: {text:?}: {why}"),
            );
            error.details = Some(json!({"causes": [{"reason": "FieldValueInvalid", "field": "patch",
                "message": format!("Invalid value: {text:?}: {why}")}]}));
            return Err(error);
        }
        if let Some(other) = meta_str(&next, "name").filter(|n| *n != name) {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({other}) does not match the name on the URL ({name})"
            )));
        }
        let next = served.strategy().reset_status(&current, next, status_only);
        let writer = if applied { None } else { writer };
        self.replace(served, namespace, name, &current, next, status_only, dry_run, writer)
    }

    /// The schema of a served kind: the built-in's OpenAPI v3 definition, a CRD version's
    /// schema, or none (`empty`).
    fn schema<'a>(served: &'a Served, empty: &'a Value) -> crate::strategic::Schema<'a> {
        let gvk = served.info.gvk();
        match crate::openapi::builtin_schema(&gvk.group, &gvk.version, &gvk.kind) {
            Some((doc, schema)) => crate::strategic::Schema::new(doc, Some(schema)),
            None => match served.crd.as_ref().and_then(|c| c.schema.as_ref()) {
                Some(schema) => crate::strategic::Schema::new(schema, Some(schema)),
                None => crate::strategic::Schema::new(empty, None),
            },
        }
    }

    /// Deletes an object: at once, or (with finalizers) by setting `deletionTimestamp`.
    pub fn delete(
        &mut self,
        served: &Served,
        namespace: Option<&str>,
        name: &str,
        preconditions: (Option<String>, Option<String>),
        dry_run: bool,
    ) -> Result<Arc<Value>, ApiError> {
        let current = self.get(served, namespace, name)?;
        let (uid, rv) = preconditions;
        // The registry's own check before it deletes (`rest.BeforeDelete`), which names the
        // kind, not the resource.
        let precondition_failed = |why: String| {
            let mut error = ApiError::conflict(served.group(), served.kind(), name, &why);
            error.details = Some(json!({"name": name, "kind": served.kind()}));
            if !served.group().is_empty() {
                error.details.as_mut().expect("set above")["group"] = json!(served.group());
            }
            error
        };
        if let Some(uid) = uid
            && Some(uid.as_str()) != meta_str(&current, "uid")
        {
            return Err(precondition_failed(format!(
                "the UID in the precondition ({uid}) does not match the UID in record ({}). The object might have been deleted and then recreated",
                meta_str(&current, "uid").unwrap_or("")
            )));
        }
        if let Some(rv) = rv
            && Some(rv.as_str()) != meta_str(&current, "resourceVersion")
        {
            return Err(precondition_failed(format!(
                "the ResourceVersion in the precondition ({rv}) does not match the ResourceVersion in record ({}). The object might have been modified",
                meta_str(&current, "resourceVersion").unwrap_or("")
            )));
        }
        if served.is_namespace() && current.pointer("/metadata/deletionTimestamp").is_none() {
            return Ok(self.delete_namespace(served, name, &current, dry_run));
        }
        let has_finalizers = current
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .is_some_and(|f| !f.is_empty());
        if has_finalizers {
            if current.pointer("/metadata/deletionTimestamp").is_some() {
                return Ok(current);
            }
            let mut next = (*current).clone();
            next["metadata"]["deletionTimestamp"] = json!(now());
            next["metadata"]["deletionGracePeriodSeconds"] = json!(0);
            // `replace` keeps deletionTimestamp from the current object, so store directly.
            let rv = self.rv + 1;
            next["metadata"]["resourceVersion"] = json!(rv.to_string());
            let object = Arc::new(next);
            if dry_run {
                return Ok(object);
            }
            self.rv = rv;
            let gvr = served.storage();
            self.table(&gvr)
                .insert((namespace.unwrap_or("").to_owned(), name.to_owned()), object.clone());
            self.commit(gvr, EventType::Modified, object.clone(), Some(current));
            return Ok(object);
        }
        if dry_run {
            return Ok(current);
        }
        self.rv += 1;
        let mut gone = (*current).clone();
        gone["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        let gone = Arc::new(gone);
        let gvr = served.storage();
        self.table(&gvr)
            .remove(&(namespace.unwrap_or("").to_owned(), name.to_owned()));
        self.commit(gvr, EventType::Deleted, gone.clone(), Some(current));
        Ok(gone)
    }

    /// Deletes a namespace as a cluster with a namespace controller does: the namespace turns
    /// `Terminating` (deletionTimestamp set, the answer to the DELETE), its contents are deleted,
    /// the controller drops the `kubernetes` finalizer, and the namespace is gone unless other
    /// (metadata) finalizers hold it. All of it happens before the DELETE is answered, so no
    /// request sees the namespace half emptied.
    fn delete_namespace(&mut self, served: &Served, name: &str, current: &Arc<Value>, dry_run: bool) -> Arc<Value> {
        let gvr = served.storage();
        let key = (String::new(), name.to_owned());
        let mut terminating = (**current).clone();
        terminating["metadata"]["deletionTimestamp"] = json!(now());
        terminating["metadata"]["deletionGracePeriodSeconds"] = json!(0);
        terminating["status"] = json!({"phase": "Terminating"});
        terminating["metadata"]["resourceVersion"] = json!((self.rv + 1).to_string());
        let terminating = Arc::new(terminating);
        if dry_run {
            return terminating;
        }
        self.rv += 1;
        self.table(&gvr).insert(key.clone(), terminating.clone());
        self.commit(
            gvr.clone(),
            EventType::Modified,
            terminating.clone(),
            Some(current.clone()),
        );
        self.delete_namespace_contents(name);
        let mut finalized = (*terminating).clone();
        finalized["spec"] = json!({});
        self.rv += 1;
        finalized["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        let held = finalized
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .is_some_and(|f| !f.is_empty());
        let finalized = Arc::new(finalized);
        if held {
            self.table(&gvr).insert(key, finalized.clone());
            self.commit(gvr, EventType::Modified, finalized, Some(terminating.clone()));
        } else {
            self.table(&gvr).remove(&key);
            self.commit(gvr, EventType::Deleted, finalized, Some(terminating.clone()));
        }
        terminating
    }

    fn delete_namespace_contents(&mut self, namespace: &str) {
        let mut doomed = Vec::new();
        for (gvr, table) in &self.objects {
            for (key, object) in table.range((namespace.to_owned(), String::new())..) {
                if key.0 != namespace {
                    break;
                }
                doomed.push((gvr.clone(), key.clone(), object.clone()));
            }
        }
        for (gvr, key, object) in doomed {
            self.rv += 1;
            let mut gone = (*object).clone();
            gone["metadata"]["resourceVersion"] = json!(self.rv.to_string());
            self.table(&gvr).remove(&key);
            self.commit(gvr, EventType::Deleted, Arc::new(gone), Some(object));
        }
    }
}

/// `next` with the current object's resourceVersion, to tell a no-op write.
fn next_without_rv(next: &Value, current: &Value) -> Value {
    let mut probe = next.clone();
    probe["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"].clone();
    probe
}

fn truncate(body: &Value) -> String {
    let mut text = body.to_string();
    if text.len() > 200 {
        let mut cut = 200;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text
}

/// A patch body by its content type.
pub(crate) enum Patch {
    Merge(Value),
    Strategic(Value),
    /// The JSON patch's body as sent (kube-apiserver's library reads the text, which shows in
    /// how `test` compares numbers and strings), and the request's `fieldValidation`.
    Json {
        body: bytes::Bytes,
        validation: crate::jsonpatch::FieldValidation,
    },
    /// Server-side apply by a field manager, forcing conflicts or not.
    Apply {
        body: Value,
        manager: String,
        force: bool,
    },
}
