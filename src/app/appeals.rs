//! Appeals (申诉): an employee contests one of their own events within the days the
//! governing policy allows after its entry; the head of their department upholds it (the
//! event is excused) or rejects it, with a reason either way. Both are on the record and
//! shown to the employee.

use chrono::{Duration, NaiveDate};

use super::log::required_reason;
use super::{Actor, App, Invalid, Result};
use crate::domain::access::Action;
use crate::domain::month::Month;
use crate::store::{Appeal, Entered};

impl App {
    /// Files `by`'s appeal against event `event`; returns the appeal's id.
    pub fn file_appeal(&self, by: &Actor, event: i64, reason: &str) -> Result<i64> {
        let reason = required_reason(reason)?;
        let (mut store, rulebook) = self.store_and_rules()?;
        let (
            Entered {
                date, entered_on, ..
            },
            record,
        ) = self.authorize_on_event(&store, by, Action::Appeal, event)?;
        let month = Month::of(date);
        let department = &record.at(month).department;
        let days = rulebook
            .governing(department, month)
            .map(|p| p.scoring.appeal_days)
            .ok_or_else(|| Invalid::NoPolicyGoverns {
                department: department.clone(),
                month,
            })?;
        let (from, last_day) = self.appeal_window(date, entered_on, days);
        if self.today > last_day {
            return Err(Invalid::AppealWindowClosed {
                event,
                last_day,
                days: i64::from(days),
                from,
                today: self.today,
            }
            .into());
        }
        let notices =
            self.appeal_waiting_notices(&store, event, &record, month, reason, last_day)?;
        Ok(store.file_appeal(event, reason, &self.stamp(by), &notices)?)
    }

    /// When an appeal of an event of `date`, entered on `entered_on`, may be filed under a
    /// policy's `appeal_days`: from the later of the event's day and its entry (so that an
    /// event entered late can still be answered; an entry is never after today: the clock
    /// that stamped it and `today` agree except in a replay), through the last day.
    pub(super) fn appeal_window(
        &self,
        date: NaiveDate,
        entered_on: NaiveDate,
        days: u32,
    ) -> (NaiveDate, NaiveDate) {
        let from = date.max(entered_on.min(self.today));
        (from, from + Duration::days(i64::from(days)))
    }

    /// Upholds (the event is excused) or rejects appeal `appeal`, with the reason.
    pub fn decide_appeal(&self, by: &Actor, appeal: i64, upheld: bool, reason: &str) -> Result<()> {
        let reason = required_reason(reason)?;
        let mut store = self.store()?;
        let filed = store.appeal(appeal)?;
        self.authorize_on_event(&store, by, Action::DecideAppeal, filed.event)?;
        let notices = self.appeal_decided_notice(&store, &filed, upheld, reason, by)?;
        Ok(store.decide_appeal(appeal, upheld, reason, &self.stamp(by), &notices)?)
    }

    /// The appeals waiting for a decision that `by` may make.
    pub fn appeals_waiting_on(&self, by: &Actor) -> Result<Vec<Appeal>> {
        let store = self.store()?;
        let mut mine = Vec::new();
        for a in store.appeals()? {
            if a.decision.is_none()
                && self
                    .authorize_on_event(&store, by, Action::DecideAppeal, a.event)
                    .is_ok()
            {
                mine.push(a);
            }
        }
        Ok(mine)
    }

    /// Appeals, oldest first: only those waiting for a decision with `waiting`, only one
    /// employee's with `employee`.
    pub fn appeals(
        &self,
        by: &Actor,
        waiting: bool,
        employee: Option<&str>,
    ) -> Result<Vec<Appeal>> {
        let seen = self.seen_of(by, employee)?;
        Ok(self
            .store()?
            .appeals()?
            .into_iter()
            .filter(|a| seen.contains(&a.employee))
            .filter(|a| !waiting || a.decision.is_none())
            .filter(|a| employee.is_none_or(|e| a.employee == e))
            .collect())
    }
}
