//! Self-contained HTML documents that print cleanly on A4, rendered from the document
//! values by templates (`templates/*.html`), which escape every text.

use std::collections::BTreeMap;

use askama::Template;

use super::charts::{GradeChart, TrendChart};
use crate::evaluation::documents::{RatingSheet, Recommendation, Statement};

/// The most rows a table of a printed section may have for the section to be kept whole on
/// one page; a longer one starts where it is and runs on, its header repeated, its heading
/// kept with its first rows.
pub const KEEP_ROWS: usize = 12;

#[derive(Template)]
#[template(path = "statement.html")]
struct StatementPage<'a> {
    s: &'a Statement,
    trend: String,
}

#[derive(Template)]
#[template(path = "rating_sheet.html")]
struct RatingSheetPage<'a> {
    s: &'a RatingSheet,
    grades: String,
    trends: String,
}

impl RatingSheetPage<'_> {
    /// The grade cell's colour, the one the distribution chart gives the grade; the
    /// label stays, so a black-and-white print reads the same.
    fn grade_style(&self, label: &str) -> String {
        super::charts::grade_color_of(label, &self.s.grades)
            .map(|c| format!("border-left:4mm solid {c};color:{c};font-weight:bold"))
            .unwrap_or_default()
    }

    /// Each grade with its colour, best first: the legend.
    fn legend(&self) -> Vec<(&str, &'static str)> {
        self.s
            .grades
            .iter()
            .enumerate()
            .map(|(i, g)| {
                (
                    g.as_str(),
                    super::charts::grade_color(i, self.s.grades.len()),
                )
            })
            .collect()
    }
}

#[derive(Template)]
#[template(path = "recommendation.html")]
struct RecommendationPage<'a> {
    r: &'a Recommendation,
}

/// Rendering a template of our own values cannot fail: every value it shows is plain text.
fn rendered(t: &impl Template) -> String {
    let mut out = t.render().expect("document templates render plain values");
    out.push('\n');
    out
}

/// The Department Monthly Appraisal Statement, with its trend picture.
pub fn statement(s: &Statement, pass_mark: Option<f64>) -> String {
    let series = BTreeMap::from([(s.department_name.clone(), s.trend.clone())]);
    rendered(&StatementPage {
        s,
        trend: rendered_chart(&TrendChart::new(&series, pass_mark)),
    })
}

/// The annual rating sheet with its calibration pictures.
pub fn rating_sheet(s: &RatingSheet, pass_mark: Option<f64>) -> String {
    rendered(&RatingSheetPage {
        s,
        grades: rendered_chart(&GradeChart::new(&s.grades, &s.distribution())),
        trends: rendered_chart(&TrendChart::new(&s.trends, pass_mark)),
    })
}

/// The Employee Reward/Penalty Recommendation.
pub fn recommendation(r: &Recommendation) -> String {
    rendered(&RecommendationPage { r })
}

fn rendered_chart(t: &impl Template) -> String {
    t.render().expect("chart templates render plain values")
}
