//! Coverage: which rules fire on real data, which never do, which logged kinds score nothing,
//! and which events more than one rule scores.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::evaluate::YearResult;
use crate::points::Points;
use crate::policy::Policy;

/// One rule's activity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleUse {
    pub policy: String,
    pub rule: String,
    pub name: String,
    /// `event`, `month` or `year`.
    pub stage: &'static str,
    pub fired: usize,
    pub points: Points,
}

/// A logged kind that no item came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnscoredKind {
    pub kind: String,
    pub events: i64,
}

/// An event more than one rule scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MultiScored {
    pub event: i64,
    pub employee: String,
    pub rules: Vec<String>,
}

/// Coverage of a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    pub rules: Vec<RuleUse>,
    pub never_fired: Vec<String>,
    pub unscored_kinds: Vec<UnscoredKind>,
    pub multi_scored: Vec<MultiScored>,
}

/// Coverage of `results`, against the rules of every policy version they were scored by
/// (`policies`, keyed by version hash).
pub fn coverage(results: &[YearResult], policies: &BTreeMap<String, &Policy>) -> Coverage {
    let used: BTreeSet<&str> = results
        .iter()
        .flat_map(|r| r.months.iter().map(|m| &*m.policy.hash))
        .chain(results.iter().map(|r| &*r.rating.policy.hash))
        .collect();
    // In policy order (by id), then rule order; a rule kept by several versions counts once.
    let mut rules: Vec<RuleUse> = Vec::new();
    let mut index: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut versions: Vec<&Policy> = used
        .iter()
        .filter_map(|h| policies.get(*h).copied())
        .collect();
    versions.sort_by(|a, b| a.id.cmp(&b.id));
    for p in versions {
        let stages = p
            .rules
            .iter()
            .map(|r| (r.id.as_str(), r.name.as_str(), "event"))
            .chain(
                p.monthly
                    .iter()
                    .map(|r| (r.id.as_str(), r.name.as_str(), "month")),
            )
            .chain(
                p.annual
                    .iter()
                    .map(|r| (r.id.as_str(), r.name.as_str(), "year")),
            );
        for (id, name, stage) in stages {
            index
                .entry((p.id.clone(), id.to_string()))
                .or_insert_with(|| {
                    rules.push(RuleUse {
                        policy: p.id.clone(),
                        rule: id.to_string(),
                        name: name.to_string(),
                        stage,
                        fired: 0,
                        points: Points::ZERO,
                    });
                    rules.len() - 1
                });
        }
    }
    let mut kinds_logged: BTreeMap<String, i64> = BTreeMap::new();
    let mut kinds_scored: BTreeSet<String> = BTreeSet::new();
    let mut per_event: BTreeMap<i64, (String, Vec<String>)> = BTreeMap::new();
    for r in results {
        for m in &r.months {
            for (k, n) in &m.counts {
                *kinds_logged.entry(k.to_string()).or_default() += n;
            }
            for item in &m.items {
                if let Some(i) = index.get(&(m.policy.id.to_string(), item.rule.to_string())) {
                    rules[*i].fired += 1;
                    rules[*i].points += item.points;
                }
                if let Some(e) = item.event {
                    kinds_scored.insert(item.kind.to_string());
                    per_event
                        .entry(e)
                        .or_insert_with(|| (m.employee.clone(), Vec::new()))
                        .1
                        .push(item.rule.to_string());
                }
            }
        }
        for rule in &r.rating.year_rules {
            if let Some(i) = index.get(&(r.rating.policy.id.to_string(), rule.clone())) {
                rules[*i].fired += 1;
            }
        }
    }
    Coverage {
        never_fired: rules
            .iter()
            .filter(|u| u.fired == 0)
            .map(|u| format!("{}:{}", u.policy, u.rule))
            .collect(),
        rules,
        unscored_kinds: kinds_logged
            .into_iter()
            .filter(|(k, _)| !kinds_scored.contains(k))
            .map(|(kind, events)| UnscoredKind { kind, events })
            .collect(),
        multi_scored: per_event
            .into_iter()
            .filter(|(_, (_, rules))| rules.len() > 1)
            .map(|(event, (employee, rules))| MultiScored {
                event,
                employee,
                rules,
            })
            .collect(),
    }
}
