//! Evaluation over stored data: picks the employees, their events and the governing policy
//! version of each month, and hands them to the pure [`engine`](crate::engine). Closed months
//! are read from their snapshots, so they never change once closed.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rayon::prelude::*;

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
    #[error("the snapshot of {month} cannot be read: {message}")]
    Snapshot { month: Month, message: String },
}

/// Which employees to evaluate.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub department: Option<String>,
    pub employee: Option<String>,
}

impl Selection {
    fn includes(&self, employee: &str, department: &str) -> bool {
        self.employee.as_deref().is_none_or(|id| id == employee)
            && self.department.as_deref().is_none_or(|d| d == department)
    }

    fn staff(&self, store: &Store) -> Result<Vec<Employee>, Error> {
        if let Some(id) = &self.employee
            && store.employee(id)?.is_none()
        {
            return Err(Error::NoEmployee(id.clone()));
        }
        Ok(store
            .staff()?
            .into_iter()
            .filter(|e| self.includes(&e.id, &e.department))
            .collect())
    }
}

/// The events of `month` in `events`, which come in date order from the store: a slice, so
/// that each month's scoring looks at its own events only.
fn month_slice(events: &[Event], month: Month) -> &[Event] {
    let from = events.partition_point(|e| e.date < month.first_day());
    let to = events.partition_point(|e| e.date <= month.last_day());
    &events[from..to]
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

/// Where scores come from: the stored data under a rulebook, with or without the snapshots
/// of closed months (a what-if re-evaluates everything).
pub struct Evaluation<'a> {
    pub store: &'a Store,
    pub rulebook: &'a Rulebook,
    /// Read closed months from their snapshots (the official numbers).
    pub snapshots: bool,
}

/// An employee's year: the rating and the month scores it was made from.
pub struct YearResult {
    pub rating: Rating,
    pub months: Vec<MonthScore>,
}

impl Evaluation<'_> {
    /// The official evaluation: activated versions, closed months from their snapshots.
    pub fn official<'a>(store: &'a Store, rulebook: &'a Rulebook) -> Evaluation<'a> {
        Evaluation {
            store,
            rulebook,
            snapshots: true,
        }
    }

    /// The snapshot of `month` when it is closed and snapshots are used.
    fn frozen(&self, month: Month) -> Result<Option<Vec<MonthScore>>, Error> {
        if !self.snapshots {
            return Ok(None);
        }
        let Some(text) = self.store.snapshot(month)? else {
            return Ok(None);
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| Error::Snapshot {
                month,
                message: e.to_string(),
            })
    }

    /// The month's scores of every selected employee employed in it, by employee id.
    pub fn month(&self, month: Month, sel: &Selection) -> Result<Vec<MonthScore>, Error> {
        let mut out = Vec::new();
        self.each(
            &[month],
            sel,
            &|_, _| {},
            |_, scores| Ok(scores.into_iter().next()),
            |s| {
                out.push(s);
                Ok(())
            },
        )?;
        Ok(out)
    }

    /// Ratings of every selected employee employed in any of `months` (in order of `year`).
    pub fn year(
        &self,
        year: i32,
        months: &[Month],
        sel: &Selection,
    ) -> Result<Vec<YearResult>, Error> {
        let mut out = Vec::new();
        self.year_each(year, months, sel, &|_, _| {}, |r| {
            out.push(r);
            Ok(())
        })?;
        Ok(out)
    }

    /// Rates every selected employee, calling `emit` in employee order as results come, so
    /// that a caller that keeps only what it needs runs in flat memory. `progress` hears
    /// (done, total) employees.
    pub fn year_each(
        &self,
        year: i32,
        months: &[Month],
        sel: &Selection,
        progress: &(dyn Fn(usize, usize) + Sync),
        emit: impl FnMut(YearResult) -> Result<(), Error> + Send,
    ) -> Result<(), Error> {
        let rulebook = self.rulebook;
        self.each(
            months,
            sel,
            progress,
            |e, scores| {
                let Some(last) = scores.last() else {
                    return Ok(None);
                };
                let policy = rulebook
                    .governing(&e.department, last.month)
                    .ok_or_else(|| {
                        Error::NoPolicy(Rulebook::none_governs(&e.department, last.month))
                    })?;
                let rating = engine::rate_year(policy, e, year, &scores)?;
                Ok(Some(YearResult {
                    rating,
                    months: scores,
                }))
            },
            emit,
        )
    }

    /// The engine of `month` and `year`: streams the events employee by employee, scores the
    /// months of a batch of employees on every core, lets `finish` turn an employee's months
    /// into a result, and hands the results to `emit` in employee order.
    fn each<T: Send>(
        &self,
        months: &[Month],
        sel: &Selection,
        progress: &(dyn Fn(usize, usize) + Sync),
        finish: impl Fn(&Employee, Vec<MonthScore>) -> Result<Option<T>, Error> + Sync,
        mut emit: impl FnMut(T) -> Result<(), Error> + Send,
    ) -> Result<(), Error> {
        /// Employees per parallel batch: enough to keep both cores busy, few enough to keep
        /// memory flat.
        const BATCH: usize = 128;
        let (Some(first), Some(last)) = (months.first().copied(), months.last().copied()) else {
            return Ok(());
        };
        let mut frozen: BTreeMap<Month, BTreeMap<String, MonthScore>> = BTreeMap::new();
        for m in months {
            if let Some(scores) = self.frozen(*m)? {
                frozen.insert(
                    *m,
                    scores
                        .into_iter()
                        .map(|s| (s.employee.clone(), s))
                        .collect(),
                );
            }
        }
        let staff = sel.staff(self.store)?;
        let total = staff.len();
        let rulebook = self.rulebook;
        let compute = |e: &Employee, events: &[Event]| -> Result<Option<T>, Error> {
            let mut scores = Vec::new();
            for m in months {
                match frozen.get(m) {
                    Some(snapshot) => scores.extend(snapshot.get(&e.id).cloned()),
                    None if e.employed_in(*m) => {
                        scores.push(score(rulebook, e, *m, month_slice(events, *m))?)
                    }
                    None => {}
                }
            }
            finish(e, scores)
        };
        // Reading the log (here) and scoring (a worker thread, itself spreading each batch over
        // the cores) overlap; at most two batches wait in between, so memory stays flat.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(Employee, Vec<Event>)>>(1);
        std::thread::scope(|threads| -> Result<(), Error> {
            let worker = threads.spawn(move || -> Result<(), Error> {
                let mut done = 0;
                for batch in rx {
                    let results: Vec<Result<Option<T>, Error>> =
                        batch.par_iter().map(|(e, evs)| compute(e, evs)).collect();
                    done += batch.len();
                    for r in results {
                        if let Some(t) = r? {
                            emit(t)?;
                        }
                    }
                    progress(done, total);
                }
                Ok(())
            });
            let mut batch: Vec<(Employee, Vec<Event>)> = Vec::with_capacity(BATCH);
            let mut pending = staff.into_iter().peekable();
            // A closed channel means the worker stopped on an error, which `join` reports.
            let send =
                |batch: &mut Vec<(Employee, Vec<Event>)>| tx.send(std::mem::take(batch)).is_ok();
            // Both sides come in employee id order; employees without events fall in between.
            let read = self.store.stream_counting_events(
                first,
                last,
                sel.employee.as_deref(),
                |events| -> Result<(), Error> {
                    let owner = events[0].employee.clone();
                    while let Some(e) = pending.next_if(|e| e.id < owner) {
                        batch.push((e, Vec::new()));
                    }
                    if let Some(e) = pending.next_if(|e| e.id == owner) {
                        batch.push((e, events));
                    }
                    if batch.len() >= BATCH && !send(&mut batch) {
                        // The worker stopped on an error (reported by `join`): stop reading.
                        return Err(Error::Period("scoring stopped".into()));
                    }
                    Ok(())
                },
            );
            if read.is_ok() {
                for e in pending {
                    batch.push((e, Vec::new()));
                    if batch.len() >= BATCH && !send(&mut batch) {
                        break;
                    }
                }
                if !batch.is_empty() {
                    send(&mut batch);
                }
            }
            drop(tx);
            let worked = worker
                .join()
                .unwrap_or_else(|_| Err(Error::Period("a scoring thread panicked".into())));
            worked.and(read)
        })?;
        Ok(())
    }
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
