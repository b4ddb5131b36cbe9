//! The daily log: entering one event, importing a file of them, listing, voiding (an entry
//! mistake) and excusing (an approved appeal). Nothing is ever edited or deleted.

use std::collections::BTreeMap;
use std::path::Path;

use super::scope::Seen;
use super::{Actor, App, AttendanceImported, Error, Invalid, Result, member};
use crate::domain::access::{self, Action, Target};
use crate::domain::event::Event;
use crate::domain::notice::NoticeKind;
use crate::domain::staff::StaffRecord;
use crate::evaluation::rulebook::Rulebook;
use crate::intake::{Encoding, Entry, EventRow, EventValidator, Rejected, decoded, read_events};
use crate::store::{self, Entered, EventFilter, NewEvent, Prepared, Single, Spill, Stamp, Store};

/// An entry and who makes it, recorded with others by [`App::add_events`].
#[derive(Debug, Clone)]
pub struct Submitted {
    pub by: Actor,
    pub entry: Entry,
    /// A second event with exactly the content of a live one is meant.
    pub again: bool,
}

/// What recording one entry did: entries of kind [`HANDOVER`] are not events but the
/// handover records a missed handover is judged by, so their day is derived again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// A new event, by id.
    Event(i64),
    /// A handover record, stored with its day derived again.
    Handover(AttendanceImported),
}

/// The kind an entry names to record a handover (its time in the field `time`, `HH:MM`).
pub const HANDOVER: &str = "handover";

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// Every row is valid; nothing was stored (a dry run).
    Valid {
        file: String,
        rows: usize,
        encoding: Encoding,
    },
    /// Ids of the events stored, and how many rows were already in the log.
    Stored {
        file: String,
        ids: store::Ids,
        already: usize,
        encoding: Encoding,
    },
}

impl App {
    /// Records one entry, validated exactly as an import row; without a date it is
    /// today's. An exact copy of a live event (same employee, date, kind, qty, fields and
    /// note) is refused, naming it, unless `again` says a second one happened. Every front
    /// end enters through here or [`App::add_events`], so that every entry rule (a
    /// handover is a record of attendance, not an event) holds for all of them.
    pub fn add_event(&self, by: &Actor, entry: Entry, again: bool) -> Result<Recorded> {
        let submitted = Submitted {
            by: by.clone(),
            entry,
            again,
        };
        self.add_events(vec![submitted])?
            .pop()
            .expect("one answer per entry")
    }

    /// Records entries, of one or several people, in one transaction: each is authorized,
    /// validated and stored or refused on its own, exactly as [`App::add_event`] does, but
    /// one commit (one sync to disk) serves them all — a server gathers the entries that
    /// arrive while the previous batch commits. Fails as a whole only where none could be
    /// stored (no database, no policy, the database failing); then none is. Handover
    /// records are stored after the batch, each in its own transaction.
    pub fn add_events(&self, batch: Vec<Submitted>) -> Result<Vec<Result<Recorded>>> {
        let (handovers, events): (Vec<_>, Vec<_>) = batch
            .into_iter()
            .enumerate()
            .partition(|(_, s)| s.entry.kind.trim() == HANDOVER);
        let mut answers = Vec::with_capacity(handovers.len() + events.len());
        if !events.is_empty() {
            let (at, events): (Vec<usize>, Vec<Submitted>) = events.into_iter().unzip();
            let stored = self.add_event_rows(events)?;
            answers.extend(
                at.into_iter()
                    .zip(stored.into_iter().map(|r| r.map(Recorded::Event))),
            );
        }
        for (i, s) in handovers {
            let done = self.add_handover_entry(&s.by, &s.entry);
            answers.push((i, done.map(Recorded::Handover)));
        }
        // One answer per entry, in the order they came.
        answers.sort_by_key(|(i, _)| *i);
        Ok(answers.into_iter().map(|(_, answer)| answer).collect())
    }

    /// A handover record entered as an entry: its time in the field `time`.
    fn add_handover_entry(&self, by: &Actor, entry: &Entry) -> Result<AttendanceImported> {
        let Some(time) = entry.fields.get("time") else {
            let kind = entry.kind.trim().to_string();
            let kind_label = self
                .kind_labels()?
                .remove(&kind)
                .unwrap_or_else(|| kind.clone());
            return Err(Error::rejected_entry([crate::intake::Issue {
                field: Some("time".to_string()),
                wrong: crate::intake::Wrong::FieldMissing {
                    kind,
                    kind_label,
                    field: "time".to_string(),
                    label: "时间".to_string(),
                    ty: crate::domain::event::FieldType::Time,
                },
            }]));
        };
        let date = match entry.date.trim() {
            "" => self.today.to_string(),
            d => d.to_string(),
        };
        self.add_handover(by, entry.employee.trim(), &date, time)
    }

    /// Records event entries in one transaction (see [`App::add_events`]).
    fn add_event_rows(&self, batch: Vec<Submitted>) -> Result<Vec<Result<i64>>> {
        let (mut store, rulebook) = self.store_and_rules()?;
        // An entry needs only its employee's record.
        let mut staff = BTreeMap::new();
        for s in &batch {
            let id = s.entry.employee.trim();
            if !staff.contains_key(id)
                && let Some(record) = store.staff_record(id)?
            {
                staff.insert(id.to_string(), record);
            }
        }
        let v = self.validator(&store, &rulebook, staff, None)?;
        let at = self.stamp_time();
        let checked: Vec<Result<(NewEvent, Stamp, bool)>> = batch
            .into_iter()
            .map(|s| {
                let stamp = Stamp {
                    by: s.by.name().to_string(),
                    at: at.clone(),
                };
                let again = s.again;
                Ok((self.check_entry(&v, s)?, stamp, again))
            })
            .collect();
        let announcer = self.announcer(&store)?;
        let notice = |event: &NewEvent, stamp: &Stamp| {
            let a = announcer.as_ref()?;
            let record = v.staff.get(&event.employee)?;
            let department = &record
                .at(crate::domain::month::Month::of(event.date))
                .department;
            let policy =
                rulebook.governing(department, crate::domain::month::Month::of(event.date))?;
            self.recorded_notice(a, event, record, policy, &stamp.by)
        };
        let singles: Vec<Single> = checked
            .iter()
            .flatten()
            .map(|(event, stamp, again)| Single {
                event,
                stamp,
                again: *again,
                notice: notice(event, stamp),
            })
            .collect();
        let mut stored = store.append_entries(&singles)?.into_iter();
        Ok(checked
            .into_iter()
            .map(|c| {
                let (event, ..) = c?;
                stored
                    .next()
                    .expect("one answer per entry stored")
                    .map_err(|e| match e {
                        store::Error::Same(id) => Error::SameEvent {
                            id,
                            what: format!("{} {} {}", event.employee, event.date, event.kind),
                        },
                        e => e.into(),
                    })
            })
            .collect())
    }

    /// One entry as an import row, authorized and validated: out of scope is a refusal of
    /// the person (asked first), not a problem of the entry.
    fn check_entry(&self, v: &EventValidator, s: Submitted) -> Result<NewEvent> {
        let mut entry = s.entry;
        if let Some(record) = v.staff.get(entry.employee.trim()) {
            let target = Target::Employee(member(record, self.today));
            self.authorize(&s.by, Action::RecordEvent, &target)?;
        }
        if entry.date.trim().is_empty() {
            entry.date = self.today.format("%Y-%m-%d").to_string();
        }
        let row = EventRow {
            entry,
            recorded_by: s.by.name().to_string(),
        };
        v.check(&row).map_err(Error::rejected_entry)
    }

    /// Imports an events file, all or nothing; `dry_run` validates only. Rows without
    /// `recorded_by` are recorded as by `by`.
    pub fn import_events(&self, by: &Actor, file: &Path, dry_run: bool) -> Result<Imported> {
        let input = std::fs::File::open(file).map_err(|source| Error::Io {
            path: file.to_path_buf(),
            source,
        })?;
        let input = std::io::BufReader::with_capacity(1 << 20, input);
        self.import_events_from(by, &file.display().to_string(), input, dry_run)
    }

    /// Imports events read from `input` (a file uploaded to a server), named `name` in
    /// every message and in the log's record of imports, as [`App::import_events`] does.
    pub fn import_events_from(
        &self,
        by: &Actor,
        name: &str,
        input: impl std::io::Read + Send,
        dry_run: bool,
    ) -> Result<Imported> {
        let (mut store, rulebook) = self.store_and_rules()?;
        let (encoding, input) = decoded(input)
            .map_err(|source| Error::Io {
                path: name.into(),
                source,
            })?
            .map_err(|shape| Error::Unreadable {
                file: name.into(),
                shape,
            })?;
        let name = name.to_string();
        let staff = store
            .staff_records()?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        let v = self.validator(&store, &rulebook, staff, Some(by))?;
        // The whole file is read, checked and prepared first, into a spill file, without
        // the write lock: other writers go on, and a bad row anywhere stores nothing.
        let mut spill = if dry_run {
            None
        } else {
            Some(Spill::new().map_err(store::Error::from)?)
        };
        let (read, spilled) = pipeline(&name, input, &v, |event, row_id| match &mut spill {
            Some(s) => Ok(s.push(&Prepared::new(event).with_source(row_id.as_deref()))?),
            None => Ok(()),
        });
        spilled?;
        let rows = match read {
            Ok(rows) => rows,
            Err(rows) => {
                let outcome = format!(
                    "{} bad {}; nothing was imported",
                    rows.bad_rows,
                    crate::domain::text::plural(rows.bad_rows, "row", "rows")
                );
                return Err(Error::Rejected { rows, outcome });
            }
        };
        let Some(spill) = spill else {
            return Ok(Imported::Valid {
                file: name,
                rows,
                encoding,
            });
        };
        // Only now the write lock, to insert: the rows go into one transaction, which the
        // store's own checks (a month closed meanwhile) can still refuse whole.
        let announcer = self.announcer(&store)?;
        let mut appender = store.appender(Some(&name), &self.stamp(by))?;
        // How many events the import stored for each employee: their digest.
        let mut stored: BTreeMap<String, usize> = BTreeMap::new();
        spill.each_row(|row| {
            let before = appender.stored_len();
            appender.push(row)?;
            if announcer.is_some() && appender.stored_len() > before {
                *stored.entry(row.employee().to_string()).or_default() += 1;
            }
            Ok::<_, store::Error>(())
        })?;
        if let (Some(a), Some(first)) = (&announcer, appender.first_stored()) {
            appender.notify(&self.import_digests(
                a,
                &rulebook,
                &v.staff,
                first,
                &stored,
                by,
                super::notices::Digest::Events,
            ))?;
        }
        let out = appender.commit(rows)?;
        Ok(Imported::Stored {
            file: name,
            ids: out.stored,
            already: out.already,
            encoding,
        })
    }

    /// Events matching `filter` that `by` may see, voided and excused ones marked.
    pub fn events(&self, by: &Actor, filter: &EventFilter) -> Result<Vec<Event>> {
        let seen = self.seen_of(by, filter.employee.as_deref())?;
        self.events_seen(&seen, filter)
    }

    /// Events matching `filter` of those in `seen` (what [`App::seen_of`] allowed).
    pub(super) fn events_seen(&self, seen: &Seen, filter: &EventFilter) -> Result<Vec<Event>> {
        let mut events = self.store()?.events(filter)?;
        events.retain(|e| seen.contains(&e.employee));
        Ok(events)
    }

    /// Voids an event (an entry mistake): it stays in the log and stops counting.
    pub fn void_event(&self, by: &Actor, id: i64, reason: &str) -> Result<()> {
        let reason = required_reason(reason)?;
        let mut store = self.store()?;
        self.authorize_on_event(&store, by, Action::VoidEvent, id)?;
        let notices = self.mark_notices(&store, NoticeKind::EventVoided, id, reason, by)?;
        Ok(store.void(id, reason, &self.stamp(by), &notices)?)
    }

    /// Excuses an event (an approved appeal): it stays, scores nothing, and is explained.
    pub fn excuse_event(&self, by: &Actor, id: i64, reason: &str) -> Result<()> {
        let reason = required_reason(reason)?;
        let mut store = self.store()?;
        self.authorize_on_event(&store, by, Action::ExcuseEvent, id)?;
        let notices = self.mark_notices(&store, NoticeKind::EventExcused, id, reason, by)?;
        Ok(store.excuse(id, reason, &self.stamp(by), &notices)?)
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
    /// policies, today and the closed months. The rows of an import by `importer` are also
    /// checked against whom they may record events for, and rows without `recorded_by` are
    /// recorded as by them; single entries (`None`) are authorized one by one before.
    fn validator<'a>(
        &self,
        store: &Store,
        rulebook: &'a Rulebook,
        staff: BTreeMap<String, StaffRecord>,
        importer: Option<&'a Actor>,
    ) -> Result<EventValidator<'a>> {
        let today = self.today;
        Ok(EventValidator {
            may_record: Box::new(move |record| {
                let target = Target::Employee(member(record, today));
                importer.and_then(|by| {
                    access::allow(&by.person(), Action::RecordEvent, &target).refusal()
                })
            }),
            staff,
            rulebook,
            today: self.today,
            default_by: importer.map(|by| by.name().to_string()),
            closed: store
                .closed_months()?
                .into_iter()
                .filter_map(|c| Some((c.month.parse().ok()?, (c.by, c.at))))
                .collect(),
        })
    }
}

/// A reason, trimmed; a blank one is refused.
pub(super) fn required_reason(reason: &str) -> Result<&str> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Invalid::ReasonRequired.into());
    }
    Ok(reason)
}

/// The consumer of an import stopped (its error is reported instead).
struct Stopped;

/// Reads and validates the rows on one thread while `store` prepares and keeps them on this
/// one (with their row ids), a batch at a time: an import uses two cores. Returns what
/// reading found and the first error of `store`, which stops the reading.
fn pipeline(
    name: &str,
    input: impl std::io::Read + Send,
    v: &EventValidator,
    mut store: impl FnMut(NewEvent, Option<String>) -> store::Result<()>,
) -> (std::result::Result<usize, Rejected>, store::Result<()>) {
    const BATCH: usize = 4096;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(NewEvent, Option<String>)>>(4);
    std::thread::scope(|threads| {
        let reader = threads.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            let read = read_events(name, input, v, |e, row_id| {
                batch.push((e, row_id.map(str::to_string)));
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
        let stored = rx.iter().try_for_each(|batch| {
            batch
                .into_iter()
                .try_for_each(|(event, row_id)| store(event, row_id))
        });
        // Dropping the receiver stops a reader still going after a store error.
        drop(rx);
        let read = reader.join().expect("the import's reading thread panicked");
        match read {
            Ok(read) => (read, stored),
            Err(Stopped) => (Ok(0), stored),
        }
    })
}
