//! `leave list` and `holiday list`: leave with its state, and the holiday calendar.

use serde::Serialize;

use super::{Columns, Layout, Records};
use crate::domain::labels::Glossary;
use crate::store::{Holiday, Leave};

/// `appraise leave list`; `labels` maps each leave type id to what people call it.
#[derive(Debug, Serialize)]
pub struct LeavesView {
    pub leaves: Vec<Leave>,
    #[serde(skip)]
    pub labels: std::collections::BTreeMap<String, String>,
}

impl Records for LeavesView {
    fn layout(&self, _: &Glossary) -> Layout {
        let label = |id: &str| {
            self.labels
                .get(id)
                .cloned()
                .unwrap_or_else(|| id.to_string())
        };
        Columns::over(&self.leaves)
            .right("编号", |l| l.id.to_string())
            .left("工号", |l| l.employee.clone())
            .left("类型", |l| label(&l.kind))
            .id("类型编号", |l| l.kind.clone())
            .left("开始", |l| l.start.format("%Y-%m-%d %H:%M").to_string())
            .left("结束", |l| l.end.format("%Y-%m-%d %H:%M").to_string())
            .text("事由", |l| l.reason.clone())
            .left("状态", |l| l.state.label().to_string())
            .id("状态编号", |l| l.state.id().to_string())
            .text("审批意见", |l| {
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
    fn layout(&self, _: &Glossary) -> Layout {
        Columns::over(&self.holidays)
            .left("日期", |h| h.date.to_string())
            .left("类型", |h| if h.off { "休" } else { "班" }.to_string())
            .text("名称", |h| h.name.clone())
            .done()
    }
}
