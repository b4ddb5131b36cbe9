//! One employee-month: every event through the event rules, then the month rules.

use std::cell::OnceCell;
use std::collections::BTreeMap;

use rhai::Dynamic;

use super::values::{self, EventValues, Outcome};
use super::{EvalError, EvalResult, Excused, Item, MonthScore};
use crate::event::Event;
use crate::month::Month;
use crate::points::Points;
use crate::policy::PolicyRef;
use crate::policy::{Action, EventRule, Policy, Script, Stage};
use crate::staff::Employee;
use crate::text::Text;

/// Scores `employee`'s `month` under `policy`. `events` are the employee's; they may come
/// in any order and may hold voided events or events of other months: only the month's
/// live events count, taken in (date, id) order.
pub fn score_month(
    policy: &Policy,
    employee: &Employee,
    month: Month,
    events: &[Event],
) -> EvalResult<MonthScore> {
    // Checked in debug builds only: reading every event's employee text is a cache miss
    // per event at company scale, and every caller passes one employee's events.
    debug_assert!(events.iter().all(|e| e.employee == employee.id));
    let mut live: Vec<&Event> = Vec::with_capacity(events.len());
    live.extend(
        events
            .iter()
            .filter(|e| !e.voided && Month::of(e.date) == month),
    );
    // The store hands them over in order already: checked, not sorted again.
    if !live.is_sorted_by_key(|e| (e.date, e.id)) {
        live.sort_by_key(|e| (e.date, e.id));
    }

    // Built at first use: a month of fixed-points rules never touches rhai.
    let staff = OnceCell::new();
    let staff = || staff.get_or_init(|| values::staff(employee)).clone();
    let month_text = OnceCell::new();
    let month_text = || {
        month_text
            .get_or_init(|| values::text(&month.to_string()))
            .clone()
    };
    let fail = |rule: &str, event: Option<i64>, script: &Script, failure| {
        Box::new(EvalError {
            rule: rule.to_string(),
            employee: employee.id.clone(),
            month: Some(month),
            event,
            file: script.origin.file.to_string(),
            failure,
        })
    };

    let mut scope = EventScope {
        rhai: None,
        loaded: None,
    };
    let mut ledger = Ledger {
        items: Vec::with_capacity(live.len()),
    };
    let mut tally = vec![0i64; policy.by_kind.len()];
    let mut unknown: BTreeMap<Text, i64> = BTreeMap::new();
    let mut excused = Vec::new();
    for (n, event) in live.into_iter().enumerate() {
        if event.excused {
            excused.push(Excused {
                event: event.id,
                date: event.date,
                kind: event.kind.clone(),
                reason: event.excuse.clone().unwrap_or_default(),
            });
            continue;
        }
        // Kinds the policy knows are counted by index, others by name (the policy's kinds
        // are the many; this loop runs per event).
        let Some((known, rules)) = policy.rules_for(&event.kind) else {
            match unknown.get_mut(event.kind.as_str()) {
                Some(n) => *n += 1,
                None => {
                    unknown.insert(Text::Owned(event.kind.clone()), 1);
                }
            }
            continue;
        };
        tally[known.index] += 1;
        let (nth, kind) = (tally[known.index], known.name);
        for rule in rules {
            if let Some(when) = &rule.when {
                let scope = scope.with((n, event, kind, nth), || (staff(), month_text()));
                let holds = when
                    .holds(scope)
                    .map_err(|f| fail(&rule.id, Some(event.id), when, f))?;
                if !holds {
                    continue;
                }
            }
            let (outcome, reason) = match &rule.action {
                Action::Fixed(p) => (
                    Outcome {
                        points: *p * event.qty,
                        ..Outcome::default()
                    },
                    if event.qty == 1 {
                        Text::Borrowed(rule.labels.reason)
                    } else {
                        Text::Owned(format!("{p} points × qty {}", event.qty))
                    },
                ),
                Action::Script(s) => {
                    let scope = scope.with((n, event, kind, nth), || (staff(), month_text()));
                    let v = s
                        .run(scope)
                        .map_err(|f| fail(&rule.id, Some(event.id), s, f))?;
                    let o = values::outcome(v).map_err(|message| {
                        fail(&rule.id, Some(event.id), s, s.failure_at_start(message))
                    })?;
                    (o, Text::Borrowed(rule.labels.reason))
                }
            };
            ledger.add_event_item(rule, event, kind, outcome, reason);
        }
    }

    let mut counts = unknown;
    for k in policy.by_kind.values() {
        if tally[k.index] > 0 {
            counts.insert(Text::Borrowed(k.name), tally[k.index]);
        }
    }

    for rule in &policy.monthly {
        // Built per month rule: each sees the points of the rules before it.
        let mut scope = Stage::scope(vec![
            ("staff", staff()),
            ("month", month_text()),
            ("counts", values::counts(&counts)),
            ("by_rule", values::points_map(&ledger.by_rule())),
            ("deducted", values::points(ledger.deducted())),
            ("rewarded", values::points(ledger.rewarded())),
            (
                "score",
                values::points(policy.scoring.base + ledger.total()),
            ),
        ]);
        if let Some(when) = &rule.when
            && !when
                .holds(&mut scope)
                .map_err(|f| fail(&rule.id, None, when, f))?
        {
            continue;
        }
        let (outcome, reason) = match &rule.action {
            Action::Fixed(p) => (
                Outcome {
                    points: *p,
                    ..Outcome::default()
                },
                Text::Borrowed(rule.labels.reason),
            ),
            Action::Script(s) => {
                let v = s.run(&mut scope).map_err(|f| fail(&rule.id, None, s, f))?;
                let o = values::outcome(v)
                    .map_err(|message| fail(&rule.id, None, s, s.failure_at_start(message)))?;
                (o, Text::Borrowed(rule.labels.reason))
            }
        };
        if outcome.points.is_zero() && outcome.flags.is_empty() {
            continue;
        }
        let mut flags = if outcome.points.is_zero() {
            Vec::new()
        } else {
            rule.flags.clone()
        };
        flags.extend(outcome.flags);
        ledger.items.push(Item {
            rule: Text::Borrowed(rule.labels.id),
            event: None,
            date: None,
            points: outcome.points,
            note: outcome.note,
            flags,
            name: Text::Borrowed(rule.labels.name),
            category: Text::Borrowed(rule.labels.category),
            kind: Text::Borrowed(""),
            reason,
        });
    }

    let s = &policy.scoring;
    let score = (s.base + ledger.total()).clamp_opt(s.floor, s.ceiling);
    Ok(MonthScore {
        employee: employee.id.clone(),
        name: employee.name.clone(),
        department: employee.department.clone(),
        month,
        policy: PolicyRef::of(policy),
        base: s.base,
        deducted: ledger.deducted(),
        rewarded: ledger.rewarded(),
        score,
        passed: score >= s.pass_mark,
        items: ledger.items,
        excused,
        counts,
    })
}

/// The rhai scope of the month's event rules, built at the first event a `when` or script
/// sees; the event and its `nth` are replaced per event, the rest stays.
struct EventScope {
    rhai: Option<(rhai::Scope<'static>, EventValues)>,
    /// The position in the month of the event in the scope.
    loaded: Option<usize>,
}

impl EventScope {
    /// The scope with the `n`th event of the month in it; `fixed` gives the staff and month
    /// values the first time.
    fn with(
        &mut self,
        (n, event, kind, nth): (usize, &Event, &'static str, i64),
        fixed: impl FnOnce() -> (Dynamic, Dynamic),
    ) -> &mut rhai::Scope<'static> {
        let (scope, values) = self.rhai.get_or_insert_with(|| {
            let (staff, month) = fixed();
            let scope = Stage::scope(vec![
                ("event", Dynamic::UNIT),
                ("staff", staff),
                ("month", month),
                ("nth", Dynamic::from_int(0)),
            ]);
            (scope, EventValues::new(&event.employee))
        });
        if self.loaded != Some(n) {
            let slot = scope
                .get_mut("event")
                .expect("the month's scope has `event`");
            values.load(slot, event, kind);
            scope.set_value("nth", Dynamic::from_int(nth));
            self.loaded = Some(n);
        }
        scope
    }
}

/// The month's items.
struct Ledger {
    items: Vec<Item>,
}

impl Ledger {
    fn add_event_item(
        &mut self,
        rule: &EventRule,
        event: &Event,
        kind: &'static str,
        o: Outcome,
        mut reason: Text,
    ) {
        if o.points.is_zero() && o.flags.is_empty() {
            return;
        }
        let (points, capped) = match rule.cap {
            Some(cap) => apply_cap(self.so_far(&rule.id), o.points, cap),
            None => (o.points, false),
        };
        let mut note = o.note;
        if capped {
            reason = Text::Owned(format!(
                "{reason}, capped at {cap} a month",
                cap = rule.cap.unwrap_or_default()
            ));
            note = if note.is_empty() {
                "capped".into()
            } else {
                format!("{note} (capped)")
            };
        }
        // The rule scored (even if a cap cut its points): its flags go with it.
        let mut flags = if o.points.is_zero() {
            Vec::new()
        } else {
            rule.flags.clone()
        };
        flags.extend(o.flags);
        self.items.push(Item {
            rule: Text::Borrowed(rule.labels.id),
            event: Some(event.id),
            date: Some(event.date),
            points,
            note,
            flags,
            name: Text::Borrowed(rule.labels.name),
            category: Text::Borrowed(rule.labels.category),
            kind: Text::Borrowed(kind),
            reason,
        });
    }

    /// What `rule` has booked so far this month: summed when a cap asks (few rules have
    /// caps), not kept per item.
    fn so_far(&self, rule: &str) -> Points {
        self.items
            .iter()
            .filter(|i| &*i.rule == rule)
            .map(|i| i.points)
            .sum()
    }

    /// The points of each rule so far, as month rules see them (`by_rule`).
    fn by_rule(&self) -> BTreeMap<&str, Points> {
        let mut out = BTreeMap::new();
        for i in &self.items {
            *out.entry(&*i.rule).or_insert(Points::ZERO) += i.points;
        }
        out
    }

    fn total(&self) -> Points {
        self.items.iter().map(|i| i.points).sum()
    }

    fn deducted(&self) -> Points {
        self.items
            .iter()
            .map(|i| i.points)
            .filter(|p| p.is_negative())
            .sum()
    }

    fn rewarded(&self) -> Points {
        self.items
            .iter()
            .map(|i| i.points)
            .filter(|p| *p > Points::ZERO)
            .sum()
    }
}

/// Cuts `points` so that the rule's month total never goes beyond `cap` (same sign).
/// Returns the points to book and whether the cap cut them.
fn apply_cap(so_far: Points, points: Points, cap: Points) -> (Points, bool) {
    let after = so_far + points;
    let beyond = if cap.is_negative() {
        after < cap
    } else {
        after > cap
    };
    if !beyond {
        return (points, false);
    }
    let room = cap - so_far;
    // Room is zero once the cap is reached; never book points past it in either direction.
    let allowed = if cap.is_negative() {
        room.min(Points::ZERO)
    } else {
        room.max(Points::ZERO)
    };
    (allowed, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_cuts_the_crossing_item_and_zeroes_later_ones() {
        let cap = Points::whole(-5);
        assert_eq!(
            apply_cap(Points::whole(-3), Points::whole(-1), cap),
            (Points::whole(-1), false)
        );
        assert_eq!(
            apply_cap(Points::whole(-4), Points::whole(-3), cap),
            (Points::whole(-1), true)
        );
        assert_eq!(
            apply_cap(Points::whole(-5), Points::whole(-3), cap),
            (Points::ZERO, true)
        );
        assert_eq!(
            apply_cap(Points::whole(4), Points::whole(3), Points::whole(5)),
            (Points::whole(1), true)
        );
    }
}
