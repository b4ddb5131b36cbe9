//! `appraise audit`: every change ever made, from the database.

use super::{Ctx, found};
use crate::month::parse_date;
use crate::report::AuditView;
use crate::store::AuditFilter;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only changes on or after this date (YYYY-MM-DD).
    #[arg(long)]
    pub since: Option<String>,
}

pub fn run(ctx: &Ctx, a: Args) -> anyhow::Result<()> {
    if let Some(s) = &a.since
        && parse_date(s).is_none()
    {
        return Err(found(format!(
            "`--since {s}` is not a date; write YYYY-MM-DD"
        )));
    }
    let store = ctx.store()?;
    let entries = store.audit(&AuditFilter { since: a.since })?;
    ctx.print(&AuditView { entries })
}
