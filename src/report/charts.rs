//! The pictures of the HTML reports, as values: where every line, dot and bar goes, worked
//! out here; the SVG markup is a template (`templates/*.svg`), which escapes the labels.

use std::collections::BTreeMap;

use askama::Template;

use crate::evaluation::documents::TrendPoint;

/// Colours of lines that have no order among them (departments).
const SERIES_COLORS: [&str; 6] = [
    "#1f77b4", "#9467bd", "#17becf", "#8c564b", "#e377c2", "#7f7f7f",
];

/// Grade colours from best to worst: green through amber to red, so the picture reads in
/// the ladder's order.
const GRADE_COLORS: [&str; 5] = ["#2e7d32", "#7cb342", "#f9a825", "#ef6c00", "#c62828"];

/// The colour of the `i`-th of `n` grades, best first, spread over the whole scale.
pub fn grade_color(i: usize, n: usize) -> &'static str {
    let last = GRADE_COLORS.len() - 1;
    let at = if n <= 1 {
        0
    } else {
        (i * last + (n - 1) / 2) / (n - 1)
    };
    GRADE_COLORS[at.min(last)]
}

/// The colour of the grade labelled `label` on a ladder of `ladder` (labels, best first);
/// none for a label off the ladder (未参评).
pub fn grade_color_of(label: &str, ladder: &[String]) -> Option<&'static str> {
    let i = ladder.iter().position(|g| g == label)?;
    Some(grade_color(i, ladder.len()))
}

/// A horizontal grid line of the trend chart.
pub struct GridLine {
    y: f64,
    value: f64,
}

/// A month's place on the x axis.
pub struct MonthTick {
    x: f64,
    number: u32,
}

/// The pass mark's dashed line.
pub struct PassLine {
    y: f64,
    value: f64,
}

/// A point of a line, with what it shows.
pub struct Dot {
    x: f64,
    y: f64,
    month: crate::domain::month::Month,
    average: crate::domain::points::Points,
}

/// One department's line.
pub struct Series {
    name: String,
    color: &'static str,
    /// `x,y x,y …` for the polyline.
    points: String,
    dots: Vec<Dot>,
    legend_x: f64,
}

/// Average monthly score per department, one line each, over January to December.
#[derive(Template)]
#[template(path = "trend.svg")]
pub struct TrendChart {
    width: f64,
    height: f64,
    left: f64,
    right: f64,
    axis_y: f64,
    legend_y: f64,
    grid: Vec<GridLine>,
    months: Vec<MonthTick>,
    pass_mark: Option<PassLine>,
    series: Vec<Series>,
}

impl TrendChart {
    pub fn new(series: &BTreeMap<String, Vec<TrendPoint>>, pass_mark: Option<f64>) -> TrendChart {
        let (width, height, left, top, bottom) = (640.0, 270.0, 40.0, 16.0, 48.0);
        let plot_h = height - top - bottom;
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
        let x = |m: u32| left + (f64::from(m) - 0.5) * (width - left - 10.0) / 12.0;
        let y = |v: f64| top + (hi - v) / (hi - lo) * plot_h;
        let mut grid = Vec::new();
        let mut v = lo;
        while v <= hi + 0.01 {
            grid.push(GridLine { y: y(v), value: v });
            v += 5.0;
        }
        TrendChart {
            width,
            height,
            left,
            right: width - 10.0,
            axis_y: height - bottom + 16.0,
            legend_y: height - 6.0,
            grid,
            months: (1..=12).map(|m| MonthTick { x: x(m), number: m }).collect(),
            pass_mark: pass_mark.map(|p| PassLine { y: y(p), value: p }),
            series: series
                .iter()
                .enumerate()
                .map(|(i, (name, points))| {
                    let dots: Vec<Dot> = points
                        .iter()
                        .map(|p| Dot {
                            x: x(p.month.number()),
                            y: y(p.average.to_f64()),
                            month: p.month,
                            average: p.average,
                        })
                        .collect();
                    Series {
                        name: name.clone(),
                        color: SERIES_COLORS[i % SERIES_COLORS.len()],
                        points: dots
                            .iter()
                            .map(|d| format!("{:.1},{:.1}", d.x, d.y))
                            .collect::<Vec<_>>()
                            .join(" "),
                        dots,
                        legend_x: left + i as f64 * 160.0,
                    }
                })
                .collect(),
        }
    }
}

/// One grade's part of a department's bar.
pub struct Bar {
    x: f64,
    width: f64,
    color: &'static str,
    grade: String,
    count: usize,
}

/// A department's bar.
pub struct BarRow {
    y: f64,
    department: String,
    bars: Vec<Bar>,
}

/// A grade in the legend.
pub struct LegendEntry {
    x: f64,
    color: &'static str,
    grade: String,
}

/// Employees per grade in each department, as stacked horizontal bars (a calibration view).
#[derive(Template)]
#[template(path = "grades.svg")]
pub struct GradeChart {
    width: f64,
    height: f64,
    left: f64,
    bar_height: f64,
    legend_y: f64,
    rows: Vec<BarRow>,
    legend: Vec<LegendEntry>,
}

impl GradeChart {
    /// `grades` are the labels in ladder order, best first; `by_dept` counts employees per
    /// department and grade label.
    pub fn new(
        grades: &[String],
        by_dept: &BTreeMap<String, BTreeMap<String, usize>>,
    ) -> GradeChart {
        let (width, row, left, top) = (640.0, 26.0, 150.0, 10.0);
        let height = top + row * by_dept.len() as f64 + 34.0;
        let max = by_dept
            .values()
            .map(|g| g.values().sum::<usize>())
            .max()
            .unwrap_or(1)
            .max(1) as f64;
        let unit = (width - left - 20.0) / max;
        let color = |i: usize| grade_color(i, grades.len());
        GradeChart {
            width,
            height,
            left,
            bar_height: row - 6.0,
            legend_y: height - 10.0,
            rows: by_dept
                .iter()
                .enumerate()
                .map(|(r, (department, counts))| {
                    let mut x = left;
                    let bars = grades
                        .iter()
                        .enumerate()
                        .filter_map(|(i, g)| {
                            let count = counts.get(g).copied().filter(|n| *n > 0)?;
                            let bar = Bar {
                                x,
                                width: count as f64 * unit,
                                color: color(i),
                                grade: g.clone(),
                                count,
                            };
                            x += bar.width;
                            Some(bar)
                        })
                        .collect();
                    BarRow {
                        y: top + r as f64 * row,
                        department: department.clone(),
                        bars,
                    }
                })
                .collect(),
            legend: grades
                .iter()
                .enumerate()
                .map(|(i, g)| LegendEntry {
                    x: left + i as f64 * 90.0,
                    color: color(i),
                    grade: g.clone(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grade_colours_run_from_green_to_red_in_ladder_order() {
        // Four grades (优秀 良好 一般 差): best green, worst red, none repeated.
        let four: Vec<&str> = (0..4).map(|i| grade_color(i, 4)).collect();
        assert_eq!(four[0], "#2e7d32");
        assert_eq!(four[3], "#c62828");
        let mut unique = four.clone();
        unique.dedup();
        assert_eq!(unique.len(), 4, "{four:?}");
        // The scale is ordered: each grade's colour comes later on it than the one above.
        let rank = |c: &str| GRADE_COLORS.iter().position(|x| *x == c).unwrap();
        assert!(four.windows(2).all(|w| rank(w[0]) < rank(w[1])), "{four:?}");
        assert_eq!(grade_color(0, 1), "#2e7d32");
    }

    #[test]
    fn labels_are_escaped_by_the_template() {
        let by = BTreeMap::from([(
            "<部门 & 组>".to_string(),
            BTreeMap::from([("优秀".to_string(), 2)]),
        )]);
        let svg = GradeChart::new(&["优秀".into()], &by).render().unwrap();
        assert!(svg.contains("&#60;部门 &#38; 组&#62;"), "{svg}");
        assert!(!svg.contains("<部门"), "{svg}");
    }
}
