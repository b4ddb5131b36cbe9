//! Runs a policy's `[[test]]` cases: made-up employees and events through the real engine,
//! compared with what the case expects.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use crate::domain::event::Event;
use crate::domain::month::{Month, parse_date};
use crate::domain::points::Points;
use crate::domain::staff::Employee;
use crate::engine::{self, DepartmentYear, EvalResult, MonthScore, rate_department};
use crate::policy::{Case, CasePeriod, Policy};

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseResult {
    pub policy: String,
    pub file: String,
    pub line: usize,
    pub name: String,
    pub passed: bool,
    /// One line per expectation that did not hold: `what: expected X, got Y`.
    pub failures: Vec<String>,
    /// The rules that scored (or failed) in this case, for coverage.
    pub fired: Vec<String>,
}

impl CaseResult {
    fn of(policy: &Policy, case: &Case, failures: Vec<String>, fired: Vec<String>) -> CaseResult {
        CaseResult {
            policy: policy.id.clone(),
            file: case.loc.file.to_string(),
            line: case.loc.line,
            name: case.name.clone(),
            passed: failures.is_empty(),
            failures,
            fired,
        }
    }
}

/// Runs every case of `policy`.
pub fn run_cases(policy: &Policy) -> Vec<CaseResult> {
    policy.tests.iter().map(|c| run_case(policy, c)).collect()
}

fn employee(policy: &Policy, case: &Case) -> Employee {
    let mut attrs = case.staff.clone();
    let mut take = |k: &str| attrs.remove(k);
    let department = take("department").unwrap_or_else(|| {
        policy
            .departments
            .iter()
            .find(|d| *d != "*")
            .cloned()
            .unwrap_or_else(|| "test".into())
    });
    Employee {
        id: take("id").unwrap_or_else(|| "T001".into()),
        name: take("name").unwrap_or_else(|| "测试员工".into()),
        department,
        role: take("role").unwrap_or_else(|| "staff".into()),
        joined: take("joined")
            .and_then(|d| parse_date(&d))
            .unwrap_or_else(|| {
                Month::new(2000, 1)
                    .map(Month::first_day)
                    .unwrap_or_default()
            }),
        left: take("left").and_then(|d| parse_date(&d)),
        supervisor: take("supervisor"),
        attrs,
    }
}

/// A department case: made-up targets and budget through the `[department]` script.
fn run_department_case(policy: &Policy, case: &Case, year: i32) -> CaseResult {
    let get = |k: &str| case.dept.get(k).copied();
    let total = get("targets_total").unwrap_or(0.0) as usize;
    let missed = get("targets_missed").unwrap_or(0.0) as usize;
    let input = DepartmentYear {
        id: "test".into(),
        name: "测试部门".into(),
        year,
        head: None,
        targets: (0..total)
            .map(|i| (format!("target {}", i + 1), i >= missed))
            .collect(),
        budget: get("budget").and_then(Points::from_f64),
        spent: get("spent").and_then(Points::from_f64),
    };
    let x = &case.expect;
    let mut failures = Vec::new();
    match (rate_department(policy, &input), &x.error) {
        (Ok(r), None) => {
            for (what, want, got) in [
                ("head_bonus_cut", x.head_bonus_cut, r.head_bonus_cut),
                ("department_bonus", x.department_bonus, r.department_bonus),
            ] {
                if let Some(want) = want
                    && want != got
                {
                    failures.push(format!("{what}: expected {want}, got {got}"));
                }
            }
        }
        (Err(e), Some(want)) if e.to_string().contains(want.as_str()) => {}
        (Err(e), _) => failures.push(format!("evaluation failed: {e}")),
        (Ok(_), Some(want)) => failures.push(format!(
            "error: expected a failure containing `{want}`, but the evaluation succeeded"
        )),
    }
    CaseResult::of(policy, case, failures, Vec::new())
}

fn run_case(policy: &Policy, case: &Case) -> CaseResult {
    let period = match case.period {
        CasePeriod::Department(year) => return run_department_case(policy, case, year),
        CasePeriod::Month(m) => Span::Month(m),
        CasePeriod::Year(y) => Span::Year(y),
    };
    let staff = employee(policy, case);
    let events: Vec<Event> = case
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| Event {
            id: i as i64 + 1,
            employee: staff.id.clone().into(),
            date: e.date,
            kind: e.kind.clone().into(),
            qty: e.qty,
            note: e.note.clone(),
            fields: Arc::new(e.fields.clone()),
            recorded_by: "test".into(),
            voided: false,
            excused: false,
            excuse: None,
        })
        .collect();
    let x = &case.expect;
    let mut failures = Vec::new();
    let mut check = |what: &str, expected: String, actual: String| {
        if expected != actual {
            failures.push(format!("{what}: expected {expected}, got {actual}"));
        }
    };
    let outcome = evaluate(policy, &staff, period, &events);
    let fired: BTreeSet<String> = match &outcome {
        Ok((months, rating)) => months
            .iter()
            .flat_map(|m| m.items.iter().map(|i| i.rule().to_string()))
            .chain(rating.iter().flat_map(|r| r.year_rules.iter().cloned()))
            .collect(),
        Err(e) => BTreeSet::from([e.rule.clone()]),
    };
    match (outcome, &x.error) {
        (Err(e), Some(want)) => check(
            "error",
            format!("a message containing `{want}`"),
            if e.to_string().contains(want.as_str()) {
                format!("a message containing `{want}`")
            } else {
                format!("`{e}`")
            },
        ),
        (Err(e), None) => failures.push(format!("evaluation failed: {e}")),
        (Ok(_), Some(want)) => failures.push(format!(
            "error: expected a failure containing `{want}`, but the evaluation succeeded"
        )),
        (Ok((months, rating)), None) => {
            let total = |f: fn(&MonthScore) -> Points| months.iter().map(f).sum::<Points>();
            let opt = |p: Option<Points>| p.map_or("none".into(), |p| p.to_string());
            let only_month = months
                .first()
                .filter(|_| months.len() == 1 && matches!(period, Span::Month(_)));
            if let Some(want) = x.score {
                check("score", want.to_string(), opt(only_month.map(|m| m.score)));
            }
            if let Some(want) = x.passed {
                check(
                    "passed",
                    want.to_string(),
                    only_month.map_or("none".into(), |m| m.passed.to_string()),
                );
            }
            if let Some(want) = x.deducted {
                check(
                    "deducted",
                    want.to_string(),
                    total(|m| m.deducted).to_string(),
                );
            }
            if let Some(want) = x.rewarded {
                check(
                    "rewarded",
                    want.to_string(),
                    total(|m| m.rewarded).to_string(),
                );
            }
            let items: Vec<_> = months.iter().flat_map(|m| &m.items).collect();
            if let Some(want) = x.items {
                check("items", want.to_string(), items.len().to_string());
            }
            for (rule, want) in &x.points {
                let got: Points = items
                    .iter()
                    .filter(|i| *i.rule() == **rule)
                    .map(|i| i.points)
                    .sum();
                check(
                    &format!("points of `{rule}`"),
                    want.to_string(),
                    got.to_string(),
                );
            }
            let mut flags: BTreeMap<String, i64> = BTreeMap::new();
            for f in items.iter().flat_map(|i| i.flags()) {
                *flags.entry(f.to_string()).or_default() += 1;
            }
            if let Some(r) = &rating {
                flags = r.flags.clone();
            }
            if let Some(want) = &x.flags {
                check(
                    "flags",
                    format!("{want:?}"),
                    format!("{:?}", flags.keys().collect::<Vec<_>>()),
                );
            }
            if let Some(want) = &x.grade {
                check(
                    "grade",
                    want.clone(),
                    rating
                        .as_ref()
                        .map_or("none (a month test)".into(), |r| r.grade.clone()),
                );
            }
            if let Some(want) = x.average {
                check(
                    "average",
                    want.to_string(),
                    opt(rating.as_ref().map(|r| r.average)),
                );
            }
            if let Some(want) = x.failed_months {
                check(
                    "failed_months",
                    want.to_string(),
                    months.iter().filter(|m| !m.passed).count().to_string(),
                );
            }
        }
    }
    CaseResult::of(policy, case, failures, fired.into_iter().collect())
}

/// Rules (event, month and year) that no case makes fire, as `file:line rule`, given each
/// policy with its case results. Each rule is judged where it is written, so an inherited
/// rule is covered by the tests of the policy that defines it.
pub fn untested(runs: &[(&Policy, &[CaseResult])]) -> Vec<String> {
    let mut covered: BTreeSet<(String, String)> = BTreeSet::new();
    for (policy, results) in runs {
        let locs = rule_locs(policy);
        for id in results.iter().flat_map(|r| &r.fired) {
            if let Some((_, loc)) = locs.iter().find(|(rid, _)| rid == id) {
                covered.insert((loc.file.to_string(), id.clone()));
            }
        }
    }
    let mut out = BTreeSet::new();
    for (policy, _) in runs {
        for (id, loc) in rule_locs(policy) {
            if !covered.contains(&(loc.file.to_string(), id.clone())) {
                out.insert(format!("{}:{} {id}", loc.file, loc.line));
            }
        }
    }
    out.into_iter().collect()
}

fn rule_locs(p: &Policy) -> Vec<(String, crate::policy::Loc)> {
    p.rules
        .iter()
        .map(|r| (r.id.clone(), r.loc.clone()))
        .chain(p.monthly.iter().map(|r| (r.id.clone(), r.loc.clone())))
        .chain(p.annual.iter().map(|r| (r.id.clone(), r.loc.clone())))
        .collect()
}

type Evaluated = (Vec<MonthScore>, Option<engine::Rating>);

/// What an employee case evaluates (department cases take another path).
#[derive(Clone, Copy)]
enum Span {
    Month(Month),
    Year(i32),
}

/// Evaluates a month or a year of the made-up employee.
fn evaluate(
    policy: &Policy,
    staff: &Employee,
    span: Span,
    events: &[Event],
) -> EvalResult<Evaluated> {
    match span {
        Span::Month(m) => Ok((vec![engine::score_month(policy, staff, m, events)?], None)),
        Span::Year(y) => {
            let months = Month::of_year(y)
                .filter(|m| staff.employed_in(*m))
                .map(|m| engine::score_month(policy, staff, m, events))
                .collect::<Result<Vec<_>, _>>()?;
            let rating = if months.is_empty() {
                None
            } else {
                let figures: Vec<_> = months.iter().map(engine::MonthFigures::of).collect();
                Some(engine::rate_year(policy, staff, y, &figures)?)
            };
            Ok((months, rating))
        }
    }
}
