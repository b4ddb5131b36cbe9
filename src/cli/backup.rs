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
        return ctx.tell(
            format_args!("已备份到 {}；其链头为 {head}", to.display()),
            format_args!("backed up to {}; its chain head is {head}", to.display()),
        );
    }
    let Some(dir) = a.dir.or_else(|| ctx.config.backup.dir.clone()) else {
        return Err(refused(
            "请说明备份存放在哪里：`appraise backup 文件`、`appraise backup --dir 目录`，或在 appraise.toml 的 [backup] 下设置 `dir`",
            "say where the copy goes: `appraise backup FILE`, `appraise backup --dir DIR`, or `dir` under [backup] in appraise.toml",
        ));
    };
    let keep = a.keep.unwrap_or(ctx.config.backup.keep);
    let now = ctx.config.now().naive_local();
    let done = ctx.app.backup_into(&Actor::owner(), &dir, keep, now)?;
    let path = done.path.display();
    let sealed = ctx.sealed(done.blocks, done.rows, &done.head);
    ctx.tell(
        format_args!("已备份到 {path} 并核验：{sealed}"),
        format_args!("backed up to {path} and verified it: {sealed}"),
    )?;
    for old in &done.removed {
        let old = old.display();
        ctx.tell(
            format_args!("已删除 {old}（保留最新的 {keep} 份）"),
            format_args!("removed {old} (keeping the newest {keep})"),
        )?;
    }
    Ok(())
}

pub fn restore(ctx: &Ctx, a: RestoreArgs) -> Result {
    let by = a.by.unwrap_or_default();
    let now = ctx.config.now().naive_local();
    let done = ctx.app.restore(&a.copy, &by, now)?;
    let (db, from) = (ctx.app.db().display(), done.from.display());
    let sealed = ctx.sealed(done.blocks, done.rows, &done.head);
    ctx.tell(
        format_args!("已从 {from} 恢复 {db}：核验通过（{sealed}），恢复一事已记入其审计日志"),
        format_args!(
            "restored {db} from {from}: it verifies ({sealed}), and the restore is noted in its audit log"
        ),
    )?;
    if let Some(aside) = &done.aside {
        let aside = aside.display();
        ctx.tell(
            format_args!("被替换的数据库保存在 {aside}"),
            format_args!("the database it replaced is kept at {aside}"),
        )?;
    }
    Ok(())
}
