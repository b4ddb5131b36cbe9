//! Attendance in the store: an import of the roster, of punches or of handover records,
//! and the events it derives, in one transaction. What is in force for an employee's day
//! is what the latest import speaking for that day says: a corrected export replaces the
//! earlier one there, and the earlier stays on record.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use rusqlite::params;
use rusqlite::types::{ToSqlOutput, ValueRef};

use super::append::{Appender, Single};
use super::chain::Sealer;
use super::events::{NewEvent, mark_in};
use super::{Error, Result, Row, Stamp, Store, append_audited};
use crate::domain::month::{date_text, parse_date, parse_hour_minute, parse_time_text, time_text};
use crate::engine::attendance::{Shift, Stamped};

/// What an attendance import is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intake {
    Roster,
    Clock,
    Handover,
    /// The punches of an approved correction (补卡).
    Correction,
    /// Leave: a file of approved leave, a request, or a decision on one.
    Leave,
    /// The holiday calendar.
    Holiday,
}

impl Intake {
    fn id(self) -> &'static str {
        match self {
            Intake::Roster => "roster",
            Intake::Clock => "clock",
            Intake::Handover => "handover",
            Intake::Correction => "correction",
            Intake::Leave => "leave",
            Intake::Holiday => "holiday",
        }
    }
}

/// An event derived earlier and still counting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveDerived {
    pub id: i64,
    pub kind: String,
    pub minutes: Option<i64>,
    pub note: String,
}

/// An open attendance import; see [`Store::attendance`]. Dropped without `commit`, it
/// stores nothing.
pub struct AttendanceTx<'a> {
    events: Appender<'a>,
    import: i64,
    stamp: Stamp,
    /// The first row id each table of few rows had in this import (derived marks, leave),
    /// to seal at commit by reading them back.
    first: Vec<(&'static str, i64)>,
    /// The tables of the many rows (shifts, punches, handovers, covered and released
    /// days), sealed from the values written instead.
    sealers: Vec<Sealer>,
}

/// The roster and the holiday calendar (read in `leave`), read through a connection: an
/// import's own, or a reader's on another thread ([`RosterReader`]).
pub struct RosterView<'c>(pub(super) &'c rusqlite::Connection);

impl RosterView<'_> {
    /// The shifts of `employee` in force from `from` to `to` (each day's latest roster).
    pub fn shifts(&self, employee: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<Shift>> {
        // Every roster of those days, each day's in the order imported: a day's latest
        // import is kept below (a correlated `max(import_id)` per row cost a lookup each).
        let mut st = self.0.prepare_cached(
            "SELECT date, start, end, handover, import_id FROM roster
              WHERE employee = ?1 AND date BETWEEN ?2 AND ?3 ORDER BY date, id",
        )?;
        let mut rows = st.query(params![employee, date_text(from), date_text(to)])?;
        let mut out: Vec<Shift> = Vec::new();
        let mut latest: Option<(NaiveDate, i64, usize)> = None;
        while let Some(r) = rows.next()? {
            let text = |i: usize| -> Result<&str> {
                let value = r.get_ref(i)?;
                value
                    .as_str()
                    .map_err(|e| Error::Corrupt(format!("roster of `{employee}`: {e}")))
            };
            let date = text(0)?;
            let corrupt = || Error::Corrupt(format!("roster of `{employee}` on {date}"));
            let time = |i: usize| parse_hour_minute(text(i)?).ok_or_else(corrupt);
            let date = parse_date(date).ok_or_else(corrupt)?;
            let import: i64 = r.get(4)?;
            match latest {
                // A later import of the day replaces the day's shifts read so far.
                Some((day, of, from)) if day == date && of != import => {
                    out.truncate(from);
                    latest = Some((date, import, from));
                }
                Some((day, ..)) if day == date => {}
                _ => latest = Some((date, import, out.len())),
            }
            out.push(Shift {
                employee: employee.to_string(),
                date,
                start: time(1)?,
                end: time(2)?,
                handover: r.get(3)?,
            });
        }
        Ok(out)
    }
}

/// A connection of its own for reading the roster on another thread while an import of
/// punches or handover records writes: such an import writes neither the roster nor the
/// calendar, and holds the write lock, so the reader sees them as the import does.
pub struct RosterReader(rusqlite::Connection);

impl RosterReader {
    pub fn roster(&self) -> RosterView<'_> {
        RosterView(&self.0)
    }
}

impl Store {
    /// A reader of the roster for another thread (see [`RosterReader`]).
    pub fn roster_reader(&self) -> Result<RosterReader> {
        Ok(RosterReader(super::read_only(&self.path)?))
    }

    /// Starts an attendance import of `file` (`rows` read from it), taking the write lock.
    pub fn attendance(
        &mut self,
        what: Intake,
        file: &str,
        rows: usize,
        stamp: &Stamp,
    ) -> Result<AttendanceTx<'_>> {
        let events = self.appender(None, stamp)?;
        let conn = events.conn();
        let row = Row {
            table: "attendance_imports",
            sql: "INSERT INTO attendance_imports (what, file, rows, by, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params: params![what.id(), file, rows as i64, stamp.by, stamp.at],
            key: None,
        };
        let import = append_audited(
            conn,
            row,
            stamp,
            &format!("attendance.{}", what.id()),
            |_| (file.to_string(), format!("{rows} rows")),
        )?;
        Ok(AttendanceTx {
            events,
            import,
            stamp: stamp.clone(),
            first: Vec::new(),
            sealers: Vec::new(),
        })
    }
}

impl AttendanceTx<'_> {
    /// The attendance import this transaction writes.
    pub(super) fn import(&self) -> i64 {
        self.import
    }

    pub(super) fn conn(&self) -> &rusqlite::Connection {
        self.events.conn()
    }

    /// Notes the first row of `table` written by this import, for the seal.
    pub(super) fn wrote(&mut self, table: &'static str) {
        if !self.first.iter().any(|(t, _)| *t == table) {
            let id = self.conn().last_insert_rowid();
            self.first.push((table, id));
        }
    }

    pub fn add_shift(&mut self, shift: &Shift, source: &str) -> Result<()> {
        let (date, start, end) = (
            date_text(shift.date),
            shift.start.format("%H:%M").to_string(),
            shift.end.format("%H:%M").to_string(),
        );
        self.insert_sealed(
            "roster",
            "INSERT INTO roster (import_id, employee, date, start, end, handover, source)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            [
                ValueRef::Integer(self.import),
                ValueRef::from(shift.employee.as_str()),
                ValueRef::from(date.as_str()),
                ValueRef::from(start.as_str()),
                ValueRef::from(end.as_str()),
                ValueRef::Integer(i64::from(shift.handover)),
                ValueRef::from(source),
            ],
        )
    }

    /// Inserts a row of `table` (one of the many rows of an import) by `sql`, whose
    /// parameters are the row's columns after its id, as stored: `values`; and seals it
    /// from them, not by reading it back at commit.
    fn insert_sealed<const N: usize>(
        &mut self,
        table: &'static str,
        sql: &str,
        values: [ValueRef<'_>; N],
    ) -> Result<()> {
        let conn = self.events.conn();
        let params = values.map(ToSqlOutput::Borrowed);
        conn.prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(&params))?;
        let id = conn.last_insert_rowid();
        let row = std::iter::once(ValueRef::Integer(id)).chain(values);
        match self.sealers.iter_mut().find(|s| s.table() == table) {
            Some(sealer) => sealer.add(conn, id, row),
            None => {
                let mut sealer = Sealer::new(table);
                sealer.add(conn, id, row)?;
                self.sealers.push(sealer);
                Ok(())
            }
        }
    }

    /// Stores punches (`Clock`) or handover records (`Handover`).
    pub fn add_stamped(&mut self, what: Intake, rows: &[Stamped]) -> Result<()> {
        let table = match what {
            Intake::Handover => "handovers",
            _ => "punches",
        };
        let sql = format!(
            "INSERT INTO {table} (import_id, employee, at, source) VALUES (?1, ?2, ?3, ?4)"
        );
        for s in rows {
            let at = time_text(s.at);
            let values = [
                ValueRef::Integer(self.import),
                ValueRef::from(s.employee.as_str()),
                ValueRef::from(at.as_str()),
                ValueRef::from(s.source.as_str()),
            ];
            self.insert_sealed(table, &sql, values)?;
        }
        Ok(())
    }

    /// This import speaks for these employee-days.
    pub fn cover<'d>(
        &mut self,
        days: impl IntoIterator<Item = (&'d str, NaiveDate)>,
    ) -> Result<()> {
        self.employee_days("covered", days)
    }

    /// This import withdraws an earlier one's word for `employee`'s `date`: it supersedes
    /// that import, and leaves the day out.
    pub fn release(&mut self, employee: &str, date: NaiveDate) -> Result<()> {
        self.employee_days("released", [(employee, date)])
    }

    /// Stores employee-`days` in `table` (`covered` or `released`) for this import.
    fn employee_days<'d>(
        &mut self,
        table: &'static str,
        days: impl IntoIterator<Item = (&'d str, NaiveDate)>,
    ) -> Result<()> {
        let sql = format!("INSERT INTO {table} (import_id, employee, date) VALUES (?1, ?2, ?3)");
        for (employee, date) in days {
            let date = date_text(date);
            let values = [
                ValueRef::Integer(self.import),
                ValueRef::from(employee),
                ValueRef::from(date.as_str()),
            ];
            self.insert_sealed(table, &sql, values)?;
        }
        Ok(())
    }

    /// The earlier imports of `what` that speak for some day from `from` to `to`, oldest
    /// first.
    pub fn imports_covering(
        &self,
        what: Intake,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<i64>> {
        let mut st = self.conn().prepare_cached(
            "SELECT DISTINCT c.import_id FROM covered c JOIN attendance_imports i ON i.id = c.import_id
              WHERE c.date BETWEEN ?1 AND ?2 AND i.what = ?3 AND c.import_id <> ?4
              ORDER BY c.import_id",
        )?;
        let rows = st.query_map(
            params![date_text(from), date_text(to), what.id(), self.import],
            |r| r.get(0),
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The employee-days import `import` was stored to speak for.
    pub fn covered_by(&self, import: i64) -> Result<Vec<(String, NaiveDate)>> {
        let mut st = self.conn().prepare_cached(
            "SELECT employee, date FROM covered WHERE import_id = ?1 ORDER BY id",
        )?;
        let rows = st.query_map([import], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (employee, date) = row?;
            let day =
                parse_date(&date).ok_or_else(|| Error::Corrupt(format!("covered day `{date}`")))?;
            out.push((employee, day));
        }
        Ok(out)
    }

    /// The roster and the holiday calendar as this transaction sees them.
    pub fn roster(&self) -> RosterView<'_> {
        RosterView(self.conn())
    }

    /// Day → the latest import of `what` that speaks for `employee`'s day, from `from` to
    /// `to`; a day a later import released is spoken for by none.
    pub fn coverings(
        &self,
        what: Intake,
        employee: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<BTreeMap<NaiveDate, i64>> {
        let latest = |sql: &str| -> Result<BTreeMap<NaiveDate, i64>> {
            let mut st = self.conn().prepare_cached(sql)?;
            let rows = st.query_map(
                params![employee, date_text(from), date_text(to), what.id()],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
            )?;
            let mut out = BTreeMap::new();
            for row in rows {
                let (date, import) = row?;
                let day = parse_date(&date)
                    .ok_or_else(|| Error::Corrupt(format!("covered day `{date}`")))?;
                out.insert(day, import);
            }
            Ok(out)
        };
        let mut covered = latest(
            "SELECT c.date, max(c.import_id) FROM covered c JOIN attendance_imports i ON i.id = c.import_id
              WHERE c.employee = ?1 AND c.date BETWEEN ?2 AND ?3 AND i.what = ?4 GROUP BY c.date",
        )?;
        let released = latest(
            "SELECT r.date, max(r.import_id) FROM released r JOIN attendance_imports i ON i.id = r.import_id
              WHERE r.employee = ?1 AND r.date BETWEEN ?2 AND ?3 AND i.what = ?4 GROUP BY r.date",
        )?;
        covered.retain(|day, import| released.get(day).is_none_or(|r| r < import));
        Ok(covered)
    }

    /// The punches (`Clock`: with the import each came with, `None` for an approved
    /// correction's) or the handover records (`Handover`) of `employee` from `from` to
    /// `to`, in time order.
    pub fn stamped(
        &self,
        what: Intake,
        employee: &str,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Result<Vec<(Option<i64>, Stamped)>> {
        let sql = match what {
            Intake::Handover => {
                "SELECT h.at, h.source, h.import_id, 'handover' FROM handovers h
                  WHERE h.employee = ?1 AND h.at >= ?2 AND h.at < ?3 ORDER BY h.at, h.id"
            }
            _ => {
                "SELECT p.at, p.source, p.import_id, i.what FROM punches p
                   JOIN attendance_imports i ON i.id = p.import_id
                  WHERE p.employee = ?1 AND p.at >= ?2 AND p.at < ?3 ORDER BY p.at, p.id"
            }
        };
        let mut st = self.conn().prepare_cached(sql)?;
        let rows = st.query_map(params![employee, time_text(from), time_text(to)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (at, source, import, what) = row?;
            let stamped = Stamped {
                employee: employee.to_string(),
                at: parse_time_text(&at, true)
                    .ok_or_else(|| Error::Corrupt(format!("punch time `{at}`")))?,
                source,
            };
            out.push(((what != "correction").then_some(import), stamped));
        }
        Ok(out)
    }

    /// The derived events of `employee` from `from` to `to` that still count, with their
    /// days.
    pub fn live_derived(
        &self,
        employee: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, LiveDerived)>> {
        let mut st = self.conn().prepare_cached(
            "SELECT e.id, e.kind, e.fields, e.note, e.date FROM events e JOIN derived d ON d.event_id = e.id
              WHERE e.employee = ?1 AND e.date BETWEEN ?2 AND ?3
                AND e.id NOT IN (SELECT event_id FROM voids) ORDER BY e.id",
        )?;
        let rows = st.query_map(params![employee, date_text(from), date_text(to)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, fields, note, date) = row?;
            let fields: serde_json::Value = serde_json::from_str(&fields)
                .map_err(|e| Error::Corrupt(format!("event {id} fields: {e}")))?;
            let day =
                parse_date(&date).ok_or_else(|| Error::Corrupt(format!("event {id} date")))?;
            out.push((
                day,
                LiveDerived {
                    id,
                    kind,
                    minutes: fields.get("minutes").and_then(|m| m.as_i64()),
                    note,
                },
            ));
        }
        Ok(out)
    }

    /// Adds a derived event, entered by whoever runs the import.
    pub fn derive(&mut self, event: &NewEvent) -> Result<i64> {
        let stamp = self.stamp.clone();
        let id = self.events.push_single(&Single {
            event,
            stamp: &stamp,
            // A derived event may have the content of a manual one: both stand.
            again: true,
            notice: None,
        })?;
        // Sealed at the commit with the import's other derived events, in one block.
        self.conn()
            .prepare_cached("INSERT INTO derived (event_id, import_id) VALUES (?1, ?2)")?
            .execute(params![id, self.import])?;
        self.wrote("derived");
        Ok(id)
    }

    /// Voids a derived event the inputs no longer support.
    pub fn withdraw(&mut self, id: i64, reason: &str) -> Result<()> {
        mark_in(self.conn(), id, "voids", "log.void", reason, &self.stamp)
    }

    /// Decides correction `id`: approved, its punches are stored with this import (which is
    /// the correction's own); rejected, nothing else is. Refuses a correction decided
    /// before.
    pub fn decide_correction(&mut self, c: &Correction, approve: bool, reason: &str) -> Result<()> {
        if let Some(d) = &c.decision {
            return Err(Error::Decided(Box::new(super::Decided {
                what: "correction",
                id: c.id,
                outcome: d.outcome.clone(),
                reason: d.reason.clone(),
                by: d.by.clone(),
                at: d.at.clone(),
            })));
        }
        let outcome = if approve { "approved" } else { "rejected" };
        let row = Row {
            table: "correction_decisions",
            sql: "INSERT INTO correction_decisions (correction_id, outcome, reason, by, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params: params![c.id, outcome, reason, self.stamp.by, self.stamp.at],
            key: Some(c.id),
        };
        append_audited(
            self.conn(),
            row,
            &self.stamp,
            &format!("clock.{}", if approve { "approve" } else { "reject" }),
            |id| (format!("correction {id}"), reason.to_string()),
        )?;
        if approve {
            let source = format!("补卡 #{}", c.id);
            let punches: Vec<Stamped> = c
                .punches()
                .into_iter()
                .map(|at| Stamped {
                    employee: c.employee.clone(),
                    at,
                    source: source.clone(),
                })
                .collect();
            self.add_stamped(Intake::Correction, &punches)?;
        }
        Ok(())
    }

    /// How many corrections of `employee` for days of `month` were approved.
    pub fn approved_corrections(
        &self,
        employee: &str,
        month: crate::domain::month::Month,
    ) -> Result<u32> {
        Ok(self.conn().query_row(
            "SELECT count(*) FROM corrections c JOIN correction_decisions d ON d.correction_id = c.id
              WHERE c.employee = ?1 AND c.date >= ?2 AND c.date <= ?3 AND d.outcome = 'approved'",
            params![employee, date_text(month.first_day()), date_text(month.last_day())],
            |r| r.get(0),
        )?)
    }

    /// Whether any import of `what` was stored (this one included): when none was, no
    /// day is covered by one and no row of it is stored, which spares a query per employee.
    pub fn any_import(&self, what: Intake) -> Result<bool> {
        Ok(self
            .conn()
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM attendance_imports WHERE what = ?1)")?
            .query_row([what.id()], |r| r.get(0))?)
    }

    /// The first event this import derived, if any.
    pub fn first_stored(&self) -> Option<i64> {
        self.events.first_stored()
    }

    /// Writes `notices` with what this import stores.
    pub fn notify(&self, notices: &[super::Notice]) -> Result<()> {
        self.events.notify(notices)
    }

    /// Seals what this import wrote and commits: everything becomes visible at once.
    pub fn commit(mut self, rows: usize) -> Result<i64> {
        for sealer in &mut self.sealers {
            sealer.finish(self.events.conn())?;
        }
        for (table, first) in &self.first {
            let key = super::chain::key_of(table);
            let last: i64 = self.conn().query_row(
                &format!("SELECT max({key}) FROM {table} WHERE import_id = ?1"),
                [self.import],
                |r| r.get(0),
            )?;
            super::chain::seal(self.conn(), table, *first, last)?;
        }
        self.events.commit(rows)?;
        Ok(self.import)
    }
}

/// A punch correction (补卡) asked for, and its decision once made.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Correction {
    pub id: i64,
    pub employee: String,
    #[serde(serialize_with = "crate::domain::month::serde_date")]
    pub date: NaiveDate,
    pub in_time: Option<String>,
    pub out_time: Option<String>,
    pub reason: String,
    pub by: String,
    pub at: String,
    pub decision: Option<CorrectionDecision>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CorrectionDecision {
    pub outcome: String,
    pub reason: String,
    pub by: String,
    pub at: String,
}

impl Correction {
    /// The punches it asks for: a check-out before the check-in is the next morning's.
    pub fn punches(&self) -> Vec<NaiveDateTime> {
        let time = |t: &Option<String>| {
            t.as_deref()
                .and_then(|t| NaiveTime::parse_from_str(t, "%H:%M").ok())
        };
        let (i, o) = (time(&self.in_time), time(&self.out_time));
        let mut out: Vec<NaiveDateTime> = i.map(|i| self.date.and_time(i)).into_iter().collect();
        if let Some(o) = o {
            let day = match i {
                Some(i) if o < i => self.date + TimeDelta::days(1),
                _ => self.date,
            };
            out.push(day.and_time(o));
        }
        out
    }
}

impl Store {
    /// Records a request for a punch correction of `employee`'s `date`.
    pub fn request_correction(
        &mut self,
        employee: &str,
        date: NaiveDate,
        in_time: Option<NaiveTime>,
        out_time: Option<NaiveTime>,
        reason: &str,
        stamp: &Stamp,
    ) -> Result<i64> {
        let tx = self.write()?;
        let hm = |t: Option<NaiveTime>| t.map(|t| t.format("%H:%M").to_string());
        let row = Row {
            table: "corrections",
            sql: "INSERT INTO corrections (employee, date, in_time, out_time, reason, by, at)
                  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params: params![
                employee,
                date_text(date),
                hm(in_time),
                hm(out_time),
                reason,
                stamp.by,
                stamp.at
            ],
            key: None,
        };
        let id = append_audited(&tx, row, stamp, "clock.fix", |id| {
            (
                format!("correction {id}"),
                format!("{employee} {date}: {reason}"),
            )
        })?;
        tx.commit()?;
        Ok(id)
    }

    /// Corrections, oldest first: all, or only those of `employee`, or only those waiting.
    pub fn corrections(&self, employee: Option<&str>, waiting: bool) -> Result<Vec<Correction>> {
        self.corrections_where(None, employee, waiting)
    }

    /// Correction `id`, with its decision if made.
    pub fn correction(&self, id: i64) -> Result<Option<Correction>> {
        Ok(self.corrections_where(Some(id), None, false)?.pop())
    }

    fn corrections_where(
        &self,
        id: Option<i64>,
        employee: Option<&str>,
        waiting: bool,
    ) -> Result<Vec<Correction>> {
        let mut st = self.conn.prepare(
            "SELECT c.id, c.employee, c.date, c.in_time, c.out_time, c.reason, c.by, c.at,
                    d.outcome, d.reason, d.by, d.at
               FROM corrections c LEFT JOIN correction_decisions d ON d.correction_id = c.id
              WHERE (?1 IS NULL OR c.employee = ?1) AND (?2 = 0 OR d.outcome IS NULL)
                AND (?3 IS NULL OR c.id = ?3)
              ORDER BY c.id",
        )?;
        let rows = st.query_map(params![employee, waiting, id], |r| {
            let outcome: Option<String> = r.get(8)?;
            Ok((
                Correction {
                    id: r.get(0)?,
                    employee: r.get(1)?,
                    date: NaiveDate::MIN,
                    in_time: r.get(3)?,
                    out_time: r.get(4)?,
                    reason: r.get(5)?,
                    by: r.get(6)?,
                    at: r.get(7)?,
                    decision: match outcome {
                        Some(outcome) => Some(CorrectionDecision {
                            outcome,
                            reason: r.get(9)?,
                            by: r.get(10)?,
                            at: r.get(11)?,
                        }),
                        None => None,
                    },
                },
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (mut c, date) = row?;
            c.date = parse_date(&date)
                .ok_or_else(|| Error::Corrupt(format!("correction {} date `{date}`", c.id)))?;
            out.push(c);
        }
        Ok(out)
    }
}
