//! Rust names for Kubernetes names: module, method and type names, with keywords escaped.

use proc_macro2::{Ident, Span};

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in",
    "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
    "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn", "abstract", "become", "box",
    "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Whether `name` is a Rust keyword (strict, reserved or edition 2024).
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// A lower-case identifier from a Kubernetes name: `stable.example.com` → `stable_example_com`,
/// with keywords made raw (`r#loop`).
pub fn snake(name: &str) -> Ident {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_').to_owned();
    let out = if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{out}")
    } else {
        out
    };
    ident(&out)
}

/// An identifier, raw when it is a keyword that can be raw (`self`, `Self`, `crate`, `super`
/// cannot: they get a trailing underscore).
pub fn ident(name: &str) -> Ident {
    if matches!(name, "self" | "Self" | "crate" | "super") {
        Ident::new(&format!("{name}_"), Span::call_site())
    } else if is_keyword(name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// The group module and accessor name: `core` for the core group.
pub fn group(group: &str) -> Ident {
    if group.is_empty() { ident("core") } else { snake(group) }
}

/// The type-name prefix of a kind (`CronTab`); kinds are UpperCamelCase already.
pub fn kind(kind: &str) -> String {
    let mut out = String::new();
    for part in kind.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake("stable.example.com").to_string(), "stable_example_com");
        assert_eq!(
            snake("rbac.authorization.k8s.io").to_string(),
            "rbac_authorization_k8s_io"
        );
        assert_eq!(snake("loop").to_string(), "r#loop");
        assert_eq!(snake("self").to_string(), "self_");
        assert_eq!(snake("3d.example.com").to_string(), "_3d_example_com");
        assert_eq!(group("").to_string(), "core");
        assert_eq!(kind("CronTab"), "CronTab");
    }
}
