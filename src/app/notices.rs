//! What people are told (通知), composed here in Chinese and handed to the store with the
//! change that causes it, so that the outbox holds it exactly when the change committed.
//! Notices that no change carries (reminders, digests, a month ready to close) are found by
//! [`App::queue_due_notices`], which the delivery worker runs before each round. Where
//! notices go, the company's choices and each person's are set here too; delivering is
//! `notify`'s.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};

use super::{Actor, App, Invalid, Result};
use crate::domain::access::{Action, Target};
use crate::domain::labels;
use crate::domain::month::Month;
use crate::domain::notice::{ChannelKind, NoticeKind, NoticeState};
use crate::domain::staff::StaffRecord;
use crate::domain::user::Role;
use crate::evaluation::rulebook::Rulebook;
use crate::policy::Policy;
use crate::store::{Channel, NewEvent, Notice, Queued, Store};

/// The company setting that turns a kind off for everyone: `kind.KIND = off`.
fn kind_setting(kind: NoticeKind) -> String {
    format!("kind.{}", kind.id())
}

/// The failed months of a year at which an employee is warned: the next one brings a
/// dismissal recommendation (four or more failed months).
const WARN_AT_FAILED: usize = 3;

/// What an import's digest tells of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Digest {
    /// Events imported from a file.
    Events,
    /// Events derived from the time clock and the roster.
    Attendance,
}

/// Who notices are composed for, as of one change: the company's settings and the time.
/// There is none while no channel is set up: nothing is queued that nothing would carry.
pub(super) struct Announcer {
    settings: BTreeMap<String, String>,
    /// Each person's choices: (person, kind) → on.
    prefs: BTreeMap<(String, String), bool>,
    at: i64,
}

impl Announcer {
    /// Whether `person` is to be told of `kind`: the company has it on, and the person has
    /// not muted it (or, for a digest, has chosen it).
    pub(super) fn wants(&self, kind: NoticeKind, person: &str) -> bool {
        if self.settings.get(&kind_setting(kind)).map(String::as_str) == Some("off") {
            return false;
        }
        if !kind.optional() {
            return true;
        }
        self.prefs
            .get(&(person.to_string(), kind.id().to_string()))
            .copied()
            .unwrap_or(kind.on_unless_muted())
    }

    /// A notice of `kind` for `recipient` (in `department`) about `employee`.
    pub(super) fn notice(
        &self,
        kind: NoticeKind,
        to: Recipient,
        key: String,
        text: String,
        url: String,
    ) -> Notice {
        Notice {
            key,
            kind,
            employee: to.employee,
            recipient: to.person,
            department: to.department,
            text,
            url,
            at: self.at,
        }
    }
}

/// Whom a notice is for, and about whom.
pub(super) struct Recipient {
    /// A staff id, or `@LOGIN` for a login that is nobody on the staff.
    pub person: String,
    /// The recipient's department, whose robot carries it.
    pub department: String,
    /// Whom it is about.
    pub employee: String,
}

/// How a person is named as a recipient: their staff id, else `@LOGIN`.
pub(super) fn person_of(by: &Actor) -> String {
    by.employee()
        .map_or_else(|| format!("@{}", by.name()), str::to_string)
}

/// The appeal-window words of an event: by when it may be appealed.
fn deadline(last_day: NaiveDate) -> String {
    format!("如有异议，请于 {last_day} 前在系统中申诉。")
}

impl App {
    /// The announcer of a change, or none while no channel is set up.
    pub(super) fn announcer(&self, store: &Store) -> Result<Option<Announcer>> {
        if !store.has_channels()? {
            return Ok(None);
        }
        Ok(Some(Announcer {
            settings: store.settings()?,
            prefs: store.all_notice_prefs()?,
            at: chrono::Utc::now().timestamp(),
        }))
    }

    /// The notice telling an employee that `event` was recorded (its key is completed with
    /// the event's id by the store).
    pub(super) fn recorded_notice(
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
    pub(super) fn import_digests(
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
    pub(super) fn mark_notices(
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
    fn kind_label_in(&self, department: &str, month: Month, kind: &str) -> Result<String> {
        let (_, rulebook) = self.store_and_rules()?;
        Ok(rulebook
            .governing(department, month)
            .map_or_else(|| kind.to_string(), |p| p.kind_label(kind).to_string()))
    }

    /// The notice telling the department's head (or HR, when it has none) that an appeal
    /// waits for them.
    pub(super) fn appeal_waiting_notices(
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
    fn deciders(&self, store: &Store, department: &str) -> Result<Vec<String>> {
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
    fn hr_people(&self, store: &Store) -> Result<Vec<String>> {
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
    pub(super) fn appeal_decided_notice(
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
    pub(super) fn review_waiting_notices(
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
    pub(super) fn month_failed_notices(
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

    /// Writes the notices that are due today but that no change carries: a reminder a day
    /// before an appeal's window closes, daily reminders of reviews waiting, each chosen
    /// digest of a team's yesterday, and HR's word that last month is ready to close.
    /// Each is written once (by its key), however often this runs. Returns how many were
    /// new.
    pub fn queue_due_notices(&self) -> Result<usize> {
        let mut store = self.store()?;
        let Some(a) = self.announcer(&store)? else {
            return Ok(0);
        };
        let mut notices = Vec::new();
        self.appeal_reminders(&store, &a, &mut notices)?;
        self.review_reminders(&store, &a, &mut notices)?;
        self.team_digests(&store, &a, &mut notices)?;
        self.month_ready(&store, &a, &mut notices)?;
        let before = store.notice_counts()?.values().sum::<i64>();
        store.queue_notices(&notices)?;
        let after = store.notice_counts()?.values().sum::<i64>();
        Ok((after - before) as usize)
    }

    fn appeal_reminders(&self, store: &Store, a: &Announcer, out: &mut Vec<Notice>) -> Result<()> {
        let (_, rulebook) = self.store_and_rules()?;
        for appeal in store
            .appeals()?
            .into_iter()
            .filter(|x| x.decision.is_none())
        {
            let entered = store.entered(appeal.event)?;
            let Some(record) = store.staff_record(&appeal.employee)? else {
                continue;
            };
            let month = Month::of(entered.date);
            let person = record.at(month);
            let Some(policy) = rulebook.governing(&person.department, month) else {
                continue;
            };
            let (_, last_day) =
                self.appeal_window(entered.date, entered.entered_on, policy.scoring.appeal_days);
            if last_day != self.today + Duration::days(1) {
                continue;
            }
            for to in self.deciders(store, &person.department)? {
                if !a.wants(NoticeKind::AppealReminder, &to) {
                    continue;
                }
                out.push(a.notice(
                    NoticeKind::AppealReminder,
                    Recipient {
                        person: to.clone(),
                        department: person.department.clone(),
                        employee: person.id.clone(),
                    },
                    format!("{}:{}:{to}", NoticeKind::AppealReminder.id(), appeal.id),
                    format!(
                        "【申诉到期提醒】{}（{}）的申诉尚未处理，申诉期于 {last_day} 结束。",
                        person.name, person.id
                    ),
                    "/inbox".to_string(),
                ));
            }
        }
        Ok(())
    }

    fn review_reminders(&self, store: &Store, a: &Announcer, out: &mut Vec<Notice>) -> Result<()> {
        let year = self.review_year(None);
        let mut waiting: BTreeMap<String, (String, usize)> = BTreeMap::new();
        for r in store.reviews(year)? {
            let started = r.started_at.get(..10).unwrap_or_default();
            if started >= self.today.to_string().as_str() {
                continue;
            }
            let Some(step) = r.next_step() else { continue };
            let signers = match r.signer_of(step) {
                Some(s) => vec![s.to_string()],
                None => self.hr_people(store)?,
            };
            for s in signers {
                let dept = store
                    .staff_record(&s)?
                    .map(|rec| rec.at(Month::of(self.today)).department.clone())
                    .unwrap_or_default();
                waiting.entry(s).or_insert((dept, 0)).1 += 1;
            }
        }
        for (signer, (department, n)) in waiting {
            if !a.wants(NoticeKind::ReviewReminder, &signer) {
                continue;
            }
            out.push(a.notice(
                NoticeKind::ReviewReminder,
                Recipient {
                    person: signer.clone(),
                    department,
                    employee: signer.clone(),
                },
                format!(
                    "{}:{}:{signer}",
                    NoticeKind::ReviewReminder.id(),
                    self.today
                ),
                format!("【考评签署提醒】{year} 年度考评仍有 {n} 份待您签署。"),
                "/inbox".to_string(),
            ));
        }
        Ok(())
    }

    fn team_digests(&self, store: &Store, a: &Announcer, out: &mut Vec<Notice>) -> Result<()> {
        let chosen: Vec<String> = store
            .notice_prefs_of(NoticeKind::TeamDigest)?
            .into_iter()
            .filter_map(|(p, on)| on.then_some(p))
            .collect();
        if chosen.is_empty() {
            return Ok(());
        }
        let day = self.today - Duration::days(1);
        let events = store.events(&crate::store::EventFilter {
            date: Some(day),
            counting: true,
            ..Default::default()
        })?;
        let month = Month::of(day);
        let records: BTreeMap<String, StaffRecord> = store
            .staff_records()?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        for supervisor in chosen {
            if !a.wants(NoticeKind::TeamDigest, &supervisor) {
                continue;
            }
            let mut per: BTreeMap<&str, usize> = BTreeMap::new();
            for e in &events {
                let team = records
                    .get(e.employee.as_ref())
                    .and_then(|r| r.at(month).supervisor.as_deref());
                if team == Some(supervisor.as_str()) {
                    *per.entry(&e.employee).or_default() += 1;
                }
            }
            let department = records
                .get(&supervisor)
                .map(|r| r.at(month).department.clone())
                .unwrap_or_default();
            let lines: Vec<String> = per
                .iter()
                .map(|(e, n)| {
                    let name = records.get(*e).map_or(*e, |r| r.at(month).name.as_str());
                    format!("{name} {n} 条")
                })
                .collect();
            // A quiet day is not worth a message.
            if lines.is_empty() {
                continue;
            }
            let body = format!(
                "共 {} 条：{}。",
                per.values().sum::<usize>(),
                lines.join("，")
            );
            out.push(a.notice(
                NoticeKind::TeamDigest,
                Recipient {
                    person: supervisor.clone(),
                    department,
                    employee: supervisor.clone(),
                },
                format!("{}:{day}:{supervisor}", NoticeKind::TeamDigest.id()),
                format!("【班组每日汇总】{day} 您班组的考评记录{body}"),
                format!("/day?date={day}"),
            ));
        }
        Ok(())
    }

    /// Last month is ready to close once it has ended, is not closed, and no appeal or
    /// punch correction of it waits.
    fn month_ready(&self, store: &Store, a: &Announcer, out: &mut Vec<Notice>) -> Result<()> {
        let month = Month::of(self.today).prev();
        if store
            .closed_months()?
            .iter()
            .any(|c| c.month == month.to_string())
        {
            return Ok(());
        }
        let appeals_waiting = store
            .appeals()?
            .iter()
            .any(|x| x.decision.is_none() && x.date.starts_with(&month.to_string()));
        let corrections_waiting = store
            .corrections(None, true)?
            .iter()
            .any(|c| Month::of(c.date) == month);
        if appeals_waiting || corrections_waiting {
            return Ok(());
        }
        for hr in self.hr_people(store)? {
            if !a.wants(NoticeKind::MonthReady, &hr) {
                continue;
            }
            out.push(a.notice(
                NoticeKind::MonthReady,
                Recipient {
                    person: hr.clone(),
                    department: String::new(),
                    employee: hr.clone(),
                },
                format!("{}:{month}:{hr}", NoticeKind::MonthReady.id()),
                format!("【月度可结账】{month} 各部门的申诉和补卡均已处理完毕，可以结账。"),
                "/months".to_string(),
            ));
        }
        Ok(())
    }

    /// Adds (or replaces) a channel. A robot's address and any secret are kept, never shown.
    /// The address must be one its kind can use: an e-mail channel's a full
    /// `smtp://…?from=…`, any other's an `https://` (or `http://`) address.
    pub fn add_channel(&self, by: &Actor, channel: Channel) -> Result<()> {
        self.authorize(by, Action::ManageNotices, &Target::Company)?;
        let bad = |why: String| Invalid::BadChannel {
            name: channel.name.clone(),
            why,
        };
        if channel.name.trim().is_empty() {
            return Err(Invalid::NameMissing("a notice channel").into());
        }
        match channel.kind {
            ChannelKind::Email => {
                crate::notify::Smtp::parse(&channel.target).map_err(bad)?;
            }
            _ => {
                let web =
                    channel.target.starts_with("https://") || channel.target.starts_with("http://");
                if !web {
                    return Err(
                        bad("地址须以 https:// 开头（群机器人或 Webhook 的地址）".into()).into(),
                    );
                }
            }
        }
        let mut store = self.store()?;
        if let Some(d) = &channel.department
            && !store.departments()?.iter().any(|x| &x.id == d)
        {
            return Err(Invalid::NoDepartment(d.clone()).into());
        }
        Ok(store.put_channel(&channel, &self.stamp(by))?)
    }

    /// Every channel (secrets left out by their type).
    pub fn channels(&self, by: &Actor) -> Result<Vec<Channel>> {
        self.authorize(by, Action::ManageNotices, &Target::Company)?;
        Ok(self.store()?.channels()?)
    }

    /// The outbox, newest first: only the notices in `state` when given.
    pub fn notices(
        &self,
        by: &Actor,
        state: Option<NoticeState>,
        limit: usize,
    ) -> Result<Vec<Queued>> {
        self.authorize(by, Action::ManageNotices, &Target::Company)?;
        Ok(self.store()?.notices(state, limit)?)
    }

    /// Turns a kind on or off for the whole company.
    pub fn set_notice_kind(&self, by: &Actor, kind: NoticeKind, on: bool) -> Result<()> {
        self.authorize(by, Action::ManageNotices, &Target::Company)?;
        let value = if on { "on" } else { "off" };
        Ok(self
            .store()?
            .set_setting(&kind_setting(kind), value, &self.stamp(by))?)
    }

    /// Sets a company setting of delivery: `base_url` (what links start with) or
    /// `give_up_hours` (how long a notice is retried).
    pub fn set_notice_setting(&self, by: &Actor, key: &str, value: &str) -> Result<()> {
        self.authorize(by, Action::ManageNotices, &Target::Company)?;
        Ok(self.store()?.set_setting(key, value, &self.stamp(by))?)
    }

    /// `by`'s own choice of an optional kind: muted, or (a digest) chosen.
    pub fn set_my_notice(&self, by: &Actor, kind: NoticeKind, on: bool) -> Result<()> {
        if !kind.optional() {
            return Err(Invalid::NoticeRequired(kind).into());
        }
        let role = by.role().unwrap_or(Role::Employee);
        if !kind.concerns(role) {
            return Err(Invalid::NoticeNotForRole { kind, role }.into());
        }
        Ok(self
            .store()?
            .set_notice_pref(&person_of(by), kind, on, &self.stamp(by))?)
    }

    /// Whether `by` receives each optional kind that can concern them, as they chose or
    /// by default.
    pub fn my_notices(&self, by: &Actor) -> Result<Vec<(NoticeKind, bool)>> {
        let prefs = self.store()?.notice_prefs(&person_of(by))?;
        let role = by.role().unwrap_or(Role::Employee);
        Ok(NoticeKind::ALL
            .into_iter()
            .filter(|k| k.optional() && k.concerns(role))
            .map(|k| (k, prefs.get(k.id()).copied().unwrap_or(k.on_unless_muted())))
            .collect())
    }

    /// The channel named `name`, for a test message.
    pub fn channel(&self, by: &Actor, name: &str) -> Result<Channel> {
        self.channels(by)?
            .into_iter()
            .find(|c| c.name == name)
            .ok_or_else(|| Invalid::UnknownChannel(name.to_string()).into())
    }

    /// Kinds of channel, for a form.
    pub fn channel_kinds() -> [ChannelKind; 5] {
        [
            ChannelKind::Email,
            ChannelKind::Wecom,
            ChannelKind::Dingtalk,
            ChannelKind::Feishu,
            ChannelKind::Webhook,
        ]
    }
}

/// What one delivery run did: the notices found due today, and the round.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivered {
    /// Reminders, digests and the like written before the round.
    pub queued: usize,
    pub round: crate::notify::Round,
}

impl App {
    /// Writes the notices due today ([`App::queue_due_notices`]) and delivers one round of
    /// the outbox: what the server's worker runs, and `appraise notify send`. Nobody acts:
    /// it moves only what changes already put in the outbox.
    pub fn deliver_notices(&self) -> Result<Delivered> {
        let queued = self.queue_due_notices()?;
        let mut round = crate::notify::Round::default();
        loop {
            let r = self.deliver_round()?;
            let done = r.sent + r.retried + r.failed == 0;
            round.add(&r);
            if done {
                break;
            }
        }
        Ok(Delivered { queued, round })
    }

    /// Delivers one round of what is due in the outbox.
    pub fn deliver_round(&self) -> Result<crate::notify::Round> {
        let mut store = self.store()?;
        Ok(crate::notify::deliver(&mut store, &|| {
            chrono::Utc::now().timestamp()
        })?)
    }

    /// Sends a test message through channel `name` (an e-mail channel writes to `to`,
    /// else to its own sender). Nothing is written to the outbox.
    pub fn test_channel(&self, by: &Actor, name: &str, to: Option<&str>) -> Result<()> {
        let channel = self.channel(by, name)?;
        let from = match channel.kind {
            ChannelKind::Email => Some(
                crate::notify::Smtp::parse(&channel.target)
                    .map_err(|why| Invalid::BadChannel {
                        name: name.to_string(),
                        why,
                    })?
                    .from,
            ),
            _ => None,
        };
        let base = self.store()?.setting("base_url")?.unwrap_or_default();
        let key = format!("test:{name}:{}", chrono::Utc::now().timestamp_millis());
        let m = crate::notify::Outgoing {
            key: &key,
            kind: "test",
            employee: "",
            recipient: by.name(),
            name: by.name(),
            text: "【测试】这是一条来自 appraise 考评系统的测试通知，收到即说明渠道设置正确。",
            url: &format!("{}/", base.trim_end_matches('/')),
            address: to.or(from.as_deref()),
            mobile: None,
            now_ms: chrono::Utc::now().timestamp_millis(),
        };
        crate::notify::send::send(&channel, &m).map_err(|f| {
            Invalid::BadChannel {
                name: name.to_string(),
                why: format!("测试通知未能送达：{}", f.reason),
            }
            .into()
        })
    }
}

/// HR's view of notices: where they go, how the outbox stands, what failed, the
/// company's settings.
#[derive(Debug, Clone)]
pub struct NoticeBoard {
    pub channels: Vec<Channel>,
    /// How many notices are in each state (`pending`, `sent`, `failed`).
    pub counts: BTreeMap<String, i64>,
    /// The latest notices given up on, and the latest still waiting.
    pub failed: Vec<Queued>,
    pub pending: Vec<Queued>,
    /// Each kind, and whether the company sends it.
    pub kinds: Vec<(NoticeKind, bool)>,
    pub base_url: String,
    pub give_up_hours: i64,
    pub keep_photo_location: bool,
}

/// How many notices of each list the board shows.
const BOARD_ROWS: usize = 50;

impl App {
    /// HR's board of notices.
    pub fn notice_board(&self, by: &Actor) -> Result<NoticeBoard> {
        self.authorize(by, Action::ManageNotices, &Target::Company)?;
        let store = self.store()?;
        let settings = store.settings()?;
        Ok(NoticeBoard {
            channels: store.channels()?,
            counts: store.notice_counts()?,
            failed: store.notices(Some(NoticeState::Failed), BOARD_ROWS)?,
            pending: store.notices(Some(NoticeState::Pending), BOARD_ROWS)?,
            kinds: NoticeKind::ALL
                .into_iter()
                .map(|k| {
                    (
                        k,
                        settings.get(&kind_setting(k)).map(String::as_str) != Some("off"),
                    )
                })
                .collect(),
            base_url: settings.get("base_url").cloned().unwrap_or_default(),
            give_up_hours: settings
                .get("give_up_hours")
                .and_then(|h| h.parse().ok())
                .unwrap_or(crate::notify::GIVE_UP_HOURS),
            keep_photo_location: settings.get(super::KEEP_LOCATION).map(String::as_str)
                == Some("on"),
        })
    }

    /// Saves the company's settings of notices and evidence from HR's board: only what
    /// changed is written (each change audited).
    pub fn save_notice_settings(
        &self,
        by: &Actor,
        base_url: &str,
        give_up_hours: &str,
        keep_photo_location: bool,
        kinds_on: &BTreeSet<NoticeKind>,
    ) -> Result<()> {
        let before = self.notice_board(by)?;
        let hours: i64 = give_up_hours
            .trim()
            .parse()
            .ok()
            .filter(|h| *h > 0)
            .ok_or_else(|| Invalid::BadAmount {
                what: "give-up hours",
                given: crate::domain::text::clip(give_up_hours),
            })?;
        let base_url = base_url.trim();
        let absolute = base_url.starts_with("https://") || base_url.starts_with("http://");
        if !(base_url.is_empty() || absolute) {
            return Err(Invalid::BadChannel {
                name: "base_url".into(),
                why: "链接前缀须以 https:// 或 http:// 开头".into(),
            }
            .into());
        }
        let mut store = self.store()?;
        let stamp = self.stamp(by);
        if base_url != before.base_url {
            store.set_setting("base_url", base_url, &stamp)?;
        }
        if hours != before.give_up_hours {
            store.set_setting("give_up_hours", &hours.to_string(), &stamp)?;
        }
        if keep_photo_location != before.keep_photo_location {
            let v = if keep_photo_location { "on" } else { "off" };
            store.set_setting(super::KEEP_LOCATION, v, &stamp)?;
        }
        for (kind, on) in before.kinds {
            let now = kinds_on.contains(&kind);
            if now != on {
                store.set_setting(&kind_setting(kind), if now { "on" } else { "off" }, &stamp)?;
            }
        }
        Ok(())
    }

    /// Sets `by`'s own choices of the optional kinds: those in `on` are received.
    pub fn save_my_notices(&self, by: &Actor, on: &BTreeSet<NoticeKind>) -> Result<()> {
        for (kind, was) in self.my_notices(by)? {
            let now = on.contains(&kind);
            if now != was {
                self.set_my_notice(by, kind, now)?;
            }
        }
        Ok(())
    }
}
