//! The entry menu: the kinds of event a policy lets people enter, each with the label people
//! know it by, what it costs and the fields it asks for; and the sheet a department's month
//! is entered on. Plain values computed from a compiled policy: the application decides who
//! may see them, the web's day page and the fill-in workbook show them.

use serde::Serialize;

use super::{Action, Policy};
use crate::domain::event::FieldType;
use crate::domain::month::Month;
use crate::domain::points::Points;

/// One kind of event, as the governing policy declares it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindChoice {
    pub kind: String,
    /// The name of the first rule on the kind (Chinese in the shipped policy).
    pub label: String,
    pub category: String,
    /// The points of one event when a single fixed rule scores the kind; `None` when a
    /// script decides (from the fields, or how often it happened).
    pub points: Option<Points>,
    /// The fields an entry must give.
    pub fields: Vec<FieldChoice>,
}

/// A field an entry of a kind must give.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChoice {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// What people read for it: the policy's label, else its name.
    pub label: String,
}

/// What a sheet for entering a department's month holds: the people `by` may enter events
/// for, and the kinds with the name to write for each (a name the policy accepts).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntrySheet {
    pub department: String,
    pub department_name: String,
    pub month: Month,
    /// (id, name)
    pub employees: Vec<(String, String)>,
    /// (what to write, the kind)
    pub kinds: Vec<(String, KindChoice)>,
}

/// The name to write for a kind: its label where that names it alone, else its first
/// alias, else its id.
pub fn written_name(policy: &Policy, k: &KindChoice) -> String {
    if policy.kind_named(&k.label) == Some(k.kind.as_str()) {
        return k.label.clone();
    }
    policy
        .rules
        .iter()
        .flat_map(|r| &r.aliases)
        .find(|a| a.kind == k.kind)
        .map_or_else(|| k.kind.clone(), |a| a.name.clone())
}

/// The kinds a policy scores, each once, in the order its rules first name them.
pub fn kind_choices(policy: &Policy) -> Vec<KindChoice> {
    let mut choices: Vec<KindChoice> = Vec::new();
    for rule in &policy.rules {
        for kind in &rule.on {
            if choices.iter().any(|c| &c.kind == kind) {
                continue;
            }
            let on_kind: Vec<_> = policy
                .rules
                .iter()
                .filter(|r| r.on.contains(kind))
                .collect();
            let points = match on_kind.as_slice() {
                [only] => match &only.action {
                    Action::Fixed(p) if only.when.is_none() => Some(*p),
                    _ => None,
                },
                _ => None,
            };
            choices.push(KindChoice {
                kind: kind.clone(),
                label: policy.kind_label(kind).to_string(),
                category: rule.category.clone(),
                points,
                fields: policy
                    .kinds
                    .get(kind)
                    .map(|f| {
                        f.iter()
                            .map(|(n, t)| FieldChoice {
                                name: n.clone(),
                                ty: *t,
                                label: policy.field_label(kind, n).to_string(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
    }
    choices
}
