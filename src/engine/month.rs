//! One employee-month: every event through the event rules, then the month rules.

use std::cell::OnceCell;
use std::collections::BTreeMap;

use rhai::Dynamic;

use super::memo::{self, Found, Kept};
use super::values::{self, EventValues, Outcome};
use super::{EvalError, EvalResult, Excused, Item, MonthScore};
use crate::domain::event::Event;
use crate::domain::month::Month;
use crate::domain::points::Points;
use crate::domain::staff::Employee;
use crate::domain::text::Text;
use crate::policy::PolicyRef;
use crate::policy::native::{Answer, Condition};
use crate::policy::script;
use crate::policy::{
    Action, Counting, EventRule, Failure, Labels, MonthRule, Policy, Script, Stage,
};

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
    script::start_evaluation();
    // The rating hands over the month's events in (date, id) order: taken as they come,
    // checked, not copied and sorted again. Voided events are skipped as they come.
    let in_month = |e: &&Event| Month::of(e.date) == month;
    let handed = events.is_sorted_by_key(|e| (e.date, e.id))
        && events.first().is_none_or(|e| in_month(&e))
        && events.last().is_none_or(|e| in_month(&e));
    let mut sorted: Vec<&Event> = Vec::new();
    if !handed {
        sorted.extend(events.iter().filter(in_month));
        sorted.sort_by_key(|e| (e.date, e.id));
    }
    let taken = if handed { events.len() } else { 0 };
    // Items are kept with the month's score: sized by its events, not all those given.
    let capacity = taken + sorted.len();
    let live = (events.iter().take(taken))
        .chain(sorted)
        .filter(|e| !e.voided);

    let fixed = Fixed {
        employee,
        month,
        staff: OnceCell::new(),
        month_text: OnceCell::new(),
    };

    let mut scope = EventScope {
        rhai: None,
        loaded: None,
        stale: false,
    };
    let mut ledger = Ledger {
        items: Vec::with_capacity(capacity),
    };
    // Per kind, on the stack for a policy of up to 64 kinds (a month is scored some
    // hundred thousand times in a company's year).
    let kinds = policy.scored_kinds.len();
    let (mut stack, mut heap) = ([0i64; 64], Vec::new());
    let tally: &mut [i64] = if kinds <= stack.len() {
        &mut stack[..kinds]
    } else {
        heap.resize(kinds, 0);
        &mut heap
    };
    let mut unknown: BTreeMap<Text, i64> = BTreeMap::new();
    let mut excused = Vec::new();
    for (n, event) in live.enumerate() {
        if event.excused {
            excused.push(Excused {
                event: event.id,
                date: event.date,
                kind: event.kind.to_string(),
                reason: event.excuse.clone().unwrap_or_default(),
            });
            continue;
        }
        // Kinds the policy knows are counted by index, others by name (the policy's kinds
        // are the many; this loop runs per event).
        let Some((known, rules)) = policy.rules_for(&event.kind) else {
            match unknown.get_mut(&*event.kind) {
                Some(n) => *n += 1,
                None => {
                    unknown.insert(event.kind.clone(), 1);
                }
            }
            continue;
        };
        // An event of qty n is n occurrences: `nth` and `counts` count each.
        let before = tally[known.index];
        tally[known.index] += event.qty;
        let kind = known.name;
        for r in rules {
            let rule = ScoredRule::of_event(r);
            // Fixed points that always hold: booked without a scope or a script.
            if let (None, Action::Fixed(points)) = (&r.when, &r.action) {
                let outcome = Outcome::of_points(*points);
                ledger.book(rule, Some((event, kind)), outcome, event.qty);
                continue;
            }
            let blame = || Blame::of(rule, employee, month, Some(event.id));
            let units = match r.counting {
                Counting::Itself => 1,
                Counting::Times => event.qty,
                Counting::EachUnit => {
                    // Units that score alike one after another are booked as one item.
                    let mut run: Option<(Outcome, i64)> = None;
                    for unit in 1..=event.qty {
                        let mut at = EventAt {
                            scope: &mut scope,
                            at: (n, event, kind, before + unit),
                            fixed: &fixed,
                        };
                        let scored = score_rule(rule, &mut at, blame())?;
                        match (&mut run, scored) {
                            (Some((held, times)), Some(next)) if *held == next => *times += 1,
                            (_, next) => {
                                if let Some((held, times)) = run.take() {
                                    ledger.book(rule, Some((event, kind)), held, times);
                                }
                                run = next.map(|s| (s, 1));
                            }
                        }
                    }
                    if let Some((held, times)) = run {
                        ledger.book(rule, Some((event, kind)), held, times);
                    }
                    continue;
                }
            };
            let mut at = EventAt {
                scope: &mut scope,
                at: (n, event, kind, before + 1),
                fixed: &fixed,
            };
            if let Some(scored) = score_rule(rule, &mut at, blame())? {
                ledger.book(rule, Some((event, kind)), scored, units);
            }
        }
    }

    // The known kinds come in the order of their names: a map built from them in one go
    // (the unknown, rare, are inserted into it).
    let known = policy.scored_kinds.iter().filter(|k| tally[k.index] > 0);
    let mut counts: BTreeMap<Text, i64> = known
        .map(|k| (Text::Borrowed(k.name), tally[k.index]))
        .collect();
    counts.extend(unknown);

    for rule in policy.monthly.iter().map(ScoredRule::of_month) {
        // Built per month rule: each sees the points of the rules before it.
        let mut scope = Stage::scope(vec![
            ("staff", fixed.staff().clone()),
            ("month", fixed.month().clone()),
            ("counts", values::counts(&counts)),
            ("by_rule", values::points_map(&ledger.by_rule())),
            ("deducted", values::points(ledger.deducted())),
            ("rewarded", values::points(ledger.rewarded())),
            (
                "score",
                values::points(policy.scoring.base + ledger.total()),
            ),
        ]);
        if let Some(scored) = score_rule(rule, &mut scope, Blame::of(rule, employee, month, None))?
        {
            ledger.book(rule, None, scored, 1);
        }
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

/// What every event rule of the month sees the same: built at first use, so that a month
/// of fixed-points rules never touches rhai.
struct Fixed<'a> {
    employee: &'a Employee,
    month: Month,
    staff: OnceCell<Dynamic>,
    month_text: OnceCell<Dynamic>,
}

impl Fixed<'_> {
    fn staff(&self) -> &Dynamic {
        self.staff.get_or_init(|| values::staff(self.employee))
    }

    fn month(&self) -> &Dynamic {
        self.month_text
            .get_or_init(|| values::text(&self.month.to_string()))
    }
}

/// The rhai scope of the month's event rules, built at the first event a `when` or script
/// sees; the event and its `nth` are replaced per event, the rest stays.
struct EventScope {
    rhai: Option<(rhai::Scope<'static>, EventValues)>,
    /// The position in the month of the event in the scope, and its `nth`.
    loaded: Option<(usize, i64)>,
    /// A script that may have changed `event`, `staff`, `month` or `nth` ran: the next rule
    /// gets them back as stored, whatever the last one did.
    stale: bool,
}

impl EventScope {
    /// The scope with the `n`th event of the month in it.
    fn with(
        &mut self,
        (n, event, kind, nth): (usize, &Event, &'static str, i64),
        fixed: &Fixed,
    ) -> &mut rhai::Scope<'static> {
        if self.stale
            && let Some((scope, values)) = &mut self.rhai
        {
            scope.set_value("staff", fixed.staff().clone());
            scope.set_value("month", fixed.month().clone());
            values.forget();
            self.loaded = None;
            self.stale = false;
        }
        let (scope, values) = self.rhai.get_or_insert_with(|| {
            let scope = Stage::scope(vec![
                ("event", Dynamic::UNIT),
                ("staff", fixed.staff().clone()),
                ("month", fixed.month().clone()),
                ("nth", Dynamic::from_int(0)),
            ]);
            (scope, EventValues::new(&event.employee))
        });
        match self.loaded {
            Some(at) if at == (n, nth) => {}
            // Another unit of the same event's quantity.
            Some((at, _)) if at == n => {
                scope.set_value("nth", Dynamic::from_int(nth));
                self.loaded = Some((n, nth));
            }
            _ => {
                let slot = scope
                    .get_mut("event")
                    .expect("the month's scope has `event`");
                values.load(slot, event, kind);
                scope.set_value("nth", Dynamic::from_int(nth));
                self.loaded = Some((n, nth));
            }
        }
        scope
    }
}

/// Where a rule's `when` and script run: the scope is built only when one asks for it, so
/// a month of fixed-points rules never touches rhai.
trait ScopeSource {
    fn scope(&mut self) -> &mut rhai::Scope<'static>;

    /// `script` ran in the scope (it may have changed what it was given).
    fn ran(&mut self, _script: &Script) {}

    /// Writes the values `script` reads here into `key`, when its result may be reused for
    /// equal values (see [`memo`]); false when it may not.
    fn key(&self, _script: &Script, _key: &mut Vec<u8>) -> bool {
        false
    }

    /// `condition` checked natively on the values here, when it can be.
    fn native(&self, _condition: &Condition) -> Option<Answer> {
        None
    }
}

/// A month rule's scope, built before it runs (it holds the points so far).
impl ScopeSource for rhai::Scope<'static> {
    fn scope(&mut self) -> &mut rhai::Scope<'static> {
        self
    }
}

/// The month's event scope with one event loaded into it.
struct EventAt<'s, 'e, 'f> {
    scope: &'s mut EventScope,
    at: (usize, &'e Event, &'static str, i64),
    fixed: &'f Fixed<'f>,
}

impl ScopeSource for EventAt<'_, '_, '_> {
    fn scope(&mut self) -> &mut rhai::Scope<'static> {
        self.scope.with(self.at, self.fixed)
    }

    fn ran(&mut self, script: &Script) {
        self.scope.stale |= script.may_change;
    }

    fn key(&self, script: &Script, key: &mut Vec<u8>) -> bool {
        let Some(reads) = script.reads() else {
            return false;
        };
        let (_, event, kind, nth) = self.at;
        memo::write_key(
            key,
            reads,
            memo::Inputs {
                event,
                kind,
                nth,
                staff: || self.fixed.staff(),
                month: || self.fixed.month(),
            },
        )
    }

    fn native(&self, condition: &Condition) -> Option<Answer> {
        let (_, event, _, nth) = self.at;
        condition.check(event, nth)
    }
}

/// Whether `when` holds in `src`: checked natively when it has a native form and the
/// values suit it (charging the operations rhai's run would take), else run or reused.
fn holds(when: &Script, src: &mut impl ScopeSource) -> Result<bool, Failure> {
    if let Some(condition) = when.native()
        && let Some(answer) = src.native(condition)
    {
        match condition.ops(answer) {
            Some(ops) if script::charge(ops) => return Ok(answer.holds),
            // Over the budget: the run below stops where rhai's would.
            Some(_) => {}
            // This path's first run: rhai's operations learnt from it.
            None => {
                let (value, ops) = run_counted(when, src)?;
                let holds = when.truth(value)?;
                debug_assert_eq!(holds, answer.holds, "native `{}`", when.source);
                condition.learn(answer, ops);
                return Ok(holds);
            }
        }
    }
    match evaluate(when, src, |v| when.truth(v).map(Kept::Holds))? {
        Kept::Holds(holds) => Ok(holds),
        Kept::Outcome(_) => unreachable!("a `when` is read as a truth"),
    }
}

/// Runs `script` in `src` and reads its value with `read`, or takes what an earlier run
/// with equal values gave (see [`memo`]).
fn evaluate(
    script: &Script,
    src: &mut impl ScopeSource,
    read: impl FnOnce(Dynamic) -> Result<Kept, Failure>,
) -> Result<Kept, Failure> {
    let found = memo::find(script, |key| src.key(script, key));
    if let Found::Reused(kept) = found {
        return Ok(kept);
    }
    let (value, ops) = run_counted(script, src)?;
    let kept = read(value)?;
    if let Found::Missing = found {
        memo::keep(&kept, ops);
    }
    Ok(kept)
}

/// Runs `script` in `src`: its value and the operations the run took.
fn run_counted(script: &Script, src: &mut impl ScopeSource) -> Result<(Dynamic, u64), Failure> {
    let before = script::spent();
    let value = script.run(src.scope())?;
    let ops = script::spent() - before;
    src.ran(script);
    Ok((value, ops))
}

/// A rule as scoring sees it: an event rule and a month rule score the same way, the
/// event rule with its event's qty and its monthly cap.
#[derive(Clone, Copy)]
struct ScoredRule<'p> {
    labels: &'static Labels,
    when: Option<&'p Script>,
    action: &'p Action,
    cap: Option<Points>,
}

impl<'p> ScoredRule<'p> {
    fn of_event(r: &'p EventRule) -> ScoredRule<'p> {
        ScoredRule {
            cap: r.cap,
            ..ScoredRule::new(r.labels, r.when.as_ref(), &r.action)
        }
    }

    fn new(
        labels: &'static Labels,
        when: Option<&'p Script>,
        action: &'p Action,
    ) -> ScoredRule<'p> {
        ScoredRule {
            labels,
            when,
            action,
            cap: None,
        }
    }

    fn of_month(r: &'p MonthRule) -> ScoredRule<'p> {
        ScoredRule::new(r.labels, r.when.as_ref(), &r.action)
    }
}

/// Who and what a failing script is reported with.
struct Blame<'a> {
    rule: &'a str,
    employee: &'a str,
    month: Month,
    event: Option<i64>,
}

impl<'a> Blame<'a> {
    fn of(
        rule: ScoredRule<'a>,
        employee: &'a Employee,
        month: Month,
        event: Option<i64>,
    ) -> Blame<'a> {
        Blame {
            rule: rule.labels.id,
            employee: &employee.id,
            month,
            event,
        }
    }

    fn fail(&self, script: &Script, failure: crate::policy::Failure) -> Box<EvalError> {
        Box::new(EvalError {
            rule: self.rule.to_string(),
            employee: self.employee.to_string(),
            month: Some(self.month),
            event: self.event,
            file: script.origin.file.to_string(),
            failure,
        })
    }
}

/// Scores one occurrence of a rule: `None` when its `when` does not hold; otherwise its
/// fixed points, or its script's value. A failing script is an error naming the rule.
fn score_rule(
    rule: ScoredRule,
    scope: &mut impl ScopeSource,
    blame: Blame,
) -> EvalResult<Option<Outcome>> {
    let fail = |script: &Script, failure| blame.fail(script, failure);
    if let Some(when) = rule.when
        && !holds(when, scope).map_err(|f| fail(when, f))?
    {
        return Ok(None);
    }
    Ok(Some(match rule.action {
        Action::Fixed(p) => Outcome::of_points(*p),
        Action::Script(s) => {
            let read = |v| {
                values::outcome(v)
                    .map(Kept::Outcome)
                    .map_err(|message| s.failure_at_start(message))
            };
            let Kept::Outcome(outcome) = evaluate(s, scope, read).map_err(|f| fail(s, f))? else {
                unreachable!("a rule script's result is read as an outcome")
            };
            outcome
        }
    }))
}

/// The month's items.
struct Ledger {
    items: Vec<Item>,
}

impl Ledger {
    /// Books what a rule scored `times` over (the units of a quantity that scored alike),
    /// for an event (with its kind) or for the month: nothing when it gave neither points
    /// nor flags; cut to the rule's cap when it has one.
    fn book(
        &mut self,
        rule: ScoredRule,
        at: Option<(&Event, &'static str)>,
        o: Outcome,
        times: i64,
    ) {
        if o.points.is_zero() && o.flags.is_empty() {
            return;
        }
        let labels = rule.labels;
        let all = o.points * times;
        let (points, capped) = match rule.cap {
            Some(cap) => apply_cap(self.so_far(labels.id), all, cap),
            None => (all, false),
        };
        // The rule scored (even if a cap cut its points): its flags go with it.
        let scored = !o.points.is_zero();
        let mut item = Item::new(labels, at, points, times, scored);
        if !o.note.is_empty() || !o.flags.is_empty() {
            item = item.with(o.note, o.flags);
        }
        if let (true, Some(cap)) = (capped, rule.cap) {
            item = item.capped(cap);
        }
        self.items.push(item);
    }

    /// What `rule` has booked so far this month: summed when a cap asks (few rules have
    /// caps), not kept per item.
    fn so_far(&self, rule: &str) -> Points {
        self.items
            .iter()
            .filter(|i| i.rule() == rule)
            .map(|i| i.points)
            .sum()
    }

    /// The points of each rule so far, as month rules see them (`by_rule`).
    fn by_rule(&self) -> BTreeMap<&str, Points> {
        let mut out = BTreeMap::new();
        for i in &self.items {
            *out.entry(i.rule()).or_insert(Points::ZERO) += i.points;
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
pub fn apply_cap(so_far: Points, points: Points, cap: Points) -> (Points, bool) {
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
    use crate::domain::event::{FieldValue, Fields};
    use chrono::NaiveDate;

    fn policy(rules: &str) -> Policy {
        let text = format!(
            "[policy]\nid = \"p\"\nname = \"p\"\nversion = \"1\"\neffective_from = \"2026-01\"\ndepartments = [\"*\"]\n[scoring]\nbase = 100\npass_mark = 85\n{rules}\n[[grade]]\nid = \"ok\"\nlabel = \"好\"\n"
        );
        Policy::from_upload("p.toml", &text, &[]).expect("the test policy compiles")
    }

    fn employee(id: &str, role: &str) -> Employee {
        Employee {
            id: id.into(),
            name: id.into(),
            department: "d".into(),
            role: role.into(),
            joined: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            left: None,
            supervisor: None,
            attrs: Default::default(),
        }
    }

    fn event(id: i64, employee: &str, date: NaiveDate, kind: &str, fields: Fields) -> Event {
        Event {
            id,
            employee: employee.to_string().into(),
            date,
            kind: kind.to_string().into(),
            qty: 1 + id % 2,
            note: ["", "", "迟"][id as usize % 3].into(),
            fields: fields.into(),
            recorded_by: "t".into(),
            voided: false,
            excused: false,
            excuse: None,
        }
    }

    const READING_RULES: &str = r#"
[[rule]]
id = "late"
name = "迟到"
on = "late"
fields = { minutes = "int", why = "text", excused = "bool", cost = "float" }
when = "event.minutes > 5 && !event.excused"
script = '''
let tier = if event.minutes > 30 { -3 } else { -1 };
event.minutes += 1000;
tier * event.qty
'''
[[rule]]
id = "by_role"
name = "按岗位"
on = "late"
when = "event.why != \"交通\" && event.minutes < 1000"
script = '''
#{ points: if staff.role == "lead" { -2 } else { -1 },
   note: `${month} 第${nth}次 ${event.note} ${event.kind} ${event.cost}`,
   flags: if event.date == "2026-03-02" { ["monday"] } else { [] } }
'''
"#;

    #[test]
    fn a_reused_result_is_the_result_of_a_run() {
        let p = policy(READING_RULES);
        assert!(
            p.rules.iter().all(|r| {
                r.when.as_ref().is_some_and(|w| w.reads().is_some())
                    && matches!(&r.action, Action::Script(s) if s.reads().is_some())
            }),
            "every script may be reused"
        );
        let people = [employee("A", "lead"), employee("B", "staff")];
        let fields = |i: i64| {
            Fields::from([
                ("minutes".to_string(), FieldValue::Int(i % 4 * 12)),
                (
                    "why".to_string(),
                    FieldValue::Text(["交通", "家事"][i as usize % 2].into()),
                ),
                ("excused".to_string(), FieldValue::Bool(i % 5 == 0)),
                ("cost".to_string(), FieldValue::Float(0.5 * (i % 3) as f64)),
            ])
        };
        let months = [Month::new(2026, 3).unwrap(), Month::new(2026, 4).unwrap()];
        let score_all = || {
            let mut out = Vec::new();
            for e in &people {
                for m in months {
                    let events: Vec<Event> = (0..24)
                        .map(|i| {
                            let day = m.first_day() + chrono::Days::new(1 + i as u64 % 3);
                            event(i, &e.id, day, "late", fields(i))
                        })
                        .collect();
                    out.push(score_month(&p, e, m, &events).unwrap());
                }
            }
            out
        };
        let run = memo::tests::without(score_all);
        assert!(run.iter().all(|s| s.items.len() > 10), "rules scored");
        assert!(run[0].items.iter().any(|i| i.flags().eq(["monday"])));
        assert_eq!(score_all(), run, "reused within the first pass");
        assert_eq!(score_all(), run, "all reused");
    }

    #[test]
    fn reuse_stops_an_evaluation_where_running_would() {
        // A script well under the per-run limit: 200 of them pass the month's budget.
        let p = policy(
            "[[rule]]\nid = \"slow\"\nname = \"slow\"\non = \"probe\"\nscript = '''\nfor i in 0..30000 { if i < 0 { throw i } }\n-1\n'''\n",
        );
        let a = employee("A", "staff");
        let m = Month::new(2026, 3).unwrap();
        let events: Vec<Event> = (0..200)
            .map(|i| {
                let day = m.first_day() + chrono::Days::new(i as u64 % 28);
                event(i, "A", day, "probe", Fields::new())
            })
            .collect();
        let run = memo::tests::without(|| score_month(&p, &a, m, &events)).unwrap_err();
        assert!(run.failure.message.contains("operations in all"), "{run}");
        let reused = score_month(&p, &a, m, &events).unwrap_err();
        assert_eq!(reused.to_string(), run.to_string());
    }

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
