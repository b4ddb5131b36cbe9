//! What a person may see. Every read of the application asks here, and here asks
//! [`access`](crate::domain::access): an employee sees their own record, a supervisor their
//! team, a head their department, HR everyone. The command line reads as the owner of the
//! database file ([`Actor::owner`]), who sees everything.

use std::collections::BTreeSet;

use super::{Actor, App, Error, Missing, Result, member};
use crate::domain::access::{Action, Target};
use crate::domain::event::Event;
use crate::domain::month::Month;
use crate::domain::staff::Employee;
use crate::domain::user::Role;
use crate::evaluation::evaluate::Selection as Who;

/// Whom a person may see: everyone (HR), or these employees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Seen {
    Everyone,
    Only(BTreeSet<String>),
}

impl Seen {
    pub(super) fn contains(&self, employee: &str) -> bool {
        match self {
            Seen::Everyone => true,
            Seen::Only(ids) => ids.contains(employee),
        }
    }

    /// Nobody.
    pub(super) fn is_empty(&self) -> bool {
        matches!(self, Seen::Only(ids) if ids.is_empty())
    }

    /// `who`, narrowed to the one employee seen when only one is (so that only they are
    /// computed); a listing is still filtered with [`Seen::contains`].
    pub(super) fn narrow(&self, who: &Who) -> Who {
        match self {
            Seen::Only(ids) if ids.len() == 1 && who.employee.is_none() => Who {
                department: who.department.clone(),
                employee: ids.first().cloned(),
                among: who.among.clone(),
            },
            _ => who.clone(),
        }
    }
}

impl App {
    /// The employees `by` may see, by the records in force today.
    pub(super) fn seen_by(&self, by: &Actor) -> Result<Seen> {
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

    /// Which of `events` (live ones) `by` may void or excuse (`action`), to offer it; doing
    /// it asks `access` again.
    pub(super) fn may_mark<'e>(
        &self,
        by: &Actor,
        action: Action,
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
            if self.allows(by, action, &target) {
                ids.insert(e.id);
            }
        }
        Ok(ids)
    }

    /// Refuses unless `by` may see `employee`'s record. An id not on file is "not found"
    /// for HR; anyone else gets exactly the refusal of a record out of their scope (asked
    /// of `access` about an employee of no department), so that whether an employee exists
    /// does not leak.
    pub(super) fn check_view(&self, by: &Actor, employee: &str) -> Result<()> {
        let store = self.store()?;
        let Some(record) = store.staff_record(employee)? else {
            return Err(self.not_on_file(by, Action::View, employee));
        };
        self.authorize(
            by,
            Action::View,
            &Target::Employee(member(&record, self.today)),
        )
    }

    /// The answer to `by` doing `action` to `employee`, who is not on file: "not found" for
    /// HR; for anyone else exactly the refusal of an employee out of their scope (asked of
    /// `access` about an employee of no department), so that whether an employee exists
    /// does not leak.
    pub(super) fn not_on_file(&self, by: &Actor, action: Action, employee: &str) -> Error {
        let not_found = || Error::NotFound(Missing::Employee(employee.to_string()));
        if by.role() == Some(Role::Hr) {
            return not_found();
        }
        let nobody = crate::domain::access::Member {
            id: employee,
            department: "",
            supervisor: None,
        };
        match self.authorize(by, action, &Target::Employee(nobody)) {
            Err(e) => e,
            // No scope holds an employee of no department but HR's, answered above.
            Ok(()) => not_found(),
        }
    }

    /// Refuses unless `by` may read `department`'s reports (or, for `None`, the company's).
    pub(super) fn check_report(&self, by: &Actor, department: Option<&str>) -> Result<()> {
        let target = department.map_or(Target::Company, Target::Department);
        self.authorize(by, Action::Report, &target)
    }

    /// What a listing of `employee` (one, or everyone with `None`) may show `by`: refused
    /// when it names one `by` may not see (or who is not on file); else whom to keep. One
    /// employee, once allowed, is all there is to keep, so the staff are not read for it.
    pub(super) fn seen_of(&self, by: &Actor, employee: Option<&str>) -> Result<Seen> {
        match employee {
            Some(e) => {
                self.check_view(by, e)?;
                Ok(Seen::Only(BTreeSet::from([e.to_string()])))
            }
            None => self.seen_by(by),
        }
    }
}
