//! `appraise appeal …`: appeals (申诉) against events, and their decisions.

use clap::Subcommand;

use super::{Ctx, Result};
use appraise::app::Actor;
use appraise::report::AppealsView;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Appeal one of your own events, within the days the policy allows after its entry:
    /// `appraise appeal file 17 --reason "当天在岗，有监控为证" --by E004`.
    File {
        /// The event's id (from `appraise log list`).
        event: i64,
        /// Why the event is wrong.
        #[arg(long)]
        reason: String,
        /// A photo that shows it (repeatable, at most 5).
        #[arg(long = "photo", value_name = "FILE")]
        photos: Vec<std::path::PathBuf>,
        /// The employee appealing, or their login [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Appeals, oldest first, with their decisions.
    List {
        /// Only those waiting for a decision.
        #[arg(long)]
        waiting: bool,
        /// Only this employee's.
        #[arg(long)]
        employee: Option<String>,
        /// Only those waiting for this login's (or employee's) decision.
        #[arg(long, value_name = "LOGIN", conflicts_with_all = ["waiting", "employee"])]
        waiting_on: Option<String>,
    },
    /// Uphold an appeal: its event is excused (scores nothing) and stays in the log.
    Uphold {
        appeal: i64,
        #[arg(long)]
        reason: String,
        /// The department head, or HR [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Reject an appeal: its event keeps counting; the reason is shown to the employee.
    Reject {
        appeal: i64,
        #[arg(long)]
        reason: String,
        /// The department head, or HR [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result {
    match cmd {
        Command::File {
            event,
            reason,
            photos,
            by,
        } => {
            let photos = photos
                .iter()
                .map(|p| super::read_photo(p))
                .collect::<Result<Vec<_>>>()?;
            let id = ctx
                .app
                .file_appeal_with_photos(&ctx.actor(by)?, event, &reason, photos)?;
            ctx.tell(
                format_args!("已就事件 {event} 提出申诉 {id}"),
                format_args!("appeal {id} filed against event {event}"),
            )
        }
        Command::List {
            waiting,
            employee,
            waiting_on,
        } => ctx.print(&AppealsView {
            appeals: match waiting_on {
                Some(who) => ctx.app.appeals_waiting_on(&ctx.app.actor(&who)?)?,
                None => ctx
                    .app
                    .appeals(&Actor::owner(), waiting, employee.as_deref())?,
            },
        }),
        Command::Uphold { appeal, reason, by } => {
            ctx.app
                .decide_appeal(&ctx.actor(by)?, appeal, true, &reason)?;
            ctx.tell(
                format_args!("申诉 {appeal} 已受理：所涉事件已免除，不再扣分"),
                format_args!("appeal {appeal} upheld; its event is excused"),
            )
        }
        Command::Reject { appeal, reason, by } => {
            ctx.app
                .decide_appeal(&ctx.actor(by)?, appeal, false, &reason)?;
            ctx.tell(
                format_args!("申诉 {appeal} 已驳回"),
                format_args!("appeal {appeal} rejected"),
            )
        }
    }
}
