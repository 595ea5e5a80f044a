//! The review resources kubectl's `auth can-i` and `auth whoami` create: answered at once, never
//! stored. The fake has no authentication and no authorization, so every request is allowed and
//! made by an administrator.

use kube_core::GroupVersionResource;
use serde_json::{Value, json};

use crate::status::ApiError;

/// The user the fake says every request comes from (a member of `system:masters`, as the
/// real server's admin is).
pub(crate) const USER: &str = "fake-admin";

/// A review kind the fake answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Review {
    /// `authorization.k8s.io` `SelfSubjectAccessReview`, `SubjectAccessReview`,
    /// `LocalSubjectAccessReview`: allowed.
    Access(&'static str),
    /// `authorization.k8s.io` `SelfSubjectRulesReview`: everything.
    Rules,
    /// `authentication.k8s.io` `SelfSubjectReview`: the admin user.
    WhoAmI,
}

impl Review {
    /// The review a resource path names, if any.
    pub(crate) fn of(gvr: &GroupVersionResource) -> Option<Review> {
        match (gvr.group.as_str(), gvr.version.as_str(), gvr.resource.as_str()) {
            ("authorization.k8s.io", "v1", "selfsubjectaccessreviews") => {
                Some(Review::Access("SelfSubjectAccessReview"))
            }
            ("authorization.k8s.io", "v1", "subjectaccessreviews") => Some(Review::Access("SubjectAccessReview")),
            ("authorization.k8s.io", "v1", "localsubjectaccessreviews") => {
                Some(Review::Access("LocalSubjectAccessReview"))
            }
            ("authorization.k8s.io", "v1", "selfsubjectrulesreviews") => Some(Review::Rules),
            ("authentication.k8s.io", "v1", "selfsubjectreviews") => Some(Review::WhoAmI),
            _ => None,
        }
    }

    /// Whether discovery lists `plural` of `group`/`version` as a review the fake answers.
    pub(crate) fn serves(group: &str, version: &str, plural: &str) -> bool {
        Review::of(&GroupVersionResource::gvr(group, version, plural)).is_some()
    }

    /// The created review: the request with its status filled in.
    pub(crate) fn answer(self, mut request: Value) -> Result<Value, ApiError> {
        let (api_version, kind) = match self {
            Review::Access(kind) => ("authorization.k8s.io/v1", kind),
            Review::Rules => ("authorization.k8s.io/v1", "SelfSubjectRulesReview"),
            Review::WhoAmI => ("authentication.k8s.io/v1", "SelfSubjectReview"),
        };
        if request.get("kind").and_then(Value::as_str).is_some_and(|k| k != kind) {
            return Err(ApiError::bad_request(format!(
                "the kind in the data ({}) does not match the expected kind ({kind})",
                request["kind"].as_str().unwrap_or_default()
            )));
        }
        request["kind"] = json!(kind);
        request["apiVersion"] = json!(api_version);
        if !request.get("metadata").is_some_and(Value::is_object) {
            request["metadata"] = json!({});
        }
        request["metadata"]["creationTimestamp"] = Value::Null;
        request["status"] = match self {
            Review::Access(_) => json!({"allowed": true}),
            Review::Rules => json!({
                "resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
                "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}],
                "incomplete": false,
            }),
            Review::WhoAmI => json!({
                "userInfo": {"username": USER, "groups": ["system:masters", "system:authenticated"]},
            }),
        };
        Ok(request)
    }
}
