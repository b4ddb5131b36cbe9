//! The types the validator knows values by, and the shapes of the maps scripts are given.

use rhai::Position;

use super::near;

/// A value's type as far as it can be known.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Ty {
    /// Not known: nothing is said about it.
    Any,
    Unit,
    Bool,
    Int,
    Float,
    /// An int or a float.
    Num,
    Str,
    Char,
    Array,
    Map(Shape),
    /// One of several (the branches of an `if`, the ends of a script).
    Either(Vec<Ty>),
}

impl Ty {
    pub(super) fn name(&self) -> &'static str {
        match self {
            Ty::Any | Ty::Either(_) => "a value",
            Ty::Unit => "()",
            Ty::Bool => "bool",
            Ty::Int => "int",
            Ty::Float => "float",
            Ty::Num => "number",
            Ty::Str => "string",
            Ty::Char => "char",
            Ty::Array => "array",
            Ty::Map(_) => "map",
        }
    }

    /// The type with its article, as a sentence says it: "an int", "a string".
    pub(super) fn a(&self) -> String {
        match self {
            Ty::Unit => "()".into(),
            Ty::Int | Ty::Array => format!("an {}", self.name()),
            t => format!("a {}", t.name()),
        }
    }

    pub(super) fn numeric(&self) -> bool {
        matches!(self, Ty::Int | Ty::Float | Ty::Num)
    }

    /// Whether the type is known well enough to find fault with it.
    pub(super) fn known(&self) -> bool {
        !matches!(self, Ty::Any | Ty::Either(_))
    }

    pub(super) fn join(self, other: Ty) -> Ty {
        if self == other {
            return self;
        }
        if self.numeric() && other.numeric() {
            return Ty::Num;
        }
        if matches!(self, Ty::Any) || matches!(other, Ty::Any) {
            return Ty::Any;
        }
        let mut all = Vec::new();
        for t in [self, other] {
            match t {
                Ty::Either(ts) => all.extend(ts),
                t => all.push(t),
            }
        }
        Ty::Either(all)
    }

    pub(super) fn members(&self) -> Vec<&Ty> {
        match self {
            Ty::Either(ts) => ts.iter().flat_map(Ty::members).collect(),
            t => vec![t],
        }
    }
}

/// What a map value is, for the messages about it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Of {
    /// An event of these kinds, each with its fields as `name (type)`.
    Event(Vec<(String, Vec<String>)>),
    Staff,
    Year,
    Department,
    /// A map the script writes, with where each key is.
    Literal(Vec<Position>),
    /// A map whose keys are not known (`counts`, `by_rule`, `year.flags`).
    Open,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Shape {
    pub(super) of: Of,
    pub(super) keys: Vec<(String, Ty)>,
}

impl Shape {
    pub(super) fn closed(of: Of, keys: Vec<(String, Ty)>) -> Shape {
        Shape { of, keys }
    }

    pub(super) fn open() -> Shape {
        Shape {
            of: Of::Open,
            keys: Vec::new(),
        }
    }

    pub(super) fn get(&self, key: &str) -> Option<&Ty> {
        self.keys.iter().find(|(k, _)| k == key).map(|(_, t)| t)
    }

    /// Why `variable.key` cannot be read, when the shape is closed and lacks it.
    pub(super) fn lacks(&self, variable: &str, key: &str) -> Option<(String, Option<String>)> {
        let nearest = near(key, self.keys.iter().map(|(k, _)| k.as_str()));
        let mean = nearest.map(|n| format!("did you mean `{n}`?"));
        let listed = || {
            self.keys
                .iter()
                .map(|(k, _)| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (message, help) = match &self.of {
            Of::Event(kinds) => {
                let (kind, fields) = kinds
                    .iter()
                    .find(|(_, f)| !f.iter().any(|f| f.split(' ').next() == Some(key)))
                    .or(kinds.first())?;
                let fields = if fields.is_empty() {
                    "it has no fields".to_string()
                } else {
                    format!("its fields are {}", fields.join(", "))
                };
                let base = "every event also has id, kind, date, employee, qty and note";
                (
                    format!("`{variable}.{key}`: kind `{kind}` has no field `{key}`; {fields}"),
                    Some(match mean {
                        Some(m) => format!("{m} ({base})"),
                        None => format!(
                            "declare it with its type in the rule's `fields` (e.g. {key} = \"int\"); {base}"
                        ),
                    }),
                )
            }
            Of::Staff => (
                format!("the script reads `staff.{key}`, which `[staff_fields]` does not declare"),
                Some(match mean {
                    Some(m) => format!("{m} (staff have {})", listed()),
                    None => format!(
                        "declare it with its type, e.g. `[staff_fields]` `{key} = \"time\"`, so that every employee the policy governs is checked to have it"
                    ),
                }),
            ),
            Of::Year | Of::Department => (
                format!(
                    "`{variable}.{key}`: `{variable}` has no `{key}`; it has {}",
                    listed()
                ),
                mean,
            ),
            Of::Literal(_) | Of::Open => return None,
        };
        Some((message, help))
    }
}
