//! Field selectors (`metadata.name=web,metadata.namespace!=kube-system`).

use serde_json::Value;

use crate::status::ApiError;

/// One `field=value` or `field!=value` requirement.
#[derive(Clone, Debug)]
struct FieldRequirement {
    /// JSON pointer of the field (`/metadata/name`).
    pointer: String,
    value: String,
    equal: bool,
}

/// A parsed field selector; the empty one matches everything.
#[derive(Clone, Debug, Default)]
pub(crate) struct FieldSelector {
    requirements: Vec<FieldRequirement>,
}

impl FieldSelector {
    /// Parses `field=value` / `field==value` / `field!=value`, comma-separated.
    ///
    /// `metadata.name` and `metadata.namespace` are supported for every kind, like the real
    /// server; other dotted paths (`spec.nodeName`, `status.phase`) are accepted for every kind,
    /// where the real server accepts only the ones each kind declares.
    pub fn parse(input: &str) -> Result<Self, ApiError> {
        let mut requirements = Vec::new();
        for part in input.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, value, equal) = if let Some((f, v)) = part.split_once("!=") {
                (f, v, false)
            } else if let Some((f, v)) = part.split_once("==") {
                (f, v, true)
            } else if let Some((f, v)) = part.split_once('=') {
                (f, v, true)
            } else {
                return Err(ApiError::bad_request(format!(
                    "invalid field selector: {input:?}: {part:?} has no operator"
                )));
            };
            let field = field.trim();
            if field.is_empty()
                || !field
                    .split('.')
                    .all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                return Err(ApiError::bad_request(format!("field label not supported: {field}")));
            }
            requirements.push(FieldRequirement {
                pointer: format!("/{}", field.replace('.', "/")),
                value: value.trim().to_owned(),
                equal,
            });
        }
        Ok(FieldSelector { requirements })
    }

    pub fn matches(&self, object: &Value) -> bool {
        self.requirements.iter().all(|r| {
            let found = match object.pointer(&r.pointer) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            (found == r.value) == r.equal
        })
    }
}
