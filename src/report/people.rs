//! `staff list`, `dept list` and `dept rate`: employees, departments, the departments' year.

use serde::Serialize;

use super::{Columns, Layout, Records};
use crate::domain::points::Points;
use crate::domain::staff::{Department, Employee, StaffRecord};
use crate::domain::user::User;
use crate::engine::DepartmentRating;

/// `appraise staff list`.
#[derive(Debug, Serialize)]
pub struct StaffView {
    pub staff: Vec<Employee>,
}

impl Records for StaffView {
    fn layout(&self) -> Layout {
        Columns::over(&self.staff)
            .left("id", |e| e.id.clone())
            .left("name", |e| e.name.clone())
            .left("department", |e| e.department.clone())
            .left("role", |e| e.role.clone())
            .left("joined", |e| e.joined.to_string())
            .left("left", |e| {
                e.left.map(|d| d.to_string()).unwrap_or_default()
            })
            .left("supervisor", |e| e.supervisor.clone().unwrap_or_default())
            .text("attributes", |e| {
                e.attrs
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .done()
    }
}

/// `appraise staff history ID`: every change, then the record from each month on.
#[derive(Debug)]
pub struct StaffHistoryView {
    pub record: StaffRecord,
}

impl Serialize for StaffHistoryView {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let versions: Vec<serde_json::Value> = self
            .record
            .versions()
            .iter()
            .map(|(from, e)| {
                let mut v = serde_json::to_value(e).unwrap_or_default();
                v["from"] = serde_json::Value::String(from.to_string());
                v
            })
            .collect();
        let mut st = s.serialize_struct("StaffHistory", 3)?;
        st.serialize_field("employee", &self.record.id)?;
        st.serialize_field("changes", &self.record.changes)?;
        st.serialize_field("records", &versions)?;
        st.end()
    }
}

impl Records for StaffHistoryView {
    fn layout(&self) -> Layout {
        Columns::over(&self.record.changes)
            .left("from", |c| c.from.to_string())
            .left("field", |c| c.field.key())
            .text("value", |c| {
                c.value.clone().unwrap_or_else(|| "(none)".into())
            })
            .left("by", |c| c.by.clone())
            .left("at", |c| c.at.clone())
            .done()
    }
    fn heading(&self) -> Vec<String> {
        vec![format!("The record of {} over time", self.record.id)]
    }
    fn footing(&self) -> Vec<String> {
        self.record
            .versions()
            .iter()
            .map(|(from, e)| {
                let mut parts = vec![
                    e.name.clone(),
                    e.department.clone(),
                    e.role.clone(),
                    format!("supervisor {}", e.supervisor.as_deref().unwrap_or("-")),
                ];
                parts.extend(e.attrs.iter().map(|(k, v)| format!("{k}={v}")));
                format!("from {from}: {}", parts.join(" · "))
            })
            .collect()
    }
}

/// `appraise user list`.
#[derive(Debug, Serialize)]
pub struct UsersView {
    pub users: Vec<User>,
    /// The logins that cannot log in (no password set, or disabled).
    pub disabled: Vec<String>,
}

impl Records for UsersView {
    fn layout(&self) -> Layout {
        Columns::over(&self.users)
            .left("login", |u| u.login.clone())
            .text("name", |u| u.name.clone())
            .left("role", |u| u.role.to_string())
            .left("employee", |u| u.employee.clone().unwrap_or_default())
            .left("department", |u| u.department.clone().unwrap_or_default())
            .left("can_log_in", |u| {
                if self.disabled.contains(&u.login) {
                    "no"
                } else {
                    "yes"
                }
                .to_string()
            })
            .done()
    }
}

/// `appraise dept list`.
#[derive(Debug, Serialize)]
pub struct DepartmentsView {
    pub departments: Vec<Department>,
}

impl Records for DepartmentsView {
    fn layout(&self) -> Layout {
        Columns::over(&self.departments)
            .left("id", |d| d.id.clone())
            .left("name", |d| d.name.clone())
            .left("head", |d| d.head.clone().unwrap_or_default())
            .done()
    }
}

/// `appraise dept rate`.
#[derive(Debug, Serialize)]
pub struct DepartmentRatingsView {
    pub year: i32,
    pub departments: Vec<DepartmentRating>,
}

fn money(p: Option<Points>) -> String {
    p.map_or("-".into(), |p| p.to_string())
}

impl Records for DepartmentRatingsView {
    fn layout(&self) -> Layout {
        Columns::over(&self.departments)
            .left("department", |d| d.department.clone())
            .left("name", |d| d.name.clone())
            .left("head", |d| d.head.clone().unwrap_or_default())
            .right("targets", |d| d.targets_total.to_string())
            .right("missed", |d| d.targets_missed.to_string())
            .right("budget", |d| money(d.budget))
            .right("spent", |d| money(d.spent))
            .right("savings", |d| money(d.savings))
            .right("head bonus cut %", |d| d.head_bonus_cut.to_string())
            .right("department bonus", |d| d.department_bonus.to_string())
            .text("note", |d| {
                if d.missed.is_empty() {
                    d.note.clone()
                } else {
                    format!("{}；未完成：{}", d.note, d.missed.join("、"))
                }
            })
            .done()
    }
    fn heading(&self) -> Vec<String> {
        vec![format!("Department appraisal, {}", self.year)]
    }
}
