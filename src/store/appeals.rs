//! Appeals (申诉): an employee contests one of their events; the department head upholds
//! the appeal (the event is excused, in the same transaction) or rejects it, with a reason
//! either way. One appeal per event; appeals and decisions are never changed.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::events::{mark_in, refuse_closed};
use super::{Error, Notice, Result, Row, Stamp, Store, append_audited, audit, insert_sealed};
use crate::domain::month::{Month, parse_date};

/// An appeal and, once decided, its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Appeal {
    pub id: i64,
    pub event: i64,
    pub employee: String,
    pub date: String,
    pub kind: String,
    pub reason: String,
    pub by: String,
    pub at: String,
    pub decision: Option<AppealDecision>,
}

/// How an appeal was decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppealDecision {
    /// `upheld` (the event is excused) or `rejected`.
    pub outcome: String,
    pub reason: String,
    pub by: String,
    pub at: String,
}

impl Store {
    /// Files an appeal against event `event`: it must count (not voided or excused), be in
    /// an open month and not be appealed already. Returns the appeal's id.
    pub fn file_appeal(
        &mut self,
        event: i64,
        reason: &str,
        stamp: &Stamp,
        notices: &[Notice],
    ) -> Result<i64> {
        let tx = self.write()?;
        let (date, status): (String, Option<String>) = tx
            .query_row(
                "SELECT e.date, CASE WHEN v.event_id IS NOT NULL THEN 'voided'
                                     WHEN x.event_id IS NOT NULL THEN 'excused' END
                 FROM events e LEFT JOIN voids v ON v.event_id = e.id
                               LEFT JOIN excuses x ON x.event_id = e.id
                 WHERE e.id = ?1",
                [event],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or(Error::NoEvent(event))?;
        if let Some(status) = status {
            return Err(Error::NotCounting { event, status });
        }
        let month = parse_date(&date)
            .map(Month::of)
            .ok_or_else(|| Error::Corrupt(format!("event {event} date `{date}`")))?;
        refuse_closed(&tx, month, &format!("appeal event {event} of"))?;
        if let Some((id, by)) = tx
            .query_row(
                "SELECT id, by FROM appeals WHERE event_id = ?1",
                [event],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?
        {
            return Err(Error::AlreadyAppealed {
                event,
                appeal: id,
                by,
            });
        }
        let row = Row {
            table: "appeals",
            sql: "INSERT INTO appeals (event_id, reason, by, at) VALUES (?1, ?2, ?3, ?4)",
            params: params![event, reason, stamp.by, stamp.at],
            key: None,
        };
        let id = append_audited(&tx, row, stamp, "appeal.file", |_| {
            (format!("event {event}"), reason.to_string())
        })?;
        super::outbox::put(&tx, notices)?;
        tx.commit()?;
        Ok(id)
    }

    /// Decides appeal `id` once: upheld excuses its event (refused, like any excuse, in a
    /// closed month), rejected leaves it counting.
    pub fn decide_appeal(
        &mut self,
        id: i64,
        upheld: bool,
        reason: &str,
        stamp: &Stamp,
        notices: &[Notice],
    ) -> Result<()> {
        let tx = self.write()?;
        let appeal = appeals_where(&tx, "a.id = ?1", id)?
            .pop()
            .ok_or(Error::NoAppeal(id))?;
        if let Some(d) = appeal.decision {
            return Err(Error::Decided(Box::new(super::Decided {
                what: "appeal",
                id,
                outcome: d.outcome,
                reason: d.reason,
                by: d.by,
                at: d.at,
            })));
        }
        let outcome = if upheld { "upheld" } else { "rejected" };
        insert_sealed(
            &tx,
            Row {
                table: "appeal_decisions",
                sql: "INSERT INTO appeal_decisions (appeal_id, outcome, reason, by, at)
                      VALUES (?1, ?2, ?3, ?4, ?5)",
                params: params![id, outcome, reason, stamp.by, stamp.at],
                key: Some(id),
            },
        )?;
        if upheld {
            let why = format!("申诉成立（申诉 {id}）：{reason}");
            mark_in(&tx, appeal.event, "excuses", "log.excuse", &why, stamp)?;
        }
        let action = if upheld {
            "appeal.uphold"
        } else {
            "appeal.reject"
        };
        audit(&tx, stamp, action, &format!("appeal {id}"), reason)?;
        super::outbox::put(&tx, notices)?;
        tx.commit()?;
        Ok(())
    }

    /// One appeal.
    pub fn appeal(&self, id: i64) -> Result<Appeal> {
        appeals_where(&self.conn, "a.id = ?1", id)?
            .pop()
            .ok_or(Error::NoAppeal(id))
    }

    /// Every appeal, oldest first.
    pub fn appeals(&self) -> Result<Vec<Appeal>> {
        appeals_where(&self.conn, "?1 = ?1", 0)
    }
}

fn appeals_where(conn: &Connection, filter: &str, key: i64) -> Result<Vec<Appeal>> {
    let sql = format!(
        "SELECT a.id, a.event_id, e.employee, e.date, e.kind, a.reason, a.by, a.at,
                d.outcome, d.reason, d.by, d.at
         FROM appeals a JOIN events e ON e.id = a.event_id
              LEFT JOIN appeal_decisions d ON d.appeal_id = a.id
         WHERE {filter} ORDER BY a.id"
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map([key], |r| {
        let outcome: Option<String> = r.get(8)?;
        Ok(Appeal {
            id: r.get(0)?,
            event: r.get(1)?,
            employee: r.get(2)?,
            date: r.get(3)?,
            kind: r.get(4)?,
            reason: r.get(5)?,
            by: r.get(6)?,
            at: r.get(7)?,
            decision: match outcome {
                Some(outcome) => Some(AppealDecision {
                    outcome,
                    reason: r.get(9)?,
                    by: r.get(10)?,
                    at: r.get(11)?,
                }),
                None => None,
            },
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
