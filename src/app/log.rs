//! The daily log: entering one event, importing a file of them, listing, voiding (an entry
//! mistake) and excusing (an approved appeal). Nothing is ever edited or deleted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::{Actor, App, Error, Result, member};
use crate::access::{self, Action, Target};
use crate::event::Event;
use crate::intake::{EventRow, EventValidator, Rejected, read_events};
use crate::rulebook::Rulebook;
use crate::staff::StaffRecord;
use crate::store::{self, Entered, EventFilter, Prepared, Spill, Store};

/// One event as a person enters it: every value still text, validated as an import row.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    pub employee: String,
    pub kind: String,
    pub date: String,
    pub qty: String,
    pub note: String,
    /// Field name → value, e.g. `minutes` → `40`.
    pub fields: BTreeMap<String, String>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// Every row is valid; nothing was stored (a dry run).
    Valid { file: String, rows: usize },
    /// Ids of the events stored, and how many rows were already in the log.
    Stored {
        file: String,
        ids: Vec<i64>,
        already: usize,
    },
}

impl App {
    /// Records one event, validated exactly as an import row; without a date it is
    /// today's. An exact copy of a live event (same employee, date, kind, qty, fields and
    /// note) is refused, naming it, unless `again` says a second one happened. Returns
    /// the new event's id.
    pub fn add_event(&self, by: &Actor, entry: Entry, again: bool) -> Result<i64> {
        let (mut store, rulebook) = self.store_and_rules()?;
        let date = match entry.date.trim() {
            "" => self.today.format("%Y-%m-%d").to_string(),
            d => d.to_string(),
        };
        let row = EventRow {
            employee: entry.employee,
            date,
            kind: entry.kind,
            qty: entry.qty,
            note: entry.note,
            recorded_by: by.name().to_string(),
            fields: entry.fields,
        };
        // One entry needs one staff record; out of scope is a refusal of the person, not a
        // problem of the entry.
        let staff: BTreeMap<String, StaffRecord> = store
            .staff_record(row.employee.trim())?
            .map(|r| (r.id.clone(), r))
            .into_iter()
            .collect();
        if let Some(record) = staff.values().next() {
            let target = Target::Employee(member(record, self.today));
            self.authorize(by, Action::RecordEvent, &target)?;
        }
        let v = self.validator(&store, &rulebook, by, staff, false)?;
        let event = v.check(&row).map_err(Error::rejected_entry)?;
        if !again && let Some(id) = store.same_event(&event)? {
            return Err(Error::SameEvent {
                id,
                what: format!("{} {} {}", event.employee, event.date, event.kind),
            });
        }
        let out = store.append(&[event], None, &self.stamp(by))?;
        // An exact copy of an event already in the log is not stored again.
        out.stored.first().copied().ok_or_else(|| {
            Error::refused("this exact event is already in the log; nothing was stored")
        })
    }

    /// Imports an events file, all or nothing; `dry_run` validates only. Rows without
    /// `recorded_by` are recorded as by `by`.
    pub fn import_events(&self, by: &Actor, file: &Path, dry_run: bool) -> Result<Imported> {
        let (mut store, rulebook) = self.store_and_rules()?;
        let input = std::fs::File::open(file).map_err(|source| Error::Io {
            path: file.to_path_buf(),
            source,
        })?;
        let input = std::io::BufReader::with_capacity(1 << 20, input);
        let name = file.display().to_string();
        let staff = store
            .staff_records()?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        let v = self.validator(&store, &rulebook, by, staff, true)?;
        // The whole file is read, checked and prepared first, into a spill file, without
        // the write lock: other writers go on, and a bad row anywhere stores nothing.
        let mut spill = if dry_run {
            None
        } else {
            Some(Spill::new().map_err(store::Error::from)?)
        };
        let (read, spilled) = pipeline(&name, input, &v, |row| match &mut spill {
            Some(s) => Ok(s.push(row)?),
            None => Ok(()),
        });
        spilled?;
        let rows = match read {
            Ok(rows) => rows,
            Err(rows) => {
                let bad: BTreeSet<&str> = rows.0.iter().map(|p| p.at.as_str()).collect();
                let outcome = format!(
                    "{} bad {}; nothing was imported",
                    bad.len(),
                    crate::text::plural(bad.len(), "row", "rows")
                );
                return Err(Error::Rejected { rows, outcome });
            }
        };
        let Some(spill) = spill else {
            return Ok(Imported::Valid { file: name, rows });
        };
        // Only now the write lock, to insert: the rows go into one transaction, which the
        // store's own checks (a month closed meanwhile) can still refuse whole.
        let mut appender = store.appender(Some(&name), &self.stamp(by))?;
        for row in spill.rows().map_err(store::Error::from)? {
            appender.push(&row.map_err(store::Error::from)?)?;
        }
        let out = appender.commit(rows)?;
        Ok(Imported::Stored {
            file: name,
            ids: out.stored,
            already: out.already,
        })
    }

    /// Events matching `filter`, voided and excused ones marked.
    pub fn events(&self, filter: &EventFilter) -> Result<Vec<Event>> {
        Ok(self.store()?.events(filter)?)
    }

    /// Voids an event (an entry mistake): it stays in the log and stops counting.
    pub fn void_event(&self, by: &Actor, id: i64, reason: &str) -> Result<()> {
        let reason = required_reason(reason)?;
        let mut store = self.store()?;
        self.authorize_on_event(&store, by, Action::VoidEvent, id)?;
        Ok(store.void(id, reason, &self.stamp(by))?)
    }

    /// Excuses an event (an approved appeal): it stays, scores nothing, and is explained.
    pub fn excuse_event(&self, by: &Actor, id: i64, reason: &str) -> Result<()> {
        let reason = required_reason(reason)?;
        let mut store = self.store()?;
        self.authorize_on_event(&store, by, Action::ExcuseEvent, id)?;
        Ok(store.excuse(id, reason, &self.stamp(by))?)
    }

    /// Asks `access` about an action on event `id`: whose it is (today) and who entered it.
    /// Returns what it read, for the caller to go on with.
    pub(super) fn authorize_on_event(
        &self,
        store: &Store,
        by: &Actor,
        action: Action,
        id: i64,
    ) -> Result<(Entered, StaffRecord)> {
        let entered = store.entered(id)?;
        let record = store.staff_record(&entered.employee)?.ok_or_else(|| {
            store::Error::Corrupt(format!("event {id} names no employee on file"))
        })?;
        let target = Target::Event {
            of: member(&record, self.today),
            recorded_by: &entered.recorded_by,
        };
        self.authorize(by, action, &target)?;
        Ok((entered, record))
    }

    /// Checks rows against `staff` (the records the rows may name), the activated
    /// policies, today, the closed months and whom `by` may record events for; with
    /// `by_default`, rows without `recorded_by` are recorded as by `by`.
    fn validator<'a>(
        &self,
        store: &Store,
        rulebook: &'a Rulebook,
        by: &'a Actor,
        staff: BTreeMap<String, StaffRecord>,
        by_default: bool,
    ) -> Result<EventValidator<'a>> {
        let today = self.today;
        Ok(EventValidator {
            may_record: Box::new(move |record| {
                let target = Target::Employee(member(record, today));
                access::allow(&by.person(), Action::RecordEvent, &target).refusal()
            }),
            staff,
            rulebook,
            today: self.today,
            default_by: by_default.then(|| by.name().to_string()),
            closed: store
                .closed_months()?
                .into_iter()
                .filter_map(|c| Some((c.month.parse().ok()?, format!("by {} at {}", c.by, c.at))))
                .collect(),
        })
    }
}

/// A reason, trimmed; a blank one is refused.
pub(super) fn required_reason(reason: &str) -> Result<&str> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::refused("a reason is required"));
    }
    Ok(reason)
}

/// The consumer of an import stopped (its error is reported instead).
struct Stopped;

/// Reads, validates and prepares the rows on one thread while `store` stores them on this
/// one, a batch at a time: an import uses two cores. Returns what reading found and the
/// first error of `store`, which stops the reading.
fn pipeline(
    name: &str,
    input: impl std::io::Read + Send,
    v: &EventValidator,
    mut store: impl FnMut(&Prepared) -> store::Result<()>,
) -> (std::result::Result<usize, Rejected>, store::Result<()>) {
    const BATCH: usize = 4096;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Prepared>>(4);
    std::thread::scope(|threads| {
        let reader = threads.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            let read = read_events(name, input, v, |e| {
                batch.push(Prepared::new(e));
                if batch.len() == BATCH {
                    tx.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                        .map_err(|_| Stopped)?;
                }
                Ok(())
            });
            if !batch.is_empty() {
                // A stopped consumer has its own error to report.
                let _ = tx.send(batch);
            }
            read
        });
        let stored = rx
            .iter()
            .try_for_each(|batch| batch.iter().try_for_each(&mut store));
        // Dropping the receiver stops a reader still going after a store error.
        drop(rx);
        let read = reader.join().expect("the import's reading thread panicked");
        match read {
            Ok(read) => (read, stored),
            Err(Stopped) => (Ok(0), stored),
        }
    })
}
