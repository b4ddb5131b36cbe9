//! Coverage: which rules fire on real data, which never do, which logged kinds score nothing,
//! and which events more than one rule scores.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::domain::points::Points;
use crate::evaluation::evaluate::YearResult;
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

/// Coverage of a year, tallied one employee at a time: a company's year is never held in
/// memory, only the counts and the events more than one rule scored.
pub struct Tally<'p> {
    /// Every policy version the results may name, by hash.
    policies: &'p BTreeMap<String, &'p Policy>,
    /// The versions the results were scored by.
    used: BTreeSet<&'p str>,
    /// Per version hash: each rule id and the policy that defines it (an inherited rule
    /// belongs to its parent, whichever child scored it).
    origins: HashMap<&'p str, HashMap<&'p str, &'p str>>,
    /// Per (defining policy, rule id): how often it fired and its points.
    fired: HashMap<(&'p str, &'p str), (usize, Points)>,
    kinds_logged: BTreeMap<String, i64>,
    kinds_scored: BTreeSet<String>,
    multi_scored: Vec<MultiScored>,
}

impl<'p> Tally<'p> {
    /// A tally against the rules of every policy version the results may have been scored
    /// by (`policies`, keyed by version hash).
    pub fn new(policies: &'p BTreeMap<String, &'p Policy>) -> Tally<'p> {
        Tally {
            policies,
            used: BTreeSet::new(),
            origins: HashMap::new(),
            fired: HashMap::new(),
            kinds_logged: BTreeMap::new(),
            kinds_scored: BTreeSet::new(),
            multi_scored: Vec::new(),
        }
    }

    /// Where the rules of the version `hash` names are defined, entered at first sight.
    fn version(&mut self, hash: &str) -> Option<&HashMap<&'p str, &'p str>> {
        let policies: &'p BTreeMap<String, &'p Policy> = self.policies;
        let (hash, policy) = policies.get_key_value(hash)?;
        if self.used.insert(hash.as_str()) {
            let mut origins = HashMap::new();
            for (rule, _, _, origin) in stages(policy) {
                origins.insert(rule, origin);
                self.fired.entry((origin, rule)).or_default();
            }
            self.origins.insert(hash.as_str(), origins);
        }
        self.origins.get(hash.as_str())
    }

    /// Counts `times` firings of `rule` (with its points) under the version `hash`.
    fn fire(&mut self, hash: &str, rule: &str, times: usize, points: Points) {
        let Some(origin) = self.version(hash).and_then(|o| o.get_key_value(rule)) else {
            return;
        };
        let key = (*origin.1, *origin.0);
        if let Some((fired, total)) = self.fired.get_mut(&key) {
            *fired += times;
            *total += points;
        }
    }

    pub fn add(&mut self, r: &YearResult) {
        for m in &r.months {
            for (k, n) in &m.counts {
                match self.kinds_logged.get_mut(&**k) {
                    Some(total) => *total += n,
                    None => {
                        self.kinds_logged.insert(k.to_string(), *n);
                    }
                }
            }
            let mut per_event: BTreeMap<i64, Vec<String>> = BTreeMap::new();
            for item in &m.items {
                self.fire(&m.policy.hash, item.rule(), item.qty as usize, item.points);
                if let Some(e) = item.event {
                    per_event
                        .entry(e)
                        .or_default()
                        .push(item.rule().to_string());
                }
            }
            for item in m.items.iter().filter(|i| i.event.is_some()) {
                if !self.kinds_scored.contains(item.kind()) {
                    self.kinds_scored.insert(item.kind().to_string());
                }
            }
            // An event belongs to one employee-month: its items are all in this ledger.
            self.multi_scored.extend(
                per_event
                    .into_iter()
                    .filter(|(_, rules)| rules.len() > 1)
                    .map(|(event, rules)| MultiScored {
                        event,
                        employee: m.employee.clone(),
                        rules,
                    }),
            );
        }
        for rule in &r.rating.year_rules {
            self.fire(&r.rating.policy.hash, rule, 1, Points::ZERO);
        }
    }

    pub fn finish(mut self) -> Coverage {
        // Each rule once, under the policy that defines it: in policy order (by id), then
        // in the order of the first version that has it.
        let mut versions: Vec<(&str, &Policy)> =
            self.used.iter().map(|h| (*h, self.policies[*h])).collect();
        versions.sort_by(|a, b| (&a.1.id, a.0).cmp(&(&b.1.id, b.0)));
        let mut rules = Vec::new();
        for (_, p) in versions {
            for (rule, name, stage, origin) in stages(p) {
                if let Some((fired, points)) = self.fired.remove(&(origin, rule)) {
                    rules.push(RuleUse {
                        policy: origin.to_string(),
                        rule: rule.to_string(),
                        name: name.to_string(),
                        stage,
                        fired,
                        points,
                    });
                }
            }
        }
        rules.sort_by(|a, b| a.policy.cmp(&b.policy));
        self.multi_scored.sort_by_key(|m| m.event);
        let kinds_scored = self.kinds_scored;
        Coverage {
            never_fired: rules
                .iter()
                .filter(|u| u.fired == 0)
                .map(|u| format!("{}:{}", u.policy, u.rule))
                .collect(),
            rules,
            unscored_kinds: self
                .kinds_logged
                .into_iter()
                .filter(|(k, _)| !kinds_scored.contains(k))
                .map(|(kind, events)| UnscoredKind { kind, events })
                .collect(),
            multi_scored: self.multi_scored,
        }
    }
}

/// A policy's rules of every stage, in file order: (id, name, stage, the policy that
/// defines it).
fn stages(p: &Policy) -> impl Iterator<Item = (&str, &str, &'static str, &str)> {
    let event = p.rules.iter().map(|r| (&r.id, &r.name, "event", &r.loc));
    let month = p.monthly.iter().map(|r| (&r.id, &r.name, "month", &r.loc));
    let year = p.annual.iter().map(|r| (&r.id, &r.name, "year", &r.loc));
    event
        .chain(month)
        .chain(year)
        .map(|(id, name, stage, loc)| (id.as_str(), name.as_str(), stage, p.defined_by(loc)))
}
