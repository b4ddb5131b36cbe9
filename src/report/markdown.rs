//! Markdown versions of the statement and the recommendation, for mail and wikis, rendered
//! from the same document values as the HTML by templates (`templates/*.md`).

use askama::Template;

use crate::evaluation::documents::{Recommendation, Statement};

#[derive(Template)]
#[template(path = "statement.md")]
struct StatementText<'a> {
    s: &'a Statement,
}

#[derive(Template)]
#[template(path = "recommendation.md")]
struct RecommendationText<'a> {
    r: &'a Recommendation,
}

mod filters {
    /// A text as one Markdown table cell: a `|` would end the cell and a line break the row.
    #[askama::filter_fn]
    pub fn cell(value: impl std::fmt::Display, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(value
            .to_string()
            .replace('|', "\\|")
            .replace(['\n', '\r'], " "))
    }
}

pub fn statement(s: &Statement) -> String {
    let mut out = StatementText { s }
        .render()
        .expect("document templates render plain values");
    out.push('\n');
    out
}

pub fn recommendation(r: &Recommendation) -> String {
    let mut out = RecommendationText { r }
        .render()
        .expect("document templates render plain values");
    out.push('\n');
    out
}
