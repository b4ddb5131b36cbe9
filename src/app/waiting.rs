//! What waits on a person: reviews to sign, appeals to decide, leave and punch corrections
//! to approve, months to close. The home page lists it and the menu counts it, so nothing
//! that needs someone stalls because they never came across it.

use chrono::Datelike;

use super::{Actor, App, Result, member};
use crate::domain::access::{Action, Target};
use crate::domain::month::Month;
use crate::store::{Correction, Store};

/// The work waiting on one person, counted.
#[derive(Debug, Clone, Default)]
pub struct Waiting {
    /// Appeals they decide.
    pub appeals: usize,
    /// Leave asked for by people whose events they enter.
    pub leaves: usize,
    /// Punch corrections asked for by people whose events they enter.
    pub corrections: usize,
    /// Reviews waiting on their signature: (year under review, how many), oldest first.
    pub reviews: Vec<(i32, usize)>,
    /// Months that have ended and are still open, for whoever closes them.
    pub months: Vec<Month>,
}

impl Waiting {
    /// Everything waiting, counted together (the menu's badge).
    pub fn total(&self) -> usize {
        self.appeals
            + self.leaves
            + self.corrections
            + self.reviews.iter().map(|(_, n)| n).sum::<usize>()
            + self.months.len()
    }
}

/// How many months back an open month is still called to HR's attention: the year under
/// review and this one.
const OPEN_MONTHS_BACK: u32 = 24;

impl App {
    /// Everything waiting on `by`, counted. Reviews are looked for in the year under
    /// review and the current one (a review of an earlier year still open is on the
    /// inbox's year picker).
    pub fn waiting(&self, by: &Actor) -> Result<Waiting> {
        let hr = self
            .authorize(by, Action::SignCompanyStep, &Target::Company)
            .is_ok();
        let store = self.store()?;
        let mut reviews = Vec::new();
        for year in [self.review_year(None), self.today.year()] {
            let n = store
                .review_standings(year)?
                .iter()
                .filter(|r| {
                    r.next_step()
                        .is_some_and(|s| super::reviews::waits_on(s, r.signers.of(s), by, hr))
                })
                .count();
            if n > 0 {
                reviews.push((year, n));
            }
        }
        Ok(Waiting {
            appeals: self.appeals_waiting_on(by)?.len(),
            leaves: self.leaves_waiting_on(by)?.len(),
            corrections: self.corrections_waiting_on(by)?.len(),
            reviews,
            months: self.months_to_close(by)?,
        })
    }

    /// Punch corrections asked for and waiting on `by`: of the people whose events they
    /// may enter, not their own.
    pub fn corrections_waiting_on(&self, by: &Actor) -> Result<Vec<Correction>> {
        let store = self.store()?;
        let mut mine = Vec::new();
        for c in store.corrections(None, true)? {
            if self.decides_for(&store, by, &c.employee)? {
                mine.push(c);
            }
        }
        Ok(mine)
    }

    /// Whether `by` decides what `employee` asks for (leave, punch corrections): whoever may
    /// enter their events, never they themselves.
    pub(super) fn decides_for(&self, store: &Store, by: &Actor, employee: &str) -> Result<bool> {
        if by.employee() == Some(employee) {
            return Ok(false);
        }
        let Some(record) = store.staff_record(employee)? else {
            return Ok(false);
        };
        let target = Target::Employee(member(&record, self.today));
        Ok(self.authorize(by, Action::RecordEvent, &target).is_ok())
    }

    /// The months that have ended and are still open, oldest first, when `by` closes months
    /// (none otherwise): those of the last [`OPEN_MONTHS_BACK`] in which a policy was in
    /// effect and anyone was employed.
    fn months_to_close(&self, by: &Actor) -> Result<Vec<Month>> {
        if self
            .authorize(by, Action::CloseMonth, &Target::Company)
            .is_err()
        {
            return Ok(Vec::new());
        }
        let (store, rulebook) = self.store_and_rules()?;
        // Months before any policy took effect have nothing to score.
        let Some(first) = rulebook.policies().map(|p| p.effective_from).min() else {
            return Ok(Vec::new());
        };
        let closed: std::collections::BTreeSet<String> = store
            .closed_months()?
            .into_iter()
            .map(|c| c.month)
            .collect();
        let records = store.staff_records()?;
        let this = Month::of(self.today);
        let mut open = Vec::new();
        let mut month = this;
        for _ in 0..OPEN_MONTHS_BACK {
            month = month.prev();
            if month >= first
                && !closed.contains(&month.to_string())
                && records.iter().any(|r| r.employed_in(month))
            {
                open.push(month);
            }
        }
        open.reverse();
        Ok(open)
    }
}
