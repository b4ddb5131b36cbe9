//! Markdown versions of the statement and the recommendation, for mail and wikis.

use std::fmt::Write;

use super::flag_list;
use crate::documents::{Recommendation, Statement, Tally};

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn tallies(out: &mut String, head: &str, rows: &[Tally]) {
    let _ = writeln!(out, "| {head} | 次数 | 分数 |\n|---|---:|---:|");
    for t in rows {
        let _ = writeln!(out, "| {} | {} | {} |", cell(&t.label), t.count, t.points);
    }
    if rows.is_empty() {
        out.push_str("| （无） | | |\n");
    }
}

pub fn statement(s: &Statement) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# 部门月度考评说明书\n");
    let _ = writeln!(
        o,
        "{} ({}) · {} · 负责人 {}\n",
        s.department_name,
        s.department,
        s.month,
        super::html::head_text(s)
    );
    let _ = writeln!(
        o,
        "本月考评 {} 人，平均 {} 分（上月 {}），不合格 {} 人。\n",
        s.rows.len(),
        s.average,
        s.previous_average.map_or("—".into(), |p| p.to_string()),
        s.failed
    );
    let _ = writeln!(
        o,
        "## 一、员工得分\n\n| 工号 | 姓名 | 扣分 | 加分 | 得分 | 较上月 | 结果 |\n|---|---|---:|---:|---:|---:|---|"
    );
    for r in &s.rows {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} |",
            cell(&r.employee),
            cell(&r.name),
            r.deducted,
            r.rewarded,
            r.score,
            r.change.map_or("—".into(), |c| c.to_string()),
            if r.passed { "合格" } else { "**不合格**" }
        );
    }
    o.push_str("\n## 二、按类别\n\n");
    tallies(&mut o, "类别", &s.by_category);
    o.push_str("\n## 三、按细则条款\n\n");
    tallies(&mut o, "条款", &s.by_rule);
    o.push_str("\n## 四、最常见的违规\n\n");
    tallies(&mut o, "违规", &s.most_frequent);
    o.push_str("\n## 五、月度平均分走势\n\n");
    for t in &s.trend {
        let _ = writeln!(o, "- {}: {}", t.month, t.average);
    }
    o.push_str(
        "\n## 六、部门负责人意见及改进措施\n\n\n\n负责人签字：＿＿＿＿＿＿　日期：＿＿＿＿＿＿\n",
    );
    o
}

pub fn recommendation(r: &Recommendation) -> String {
    let x = &r.rating;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# 员工奖惩建议书\n\n{} 年度 · 建议：**{}**\n",
        r.year, r.kind
    );
    let _ = writeln!(
        o,
        "| 姓名 | {} | 工号 | {} |\n|---|---|---|---|\n| 部门 | {} | 岗位 | {} |\n| 入职日期 | {} | 考评月数 | {} |\n| 年度平均分 | {} | 不合格月数 | {} |\n| 考评等级 | {} | 考评结果 | {} |\n",
        cell(&r.name),
        cell(&r.employee),
        cell(&r.department_name),
        cell(&r.role),
        r.joined,
        x.months,
        x.average,
        x.failed_months,
        cell(&x.label),
        cell(&x.outcomes.join("、"))
    );
    o.push_str("## 一、不合格月份\n\n");
    for (m, p) in &r.failed_months {
        let _ = writeln!(o, "- {m}: {p}");
    }
    if r.failed_months.is_empty() {
        o.push_str("（无）\n");
    }
    o.push_str("\n## 二、全年违规情况\n\n");
    tallies(&mut o, "条款", &r.violations);
    let _ = writeln!(o, "\n标记：{}\n", flag_list(&x.flags, "，", "无"));
    if let Some(rv) = &r.review {
        o.push_str("## 三、审核记录\n\n| 环节 | 等级 | 签署人 | 意见 |\n|---|---|---|---|\n");
        for s in &rv.signatures {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                cell(&s.step),
                cell(&s.grade),
                cell(&s.signer),
                cell(&s.comment)
            );
        }
        o.push('\n');
    }
    o.push_str("## 负责人意见\n\n\n\n签字：＿＿＿＿＿＿　日期：＿＿＿＿＿＿\n\n## 公司领导审批\n\n\n\n签字：＿＿＿＿＿＿　日期：＿＿＿＿＿＿\n");
    o
}
