//! SQLite storage: departments, staff, the append-only event log, activated policy versions,
//! closed months with their snapshots, and the audit log. Every change is one transaction
//! that also writes its audit entry.

mod appeals;
mod append;
mod attendance;
mod audit;
mod backup;
mod breach;
mod chain;
mod earlier;
mod elements;
mod events;
mod evidence;
mod integrity;
mod leave;
mod months;
mod outbox;
mod packs;
mod reader;
mod reviews;
mod rows;
mod schema;
mod seals;
mod spill;
mod staff;
mod users;
mod versions;

use std::path::{Path, PathBuf};

use crate::domain::month::Month;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

/// The version of the database's layout this build writes (SQLite's `user_version`): a
/// database of an older one is upgraded when opened; one of a newer one is refused.
pub const SCHEMA_VERSION: usize = schema::MIGRATIONS.len();

pub use appeals::{Appeal, AppealDecision};
pub use append::{Appended, Ids, Single};
pub use attendance::{
    AttendanceTx, Correction, CorrectionDecision, Intake, LiveDerived, RosterReader, RosterView,
};
pub use audit::{AuditEntry, AuditFilter};
pub use breach::{Breach, Change};
pub use chain::{Verification, Verified};
#[doc(hidden)]
pub use earlier::write_earlier_version;
pub use events::{Entered, EventFilter, NewEvent, Status};
pub use evidence::{Attached, Evidence, NewPhoto};
pub use integrity::Repacked;
pub use leave::{Holiday, Leave, LeaveDecision, LeaveState, NewLeave};
pub use months::{Closing, SnapshotStream};
pub use outbox::{Channel, ChannelShown, Delivery, Notice, Queued, SecretAt};
pub use reader::Reader;
pub use reviews::ReviewStart;
pub use spill::{Prepared, Spill};
pub use staff::{DepartmentTarget, StaffUpdate};
pub use users::{FailedLogins, LoginFailures};
pub use versions::Version;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("database `{path}`: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("database: {}", sqlite_message(.0))]
    Sqlite(#[from] rusqlite::Error),
    #[error("database holds a malformed value: {0}")]
    Corrupt(String),
    /// A closed month's snapshot that is not the array of scores the close wrote: changed
    /// past appraise.
    #[error("the snapshot of {month} cannot be read: {why}")]
    Snapshot {
        month: crate::domain::month::Month,
        why: String,
    },
    #[error(
        "database `{path}` has schema version {found}, newer than this appraise ({known}); upgrade appraise"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("no event with id {0}")]
    NoEvent(i64),
    /// A row whose id was imported before, with other content.
    #[error(
        "row_id `{row_id}` was imported before as event {event}, with other content; nothing was imported. To correct that row, void event {event} and give the corrected row a new row_id"
    )]
    SourceChanged { row_id: String, event: i64 },
    /// A single entry is an exact copy of this live event (and was not meant as a second).
    #[error("event {0} is already in the log, the same in every detail")]
    Same(i64),
    #[error("event {id} is already {what} ({reason}, by {by} at {at})")]
    Already {
        id: i64,
        what: &'static str,
        reason: String,
        by: String,
        at: String,
    },
    /// A change to a month that is closed (reopening it is the way back).
    #[error(
        "cannot {doing} {month}: the month was closed by {by} at {at}; it must be reopened first"
    )]
    MonthClosed {
        doing: String,
        month: Month,
        by: String,
        at: String,
    },
    #[error("{month} is already closed (by {by} at {at})")]
    AlreadyClosed {
        month: Month,
        by: String,
        at: String,
    },
    #[error("{0} is not closed")]
    NotClosed(Month),
    /// A backup is written only to a new file.
    #[error("`{}` exists already; back up to a new file", .0.display())]
    BackupExists(PathBuf),
    /// The checked copy could not be put in place.
    #[error("the backup `{}` could not be written: {source}", .path.display())]
    BackupWrite {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no review of `{employee}` for {year} has been started")]
    NoReview { employee: String, year: i32 },
    /// A version effective from a closed month restates it, which needs a reason.
    #[error(
        "`{policy}` version {version} is effective from {from}, but {closed} is closed; activating it restates closed months"
    )]
    RestatesClosed {
        policy: String,
        version: String,
        from: String,
        closed: String,
    },
    #[error("no appeal with id {0}")]
    NoAppeal(i64),
    #[error("event {event} is {status}: it no longer counts, so there is nothing to appeal")]
    NotCounting { event: i64, status: String },
    #[error(
        "event {event} is appealed already (appeal {appeal}, by {by}); an event is appealed once"
    )]
    AlreadyAppealed { event: i64, appeal: i64, by: String },
    /// An appeal or a correction decided before: a decision is made once.
    #[error("{0}")]
    Decided(Box<Decided>),
    /// Packs are rebuilt only from a log that matches its chain.
    #[error(
        "the record was altered ({0}); the packs are rebuilt from the log only when the log is whole: restore the database from a backup"
    )]
    AlteredLog(Breach),
    #[error(
        "the log changed during each of {0} attempts to read it at one state; try again when the import or entry in progress is done"
    )]
    Changing(usize),
    #[error("the import's temporary file: {0}")]
    Spill(#[from] std::io::Error),
}

/// SQLite's words for a failed write, with what it means for the person and what to do: a
/// full disk surfaces as "disk I/O error" when the journal cannot grow.
fn sqlite_message(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode::*;
    let mend = match e.sqlite_error_code() {
        Some(DiskFull | SystemIoFailure) => {
            "the disk holding the database is full or failing; nothing was stored: free space on it (or move the database) and try again"
        }
        Some(ReadOnly) => {
            "the database file cannot be written; nothing was stored: check its permissions and the disk"
        }
        Some(CannotOpen) => "the database file cannot be opened; check its folder and permissions",
        _ => return e.to_string(),
    };
    format!("{e}: {mend}")
}

/// The decision an appeal or a correction already has.
#[derive(Debug, thiserror::Error)]
#[error("{what} {id} was {outcome} already ({reason}, by {by} at {at})")]
pub struct Decided {
    pub what: &'static str,
    pub id: i64,
    pub outcome: String,
    pub reason: String,
    pub by: String,
    pub at: String,
}

impl Error {
    /// Whether the store refused the change as asked (no such event, already marked, a
    /// closed month) rather than failing.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Error::NoEvent(_)
                | Error::SourceChanged { .. }
                | Error::Same(_)
                | Error::Already { .. }
                | Error::MonthClosed { .. }
                | Error::AlreadyClosed { .. }
                | Error::NotClosed(_)
                | Error::BackupExists(_)
                | Error::NoReview { .. }
                | Error::RestatesClosed { .. }
                | Error::NoAppeal(_)
                | Error::NotCounting { .. }
                | Error::AlreadyAppealed { .. }
                | Error::Decided(_)
                | Error::AlteredLog(_)
        )
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// How long a writer waits for the write lock before giving up: longer than the longest
/// import holds it (a million rows take about four seconds).
pub const LOCK_WAIT: Duration = Duration::from_secs(60);

/// Who makes a change, and when: written with every change into the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub by: String,
    pub at: String,
}

/// The database.
pub struct Store {
    conn: Connection,
    /// Where it is, for the readers of a parallel evaluation.
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        let shown = path.display().to_string();
        let conn = Connection::open(path).map_err(|source| Error::Open {
            path: shown.clone(),
            source,
        })?;
        // Several supervisors may write at once: WAL lets readers go on, and a writer waits
        // for the lock (up to `LOCK_WAIT`) instead of failing.
        conn.busy_timeout(LOCK_WAIT)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Imports touch several indexes at random places: a larger page cache keeps them in memory.
        conn.pragma_update(None, "cache_size", -65536)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.migrate(&shown)?;
        Ok(store)
    }

    /// Notes in the audit log that this database was restored from the backup `from`,
    /// whose chain ended at `head`: what was written after that copy was made is not in
    /// this record, and the record says so.
    pub fn note_restored(&mut self, stamp: &Stamp, from: &str, head: &str) -> Result<()> {
        let tx = self.write()?;
        audit(
            &tx,
            stamp,
            "backup.restore",
            "database",
            &format!(
                "restored from the backup {from}, whose chain head was {head}; what was written after that copy was made is not in this record"
            ),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Moves what the write-ahead log of the database at `path` holds into its file and
    /// empties the log, so that the file alone is the whole database (before it is moved
    /// aside). Opened as a plain SQLite file, not as a store: nothing is upgraded.
    pub fn checkpoint_file(path: &Path) -> Result<()> {
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE).map_err(
            |source| Error::Open {
                path: path.display().to_string(),
                source,
            },
        )?;
        conn.busy_timeout(LOCK_WAIT)?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Whether no transaction is open (a connection fit to be used again).
    pub fn is_idle(&self) -> bool {
        self.conn.is_autocommit()
    }

    /// A write transaction that takes the write lock first (`BEGIN IMMEDIATE`), waiting for
    /// it: what it reads before writing cannot change under it, and it never fails half-way
    /// with "database is locked" when another writer got there first.
    fn write(&mut self) -> Result<rusqlite::Transaction<'_>> {
        Ok(self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?)
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
        if found == known {
            return Ok(());
        }
        // A migration may rebuild a table others refer to (SQLite's way to change a
        // constraint): foreign keys are off while it runs, and checked before it commits.
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        let migrated = self.run_migrations();
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        migrated
    }

    fn run_migrations(&mut self) -> Result<()> {
        let tx = self.write()?;
        // Another process may have migrated while this one waited for the lock.
        let found: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(found as usize) {
            tx.execute_batch(sql)?;
            if i + 1 == schema::CHAIN_VERSION {
                chain::seal_existing(&tx)?;
            }
            if i + 1 == schema::PACKS_VERSION {
                packs::repack_all(&tx)?;
            }
            if i + 1 == schema::SEALS_VERSION {
                seals::seal_all(&tx)?;
            }
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
        }
        let dangling: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()?;
        if let Some(table) = dangling {
            return Err(Error::Corrupt(format!(
                "after migrating, table `{table}` refers to a row that is not there"
            )));
        }
        tx.commit()?;
        Ok(())
    }
}

/// Appends an audit entry inside the caller's transaction.
/// One row for a chained table: the insert that writes it, and what it is sealed under
/// when that is not its row id (a decision, keyed by what it decides).
struct Row<'a, P> {
    table: &'a str,
    sql: &'a str,
    params: P,
    key: Option<i64>,
}

/// Inserts `row` and seals it, inside the caller's transaction: the one way a single row
/// that decides a grade or a right is written. Returns its key.
fn insert_sealed<P: rusqlite::Params>(conn: &Connection, row: Row<'_, P>) -> Result<i64> {
    conn.prepare_cached(row.sql)?.execute(row.params)?;
    let key = row.key.unwrap_or_else(|| conn.last_insert_rowid());
    chain::seal(conn, row.table, key, key)?;
    Ok(key)
}

/// [`insert_sealed`], then the change's audit entry: `action` by `stamp`, with the subject
/// and detail `about` makes of the row's key.
fn append_audited<P: rusqlite::Params>(
    conn: &Connection,
    row: Row<'_, P>,
    stamp: &Stamp,
    action: &str,
    about: impl FnOnce(i64) -> (String, String),
) -> Result<i64> {
    let key = insert_sealed(conn, row)?;
    let (subject, detail) = about(key);
    audit(conn, stamp, action, &subject, &detail)?;
    Ok(key)
}

fn audit(
    conn: &Connection,
    stamp: &Stamp,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<()> {
    let id = audit_unsealed(conn, stamp, action, subject, detail)?;
    chain::seal(conn, "audit", id, id)
}

/// `path` with `suffix` added to its name: where SQLite keeps the database's `-wal`,
/// `-shm` or `-journal`.
pub fn sqlite_file(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_os_string();
    p.push(suffix);
    PathBuf::from(p)
}

/// A connection of its own to the database at `path`, for reading only (on another
/// thread), waiting for locks up to `LOCK_WAIT`.
fn read_only(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|source| Error::Open {
        path: path.display().to_string(),
        source,
    })?;
    conn.busy_timeout(LOCK_WAIT)?;
    Ok(conn)
}

/// Removes the database file at `path` and whatever SQLite left beside it.
pub fn remove_database(path: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let _ = std::fs::remove_file(sqlite_file(path, suffix));
    }
}

/// An audit entry whose caller seals it, with the others it writes, in one block.
fn audit_unsealed(
    conn: &Connection,
    stamp: &Stamp,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO audit (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![stamp.at, stamp.by, action, subject, detail])?;
    Ok(conn.last_insert_rowid())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A fresh store in `dir` with department `cs` and `staff` in it, for tests that write
    /// the log's rows themselves.
    pub(crate) fn staffed(dir: &Path, staff: &[&str]) -> Store {
        let store = Store::open(&dir.join("a.db")).unwrap();
        store
            .conn
            .execute("INSERT INTO departments VALUES ('cs', 'cs', NULL)", [])
            .unwrap();
        for id in staff {
            store
                .conn
                .execute(
                    "INSERT INTO staff VALUES (?1, ?1, 'cs', 'staff', '2025-01-01', NULL, NULL, '{}')",
                    [id],
                )
                .unwrap();
        }
        seals::seal_rows(&store.conn, "departments", &["cs"]).unwrap();
        seals::seal_rows(&store.conn, "staff", staff).unwrap();
        store
    }

    #[test]
    fn a_version_1_database_upgrades_and_keeps_its_history_in_the_audit_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(schema::MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute_batch(
                "INSERT INTO departments VALUES ('cs', 'cs', NULL);
                 INSERT INTO staff VALUES ('E1', 'a', 'cs', 'staff', '2025-01-01', NULL, NULL, '{}');
                 INSERT INTO events (employee, date, kind, qty, note, fields, recorded_by, recorded_at, import_id, digest)
                   VALUES ('E1', '2025-03-02', 'late', 1, '', '{}', '张主管', '2025-03-02T09:00:00+08:00', NULL, 'd');
                 INSERT INTO voids VALUES (1, 'typo', 'HR', '2025-03-03T09:00:00+08:00');",
            )
            .unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        let entries = store.audit(&AuditFilter::default()).unwrap();
        let got: Vec<(&str, &str, &str)> = entries
            .iter()
            .map(|e| (e.action.as_str(), e.actor.as_str(), e.subject.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("log.add", "张主管", "event 1"),
                ("log.void", "HR", "event 1")
            ]
        );
        let version: i64 = store
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, schema::MIGRATIONS.len() as i64);
        // What the old schema held is sealed by the migration that brought the chain.
        let v = store.verify().unwrap();
        assert_eq!(v.broken, None);
        // Events, voids, staff changes, the audit; and the seals of the staff row and the
        // department row, sealed by the migration that brought the seals.
        assert_eq!((v.blocks, v.rows), (6, 9), "{v:?}");
        // The migration that brought packs packed the log that was there.
        let packs: (String, String) = store
            .conn
            .query_row("SELECT employee, month FROM packs", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(packs, ("E1".into(), "2025-03".into()));
    }
}
