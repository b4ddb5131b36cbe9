//! `appraise roster|clock|handover import …`: attendance intake, and the events derived
//! from it under each department's `[attendance]`.

use std::path::PathBuf;

use clap::Subcommand;

use super::{Ctx, Result};
use appraise::app::Actor;
use appraise::report::CorrectionsView;

/// `roster import`, `handover import`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import a file: CSV (UTF-8 or GB18030) with English or Chinese headers.
    Import {
        file: PathBuf,
        /// Who imports [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
}

/// `clock import`.
#[derive(Debug, Subcommand)]
pub enum ClockCommand {
    /// Import a time clock export — one row per punch (`employee,time`) or one per day
    /// (`employee,date,in,out`) — and derive lateness, early leaves, absences and missing
    /// punches from it and the roster.
    Import {
        file: PathBuf,
        /// Derive and report; store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Accept up to N derived absences and missing punches, when the export derives
        /// more than the policy's share of rostered days (the refusal states N).
        #[arg(long, value_name = "N")]
        accept_absences: Option<usize>,
        /// Who imports [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Ask for a punch correction (补卡): the punch that should have been, and why.
    Fix {
        employee: String,
        #[arg(long)]
        date: String,
        /// The check-in that should have been (HH:MM).
        #[arg(long = "in", value_name = "HH:MM")]
        in_time: Option<String>,
        /// The check-out that should have been (HH:MM).
        #[arg(long = "out", value_name = "HH:MM")]
        out_time: Option<String>,
        #[arg(long)]
        reason: String,
        /// The employee, or whoever enters their events [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Approve a correction: its punches count, and its day is derived again.
    Approve {
        id: i64,
        #[arg(long, default_value = "核实无误")]
        reason: String,
        /// A supervisor, head or HR [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Reject a correction, saying why.
    Reject {
        id: i64,
        #[arg(long)]
        reason: String,
        /// A supervisor, head or HR [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Corrections, oldest first, with their decisions.
    Corrections {
        #[arg(long)]
        employee: Option<String>,
        /// Only those waiting for a decision.
        #[arg(long)]
        waiting: bool,
    },
}

pub fn roster(ctx: &Ctx, cmd: Command) -> Result {
    let Command::Import { file, by } = cmd;
    ctx.report_attendance(&ctx.app.import_roster(&ctx.actor(by)?, &file)?)
}

pub fn handover(ctx: &Ctx, cmd: Command) -> Result {
    let Command::Import { file, by } = cmd;
    ctx.report_attendance(&ctx.app.import_handovers(&ctx.actor(by)?, &file)?)
}

pub fn clock(ctx: &Ctx, cmd: ClockCommand) -> Result {
    match cmd {
        ClockCommand::Import {
            file,
            dry_run,
            accept_absences,
            by,
        } => ctx.report_attendance(&ctx.app.import_clock(
            &ctx.actor(by)?,
            &file,
            dry_run,
            accept_absences,
        )?),
        ClockCommand::Fix {
            employee,
            date,
            in_time,
            out_time,
            reason,
            by,
        } => {
            let id = ctx.app.request_correction(
                &ctx.actor(by)?,
                &employee,
                &date,
                in_time.as_deref(),
                out_time.as_deref(),
                &reason,
            )?;
            ctx.tell(
                format_args!("已为 {employee} {date} 提交考勤更正 {id}，等待审批"),
                format_args!(
                    "correction {id} of {employee} {date} asked for; waiting for approval"
                ),
            )
        }
        ClockCommand::Approve { id, reason, by } => ctx.report_attendance(
            &ctx.app
                .decide_correction(&ctx.actor(by)?, id, true, &reason)?,
        ),
        ClockCommand::Reject { id, reason, by } => {
            ctx.app
                .decide_correction(&ctx.actor(by)?, id, false, &reason)?;
            ctx.tell(
                format_args!("考勤更正 {id} 已驳回"),
                format_args!("correction {id} rejected"),
            )
        }
        ClockCommand::Corrections { employee, waiting } => ctx.print(&CorrectionsView {
            corrections: ctx
                .app
                .corrections(&Actor::owner(), employee.as_deref(), waiting)?,
        }),
    }
}
