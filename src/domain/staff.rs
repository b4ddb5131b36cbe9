//! Employees and departments.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::month::Month;

/// The parts every staff record has (the standard columns of a staff file, and what scripts
/// read as `staff.NAME` without a declaration); any other part is an attribute.
pub const RECORD_PARTS: [&str; 7] = [
    "id",
    "name",
    "department",
    "role",
    "joined",
    "left",
    "supervisor",
];

/// The longest name, role and attribute value a record holds: a staff file of 10 MB
/// names was accepted, and every page and table showing it carried them.
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_ROLE_CHARS: usize = 40;
pub const MAX_ATTR_CHARS: usize = 200;

/// What is wrong with a part of a staff record as written, as facts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadPart {
    #[error("name is empty")]
    NameEmpty,
    #[error("role is empty; use e.g. staff or manager")]
    RoleEmpty,
    #[error(
        "role `{0}` is not a role: at most {MAX_ROLE_CHARS} letters, digits, `_`, `-` or spaces, e.g. staff or 客服主管"
    )]
    BadRole(String),
    /// A name or an attribute's value that is not plain text of its length.
    #[error("{0}")]
    NotPlain(crate::domain::text::NotPlain),
}

/// Checks a name as written: plain text of at most [`MAX_NAME_CHARS`].
pub fn check_name(name: &str) -> Result<(), BadPart> {
    if name.is_empty() {
        return Err(BadPart::NameEmpty);
    }
    crate::domain::text::plain("name", name, MAX_NAME_CHARS).map_err(BadPart::NotPlain)
}

/// Checks a role as written: a word or two of letters, digits, `_`, `-` and spaces (staff,
/// 客服主管), the way scripts compare it (`staff.role == "manager"`).
pub fn check_role(role: &str) -> Result<(), BadPart> {
    if role.is_empty() {
        Err(BadPart::RoleEmpty)
    } else if role.chars().nth(MAX_ROLE_CHARS).is_some()
        || !role
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' '))
    {
        Err(BadPart::BadRole(crate::domain::text::clip(role)))
    } else {
        Ok(())
    }
}

/// Checks an attribute's value as written: plain text of at most [`MAX_ATTR_CHARS`].
pub fn check_attr(name: &str, value: &str) -> Result<(), BadPart> {
    crate::domain::text::plain(
        &format!("`{}`", crate::domain::text::clip(name)),
        value,
        MAX_ATTR_CHARS,
    )
    .map_err(BadPart::NotPlain)
}

/// The employee among `updated` whose supervisor chain, with those changes, comes back
/// to them: `supervisor_of` gives the supervisor each employee would have.
pub fn supervisor_cycle<'a>(
    updated: impl IntoIterator<Item = &'a str>,
    supervisor_of: impl Fn(&str) -> Option<&'a str>,
) -> Option<Vec<&'a str>> {
    for start in updated {
        let mut chain = vec![start];
        let mut at = start;
        while let Some(s) = supervisor_of(at) {
            if s == start {
                chain.push(s);
                return Some(chain);
            }
            if chain.contains(&s) {
                break; // a cycle not through `start`: found from its own members
            }
            chain.push(s);
            at = s;
        }
    }
    None
}

/// An employee as HR keeps them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Employee {
    pub id: String,
    pub name: String,
    pub department: String,
    pub role: String,
    #[serde(serialize_with = "crate::domain::month::serde_date")]
    pub joined: NaiveDate,
    #[serde(serialize_with = "crate::domain::month::serde_opt_date")]
    pub left: Option<NaiveDate>,
    pub supervisor: Option<String>,
    /// Extra columns of `staff.csv`, e.g. `shift_start`.
    pub attrs: BTreeMap<String, String>,
}

impl Employee {
    pub fn employed_on(&self, date: NaiveDate) -> bool {
        self.joined <= date && self.left.is_none_or(|left| date <= left)
    }

    /// Employed on at least one day of `month`: the month is evaluated.
    pub fn employed_in(&self, month: Month) -> bool {
        self.joined <= month.last_day() && self.left.is_none_or(|left| left >= month.first_day())
    }
}

/// A department: the unit a policy governs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Department {
    pub id: String,
    pub name: String,
    pub head: Option<String>,
}

/// A part of an employee's record that keeps its history: each change takes effect from a
/// month, and a later change of one part never touches the others.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Name,
    Department,
    Role,
    Supervisor,
    /// An extra attribute, e.g. `shift_start`.
    Attr(String),
}

impl Field {
    /// The name stored and shown: `department`, `attr:shift_start`.
    pub fn key(&self) -> String {
        match self {
            Field::Name => "name".into(),
            Field::Department => "department".into(),
            Field::Role => "role".into(),
            Field::Supervisor => "supervisor".into(),
            Field::Attr(k) => format!("attr:{k}"),
        }
    }

    /// The field of a stored key.
    pub fn parse(key: &str) -> Option<Field> {
        Some(match key {
            "name" => Field::Name,
            "department" => Field::Department,
            "role" => Field::Role,
            "supervisor" => Field::Supervisor,
            other => Field::Attr(other.strip_prefix("attr:")?.to_string()),
        })
    }

    /// The value of this field in `e` (`None`: no supervisor, no such attribute).
    pub fn of(&self, e: &Employee) -> Option<String> {
        match self {
            Field::Name => Some(e.name.clone()),
            Field::Department => Some(e.department.clone()),
            Field::Role => Some(e.role.clone()),
            Field::Supervisor => e.supervisor.clone(),
            Field::Attr(k) => e.attrs.get(k).cloned(),
        }
    }

    fn set(&self, e: &mut Employee, value: Option<&str>) {
        match self {
            Field::Name => e.name = value.unwrap_or_default().to_string(),
            Field::Department => e.department = value.unwrap_or_default().to_string(),
            Field::Role => e.role = value.unwrap_or_default().to_string(),
            Field::Supervisor => e.supervisor = value.map(str::to_string),
            Field::Attr(k) => match value {
                Some(v) => {
                    e.attrs.insert(k.clone(), v.to_string());
                }
                None => {
                    e.attrs.remove(k);
                }
            },
        }
    }

    /// Whether a change of this field moves the employee in the organisation (and so
    /// changes which policy scores them or who signs their review).
    pub fn is_structural(&self) -> bool {
        matches!(self, Field::Department | Field::Role | Field::Supervisor)
    }
}

/// A field is written as its key: `department`, `attr:shift_start`.
impl Serialize for Field {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.key())
    }
}

/// One recorded change of an employee's record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub field: Field,
    /// The new value; `None` clears it (no supervisor, attribute removed).
    pub value: Option<String>,
    /// The first month it applies to.
    pub from: Month,
    pub by: String,
    pub at: String,
}

/// An employee's record over time: who they were, in which department, under whom, in
/// every month. A month is scored with the record in force in it, so a later transfer
/// never rewrites the past.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffRecord {
    pub id: String,
    /// The record from each month on in which something changed, in month order.
    versions: Vec<(Month, Employee)>,
    /// Every change, in the order recorded.
    pub changes: Vec<Change>,
}

impl StaffRecord {
    /// The record built from its changes (in the order they were recorded): in each month,
    /// each field has the value of its change with the latest month not after it, the
    /// later recorded when two share a month.
    pub fn new(
        id: &str,
        joined: NaiveDate,
        left: Option<NaiveDate>,
        changes: Vec<Change>,
    ) -> StaffRecord {
        let mut months: Vec<Month> = changes.iter().map(|c| c.from).collect();
        months.push(Month::of(joined));
        months.sort();
        months.dedup();
        let versions = months
            .iter()
            .map(|m| {
                let mut e = Employee {
                    id: id.to_string(),
                    name: String::new(),
                    department: String::new(),
                    role: String::new(),
                    joined,
                    left,
                    supervisor: None,
                    attrs: BTreeMap::new(),
                };
                // Per field, the change in force: latest `from` not after `m`, then latest
                // recorded (a stable sort keeps the recording order among equal months).
                let mut in_force: Vec<&Change> = changes.iter().filter(|c| c.from <= *m).collect();
                in_force.sort_by_key(|c| c.from);
                for c in in_force {
                    c.field.set(&mut e, c.value.as_deref());
                }
                (*m, e)
            })
            .collect();
        StaffRecord {
            id: id.to_string(),
            versions,
            changes,
        }
    }

    /// The record of someone who never changed: one version from the month they joined
    /// (an employee read from a file, scored in memory).
    pub fn unchanged(e: Employee) -> StaffRecord {
        StaffRecord {
            id: e.id.clone(),
            versions: vec![(Month::of(e.joined), e)],
            changes: Vec::new(),
        }
    }

    /// The record in force in `month` (the first one for months before it).
    pub fn at(&self, month: Month) -> &Employee {
        let i = self.versions.partition_point(|(from, _)| *from <= month);
        &self.versions[i.saturating_sub(1)].1
    }

    /// The record as of the latest change.
    pub fn latest(&self) -> &Employee {
        &self.versions.last().expect("a record has a version").1
    }

    /// The record from each month on in which something changed.
    pub fn versions(&self) -> &[(Month, Employee)] {
        &self.versions
    }

    pub fn employed_in(&self, month: Month) -> bool {
        self.latest().employed_in(month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(field: Field, value: &str, from: &str) -> Change {
        Change {
            field,
            value: Some(value.into()),
            from: from.parse().unwrap(),
            by: "t".into(),
            at: String::new(),
        }
    }

    #[test]
    fn each_month_sees_the_record_in_force_then() {
        let joined = NaiveDate::from_ymd_opt(2025, 1, 10).unwrap();
        let record = StaffRecord::new(
            "E003",
            joined,
            None,
            vec![
                change(Field::Name, "王五", "2025-01"),
                change(Field::Department, "customer-service", "2025-01"),
                change(Field::Role, "staff", "2025-01"),
                change(Field::Attr("shift_start".into()), "08:30", "2025-01"),
                change(Field::Department, "security", "2025-04"),
                // A correction of the name recorded later applies from its own month.
                change(Field::Name, "王 五", "2025-01"),
                change(Field::Attr("shift_start".into()), "07:00", "2025-06"),
            ],
        );
        let m = |s: &str| s.parse::<Month>().unwrap();
        assert_eq!(record.at(m("2025-03")).department, "customer-service");
        assert_eq!(record.at(m("2025-04")).department, "security");
        assert_eq!(record.at(m("2025-12")).department, "security");
        // A move never wipes what it does not name.
        assert_eq!(record.at(m("2025-04")).role, "staff");
        assert_eq!(record.at(m("2025-05")).attrs["shift_start"], "08:30");
        assert_eq!(record.at(m("2025-06")).attrs["shift_start"], "07:00");
        assert_eq!(record.at(m("2025-02")).name, "王 五");
        // Before the first version: the first version.
        assert_eq!(record.at(m("2024-12")).department, "customer-service");
        assert_eq!(record.versions().len(), 3);
    }
}
