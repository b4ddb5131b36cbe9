//! Evidence (证据): photos attached to events and to appeals. A photo is stored once, by its
//! SHA-256, however many records it is attached to; each attachment is its own row. Both
//! are sealed as they are written, a photo's bytes with it, so that `audit verify` names a
//! photo swapped or an attachment added past appraise. Nothing is removed.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Result, Row, Stamp, Store, append_audited, insert_sealed};

/// What a photo is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attached {
    Event(i64),
    Appeal(i64),
}

impl Attached {
    fn column(self) -> (&'static str, i64) {
        match self {
            Attached::Event(id) => ("event_id", id),
            Attached::Appeal(id) => ("appeal_id", id),
        }
    }
}

/// A photo to keep: its hash (its name), type and bytes.
#[derive(Debug, Clone, Copy)]
pub struct NewPhoto<'a> {
    pub sha256: &'a str,
    pub mime: &'static str,
    pub bytes: &'a [u8],
}

/// A photo attached to a record, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub sha256: String,
    #[serde(rename = "type")]
    pub mime: String,
    pub size: i64,
    /// Who attached it, and when.
    pub by: String,
    pub at: String,
}

impl Store {
    /// Attaches `photos` to `to` in one transaction, each sealed; a photo kept before (the
    /// same bytes) is attached again rather than stored twice. `most` bounds the photos
    /// the record may carry, counted under the write lock; returns how many it carries.
    pub fn attach(
        &mut self,
        to: Attached,
        photos: &[NewPhoto<'_>],
        most: usize,
        stamp: &Stamp,
    ) -> Result<std::result::Result<usize, usize>> {
        let tx = self.write()?;
        let (column, id) = to.column();
        let had: i64 = tx.query_row(
            &format!("SELECT count(*) FROM evidence WHERE {column} = ?1"),
            [id],
            |r| r.get(0),
        )?;
        let would_have = had as usize + photos.len();
        if would_have > most {
            return Ok(Err(would_have));
        }
        for p in photos {
            let known: Option<i64> = tx
                .query_row("SELECT id FROM photos WHERE sha256 = ?1", [p.sha256], |r| {
                    r.get(0)
                })
                .optional()?;
            let photo_id = match known {
                Some(k) => k,
                None => insert_sealed(
                    &tx,
                    Row {
                        table: "photos",
                        sql: "INSERT INTO photos (sha256, type, size, bytes) VALUES (?1, ?2, ?3, ?4)",
                        params: params![p.sha256, p.mime, p.bytes.len() as i64, p.bytes],
                        key: None,
                    },
                )?,
            };
            let row = Row {
                table: "evidence",
                sql: &format!(
                    "INSERT INTO evidence ({column}, photo_id, by, at) VALUES (?1, ?2, ?3, ?4)"
                ),
                params: params![id, photo_id, stamp.by, stamp.at],
                key: None,
            };
            let subject = match to {
                Attached::Event(e) => format!("event {e}"),
                Attached::Appeal(a) => format!("appeal {a}"),
            };
            append_audited(&tx, row, stamp, "evidence.attach", |_| {
                (subject, format!("photo sha256:{}", p.sha256))
            })?;
        }
        tx.commit()?;
        Ok(Ok(would_have))
    }

    /// The photos attached to `to`, in the order attached.
    pub fn evidence(&self, to: Attached) -> Result<Vec<Evidence>> {
        let (column, id) = to.column();
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT p.sha256, p.type, p.size, e.by, e.at FROM evidence e JOIN photos p ON p.id = e.photo_id
             WHERE e.{column} = ?1 ORDER BY e.id"
        ))?;
        let rows = st.query_map([id], |r| {
            Ok(Evidence {
                sha256: r.get(0)?,
                mime: r.get(1)?,
                size: r.get(2)?,
                by: r.get(3)?,
                at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The events a photo is evidence of, directly or through an appeal against them:
    /// whoever may see one of them may see the photo.
    pub fn photo_events(&self, sha256: &str) -> Result<Vec<i64>> {
        let mut st = self.conn.prepare_cached(
            "SELECT coalesce(e.event_id, a.event_id) FROM evidence e
               JOIN photos p ON p.id = e.photo_id
               LEFT JOIN appeals a ON a.id = e.appeal_id
             WHERE p.sha256 = ?1",
        )?;
        let rows = st.query_map([sha256], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The photos of `employee`'s events of `year` and of their appeals: (event, photo),
    /// in the order attached.
    pub fn evidence_of(&self, employee: &str, year: i32) -> Result<Vec<(i64, Evidence)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT ev.id, p.sha256, p.type, p.size, x.by, x.at
               FROM evidence x JOIN photos p ON p.id = x.photo_id
               LEFT JOIN appeals a ON a.id = x.appeal_id
               JOIN events ev ON ev.id = coalesce(x.event_id, a.event_id)
             WHERE ev.employee = ?1 AND ev.date >= ?2 AND ev.date < ?3
             ORDER BY x.id",
        )?;
        let rows = st.query_map(
            params![
                employee,
                format!("{year}-01-01"),
                format!("{}-01-01", year + 1)
            ],
            |r| {
                Ok((
                    r.get(0)?,
                    Evidence {
                        sha256: r.get(1)?,
                        mime: r.get(2)?,
                        size: r.get(3)?,
                        by: r.get(4)?,
                        at: r.get(5)?,
                    },
                ))
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A photo's type and bytes.
    pub fn photo(&self, sha256: &str) -> Result<Option<(String, Vec<u8>)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT type, bytes FROM photos WHERE sha256 = ?1",
                [sha256],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }
}
