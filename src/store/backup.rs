//! A consistent copy of the database while it is in use: the file copied whole by the
//! file system while no commit can change it, or, when that cannot be had soon, SQLite's
//! online backup, which lets writers go on.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use super::{Error, Result, Store, remove_database};

/// The longest a backup holds the write lock to copy the file (writers wait meanwhile, up
/// to [`LOCK_WAIT`](super::LOCK_WAIT)); a copy that would take longer is abandoned for
/// SQLite's online backup, which never blocks them. Below `LOCK_WAIT`, so that no writer
/// fails for it; long enough for the 15 GB of 100,000 staff on this machine's disk (25–30 s
/// when not in the page cache; at 10 s the copy was abandoned and the online backup took
/// three minutes).
const HOLD: Duration = Duration::from_secs(45);

/// How long a backup tries to find the log fully folded into the file (a reader of an
/// older snapshot, such as a long rating, keeps its part of the log from being folded).
const SETTLE: Duration = Duration::from_secs(3);

/// The file is copied in pieces of this size, so that the copy stops soon after `HOLD`.
const PIECE: u64 = 64 << 20;

/// How a backup was copied.
#[derive(Debug, PartialEq, Eq)]
enum Way {
    /// The file, whole, while no commit could land.
    File,
    /// SQLite's online backup, page by page.
    Pages,
}

/// Why the quick copy was not taken.
enum Unquick {
    /// Not within `SETTLE` or `HOLD`: the online backup takes over.
    Late,
    Failed(Error),
}

impl From<Error> for Unquick {
    fn from(e: Error) -> Self {
        Unquick::Failed(e)
    }
}

impl From<rusqlite::Error> for Unquick {
    fn from(e: rusqlite::Error) -> Self {
        Unquick::Failed(e.into())
    }
}

impl Store {
    /// Copies the database, consistently, to a new file at `to` while others may be using
    /// it. The quick way: holding the write lock (no commit can land), the write-ahead
    /// log is folded into the database file by a second connection, and then the file is
    /// the whole database and cannot change, so the file system copies it whole (in the
    /// kernel, not a page at a time through SQLite): 0.4 s for the 1.2 GB of 10,000 staff,
    /// where SQLite's online backup took 2.7 s, a read and a write per 4 KB page. Writers
    /// wait for that time. When the log cannot be folded soon (readers of older snapshots)
    /// or the copy would hold the lock longer than `HOLD`, the online backup takes the
    /// copy instead, every page in one step inside one read transaction, while writers go
    /// on (copied a few pages a step, it restarted at each write and never finished under
    /// load; `VACUUM INTO` rebuilt every table and index and took twice as long).
    ///
    /// The copy is written under a temporary name beside `to`, checked (SQLite's
    /// `quick_check`), synced once, and renamed only when whole; a failed or killed backup
    /// leaves nothing at `to`, and its leftovers are cleared by the next attempt.
    pub fn backup(&self, to: &Path) -> Result<()> {
        self.backup_holding(to, HOLD).map(drop)
    }

    /// [`Store::backup`], holding the write lock for at most `hold`; says which way the
    /// copy was taken.
    fn backup_holding(&self, to: &Path, hold: Duration) -> Result<Way> {
        if to.exists() {
            return Err(Error::BackupExists(to.to_path_buf()));
        }
        let name = to
            .file_name()
            .map_or_else(|| "backup".into(), |n| n.to_string_lossy().into_owned());
        let partial = to.with_file_name(format!(".{name}.partial"));
        remove_database(&partial);
        let written = (|| -> Result<Way> {
            let way = match self.copy_file(&partial, hold) {
                Ok(()) => Way::File,
                Err(Unquick::Late) => {
                    remove_database(&partial);
                    self.copy_pages(&partial, to)?;
                    Way::Pages
                }
                Err(Unquick::Failed(e)) => return Err(e),
            };
            check_copy(&partial, to)?;
            File::open(&partial)
                .and_then(|f| f.sync_all())
                .map_err(|source| unwritten(to, source))?;
            if to.exists() {
                return Err(Error::BackupExists(to.to_path_buf()));
            }
            std::fs::rename(&partial, to).map_err(|source| unwritten(to, source))?;
            Ok(way)
        })();
        if written.is_err() {
            remove_database(&partial);
        }
        written
    }

    /// The quick copy (see [`Store::backup`]) to `to`.
    fn copy_file(&self, to: &Path, hold: Duration) -> std::result::Result<(), Unquick> {
        let folder = Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        let settle = Instant::now() + SETTLE;
        loop {
            self.conn.execute_batch("BEGIN IMMEDIATE")?;
            let copied = (|| {
                // Frames in the log, frames folded into the file (both -1 outside WAL mode).
                let (log, folded): (i64, i64) =
                    folder.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                        Ok((r.get(1)?, r.get(2)?))
                    })?;
                if log != folded {
                    return Ok(false);
                }
                copy_within(&self.path, to, hold).map(|()| true)
            })();
            self.conn.execute_batch("ROLLBACK")?;
            match copied {
                Ok(true) => return Ok(()),
                Ok(false) if Instant::now() < settle => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                Ok(false) => return Err(Unquick::Late),
                Err(e) => return Err(e),
            }
        }
    }

    /// SQLite's online backup of every page, in one step inside one read transaction, to
    /// `partial` (the copy that will be `to`).
    fn copy_pages(&self, partial: &Path, to: &Path) -> Result<()> {
        let failed = |source| opened(to, source);
        let mut copy = Connection::open(partial).map_err(failed)?;
        // Nothing to roll back into: a copy that fails half-way is thrown away.
        copy.pragma_update(None, "journal_mode", "OFF")
            .map_err(failed)?;
        copy.pragma_update(None, "synchronous", "OFF")
            .map_err(failed)?;
        let backup = rusqlite::backup::Backup::new(&self.conn, &mut copy).map_err(failed)?;
        // Every page in one step; a step that finds the source busy is retried.
        backup
            .run_to_completion(i32::MAX, Duration::from_millis(50), None)
            .map_err(failed)?;
        Ok(())
    }
}

/// Copies the file `from` to `to` in pieces, giving up (`Late`) once `hold` has passed,
/// or as soon as the pace so far says the whole would take twice as long.
fn copy_within(from: &Path, to: &Path, hold: Duration) -> std::result::Result<(), Unquick> {
    let start = Instant::now();
    let io = |source| Unquick::Failed(unwritten(to, source));
    let mut source = File::open(from).map_err(io)?;
    let size = source.metadata().map_err(io)?.len();
    let mut copy = File::create(to).map_err(io)?;
    let mut copied = 0u64;
    loop {
        // The pace is read once a few pieces are copied.
        let spent = start.elapsed();
        let whole = (copied >= 4 * PIECE).then(|| spent.mul_f64(size as f64 / copied as f64));
        if spent >= hold || whole.is_some_and(|w| w > hold * 2) {
            return Err(Unquick::Late);
        }
        // `io::copy` between files is done by the kernel (copy_file_range) on Linux.
        let moved = std::io::copy(&mut (&mut source).take(PIECE), &mut copy).map_err(io)?;
        copied += moved;
        if moved < PIECE {
            return copy.flush().map_err(io);
        }
    }
}

/// Leaves the copy at `partial` one file of its own (the pages carry the source's WAL
/// mode) and checks it.
fn check_copy(partial: &Path, to: &Path) -> Result<()> {
    let failed = |source| opened(to, source);
    let copy = Connection::open(partial).map_err(failed)?;
    copy.pragma_update(None, "journal_mode", "DELETE")
        .map_err(failed)?;
    let check: String = copy
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(failed)?;
    if check != "ok" {
        return Err(Error::Corrupt(format!(
            "the copy at {} did not pass its check: {check}",
            partial.display()
        )));
    }
    Ok(())
}

fn opened(to: &Path, source: rusqlite::Error) -> Error {
    Error::Open {
        path: to.display().to_string(),
        source,
    }
}

fn unwritten(to: &Path, source: std::io::Error) -> Error {
    Error::BackupWrite {
        path: to.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database of one table `t` that a test writes to, and a connection to it.
    fn database(dir: &Path) -> (Store, Connection) {
        let store = super::super::tests::staffed(dir, &["E1"]);
        store
            .conn
            .execute_batch("CREATE TABLE t (x TEXT NOT NULL)")
            .unwrap();
        let writer = Connection::open(&store.path).unwrap();
        writer.busy_timeout(super::super::LOCK_WAIT).unwrap();
        (store, writer)
    }

    fn rows(path: &Path) -> i64 {
        let copy = Connection::open(path).unwrap();
        let check: String = copy
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        copy.query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_copy_taken_while_a_writer_commits_and_folds_the_log_is_a_whole_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let (store, writer) = database(dir.path());
        // Every commit folds the log into the file: the copy must never see that half-done.
        writer.pragma_update(None, "wal_autocheckpoint", 1).unwrap();
        let done = &std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            let writing = s.spawn(move || {
                let mut written = 0_i64;
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    writer
                        .execute("INSERT INTO t VALUES (?1)", [format!("{written:0>200}")])
                        .unwrap();
                    written += 1;
                }
                written
            });
            let mut seen = 0;
            for i in 0..8 {
                std::thread::sleep(Duration::from_millis(20));
                let to = dir.path().join(format!("copy{i}.db"));
                assert_eq!(store.backup_holding(&to, HOLD).unwrap(), Way::File);
                let now = rows(&to);
                assert!(
                    now >= seen,
                    "copy {i} holds {now} rows, an earlier one {seen}"
                );
                seen = now;
            }
            done.store(true, std::sync::atomic::Ordering::Relaxed);
            let written = writing.join().unwrap();
            assert!(seen > 0 && seen <= written, "{seen} of {written}");
        });
        // One file of its own: nothing of the log beside it.
        assert!(!super::super::sqlite_file(&dir.path().join("copy0.db"), "-wal").exists());
    }

    #[test]
    fn a_copy_that_cannot_be_quick_is_taken_page_by_page() {
        let dir = tempfile::tempdir().unwrap();
        let (store, writer) = database(dir.path());
        writer.execute("INSERT INTO t VALUES ('a')", []).unwrap();
        // Over the time it may hold the lock.
        let to = dir.path().join("late.db");
        assert_eq!(
            store.backup_holding(&to, Duration::ZERO).unwrap(),
            Way::Pages
        );
        assert_eq!(rows(&to), 1);
        // A reader of an older snapshot keeps the log from being folded into the file.
        let reader = Connection::open(&store.path).unwrap();
        reader.execute_batch("BEGIN").unwrap();
        let _: i64 = reader
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        writer.execute("INSERT INTO t VALUES ('b')", []).unwrap();
        let to = dir.path().join("unfolded.db");
        assert_eq!(store.backup_holding(&to, HOLD).unwrap(), Way::Pages);
        assert_eq!(rows(&to), 2);
        reader.execute_batch("COMMIT").unwrap();
        // Once it has finished, the quick way is open again.
        let to = dir.path().join("quick.db");
        assert_eq!(store.backup_holding(&to, HOLD).unwrap(), Way::File);
        assert_eq!(rows(&to), 2);
    }
}
