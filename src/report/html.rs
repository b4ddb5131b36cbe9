//! Self-contained HTML documents that print cleanly on A4.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{flag_list, svg};
use crate::documents::{RatingSheet, Recommendation, Statement};
use crate::points::Points;

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "@page { size: A4; margin: 16mm 14mm; }
body { font-family: 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif; font-size: 10.5pt; color: #111; max-width: 190mm; margin: auto; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 4mm; }
h2 { font-size: 12pt; border-bottom: 1px solid #999; margin: 6mm 0 2mm; }
.meta { text-align: center; color: #444; margin-bottom: 4mm; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #888; padding: 1.2mm 2mm; vertical-align: top; }
th { background: #eee; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.fail { color: #b00; font-weight: bold; }
.box { border: 1px solid #888; min-height: 28mm; padding: 2mm; }
.sign { display: flex; justify-content: space-between; margin-top: 3mm; }
figure { margin: 2mm 0; page-break-inside: avoid; }
figcaption { font-size: 9pt; color: #444; }
table.sheet { font-size: 8.5pt; }
table.sheet td:nth-child(-n+3), table.sheet td:nth-child(8) { white-space: nowrap; }";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    )
}

fn change(p: Option<Points>) -> String {
    match p {
        None => "—".into(),
        Some(p) if p > Points::ZERO => format!("+{p}"),
        Some(p) => p.to_string(),
    }
}

/// The Department Monthly Appraisal Statement.
/// The head as people know them: name and employee id.
pub(crate) fn head_text(s: &Statement) -> String {
    match (&s.head_name, &s.head) {
        (Some(n), Some(id)) => format!("{n}（{id}）"),
        (None, Some(id)) => id.clone(),
        _ => "—".into(),
    }
}

pub fn statement(s: &Statement, pass_mark: Option<f64>) -> String {
    let mut b = String::new();
    let _ = writeln!(b, "<h1>部门月度考评说明书</h1>");
    let _ = writeln!(
        b,
        "<p class=\"meta\">{} ({}) · {} · 负责人 {} · 考评细则 {}</p>",
        escape(&s.department_name),
        escape(&s.department),
        s.month,
        escape(&head_text(s)),
        escape(
            &s.policies
                .iter()
                .map(|p| format!("{} {}", p.id, p.version))
                .collect::<Vec<_>>()
                .join(", ")
        )
    );
    let _ = writeln!(
        b,
        "<p>本月考评 {} 人，平均 {} 分（上月 {}，变化 {}），不合格 {} 人。</p>",
        s.rows.len(),
        s.average,
        s.previous_average.map_or("—".into(), |p| p.to_string()),
        change(s.previous_average.map(|p| s.average - p)),
        s.failed
    );
    let _ = writeln!(
        b,
        "<h2>一、员工得分</h2>\n<table>\n<tr><th>工号</th><th>姓名</th><th>扣分</th><th>加分</th><th>得分</th><th>较上月</th><th>结果</th></tr>"
    );
    for r in &s.rows {
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td{}>{}</td></tr>",
            escape(&r.employee),
            escape(&r.name),
            r.deducted,
            r.rewarded,
            r.score,
            change(r.change),
            if r.passed { "" } else { " class=\"fail\"" },
            if r.passed { "合格" } else { "不合格" }
        );
    }
    b.push_str("</table>\n");
    let tally_table = |b: &mut String, head: &str, rows: &[crate::documents::Tally]| {
        let _ = writeln!(
            b,
            "<table>\n<tr><th>{head}</th><th>次数</th><th>分数</th></tr>"
        );
        for t in rows {
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(&t.label),
                t.count,
                t.points
            );
        }
        if rows.is_empty() {
            b.push_str("<tr><td colspan=\"3\">（无）</td></tr>\n");
        }
        b.push_str("</table>\n");
    };
    b.push_str("<h2>二、按类别</h2>\n");
    tally_table(&mut b, "类别", &s.by_category);
    b.push_str("<h2>三、按细则条款</h2>\n");
    tally_table(&mut b, "条款", &s.by_rule);
    b.push_str("<h2>四、最常见的违规</h2>\n");
    tally_table(&mut b, "违规", &s.most_frequent);
    b.push_str("<h2>五、月度平均分走势</h2>\n<figure>");
    let series = BTreeMap::from([(s.department_name.clone(), s.trend.clone())]);
    b.push_str(&svg::trend_chart(&series, pass_mark));
    let _ = writeln!(
        b,
        "<figcaption>{} 各月平均分（截至 {}）</figcaption></figure>",
        escape(&s.department_name),
        s.month
    );
    b.push_str("<h2>六、部门负责人意见及改进措施</h2>\n<div class=\"box\"></div>\n<div class=\"sign\"><span>负责人签字：</span><span>日期：</span></div>\n");
    page(
        &format!("部门月度考评说明书 {} {}", s.department_name, s.month),
        &b,
    )
}

/// The annual rating sheet with its pictures.
pub fn rating_sheet(s: &RatingSheet, pass_mark: Option<f64>) -> String {
    let mut b = String::new();
    let _ = writeln!(b, "<h1>{} 年度考评汇总表</h1>", s.year);
    let _ = writeln!(
        b,
        "<p class=\"meta\">{} · 统计至 {} · {} 人</p>",
        escape(s.department.as_deref().unwrap_or("全公司")),
        s.through,
        s.rows.len()
    );
    b.push_str("<table class=\"sheet\">\n<tr><th>工号</th><th>姓名</th><th>部门</th><th>月数</th><th>平均分</th><th>最低</th><th>不合格</th><th>等级</th><th>结果</th><th>标记</th><th>审核</th></tr>\n");
    for r in &s.rows {
        let x = &r.rating;
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&x.employee),
            escape(&x.name),
            escape(&r.department_name),
            x.months,
            x.average,
            x.min,
            x.failed_months,
            escape(&x.label),
            escape(&x.outcomes.join("、")),
            escape(&flag_list(&x.flags, " ", "")),
            escape(&match &r.final_label {
                Some(l) => format!("{}（{l}）", r.review),
                None => r.review.clone(),
            })
        );
    }
    b.push_str("</table>\n<h2>等级分布（校准）</h2>\n<figure>");
    b.push_str(&svg::grade_chart(&s.grades, &s.distribution()));
    b.push_str(
        "<figcaption>各部门各等级人数</figcaption></figure>\n<h2>各部门月度平均分</h2>\n<figure>",
    );
    b.push_str(&svg::trend_chart(&s.trends, pass_mark));
    b.push_str("<figcaption>各部门各月平均分</figcaption></figure>\n");
    page(&format!("{} 年度考评汇总表", s.year), &b)
}

/// The Employee Reward/Penalty Recommendation.
pub fn recommendation(r: &Recommendation) -> String {
    let x = &r.rating;
    let mut b = String::new();
    b.push_str("<h1>员工奖惩建议书</h1>\n");
    let _ = writeln!(
        b,
        "<p class=\"meta\">{} 年度 · 建议：{}</p>",
        r.year,
        escape(&r.kind)
    );
    let _ = writeln!(
        b,
        "<table>\n<tr><th>姓名</th><td>{}</td><th>工号</th><td>{}</td></tr>\n<tr><th>部门</th><td>{}</td><th>岗位</th><td>{}</td></tr>\n<tr><th>入职日期</th><td>{}</td><th>考评月数</th><td>{}</td></tr>\n<tr><th>年度平均分</th><td>{}</td><th>不合格月数</th><td>{}</td></tr>\n<tr><th>考评等级</th><td>{}</td><th>考评结果</th><td>{}</td></tr>\n</table>",
        escape(&r.name),
        escape(&r.employee),
        escape(&r.department_name),
        escape(&r.role),
        escape(&r.joined),
        x.months,
        x.average,
        x.failed_months,
        escape(&x.label),
        escape(&x.outcomes.join("、"))
    );
    b.push_str("<h2>一、不合格月份</h2>\n<table>\n<tr><th>月份</th><th>得分</th></tr>\n");
    for (m, p) in &r.failed_months {
        let _ = writeln!(b, "<tr><td>{m}</td><td class=\"n\">{p}</td></tr>");
    }
    if r.failed_months.is_empty() {
        b.push_str("<tr><td colspan=\"2\">（无）</td></tr>\n");
    }
    b.push_str("</table>\n<h2>二、全年违规情况</h2>\n<table>\n<tr><th>条款</th><th>次数</th><th>扣分</th></tr>\n");
    for t in &r.violations {
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&t.label),
            t.count,
            t.points
        );
    }
    if r.violations.is_empty() {
        b.push_str("<tr><td colspan=\"3\">（无）</td></tr>\n");
    }
    b.push_str("</table>\n");
    let _ = writeln!(
        b,
        "<p>标记：{}</p>",
        escape(&flag_list(&x.flags, "，", "无"))
    );
    if let Some(rv) = &r.review {
        b.push_str("<h2>三、审核记录</h2>\n<table>\n<tr><th>环节</th><th>等级</th><th>签署人</th><th>意见</th></tr>\n");
        for sig in &rv.signatures {
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&sig.step),
                escape(&sig.grade),
                escape(&sig.signer),
                escape(&sig.comment)
            );
        }
        b.push_str("</table>\n");
    }
    b.push_str("<h2>负责人意见</h2>\n<div class=\"box\"></div>\n<div class=\"sign\"><span>负责人签字：</span><span>日期：</span></div>\n");
    b.push_str("<h2>公司领导审批</h2>\n<div class=\"box\"></div>\n<div class=\"sign\"><span>签字：</span><span>日期：</span></div>\n");
    page(&format!("员工奖惩建议书 {} {}", r.name, r.year), &b)
}
