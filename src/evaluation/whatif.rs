//! What-if: the same year under two rulebooks, compared employee by employee.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::domain::month::Month;
use crate::domain::points::Points;
use crate::engine::Rating;
use crate::evaluation::evaluate::YearResult;

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
    /// The rule's name, for people's tables (JSON keeps the id).
    #[serde(skip)]
    pub name: String,
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

/// A what-if compared one employee at a time, as the pairs of years come: a company's
/// year is never held whole, only the changes and each rule's totals.
#[derive(Default)]
pub struct Differ {
    evaluated: usize,
    changed: Vec<EmployeeChange>,
    transitions: BTreeMap<String, usize>,
    up: usize,
    down: usize,
    /// Each rule's points before and after, over everyone compared.
    totals: [BTreeMap<String, Points>; 2],
    /// Each rule's name, as its items first gave it.
    names: BTreeMap<String, String>,
}

impl Differ {
    /// Adds one employee's year `before` and `after` (employees come in id order).
    pub fn add(&mut self, before: &YearResult, after: &YearResult) {
        self.evaluated += 1;
        for (totals, year) in self.totals.iter_mut().zip([before, after]) {
            for item in year.months.iter().flat_map(|m| &m.items) {
                match totals.get_mut(item.rule()) {
                    Some(p) => *p += item.points,
                    None => {
                        totals.insert(item.rule().to_string(), item.points);
                        self.names
                            .entry(item.rule().to_string())
                            .or_insert_with(|| item.name().to_string());
                    }
                }
            }
        }
        let scores = |r: &YearResult| -> BTreeMap<Month, Points> {
            r.months.iter().map(|m| (m.month, m.score)).collect()
        };
        let (sb, sa) = (scores(before), scores(after));
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
        let (rb, ra): (&Rating, &Rating) = (&before.rating, &after.rating);
        if month_changes.is_empty() && rb.grade == ra.grade {
            return;
        }
        let direction = match ra.rank.cmp(&rb.rank) {
            std::cmp::Ordering::Less => {
                self.up += 1;
                "up"
            }
            std::cmp::Ordering::Greater => {
                self.down += 1;
                "down"
            }
            std::cmp::Ordering::Equal => "same",
        };
        if rb.grade != ra.grade {
            *self
                .transitions
                .entry(format!("{} → {}", rb.label, ra.label))
                .or_default() += 1;
        }
        self.changed.push(EmployeeChange {
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

    pub fn finish(self) -> Diff {
        let [tb, ta] = self.totals;
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
                    name: self.names.get(r).cloned().unwrap_or_else(|| r.clone()),
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
            evaluated: self.evaluated,
            changed: self.changed,
            grades_up: self.up,
            grades_down: self.down,
            transitions: self.transitions,
            rules,
        }
    }
}
