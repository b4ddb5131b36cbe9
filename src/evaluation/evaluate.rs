//! Evaluation over stored data: picks the employees, their events and the governing policy
//! version of each month, and hands them to the pure [`engine`](crate::engine). Closed months
//! are read from their snapshots, so they never change once closed.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::domain::event::Event;
use crate::domain::month::Month;
use crate::domain::staff::{Employee, StaffRecord};
use crate::engine::{self, EvalError, MonthFigures, MonthScore, Rating};
use crate::evaluation::frozen::{self, Kept};
use crate::evaluation::rulebook::{self, Rulebook};
use crate::policy::Policy;
use crate::store::{self, Reader, Store};

/// Why an evaluation could not be done.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error(transparent)]
    Rulebook(#[from] rulebook::Error),
    #[error(transparent)]
    Eval(#[from] Box<EvalError>),
    #[error("{}", Rulebook::none_governs(.department, *.month))]
    NoPolicy { department: String, month: Month },
    #[error("no employee `{0}` is on file")]
    NoEmployee(String),
    /// The month to rate through is not of the year rated.
    #[error("through {through} is not a month of {year}")]
    ThroughOutsideYear { through: Month, year: i32 },
    /// No month of the year has begun yet.
    #[error("{year} has no month up to today ({today}) to rate")]
    NothingToRate { year: i32, today: NaiveDate },
}

/// One employee's months as [`Evaluation::months`] keeps them.
#[derive(Debug, Clone)]
pub struct EmployeeMonths {
    pub employee: String,
    /// The itemised month's score, its items one per rule, when employed then.
    pub itemised: Option<MonthScore>,
    /// The result of each month employed, in month order.
    pub results: Vec<engine::MonthResult>,
}

/// Which employees to evaluate.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub department: Option<String>,
    pub employee: Option<String>,
    /// Only these employees (a page of a long list), when set: they are read by key, not
    /// picked out of everyone.
    pub among: Option<BTreeSet<String>>,
}

impl Selection {
    /// Whether `record` is selected for `months`: the employee asked for, or anyone who
    /// belonged to the department asked for in one of the months they were employed in.
    fn includes(&self, record: &StaffRecord, months: &[Month]) -> bool {
        self.employee.as_deref().is_none_or(|id| id == record.id)
            && self
                .among
                .as_ref()
                .is_none_or(|ids| ids.contains(&record.id))
            && self.department.as_deref().is_none_or(|d| {
                months
                    .iter()
                    .any(|m| record.employed_in(*m) && record.at(*m).department == d)
            })
    }

    fn staff(&self, store: &Store, months: &[Month]) -> Result<Vec<StaffRecord>, Error> {
        let staff = match &self.employee {
            // One person: read just them (what an incremental `score` needs), not everyone.
            Some(id) => vec![
                store
                    .staff_record(id)?
                    .ok_or_else(|| Error::NoEmployee(id.clone()))?,
            ],
            None => match &self.among {
                Some(ids) => {
                    let mut staff = Vec::with_capacity(ids.len());
                    for id in ids {
                        staff.extend(store.staff_record(id)?);
                    }
                    staff
                }
                None => store.staff_records()?,
            },
        };
        Ok(staff
            .into_iter()
            .filter(|e| self.includes(e, months))
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

/// The policy of `rulebook` that governs `e`'s department in `month`.
fn governing<'r>(
    rulebook: &'r Rulebook,
    e: &Employee,
    month: Month,
) -> Result<&'r Arc<Policy>, Error> {
    rulebook
        .governing(&e.department, month)
        .ok_or_else(|| Error::NoPolicy {
            department: e.department.clone(),
            month,
        })
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

    /// The month's scores of every selected employee employed in it, by employee id.
    pub fn month(&self, month: Month, sel: &Selection) -> Result<Vec<MonthScore>, Error> {
        let mut out = Vec::new();
        self.month_each(month, sel, |s| {
            out.push(s);
            Ok(())
        })?;
        Ok(out)
    }

    /// The scores of `month`, handed to `emit` in employee order as they come, so that a
    /// caller that keeps only what it needs (a month close: the snapshot's text) runs in
    /// the memory of one window of employees, not the month's items.
    pub fn month_each(
        &self,
        month: Month,
        sel: &Selection,
        emit: impl FnMut(MonthScore) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.each(
            [self.rulebook],
            &[month],
            sel,
            &|_, _| {},
            |_, [scores]| Ok(scores.into_iter().next()),
            emit,
        )
    }

    /// Each selected employee's results of `months`, from one read of their events, and
    /// the month `itemised` whole: what a department's statement reads. It explains its
    /// own month by rule and by category and shows the other months' scores only, so the
    /// items of `itemised` are kept one per rule (the rule's first item, with the
    /// quantities and points of all of them added up), and the other months keep their
    /// results only: memory holds a few items per employee however many months and events
    /// (a department of 100,000 took 2.5 GiB whole, and about 1 GiB with each month's
    /// scores kept without their items).
    pub fn months(
        &self,
        months: &[Month],
        sel: &Selection,
        itemised: Month,
    ) -> Result<Vec<EmployeeMonths>, Error> {
        let mut out = Vec::new();
        self.each(
            [self.rulebook],
            months,
            sel,
            &|_, _| {},
            |e, [scores]: [Vec<MonthScore>; 1]| {
                let mut kept = EmployeeMonths {
                    employee: e.id.clone(),
                    itemised: None,
                    results: Vec::with_capacity(scores.len()),
                };
                for mut s in scores {
                    kept.results.push(engine::MonthResult {
                        month: s.month,
                        department: s.department.clone(),
                        score: s.score,
                        passed: s.passed,
                    });
                    if s.month == itemised {
                        s.items = per_rule(std::mem::take(&mut s.items));
                        kept.itemised = Some(s);
                    }
                }
                Ok(Some(kept))
            },
            |kept| {
                out.push(kept);
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

    /// The selected employees' ratings without their months' items (each rating keeps its
    /// months' scores): what a rating sheet or a review start needs, in memory that grows
    /// with the staff, not with the events (the whole year's items of 10,000 staff took
    /// over 1 GiB).
    pub fn ratings(
        &self,
        year: i32,
        months: &[Month],
        sel: &Selection,
    ) -> Result<Vec<Rating>, Error> {
        let mut out = Vec::new();
        self.ratings_each(year, months, sel, &|_, _| {}, |r| {
            out.push(r);
            Ok(())
        })?;
        Ok(out)
    }

    /// The selected employees' ratings, handed to `emit` in employee order as they come.
    /// Each month is kept as its figures only, and a closed month's snapshot is read for
    /// its figures: its items, most of its text, are passed over unparsed.
    pub fn ratings_each(
        &self,
        year: i32,
        months: &[Month],
        sel: &Selection,
        progress: &(dyn Fn(usize, usize) + Sync),
        emit: impl FnMut(Rating) -> Result<(), Error> + Send,
    ) -> Result<(), Error> {
        let rate = |rulebook: &Rulebook, record: &StaffRecord, figures: Vec<MonthFigures>| {
            Self::rate(rulebook, year, record, &figures)
        };
        self.each_rated(months, sel, progress, rate, emit)
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
        let year_of = |rulebook: &Rulebook, record: &StaffRecord, scores: Vec<MonthScore>| {
            Self::year_of(rulebook, year, record, scores)
        };
        self.each_rated(months, sel, progress, year_of, emit)
    }

    /// [`each`](Evaluation::each) under this evaluation's rulebook alone, each employee's
    /// months (kept as `M`) made a result by `rated`.
    fn each_rated<M: Kept, T: Send>(
        &self,
        months: &[Month],
        sel: &Selection,
        progress: &(dyn Fn(usize, usize) + Sync),
        rated: impl Fn(&Rulebook, &StaffRecord, Vec<M>) -> Result<Option<T>, Error> + Sync,
        emit: impl FnMut(T) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let rulebook = self.rulebook;
        let finish = |record: &StaffRecord, [kept]: [Vec<M>; 1]| rated(rulebook, record, kept);
        self.each([rulebook], months, sel, progress, finish, emit)
    }

    /// Rates every selected employee under this evaluation's rulebook and under `other`,
    /// handing `emit` both years of each employee in employee order. Each employee's events
    /// are read once, and a month that both rulebooks give to the same policy is scored
    /// once: a what-if costs about one rating plus what the candidate governs.
    pub fn year_pairs(
        &self,
        other: &Rulebook,
        year: i32,
        months: &[Month],
        sel: &Selection,
        mut emit: impl FnMut(YearResult, YearResult) -> Result<(), Error> + Send,
    ) -> Result<(), Error> {
        let rulebook = self.rulebook;
        self.each(
            [rulebook, other],
            months,
            sel,
            &|_, _| {},
            |record, [before, after]| {
                let before = Self::year_of(rulebook, year, record, before)?;
                Ok(before.zip(Self::year_of(other, year, record, after)?))
            },
            |(before, after)| emit(before, after),
        )
    }

    /// The year of `record` from its month `scores` under `rulebook`; `None` without any.
    fn year_of(
        rulebook: &Rulebook,
        year: i32,
        record: &StaffRecord,
        scores: Vec<MonthScore>,
    ) -> Result<Option<YearResult>, Error> {
        let figures: Vec<MonthFigures> = scores.iter().map(MonthFigures::of).collect();
        let rating = Self::rate(rulebook, year, record, &figures)?;
        Ok(rating.map(|rating| YearResult {
            rating,
            months: scores,
        }))
    }

    /// The rating of `record`'s year from its months' `figures` under `rulebook`; `None`
    /// without any.
    fn rate(
        rulebook: &Rulebook,
        year: i32,
        record: &StaffRecord,
        figures: &[MonthFigures],
    ) -> Result<Option<Rating>, Error> {
        let Some(last) = figures.last().map(|f| f.result.month) else {
            return Ok(None);
        };
        // The grade comes from the policy governing the department the employee belonged
        // to in the last rated month.
        let e = record.at(last);
        Ok(Some(engine::rate_year(
            governing(rulebook, e, last)?,
            e,
            year,
            figures,
        )?))
    }

    /// The engine of `month` and `year`: scores the months of the selected employees on
    /// every core, each thread reading its employees' events through its own reader, lets
    /// `finish` turn an employee's months into a result, and hands the results to `emit` in
    /// employee order. Employees go a window at a time, so memory holds one window's
    /// results, not the year's events.
    ///
    /// The months are scored under each of `rulebooks`, one list of months per rulebook,
    /// from one read of the events; each month kept as `M` (its score, or its figures).
    fn each<M: Kept, T: Send, const N: usize>(
        &self,
        rulebooks: [&Rulebook; N],
        months: &[Month],
        sel: &Selection,
        progress: &(dyn Fn(usize, usize) + Sync),
        finish: impl Fn(&StaffRecord, [Vec<M>; N]) -> Result<Option<T>, Error> + Sync,
        mut emit: impl FnMut(T) -> Result<(), Error>,
    ) -> Result<(), Error> {
        /// Employees per window: enough to keep every core busy to the window's end.
        const WINDOW: usize = 256;
        let (Some(first), Some(last)) = (months.first().copied(), months.last().copied()) else {
            return Ok(());
        };
        // Closed months are read from their snapshots, a window's employees at a time.
        let mut closed = Vec::new();
        if self.snapshots {
            for m in months {
                if let Some(stream) = self.store.snapshot_stream(*m)? {
                    closed.push((*m, stream));
                }
            }
        }
        let staff = sel.staff(self.store, months)?;
        let total = staff.len();
        // The events of the months scored here, not of those read from their snapshots: at
        // year end most months are closed, and their events would be read for nothing.
        let closed_months: BTreeSet<Month> = closed.iter().map(|(m, _)| *m).collect();
        let scored: Vec<Month> = months
            .iter()
            .copied()
            .filter(|m| !closed_months.contains(m))
            .collect();
        let (from, to) = match (scored.first(), scored.last()) {
            (Some(from), Some(to)) => (*from, *to),
            _ => (first, last),
        };
        let readers: Vec<Mutex<Reader>> = self
            .store
            .readers(rayon::current_num_threads().min(total), from, to)?
            .into_iter()
            .map(Mutex::new)
            .collect();
        // An employee's frozen scores are theirs to keep: moved, not copied, into the year.
        let compute = |e: &StaffRecord,
                       mut frozen: BTreeMap<Month, M>|
         -> Result<Option<T>, Error> {
            // Months scored here rather than read from a snapshot.
            let open = |m: &Month| !closed_months.contains(m) && e.employed_in(*m);
            let events = if !months.iter().any(open) {
                Vec::new()
            } else {
                // Each pool thread has its own reader; the lock is never contended.
                let thread = rayon::current_thread_index().unwrap_or(0) % readers.len();
                let mut reader = readers[thread]
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                reader.events(&e.id)?
            };
            let mut scores: [Vec<M>; N] = std::array::from_fn(|_| Vec::new());
            for m in months {
                match frozen.remove(m) {
                    Some(score) => {
                        let (last, others) = scores.split_last_mut().expect("one side or more");
                        for side in others {
                            side.push(score.clone());
                        }
                        last.push(score);
                    }
                    // Each month under the record in force then.
                    None if open(m) => {
                        let (at, events) = (e.at(*m), month_slice(&events, *m));
                        // Each policy that scored the month, and the side it scored it for.
                        let mut scored: Vec<(&Arc<Policy>, usize)> = Vec::new();
                        for (side, rulebook) in rulebooks.iter().enumerate() {
                            let policy = governing(rulebook, at, *m)?;
                            let score = match scored.iter().find(|(p, _)| Arc::ptr_eq(p, policy)) {
                                Some(&(_, first)) => {
                                    scores[first].last().expect("scored above").clone()
                                }
                                None => {
                                    scored.push((policy, side));
                                    M::scored(engine::score_month(policy, at, *m, events)?)
                                }
                            };
                            scores[side].push(score);
                        }
                    }
                    // Every employee employed in a closed month is in its snapshot (a
                    // staff change that would move that is refused): one missing was
                    // taken out past appraise, and leaving them out would be silent.
                    None if closed_months.contains(m) && e.employed_in(*m) => {
                        return Err(store::Error::Snapshot {
                            month: *m,
                            why: format!("`{}`, employed that month, is missing from it", e.id),
                        }
                        .into());
                    }
                    None => {}
                }
            }
            finish(e, scores)
        };
        std::thread::scope(|scope| {
            let mut frozen: Vec<frozen::Frozen<M>> = closed
                .into_iter()
                .map(|(m, stream)| frozen::spawn(scope, m, stream, WINDOW))
                .collect();
            let mut done = 0;
            for window in staff.chunks(WINDOW) {
                // Each employee's frozen scores of the window, by month.
                let mut mine: Vec<BTreeMap<Month, M>> = vec![BTreeMap::new(); window.len()];
                for f in &mut frozen {
                    for (at, score) in f.window(window)? {
                        mine[at].insert(f.month, score);
                    }
                }
                let results: Vec<Result<Option<T>, Error>> = window
                    .par_iter()
                    .zip(mine)
                    .map(|(e, frozen)| compute(e, frozen))
                    .collect();
                for r in results {
                    if let Some(t) = r? {
                        emit(t)?;
                    }
                }
                done += window.len();
                progress(done, total);
            }
            Ok(())
        })
    }
}

/// `items` one per rule: the rule's first item, with the quantities and points of all of
/// them added up.
fn per_rule(items: Vec<engine::Item>) -> Vec<engine::Item> {
    let mut out: Vec<engine::Item> = Vec::new();
    for item in items {
        match out.iter_mut().find(|o| o.rule() == item.rule()) {
            Some(o) => o.absorb(&item),
            None => out.push(item),
        }
    }
    out
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
        return Err(Error::ThroughOutsideYear { through: t, year });
    }
    let now = Month::of(today);
    let months: Vec<Month> = Month::of_year(year)
        .filter(|m| through.is_none_or(|t| *m <= t) && *m <= now)
        .collect();
    if months.is_empty() {
        return Err(Error::NothingToRate { year, today });
    }
    Ok(months)
}
