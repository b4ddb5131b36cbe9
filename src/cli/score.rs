//! `appraise score --month M`: monthly scores.

use super::Ctx;
use crate::evaluate::{Evaluation, Selection};
use crate::month::Month;
use crate::report::ScoresView;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// YYYY-MM
    #[arg(long)]
    pub month: Month,
    #[arg(long)]
    pub department: Option<String>,
    #[arg(long)]
    pub employee: Option<String>,
}

pub fn run(ctx: &Ctx, a: Args) -> anyhow::Result<()> {
    let (store, rulebook) = ctx.store_and_rules()?;
    let sel = Selection {
        department: a.department,
        employee: a.employee,
    };
    let scores = Evaluation::official(&store, &rulebook).month(a.month, &sel)?;
    ctx.print(&ScoresView {
        month: a.month,
        scores,
    })
}
