//! `score`, `rate` and `explain`: month scores, annual ratings, and every point of an
//! employee's month or year.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Columns, Layout, Records};
use crate::domain::labels::Glossary;
use crate::domain::month::Month;
use crate::domain::points::Points;
use crate::domain::text::flag_list;
use crate::engine::{Item, MonthScore, Rating};

fn yes_no(b: bool) -> String {
    if b { "是".into() } else { "否".into() }
}

/// `appraise score`: one month's scores.
#[derive(Debug, Serialize)]
pub struct ScoresView {
    pub month: Month,
    pub scores: Vec<MonthScore>,
}

impl Records for ScoresView {
    fn layout(&self, words: &Glossary) -> Layout {
        Columns::over(&self.scores)
            .left("工号", |s| s.employee.clone())
            .left("姓名", |s| s.name.clone())
            .left("部门", |s| words.department(&s.department).to_string())
            .id("部门编号", |s| s.department.clone())
            .right("基础分", |s| s.base.to_string())
            .right("扣分", |s| s.deducted.to_string())
            .right("加分", |s| s.rewarded.to_string())
            .right("得分", |s| s.score.to_string())
            .left("合格", |s| yes_no(s.passed))
            .right("条目", |s| s.items.len().to_string())
            .minor()
            .text("考核办法", |s| policy_name(words, &s.policy))
            .minor()
            .id("办法编号", |s| s.policy.id.to_string())
            .id("版本", |s| s.policy.version.to_string())
            .done()
    }
    fn heading(&self, _: &Glossary) -> Vec<String> {
        vec![format!("{} 月度得分", self.month)]
    }
    fn footing(&self, _: &Glossary) -> Vec<String> {
        let failed = self.scores.iter().filter(|s| !s.passed).count();
        vec![format!("共 {} 人，不合格 {failed} 人", self.scores.len())]
    }
}

/// A policy version as people name it: `物业服务考核办法 2026.1`.
fn policy_name(words: &Glossary, policy: &crate::policy::PolicyRef) -> String {
    format!("{} {}", words.policy(&policy.id), policy.version)
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
    fn layout(&self, words: &Glossary) -> Layout {
        Columns::over(&self.ratings)
            .left("工号", |r| r.employee.clone())
            .left("姓名", |r| r.name.clone())
            .left("部门", |r| words.department(&r.department).to_string())
            .minor()
            .id("部门编号", |r| r.department.clone())
            .right("月数", |r| r.months.to_string())
            .minor()
            .right("平均分", |r| r.average.to_string())
            .right("最低分", |r| r.min.to_string())
            .minor()
            .right("不合格月数", |r| r.failed_months.to_string())
            .left("等级", |r| {
                if r.computed_grade.is_empty() || r.computed_grade == r.grade {
                    r.label.clone()
                } else {
                    format!("{}（计算为{}）", r.label, words.grade(&r.computed_grade))
                }
            })
            .id("等级编号", |r| r.grade.clone())
            .id("计算等级编号", |r| r.computed_grade.clone())
            .text("审核", |r| match &r.not_rated {
                Some(n) => format!("{}（{}）", crate::engine::NOT_RATED_LABEL, n.reason()),
                None => crate::domain::labels::review_status(&r.review),
            })
            .minor()
            .id("审核状态", |r| r.review.clone())
            .text("结果", |r| r.outcomes.join("、"))
            .text("标记", |r| flag_list(&r.flags, &words.flags, " ", ""))
            .id("标记编号", |r| {
                flag_list(&r.flags, &BTreeMap::new(), " ", "")
            })
            .done()
    }
    fn heading(&self, _: &Glossary) -> Vec<String> {
        vec![format!("{} 年度评级（计至 {}）", self.year, self.through)]
    }
    fn footing(&self, words: &Glossary) -> Vec<String> {
        // Grades in ladder order, best first.
        let mut by: BTreeMap<(usize, &str), usize> = BTreeMap::new();
        let mut flagged: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &self.ratings {
            *by.entry((r.rank, r.label.as_str())).or_default() += 1;
            for f in r.flags.keys() {
                *flagged.entry(f).or_default() += 1;
            }
        }
        let mut lines = vec![format!(
            "共 {} 人：{}",
            self.ratings.len(),
            by.iter()
                .map(|((_, l), n)| format!("{l} {n} 人"))
                .collect::<Vec<_>>()
                .join("，")
        )];
        if !flagged.is_empty() {
            lines.push(format!(
                "标记：{}",
                flagged
                    .iter()
                    .map(|(f, n)| format!("{} {n} 人", words.flag(f)))
                    .collect::<Vec<_>>()
                    .join("，")
            ));
        }
        lines
    }
}

/// The columns of a ledger item, over rows that hold one (`item` finds it).
fn item_columns<'w, T: 'w>(
    c: Columns<T>,
    words: &'w Glossary,
    item: fn(&T) -> &Item,
) -> Columns<T> {
    c.left("日期", move |t| {
        item(t)
            .date
            .map_or_else(|| "（整月）".into(), |d| d.to_string())
    })
    .right("事件", move |t| {
        item(t).event.map(|e| e.to_string()).unwrap_or_default()
    })
    .minor()
    .left("类型", move |t| words.kind(item(t).kind()).to_string())
    .minor()
    .id("类型编号", move |t| item(t).kind().to_string())
    .text("规则", move |t| item(t).name().to_string())
    .id("规则编号", move |t| item(t).rule().to_string())
    .right("分值", move |t| item(t).points.to_string())
    .right("数量", move |t| item(t).qty.to_string())
    .minor()
    .text("计分方式", move |t| item(t).reason().to_string())
    .minor()
    .text("说明", move |t| item(t).note().to_string())
    .text("标记", move |t| {
        item(t)
            .flags()
            .map(|f| words.flag(f))
            .collect::<Vec<_>>()
            .join(" ")
    })
    .minor()
    .id("标记编号", move |t| {
        item(t).flags().collect::<Vec<_>>().join(" ")
    })
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
    /// The note each event of the month was entered with, by id: what the supervisor wrote,
    /// or the shift and the clock's rows a derived event comes from.
    pub event_notes: std::collections::BTreeMap<i64, String>,
}

impl Records for MonthExplanation {
    fn layout(&self, words: &Glossary) -> Layout {
        item_columns(Columns::over(&self.score.items), words, |i| i)
            .text("事件备注", |i| {
                i.event
                    .and_then(|e| self.event_notes.get(&e))
                    .cloned()
                    .unwrap_or_default()
            })
            .minor()
            .done()
    }
    fn heading(&self, words: &Glossary) -> Vec<String> {
        let s = &self.score;
        vec![
            format!(
                "{} {}（{}），{}",
                s.employee,
                s.name,
                words.department(&s.department),
                s.month
            ),
            format!(
                "考核办法：{}；基础分 {}",
                policy_name(words, &s.policy),
                s.base
            ),
        ]
    }
    fn footing(&self, words: &Glossary) -> Vec<String> {
        let s = &self.score;
        let mut lines = vec![format!(
            "基础分 {} + 扣分 {} + 加分 {} = {}",
            s.base, s.deducted, s.rewarded, self.raw
        )];
        if self.raw != s.score {
            let bound = match (self.floor, self.ceiling) {
                (Some(f), _) if self.raw < f => format!("保底分 {f}"),
                (_, Some(c)) => format!("封顶分 {c}"),
                _ => "分数界限".into(),
            };
            lines.push(format!("按{bound}计：{}", s.score));
        }
        for x in &s.excused {
            lines.push(format!(
                "已免责：事件 {}（{} {}）：{}",
                x.event,
                x.date,
                words.kind(&x.kind),
                x.reason
            ));
        }
        lines.push(format!(
            "得分 {}，{}（合格线 {}）",
            s.score,
            if s.passed { "合格" } else { "不合格" },
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
    fn layout(&self, words: &Glossary) -> Layout {
        let items = self
            .months
            .iter()
            .flat_map(|m| m.items.iter().map(move |i| (m.month, i)));
        item_columns(
            Columns::over(items).left("月份", |(m, _)| m.to_string()),
            words,
            |(_, i)| i,
        )
        .done()
    }
    fn heading(&self, words: &Glossary) -> Vec<String> {
        let r = &self.rating;
        let mut lines = vec![format!(
            "{} {}（{}），{} 年",
            r.employee,
            r.name,
            words.department(&r.department),
            self.year
        )];
        lines.push(
            self.months
                .iter()
                .map(|m| {
                    // No space inside a month's entry: a narrow terminal breaks the line
                    // between months, never within one.
                    format!(
                        "{}：{}{}",
                        m.month,
                        m.score,
                        if m.passed { "" } else { "（不合格）" }
                    )
                })
                .collect::<Vec<_>>()
                .join(" | "),
        );
        lines
    }
    fn footing(&self, words: &Glossary) -> Vec<String> {
        let r = &self.rating;
        let mut lines = vec![
            format!(
                "{} 个月：平均 {}，最低 {}，最高 {}，不合格 {} 个月；扣分 {}，加分 {}",
                r.months, r.average, r.min, r.max, r.failed_months, r.deducted, r.rewarded
            ),
            format!("等级 {}：{}", r.label, self.because),
            format!("结果：{}", r.outcomes.join("、")),
        ];
        if !r.flags.is_empty() {
            lines.push(format!(
                "标记：{}",
                flag_list(&r.flags, &words.flags, " ", "")
            ));
        }
        lines
    }
}
