//! The values commands print, with their table and CSV layout. JSON field names are part of
//! the contract (`shared/contract.md`), so these structs are named and shaped after it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Align, Records};
use crate::coverage::Coverage;
use crate::engine::{DepartmentRating, Item, MonthScore, Rating};
use crate::event::Event;
use crate::month::Month;
use crate::points::Points;
use crate::policy::PolicyRef;
use crate::review::Review;
use crate::staff::{Department, Employee};
use crate::store::{AuditEntry, Closing, Version};
use crate::verify::CaseResult;
use crate::whatif::Diff;

use Align::{Left, Right};

fn yes_no(b: bool) -> String {
    if b { "yes".into() } else { "NO".into() }
}

fn flags_text(flags: &BTreeMap<String, i64>) -> String {
    flags
        .iter()
        .map(|(f, n)| {
            if *n == 1 {
                f.clone()
            } else {
                format!("{f}×{n}")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `appraise score`: one month's scores.
#[derive(Debug, Serialize)]
pub struct ScoresView {
    pub month: Month,
    pub scores: Vec<MonthScore>,
}

impl Records for ScoresView {
    fn columns(&self) -> Vec<(&'static str, Align)> {
        vec![
            ("employee", Left),
            ("name", Left),
            ("department", Left),
            ("base", Right),
            ("deducted", Right),
            ("rewarded", Right),
            ("score", Right),
            ("passed", Left),
            ("items", Right),
            ("policy", Left),
        ]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.scores
            .iter()
            .map(|s| {
                vec![
                    s.employee.clone(),
                    s.name.clone(),
                    s.department.clone(),
                    s.base.to_string(),
                    s.deducted.to_string(),
                    s.rewarded.to_string(),
                    s.score.to_string(),
                    yes_no(s.passed),
                    s.items.len().to_string(),
                    format!("{} {}", s.policy.id, s.policy.version),
                ]
            })
            .collect()
    }
    fn heading(&self) -> Vec<String> {
        vec![format!("Monthly scores, {}", self.month)]
    }
    fn footing(&self) -> Vec<String> {
        let failed = self.scores.iter().filter(|s| !s.passed).count();
        vec![format!("{} employees, {failed} failed", self.scores.len())]
    }
}

/// `appraise rate`: one year's ratings.
#[derive(Debug, Serialize)]
pub struct RatingsView {
    pub year: i32,
    /// The last month rated (`--through`, or today's month within the year).
    pub through: Month,
    pub ratings: Vec<Rating>,
}

impl Records for RatingsView {
    fn columns(&self) -> Vec<(&'static str, Align)> {
        vec![
            ("employee", Left),
            ("name", Left),
            ("department", Left),
            ("months", Right),
            ("average", Right),
            ("min", Right),
            ("failed", Right),
            ("grade", Left),
            ("outcomes", Left),
            ("flags", Left),
        ]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.ratings
            .iter()
            .map(|r| {
                vec![
                    r.employee.clone(),
                    r.name.clone(),
                    r.department.clone(),
                    r.months.to_string(),
                    r.average.to_string(),
                    r.min.to_string(),
                    r.failed_months.to_string(),
                    format!("{} {}", r.label, r.grade),
                    r.outcomes.join("、"),
                    flags_text(&r.flags),
                ]
            })
            .collect()
    }
    fn heading(&self) -> Vec<String> {
        vec![format!(
            "Annual ratings, {} (months through {})",
            self.year, self.through
        )]
    }
    fn footing(&self) -> Vec<String> {
        // Grades in ladder order, best first.
        let mut by: BTreeMap<(usize, &str), usize> = BTreeMap::new();
        for r in &self.ratings {
            *by.entry((r.rank, r.label.as_str())).or_default() += 1;
        }
        let dismissals = self
            .ratings
            .iter()
            .filter(|r| r.flags.contains_key("dismissal_recommendation"))
            .count();
        let mut lines = vec![format!(
            "{} employees: {}",
            self.ratings.len(),
            by.iter()
                .map(|((_, l), n)| format!("{l} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        )];
        if dismissals > 0 {
            lines.push(format!(
                "{dismissals} dismissal recommendation(s) (4 or more failed months)"
            ));
        }
        lines
    }
}

/// `appraise log list`.
#[derive(Debug, Serialize)]
pub struct EventsView {
    pub events: Vec<Event>,
}

impl Records for EventsView {
    fn columns(&self) -> Vec<(&'static str, Align)> {
        vec![
            ("id", Right),
            ("employee", Left),
            ("date", Left),
            ("kind", Left),
            ("qty", Right),
            ("fields", Left),
            ("note", Left),
            ("recorded_by", Left),
            ("status", Left),
        ]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.events
            .iter()
            .map(|e| {
                vec![
                    e.id.to_string(),
                    e.employee.clone(),
                    e.date.to_string(),
                    e.kind.clone(),
                    e.qty.to_string(),
                    e.fields
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(" "),
                    e.note.clone(),
                    e.recorded_by.clone(),
                    match (e.voided, &e.excuse) {
                        (true, _) => "VOIDED".into(),
                        (false, Some(reason)) => format!("excused: {reason}"),
                        (false, None) => String::new(),
                    },
                ]
            })
            .collect()
    }
}

/// `appraise staff list`.
#[derive(Debug, Serialize)]
pub struct StaffView {
    pub staff: Vec<Employee>,
}

impl Records for StaffView {
    fn columns(&self) -> Vec<(&'static str, Align)> {
        vec![
            ("id", Left),
            ("name", Left),
            ("department", Left),
            ("role", Left),
            ("joined", Left),
            ("left", Left),
            ("supervisor", Left),
            ("attributes", Left),
        ]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.staff
            .iter()
            .map(|e| {
                vec![
                    e.id.clone(),
                    e.name.clone(),
                    e.department.clone(),
                    e.role.clone(),
                    e.joined.to_string(),
                    e.left.map(|d| d.to_string()).unwrap_or_default(),
                    e.supervisor.clone().unwrap_or_default(),
                    e.attrs
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(" "),
                ]
            })
            .collect()
    }
}

/// `appraise dept list`.
#[derive(Debug, Serialize)]
pub struct DepartmentsView {
    pub departments: Vec<Department>,
}

impl Records for DepartmentsView {
    fn columns(&self) -> Vec<(&'static str, Align)> {
        vec![("id", Left), ("name", Left), ("head", Left)]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.departments
            .iter()
            .map(|d| {
                vec![
                    d.id.clone(),
                    d.name.clone(),
                    d.head.clone().unwrap_or_default(),
                ]
            })
            .collect()
    }
}

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
    fn columns(&self) -> Vec<(&'static str, Align)> {
        vec![
            ("id", Right),
            ("policy", Left),
            ("version", Left),
            ("effective_from", Left),
            ("governs", Left),
            ("departments", Left),
            ("hash", Left),
            ("activated_by", Left),
            ("activated_at", Left),
            ("restated", Left),
        ]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.versions
            .iter()
            .map(|r| {
                let v = &r.version;
                vec![
                    v.id.to_string(),
                    format!("{} {}", v.policy, v.name),
                    v.version.clone(),
                    v.effective_from.clone(),
                    r.governs.clone(),
                    v.departments.join(" "),
                    v.hash.chars().take(12).collect(),
                    v.activated_by.clone(),
                    v.activated_at.clone(),
                    v.restated.clone().unwrap_or_default(),
                ]
            })
            .collect()
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
    fn columns(&self) -> Vec<(&'static str, Align)> {
        vec![
            ("result", Left),
            ("policy", Left),
            ("test", Left),
            ("at", Left),
            ("expected vs actual", Left),
        ]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.results
            .iter()
            .map(|r| {
                vec![
                    if r.passed { "ok".into() } else { "FAIL".into() },
                    r.policy.clone(),
                    r.name.clone(),
                    format!("{}:{}", r.file, r.line),
                    r.failures.join("\n"),
                ]
            })
            .collect()
    }
    fn footing(&self) -> Vec<String> {
        let failed = self.results.iter().filter(|r| !r.passed).count();
        let mut lines = Vec::new();
        match &self.untested {
            Some(u) if u.is_empty() => lines.push("coverage: every rule fires in some test".into()),
            Some(u) => {
                lines.push(format!("coverage: {} rule(s) no test makes fire:", u.len()));
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

/// `appraise explain EMPLOYEE --month M`.
#[derive(Debug, Serialize)]
pub struct MonthExplanation {
    #[serde(flatten)]
    pub score: MonthScore,
    /// base + Σ items, before the floor and ceiling.
    pub raw: Points,
    pub pass_mark: Points,
    pub floor: Option<Points>,
    pub ceiling: Option<Points>,
}

fn item_row(month: Option<Month>, i: &Item) -> Vec<String> {
    let mut row = Vec::new();
    if let Some(m) = month {
        row.push(m.to_string());
    }
    row.extend([
        i.date
            .map(|d| d.to_string())
            .unwrap_or_else(|| "(month)".into()),
        i.event.map(|e| e.to_string()).unwrap_or_default(),
        i.kind.to_string(),
        i.rule.to_string(),
        i.name.to_string(),
        i.points.to_string(),
        i.reason.to_string(),
        i.note.clone(),
        i.flags.join(" "),
    ]);
    row
}

const ITEM_COLUMNS: [(&str, Align); 9] = [
    ("date", Left),
    ("event", Right),
    ("kind", Left),
    ("rule", Left),
    ("name", Left),
    ("points", Right),
    ("reason", Left),
    ("note", Left),
    ("flags", Left),
];

impl Records for MonthExplanation {
    fn columns(&self) -> Vec<(&'static str, Align)> {
        ITEM_COLUMNS.to_vec()
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.score.items.iter().map(|i| item_row(None, i)).collect()
    }
    fn heading(&self) -> Vec<String> {
        let s = &self.score;
        vec![
            format!("{} {} ({}), {}", s.employee, s.name, s.department, s.month),
            format!(
                "policy {} version {}; base {}",
                s.policy.id, s.policy.version, s.base
            ),
        ]
    }
    fn footing(&self) -> Vec<String> {
        let s = &self.score;
        let mut lines = vec![format!(
            "base {} + deducted {} + rewarded {} = {}",
            s.base, s.deducted, s.rewarded, self.raw
        )];
        if self.raw != s.score {
            let bound = match (self.floor, self.ceiling) {
                (Some(f), _) if self.raw < f => format!("the floor {f}"),
                (_, Some(c)) => format!("the ceiling {c}"),
                _ => "the bounds".into(),
            };
            lines.push(format!("kept within {bound}: {}", s.score));
        }
        for x in &s.excused {
            lines.push(format!(
                "excused: event {} ({} {}): {}",
                x.event, x.date, x.kind, x.reason
            ));
        }
        lines.push(format!(
            "score {} — {} (pass mark {})",
            s.score,
            if s.passed { "passed" } else { "FAILED" },
            self.pass_mark
        ));
        lines
    }
}

/// `appraise explain EMPLOYEE --year Y`.
#[derive(Debug, Serialize)]
pub struct YearExplanation {
    pub year: i32,
    pub rating: Rating,
    pub months: Vec<MonthScore>,
    /// Why the grade: the year rule that forced it, or the first grade whose `when` held.
    pub because: String,
}

impl Records for YearExplanation {
    fn columns(&self) -> Vec<(&'static str, Align)> {
        let mut c = vec![("month", Left)];
        c.extend(ITEM_COLUMNS);
        c
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.months
            .iter()
            .flat_map(|m| m.items.iter().map(|i| item_row(Some(m.month), i)))
            .collect()
    }
    fn heading(&self) -> Vec<String> {
        let r = &self.rating;
        let mut lines = vec![format!(
            "{} {} ({}), {}",
            r.employee, r.name, r.department, self.year
        )];
        lines.push(
            self.months
                .iter()
                .map(|m| {
                    format!(
                        "{} {}{}",
                        m.month,
                        m.score,
                        if m.passed { "" } else { " FAILED" }
                    )
                })
                .collect::<Vec<_>>()
                .join(" | "),
        );
        lines
    }
    fn footing(&self) -> Vec<String> {
        let r = &self.rating;
        let mut lines = vec![
            format!(
                "{} months: average {}, min {}, max {}, {} failed; deducted {}, rewarded {}",
                r.months, r.average, r.min, r.max, r.failed_months, r.deducted, r.rewarded
            ),
            format!("grade {} {}: {}", r.label, r.grade, self.because),
            format!("outcomes: {}", r.outcomes.join("、")),
        ];
        if !r.flags.is_empty() {
            lines.push(format!("flags: {}", flags_text(&r.flags)));
        }
        lines
    }
}

/// `appraise month list`.
#[derive(Debug, Serialize)]
pub struct ClosingsView {
    pub closed: Vec<Closing>,
}

impl Records for ClosingsView {
    fn columns(&self) -> Vec<(&'static str, Align)> {
        vec![("month", Left), ("closed_by", Left), ("closed_at", Left)]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.closed
            .iter()
            .map(|c| vec![c.month.clone(), c.by.clone(), c.at.clone()])
            .collect()
    }
}

/// `appraise audit`.
#[derive(Debug, Serialize)]
pub struct AuditView {
    pub entries: Vec<AuditEntry>,
}

impl Records for AuditView {
    fn columns(&self) -> Vec<(&'static str, Align)> {
        vec![
            ("id", Right),
            ("at", Left),
            ("actor", Left),
            ("action", Left),
            ("subject", Left),
            ("detail", Left),
        ]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.entries
            .iter()
            .map(|e| {
                vec![
                    e.id.to_string(),
                    e.at.clone(),
                    e.actor.clone(),
                    e.action.clone(),
                    e.subject.clone(),
                    e.detail.clone(),
                ]
            })
            .collect()
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
    fn columns(&self) -> Vec<(&'static str, Align)> {
        vec![
            ("employee", Left),
            ("name", Left),
            ("department", Left),
            ("average", Right),
            ("failed", Right),
            ("grade", Left),
            ("months that change", Left),
        ]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.diff
            .changed
            .iter()
            .map(|c| {
                vec![
                    c.employee.clone(),
                    c.name.clone(),
                    c.department.clone(),
                    format!("{} → {}", c.average_before, c.average_after),
                    format!("{} → {}", c.failed_before, c.failed_after),
                    if c.grade_before == c.grade_after {
                        c.label_after.clone()
                    } else {
                        format!("{} → {} ({})", c.label_before, c.label_after, c.direction)
                    },
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
                        .join(", "),
                ]
            })
            .collect()
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
            "{} of {} employees change; grades: {} up, {} down",
            d.changed.len(),
            d.evaluated,
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
    fn columns(&self) -> Vec<(&'static str, Align)> {
        vec![
            ("policy", Left),
            ("rule", Left),
            ("name", Left),
            ("stage", Left),
            ("fired", Right),
            ("points", Right),
        ]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.coverage
            .rules
            .iter()
            .map(|r| {
                vec![
                    r.policy.clone(),
                    r.rule.clone(),
                    r.name.clone(),
                    r.stage.to_string(),
                    r.fired.to_string(),
                    r.points.to_string(),
                ]
            })
            .collect()
    }
    fn heading(&self) -> Vec<String> {
        vec![format!("Rule coverage on the logs of {}", self.year)]
    }
    fn footing(&self) -> Vec<String> {
        let c = &self.coverage;
        let mut lines = vec![format!(
            "never fired ({}): {}",
            c.never_fired.len(),
            c.never_fired.join(", ")
        )];
        lines.push(format!(
            "kinds logged that no rule scored ({}): {}",
            c.unscored_kinds.len(),
            c.unscored_kinds
                .iter()
                .map(|k| format!("{} ({} events)", k.kind, k.events))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        lines.push(format!(
            "events scored by more than one rule ({}): {}",
            c.multi_scored.len(),
            c.multi_scored
                .iter()
                .map(|m| format!("{} [{}]", m.event, m.rules.join(" + ")))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        lines
    }
}

/// Whose signature a review waits for.
#[derive(Debug, Serialize)]
pub struct Waiting {
    pub step: String,
    /// The employee id expected to sign (supervisor or head); `None` for the company step.
    pub signer: Option<String>,
}

/// The outcome of a complete review.
#[derive(Debug, Serialize)]
pub struct FinalGrade {
    pub grade: String,
    pub label: String,
    pub outcomes: Vec<String>,
}

/// A review with where it stands.
#[derive(Debug, Serialize)]
pub struct ReviewRow {
    #[serde(flatten)]
    pub review: Review,
    pub waiting_on: Option<Waiting>,
    #[serde(rename = "final")]
    pub final_grade: Option<FinalGrade>,
}

/// `appraise review status`.
#[derive(Debug, Serialize)]
pub struct ReviewsView {
    pub year: i32,
    pub reviews: Vec<ReviewRow>,
}

impl Records for ReviewsView {
    fn columns(&self) -> Vec<(&'static str, Align)> {
        vec![
            ("employee", Left),
            ("name", Left),
            ("department", Left),
            ("proposal", Left),
            ("signed", Left),
            ("waiting on", Left),
            ("final", Left),
        ]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.reviews
            .iter()
            .map(|row| {
                let r = &row.review;
                vec![
                    r.employee.clone(),
                    r.name.clone(),
                    r.department.clone(),
                    format!("{} {}", r.proposal.label, r.proposal.grade),
                    r.signatures
                        .iter()
                        .map(|s| format!("{}: {} by {}", s.step, s.grade, s.signer))
                        .collect::<Vec<_>>()
                        .join("; "),
                    row.waiting_on
                        .as_ref()
                        .map_or(String::new(), |w| match &w.signer {
                            Some(who) => format!("{} ({who})", w.step),
                            None => w.step.clone(),
                        }),
                    row.final_grade.as_ref().map_or(String::new(), |f| {
                        format!("{} {}: {}", f.label, f.grade, f.outcomes.join("、"))
                    }),
                ]
            })
            .collect()
    }
    fn heading(&self) -> Vec<String> {
        vec![format!("Annual reviews, {}", self.year)]
    }
    fn footing(&self) -> Vec<String> {
        let done = self
            .reviews
            .iter()
            .filter(|r| r.final_grade.is_some())
            .count();
        let mut waiting: BTreeMap<String, usize> = BTreeMap::new();
        for r in &self.reviews {
            if let Some(w) = &r.waiting_on {
                *waiting.entry(w.step.clone()).or_default() += 1;
            }
        }
        vec![format!(
            "{} reviews: {done} complete; waiting: {}",
            self.reviews.len(),
            waiting
                .iter()
                .map(|(s, n)| format!("{s} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        )]
    }
}

/// `appraise dept rate`.
#[derive(Debug, Serialize)]
pub struct DepartmentRatingsView {
    pub year: i32,
    pub departments: Vec<DepartmentRating>,
}

impl Records for DepartmentRatingsView {
    fn columns(&self) -> Vec<(&'static str, Align)> {
        vec![
            ("department", Left),
            ("name", Left),
            ("head", Left),
            ("targets", Right),
            ("missed", Right),
            ("budget", Right),
            ("spent", Right),
            ("savings", Right),
            ("head bonus cut %", Right),
            ("department bonus", Right),
            ("note", Left),
        ]
    }
    fn rows(&self) -> Vec<Vec<String>> {
        let money = |p: Option<Points>| p.map_or("-".into(), |p| p.to_string());
        self.departments
            .iter()
            .map(|d| {
                vec![
                    d.department.clone(),
                    d.name.clone(),
                    d.head.clone().unwrap_or_default(),
                    d.targets_total.to_string(),
                    d.targets_missed.to_string(),
                    money(d.budget),
                    money(d.spent),
                    money(d.savings),
                    d.head_bonus_cut.to_string(),
                    d.department_bonus.to_string(),
                    if d.missed.is_empty() {
                        d.note.clone()
                    } else {
                        format!("{}；未完成：{}", d.note, d.missed.join("、"))
                    },
                ]
            })
            .collect()
    }
    fn heading(&self) -> Vec<String> {
        vec![format!("Department appraisal, {}", self.year)]
    }
}
