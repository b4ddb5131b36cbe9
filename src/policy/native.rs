//! Event `when` conditions of the common shapes, checked natively instead of by rhai.
//!
//! Most of a company's events are routine records that a `when` such as `event.rings > 3`
//! or `event.days > 2 && !event.approved` lets pass. Running rhai for each (or looking its
//! result up in the memo) was most of the rating's scoring time. A condition built only of
//! `&&`, `||`, `!`, comparisons of an event field (or `qty`, or `nth`) with a constant, and
//! bare boolean fields is compiled here to a tree checked directly on the event.
//!
//! The result is never different from rhai's. The native check answers only when every
//! value it reads has the type its operation expects (an `int` field compared with an
//! integer, a `bool` field negated, a text compared for equality with a text); a missing
//! field or any other type — where rhai might convert, fail or compare differently — gives
//! no answer, and the script runs in rhai as before. The operations a run would have
//! taken are charged to the evaluation's budget, so a budget stops an evaluation exactly
//! where running every script would: rhai counts operations by the expressions it
//! evaluates, which for one tree depend only on which comparisons short-circuiting
//! reached, so each such path's count is learnt from rhai's own first run of it.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{NaiveDate, NaiveTime};
use rhai::{AST, ASTFlags, Expr, Stmt};

use crate::domain::event::{EVENT_KEYS, Event, FieldValue, parse_time};
use crate::domain::month::parse_date;

/// A condition's comparisons at most: a path of evaluated comparisons is a bit set of them.
const MAX_LEAVES: usize = 8;

/// A `when` condition compiled to a native check.
#[derive(Debug)]
pub struct Condition {
    root: Node,
    /// Per path (the set of comparisons evaluated), the operations rhai takes: 0 while
    /// unknown (every run takes at least one).
    ops: [AtomicU64; 1 << MAX_LEAVES],
}

#[derive(Debug)]
enum Node {
    All(Vec<Node>),
    Any(Vec<Node>),
    Not(Box<Node>),
    /// A comparison (or a bare boolean operand), numbered in evaluation order.
    Leaf(usize, Test),
}

#[derive(Debug)]
enum Test {
    /// `event.f` or `nth` compared with an integer: `value OP constant`.
    Int(Operand, Cmp, i64),
    /// A text field compared for (in)equality with a text.
    Text(Operand, bool, Box<str>),
    /// A bool field, compared with a constant (`== true`) or alone (`event.approved`).
    Bool(Operand, bool),
}

#[derive(Debug)]
enum Operand {
    Field(Box<str>),
    Qty,
    Nth,
    /// `days_between(a, b)`: the engine's own function, on dates.
    DaysBetween(Box<[Moment; 2]>),
    /// `minutes_between(a, b)`, on times of day.
    MinutesBetween(Box<[Moment; 2]>),
}

/// An argument of `days_between` or `minutes_between`.
#[derive(Debug)]
enum Moment {
    /// `event.date`.
    EventDate,
    /// A text field holding a date (or a time).
    Field(Box<str>),
    Date(NaiveDate),
    Time(NaiveTime),
}

#[derive(Debug, Clone, Copy)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn of(op: &str) -> Option<Cmp> {
        Some(match op {
            "==" => Cmp::Eq,
            "!=" => Cmp::Ne,
            "<" => Cmp::Lt,
            "<=" => Cmp::Le,
            ">" => Cmp::Gt,
            ">=" => Cmp::Ge,
            _ => return None,
        })
    }

    /// `a OP b` read as `b OP' a`: for a constant written on the left.
    fn flipped(self) -> Cmp {
        match self {
            Cmp::Lt => Cmp::Gt,
            Cmp::Le => Cmp::Ge,
            Cmp::Gt => Cmp::Lt,
            Cmp::Ge => Cmp::Le,
            same => same,
        }
    }

    fn holds(self, a: i64, b: i64) -> bool {
        match self {
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
        }
    }
}

/// A native check's answer: the condition's truth and the path that decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    pub holds: bool,
    path: u8,
}

impl Condition {
    /// The native form of a compiled `when` expression, when it has one of the shapes.
    pub fn of(ast: &AST) -> Option<Condition> {
        // A call at the top (`event.rings > 3`) is a statement of its own in rhai.
        let expr = match ast.statements() {
            [Stmt::Expr(expr)] => &**expr,
            [Stmt::FnCall(call, pos)] => &Expr::FnCall(call.clone(), *pos),
            _ => return None,
        };
        let mut leaves = 0;
        let root = node(expr, &mut leaves)?;
        Some(Condition {
            root,
            ops: std::array::from_fn(|_| AtomicU64::new(0)),
        })
    }

    /// The condition checked on `event` (its `nth` occurrence), or `None` when a value it
    /// reads is missing or of another type than its operation expects.
    pub fn check(&self, event: &Event, nth: i64) -> Option<Answer> {
        let mut path = 0u8;
        let holds = eval(&self.root, event, nth, &mut path)?;
        Some(Answer { holds, path })
    }

    /// The operations rhai took for `answer`'s path, once learnt.
    pub fn ops(&self, answer: Answer) -> Option<u64> {
        match self.ops[answer.path as usize].load(Ordering::Relaxed) {
            0 => None,
            n => Some(n),
        }
    }

    /// Records the operations rhai took on `answer`'s path.
    pub fn learn(&self, answer: Answer, ops: u64) {
        self.ops[answer.path as usize].store(ops.max(1), Ordering::Relaxed);
    }
}

fn node(expr: &Expr, leaves: &mut usize) -> Option<Node> {
    match expr {
        Expr::And(list, _) | Expr::Or(list, _) => {
            let nodes = list
                .iter()
                .map(|e| node(e, leaves))
                .collect::<Option<Vec<_>>>()?;
            Some(match expr {
                Expr::And(..) => Node::All(nodes),
                _ => Node::Any(nodes),
            })
        }
        Expr::FnCall(call, _) if call.is_operator_call() && call.name == "!" => {
            let [inner] = call.args.as_slice() else {
                return None;
            };
            Some(Node::Not(Box::new(node(inner, leaves)?)))
        }
        _ => {
            let test = test(expr)?;
            let at = *leaves;
            *leaves += 1;
            (at < MAX_LEAVES).then_some(Node::Leaf(at, test))
        }
    }
}

/// A comparison of an operand with a constant, or a bare operand (a bool).
fn test(expr: &Expr) -> Option<Test> {
    if let Some(operand) = operand(expr) {
        return Some(Test::Bool(operand, true));
    }
    let Expr::FnCall(call, _) = expr else {
        return None;
    };
    let (cmp, [a, b]) = (Cmp::of(&call.name)?, call.args.as_slice()) else {
        return None;
    };
    if !call.is_operator_call() {
        return None;
    }
    let (operand, cmp, constant) = match (operand(a), operand(b)) {
        (Some(o), None) => (o, cmp, b),
        (None, Some(o)) => (o, cmp.flipped(), a),
        _ => return None,
    };
    match (constant, cmp) {
        (Expr::IntegerConstant(n, _), _) => Some(Test::Int(operand, cmp, *n)),
        (Expr::StringConstant(s, _), Cmp::Eq | Cmp::Ne) => Some(Test::Text(
            operand,
            matches!(cmp, Cmp::Eq),
            s.as_str().into(),
        )),
        (Expr::BoolConstant(b, _), Cmp::Eq) => Some(Test::Bool(operand, *b)),
        (Expr::BoolConstant(b, _), Cmp::Ne) => Some(Test::Bool(operand, !*b)),
        _ => None,
    }
}

/// `event.name` (a field or `qty`), `nth`, or `days_between` or `minutes_between` of
/// event dates, fields and constants.
fn operand(expr: &Expr) -> Option<Operand> {
    match expr {
        Expr::Variable(v, ..) if v.1 == "nth" => Some(Operand::Nth),
        Expr::FnCall(call, _) if !call.is_operator_call() => {
            let [a, b] = call.args.as_slice() else {
                return None;
            };
            let dates = call.name == "days_between";
            if !dates && call.name != "minutes_between" {
                return None;
            }
            let moments = Box::new([moment(a, dates)?, moment(b, dates)?]);
            Some(if dates {
                Operand::DaysBetween(moments)
            } else {
                Operand::MinutesBetween(moments)
            })
        }
        _ => match event_property(expr)? {
            "qty" => Some(Operand::Qty),
            // The event's other own values are texts or its id: not read natively (no
            // field is named like one, the policy compiler refuses it).
            p if EVENT_KEYS.contains(&p) => None,
            field => Some(Operand::Field(field.into())),
        },
    }
}

/// An argument of `days_between` (`dates`) or `minutes_between`: a constant must parse.
fn moment(expr: &Expr, dates: bool) -> Option<Moment> {
    match (expr, event_property(expr)) {
        (Expr::StringConstant(s, _), _) if dates => parse_date(s).map(Moment::Date),
        (Expr::StringConstant(s, _), _) => parse_time(s).map(Moment::Time),
        (_, Some("date")) if dates => Some(Moment::EventDate),
        (_, Some(p)) if !EVENT_KEYS.contains(&p) => Some(Moment::Field(p.into())),
        _ => None,
    }
}

/// `p` of `event.p` (not `event?.p`, which gives `()` on a missing event).
fn event_property(expr: &Expr) -> Option<&str> {
    let Expr::Dot(chain, flags, _) = expr else {
        return None;
    };
    let (Expr::Variable(v, ..), Expr::Property(p, _)) = (&chain.lhs, &chain.rhs) else {
        return None;
    };
    (!flags.contains(ASTFlags::NEGATED) && v.1 == "event").then_some(p.2.as_str())
}

/// `m` as a date (`dates`) or a time of day, read as the engine's functions read it.
fn date_of(m: &Moment, event: &Event) -> Option<NaiveDate> {
    match m {
        Moment::EventDate => Some(event.date),
        Moment::Date(d) => Some(*d),
        Moment::Time(_) => None,
        Moment::Field(name) => match event.fields.get(&**name)? {
            FieldValue::Text(t) => parse_date(t),
            _ => None,
        },
    }
}

fn time_of(m: &Moment, event: &Event) -> Option<NaiveTime> {
    match m {
        Moment::Time(t) => Some(*t),
        Moment::Field(name) => match event.fields.get(&**name)? {
            FieldValue::Text(t) => parse_time(t),
            _ => None,
        },
        Moment::EventDate | Moment::Date(_) => None,
    }
}

fn eval(node: &Node, event: &Event, nth: i64, path: &mut u8) -> Option<bool> {
    match node {
        Node::All(list) => {
            for n in list {
                if !eval(n, event, nth, path)? {
                    return Some(false);
                }
            }
            Some(true)
        }
        Node::Any(list) => {
            for n in list {
                if eval(n, event, nth, path)? {
                    return Some(true);
                }
            }
            Some(false)
        }
        Node::Not(inner) => eval(inner, event, nth, path).map(|b| !b),
        Node::Leaf(at, test) => {
            *path |= 1 << at;
            let value = |o: &Operand| match o {
                Operand::Field(name) => event.fields.get(&**name).map(Value::Field),
                Operand::Qty => Some(Value::Int(event.qty)),
                Operand::Nth => Some(Value::Int(nth)),
                Operand::DaysBetween(m) => {
                    let (a, b) = (date_of(&m[0], event)?, date_of(&m[1], event)?);
                    Some(Value::Int((b - a).num_days()))
                }
                Operand::MinutesBetween(m) => {
                    let (a, b) = (time_of(&m[0], event)?, time_of(&m[1], event)?);
                    Some(Value::Int((b - a).num_minutes()))
                }
            };
            match test {
                Test::Int(o, cmp, n) => match value(o)? {
                    Value::Int(v) | Value::Field(&FieldValue::Int(v)) => Some(cmp.holds(v, *n)),
                    Value::Field(_) => None,
                },
                Test::Text(o, equal, s) => match value(o)? {
                    Value::Field(FieldValue::Text(t)) => Some((t.as_str() == &**s) == *equal),
                    _ => None,
                },
                Test::Bool(o, expected) => match value(o)? {
                    Value::Field(FieldValue::Bool(b)) => Some(*b == *expected),
                    _ => None,
                },
            }
        }
    }
}

enum Value<'e> {
    Int(i64),
    Field(&'e FieldValue),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::script::{Origin, Script, Stage, start_evaluation};

    fn when(src: &str) -> Script {
        let origin = Origin {
            file: "p.toml".into(),
            line: 1,
            column: 1,
        };
        Script::compile(src, true, Stage::Event, origin).expect("compiles")
    }

    #[test]
    fn the_common_shapes_compile_and_the_rest_do_not() {
        for src in [
            "event.rings > 3",
            "3 < event.rings",
            "event.days > 2 && !event.approved",
            "event.days >= 2 && !event.phoned || nth >= 3",
            "event.why != \"交通\" && event.minutes < 1000",
            "event.approved == false",
            "event.qty > 1",
            "days_between(event.date, event.passed_on) > 1",
            "minutes_between(\"09:00\", event.passed_at) >= 0",
        ] {
            assert!(Condition::of(when(src).ast()).is_some(), "{src}");
        }
        for src in [
            "event.minutes > event.limit",
            "event.note == \"x\"",
            "event.date > \"2025-01-01\"",
            "days_between(event.date, \"2025-02-30\") > 1",
            "days_between(event.note, event.passed_on) > 1",
            "minutes_between(event.date, event.passed_at) > 1",
            "weekday(event.date) > 5",
            "(event.flag ?? false)",
            "event?.minutes > 3",
            "event.minutes + 1 > 3",
            "staff.role == \"x\"",
            "event.why < \"b\"",
            "event.a || event.b || event.c || event.d || event.e || event.f || event.g || event.h || event.i",
        ] {
            assert!(Condition::of(when(src).ast()).is_none(), "{src}");
        }
    }

    /// The native answer equals rhai's on every value tried, and each path's operations
    /// are rhai's own on every run of that path.
    #[test]
    fn native_answers_are_rhais() {
        let sources = [
            "event.rings > 3",
            "3 >= event.rings",
            "event.days > 2 && !event.approved",
            "event.days >= 2 && !event.phoned || nth >= 3",
            "!(event.why == \"交通\") && event.rings != 2",
            "event.approved == false || event.approved != true",
            "event.qty > 1 && event.approved",
            "days_between(event.date, event.passed_on) > 1 || (days_between(event.date, event.passed_on) == 1 && minutes_between(\"09:00\", event.passed_at) >= 0)",
            "days_between(\"2025-03-01\", event.passed_on) <= 3 && minutes_between(event.passed_at, \"12:00\") > 0",
        ];
        let mut fields = Vec::new();
        for rings in [0, 2, 3, 4, 9] {
            for approved in [None, Some(true), Some(false)] {
                for why in [None, Some("交通"), Some("病")] {
                    let mut f = crate::domain::event::Fields::new();
                    f.insert("rings".into(), FieldValue::Int(rings));
                    f.insert("days".into(), FieldValue::Int(rings));
                    if let Some(a) = approved {
                        f.insert("approved".into(), FieldValue::Bool(a));
                        f.insert("phoned".into(), FieldValue::Bool(!a));
                    }
                    if let Some(w) = why {
                        f.insert("why".into(), FieldValue::Text(w.into()));
                    }
                    fields.push(f);
                }
            }
        }
        for on in [
            "2025-03-02",
            "2025-03-03",
            "2025-03-04",
            "2025-03-06",
            "3/4/2025",
        ] {
            for at in ["08:59", "09:00", "23:10", "9:00"] {
                let mut f = crate::domain::event::Fields::new();
                f.insert("passed_on".into(), FieldValue::Text(on.into()));
                f.insert("passed_at".into(), FieldValue::Text(at.into()));
                fields.push(f);
            }
        }
        // A field of another type than the comparison expects: no native answer.
        let mut odd = crate::domain::event::Fields::new();
        odd.insert("rings".into(), FieldValue::Float(3.5));
        odd.insert("approved".into(), FieldValue::Int(1));
        fields.push(odd);
        let mut answered = 0;
        for src in sources {
            let script = when(src);
            let condition = Condition::of(script.ast()).expect("native");
            for f in &fields {
                for (qty, nth) in [(1, 1), (2, 3)] {
                    let event = crate::domain::event::Event {
                        id: 1,
                        employee: "e1".into(),
                        date: chrono::NaiveDate::from_ymd_opt(2025, 3, 3).unwrap(),
                        kind: "k".into(),
                        qty,
                        note: String::new(),
                        fields: std::sync::Arc::new(f.clone()),
                        recorded_by: "r".into(),
                        voided: false,
                        excused: false,
                        excuse: None,
                    };
                    let mut scope = Stage::scope(vec![
                        ("event", crate::engine::event_value(&event)),
                        ("staff", rhai::Dynamic::UNIT),
                        ("month", rhai::Dynamic::UNIT),
                        ("nth", rhai::Dynamic::from_int(nth)),
                    ]);
                    start_evaluation();
                    let ran = script.run(&mut scope).and_then(|v| script.truth(v));
                    let ops = crate::policy::script::spent();
                    let Some(answer) = condition.check(&event, nth) else {
                        continue;
                    };
                    answered += 1;
                    assert_eq!(ran, Ok(answer.holds), "{src} on {f:?}");
                    match condition.ops(answer) {
                        Some(known) => assert_eq!(known, ops, "{src} on {f:?}"),
                        None => condition.learn(answer, ops),
                    }
                }
            }
        }
        assert!(answered > 350, "{answered}");
    }
}
