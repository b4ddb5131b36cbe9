//! What-if: the same year under two rulebooks, compared employee by employee.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::Rating;
use crate::evaluate::YearResult;
use crate::month::Month;
use crate::points::Points;

/// One month that scores differently.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthChange {
    pub month: Month,
    pub before: Option<Points>,
    pub after: Option<Points>,
}

/// An employee whose result changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmployeeChange {
    pub employee: String,
    pub name: String,
    pub department: String,
    pub months: Vec<MonthChange>,
    pub average_before: Points,
    pub average_after: Points,
    pub failed_before: i64,
    pub failed_after: i64,
    pub grade_before: String,
    pub grade_after: String,
    pub label_before: String,
    pub label_after: String,
    /// `up`, `down` or `same` (grade).
    pub direction: &'static str,
}

/// How a rule's total points over the selection move.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleChange {
    pub rule: String,
    pub before: Points,
    pub after: Points,
    pub delta: Points,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    pub evaluated: usize,
    pub changed: Vec<EmployeeChange>,
    pub grades_up: usize,
    pub grades_down: usize,
    /// "良好 → 一般" → how many employees.
    pub transitions: BTreeMap<String, usize>,
    /// Rules whose total points change, largest change first.
    pub rules: Vec<RuleChange>,
}

/// What a comparison needs of an employee's year: the rating, the month scores and each
/// rule's total. Kept instead of the whole ledger, so a company-wide what-if stays small.
pub struct YearSummary {
    pub rating: Rating,
    pub scores: BTreeMap<Month, Points>,
    pub rules: BTreeMap<String, Points>,
}

impl From<YearResult> for YearSummary {
    fn from(r: YearResult) -> YearSummary {
        let mut rules: BTreeMap<String, Points> = BTreeMap::new();
        for item in r.months.iter().flat_map(|m| &m.items) {
            match rules.get_mut(&*item.rule) {
                Some(p) => *p += item.points,
                None => {
                    rules.insert(item.rule.to_string(), item.points);
                }
            }
        }
        YearSummary {
            scores: r.months.iter().map(|m| (m.month, m.score)).collect(),
            rating: r.rating,
            rules,
        }
    }
}

fn rule_totals(results: &[YearSummary]) -> BTreeMap<String, Points> {
    let mut totals: BTreeMap<String, Points> = BTreeMap::new();
    for (rule, p) in results.iter().flat_map(|r| &r.rules) {
        *totals.entry(rule.clone()).or_default() += *p;
    }
    totals
}

/// Compares the year `before` and `after` (both ordered by employee id).
pub fn diff(before: &[YearSummary], after: &[YearSummary]) -> Diff {
    let after_by: BTreeMap<&str, &YearSummary> = after
        .iter()
        .map(|r| (r.rating.employee.as_str(), r))
        .collect();
    let mut changed = Vec::new();
    let mut transitions = BTreeMap::new();
    let (mut up, mut down) = (0, 0);
    for b in before {
        let Some(a) = after_by.get(b.rating.employee.as_str()) else {
            continue;
        };
        let (sb, sa) = (&b.scores, &a.scores);
        let mut months: Vec<Month> = sb.keys().chain(sa.keys()).copied().collect();
        months.sort();
        months.dedup();
        let month_changes: Vec<MonthChange> = months
            .into_iter()
            .filter(|m| sb.get(m) != sa.get(m))
            .map(|m| MonthChange {
                month: m,
                before: sb.get(&m).copied(),
                after: sa.get(&m).copied(),
            })
            .collect();
        let (rb, ra) = (&b.rating, &a.rating);
        if month_changes.is_empty() && rb.grade == ra.grade {
            continue;
        }
        let direction = match ra.rank.cmp(&rb.rank) {
            std::cmp::Ordering::Less => {
                up += 1;
                "up"
            }
            std::cmp::Ordering::Greater => {
                down += 1;
                "down"
            }
            std::cmp::Ordering::Equal => "same",
        };
        if rb.grade != ra.grade {
            *transitions
                .entry(format!("{} → {}", rb.label, ra.label))
                .or_default() += 1;
        }
        changed.push(EmployeeChange {
            employee: rb.employee.clone(),
            name: rb.name.clone(),
            department: rb.department.clone(),
            months: month_changes,
            average_before: rb.average,
            average_after: ra.average,
            failed_before: rb.failed_months,
            failed_after: ra.failed_months,
            grade_before: rb.grade.clone(),
            grade_after: ra.grade.clone(),
            label_before: rb.label.clone(),
            label_after: ra.label.clone(),
            direction,
        });
    }
    let (tb, ta) = (rule_totals(before), rule_totals(after));
    let mut rules: Vec<RuleChange> = tb
        .keys()
        .chain(ta.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|r| {
            let (b, a) = (
                tb.get(r).copied().unwrap_or_default(),
                ta.get(r).copied().unwrap_or_default(),
            );
            RuleChange {
                rule: r.clone(),
                before: b,
                after: a,
                delta: a - b,
            }
        })
        .filter(|c| !c.delta.is_zero())
        .collect();
    rules.sort_by_key(|c| {
        (
            std::cmp::Reverse(c.delta.hundredths().abs()),
            c.rule.clone(),
        )
    });
    Diff {
        evaluated: before.len(),
        changed,
        grades_up: up,
        grades_down: down,
        transitions,
        rules,
    }
}
