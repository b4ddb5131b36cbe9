//! `appraise explain EMPLOYEE --month M | --year Y`: every point with its rule and event.

use super::Ctx;
use crate::evaluate::{Evaluation, Selection, rated_months};
use crate::month::Month;
use crate::report::{MonthExplanation, YearExplanation};

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

pub fn run(ctx: &Ctx, a: Args) -> anyhow::Result<()> {
    let (store, rulebook) = ctx.store_and_rules()?;
    let sel = Selection {
        department: None,
        employee: Some(a.employee.clone()),
    };
    if let Some(month) = a.month {
        let Some(score) = Evaluation::official(&store, &rulebook)
            .month(month, &sel)?
            .pop()
        else {
            anyhow::bail!("`{}` was not employed in {month}", a.employee);
        };
        // The version that produced the score (a closed month's may be an older one).
        let policy = rulebook.by_hash(&score.policy.hash).ok_or_else(|| {
            anyhow::anyhow!(
                "the version that scored {month} (hash {}) is not activated",
                score.policy.hash
            )
        })?;
        let raw = score.base + score.items.iter().map(|i| i.points).sum();
        return ctx.print(&MonthExplanation {
            raw,
            pass_mark: policy.scoring.pass_mark,
            floor: policy.scoring.floor,
            ceiling: policy.scoring.ceiling,
            score,
        });
    }
    let year = a.year.expect("clap requires --month or --year");
    let months = rated_months(year, a.through, ctx.today)?;
    let Some(result) = Evaluation::official(&store, &rulebook)
        .year(year, &months, &sel)?
        .pop()
    else {
        anyhow::bail!(
            "`{}` was not employed in {year} up to {}",
            a.employee,
            months.last().map(Month::to_string).unwrap_or_default()
        );
    };
    let r = &result.rating;
    let because = match &r.forced_by {
        Some(rule) => format!("forced by year rule `{rule}`"),
        None => {
            match rulebook
                .by_hash(&r.policy.hash)
                .and_then(|p| p.grades.iter().find(|g| g.id == r.grade))
                .and_then(|g| g.when.as_ref())
            {
                Some(w) => format!(
                    "the first grade whose condition holds: `{}`",
                    w.source.trim()
                ),
                None => "no better grade's condition holds (the catch-all grade)".into(),
            }
        }
    };
    ctx.print(&YearExplanation {
        year,
        rating: result.rating.clone(),
        months: result.months,
        because,
    })
}
