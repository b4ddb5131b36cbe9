//! The one catalogue of the words people read for the ids programs keep: review steps and
//! where a review stands, staff roles, the audit log's actions, points. JSON and files keep
//! the ids; every page, table and document a person reads takes its words from here (or
//! from the policy, for what the policy declares: kinds, fields, grades, flags, leave).

use std::collections::BTreeMap;

use super::event::{FieldValue, Fields};
use super::points::Points;

/// What people read for the ids a program receives: event kinds, departments, grades and
/// flags, over every activated policy (and the departments on file). JSON keeps the ids;
/// tables, pages and programs show these beside or instead of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Glossary {
    pub kinds: BTreeMap<String, String>,
    pub departments: BTreeMap<String, String>,
    pub grades: BTreeMap<String, String>,
    pub flags: BTreeMap<String, String>,
    /// Policy id → its name (the latest activated version's). Tables only: programs have
    /// `rules list` for the policies.
    #[serde(skip)]
    pub policies: BTreeMap<String, String>,
}

impl Glossary {
    /// An event kind's label, or the id when no policy names it.
    pub fn kind<'a>(&'a self, id: &'a str) -> &'a str {
        self.kinds.get(id).map_or(id, String::as_str)
    }

    /// A department's name, or the id when none is on file.
    pub fn department<'a>(&'a self, id: &'a str) -> &'a str {
        self.departments.get(id).map_or(id, String::as_str)
    }

    /// A grade's label, or the id when no policy names it.
    pub fn grade<'a>(&'a self, id: &'a str) -> &'a str {
        self.grades.get(id).map_or(id, String::as_str)
    }

    /// A policy's name, or the id when no activated policy has it.
    pub fn policy<'a>(&'a self, id: &'a str) -> &'a str {
        self.policies.get(id).map_or(id, String::as_str)
    }

    /// A flag's label, or the id when no policy names it.
    pub fn flag<'a>(&'a self, id: &'a str) -> &'a str {
        self.flags.get(id).map_or(id, String::as_str)
    }
}

/// The name people know a review step by.
pub fn step(step: &str) -> &str {
    match step {
        "manager" => "直属上级",
        "department_head" => "部门负责人",
        "company" => "公司",
        other => other,
    }
}

/// The id of the review step people name by `label` (直属上级 → `manager`), or `label`
/// itself when it is no step's label (an id, or a mistake the chain will name).
pub fn step_id(label: &str) -> &str {
    ["manager", "department_head", "company"]
        .into_iter()
        .find(|id| step(id) == label)
        .unwrap_or(label)
}

/// Where a review stands, from its id (`not_started`, `waiting:STEP`, `final`) as ratings
/// carry it: 未开始, 待直属上级签署, 已定稿.
pub fn review_status(status: &str) -> String {
    match status {
        "not_started" | "" => "未开始".into(),
        "final" => "已定稿".into(),
        other => match other.strip_prefix("waiting:") {
            Some(s) => waiting_on(Some(s)),
            None => other.into(),
        },
    }
}

/// Where a started review stands, from the step it waits on (none: every step signed).
pub fn waiting_on(next_step: Option<&str>) -> String {
    match next_step {
        Some(s) => format!("待{}签署", step(s)),
        None => "已定稿".into(),
    }
}

/// The name people know a staff role (in the staff file) by.
pub fn staff_role(role: &str) -> &str {
    match role {
        "staff" => "员工",
        "manager" => "主管",
        "department_head" => "部门负责人",
        other => other,
    }
}

/// A field of a staff record, for people: the record's own fields, and the attributes the
/// shipped policies read; any other attribute by its name.
pub fn staff_field(field: &crate::domain::staff::Field) -> String {
    use crate::domain::staff::Field;
    match field {
        Field::Name => "姓名".into(),
        Field::Department => "部门".into(),
        Field::Role => "岗位".into(),
        Field::Supervisor => "直属上级".into(),
        Field::Attr(a) if a == "shift_start" => "上班时间".into(),
        Field::Attr(a) => format!("属性 {a}"),
    }
}

/// What an entry of the audit log did, for people.
pub fn action(action: &str) -> &str {
    match action {
        "appeal.file" => "提出申诉",
        "appeal.reject" => "驳回申诉",
        "appeal.uphold" => "申诉成立",
        "audit.repack" => "重建评分数据",
        "backup.restore" => "以备份恢复",
        "clock.fix" => "补卡",
        "dept.add" => "设立部门",
        "evidence.attach" => "附加证据照片",
        "notify.channel" => "设置通知渠道",
        "notify.setting" => "更改设置",
        "notify.pref" => "个人通知选择",
        "dept.budget" => "部门预算",
        "dept.target" => "部门目标",
        "log.add" => "录入",
        "log.excuse" => "免除",
        "log.import" => "导入记录",
        "log.void" => "作废",
        "month.close" => "月份结账",
        "month.reopen" => "月份重开",
        "review.sign" => "签署评审",
        "review.start" => "启动评审",
        "review.start.open_months" => "启动评审（尚有月份未结账）",
        "rules.activate" => "启用规则",
        "staff.add" => "新增员工",
        "staff.change" => "员工变更",
        "staff.import" => "导入员工",
        "user.add" => "新增登录",
        "user.login" => "登录",
        "user.logout" => "退出",
        "user.passwd" => "设置密码",
        "user.disable" => "停用登录",
        "attendance.roster" => "导入排班",
        "attendance.clock" => "导入打卡",
        "attendance.handover" => "导入交接班",
        "attendance.correction" => "补卡审批",
        "attendance.leave" => "请假",
        "attendance.holiday" => "导入节假日",
        other => other,
    }
}

/// An event's fields as people read them, in order: (its label, its value), the label
/// given by `label_of` from the field's name.
pub fn fields(fields: &Fields, label_of: impl Fn(&str) -> String) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(name, value)| (label_of(name), field_value(value)))
        .collect()
}

/// A field's value as people read it: 是 / 否 for yes-or-no, the value itself otherwise.
fn field_value(value: &FieldValue) -> String {
    match value {
        FieldValue::Bool(true) => "是".into(),
        FieldValue::Bool(false) => "否".into(),
        other => other.to_string(),
    }
}

/// A stored moment (`2025-03-04T00:47:10+00:00`) as people read it: in the server's zone
/// (the `TZ` it runs with), to the minute: `2025-03-04 08:47`. Anything else is shown as
/// it is.
pub fn moment(stamp: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(stamp) {
        Ok(t) => to_the_minute(t),
        Err(_) => stamp.to_string(),
    }
}

/// A moment given in Unix seconds, as [`moment`] shows one.
pub fn moment_at(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0).map_or_else(String::new, to_the_minute)
}

fn to_the_minute<Tz: chrono::TimeZone>(t: chrono::DateTime<Tz>) -> String {
    t.with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Points as people read them: `−1 分`, `+2 分`, `0 分` (a true minus sign).
pub fn points(p: Points) -> String {
    let text = p.to_string();
    match text.strip_prefix('-') {
        Some(magnitude) => format!("−{magnitude} 分"),
        None if !p.is_zero() => format!("+{text} 分"),
        None => format!("{text} 分"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_as_words_and_unknown_ids_stay_as_they_are() {
        assert_eq!(review_status("waiting:manager"), "待直属上级签署");
        assert_eq!(review_status("not_started"), "未开始");
        assert_eq!(review_status("final"), "已定稿");
        assert_eq!(action("month.close"), "月份结账");
        assert_eq!(action("something.new"), "something.new");
        assert_eq!(points(Points::whole(-1)), "−1 分");
        assert_eq!(points(Points::whole(2)), "+2 分");
        assert_eq!(points(Points::ZERO), "0 分");
    }
}
