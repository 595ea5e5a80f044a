//! The results as a Markdown table (medians with spread and run counts, then ratios) and as
//! an SVG chart.

use std::fmt::Write;
use std::path::Path;

use plotters::prelude::*;

use crate::orchestrate::{GO, RUST};

type Samples = std::collections::BTreeMap<(String, String, String), Vec<f64>>;

/// The measurements, in table order, and whether more is better.
const MEASUREMENTS: [(&str, bool); 18] = [
    ("sync 10,000 pods, wall (s)", false),
    (crate::orchestrate::SYNC_USER, false),
    (crate::orchestrate::SYNC_SYSTEM, false),
    (crate::orchestrate::LARGE_WALL, false),
    (crate::orchestrate::LARGE_SYSTEM, false),
    (crate::orchestrate::LARGE_RSS, false),
    ("RSS per cached pod (B)", false),
    ("live heap per cached pod (B)", false),
    ("RSS per cached pod (B), managedFields stripped", false),
    ("live heap per cached pod (B), managedFields stripped", false),
    ("events/s, 100,000 updates to 3 handlers", true),
    (crate::orchestrate::LISTED_PEAK, false),
    ("events run: peak RSS (MiB)", false),
    ("events run: peak live heap (MiB)", false),
    (crate::orchestrate::EVENTS_USER, false),
    (crate::orchestrate::EVENTS_SYSTEM, false),
    ("lister get by name (ns)", false),
    ("lister list of a namespace, 100 pods (µs)", false),
];

fn sorted(xs: &[f64]) -> Vec<f64> {
    let mut xs = xs.to_vec();
    xs.sort_by(f64::total_cmp);
    xs
}

/// The median (of an even count, the mean of the middle two).
pub fn median(xs: &[f64]) -> f64 {
    let xs = sorted(xs);
    let mid = xs.len() / 2;
    if xs.len().is_multiple_of(2) {
        (xs[mid - 1] + xs[mid]) / 2.0
    } else {
        xs[mid]
    }
}

fn number(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

fn cell(xs: Option<&Vec<f64>>) -> String {
    match xs {
        Some(xs) if !xs.is_empty() => {
            let s = sorted(xs);
            if s.len() == 1 {
                number(s[0])
            } else {
                format!(
                    "{} ({}–{}, n={})",
                    number(median(xs)),
                    number(s[0]),
                    number(s[s.len() - 1]),
                    s.len()
                )
            }
        }
        _ => String::new(),
    }
}

fn get<'a>(samples: &'a Samples, m: &str, consumer: &str, alloc: &str) -> Option<&'a Vec<f64>> {
    samples.get(&(m.to_owned(), consumer.to_owned(), alloc.to_owned()))
}

/// The Markdown table: every measurement for every consumer and allocator (median, min–max,
/// run count), then the ratios of ours to client-go and to kube-runtime.
pub fn table(samples: &Samples, allocs: &[String], reps: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{reps} interleaved rounds; each cell: median (min–max, n=runs). Rust consumers under each allocator as `#[global_allocator]`; client-go under Go's runtime.\n"
    );
    let _ = write!(out, "| measurement | consumer |");
    for a in allocs {
        let _ = write!(out, " {a} |");
    }
    let _ = writeln!(out, " Go |");
    let _ = writeln!(out, "|---|---|{}---|", "---|".repeat(allocs.len()));
    for (m, _) in MEASUREMENTS {
        let consumers = RUST.iter().map(|(c, _)| *c).chain([GO]);
        for consumer in consumers {
            let columns = allocs.iter().map(String::as_str).chain(["Go"]);
            if columns.into_iter().all(|a| get(samples, m, consumer, a).is_none()) {
                continue;
            }
            let _ = write!(out, "| {m} | {consumer} |");
            for a in allocs {
                let _ = write!(out, " {} |", cell(get(samples, m, consumer, a)));
            }
            let _ = writeln!(out, " {} |", cell(get(samples, m, consumer, "Go")));
        }
    }
    let _ = writeln!(
        out,
        "\nRatios of medians (below 1 is less; for events/s, above 1 is faster):\n"
    );
    let _ = write!(out, "| measurement | ratio |");
    for a in allocs {
        let _ = write!(out, " {a} |");
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "|---|---|{}", "---|".repeat(allocs.len()));
    for (m, _) in MEASUREMENTS {
        for (ours, against) in [
            ("ours", GO),
            ("ours", "kube-runtime"),
            ("ours, compressed cache", GO),
            ("ours, compressed cache", "kube-runtime"),
        ] {
            let against_in = |a: &str| if against == GO { "Go".to_owned() } else { a.to_owned() };
            if allocs
                .iter()
                .all(|a| get(samples, m, ours, a).is_none() || get(samples, m, against, &against_in(a)).is_none())
            {
                continue;
            }
            let _ = write!(out, "| {m} | {ours} ÷ {against} |");
            for a in allocs {
                let against_alloc = if against == GO { "Go" } else { a.as_str() };
                let ratio = match (get(samples, m, ours, a), get(samples, m, against, against_alloc)) {
                    (Some(x), Some(y)) if !x.is_empty() && !y.is_empty() => format!("{:.2}x", median(x) / median(y)),
                    _ => String::new(),
                };
                let _ = write!(out, " {ratio} |");
            }
            let _ = writeln!(out);
        }
    }
    out
}

/// The chart: for the main measurements, each consumer's median relative to client-go's
/// (glibc for the Rust consumers), as grouped bars.
pub fn svg(path: &Path, samples: &Samples, allocs: &[String], caption: &str) -> Result<(), String> {
    let alloc = allocs.first().map(String::as_str).unwrap_or("glibc");
    let shown = [
        ("RSS per cached pod (B)", "RSS / cached pod"),
        ("live heap per cached pod (B)", "live heap / cached pod"),
        ("RSS per cached pod (B), managedFields stripped", "RSS / pod, stripped"),
        ("events/s, 100,000 updates to 3 handlers", "events/s"),
        ("events run: peak RSS (MiB)", "events peak RSS"),
        ("sync 10,000 pods, wall (s)", "sync time"),
    ];
    let consumers: Vec<&str> = RUST.iter().map(|(c, _)| *c).chain([GO]).collect();
    let colors = [
        RGBColor(31, 119, 180),
        RGBColor(44, 160, 44),
        RGBColor(255, 127, 14),
        RGBColor(127, 127, 127),
    ];
    let mut bars = Vec::new();
    let mut top: f64 = 1.0;
    for (g, (m, _)) in shown.iter().enumerate() {
        let Some(go) = get(samples, m, GO, "Go").filter(|x| !x.is_empty()).map(|x| median(x)) else {
            continue;
        };
        for (c, consumer) in consumers.iter().enumerate() {
            let a = if *consumer == GO { "Go" } else { alloc };
            if let Some(x) = get(samples, m, consumer, a).filter(|x| !x.is_empty()) {
                let ratio = median(x) / go;
                top = top.max(ratio);
                bars.push((g, c, ratio));
            }
        }
    }
    let root = SVGBackend::new(path, (960, 480)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("kube-informer benchmark, relative to client-go (= 1); Rust consumers on {alloc}"),
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0f64..shown.len() as f64, 0f64..top * 1.15)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(shown.len() * 2 + 1)
        .x_label_formatter(&|x| {
            let i = (*x - 0.5).round();
            if (x - 0.5 - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < shown.len() {
                shown[i as usize].1.to_owned()
            } else {
                String::new()
            }
        })
        .y_desc("× client-go")
        .draw()
        .map_err(|e| e.to_string())?;
    let width = 0.8 / consumers.len() as f64;
    for (g, c, ratio) in &bars {
        let x0 = *g as f64 + 0.1 + *c as f64 * width;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x0, 0.0), (x0 + width * 0.9, *ratio)],
                colors[*c].filled(),
            )))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!("{ratio:.2}"),
                (x0, *ratio + top * 0.02),
                ("sans-serif", 11),
            )))
            .map_err(|e| e.to_string())?;
    }
    for (c, consumer) in consumers.iter().enumerate() {
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(0.0, 0.0), (0.0, 0.0)],
                colors[c].filled(),
            )))
            .map_err(|e| e.to_string())?
            .label(*consumer)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], colors[c].filled()));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| e.to_string())?;
    root.draw(&Text::new(caption.to_owned(), (12, 462), ("sans-serif", 12)))
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}
