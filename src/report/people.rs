//! `staff list`, `dept list` and `dept rate`: employees, departments, the departments' year.

use serde::Serialize;

use super::{Columns, Layout, Records};
use crate::domain::labels::{Glossary, moment, staff_field, staff_role};
use crate::domain::points::Points;
use crate::domain::staff::{Department, Employee, Field, StaffRecord};
use crate::domain::user::User;
use crate::engine::DepartmentRating;

/// `appraise staff list`.
#[derive(Debug, Serialize)]
pub struct StaffView {
    pub staff: Vec<Employee>,
}

impl Records for StaffView {
    fn layout(&self, words: &Glossary) -> Layout {
        Columns::over(&self.staff)
            .left("工号", |e| e.id.clone())
            .left("姓名", |e| e.name.clone())
            .left("部门", |e| words.department(&e.department).to_string())
            .id("部门编号", |e| e.department.clone())
            .left("岗位", |e| staff_role(&e.role).to_string())
            .id("岗位编号", |e| e.role.clone())
            .left("入职", |e| e.joined.to_string())
            .left("离职", |e| {
                e.left.map(|d| d.to_string()).unwrap_or_default()
            })
            .minor()
            .left("直属上级", |e| e.supervisor.clone().unwrap_or_default())
            .text("其他属性", |e| attributes(&e.attrs, " "))
            .done()
    }
}

/// A staff record's extra attributes as people read them: `上班时间 08:30`.
fn attributes(attrs: &std::collections::BTreeMap<String, String>, sep: &str) -> String {
    attrs
        .iter()
        .map(|(k, v)| format!("{} {v}", staff_field(&Field::Attr(k.clone()))))
        .collect::<Vec<_>>()
        .join(sep)
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
    fn layout(&self, words: &Glossary) -> Layout {
        Columns::over(&self.record.changes)
            .left("起始", |c| c.from.to_string())
            .left("字段", |c| staff_field(&c.field))
            .id("字段编号", |c| c.field.key())
            .text("值", |c| match (&c.field, c.value.as_deref()) {
                (_, None) => "（无）".into(),
                (Field::Department, Some(d)) => words.department(d).to_string(),
                (Field::Role, Some(r)) => staff_role(r).to_string(),
                (_, Some(v)) => v.to_string(),
            })
            .id("值编号", |c| c.value.clone().unwrap_or_default())
            .left("修改人", |c| c.by.clone())
            .left("修改时间", |c| moment(&c.at))
            .minor()
            .done()
    }
    fn heading(&self, _: &Glossary) -> Vec<String> {
        vec![format!("{} 的档案变更历史", self.record.id)]
    }
    fn footing(&self, words: &Glossary) -> Vec<String> {
        self.record
            .versions()
            .iter()
            .map(|(from, e)| {
                let mut parts = vec![
                    e.name.clone(),
                    words.department(&e.department).to_string(),
                    staff_role(&e.role).to_string(),
                    format!("直属上级 {}", e.supervisor.as_deref().unwrap_or("-")),
                ];
                if !e.attrs.is_empty() {
                    parts.push(attributes(&e.attrs, " · "));
                }
                format!("自 {from} 起：{}", parts.join(" · "))
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
    fn layout(&self, words: &Glossary) -> Layout {
        Columns::over(&self.users)
            .left("登录名", |u| u.login.clone())
            .text("姓名", |u| u.name.clone())
            .left("角色", |u| u.role.label().to_string())
            .id("角色编号", |u| u.role.to_string())
            .left("工号", |u| u.employee.clone().unwrap_or_default())
            .left("部门", |u| {
                u.department
                    .as_deref()
                    .map(|d| words.department(d).to_string())
                    .unwrap_or_default()
            })
            .id("部门编号", |u| u.department.clone().unwrap_or_default())
            .left("可登录", |u| {
                if self.disabled.contains(&u.login) {
                    "否"
                } else {
                    "是"
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
    fn layout(&self, _: &Glossary) -> Layout {
        Columns::over(&self.departments)
            .left("编号", |d| d.id.clone())
            .left("名称", |d| d.name.clone())
            .left("负责人", |d| d.head.clone().unwrap_or_default())
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
    fn layout(&self, _: &Glossary) -> Layout {
        Columns::over(&self.departments)
            .id("部门编号", |d| d.department.clone())
            .left("部门", |d| d.name.clone())
            .left("负责人", |d| d.head.clone().unwrap_or_default())
            .minor()
            .right("指标", |d| d.targets_total.to_string())
            .right("未完成", |d| d.targets_missed.to_string())
            .right("预算", |d| money(d.budget))
            .minor()
            .right("支出", |d| money(d.spent))
            .minor()
            .right("节约", |d| money(d.savings))
            .right("负责人奖金扣减%", |d| d.head_bonus_cut.to_string())
            .right("部门奖金", |d| d.department_bonus.to_string())
            .text("说明", |d| {
                if d.missed.is_empty() {
                    d.note.clone()
                } else {
                    format!("{}；未完成：{}", d.note, d.missed.join("、"))
                }
            })
            .done()
    }
    fn heading(&self, _: &Glossary) -> Vec<String> {
        vec![format!("{} 年部门考核", self.year)]
    }
}
