//! The top-level command line: global options and the command groups.

use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use super::{
    appeal, attendance, audit, backup, demo, dept, explain, init, leave, log, month, notify, rate,
    report, review, rules, score, serve, staff, user, workload,
};
use appraise::report::Format;

/// appraise: staff appraisal by points, with the rules as code.
#[derive(Debug, Parser)]
#[command(name = "appraise", version, about, long_about = None)]
pub struct Cli {
    /// The database file [default: ./appraise.db].
    #[arg(long, global = true, env = "APPRAISE_DB")]
    pub db: Option<PathBuf>,
    /// The service's configuration [default: appraise.toml beside the database, if there
    /// is one]; see docs/operations.md.
    #[arg(long, global = true, env = "APPRAISE_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// How to print records.
    #[arg(long, global = true, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
    #[command(subcommand)]
    pub command: Command,
}

/// `--format`: how records are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Table,
    Json,
    Csv,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Table => Format::Table,
            FormatArg::Json => Format::Json,
            FormatArg::Csv => Format::Csv,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build a sample company with a year of logs in a fresh folder and rate it.
    Demo(demo::Args),
    /// Create a database and `rules/` with the shipped policies, and activate them.
    Init(init::Args),
    /// Employees.
    #[command(subcommand)]
    Staff(staff::Command),
    /// Departments.
    #[command(subcommand)]
    Dept(dept::Command),
    /// The daily log of events.
    #[command(subcommand)]
    Log(log::Command),
    /// Policy files: check, test, activate, list.
    #[command(subcommand)]
    Rules(rules::Command),
    /// Monthly scores.
    Score(score::Args),
    /// Every point of an employee's month or year, with its rule, event and reason.
    Explain(explain::Args),
    /// Annual ratings.
    Rate(rate::Args),
    /// Close or reopen a month.
    #[command(subcommand)]
    Month(month::Command),
    /// Every change ever made, with time and actor.
    Audit(audit::Args),
    /// The annual review chain: start, sign, status.
    #[command(subcommand)]
    Review(review::Command),
    /// Printable reports: monthly statement, rating sheet, reward/penalty recommendation.
    #[command(subcommand)]
    Report(report::Command),
    /// Copy the database, consistently, while others may be writing to it: to a new file,
    /// or as a dated, verified copy into a folder that keeps the newest N.
    Backup(backup::Args),
    /// Replace the database with a backup, once the backup verifies; the database replaced
    /// is kept beside it. Stop the service first.
    Restore(backup::RestoreArgs),
    /// The people who act: registered logins with their roles.
    #[command(subcommand)]
    User(user::Command),
    /// Appeals (申诉): an employee contests their own event; the department head decides.
    #[command(subcommand)]
    Appeal(appeal::Command),
    /// The duty roster: shifts, and whether each ends with a handover record.
    #[command(subcommand)]
    Roster(attendance::Command),
    /// The time clock's punches: lateness, early leaves, absences and missing punches are
    /// derived from them and the roster.
    #[command(subcommand)]
    Clock(attendance::ClockCommand),
    /// Handover records written at the end of shifts.
    #[command(subcommand)]
    Handover(attendance::Command),
    /// Leave (请假): asked for and decided, or imported approved; approved leave takes the
    /// shifts it covers, so no absence is derived for them.
    #[command(subcommand)]
    Leave(leave::Command),
    /// The holiday calendar: public holidays (休) and make-up workdays (班).
    #[command(subcommand)]
    Holiday(leave::HolidayCommand),
    /// Notices (通知) by e-mail and the WeCom, DingTalk and Feishu robots: channels, the
    /// outbox, delivery for cron.
    #[command(subcommand)]
    Notify(notify::Command),
    /// Serve the web workplace and its API (`/api/v1`).
    Serve(serve::Args),
    /// Write a reproducible company-scale workload (staff.csv, events.csv).
    Gen(workload::Args),
    /// Print a shell completion script: `appraise completions bash > /etc/bash_completion.d/appraise`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// The completion script of `shell` for the whole command line.
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "appraise", &mut out);
    out
}
