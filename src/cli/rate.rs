//! `appraise rate --year Y`: annual ratings.

use super::{Ctx, Progress};
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
    let bar = Progress::new("rating");
    let mut ratings = Vec::new();
    // Only the ratings are kept: memory stays flat however many months and events.
    Evaluation::official(&store, &rulebook).year_each(
        a.year,
        &months,
        &sel,
        &|d, t| bar.set(d, t),
        |y| {
            ratings.push(y.rating);
            Ok(())
        },
    )?;
    bar.finish();
    let through = *months.last().expect("rated_months is never empty");
    ctx.print(&RatingsView {
        year: a.year,
        through,
        ratings,
    })
}
