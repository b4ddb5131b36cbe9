//! `appraise review …`: the annual sign-off chain.

use std::collections::BTreeMap;

use clap::Subcommand;

use super::{Ctx, actor, found};
use crate::evaluate::{Evaluation, Selection, rated_months};
use crate::month::Month;
use crate::report::{FinalGrade, ReviewRow, ReviewsView, Waiting};
use crate::review::{SignRequest, Signature};
use crate::rulebook::Rulebook;

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
    },
}

pub fn run(ctx: &Ctx, cmd: Command) -> anyhow::Result<()> {
    match cmd {
        Command::Start {
            year,
            department,
            through,
            by,
        } => {
            let by = actor(by)?;
            let (mut store, rulebook) = ctx.store_and_rules()?;
            let months = rated_months(year, through, ctx.today)?;
            let sel = Selection {
                department,
                employee: None,
            };
            let results = Evaluation::official(&store, &rulebook).year(year, &months, &sel)?;
            let roles: BTreeMap<String, String> =
                store.staff()?.into_iter().map(|e| (e.id, e.role)).collect();
            let mut chains = Vec::new();
            let mut problems = Vec::new();
            for r in &results {
                let rating = &r.rating;
                let role = roles.get(&rating.employee).cloned().unwrap_or_default();
                let policy = rulebook.by_hash(&rating.policy.hash).ok_or_else(|| {
                    anyhow::anyhow!("version {} is not activated", rating.policy.hash)
                })?;
                match policy.review.get(&role) {
                    Some(steps) if !steps.is_empty() => chains.push((rating, role, steps.clone())),
                    _ => problems.push(format!(
                        "`{}` has role `{role}`, for which policy `{}` has no review chain; add `{role} = [\"manager\", \"department_head\", \"company\"]` (or the steps it needs) to its [review]",
                        rating.employee, policy.id
                    )),
                }
            }
            if !problems.is_empty() {
                return Err(found(format!(
                    "{}\nno review was started",
                    problems.join("\n")
                )));
            }
            let stamp = ctx.stamp(&by);
            let mut started = 0;
            for (rating, role, steps) in &chains {
                if store.start_review(year, role, rating, steps, &stamp)? {
                    started += 1;
                }
            }
            println!(
                "started {started} reviews for {year} ({} already started); `appraise review status --year {year}` shows who signs next",
                chains.len() - started
            );
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
            let signer = actor(by)?;
            let (mut store, rulebook) = ctx.store_and_rules()?;
            let review = store
                .reviews(year)?
                .into_iter()
                .find(|r| r.employee == employee)
                .ok_or_else(|| found(format!("no review of `{employee}` for {year}; start it with `appraise review start --year {year}`")))?;
            let staff = store.employee(&employee)?;
            let head = store
                .departments()?
                .into_iter()
                .find(|d| d.id == review.department)
                .and_then(|d| d.head);
            let grades = grade_ids(&rulebook, &review.proposal.policy.hash);
            let request = SignRequest {
                step: &step,
                grade: &grade,
                signer: &signer,
                comment: &comment,
                supervisor: staff.as_ref().and_then(|s| s.supervisor.as_deref()),
                head: head.as_deref(),
                grades: &grades,
            };
            review.check(&request).map_err(found)?;
            let stamp = ctx.stamp(&signer);
            let signature = Signature {
                step: step.clone(),
                grade: grade.clone(),
                signer: signer.clone(),
                comment: comment.trim().to_string(),
                at: stamp.at.clone(),
            };
            store.sign_review(year, &employee, review.signatures.len(), &signature, &stamp)?;
            match review.steps.get(review.signatures.len() + 1) {
                Some(next) => println!(
                    "signed `{step}` of `{employee}`'s {year} review with `{grade}`; next: `{next}`"
                ),
                None => println!(
                    "signed `{step}` of `{employee}`'s {year} review; the review is complete, final grade `{grade}`"
                ),
            }
            Ok(())
        }
        Command::Status { year, department } => {
            let (store, rulebook) = ctx.store_and_rules()?;
            let staff: BTreeMap<String, Option<String>> = store
                .staff()?
                .into_iter()
                .map(|e| (e.id, e.supervisor))
                .collect();
            let heads: BTreeMap<String, Option<String>> = store
                .departments()?
                .into_iter()
                .map(|d| (d.id, d.head))
                .collect();
            let rows = store
                .reviews(year)?
                .into_iter()
                .filter(|r| department.as_ref().is_none_or(|d| &r.department == d))
                .map(|r| {
                    let waiting_on = r.next_step().map(|step| Waiting {
                        step: step.to_string(),
                        signer: match step {
                            "manager" => staff.get(&r.employee).cloned().flatten(),
                            "department_head" => heads.get(&r.department).cloned().flatten(),
                            _ => None,
                        },
                    });
                    let final_grade = r.final_grade().map(|g| {
                        let grade = rulebook
                            .by_hash(&r.proposal.policy.hash)
                            .and_then(|p| p.grades.iter().find(|x| x.id == g));
                        FinalGrade {
                            grade: g.to_string(),
                            label: grade.map(|x| x.label.clone()).unwrap_or_default(),
                            outcomes: grade.map(|x| x.outcomes.clone()).unwrap_or_default(),
                        }
                    });
                    ReviewRow {
                        review: r,
                        waiting_on,
                        final_grade,
                    }
                })
                .collect();
            ctx.print(&ReviewsView {
                year,
                reviews: rows,
            })
        }
    }
}

fn grade_ids(rulebook: &Rulebook, hash: &str) -> Vec<String> {
    rulebook
        .by_hash(hash)
        .map(|p| p.grades.iter().map(|g| g.id.clone()).collect())
        .unwrap_or_default()
}
