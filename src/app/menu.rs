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

impl App {
    /// The sheet for entering `department`'s events of `month` as `by` may: their team in
    /// it, and the kinds of the policy governing it then.
    pub fn entry_sheet(&self, by: &Actor, department: &str, month: Month) -> Result<EntrySheet> {
        let (store, rulebook) = self.store_and_rules()?;
        let department_name = store
            .departments()?
            .into_iter()
            .find(|d| d.id == department)
            .map(|d| d.name)
            .ok_or_else(|| Error::NotFound(format!("no department `{department}` is on file")))?;
        let employees: Vec<(String, String)> = store
            .staff_records()?
            .iter()
            .filter(|r| r.employed_in(month) && r.at(month).department == department)
            .filter(|r| {
                let target = Target::Employee(member(r, self.today));
                self.allows(by, Action::RecordEvent, &target)
            })
            .map(|r| (r.id.clone(), r.at(month).name.clone()))
            .collect();
        if employees.is_empty() {
            return Err(Error::NotAllowed(format!(
                "`{}` may enter events for nobody of `{department}` in {month}",
                by.name()
            )));
        }
        let policy = rulebook
            .governing(department, month)
            .ok_or_else(|| Error::refused(Rulebook::none_governs(department, month)))?;
        let kinds = menu(policy)
            .into_iter()
            .map(|k| (written_name(policy, &k), k))
            .collect();
        Ok(EntrySheet {
            department: department.to_string(),
            department_name,
            month,
            employees,
            kinds,
        })
    }

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

/// The name to write for a kind: its label where that names it alone, else its first
/// alias, else its id.
fn written_name(policy: &policy::Policy, k: &KindChoice) -> String {
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
