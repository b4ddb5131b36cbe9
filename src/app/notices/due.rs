//! The notices no change carries, found by the day: a reminder the day before an appeal's
//! window closes, daily reminders of reviews waiting, each chosen digest of a team's day,
//! and HR's word that last month is ready to close.

use std::collections::BTreeMap;

use chrono::Duration;

use super::{Announcer, Recipient};
use crate::app::{App, Result};
use crate::domain::month::Month;
use crate::domain::notice::NoticeKind;
use crate::domain::staff::StaffRecord;
use crate::store::{Notice, Store};

impl App {
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
        Ok(store.queue_notices(&notices)?)
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
}
