//! `log list`, `month list` and `audit`: the daily log, the closed months, the record of
//! every change.

use serde::Serialize;

use super::{Columns, Layout, Records};
use crate::domain::event::Event;
use crate::domain::labels::{Glossary, moment};
use crate::store::{Appeal, AuditEntry, Closing, Correction};

/// `appraise log list`.
#[derive(Debug, Serialize)]
pub struct EventsView {
    pub events: Vec<Event>,
}

impl Records for EventsView {
    fn layout(&self, words: &Glossary) -> Layout {
        Columns::over(&self.events)
            .right("编号", |e| e.id.to_string())
            .left("工号", |e| e.employee.to_string())
            .left("日期", |e| e.date.to_string())
            .left("类型", |e| words.kind(&e.kind).to_string())
            .id("类型编号", |e| e.kind.to_string())
            .right("数量", |e| e.qty.to_string())
            .minor()
            .text("字段", |e| {
                e.fields
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .text("备注", |e| e.note.clone())
            .text("记录人", |e| e.recorded_by.to_string())
            .minor()
            .text("状态", |e| match (e.voided, &e.excuse) {
                (true, _) => "已作废".into(),
                (false, Some(reason)) => format!("已免责：{reason}"),
                (false, None) => String::new(),
            })
            .id("状态编号", |e| {
                match (e.voided, &e.excuse) {
                    (true, _) => "voided",
                    (false, Some(_)) => "excused",
                    (false, None) => "",
                }
                .to_string()
            })
            .done()
    }
}

/// `appraise month list`.
#[derive(Debug, Serialize)]
pub struct ClosingsView {
    pub closed: Vec<Closing>,
}

impl Records for ClosingsView {
    fn layout(&self, _: &Glossary) -> Layout {
        Columns::over(&self.closed)
            .left("月份", |c| c.month.clone())
            .left("结账人", |c| c.by.clone())
            .left("结账时间", |c| moment(&c.at))
            .done()
    }
}

/// `appraise audit`.
#[derive(Debug, Serialize)]
pub struct AuditView {
    pub entries: Vec<AuditEntry>,
}

impl Records for AuditView {
    fn layout(&self, _: &Glossary) -> Layout {
        Columns::over(&self.entries)
            .right("编号", |e| e.id.to_string())
            .minor()
            .left("时间", |e| moment(&e.at))
            .left("操作人", |e| e.actor.clone())
            .text("操作", |e| {
                crate::domain::labels::action(&e.action).to_string()
            })
            .id("操作编号", |e| e.action.clone())
            .text("对象", |e| e.subject.clone())
            .text("详情", |e| e.detail.clone())
            .done()
    }
}

/// The columns of a request someone decides (an appeal, a clock correction): its state for
/// people (`pending` while undecided, `granted` when the outcome is `granted_id`, else 驳回),
/// the outcome's id for programs, and the decision's reason and decider. `decision` gives
/// (outcome, reason, by) once decided.
fn decision_columns<T>(
    columns: Columns<T>,
    (pending, granted_id, granted): (&'static str, &'static str, &'static str),
    decision: fn(&T) -> Option<(&str, &str, &str)>,
) -> Columns<T> {
    columns
        .left("状态", move |t| {
            match decision(t) {
                None => pending,
                Some((outcome, _, _)) if outcome == granted_id => granted,
                Some(_) => "驳回",
            }
            .to_string()
        })
        .id("状态编号", move |t| {
            decision(t)
                .map_or("pending", |(outcome, _, _)| outcome)
                .to_string()
        })
        .text("处理意见", move |t| {
            decision(t)
                .map(|(_, reason, by)| format!("{reason}（{by}）"))
                .unwrap_or_default()
        })
}

/// `appraise appeal list`.
#[derive(Debug, Serialize)]
pub struct AppealsView {
    pub appeals: Vec<Appeal>,
}

impl Records for AppealsView {
    fn layout(&self, words: &Glossary) -> Layout {
        let columns = Columns::over(&self.appeals)
            .right("编号", |a| a.id.to_string())
            .right("事件", |a| a.event.to_string())
            .minor()
            .left("工号", |a| a.employee.clone())
            .left("日期", |a| a.date.clone())
            .left("类型", |a| words.kind(&a.kind).to_string())
            .id("类型编号", |a| a.kind.clone())
            .text("理由", |a| a.reason.clone())
            .left("申诉人", |a| a.by.clone())
            .minor();
        decision_columns(columns, ("待处理", "upheld", "申诉成立"), |a| {
            a.decision
                .as_ref()
                .map(|d| (d.outcome.as_str(), d.reason.as_str(), d.by.as_str()))
        })
        .done()
    }
}

/// `appraise clock corrections`.
#[derive(Debug, Serialize)]
pub struct CorrectionsView {
    pub corrections: Vec<Correction>,
}

impl Records for CorrectionsView {
    fn layout(&self, _: &Glossary) -> Layout {
        let columns = Columns::over(&self.corrections)
            .right("编号", |c| c.id.to_string())
            .left("工号", |c| c.employee.clone())
            .left("日期", |c| c.date.to_string())
            .left("上班", |c| c.in_time.clone().unwrap_or_default())
            .left("下班", |c| c.out_time.clone().unwrap_or_default())
            .text("理由", |c| c.reason.clone())
            .left("申请人", |c| c.by.clone())
            .minor();
        decision_columns(columns, ("待审批", "approved", "已批准"), |c| {
            c.decision
                .as_ref()
                .map(|d| (d.outcome.as_str(), d.reason.as_str(), d.by.as_str()))
        })
        .done()
    }
}
