//! Sealed current rows: the tables that hold a state rather than a history (the staff's
//! employment dates, departments and their heads, logins and their roles, department
//! targets and budgets, event imports, the signers of reviews) decide grades and rights as
//! much as the log does. Each write of such a row appends its digest to `row_seals`, a
//! chained table, in the same transaction; `audit verify` compares every row with its
//! latest digest and names a row changed, removed or slipped in past appraise.
//!
//! Sessions and login attempts stay outside: they are operational (a session is a hash of a
//! token that expires, an attempt a throttling counter), decide no grade or right once
//! over, and are written on every request, which a seal per write would make a chain of
//! noise.

use std::collections::HashMap;

use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

use super::chain::{hash_values, seal};
use super::{Breach, Change, Result};

/// A table of current rows: its key, and the columns its digest covers.
struct Sealed {
    table: &'static str,
    key: &'static str,
    columns: &'static str,
}

const SEALED: [Sealed; 7] = [
    Sealed {
        table: "staff",
        key: "id",
        columns: "id, name, department, role, joined, left_on, supervisor, attrs",
    },
    Sealed {
        table: "departments",
        key: "id",
        columns: "id, name, head",
    },
    Sealed {
        table: "users",
        key: "login",
        columns: "login, name, role, employee, department, password, created_by, created_at",
    },
    Sealed {
        table: "imports",
        key: "id",
        columns: "id, file, rows, stored, by, at",
    },
    Sealed {
        table: "dept_targets",
        key: "id",
        columns: "id, department, year, name, met, by, at",
    },
    Sealed {
        table: "dept_budgets",
        key: "id",
        columns: "id, department, year, budget, spent, by, at",
    },
    // The chain covers a review's first columns; who signs (added later) is sealed here.
    Sealed {
        table: "reviews",
        key: "id",
        columns: "id, supervisor, head",
    },
];

fn sealed(table: &str) -> &'static Sealed {
    SEALED
        .iter()
        .find(|s| s.table == table)
        .expect("only tables of current rows are sealed here")
}

/// Every row of `s` as it is now: key → digest.
fn digests(conn: &Connection, s: &Sealed, key: Option<&str>) -> Result<HashMap<String, String>> {
    // The key as text; an integer key's column applies its affinity to it, so the lookup
    // uses the key's index.
    let filter = if key.is_some() {
        format!("WHERE {} = ?1", s.key)
    } else {
        String::new()
    };
    let mut st = conn.prepare_cached(&format!(
        "SELECT CAST({key} AS TEXT), {columns} FROM {table} {filter}",
        key = s.key,
        columns = s.columns,
        table = s.table
    ))?;
    let mut rows = match key {
        Some(k) => st.query([k])?,
        None => st.query([])?,
    };
    let mut out = HashMap::new();
    while let Some(row) = rows.next()? {
        let k: String = row.get(0)?;
        let mut h = Sha256::new();
        h.update(s.table.as_bytes());
        hash_values(&mut h, row, 1)?;
        out.insert(k, crate::domain::text::hex(&h.finalize()));
    }
    Ok(out)
}

/// Seals the rows of `table` with these keys as they are now (a key with no row seals its
/// removal), in the caller's transaction.
pub(super) fn seal_rows<K: ToString>(conn: &Connection, table: &str, keys: &[K]) -> Result<()> {
    let s = sealed(table);
    let mut ids = Vec::with_capacity(keys.len());
    for key in keys {
        let key = key.to_string();
        let digest = digests(conn, s, Some(&key))?.remove(&key);
        conn.prepare_cached("INSERT INTO row_seals (tbl, key, digest) VALUES (?1, ?2, ?3)")?
            .execute(params![s.table, key, digest])?;
        ids.push(conn.last_insert_rowid());
    }
    if let (Some(first), Some(last)) = (ids.first(), ids.last()) {
        seal(conn, "row_seals", *first, *last)?;
    }
    Ok(())
}

/// Seals every current row, when the seals begin (a database older than them).
pub(super) fn seal_all(conn: &Connection) -> Result<()> {
    for s in &SEALED {
        let mut keys: Vec<String> = digests(conn, s, None)?.into_keys().collect();
        keys.sort();
        seal_rows(conn, s.table, &keys)?;
    }
    Ok(())
}

/// The first current row that no longer matches its seal, if any.
pub(super) fn check(conn: &Connection) -> Result<Option<Breach>> {
    for s in &SEALED {
        let now = digests(conn, s, None)?;
        let mut st = conn.prepare(
            "SELECT key, digest FROM row_seals WHERE id IN
             (SELECT max(id) FROM row_seals WHERE tbl = ?1 GROUP BY key)",
        )?;
        let sealed: HashMap<String, Option<String>> = st
            .query_map([s.table], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut keys: Vec<&String> = now.keys().chain(sealed.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let broken = match (now.get(key), sealed.get(key)) {
                (Some(d), Some(Some(s))) if d == s => None,
                (Some(_), Some(Some(_))) => Some(Change::Changed),
                (Some(_), None | Some(None)) => Some(Change::Written),
                (None, Some(Some(_))) => Some(Change::Removed),
                (None, _) => None,
            };
            if let Some(change) = broken {
                return Ok(Some(Breach::Seal {
                    table: s.table,
                    key: key.clone(),
                    change,
                }));
            }
        }
    }
    Ok(None)
}
