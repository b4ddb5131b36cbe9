//! `appraise backup` and `appraise restore`: a consistent copy of the database in use (one
//! file, or dated copies in a folder, verified, the oldest removed beyond a number), and a
//! database replaced by a copy only after the copy verifies.

use std::path::PathBuf;

use super::{Ctx, Result, refused};
use appraise::app::Actor;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A one-off copy to this new file. Without it, a dated copy
    /// (appraise-YYYYMMDD-HHMMSS.db) goes into `--dir`, or the configuration's
    /// `[backup] dir`.
    #[arg(conflicts_with_all = ["dir", "keep"])]
    pub to: Option<PathBuf>,
    /// The folder of dated copies; each is verified as `audit verify` would before the
    /// oldest beyond `--keep` are removed.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// How many dated copies to keep, at least 1 [default: the configuration's, else 14].
    #[arg(long, value_name = "N")]
    pub keep: Option<usize>,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The backup to restore (a file `appraise backup` wrote).
    pub copy: PathBuf,
    /// Who restores: an HR login of the record being restored [env: APPRAISE_USER].
    #[arg(long, env = "APPRAISE_USER")]
    pub by: Option<String>,
}

pub fn run(ctx: &Ctx, a: Args) -> Result {
    if let Some(to) = a.to {
        let head = ctx.app.backup(&Actor::owner(), &to)?;
        return ctx.say(format_args!(
            "backed up to {}; its chain head is {head}",
            to.display()
        ));
    }
    let Some(dir) = a.dir.or_else(|| ctx.config.backup.dir.clone()) else {
        return Err(refused(
            "say where the copy goes: `appraise backup FILE`, `appraise backup --dir DIR`, or `dir` under [backup] in appraise.toml",
        ));
    };
    let keep = a.keep.unwrap_or(ctx.config.backup.keep);
    let now = ctx.config.now().naive_local();
    let done = ctx.app.backup_into(&Actor::owner(), &dir, keep, now)?;
    ctx.say(format_args!(
        "backed up to {} and verified it: {} blocks seal {} rows; head {}",
        done.path.display(),
        done.blocks,
        done.rows,
        done.head
    ))?;
    for old in &done.removed {
        ctx.say(format_args!(
            "removed {} (keeping the newest {keep})",
            old.display()
        ))?;
    }
    Ok(())
}

pub fn restore(ctx: &Ctx, a: RestoreArgs) -> Result {
    let by = a.by.unwrap_or_default();
    let now = ctx.config.now().naive_local();
    let done = ctx.app.restore(&a.copy, &by, now)?;
    ctx.say(format_args!(
        "restored {} from {}: it verifies ({} blocks seal {} rows; head {}), and the restore is noted in its audit log",
        ctx.app.db().display(),
        done.from.display(),
        done.blocks,
        done.rows,
        done.head
    ))?;
    if let Some(aside) = &done.aside {
        ctx.say(format_args!(
            "the database it replaced is kept at {}",
            aside.display()
        ))?;
    }
    Ok(())
}
