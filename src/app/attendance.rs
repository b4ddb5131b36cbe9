//! Attendance intake: the roster, the time clock's export and handover records, each
//! imported whole, and the events they support derived under each department's
//! `[attendance]` in the same transaction. Derived events are ordinary events of the
//! policy's kinds (so `nth`, caps and tiers apply), entered by whoever imports, each with a
//! note naming its shift and the rows it comes from.
//!
//! What an import of punches (or of handover records) speaks for: the days from the first
//! to the last it holds, for every employee of the departments it names — so an employee
//! with no punch at all on a rostered day is absent, and another department's days are
//! left alone. On those days, the latest such import is what happened: importing the same
//! export again changes nothing; a corrected one voids the events it no longer supports
//! ("re-derived from …") and adds the new ones.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{NaiveDate, TimeDelta};

use super::{Actor, App, Error, Result, member};
use crate::access::{Action, Target};
use crate::attendance::{Derived, Inputs, Shift, Stamped, assign, basis, derive};
use crate::event::{FieldValue, Fields};
use crate::intake::{
    Encoding, Rejected, RowProblem, decode, read_clock, read_handovers, read_roster,
};
use crate::month::Month;
use crate::rulebook::Rulebook;
use crate::staff::StaffRecord;
use crate::store::{AttendanceTx, Intake, NewEvent};

/// What an attendance import did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceImported {
    pub file: String,
    pub encoding: Encoding,
    pub rows: usize,
    /// Employee-days derived again.
    pub days: usize,
    /// Events derived and added.
    pub added: usize,
    /// Events derived before and no longer supported: voided.
    pub withdrawn: usize,
    pub stored: bool,
}

/// An import's rows, read and checked.
enum Rows {
    Roster(Vec<(String, Shift)>),
    Stamped(Intake, Vec<Stamped>),
}

impl App {
    /// Imports a roster (`employee,date,start,end[,handover]`): the shifts replace, day by
    /// day, any earlier roster of those employees' days.
    pub fn import_roster(&self, by: &Actor, file: &Path) -> Result<AttendanceImported> {
        self.import_attendance(by, file, Intake::Roster, false)
    }

    /// Imports a time clock export (one row per punch, or one per day); `dry_run` derives
    /// and reports without storing.
    pub fn import_clock(
        &self,
        by: &Actor,
        file: &Path,
        dry_run: bool,
    ) -> Result<AttendanceImported> {
        self.import_attendance(by, file, Intake::Clock, dry_run)
    }

    /// Imports handover records (`employee,date,time`).
    pub fn import_handovers(&self, by: &Actor, file: &Path) -> Result<AttendanceImported> {
        self.import_attendance(by, file, Intake::Handover, false)
    }

    fn import_attendance(
        &self,
        by: &Actor,
        file: &Path,
        what: Intake,
        dry_run: bool,
    ) -> Result<AttendanceImported> {
        let name = file.display().to_string();
        let bytes = std::fs::read(file).map_err(|source| Error::Io {
            path: file.to_path_buf(),
            source,
        })?;
        let (encoding, text) = decode(&bytes).map_err(|m| Error::Io {
            path: file.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, m),
        })?;
        let (mut store, rulebook) = self.store_and_rules()?;
        let staff: BTreeMap<String, StaffRecord> = store
            .staff_records()?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        let known: BTreeSet<String> = staff.keys().cloned().collect();
        let rejected = |rows: Rejected| Error::Rejected {
            rows,
            outcome: "nothing was imported".into(),
        };
        let rows = match what {
            Intake::Roster => Rows::Roster(read_roster(&name, &text, &known).map_err(rejected)?),
            Intake::Clock => {
                Rows::Stamped(what, read_clock(&name, &text, &known).map_err(rejected)?)
            }
            Intake::Handover => Rows::Stamped(
                what,
                read_handovers(&name, &text, &known).map_err(rejected)?,
            ),
        };
        let named: BTreeSet<&str> = match &rows {
            Rows::Roster(r) => r.iter().map(|(_, s)| s.employee.as_str()).collect(),
            Rows::Stamped(_, s) => s.iter().map(|p| p.employee.as_str()).collect(),
        };
        for e in &named {
            let target = Target::Employee(member(&staff[*e], self.today));
            self.authorize(by, Action::RecordEvent, &target)?;
        }
        let count = match &rows {
            Rows::Roster(r) => r.len(),
            Rows::Stamped(_, s) => s.len(),
        };
        let stamp = self.stamp(by);
        let mut tx = store.attendance(what, &name, count, &stamp)?;
        let days = match &rows {
            Rows::Roster(shifts) => {
                for (source, shift) in shifts {
                    tx.add_shift(shift, source)?;
                }
                shifts
                    .iter()
                    .map(|(_, s)| (s.employee.clone(), s.date))
                    .collect::<BTreeSet<_>>()
            }
            Rows::Stamped(what, stamped) => {
                for s in stamped {
                    tx.add_stamped(*what, s)?;
                }
                let days = covered(&tx, &rulebook, &staff, stamped)?;
                for (e, d) in &days {
                    tx.cover(e, *d)?;
                }
                days
            }
        };
        let reason = format!("re-derived from {name}");
        let mut done = AttendanceImported {
            file: name,
            encoding,
            rows: count,
            days: 0,
            added: 0,
            withdrawn: 0,
            stored: !dry_run,
        };
        let mut strays = Vec::new();
        for (employee, date) in &days {
            let record = &staff[employee];
            if !record.at(Month::of(*date)).employed_on(*date) {
                continue;
            }
            let month = Month::of(*date);
            let Some(rules) = rulebook
                .governing(&record.at(month).department, month)
                .and_then(|p| p.attendance.as_ref())
            else {
                continue;
            };
            let clock = tx.covering(Intake::Clock, employee, *date)?;
            let inputs = Inputs {
                punches: clock.is_some(),
                handovers: tx.covering(Intake::Handover, employee, *date)?.is_some(),
            };
            if !inputs.punches && !inputs.handovers {
                continue;
            }
            let around: Vec<NaiveDate> = (-2..=2).map(|n| *date + TimeDelta::days(n)).collect();
            let shifts = tx.shifts(employee, &around)?;
            let punches = match clock {
                Some(import) => tx.stamped(Intake::Clock, Some(import), employee, *date)?,
                None => Vec::new(),
            };
            let records = tx.stamped(Intake::Handover, None, employee, *date)?;
            let derived = match derive(rules, &shifts, &punches, &records, inputs, |d| d == *date) {
                Ok(d) => d,
                Err(problems) => {
                    strays.extend(problems);
                    continue;
                }
            };
            done.days += 1;
            let (added, withdrawn) = settle(&mut tx, by, employee, *date, derived, &reason)?;
            done.added += added;
            done.withdrawn += withdrawn;
        }
        if !strays.is_empty() {
            strays.sort();
            strays.dedup();
            return Err(rejected(Rejected(
                strays
                    .into_iter()
                    .map(|m| match m.split_once(": ") {
                        Some((at, message)) => RowProblem {
                            at: at.to_string(),
                            message: message.to_string(),
                        },
                        None => RowProblem {
                            at: done.file.clone(),
                            message: m,
                        },
                    })
                    .collect(),
            )));
        }
        if !dry_run {
            tx.commit(count)?;
        }
        Ok(done)
    }
}

/// The employee-days an import of punches or handover records speaks for: from the first to
/// the last day its rows belong to (a punch, the day of its shift), for every employee of
/// the departments it names.
fn covered(
    tx: &AttendanceTx,
    rulebook: &Rulebook,
    staff: &BTreeMap<String, StaffRecord>,
    stamped: &[Stamped],
) -> Result<BTreeSet<(String, NaiveDate)>> {
    let mut by_employee: BTreeMap<&str, Vec<Stamped>> = BTreeMap::new();
    for s in stamped {
        by_employee.entry(&s.employee).or_default().push(s.clone());
    }
    let mut dates: BTreeSet<NaiveDate> = BTreeSet::new();
    let mut problems = Vec::new();
    // A handover record, like a punch, belongs to the shift around it.
    for (employee, rows) in &by_employee {
        let (first, last) = (
            rows.iter().map(|r| r.at.date()).min(),
            rows.iter().map(|r| r.at.date()).max(),
        );
        let (Some(first), Some(last)) = (first, last) else {
            continue;
        };
        let around: Vec<NaiveDate> = first
            .pred_opt()
            .and_then(|d| d.pred_opt())
            .unwrap_or(first)
            .iter_days()
            .take_while(|d| *d <= last + TimeDelta::days(1))
            .collect();
        let shifts = tx.shifts(employee, &around)?;
        let month = Month::of(first);
        let rules = rulebook
            .governing(&staff[*employee].at(month).department, month)
            .and_then(|p| p.attendance.clone())
            .ok_or_else(|| {
                Error::refused(format!(
                    "the policy governing `{employee}` in {month} has no `[attendance]`; punches cannot be turned into events"
                ))
            })?;
        match assign(&rules, &shifts, rows) {
            Ok(days) => dates.extend(days),
            Err(p) => problems.extend(p),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Rejected {
            rows: Rejected(
                problems
                    .into_iter()
                    .map(|m| {
                        let (at, message) = m.split_once(": ").unwrap_or(("", &m));
                        RowProblem {
                            at: at.to_string(),
                            message: message.to_string(),
                        }
                    })
                    .collect(),
            ),
            outcome: "nothing was imported".into(),
        });
    }
    let (Some(first), Some(last)) = (dates.first().copied(), dates.last().copied()) else {
        return Ok(BTreeSet::new());
    };
    let departments: BTreeSet<&str> = by_employee
        .keys()
        .map(|e| staff[*e].at(Month::of(first)).department.as_str())
        .collect();
    let mut days = BTreeSet::new();
    for date in first.iter_days().take_while(|d| *d <= last) {
        for r in staff.values() {
            if r.at(Month::of(date)).employed_on(date)
                && departments.contains(r.at(Month::of(date)).department.as_str())
            {
                days.insert((r.id.clone(), date));
            }
        }
    }
    Ok(days)
}

/// Brings `employee`'s `date` to what `derived` says: the events no longer supported are
/// voided, the new ones added, the rest left alone. Returns (added, voided).
fn settle(
    tx: &mut AttendanceTx,
    by: &Actor,
    employee: &str,
    date: NaiveDate,
    derived: Vec<Derived>,
    reason: &str,
) -> Result<(usize, usize)> {
    let live = tx.live_derived(employee, date)?;
    let same = |d: &Derived, l: &crate::store::LiveDerived| {
        d.kind == l.kind && d.minutes == l.minutes && basis(&d.note) == basis(&l.note)
    };
    let mut withdrawn = 0;
    for l in &live {
        if !derived.iter().any(|d| same(d, l)) {
            tx.withdraw(l.id, reason)?;
            withdrawn += 1;
        }
    }
    let mut added = 0;
    for d in derived.iter().filter(|d| !live.iter().any(|l| same(d, l))) {
        let mut fields = Fields::new();
        if let Some(m) = d.minutes {
            fields.insert("minutes".into(), FieldValue::Int(m));
        }
        tx.derive(&NewEvent {
            employee: d.employee.clone(),
            date: d.date,
            kind: d.kind.clone(),
            qty: 1,
            note: d.note.clone(),
            fields,
            recorded_by: by.name().to_string(),
        })?;
        added += 1;
    }
    Ok((added, withdrawn))
}
