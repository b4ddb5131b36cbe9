//! Attendance in the store: an import of the roster, of punches or of handover records,
//! and the events it derives, in one transaction. What is in force for an employee's day
//! is what the latest import speaking for that day says: a corrected export replaces the
//! earlier one there, and the earlier stays on record.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use rusqlite::{OptionalExtension, params};

use super::events::{Appender, NewEvent, Single, mark_in};
use super::{Error, Result, Stamp, Store, audit};
use crate::attendance::{Shift, Stamped};
use crate::month::{date_text, parse_date};

/// What an attendance import is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intake {
    Roster,
    Clock,
    Handover,
}

impl Intake {
    fn id(self) -> &'static str {
        match self {
            Intake::Roster => "roster",
            Intake::Clock => "clock",
            Intake::Handover => "handover",
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
    /// The first row id each table had in this import, to seal at commit.
    first: Vec<(&'static str, i64)>,
}

const TIME: &str = "%Y-%m-%d %H:%M:%S";

impl Store {
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
        conn.execute(
            "INSERT INTO attendance_imports (what, file, rows, by, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![what.id(), file, rows as i64, stamp.by, stamp.at],
        )?;
        let import = conn.last_insert_rowid();
        super::chain::seal(conn, "attendance_imports", import, import)?;
        audit(
            conn,
            stamp,
            &format!("attendance.{}", what.id()),
            file,
            &format!("{rows} rows"),
        )?;
        Ok(AttendanceTx {
            events,
            import,
            stamp: stamp.clone(),
            first: Vec::new(),
        })
    }
}

impl AttendanceTx<'_> {
    fn conn(&self) -> &rusqlite::Connection {
        self.events.conn()
    }

    /// Notes the first row of `table` written by this import, for the seal.
    fn wrote(&mut self, table: &'static str) {
        if !self.first.iter().any(|(t, _)| *t == table) {
            let id = self.conn().last_insert_rowid();
            self.first.push((table, id));
        }
    }

    pub fn add_shift(&mut self, shift: &Shift, source: &str) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO roster (import_id, employee, date, start, end, handover, source)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                self.import,
                shift.employee,
                date_text(shift.date),
                shift.start.format("%H:%M").to_string(),
                shift.end.format("%H:%M").to_string(),
                shift.handover,
                source
            ])?;
        self.wrote("roster");
        Ok(())
    }

    /// Stores a punch (`Clock`) or a handover record (`Handover`).
    pub fn add_stamped(&mut self, what: Intake, s: &Stamped) -> Result<()> {
        let table = match what {
            Intake::Clock => "punches",
            _ => "handovers",
        };
        self.conn()
            .prepare_cached(&format!(
                "INSERT INTO {table} (import_id, employee, at, source) VALUES (?1, ?2, ?3, ?4)"
            ))?
            .execute(params![
                self.import,
                s.employee,
                s.at.format(TIME).to_string(),
                s.source
            ])?;
        self.wrote(table);
        Ok(())
    }

    /// This import speaks for `employee`'s `date`.
    pub fn cover(&mut self, employee: &str, date: NaiveDate) -> Result<()> {
        self.conn()
            .prepare_cached("INSERT INTO covered (import_id, employee, date) VALUES (?1, ?2, ?3)")?
            .execute(params![self.import, employee, date_text(date)])?;
        self.wrote("covered");
        Ok(())
    }

    /// The shifts of `employee` in force on each of `days` (the latest roster import of
    /// each day).
    pub fn shifts(&self, employee: &str, days: &[NaiveDate]) -> Result<Vec<Shift>> {
        let mut st = self.conn().prepare_cached(
            "SELECT date, start, end, handover FROM roster r
              WHERE employee = ?1 AND date = ?2
                AND import_id = (SELECT max(import_id) FROM roster
                                  WHERE employee = r.employee AND date = r.date)",
        )?;
        let mut out = Vec::new();
        for d in days {
            let rows = st.query_map(params![employee, date_text(*d)], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                ))
            })?;
            for row in rows {
                let (date, start, end, handover) = row?;
                let corrupt = || Error::Corrupt(format!("roster of `{employee}` on {date}"));
                let time = |t: &str| NaiveTime::parse_from_str(t, "%H:%M").map_err(|_| corrupt());
                out.push(Shift {
                    employee: employee.to_string(),
                    date: parse_date(&date).ok_or_else(corrupt)?,
                    start: time(&start)?,
                    end: time(&end)?,
                    handover,
                });
            }
        }
        Ok(out)
    }

    /// The latest import of `what` that speaks for `employee`'s `date`, if any.
    pub fn covering(&self, what: Intake, employee: &str, date: NaiveDate) -> Result<Option<i64>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT max(c.import_id) FROM covered c JOIN attendance_imports i ON i.id = c.import_id
                  WHERE c.employee = ?1 AND c.date = ?2 AND i.what = ?3",
            )?
            .query_row(params![employee, date_text(date), what.id()], |r| r.get(0))
            .optional()?
            .flatten())
    }

    /// The punches (`Clock`, of import `import` only) or handover records (`Handover`, of
    /// any import) of `employee` from the day before `date` to the day after.
    pub fn stamped(
        &self,
        what: Intake,
        import: Option<i64>,
        employee: &str,
        date: NaiveDate,
    ) -> Result<Vec<Stamped>> {
        let from = (date - TimeDelta::days(1)).and_time(NaiveTime::MIN);
        let to = (date + TimeDelta::days(2)).and_time(NaiveTime::MIN);
        let sql = match what {
            Intake::Clock => {
                "SELECT at, source FROM punches WHERE import_id = ?4 AND employee = ?1 AND at >= ?2 AND at < ?3 ORDER BY at, id"
            }
            _ => {
                "SELECT at, source FROM handovers WHERE employee = ?1 AND at >= ?2 AND at < ?3 AND ?4 IS NULL ORDER BY at, id"
            }
        };
        let mut st = self.conn().prepare_cached(sql)?;
        let rows = st.query_map(
            params![
                employee,
                from.format(TIME).to_string(),
                to.format(TIME).to_string(),
                import
            ],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (at, source) = row?;
            out.push(Stamped {
                employee: employee.to_string(),
                at: NaiveDateTime::parse_from_str(&at, TIME)
                    .map_err(|_| Error::Corrupt(format!("punch time `{at}`")))?,
                source,
            });
        }
        Ok(out)
    }

    /// The derived events of `employee`'s `date` that still count.
    pub fn live_derived(&self, employee: &str, date: NaiveDate) -> Result<Vec<LiveDerived>> {
        let mut st = self.conn().prepare_cached(
            "SELECT e.id, e.kind, e.fields, e.note FROM events e JOIN derived d ON d.event_id = e.id
              WHERE e.employee = ?1 AND e.date = ?2
                AND e.id NOT IN (SELECT event_id FROM voids) ORDER BY e.id",
        )?;
        let rows = st.query_map(params![employee, date_text(date)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, fields, note) = row?;
            let fields: serde_json::Value = serde_json::from_str(&fields)
                .map_err(|e| Error::Corrupt(format!("event {id} fields: {e}")))?;
            out.push(LiveDerived {
                id,
                kind,
                minutes: fields.get("minutes").and_then(|m| m.as_i64()),
                note,
            });
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
        })?;
        self.conn()
            .prepare_cached("INSERT INTO derived (event_id, import_id) VALUES (?1, ?2)")?
            .execute(params![id, self.import])?;
        super::chain::seal(self.conn(), "derived", id, id)?;
        Ok(id)
    }

    /// Voids a derived event the inputs no longer support.
    pub fn withdraw(&mut self, id: i64, reason: &str) -> Result<()> {
        mark_in(self.conn(), id, "voids", "log.void", reason, &self.stamp)
    }

    /// Seals what this import wrote and commits: everything becomes visible at once.
    pub fn commit(self, rows: usize) -> Result<i64> {
        for (table, first) in &self.first {
            let last: i64 = self.conn().query_row(
                &format!("SELECT max(id) FROM {table} WHERE import_id = ?1"),
                [self.import],
                |r| r.get(0),
            )?;
            super::chain::seal(self.conn(), table, *first, last)?;
        }
        self.events.commit(rows)?;
        Ok(self.import)
    }
}
