//! The documents HR prints or files: plain values computed from the ledger, rendered by
//! [`report`](crate::report) into HTML, Markdown, CSV or a workbook.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::domain::labels;
use crate::domain::month::Month;
use crate::domain::points::Points;
use crate::domain::staff::{Department, Employee};
use crate::engine::review::Review;
use crate::engine::{MonthScore, Rating};
use crate::evaluation::evaluate::EmployeeMonths;
use crate::policy::PolicyRef;

/// One employee's line in a department's monthly statement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatementRow {
    pub employee: String,
    pub name: String,
    pub score: Points,
    pub passed: bool,
    pub deducted: Points,
    pub rewarded: Points,
    /// Score change against the previous month, when the employee had one.
    pub change: Option<Points>,
}

/// Points and count of a category or rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tally {
    pub key: String,
    pub label: String,
    /// The manual's item number of the rule tallied (`A-11`), where the policy gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub count: usize,
    pub points: Points,
}

/// A department's average score in a month (for the trend picture).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    pub month: Month,
    pub average: Points,
}

/// The Department Monthly Appraisal Statement (部门月度考评说明书).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statement {
    pub department: String,
    pub department_name: String,
    /// The head's employee id and name.
    pub head: Option<String>,
    pub head_name: Option<String>,
    pub month: Month,
    pub policies: Vec<PolicyRef>,
    /// Policy id → its name (`客户服务部考评细则`), for people.
    pub policy_names: BTreeMap<String, String>,
    pub rows: Vec<StatementRow>,
    pub failed: usize,
    pub average: Points,
    pub previous_average: Option<Points>,
    pub by_category: Vec<Tally>,
    pub by_rule: Vec<Tally>,
    /// The most frequent violations (up to five).
    pub most_frequent: Vec<Tally>,
    /// The department's average per month of the year, up to this month.
    pub trend: Vec<TrendPoint>,
}

/// A change of score as people write it: `+1`, `-3`, `—` when there is nothing to compare.
fn change_text(p: Option<Points>) -> String {
    match p {
        None => "—".into(),
        Some(p) if p > Points::ZERO => format!("+{p}"),
        Some(p) => p.to_string(),
    }
}

impl StatementRow {
    /// The change against the previous month, e.g. `+1`.
    pub fn change_text(&self) -> String {
        change_text(self.change)
    }
}

impl Statement {
    /// The head as people know them: name and employee id.
    pub fn head_text(&self) -> String {
        match (&self.head_name, &self.head) {
            (Some(n), Some(id)) => format!("{n}（{id}）"),
            (None, Some(id)) => id.clone(),
            _ => "—".into(),
        }
    }

    /// The policy versions that scored the month, by name, e.g. `客户服务部考评细则 2025.1`.
    pub fn policies_text(&self) -> String {
        self.policies
            .iter()
            .map(|p| {
                let name = self.policy_names.get(&*p.id).map_or(&*p.id, String::as_str);
                format!("{name} {}", p.version)
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn previous_average_text(&self) -> String {
        self.previous_average
            .map_or_else(|| "—".into(), |p| p.to_string())
    }

    /// The average's change against the previous month.
    pub fn average_change_text(&self) -> String {
        change_text(self.previous_average.map(|p| self.average - p))
    }
}

fn average(scores: &[Points]) -> Points {
    scores.iter().copied().sum::<Points>().mean(scores.len())
}

fn tallies(
    scores: &[&MonthScore],
    refs: &BTreeMap<String, String>,
    key: impl Fn(&crate::engine::Item) -> (String, String),
) -> Vec<Tally> {
    let mut by: BTreeMap<String, Tally> = BTreeMap::new();
    for item in scores.iter().flat_map(|s| &s.items) {
        let (k, label) = key(item);
        let t = by.entry(k.clone()).or_insert(Tally {
            reference: refs.get(&k).cloned(),
            key: k,
            label,
            count: 0,
            points: Points::ZERO,
        });
        t.count += item.qty as usize;
        t.points += item.points;
    }
    let mut v: Vec<Tally> = by.into_values().collect();
    v.sort_by(|a, b| a.points.cmp(&b.points).then(a.key.cmp(&b.key)));
    v
}

/// What the policies call things, for a statement: each policy's name by its id, and each
/// rule's manual item number by the rule's id.
pub struct PolicyWords {
    pub names: BTreeMap<String, String>,
    pub references: BTreeMap<String, String>,
}

/// Builds the statement of `department` for `month` from its employees' months
/// (`year`): the month itemised, the one before, and every month of the year so far (for
/// the trend). Each month counts the employees who were in the department then.
pub fn statement(
    department: &Department,
    head_name: Option<&str>,
    words: PolicyWords,
    month: Month,
    year: &[EmployeeMonths],
) -> Statement {
    let id = department.id.as_str();
    let mine: Vec<&MonthScore> = year
        .iter()
        .filter_map(|e| e.itemised.as_ref())
        .filter(|s| s.department == id)
        .collect();
    // Month → the department's scores then, the year so far and the month before it.
    let mut scores: BTreeMap<Month, Vec<Points>> = BTreeMap::new();
    let mut before: BTreeMap<&str, Points> = BTreeMap::new();
    for e in year {
        for r in e.results.iter().filter(|r| r.department == id) {
            scores.entry(r.month).or_default().push(r.score);
            if r.month == month.prev() {
                before.insert(&e.employee, r.score);
            }
        }
    }
    let prev = scores.get(&month.prev());
    let mut policies: Vec<PolicyRef> = mine.iter().map(|s| s.policy.clone()).collect();
    policies.sort_by(|a, b| a.hash.cmp(&b.hash));
    policies.dedup();
    let PolicyWords {
        names: policy_names,
        references,
    } = words;
    let by_rule = tallies(&mine, &references, |i| {
        (i.rule().to_string(), i.name().to_string())
    });
    let mut most_frequent: Vec<Tally> = by_rule
        .iter()
        .filter(|t| t.points.is_negative())
        .cloned()
        .collect();
    most_frequent.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.points.cmp(&b.points))
            .then(a.key.cmp(&b.key))
    });
    most_frequent.truncate(5);
    Statement {
        department: id.to_string(),
        department_name: department.name.clone(),
        head: department.head.clone(),
        head_name: head_name.map(String::from),
        month,
        policies,
        policy_names,
        rows: mine
            .iter()
            .map(|s| StatementRow {
                employee: s.employee.clone(),
                name: s.name.clone(),
                score: s.score,
                passed: s.passed,
                deducted: s.deducted,
                rewarded: s.rewarded,
                change: before.get(s.employee.as_str()).map(|p| s.score - *p),
            })
            .collect(),
        failed: mine.iter().filter(|s| !s.passed).count(),
        average: average(&mine.iter().map(|s| s.score).collect::<Vec<_>>()),
        previous_average: prev.map(|p| average(p)),
        by_category: tallies(&mine, &BTreeMap::new(), |i| {
            let c = if i.category().is_empty() {
                "(none)".to_string()
            } else {
                i.category().to_string()
            };
            (c.clone(), c)
        }),
        by_rule,
        most_frequent,
        trend: scores
            .iter()
            .filter(|(m, _)| m.year() == month.year() && **m <= month)
            .map(|(m, s)| TrendPoint {
                month: *m,
                average: average(s),
            })
            .collect(),
    }
}

/// One line of the annual rating sheet: the rating and where its review stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SheetRow {
    #[serde(flatten)]
    pub rating: Rating,
    /// The department's name (the rating names its id).
    pub department_name: String,
    /// Where the review stands, for people: 未开始, 待直属上级签署 …, 已定稿.
    pub review: String,
    /// The label of the grade the policy computed, when the grade of record differs.
    pub computed_label: Option<String>,
}

/// The annual rating sheet of the company or a department.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatingSheet {
    pub year: i32,
    pub through: Month,
    /// The one department the sheet is of (id and name), if not the company's.
    pub department: Option<String>,
    pub department_name: Option<String>,
    /// Flag id → its label for people, from the policies' `[flags]`.
    pub flag_labels: BTreeMap<String, String>,
    pub rows: Vec<SheetRow>,
    /// Grade labels in ladder order (best first), for the distribution.
    pub grades: Vec<String>,
    /// Department name → its average score per month.
    pub trends: BTreeMap<String, Vec<TrendPoint>>,
}

impl SheetRow {
    pub fn outcomes_text(&self) -> String {
        self.rating.outcomes.join("、")
    }

    /// Where the review stands, with the computed grade when the signed one differs:
    /// `已定稿（计算等级 优秀）`.
    pub fn review_text(&self) -> String {
        match &self.computed_label {
            Some(l) => format!("{}（计算等级 {l}）", self.review),
            None => self.review.clone(),
        }
    }
}

impl RatingSheet {
    /// What the sheet covers: a department's name, or the whole company.
    pub fn scope(&self) -> &str {
        self.department_name.as_deref().unwrap_or("全公司")
    }

    /// A rating's flags by their labels, e.g. `严重违纪×4 建议辞退`.
    pub fn flags_text(&self, flags: &BTreeMap<String, i64>, sep: &str, none: &str) -> String {
        crate::domain::text::flag_list(flags, &self.flag_labels, sep, none)
    }

    /// Department name → grade label → employees, for the calibration picture.
    pub fn distribution(&self) -> BTreeMap<String, BTreeMap<String, usize>> {
        let mut d: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for r in &self.rows {
            *d.entry(r.department_name.clone())
                .or_default()
                .entry(r.rating.label.clone())
                .or_default() += 1;
        }
        d
    }
}

/// What a rating sheet covers and the labels it shows.
pub struct SheetInput<'a> {
    pub year: i32,
    pub through: Month,
    /// The one department the sheet is of, if not the company's.
    pub department: Option<String>,
    /// Grade id → label, for final grades.
    pub labels: &'a BTreeMap<String, String>,
    /// Department id → name.
    pub departments: &'a BTreeMap<String, String>,
    /// Flag id → label.
    pub flag_labels: BTreeMap<String, String>,
    /// Grade labels in ladder order (best first).
    pub ladder: Vec<String>,
}

/// Where a review stands, for people: 未开始 (no review), 待直属上级签署 (waiting on a
/// step), 已定稿 (complete).
pub fn review_status(review: Option<&Review>) -> String {
    match review {
        None => labels::review_status("not_started"),
        Some(r) => labels::waiting_on(r.next_step()),
    }
}

/// Builds the sheet from ratings (each with its months' scores, taken into the sheet's rows
/// rather than copied: a company's ratings are hundreds of megabytes at 100,000 staff) and
/// the year's reviews.
pub fn rating_sheet(input: SheetInput, results: Vec<Rating>, reviews: &[Review]) -> RatingSheet {
    let SheetInput {
        year,
        through,
        department,
        labels: final_labels,
        departments,
        flag_labels,
        ladder: grades,
    } = input;
    let by_employee: BTreeMap<&str, &Review> =
        reviews.iter().map(|r| (r.employee.as_str(), r)).collect();
    let name_of = |id: &String| departments.get(id).cloned().unwrap_or_else(|| id.clone());
    let mut per_dept: BTreeMap<String, BTreeMap<Month, Vec<Points>>> = BTreeMap::new();
    for r in &results {
        for m in &r.monthly {
            per_dept
                .entry(name_of(&r.department))
                .or_default()
                .entry(m.month)
                .or_default()
                .push(m.score);
        }
    }
    RatingSheet {
        year,
        through,
        department_name: department
            .as_ref()
            .and_then(|d| departments.get(d).cloned()),
        department,
        flag_labels,
        rows: results
            .into_iter()
            .map(|r| {
                let review = by_employee.get(r.employee.as_str()).copied();
                let computed_label = (r.computed_grade != r.grade)
                    .then(|| final_labels.get(&r.computed_grade).cloned())
                    .flatten();
                SheetRow {
                    department_name: name_of(&r.department),
                    review: match &r.not_rated {
                        Some(n) => format!("不参评（{}）", n.reason()),
                        None => review_status(review),
                    },
                    rating: r,
                    computed_label,
                }
            })
            .collect(),
        grades,
        trends: per_dept
            .into_iter()
            .map(|(d, months)| {
                let points = months
                    .into_iter()
                    .map(|(m, s)| TrendPoint {
                        month: m,
                        average: s.iter().copied().sum::<Points>().mean(s.len()),
                    })
                    .collect();
                (d, points)
            })
            .collect(),
    }
}

/// The Employee Reward/Penalty Recommendation (员工奖惩建议书).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    pub year: i32,
    pub employee: String,
    pub name: String,
    pub department: String,
    pub department_name: String,
    pub role: String,
    pub joined: String,
    /// 辞退 (dismissal), 晋升加薪 (promotion) or 奖惩 (other).
    pub kind: String,
    pub rating: Rating,
    pub failed_months: Vec<(Month, Points)>,
    pub violations: Vec<Tally>,
    /// Commendations and other rewards, tallied as the violations are: what a promotion
    /// rests on.
    pub rewards: Vec<Tally>,
    /// Every reward of the year, one by one: when, which rule, what was noted, who
    /// recorded it.
    pub rewarded: Vec<Case>,
    /// Every serious case of the year (items flagged `severe`), for the punishment the
    /// manual asks beyond the points.
    pub severe: Vec<Case>,
    /// Employee id → `姓名（岗位）`, for the signers of the review.
    pub signers: BTreeMap<String, String>,
    pub review: Option<Review>,
    /// The photos attached to the year's events and their appeals, in date order.
    pub evidence: Vec<EvidencePhoto>,
    /// When the review changed the computed grade: what was computed, and who changed it.
    pub changed: Option<ChangedByReview>,
    /// Flag id → label and grade id → label, from the policy that rated the year.
    pub flag_labels: BTreeMap<String, String>,
    pub grade_labels: BTreeMap<String, String>,
}

/// A grade the review changed: the computed grade and the flags that came with it (a
/// dismissal recommendation of four failed months), and the final signature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangedByReview {
    pub computed_label: String,
    /// The flags of the year rules that decided the computed grade, by their labels.
    pub computed_flags: String,
    /// The day of the final signature, and who signed it.
    pub on: String,
    pub signer: String,
}

impl Recommendation {
    pub fn outcomes_text(&self) -> String {
        self.rating.outcomes.join("、")
    }

    /// The year's flags by their labels; once the review changed the grade, without the
    /// flags of the computed grade's year rules (they are shown with the computed grade).
    pub fn flags_text(&self, sep: &str, none: &str) -> String {
        crate::domain::text::flag_list(&self.rating.flags, &self.flag_labels, sep, none)
    }

    /// The employee's role by the name people know it by.
    pub fn role_text(&self) -> &str {
        labels::staff_role(&self.role)
    }

    /// A review step by the name people know it by.
    pub fn step_text(&self, step: &str) -> String {
        labels::step(step).to_string()
    }

    /// A signer as people know them: `高霞（E002，主管）`, or the login when they are not
    /// on the staff file.
    pub fn signer_text(&self, signer: &str) -> String {
        self.signers
            .get(signer)
            .map_or_else(|| signer.to_string(), |s| s.clone())
    }

    /// The day of a stamp (`2026-03-04T09:00:00Z` → `2026-03-04`).
    pub fn day_of(&self, at: &str) -> String {
        at.chars().take(10).collect()
    }

    /// A grade by its label: `一般 (average)` reads better than the id alone.
    pub fn grade_text(&self, grade: &str) -> String {
        self.grade_labels
            .get(grade)
            .cloned()
            .unwrap_or_else(|| grade.to_string())
    }
}

/// A photo attached to one of the year's events (or its appeal), as the recommendation
/// shows it: the event's day and rule, the photo's hash, and the photo itself as a
/// `data:` address when it is small enough to travel inside the document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidencePhoto {
    pub date: String,
    pub event: i64,
    pub rule: String,
    pub sha256: String,
    /// Who attached it.
    pub by: String,
    #[serde(skip)]
    pub image: Option<String>,
}

/// One scored item of the year as the recommendation lists it (a serious case, a
/// commendation): when, which rule, what was noted, who recorded it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    pub date: String,
    pub event: Option<i64>,
    pub rule: String,
    pub points: Points,
    pub note: String,
    pub recorded_by: String,
}

/// When the final review changed the computed grade: moves the flags of the year rules
/// behind the computed grade out of `rating` (the grade of record no longer carries them)
/// and says what was computed and who changed it.
fn changed_by_review(
    rating: &mut Rating,
    review: Option<&Review>,
    policy: Option<&crate::policy::Policy>,
) -> Option<ChangedByReview> {
    if rating.review != "final" || rating.computed_grade == rating.grade {
        return None;
    }
    let last = review?.signatures.last()?;
    let policy = policy?;
    let mut computed_flags = BTreeMap::new();
    for rule in policy
        .annual
        .iter()
        .filter(|a| rating.year_rules.contains(&a.id))
    {
        for f in &rule.flags {
            if let Some(n) = rating.flags.remove(f) {
                computed_flags.insert(f.clone(), n);
            }
        }
    }
    let computed_label = policy
        .grades
        .iter()
        .find(|g| g.id == rating.computed_grade)
        .map_or_else(|| rating.computed_grade.clone(), |g| g.label.clone());
    Some(ChangedByReview {
        computed_label,
        computed_flags: crate::domain::text::flag_list(
            &computed_flags,
            &policy.flag_labels,
            "，",
            "",
        ),
        on: last.at.chars().take(10).collect(),
        signer: last.signer.clone(),
    })
}

/// The flag that marks a serious case (list B of the manual).
pub const SEVERE: &str = "severe";

/// What the recommendation is filled from besides the year: who recorded each event, who
/// the signers are, the photos.
pub struct RecommendationInput<'a> {
    pub staff: &'a Employee,
    pub department_name: &'a str,
    pub review: Option<Review>,
    pub policy: Option<&'a crate::policy::Policy>,
    /// Event id → who recorded it and the note it was entered with.
    pub recorders: &'a BTreeMap<i64, (String, String)>,
    pub signers: BTreeMap<String, String>,
    pub evidence: Vec<EvidencePhoto>,
}

/// The items of the year that `pick` chooses, one by one, with the manual's item number
/// (`refs`, by rule id) before the rule where the policy gives one.
fn cases(
    result: &crate::evaluation::evaluate::YearResult,
    refs: &BTreeMap<String, String>,
    recorders: &BTreeMap<i64, (String, String)>,
    pick: impl Fn(&crate::engine::Item) -> bool,
) -> Vec<Case> {
    result
        .months
        .iter()
        .flat_map(|m| &m.items)
        .filter(|i| pick(i))
        .map(|i| {
            let name = if i.qty > 1 {
                format!("{}（{}次）", i.name(), i.qty)
            } else {
                i.name().to_string()
            };
            let (recorded_by, entered) = i
                .event
                .and_then(|e| recorders.get(&e).cloned())
                .unwrap_or_default();
            Case {
                date: i.date.map(|d| d.to_string()).unwrap_or_default(),
                event: i.event,
                rule: match refs.get(i.rule()) {
                    Some(r) => format!("{r} {name}"),
                    None => name,
                },
                points: i.points,
                // What the rule noted (按旷工计), else what the event was entered with.
                note: if i.note().is_empty() {
                    entered
                } else {
                    i.note().to_string()
                },
                recorded_by,
            }
        })
        .collect()
}

/// Pre-fills the recommendation from an employee's year.
pub fn recommendation(
    result: &crate::evaluation::evaluate::YearResult,
    input: RecommendationInput<'_>,
) -> Recommendation {
    let RecommendationInput {
        staff,
        department_name,
        review,
        policy,
        recorders,
        signers,
        evidence,
    } = input;
    let mut r = result.rating.clone();
    let changed = changed_by_review(&mut r, review.as_ref(), policy);
    let r = &r;
    // Once the review is final its grade's outcomes decide; before, the year's flags too.
    let flagged = r.review != "final" && r.flags.contains_key("dismissal_recommendation");
    let refs: BTreeMap<String, String> = policy
        .into_iter()
        .flat_map(|p| p.references())
        .map(|(id, r)| (id.to_string(), r.to_string()))
        .collect();
    let severe = cases(result, &refs, recorders, |i| i.flags().any(|f| f == SEVERE));
    let rewarded = cases(result, &refs, recorders, |i| i.points.is_positive());
    let kind = if flagged || r.outcomes.iter().any(|o| o.contains("辞退")) {
        "辞退"
    } else if !severe.is_empty() && changed.is_none() {
        "重罚"
    } else if r.outcomes.iter().any(|o| o.contains("晋升")) {
        "晋升加薪"
    } else {
        "奖惩"
    };
    let months: Vec<&MonthScore> = result.months.iter().collect();
    let all = tallies(&months, &refs, |i| {
        (i.rule().to_string(), i.name().to_string())
    });
    let (violations, rewards): (Vec<Tally>, Vec<Tally>) =
        all.into_iter().partition(|t| t.points.is_negative());
    let rewards = rewards
        .into_iter()
        .filter(|t| t.points.is_positive())
        .collect();
    Recommendation {
        year: r.monthly.first().map_or(0, |m| m.month.year()),
        employee: r.employee.clone(),
        name: r.name.clone(),
        department: r.department.clone(),
        department_name: department_name.to_string(),
        role: staff.role.clone(),
        joined: staff.joined.to_string(),
        kind: kind.to_string(),
        rating: r.clone(),
        failed_months: result
            .months
            .iter()
            .filter(|m| !m.passed)
            .map(|m| (m.month, m.score))
            .collect(),
        violations,
        rewards,
        rewarded,
        severe,
        signers,
        evidence,
        review,
        changed,
        flag_labels: policy.map(|p| p.flag_labels.clone()).unwrap_or_default(),
        grade_labels: policy
            .map(|p| p.grade_choices().into_iter().collect())
            .unwrap_or_default(),
    }
}
