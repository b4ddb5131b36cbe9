//! `log list`, `month list` and `audit`: the daily log, the closed months, the record of
//! every change.

use serde::Serialize;

use super::{Columns, Layout, Records};
use crate::domain::event::Event;
use crate::store::{Appeal, AuditEntry, Closing, Correction};

/// `appraise log list`.
#[derive(Debug, Serialize)]
pub struct EventsView {
    pub events: Vec<Event>,
}

impl Records for EventsView {
    fn layout(&self) -> Layout {
        Columns::over(&self.events)
            .right("id", |e| e.id.to_string())
            .left("employee", |e| e.employee.to_string())
            .left("date", |e| e.date.to_string())
            .left("kind", |e| e.kind.to_string())
            .right("qty", |e| e.qty.to_string())
            .text("fields", |e| {
                e.fields
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .text("note", |e| e.note.clone())
            .text("recorded_by", |e| e.recorded_by.to_string())
            .text("status", |e| match (e.voided, &e.excuse) {
                (true, _) => "VOIDED".into(),
                (false, Some(reason)) => format!("excused: {reason}"),
                (false, None) => String::new(),
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
    fn layout(&self) -> Layout {
        Columns::over(&self.closed)
            .left("month", |c| c.month.clone())
            .left("closed_by", |c| c.by.clone())
            .left("closed_at", |c| c.at.clone())
            .done()
    }
}

/// `appraise audit`.
#[derive(Debug, Serialize)]
pub struct AuditView {
    pub entries: Vec<AuditEntry>,
}

impl Records for AuditView {
    fn layout(&self) -> Layout {
        Columns::over(&self.entries)
            .right("id", |e| e.id.to_string())
            .left("at", |e| e.at.clone())
            .left("actor", |e| e.actor.clone())
            .left("action", |e| e.action.clone())
            .text("subject", |e| e.subject.clone())
            .text("detail", |e| e.detail.clone())
            .done()
    }
}

/// `appraise appeal list`.
#[derive(Debug, Serialize)]
pub struct AppealsView {
    pub appeals: Vec<Appeal>,
}

impl Records for AppealsView {
    fn layout(&self) -> Layout {
        Columns::over(&self.appeals)
            .right("id", |a| a.id.to_string())
            .right("event", |a| a.event.to_string())
            .left("employee", |a| a.employee.clone())
            .left("date", |a| a.date.clone())
            .left("kind", |a| a.kind.clone())
            .text("reason", |a| a.reason.clone())
            .left("by", |a| a.by.clone())
            .left("status", |a| {
                match a.decision.as_ref().map(|d| d.outcome.as_str()) {
                    None => "待处理",
                    Some("upheld") => "申诉成立",
                    Some(_) => "驳回",
                }
                .to_string()
            })
            .text("decision", |a| {
                a.decision
                    .as_ref()
                    .map(|d| format!("{}（{}）", d.reason, d.by))
                    .unwrap_or_default()
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
    fn layout(&self) -> Layout {
        Columns::over(&self.corrections)
            .right("id", |c| c.id.to_string())
            .left("employee", |c| c.employee.clone())
            .left("date", |c| c.date.to_string())
            .left("in", |c| c.in_time.clone().unwrap_or_default())
            .left("out", |c| c.out_time.clone().unwrap_or_default())
            .text("reason", |c| c.reason.clone())
            .left("by", |c| c.by.clone())
            .left("status", |c| {
                match c.decision.as_ref().map(|d| d.outcome.as_str()) {
                    None => "待审批",
                    Some("approved") => "已批准",
                    Some(_) => "驳回",
                }
                .to_string()
            })
            .text("decision", |c| {
                c.decision
                    .as_ref()
                    .map(|d| format!("{}（{}）", d.reason, d.by))
                    .unwrap_or_default()
            })
            .done()
    }
}
