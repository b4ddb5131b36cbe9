//! `appraise month …`: closing a month freezes its events and scores; reopening is recorded.

use clap::Subcommand;

use super::{Ctx, Result};
use appraise::app::Actor;
use appraise::domain::month::Month;
use appraise::report::ClosingsView;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Freeze a month: its events can no longer change and its scores are kept as computed now.
    Close {
        month: Month,
        /// Who closes it [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Reopen a closed month (recorded with the reason).
    Reopen {
        month: Month,
        #[arg(long)]
        reason: String,
        /// Who reopens it [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// The closed months.
    List,
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result {
    match cmd {
        Command::Close { month, by } => {
            let closed = ctx.app.close_month(&ctx.actor(by)?, month)?;
            ctx.tell(
                format_args!(
                    "已结账 {month}：冻结 {} 人的得分（不合格 {} 人）；该月事件不能再新增、作废或免除\n链头 {}（请保存：`appraise audit verify` 到达它即证明此前未被改动）",
                    closed.scores, closed.failed, closed.head
                ),
                format_args!(
                    "closed {month}: {} frozen ({} failed); its events can no longer be added, voided or excused\nchain head {} (keep it: `appraise audit verify` proves nothing before it changed)",
                    appraise::domain::text::count(closed.scores, "score", "scores"),
                    closed.failed,
                    closed.head
                ),
            )
        }
        Command::Reopen { month, reason, by } => {
            ctx.app.reopen_month(&ctx.actor(by)?, month, &reason)?;
            ctx.tell(
                format_args!("已重新打开 {month}；再次结账时将生成新的快照"),
                format_args!("reopened {month}; close it again to take a new snapshot"),
            )
        }
        Command::List => ctx.print(&ClosingsView {
            closed: ctx.app.closed_months(&Actor::owner())?,
        }),
    }
}
