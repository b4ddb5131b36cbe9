//! The record's integrity as a whole: the hash chain walked together with the packs derived
//! from the log (`audit verify`), and the packs rebuilt from a log that is whole (`audit
//! repack`). Above both the chain and the packs, so that neither needs the other.

use std::cmp::Ordering;

use rusqlite::fallible_streaming_iterator::FallibleStreamingIterator;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::chain::{Block, Chain, Verification, Verified, chained_rows, check_run, unsealed, walk};
use super::packs::{Span, each_built, write};
use super::rows::text;
use super::{Breach, Error, Result, Stamp, Store, audit};
use crate::domain::month::Month;

/// A piece of a verification, done on a worker's own connection: a run of the chain's
/// blocks (its place in the chain, the hash before it, its blocks), or the packs of a
/// span of the staff.
enum Piece<'a> {
    Chain(usize, &'a str, &'a [Block]),
    Packs(Span<'a>),
}

/// What a piece found: the first block of its run that broke (its place in the chain),
/// or the first pack that is off.
type Found = Result<Option<(usize, Breach)>>;

impl Store {
    /// Walks the chain from its first block: recomputes every block from the rows it
    /// covers, then looks for rows no block covers, then compares every current row with
    /// its seal, and rebuilds every pack from the log. A whole record is noted as verified
    /// up to its head. The chain and the packs are cut into pieces that a worker per core
    /// takes one after another, each through a connection of its own, so that every core
    /// stays busy to the end (the chain walked in one go took longer than the packs
    /// checked on the other cores). What is found is named in the order of a walk in one
    /// go: the chain, the rows no block covers, the seals, the packs.
    pub fn verify(&mut self) -> Result<Verification> {
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        // Twice as many pieces of each as workers: none is left long with the last.
        let cuts = 2 * workers;
        let Ok(chain) = Chain::read(&self.conn, None)? else {
            unreachable!("a walk from the first block has no earlier verification to differ from")
        };
        let bounds = staff_cuts(&self.conn, cuts)?;
        let mut pieces: Vec<Piece> = (chain.runs(cuts).into_iter())
            .map(|(at, before, run)| Piece::Chain(at, before, run))
            .collect();
        let chain_pieces = pieces.len();
        pieces.extend(spans(&bounds).into_iter().map(Piece::Packs));
        let connections = (0..workers.min(pieces.len()))
            .map(|_| super::read_only(&self.path))
            .collect::<Result<Vec<_>>>()?;
        let next = std::sync::atomic::AtomicUsize::new(0);
        let found: Vec<std::sync::Mutex<Option<Found>>> =
            pieces.iter().map(|_| Default::default()).collect();
        let (unsealed, seals, rows) = std::thread::scope(|s| {
            for conn in connections {
                let (pieces, next, found) = (&pieces, &next, &found);
                s.spawn(move || {
                    let conn = &conn;
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(piece) = pieces.get(i) else { break };
                        let result = match piece {
                            Piece::Chain(at, before, run) => check_run(conn, before, run)
                                .map(|f| f.map(|(i, breach)| (at + i, breach))),
                            Piece::Packs(span) => {
                                check(conn, *span).map(|f| f.map(|breach| (0, breach)))
                            }
                        };
                        *found[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                    }
                });
            }
            // The small checks, and the count, here meanwhile.
            (
                unsealed(&self.conn, false),
                super::seals::check(&self.conn),
                chained_rows(&self.conn),
            )
        });
        let mut found = found.into_iter().map(|f| {
            f.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every piece is taken by a worker")
        });
        let mut first = |n: usize| -> Found {
            let mut first = None;
            for f in found.by_ref().take(n) {
                first = first.or(f?);
            }
            Ok(first)
        };
        let w = chain.walked(first(chain_pieces)?);
        let packs = first(usize::MAX)?.map(|(_, breach)| breach);
        let broken = w.broken.clone().or(unsealed?).or(seals?).or(packs);
        self.verified_to(w.last_block, &w.head, true, broken.is_none())?;
        Ok(Verification {
            blocks: w.blocks,
            rows: rows?,
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

/// The employees that cut the packs into `n` spans of about as many packs each: where
/// each span after the first starts (none when there are no packs).
fn staff_cuts(conn: &Connection, n: usize) -> Result<Vec<String>> {
    let packs: i64 = conn.query_row("SELECT count(*) FROM packs", [], |r| r.get(0))?;
    let mut at =
        conn.prepare("SELECT employee FROM packs ORDER BY employee, month LIMIT 1 OFFSET ?1")?;
    let mut cuts: Vec<String> = Vec::new();
    for k in 1..n as i64 {
        let cut: Option<String> = at
            .query_row([packs * k / n as i64], |r| r.get(0))
            .optional()?;
        // An employee of many packs may cut twice: one span, not an empty one.
        if let Some(c) = cut.filter(|c| cuts.last() != Some(c)) {
            cuts.push(c);
        }
    }
    Ok(cuts)
}

/// The spans of the staff between `cuts` (see [`staff_cuts`]), in order.
fn spans(cuts: &[String]) -> Vec<Span<'_>> {
    let starts = std::iter::once("").chain(cuts.iter().map(String::as_str));
    let ends = cuts.iter().map(|c| Some(c.as_str())).chain([None]);
    starts
        .zip(ends)
        .map(|(from, to)| Span { from, to })
        .collect()
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
