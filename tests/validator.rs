//! The validator's promise as a property: a generated policy the checker accepts never
//! fails at run time over generated events of its kinds; and each ill-typed script the
//! generator makes on purpose is refused by the check (so the test fails both when the
//! checker accepts everything and when it accepts nothing).

use std::fmt::Write;

use appraise::domain::event::{Event, FieldValue, Fields};
use appraise::domain::month::Month;
use appraise::domain::staff::Employee;
use appraise::engine::score_month;
use appraise::policy::{Bundle, BundleFile, Policy};
use chrono::NaiveDate;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Ty {
    Int,
    Float,
    Bool,
    Text,
}

const TYPES: [Ty; 4] = [Ty::Int, Ty::Float, Ty::Bool, Ty::Text];

impl Ty {
    fn toml(self) -> &'static str {
        match self {
            Ty::Int => "int",
            Ty::Float => "float",
            Ty::Bool => "bool",
            Ty::Text => "text",
        }
    }
}

/// A kind with its typed fields.
struct Kind {
    id: String,
    fields: Vec<(String, Ty)>,
}

/// Writes well-typed rhai from the grammar the sandbox allows.
struct Gen<'a> {
    rng: fastrand::Rng,
    kind: &'a Kind,
}

impl Gen<'_> {
    fn field(&mut self, ty: Ty) -> Option<String> {
        let of: Vec<&String> = self
            .kind
            .fields
            .iter()
            .filter(|(_, t)| *t == ty)
            .map(|(n, _)| n)
            .collect();
        (!of.is_empty()).then(|| format!("event.{}", of[self.rng.usize(..of.len())]))
    }

    /// An expression of type `ty`, at most `depth` deep. Numbers stay small: a product of
    /// two depth-2 terms is far inside an int.
    fn expr(&mut self, ty: Ty, depth: u32) -> String {
        let leaf = depth == 0 || self.rng.u8(..3) == 0;
        match ty {
            Ty::Int if leaf => match self.rng.u8(..5) {
                0 => self.field(Ty::Int).unwrap_or_else(|| "nth".into()),
                1 => "nth".into(),
                2 => "event.qty".into(),
                3 => "event.note.len()".into(),
                _ => self.rng.i64(0..10).to_string(),
            },
            Ty::Int => {
                let (a, b) = (self.expr(Ty::Int, depth - 1), self.expr(Ty::Int, depth - 1));
                match self.rng.u8(..5) {
                    0 => format!("({a} + {b})"),
                    1 => format!("({a} - {b})"),
                    2 => format!("({a} * {b})"),
                    3 => format!("({a} % 7)"),
                    _ => {
                        let c = self.expr(Ty::Bool, depth - 1);
                        format!("(if {c} {{ {a} }} else {{ {b} }})")
                    }
                }
            }
            Ty::Float if leaf => self
                .field(Ty::Float)
                .filter(|_| self.rng.bool())
                .unwrap_or_else(|| format!("{}.5", self.rng.i64(0..10))),
            Ty::Float => {
                let a = self.expr(Ty::Float, depth - 1);
                let other = if self.rng.bool() { Ty::Int } else { Ty::Float };
                let b = self.expr(other, depth - 1);
                match self.rng.u8(..3) {
                    0 => format!("({a} + {b})"),
                    1 => format!("({a} - {b})"),
                    _ => format!("({a} * {b})"),
                }
            }
            Ty::Bool if leaf => self
                .field(Ty::Bool)
                .filter(|_| self.rng.bool())
                .unwrap_or_else(|| (if self.rng.bool() { "true" } else { "false" }).into()),
            Ty::Bool => match self.rng.u8(..5) {
                0 => {
                    let n = if self.rng.bool() { Ty::Int } else { Ty::Float };
                    let ops = [">", "<", ">=", "<=", "==", "!="];
                    let op = ops[self.rng.usize(..ops.len())];
                    format!(
                        "({} {op} {})",
                        self.expr(n, depth - 1),
                        self.expr(Ty::Int, depth - 1)
                    )
                }
                1 => format!(
                    "({} == {})",
                    self.expr(Ty::Text, depth - 1),
                    self.expr(Ty::Text, depth - 1)
                ),
                2 => format!("!{}", self.expr(Ty::Bool, depth - 1)),
                3 => format!(
                    "({} && {})",
                    self.expr(Ty::Bool, depth - 1),
                    self.expr(Ty::Bool, depth - 1)
                ),
                _ => format!(
                    "({} || {})",
                    self.expr(Ty::Bool, depth - 1),
                    self.expr(Ty::Bool, depth - 1)
                ),
            },
            Ty::Text if leaf => match self.rng.u8(..4) {
                0 => self.field(Ty::Text).unwrap_or_else(|| "month".into()),
                1 => "event.note".into(),
                2 => "month".into(),
                _ => "\"甲\"".into(),
            },
            Ty::Text => {
                let other = if self.rng.bool() { Ty::Int } else { Ty::Text };
                let a = self.expr(Ty::Text, depth - 1);
                format!("({a} + {})", self.expr(other, depth - 1))
            }
        }
    }

    /// A rule's script: points, (), or a result map, maybe after a `let`.
    fn script(&mut self) -> String {
        let n = if self.rng.bool() { Ty::Int } else { Ty::Float };
        let points = format!("-({} % 20)", self.expr(n, 2));
        match self.rng.u8(..4) {
            0 => points,
            1 => format!("if {} {{ {points} }} else {{ () }}", self.expr(Ty::Bool, 2)),
            2 => format!("#{{ points: {points}, note: {} }}", self.expr(Ty::Text, 1)),
            _ => format!(
                "let x = {};\nif x > 3 {{ {points} }} else {{ -1 }}",
                self.expr(Ty::Int, 2)
            ),
        }
    }

    /// A script with one mistake the checker must find.
    fn broken(&mut self) -> String {
        let good = self.expr(Ty::Int, 1);
        match self.rng.u8(..8) {
            0 => format!("if {good} > \"3\" {{ -1 }} else {{ () }}"),
            1 => format!("{} - {good}", self.expr(Ty::Text, 1)),
            2 => format!("if event.nope > {good} {{ -1 }} else {{ () }}"),
            3 => format!("fooo({good})"),
            4 => format!("#{{ pionts: -({good} % 5) }}"),
            5 => self.expr(Ty::Text, 1),
            6 => format!("if {good} {{ -1 }} else {{ () }}"),
            _ => format!("#{{ points: -1, note: {good} }}"),
        }
    }
}

fn kinds(rng: &mut fastrand::Rng) -> Vec<Kind> {
    (0..rng.usize(1..4))
        .map(|k| Kind {
            id: format!("k{k}"),
            fields: (0..rng.usize(0..4))
                .map(|f| (format!("f{f}"), TYPES[rng.usize(..TYPES.len())]))
                .collect(),
        })
        .collect()
}

/// A policy text: one rule per kind (a `when` and a script, or fixed points), one of them
/// `broken` when asked.
fn policy_text(seed: u64, broken: bool) -> String {
    let mut rng = fastrand::Rng::with_seed(seed);
    let kinds = kinds(&mut rng);
    let mut t = String::from(
        "[policy]\nid = \"gen\"\nname = \"生成\"\nversion = \"1\"\neffective_from = \"2026-01\"\ndepartments = [\"*\"]\n\n[scoring]\nbase = 100\npass_mark = 85\n",
    );
    let spoilt = rng.usize(..kinds.len());
    for (i, kind) in kinds.iter().enumerate() {
        let mut g = Gen {
            rng: fastrand::Rng::with_seed(rng.u64(..)),
            kind,
        };
        let fields: Vec<String> = kind
            .fields
            .iter()
            .map(|(n, ty)| format!("{n} = \"{}\"", ty.toml()))
            .collect();
        write!(
            t,
            "\n[[rule]]\nid = \"{}\"\nname = \"规则{i}\"\nfields = {{ {} }}\n",
            kind.id,
            fields.join(", ")
        )
        .unwrap();
        if g.rng.bool() {
            writeln!(t, "when = '''{}'''", g.expr(Ty::Bool, 2)).unwrap();
        }
        if broken && i == spoilt {
            writeln!(t, "script = '''\n{}\n'''", g.broken()).unwrap();
        } else if g.rng.u8(..4) == 0 {
            writeln!(t, "points = -{}", g.rng.u8(1..6)).unwrap();
        } else {
            writeln!(t, "script = '''\n{}\n'''", g.script()).unwrap();
        }
    }
    t + "\n[[grade]]\nid = \"all\"\nlabel = \"全部\"\n"
}

fn load(text: &str) -> Result<Policy, appraise::policy::Problems> {
    Policy::from_bundle(&Bundle {
        files: vec![BundleFile {
            name: "gen.toml".into(),
            text: text.into(),
        }],
    })
}

/// Events of the policy's kinds with random values of their fields' types.
fn events(policy: &Policy, rng: &mut fastrand::Rng) -> Vec<Event> {
    let kinds: Vec<(&String, _)> = policy.kinds.iter().collect();
    (0..rng.usize(1..25))
        .map(|i| {
            let (kind, fields) = kinds[rng.usize(..kinds.len())];
            let fields: Fields = fields
                .iter()
                .map(|(name, ty)| {
                    use appraise::domain::event::FieldType as F;
                    let v = match ty {
                        F::Int => FieldValue::Int(rng.i64(-50..500)),
                        F::Float => FieldValue::Float(rng.f64() * 1000.0 - 100.0),
                        F::Bool => FieldValue::Bool(rng.bool()),
                        _ => FieldValue::Text(["", "甲", "早班", "x y"][rng.usize(..4)].into()),
                    };
                    (name.clone(), v)
                })
                .collect();
            Event {
                id: i as i64 + 1,
                employee: "E1".into(),
                date: NaiveDate::from_ymd_opt(2026, 3, rng.u32(1..=31)).unwrap(),
                kind: kind.to_string().into(),
                qty: rng.i64(1..4),
                note: ["", "补充说明", "n"][rng.usize(..3)].into(),
                fields: fields.into(),
                recorded_by: "t".into(),
                voided: false,
                excused: false,
                excuse: None,
            }
        })
        .collect()
}

#[test]
fn accepted_generated_policies_never_fail_and_ill_typed_ones_are_refused() {
    let employee = Employee {
        id: "E1".into(),
        name: "测试".into(),
        department: "d".into(),
        role: "staff".into(),
        joined: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        left: None,
        supervisor: None,
        attrs: Default::default(),
    };
    let month = Month::new(2026, 3).unwrap();
    let (mut accepted, mut months, mut caught) = (0, 0, 0);
    const CASES: u64 = 300;
    for seed in 0..CASES {
        let text = policy_text(seed, false);
        let policy = match load(&text) {
            Ok(p) => p,
            Err(problems) => {
                panic!("seed {seed}: a well-typed policy was refused:\n{problems}\n{text}")
            }
        };
        accepted += 1;
        let mut rng = fastrand::Rng::with_seed(seed);
        for _ in 0..4 {
            let evs = events(&policy, &mut rng);
            if let Err(e) = score_month(&policy, &employee, month, &evs) {
                panic!("seed {seed}: an accepted policy failed at run time: {e}\n{text}\n{evs:#?}");
            }
            months += 1;
        }
        let spoilt = policy_text(seed, true);
        assert!(
            load(&spoilt).is_err(),
            "seed {seed}: an ill-typed policy was accepted:\n{spoilt}"
        );
        caught += 1;
    }
    eprintln!(
        "{accepted} generated policies accepted and run over {months} generated months without an error; {caught} of {CASES} ill-typed ones refused"
    );
}
