//! What can be entered for an employee: the event kinds of the policy that governs their
//! department in the month, each with the label people know it by, what it costs and the
//! fields it asks for. The web's day page offers these as quick actions. Also the words
//! pages show for the policies' ids: kinds' labels and policies' names.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{Actor, App, Error, Invalid, Missing, Result, member};
use crate::domain::access::{Action, Target};
use crate::domain::labels::Glossary;
use crate::domain::month::Month;
use crate::policy::menu::{EntrySheet, KindChoice, kind_choices, written_name};

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
            .ok_or_else(|| Error::NotFound(Missing::Department(department.to_string())))?;
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
            return Err(Error::NobodyToEnter {
                login: by.name().to_string(),
                of: Some((department.to_string(), month)),
            });
        }
        let policy =
            rulebook
                .governing(department, month)
                .ok_or_else(|| Invalid::NoPolicyGoverns {
                    department: department.to_string(),
                    month,
                })?;
        let kinds = kind_choices(policy)
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
            .ok_or_else(|| self.not_on_file(by, Action::RecordEvent, employee))?;
        self.authorize(
            by,
            Action::RecordEvent,
            &Target::Employee(member(&record, self.today)),
        )?;
        let month = Month::of(date);
        let department = &record.at(month).department;
        let policy =
            rulebook
                .governing(department, month)
                .ok_or_else(|| Invalid::NoPolicyGoverns {
                    department: department.clone(),
                    month,
                })?;
        Ok(kind_choices(policy))
    }

    /// Event kind → the label people know it by ([`crate::policy::Policy::kind_label`]), over
    /// every activated policy: for pages that name events of any department.
    pub fn kind_labels(&self) -> Result<BTreeMap<String, String>> {
        let (_, rulebook) = self.store_and_rules()?;
        let mut labels = BTreeMap::new();
        for p in rulebook.policies() {
            for r in &p.rules {
                for k in &r.on {
                    labels
                        .entry(k.clone())
                        .or_insert_with(|| p.kind_label(k).to_string());
                }
            }
        }
        Ok(labels)
    }

    /// What people read for the ids a program receives ([`Glossary`]).
    pub fn labels(&self) -> Result<Glossary> {
        let (store, rulebook) = self.store_and_rules()?;
        let mut labels = Glossary {
            kinds: self.kind_labels()?,
            departments: store
                .departments()?
                .into_iter()
                .map(|d| (d.id, d.name))
                .collect(),
            ..Glossary::default()
        };
        for p in rulebook.policies() {
            labels.policies.insert(p.id.clone(), p.name.clone());
            for (id, label) in p.grade_choices() {
                labels.grades.entry(id).or_insert(label);
            }
            for (id, label) in &p.flag_labels {
                labels
                    .flags
                    .entry(id.clone())
                    .or_insert_with(|| label.clone());
            }
        }
        Ok(labels)
    }

    /// Policy id → its name, over every activated version (the latest name wins).
    pub fn policy_names(&self) -> Result<BTreeMap<String, String>> {
        let (_, rulebook) = self.store_and_rules()?;
        Ok(rulebook
            .policies()
            .map(|p| (p.id.clone(), p.name.clone()))
            .collect())
    }
}
