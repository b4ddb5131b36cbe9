//! The backups an operator keeps: dated copies in a folder, each verified before an older
//! one is removed, and a restore that checks a copy before it replaces anything.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::NaiveDateTime;
use serde::Serialize;

use super::{Actor, App, Error, Result};
use crate::domain::access::{Action, Target};
use crate::store::{Stamp, Store, Verification, remove_database, sqlite_file};

/// How a dated copy is named: `appraise-YYYYMMDD-HHMMSS-mmm.db` (to the millisecond, so
/// that two copies in one second do not collide), so that names sort by time.
const NAME: &str = "appraise-%Y%m%d-%H%M%S-%3f.db";

/// A copy written by [`App::backup_into`].
#[derive(Debug, Clone, Serialize)]
pub struct KeptBackup {
    pub path: PathBuf,
    /// The copy's chain head, found whole by `audit verify` of the copy.
    pub head: String,
    pub blocks: i64,
    pub rows: i64,
    /// Older copies removed to keep `kept`.
    pub removed: Vec<PathBuf>,
    pub kept: usize,
}

/// What [`App::restore`] did.
#[derive(Debug, Clone, Serialize)]
pub struct Restored {
    pub from: PathBuf,
    /// The restored record's chain head (after the entry noting the restore).
    pub head: String,
    pub blocks: i64,
    pub rows: i64,
    /// Where the database that was replaced now is, if there was one.
    pub aside: Option<PathBuf>,
}

impl App {
    /// Writes a consistent copy of the database into `dir` named for `now` (company time),
    /// verifies the copy's chain and packs as `audit verify` would, and then removes the
    /// oldest dated copies beyond `keep`. A copy that does not verify is removed and
    /// nothing older is touched, so the last good copy always stays.
    pub fn backup_into(
        &self,
        by: &Actor,
        dir: &Path,
        keep: usize,
        now: NaiveDateTime,
    ) -> Result<KeptBackup> {
        self.authorize(by, Action::KeepBackups, &Target::Company)?;
        if keep == 0 {
            return Err(Error::refused(
                "keep at least one backup: a new copy is kept before an old one is removed",
            ));
        }
        let io = Error::io_at;
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let path = dir.join(now.format(NAME).to_string());
        self.store()?.backup(&path)?;
        let verified = Store::open(&path).and_then(|mut copy| copy.verify());
        let why = match verified {
            Ok(v) => match v.broken {
                None => Ok(v),
                Some(breach) => Err(Error::Tampered(breach)),
            },
            Err(e) => Err(e.into()),
        };
        let v = why.map_err(|why| {
            let _ = std::fs::remove_file(&path);
            Error::BackupUnverified {
                path: path.clone(),
                made: true,
                why: Box::new(why),
            }
        })?;
        let mut copies = dated_copies(dir).map_err(io(dir))?;
        copies.retain(|(_, p)| *p != path);
        let excess = (copies.len() + 1).saturating_sub(keep);
        let mut removed = Vec::new();
        for (_, old) in copies.into_iter().take(excess) {
            std::fs::remove_file(&old).map_err(io(&old))?;
            removed.push(old);
        }
        Ok(KeptBackup {
            path,
            head: v.head,
            blocks: v.blocks,
            rows: v.rows,
            removed,
            kept: keep,
        })
    }

    /// Replaces this workspace's database (which may be missing: the disk that held it
    /// failed) with the backup `copy`, acting as `by`, a login of the record being restored
    /// (the one there is now may be gone or untrustworthy). The copy itself is never
    /// changed: it is copied beside the database, verified there as `audit verify` would,
    /// the restore is noted in its audit log, and only then is it moved into place. The
    /// database it replaces is kept beside it, named for `now`, with everything written
    /// after the copy was made. Run it with the service stopped.
    pub fn restore(&self, copy: &Path, by: &str, now: NaiveDateTime) -> Result<Restored> {
        let io = Error::io_at;
        if !copy.is_file() {
            return Err(Error::Io {
                path: copy.to_path_buf(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            });
        }
        let staged = sqlite_file(&self.db, ".restoring");
        remove_database(&staged);
        std::fs::copy(copy, &staged).map_err(io(&staged))?;
        let restored = (|| {
            let app = App::new(&staged, self.today);
            let by = app.actor(by)?;
            app.authorize(&by, Action::KeepBackups, &Target::Company)?;
            let mut store = Store::open(&staged)?;
            let v = store.verify()?;
            if let Some(breach) = v.broken {
                return Err(Error::BackupUnverified {
                    path: copy.to_path_buf(),
                    made: false,
                    why: Box::new(Error::Tampered(breach)),
                });
            }
            store.note_restored(
                &Stamp {
                    by: by.name().to_string(),
                    at: app.stamp_time(),
                },
                &copy.display().to_string(),
                &v.head,
            )?;
            // The note's block, walked from where the full verification above ended.
            let note = store.verify_since_last()?;
            Ok(Verification {
                blocks: v.blocks + note.blocks,
                rows: v.rows + note.rows,
                ..note
            })
        })();
        let after = match restored {
            Ok(after) => after,
            Err(e) => {
                remove_database(&staged);
                return Err(e);
            }
        };
        let aside = if self.db.exists() {
            let aside = sqlite_file(
                &self.db,
                &now.format(".before-restore-%Y%m%d-%H%M%S").to_string(),
            );
            // What its write-ahead log holds goes into the file first, when the database
            // opens at all (it may be the damaged one); the log moves with it regardless.
            let _ = Store::checkpoint_file(&self.db);
            for suffix in ["", "-wal"] {
                let (from, to) = (sqlite_file(&self.db, suffix), sqlite_file(&aside, suffix));
                if from.exists() {
                    std::fs::rename(&from, &to).map_err(io(&to))?;
                }
            }
            let _ = std::fs::remove_file(sqlite_file(&self.db, "-shm"));
            Some(aside)
        } else {
            None
        };
        std::fs::rename(&staged, &self.db).map_err(io(&self.db))?;
        Ok(Restored {
            from: copy.to_path_buf(),
            head: after.head,
            blocks: after.blocks,
            rows: after.rows,
            aside,
        })
    }
}

/// The dated copies in `dir`, oldest first (by the time in their names).
pub fn dated_copies(dir: &Path) -> std::io::Result<Vec<(NaiveDateTime, PathBuf)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let stamp = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| NaiveDateTime::parse_from_str(n, NAME).ok());
        if let Some(at) = stamp {
            out.push((at, path));
        }
    }
    out.sort();
    Ok(out)
}

/// When the newest dated copy in `dir` was written (its file's time), if there is one.
pub fn last_backup(dir: &Path) -> Option<SystemTime> {
    let (_, newest) = dated_copies(dir).ok()?.pop()?;
    std::fs::metadata(newest).ok()?.modified().ok()
}
