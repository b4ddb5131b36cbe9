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
//! ("re-derived from …") and adds the new ones. A corrected export of the same span (most
//! of the earlier one's days lie in the new one's) supersedes the earlier wholly: the days
//! the earlier reached beyond the correction — a mistyped date that stretched it over
//! months — are released and what was derived for them voided.
//!
//! An export that would turn more than the policy's `max_absent_percent` of its rostered
//! days into absences and missing punches is refused as a likely wrong file unless the
//! importer accepts the number it states (`--accept-absences N`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

use super::notices::Digest;
use super::{Actor, App, Error, FileInput, Invalid, Missing, Result, member};
use crate::domain::access::{Action, Target};
use crate::domain::event::{FieldValue, Fields};
use crate::domain::month::Month;
use crate::domain::staff::StaffRecord;
use crate::engine::attendance::{
    Derived, Inputs, OnLeave, Shift, Stamped, Stray, assign, basis, derive, leave_taken, on_leave,
    standing_shift, within_leave,
};
use crate::evaluation::rulebook::Rulebook;
use crate::intake::{
    Encoding, Rejected, RowProblem, Wrong, read_clock, read_handovers, read_roster,
};
use crate::policy::{ABSENCE_FLOOR, DEFAULT_MAX_ABSENT_PERCENT};
use crate::store::{
    AttendanceTx, Correction, Intake, LeaveState, LiveDerived, NewEvent, RosterReader, RosterView,
};

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
    /// Of the events added: absences, and missing punches.
    pub absences: usize,
    pub missing_punches: usize,
    /// Employee-days an earlier export of the same span spoke for and this one leaves
    /// out: released, and their derived events voided.
    pub released: usize,
    pub stored: bool,
}

/// The files of attendance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Roster,
    Clock,
    Handover,
}

/// An import's rows, read and checked.
enum Rows {
    Roster(Vec<(String, Shift)>),
    Stamped(Intake, Vec<Stamped>),
}

impl App {
    /// Imports a roster (`employee,date,start,end[,handover]`): the shifts replace, day by
    /// day, any earlier roster of those employees' days.
    pub fn import_roster<'f>(
        &self,
        by: &Actor,
        file: impl Into<FileInput<'f>>,
    ) -> Result<AttendanceImported> {
        self.import_attendance(by, file, Source::Roster, false, None)
    }

    /// Imports a time clock export (one row per punch, or one per day); `dry_run` derives
    /// and reports without storing. An export deriving more absences and missing punches
    /// than the policy's share of rostered days is refused unless `accept` is at least
    /// their number.
    pub fn import_clock<'f>(
        &self,
        by: &Actor,
        file: impl Into<FileInput<'f>>,
        dry_run: bool,
        accept: Option<usize>,
    ) -> Result<AttendanceImported> {
        self.import_attendance(by, file, Source::Clock, dry_run, accept)
    }

    /// Imports handover records (`employee,date,time`).
    pub fn import_handovers<'f>(
        &self,
        by: &Actor,
        file: impl Into<FileInput<'f>>,
    ) -> Result<AttendanceImported> {
        self.import_attendance(by, file, Source::Handover, false, None)
    }

    fn import_attendance<'f>(
        &self,
        by: &Actor,
        file: impl Into<FileInput<'f>>,
        what: Source,
        dry_run: bool,
        accept: Option<usize>,
    ) -> Result<AttendanceImported> {
        let super::TextFile {
            name,
            encoding,
            text,
        } = super::read_text(file.into())?;
        let read = |known: &BTreeSet<String>| {
            let rejected = |rows: Rejected| Error::Rejected {
                rows,
                outcome: "nothing was imported".into(),
            };
            Ok(match what {
                Source::Roster => Rows::Roster(read_roster(&name, &text, known).map_err(rejected)?),
                Source::Clock => Rows::Stamped(
                    Intake::Clock,
                    read_clock(&name, &text, known).map_err(rejected)?,
                ),
                Source::Handover => Rows::Stamped(
                    Intake::Handover,
                    read_handovers(&name, &text, known).map_err(rejected)?,
                ),
            })
        };
        let checked = (what == Source::Clock).then_some(accept);
        self.attend(by, &name, encoding, dry_run, checked, read)
    }

    /// Records one handover record of `employee` written at `time` (`HH:MM`) on `date`, as
    /// a one-row import: the day it speaks for is derived again.
    pub fn add_handover(
        &self,
        by: &Actor,
        employee: &str,
        date: &str,
        time: &str,
    ) -> Result<AttendanceImported> {
        let date = crate::domain::month::parse_date(date.trim())
            .ok_or_else(|| Invalid::BadDate(date.to_string()))?;
        let time = chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M").map_err(|_| {
            Invalid::BadTime {
                what: "the handover time",
                given: time.to_string(),
            }
        })?;
        let record = Stamped {
            employee: employee.to_string(),
            at: date.and_time(time),
            source: format!("entry by {}", by.name()),
        };
        self.attend(by, "entry", Encoding::Utf8, false, None, |known| {
            if !known.contains(employee) {
                return Err(self.not_on_file(by, Action::RecordEvent, employee));
            }
            Ok(Rows::Stamped(Intake::Handover, vec![record]))
        })
    }

    /// Stores the rows `read` gives (from the staff ids on file) as an import named `name`,
    /// and derives the days they speak for again, all in one transaction (`dry_run`: none).
    /// `checked`: the share of absences is checked, and `Some(n)` accepts up to n.
    fn attend(
        &self,
        by: &Actor,
        name: &str,
        encoding: Encoding,
        dry_run: bool,
        checked: Option<Option<usize>>,
        read: impl FnOnce(&BTreeSet<String>) -> Result<Rows>,
    ) -> Result<AttendanceImported> {
        let (mut store, rulebook) = self.store_and_rules()?;
        let staff: BTreeMap<String, StaffRecord> = store
            .staff_records()?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        let known: BTreeSet<String> = staff.keys().cloned().collect();
        let rows = read(&known)?;
        let dated: Vec<(&str, NaiveDate)> = match &rows {
            Rows::Roster(r) => r.iter().map(|(at, s)| (at.as_str(), s.date)).collect(),
            Rows::Stamped(_, s) => s.iter().map(|p| (p.source.as_str(), p.at.date())).collect(),
        };
        refuse_closed_days(&store, dated)?;
        if let Rows::Roster(shifts) = &rows {
            // A shift on a day its employee was not employed would derive an absence
            // nobody could have avoided.
            let outside: Vec<RowProblem> = shifts
                .iter()
                .filter_map(|(at, s)| {
                    let e = staff[&s.employee].at(Month::of(s.date));
                    (!e.employed_on(s.date)).then(|| RowProblem::new(at, not_employed(e, s.date)))
                })
                .collect();
            if !outside.is_empty() {
                return Err(Error::Rejected {
                    rows: Rejected::of(outside),
                    outcome: "nothing was imported".into(),
                });
            }
        }
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
        let intake = match &rows {
            Rows::Roster(_) => Intake::Roster,
            Rows::Stamped(what, _) => *what,
        };
        let announcer = self.announcer(&store)?;
        let reader = match &rows {
            Rows::Stamped(..) => Some(store.roster_reader()?),
            Rows::Roster(_) => None,
        };
        let mut tx = store.attendance(intake, name, count, &stamp)?;
        let mut released_days = 0;
        let mut read = ShiftsRead::default();
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
                // The shifts the rows belong to are read on another thread meanwhile.
                read = std::thread::scope(|scope| {
                    let staff = &staff;
                    let ahead =
                        reader.map(|r| scope.spawn(move || ShiftsRead::ahead(r, staff, stamped)));
                    tx.add_stamped(*what, stamped)?;
                    ahead.map_or_else(
                        || Ok(ShiftsRead::default()),
                        |a| a.join().expect("reading the roster does not panic"),
                    )
                })?;
                let mut days = covered(&tx, &rulebook, &staff, stamped, &mut read)?;
                let released = superseded(&tx, *what, &days)?;
                tx.cover(days.iter().map(|(e, d)| (e.as_str(), *d)))?;
                for (e, d) in &released {
                    tx.release(e, *d)?;
                }
                released_days = released.len();
                days.extend(released);
                days
            }
        };
        let reason = format!("re-derived from {name}");
        let mut settled = rederive(&mut tx, &rulebook, &staff, by, &days, &reason, &mut read)?;
        if let Some(accept) = checked {
            settled.refuse_flood(name, accept)?;
        }
        let settled_added = std::mem::take(&mut settled.added_for);
        let done = AttendanceImported {
            released: released_days,
            stored: !dry_run,
            ..settled.report(name.to_string(), encoding, count)
        };
        if !dry_run {
            let added: BTreeMap<String, usize> =
                settled_added.into_iter().filter(|(_, n)| *n > 0).collect();
            if let (Some(a), Some(first)) = (&announcer, tx.first_stored()) {
                let digests = self.import_digests(
                    a,
                    &rulebook,
                    &staff,
                    first,
                    &added,
                    by,
                    Digest::Attendance,
                );
                tx.notify(&digests)?;
            }
            tx.commit(count)?;
        }
        Ok(done)
    }
}

/// Refuses rows (`at`, the day they speak of) dated in a closed month: a closed month keeps
/// its attendance (roster, punches, leave, calendar) as it was.
pub(super) fn refuse_closed_days<'a>(
    store: &crate::store::Store,
    dated: impl IntoIterator<Item = (&'a str, NaiveDate)>,
) -> Result<()> {
    let closed: BTreeMap<Month, String> = store
        .closed_months()?
        .into_iter()
        .filter_map(|c| Some((c.month.parse().ok()?, c.by)))
        .collect();
    if closed.is_empty() {
        return Ok(());
    }
    let in_closed: Vec<RowProblem> = dated
        .into_iter()
        .filter_map(|(at, day)| {
            let by = closed.get(&Month::of(day))?;
            let by = by.clone();
            Some(RowProblem::new(at, Wrong::DayClosed { day, by }))
        })
        .collect();
    if in_closed.is_empty() {
        return Ok(());
    }
    Err(Error::Rejected {
        rows: Rejected::of(in_closed),
        outcome: "nothing was stored".into(),
    })
}

/// What a re-derivation changed.
#[derive(Debug, Default)]
pub(super) struct Settled {
    pub(super) days: usize,
    pub(super) added: usize,
    pub(super) withdrawn: usize,
    /// Of the events added: absences, and missing punches.
    pub(super) absences: usize,
    pub(super) missing_punches: usize,
    /// The employee-days derived with a shift on the roster.
    rostered: usize,
    /// The smallest `max_absent_percent` of the policies that governed those days.
    absent_percent: Option<i64>,
    /// How many events were added for each employee: their digest.
    pub(super) added_for: BTreeMap<String, usize>,
}

impl Settled {
    /// What a stored import of `rows` rows from `file` reports, with what this derived
    /// (nothing released).
    pub(super) fn report(
        &self,
        file: String,
        encoding: Encoding,
        rows: usize,
    ) -> AttendanceImported {
        AttendanceImported {
            file,
            encoding,
            rows,
            days: self.days,
            added: self.added,
            withdrawn: self.withdrawn,
            absences: self.absences,
            missing_punches: self.missing_punches,
            released: 0,
            stored: true,
        }
    }

    /// Refuses what derived more absences and missing punches than the policy's share of
    /// the rostered days (and more than [`ABSENCE_FLOOR`]), unless `accept` covers them.
    fn refuse_flood(&self, file: &str, accept: Option<usize>) -> Result<()> {
        let derived = self.absences + self.missing_punches;
        let percent = self.absent_percent.unwrap_or(DEFAULT_MAX_ABSENT_PERCENT) as usize;
        let allowed = (self.rostered * percent / 100).max(ABSENCE_FLOOR);
        if derived <= allowed || accept.is_some_and(|n| n >= derived) {
            return Ok(());
        }
        Err(Invalid::AbsenceFlood {
            file: file.to_string(),
            absences: self.absences,
            missing_punches: self.missing_punches,
            rostered: self.rostered,
            percent,
            accepted: accept,
        }
        .into())
    }
}

/// Derives `days` again from what is in force for each, under the `[attendance]` of the
/// policy governing its employee then, and settles the log to it. A punch that fits no
/// shift refuses the whole import, naming its row. Each employee's span of days is read
/// once (shifts, punches, records, derived events) and derived day by day from memory.
/// `read`: the shifts this import read so far (a fresh one when it read none).
pub(super) fn rederive(
    tx: &mut AttendanceTx,
    rulebook: &Rulebook,
    staff: &BTreeMap<String, StaffRecord>,
    by: &Actor,
    days: &BTreeSet<(String, NaiveDate)>,
    reason: &str,
    read: &mut ShiftsRead,
) -> Result<Settled> {
    let mut by_employee: BTreeMap<&str, Vec<NaiveDate>> = BTreeMap::new();
    for (e, d) in days {
        by_employee.entry(e).or_default().push(*d);
    }
    let mut done = Settled::default();
    let mut strays = Vec::new();
    // Most companies keep no handover records: their two queries per employee are spared.
    let handovers = tx.any_import(Intake::Handover)?;
    for (employee, dates) in by_employee {
        let record = &staff[employee];
        let (first, last) = (dates[0], dates[dates.len() - 1]);
        let day = |n: i64, d: NaiveDate| d + TimeDelta::days(n);
        let at = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN);
        let clocks = tx.coverings(Intake::Clock, employee, first, last)?;
        let handed = if handovers {
            tx.coverings(Intake::Handover, employee, first, last)?
        } else {
            BTreeMap::new()
        };
        // Approved leave takes the shifts it covers (or moves their ends); a punch within
        // it that no shift left would take is not judged (someone who came in on a day of
        // leave is not late for it), while one just before a morning's leave ends is the
        // afternoon's arrival.
        let leave = approved_leave(tx, employee, day(-2, first), day(2, last))?;
        let spans: Vec<(NaiveDateTime, NaiveDateTime)> =
            leave.iter().map(|l| (l.start, l.end)).collect();
        let span = (day(-2, first), day(2, last));
        let before_leave = read.get(&tx.roster(), record, span, span)?;
        let shifts = on_leave(before_leave.clone(), &spans);
        let stamped = |what| tx.stamped(what, employee, at(day(-1, first)), at(day(2, last)));
        let on_leave = |p: &Stamped| within_leave(p.at, &spans);
        let punches = stamped(Intake::Clock)?;
        let records = if handovers {
            stamped(Intake::Handover)?
        } else {
            Vec::new()
        };
        let mut live: BTreeMap<NaiveDate, Vec<LiveDerived>> = BTreeMap::new();
        for (d, l) in tx.live_derived(employee, first, last)? {
            live.entry(d).or_default().push(l);
        }
        for date in dates {
            let month = Month::of(date);
            if !record.at(month).employed_on(date) {
                continue;
            }
            let Some(policy) = rulebook.governing(&record.at(month).department, month) else {
                continue;
            };
            let Some(rules) = policy.attendance.as_ref() else {
                continue;
            };
            // Leave taken that day, as events of its kind where a rule sees the kind.
            let label = |kind: &str| {
                policy.by_kind.contains_key(kind).then(|| {
                    policy
                        .leave
                        .get(kind)
                        .map_or_else(|| kind.to_string(), |t| t.label.clone())
                })
            };
            let leave_days = leave_taken(&before_leave, date, &leave, label);
            let clock = clocks.get(&date).copied();
            let inputs = Inputs {
                punches: clock.is_some(),
                handovers: handed.contains_key(&date),
            };
            if !inputs.punches && !inputs.handovers {
                // Nothing speaks for the day (any longer: an export superseded): what was
                // derived from it goes, but for the leave taken.
                let was = live.remove(&date).unwrap_or_default();
                if !was.is_empty() || !leave_days.is_empty() {
                    let (added, withdrawn) = settle(tx, by, leave_days, was, reason)?;
                    done.days += 1;
                    done.added += added.len();
                    *done.added_for.entry(employee.to_string()).or_default() += added.len();
                    done.withdrawn += withdrawn;
                }
                continue;
            }
            let (near_from, near_to) = (day(-2, date), day(2, date));
            let near = |s: &&Shift| near_from <= s.date && s.date <= near_to;
            let shifts: Vec<&Shift> = shifts.iter().filter(near).collect();
            // The punches and records from the day before to the day after, found in the
            // span's, which are in time order.
            let span = (at(day(-1, date)), at(day(2, date)));
            let window = |all| between(all, span);
            // The export in force for the day, and every approved correction.
            let taken = |p: &Stamped| {
                shifts.iter().any(|s| {
                    s.starts() - TimeDelta::minutes(rules.window_before) <= p.at
                        && p.at <= s.ends() + TimeDelta::minutes(rules.window_after)
                })
            };
            let punches: Vec<&Stamped> = window(&punches)
                .iter()
                .filter(|(import, p)| {
                    clock.is_some()
                        && (import.is_none() || *import == clock)
                        && (!on_leave(p) || taken(p))
                })
                .map(|(_, p)| p)
                .collect();
            let records: Vec<&Stamped> = window(&records).iter().map(|(_, r)| r).collect();
            let rostered = shifts.iter().any(|s| s.date == date);
            match derive(rules, &shifts, &punches, &records, inputs, |d| d == date) {
                Ok(mut derived) => {
                    derived.extend(leave_days);
                    done.days += 1;
                    done.rostered += usize::from(rostered);
                    let percent = done.absent_percent.get_or_insert(rules.max_absent_percent);
                    *percent = (*percent).min(rules.max_absent_percent);
                    let was = live.remove(&date).unwrap_or_default();
                    let (added, withdrawn) = settle(tx, by, derived, was, reason)?;
                    let is = |k: &Option<String>, d: &&Derived| k.as_ref() == Some(&d.kind);
                    done.absences += added.iter().filter(|d| is(&rules.absence, d)).count();
                    done.missing_punches +=
                        added.iter().filter(|d| is(&rules.missing_punch, d)).count();
                    done.added += added.len();
                    *done.added_for.entry(employee.to_string()).or_default() += added.len();
                    done.withdrawn += withdrawn;
                }
                Err(problems) => strays.extend(problems),
            }
        }
    }
    if strays.is_empty() {
        return Ok(done);
    }
    strays.sort();
    strays.dedup();
    Err(rejected_rows(strays))
}

/// The stamped rows of `all` (in time order) from `from` up to `to`.
fn between(
    all: &[(Option<i64>, Stamped)],
    (from, to): (NaiveDateTime, NaiveDateTime),
) -> &[(Option<i64>, Stamped)] {
    let start = all.partition_point(|(_, p)| p.at < from);
    let end = all.partition_point(|(_, p)| p.at < to);
    &all[start..end]
}

/// `record`'s shifts from `from` to `to`: the roster's, or on a day the roster does not
/// list them, the standing shift of their attributes (`shift_start`, `shift_end`,
/// `workdays`) unless the holiday calendar makes it a day off (or a make-up workday); then
/// as their approved leave leaves them.
fn shifts_of(
    roster: &RosterView,
    record: &StaffRecord,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Shift>> {
    let mut out = roster.shifts(&record.id, from, to)?;
    let listed: BTreeSet<NaiveDate> = out.iter().map(|s| s.date).collect();
    let calendar = roster.calendar(from, to)?;
    for day in from.iter_days().take_while(|d| *d <= to) {
        if !listed.contains(&day) {
            let e = record.at(Month::of(day));
            let holiday = calendar.get(&day).copied();
            out.extend(standing_shift(&record.id, &e.attrs, day, holiday));
        }
    }
    Ok(out)
}

/// Each employee's shifts, read once per import: assigning its punches to shifts and
/// deriving its days both need them (each read was a query per employee). Read over the
/// widest span asked for and cut to each span asked; cut, they are what [`shifts_of`]
/// gives for that span, in its order (the roster's by day, then the standing shifts).
#[derive(Default)]
pub(super) struct ShiftsRead {
    read: std::collections::HashMap<String, (NaiveDate, NaiveDate, Vec<Shift>)>,
}

impl ShiftsRead {
    /// The shifts that assigning `stamped` to shifts reads (see [`covered`]), read on
    /// another thread through `reader` while the rows are stored.
    fn ahead(
        reader: RosterReader,
        staff: &BTreeMap<String, StaffRecord>,
        stamped: &[Stamped],
    ) -> Result<ShiftsRead> {
        let mut days: BTreeMap<&str, (NaiveDate, NaiveDate)> = BTreeMap::new();
        for s in stamped {
            let day = s.at.date();
            let (first, last) = days.entry(&s.employee).or_insert((day, day));
            (*first, *last) = ((*first).min(day), (*last).max(day));
        }
        let mut out = ShiftsRead::default();
        let roster = reader.roster();
        for (employee, (first, last)) in days {
            let (span, wide) = assigning(first, last);
            out.get(&roster, &staff[employee], span, wide)?;
        }
        Ok(out)
    }

    /// `record`'s shifts from `from` to `to`, read from `wide` (which holds that span) when
    /// not read before over a span holding it.
    fn get(
        &mut self,
        roster: &RosterView,
        record: &StaffRecord,
        (from, to): (NaiveDate, NaiveDate),
        wide: (NaiveDate, NaiveDate),
    ) -> Result<Vec<Shift>> {
        let held = |(f, t, _): &&(NaiveDate, NaiveDate, Vec<Shift>)| *f <= from && to <= *t;
        if self.read.get(&record.id).filter(held).is_none() {
            let shifts = shifts_of(roster, record, wide.0, wide.1)?;
            self.read
                .insert(record.id.clone(), (wide.0, wide.1, shifts));
        }
        let (_, _, shifts) = &self.read[&record.id];
        let within = |s: &&Shift| from <= s.date && s.date <= to;
        Ok(shifts.iter().filter(within).cloned().collect())
    }
}

/// `employee`'s approved leave around the days `from`–`to`.
fn approved_leave(
    tx: &AttendanceTx,
    employee: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<OnLeave>> {
    Ok(tx
        .leaves_of(employee, from - TimeDelta::days(1), to + TimeDelta::days(1))?
        .into_iter()
        .filter(|l| l.state == LeaveState::Approved)
        .map(|l| OnLeave {
            start: l.start,
            end: l.end,
            kind: l.kind,
            id: l.id,
        })
        .collect())
}

/// That `e` was not employed on `day`, and when they were.
fn not_employed(e: &crate::domain::staff::Employee, day: NaiveDate) -> Wrong {
    Wrong::NotEmployed {
        employee: e.id.clone(),
        date: day,
        joined: e.joined,
        left: e.left,
    }
}

/// Punches no shift holds, as an import's refusal.
fn rejected_rows(strays: Vec<Stray>) -> Error {
    Error::Rejected {
        rows: Rejected::of(
            (strays.into_iter())
                .map(|s| {
                    let stray = Wrong::StrayPunch {
                        employee: s.employee,
                        at: s.at,
                        before: s.before,
                        after: s.after,
                    };
                    RowProblem::new(s.source, stray)
                })
                .collect(),
        ),
        outcome: "nothing was imported".into(),
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
    shifts: &mut ShiftsRead,
) -> Result<BTreeSet<(String, NaiveDate)>> {
    // A punch on a day its employee was not employed (a night shift's may fall on the day
    // after leaving) is a wrong id or a wrong date: no shift or policy of theirs speaks
    // for it.
    let outside: Vec<RowProblem> = stamped
        .iter()
        .filter_map(|s| {
            let e = staff[&s.employee].latest();
            let day = s.at.date();
            let employed = e.joined <= day && e.left.is_none_or(|l| day <= l + TimeDelta::days(1));
            (!employed).then(|| RowProblem::new(s.source.clone(), not_employed(e, day)))
        })
        .collect();
    if !outside.is_empty() {
        return Err(Error::Rejected {
            rows: Rejected::of(outside),
            outcome: "nothing was imported".into(),
        });
    }
    let mut by_employee: BTreeMap<&str, Vec<&Stamped>> = BTreeMap::new();
    for s in stamped {
        by_employee.entry(&s.employee).or_default().push(s);
    }
    let mut dates: BTreeSet<NaiveDate> = BTreeSet::new();
    let mut problems = Vec::new();
    let mut max_gap = i64::MAX;
    // A handover record, like a punch, belongs to the shift around it.
    for (employee, rows) in &by_employee {
        let (first, last) = (
            rows.iter().map(|r| r.at.date()).min(),
            rows.iter().map(|r| r.at.date()).max(),
        );
        let (Some(first), Some(last)) = (first, last) else {
            continue;
        };
        let (span, wide) = assigning(first, last);
        let shifts = shifts.get(&tx.roster(), &staff[*employee], span, wide)?;
        let month = Month::of(first);
        let rules = rulebook
            .governing(&staff[*employee].at(month).department, month)
            .and_then(|p| p.attendance.clone())
            .ok_or_else(|| Invalid::NoAttendanceRules {
                employee: employee.to_string(),
                month,
            })?;
        max_gap = max_gap.min(rules.max_gap_days);
        match assign(&rules, &shifts, rows) {
            Ok(days) => dates.extend(days),
            Err(p) => problems.extend(p),
        }
    }
    let far = far_dates(stamped, max_gap);
    if !far.is_empty() {
        return Err(Error::Rejected {
            rows: Rejected::of(far),
            outcome: "nothing was imported".into(),
        });
    }
    if !problems.is_empty() {
        return Err(rejected_rows(problems));
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

/// The days whose shifts assigning punches from `first` to `last` reads, and the wider
/// days read for them: punches belong to the roster's shifts, whatever leave says of them,
/// and the days derived from them ask for the wider span too (see [`rederive`]).
fn assigning(
    first: NaiveDate,
    last: NaiveDate,
) -> ((NaiveDate, NaiveDate), (NaiveDate, NaiveDate)) {
    let span = (first - TimeDelta::days(2), last + TimeDelta::days(1));
    let wide = (first - TimeDelta::days(3), last + TimeDelta::days(3));
    (span, wide)
}

/// The employee-days earlier imports of `what` spoke for that an import speaking for `days`
/// supersedes. An earlier import most of whose days (of the employees this one speaks for)
/// lie within this one's span is the same export, corrected: where it reached beyond this
/// one and is still in force there, the day is released. Overlapping exports of
/// neighbouring periods (a week's and the next, sharing a day or two) supersede nothing.
fn superseded(
    tx: &AttendanceTx,
    what: Intake,
    days: &BTreeSet<(String, NaiveDate)>,
) -> Result<BTreeSet<(String, NaiveDate)>> {
    let mut out = BTreeSet::new();
    let (Some(first), Some(last)) = (
        days.iter().map(|(_, d)| *d).min(),
        days.iter().map(|(_, d)| *d).max(),
    ) else {
        return Ok(out);
    };
    let employees: BTreeSet<&str> = days.iter().map(|(e, _)| e.as_str()).collect();
    let within = |d: &NaiveDate| first <= *d && *d <= last;
    for import in tx.imports_covering(what, first, last)? {
        let mut rows = tx.covered_by(import)?;
        rows.retain(|(e, _)| employees.contains(e.as_str()));
        let inside = rows.iter().filter(|(_, d)| within(d)).count();
        if inside * 2 <= rows.len() {
            continue;
        }
        let mut beyond: BTreeMap<String, Vec<NaiveDate>> = BTreeMap::new();
        for (e, d) in rows.into_iter().filter(|(_, d)| !within(d)) {
            beyond.entry(e).or_default().push(d);
        }
        for (employee, dates) in beyond {
            let (Some(from), Some(to)) = (dates.iter().min(), dates.iter().max()) else {
                continue;
            };
            let in_force = tx.coverings(what, &employee, *from, *to)?;
            for d in dates {
                if in_force.get(&d) == Some(&import) {
                    out.insert((employee.clone(), d));
                }
            }
        }
    }
    Ok(out)
}

/// The rows dated far outside the bulk of the file: its dates split at every gap longer
/// than `max_gap` days, every part but the largest is a likely typo (a punch of 2025-11-03
/// in January's export would stretch the export over ten months and derive an absence for
/// every rostered day between). The first row of each such date is named.
fn far_dates(stamped: &[Stamped], max_gap: i64) -> Vec<RowProblem> {
    let mut first_row: BTreeMap<NaiveDate, &Stamped> = BTreeMap::new();
    for s in stamped {
        first_row.entry(s.at.date()).or_insert(s);
    }
    let dates: Vec<NaiveDate> = first_row.keys().copied().collect();
    let mut parts: Vec<&[NaiveDate]> = Vec::new();
    let mut start = 0;
    for i in 1..dates.len() {
        if (dates[i] - dates[i - 1]).num_days() > max_gap {
            parts.push(&dates[start..i]);
            start = i;
        }
    }
    parts.push(&dates[start..]);
    let Some(bulk) = parts.iter().copied().max_by_key(|p| p.len()) else {
        return Vec::new();
    };
    let (from, to) = (bulk[0], bulk[bulk.len() - 1]);
    parts
        .iter()
        .filter(|p| !std::ptr::eq(**p, bulk))
        .flat_map(|p| p.iter())
        .map(|d| {
            let row = first_row[d];
            let far = Wrong::FarDate {
                date: *d,
                gap: max_gap,
                from,
                to,
            };
            RowProblem::new(row.source.clone(), far)
        })
        .collect()
}

/// Brings a day to what `derived` says, against `live` (what was derived for it before and
/// still counts): the events no longer supported are voided, the new ones added, the rest
/// left alone. Returns (added, how many voided).
fn settle(
    tx: &mut AttendanceTx,
    by: &Actor,
    derived: Vec<Derived>,
    live: Vec<LiveDerived>,
    reason: &str,
) -> Result<(Vec<Derived>, usize)> {
    let same = |d: &Derived, l: &LiveDerived| {
        d.kind == l.kind && d.minutes == l.minutes && basis(&d.note) == basis(&l.note)
    };
    let mut withdrawn = 0;
    for l in &live {
        if !derived.iter().any(|d| same(d, l)) {
            tx.withdraw(l.id, reason)?;
            withdrawn += 1;
        }
    }
    let mut added = Vec::new();
    for d in derived
        .into_iter()
        .filter(|d| !live.iter().any(|l| same(d, l)))
    {
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
        added.push(d);
    }
    Ok((added, withdrawn))
}

impl App {
    /// Asks for a punch correction (补卡) of `employee`'s `date`: the punches that should
    /// have been (`in_time`, `out_time`, `HH:MM`), and why. The employee asks for their own;
    /// whoever may enter their events may ask too. Returns its id.
    pub fn request_correction(
        &self,
        by: &Actor,
        employee: &str,
        date: &str,
        in_time: Option<&str>,
        out_time: Option<&str>,
        reason: &str,
    ) -> Result<i64> {
        let reason = super::log::required_reason(reason)?;
        let mut store = self.store()?;
        let record = store
            .staff_record(employee)?
            .ok_or_else(|| self.not_on_file(by, Action::RecordEvent, employee))?;
        if by.employee() != Some(employee) {
            let target = Target::Employee(member(&record, self.today));
            self.authorize(by, Action::RecordEvent, &target)?;
        }
        let date = crate::domain::month::parse_date(date.trim())
            .ok_or_else(|| Invalid::BadDate(date.to_string()))?;
        if date > self.today {
            return Err(Invalid::FutureDate {
                date,
                today: self.today,
            }
            .into());
        }
        let time = |t: Option<&str>, what: &'static str| -> Result<Option<chrono::NaiveTime>> {
            t.map(|t| {
                chrono::NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| {
                    Invalid::BadTime {
                        what,
                        given: t.to_string(),
                    }
                    .into()
                })
            })
            .transpose()
        };
        let (i, o) = (time(in_time, "clock-in")?, time(out_time, "clock-out")?);
        if i.is_none() && o.is_none() {
            return Err(Invalid::CorrectionEmpty.into());
        }
        Ok(store.request_correction(employee, date, i, o, reason, &self.stamp(by))?)
    }

    /// Corrections, oldest first (of one employee, or only those waiting).
    pub fn corrections(
        &self,
        by: &Actor,
        employee: Option<&str>,
        waiting: bool,
    ) -> Result<Vec<Correction>> {
        let seen = self.seen_of(by, employee)?;
        let mut corrections = self.store()?.corrections(employee, waiting)?;
        corrections.retain(|c| seen.contains(&c.employee));
        Ok(corrections)
    }

    /// Approves or rejects correction `id`. Whoever may enter the employee's events decides,
    /// never the employee; an approval beyond the policy's `corrections_per_month` is
    /// refused. An approved correction's punches count from then on, and its day is
    /// derived again at once.
    pub fn decide_correction(
        &self,
        by: &Actor,
        id: i64,
        approve: bool,
        reason: &str,
    ) -> Result<AttendanceImported> {
        let reason = super::log::required_reason(reason)?;
        let (mut store, rulebook) = self.store_and_rules()?;
        let c = store
            .correction(id)?
            .ok_or_else(|| Error::NotFound(Missing::Correction(id)))?;
        let staff: BTreeMap<String, StaffRecord> = store
            .staff_records()?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        let record = staff.get(&c.employee).ok_or_else(|| {
            crate::store::Error::Corrupt(format!("correction {id} names no employee on file"))
        })?;
        if by.employee() == Some(c.employee.as_str()) {
            return Err(Error::OwnCorrection);
        }
        let target = Target::Employee(member(record, self.today));
        self.authorize(by, Action::RecordEvent, &target)?;
        let name = format!("补卡 #{id}");
        let stamp = self.stamp(by);
        let punches = if approve { c.punches().len() } else { 0 };
        let mut tx = store.attendance(Intake::Correction, &name, punches, &stamp)?;
        if approve {
            let month = Month::of(c.date);
            let cap = rulebook
                .governing(&record.at(month).department, month)
                .and_then(|p| p.attendance.as_ref())
                .and_then(|a| a.corrections_per_month);
            if let Some(cap) = cap
                && tx.approved_corrections(&c.employee, month)? >= cap
            {
                return Err(Invalid::CorrectionCap {
                    employee: c.employee.clone(),
                    cap,
                    month,
                }
                .into());
            }
        }
        tx.decide_correction(&c, approve, reason)?;
        let settled = if approve {
            let day = BTreeSet::from([(c.employee.clone(), c.date)]);
            rederive(
                &mut tx,
                &rulebook,
                &staff,
                by,
                &day,
                &format!("re-derived with {name}"),
                &mut ShiftsRead::default(),
            )?
        } else {
            Settled::default()
        };
        tx.commit(punches)?;
        Ok(settled.report(name, Encoding::Utf8, punches))
    }
}
