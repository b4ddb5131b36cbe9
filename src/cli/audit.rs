//! `appraise audit`: every change ever made, and the proof that none was made past appraise.

use clap::Subcommand;

use super::{Ctx, Result, refused};
use appraise::app::{Actor, Error};
use appraise::domain::month::parse_date;
use appraise::report::AuditView;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only changes on or after this date (YYYY-MM-DD).
    #[arg(long)]
    pub since: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Walk the hash chain that seals the record; exit 1 at the first row that does not
    /// match what was written.
    Verify,
    /// Rebuild from the log the packs (what ratings read) that no longer match it, after
    /// `verify` named one; refused while the log itself does not match its chain. HR only.
    Repack {
        /// Who rebuilds them [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
}

pub fn run(ctx: &Ctx, a: Args) -> Result {
    match a.command {
        Some(Command::Verify) => {
            let v = ctx.app.verify(&Actor::owner())?;
            if let Some(broken) = v.broken {
                return Err(Error::Tampered(broken).into());
            }
            let sealed = ctx.sealed(v.blocks, v.rows, &v.head);
            ctx.tell(
                format_args!(
                    "记录完整：{sealed}\n请把链头哈希保存在本数据库之外：日后核验仍能到达它，即证明此前的记录未被改动"
                ),
                format_args!(
                    "the record is whole: {sealed}\nkeep the head hash outside this database: a later verify that reaches it proves nothing before it changed"
                ),
            )
        }
        Some(Command::Repack { by }) => {
            let done = ctx.app.repack(&ctx.actor(by)?)?;
            ctx.tell(
                format_args!(
                    "已按日志核对 {} 个人月的事件包：重建 {} 个，移除 {} 个\n请运行 `appraise audit verify` 确认记录完整",
                    done.months, done.rewritten, done.removed
                ),
                format_args!(
                    "checked the packs of {} employee-months against the log: {} rebuilt, {} removed\nrun `appraise audit verify` to confirm the record is whole",
                    done.months, done.rewritten, done.removed
                ),
            )
        }
        None => list(ctx, a.since.as_deref()),
    }
}

/// The audit log, from `since` when given.
fn list(ctx: &Ctx, since: Option<&str>) -> Result {
    let since = match since {
        Some(s) => Some(parse_date(s).ok_or_else(|| {
            refused(
                format!("`--since {s}` 不是日期，请写成 YYYY-MM-DD"),
                format!("`--since {s}` is not a date; write YYYY-MM-DD"),
            )
        })?),
        None => None,
    };
    ctx.print(&AuditView {
        entries: ctx.app.audit(&Actor::owner(), since)?,
    })
}
