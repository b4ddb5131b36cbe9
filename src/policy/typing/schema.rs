//! The schema: what the engine hands each stage's scripts, typed.

use std::collections::BTreeMap;

use super::Schema;
use super::types::{Of, Shape, Ty};
use crate::domain::event::FieldType;
use crate::domain::staff::RECORD_PARTS;
use crate::policy::script::Stage;

/// The values a stage's scripts are given, with their types.
pub(super) fn stage_values(stage: Stage, schema: &Schema) -> Vec<(&'static str, Ty)> {
    let staff = || {
        let mut keys: Vec<(String, Ty)> = RECORD_PARTS
            .iter()
            .map(|k| {
                let ty = match *k {
                    "left" | "supervisor" => Ty::Any,
                    _ => Ty::Str,
                };
                (k.to_string(), ty)
            })
            .collect();
        // Staff attributes are kept as text, whatever their declared type.
        keys.extend(schema.staff_fields.keys().map(|k| (k.clone(), Ty::Str)));
        Ty::Map(Shape::closed(Of::Staff, keys))
    };
    let open = || Ty::Map(Shape::open());
    match stage {
        Stage::Event => vec![
            ("event", event_shape(&schema.kinds)),
            ("staff", staff()),
            ("month", Ty::Str),
            ("nth", Ty::Int),
        ],
        Stage::Month => vec![
            ("staff", staff()),
            ("month", Ty::Str),
            ("counts", open()),
            ("by_rule", open()),
            ("deducted", Ty::Num),
            ("rewarded", Ty::Num),
            ("score", Ty::Num),
        ],
        Stage::Year => {
            let keys = [
                ("year", Ty::Int),
                ("months", Ty::Array),
                ("evaluated_months", Ty::Int),
                ("average", Ty::Num),
                ("min", Ty::Num),
                ("max", Ty::Num),
                ("failed_months", Ty::Int),
                ("deducted", Ty::Num),
                ("rewarded", Ty::Num),
                ("counts", open()),
                ("flags", open()),
            ];
            vec![
                ("staff", staff()),
                ("year", Ty::Map(Shape::closed(Of::Year, owned(keys)))),
            ]
        }
        Stage::Department => {
            let keys = [
                ("id", Ty::Str),
                ("name", Ty::Str),
                ("year", Ty::Int),
                ("head", Ty::Any),
                ("targets_total", Ty::Int),
                ("targets_missed", Ty::Int),
                ("targets_met", Ty::Int),
                ("targets", Ty::Array),
                ("budget", Ty::Any),
                ("spent", Ty::Any),
                ("savings", Ty::Any),
            ];
            vec![("dept", Ty::Map(Shape::closed(Of::Department, owned(keys))))]
        }
    }
}

fn owned<const N: usize>(keys: [(&str, Ty); N]) -> Vec<(String, Ty)> {
    keys.into_iter().map(|(k, t)| (k.to_string(), t)).collect()
}

/// The keys of every event besides its fields.
const EVENT_BASE: [(&str, Ty); 6] = [
    ("id", Ty::Int),
    ("kind", Ty::Str),
    ("date", Ty::Str),
    ("employee", Ty::Str),
    ("qty", Ty::Int),
    ("note", Ty::Str),
];

/// An event of any of `kinds`: the keys all of them have (a key of one kind only may be
/// missing from the event at hand).
fn event_shape(kinds: &[(&str, &BTreeMap<String, FieldType>)]) -> Ty {
    let mut keys: Vec<(String, Ty)> = EVENT_BASE
        .iter()
        .map(|(k, t)| (k.to_string(), t.clone()))
        .collect();
    if let Some((_, first)) = kinds.first() {
        for (name, ty) in first.iter() {
            let types: Vec<Option<&FieldType>> = kinds.iter().map(|(_, f)| f.get(name)).collect();
            if types.iter().all(|t| t == &Some(ty)) {
                keys.push((name.clone(), field_type(*ty)));
            }
        }
    }
    let kinds = kinds
        .iter()
        .map(|(k, f)| {
            (
                k.to_string(),
                f.iter().map(|(n, t)| format!("{n} ({t})")).collect(),
            )
        })
        .collect();
    Ty::Map(Shape::closed(Of::Event(kinds), keys))
}

fn field_type(t: FieldType) -> Ty {
    match t {
        FieldType::Int => Ty::Int,
        FieldType::Float => Ty::Float,
        FieldType::Bool => Ty::Bool,
        FieldType::Text | FieldType::Date | FieldType::Time => Ty::Str,
    }
}
