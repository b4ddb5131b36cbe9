//! The tamper-evident record: every row of the tables that make the record (the log,
//! voids, excuses, activations, closes and reopens, snapshots, reviews and signatures,
//! staff changes, appeals and their decisions, the audit log) is sealed into a hash chain in the transaction that writes
//! it. A block covers a range of one table's rows; its hash covers their content and the
//! hash of the block before. `verify` walks the chain and names the first place where the
//! database no longer matches: a row changed or removed after it was sealed, or a row that
//! was never sealed (written past appraise).
//!
//! Anyone who can write the file can also recompute every later hash: the chain proves that
//! nothing changed *before a head hash that was recorded elsewhere* (printed at each month
//! close and by `audit verify`).

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Breach, Result, Store};

/// A chained table: the key its blocks range over and the columns that are its content.
/// A table's columns are fixed for good: a later column is not part of the record.
struct Chained {
    table: &'static str,
    key: &'static str,
    columns: &'static str,
}

const CHAINED: [Chained; 28] = [
    Chained {
        table: "events",
        key: "id",
        columns: "id, employee, date, kind, qty, note, fields, recorded_by, recorded_at, import_id",
    },
    Chained {
        table: "event_sources",
        key: "event_id",
        columns: "event_id, source, digest",
    },
    Chained {
        table: "voids",
        key: "event_id",
        columns: "event_id, reason, by, at",
    },
    Chained {
        table: "excuses",
        key: "event_id",
        columns: "event_id, reason, by, at",
    },
    Chained {
        table: "policy_versions",
        key: "id",
        columns: "id, policy_id, name, version, effective_from, departments, bundle, hash, activated_by, activated_at",
    },
    Chained {
        table: "month_closes",
        key: "id",
        columns: "id, month, action, reason, by, at",
    },
    Chained {
        table: "snapshots",
        key: "close_id",
        columns: "close_id, month, scores, policy_hashes",
    },
    Chained {
        table: "reviews",
        key: "id",
        columns: "id, year, employee, role, proposal, policy_hash, steps, started_by, started_at",
    },
    Chained {
        table: "review_signatures",
        key: "id",
        columns: "id, review_id, step_index, step, grade, signer, comment, at",
    },
    Chained {
        table: "staff_changes",
        key: "id",
        columns: "id, employee, field, value, from_month, source, by, at",
    },
    Chained {
        table: "appeals",
        key: "id",
        columns: "id, event_id, reason, by, at",
    },
    Chained {
        table: "appeal_decisions",
        key: "appeal_id",
        columns: "appeal_id, outcome, reason, by, at",
    },
    Chained {
        table: "attendance_imports",
        key: "id",
        columns: "id, what, file, rows, by, at",
    },
    Chained {
        table: "roster",
        key: "id",
        columns: "id, import_id, employee, date, start, end, handover, source",
    },
    Chained {
        table: "punches",
        key: "id",
        columns: "id, import_id, employee, at, source",
    },
    Chained {
        table: "handovers",
        key: "id",
        columns: "id, import_id, employee, at, source",
    },
    Chained {
        table: "covered",
        key: "id",
        columns: "id, import_id, employee, date",
    },
    Chained {
        table: "released",
        key: "id",
        columns: "id, import_id, employee, date",
    },
    Chained {
        table: "leaves",
        key: "id",
        columns: "id, import_id, employee, kind, start, end, reason, source",
    },
    Chained {
        table: "leave_decisions",
        key: "id",
        columns: "id, import_id, leave_id, state, reason",
    },
    Chained {
        table: "holidays",
        key: "id",
        columns: "id, import_id, date, off, name",
    },
    Chained {
        table: "derived",
        key: "event_id",
        columns: "event_id, import_id",
    },
    Chained {
        table: "corrections",
        key: "id",
        columns: "id, employee, date, in_time, out_time, reason, by, at",
    },
    Chained {
        table: "correction_decisions",
        key: "correction_id",
        columns: "correction_id, outcome, reason, by, at",
    },
    Chained {
        table: "photos",
        key: "id",
        columns: "id, sha256, type, size, bytes",
    },
    Chained {
        table: "evidence",
        key: "id",
        columns: "id, event_id, appeal_id, photo_id, by, at",
    },
    Chained {
        table: "audit",
        key: "id",
        columns: "id, at, actor, action, subject, detail",
    },
    // The digests of the tables of current rows (see `store::seals`).
    Chained {
        table: "row_seals",
        key: "id",
        columns: "id, tbl, key, digest",
    },
];

/// The hash before the first block.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The column `table`'s blocks are ranges of.
pub(super) fn key_of(table: &str) -> &'static str {
    chained(table).key
}

fn chained(table: &str) -> &'static Chained {
    CHAINED
        .iter()
        .find(|c| c.table == table)
        .expect("only chained tables are sealed")
}

/// The hash of rows `first..=last` of `table` as they are now, after `prev`.
fn block_hash(conn: &Connection, prev: &str, table: &str, first: i64, last: i64) -> Result<String> {
    let c = chained(table);
    let mut h = block_start(prev, table, first, last);
    let mut st = conn.prepare_cached(&format!(
        "SELECT {} FROM {} WHERE {key} BETWEEN ?1 AND ?2 ORDER BY {key}",
        c.columns,
        c.table,
        key = c.key
    ))?;
    let mut rows = st.query(params![first, last])?;
    while let Some(row) = rows.next()? {
        hash_values(&mut h, row, 0)?;
    }
    Ok(crate::domain::text::hex(&h.finalize()))
}

/// A block's hash begun: the hash before it, the table and the range of its rows.
fn block_start(prev: &str, table: &str, first: i64, last: i64) -> Sha256 {
    let mut h = Sha256::new();
    for part in [prev, table, &first.to_string(), &last.to_string()] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h
}

/// Where a row's values go in the form the chain hashes them: a hash, or the bytes kept for
/// one (see [`Sealer`]).
trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Sha256 {
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// Feeds a value of a row into `sink` with its type, so that `1` and `"1"` hash
/// differently. A row's values follow the word `row`.
fn feed_value(sink: &mut impl Sink, value: ValueRef<'_>) {
    match value {
        ValueRef::Null => sink.put(b"n"),
        ValueRef::Integer(x) => {
            sink.put(b"i");
            sink.put(&x.to_le_bytes());
        }
        ValueRef::Real(x) => {
            sink.put(b"r");
            sink.put(&x.to_le_bytes());
        }
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            sink.put(b"t");
            sink.put(&(t.len() as u64).to_le_bytes());
            sink.put(t);
        }
    }
}

/// Feeds a row's values from column `from` on into `h`.
pub(super) fn hash_values(h: &mut Sha256, row: &rusqlite::Row, from: usize) -> Result<()> {
    h.put(b"row");
    for i in from..row.as_ref().column_count() {
        feed_value(h, row.get_ref(i)?);
    }
    Ok(())
}

/// The hash of the block sealed last, or the one before the first.
fn head(conn: &Connection) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT hash FROM chain ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| GENESIS.to_string()))
}

/// Appends the block of `table`'s rows `first..=last`, whose hash is `hash`.
fn add_block(conn: &Connection, table: &str, first: i64, last: i64, hash: &str) -> Result<()> {
    // Cached: a year's reviews seal some thirty thousand blocks in one go.
    conn.prepare_cached("INSERT INTO chain (tbl, first, last, hash) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![table, first, last, hash])?;
    Ok(())
}

/// Seals rows `first..=last` of `table` as the next block, in the caller's transaction.
pub(super) fn seal(conn: &Connection, table: &str, first: i64, last: i64) -> Result<()> {
    let hash = block_hash(conn, &head(conn)?, table, first, last)?;
    add_block(conn, table, first, last, &hash)
}

/// Rows of one table sealed from the values written, as they are written: an import of a
/// million events read them all back at its commit to seal them, a tenth of its time. A
/// block is sealed every [`Sealer::ROWS`] rows and at [`finish`](Sealer::finish); until
/// then its rows are kept as the bytes their hash takes. The values handed over must be
/// the row as stored, column for column (a verification reads them back and would find
/// the block broken): the table's keys only grow, and each block's range holds only the
/// rows handed over.
pub(super) struct Sealer {
    table: &'static str,
    /// The keys of the block's first and last row, once it has one.
    range: Option<(i64, i64)>,
    rows: usize,
    bytes: Vec<u8>,
}

impl Sealer {
    /// Rows a block holds: a few MB kept at a time, a few blocks per import.
    pub(super) const ROWS: usize = 1 << 16;

    pub(super) fn new(table: &'static str) -> Sealer {
        Sealer {
            table,
            range: None,
            rows: 0,
            bytes: Vec::new(),
        }
    }

    /// The table whose rows it seals.
    pub(super) fn table(&self) -> &'static str {
        self.table
    }

    /// Adds the row of `key` with its chained columns' `values` (in the order of
    /// [`CHAINED`], as stored); seals the block when it is full.
    pub(super) fn add<'v>(
        &mut self,
        conn: &Connection,
        key: i64,
        values: impl IntoIterator<Item = ValueRef<'v>>,
    ) -> Result<()> {
        self.bytes.put(b"row");
        let mut fed = 0;
        for value in values {
            feed_value(&mut self.bytes, value);
            fed += 1;
        }
        debug_assert_eq!(
            fed,
            chained(self.table).columns.split(',').count(),
            "a row of `{}` is its chained columns",
            self.table
        );
        let first = self.range.map_or(key, |(first, _)| first);
        self.range = Some((first, key));
        self.rows += 1;
        if self.rows == Self::ROWS {
            self.finish(conn)?;
        }
        Ok(())
    }

    /// Seals the rows added since the last block, if any, as the next block.
    pub(super) fn finish(&mut self, conn: &Connection) -> Result<()> {
        let Some((first, last)) = self.range.take() else {
            return Ok(());
        };
        let mut h = block_start(&head(conn)?, self.table, first, last);
        h.update(&self.bytes);
        add_block(
            conn,
            self.table,
            first,
            last,
            &crate::domain::text::hex(&h.finalize()),
        )?;
        self.bytes.clear();
        self.rows = 0;
        Ok(())
    }
}

/// Seals every row written before the chain existed, table by table: a block for a
/// table whose keys only grow, a block per row for those keyed by another table's id
/// (voids, excuses, decisions: a later row could fall inside a range). Tables that later
/// migrations create do not exist yet and have nothing to seal.
pub(super) fn seal_existing(conn: &Connection) -> Result<()> {
    for c in &CHAINED {
        let exists: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
            [c.table],
            |r| r.get(0),
        )?;
        if !exists {
            continue;
        }
        let keys: Vec<i64> = conn
            .prepare(&format!(
                "SELECT {key} FROM {} ORDER BY {key}",
                c.table,
                key = c.key
            ))?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let (Some(first), Some(last)) = (keys.first(), keys.last()) else {
            continue;
        };
        if c.key != "id" {
            for k in &keys {
                seal(conn, c.table, *k, *k)?;
            }
        } else {
            seal(conn, c.table, *first, *last)?;
        }
    }
    Ok(())
}

/// What a walk of the chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// The blocks walked (all of them, unless `since` says where the walk began).
    pub blocks: i64,
    /// The rows those blocks seal.
    pub rows: i64,
    /// The hash of the last block: record it elsewhere to prove later that nothing before
    /// it changed.
    pub head: String,
    /// The first place the database no longer matches, if any.
    pub broken: Option<Breach>,
    /// For a verification of the blocks added since the last one: where that one ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<Verified>,
}

/// How far the chain was verified, and when: the last block walked and its hash then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    pub block: i64,
    pub hash: String,
    pub at: String,
    /// Whether that verification walked the whole chain.
    pub full: bool,
}

/// What one walk found: the blocks walked, the rows they seal, the head, the break.
pub(super) struct Walk {
    pub(super) blocks: i64,
    pub(super) rows: i64,
    pub(super) last_block: i64,
    pub(super) head: String,
    pub(super) broken: Option<Breach>,
}

impl Store {
    /// The hash of the chain's last block.
    pub fn head(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row(
                "SELECT hash FROM chain ORDER BY seq DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_else(|| GENESIS.to_string()))
    }
}

/// How many rows the chained tables hold.
pub(super) fn chained_rows(conn: &Connection) -> Result<i64> {
    let mut rows = 0;
    for c in &CHAINED {
        rows += conn.query_row(&format!("SELECT count(*) FROM {}", c.table), [], |r| {
            r.get::<_, i64>(0)
        })?;
    }
    Ok(rows)
}

/// The chain's walk: the blocks walked, the last hash, and the first place the sealed
/// rows no longer match (the record itself, without what is derived from it).
pub(super) fn walk(conn: &Connection, since: Option<&Verified>) -> Result<Walk> {
    let chain = match Chain::read(conn, since)? {
        Ok(chain) => chain,
        Err(edited) => return Ok(edited),
    };
    let found = check_run(conn, &chain.before, &chain.blocks)?;
    let mut w = chain.walked(found);
    if w.broken.is_none() {
        w.broken = unsealed(conn, since.is_some())?;
    }
    Ok(w)
}

/// A block as the chain stores it.
pub(super) struct Block {
    seq: i64,
    table: String,
    first: i64,
    last: i64,
    hash: String,
}

/// The blocks a walk checks, as stored, and the hash before the first. Each block is
/// checked against the hash stored before it, as a walk in one go checks it: a run of
/// blocks can be checked apart from the others (on a thread of its own, see
/// [`check_run`]), and the first break of the first run that has one is the walk's.
pub(super) struct Chain {
    /// The block walked from (0 for the whole chain) and its hash.
    after: i64,
    before: String,
    blocks: Vec<Block>,
}

impl Chain {
    /// The blocks after `since` (all of them without); a walk that ends before it begins
    /// when the block verified last no longer carries the hash it had.
    pub(super) fn read(
        conn: &Connection,
        since: Option<&Verified>,
    ) -> Result<std::result::Result<Chain, Walk>> {
        let (mut before, mut after) = (GENESIS.to_string(), 0);
        if let Some(v) = since {
            let now: Option<String> = conn
                .query_row("SELECT hash FROM chain WHERE seq = ?1", [v.block], |r| {
                    r.get(0)
                })
                .optional()?;
            if now.as_deref() != Some(v.hash.as_str()) {
                return Ok(Err(Walk {
                    blocks: 0,
                    rows: 0,
                    last_block: v.block,
                    head: v.hash.clone(),
                    broken: Some(Breach::ChainEdited {
                        block: v.block,
                        verified_at: v.at.clone(),
                    }),
                }));
            }
            before = v.hash.clone();
            after = v.block;
        }
        let mut st = conn
            .prepare("SELECT seq, tbl, first, last, hash FROM chain WHERE seq > ?1 ORDER BY seq")?;
        let blocks = st
            .query_map([after], |r| {
                Ok(Block {
                    seq: r.get(0)?,
                    table: r.get(1)?,
                    first: r.get(2)?,
                    last: r.get(3)?,
                    hash: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Ok(Chain {
            after,
            before,
            blocks,
        }))
    }

    /// The chain in `n` runs of about as many rows each, each with its place in the chain
    /// and the hash before it.
    pub(super) fn runs(&self, n: usize) -> Vec<(usize, &str, &[Block])> {
        let rows: i64 = self.blocks.iter().map(Block::rows).sum();
        let per = (rows / n.max(1) as i64).max(1);
        let mut runs = Vec::with_capacity(n);
        let (mut start, mut held) = (0, 0);
        for (i, b) in self.blocks.iter().enumerate() {
            held += b.rows();
            if held >= per || i + 1 == self.blocks.len() {
                let before = match start {
                    0 => self.before.as_str(),
                    s => self.blocks[s - 1].hash.as_str(),
                };
                runs.push((start, before, &self.blocks[start..=i]));
                (start, held) = (i + 1, 0);
            }
        }
        runs
    }

    /// The walk, given the first block that did not match (its place in the chain) and
    /// what was wrong with it, if any.
    pub(super) fn walked(&self, found: Option<(usize, Breach)>) -> Walk {
        let (matched, broken) = match found {
            Some((at, breach)) => (&self.blocks[..at], Some(breach)),
            None => (&self.blocks[..], None),
        };
        let last = matched.last();
        Walk {
            // The block that broke was walked too.
            blocks: (matched.len() + usize::from(broken.is_some())) as i64,
            rows: matched.iter().map(Block::rows).sum(),
            last_block: last.map_or(self.after, |b| b.seq),
            head: last.map_or_else(|| self.before.clone(), |b| b.hash.clone()),
            broken,
        }
    }
}

impl Block {
    fn rows(&self) -> i64 {
        self.last - self.first + 1
    }
}

/// The first block of `run` (the hash stored before it being `before`) whose rows no
/// longer hash to it, with its place in `run`.
pub(super) fn check_run(
    conn: &Connection,
    before: &str,
    run: &[Block],
) -> Result<Option<(usize, Breach)>> {
    let mut prev = before;
    for (i, b) in run.iter().enumerate() {
        if !CHAINED.iter().any(|c| c.table == b.table) {
            let table = b.table.clone();
            return Ok(Some((
                i,
                Breach::UnknownTable {
                    block: b.seq,
                    table,
                },
            )));
        }
        if block_hash(conn, prev, &b.table, b.first, b.last)? != b.hash {
            let breach = Breach::Block {
                block: b.seq,
                table: b.table.clone(),
                first: b.first,
                last: b.last,
            };
            return Ok(Some((i, breach)));
        }
        prev = &b.hash;
    }
    Ok(None)
}

/// A row of the record that no block covers, if any: of all rows, or (`tail_only`) of those
/// after every block of their table (the rows a walk of the newer blocks could miss).
pub(super) fn unsealed(conn: &Connection, tail_only: bool) -> Result<Option<Breach>> {
    for c in &CHAINED {
        let found = if tail_only {
            let sql = format!(
                "SELECT {key} FROM {t} WHERE {key} >
                   COALESCE((SELECT MAX(last) FROM chain WHERE tbl = '{t}'), -9223372036854775808)
                 ORDER BY {key} LIMIT 1",
                t = c.table,
                key = c.key
            );
            conn.query_row(&sql, [], |r| r.get(0)).optional()?
        } else {
            first_outside(conn, c)?
        };
        if let Some(key) = found {
            return Ok(Some(Breach::Unsealed {
                table: c.table,
                key,
            }));
        }
    }
    Ok(None)
}

/// The smallest key of `c`'s table that none of its blocks covers. The blocks' ranges are
/// merged first (a table sealed a row at a time has as many blocks as rows), and only the
/// gaps between them are looked up, each a seek of the key's index: testing every row
/// against every block was quadratic (20,000 audit rows took over two minutes).
fn first_outside(conn: &Connection, c: &Chained) -> Result<Option<i64>> {
    let mut blocks =
        conn.prepare_cached("SELECT first, last FROM chain WHERE tbl = ?1 ORDER BY first")?;
    let ranges = blocks
        .query_map([c.table], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for (first, last) in ranges {
        match merged.last_mut() {
            Some(m) if first <= m.1.saturating_add(1) => m.1 = m.1.max(last),
            _ => merged.push((first, last)),
        }
    }
    // The gaps, as inclusive ranges of keys: before the first block, between blocks, after
    // the last (the whole key space when the table has no block).
    let mut gaps = Vec::with_capacity(merged.len() + 1);
    let mut from = Some(i64::MIN);
    for (first, last) in merged {
        let Some(f) = from else { break };
        if first > f {
            gaps.push((f, first - 1));
        }
        from = last.checked_add(1);
    }
    if let Some(f) = from {
        gaps.push((f, i64::MAX));
    }
    let mut st = conn.prepare_cached(&format!(
        "SELECT {key} FROM {t} WHERE {key} BETWEEN ?1 AND ?2 ORDER BY {key} LIMIT 1",
        t = c.table,
        key = c.key
    ))?;
    for (lo, hi) in gaps {
        if let Some(k) = st.query_row([lo, hi], |r| r.get(0)).optional()? {
            return Ok(Some(k));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_before_between_or_after_the_blocks_is_found_and_adjacent_blocks_cover_as_one() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE chain (seq INTEGER PRIMARY KEY, tbl TEXT, first INTEGER, last INTEGER, hash TEXT);
             CREATE TABLE audit (id INTEGER PRIMARY KEY);
             INSERT INTO chain (tbl, first, last, hash) VALUES
               ('audit', 6, 10, ''), ('audit', 1, 5, ''), ('audit', 11, 11, ''),
               ('audit', 12, 25, ''), ('events', 26, 40, '');",
        )
        .unwrap();
        for id in 1..=25 {
            conn.execute("INSERT INTO audit (id) VALUES (?1)", [id])
                .unwrap();
        }
        let audit = chained("audit");
        assert_eq!(first_outside(&conn, audit).unwrap(), None);
        for (id, found) in [(30, 30), (-3, -3), (26, -3)] {
            conn.execute("INSERT INTO audit (id) VALUES (?1)", [id])
                .unwrap();
            assert_eq!(first_outside(&conn, audit).unwrap(), Some(found));
        }
        // A hole between two blocks.
        conn.execute_batch(
            "DELETE FROM audit WHERE id IN (-3, 26, 30);
             DELETE FROM chain WHERE first = 11;",
        )
        .unwrap();
        assert_eq!(first_outside(&conn, audit).unwrap(), Some(11));
    }
}
