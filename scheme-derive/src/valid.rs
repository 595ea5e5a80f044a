//! Validation of the parsed attributes: every problem reported at once, spanned on its token.

use darling::util::SpannedValue;
use proc_macro2::Span;

use crate::ast::KindInput;
use crate::plural::to_plural;

/// The validated model that expansion works from.
pub struct Model<'a> {
    pub input: &'a KindInput,
    pub group: String,
    pub version: String,
    pub kind: String,
    pub plural: String,
    pub namespaced: bool,
    pub krate: syn::Path,
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|part| {
            !part.is_empty()
                && !part.starts_with('-')
                && !part.ends_with('-')
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
}

fn is_kind(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Validates `input`; `attr_span` is the `#[kind(...)]` attribute (or the type, without one),
/// where missing keys and a missing scope are reported.
pub fn validate(input: &KindInput, attr_span: Span) -> darling::Result<Model<'_>> {
    let mut errors = darling::Error::accumulator();
    let error = |span: Span, msg: String| darling::Error::custom(msg).with_span(&span);

    // Missing keys and scope are reported on the `#[kind(...)]` attribute, or on the type when
    // there is none.
    let required = |value: &Option<SpannedValue<String>>,
                    key: &str,
                    example: &str,
                    errors: &mut darling::error::Accumulator| match value {
        Some(v) => Some(v.clone()),
        None => {
            errors.push(error(
                attr_span,
                format!("missing `{key}`: add `{key} = \"{example}\"` to `#[kind(...)]`"),
            ));
            None
        }
    };
    let group = required(&input.group, "group", "stable.example.com", &mut errors);
    let version = required(&input.version, "version", "v1", &mut errors);
    let kind = required(&input.kind, "kind", "CronTab", &mut errors);
    let (Some(group), Some(version), Some(kind)) = (group, version, kind) else {
        return Err(errors.finish().expect_err("a missing key was reported"));
    };

    if !is_dns_subdomain(&group) {
        errors.push(error(
            group.span(),
            format!(
                "invalid group `{}`: a group is a lowercase DNS subdomain (a-z, 0-9, `-` and `.`), such as `stable.example.com`",
                *group
            ),
        ));
    }
    if !is_dns_label(&version) {
        errors.push(error(
            version.span(),
            format!(
                "invalid version `{}`: a version is a lowercase DNS label starting with a letter, such as `v1` or `v1beta1`",
                *version
            ),
        ));
    }
    if !is_kind(&kind) {
        errors.push(error(
            kind.span(),
            format!(
                "invalid kind `{}`: a kind is alphanumeric UpperCamelCase, such as `CronTab`",
                *kind
            ),
        ));
    }
    let plural = match &input.plural {
        Some(p) => {
            if !is_dns_label(p) {
                errors.push(error(
                    p.span(),
                    format!(
                        "invalid plural `{}`: a plural is a lowercase DNS label, such as `crontabs`",
                        **p
                    ),
                ));
            }
            (**p).clone()
        }
        None => to_plural(&kind),
    };
    match (input.namespaced.is_present(), input.cluster.is_present()) {
        (true, true) => errors.push(error(
            input.cluster.span(),
            "a kind is either `namespaced` or `cluster`, not both".to_owned(),
        )),
        (false, false) => errors.push(error(
            attr_span,
            "the scope must be stated: add `namespaced` or `cluster` to `#[kind(...)]`".to_owned(),
        )),
        _ => {}
    }
    if let Some(param) = input.generics.params.first() {
        errors.push(darling::Error::custom("`#[derive(Kind)]` does not support generic types").with_span(param));
    }
    let fields = input.data.as_ref().take_struct().expect("darling checked the shape");
    if !fields.iter().any(|f| f.ident.as_ref().is_some_and(|i| i == "metadata")) {
        errors.push(error(
            input.ident.span(),
            "a Kind type needs a `metadata: ObjectMeta` field".to_owned(),
        ));
    }
    errors.finish()?;

    Ok(Model {
        input,
        group: (*group).clone(),
        version: (*version).clone(),
        kind: (*kind).clone(),
        plural,
        namespaced: input.namespaced.is_present(),
        krate: input
            .crate_path
            .clone()
            .unwrap_or_else(|| syn::parse_quote!(::kube_scheme)),
    })
}
