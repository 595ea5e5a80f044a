//! API errors as the real server writes them: a `metav1.Status` body with a code and a reason.

use serde_json::{Value, json};

/// One failed request: HTTP code, `metav1.Status` reason, message and details.
#[derive(Clone, Debug)]
pub(crate) struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Option<Value>,
}

/// `pods` or `deployments.apps`, as the server names a resource in messages.
pub(crate) fn qualified(group: &str, plural: &str) -> String {
    if group.is_empty() {
        plural.to_owned()
    } else {
        format!("{plural}.{group}")
    }
}

impl ApiError {
    pub fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: None,
        }
    }

    pub fn not_found(group: &str, plural: &str, name: &str) -> Self {
        ApiError {
            details: Some(json!({"name": name, "group": group, "kind": plural})),
            ..Self::new(
                404,
                "NotFound",
                format!("{} \"{name}\" not found", qualified(group, plural)),
            )
        }
    }

    pub fn no_route() -> Self {
        Self::new(404, "NotFound", "the server could not find the requested resource")
    }

    pub fn already_exists(group: &str, plural: &str, name: &str) -> Self {
        ApiError {
            details: Some(json!({"name": name, "group": group, "kind": plural})),
            ..Self::new(
                409,
                "AlreadyExists",
                format!("{} \"{name}\" already exists", qualified(group, plural)),
            )
        }
    }

    pub fn conflict(group: &str, plural: &str, name: &str, why: &str) -> Self {
        ApiError {
            details: Some(json!({"name": name, "group": group, "kind": plural})),
            ..Self::new(
                409,
                "Conflict",
                format!(
                    "Operation cannot be fulfilled on {} \"{name}\": {why}",
                    qualified(group, plural)
                ),
            )
        }
    }

    pub fn stale(group: &str, plural: &str, name: &str) -> Self {
        Self::conflict(
            group,
            plural,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    /// 422 Invalid with one cause per field. The message aggregates the causes as apimachinery's
    /// `ErrorList.ToAggregate` prints them: each `field: message` once, in brackets when there
    /// are several.
    pub fn invalid(group: &str, kind: &str, name: &str, causes: Vec<(String, String, String)>) -> Self {
        let mut seen = Vec::new();
        for (field, _, message) in &causes {
            let text = format!("{field}: {message}");
            if !seen.contains(&text) {
                seen.push(text);
            }
        }
        let summary = match seen.len() {
            1 => seen.remove(0),
            _ => format!("[{}]", seen.join(", ")),
        };
        let causes: Vec<Value> = causes
            .into_iter()
            .map(|(field, reason, message)| json!({"reason": reason, "message": message, "field": field}))
            .collect();
        // `GroupKind.String()`: `Deployment.apps`, `ConfigMap` for the core group.
        let qualified = if group.is_empty() {
            kind.to_owned()
        } else {
            format!("{kind}.{group}")
        };
        // The details' fields are `omitempty`.
        let mut details = json!({"kind": kind, "causes": causes});
        for (key, value) in [("name", name), ("group", group)] {
            if !value.is_empty() {
                details[key] = json!(value);
            }
        }
        ApiError {
            details: Some(details),
            ..Self::new(422, "Invalid", format!("{qualified} \"{name}\" is invalid: {summary}"))
        }
    }

    /// A refused JSON patch as kube-apiserver answers it (see [`crate::jsonpatch::PatchError`]):
    /// a 422 says nothing of which operation failed, and has empty details.
    pub fn json_patch(error: crate::jsonpatch::PatchError) -> Self {
        tracing::debug!(%error, "JSON patch refused");
        let mut answer = Self::new(error.code(), error.reason().unwrap_or("InternalError"), error.message());
        if error.code() == 422 {
            answer.details = Some(json!({}));
        }
        answer
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    pub fn method_not_allowed(method: &str) -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            format!("the server does not allow this method on the requested resource ({method})"),
        )
    }

    /// 415 for a patch in a media type the resource does not take.
    pub fn unsupported_media_type() -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
        )
    }

    /// 415 for a create or update body in a media type the fake does not decode.
    pub fn unsupported_body(content_type: &str) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json, application/vnd.kubernetes.protobuf; got {content_type:?}"
            ),
        )
    }

    /// 413 for a request body over the real server's limit of 3 MiB.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            413,
            "RequestEntityTooLarge",
            format!("Request entity too large: limit is {limit}"),
        )
    }

    pub fn expired(message: impl Into<String>) -> Self {
        Self::new(410, "Expired", message)
    }

    pub fn too_old_resource_version(requested: u64, oldest: u64) -> Self {
        Self::expired(format!("too old resource version: {requested} ({oldest})"))
    }

    /// A fault injected through [`crate::FakeApiServer::fail_next`].
    pub fn injected(code: u16) -> Self {
        let reason = match code {
            400 => "BadRequest",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "NotFound",
            409 => "Conflict",
            410 => "Expired",
            422 => "Invalid",
            429 => "TooManyRequests",
            503 => "ServiceUnavailable",
            504 => "Timeout",
            _ => "InternalError",
        };
        Self::new(code, reason, format!("fault injected by the fake API server ({code})"))
    }

    /// The `metav1.Status` body.
    pub fn status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(details) = &self.details {
            status["details"] = details.clone();
        }
        status
    }
}
