//! The audit log: every change ever made, with time and actor. Append-only.

use rusqlite::params;
use serde::Serialize;

use super::{Result, Store};

/// One change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

/// Which entries to read.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Entries at or after this date (YYYY-MM-DD).
    pub since: Option<String>,
}

impl Store {
    /// Up to `limit` entries made before entry `before` (or the latest), newest first: a
    /// page of the log, read from its end.
    pub fn audit_page(&self, before: Option<i64>, limit: usize) -> Result<Vec<AuditEntry>> {
        let mut st = self.conn.prepare(
            "SELECT id, at, actor, action, subject, detail FROM audit
             WHERE ?1 IS NULL OR id < ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = st.query_map(params![before, limit as i64], entry)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Audit entries in the order they were made.
    pub fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let mut st = self.conn.prepare(
            "SELECT id, at, actor, action, subject, detail FROM audit
             WHERE ?1 IS NULL OR at >= ?1 ORDER BY id",
        )?;
        let rows = st.query_map([&filter.since], entry)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

fn entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        subject: r.get(4)?,
        detail: r.get(5)?,
    })
}
