//! The year-end sign-off: starting the reviews, signing a step, where each one stands.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Actor, App, Conflict, Error, Invalid, Result, Undone};
use crate::domain::access::{Action, Target};
use crate::domain::month::Month;
use crate::engine::review::{SignRequest, Signature, Signers};
use crate::evaluation::evaluate::{Evaluation, Selection, rated_months};
use crate::evaluation::rulebook::Rulebook;
use crate::report::{FinalGrade, ReviewRow, Waiting};

/// What starting the reviews of a year did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub started: usize,
    pub already: usize,
    /// Employees not rated for the year (too few months employed): no review to sign.
    pub not_rated: Vec<String>,
}

/// A signed step, and what comes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The step after this one, or `None` when the review is complete.
    pub next: Option<String>,
}

impl App {
    /// Freezes each selected employee's computed rating as the proposal and opens the chain
    /// their policy's `[review]` gives for their role. A role without a chain refuses the
    /// whole start; so do months of the year still open (their scores could still
    /// change), unless `open_months_ok`, which the audit log records.
    pub fn start_reviews(
        &self,
        by: &Actor,
        year: i32,
        department: Option<String>,
        through: Option<Month>,
        open_months_ok: bool,
    ) -> Result<Started> {
        self.authorize(by, Action::StartReviews, &Target::Company)?;
        let (mut store, rulebook) = self.store_and_rules()?;
        let months = rated_months(year, through, self.today)?;
        let closed: Vec<String> = store
            .closed_months()?
            .into_iter()
            .map(|c| c.month)
            .collect();
        let open: Vec<String> = months
            .iter()
            .map(Month::to_string)
            .filter(|m| !closed.contains(m))
            .collect();
        if !open.is_empty() && !open_months_ok {
            return Err(Error::OpenMonths(open));
        }
        let sel = Selection {
            department,
            employee: None,
            ..Default::default()
        };
        let results = Evaluation::official(&store, &rulebook).ratings(year, &months, &sel)?;
        // Role and supervisor as their records stand when the review starts.
        let now = Month::of(self.today);
        let records: BTreeMap<String, crate::domain::staff::Employee> = store
            .staff_records()?
            .into_iter()
            .map(|r| (r.id.clone(), r.at(now).clone()))
            .collect();
        let heads: BTreeMap<String, Option<String>> = store
            .departments()?
            .into_iter()
            .map(|d| (d.id, d.head))
            .collect();
        let mut chains = Vec::new();
        let mut problems = Vec::new();
        let mut not_rated = Vec::new();
        for rating in &results {
            if rating.not_rated.is_some() {
                not_rated.push(rating.employee.clone());
                continue;
            }
            let record = records.get(&rating.employee);
            let role = record.map(|e| e.role.clone()).unwrap_or_default();
            let policy = version(&rulebook, &rating.policy.hash)?;
            match policy.review.get(&role) {
                Some(steps) if !steps.is_empty() => {
                    let signers = Signers {
                        supervisor: record.and_then(|e| e.supervisor.clone()),
                        head: heads.get(&rating.department).cloned().flatten(),
                    };
                    chains.push((rating, role, steps.clone(), signers))
                }
                _ => problems.push(Conflict::NoReviewChain {
                    employee: rating.employee.clone(),
                    role,
                    policy: policy.id.clone(),
                }),
            }
        }
        if !problems.is_empty() {
            return Err(Invalid::Several {
                problems,
                outcome: Undone::Started,
            }
            .into());
        }
        let stamp = self.stamp(by);
        let starts: Vec<crate::store::ReviewStart> = chains
            .iter()
            .map(|(rating, role, steps, signers)| crate::store::ReviewStart {
                proposal: rating,
                role,
                steps,
                signers,
            })
            .collect();
        // Whose first step now waits: the reviews this start opens (not those open before).
        let before: std::collections::BTreeSet<String> = store
            .reviews(year)?
            .into_iter()
            .map(|r| r.employee)
            .collect();
        let waiting: Vec<_> = chains
            .iter()
            .filter(|(rating, ..)| !before.contains(&rating.employee))
            .filter_map(|(rating, _, steps, signers)| {
                let step = steps.first()?;
                Some((
                    rating.employee.clone(),
                    rating.department.clone(),
                    step.clone(),
                    signers.of(step).map(str::to_string),
                ))
            })
            .collect();
        let notices = self.review_waiting_notices(&store, year, &waiting)?;
        let started = store.start_reviews(year, &starts, &open, &stamp, &notices)?;
        Ok(Started {
            started,
            already: chains.len() - started,
            not_rated,
        })
    }

    /// Signs the next step of an employee's review, under the chain's rules (order, who
    /// signs, no self-review, a comment when the grade changes). The step and the grade are
    /// named by their ids or their labels (`manager` or 直属上级, `poor` or 差).
    pub fn sign_review(
        &self,
        by: &Actor,
        employee: &str,
        year: i32,
        step: &str,
        grade: &str,
        comment: &str,
    ) -> Result<Signed> {
        // A step is named by its id or its label (`manager` or 直属上级).
        let step = crate::domain::labels::step_id(step.trim());
        if step == "company" {
            self.authorize(by, Action::SignCompanyStep, &Target::Company)?;
        }
        let (mut store, rulebook) = self.store_and_rules()?;
        let review = store
            .reviews(year)?
            .into_iter()
            .find(|r| r.employee == employee)
            .ok_or_else(|| crate::store::Error::NoReview {
                employee: employee.to_string(),
                year,
            })?;
        let policy = version(&rulebook, &review.proposal.policy.hash)?;
        let grades: Vec<String> = policy.grades.iter().map(|g| g.id.clone()).collect();
        // A grade is named by its id or by the label people know it by (差 for poor).
        let grade = policy
            .grades
            .iter()
            .find(|g| g.label == grade.trim())
            .map_or(grade, |g| g.id.as_str());
        let request = SignRequest {
            step,
            grade,
            signer: by.employee().unwrap_or(by.name()),
            comment,
            supervisor: review.signers.supervisor.as_deref(),
            head: review.signers.head.as_deref(),
            grades: &grades,
        };
        // The company's step is HR's (checked first); signing a step named for someone
        // else is a refusal of the person, any other misstep one of the request.
        review.check(&request).map_err(|m| {
            let named = review.signer_of(step);
            if review.next_step() == Some(step) && named.is_some() && named != by.employee() {
                Error::NotTheSigner(Box::new(m))
            } else {
                Error::Misstep(Box::new(m))
            }
        })?;
        let stamp = self.stamp(by);
        let signature = Signature {
            step: step.to_string(),
            grade: grade.to_string(),
            signer: by.employee().unwrap_or(by.name()).to_string(),
            comment: comment.trim().to_string(),
            at: stamp.at.clone(),
        };
        let waiting: Vec<_> = review
            .steps
            .get(review.signatures.len() + 1)
            .map(|next| {
                (
                    employee.to_string(),
                    review.department.clone(),
                    next.clone(),
                    review.signer_of(next).map(str::to_string),
                )
            })
            .into_iter()
            .collect();
        let notices = self.review_waiting_notices(&store, year, &waiting)?;
        store.sign_review(
            year,
            employee,
            review.signatures.len(),
            &signature,
            &stamp,
            &notices,
        )?;
        Ok(Signed {
            next: review.steps.get(review.signatures.len() + 1).cloned(),
        })
    }

    /// Every review of the year (of one department), with whom it waits on and its final
    /// grade once complete.
    pub fn review_status(
        &self,
        by: &Actor,
        year: i32,
        department: Option<&str>,
    ) -> Result<Vec<ReviewRow>> {
        let seen = self.seen_by(by)?;
        let mut rows = self.review_rows(year, department)?;
        rows.retain(|r| seen.contains(&r.review.employee));
        Ok(rows)
    }

    /// Every review of the year (of one department), whoever asks.
    pub(super) fn review_rows(
        &self,
        year: i32,
        department: Option<&str>,
    ) -> Result<Vec<ReviewRow>> {
        let (store, rulebook) = self.store_and_rules()?;
        // One list of grades per policy version, shared by its reviews.
        let mut by_version: BTreeMap<String, Arc<Vec<(String, String)>>> = BTreeMap::new();
        let rows = store
            .reviews(year)?
            .into_iter()
            .filter(|r| department.is_none_or(|d| r.department == d))
            .map(|r| {
                let waiting_on = r.next_step().map(|step| Waiting {
                    step: step.to_string(),
                    signer: r.signer_of(step).map(str::to_string),
                });
                let policy = rulebook.by_hash(&r.proposal.policy.hash);
                let grades = Arc::clone(
                    by_version
                        .entry(r.proposal.policy.hash.to_string())
                        .or_insert_with(|| {
                            Arc::new(policy.map(|p| p.grade_choices()).unwrap_or_default())
                        }),
                );
                let final_grade = r.final_grade().map(|g| {
                    let grade = policy.and_then(|p| p.grades.iter().find(|x| x.id == g));
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
                    grades,
                }
            })
            .collect();
        Ok(rows)
    }

    /// The year's reviews whose next step is `by`'s to sign: a supervisor's or head's step
    /// they are named for, or the company step for HR.
    pub fn reviews_waiting_on(&self, by: &Actor, year: i32) -> Result<Vec<ReviewRow>> {
        let hr = self
            .authorize(by, Action::SignCompanyStep, &Target::Company)
            .is_ok();
        Ok(self
            .review_rows(year, None)?
            .into_iter()
            .filter(|r| {
                r.waiting_on
                    .as_ref()
                    .is_some_and(|w| waits_on(&w.step, w.signer.as_deref(), by, hr))
            })
            .collect())
    }
}

/// Whether a review waiting on `step`, named for `signer`, waits on `by`: the company step
/// on HR (`hr`), any other on the employee it is named for.
pub(super) fn waits_on(step: &str, signer: Option<&str>, by: &Actor, hr: bool) -> bool {
    if step == "company" {
        hr
    } else {
        signer.is_some() && signer == by.employee()
    }
}

/// Where the year's reviews stand, to make computed ratings ratings of record.
pub(super) struct OfRecord<'r> {
    reviews: BTreeMap<String, crate::engine::review::Standing>,
    rulebook: &'r Rulebook,
}

impl<'r> OfRecord<'r> {
    pub(super) fn load(
        store: &crate::store::Store,
        rulebook: &'r Rulebook,
        year: i32,
    ) -> Result<OfRecord<'r>> {
        Ok(OfRecord {
            reviews: store
                .review_standings(year)?
                .into_iter()
                .map(|r| (r.employee.clone(), r))
                .collect(),
            rulebook,
        })
    }

    /// Makes `rating` the rating of record: the final grade of a complete review (read
    /// under the version its proposal was made with), the computed grade beside it.
    pub(super) fn apply(&self, rating: &mut crate::engine::Rating) {
        let review = self.reviews.get(&rating.employee);
        let hash: &str = review.map_or(&rating.policy.hash, |r| &r.policy_hash);
        let grades = self
            .rulebook
            .by_hash(hash)
            .map_or(&[][..], |p| p.grades.as_slice());
        crate::engine::review::of_record(rating, review, grades);
    }
}

/// The activated version a stored result names.
fn version<'a>(rulebook: &'a Rulebook, hash: &str) -> Result<&'a crate::policy::Policy> {
    rulebook
        .by_hash(hash)
        .map(|p| p.as_ref())
        .ok_or_else(|| Invalid::VersionNotActivated(hash.to_string()).into())
}
