//! The engine: events → monthly scores → annual ratings, as plain values.
//!
//! Pure by design: it takes a compiled policy, an employee and their events, and never reads
//! the clock, the database or the environment; "today" and the months to rate come in as
//! arguments. The same inputs always give the same result.
//!
//! Beside the scoring: [`attendance`] derives events from the roster and the time clock,
//! [`review`] decides the sign-off chain of a year's ratings, and [`cases`] runs a policy's
//! `[[test]]` cases. None of them touches storage.

pub mod attendance;
pub mod cases;
mod department;
mod memo;
mod month;
pub mod review;
mod values;
mod year;

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use department::{DepartmentRating, DepartmentYear, rate_department};
pub use month::{apply_cap, score_month};
/// The rhai values a script sees as `event` and `staff`, and the reading of its result:
/// what a benchmark that times the scripts alone builds and reads as the engine does.
pub use values::{Outcome, event as event_value, outcome, staff as staff_value};
pub use year::rate_year;

use crate::domain::month::Month;
use crate::domain::points::Points;
use crate::domain::text::Text;
use crate::policy::{Failure, PolicyRef};

/// One line of the ledger: points one rule gave, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub rule: Text,
    /// The event it scored; `None` for a month rule.
    pub event: Option<i64>,
    #[serde(
        serialize_with = "crate::domain::month::serde_opt_date",
        deserialize_with = "crate::domain::month::de_opt_date"
    )]
    pub date: Option<NaiveDate>,
    pub points: Points,
    pub note: String,
    pub flags: Vec<String>,
    /// The rule's label, for people.
    pub name: Text,
    pub category: Text,
    /// The event's kind; empty for a month rule.
    pub kind: Text,
    /// How the points came about: fixed points or a script, × the units, a cap.
    pub reason: Text,
    /// How many occurrences the item stands for: the units of an event's quantity that
    /// scored alike (1 for a month rule). Flags count once per occurrence.
    pub qty: i64,
}

/// An event excused on appeal: shown, never scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Excused {
    pub event: i64,
    #[serde(
        serialize_with = "crate::domain::month::serde_date",
        deserialize_with = "crate::domain::month::de_date"
    )]
    pub date: NaiveDate,
    pub kind: String,
    pub reason: String,
}

/// An employee's month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthScore {
    pub employee: String,
    pub name: String,
    pub department: String,
    pub month: Month,
    pub policy: PolicyRef,
    pub base: Points,
    pub deducted: Points,
    pub rewarded: Points,
    pub score: Points,
    pub passed: bool,
    pub items: Vec<Item>,
    /// Events excused on appeal: they score nothing and do not count.
    pub excused: Vec<Excused>,
    /// Event kind → number of events that count that month.
    /// Events per kind (the policy's kinds by their interned names).
    pub counts: BTreeMap<Text, i64>,
}

/// One month in a rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthResult {
    pub month: Month,
    /// The department the employee belonged to that month (a year can span two).
    #[serde(default)]
    pub department: String,
    pub score: Points,
    pub passed: bool,
}

/// The grade id of a year that is not rated, and its label.
pub const NOT_RATED: &str = "not_rated";
pub const NOT_RATED_LABEL: &str = "未参评";

/// Why a year is not rated: fewer months employed in it than the policy rates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotRated {
    pub employed_months: u32,
    pub min_months: u32,
}

impl NotRated {
    /// Why, for people: `全年在职3个月，不足6个月`.
    pub fn reason(&self) -> String {
        format!(
            "全年在职{}个月，不足{}个月",
            self.employed_months, self.min_months
        )
    }
}

/// An employee's year: the months, the figures, the grade and its consequences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    pub employee: String,
    pub name: String,
    pub department: String,
    /// Number of evaluated months.
    pub months: usize,
    pub average: Points,
    pub min: Points,
    pub max: Points,
    pub failed_months: i64,
    pub deducted: Points,
    pub rewarded: Points,
    /// The grade of record: the computed grade, or the final grade of a complete review.
    pub grade: String,
    pub label: String,
    /// The grade's place in the policy's ladder, 0 = best.
    #[serde(skip)]
    pub rank: usize,
    pub outcomes: Vec<String>,
    /// The grade the policy computed, whatever the review made of it.
    #[serde(default)]
    pub computed_grade: String,
    /// Where the year's review stands: `not_started`, `waiting:STEP` or `final`.
    #[serde(default)]
    pub review: String,
    /// Flag → how often the year's items and year rules raised it.
    pub flags: BTreeMap<String, i64>,
    /// The year rules that held, in policy order.
    pub year_rules: Vec<String>,
    /// The year rule whose forced grade was given, if any.
    pub forced_by: Option<String>,
    /// The year rule whose cap (`grade_at_most`) lowered the grade, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capped_by: Option<String>,
    /// Why the employee has no grade for the year, when they were employed too few months
    /// of it (`[rating]` `min_months`): then `grade` is [`NOT_RATED`] and no outcome
    /// follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_rated: Option<NotRated>,
    /// The policy whose grades were applied (the one governing the last month).
    pub policy: PolicyRef,
    pub monthly: Vec<MonthResult>,
}

/// The result of an evaluation step; the error is boxed because it is large and rare.
pub type EvalResult<T> = Result<T, Box<EvalError>>;

/// A script that failed: which rule, for whom, on which event, and where in the policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct EvalError {
    pub rule: String,
    pub employee: String,
    pub month: Option<Month>,
    pub event: Option<i64>,
    pub file: String,
    pub failure: Failure,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: rule `{}` failed for employee `{}`",
            self.file, self.failure.line, self.failure.column, self.rule, self.employee
        )?;
        if let Some(e) = self.event {
            write!(f, " on event {e}")?;
        }
        if let Some(m) = self.month {
            write!(f, " ({m})")?;
        }
        write!(f, ": {}", self.failure.message)
    }
}
