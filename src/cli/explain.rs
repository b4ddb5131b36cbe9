//! `appraise explain EMPLOYEE --month M | --year Y`: every point with its rule and event.

use super::{Ctx, Result};
use appraise::app::Actor;
use appraise::domain::month::Month;

#[derive(Debug, clap::Args)]
pub struct Args {
    pub employee: String,
    /// YYYY-MM
    #[arg(long, conflicts_with = "year", required_unless_present = "year")]
    pub month: Option<Month>,
    #[arg(long)]
    pub year: Option<i32>,
    /// With --year: the months up to this one only.
    #[arg(long, requires = "year")]
    pub through: Option<Month>,
}

pub fn run(ctx: &Ctx, a: Args) -> Result {
    match (a.month, a.year) {
        (Some(month), _) => {
            ctx.print(&ctx.app.explain_month(&Actor::owner(), &a.employee, month)?)
        }
        (None, Some(year)) => {
            ctx.print(
                &ctx.app
                    .explain_year(&Actor::owner(), &a.employee, year, a.through)?,
            )
        }
        (None, None) => unreachable!("clap requires --month or --year"),
    }
}
