//! `review status`: where each annual review stands.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Columns, Layout, Records};
use crate::domain::labels::{Glossary, step};
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
    fn layout(&self, words: &Glossary) -> Layout {
        Columns::over(&self.reviews)
            .left("工号", |row| row.review.employee.clone())
            .left("姓名", |row| row.review.name.clone())
            .left("部门", |row| {
                words.department(&row.review.department).to_string()
            })
            .minor()
            .id("部门编号", |row| row.review.department.clone())
            .left("建议等级", |row| row.review.proposal.label.clone())
            .id("建议等级编号", |row| {
                row.review.proposal.grade.clone()
            })
            .text("已签署", |row| {
                row.review
                    .signatures
                    .iter()
                    .map(|s| {
                        format!(
                            "{}：{}（{}）",
                            step(&s.step),
                            row.grade_label(&s.grade),
                            s.signer
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("；")
            })
            .text("待签署", |row| {
                row.waiting_on
                    .as_ref()
                    .map_or(String::new(), |w| match &w.signer {
                        Some(who) => format!("{}（{who}）", step(&w.step)),
                        None => step(&w.step).to_string(),
                    })
            })
            .id("待签署步骤", |row| {
                row.waiting_on
                    .as_ref()
                    .map_or(String::new(), |w| w.step.clone())
            })
            .text("定稿", |row| {
                row.final_grade.as_ref().map_or(String::new(), |f| {
                    format!("{}：{}", f.label, f.outcomes.join("、"))
                })
            })
            .id("定稿等级编号", |row| {
                row.final_grade
                    .as_ref()
                    .map_or(String::new(), |f| f.grade.clone())
            })
            .done()
    }
    fn heading(&self, _: &Glossary) -> Vec<String> {
        vec![format!("{} 年度审核", self.year)]
    }
    fn footing(&self, _: &Glossary) -> Vec<String> {
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
            "共 {} 份，已定稿 {done} 份；待签署：{}",
            self.reviews.len(),
            waiting
                .iter()
                .map(|(s, n)| format!("{} {n} 份", step(s)))
                .collect::<Vec<_>>()
                .join("，")
        )]
    }
}
