//! SQLite storage: departments, staff, the append-only event log and activated policy
//! versions. Every write that spans rows is one transaction.

mod schema;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::event::{Event, Fields};
use crate::month::{Month, parse_date};
use crate::policy::{Bundle, Policy};
use crate::staff::{Department, Employee};

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("database `{path}`: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database holds a malformed value: {0}")]
    Corrupt(String),
    #[error(
        "database `{path}` has schema version {found}, newer than this appraise ({known}); upgrade appraise"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("no event with id {0}; `appraise log list` shows the ids")]
    NoEvent(i64),
    #[error("event {id} is already voided ({reason}, by {by} at {at})")]
    AlreadyVoided {
        id: i64,
        reason: String,
        by: String,
        at: String,
    },
}

pub type Result<T> = std::result::Result<T, Error>;

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
    /// The content identity of an entry: what makes a re-imported row "the same row".
    fn digest(&self) -> String {
        let fields = serde_json::to_string(&self.fields).unwrap_or_default();
        let mut h = Sha256::new();
        for part in [
            self.employee.as_str(),
            &self.date.to_string(),
            &self.kind,
            &self.qty.to_string(),
            &self.note,
            &fields,
            &self.recorded_by,
        ] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// What an append stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Appended {
    /// Ids of the events stored, in input order.
    pub stored: Vec<i64>,
    /// Rows already in the log (same content), not stored again.
    pub already: usize,
}

/// Filters for listing events.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub id: Option<i64>,
    pub employee: Option<String>,
    pub month: Option<Month>,
    pub kind: Option<String>,
    /// Only live (not voided) events.
    pub live_only: bool,
}

/// An activated policy version as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Version {
    pub id: i64,
    pub policy: String,
    pub name: String,
    pub version: String,
    pub effective_from: String,
    pub departments: Vec<String>,
    pub hash: String,
    pub activated_by: String,
    pub activated_at: String,
    #[serde(skip)]
    pub bundle: Bundle,
}

/// The database.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        let shown = path.display().to_string();
        let conn = Connection::open(path).map_err(|source| Error::Open {
            path: shown.clone(),
            source,
        })?;
        // Several supervisors may write at once: WAL lets readers go on, the timeout queues writers.
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = Store { conn };
        store.migrate(&shown)?;
        Ok(store)
    }

    fn migrate(&mut self, path: &str) -> Result<()> {
        let found: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        let known = schema::MIGRATIONS.len() as i64;
        if found > known {
            return Err(Error::TooNew {
                path: path.to_string(),
                found,
                known,
            });
        }
        let tx = self.conn.transaction()?;
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(found as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
        }
        tx.commit()?;
        Ok(())
    }

    // ---- departments ----

    /// Creates a department or updates the name/head given.
    pub fn put_department(&self, id: &str, name: Option<&str>, head: Option<&str>) -> Result<()> {
        self.conn.execute(
            "INSERT INTO departments (id, name, head) VALUES (?1, coalesce(?2, ?1), ?3)
             ON CONFLICT(id) DO UPDATE SET name = coalesce(?2, name), head = coalesce(?3, head)",
            params![id, name, head],
        )?;
        Ok(())
    }

    pub fn departments(&self) -> Result<Vec<Department>> {
        let mut st = self
            .conn
            .prepare("SELECT id, name, head FROM departments ORDER BY id")?;
        let rows = st.query_map([], |r| {
            Ok(Department {
                id: r.get(0)?,
                name: r.get(1)?,
                head: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // ---- staff ----

    /// Inserts or updates employees in one transaction, creating missing departments.
    pub fn put_staff(&mut self, staff: &[Employee]) -> Result<()> {
        let tx = self.conn.transaction()?;
        for e in staff {
            tx.execute(
                "INSERT INTO departments (id, name) VALUES (?1, ?1) ON CONFLICT(id) DO NOTHING",
                [&e.department],
            )?;
            tx.execute(
                "INSERT INTO staff (id, name, department, role, joined, left_on, supervisor, attrs)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(id) DO UPDATE SET name = ?2, department = ?3, role = ?4, joined = ?5,
                   left_on = ?6, supervisor = ?7, attrs = ?8",
                params![
                    e.id,
                    e.name,
                    e.department,
                    e.role,
                    e.joined.to_string(),
                    e.left.map(|d| d.to_string()),
                    e.supervisor,
                    serde_json::to_string(&e.attrs).unwrap_or_else(|_| "{}".into()),
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every employee, by id.
    pub fn staff(&self) -> Result<Vec<Employee>> {
        let mut st = self
            .conn
            .prepare(&format!("SELECT {STAFF_COLUMNS} FROM staff ORDER BY id"))?;
        let rows = st.query_map([], staff_row)?;
        rows.map(|r| employee(r?)).collect()
    }

    pub fn employee(&self, id: &str) -> Result<Option<Employee>> {
        self.conn
            .query_row(
                &format!("SELECT {STAFF_COLUMNS} FROM staff WHERE id = ?1"),
                [id],
                staff_row,
            )
            .optional()?
            .map(employee)
            .transpose()
    }

    // ---- events ----

    /// Appends events in one transaction. Rows whose content is already in the log are not
    /// stored again (as many times as the log already holds them), so re-importing a file is
    /// harmless. `import` names the file an import came from, with its row count.
    pub fn append(
        &mut self,
        events: &[NewEvent],
        import: Option<(&str, usize)>,
        by: &str,
        at: &str,
    ) -> Result<Appended> {
        let tx = self.conn.transaction()?;
        let mut known: HashMap<String, i64> = HashMap::new();
        let mut stored = Vec::new();
        let mut already = 0;
        let mut pending = Vec::new();
        {
            let mut count = tx.prepare_cached("SELECT count(*) FROM events WHERE digest = ?1")?;
            for e in events {
                let digest = e.digest();
                let left = match known.get_mut(&digest) {
                    Some(n) => n,
                    None => {
                        let n: i64 = count.query_row([&digest], |r| r.get(0))?;
                        known.entry(digest.clone()).or_insert(n)
                    }
                };
                if *left > 0 {
                    *left -= 1;
                    already += 1;
                } else {
                    pending.push((e, digest));
                }
            }
        }
        let import_id = match import {
            Some((file, rows)) => {
                tx.execute(
                    "INSERT INTO imports (file, rows, stored, by, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![file, rows as i64, pending.len() as i64, by, at],
                )?;
                Some(tx.last_insert_rowid())
            }
            None => None,
        };
        {
            let mut ins = tx.prepare_cached(
                "INSERT INTO events (employee, date, kind, qty, note, fields, recorded_by, recorded_at, import_id, digest)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for (e, digest) in pending {
                ins.execute(params![
                    e.employee,
                    e.date.to_string(),
                    e.kind,
                    e.qty,
                    e.note,
                    serde_json::to_string(&e.fields).unwrap_or_else(|_| "{}".into()),
                    e.recorded_by,
                    at,
                    import_id,
                    digest
                ])?;
                stored.push(tx.last_insert_rowid());
            }
        }
        tx.commit()?;
        Ok(Appended { stored, already })
    }

    /// Events matching `filter`, in (date, id) order.
    pub fn events(&self, filter: &EventFilter) -> Result<Vec<Event>> {
        let mut sql = String::from(
            "SELECT e.id, e.employee, e.date, e.kind, e.qty, e.note, e.fields, e.recorded_by, v.event_id IS NOT NULL
             FROM events e LEFT JOIN voids v ON v.event_id = e.id WHERE 1 = 1",
        );
        let mut args: Vec<String> = Vec::new();
        if let Some(id) = filter.id {
            args.push(id.to_string());
            sql += &format!(" AND e.id = ?{}", args.len());
        }
        if let Some(emp) = &filter.employee {
            args.push(emp.clone());
            sql += &format!(" AND e.employee = ?{}", args.len());
        }
        if let Some(m) = filter.month {
            args.push(m.first_day().to_string());
            sql += &format!(" AND e.date >= ?{}", args.len());
            args.push(m.last_day().to_string());
            sql += &format!(" AND e.date <= ?{}", args.len());
        }
        if let Some(k) = &filter.kind {
            args.push(k.clone());
            sql += &format!(" AND e.kind = ?{}", args.len());
        }
        if filter.live_only {
            sql += " AND v.event_id IS NULL";
        }
        sql += " ORDER BY e.date, e.id";
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, bool>(8)?,
            ))
        })?;
        rows.map(|r| {
            let (id, employee, date, kind, qty, note, fields, recorded_by, voided) = r?;
            Ok(Event {
                id,
                employee,
                date: parse_date(&date)
                    .ok_or_else(|| Error::Corrupt(format!("event {id} date `{date}`")))?,
                kind,
                qty,
                note,
                fields: serde_json::from_str(&fields)
                    .map_err(|e| Error::Corrupt(format!("event {id} fields: {e}")))?,
                recorded_by,
                voided,
            })
        })
        .collect()
    }

    /// Live events of every employee in `[from, to]`, grouped by employee.
    pub fn live_events_between(
        &self,
        from: Month,
        to: Month,
    ) -> Result<BTreeMap<String, Vec<Event>>> {
        let mut by: BTreeMap<String, Vec<Event>> = BTreeMap::new();
        let mut month = from;
        let mut all = Vec::new();
        while month <= to {
            all.extend(self.events(&EventFilter {
                month: Some(month),
                live_only: true,
                ..EventFilter::default()
            })?);
            month = month.next();
        }
        for e in all {
            by.entry(e.employee.clone()).or_default().push(e);
        }
        Ok(by)
    }

    pub fn event(&self, id: i64) -> Result<Event> {
        self.events(&EventFilter {
            id: Some(id),
            ..EventFilter::default()
        })?
        .pop()
        .ok_or(Error::NoEvent(id))
    }

    /// Marks an event as voided: it stays in the log and stops counting.
    pub fn void(&self, id: i64, reason: &str, by: &str, at: &str) -> Result<()> {
        let exists: bool =
            self.conn
                .query_row("SELECT count(*) > 0 FROM events WHERE id = ?1", [id], |r| {
                    r.get(0)
                })?;
        if !exists {
            return Err(Error::NoEvent(id));
        }
        let prior = self
            .conn
            .query_row(
                "SELECT reason, by, at FROM voids WHERE event_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((reason, by, at)) = prior {
            return Err(Error::AlreadyVoided { id, reason, by, at });
        }
        self.conn.execute(
            "INSERT INTO voids (event_id, reason, by, at) VALUES (?1, ?2, ?3, ?4)",
            params![id, reason, by, at],
        )?;
        Ok(())
    }

    // ---- policy versions ----

    /// Records a policy version. Returns `None` when this exact text (same hash, same
    /// effective month) is activated already.
    pub fn activate(&self, policy: &Policy, by: &str, at: &str) -> Result<Option<i64>> {
        let hash = policy.hash();
        let exists: bool = self.conn.query_row(
            "SELECT count(*) > 0 FROM policy_versions WHERE hash = ?1",
            [&hash],
            |r| r.get(0),
        )?;
        if exists {
            return Ok(None);
        }
        self.conn.execute(
            "INSERT INTO policy_versions (policy_id, name, version, effective_from, departments, bundle, hash, activated_by, activated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                policy.id,
                policy.name,
                policy.version,
                policy.effective_from.to_string(),
                serde_json::to_string(&policy.departments).unwrap_or_default(),
                serde_json::to_string(&policy.bundle).unwrap_or_default(),
                hash,
                by,
                at
            ],
        )?;
        Ok(Some(self.conn.last_insert_rowid()))
    }

    /// Every activated version, oldest activation first.
    pub fn versions(&self) -> Result<Vec<Version>> {
        let mut st = self.conn.prepare(
            "SELECT id, policy_id, name, version, effective_from, departments, bundle, hash, activated_by, activated_at
             FROM policy_versions ORDER BY id",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, String>(9)?,
            ))
        })?;
        rows.map(|r| {
            let (
                id,
                policy,
                name,
                version,
                effective_from,
                departments,
                bundle,
                hash,
                activated_by,
                activated_at,
            ) = r?;
            Ok(Version {
                id,
                policy,
                name,
                version,
                effective_from,
                departments: serde_json::from_str(&departments)
                    .map_err(|e| Error::Corrupt(format!("version {id} departments: {e}")))?,
                hash,
                activated_by,
                activated_at,
                bundle: serde_json::from_str(&bundle)
                    .map_err(|e| Error::Corrupt(format!("version {id} bundle: {e}")))?,
            })
        })
        .collect()
    }
}

/// A staff row as stored, before its dates and attributes are parsed.
type StaffRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
);

const STAFF_COLUMNS: &str = "id, name, department, role, joined, left_on, supervisor, attrs";

fn staff_row(r: &Row) -> rusqlite::Result<StaffRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

fn employee(row: StaffRow) -> Result<Employee> {
    let (id, name, department, role, joined, left, supervisor, attrs) = row;
    let date =
        |s: &str| parse_date(s).ok_or_else(|| Error::Corrupt(format!("employee {id} date `{s}`")));
    Ok(Employee {
        joined: date(&joined)?,
        left: left.as_deref().map(date).transpose()?,
        attrs: serde_json::from_str(&attrs)
            .map_err(|e| Error::Corrupt(format!("employee {id} attrs: {e}")))?,
        id,
        name,
        department,
        role,
        supervisor,
    })
}
