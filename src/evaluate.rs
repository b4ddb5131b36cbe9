//! Evaluation over stored data: picks the employees, their events and the governing policy
//! version of each month, and hands them to the pure [`engine`](crate::engine).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::engine::{self, EvalError, MonthScore, Rating};
use crate::event::Event;
use crate::month::Month;
use crate::rulebook::{self, Rulebook};
use crate::staff::Employee;
use crate::store::{self, Store};

/// Why an evaluation could not be done.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error(transparent)]
    Rulebook(#[from] rulebook::Error),
    #[error(transparent)]
    Eval(#[from] Box<EvalError>),
    #[error("{0}")]
    NoPolicy(String),
    #[error("no employee `{0}`; `appraise staff list` shows who is on file")]
    NoEmployee(String),
    #[error("{0}")]
    Period(String),
}

/// Which employees to evaluate.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub department: Option<String>,
    pub employee: Option<String>,
}

impl Selection {
    fn staff(&self, store: &Store) -> Result<Vec<Employee>, Error> {
        if let Some(id) = &self.employee
            && store.employee(id)?.is_none()
        {
            return Err(Error::NoEmployee(id.clone()));
        }
        Ok(store
            .staff()?
            .into_iter()
            .filter(|e| self.employee.as_ref().is_none_or(|id| &e.id == id))
            .filter(|e| self.department.as_ref().is_none_or(|d| &e.department == d))
            .collect())
    }
}

fn score(
    rulebook: &Rulebook,
    e: &Employee,
    month: Month,
    events: &[Event],
) -> Result<MonthScore, Error> {
    let policy = rulebook
        .governing(&e.department, month)
        .ok_or_else(|| Error::NoPolicy(Rulebook::none_governs(&e.department, month)))?;
    Ok(engine::score_month(policy, e, month, events)?)
}

/// The month's scores of every selected employee employed in it, by employee id.
pub fn month_scores(
    store: &Store,
    rulebook: &Rulebook,
    month: Month,
    sel: &Selection,
) -> Result<Vec<MonthScore>, Error> {
    let events = store.live_events_between(month, month)?;
    sel.staff(store)?
        .iter()
        .filter(|e| e.employed_in(month))
        .map(|e| {
            score(
                rulebook,
                e,
                month,
                events.get(&e.id).map_or(&[][..], Vec::as_slice),
            )
        })
        .collect()
}

/// The months of `year` a rating takes: up to `through` when given, never after `today`.
pub fn rated_months(
    year: i32,
    through: Option<Month>,
    today: NaiveDate,
) -> Result<Vec<Month>, Error> {
    if let Some(t) = through
        && t.year() != year
    {
        return Err(Error::Period(format!(
            "`--through {t}` is not a month of {year}"
        )));
    }
    let now = Month::of(today);
    let months: Vec<Month> = Month::of_year(year)
        .filter(|m| through.is_none_or(|t| *m <= t) && *m <= now)
        .collect();
    if months.is_empty() {
        return Err(Error::Period(format!(
            "{year} has no month up to today ({today}) to rate"
        )));
    }
    Ok(months)
}

/// An employee's year: the rating and the month scores it was made from.
pub struct YearResult {
    pub rating: Rating,
    pub months: Vec<MonthScore>,
}

/// Ratings of every selected employee employed in any of `months`, by employee id.
pub fn year_ratings(
    store: &Store,
    rulebook: &Rulebook,
    year: i32,
    months: &[Month],
    sel: &Selection,
) -> Result<Vec<YearResult>, Error> {
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return Ok(Vec::new());
    };
    let events: BTreeMap<String, Vec<Event>> = store.live_events_between(*first, *last)?;
    let mut out = Vec::new();
    for e in sel.staff(store)? {
        let evs = events.get(&e.id).map_or(&[][..], Vec::as_slice);
        let scores = months
            .iter()
            .filter(|m| e.employed_in(**m))
            .map(|m| score(rulebook, &e, *m, evs))
            .collect::<Result<Vec<_>, _>>()?;
        let Some(last) = scores.last() else { continue };
        let policy = rulebook
            .governing(&e.department, last.month)
            .ok_or_else(|| Error::NoPolicy(Rulebook::none_governs(&e.department, last.month)))?;
        let rating = engine::rate_year(policy, &e, year, &scores)?;
        out.push(YearResult {
            rating,
            months: scores,
        });
    }
    Ok(out)
}
