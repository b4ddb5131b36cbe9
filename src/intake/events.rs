//! `events.csv` and single entries: `employee,date,kind,qty,note,recorded_by` then one
//! column per field name. Each row is checked against the policy governing the employee's
//! department in the event's month.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{Rejected, RowProblem, Table};
use crate::event::Fields;
use crate::month::{Month, parse_date};
use crate::rulebook::Rulebook;
use crate::staff::Employee;
use crate::store::NewEvent;

const COLUMNS: [&str; 6] = ["employee", "date", "kind", "qty", "note", "recorded_by"];

/// An event as written: every value still text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventRow {
    pub employee: String,
    pub date: String,
    pub kind: String,
    pub qty: String,
    pub note: String,
    pub recorded_by: String,
    /// Field name → text; empty texts count as absent.
    pub fields: BTreeMap<String, String>,
}

/// Checks rows against the staff on file, the activated policies and today's date.
pub struct EventValidator<'a> {
    pub staff: BTreeMap<String, Employee>,
    pub rulebook: &'a Rulebook,
    pub today: NaiveDate,
    /// Who recorded rows whose `recorded_by` is empty.
    pub default_by: Option<String>,
    /// Closed months (no event may be added to them), with who closed them.
    pub closed: BTreeMap<Month, String>,
}

impl EventValidator<'_> {
    /// Every problem of a row, or the event to store.
    pub fn check(&self, row: &EventRow) -> Result<NewEvent, Vec<String>> {
        let mut problems = Vec::new();
        let employee = self.staff.get(row.employee.trim());
        if employee.is_none() {
            problems.push(format!(
                "unknown employee `{}`; add them with `appraise staff import` first",
                row.employee.trim()
            ));
        }
        let date = match parse_date(row.date.trim()) {
            None => {
                problems.push(format!(
                    "date `{}` is not a date; write YYYY-MM-DD",
                    row.date.trim()
                ));
                None
            }
            Some(d) if d > self.today => {
                problems.push(format!(
                    "date {d} is in the future (today is {})",
                    self.today
                ));
                None
            }
            Some(d) => {
                if let Some(who) = self.closed.get(&Month::of(d)) {
                    problems.push(format!(
                        "{} is closed ({who}); reopen it with `appraise month reopen {}` to add events",
                        Month::of(d),
                        Month::of(d)
                    ));
                }
                Some(d)
            }
        };
        if let (Some(e), Some(d)) = (employee, date)
            && !e.employed_on(d)
        {
            let until = e.left.map_or(String::new(), |l| format!(" to {l}"));
            problems.push(format!(
                "employee `{}` was not employed on {d} (employed from {}{until})",
                e.id, e.joined
            ));
        }
        let qty = match row.qty.trim() {
            "" => 1,
            q => match q.parse::<i64>() {
                Ok(n) if n > 0 => n,
                _ => {
                    problems.push(format!(
                        "qty `{q}` must be a positive whole number (or empty for 1)"
                    ));
                    1
                }
            },
        };
        let recorded_by = match (row.recorded_by.trim(), &self.default_by) {
            ("", Some(by)) => by.clone(),
            ("", None) => {
                problems.push("recorded_by is empty; fill it in or pass `--by NAME`".into());
                String::new()
            }
            (by, _) => by.to_string(),
        };
        let kind = row.kind.trim();
        let mut fields = Fields::new();
        if kind.is_empty() {
            problems.push("kind is empty".into());
        } else if let (Some(e), Some(d)) = (employee, date) {
            let month = Month::of(d);
            match self.rulebook.governing(&e.department, month) {
                None => problems.push(Rulebook::none_governs(&e.department, month)),
                Some(policy) => match policy.kinds.get(kind) {
                    None => problems.push(policy.unknown_kind(kind)),
                    Some(declared) => {
                        for (name, text) in row.fields.iter().filter(|(_, t)| !t.trim().is_empty())
                        {
                            match declared.get(name) {
                                Some(ty) => match ty.parse(text) {
                                    Ok(v) => {
                                        fields.insert(name.clone(), v);
                                    }
                                    Err(msg) => problems.push(format!("field `{name}`: {msg}")),
                                },
                                None => problems.push(format!(
                                    "kind `{kind}` has no field `{name}`; leave that cell empty"
                                )),
                            }
                        }
                        for (name, ty) in declared {
                            if row.fields.get(name).is_none_or(|t| t.trim().is_empty()) {
                                problems.push(format!("kind `{kind}` needs field `{name}` ({ty})"));
                            }
                        }
                    }
                },
            }
        }
        match (employee, date) {
            (Some(e), Some(date)) if problems.is_empty() => Ok(NewEvent {
                employee: e.id.clone(),
                date,
                kind: kind.to_string(),
                qty,
                note: row.note.trim().to_string(),
                fields,
                recorded_by,
            }),
            _ => Err(problems),
        }
    }
}

/// Reads and validates an events file: every event, or every problem as `file:row: …`.
pub fn read_events(name: &str, text: &str, v: &EventValidator) -> Result<Vec<NewEvent>, Rejected> {
    let table = Table::read(name, text, &COLUMNS[..3])?;
    let mut events = Vec::new();
    let mut problems = Vec::new();
    for (line, cells) in &table.rows {
        let cell = |c: &str| table.cell(cells, c).to_string();
        let row = EventRow {
            employee: cell("employee"),
            date: cell("date"),
            kind: cell("kind"),
            qty: cell("qty"),
            note: cell("note"),
            recorded_by: cell("recorded_by"),
            fields: table
                .headers
                .iter()
                .filter(|h| !COLUMNS.contains(&h.as_str()))
                .map(|h| (h.clone(), cell(h)))
                .collect(),
        };
        match v.check(&row) {
            Ok(e) => events.push(e),
            Err(msgs) => problems.extend(msgs.into_iter().map(|message| RowProblem {
                at: format!("{name}:{line}"),
                message,
            })),
        }
    }
    if problems.is_empty() {
        Ok(events)
    } else {
        Err(Rejected(problems))
    }
}
