//! Employees and their records over time: importing the staff file, adding one employee,
//! transfers and changes from a month on, the staff as of a month, one employee's history.
//!
//! A change never rewrites the past: it takes effect from a month, and every month keeps
//! being scored with the record in force then. A change that would move an employee with
//! logged events (department, role, supervisor) must say from when.

use std::collections::{BTreeMap, BTreeSet};

use super::{Actor, App, Conflict, Error, FileInput, Invalid, Result, TextFile, Undone, read_text};
use crate::domain::access::{Action, Target};
use crate::domain::month::Month;
use crate::domain::staff::{
    Change, Employee, Field, StaffRecord, check_attr, check_name, check_role, supervisor_cycle,
};
use crate::evaluation::rulebook::Rulebook;
use crate::intake::Encoding;
use crate::intake::{Rejected, RowProblem, STAFF_COLUMNS, StaffFile, Wrong, read_staff};
use crate::store::{StaffUpdate, Store};

/// One employee as entered by hand: the columns of a `staff.csv` row.
#[derive(Debug, Clone, Default)]
pub struct StaffInput {
    pub id: String,
    pub name: String,
    pub department: String,
    pub role: String,
    pub joined: String,
    pub left: Option<String>,
    pub supervisor: Option<String>,
    /// Extra attributes (e.g. `shift_start`), as the extra columns of the file.
    pub attrs: BTreeMap<String, String>,
}

/// A change of an existing employee from a month on; what it does not name stays.
#[derive(Debug, Clone, Default)]
pub struct StaffChange {
    pub name: Option<String>,
    pub department: Option<String>,
    pub role: Option<String>,
    /// `Some(None)` removes the supervisor.
    pub supervisor: Option<Option<String>>,
    pub attrs: BTreeMap<String, String>,
}

/// What a staff import stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffImported {
    pub file: String,
    pub added: usize,
    pub updated: usize,
    pub encoding: Encoding,
}

impl App {
    /// Imports a staff file, all or nothing. New ids are added from the month they joined;
    /// rows of existing employees change what differs, from `effective` (or, without it,
    /// as a correction from their first month, which is refused for a move of someone
    /// with logged events).
    pub fn import_staff<'f>(
        &self,
        by: &Actor,
        file: impl Into<FileInput<'f>>,
        effective: Option<Month>,
    ) -> Result<StaffImported> {
        self.authorize(by, Action::ChangeStaff, &Target::Company)?;
        let (mut store, rulebook) = self.store_and_rules()?;
        let TextFile {
            name,
            encoding,
            text,
        } = read_text(file.into())?;
        let records = records_by_id(&store)?;
        let known = records.keys().cloned().collect();
        let staff = read_staff(&name, &text, &known).map_err(|rows| Error::Rejected {
            rows,
            outcome: "nothing was imported; fix the rows above and import the file again".into(),
        })?;
        let updates = self.updates(&store, &rulebook, &records, &staff, effective, &name)?;
        refuse_cycles(&records, &updates)?;
        store.put_staff(&updates, &name, &self.stamp(by))?;
        let updated = updates.iter().filter(|u| !u.new).count();
        Ok(StaffImported {
            file: name,
            added: updates.len() - updated,
            updated,
            encoding,
        })
    }

    /// Adds one employee, or corrects one, validated exactly as a row of the staff file.
    pub fn save_employee(&self, by: &Actor, input: StaffInput) -> Result<Employee> {
        self.authorize(by, Action::ChangeStaff, &Target::Company)?;
        let (mut store, rulebook) = self.store_and_rules()?;
        let mut header: Vec<&str> = STAFF_COLUMNS.to_vec();
        let mut row = vec![
            input.id.clone(),
            input.name,
            input.department,
            input.role,
            input.joined,
            input.left.unwrap_or_default(),
            input.supervisor.unwrap_or_default(),
        ];
        for (k, v) in &input.attrs {
            header.push(k);
            row.push(v.clone());
        }
        let records = records_by_id(&store)?;
        let known = records.keys().cloned().collect();
        let staff = read_staff("entry", &csv_text(&header, &row), &known).map_err(|rows| {
            Error::Rejected {
                rows,
                outcome: "nothing was stored".into(),
            }
        })?;
        let updates = self.updates(&store, &rulebook, &records, &staff, None, "entry")?;
        refuse_cycles(&records, &updates)?;
        store.put_staff(&updates, "entry", &self.stamp(by))?;
        Ok(self.record_of(&input.id)?.latest().clone())
    }

    /// Changes an employee's record from `from` on (a transfer, a new role or supervisor,
    /// a corrected name or attribute). Nothing it does not name changes.
    pub fn change_employee(
        &self,
        by: &Actor,
        id: &str,
        change: StaffChange,
        from: Month,
    ) -> Result<StaffRecord> {
        self.authorize(by, Action::ChangeStaff, &Target::Company)?;
        let (mut store, rulebook) = self.store_and_rules()?;
        let record = store
            .staff_record(id)?
            .ok_or_else(|| Invalid::NoEmployee(id.to_string()))?;
        let mut after = record.at(from).clone();
        let written = [
            change.name.as_deref().map(check_name),
            change.role.as_deref().map(check_role),
        ];
        let problems: Vec<crate::intake::Wrong> = written
            .into_iter()
            .flatten()
            .chain(change.attrs.iter().map(|(k, v)| check_attr(k, v)))
            .filter_map(|r| r.err().map(crate::intake::Wrong::Part))
            .collect();
        if !problems.is_empty() {
            return Err(Error::rejected_entry(problems));
        }
        if let Some(n) = change.name {
            after.name = n;
        }
        if let Some(d) = change.department {
            if !crate::domain::event::is_identifier(&d) {
                return Err(Invalid::BadId {
                    what: "department",
                    given: d,
                }
                .into());
            }
            after.department = d;
        }
        if let Some(r) = change.role {
            after.role = r;
        }
        if let Some(s) = change.supervisor {
            if let Some(s) = &s {
                if s == id {
                    return Err(Invalid::OwnSupervisor.into());
                }
                if store.staff_record(s)?.is_none() {
                    return Err(Invalid::SupervisorNotOnFile(s.clone()).into());
                }
            }
            after.supervisor = s;
        }
        let named: BTreeSet<String> = change.attrs.keys().cloned().collect();
        after.attrs.extend(change.attrs);
        let columns = StaffColumns {
            supervisor: true,
            attrs: named,
        };
        let update =
            diff(&record, &after, &columns, from, false).ok_or_else(|| Invalid::SameRecord {
                employee: id.to_string(),
                from,
            })?;
        self.refuse_closed(&store, std::slice::from_ref(&update))?;
        refuse_cycles(&records_by_id(&store)?, std::slice::from_ref(&update))?;
        let problems = missing_fields(&rulebook, Some(&record), &update, self.today);
        if !problems.is_empty() {
            return Err(Error::rejected_entry(problems));
        }
        if from < Month::of(record.latest().joined) {
            return Err(Invalid::BeforeJoining {
                employee: id.to_string(),
                joined: record.latest().joined,
                earliest: Month::of(record.latest().joined),
            }
            .into());
        }
        store.put_staff(&[update], "entry", &self.stamp(by))?;
        self.record_of(id)
    }

    /// The staff as their records stood in `at` (default: this month), of one department
    /// or all; employees who had left before it or had not yet joined are left out.
    pub fn staff(
        &self,
        by: &Actor,
        department: Option<&str>,
        at: Option<Month>,
    ) -> Result<Vec<Employee>> {
        let seen = self.seen_by(by)?;
        let month = at.unwrap_or(Month::of(self.today));
        Ok(self
            .store()?
            .staff_records()?
            .iter()
            .filter(|r| seen.contains(&r.id))
            .filter(|r| at.is_none() || r.employed_in(month))
            .map(|r| r.at(month).clone())
            .filter(|e| department.is_none_or(|d| e.department == d))
            .collect())
    }

    /// One employee's record over time, with every change, if `by` may see it.
    pub fn record(&self, by: &Actor, id: &str) -> Result<StaffRecord> {
        self.check_view(by, id)?;
        self.record_of(id)
    }

    fn record_of(&self, id: &str) -> Result<StaffRecord> {
        self.store()?
            .staff_record(id)?
            .ok_or_else(|| Invalid::NoEmployee(id.to_string()).into())
    }

    /// What storing `staff` (read from `source`) changes, refused whole when a row would
    /// move someone with logged events without a month, or reach into a closed month.
    fn updates(
        &self,
        store: &Store,
        rulebook: &Rulebook,
        records: &BTreeMap<String, StaffRecord>,
        staff: &StaffFile,
        effective: Option<Month>,
        source: &str,
    ) -> Result<Vec<StaffUpdate>> {
        let columns = StaffColumns {
            supervisor: staff.columns.iter().any(|c| c == "supervisor"),
            attrs: staff
                .columns
                .iter()
                .filter(|c| !STAFF_COLUMNS.contains(&c.as_str()))
                .cloned()
                .collect(),
        };
        let mut updates = Vec::new();
        let mut problems = Vec::new();
        let mut missing = Vec::new();
        for (line, row) in &staff.rows {
            let Some(record) = records.get(&row.id) else {
                let update = new_employee(row);
                missing.extend(
                    missing_fields(rulebook, None, &update, self.today)
                        .into_iter()
                        .map(|wrong| RowProblem::new(format!("{source}:{line}"), wrong)),
                );
                updates.push(update);
                continue;
            };
            let from = effective.unwrap_or(Month::of(row.joined));
            let Some(update) = diff(record, row, &columns, from, effective.is_none()) else {
                continue;
            };
            let moves: Vec<Field> = (update.changes.iter())
                .filter(|(f, _)| f.is_structural())
                .map(|(f, _)| f.clone())
                .collect();
            if effective.is_none() && !moves.is_empty() && store.has_events(&row.id)? {
                problems.push(Conflict::MovesWithEvents {
                    at: format!("{source}:{line}"),
                    employee: row.id.clone(),
                    moves,
                });
                continue;
            }
            missing.extend(
                missing_fields(rulebook, Some(record), &update, self.today)
                    .into_iter()
                    .map(|wrong| RowProblem::new(format!("{source}:{line}"), wrong)),
            );
            updates.push(update);
        }
        if !missing.is_empty() {
            return Err(Error::Rejected {
                rows: Rejected::of(missing),
                outcome:
                    "nothing was imported; the policies read these attributes (`[staff_fields]`)"
                        .into(),
            });
        }
        if !problems.is_empty() {
            return Err(Invalid::Several {
                problems,
                outcome: Undone::Imported,
            }
            .into());
        }
        self.refuse_closed(store, &updates)?;
        Ok(updates)
    }

    /// Refuses changes that would alter a closed month's record (its scores are frozen
    /// under the record it had); a name is the only part that may be corrected anyway.
    fn refuse_closed(&self, store: &Store, updates: &[StaffUpdate]) -> Result<()> {
        let closed: Vec<Month> = store
            .closed_months()?
            .iter()
            .filter_map(|c| c.month.parse().ok())
            .collect();
        let mut problems = Vec::new();
        for u in updates.iter().filter(|u| !u.new) {
            let scoring = u.changes.iter().any(|(f, _)| *f != Field::Name);
            let reached: Vec<String> = closed
                .iter()
                .filter(|m| **m >= u.from && u.left.is_none_or(|l| m.first_day() <= l))
                .map(Month::to_string)
                .collect();
            if scoring && !reached.is_empty() {
                problems.push(Conflict::ReachesClosed {
                    employee: u.employee.clone(),
                    from: u.from,
                    closed: reached,
                });
            }
            // Employment dates hold for every month, whatever the change's month: a
            // `joined` or `left` that moves whether someone was employed in a closed month
            // would rewrite that month's scores and the year's count of months.
            let Some(record) = store.staff_record(&u.employee)? else {
                continue;
            };
            let moved: Vec<String> = closed
                .iter()
                .filter(|m| {
                    let after =
                        u.joined <= m.last_day() && u.left.is_none_or(|l| l >= m.first_day());
                    record.employed_in(**m) != after
                })
                .map(Month::to_string)
                .collect();
            if !moved.is_empty() {
                problems.push(Conflict::EmploymentInClosed {
                    employee: u.employee.clone(),
                    joined: u.joined,
                    left: u.left,
                    closed: moved,
                });
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Invalid::Several {
                problems,
                outcome: Undone::Stored,
            }
            .into())
        }
    }
}

/// Refuses updates after which someone's chain of supervisors would lead back to them (a
/// review's manager step would then wait on itself). Each is judged on the latest records,
/// with the updates applied.
fn refuse_cycles(records: &BTreeMap<String, StaffRecord>, updates: &[StaffUpdate]) -> Result<()> {
    let changed: BTreeMap<&str, Option<&str>> = updates
        .iter()
        .filter_map(|u| {
            let s = u.changes.iter().find(|(f, _)| *f == Field::Supervisor);
            match (s, u.new) {
                (Some((_, s)), _) => Some((u.employee.as_str(), s.as_deref())),
                (None, true) => Some((u.employee.as_str(), None)),
                (None, false) => None,
            }
        })
        .collect();
    let supervisor_of = |e: &str| match changed.get(e) {
        Some(s) => *s,
        None => records
            .get(e)
            .and_then(|r| r.latest().supervisor.as_deref()),
    };
    match supervisor_cycle(changed.keys().copied(), supervisor_of) {
        Some(chain) => {
            Err(Invalid::SupervisorCycle(chain.into_iter().map(str::to_string).collect()).into())
        }
        None => Ok(()),
    }
}

/// Which parts of a record a file or a command names: only those change.
struct StaffColumns {
    supervisor: bool,
    attrs: BTreeSet<String>,
}

/// A new employee: every part of the record from the month they joined.
fn new_employee(e: &Employee) -> StaffUpdate {
    let mut changes = vec![
        (Field::Name, Some(e.name.clone())),
        (Field::Department, Some(e.department.clone())),
        (Field::Role, Some(e.role.clone())),
    ];
    if let Some(s) = &e.supervisor {
        changes.push((Field::Supervisor, Some(s.clone())));
    }
    changes.extend(
        e.attrs
            .iter()
            .map(|(k, v)| (Field::Attr(k.clone()), Some(v.clone()))),
    );
    StaffUpdate {
        employee: e.id.clone(),
        new: true,
        joined: e.joined,
        left: e.left,
        from: Month::of(e.joined),
        changes,
        detail: format!(
            "joined {}: {}, {}, {}",
            e.joined, e.name, e.department, e.role
        ),
    }
}

/// What changes from `record` (as it stands in `from`, or as it stands last for a
/// correction) to `after`, for the parts `columns` names; `None` when nothing does.
fn diff(
    record: &StaffRecord,
    after: &Employee,
    columns: &StaffColumns,
    from: Month,
    correction: bool,
) -> Option<StaffUpdate> {
    let before = if correction {
        record.latest()
    } else {
        record.at(from)
    };
    let mut fields = vec![Field::Name, Field::Department, Field::Role];
    if columns.supervisor {
        fields.push(Field::Supervisor);
    }
    fields.extend(
        columns
            .attrs
            .iter()
            .filter(|k| after.attrs.contains_key(*k))
            .map(|k| Field::Attr(k.clone())),
    );
    let mut changes = Vec::new();
    let mut detail = Vec::new();
    for f in fields {
        let (old, new) = (f.of(before), f.of(after));
        if old != new {
            detail.push(format!(
                "{} {} → {}",
                f.key(),
                old.as_deref().unwrap_or("(none)"),
                new.as_deref().unwrap_or("(none)")
            ));
            changes.push((f, new));
        }
    }
    let latest = record.latest();
    for (what, old, new) in [
        ("joined", Some(latest.joined), Some(after.joined)),
        ("left", latest.left, after.left),
    ] {
        if old != new {
            let show = |d: Option<chrono::NaiveDate>| d.map_or("(none)".into(), |d| d.to_string());
            detail.push(format!("{what} {} → {}", show(old), show(new)));
        }
    }
    if detail.is_empty() {
        return None;
    }
    Some(StaffUpdate {
        employee: record.id.clone(),
        new: false,
        joined: after.joined,
        left: after.left,
        from,
        changes,
        detail: format!("from {from}: {}", detail.join("; ")),
    })
}

/// What the record `update` leaves lacks of the attributes the governing policies read
/// (`[staff_fields]`): each version of the record is checked against the policy governing
/// its department when it starts, and the version in force today against today's.
fn missing_fields(
    rulebook: &Rulebook,
    record: Option<&StaffRecord>,
    update: &StaffUpdate,
    today: chrono::NaiveDate,
) -> Vec<Wrong> {
    let pending = update.changes.iter().map(|(field, value)| Change {
        field: field.clone(),
        value: value.clone(),
        from: update.from,
        by: String::new(),
        at: String::new(),
    });
    let changes = record
        .map(|r| r.changes.clone())
        .unwrap_or_default()
        .into_iter()
        .chain(pending)
        .collect();
    let after = StaffRecord::new(&update.employee, update.joined, update.left, changes);
    let now = Month::of(today);
    let mut checks: Vec<(Month, &Employee)> =
        after.versions().iter().map(|(m, e)| (*m, e)).collect();
    if now > checks.last().map_or(now, |(m, _)| *m) {
        checks.push((now, after.at(now)));
    }
    // Each problem once, though several months may find it.
    let mut problems = Vec::new();
    for (month, e) in checks {
        if !after.employed_in(month) {
            continue;
        }
        let Some(policy) = rulebook.governing(&e.department, month) else {
            continue;
        };
        for wrong in lacking(policy, e, Some(month)) {
            if !problems.contains(&wrong) {
                problems.push(wrong);
            }
        }
    }
    problems
}

/// The staff attributes `policy` reads (`[staff_fields]`) that `e` lacks or holds in
/// another type; each naming the policy and the month it reads them from, when `from`.
pub(super) fn lacking<'a>(
    policy: &'a crate::policy::Policy,
    e: &'a Employee,
    from: Option<Month>,
) -> impl Iterator<Item = Wrong> + 'a {
    (policy.staff_fields.iter()).filter_map(move |(name, ty)| {
        let bad = match e.attrs.get(name).map(|v| ty.parse(v)) {
            Some(Ok(_)) => return None,
            Some(Err(bad)) => Some(bad),
            None => None,
        };
        Some(Wrong::Attribute {
            employee: e.id.clone(),
            name: name.clone(),
            ty: *ty,
            bad,
            by: from.map(|month| Box::new((policy.id.clone(), e.department.clone(), month))),
        })
    })
}

/// Every employee's record, by id.
fn records_by_id(store: &Store) -> Result<BTreeMap<String, StaffRecord>> {
    Ok(store
        .staff_records()?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect())
}

/// One CSV record with its header, as the staff intake reads files.
fn csv_text(header: &[&str], row: &[String]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    w.write_record(header).expect("CSV into memory");
    w.write_record(row).expect("CSV into memory");
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
