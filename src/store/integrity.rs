//! The record's integrity as a whole: the hash chain walked together with the packs derived
//! from the log (`audit verify`), and the packs rebuilt from a log that is whole (`audit
//! repack`). Above both the chain and the packs, so that neither needs the other.

use std::cmp::Ordering;

use rusqlite::fallible_streaming_iterator::FallibleStreamingIterator;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::chain::{Verification, Verified, chained_rows, walk};
use super::packs::{Span, each_built, write};
use super::rows::text;
use super::{Breach, Error, Result, Stamp, Store, audit};
use crate::domain::month::Month;

impl Store {
    /// Walks the chain from its first block: recomputes every block from the rows it
    /// covers, then looks for rows no block covers, then compares every current row with
    /// its seal, and rebuilds every pack from the log. A whole record is noted as verified
    /// up to its head. The packs take longer than the chain: they are checked in two
    /// halves of the staff on threads of their own, each through a connection of its own,
    /// while the chain is walked, so that both cores stay busy to the end. What is found
    /// is named in that order: the chain, the seals, the packs.
    pub fn verify(&mut self) -> Result<Verification> {
        let middle = halfway(&self.conn)?;
        let halves = [
            Span {
                from: "",
                to: Some(&middle),
            },
            Span {
                from: &middle,
                to: None,
            },
        ];
        let connections = [super::read_only(&self.path)?, super::read_only(&self.path)?];
        let (w, seals, packs) = std::thread::scope(|s| {
            let checks = connections
                .into_iter()
                .zip(halves)
                .map(|(conn, span)| s.spawn(move || check(&conn, span)));
            let checks: Vec<_> = checks.collect();
            let w = walk(&self.conn, None);
            let seals = super::seals::check(&self.conn);
            // The first half's finding first.
            let packs = checks.into_iter().try_fold(None, |found, h| {
                let half = h.join().expect("the pack check does not panic");
                Ok::<_, Error>(found.or(half?))
            });
            (w, seals, packs)
        });
        let w = w?;
        let broken = match (w.broken.clone(), seals?) {
            (Some(b), _) | (None, Some(b)) => Some(b),
            (None, None) => packs?,
        };
        let rows = chained_rows(&self.conn)?;
        self.verified_to(w.last_block, &w.head, true, broken.is_none())?;
        Ok(Verification {
            blocks: w.blocks,
            rows,
            head: w.head,
            broken,
            since: None,
        })
    }

    /// Verifies what was added since the last verification (the whole chain if there was
    /// none): the blocks after the one verified last, which must still carry the hash it
    /// had, the rows after every block, and every current row against its seal. Old blocks
    /// and the packs are left to [`verify`](Store::verify): this is what a page can afford
    /// on every load at any size.
    pub fn verify_since_last(&mut self) -> Result<Verification> {
        let Some(since) = self.last_verified()? else {
            return self.verify();
        };
        let w = walk(&self.conn, Some(&since))?;
        let mut broken = w.broken;
        if broken.is_none() {
            broken = super::seals::check(&self.conn)?;
        }
        if w.last_block > since.block {
            self.verified_to(w.last_block, &w.head, false, broken.is_none())?;
        }
        Ok(Verification {
            blocks: w.blocks,
            rows: w.rows,
            head: w.head,
            broken,
            since: Some(since),
        })
    }

    /// The latest verification that found the record whole, if any.
    pub fn last_verified(&self) -> Result<Option<Verified>> {
        Ok(self
            .conn
            .query_row(
                "SELECT seq, hash, at, full FROM verified ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    Ok(Verified {
                        block: r.get(0)?,
                        hash: r.get(1)?,
                        at: r.get(2)?,
                        full: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Notes that the chain was found whole up to `block` (when `whole`).
    fn verified_to(&mut self, block: i64, hash: &str, full: bool, whole: bool) -> Result<()> {
        if !whole || block == 0 {
            return Ok(());
        }
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO verified (seq, hash, at, full) VALUES (?1, ?2, ?3, ?4)",
            params![
                block,
                hash,
                chrono::Local::now()
                    .format("%Y-%m-%dT%H:%M:%S%:z")
                    .to_string(),
                full
            ],
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// What rebuilding the packs found and did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repacked {
    /// Employee-months with events in the log.
    pub months: usize,
    /// Packs that differed from the log (or were missing), written again.
    pub rewritten: usize,
    /// Packs of months with no events in the log, removed.
    pub removed: usize,
}

impl Store {
    /// Rebuilds from the log every pack that does not match it (written past appraise, say)
    /// and removes packs of months with no events, in one transaction, audited. Refuses
    /// when the record itself no longer matches its chain: packs are rebuilt from a log
    /// that is whole, never from one that was altered.
    pub fn repack(&mut self, stamp: &Stamp) -> Result<Repacked> {
        let tx = self.write()?;
        if let Some(broken) = walk(&tx, None)?.broken {
            return Err(Error::AlteredLog(broken));
        }
        let mut rewritten = 0;
        let months = each_stale(&tx, |employee, month, data| {
            write(&tx, employee, month, &data)?;
            rewritten += 1;
            Ok(true)
        })?;
        let removed = tx.execute(
            "DELETE FROM packs WHERE NOT EXISTS (SELECT 1 FROM events e INDEXED BY events_by_content
              WHERE e.employee = packs.employee AND e.date BETWEEN packs.month || '-01' AND packs.month || '-31')",
            [],
        )?;
        let done = Repacked {
            months,
            rewritten,
            removed,
        };
        audit(
            &tx,
            stamp,
            "audit.repack",
            "packs",
            &format!(
                "the packs of {} employee-months checked against the log: {rewritten} rebuilt, {removed} removed",
                done.months
            ),
        )?;
        tx.commit()?;
        Ok(done)
    }
}

/// The employee halfway through the packs (by their count): where the second half of a
/// pack check starts. Empty when there are none.
fn halfway(conn: &Connection) -> Result<String> {
    Ok(conn
        .query_row(
            "SELECT employee FROM packs ORDER BY employee, month
              LIMIT 1 OFFSET (SELECT count(*) / 2 FROM packs)",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_default())
}

/// Rebuilds every pack of `span` from the log and compares it with the stored one; names
/// the first that differs. Packs are derived, but a rating reads them: one edited past
/// appraise would change scores while the log's chain still holds. The stored packs are
/// read in one pass beside the log, in the same (employee, month) order, rather than
/// looked up one by one.
pub(super) fn check(conn: &Connection, span: Span) -> Result<Option<Breach>> {
    let mut st = conn.prepare(
        "SELECT employee, month, data FROM packs
          WHERE employee >= ?1 AND (?2 IS NULL OR employee < ?2)
          ORDER BY employee, month",
    )?;
    let mut stored = st.query(params![span.from, span.to])?;
    stored.advance()?;
    // Stored packs passed over: of months with no events in the log.
    let mut orphans = 0;
    let mut found = None;
    each_built(conn, span, |employee, month, made| {
        let month = month.to_string();
        let same = loop {
            let Some(r) = stored.get() else {
                break false;
            };
            let at = (text(r, 0)?, text(r, 1)?);
            match at.cmp(&(employee, month.as_str())) {
                Ordering::Less => orphans += 1,
                Ordering::Equal => break r.get_ref(2)?.as_blob().ok() == Some(&made[..]),
                Ordering::Greater => break false,
            }
            stored.advance()?;
        };
        if same {
            stored.advance()?;
            return Ok(true);
        }
        found = Some(Breach::Pack {
            employee: employee.to_string(),
            month: month.to_string(),
        });
        Ok(false)
    })?;
    if found.is_some() {
        return Ok(found);
    }
    while stored.get().is_some() {
        orphans += 1;
        stored.advance()?;
    }
    Ok((orphans > 0).then_some(Breach::OrphanPacks { count: orphans }))
}

/// Hands `stale` each employee-month with events in the log whose stored pack (if any)
/// differs from the one the log makes, with the latter, until it returns false. Returns
/// how many employee-months have events.
fn each_stale(
    conn: &Connection,
    mut stale: impl FnMut(&str, Month, Vec<u8>) -> Result<bool>,
) -> Result<usize> {
    let mut stored = conn.prepare("SELECT data FROM packs WHERE employee = ?1 AND month = ?2")?;
    each_built(conn, Span::ALL, |employee, month, made| {
        let data: Option<Vec<u8>> = stored
            .query_row(params![employee, month.to_string()], |r| r.get(0))
            .optional()?;
        if data.as_ref() == Some(&made) {
            return Ok(true);
        }
        stale(employee, month, made)
    })
}
