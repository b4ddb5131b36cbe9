//! Every table command fits an 80- and a 120-column terminal on the demo, measured in
//! display columns (a Chinese character takes two), and shows labels where the ids have
//! them; the ids stay in `--format csv` and JSON.

use unicode_width::UnicodeWidthStr;

use super::util::Workspace;

/// The table commands, with what the demo needs them to show something (`{y}` is the
/// demo's year).
const COMMANDS: [&str; 22] = [
    "rate --year {y}",
    "score --month {y}-03",
    "explain E008 --month {y}-03",
    "explain E008 --year {y}",
    "rules list",
    "rules test d/rules",
    "rules coverage --year {y}",
    "staff list",
    "staff history E001",
    "dept list",
    "dept rate --year {y}",
    "log list --employee E008",
    "month list",
    "audit",
    "appeal list",
    "review status --year {y}",
    "user list",
    "leave list",
    "holiday list --year {y}",
    "clock corrections",
    "notify list",
    "notify channel list",
];

/// The demo with something in every list: a review started, an appeal, leave asked for,
/// a month closed.
fn demo() -> (Workspace, String) {
    let (ws, year) = crate::util::demo();
    let run = |args: &[&str]| {
        let mut all = vec!["--db", "d/appraise.db"];
        all.extend(args);
        ws.run(&all).ok()
    };
    run(&[
        "review",
        "start",
        "--year",
        &year,
        "--open-months-ok",
        "--by",
        "hr",
    ]);
    let events = run(&["log", "list", "--employee", "E001", "--format", "csv"]);
    let last = events.lines().last().unwrap().split(',').next().unwrap();
    run(&[
        "appeal",
        "file",
        last,
        "--reason",
        "当天在岗，有监控为证，值班记录可查，请主管核实",
        "--by",
        "E001",
    ]);
    run(&[
        "leave",
        "request",
        "E002",
        "--type",
        "年假",
        "--from",
        &format!("{year}-12-22"),
        "--to",
        &format!("{year}-12-24"),
        "--reason",
        "回老家探亲，已与班组长协调好替班人员",
        "--by",
        "hr",
    ]);
    run(&["month", "close", &format!("{year}-01"), "--by", "hr"]);
    (ws, year)
}

fn table_at(ws: &Workspace, command: &str, columns: usize) -> String {
    let mut args = vec!["--db", "d/appraise.db"];
    args.extend(command.split_whitespace());
    let out = ws.run_env(&args, &[("COLUMNS", &columns.to_string())]).ok();
    assert!(!out.trim().is_empty(), "{command} printed nothing");
    out
}

#[test]
fn every_table_command_fits_80_and_120_columns_with_labels_not_ids() {
    let (ws, year) = demo();
    for columns in [80, 120] {
        for command in COMMANDS {
            let command = command.replace("{y}", &year);
            let out = table_at(&ws, &command, columns);
            for line in out.lines() {
                assert!(
                    line.width() <= columns,
                    "`{command}` at {columns} columns prints a line of {}:\n{line}\n\n{out}",
                    line.width()
                );
            }
            // Departments, grades and review steps by their labels, never their ids (the
            // policies' tests are located by file name, the audit quotes what it recorded,
            // and the list of departments is where their ids are looked up).
            if command.starts_with("rules test")
                || ["audit", "dept list"].contains(&command.as_str())
            {
                continue;
            }
            for id in [
                "customer-service",
                "excellent",
                "not_started",
                "department_head",
            ] {
                assert!(!out.contains(id), "`{command}` shows the id {id}:\n{out}");
            }
        }
    }
    // docs/csv.md gives each command's CSV header as it is.
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/csv.md")).unwrap();
    for command in COMMANDS {
        let mut args = vec!["--db", "d/appraise.db"];
        let command = command.replace("{y}", &year);
        args.extend(command.split_whitespace());
        args.extend(["--format", "csv"]);
        let csv = ws.run(&args).ok();
        let header = csv.lines().next().unwrap_or_default();
        assert!(
            doc.contains(&format!("```csv\n{header}\n```")),
            "docs/csv.md lacks the header of `{command}`: {header}"
        );
    }
    // At 80 columns the ratings leave out what is needed least, and say so.
    let narrow = table_at(&ws, &format!("rate --year {year}"), 80);
    assert!(
        narrow.contains("未显示：部门、月数、最低分、审核"),
        "{narrow}"
    );
    let wide = table_at(&ws, &format!("rate --year {year}"), 200);
    assert!(
        wide.contains("客户服务部") && !wide.contains("未显示"),
        "{wide}"
    );

    // The CSV has every column, named in Chinese, with the ids beside the labels.
    let csv = ws
        .run(&[
            "--db",
            "d/appraise.db",
            "rate",
            "--year",
            &year,
            "--format",
            "csv",
        ])
        .ok();
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with("工号,姓名,部门,部门编号,月数,平均分,最低分,不合格月数,等级,等级编号"),
        "{header}"
    );
    assert!(csv.contains(",客户服务部,customer-service,"), "{csv}");
}
