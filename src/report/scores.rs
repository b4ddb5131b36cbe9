//! `score`, `rate` and `explain`: month scores, annual ratings, and every point of an
//! employee's month or year.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Columns, Layout, Records};
use crate::domain::month::Month;
use crate::domain::points::Points;
use crate::domain::text::count;
use crate::domain::text::flag_list;
use crate::engine::{Item, MonthScore, Rating};

fn yes_no(b: bool) -> String {
    if b { "yes".into() } else { "NO".into() }
}

/// `appraise score`: one month's scores.
#[derive(Debug, Serialize)]
pub struct ScoresView {
    pub month: Month,
    pub scores: Vec<MonthScore>,
}

impl Records for ScoresView {
    fn layout(&self) -> Layout {
        Columns::over(&self.scores)
            .left("employee", |s| s.employee.clone())
            .left("name", |s| s.name.clone())
            .left("department", |s| s.department.clone())
            .right("base", |s| s.base.to_string())
            .right("deducted", |s| s.deducted.to_string())
            .right("rewarded", |s| s.rewarded.to_string())
            .right("score", |s| s.score.to_string())
            .left("passed", |s| yes_no(s.passed))
            .right("items", |s| s.items.len().to_string())
            .text("policy", |s| {
                format!("{} {}", s.policy.id, s.policy.version)
            })
            .done()
    }
    fn heading(&self) -> Vec<String> {
        vec![format!("Monthly scores, {}", self.month)]
    }
    fn footing(&self) -> Vec<String> {
        let failed = self.scores.iter().filter(|s| !s.passed).count();
        vec![format!(
            "{}, {failed} failed",
            count(self.scores.len(), "employee", "employees")
        )]
    }
}

/// `appraise rate`: one year's ratings.
#[derive(Debug, Serialize)]
pub struct RatingsView {
    pub year: i32,
    /// The last month rated (`--through`, or today's month within the year).
    pub through: Month,
    pub ratings: Vec<Rating>,
}

impl Records for RatingsView {
    fn layout(&self) -> Layout {
        Columns::over(&self.ratings)
            .left("employee", |r| r.employee.clone())
            .left("name", |r| r.name.clone())
            .left("department", |r| r.department.clone())
            .right("months", |r| r.months.to_string())
            .right("average", |r| r.average.to_string())
            .right("min", |r| r.min.to_string())
            .right("failed", |r| r.failed_months.to_string())
            .left("grade", |r| {
                if r.computed_grade.is_empty() || r.computed_grade == r.grade {
                    format!("{} {}", r.label, r.grade)
                } else {
                    format!("{} {} (computed {})", r.label, r.grade, r.computed_grade)
                }
            })
            .left("review", |r| match &r.not_rated {
                Some(n) => format!("{}（{}）", crate::engine::NOT_RATED_LABEL, n.reason()),
                None => r.review.clone(),
            })
            .text("outcomes", |r| r.outcomes.join("、"))
            .text("flags", |r| flag_list(&r.flags, &BTreeMap::new(), " ", ""))
            .done()
    }
    fn heading(&self) -> Vec<String> {
        vec![format!(
            "Annual ratings, {} (months through {})",
            self.year, self.through
        )]
    }
    fn footing(&self) -> Vec<String> {
        // Grades in ladder order, best first.
        let mut by: BTreeMap<(usize, &str), usize> = BTreeMap::new();
        let mut flagged: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &self.ratings {
            *by.entry((r.rank, r.label.as_str())).or_default() += 1;
            for f in r.flags.keys() {
                *flagged.entry(f).or_default() += 1;
            }
        }
        let mut lines = vec![format!(
            "{}: {}",
            count(self.ratings.len(), "employee", "employees"),
            by.iter()
                .map(|((_, l), n)| format!("{l} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        )];
        if !flagged.is_empty() {
            lines.push(format!(
                "flagged: {}",
                flagged
                    .iter()
                    .map(|(f, n)| format!("{f} {}", count(*n, "employee", "employees")))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        lines
    }
}

/// The columns of a ledger item, over rows that hold one (`item` finds it).
fn item_columns<T>(c: Columns<T>, item: fn(&T) -> &Item) -> Columns<T> {
    c.left("date", move |t| {
        item(t)
            .date
            .map_or_else(|| "(month)".into(), |d| d.to_string())
    })
    .right("event", move |t| {
        item(t).event.map(|e| e.to_string()).unwrap_or_default()
    })
    .left("kind", move |t| item(t).kind.to_string())
    .left("rule", move |t| item(t).rule.to_string())
    .text("name", move |t| item(t).name.to_string())
    .right("points", move |t| item(t).points.to_string())
    .right("qty", move |t| item(t).qty.to_string())
    .text("reason", move |t| item(t).reason.to_string())
    .text("note", move |t| item(t).note.clone())
    .text("flags", move |t| item(t).flags.join(" "))
}

/// `appraise explain EMPLOYEE --month M`.
#[derive(Debug, Serialize)]
pub struct MonthExplanation {
    #[serde(flatten)]
    pub score: MonthScore,
    /// base + Σ items, before the floor and ceiling.
    pub raw: Points,
    pub pass_mark: Points,
    pub floor: Option<Points>,
    pub ceiling: Option<Points>,
    /// The note each event of the month was entered with, by id: what the supervisor wrote,
    /// or the shift and the clock's rows a derived event comes from.
    pub event_notes: std::collections::BTreeMap<i64, String>,
}

impl Records for MonthExplanation {
    fn layout(&self) -> Layout {
        item_columns(Columns::over(&self.score.items), |i| i)
            .text("event note", |i| {
                i.event
                    .and_then(|e| self.event_notes.get(&e))
                    .cloned()
                    .unwrap_or_default()
            })
            .done()
    }
    fn heading(&self) -> Vec<String> {
        let s = &self.score;
        vec![
            format!("{} {} ({}), {}", s.employee, s.name, s.department, s.month),
            format!(
                "policy {} version {}; base {}",
                s.policy.id, s.policy.version, s.base
            ),
        ]
    }
    fn footing(&self) -> Vec<String> {
        let s = &self.score;
        let mut lines = vec![format!(
            "base {} + deducted {} + rewarded {} = {}",
            s.base, s.deducted, s.rewarded, self.raw
        )];
        if self.raw != s.score {
            let bound = match (self.floor, self.ceiling) {
                (Some(f), _) if self.raw < f => format!("the floor {f}"),
                (_, Some(c)) => format!("the ceiling {c}"),
                _ => "the bounds".into(),
            };
            lines.push(format!("kept within {bound}: {}", s.score));
        }
        for x in &s.excused {
            lines.push(format!(
                "excused: event {} ({} {}): {}",
                x.event, x.date, x.kind, x.reason
            ));
        }
        lines.push(format!(
            "score {} — {} (pass mark {})",
            s.score,
            if s.passed { "passed" } else { "FAILED" },
            self.pass_mark
        ));
        lines
    }
}

/// `appraise explain EMPLOYEE --year Y`.
#[derive(Debug, Serialize)]
pub struct YearExplanation {
    pub year: i32,
    pub rating: Rating,
    pub months: Vec<MonthScore>,
    /// Why the grade: the year rule that forced it, or the first grade whose `when` held.
    pub because: String,
}

impl Records for YearExplanation {
    fn layout(&self) -> Layout {
        let items = self
            .months
            .iter()
            .flat_map(|m| m.items.iter().map(move |i| (m.month, i)));
        item_columns(
            Columns::over(items).left("month", |(m, _)| m.to_string()),
            |(_, i)| i,
        )
        .done()
    }
    fn heading(&self) -> Vec<String> {
        let r = &self.rating;
        let mut lines = vec![format!(
            "{} {} ({}), {}",
            r.employee, r.name, r.department, self.year
        )];
        lines.push(
            self.months
                .iter()
                .map(|m| {
                    format!(
                        "{} {}{}",
                        m.month,
                        m.score,
                        if m.passed { "" } else { " FAILED" }
                    )
                })
                .collect::<Vec<_>>()
                .join(" | "),
        );
        lines
    }
    fn footing(&self) -> Vec<String> {
        let r = &self.rating;
        let mut lines = vec![
            format!(
                "{}: average {}, min {}, max {}, {} failed; deducted {}, rewarded {}",
                count(r.months, "month", "months"),
                r.average,
                r.min,
                r.max,
                r.failed_months,
                r.deducted,
                r.rewarded
            ),
            format!("等级 {}：{}", r.label, self.because),
            format!("outcomes: {}", r.outcomes.join("、")),
        ];
        if !r.flags.is_empty() {
            lines.push(format!(
                "flags: {}",
                flag_list(&r.flags, &BTreeMap::new(), " ", "")
            ));
        }
        lines
    }
}
