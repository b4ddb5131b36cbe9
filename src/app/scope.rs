//! What a person may see: the reads of the web workplace and its API, each limited by
//! [`access`](crate::domain::access) to the records the caller may see (an employee their own, a
//! supervisor their team, a head their department, HR everyone). The command line reads
//! as the owner of the database file and calls the unscoped reads these wrap.

use std::collections::BTreeSet;

use super::{Actor, App, Error, Result, member};
use crate::domain::access::{Action, Target};
use crate::domain::event::Event;
use crate::domain::month::Month;
use crate::domain::staff::Employee;
use crate::domain::user::Role;
use crate::engine::{MonthScore, Rating};
use crate::evaluation::evaluate::Selection;
use crate::report::MonthExplanation;
use crate::store::EventFilter;

/// Whom a person may see: everyone (HR), or these employees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    Everyone,
    Only(BTreeSet<String>),
}

impl Seen {
    pub fn contains(&self, employee: &str) -> bool {
        match self {
            Seen::Everyone => true,
            Seen::Only(ids) => ids.contains(employee),
        }
    }
}

impl App {
    /// The employees `by` may see, by the records in force today.
    pub fn seen_by(&self, by: &Actor) -> Result<Seen> {
        if by.role() == Some(Role::Hr) {
            return Ok(Seen::Everyone);
        }
        let store = self.store()?;
        let ids = store
            .staff_records()?
            .iter()
            .filter(|r| self.allows(by, Action::View, &Target::Employee(member(r, self.today))))
            .map(|r| member(r, self.today).id.to_string())
            .collect();
        Ok(Seen::Only(ids))
    }

    /// The employees at work today whom `by` may enter events for: a supervisor's team, a
    /// head's department, everyone for HR; by id.
    pub fn team(&self, by: &Actor) -> Result<Vec<Employee>> {
        let month = Month::of(self.today);
        Ok(self
            .store()?
            .staff_records()?
            .iter()
            .filter(|r| r.employed_in(month))
            .filter(|r| {
                self.allows(
                    by,
                    Action::RecordEvent,
                    &Target::Employee(member(r, self.today)),
                )
            })
            .map(|r| r.at(month).clone())
            .collect())
    }

    /// Which of `events` `by` may void, to offer it (voiding asks `access` again).
    pub fn voidable<'e>(
        &self,
        by: &Actor,
        events: impl IntoIterator<Item = &'e Event>,
    ) -> Result<BTreeSet<i64>> {
        let store = self.store()?;
        let mut ids = BTreeSet::new();
        for e in events.into_iter().filter(|e| !e.voided) {
            let Some(record) = store.staff_record(&e.employee)? else {
                continue;
            };
            let target = Target::Event {
                of: member(&record, self.today),
                recorded_by: &e.recorded_by,
            };
            if self.allows(by, Action::VoidEvent, &target) {
                ids.insert(e.id);
            }
        }
        Ok(ids)
    }

    /// Refuses unless `by` may see `employee`'s record. An id not on file is "not found"
    /// for HR; anyone else gets the same refusal as for a record out of their scope, so
    /// that whether an employee exists does not leak.
    pub fn may_see(&self, by: &Actor, employee: &str) -> Result<()> {
        let store = self.store()?;
        let Some(record) = store.staff_record(employee)? else {
            return Err(match by.role() {
                Some(Role::Hr) => Error::NotFound(format!("no employee `{employee}` is on file")),
                _ => Error::NotAllowed(format!(
                    "`{}` may not see the records of `{employee}`",
                    by.name()
                )),
            });
        };
        self.authorize(
            by,
            Action::View,
            &Target::Employee(member(&record, self.today)),
        )
    }

    /// Refuses unless `by` may read `department`'s reports (or, for `None`, the company's).
    pub fn may_report(&self, by: &Actor, department: Option<&str>) -> Result<()> {
        let target = department.map_or(Target::Company, Target::Department);
        self.authorize(by, Action::Report, &target)
    }

    /// The month's scores of the employees `by` may see (of one department, if given).
    pub fn scores_seen(
        &self,
        by: &Actor,
        month: Month,
        department: Option<&str>,
    ) -> Result<Vec<MonthScore>> {
        let seen = self.seen_by(by)?;
        let who = Selection {
            department: department.map(str::to_string),
            employee: match &seen {
                // One visible employee: score only them.
                Seen::Only(ids) if ids.len() == 1 => ids.first().cloned(),
                _ => None,
            },
        };
        if matches!(&seen, Seen::Only(ids) if ids.is_empty()) {
            return Ok(Vec::new());
        }
        let mut scores = self.scores(month, &who)?;
        scores.retain(|s| seen.contains(&s.employee));
        Ok(scores)
    }

    /// Events `by` may see, as `filter` selects them.
    pub fn events_seen(&self, by: &Actor, filter: &EventFilter) -> Result<Vec<Event>> {
        if let Some(e) = &filter.employee {
            self.may_see(by, e)?;
            return self.events(filter);
        }
        let seen = self.seen_by(by)?;
        let mut events = self.events(filter)?;
        events.retain(|e| seen.contains(&e.employee));
        Ok(events)
    }

    /// Every point of `employee`'s month, if `by` may see it.
    pub fn explain_seen(
        &self,
        by: &Actor,
        employee: &str,
        month: Month,
    ) -> Result<MonthExplanation> {
        self.may_see(by, employee)?;
        self.explain_month(employee, month)
    }

    /// The year's ratings of the employees `by` may see, and the last month rated.
    pub fn ratings_seen(&self, by: &Actor, year: i32) -> Result<(Vec<Rating>, Month)> {
        let seen = self.seen_by(by)?;
        let (mut ratings, through) = self.ratings(year, None, &Selection::default(), &|_, _| {})?;
        ratings.retain(|r| seen.contains(&r.employee));
        Ok((ratings, through))
    }
}
