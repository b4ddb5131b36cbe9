//! `rules list`, `rules test`, `rules diff` and `rules coverage`: activated versions, the
//! policies' own tests, what-ifs, and how the rules fire on real logs.

use serde::Serialize;

use super::{Columns, Layout, Records};
use crate::domain::labels::Glossary;
use crate::domain::month::Month;
use crate::domain::points::Points;
use crate::domain::text::count;
use crate::engine::cases::CaseResult;
use crate::evaluation::coverage::Coverage;
use crate::evaluation::whatif::Diff;
use crate::policy::PolicyRef;
use crate::store::Version;

/// An activated version with the months it governs.
#[derive(Debug, Serialize)]
pub struct VersionRow {
    #[serde(flatten)]
    pub version: Version,
    /// The months it governs up to today, e.g. `2025-01..2026-04`.
    pub governs: String,
}

/// `appraise rules list`.
#[derive(Debug, Serialize)]
pub struct VersionsView {
    pub versions: Vec<VersionRow>,
}

impl Records for VersionsView {
    fn layout(&self, words: &Glossary) -> Layout {
        Columns::over(&self.versions)
            .right("编号", |r| r.version.id.to_string())
            .text("考核办法", |r| r.version.name.clone())
            .id("办法编号", |r| r.version.policy.clone())
            .left("版本", |r| r.version.version.clone())
            .left("生效月", |r| r.version.effective_from.clone())
            .text("适用月份", |r| r.governs.clone())
            .text("部门", |r| {
                r.version
                    .departments
                    .iter()
                    .map(|d| {
                        if d == "*" {
                            "其余各部门"
                        } else {
                            words.department(d)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("、")
            })
            .id("部门编号", |r| r.version.departments.join(" "))
            .left("哈希", |r| r.version.hash.chars().take(12).collect())
            .minor()
            .left("启用人", |r| r.version.activated_by.clone())
            .minor()
            .left("启用时间", |r| {
                crate::domain::labels::moment(&r.version.activated_at)
            })
            .minor()
            .text("重述原因", |r| {
                r.version.restated.clone().unwrap_or_default()
            })
            .minor()
            .done()
    }
}

/// `appraise rules test`.
#[derive(Debug, Serialize)]
pub struct CasesView {
    pub results: Vec<CaseResult>,
    /// With `--coverage`: rules no case makes fire (`file:line rule`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub untested: Option<Vec<String>>,
}

impl Records for CasesView {
    fn layout(&self, words: &Glossary) -> Layout {
        Columns::over(&self.results)
            .left("结果", |r| {
                if r.passed {
                    "通过".into()
                } else {
                    "失败".into()
                }
            })
            .left("考核办法", |r| words.policy(&r.policy).to_string())
            .minor()
            .id("办法编号", |r| r.policy.clone())
            .text("测试", |r| r.name.clone())
            .left("位置", |r| format!("{}:{}", r.file, r.line))
            .text("预期与实际", |r| r.failures.join("\n"))
            .done()
    }
    fn footing(&self, _: &Glossary) -> Vec<String> {
        let failed = self.results.iter().filter(|r| !r.passed).count();
        let mut lines = Vec::new();
        match &self.untested {
            Some(u) if u.is_empty() => lines.push("coverage: every rule fires in some test".into()),
            Some(u) => {
                lines.push(format!(
                    "coverage: {} no test makes fire:",
                    count(u.len(), "rule", "rules")
                ));
                lines.extend(u.iter().map(|r| format!("  {r}")));
            }
            None => {}
        }
        lines.push(format!(
            "{} passed, {failed} failed",
            self.results.len() - failed
        ));
        lines
    }
}

/// `appraise rules diff`.
#[derive(Debug, Serialize)]
pub struct DiffView {
    pub year: i32,
    pub through: Month,
    pub candidate: PolicyRef,
    pub effective_from: Month,
    #[serde(flatten)]
    pub diff: Diff,
}

fn opt_points(p: Option<Points>) -> String {
    p.map_or("-".into(), |p| p.to_string())
}

impl Records for DiffView {
    fn layout(&self, words: &Glossary) -> Layout {
        Columns::over(&self.diff.changed)
            .left("工号", |c| c.employee.clone())
            .left("姓名", |c| c.name.clone())
            .left("部门", |c| words.department(&c.department).to_string())
            .minor()
            .id("部门编号", |c| c.department.clone())
            .right("平均分", |c| {
                format!("{} → {}", c.average_before, c.average_after)
            })
            .right("不合格月数", |c| {
                format!("{} → {}", c.failed_before, c.failed_after)
            })
            .text("等级", |c| {
                if c.grade_before == c.grade_after {
                    c.label_after.clone()
                } else {
                    let way = match c.direction {
                        "up" => "上升",
                        "down" => "下降",
                        _ => "持平",
                    };
                    format!("{} → {}（{way}）", c.label_before, c.label_after)
                }
            })
            .text("变化的月份", |c| {
                c.months
                    .iter()
                    .map(|m| {
                        // As the web writes it; a line breaks between months only.
                        format!(
                            "{}：{}→{}",
                            m.month,
                            opt_points(m.before),
                            opt_points(m.after)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .done()
    }
    fn heading(&self, words: &Glossary) -> Vec<String> {
        vec![format!(
            "{} 年假设分析：候选办法「{}」版本 {}（自 {} 起生效）对比现行办法，计至 {}",
            self.year,
            words.policy(&self.candidate.id),
            self.candidate.version,
            self.effective_from,
            self.through
        )]
    }
    fn footing(&self, _: &Glossary) -> Vec<String> {
        let d = &self.diff;
        let mut lines = vec![format!(
            "{} 人中 {} 人有变化；等级上升 {} 人，下降 {} 人",
            d.evaluated,
            d.changed.len(),
            d.grades_up,
            d.grades_down
        )];
        for (t, n) in &d.transitions {
            lines.push(format!("  {t}：{n} 人"));
        }
        if !d.rules.is_empty() {
            lines.push("分值有变化的规则：".into());
            for r in &d.rules {
                lines.push(format!(
                    "  {}：{} → {}（{:+}）",
                    r.name,
                    r.before,
                    r.after,
                    r.delta.to_f64()
                ));
            }
        }
        lines.push("假设分析，未保存任何数据".into());
        lines
    }
}

/// `appraise rules coverage`.
#[derive(Debug, Serialize)]
pub struct CoverageView {
    pub year: i32,
    #[serde(flatten)]
    pub coverage: Coverage,
}

/// The stage a rule runs at, for people.
fn stage(stage: &str) -> &str {
    match stage {
        "event" => "逐条",
        "month" => "月度",
        "year" => "年度",
        other => other,
    }
}

impl Records for CoverageView {
    fn layout(&self, words: &Glossary) -> Layout {
        Columns::over(&self.coverage.rules)
            .left("考核办法", |r| words.policy(&r.policy).to_string())
            .minor()
            .id("办法编号", |r| r.policy.clone())
            .text("规则", |r| r.name.clone())
            .id("规则编号", |r| r.rule.clone())
            .left("阶段", |r| stage(r.stage).to_string())
            .id("阶段编号", |r| r.stage.to_string())
            .right("触发次数", |r| r.fired.to_string())
            .right("分值合计", |r| r.points.to_string())
            .done()
    }
    fn heading(&self, _: &Glossary) -> Vec<String> {
        vec![format!("{} 年日志上的规则覆盖", self.year)]
    }
    fn footing(&self, words: &Glossary) -> Vec<String> {
        let c = &self.coverage;
        // A rule by its name where the table has it (`policy:rule` otherwise).
        let name = |key: &str| {
            c.rules
                .iter()
                .find(|r| key.split_once(':') == Some((r.policy.as_str(), r.rule.as_str())))
                .map_or_else(|| key.to_string(), |r| r.name.clone())
        };
        vec![
            format!(
                "从未触发（{}）：{}",
                c.never_fired.len(),
                c.never_fired
                    .iter()
                    .map(|r| name(r))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            format!(
                "有记录但无规则计分的类型（{}）：{}",
                c.unscored_kinds.len(),
                c.unscored_kinds
                    .iter()
                    .map(|k| format!("{}（{} 条）", words.kind(&k.kind), k.events))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            format!(
                "被多条规则计分的事件（{}）：{}",
                c.multi_scored.len(),
                c.multi_scored
                    .iter()
                    .map(|m| {
                        let rules: Vec<String> = m.rules.iter().map(|r| name(r)).collect();
                        format!("{}［{}］", m.event, rules.join(" + "))
                    })
                    .collect::<Vec<_>>()
                    .join("，")
            ),
        ]
    }
}
