//! `staff list`, `dept list` and `dept rate`: employees, departments, the departments' year.

use serde::Serialize;

use super::{Columns, Layout, Records};
use crate::engine::DepartmentRating;
use crate::points::Points;
use crate::staff::{Department, Employee};

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
