//! `staff.csv`: `id,name,department,role,joined,left,supervisor` then attribute columns.

use std::collections::{BTreeMap, BTreeSet};

use super::attendance::not_a;
use super::{Expected, Rejected, RowProblem, Table, Wrong};
use crate::domain::event::is_identifier;
use crate::domain::month::parse_date;
use crate::domain::staff::{Employee, check_attr, check_name, check_role};
use crate::domain::text::clip;

/// The standard columns, in order; any others are attributes.
pub const COLUMNS: [&str; 7] = crate::domain::staff::RECORD_PARTS;

/// A staff file, validated: its columns (what it names) and its rows with their lines.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffFile {
    pub columns: Vec<String>,
    pub rows: Vec<(u64, Employee)>,
}

/// Reads and validates a staff file; `known` are the ids already on file (possible supervisors).
pub fn read_staff(name: &str, text: &str, known: &BTreeSet<String>) -> Result<StaffFile, Rejected> {
    let table = Table::read(name, text, &COLUMNS[..5])?;
    let in_file: BTreeSet<&str> = table
        .rows
        .iter()
        .map(|(_, r)| table.cell(r, "id"))
        .collect();
    let mut seen = BTreeSet::new();
    let mut staff = Vec::new();
    let mut problems = Rejected::default();
    for (line, row) in &table.rows {
        let mut msgs = Vec::new();
        let cell = |c: &str| table.cell(row, c);
        let id = cell("id");
        if id.is_empty()
            || id.chars().count() > 40
            || id
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == ',')
        {
            msgs.push(Wrong::BadStaffId(clip(id)));
        } else if !seen.insert(id.to_string()) {
            msgs.push(Wrong::IdTwice(id.to_string()));
        }
        msgs.extend(check_name(cell("name")).err().map(Wrong::Part));
        let dept = cell("department");
        if !is_identifier(dept) {
            msgs.push(Wrong::BadDepartment(clip(dept)));
        }
        msgs.extend(check_role(cell("role")).err().map(Wrong::Part));
        let joined = parse_date(cell("joined"));
        if joined.is_none() {
            msgs.push(not_a("joined", cell("joined"), Expected::Date));
        }
        let left = match cell("left") {
            "" => None,
            s => {
                let d = parse_date(s);
                match (d, joined) {
                    (None, _) => msgs.push(not_a("left", s, Expected::DateOrEmpty)),
                    (Some(l), Some(j)) if l < j => {
                        msgs.push(Wrong::LeftBeforeJoined { left: l, joined: j })
                    }
                    _ => {}
                }
                d
            }
        };
        let supervisor = match cell("supervisor") {
            "" => None,
            s if s == id => {
                msgs.push(Wrong::OwnSupervisor);
                None
            }
            s if !in_file.contains(s) && !known.contains(s) => {
                msgs.push(Wrong::NoSuchSupervisor(clip(s)));
                None
            }
            s => Some(s.to_string()),
        };
        let attrs: BTreeMap<String, String> = table
            .headers
            .iter()
            .zip(row)
            .filter(|(h, v)| !COLUMNS.contains(&h.as_str()) && !v.trim().is_empty())
            .map(|(h, v)| (h.clone(), v.trim().to_string()))
            .collect();
        msgs.extend(
            attrs
                .iter()
                .filter_map(|(k, v)| check_attr(k, v).err().map(Wrong::Part)),
        );
        match (msgs.is_empty(), joined) {
            (true, Some(joined)) => staff.push((
                *line,
                Employee {
                    id: id.to_string(),
                    name: cell("name").to_string(),
                    department: dept.to_string(),
                    role: cell("role").to_string(),
                    joined,
                    left,
                    supervisor,
                    attrs,
                },
            )),
            _ => problems.push_row(
                msgs.into_iter()
                    .map(|w| RowProblem::of(format!("{name}:{line}"), w.into())),
            ),
        }
    }
    problems.or(|| StaffFile {
        columns: table.headers,
        rows: staff,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_with_attributes_and_bom() {
        let text = "\u{feff}id,name,department,role,joined,left,supervisor,shift_start\nE1,张三,cs,staff,2025-01-01,,,08:30\nE2,李四,cs,manager,2024-01-01,,E1,\n";
        let staff = read_staff("s.csv", text, &BTreeSet::new()).unwrap();
        assert_eq!(staff.rows.len(), 2);
        assert_eq!(staff.rows[0].1.attrs["shift_start"], "08:30");
        assert_eq!(staff.rows[1].1.supervisor.as_deref(), Some("E1"));
        assert_eq!(
            staff.columns.last().map(String::as_str),
            Some("shift_start")
        );
    }

    #[test]
    fn lists_every_bad_row() {
        let text = "id,name,department,role,joined,left,supervisor\nE1,,cs,staff,2025-13-01,,\nE1,a,CS,staff,2025-01-01,2024-01-01,X9\n";
        let err = read_staff("s.csv", text, &BTreeSet::new()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("s.csv:2: name is empty"), "{text}");
        assert!(
            text.contains("s.csv:2: joined `2025-13-01` is not a date"),
            "{text}"
        );
        assert!(text.contains("s.csv:3: id `E1` appears twice"), "{text}");
        assert!(text.contains("s.csv:3: supervisor `X9`"), "{text}");
        assert!(
            text.contains("s.csv:3: left 2024-01-01 is before joined"),
            "{text}"
        );
    }
}
