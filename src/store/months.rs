//! Closing and reopening months. A closed month is frozen: its events cannot change, and its
//! scores are read from the snapshot taken when it was closed.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::{Error, Notice, Result, Row, Stamp, Store, append_audited, audit, insert_sealed};
use crate::domain::month::Month;

/// The months whose latest close is not followed by a reopen, with that close's row.
pub(super) const CLOSED_MONTHS: &str = "SELECT c.id, c.month, c.by, c.at FROM month_closes c
     WHERE c.action = 'close'
       AND c.id = (SELECT max(id) FROM month_closes WHERE month = c.month)";

/// A closed month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Closing {
    pub month: String,
    pub by: String,
    pub at: String,
}

/// Who closed `month` and when, if it is closed.
pub(super) fn closed_by(conn: &Connection, month: Month) -> Result<Option<(String, String)>> {
    Ok(conn
        .query_row(
            &format!("SELECT by, at FROM ({CLOSED_MONTHS}) WHERE month = ?1"),
            [month.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

impl Store {
    /// Every closed month, in order.
    pub fn closed_months(&self) -> Result<Vec<Closing>> {
        let mut st = self.conn.prepare(&format!(
            "SELECT month, by, at FROM ({CLOSED_MONTHS}) ORDER BY month"
        ))?;
        let rows = st.query_map([], |r| {
            Ok(Closing {
                month: r.get(0)?,
                by: r.get(1)?,
                at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Closes `month`: takes the write lock, lets `snapshot` compute the month's scores
    /// (as JSON, with the hashes of the policy versions that produced them) from the log as
    /// it stands under the lock, and stores them. No event can be added, voided or excused
    /// between the scores being computed and the month being closed: the snapshot holds
    /// exactly the events committed before it.
    pub fn close_month<E: From<Error>>(
        &mut self,
        month: Month,
        stamp: &Stamp,
        snapshot: impl FnOnce(&Store) -> std::result::Result<(String, Vec<String>, Vec<Notice>), E>,
    ) -> std::result::Result<(), E> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(Error::from)?;
        let closed = (|| {
            if let Some((by, at)) = closed_by(&self.conn, month)? {
                return Err(Error::AlreadyClosed { month, by, at }.into());
            }
            let (scores, hashes, notices) = snapshot(self)?;
            self.store_close(month, &scores, &hashes, stamp)?;
            super::outbox::put(&self.conn, &notices)?;
            Ok(())
        })();
        let end = if closed.is_ok() { "COMMIT" } else { "ROLLBACK" };
        if let Err(e) = self.conn.execute_batch(end) {
            // A failed commit leaves the transaction open: roll it back, report the commit.
            let _ = self.conn.execute_batch("ROLLBACK");
            return Err(Error::from(e).into());
        }
        closed
    }

    /// The rows of a close, inside the caller's transaction.
    fn store_close(
        &self,
        month: Month,
        snapshot: &str,
        hashes: &[String],
        stamp: &Stamp,
    ) -> Result<()> {
        let tx = &self.conn;
        let close_id = insert_sealed(
            tx,
            Row {
                table: "month_closes",
                sql: "INSERT INTO month_closes (month, action, reason, by, at) VALUES (?1, 'close', NULL, ?2, ?3)",
                params: params![month.to_string(), stamp.by, stamp.at],
                key: None,
            },
        )?;
        insert_sealed(
            tx,
            Row {
                table: "snapshots",
                sql: "INSERT INTO snapshots (close_id, month, scores, policy_hashes) VALUES (?1, ?2, ?3, ?4)",
                params: params![
                    close_id,
                    month.to_string(),
                    snapshot,
                    serde_json::to_string(hashes).unwrap_or_default()
                ],
                key: Some(close_id),
            },
        )?;
        let short: Vec<&str> = hashes.iter().map(|h| &h[..h.len().min(12)]).collect();
        audit(
            tx,
            stamp,
            "month.close",
            &month.to_string(),
            &format!("snapshot under policy {}", short.join(", ")),
        )?;
        Ok(())
    }

    /// Reopens a closed month; the reason is recorded.
    pub fn reopen_month(&mut self, month: Month, reason: &str, stamp: &Stamp) -> Result<()> {
        let tx = self.write()?;
        if closed_by(&tx, month)?.is_none() {
            return Err(Error::NotClosed(month));
        }
        let row = Row {
            table: "month_closes",
            sql: "INSERT INTO month_closes (month, action, reason, by, at) VALUES (?1, 'reopen', ?2, ?3, ?4)",
            params: params![month.to_string(), reason, stamp.by, stamp.at],
            key: None,
        };
        append_audited(&tx, row, stamp, "month.reopen", |_| {
            (month.to_string(), reason.to_string())
        })?;
        tx.commit()?;
        Ok(())
    }

    /// The policy hashes each closed month's snapshot was computed under.
    pub fn snapshot_hashes(&self) -> Result<Vec<(String, Vec<String>)>> {
        let mut st = self.conn.prepare(&format!(
            "SELECT c.month, s.policy_hashes FROM ({CLOSED_MONTHS}) c JOIN snapshots s ON s.close_id = c.id ORDER BY c.month"
        ))?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        rows.map(|r| {
            let (month, hashes) = r?;
            let hashes = serde_json::from_str(&hashes)
                .map_err(|e| Error::Corrupt(format!("snapshot of {month}: {e}")))?;
            Ok((month, hashes))
        })
        .collect()
    }
}

/// Where a closed month's snapshot lies, to be read a piece at a time on any thread (see
/// [`SnapshotStream::each`]).
#[derive(Debug, Clone)]
pub struct SnapshotStream {
    path: std::path::PathBuf,
    month: Month,
    close_id: i64,
}

impl Store {
    /// The snapshot of `month`, when it is closed, to be read as a stream.
    pub fn snapshot_stream(&self, month: Month) -> Result<Option<SnapshotStream>> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT s.close_id FROM ({CLOSED_MONTHS}) c JOIN snapshots s ON s.close_id = c.id WHERE c.month = ?1"
                ),
                [month.to_string()],
                |r| r.get(0),
            )
            .optional()?
            .map(|close_id| SnapshotStream {
                path: self.path.clone(),
                month,
                close_id,
            }))
    }
}

impl SnapshotStream {
    /// Hands the snapshot's scores to `each` one at a time (as `M`: a month score, or what
    /// a reader takes of one), in the order they were frozen
    /// (by employee), parsed from the stored text as it is read a piece at a time through a
    /// connection of its own: neither the whole text nor every score is ever in memory (a
    /// month of 100,000 staff is 150 MB of text and several times that parsed, and a year
    /// end reads twelve). `each` returns `false` to stop early.
    pub fn each<M: serde::de::DeserializeOwned>(
        &self,
        mut each: impl FnMut(M) -> bool,
    ) -> Result<()> {
        let conn = super::read_only(&self.path)?;
        let text = conn.blob_open(
            rusqlite::MAIN_DB,
            "snapshots",
            "scores",
            self.close_id,
            true,
        )?;
        let unreadable = |why: String| Error::Snapshot {
            month: self.month,
            why,
        };
        // An element that is no month score stops the reading, and is the error.
        let mut unparsed = None;
        super::elements::each_element(text, |element| match serde_json::from_slice(element) {
            Ok(score) => each(score),
            Err(e) => {
                unparsed = Some(e);
                false
            }
        })
        .map_err(|m| unreadable(m.to_string()))?;
        unparsed.map_or(Ok(()), |e| Err(unreadable(e.to_string())))
    }
}
