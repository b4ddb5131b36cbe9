//! Activation tried on the record: a candidate version evaluated over the logged events of
//! the departments and months it would govern, up to today, before it may govern them. What
//! the checker cannot know (a value out of range, a division by zero, a loop over the
//! budget on real data) then stops the activation, not the department's scoring after it.

use chrono::NaiveDate;

use crate::domain::month::Month;
use crate::engine::EvalError;
use crate::evaluation::evaluate::{Error, Evaluation, Selection};
use crate::evaluation::rulebook::Rulebook;
use crate::policy::Policy;
use crate::store::Store;

/// The most failures a trial reports: the first ones show what to mend.
pub const SHOWN: usize = 5;

/// Part of a trial that the caller evaluates itself: the `months` of `year` for one
/// department, or for all of them (a what-if scores the candidate over its own year and
/// selection anyway; it need not do so twice).
#[derive(Debug, Clone, Copy)]
pub struct Covered<'a> {
    pub year: i32,
    pub months: &'a [Month],
    pub department: Option<&'a str>,
}

impl Covered<'_> {
    fn covers(&self, year: i32, department: &str, months: &[Month]) -> bool {
        self.year == year
            && self.department.is_none_or(|d| d == department)
            && months.iter().all(|m| self.months.contains(m))
    }
}

/// Evaluates `candidate` (with `rulebook`'s versions for everything it does not govern)
/// over every month from its start to `today`'s, for every department it would govern in
/// one of them, except what `covered` says the caller evaluates; the first failures, at
/// most [`SHOWN`], one per employee. None: it runs. Results are not kept: a trial of a
/// company's year runs in the memory of one window of employees.
pub fn trial(
    store: &Store,
    rulebook: &Rulebook,
    candidate: &Policy,
    today: NaiveDate,
    covered: Option<Covered>,
) -> Result<Vec<EvalError>, Error> {
    let last = Month::of(today);
    if candidate.effective_from > last {
        return Ok(Vec::new());
    }
    let book = rulebook.with_candidate(candidate.clone());
    let governed = |department: &str, month: Month| {
        book.governing(department, month)
            .is_some_and(|p| p.hash() == candidate.hash())
    };
    let run = Evaluation {
        store,
        rulebook: &book,
        snapshots: false,
    };
    let mut failures = Vec::new();
    let staff = store.staff_records()?;
    let mut year_months: Vec<(i32, Vec<Month>)> = Vec::new();
    let mut m = candidate.effective_from;
    while m <= last {
        match year_months.last_mut() {
            Some((y, months)) if *y == m.year() => months.push(m),
            _ => year_months.push((m.year(), vec![m])),
        }
        m = m.next();
    }
    // Every department someone belonged to in one of the months.
    let mut departments: Vec<&str> = year_months
        .iter()
        .flat_map(|(_, months)| months)
        .flat_map(|m| {
            staff
                .iter()
                .filter(|r| r.employed_in(*m))
                .map(|r| r.at(*m).department.as_str())
        })
        .collect();
    departments.sort();
    departments.dedup();
    for (year, months) in &year_months {
        for department in &departments {
            let months: Vec<Month> = months
                .iter()
                .copied()
                .filter(|m| governed(department, *m))
                .collect();
            if months.is_empty() || covered.is_some_and(|c| c.covers(*year, department, &months)) {
                continue;
            }
            let whole = Selection {
                department: Some(department.to_string()),
                employee: None,
                ..Default::default()
            };
            match run.ratings_each(*year, &months, &whole, &|_, _| {}, |_| Ok(())) {
                Ok(_) => continue,
                Err(Error::Eval(_)) => {}
                Err(other) => return Err(other),
            }
            // Something failed: each employee on their own, for the failures to show.
            for record in &staff {
                let one = Selection {
                    employee: Some(record.id.clone()),
                    ..whole.clone()
                };
                match run.ratings_each(*year, &months, &one, &|_, _| {}, |_| Ok(())) {
                    Ok(_) => {}
                    Err(Error::Eval(e)) => {
                        failures.push(*e);
                        if failures.len() == SHOWN {
                            return Ok(failures);
                        }
                    }
                    Err(other) => return Err(other),
                }
            }
        }
    }
    Ok(failures)
}
