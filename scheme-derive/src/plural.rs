//! The default plural of a kind: lower-cased, with the usual English rules.

/// `CronTab` → `crontabs`, `Policy` → `policies`, `Ingress` → `ingresses`, `Endpoints` → `endpoints`.
pub fn to_plural(kind: &str) -> String {
    let word = kind.to_ascii_lowercase();
    // Words that are already plural or identical in both forms.
    if word.ends_with("endpoints") || word.ends_with("data") || word.ends_with("metrics") || word.ends_with("series") {
        return word;
    }
    if word.ends_with('s') || word.ends_with('x') || word.ends_with('z') || word.ends_with("ch") || word.ends_with("sh")
    {
        return format!("{word}es");
    }
    if let Some(stem) = word.strip_suffix('y')
        && !stem.is_empty()
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        return format!("{stem}ies");
    }
    format!("{word}s")
}

#[cfg(test)]
mod tests {
    use super::to_plural;

    #[test]
    fn english_rules() {
        for (kind, plural) in [
            ("CronTab", "crontabs"),
            ("Pod", "pods"),
            ("Policy", "policies"),
            ("Gateway", "gateways"),
            ("Ingress", "ingresses"),
            ("Box", "boxes"),
            ("Mesh", "meshes"),
            ("Patch", "patches"),
            ("Quiz", "quizes"),
            ("Endpoints", "endpoints"),
            ("NetworkPolicy", "networkpolicies"),
        ] {
            assert_eq!(to_plural(kind), plural, "plural of {kind}");
        }
    }
}
