//! Departments and employees.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::{Error, Result, Stamp, Store, audit};
use crate::domain::month::{Month, parse_date};
use crate::domain::staff::{Change, Department, Field, StaffRecord};

impl Store {
    /// Creates a department or updates the name/head given.
    pub fn put_department(
        &mut self,
        id: &str,
        name: Option<&str>,
        head: Option<&str>,
        stamp: &Stamp,
    ) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO departments (id, name, head) VALUES (?1, coalesce(?2, ?1), ?3)
             ON CONFLICT(id) DO UPDATE SET name = coalesce(?2, name), head = coalesce(?3, head)",
            params![id, name, head],
        )?;
        super::seals::seal_rows(&tx, "departments", &[id])?;
        let detail = [
            name.map(|n| format!("name {n}")),
            head.map(|h| format!("head {h}")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
        audit(&tx, stamp, "dept.add", id, &detail)?;
        tx.commit()?;
        Ok(())
    }

    pub fn departments(&self) -> Result<Vec<Department>> {
        let mut st = self
            .conn
            .prepare("SELECT id, name, head FROM departments ORDER BY id")?;
        let rows = st.query_map([], |r| {
            Ok(Department {
                id: r.get(0)?,
                name: r.get(1)?,
                head: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Stores staff updates in one transaction: new employees, and changes of existing
    /// ones from a month on, each audited with what it was before. Departments a record
    /// names are created when missing. `source` names where they came from (a file, or
    /// `entry`).
    pub fn put_staff(
        &mut self,
        updates: &[StaffUpdate],
        source: &str,
        stamp: &Stamp,
    ) -> Result<()> {
        let tx = self.write()?;
        {
            let mut department = tx.prepare_cached(
                "INSERT INTO departments (id, name) VALUES (?1, ?1) ON CONFLICT(id) DO NOTHING",
            )?;
            let mut change = tx.prepare_cached(
                "INSERT INTO staff_changes (employee, field, value, from_month, source, by, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for u in updates {
                let mut sealed = None;
                for (field, value) in &u.changes {
                    if *field == Field::Department
                        && let Some(d) = value
                    {
                        department.execute([d])?;
                    }
                }
                let value = |f: Field| {
                    u.changes
                        .iter()
                        .find(|(x, _)| *x == f)
                        .and_then(|(_, v)| v.clone())
                };
                if u.new {
                    tx.execute(
                        "INSERT INTO staff (id, name, department, role, joined, left_on, supervisor, attrs)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '{}')",
                        params![
                            u.employee,
                            value(Field::Name).unwrap_or_default(),
                            value(Field::Department).unwrap_or_default(),
                            value(Field::Role).unwrap_or_default(),
                            u.joined.to_string(),
                            u.left.map(|d| d.to_string()),
                            value(Field::Supervisor),
                        ],
                    )?;
                } else {
                    tx.execute(
                        "UPDATE staff SET joined = ?2, left_on = ?3 WHERE id = ?1",
                        params![
                            u.employee,
                            u.joined.to_string(),
                            u.left.map(|d| d.to_string())
                        ],
                    )?;
                }
                let from = u.from.to_string();
                for (field, value) in &u.changes {
                    change.execute(params![
                        u.employee,
                        field.key(),
                        value,
                        from,
                        source,
                        stamp.by,
                        stamp.at
                    ])?;
                    let id = tx.last_insert_rowid();
                    sealed = Some(sealed.map_or((id, id), |(first, _)| (first, id)));
                }
                if let Some((first, last)) = sealed {
                    super::chain::seal(&tx, "staff_changes", first, last)?;
                }
                let action = if u.new { "staff.add" } else { "staff.change" };
                audit(&tx, stamp, action, &u.employee, &u.detail)?;
            }
        }
        // The staff rows written, and the departments a record may have created.
        let employees: Vec<&str> = updates.iter().map(|u| u.employee.as_str()).collect();
        super::seals::seal_rows(&tx, "staff", &employees)?;
        let mut departments: Vec<&str> = updates
            .iter()
            .flat_map(|u| &u.changes)
            .filter(|(f, _)| *f == Field::Department)
            .filter_map(|(_, d)| d.as_deref())
            .collect();
        departments.sort();
        departments.dedup();
        // Only a department this import created is new; the others are sealed already.
        let mut unsealed = Vec::new();
        for d in departments {
            let sealed: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM row_seals WHERE tbl = 'departments' AND key = ?1)",
                [d],
                |r| r.get(0),
            )?;
            if !sealed {
                unsealed.push(d);
            }
        }
        super::seals::seal_rows(&tx, "departments", &unsealed)?;
        audit(
            &tx,
            stamp,
            "staff.import",
            source,
            &format!(
                "{} new, {} changed",
                updates.iter().filter(|u| u.new).count(),
                updates.iter().filter(|u| !u.new).count()
            ),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every employee's record over time, by id.
    pub fn staff_records(&self) -> Result<Vec<StaffRecord>> {
        self.records(None)
    }

    /// One employee's record over time.
    pub fn staff_record(&self, id: &str) -> Result<Option<StaffRecord>> {
        Ok(self.records(Some(id))?.pop())
    }

    /// Everyone's records, or `only` that employee's. One employee's are looked up by key:
    /// a `?1 IS NULL OR id = ?1` condition would read the whole company for one person.
    fn records(&self, only: Option<&str>) -> Result<Vec<StaffRecord>> {
        let (people, changes) = match only {
            Some(_) => (
                "SELECT id, joined, left_on FROM staff WHERE id = ?1",
                "SELECT employee, field, value, from_month, by, at FROM staff_changes
                  WHERE employee = ?1 ORDER BY id",
            ),
            None => (
                "SELECT id, joined, left_on FROM staff ORDER BY id",
                "SELECT employee, field, value, from_month, by, at FROM staff_changes
                  ORDER BY employee, id",
            ),
        };
        let mut st = self.conn.prepare_cached(people)?;
        let people: Vec<(String, String, Option<String>)> = st
            .query_map(rusqlite::params_from_iter(only), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut st = self.conn.prepare_cached(changes)?;
        let mut changes: BTreeMap<String, Vec<Change>> = BTreeMap::new();
        let rows = st.query_map(rusqlite::params_from_iter(only), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        for row in rows {
            let (employee, field, value, from, by, at) = row?;
            let change = Change {
                field: Field::parse(&field)
                    .ok_or_else(|| Error::Corrupt(format!("staff change field `{field}`")))?,
                value,
                from: from
                    .parse()
                    .map_err(|_| Error::Corrupt(format!("staff change month `{from}`")))?,
                by,
                at,
            };
            changes.entry(employee).or_default().push(change);
        }
        people
            .into_iter()
            .map(|(id, joined, left)| {
                let date = |s: &str| {
                    parse_date(s).ok_or_else(|| Error::Corrupt(format!("employee {id} date `{s}`")))
                };
                let (joined, left) = (date(&joined)?, left.as_deref().map(date).transpose()?);
                let changes = changes.remove(&id).unwrap_or_default();
                Ok(StaffRecord::new(&id, joined, left, changes))
            })
            .collect()
    }

    /// Whether any event was ever logged for `employee` (voided ones too: they are part of
    /// the record).
    pub fn has_events(&self, employee: &str) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM events WHERE employee = ?1)",
            [employee],
            |r| r.get(0),
        )?)
    }
}

/// A staff change to store: a new employee (every field from the month they joined), or
/// changed fields of an existing one from a month on.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffUpdate {
    pub employee: String,
    pub new: bool,
    pub joined: NaiveDate,
    pub left: Option<NaiveDate>,
    pub from: Month,
    pub changes: Vec<(Field, Option<String>)>,
    /// What changed, before → after, for the audit log.
    pub detail: String,
}

/// A department's yearly target and whether it was met (the latest record wins).
#[derive(Debug, Clone, PartialEq)]
pub struct DepartmentTarget {
    pub name: String,
    pub met: bool,
}

impl Store {
    /// Records a target of `department` for `year` as met or missed.
    pub fn put_target(
        &mut self,
        department: &str,
        year: i32,
        name: &str,
        met: bool,
        stamp: &Stamp,
    ) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO dept_targets (department, year, name, met, by, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![department, year, name, met, stamp.by, stamp.at],
        )?;
        super::seals::seal_rows(&tx, "dept_targets", &[tx.last_insert_rowid()])?;
        audit(
            &tx,
            stamp,
            "dept.target",
            &format!("{department} {year}"),
            &format!("{name}: {}", if met { "met" } else { "missed" }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The targets of `department` for `year`, in the order first recorded.
    pub fn targets(&self, department: &str, year: i32) -> Result<Vec<DepartmentTarget>> {
        let mut st = self.conn.prepare(
            "SELECT t.name, t.met FROM dept_targets t
             WHERE t.department = ?1 AND t.year = ?2
               AND t.id = (SELECT max(id) FROM dept_targets u WHERE u.department = t.department AND u.year = t.year AND u.name = t.name)
             ORDER BY (SELECT min(id) FROM dept_targets u WHERE u.department = t.department AND u.year = t.year AND u.name = t.name)",
        )?;
        let rows = st.query_map(params![department, year], |r| {
            Ok(DepartmentTarget {
                name: r.get(0)?,
                met: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records `department`'s budget and actual spending for `year` (in hundredths).
    pub fn put_budget(
        &mut self,
        department: &str,
        year: i32,
        budget: i64,
        spent: i64,
        stamp: &Stamp,
    ) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO dept_budgets (department, year, budget, spent, by, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![department, year, budget, spent, stamp.by, stamp.at],
        )?;
        super::seals::seal_rows(&tx, "dept_budgets", &[tx.last_insert_rowid()])?;
        audit(
            &tx,
            stamp,
            "dept.budget",
            &format!("{department} {year}"),
            &format!(
                "budget {}, spent {}",
                budget as f64 / 100.0,
                spent as f64 / 100.0
            ),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The latest (budget, spent) of `department` for `year`, in hundredths.
    pub fn budget(&self, department: &str, year: i32) -> Result<Option<(i64, i64)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT budget, spent FROM dept_budgets WHERE department = ?1 AND year = ?2 ORDER BY id DESC LIMIT 1",
                params![department, year],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }
}
