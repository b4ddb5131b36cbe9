//! Closing a month freezes its events and its scores; reopening it is recorded with a reason.
//! And the audit log, the record of every change.

use std::collections::BTreeSet;

use super::log::required_reason;
use super::{Actor, App, Invalid, Result};
use crate::domain::access::{Action, Target};
use crate::domain::month::Month;
use crate::evaluation::evaluate::{Evaluation, Selection};
use crate::store::{AuditEntry, AuditFilter, Closing};

/// What closing a month froze.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    pub month: Month,
    pub scores: usize,
    pub failed: usize,
    /// The chain head after the close: written down elsewhere (the month's statement, a
    /// ledger), it proves later that nothing up to this close changed.
    pub head: String,
}

impl App {
    /// Whether `month` is over on `today`: only then can it be closed.
    pub(super) fn has_ended(month: Month, today: chrono::NaiveDate) -> bool {
        month < Month::of(today)
    }

    /// Freezes `month`, once it has ended: its scores are stored as computed now, with the
    /// policy versions used, and its events can no longer be added, voided or excused.
    pub fn close_month(&self, by: &Actor, month: Month) -> Result<Closed> {
        self.authorize(by, Action::CloseMonth, &Target::Company)?;
        if !Self::has_ended(month, self.today) {
            return Err(Invalid::MonthNotEnded {
                month,
                today: self.today,
            }
            .into());
        }
        let (mut store, rulebook) = self.store_and_rules()?;
        let mut counts = (0, 0);
        // The scores are computed under the write lock: nothing lands in the month between
        // them and the close.
        store.close_month(month, &self.stamp(by), |store| -> Result<_> {
            let eval = Evaluation {
                store,
                rulebook: &rulebook,
                snapshots: false,
            };
            // The snapshot's JSON array written score by score as they come: the month's
            // items are never held whole (at 100,000 staff they took over 1 GiB).
            let mut snapshot = b"[".to_vec();
            let mut hashes: BTreeSet<String> = BTreeSet::new();
            let mut failed = Vec::new();
            eval.month_each(month, &Selection::default(), |s| {
                if counts.0 > 0 {
                    snapshot.push(b',');
                }
                serde_json::to_writer(&mut snapshot, &s)
                    .expect("month scores always serialize to JSON");
                counts.0 += 1;
                if !hashes.contains(&*s.policy.hash) {
                    hashes.insert(s.policy.hash.to_string());
                }
                if !s.passed {
                    counts.1 += 1;
                    failed.push(s);
                }
                Ok(())
            })?;
            snapshot.push(b']');
            // The month's scoring is done: what it freed is not held beside SQLite's copy
            // of the snapshot.
            super::memory::give_back();
            let snapshot = String::from_utf8(snapshot).expect("serde_json writes UTF-8");
            let failed: Vec<&crate::engine::MonthScore> = failed.iter().collect();
            let notices = self.failed_month_notices(store, month, &failed)?;
            Ok((snapshot, hashes.into_iter().collect(), notices))
        })?;
        Ok(Closed {
            month,
            scores: counts.0,
            failed: counts.1,
            head: store.head()?,
        })
    }

    /// The notices of the employees who failed `month`, each with the failed months of
    /// its year closed before it (the third brings a warning).
    fn failed_month_notices(
        &self,
        store: &crate::store::Store,
        month: Month,
        failed: &[&crate::engine::MonthScore],
    ) -> Result<Vec<crate::store::Notice>> {
        if failed.is_empty() || !store.has_channels()? {
            return Ok(Vec::new());
        }
        let mut before: std::collections::BTreeMap<String, usize> = Default::default();
        for closing in store.closed_months()? {
            let Ok(m) = closing.month.parse::<Month>() else {
                continue;
            };
            if m.year() != month.year() || m >= month {
                continue;
            }
            let Some(snapshot) = store.snapshot_stream(m)? else {
                continue;
            };
            // Read a score at a time, for its figures: a month of 100,000 staff parsed
            // whole takes hundreds of MiB.
            snapshot.each(|s: crate::engine::MonthFigures| {
                if !s.result.passed {
                    *before.entry(s.employee).or_default() += 1;
                }
                true
            })?;
        }
        let failed: Vec<(String, String, String, usize)> = failed
            .iter()
            .map(|s| {
                let n = before.get(&s.employee).copied().unwrap_or(0);
                (s.employee.clone(), s.name.clone(), s.department.clone(), n)
            })
            .collect();
        self.month_failed_notices(store, month, &failed)
    }

    /// Reopens a closed month; the reason is recorded.
    pub fn reopen_month(&self, by: &Actor, month: Month, reason: &str) -> Result<()> {
        self.authorize(by, Action::CloseMonth, &Target::Company)?;
        let reason = required_reason(reason)?;
        Ok(self.store()?.reopen_month(month, reason, &self.stamp(by))?)
    }

    /// The months closed now, with who closed them.
    pub fn closed_months(&self, by: &Actor) -> Result<Vec<Closing>> {
        self.check_report(by, None)?;
        Ok(self.store()?.closed_months()?)
    }
}

impl App {
    /// Copies the database to a new file `to`, consistently, even while others write to
    /// it; returns the copy's chain head.
    pub fn backup(&self, by: &Actor, to: &std::path::Path) -> Result<String> {
        self.check_report(by, None)?;
        self.store()?.backup(to)?;
        Ok(crate::store::Store::open(to)?.head()?)
    }

    /// Walks the hash chain that seals the record; `broken` names the first place the
    /// database no longer matches what was written.
    pub fn verify(&self, by: &Actor) -> Result<crate::store::Verification> {
        self.check_report(by, None)?;
        Ok(self.store()?.verify()?)
    }

    /// Verifies the blocks added since the last verification (see
    /// [`Store::verify_since_last`](crate::store::Store::verify_since_last)): what the audit
    /// page shows on every load.
    pub fn verify_since_last(&self, by: &Actor) -> Result<crate::store::Verification> {
        self.check_report(by, None)?;
        Ok(self.store()?.verify_since_last()?)
    }

    /// Rebuilds the packs (what ratings read) that no longer match the log, after `verify`
    /// found one altered; refused while the log itself does not match its chain.
    pub fn repack(&self, by: &Actor) -> Result<crate::store::Repacked> {
        self.authorize(by, Action::RepairRecord, &Target::Company)?;
        Ok(self.store()?.repack(&self.stamp(by))?)
    }

    /// Up to `limit` changes made before entry `before` (or the latest), newest first.
    pub fn audit_page(
        &self,
        by: &Actor,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>> {
        self.check_report(by, None)?;
        Ok(self.store()?.audit_page(before, limit)?)
    }

    /// Every change made since `since` (a date, or always), with who made it and when.
    pub fn audit(&self, by: &Actor, since: Option<chrono::NaiveDate>) -> Result<Vec<AuditEntry>> {
        self.check_report(by, None)?;
        Ok(self.store()?.audit(&AuditFilter {
            since: since.map(|d| d.format("%Y-%m-%d").to_string()),
        })?)
    }
}
