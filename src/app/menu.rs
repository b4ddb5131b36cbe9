//! What can be entered for an employee: the event kinds of the policy that governs their
//! department in the month, each with the label people know it by, what it costs and the
//! fields it asks for. The web's day page offers these as quick actions.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Actor, App, Error, Result, member};
use crate::access::{Action, Target};
use crate::event::FieldType;
use crate::month::Month;
use crate::points::Points;
use crate::policy;
use crate::rulebook::Rulebook;

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
    /// The fields an entry must give, by name, with their types.
    pub fields: Vec<(String, FieldType)>,
}

impl App {
    /// The kinds `by` may enter for `employee` on `date`, in the policy's order.
    pub fn entry_menu(
        &self,
        by: &Actor,
        employee: &str,
        date: NaiveDate,
    ) -> Result<Vec<KindChoice>> {
        let (store, rulebook) = self.store_and_rules()?;
        let record = store
            .staff_record(employee)?
            .ok_or_else(|| Error::NotFound(format!("no employee `{employee}` is on file")))?;
        self.authorize(
            by,
            Action::RecordEvent,
            &Target::Employee(member(&record, self.today)),
        )?;
        let month = Month::of(date);
        let department = &record.at(month).department;
        let policy = rulebook
            .governing(department, month)
            .ok_or_else(|| Error::refused(Rulebook::none_governs(department, month)))?;
        Ok(menu(policy))
    }
}

/// The kinds a policy scores, each once, in the order its rules first name them.
fn menu(policy: &policy::Policy) -> Vec<KindChoice> {
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
                    policy::Action::Fixed(p) if only.when.is_none() => Some(*p),
                    _ => None,
                },
                _ => None,
            };
            choices.push(KindChoice {
                kind: kind.clone(),
                label: rule.name.clone(),
                category: rule.category.clone(),
                points,
                fields: policy
                    .kinds
                    .get(kind)
                    .map(|f| f.iter().map(|(n, t)| (n.clone(), *t)).collect())
                    .unwrap_or_default(),
            });
        }
    }
    choices
}
