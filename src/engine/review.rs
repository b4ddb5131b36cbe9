//! The annual review chain: the computed rating is the proposal, and each step of the chain
//! (manager → department head → company, per role) signs a grade in order. The rules of who
//! may sign what live here, as plain checks on plain values.

use serde::{Deserialize, Serialize};

use crate::engine::Rating;

/// One signed step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    pub step: String,
    pub grade: String,
    pub signer: String,
    pub comment: String,
    pub at: String,
}

/// An employee's review of a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    pub year: i32,
    pub employee: String,
    pub name: String,
    pub department: String,
    pub role: String,
    /// The rating computed when the review started.
    pub proposal: Rating,
    /// The steps that sign, in order.
    pub steps: Vec<String>,
    pub signatures: Vec<Signature>,
    pub started_by: String,
    pub started_at: String,
    /// Who signs the manager and department-head steps: the supervisor and the department
    /// head in force when the review started.
    pub signers: Signers,
}

/// The supervisor and the department head of a review.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Signers {
    pub supervisor: Option<String>,
    pub head: Option<String>,
}

/// Makes `rating` the rating of record: while its review runs the computed grade stands as
/// the proposal; once the review is complete its final grade, with that grade's label and
/// outcomes under the policy that rated the year, is the grade. The computed grade stays
/// in `computed_grade`.
pub fn of_record(rating: &mut Rating, review: Option<&Review>, grades: &[crate::policy::Grade]) {
    rating.computed_grade = rating.grade.clone();
    let Some(review) = review else {
        rating.review = "not_started".into();
        return;
    };
    match review.final_grade() {
        None => rating.review = format!("waiting:{}", review.next_step().unwrap_or_default()),
        Some(grade) => {
            rating.review = "final".into();
            if let Some((rank, g)) = grades.iter().enumerate().find(|(_, g)| g.id == grade) {
                rating.grade = g.id.clone();
                rating.label = g.label.clone();
                rating.outcomes = g.outcomes.clone();
                rating.rank = rank;
            }
        }
    }
}

/// Who is asking to sign, and the facts the rules need.
pub struct SignRequest<'a> {
    pub step: &'a str,
    pub grade: &'a str,
    pub signer: &'a str,
    pub comment: &'a str,
    /// The employee's supervisor (who signs a manager step).
    pub supervisor: Option<&'a str>,
    /// The department's head (who signs a department-head step).
    pub head: Option<&'a str>,
    /// The grade ids of the policy the proposal was made under.
    pub grades: &'a [String],
}

impl Review {
    /// The next step to sign, or `None` when the chain is complete.
    pub fn next_step(&self) -> Option<&str> {
        self.steps.get(self.signatures.len()).map(String::as_str)
    }

    /// The grade as it stands: the last signed step's, else the proposal's.
    pub fn current_grade(&self) -> &str {
        self.signatures
            .last()
            .map_or(&self.proposal.grade, |s| &s.grade)
    }

    /// Who must sign `step`: the employee's supervisor for the manager step, the
    /// department's head for the department-head step, as they were when the review
    /// started; `None` for a step anyone entitled may sign (the company's).
    pub fn signer_of(&self, step: &str) -> Option<&str> {
        match step {
            "manager" => self.signers.supervisor.as_deref(),
            "department_head" => self.signers.head.as_deref(),
            _ => None,
        }
    }

    /// The final grade, once every step has signed.
    pub fn final_grade(&self) -> Option<&str> {
        self.next_step().is_none().then(|| self.current_grade())
    }

    /// Checks a signature against the chain rules; the message says how to mend it.
    pub fn check(&self, r: &SignRequest) -> Result<(), String> {
        let Some(next) = self.next_step() else {
            return Err(format!(
                "the review of `{}` for {} is complete (final grade `{}`); signed steps cannot change",
                self.employee,
                self.year,
                self.current_grade()
            ));
        };
        if r.step != next {
            let done = self
                .steps
                .iter()
                .take(self.signatures.len())
                .any(|s| s == r.step);
            return Err(if done {
                format!(
                    "step `{}` is already signed; signed steps cannot change",
                    r.step
                )
            } else if self.steps.iter().any(|s| s == r.step) {
                format!(
                    "step `{}` comes later; the next step to sign is `{next}`",
                    r.step
                )
            } else {
                format!(
                    "`{}` is not a step of this review; its steps are {}",
                    r.step,
                    self.steps.join(" → ")
                )
            });
        }
        if r.signer == self.employee {
            return Err("no one signs their own review".into());
        }
        match r.step {
            "manager" if Some(r.signer) != r.supervisor => {
                return Err(match r.supervisor {
                    Some(s) => format!(
                        "the manager step is signed by `{}`'s supervisor `{s}`, not `{}`",
                        self.employee, r.signer
                    ),
                    None => format!(
                        "`{}` has no supervisor on file to sign the manager step; set their supervisor in the staff record first",
                        self.employee
                    ),
                });
            }
            "department_head" if Some(r.signer) != r.head => {
                return Err(match r.head {
                    Some(h) => format!(
                        "the department-head step is signed by the head of `{}`, `{h}`, not `{}`",
                        self.department, r.signer
                    ),
                    None => format!(
                        "department `{}` has no head on file; set its head first",
                        self.department
                    ),
                });
            }
            _ => {}
        }
        if !r.grades.iter().any(|g| g == r.grade) {
            return Err(format!(
                "unknown grade `{}`; use one of {}",
                r.grade,
                r.grades.join(", ")
            ));
        }
        let previous = self.current_grade();
        if r.grade != previous && r.comment.trim().is_empty() {
            return Err(format!(
                "the grade `{}` differs from the previous step's `{previous}`; a `--comment` saying why is required",
                r.grade
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::points::Points;
    use crate::policy::PolicyRef;

    fn review() -> Review {
        Review {
            year: 2025,
            employee: "E2".into(),
            name: "n".into(),
            department: "cs".into(),
            role: "staff".into(),
            proposal: Rating {
                employee: "E2".into(),
                name: "n".into(),
                department: "cs".into(),
                months: 12,
                average: Points::whole(96),
                min: Points::whole(90),
                max: Points::whole(100),
                failed_months: 0,
                deducted: Points::ZERO,
                rewarded: Points::ZERO,
                grade: "excellent".into(),
                label: "优秀".into(),
                rank: 0,
                outcomes: vec![],
                computed_grade: "excellent".into(),
                review: "not_started".into(),
                flags: Default::default(),
                year_rules: vec![],
                forced_by: None,
                capped_by: None,
                policy: PolicyRef {
                    id: "p".into(),
                    version: "1".into(),
                    hash: "h".into(),
                },
                monthly: vec![],
            },
            steps: vec!["manager".into(), "department_head".into(), "company".into()],
            signatures: vec![],
            started_by: "hr".into(),
            started_at: "t".into(),
            signers: Signers::default(),
        }
    }

    fn grades() -> Vec<String> {
        ["excellent", "good", "average", "poor"]
            .map(String::from)
            .to_vec()
    }

    fn req<'a>(
        step: &'a str,
        grade: &'a str,
        signer: &'a str,
        comment: &'a str,
        g: &'a [String],
    ) -> SignRequest<'a> {
        SignRequest {
            step,
            grade,
            signer,
            comment,
            supervisor: Some("E1"),
            head: Some("H"),
            grades: g,
        }
    }

    #[test]
    fn steps_are_signed_in_order_by_the_right_people() {
        let g = grades();
        let mut r = review();
        assert!(
            r.check(&req("company", "excellent", "C", "", &g))
                .unwrap_err()
                .contains("comes later")
        );
        assert!(
            r.check(&req("manager", "excellent", "X", "", &g))
                .unwrap_err()
                .contains("supervisor `E1`")
        );
        assert!(
            r.check(&req("manager", "excellent", "E2", "", &g))
                .unwrap_err()
                .contains("own review")
        );
        assert!(
            r.check(&req("manager", "good", "E1", "", &g))
                .unwrap_err()
                .contains("--comment")
        );
        assert!(
            r.check(&req("manager", "great", "E1", "x", &g))
                .unwrap_err()
                .contains("unknown grade")
        );
        r.check(&req("manager", "good", "E1", "late twice", &g))
            .unwrap();
        r.signatures.push(Signature {
            step: "manager".into(),
            grade: "good".into(),
            signer: "E1".into(),
            comment: "late twice".into(),
            at: "t".into(),
        });
        assert!(
            r.check(&req("manager", "good", "E1", "", &g))
                .unwrap_err()
                .contains("already signed")
        );
        assert!(
            r.check(&req("department_head", "good", "E1", "", &g))
                .unwrap_err()
                .contains("head of `cs`, `H`")
        );
        r.check(&req("department_head", "good", "H", "", &g))
            .unwrap();
        assert_eq!(r.final_grade(), None);
    }
}
