//! The numbers: month scores, the explanation of a month or a year, annual ratings. Closed
//! months come from their snapshots, so these never change once a month is closed.

use super::scope::Seen;
use super::{Actor, App, Error, Invalid, Result};
use crate::domain::month::Month;
use crate::engine::{MonthScore, Rating};
use crate::evaluation::evaluate::{Evaluation, Selection, rated_months};
use crate::report::{MonthExplanation, YearExplanation};

/// An employee, a department or everyone.
pub type Who = Selection;

impl App {
    /// The month's scores of everyone selected who was employed in it and whom `by` may
    /// see, by employee id.
    pub fn scores(&self, by: &Actor, month: Month, who: &Who) -> Result<Vec<MonthScore>> {
        let seen = self.seen_of(by, who.employee.as_deref())?;
        self.scores_seen(&seen, month, who)
    }

    /// The month's scores of those of `who` in `seen` (what [`App::seen_of`] allowed).
    pub(super) fn scores_seen(
        &self,
        seen: &Seen,
        month: Month,
        who: &Who,
    ) -> Result<Vec<MonthScore>> {
        if seen.is_empty() {
            return Ok(Vec::new());
        }
        let (store, rulebook) = self.store_and_rules()?;
        let mut scores = Evaluation::official(&store, &rulebook).month(month, &seen.narrow(who))?;
        scores.retain(|s| seen.contains(&s.employee));
        Ok(scores)
    }

    /// Every point of an employee's month, with the bounds that clamp it.
    pub fn explain_month(
        &self,
        by: &Actor,
        employee: &str,
        month: Month,
    ) -> Result<MonthExplanation> {
        self.check_view(by, employee)?;
        let (store, rulebook) = self.store_and_rules()?;
        let Some(score) = Evaluation::official(&store, &rulebook)
            .month(month, &one(employee))?
            .pop()
        else {
            return Err(Error::NotEmployed {
                employee: employee.to_string(),
                period: month.to_string(),
            });
        };
        // The version that produced the score (a closed month's may be an older one).
        let policy =
            rulebook
                .by_hash(&score.policy.hash)
                .ok_or_else(|| Invalid::ScoredByInactive {
                    month,
                    hash: score.policy.hash.to_string(),
                })?;
        let raw = score.base + score.items.iter().map(|i| i.points).sum();
        let filter = crate::store::EventFilter {
            employee: Some(employee.to_string()),
            month: Some(month),
            ..Default::default()
        };
        let event_notes = store
            .events(&filter)?
            .into_iter()
            .filter(|e| !e.note.is_empty())
            .map(|e| (e.id, e.note))
            .collect();
        Ok(MonthExplanation {
            raw,
            event_notes,
            pass_mark: policy.scoring.pass_mark,
            floor: policy.scoring.floor,
            ceiling: policy.scoring.ceiling,
            score,
        })
    }

    /// An employee's year: the months, every item, and why this grade.
    pub fn explain_year(
        &self,
        by: &Actor,
        employee: &str,
        year: i32,
        through: Option<Month>,
    ) -> Result<YearExplanation> {
        self.check_view(by, employee)?;
        let (store, rulebook) = self.store_and_rules()?;
        let months = rated_months(year, through, self.today)?;
        let Some(result) = Evaluation::official(&store, &rulebook)
            .year(year, &months, &one(employee))?
            .pop()
        else {
            return Err(Error::NotEmployed {
                employee: employee.to_string(),
                period: format!(
                    "{year} up to {}",
                    months.last().map(Month::to_string).unwrap_or_default()
                ),
            });
        };
        let mut rating = result.rating;
        super::reviews::OfRecord::load(&store, &rulebook, year)?.apply(&mut rating);
        let r = &rating;
        let policy = rulebook.by_hash(&r.policy.hash);
        let grade_label = |id: &str| {
            policy
                .and_then(|p| p.grades.iter().find(|g| g.id == id))
                .map_or_else(|| id.to_string(), |g| g.label.clone())
        };
        let rule_name = |id: &str| {
            policy
                .and_then(|p| p.annual.iter().find(|a| a.id == id))
                .map_or_else(|| id.to_string(), |a| a.name.clone())
        };
        let computed = match (&r.forced_by, &r.capped_by) {
            (Some(rule), _) => format!(
                "年度规则“{}”定为“{}”",
                rule_name(rule),
                grade_label(&r.computed_grade)
            ),
            (None, Some(rule)) => format!(
                "年度规则“{}”规定最高为“{}”",
                rule_name(rule),
                grade_label(&r.computed_grade)
            ),
            (None, None) => {
                let conditional = policy
                    .and_then(|p| p.grades.iter().find(|g| g.id == r.computed_grade))
                    .is_some_and(|g| g.when.is_some());
                if conditional {
                    format!(
                        "全年平均 {} 分、不合格 {} 个月，按等级由高到低首先符合“{}”的条件",
                        r.average,
                        r.failed_months,
                        grade_label(&r.computed_grade)
                    )
                } else {
                    format!(
                        "全年平均 {} 分、不合格 {} 个月，未达到更高等级的条件",
                        r.average, r.failed_months
                    )
                }
            }
        };
        let because = if r.review == "final" {
            format!(
                "已签署评审的最终等级；按规则计算为“{}”：{computed}",
                grade_label(&r.computed_grade)
            )
        } else {
            computed
        };
        Ok(YearExplanation {
            year,
            rating,
            months: result.months,
            because,
        })
    }

    /// The annual ratings of everyone selected whom `by` may see, by employee id, and the
    /// last month rated. `progress(done, total)` is told how far it got; only the ratings
    /// are kept, so memory stays flat however many months and events.
    pub fn ratings(
        &self,
        by: &Actor,
        year: i32,
        through: Option<Month>,
        who: &Who,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<(Vec<Rating>, Month)> {
        let seen = self.seen_of(by, who.employee.as_deref())?;
        self.ratings_seen(&seen, year, through, who, progress)
    }

    /// [`App::ratings`] of those in `seen`, worked out already.
    pub(super) fn ratings_seen(
        &self,
        seen: &Seen,
        year: i32,
        through: Option<Month>,
        who: &Who,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<(Vec<Rating>, Month)> {
        let (store, rulebook) = self.store_and_rules()?;
        let months = rated_months(year, through, self.today)?;
        let of_record = super::reviews::OfRecord::load(&store, &rulebook, year)?;
        let mut ratings = Vec::new();
        if seen.is_empty() {
            return Ok((
                ratings,
                *months.last().expect("rated_months is never empty"),
            ));
        }
        let who = seen.narrow(who);
        Evaluation::official(&store, &rulebook).ratings_each(
            year,
            &months,
            &who,
            progress,
            |mut rating| {
                if seen.contains(&rating.employee) {
                    of_record.apply(&mut rating);
                    ratings.push(rating);
                }
                Ok(())
            },
        )?;
        Ok((
            ratings,
            *months.last().expect("rated_months is never empty"),
        ))
    }
}

/// One employee.
pub(super) fn one(employee: &str) -> Selection {
    Selection {
        department: None,
        employee: Some(employee.to_string()),
        ..Default::default()
    }
}
