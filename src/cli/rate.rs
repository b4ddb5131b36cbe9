//! `appraise rate --year Y`: annual ratings.

use super::{Ctx, Progress, Result};
use appraise::app::Actor;
use appraise::domain::month::Month;
use appraise::evaluation::evaluate::Selection;
use appraise::report::RatingsView;

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

pub fn run(ctx: &Ctx, a: Args) -> Result {
    let who = Selection {
        department: a.department,
        employee: None,
        ..Default::default()
    };
    let bar = Progress::new("rating");
    let (ratings, through) =
        ctx.app
            .ratings(&Actor::owner(), a.year, a.through, &who, &|d, t| {
                bar.set(d, t)
            })?;
    bar.finish();
    ctx.print(&RatingsView {
        year: a.year,
        through,
        ratings,
    })
}
