//! A policy's `[[test]]` cases: a made-up employee, a month or year of events, and the
//! expected result, each read and checked against the policy it tests.

use std::collections::BTreeMap;

use toml::Spanned;

use super::compile::Compiler;
use super::problem::SourceText;
use super::raw;
use super::{Case, CaseEvent, CasePeriod, Expect, Policy};
use crate::domain::event::EVENT_KEYS;
use crate::domain::event::{FieldValue, Fields};
use crate::domain::month::parse_date;
use crate::domain::points::Points;

impl Compiler {
    pub(super) fn case(
        &mut self,
        src: &SourceText,
        c: &Spanned<raw::Case>,
        policy: &Policy,
    ) -> Option<Case> {
        let span = c.span();
        let c = c.get_ref();
        let before = self.problems.len();
        let period = match (&c.month, &c.year) {
            (Some(m), None) => self.month(src, m).map(CasePeriod::Month),
            (None, Some(y)) if c.dept.is_some() => {
                Some(CasePeriod::Department(*y.get_ref() as i32))
            }
            (None, Some(y)) => Some(CasePeriod::Year(*y.get_ref() as i32)),
            _ => {
                self.problems.push(src.problem(
                    span.clone(),
                    format!("test `{}` needs exactly one of `month` or `year`", c.name),
                ));
                None
            }
        };
        let staff = c
            .staff
            .iter()
            .map(|(k, v)| (k.clone(), toml_text(v)))
            .collect();
        let mut events = Vec::new();
        for e in &c.events {
            match case_event(e.get_ref(), policy) {
                Ok(ev) => events.push(ev),
                Err(msgs) => {
                    for msg in msgs {
                        self.problems
                            .push(src.problem(e.span(), format!("test `{}`: {msg}", c.name)));
                    }
                }
            }
        }
        let expect = match expect(c.expect.get_ref(), policy) {
            Ok(x) => Some(x),
            Err(msgs) => {
                for msg in msgs {
                    self.problems
                        .push(src.problem(c.expect.span(), format!("test `{}`: {msg}", c.name)));
                }
                None
            }
        };
        let mut dept = BTreeMap::new();
        for (k, v) in c.dept.iter().flatten() {
            let known = ["targets_total", "targets_missed", "budget", "spent"];
            match (
                known.contains(&k.as_str()),
                v.as_float().or(v.as_integer().map(|i| i as f64)),
            ) {
                (true, Some(x)) => {
                    dept.insert(k.clone(), x);
                }
                _ => self.problems.push(src.problem(
                    span.clone(),
                    format!(
                        "test `{}`: `dept.{k}` must be a number among {}",
                        c.name,
                        known.join(", ")
                    ),
                )),
            }
        }
        if self.problems.len() > before {
            return None;
        }
        Some(Case {
            name: c.name.clone(),
            staff,
            dept,
            period: period?,
            events,
            expect: expect?,
            loc: Self::loc(src, span),
        })
    }
}

fn toml_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn toml_field(v: &toml::Value) -> Option<FieldValue> {
    Some(match v {
        toml::Value::String(s) => FieldValue::Text(s.clone()),
        toml::Value::Integer(i) => FieldValue::Int(*i),
        toml::Value::Float(x) => FieldValue::Float(*x),
        toml::Value::Boolean(b) => FieldValue::Bool(*b),
        toml::Value::Datetime(d) => FieldValue::Text(d.to_string()),
        _ => return None,
    })
}

fn case_event(t: &toml::Table, policy: &Policy) -> Result<CaseEvent, Vec<String>> {
    let mut problems = Vec::new();
    let text = |k: &str| t.get(k).map(toml_text);
    let date = match text("date") {
        Some(d) => parse_date(&d).or_else(|| {
            problems.push(format!("`{d}` is not a date; write YYYY-MM-DD"));
            None
        }),
        None => {
            problems.push("an event needs a `date`".into());
            None
        }
    };
    // A case names a kind as people write it (its id, an alias, its rule's name).
    let kind = text("kind").unwrap_or_default();
    let kind = policy
        .kind_named(&kind)
        .map_or(kind.clone(), str::to_string);
    let qty = match t.get("qty") {
        None => 1,
        Some(toml::Value::Integer(q)) if *q > 0 => *q,
        Some(other) => {
            problems.push(format!(
                "`qty` must be a positive whole number, not {other}"
            ));
            1
        }
    };
    let mut fields = Fields::new();
    for (k, v) in t.iter().filter(|(k, _)| !EVENT_KEYS.contains(&k.as_str())) {
        match toml_field(v) {
            Some(f) => {
                fields.insert(k.clone(), f);
            }
            None => problems.push(format!("field `{k}` must be a plain value")),
        }
    }
    if kind.is_empty() {
        problems.push("an event needs a `kind`".into());
    } else if let Err(p) = policy.check_fields(&kind, &fields) {
        problems.extend(p);
    }
    match date {
        Some(date) if problems.is_empty() => Ok(CaseEvent {
            date,
            kind,
            qty,
            note: text("note").unwrap_or_default(),
            fields,
        }),
        _ => Err(problems),
    }
}

fn expect(t: &toml::Table, policy: &Policy) -> Result<Expect, Vec<String>> {
    let mut x = Expect::default();
    let mut problems = Vec::new();
    let pts = |v: &toml::Value| match v {
        toml::Value::Integer(i) => Some(Points::whole(*i)),
        toml::Value::Float(f) => Points::from_f64(*f),
        _ => None,
    };
    for (k, v) in t {
        let ok = match k.as_str() {
            "score" => pts(v).map(|p| x.score = Some(p)).is_some(),
            "deducted" => pts(v).map(|p| x.deducted = Some(p)).is_some(),
            "rewarded" => pts(v).map(|p| x.rewarded = Some(p)).is_some(),
            "average" => pts(v).map(|p| x.average = Some(p)).is_some(),
            "head_bonus_cut" => pts(v).map(|p| x.head_bonus_cut = Some(p)).is_some(),
            "department_bonus" => pts(v).map(|p| x.department_bonus = Some(p)).is_some(),
            "passed" => v.as_bool().map(|b| x.passed = Some(b)).is_some(),
            "items" => v
                .as_integer()
                .map(|n| x.items = Some(n.max(0) as usize))
                .is_some(),
            "failed_months" => v.as_integer().map(|n| x.failed_months = Some(n)).is_some(),
            "grade" => match v.as_str() {
                Some(g) if policy.grades.iter().any(|x| x.id == g) => {
                    x.grade = Some(g.to_string());
                    true
                }
                Some(g) => {
                    problems.push(format!("expects grade `{g}`, which no `[[grade]]` defines"));
                    true
                }
                None => false,
            },
            "error" => v.as_str().map(|s| x.error = Some(s.to_string())).is_some(),
            "flags" => v
                .as_array()
                .and_then(|a| {
                    a.iter()
                        .map(|f| f.as_str().map(String::from))
                        .collect::<Option<Vec<_>>>()
                })
                .map(|mut f| {
                    f.sort();
                    x.flags = Some(f)
                })
                .is_some(),
            "points" => match v.as_table() {
                Some(tbl) => {
                    for (rule, p) in tbl {
                        let known = policy.rules.iter().any(|r| &r.id == rule)
                            || policy.monthly.iter().any(|r| &r.id == rule);
                        match pts(p) {
                            Some(p) if known => {
                                x.points.insert(rule.clone(), p);
                            }
                            Some(_) => problems
                                .push(format!("`expect.points` names unknown rule `{rule}`")),
                            None => {
                                problems.push(format!("`expect.points.{rule}` must be a number"))
                            }
                        }
                    }
                    true
                }
                None => false,
            },
            other => {
                problems.push(format!(
                    "unknown expectation `{other}`; use score, passed, deducted, rewarded, points, flags, items, grade, average, failed_months, head_bonus_cut, department_bonus or error"
                ));
                true
            }
        };
        if !ok {
            problems.push(format!(
                "`expect.{k}` has the wrong type ({})",
                v.type_str()
            ));
        }
    }
    if problems.is_empty() {
        Ok(x)
    } else {
        Err(problems)
    }
}
