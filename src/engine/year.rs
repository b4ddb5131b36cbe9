//! One employee-year: the months' figures, the year rules, then the grade.

use std::collections::BTreeMap;

use rhai::{Dynamic, Map};

use super::values;
use super::{EvalError, EvalResult, MonthFigures, NOT_RATED, NOT_RATED_LABEL, Rating};
use crate::domain::points::Points;
use crate::domain::staff::Employee;
use crate::policy::PolicyRef;
use crate::policy::{Policy, Script, Stage};

/// Rates `employee`'s `year` from the figures of its evaluated `months` (in month order)
/// under `policy`, the version governing the last of them. `months` must not be empty.
pub fn rate_year(
    policy: &Policy,
    employee: &Employee,
    year: i32,
    months: &[MonthFigures],
) -> EvalResult<Rating> {
    crate::policy::script::start_evaluation();
    let scores: Vec<Points> = months.iter().map(|m| m.result.score).collect();
    let average = scores.iter().copied().sum::<Points>().mean(scores.len());
    let min = scores.iter().copied().min().unwrap_or_default();
    let max = scores.iter().copied().max().unwrap_or_default();
    let failed_months = months.iter().filter(|m| !m.result.passed).count() as i64;
    let deducted: Points = months.iter().map(|m| m.deducted).sum();
    let rewarded: Points = months.iter().map(|m| m.rewarded).sum();
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    let mut flags: BTreeMap<String, i64> = BTreeMap::new();
    for m in months {
        for (k, n) in &m.counts {
            *counts.entry(k.to_string()).or_default() += n;
        }
        for (f, times) in &m.flags {
            *flags.entry(f.to_string()).or_default() += times;
        }
    }

    let employed_months = (1..=12)
        .filter_map(|m| crate::domain::month::Month::new(year, m))
        .filter(|m| employee.employed_in(*m))
        .count() as u32;
    let not_rated = (employed_months < policy.min_months).then_some(super::NotRated {
        employed_months,
        min_months: policy.min_months,
    });

    let year_value = {
        let mut y = Map::new();
        y.insert("year".into(), Dynamic::from_int(i64::from(year)));
        y.insert(
            "months".into(),
            values::array(
                months
                    .iter()
                    .map(|m| {
                        let mut e = Map::new();
                        let m = &m.result;
                        e.insert("month".into(), values::text(&m.month.to_string()));
                        e.insert("score".into(), values::points(m.score));
                        e.insert("passed".into(), Dynamic::from_bool(m.passed));
                        Dynamic::from_map(e)
                    })
                    .collect(),
            ),
        );
        y.insert(
            "evaluated_months".into(),
            Dynamic::from_int(months.len() as i64),
        );
        y.insert("average".into(), values::points(average));
        y.insert("min".into(), values::points(min));
        y.insert("max".into(), values::points(max));
        y.insert("failed_months".into(), Dynamic::from_int(failed_months));
        y.insert("deducted".into(), values::points(deducted));
        y.insert("rewarded".into(), values::points(rewarded));
        y.insert("counts".into(), values::counts(&counts));
        y.insert("flags".into(), values::counts(&flags));
        Dynamic::from_map(y)
    };
    let staff_value = values::staff(employee);
    let fresh = || {
        Stage::scope(vec![
            ("staff", staff_value.clone()),
            ("year", year_value.clone()),
        ])
    };
    let mut scope = fresh();
    let mut holds = |rule: &str, script: &Script| {
        let held = script.holds(&mut scope).map_err(|failure| {
            Box::new(EvalError {
                rule: rule.to_string(),
                employee: employee.id.clone(),
                month: None,
                event: None,
                file: script.origin.file.to_string(),
                failure,
            })
        });
        // Each rule and grade sees the year as it was, whatever one before it did.
        if script.may_change {
            scope = fresh();
        }
        held
    };

    let mut year_rules = Vec::new();
    // The worst forced grade wins: the one latest in the ladder. Caps say "no better
    // than": the strictest cap that held.
    let mut forced: Option<(usize, String)> = None;
    let mut capped: Option<(usize, String)> = None;
    let rank_of = |g: &str| {
        policy
            .grades
            .iter()
            .position(|x| x.id == g)
            .unwrap_or(usize::MAX)
    };
    // A year that is not rated gets no grade: no year rule forces or caps one.
    for rule in policy.annual.iter().filter(|_| not_rated.is_none()) {
        if !holds(&rule.id, &rule.when)? {
            continue;
        }
        year_rules.push(rule.id.clone());
        for f in &rule.flags {
            *flags.entry(f.clone()).or_default() += 1;
        }
        if let Some(g) = &rule.grade {
            let rank = rank_of(g);
            if forced.as_ref().is_none_or(|(r, _)| rank > *r) {
                forced = Some((rank, rule.id.clone()));
            }
        }
        if let Some(g) = &rule.grade_at_most {
            let rank = rank_of(g);
            if capped.as_ref().is_none_or(|(r, _)| rank > *r) {
                capped = Some((rank, rule.id.clone()));
            }
        }
    }

    let rank = match (&forced, &not_rated) {
        (_, Some(_)) => policy.grades.len(),
        (Some((rank, _)), None) => *rank,
        (None, None) => {
            let mut chosen = policy.grades.len() - 1;
            for (i, g) in policy.grades.iter().enumerate() {
                let Some(w) = &g.when else { break };
                if holds(&format!("grade:{}", g.id), w)? {
                    chosen = i;
                    break;
                }
            }
            chosen
        }
    };
    // A cap lowers a better grade to it; a forced grade stands.
    let capped_by = match (&forced, capped) {
        (None, Some((cap, rule))) if cap > rank && cap < policy.grades.len() => Some((cap, rule)),
        _ => None,
    };
    let rank = capped_by.as_ref().map_or(rank, |(cap, _)| *cap);
    let (grade, label, outcomes) = match policy.grades.get(rank) {
        Some(g) => (g.id.clone(), g.label.clone(), g.outcomes.clone()),
        None => (
            NOT_RATED.to_string(),
            NOT_RATED_LABEL.to_string(),
            Vec::new(),
        ),
    };

    Ok(Rating {
        employee: employee.id.clone(),
        name: employee.name.clone(),
        department: employee.department.clone(),
        months: months.len(),
        average,
        min,
        max,
        failed_months,
        deducted,
        rewarded,
        computed_grade: grade.clone(),
        grade,
        label,
        rank,
        outcomes,
        review: "not_started".into(),
        flags,
        year_rules,
        forced_by: forced.map(|(_, r)| r),
        capped_by: capped_by.map(|(_, r)| r),
        not_rated,
        policy: PolicyRef::of(policy),
        monthly: months.iter().map(|m| m.result.clone()).collect(),
    })
}
