//! `appraise rate --year Y`: annual ratings.

use super::Ctx;
use crate::evaluate::{Evaluation, Selection, rated_months};
use crate::month::Month;
use crate::report::RatingsView;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long)]
    pub year: i32,
    #[arg(long)]
    pub department: Option<String>,
    /// Rate the months up to this one (YYYY-MM) only.
    #[arg(long)]
    pub through: Option<Month>,
}

pub fn run(ctx: &Ctx, a: Args) -> anyhow::Result<()> {
    let (store, rulebook) = ctx.store_and_rules()?;
    let months = rated_months(a.year, a.through, ctx.today)?;
    let sel = Selection {
        department: a.department,
        employee: None,
    };
    let ratings = Evaluation::official(&store, &rulebook)
        .year(a.year, &months, &sel)?
        .into_iter()
        .map(|y| y.rating)
        .collect();
    let through = *months.last().expect("rated_months is never empty");
    ctx.print(&RatingsView {
        year: a.year,
        through,
        ratings,
    })
}
