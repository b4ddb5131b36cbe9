//! Leave (请假) and the holiday calendar: what attendance is derived against. Approved
//! leave takes the shifts it covers (or moves their ends), a public holiday takes the
//! standing shift and a make-up workday gives one; each change derives the days it touches
//! again in its own transaction, voiding what no longer holds ("re-derived with …").

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

use super::attendance::{AttendanceImported, Settled, ShiftsRead, rederive, refuse_closed_days};
use super::{Actor, App, Error, FileInput, Invalid, Missing, Result, member};
use crate::domain::access::{Action, Target};
use crate::domain::month::Month;
use crate::domain::staff::StaffRecord;
use crate::intake::{
    Encoding, Rejected, RowProblem, UnknownLeave, Wrong, read_holidays, read_leave,
};
use crate::store::{AttendanceTx, Holiday, Intake, Leave, LeaveState, NewLeave};

/// A leave asked for by hand: whose, which type (id or label), from and to as a leave
/// file writes them (a date, a date with a time, or with 上午/下午), and why.
#[derive(Debug, Clone, Default)]
pub struct LeaveRequest {
    pub employee: String,
    pub kind: String,
    pub from: String,
    pub to: String,
    pub reason: String,
}

/// What a leave import did: the attendance it derived again, and the rows left out because
/// they were not approved (by the state the file gave them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaveImported {
    pub done: AttendanceImported,
    pub left_out: BTreeMap<String, usize>,
}

/// The days a span of time touches.
fn days_of(start: NaiveDateTime, end: NaiveDateTime) -> impl Iterator<Item = NaiveDate> {
    let last = (end - TimeDelta::seconds(1)).date();
    start.date().iter_days().take_while(move |d| *d <= last)
}

/// How a leave is shown in a message: its type and span.
fn shown(kind: &str, start: NaiveDateTime, end: NaiveDateTime) -> String {
    format!(
        "{kind} {} – {}",
        start.format("%Y-%m-%d %H:%M"),
        end.format("%Y-%m-%d %H:%M")
    )
}

impl App {
    /// The leave types of the policy governing `employee` now: `text` as an id or label →
    /// the id.
    fn leave_kind(
        &self,
        rulebook: &crate::evaluation::rulebook::Rulebook,
        record: &StaffRecord,
        text: &str,
    ) -> std::result::Result<String, UnknownLeave> {
        let month = Month::of(self.today);
        let policy = rulebook.governing(&record.at(month).department, month);
        match policy.and_then(|p| p.leave_type(text)) {
            Some((id, _)) => Ok(id.to_string()),
            None => Err(UnknownLeave {
                given: crate::domain::text::clip(text),
                known: (policy.iter())
                    .flat_map(|p| &p.leave)
                    .map(|(id, t)| format!("{} ({id})", t.label))
                    .collect(),
            }),
        }
    }

    /// Asks for leave; returns its id. The employee asks for their own; whoever may enter
    /// their events may ask for them. It counts once approved.
    pub fn request_leave(&self, by: &Actor, request: LeaveRequest) -> Result<i64> {
        let (mut store, rulebook) = self.store_and_rules()?;
        let record = store
            .staff_record(&request.employee)?
            .ok_or_else(|| self.not_on_file(by, Action::RecordEvent, &request.employee))?;
        if by.employee() != Some(request.employee.as_str()) {
            let target = Target::Employee(member(&record, self.today));
            self.authorize(by, Action::RecordEvent, &target)?;
        }
        let reason = super::log::required_reason(&request.reason)?;
        let kind = (self.leave_kind(&rulebook, &record, &request.kind))
            .map_err(Invalid::UnknownLeaveType)?;
        let mut wrong = Vec::new();
        let start = crate::intake::leave_moment(&request.from, false, "from", &mut wrong);
        let end = crate::intake::leave_moment(&request.to, true, "to", &mut wrong);
        let (Some(start), Some(end)) = (start, end) else {
            return Err(Error::rejected_entry(wrong));
        };
        if end <= start {
            return Err(Error::rejected_entry([Wrong::LeaveBackwards {
                start,
                end,
            }]));
        }
        let leave = NewLeave {
            employee: request.employee.clone(),
            kind,
            start,
            end,
            reason: reason.to_string(),
            source: format!("entry by {}", by.name()),
        };
        let days: Vec<NaiveDate> = days_of(start, end).collect();
        refuse_closed_days(&store, days.iter().map(|d| ("entry", *d)))?;
        let name = format!("请假 {} {}", leave.employee, start.date());
        let mut tx = store.attendance(Intake::Leave, &name, 1, &self.stamp(by))?;
        refuse_overlap(&tx, &leave)?;
        let id = tx.add_leave(&leave)?;
        tx.commit(1)?;
        Ok(id)
    }

    /// Decides leave `id`: approves or rejects it (whoever may enter the employee's
    /// events, never the employee), or cancels it (the employee too). An approval or a
    /// cancellation of approved leave derives its days again at once.
    pub fn decide_leave(
        &self,
        by: &Actor,
        id: i64,
        state: LeaveState,
        reason: &str,
    ) -> Result<AttendanceImported> {
        let (mut store, rulebook) = self.store_and_rules()?;
        let leave = store
            .leave(id)?
            .ok_or_else(|| Error::NotFound(Missing::Leave(id)))?;
        let staff = staff_of(&store)?;
        let record = staff.get(&leave.employee).ok_or_else(|| {
            crate::store::Error::Corrupt(format!("leave {id} names no employee on file"))
        })?;
        let own = by.employee() == Some(leave.employee.as_str());
        if own && state != LeaveState::Cancelled {
            return Err(Invalid::OwnLeave.into());
        }
        if !own {
            let target = Target::Employee(member(record, self.today));
            self.authorize(by, Action::RecordEvent, &target)?;
        }
        let reason = match (state, reason.trim()) {
            (LeaveState::Approved, "") => "同意",
            (_, r) => super::log::required_reason(r)?,
        };
        let allowed = match state {
            LeaveState::Approved | LeaveState::Rejected => leave.state == LeaveState::Requested,
            LeaveState::Cancelled => leave.state.holds(),
            LeaveState::Requested => false,
        };
        if !allowed {
            return Err(Invalid::LeaveDecided {
                id,
                state: leave.state.label(),
            }
            .into());
        }
        let touched = state == LeaveState::Approved || leave.state == LeaveState::Approved;
        let days: BTreeSet<(String, NaiveDate)> = days_of(leave.start, leave.end)
            .map(|d| (leave.employee.clone(), d))
            .collect();
        if touched {
            refuse_closed_days(&store, days.iter().map(|(_, d)| ("leave", *d)))?;
        }
        let name = format!("请假 #{id} {}", state.label());
        let mut tx = store.attendance(Intake::Leave, &name, 1, &self.stamp(by))?;
        tx.decide_leave(id, state, reason)?;
        let settled = if touched {
            rederive(
                &mut tx,
                &rulebook,
                &staff,
                by,
                &days,
                &format!("re-derived with {name}"),
                &mut ShiftsRead::default(),
            )?
        } else {
            Settled::default()
        };
        tx.commit(1)?;
        Ok(settled.report(name, Encoding::Utf8, 1))
    }

    /// Imports approved leave exported from DingTalk, Feishu, WeCom or a spreadsheet: each
    /// approved row is stored as approved leave, the rest counted and left out, and the
    /// days they touch derived again, all in one transaction.
    pub fn import_leave<'f>(
        &self,
        by: &Actor,
        file: impl Into<FileInput<'f>>,
    ) -> Result<LeaveImported> {
        let super::TextFile {
            name,
            encoding,
            text,
        } = super::read_text(file.into())?;
        let (mut store, rulebook) = self.store_and_rules()?;
        let staff = staff_of(&store)?;
        let known: BTreeSet<String> = staff.keys().cloned().collect();
        let read = read_leave(&name, &text, &known, |employee, text| {
            let record = staff
                .get(employee)
                .ok_or_else(|| Wrong::UnknownEmployee(employee.to_string()))?;
            (self.leave_kind(&rulebook, record, text)).map_err(Wrong::UnknownLeaveType)
        })
        .map_err(|rows| Error::Rejected {
            rows,
            outcome: "nothing was imported".into(),
        })?;
        for e in read
            .approved
            .iter()
            .map(|(_, l)| l.employee.as_str())
            .collect::<BTreeSet<_>>()
        {
            let target = Target::Employee(member(&staff[e], self.today));
            self.authorize(by, Action::RecordEvent, &target)?;
        }
        refuse_closed_days(
            &store,
            read.approved
                .iter()
                .flat_map(|(at, l)| days_of(l.start, l.end).map(move |d| (at.as_str(), d))),
        )?;
        // Two rows of the file for the same time of one employee.
        let mut problems = Vec::new();
        for (i, (at, a)) in read.approved.iter().enumerate() {
            for (first, b) in &read.approved[..i] {
                if a.employee == b.employee && a.start < b.end && b.start < a.end {
                    let overlap = Wrong::LeaveOverlap {
                        employee: a.employee.clone(),
                        first: first.clone(),
                    };
                    problems.push(RowProblem::new(at.clone(), overlap));
                }
            }
        }
        if !problems.is_empty() {
            return Err(Error::Rejected {
                rows: Rejected::of(problems),
                outcome: "nothing was imported".into(),
            });
        }
        let rows = read.approved.len();
        let mut tx = store.attendance(Intake::Leave, &name, rows, &self.stamp(by))?;
        let mut days = BTreeSet::new();
        for (at, l) in &read.approved {
            let leave = NewLeave {
                employee: l.employee.clone(),
                kind: l.kind.clone(),
                start: l.start,
                end: l.end,
                reason: l.reason.clone(),
                source: at.clone(),
            };
            refuse_overlap(&tx, &leave)?;
            let id = tx.add_leave(&leave)?;
            tx.decide_leave(id, LeaveState::Approved, "导入时已审批")?;
            days.extend(days_of(l.start, l.end).map(|d| (l.employee.clone(), d)));
        }
        let reason = format!("re-derived with {name}");
        let settled = rederive(
            &mut tx,
            &rulebook,
            &staff,
            by,
            &days,
            &reason,
            &mut ShiftsRead::default(),
        )?;
        tx.commit(rows)?;
        Ok(LeaveImported {
            done: settled.report(name, encoding, rows),
            left_out: read.left_out,
        })
    }

    /// Leaves overlapping `month` (default: every leave of the last year and the next),
    /// of one employee or of everyone `by` may see, optionally of one state.
    pub fn leaves(
        &self,
        by: &Actor,
        employee: Option<&str>,
        month: Option<Month>,
        state: Option<LeaveState>,
    ) -> Result<Vec<Leave>> {
        let seen = self.seen_of(by, employee)?;
        let (from, to) = match month {
            Some(m) => (m.first_day(), m.last_day()),
            None => self.leave_span(),
        };
        let mut leaves = self.store()?.leaves(employee, from, to)?;
        leaves.retain(|l| seen.contains(&l.employee) && state.is_none_or(|s| l.state == s));
        Ok(leaves)
    }

    /// Leave asked for and waiting on `by`: of the people whose events they may enter, not
    /// their own.
    /// Only the requests are weighed, one by one: who `by` sees is not worked out over
    /// every employee (what a page would pay on every load at any size).
    pub fn leaves_waiting_on(&self, by: &Actor) -> Result<Vec<Leave>> {
        let store = self.store()?;
        let (from, to) = self.leave_span();
        let mut mine = Vec::new();
        for l in store.leaves(None, from, to)? {
            if l.state == LeaveState::Requested && self.decides_for(&store, by, &l.employee)? {
                mine.push(l);
            }
        }
        Ok(mine)
    }

    /// The leaves listed when no month is asked for: those of the last year and the next.
    fn leave_span(&self) -> (NaiveDate, NaiveDate) {
        (
            self.today - TimeDelta::days(366),
            self.today + TimeDelta::days(366),
        )
    }

    /// Imports the year's holiday calendar (`date,kind[,name]`, 休 or 班). HR only; every
    /// employee's days it names are derived again.
    pub fn import_holidays<'f>(
        &self,
        by: &Actor,
        file: impl Into<FileInput<'f>>,
    ) -> Result<AttendanceImported> {
        self.authorize(by, Action::ChangeStaff, &Target::Company)?;
        let super::TextFile {
            name,
            encoding,
            text,
        } = super::read_text(file.into())?;
        let (mut store, rulebook) = self.store_and_rules()?;
        let days = read_holidays(&name, &text).map_err(|rows| Error::Rejected {
            rows,
            outcome: "nothing was imported".into(),
        })?;
        refuse_closed_days(&store, days.iter().map(|(at, h)| (at.as_str(), h.date)))?;
        let staff = staff_of(&store)?;
        let rows = days.len();
        let mut tx = store.attendance(Intake::Holiday, &name, rows, &self.stamp(by))?;
        let mut touched = BTreeSet::new();
        for (_, h) in &days {
            tx.add_holiday(&Holiday {
                date: h.date,
                off: h.off,
                name: h.name.clone(),
            })?;
            for r in staff.values().filter(|r| r.latest().employed_on(h.date)) {
                touched.insert((r.id.clone(), h.date));
            }
        }
        let reason = format!("re-derived with {name}");
        let settled = rederive(
            &mut tx,
            &rulebook,
            &staff,
            by,
            &touched,
            &reason,
            &mut ShiftsRead::default(),
        )?;
        tx.commit(rows)?;
        Ok(settled.report(name, encoding, rows))
    }

    /// Every leave type the activated policies know, id → what people call it.
    pub fn leave_labels(&self) -> Result<BTreeMap<String, String>> {
        let (_, rulebook) = self.store_and_rules()?;
        Ok(rulebook
            .policies()
            .flat_map(|p| p.leave.iter().map(|(id, t)| (id.clone(), t.label.clone())))
            .collect())
    }

    /// The holiday calendar of `year`.
    pub fn holidays(&self, year: i32) -> Result<Vec<Holiday>> {
        let (Some(from), Some(to)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return Ok(Vec::new());
        };
        Ok(self.store()?.holidays(from, to)?)
    }
}

/// Every staff record by id.
fn staff_of(store: &crate::store::Store) -> Result<BTreeMap<String, StaffRecord>> {
    Ok(store
        .staff_records()?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect())
}

/// Refuses a leave that overlaps another of the same employee still held (requested or
/// approved), naming both.
fn refuse_overlap(tx: &AttendanceTx, leave: &NewLeave) -> Result<()> {
    let around = tx.leaves_of(&leave.employee, leave.start.date(), leave.end.date())?;
    match around
        .iter()
        .find(|l| l.state.holds() && l.start < leave.end && leave.start < l.end)
    {
        Some(l) => Err(Invalid::LeaveOverlaps {
            new: shown(&leave.kind, leave.start, leave.end),
            id: l.id,
            old: format!("{}, {}", shown(&l.kind, l.start, l.end), l.state.label()),
        }
        .into()),
        None => Ok(()),
    }
}
