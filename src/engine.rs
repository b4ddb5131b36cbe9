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
mod figures;
mod memo;
mod month;
pub mod review;
mod values;
mod year;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use department::{DepartmentRating, DepartmentYear, rate_department};
pub use figures::MonthFigures;
pub use month::{apply_cap, score_month};
/// The rhai values a script sees as `event` and `staff`, and the reading of its result:
/// what a benchmark that times the scripts alone builds and reads as the engine does.
pub use values::{Outcome, event as event_value, outcome, staff as staff_value};
pub use year::rate_year;

use crate::domain::month::Month;
use crate::domain::points::Points;
use crate::domain::text::Text;
use crate::policy::{Failure, Labels, PolicyRef};

/// One line of the ledger: points one rule gave, and why.
///
/// Kept small, since a company's year books millions of them: the rule's texts are one
/// reference to its interned [`Labels`], the rare parts (a note, a script's flags, a reason
/// of its own) are boxed, and the texts people read are made when they are read. Its JSON
/// is the whole line, as before (see [`ItemJson`]).
#[derive(Debug, Clone)]
pub struct Item {
    labels: &'static Labels,
    /// The event's kind, interned; empty for a month rule.
    kind: &'static str,
    /// The event it scored; `None` for a month rule.
    pub event: Option<i64>,
    pub date: Option<NaiveDate>,
    pub points: Points,
    /// How many occurrences the item stands for: the units of an event's quantity that
    /// scored alike (1 for a month rule). Flags count once per occurrence.
    pub qty: i64,
    /// Whether the rule's own flags go with it (they do when it scored points).
    rule_flags: bool,
    more: Option<Box<More>>,
}

/// What few items have.
#[derive(Debug, Clone, Default, PartialEq)]
struct More {
    note: String,
    /// The script's flags, after the rule's.
    flags: Vec<String>,
    /// A reason of its own (a cap cut the points, or the item was read back), instead of
    /// the rule's.
    reason: Option<String>,
}

impl Item {
    /// What `labels`' rule scored over `qty` occurrences of an event (with its interned
    /// kind), or of the month when `at` is `None`; with the rule's flags when `rule_flags`.
    pub(crate) fn new(
        labels: &'static Labels,
        at: Option<(&crate::domain::event::Event, &'static str)>,
        points: Points,
        qty: i64,
        rule_flags: bool,
    ) -> Item {
        Item {
            labels,
            kind: at.map_or("", |(_, kind)| kind),
            event: at.map(|(e, _)| e.id),
            date: at.map(|(e, _)| e.date),
            points,
            qty,
            rule_flags,
            more: None,
        }
    }

    /// The item with a script's note and flags (called only when it has some: most items
    /// carry neither).
    pub(crate) fn with(mut self, note: String, flags: Vec<String>) -> Item {
        self.more = Some(Box::new(More {
            note,
            flags,
            reason: None,
        }));
        self
    }

    /// The item cut by its rule's monthly `cap`: its reason and note say so.
    pub(crate) fn capped(mut self, cap: Points) -> Item {
        let reason = format!(
            "{}，每月最多计 {}",
            self.reason(),
            crate::domain::labels::points(cap)
        );
        let more = self.more.get_or_insert_default();
        more.reason = Some(reason);
        more.note = if more.note.is_empty() {
            "已达本月上限".into()
        } else {
            format!("{}（已达本月上限）", more.note)
        };
        self
    }

    /// Adds `other`'s quantity and points to this item (a month's items summed per rule),
    /// its reason kept as it read.
    pub fn absorb(&mut self, other: &Item) {
        // The reason of a quantity is made from it: kept as it read before the sum.
        if self.more.as_ref().is_none_or(|m| m.reason.is_none()) {
            let reason = self.reason().into_owned();
            self.more.get_or_insert_default().reason = Some(reason);
        }
        self.qty += other.qty;
        self.points += other.points;
    }

    /// The rule's id.
    pub fn rule(&self) -> &'static str {
        self.labels.id
    }

    /// The rule's label, for people.
    pub fn name(&self) -> &'static str {
        self.labels.name
    }

    pub fn category(&self) -> &'static str {
        self.labels.category
    }

    /// The event's kind; empty for a month rule.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// How the points came about: fixed points or a script, × the units, a cap.
    pub fn reason(&self) -> Cow<'_, str> {
        match self.more.as_ref().and_then(|m| m.reason.as_deref()) {
            Some(r) => Cow::Borrowed(r),
            None if self.qty > 1 => Cow::Owned(format!("{} × {} 次", self.labels.reason, self.qty)),
            None => Cow::Borrowed(self.labels.reason),
        }
    }

    pub fn note(&self) -> &str {
        self.more.as_ref().map_or("", |m| &m.note)
    }

    /// The flags it raises, the rule's first.
    pub fn flags(&self) -> impl Iterator<Item = &str> {
        let rule: &[&'static str] = if self.rule_flags {
            self.labels.flags
        } else {
            &[]
        };
        let script = self.more.as_ref().map_or(&[][..], |m| &m.flags[..]);
        rule.iter()
            .copied()
            .chain(script.iter().map(String::as_str))
    }
}

/// Two items are equal when they read the same, however they are kept (a closed month's
/// item, read back, keeps its texts whole where the rating's refers to its rule's).
impl PartialEq for Item {
    fn eq(&self, other: &Item) -> bool {
        fn texts(i: &Item) -> [&str; 5] {
            [i.rule(), i.name(), i.category(), i.kind, i.note()]
        }
        (self.event, self.date, self.points, self.qty)
            == (other.event, other.date, other.points, other.qty)
            && texts(self) == texts(other)
            && self.reason() == other.reason()
            && self.flags().eq(other.flags())
    }
}

/// An item as its JSON reads: every text spelt out.
///
/// Its texts are borrowed from the JSON read back where they can be (they are interned
/// then, not kept): `serde(borrow)`, since serde takes a `Cow` owned without it.
#[derive(Serialize, Deserialize)]
struct ItemJson<'a> {
    #[serde(borrow)]
    rule: Cow<'a, str>,
    event: Option<i64>,
    #[serde(
        serialize_with = "crate::domain::month::serde_opt_date",
        deserialize_with = "crate::domain::month::de_opt_date"
    )]
    date: Option<NaiveDate>,
    points: Points,
    #[serde(borrow)]
    note: Cow<'a, str>,
    flags: Vec<Cow<'a, str>>,
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    category: Cow<'a, str>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    reason: Cow<'a, str>,
    qty: i64,
}

impl Serialize for Item {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ItemJson {
            rule: self.rule().into(),
            event: self.event,
            date: self.date,
            points: self.points,
            note: self.note().into(),
            flags: self.flags().map(Cow::Borrowed).collect(),
            name: self.name().into(),
            category: self.category().into(),
            kind: self.kind.into(),
            reason: self.reason(),
            qty: self.qty,
        }
        .serialize(s)
    }
}

/// Read back (a closed month's snapshot): the rule's texts interned as a policy's are, so
/// that the labels of the few rules stay once in memory however many items name them.
impl<'de> Deserialize<'de> for Item {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Item, D::Error> {
        let j = ItemJson::deserialize(d)?;
        let labels = Labels::interned(&j.rule, &j.name, &j.category, &j.reason, &[]);
        let more = More {
            note: j.note.into_owned(),
            flags: j.flags.into_iter().map(Cow::into_owned).collect(),
            // The rule's reason above is the item's whole: not to be multiplied again.
            reason: (j.qty > 1).then(|| j.reason.into_owned()),
        };
        Ok(Item {
            labels,
            kind: crate::domain::text::intern(&j.kind),
            event: j.event,
            date: j.date,
            points: j.points,
            qty: j.qty,
            rule_flags: false,
            more: (more != More::default()).then(|| Box::new(more)),
        })
    }
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
