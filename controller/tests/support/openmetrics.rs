//! A strict reader of the OpenMetrics text format, shared by the tests that scrape this
//! crate's metrics (`controller/tests/metrics.rs`, and the sample controller's own test by
//! `#[path]`).

use std::collections::{BTreeMap, HashMap};

/// One parsed family: its type and samples (name, labels, value).
#[derive(Debug, Default)]
pub struct Family {
    pub kind: String,
    pub samples: Vec<(String, BTreeMap<String, String>, f64)>,
}

/// A strict reader of the OpenMetrics text format, as far as this crate writes it: every line
/// is a `# HELP`, a `# TYPE`, a sample of the family typed last, or the final `# EOF`.
pub fn parse(text: &str) -> HashMap<String, Family> {
    let mut families: HashMap<String, Family> = HashMap::new();
    let mut current: Option<String> = None;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.last(), Some(&"# EOF"), "OpenMetrics text ends with # EOF");
    for line in &lines[..lines.len() - 1] {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let name = rest.split(' ').next().unwrap();
            assert!(!name.is_empty(), "HELP without a name: {line}");
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("# TYPE name type");
            assert!(
                ["counter", "gauge", "histogram", "info", "unknown"].contains(&kind),
                "unknown type in {line}"
            );
            assert!(
                families
                    .insert(
                        name.to_string(),
                        Family {
                            kind: kind.into(),
                            samples: vec![]
                        }
                    )
                    .is_none(),
                "{name} typed twice"
            );
            current = Some(name.to_string());
            continue;
        }
        assert!(!line.starts_with('#'), "unexpected comment: {line}");
        let family = current
            .as_ref()
            .unwrap_or_else(|| panic!("sample before any # TYPE: {line}"));
        let (series, value) = line.rsplit_once(' ').expect("sample: series value");
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("bad value in {line}"));
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => {
                let body = rest.strip_suffix('}').expect("labels end with }");
                let mut labels = BTreeMap::new();
                for pair in body.split("\",").filter(|p| !p.is_empty()) {
                    let (k, v) = pair.split_once("=\"").expect("label=\"value\"");
                    labels.insert(k.to_string(), v.trim_end_matches('"').to_string());
                }
                (name.to_string(), labels)
            }
            None => (series.to_string(), BTreeMap::new()),
        };
        let f = families.get_mut(family).unwrap();
        let allowed: Vec<String> = match f.kind.as_str() {
            "counter" => vec![format!("{family}_total"), format!("{family}_created")],
            "histogram" => vec![
                format!("{family}_bucket"),
                format!("{family}_sum"),
                format!("{family}_count"),
                format!("{family}_created"),
            ],
            _ => vec![family.clone()],
        };
        assert!(allowed.contains(&name), "sample {name} in family {family} ({})", f.kind);
        f.samples.push((name, labels, value));
    }
    families
}

/// Checks a family's type and that it has a sample with `labels` (a subset) of name `sample`;
/// returns that sample's value.
pub fn value(
    families: &HashMap<String, Family>,
    family: &str,
    kind: &str,
    sample: &str,
    labels: &[(&str, &str)],
) -> f64 {
    let f = families
        .get(family)
        .unwrap_or_else(|| panic!("no family {family}; have {:?}", families.keys().collect::<Vec<_>>()));
    assert_eq!(f.kind, kind, "type of {family}");
    f.samples
        .iter()
        .find(|(name, l, _)| name == sample && labels.iter().all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v)))
        .unwrap_or_else(|| panic!("no {sample} with {labels:?} in {family}: {:?}", f.samples))
        .2
}

/// The value of the sample `name` with exactly `labels`, if the families have it (a labelled
/// counter appears once it was first counted).
#[allow(dead_code)] // the sample controller's test reads samples by name; this crate's by family
pub fn sample(families: &HashMap<String, Family>, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    families.values().flat_map(|f| &f.samples).find_map(|(n, l, v)| {
        (n == name
            && l.len() == labels.len()
            && labels
                .iter()
                .all(|(k, want)| l.get(*k).map(String::as_str) == Some(*want)))
        .then_some(*v)
    })
}
