//! `appraise review …`: the annual sign-off chain.

use clap::Subcommand;

use super::{Ctx, Result};
use appraise::app::Actor;
use appraise::domain::labels;
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
            let (started, already) = (done.started, done.already);
            ctx.tell(
                format_args!(
                    "已发起 {year} 年度考评 {started} 份（{already} 份早已发起）；`appraise review status --year {year}` 显示下一步由谁签字"
                ),
                format_args!(
                    "started {} for {year} ({already} already started); `appraise review status --year {year}` shows who signs next",
                    appraise::domain::text::count(started, "review", "reviews"),
                ),
            )?;
            if !done.not_rated.is_empty() {
                let who = done.not_rated.join(", ");
                ctx.tell(
                    format_args!("未参评（{year} 年在职月数过少）：{who}"),
                    format_args!("not rated (employed too few months of {year}): {who}"),
                )?;
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
            let words = ctx.app.labels().unwrap_or_default();
            let (step_zh, grade_zh) = (labels::step(&step), words.grade(&grade));
            match signed.next {
                Some(next) => ctx.tell(
                    format_args!(
                        "已在 `{employee}` 的 {year} 年度考评中签署“{step_zh}”，等级“{grade_zh}”；下一步：“{}”",
                        labels::step(&next)
                    ),
                    format_args!(
                        "signed `{step}` of `{employee}`'s {year} review with `{grade}`; next: `{next}`"
                    ),
                ),
                None => ctx.tell(
                    format_args!(
                        "已在 `{employee}` 的 {year} 年度考评中签署“{step_zh}”；考评完成，最终等级“{grade_zh}”"
                    ),
                    format_args!(
                        "signed `{step}` of `{employee}`'s {year} review; the review is complete, final grade `{grade}`"
                    ),
                ),
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
