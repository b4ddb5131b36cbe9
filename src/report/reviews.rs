//! `review status`: where each annual review stands.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Columns, Layout, Records};
use crate::domain::text::count;
use crate::engine::review::Review;

/// Whose signature a review waits for.
#[derive(Debug, Serialize)]
pub struct Waiting {
    pub step: String,
    /// The employee id expected to sign (supervisor or head); `None` for the company step.
    pub signer: Option<String>,
}

/// The outcome of a complete review.
#[derive(Debug, Serialize)]
pub struct FinalGrade {
    pub grade: String,
    pub label: String,
    pub outcomes: Vec<String>,
}

/// A review with where it stands.
#[derive(Debug, Serialize)]
pub struct ReviewRow {
    #[serde(flatten)]
    pub review: Review,
    pub waiting_on: Option<Waiting>,
    #[serde(rename = "final")]
    pub final_grade: Option<FinalGrade>,
    /// The grades of the proposing policy as (id, label), best first: what its signers
    /// choose from, and what a page shows for a signature. Shared by the reviews of one
    /// policy version.
    #[serde(skip)]
    pub grades: std::sync::Arc<Vec<(String, String)>>,
}

impl ReviewRow {
    /// The label people read for grade `id` (the id itself if the policy has none).
    pub fn grade_label<'a>(&'a self, id: &'a str) -> &'a str {
        self.grades
            .iter()
            .find(|(g, _)| g == id)
            .map_or(id, |(_, label)| label.as_str())
    }
}

/// `appraise review status`.
#[derive(Debug, Serialize)]
pub struct ReviewsView {
    pub year: i32,
    pub reviews: Vec<ReviewRow>,
}

impl Records for ReviewsView {
    fn layout(&self) -> Layout {
        Columns::over(&self.reviews)
            .left("employee", |row| row.review.employee.clone())
            .left("name", |row| row.review.name.clone())
            .left("department", |row| row.review.department.clone())
            .text("proposal", |row| {
                format!(
                    "{} {}",
                    row.review.proposal.label, row.review.proposal.grade
                )
            })
            .text("signed", |row| {
                row.review
                    .signatures
                    .iter()
                    .map(|s| format!("{}: {} by {}", s.step, s.grade, s.signer))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .text("waiting on", |row| {
                row.waiting_on
                    .as_ref()
                    .map_or(String::new(), |w| match &w.signer {
                        Some(who) => format!("{} ({who})", w.step),
                        None => w.step.clone(),
                    })
            })
            .text("final", |row| {
                row.final_grade.as_ref().map_or(String::new(), |f| {
                    format!("{} {}: {}", f.label, f.grade, f.outcomes.join("、"))
                })
            })
            .done()
    }
    fn heading(&self) -> Vec<String> {
        vec![format!("Annual reviews, {}", self.year)]
    }
    fn footing(&self) -> Vec<String> {
        let done = self
            .reviews
            .iter()
            .filter(|r| r.final_grade.is_some())
            .count();
        let mut waiting: BTreeMap<String, usize> = BTreeMap::new();
        for r in &self.reviews {
            if let Some(w) = &r.waiting_on {
                *waiting.entry(w.step.clone()).or_default() += 1;
            }
        }
        vec![format!(
            "{}: {done} complete; waiting: {}",
            count(self.reviews.len(), "review", "reviews"),
            waiting
                .iter()
                .map(|(s, n)| format!("{s} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        )]
    }
}
