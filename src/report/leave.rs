//! `leave list` and `holiday list`: leave with its state, and the holiday calendar.

use serde::Serialize;

use super::{Columns, Layout, Records};
use crate::store::{Holiday, Leave};

/// `appraise leave list`; `labels` maps each leave type id to what people call it.
#[derive(Debug, Serialize)]
pub struct LeavesView {
    pub leaves: Vec<Leave>,
    #[serde(skip)]
    pub labels: std::collections::BTreeMap<String, String>,
}

impl Records for LeavesView {
    fn layout(&self) -> Layout {
        let label = |id: &str| {
            self.labels
                .get(id)
                .cloned()
                .unwrap_or_else(|| id.to_string())
        };
        Columns::over(&self.leaves)
            .right("id", |l| l.id.to_string())
            .left("employee", |l| l.employee.clone())
            .left("type", |l| label(&l.kind))
            .left("from", |l| l.start.format("%Y-%m-%d %H:%M").to_string())
            .left("to", |l| l.end.format("%Y-%m-%d %H:%M").to_string())
            .text("reason", |l| l.reason.clone())
            .left("status", |l| l.state.label().to_string())
            .text("decision", |l| {
                l.decision
                    .as_ref()
                    .map(|d| format!("{}（{}）", d.reason, d.by))
                    .unwrap_or_default()
            })
            .done()
    }
}

/// `appraise holiday list`.
#[derive(Debug, Serialize)]
pub struct HolidaysView {
    pub holidays: Vec<Holiday>,
}

impl Records for HolidaysView {
    fn layout(&self) -> Layout {
        Columns::over(&self.holidays)
            .left("date", |h| h.date.to_string())
            .left("kind", |h| if h.off { "休" } else { "班" }.to_string())
            .text("name", |h| h.name.clone())
            .done()
    }
}
