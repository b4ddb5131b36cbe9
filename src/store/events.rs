//! The event log as it is read and marked: an event to append, listing events, voids and
//! excuses (never an edit), and the refusal of a change to a closed month. Appending lives
//! in `append`, the prepared rows of an import in `spill`.

use std::sync::Arc;

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::rows::{parse_fields, text};
use super::{Error, Notice, Result, Row, Stamp, Store, append_audited};
use crate::domain::event::{Event, Fields};
use crate::domain::month::{Month, parse_date};

/// An event to append, validated by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub employee: String,
    pub date: NaiveDate,
    pub kind: String,
    pub qty: i64,
    pub note: String,
    pub fields: Fields,
    pub recorded_by: String,
}

impl NewEvent {
    /// The event as the engine sees it once it has an id (live: neither voided nor
    /// excused); the store assigns the id, an in-memory evaluation numbers rows itself.
    pub fn with_id(self, id: i64) -> Event {
        Event {
            id,
            employee: self.employee.into(),
            date: self.date,
            kind: self.kind.into(),
            qty: self.qty,
            note: self.note,
            fields: Arc::new(self.fields),
            recorded_by: self.recorded_by.into(),
            voided: false,
            excused: false,
            excuse: None,
        }
    }
}

/// Which events to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Neither voided nor excused.
    Live,
    Voided,
    Excused,
}

/// Who an event is of and who entered it when (what scope and appeals go by).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entered {
    pub employee: String,
    pub date: NaiveDate,
    pub recorded_by: String,
    /// The day it was entered (its date may be earlier).
    pub entered_on: NaiveDate,
}

/// Filters for listing events.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub employee: Option<String>,
    pub month: Option<Month>,
    /// One day's events.
    pub date: Option<NaiveDate>,
    /// One event, by id.
    pub id: Option<i64>,
    pub kind: Option<String>,
    /// Leave out voided events (what evaluation needs; excused ones stay, to be explained).
    pub counting: bool,
    pub status: Option<Status>,
}

impl Store {
    /// Events matching `filter`, in (date, id) order.
    pub fn events(&self, filter: &EventFilter) -> Result<Vec<Event>> {
        let mut sql = format!("{EVENT_SELECT} {EVENT_JOINS} WHERE 1 = 1");
        let mut args: Vec<String> = Vec::new();
        let mut arg = |sql: &mut String, clause: &str, value: String| {
            args.push(value);
            *sql += &clause.replace('?', &format!("?{}", args.len()));
        };
        if let Some(emp) = &filter.employee {
            arg(&mut sql, " AND e.employee = ?", emp.clone());
        }
        if let Some(m) = filter.month {
            arg(&mut sql, " AND e.date >= ?", m.first_day().to_string());
            arg(&mut sql, " AND e.date <= ?", m.last_day().to_string());
        }
        if let Some(d) = filter.date {
            arg(&mut sql, " AND e.date = ?", d.to_string());
        }
        if let Some(id) = filter.id {
            arg(&mut sql, " AND e.id = ?", id.to_string());
        }
        if let Some(k) = &filter.kind {
            arg(&mut sql, " AND e.kind = ?", k.clone());
        }
        if filter.counting {
            sql += " AND v.event_id IS NULL";
        }
        sql += match filter.status {
            None => "",
            Some(Status::Live) => " AND v.event_id IS NULL AND x.event_id IS NULL",
            Some(Status::Voided) => " AND v.event_id IS NOT NULL",
            Some(Status::Excused) => " AND x.event_id IS NOT NULL",
        };
        sql += " ORDER BY e.date, e.id";
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(args.iter()), event_row)?;
        rows.map(|r| r?).collect()
    }

    /// Voids an event (an entry mistake): it stays in the log and stops counting. The
    /// `notices` that tell of it are written with it.
    pub fn void(&mut self, id: i64, reason: &str, stamp: &Stamp, notices: &[Notice]) -> Result<()> {
        self.mark(id, "voids", "log.void", reason, stamp, notices)
    }

    /// Excuses an event (an approved appeal): it stays, is explained, and scores nothing.
    pub fn excuse(
        &mut self,
        id: i64,
        reason: &str,
        stamp: &Stamp,
        notices: &[Notice],
    ) -> Result<()> {
        self.mark(id, "excuses", "log.excuse", reason, stamp, notices)
    }

    /// Event `id`, if there is one.
    pub fn event(&self, id: i64) -> Result<Option<Event>> {
        let filter = EventFilter {
            id: Some(id),
            ..EventFilter::default()
        };
        Ok(self.events(&filter)?.pop())
    }

    /// Whose event `id` is, of which day, and who entered it when.
    pub fn entered(&self, id: i64) -> Result<Entered> {
        let (employee, date, recorded_by, recorded_at): (String, String, String, String) = self
            .conn
            .query_row(
                "SELECT employee, date, recorded_by, recorded_at FROM events WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?
            .ok_or(Error::NoEvent(id))?;
        let day = |text: &str| {
            text.get(..10)
                .and_then(parse_date)
                .ok_or_else(|| Error::Corrupt(format!("event {id} date `{text}`")))
        };
        Ok(Entered {
            date: day(&date)?,
            entered_on: day(&recorded_at)?,
            employee,
            recorded_by,
        })
    }

    /// Records a void or an excuse, once per event, never in a closed month.
    fn mark(
        &mut self,
        id: i64,
        table: &str,
        action: &str,
        reason: &str,
        stamp: &Stamp,
        notices: &[Notice],
    ) -> Result<()> {
        let tx = self.write()?;
        mark_in(&tx, id, table, action, reason, stamp)?;
        super::outbox::put(&tx, notices)?;
        tx.commit()?;
        Ok(())
    }
}

/// [`Store::mark`] inside a write transaction of the caller's.
pub(super) fn mark_in(
    tx: &Connection,
    id: i64,
    table: &str,
    action: &str,
    reason: &str,
    stamp: &Stamp,
) -> Result<()> {
    let date: Option<String> = tx
        .query_row("SELECT date FROM events WHERE id = ?1", [id], |r| r.get(0))
        .optional()?;
    let date = date.ok_or(Error::NoEvent(id))?;
    let month = parse_date(&date)
        .map(Month::of)
        .ok_or_else(|| Error::Corrupt(format!("event {id} date `{date}`")))?;
    refuse_closed(tx, month, &format!("change event {id} of"))?;
    for (t, w) in [("voids", "voided"), ("excuses", "excused")] {
        let prior = tx
            .query_row(
                &format!("SELECT reason, by, at FROM {t} WHERE event_id = ?1"),
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((reason, by, at)) = prior {
            return Err(Error::Already {
                id,
                what: w,
                reason,
                by,
                at,
            });
        }
    }
    let row = Row {
        table,
        sql: &format!("INSERT INTO {table} (event_id, reason, by, at) VALUES (?1, ?2, ?3, ?4)"),
        params: params![id, reason, stamp.by, stamp.at],
        key: Some(id),
    };
    append_audited(tx, row, stamp, action, |id| {
        (format!("event {id}"), reason.to_string())
    })?;
    Ok(())
}

const EVENT_SELECT: &str = "SELECT e.id, e.employee, e.date, e.kind, e.qty, e.note, e.fields,
    e.recorded_by, v.event_id IS NOT NULL, x.reason FROM events e";
const EVENT_JOINS: &str =
    "LEFT JOIN voids v ON v.event_id = e.id LEFT JOIN excuses x ON x.event_id = e.id";

/// Reads an event from a row of `EVENT_SELECT` (the outer error is SQLite's, the inner one a
/// malformed stored value, named by the event's id).
fn event_row(r: &rusqlite::Row) -> rusqlite::Result<Result<Event>> {
    let id: i64 = r.get(0)?;
    let date = text(r, 2)?;
    let Some(date) = parse_date(date) else {
        return Ok(Err(Error::Corrupt(format!("event {id} date `{date}`"))));
    };
    let fields = match parse_fields(id, text(r, 6)?) {
        Ok(fields) => Arc::new(fields),
        Err(e) => return Ok(Err(e)),
    };
    let excuse: Option<String> = r.get(9)?;
    Ok(Ok(Event {
        id,
        employee: r.get::<_, String>(1)?.into(),
        date,
        kind: r.get::<_, String>(3)?.into(),
        qty: r.get(4)?,
        note: r.get(5)?,
        fields,
        recorded_by: r.get::<_, String>(7)?.into(),
        voided: r.get(8)?,
        excused: excuse.is_some(),
        excuse,
    }))
}

/// Refuses a change to a closed month, naming who closed it (reopening is the way back).
pub(super) fn refuse_closed(conn: &Connection, month: Month, doing: &str) -> Result<()> {
    if let Some((by, at)) = super::months::closed_by(conn, month)? {
        return Err(Error::MonthClosed {
            doing: doing.to_string(),
            month,
            by,
            at,
        });
    }
    Ok(())
}
