//! Small inline SVG pictures for the HTML reports: score trends and grade distributions.
//! Hand-written so the output is stable text (snapshot-testable) with no dependencies.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::documents::TrendPoint;

const COLORS: [&str; 6] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
];

fn esc(s: &str) -> String {
    super::html::escape(s)
}

/// Average monthly score per department, one line each, over Jan–Dec.
pub fn trend_chart(series: &BTreeMap<String, Vec<TrendPoint>>, pass_mark: Option<f64>) -> String {
    let (w, h, left, top, bottom) = (640.0, 270.0, 40.0, 16.0, 48.0);
    let plot_h = h - top - bottom;
    let values: Vec<f64> = series
        .values()
        .flatten()
        .map(|p| p.average.to_f64())
        .chain(pass_mark)
        .collect();
    let lo = (values.iter().copied().fold(f64::MAX, f64::min) / 5.0).floor() * 5.0;
    let hi = (values.iter().copied().fold(f64::MIN, f64::max) / 5.0).ceil() * 5.0;
    let (lo, hi) = if values.is_empty() {
        (80.0, 100.0)
    } else if hi - lo < 5.0 {
        (lo - 5.0, hi + 5.0)
    } else {
        (lo, hi)
    };
    let x = |m: u32| left + (f64::from(m) - 0.5) * (w - left - 10.0) / 12.0;
    let y = |v: f64| top + (hi - v) / (hi - lo) * plot_h;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="monthly score trend" font-size="11">"#
    );
    let mut v = lo;
    while v <= hi + 0.01 {
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{}" y1="{:.1}" y2="{:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end">{v}</text>"##,
            w - 10.0,
            y(v),
            y(v),
            left - 4.0,
            y(v) + 4.0
        );
        v += 5.0;
    }
    for m in 1..=12u32 {
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{m}月</text>"#,
            x(m),
            h - bottom + 16.0
        );
    }
    if let Some(p) = pass_mark {
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{}" y1="{:.1}" y2="{:.1}" stroke="#d62728" stroke-dasharray="4 3"/><text x="{}" y="{:.1}" fill="#d62728" text-anchor="end">合格线 {p}</text>"##,
            w - 10.0,
            y(p),
            y(p),
            w - 12.0,
            y(p) - 3.0
        );
    }
    for (i, (name, points)) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let path: Vec<String> = points
            .iter()
            .map(|p| format!("{:.1},{:.1}", x(p.month.number()), y(p.average.to_f64())))
            .collect();
        let _ = write!(
            s,
            r#"<polyline fill="none" stroke="{color}" stroke-width="2" points="{}"/>"#,
            path.join(" ")
        );
        for p in points {
            let _ = write!(
                s,
                r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{color}"><title>{} {}: {}</title></circle>"#,
                x(p.month.number()),
                y(p.average.to_f64()),
                esc(name),
                p.month,
                p.average
            );
        }
        let ly = h - 6.0;
        let lx = left + i as f64 * 160.0;
        let _ = write!(
            s,
            r#"<rect x="{lx}" y="{}" width="10" height="10" fill="{color}"/><text x="{}" y="{ly}">{}</text>"#,
            ly - 9.0,
            lx + 14.0,
            esc(name)
        );
    }
    s.push_str("</svg>");
    s
}

/// Employees per grade in each department, as stacked horizontal bars (a calibration view).
pub fn grade_chart(
    grades: &[String],
    by_dept: &BTreeMap<String, BTreeMap<String, usize>>,
) -> String {
    let (w, row, left, top) = (640.0, 26.0, 150.0, 10.0);
    let h = top + row * by_dept.len() as f64 + 34.0;
    let max = by_dept
        .values()
        .map(|g| g.values().sum::<usize>())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let unit = (w - left - 20.0) / max;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="grade distribution" font-size="11">"#
    );
    for (r, (dept, counts)) in by_dept.iter().enumerate() {
        let y = top + r as f64 * row;
        let _ = write!(
            s,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 6.0,
            y + 15.0,
            esc(dept)
        );
        let mut x = left;
        for (i, g) in grades.iter().enumerate() {
            let n = counts.get(g).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            let bw = n as f64 * unit;
            let _ = write!(
                s,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{}" fill="{}"><title>{} {}: {n}</title></rect><text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#fff">{n}</text>"##,
                row - 6.0,
                COLORS[i % COLORS.len()],
                esc(dept),
                esc(g),
                x + bw / 2.0,
                y + 15.0
            );
            x += bw;
        }
    }
    let ly = h - 10.0;
    for (i, g) in grades.iter().enumerate() {
        let lx = left + i as f64 * 90.0;
        let _ = write!(
            s,
            r#"<rect x="{lx}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{ly}">{}</text>"#,
            ly - 9.0,
            COLORS[i % COLORS.len()],
            lx + 14.0,
            esc(g)
        );
    }
    s.push_str("</svg>");
    s
}
