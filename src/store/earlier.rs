//! Databases of earlier schema versions, for the upgrade tests: a company's record as a
//! release of that version would have held it. Not used by appraise itself; public so that
//! the tests, which keep one database per released version, can build them.

use std::path::Path;

use rusqlite::{Connection, params};

use super::{Error, Result, chain, packs, schema, seals};

/// Tables the release derived from the others as it wrote them (the chain, the row seals,
/// the packs, how far the chain was verified): made here for `version`'s rows rather than
/// copied, so that they seal and pack exactly what that version holds.
const DERIVED: [&str; 4] = ["chain", "row_seals", "packs", "verified"];

/// Writes at `out` (a new file) a database of schema `version` holding the rows of the
/// database at `reference` (of this version) that a database of `version` can hold: every
/// table that existed then, with the columns it had, the migrations up to `version` run
/// on it as they were released. The chain, packs and row seals are made as that release
/// made them (sealed when written, from version 8; packed from 14; row seals from 15), so
/// that the record is whole before it is upgraded.
pub fn write_earlier_version(reference: &Path, out: &Path, version: usize) -> Result<()> {
    if !(1..=schema::MIGRATIONS.len()).contains(&version) {
        return Err(Error::Corrupt(format!(
            "no schema version {version}: versions run from 1 to {}",
            schema::MIGRATIONS.len()
        )));
    }
    let conn = Connection::open(out).map_err(|source| Error::Open {
        path: out.display().to_string(),
        source,
    })?;
    // As `Store::migrate` runs them: a migration may rebuild a table others refer to.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    for sql in &schema::MIGRATIONS[..version] {
        conn.execute_batch(sql)?;
    }
    conn.pragma_update(None, "user_version", version as i64)?;
    conn.execute(
        "ATTACH DATABASE ?1 AS reference",
        params![reference.display().to_string()],
    )?;
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM main.sqlite_master
              WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for table in parents_first(&conn, tables)? {
        copy(&conn, &table)?;
    }
    conn.execute("DETACH DATABASE reference", [])?;
    if version >= schema::CHAIN_VERSION {
        chain::seal_existing(&conn)?;
    }
    if version >= schema::PACKS_VERSION {
        packs::repack_all(&conn)?;
    }
    if version >= schema::SEALS_VERSION {
        seals::seal_all(&conn)?;
    }
    if version >= VERIFIED_VERSION {
        // A full verification that found the chain whole up to its last block.
        conn.execute(
            "INSERT INTO verified (seq, hash, at, full)
             SELECT seq, hash, '2026-01-01T00:00:00+08:00', 1 FROM chain ORDER BY seq DESC LIMIT 1",
            [],
        )?;
    }
    Ok(())
}

/// Copies the rows of `table` that a database of this version could hold: those its
/// constraints accept (an attendance import of leave, say, is refused before leave came)
/// and whose references resolve among the rows already copied.
fn copy(conn: &Connection, table: &str) -> Result<()> {
    let columns: Vec<String> = conn
        .prepare(&format!("PRAGMA main.table_info({table})"))?
        .query_map([], |r| r.get::<_, String>(1))?
        .map(|c| c.map(|c| format!("\"{c}\"")))
        .collect::<rusqlite::Result<_>>()?;
    let resolved: Vec<String> = references(conn, table)?
        .into_iter()
        .map(|(column, parent, key)| {
            format!(
                "(r.\"{column}\" IS NULL OR EXISTS (SELECT 1 FROM main.{parent} p WHERE p.\"{key}\" = r.\"{column}\"))"
            )
        })
        .collect();
    let filter = if resolved.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", resolved.join(" AND "))
    };
    let chosen: Vec<String> = columns.iter().map(|c| format!("r.{c}")).collect();
    conn.execute(
        &format!(
            "INSERT OR IGNORE INTO main.{table} ({}) SELECT {} FROM reference.{table} r {filter}",
            columns.join(", "),
            chosen.join(", ")
        ),
        [],
    )?;
    Ok(())
}

/// The foreign keys of `table`: (its column, the parent table, the parent's column).
fn references(conn: &Connection, table: &str) -> Result<Vec<(String, String, String)>> {
    Ok(conn
        .prepare(&format!("PRAGMA main.foreign_key_list({table})"))?
        .query_map([], |r| {
            let parent: String = r.get(2)?;
            let to: Option<String> = r.get(4)?;
            Ok((r.get(3)?, parent, to.unwrap_or_else(|| "rowid".into())))
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// The tables to copy (all but the derived ones), each after the tables it refers to.
fn parents_first(conn: &Connection, tables: Vec<String>) -> Result<Vec<String>> {
    let mut waiting: Vec<(String, Vec<String>)> = Vec::new();
    for t in tables
        .into_iter()
        .filter(|t| !DERIVED.contains(&t.as_str()))
    {
        let parents = references(conn, &t)?
            .into_iter()
            .map(|(_, parent, _)| parent)
            .filter(|p| *p != t)
            .collect();
        waiting.push((t, parents));
    }
    let mut order: Vec<String> = Vec::new();
    while !waiting.is_empty() {
        let ready = waiting
            .iter()
            .position(|(_, parents)| parents.iter().all(|p| order.contains(p)))
            .ok_or_else(|| Error::Corrupt("the tables' references go round in a circle".into()))?;
        order.push(waiting.remove(ready).0);
    }
    Ok(order)
}

/// The schema version that brought the note of how far the chain was verified.
const VERIFIED_VERSION: usize = 19;
