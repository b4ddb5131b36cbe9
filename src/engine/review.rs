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

impl Signers {
    /// Who signs `step`: the supervisor the manager's step, the head the department
    /// head's; nobody in particular the company's (HR signs it).
    pub fn of(&self, step: &str) -> Option<&str> {
        match step {
            "manager" => self.supervisor.as_deref(),
            "department_head" => self.head.as_deref(),
            _ => None,
        }
    }
}

/// Makes `rating` the rating of record: while its review runs the computed grade stands as
/// the proposal; once the review is complete its final grade, with that grade's label and
/// outcomes under the policy that rated the year, is the grade. The computed grade stays
/// in `computed_grade`.
pub fn of_record(rating: &mut Rating, review: Option<&Standing>, grades: &[crate::policy::Grade]) {
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

/// Where a review stands: what makes a computed rating the rating of record, and whom the
/// review waits on, without the proposal itself (a whole rating per employee: a company's
/// year of them held in memory by every rating took a quarter of a GiB at 100,000 staff).
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub employee: String,
    /// The policy version the proposal was made under.
    pub policy_hash: String,
    /// The proposal's grade, read only for a review with no steps to sign, whose final
    /// grade it is.
    pub proposed: Option<String>,
    pub steps: Vec<String>,
    /// The grades signed so far, in step order.
    pub signed: Vec<String>,
    pub signers: Signers,
}

impl Standing {
    /// The next step to sign, or `None` when the chain is complete.
    pub fn next_step(&self) -> Option<&str> {
        next_of(&self.steps, self.signed.len())
    }

    /// The final grade, once every step has signed.
    pub fn final_grade(&self) -> Option<&str> {
        if self.next_step().is_some() {
            return None;
        }
        self.signed
            .last()
            .or(self.proposed.as_ref())
            .map(String::as_str)
    }
}

/// The step after the first `signed` of `steps`, if any.
fn next_of(steps: &[String], signed: usize) -> Option<&str> {
    steps.get(signed).map(String::as_str)
}

impl Review {
    /// The next step to sign, or `None` when the chain is complete.
    pub fn next_step(&self) -> Option<&str> {
        next_of(&self.steps, self.signatures.len())
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
        self.signers.of(step)
    }

    /// The final grade, once every step has signed.
    pub fn final_grade(&self) -> Option<&str> {
        self.next_step().is_none().then(|| self.current_grade())
    }

    /// Checks a signature against the chain rules.
    pub fn check(&self, r: &SignRequest) -> Result<(), Misstep> {
        let Some(next) = self.next_step() else {
            return Err(Misstep::Complete {
                employee: self.employee.clone(),
                year: self.year,
                grade: self.current_grade().to_string(),
            });
        };
        if r.step != next {
            let done = self
                .steps
                .iter()
                .take(self.signatures.len())
                .any(|s| s == r.step);
            let step = r.step.to_string();
            return Err(if done {
                Misstep::AlreadySigned { step }
            } else if self.steps.iter().any(|s| s == r.step) {
                Misstep::ComesLater {
                    step,
                    next: next.to_string(),
                }
            } else {
                Misstep::NoSuchStep {
                    step,
                    steps: self.steps.clone(),
                }
            });
        }
        if r.signer == self.employee {
            return Err(Misstep::OwnReview);
        }
        let named = match r.step {
            "manager" => Some(r.supervisor),
            "department_head" => Some(r.head),
            _ => None,
        };
        if let Some(named) = named
            && Some(r.signer) != named
        {
            return Err(match named {
                Some(n) => Misstep::WrongSigner {
                    step: r.step.to_string(),
                    employee: self.employee.clone(),
                    department: self.department.clone(),
                    named: n.to_string(),
                    signer: r.signer.to_string(),
                },
                None => Misstep::NoSigner {
                    step: r.step.to_string(),
                    employee: self.employee.clone(),
                    department: self.department.clone(),
                },
            });
        }
        if !r.grades.iter().any(|g| g == r.grade) {
            return Err(Misstep::UnknownGrade {
                grade: r.grade.to_string(),
                grades: r.grades.iter().map(|g| g.to_string()).collect(),
            });
        }
        let previous = self.current_grade();
        if r.grade != previous && r.comment.trim().is_empty() {
            return Err(Misstep::CommentNeeded {
                grade: r.grade.to_string(),
                previous: previous.to_string(),
            });
        }
        Ok(())
    }
}

/// Why a signature does not fit the chain, as facts; `Display` gives the words (naming no
/// front end's flag or field: each adds its own help).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Misstep {
    /// Every step is signed.
    Complete {
        employee: String,
        year: i32,
        grade: String,
    },
    AlreadySigned {
        step: String,
    },
    ComesLater {
        step: String,
        next: String,
    },
    NoSuchStep {
        step: String,
        steps: Vec<String>,
    },
    OwnReview,
    /// The step is named for someone else (the supervisor, or the department's head).
    WrongSigner {
        step: String,
        employee: String,
        department: String,
        named: String,
        signer: String,
    },
    /// Nobody on file to sign the step.
    NoSigner {
        step: String,
        employee: String,
        department: String,
    },
    UnknownGrade {
        grade: String,
        grades: Vec<String>,
    },
    /// A grade other than the previous step's needs a comment saying why.
    CommentNeeded {
        grade: String,
        previous: String,
    },
}

impl std::fmt::Display for Misstep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Misstep::Complete {
                employee,
                year,
                grade,
            } => write!(
                f,
                "the review of `{employee}` for {year} is complete (final grade `{grade}`); signed steps cannot change"
            ),
            Misstep::AlreadySigned { step } => {
                write!(
                    f,
                    "step `{step}` is already signed; signed steps cannot change"
                )
            }
            Misstep::ComesLater { step, next } => write!(
                f,
                "step `{step}` comes later; the next step to sign is `{next}`"
            ),
            Misstep::NoSuchStep { step, steps } => write!(
                f,
                "`{step}` is not a step of this review; its steps are {}",
                steps.join(" → ")
            ),
            Misstep::OwnReview => f.write_str("no one signs their own review"),
            Misstep::WrongSigner {
                step,
                employee,
                department,
                named,
                signer,
            } => match step.as_str() {
                "manager" => write!(
                    f,
                    "the manager step is signed by `{employee}`'s supervisor `{named}`, not `{signer}`"
                ),
                _ => write!(
                    f,
                    "the department-head step is signed by the head of `{department}`, `{named}`, not `{signer}`"
                ),
            },
            Misstep::NoSigner {
                step,
                employee,
                department,
            } => match step.as_str() {
                "manager" => write!(
                    f,
                    "`{employee}` has no supervisor on file to sign the manager step; set their supervisor in the staff record first"
                ),
                _ => write!(
                    f,
                    "department `{department}` has no head on file; set its head first"
                ),
            },
            Misstep::UnknownGrade { grade, grades } => {
                write!(
                    f,
                    "unknown grade `{grade}`; use one of {}",
                    grades.join(", ")
                )
            }
            Misstep::CommentNeeded { grade, previous } => write!(
                f,
                "the grade `{grade}` differs from the previous step's `{previous}`; a comment saying why is required"
            ),
        }
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
                not_rated: None,
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
        let misstep = |r: &Review, q: SignRequest| r.check(&q).unwrap_err();
        assert!(matches!(
            misstep(&r, req("company", "excellent", "C", "", &g)),
            Misstep::ComesLater { next, .. } if next == "manager"
        ));
        assert!(matches!(
            misstep(&r, req("manager", "excellent", "X", "", &g)),
            Misstep::WrongSigner { named, .. } if named == "E1"
        ));
        assert_eq!(
            misstep(&r, req("manager", "excellent", "E2", "", &g)),
            Misstep::OwnReview
        );
        assert!(matches!(
            misstep(&r, req("manager", "good", "E1", "", &g)),
            Misstep::CommentNeeded { .. }
        ));
        assert!(matches!(
            misstep(&r, req("manager", "great", "E1", "x", &g)),
            Misstep::UnknownGrade { .. }
        ));
        r.check(&req("manager", "good", "E1", "late twice", &g))
            .unwrap();
        r.signatures.push(Signature {
            step: "manager".into(),
            grade: "good".into(),
            signer: "E1".into(),
            comment: "late twice".into(),
            at: "t".into(),
        });
        assert!(matches!(
            misstep(&r, req("manager", "good", "E1", "", &g)),
            Misstep::AlreadySigned { .. }
        ));
        assert!(matches!(
            misstep(&r, req("department_head", "good", "E1", "", &g)),
            Misstep::WrongSigner { named, department, .. } if named == "H" && department == "cs"
        ));
        r.check(&req("department_head", "good", "H", "", &g))
            .unwrap();
        assert_eq!(r.final_grade(), None);
    }
}
