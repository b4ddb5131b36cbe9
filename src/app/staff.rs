//! Employees: importing the staff file, saving one employee, listing them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::{Actor, App, Error, Result, read_file};
use crate::intake::{STAFF_COLUMNS, read_staff};
use crate::staff::Employee;
use crate::store::Store;

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

/// What a staff import stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffImported {
    pub file: String,
    pub added: usize,
    pub updated: usize,
}

impl App {
    /// Imports a staff file, all or nothing: a row whose id exists updates that employee.
    pub fn import_staff(&self, by: &Actor, file: &Path) -> Result<StaffImported> {
        let mut store = self.store()?;
        let text = read_file(file)?;
        let name = file.display().to_string();
        let known = known_ids(&store)?;
        let staff = read_staff(&name, &text, &known).map_err(|rows| Error::Rejected {
            rows,
            outcome: "nothing was imported; fix the rows above and import the file again".into(),
        })?;
        let updated = staff.iter().filter(|e| known.contains(&e.id)).count();
        store.put_staff(&staff, &name, &self.stamp(by))?;
        Ok(StaffImported {
            file: name,
            added: staff.len() - updated,
            updated,
        })
    }

    /// Adds or updates one employee, validated exactly as a row of the staff file.
    pub fn save_employee(&self, by: &Actor, input: StaffInput) -> Result<Employee> {
        let mut store = self.store()?;
        let mut header: Vec<&str> = STAFF_COLUMNS.to_vec();
        let mut row = vec![
            input.id,
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
        let text = csv_text(&header, &row);
        let known = known_ids(&store)?;
        let mut staff = read_staff("entry", &text, &known).map_err(|rows| Error::Rejected {
            rows,
            outcome: "nothing was stored".into(),
        })?;
        store.put_staff(&staff, "entry", &self.stamp(by))?;
        Ok(staff.remove(0))
    }

    /// Every employee, or those of one department.
    pub fn staff(&self, department: Option<&str>) -> Result<Vec<Employee>> {
        Ok(self
            .store()?
            .staff()?
            .into_iter()
            .filter(|e| department.is_none_or(|d| e.department == d))
            .collect())
    }
}

fn known_ids(store: &Store) -> Result<BTreeSet<String>> {
    Ok(store.staff()?.into_iter().map(|e| e.id).collect())
}

/// One CSV record with its header, as the staff intake reads files.
fn csv_text(header: &[&str], row: &[String]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    w.write_record(header).expect("CSV into memory");
    w.write_record(row).expect("CSV into memory");
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
