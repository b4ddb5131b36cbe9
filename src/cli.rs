//! The command line: argument parsing and dispatch. Each command group lives in its own
//! file and only parses, calls the library and prints.

mod audit;
mod demo;
mod dept;
mod explain;
mod init;
mod log;
mod month;
mod rate;
mod report;
mod review;
mod rules;
mod score;
mod staff;
mod workload;

use std::io::Write;
use std::path::PathBuf;

use chrono::{Local, NaiveDate};
use clap::{Parser, Subcommand};

use crate::month::parse_date;
use crate::report::{Format, Records, render};
use crate::rulebook::Rulebook;
use crate::store::{Stamp, Store};

/// appraise: staff appraisal by points, with the rules as code.
#[derive(Debug, Parser)]
#[command(name = "appraise", version, about, long_about = None)]
pub struct Cli {
    /// The database file [default: ./appraise.db].
    #[arg(long, global = true, env = "APPRAISE_DB")]
    pub db: Option<PathBuf>,
    /// How to print records.
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(subcommand)]
    pub command: Command,
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
    /// Write a reproducible company-scale workload (staff.csv, events.csv).
    Gen(workload::Args),
}

/// A failure the user can act on: exit code 1 for "a check found problems", 2 otherwise.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Found {
    pub message: String,
}

/// Returns an error that exits with code 1 (a check or validation found problems).
pub fn found(message: impl Into<String>) -> anyhow::Error {
    Found {
        message: message.into(),
    }
    .into()
}

/// What every command needs: where the database is, how to print, and what day it is.
pub struct Ctx {
    pub db: PathBuf,
    /// Whether `--db` or `APPRAISE_DB` named the database (else it is `./appraise.db`).
    pub db_given: bool,
    pub format: Format,
    /// Today, from `APPRAISE_TODAY` (YYYY-MM-DD) when set, else the system clock: the only
    /// place appraise reads the date, so runs are reproducible.
    pub today: NaiveDate,
}

impl Ctx {
    pub fn from_env(db: Option<PathBuf>, format: Format) -> anyhow::Result<Ctx> {
        let today = match std::env::var("APPRAISE_TODAY") {
            Ok(s) => parse_date(&s)
                .ok_or_else(|| anyhow::anyhow!("APPRAISE_TODAY `{s}` is not a date YYYY-MM-DD"))?,
            Err(_) => Local::now().date_naive(),
        };
        Ok(Ctx {
            db_given: db.is_some(),
            db: db.unwrap_or_else(|| PathBuf::from("appraise.db")),
            format,
            today,
        })
    }

    /// The current time for audit columns (never used in scores).
    pub fn now(&self) -> String {
        Local::now().format("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }

    /// Who did a change, and now.
    pub fn stamp(&self, by: &str) -> Stamp {
        Stamp {
            by: by.to_string(),
            at: self.now(),
        }
    }

    /// Opens the database; it must exist already (created by `init` or `demo`).
    pub fn store(&self) -> anyhow::Result<Store> {
        if !self.db.exists() {
            anyhow::bail!(
                "no database at `{}`; create one with `appraise init`, or point --db / APPRAISE_DB at yours",
                self.db.display()
            );
        }
        Ok(Store::open(&self.db)?)
    }

    /// The store with its compiled activated policies.
    pub fn store_and_rules(&self) -> anyhow::Result<(Store, Rulebook)> {
        let store = self.store()?;
        let rulebook = Rulebook::load(&store)?;
        if rulebook.is_empty() {
            anyhow::bail!("no policy is activated; run `appraise rules activate rules/FILE.toml`");
        }
        Ok((store, rulebook))
    }

    pub fn print(&self, value: &impl Records) -> anyhow::Result<()> {
        let text = render(self.format, value);
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        Ok(())
    }
}

/// Who is acting: `--by`, else `APPRAISE_USER` (clap reads both into `by`).
pub fn actor(by: Option<String>) -> anyhow::Result<String> {
    match by.map(|s| s.trim().to_string()) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => anyhow::bail!("who is doing this? pass `--by NAME` or set APPRAISE_USER"),
    }
}

/// A progress bar on standard error for long runs: shown only on a terminal, and only once
/// the run has taken more than a second.
pub struct Progress {
    bar: indicatif::ProgressBar,
    started: std::time::Instant,
}

impl Progress {
    pub fn new(what: &'static str) -> Progress {
        let bar = indicatif::ProgressBar::hidden();
        bar.set_message(what);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} employees ({eta})")
        {
            bar.set_style(style);
        }
        Progress {
            bar,
            started: std::time::Instant::now(),
        }
    }

    pub fn set(&self, done: usize, total: usize) {
        self.bar.set_length(total as u64);
        self.bar.set_position(done as u64);
        if self.bar.is_hidden() && self.started.elapsed().as_secs() >= 1 && done < total {
            // `stderr()` stays hidden when standard error is not a terminal.
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Who is acting where a command does not insist: `--by`, `APPRAISE_USER`, the login name.
pub fn actor_or_login(by: Option<String>) -> String {
    actor(by)
        .ok()
        .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let ctx = Ctx::from_env(cli.db, cli.format)?;
    match cli.command {
        Command::Demo(a) => demo::run(&ctx, a),
        Command::Init(a) => init::run(&ctx, a),
        Command::Staff(c) => staff::run(&ctx, c),
        Command::Dept(c) => dept::run(&ctx, c),
        Command::Log(c) => log::run(&ctx, c),
        Command::Rules(c) => rules::run(&ctx, c),
        Command::Score(a) => score::run(&ctx, a),
        Command::Explain(a) => explain::run(&ctx, a),
        Command::Rate(a) => rate::run(&ctx, a),
        Command::Month(c) => month::run(&ctx, c),
        Command::Audit(a) => audit::run(&ctx, a),
        Command::Review(c) => review::run(&ctx, c),
        Command::Report(c) => report::run(&ctx, c),
        Command::Gen(a) => workload::run(&ctx, a),
    }
}
