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
        let ids = staff.iter().map(|e| e.id.as_str()).collect::<Vec<_>>();
        audit(
            &tx,
            stamp,
            "staff.import",
            source,
            &format!("{} employees: {}", staff.len(), ids.join(" ")),
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
