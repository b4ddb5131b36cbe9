//! Closing a month freezes its events and its scores; reopening it is recorded with a reason.
//! And the audit log, the record of every change.

use std::collections::BTreeSet;

use super::log::required_reason;
use super::{Actor, App, Error, Result};
use crate::evaluate::{Evaluation, Selection};
use crate::month::Month;
use crate::store::{AuditEntry, AuditFilter, Closing};

/// What closing a month froze.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    pub month: Month,
    pub scores: usize,
    pub failed: usize,
}

impl App {
    /// Freezes `month`: its scores are stored as computed now, with the policy versions
    /// used, and its events can no longer be added, voided or excused.
    pub fn close_month(&self, by: &Actor, month: Month) -> Result<Closed> {
        if month > Month::of(self.today) {
            return Err(Error::refused(format!(
                "{month} has not begun yet (today is {}); only past or current months can be closed",
                self.today
            )));
        }
        let (mut store, rulebook) = self.store_and_rules()?;
        let eval = Evaluation {
            store: &store,
            rulebook: &rulebook,
            snapshots: false,
        };
        let scores = eval.month(month, &Selection::default())?;
        let hashes: BTreeSet<String> = scores.iter().map(|s| s.policy.hash.to_string()).collect();
        let hashes: Vec<String> = hashes.into_iter().collect();
        let snapshot =
            serde_json::to_string(&scores).expect("month scores always serialize to JSON");
        store.close_month(month, &snapshot, &hashes, &self.stamp(by))?;
        Ok(Closed {
            month,
            scores: scores.len(),
            failed: scores.iter().filter(|s| !s.passed).count(),
        })
    }

    /// Reopens a closed month; the reason is recorded.
    pub fn reopen_month(&self, by: &Actor, month: Month, reason: &str) -> Result<()> {
        let reason = required_reason(reason)?;
        Ok(self.store()?.reopen_month(month, reason, &self.stamp(by))?)
    }

    /// The months closed now, with who closed them.
    pub fn closed_months(&self) -> Result<Vec<Closing>> {
        Ok(self.store()?.closed_months()?)
    }
}

impl App {
    /// Every change made since `since` (a date, or always), with who made it and when.
    pub fn audit(&self, since: Option<chrono::NaiveDate>) -> Result<Vec<AuditEntry>> {
        Ok(self.store()?.audit(&AuditFilter {
            since: since.map(|d| d.format("%Y-%m-%d").to_string()),
        })?)
    }
}
