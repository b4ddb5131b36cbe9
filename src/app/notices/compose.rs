//! The notices of each change, in Chinese: an event recorded, voided or excused, an
//! import's digest, an appeal filed or decided, review steps waiting, a failed month.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::{Announcer, Digest, Recipient, WARN_AT_FAILED, deadline};
use crate::app::{Actor, App, Result};
use crate::domain::labels;
use crate::domain::month::Month;
use crate::domain::notice::NoticeKind;
use crate::domain::staff::StaffRecord;
use crate::domain::user::Role;
use crate::evaluation::rulebook::Rulebook;
use crate::policy::Policy;
use crate::store::{NewEvent, Notice, Store};

impl App {
    /// The notice telling an employee that `event` was recorded (its key is completed with
    /// the event's id by the store).
    pub(in crate::app) fn recorded_notice(
        &self,
        a: &Announcer,
        event: &NewEvent,
        record: &StaffRecord,
        policy: &Policy,
        recorder: &str,
    ) -> Option<Notice> {
        if !a.wants(NoticeKind::EventRecorded, &event.employee) {
            return None;
        }
        let month = Month::of(event.date);
        let person = record.at(month);
        let what = policy.kind_label(&event.kind);
        let fields = labels::fields(&event.fields, |f| {
            policy.field_label(&event.kind, f).to_string()
        });
        let detail: Vec<String> = fields.iter().map(|(l, v)| format!("{l} {v}")).collect();
        let detail = if detail.is_empty() {
            String::new()
        } else {
            format!("（{}）", detail.join("，"))
        };
        let qty = if event.qty > 1 {
            format!(" ×{}", event.qty)
        } else {
            String::new()
        };
        // Fixed points are said; a script's depend on the month (the how-manieth lateness),
        // so the month's page says them.
        let scoring = match policy
            .rules_for(&event.kind)
            .and_then(|(_, mut r)| r.next())
        {
            Some(r) if matches!(r.action, crate::policy::Action::Fixed(_)) && r.when.is_none() => {
                format!("计分：{}。", r.labels.reason)
            }
            Some(_) => "分值按当月规则计算，见当月明细。".to_string(),
            None => String::new(),
        };
        let (_, last_day) = self.appeal_window(event.date, self.today, policy.scoring.appeal_days);
        let text = format!(
            "【考评记录】{}：{} 记录了“{what}”{qty}{detail}。{scoring}记录人：{recorder}。{}",
            person.name,
            event.date,
            deadline(last_day)
        );
        Some(a.notice(
            NoticeKind::EventRecorded,
            Recipient {
                person: event.employee.clone(),
                department: person.department.clone(),
                employee: event.employee.clone(),
            },
            format!("{}:", NoticeKind::EventRecorded.id()),
            text,
            format!("/people/{}/{month}", event.employee),
        ))
    }

    /// One digest per employee of what an import stored for them (`stored`: how many
    /// events each), instead of a message per row; keyed by the import's first event.
    #[allow(clippy::too_many_arguments)]
    pub(in crate::app) fn import_digests(
        &self,
        a: &Announcer,
        rulebook: &Rulebook,
        staff: &BTreeMap<String, StaffRecord>,
        first: i64,
        stored: &BTreeMap<String, usize>,
        by: &Actor,
        what: Digest,
    ) -> Vec<Notice> {
        let month = Month::of(self.today);
        let mut notices = Vec::new();
        for (employee, n) in stored {
            let Some(record) = staff.get(employee) else {
                continue;
            };
            if !a.wants(NoticeKind::ImportDigest, employee) {
                continue;
            }
            let person = record.at(month);
            let days = rulebook
                .governing(&person.department, month)
                .map_or(0, |p| p.scoring.appeal_days);
            let (_, last_day) = self.appeal_window(self.today, self.today, days);
            let done = match what {
                Digest::Events => format!("{} 导入了您的 {n} 条考评记录", by.name()),
                Digest::Attendance => {
                    format!("根据 {} 导入的考勤数据，为您记入 {n} 条考勤记录", by.name())
                }
            };
            let text = format!(
                "【考评记录】{}：{done}，请查看明细。{}",
                person.name,
                deadline(last_day)
            );
            notices.push(a.notice(
                NoticeKind::ImportDigest,
                Recipient {
                    person: employee.clone(),
                    department: person.department.clone(),
                    employee: employee.clone(),
                },
                format!("{}:{first}:{employee}", NoticeKind::ImportDigest.id()),
                text,
                format!("/people/{employee}"),
            ));
        }
        notices
    }

    /// The notice telling an employee that event `id` was voided or excused.
    pub(in crate::app) fn mark_notices(
        &self,
        store: &Store,
        kind: NoticeKind,
        id: i64,
        reason: &str,
        by: &Actor,
    ) -> Result<Vec<Notice>> {
        let Some(a) = self.announcer(store)? else {
            return Ok(Vec::new());
        };
        let Some(event) = store.event(id)? else {
            return Ok(Vec::new());
        };
        if !a.wants(kind, &event.employee) {
            return Ok(Vec::new());
        }
        let month = Month::of(event.date);
        let Some(record) = store.staff_record(&event.employee)? else {
            return Ok(Vec::new());
        };
        let person = record.at(month);
        let what = self.kind_label_in(&person.department, month, &event.kind)?;
        let done = match kind {
            NoticeKind::EventVoided => "已作废（录入有误），不再计分",
            _ => "已免计，不再扣分",
        };
        let text = format!(
            "【考评记录】{}：{} 的“{what}”{done}。理由：{reason}。操作人：{}。",
            person.name,
            event.date,
            by.name()
        );
        Ok(vec![a.notice(
            kind,
            Recipient {
                person: event.employee.to_string(),
                department: person.department.clone(),
                employee: event.employee.to_string(),
            },
            format!("{}:{}", kind.id(), event.id),
            text,
            format!("/people/{}/{month}", event.employee),
        )])
    }

    /// The label of `kind` under the policy that governs `department` in `month`.
    pub(super) fn kind_label_in(
        &self,
        department: &str,
        month: Month,
        kind: &str,
    ) -> Result<String> {
        let (_, rulebook) = self.store_and_rules()?;
        Ok(rulebook
            .governing(department, month)
            .map_or_else(|| kind.to_string(), |p| p.kind_label(kind).to_string()))
    }

    /// The notice telling the department's head (or HR, when it has none) that an appeal
    /// waits for them.
    pub(in crate::app) fn appeal_waiting_notices(
        &self,
        store: &Store,
        event: i64,
        employee: &StaffRecord,
        month: Month,
        reason: &str,
        last_day: NaiveDate,
    ) -> Result<Vec<Notice>> {
        let Some(a) = self.announcer(store)? else {
            return Ok(Vec::new());
        };
        let person = employee.at(month);
        let mut notices = Vec::new();
        for to in self.deciders(store, &person.department)? {
            if !a.wants(NoticeKind::AppealWaiting, &to) {
                continue;
            }
            let text = format!(
                "【待处理申诉】{}（{}）对 {month} 的一条记录提出申诉：{reason}。请于 {last_day} 前处理。",
                person.name, person.id
            );
            notices.push(a.notice(
                NoticeKind::AppealWaiting,
                Recipient {
                    department: person.department.clone(),
                    employee: person.id.clone(),
                    person: to.clone(),
                },
                format!("{}:{event}:{to}", NoticeKind::AppealWaiting.id()),
                text,
                "/inbox".to_string(),
            ));
        }
        Ok(notices)
    }

    /// Who decides a department's appeals: its head on file and the head logins linked
    /// to it; else, when it has none, every HR login.
    pub(super) fn deciders(&self, store: &Store, department: &str) -> Result<Vec<String>> {
        let mut heads: BTreeSet<String> = store
            .departments()?
            .into_iter()
            .filter(|d| d.id == department)
            .filter_map(|d| d.head)
            .collect();
        heads.extend(
            store
                .users()?
                .into_iter()
                .filter(|u| u.role == Role::Head && u.department.as_deref() == Some(department))
                .map(|u| u.employee.unwrap_or_else(|| format!("@{}", u.login))),
        );
        if heads.is_empty() {
            return self.hr_people(store);
        }
        Ok(heads.into_iter().collect())
    }

    /// Every HR login, as a recipient.
    pub(super) fn hr_people(&self, store: &Store) -> Result<Vec<String>> {
        Ok(store
            .users()?
            .into_iter()
            .filter(|u| u.role == Role::Hr)
            .map(|u| u.employee.unwrap_or_else(|| format!("@{}", u.login)))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect())
    }

    /// The notice telling an employee how their appeal was decided.
    pub(in crate::app) fn appeal_decided_notice(
        &self,
        store: &Store,
        appeal: &crate::store::Appeal,
        upheld: bool,
        reason: &str,
        by: &Actor,
    ) -> Result<Vec<Notice>> {
        let Some(a) = self.announcer(store)? else {
            return Ok(Vec::new());
        };
        if !a.wants(NoticeKind::AppealDecided, &appeal.employee) {
            return Ok(Vec::new());
        }
        let Some(record) = store.staff_record(&appeal.employee)? else {
            return Ok(Vec::new());
        };
        let month = crate::domain::month::parse_date(&appeal.date)
            .map(Month::of)
            .unwrap_or_else(|| Month::of(self.today));
        let person = record.at(month);
        let what = self.kind_label_in(&person.department, month, &appeal.kind)?;
        let outcome = if upheld {
            "申诉成立，该记录已免计"
        } else {
            "申诉未获支持，该记录照常计分"
        };
        let text = format!(
            "【申诉结果】{}：您对 {} “{what}”的申诉已处理：{outcome}。理由：{reason}。处理人：{}。",
            person.name,
            appeal.date,
            by.name()
        );
        Ok(vec![a.notice(
            NoticeKind::AppealDecided,
            Recipient {
                person: appeal.employee.clone(),
                department: person.department.clone(),
                employee: appeal.employee.clone(),
            },
            format!("{}:{}", NoticeKind::AppealDecided.id(), appeal.id),
            text,
            format!("/people/{}/{month}", appeal.employee),
        )])
    }

    /// The notices telling signers that reviews wait on them: one per signer and step,
    /// with how many (`reviews`: the employee and the department of each).
    pub(in crate::app) fn review_waiting_notices(
        &self,
        store: &Store,
        year: i32,
        waiting: &[(String, String, String, Option<String>)],
    ) -> Result<Vec<Notice>> {
        let Some(a) = self.announcer(store)? else {
            return Ok(Vec::new());
        };
        // (signer, step) → (department, employees)
        let mut by_signer: BTreeMap<(String, String), (String, Vec<String>)> = BTreeMap::new();
        for (employee, department, step, signer) in waiting {
            let signers = match signer {
                Some(s) => vec![s.clone()],
                None => self.hr_people(store)?,
            };
            for s in signers {
                by_signer
                    .entry((s, step.clone()))
                    .or_insert_with(|| (department.clone(), Vec::new()))
                    .1
                    .push(employee.clone());
            }
        }
        let mut notices = Vec::new();
        for ((signer, step), (department, employees)) in by_signer {
            if !a.wants(NoticeKind::ReviewWaiting, &signer) {
                continue;
            }
            let mut shown = Vec::new();
            for e in employees.iter().take(5) {
                let name = store
                    .staff_record(e)?
                    .map(|r| r.at(Month::of(self.today)).name.clone())
                    .unwrap_or_default();
                shown.push(format!("{name}（{e}）"));
            }
            let more = if employees.len() > shown.len() {
                " 等"
            } else {
                ""
            };
            let text = format!(
                "【待签署考评】{year} 年度考评有 {} 份待您以“{}”签署：{}{more}。",
                employees.len(),
                labels::step(&step),
                shown.join("、")
            );
            notices.push(a.notice(
                NoticeKind::ReviewWaiting,
                Recipient {
                    person: signer.clone(),
                    department,
                    employee: employees[0].clone(),
                },
                format!(
                    "{}:{year}:{step}:{signer}:{}",
                    NoticeKind::ReviewWaiting.id(),
                    employees.join(",")
                ),
                text,
                "/inbox".to_string(),
            ));
        }
        Ok(notices)
    }

    /// The notices telling employees that a month failed, with a warning at the third
    /// failed month of the year; `failed` holds each employee failed in `month`, and the
    /// failed months of the year before it.
    pub(in crate::app) fn month_failed_notices(
        &self,
        store: &Store,
        month: Month,
        failed: &[(String, String, String, usize)],
    ) -> Result<Vec<Notice>> {
        let Some(a) = self.announcer(store)? else {
            return Ok(Vec::new());
        };
        let mut notices = Vec::new();
        for (employee, name, department, before) in failed {
            if !a.wants(NoticeKind::MonthFailed, employee) {
                continue;
            }
            let count = before + 1;
            let warning = if count >= WARN_AT_FAILED {
                format!(
                    "这是您 {} 年的第 {count} 个不合格月；满 4 个不合格月将被建议解除劳动合同。",
                    month.year()
                )
            } else {
                String::new()
            };
            let text = format!(
                "【月度考评】{name}：您 {month} 的考评得分低于合格线，为不合格月。{warning}如对记录有异议，请查看明细。"
            );
            notices.push(a.notice(
                NoticeKind::MonthFailed,
                Recipient {
                    person: employee.clone(),
                    department: department.clone(),
                    employee: employee.clone(),
                },
                format!("{}:{month}:{employee}", NoticeKind::MonthFailed.id()),
                text,
                format!("/people/{employee}/{month}"),
            ));
        }
        Ok(notices)
    }
}
