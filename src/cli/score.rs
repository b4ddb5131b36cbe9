//! `appraise score --month M`: monthly scores.

use super::{Ctx, Result};
use appraise::app::Actor;
use appraise::domain::month::Month;
use appraise::evaluation::evaluate::Selection;
use appraise::report::ScoresView;

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

pub fn run(ctx: &Ctx, a: Args) -> Result {
    let who = Selection {
        department: a.department,
        employee: a.employee,
        ..Default::default()
    };
    ctx.print(&ScoresView {
        month: a.month,
        scores: ctx.app.scores(&Actor::owner(), a.month, &who)?,
    })
}
