//! Leave and the holiday calendar in the store. Both arrive as attendance imports (a file
//! of approved leave, one request or decision, a year's calendar), so that the days they
//! touch are derived again in the same transaction. Leave is append-only: a request, then
//! decisions (approved, rejected, cancelled), the latest of which is its state.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::params;
use serde::Serialize;

use super::attendance::{AttendanceTx, RosterView};
use super::{Error, Result, Store};
use crate::domain::month::{date_text, parse_date};
use crate::engine::attendance::Day;

const TIME: &str = "%Y-%m-%d %H:%M";

/// A leave's state: its latest decision, or requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaveState {
    Requested,
    Approved,
    Rejected,
    Cancelled,
}

impl LeaveState {
    pub fn id(self) -> &'static str {
        match self {
            LeaveState::Requested => "requested",
            LeaveState::Approved => "approved",
            LeaveState::Rejected => "rejected",
            LeaveState::Cancelled => "cancelled",
        }
    }

    /// What people read.
    pub fn label(self) -> &'static str {
        match self {
            LeaveState::Requested => "待审批",
            LeaveState::Approved => "已批准",
            LeaveState::Rejected => "已驳回",
            LeaveState::Cancelled => "已撤销",
        }
    }

    pub fn parse(text: &str) -> Option<LeaveState> {
        [
            LeaveState::Requested,
            LeaveState::Approved,
            LeaveState::Rejected,
            LeaveState::Cancelled,
        ]
        .into_iter()
        .find(|s| s.id() == text || s.label() == text)
    }

    /// Whether it holds a span of the employee's time (another leave may not overlap it).
    pub fn holds(self) -> bool {
        matches!(self, LeaveState::Requested | LeaveState::Approved)
    }
}

/// A leave to store: whose, of which type (the policy's `[leave]` id), the span it covers
/// (whole days run from 00:00 of the first to 00:00 after the last), why, and where it
/// came from (`file:row`, or `entry by …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLeave {
    pub employee: String,
    pub kind: String,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub reason: String,
    pub source: String,
}

/// A leave on record, with who asked (or imported it) and its latest decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leave {
    pub id: i64,
    pub employee: String,
    pub kind: String,
    #[serde(serialize_with = "minute")]
    pub start: NaiveDateTime,
    #[serde(serialize_with = "minute")]
    pub end: NaiveDateTime,
    pub reason: String,
    pub source: String,
    pub by: String,
    pub at: String,
    pub state: LeaveState,
    pub decision: Option<LeaveDecision>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeaveDecision {
    pub reason: String,
    pub by: String,
    pub at: String,
}

/// A day of the holiday calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holiday {
    #[serde(serialize_with = "crate::domain::month::serde_date")]
    pub date: NaiveDate,
    /// A day off (休), or else a make-up workday (班).
    pub off: bool,
    pub name: String,
}

fn minute<S: serde::Serializer>(t: &NaiveDateTime, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&t.format(TIME).to_string())
}

fn time(text: &str) -> Result<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text, TIME)
        .map_err(|_| Error::Corrupt(format!("leave time `{text}`")))
}

/// Leaves with their latest decision; `filter` is a condition on `l` (the leave).
const LEAVES: &str = "
    WITH latest AS (SELECT leave_id, max(id) AS id FROM leave_decisions GROUP BY leave_id)
    SELECT l.id, l.employee, l.kind, l.start, l.end, l.reason, l.source, i.by, i.at,
           d.state, d.reason, di.by, di.at
      FROM leaves l JOIN attendance_imports i ON i.id = l.import_id
      LEFT JOIN latest ON latest.leave_id = l.id
      LEFT JOIN leave_decisions d ON d.id = latest.id
      LEFT JOIN attendance_imports di ON di.id = d.import_id";

fn leaves_where(
    conn: &rusqlite::Connection,
    filter: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Leave>> {
    let mut st = conn.prepare_cached(&format!("{LEAVES} WHERE {filter} ORDER BY l.start, l.id"))?;
    let rows = st.query_map(params, |r| {
        Ok((
            (
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ),
            (r.get::<_, String>(7)?, r.get::<_, String>(8)?),
            (
                r.get::<_, Option<String>>(9)?,
                r.get::<_, Option<String>>(10)?,
                r.get::<_, Option<String>>(11)?,
                r.get::<_, Option<String>>(12)?,
            ),
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let ((id, employee, kind, start, end, reason, source), (by, at), decided) = row?;
        let (state, decision) = match decided {
            (Some(state), Some(reason), Some(by), Some(at)) => (
                LeaveState::parse(&state)
                    .ok_or_else(|| Error::Corrupt(format!("leave state `{state}`")))?,
                Some(LeaveDecision { reason, by, at }),
            ),
            _ => (LeaveState::Requested, None),
        };
        out.push(Leave {
            id,
            employee,
            kind,
            start: time(&start)?,
            end: time(&end)?,
            reason,
            source,
            by,
            at,
            state,
            decision,
        });
    }
    Ok(out)
}

impl Store {
    /// Leave `id`, if on record.
    pub fn leave(&self, id: i64) -> Result<Option<Leave>> {
        Ok(leaves_where(&self.conn, "l.id = ?1", [id])?.pop())
    }

    /// Leaves overlapping the days `from`–`to` (of one employee, or all), earliest first.
    pub fn leaves(
        &self,
        employee: Option<&str>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Leave>> {
        leaves_in(&self.conn, employee, from, to)
    }

    /// The holiday calendar from `from` to `to`: each date as its latest import says.
    pub fn holidays(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<Holiday>> {
        holidays(&self.conn, from, to)
    }
}

/// Leaves overlapping the days `from`–`to` (from 00:00 of the first to 00:00 after the last).
fn leaves_in(
    conn: &rusqlite::Connection,
    employee: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Leave>> {
    let midnight = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN).format(TIME).to_string();
    leaves_where(
        conn,
        "l.start < ?2 AND l.end > ?1 AND (?3 IS NULL OR l.employee = ?3)",
        params![
            midnight(from),
            midnight(to + chrono::TimeDelta::days(1)),
            employee
        ],
    )
}

fn holidays(conn: &rusqlite::Connection, from: NaiveDate, to: NaiveDate) -> Result<Vec<Holiday>> {
    let mut st = conn.prepare_cached(
        "SELECT h.date, h.off, h.name FROM holidays h
          WHERE h.date BETWEEN ?1 AND ?2
            AND h.id = (SELECT max(id) FROM holidays WHERE date = h.date)
          ORDER BY h.date",
    )?;
    let rows = st.query_map(params![date_text(from), date_text(to)], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, bool>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (date, off, name) = row?;
        let date = parse_date(&date).ok_or_else(|| Error::Corrupt(format!("holiday `{date}`")))?;
        out.push(Holiday { date, off, name });
    }
    Ok(out)
}

impl AttendanceTx<'_> {
    /// Stores a leave with this import; returns its id.
    pub fn add_leave(&mut self, leave: &NewLeave) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO leaves (import_id, employee, kind, start, end, reason, source)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                self.import(),
                leave.employee,
                leave.kind,
                leave.start.format(TIME).to_string(),
                leave.end.format(TIME).to_string(),
                leave.reason,
                leave.source
            ])?;
        self.wrote("leaves");
        Ok(self.conn().last_insert_rowid())
    }

    /// Records a decision on leave `id`.
    pub fn decide_leave(&mut self, id: i64, state: LeaveState, reason: &str) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO leave_decisions (import_id, leave_id, state, reason) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![self.import(), id, state.id(), reason])?;
        self.wrote("leave_decisions");
        Ok(())
    }

    /// Records a day of the holiday calendar.
    pub fn add_holiday(&mut self, day: &Holiday) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO holidays (import_id, date, off, name) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                self.import(),
                date_text(day.date),
                day.off,
                day.name
            ])?;
        self.wrote("holidays");
        Ok(())
    }

    /// `employee`'s leaves overlapping the days `from`–`to`, as this transaction sees them.
    pub fn leaves_of(&self, employee: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<Leave>> {
        leaves_in(self.conn(), Some(employee), from, to)
    }
}

impl RosterView<'_> {
    /// The holiday calendar from `from` to `to`.
    pub fn calendar(&self, from: NaiveDate, to: NaiveDate) -> Result<BTreeMap<NaiveDate, Day>> {
        Ok(holidays(self.0, from, to)?
            .into_iter()
            .map(|h| (h.date, if h.off { Day::Off } else { Day::Work }))
            .collect())
    }
}
