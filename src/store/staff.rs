//! Departments and employees.

use rusqlite::{OptionalExtension, Row, params};

use super::{Error, Result, Stamp, Store, audit};
use crate::month::parse_date;
use crate::staff::{Department, Employee};

impl Store {
    /// Creates a department or updates the name/head given.
    pub fn put_department(
        &mut self,
        id: &str,
        name: Option<&str>,
        head: Option<&str>,
        stamp: &Stamp,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO departments (id, name, head) VALUES (?1, coalesce(?2, ?1), ?3)
             ON CONFLICT(id) DO UPDATE SET name = coalesce(?2, name), head = coalesce(?3, head)",
            params![id, name, head],
        )?;
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

    /// Inserts or updates employees in one transaction, creating missing departments.
    /// `source` names where they came from (a file, or `entry`), for the audit log.
    pub fn put_staff(&mut self, staff: &[Employee], source: &str, stamp: &Stamp) -> Result<()> {
        let tx = self.conn.transaction()?;
        for e in staff {
            tx.execute(
                "INSERT INTO departments (id, name) VALUES (?1, ?1) ON CONFLICT(id) DO NOTHING",
                [&e.department],
            )?;
            tx.execute(
                "INSERT INTO staff (id, name, department, role, joined, left_on, supervisor, attrs)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(id) DO UPDATE SET name = ?2, department = ?3, role = ?4, joined = ?5,
                   left_on = ?6, supervisor = ?7, attrs = ?8",
                params![
                    e.id,
                    e.name,
                    e.department,
                    e.role,
                    e.joined.to_string(),
                    e.left.map(|d| d.to_string()),
                    e.supervisor,
                    serde_json::to_string(&e.attrs).unwrap_or_else(|_| "{}".into()),
                ],
            )?;
        }
        // Name the employees when few; a company-wide file is summarised by its count.
        let ids = staff
            .iter()
            .map(|e| e.id.as_str())
            .take(20)
            .collect::<Vec<_>>();
        let more = if staff.len() > ids.len() { " …" } else { "" };
        audit(
            &tx,
            stamp,
            "staff.import",
            source,
            &format!("{} employees: {}{more}", staff.len(), ids.join(" ")),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every employee, by id.
    pub fn staff(&self) -> Result<Vec<Employee>> {
        let mut st = self
            .conn
            .prepare(&format!("SELECT {STAFF_COLUMNS} FROM staff ORDER BY id"))?;
        let rows = st.query_map([], staff_row)?;
        rows.map(|r| employee(r?)).collect()
    }

    pub fn employee(&self, id: &str) -> Result<Option<Employee>> {
        self.conn
            .query_row(
                &format!("SELECT {STAFF_COLUMNS} FROM staff WHERE id = ?1"),
                [id],
                staff_row,
            )
            .optional()?
            .map(employee)
            .transpose()
    }
}

/// A staff row as stored, before its dates and attributes are parsed.
type StaffRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
);

const STAFF_COLUMNS: &str = "id, name, department, role, joined, left_on, supervisor, attrs";

fn staff_row(r: &Row) -> rusqlite::Result<StaffRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

fn employee(row: StaffRow) -> Result<Employee> {
    let (id, name, department, role, joined, left, supervisor, attrs) = row;
    let date =
        |s: &str| parse_date(s).ok_or_else(|| Error::Corrupt(format!("employee {id} date `{s}`")));
    Ok(Employee {
        joined: date(&joined)?,
        left: left.as_deref().map(date).transpose()?,
        attrs: serde_json::from_str(&attrs)
            .map_err(|e| Error::Corrupt(format!("employee {id} attrs: {e}")))?,
        id,
        name,
        department,
        role,
        supervisor,
    })
}

/// A department's yearly target and whether it was met (the latest record wins).
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
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
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO dept_targets (department, year, name, met, by, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![department, year, name, met, stamp.by, stamp.at],
        )?;
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
    pub fn targets(&self, department: &str, year: i32) -> Result<Vec<Target>> {
        let mut st = self.conn.prepare(
            "SELECT t.name, t.met FROM dept_targets t
             WHERE t.department = ?1 AND t.year = ?2
               AND t.id = (SELECT max(id) FROM dept_targets u WHERE u.department = t.department AND u.year = t.year AND u.name = t.name)
             ORDER BY (SELECT min(id) FROM dept_targets u WHERE u.department = t.department AND u.year = t.year AND u.name = t.name)",
        )?;
        let rows = st.query_map(params![department, year], |r| {
            Ok(Target {
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
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO dept_budgets (department, year, budget, spent, by, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![department, year, budget, spent, stamp.by, stamp.at],
        )?;
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
