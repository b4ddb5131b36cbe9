//! `appraise roster|clock|handover import …`: attendance intake, and the events derived
//! from it under each department's `[attendance]`.

use std::path::PathBuf;

use clap::Subcommand;

use super::{Ctx, Result};
use appraise::app::AttendanceImported;
use appraise::intake::Encoding;
use appraise::text::count;

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
        /// Who imports [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
}

pub fn roster(ctx: &Ctx, cmd: Command) -> Result {
    let Command::Import { file, by } = cmd;
    report(ctx, &ctx.app.import_roster(&ctx.actor(by)?, &file)?)
}

pub fn handover(ctx: &Ctx, cmd: Command) -> Result {
    let Command::Import { file, by } = cmd;
    report(ctx, &ctx.app.import_handovers(&ctx.actor(by)?, &file)?)
}

pub fn clock(ctx: &Ctx, cmd: ClockCommand) -> Result {
    let ClockCommand::Import { file, dry_run, by } = cmd;
    report(ctx, &ctx.app.import_clock(&ctx.actor(by)?, &file, dry_run)?)
}

fn report(ctx: &Ctx, done: &AttendanceImported) -> Result {
    let read_as = match done.encoding {
        Encoding::Utf8 => String::new(),
        other => format!(" (read as {})", other.name()),
    };
    ctx.say(format_args!(
        "{}{read_as}: {}; {} derived again: {} added, {} voided{}",
        done.file,
        count(done.rows, "row", "rows"),
        count(done.days, "employee-day", "employee-days"),
        count(done.added, "event", "events"),
        done.withdrawn,
        if done.stored {
            ""
        } else {
            "; nothing stored (dry run)"
        }
    ))
}
