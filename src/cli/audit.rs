//! `appraise audit`: every change ever made, from the database.

use super::{Ctx, Result, refused};
use appraise::month::parse_date;
use appraise::report::AuditView;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only changes on or after this date (YYYY-MM-DD).
    #[arg(long)]
    pub since: Option<String>,
}

pub fn run(ctx: &Ctx, a: Args) -> Result {
    let since = match &a.since {
        Some(s) => Some(
            parse_date(s)
                .ok_or_else(|| refused(format!("`--since {s}` is not a date; write YYYY-MM-DD")))?,
        ),
        None => None,
    };
    ctx.print(&AuditView {
        entries: ctx.app.audit(since)?,
    })
}
