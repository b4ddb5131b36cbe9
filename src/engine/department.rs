//! A department's year: its targets and budget through the policy's `[department]` script.

use rhai::{Dynamic, Map};
use serde::Serialize;

use super::values;
use super::{EvalError, EvalResult};
use crate::domain::points::Points;
use crate::policy::PolicyRef;
use crate::policy::{Failure, Policy, Stage};

/// What a department's year is judged on.
#[derive(Debug, Clone, PartialEq)]
pub struct DepartmentYear {
    pub id: String,
    pub name: String,
    pub year: i32,
    pub head: Option<String>,
    /// (target, met)
    pub targets: Vec<(String, bool)>,
    /// Budget and actual spending (money, in hundredths), when recorded.
    pub budget: Option<Points>,
    pub spent: Option<Points>,
}

/// The verdict on a department's year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepartmentRating {
    pub department: String,
    pub name: String,
    pub year: i32,
    pub head: Option<String>,
    pub targets_total: usize,
    pub targets_missed: usize,
    pub missed: Vec<String>,
    pub budget: Option<Points>,
    pub spent: Option<Points>,
    pub savings: Option<Points>,
    /// Percent of the head's year-end bonus withheld.
    pub head_bonus_cut: Points,
    /// The department's bonus from savings.
    pub department_bonus: Points,
    pub note: String,
    pub policy: PolicyRef,
}

/// Rates a department's year under `policy`'s `[department]` script (none: nothing is cut
/// and no bonus is paid, and the note says so).
pub fn rate_department(policy: &Policy, d: &DepartmentYear) -> EvalResult<DepartmentRating> {
    let missed: Vec<String> = d
        .targets
        .iter()
        .filter(|(_, met)| !met)
        .map(|(n, _)| n.clone())
        .collect();
    let savings = match (d.budget, d.spent) {
        (Some(b), Some(s)) => Some(b - s),
        _ => None,
    };
    let mut rating = DepartmentRating {
        department: d.id.clone(),
        name: d.name.clone(),
        year: d.year,
        head: d.head.clone(),
        targets_total: d.targets.len(),
        targets_missed: missed.len(),
        missed,
        budget: d.budget,
        spent: d.spent,
        savings,
        head_bonus_cut: Points::ZERO,
        department_bonus: Points::ZERO,
        note: String::new(),
        policy: PolicyRef::of(policy),
    };
    let Some(script) = &policy.department else {
        rating.note = format!("policy `{}` has no [department] script", policy.id);
        return Ok(rating);
    };
    let opt = |p: Option<Points>| p.map_or(Dynamic::UNIT, values::points);
    let mut m = Map::new();
    m.insert("id".into(), values::text(&d.id));
    m.insert("name".into(), values::text(&d.name));
    m.insert("year".into(), Dynamic::from_int(i64::from(d.year)));
    m.insert(
        "head".into(),
        d.head.as_deref().map_or(Dynamic::UNIT, values::text),
    );
    m.insert(
        "targets_total".into(),
        Dynamic::from_int(rating.targets_total as i64),
    );
    m.insert(
        "targets_missed".into(),
        Dynamic::from_int(rating.targets_missed as i64),
    );
    m.insert(
        "targets_met".into(),
        Dynamic::from_int((rating.targets_total - rating.targets_missed) as i64),
    );
    m.insert(
        "targets".into(),
        values::array(
            d.targets
                .iter()
                .map(|(n, met)| {
                    let mut t = Map::new();
                    t.insert("name".into(), values::text(n));
                    t.insert("met".into(), Dynamic::from_bool(*met));
                    Dynamic::from_map(t)
                })
                .collect(),
        ),
    );
    m.insert("budget".into(), opt(d.budget));
    m.insert("spent".into(), opt(d.spent));
    m.insert("savings".into(), opt(savings));
    let fail = |failure: Failure| {
        Box::new(EvalError {
            rule: "department".into(),
            employee: format!("department {}", d.id),
            month: None,
            event: None,
            file: script.origin.file.to_string(),
            failure,
        })
    };
    let value = script
        .run(&mut Stage::scope(vec![("dept", Dynamic::from_map(m))]))
        .map_err(fail)?;
    let Some(map) = value.try_cast::<Map>() else {
        return Err(fail(script.failure_at_start(
            "the [department] script must give #{ head_bonus_cut, department_bonus, note }".into(),
        )));
    };
    for (k, v) in map {
        let number = |v: Dynamic| -> Result<Points, Failure> {
            values::outcome(v)
                .map(|o| o.points)
                .map_err(|m| script.failure_at_start(m))
        };
        match k.as_str() {
            "head_bonus_cut" => rating.head_bonus_cut = number(v).map_err(fail)?,
            "department_bonus" => rating.department_bonus = number(v).map_err(fail)?,
            "note" => rating.note = v.to_string(),
            other => {
                return Err(fail(script.failure_at_start(format!(
                    "the [department] result has an unknown key `{other}`; use head_bonus_cut, department_bonus, note"
                ))));
            }
        }
    }
    Ok(rating)
}
