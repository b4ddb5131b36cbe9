//! The functions a script may call: the sandbox engine's own table (rhai's built-ins and
//! the helpers), read once, and what the best-known of them give.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::OnceLock;

use rhai::{Array, Dynamic, FnPtr, ImmutableString, Map};

use super::is_operator;
use super::types::Ty;

/// Functions the engine handles itself, outside its function table.
pub(super) fn keyword(name: &str) -> Option<Ty> {
    Some(match name {
        "type_of" => Ty::Str,
        "is_def_var" | "is_def_fn" | "is_shared" => Ty::Bool,
        "Fn" | "call" | "curry" | "print" | "debug" => Ty::Any,
        _ => return None,
    })
}

/// What a built-in gives, where it is known.
pub(super) fn returns(name: &str, args: &[Ty]) -> Ty {
    match name {
        "len" | "parse_int" | "to_int" | "minutes_between" | "weekday" | "days_between"
        | "index_of" => Ty::Int,
        "parse_float" | "to_float" | "floor" | "ceiling" | "round" | "sqrt" => Ty::Float,
        "to_string" | "sub_string" | "to_upper" | "to_lower" => Ty::Str,
        "contains" | "is_empty" | "starts_with" | "ends_with" | "is_zero" => Ty::Bool,
        "keys" | "values" | "split" | "filter" | "map" => Ty::Array,
        "abs" => args.first().cloned().unwrap_or(Ty::Any),
        _ => Ty::Any,
    }
}

/// A parameter of a built-in, as far as types go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Param {
    Any,
    Bool,
    Int,
    Float,
    Str,
    Char,
    Array,
    Map,
    Other,
}

impl Param {
    fn of(t: TypeId) -> Param {
        if t == TypeId::of::<Dynamic>() {
            Param::Any
        } else if t == TypeId::of::<bool>() {
            Param::Bool
        } else if t == TypeId::of::<rhai::INT>() {
            Param::Int
        } else if t == TypeId::of::<rhai::FLOAT>() {
            Param::Float
        } else if t == TypeId::of::<ImmutableString>()
            || t == TypeId::of::<String>()
            || t == TypeId::of::<&str>()
        {
            Param::Str
        } else if t == TypeId::of::<char>() {
            Param::Char
        } else if t == TypeId::of::<Array>() {
            Param::Array
        } else if t == TypeId::of::<Map>() {
            Param::Map
        } else if t == TypeId::of::<FnPtr>() {
            Param::Any
        } else {
            Param::Other
        }
    }

    pub(super) fn accepts(self, t: &Ty) -> bool {
        matches!(
            (self, t),
            (Param::Any, _)
                | (_, Ty::Any | Ty::Either(_) | Ty::Num)
                | (Param::Bool, Ty::Bool)
                | (Param::Int, Ty::Int)
                | (Param::Float, Ty::Float)
                | (Param::Str, Ty::Str)
                | (Param::Char, Ty::Char)
                | (Param::Array, Ty::Array)
                | (Param::Map, Ty::Map(_))
        )
    }

    pub(super) fn name(&self) -> &'static str {
        match self {
            Param::Any | Param::Other => "any",
            Param::Bool => "bool",
            Param::Int => "int",
            Param::Float => "float",
            Param::Str => "string",
            Param::Char => "char",
            Param::Array => "array",
            Param::Map => "map",
        }
    }
}

/// Every function the sandbox's engine has, by name, with each overload's parameters.
pub(super) fn functions() -> &'static HashMap<String, Vec<Vec<Param>>> {
    static TABLE: OnceLock<HashMap<String, Vec<Vec<Param>>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: HashMap<String, Vec<Vec<Param>>> = HashMap::new();
        let found = crate::policy::script::engine().collect_fn_metadata(
            None,
            |info| {
                let m = info.metadata;
                let params: Vec<Param> = if m.param_types.len() == m.num_params {
                    m.param_types.iter().map(|t| Param::of(*t)).collect()
                } else {
                    vec![Param::Any; m.num_params]
                };
                Some((m.name.to_string(), params))
            },
            true,
        );
        for (name, params) in found {
            // Property getters and setters and operators are not called by name.
            if name.starts_with("get$") || name.starts_with("set$") || is_operator(&name) {
                continue;
            }
            let overloads = table.entry(name).or_default();
            if !overloads.contains(&params) {
                overloads.push(params);
            }
        }
        table
    })
}
