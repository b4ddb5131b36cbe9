//! `appraise review …`: the annual sign-off chain.

use clap::Subcommand;

use super::{Ctx, Result};
use appraise::app::Actor;
use appraise::domain::month::Month;
use appraise::report::ReviewsView;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Freeze each employee's computed rating as the proposal and open their review chain.
    Start {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        department: Option<String>,
        /// Rate the months up to this one (YYYY-MM) only.
        #[arg(long)]
        through: Option<Month>,
        /// Who starts the reviews [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
        /// Start although months of the year are still open (recorded in the audit log).
        #[arg(long)]
        open_months_ok: bool,
    },
    /// Sign the next step of an employee's review.
    Sign {
        employee: String,
        #[arg(long)]
        year: i32,
        /// manager, department_head or company: must be the next step.
        #[arg(long)]
        step: String,
        /// The grade id this step gives (e.g. good).
        #[arg(long)]
        grade: String,
        /// Who signs: the supervisor's or head's employee id for those steps.
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
        /// Required when the grade differs from the previous step's.
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Who is waiting on whom.
    Status {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        department: Option<String>,
        /// Only the reviews whose next step is this login's (or employee's) to sign.
        #[arg(long, value_name = "LOGIN", conflicts_with = "department")]
        waiting_on: Option<String>,
    },
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result {
    match cmd {
        Command::Start {
            year,
            department,
            through,
            by,
            open_months_ok,
        } => {
            let done = ctx.app.start_reviews(
                &ctx.actor(by)?,
                year,
                department,
                through,
                open_months_ok,
            )?;
            ctx.say(format_args!(
                "started {} for {year} ({} already started); `appraise review status --year {year}` shows who signs next",
                appraise::domain::text::count(done.started, "review", "reviews"),
                done.already
            ))?;
            if !done.not_rated.is_empty() {
                ctx.say(format_args!(
                    "not rated (未参评, employed too few months of {year}): {}",
                    done.not_rated.join(", ")
                ))?;
            }
            Ok(())
        }
        Command::Sign {
            employee,
            year,
            step,
            grade,
            by,
            comment,
        } => {
            let signed =
                ctx.app
                    .sign_review(&ctx.actor(by)?, &employee, year, &step, &grade, &comment)?;
            match signed.next {
                Some(next) => ctx.say(format_args!(
                    "signed `{step}` of `{employee}`'s {year} review with `{grade}`; next: `{next}`"
                )),
                None => ctx.say(format_args!(
                    "signed `{step}` of `{employee}`'s {year} review; the review is complete, final grade `{grade}`"
                )),
            }
        }
        Command::Status {
            year,
            department,
            waiting_on,
        } => ctx.print(&ReviewsView {
            year,
            reviews: match waiting_on {
                Some(who) => ctx.app.reviews_waiting_on(&ctx.app.actor(&who)?, year)?,
                None => ctx
                    .app
                    .review_status(&Actor::owner(), year, department.as_deref())?,
            },
        }),
    }
}
