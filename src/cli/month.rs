//! `appraise month …`: closing a month freezes its events and scores; reopening is recorded.

use std::collections::BTreeSet;

use clap::Subcommand;

use super::{Ctx, actor, found};
use crate::evaluate::{Evaluation, Selection};
use crate::month::Month;
use crate::report::ClosingsView;

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

pub fn run(ctx: &Ctx, cmd: Command) -> anyhow::Result<()> {
    match cmd {
        Command::Close { month, by } => {
            let by = actor(by)?;
            if month > Month::of(ctx.today) {
                return Err(found(format!(
                    "{month} has not begun yet (today is {}); only past or current months can be closed",
                    ctx.today
                )));
            }
            let (mut store, rulebook) = ctx.store_and_rules()?;
            let eval = Evaluation {
                store: &store,
                rulebook: &rulebook,
                snapshots: false,
            };
            let scores = eval.month(month, &Selection::default())?;
            let hashes: BTreeSet<String> =
                scores.iter().map(|s| s.policy.hash.to_string()).collect();
            let hashes: Vec<String> = hashes.into_iter().collect();
            let snapshot = serde_json::to_string(&scores)?;
            store
                .close_month(month, &snapshot, &hashes, &ctx.stamp(&by))
                .map_err(|e| found(e.to_string()))?;
            let failed = scores.iter().filter(|s| !s.passed).count();
            println!(
                "closed {month}: {} scores frozen ({failed} failed); its events can no longer be added, voided or excused",
                scores.len()
            );
            Ok(())
        }
        Command::Reopen { month, reason, by } => {
            let by = actor(by)?;
            if reason.trim().is_empty() {
                return Err(found("a `--reason` is required to reopen a month"));
            }
            let mut store = ctx.store()?;
            store
                .reopen_month(month, reason.trim(), &ctx.stamp(&by))
                .map_err(|e| found(e.to_string()))?;
            println!("reopened {month}; close it again to take a new snapshot");
            Ok(())
        }
        Command::List => {
            let store = ctx.store()?;
            ctx.print(&ClosingsView {
                closed: store.closed_months()?,
            })
        }
    }
}
