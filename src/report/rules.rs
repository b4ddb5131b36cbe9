//! `rules list`, `rules test`, `rules diff` and `rules coverage`: activated versions, the
//! policies' own tests, what-ifs, and how the rules fire on real logs.

use serde::Serialize;

use super::{Columns, Layout, Records};
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
    fn layout(&self) -> Layout {
        Columns::over(&self.versions)
            .right("id", |r| r.version.id.to_string())
            .text("policy", |r| {
                format!("{} {}", r.version.policy, r.version.name)
            })
            .left("version", |r| r.version.version.clone())
            .left("effective_from", |r| r.version.effective_from.clone())
            .text("governs", |r| r.governs.clone())
            .left("departments", |r| r.version.departments.join(" "))
            .left("hash", |r| r.version.hash.chars().take(12).collect())
            .left("activated_by", |r| r.version.activated_by.clone())
            .left("activated_at", |r| r.version.activated_at.clone())
            .text("restated", |r| {
                r.version.restated.clone().unwrap_or_default()
            })
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
    fn layout(&self) -> Layout {
        Columns::over(&self.results)
            .left(
                "result",
                |r| {
                    if r.passed { "ok".into() } else { "FAIL".into() }
                },
            )
            .left("policy", |r| r.policy.clone())
            .text("test", |r| r.name.clone())
            .left("at", |r| format!("{}:{}", r.file, r.line))
            .text("expected vs actual", |r| r.failures.join("\n"))
            .done()
    }
    fn footing(&self) -> Vec<String> {
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
    fn layout(&self) -> Layout {
        Columns::over(&self.diff.changed)
            .left("employee", |c| c.employee.clone())
            .left("name", |c| c.name.clone())
            .left("department", |c| c.department.clone())
            .right("average", |c| {
                format!("{} → {}", c.average_before, c.average_after)
            })
            .right("failed", |c| {
                format!("{} → {}", c.failed_before, c.failed_after)
            })
            .text("grade", |c| {
                if c.grade_before == c.grade_after {
                    c.label_after.clone()
                } else {
                    format!("{} → {} ({})", c.label_before, c.label_after, c.direction)
                }
            })
            .text("months that change", |c| {
                c.months
                    .iter()
                    .map(|m| {
                        format!(
                            "{} {}→{}",
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
    fn heading(&self) -> Vec<String> {
        vec![format!(
            "What-if for {}: candidate `{}` version {} (effective from {}) vs the activated policies, months through {}",
            self.year, self.candidate.id, self.candidate.version, self.effective_from, self.through
        )]
    }
    fn footing(&self) -> Vec<String> {
        let d = &self.diff;
        let mut lines = vec![format!(
            "{} of {} change; grades: {} up, {} down",
            d.changed.len(),
            count(d.evaluated, "employee", "employees"),
            d.grades_up,
            d.grades_down
        )];
        for (t, n) in &d.transitions {
            lines.push(format!("  {t}: {n}"));
        }
        if !d.rules.is_empty() {
            lines.push("rules whose points change:".into());
            for r in &d.rules {
                lines.push(format!(
                    "  {}: {} → {} ({:+})",
                    r.rule,
                    r.before,
                    r.after,
                    r.delta.to_f64()
                ));
            }
        }
        lines.push("nothing was stored".into());
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

impl Records for CoverageView {
    fn layout(&self) -> Layout {
        Columns::over(&self.coverage.rules)
            .left("policy", |r| r.policy.clone())
            .left("rule", |r| r.rule.clone())
            .text("name", |r| r.name.clone())
            .left("stage", |r| r.stage.to_string())
            .right("fired", |r| r.fired.to_string())
            .right("points", |r| r.points.to_string())
            .done()
    }
    fn heading(&self) -> Vec<String> {
        vec![format!("Rule coverage on the logs of {}", self.year)]
    }
    fn footing(&self) -> Vec<String> {
        let c = &self.coverage;
        vec![
            format!(
                "never fired ({}): {}",
                c.never_fired.len(),
                c.never_fired.join(", ")
            ),
            format!(
                "kinds logged that no rule scored ({}): {}",
                c.unscored_kinds.len(),
                c.unscored_kinds
                    .iter()
                    .map(|k| format!(
                        "{} ({})",
                        k.kind,
                        count(k.events as usize, "event", "events")
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!(
                "events scored by more than one rule ({}): {}",
                c.multi_scored.len(),
                c.multi_scored
                    .iter()
                    .map(|m| format!("{} [{}]", m.event, m.rules.join(" + ")))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ]
    }
}
