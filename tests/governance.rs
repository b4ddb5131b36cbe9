//! Governance: excuses, closed months, restatements, what-ifs, coverage and the audit log.

use appraise::app::{Error, Invalid};
use serde_json::{Value, json};

use crate::util::{Workspace, json, staffed};

fn score_of(ws: &Workspace, month: &str, employee: &str) -> Value {
    json(
        &ws.cmd(&format!(
            "score --month {month} --employee {employee} --format json"
        ))
        .ok(),
    )["scores"][0]
        .clone()
}

#[test]
fn an_excused_event_stays_scores_nothing_and_is_explained() {
    let ws = staffed();
    ws.cmd("log add E002 quarrel --date 2026-03-02 --by 张主管")
        .ok();
    ws.cmd("log add E002 uniform --date 2026-03-03 --by 张主管")
        .ok();
    assert_eq!(score_of(&ws, "2026-03", "E002")["score"], 94);
    ws.run(&[
        "log",
        "excuse",
        "1",
        "--reason",
        "申诉成立 业主误会",
        "--by",
        "部门负责人",
    ])
    .ok();
    let s = score_of(&ws, "2026-03", "E002");
    assert_eq!(s["score"], 99);
    assert_eq!(
        s["excused"],
        json!([{"event": 1, "date": "2026-03-02", "kind": "quarrel", "reason": "申诉成立 业主误会"}])
    );
    let explain = ws.cmd("explain E002 --month 2026-03").ok();
    assert!(
        explain.contains("已免责：事件 1（2026-03-02 与业主发生争吵）：申诉成立 业主误会"),
        "{explain}"
    );
    let listed = json(&ws.cmd("log list --status excused --format json").ok());
    assert_eq!(listed["events"].as_array().unwrap().len(), 1);
    assert_eq!(listed["events"][0]["excuse"], "申诉成立 业主误会");
    let err = ws.cmd("log excuse 1 --reason again --by x").fails(1);
    assert!(err.contains("event 1 is already excused"), "{err}");
    let err = ws.cmd("log void 1 --reason typo --by x").fails(1);
    assert!(err.contains("event 1 is already excused"), "{err}");
    let db = rusqlite::Connection::open(ws.path("appraise.db")).unwrap();
    assert!(db.execute("DELETE FROM excuses", []).is_err());
}

/// A customer-service policy version that makes a missed follow-up cost 3 instead of 1.
fn stricter(ws: &Workspace, version: &str, from: &str) -> String {
    let text = std::fs::read_to_string(ws.path("rules/customer-service.toml")).unwrap();
    let strict = text
        .replace("version = \"2025.1\"", &format!("version = \"{version}\""))
        .replace(
            "effective_from = \"2025-01\"",
            &format!("effective_from = \"{from}\""),
        )
        .replace(
            "category = \"服务标准\"\npoints = -1\n\n[[rule]]\nid = \"late_statistics\"",
            "category = \"服务标准\"\npoints = -3\n\n[[rule]]\nid = \"late_statistics\"",
        );
    assert_ne!(text, strict, "the fixture edit must apply");
    let name = format!("rules/cs-{version}.toml");
    ws.write(&name, &strict);
    name
}

#[test]
fn a_closed_month_is_frozen_until_reopened() {
    let ws = staffed();
    ws.cmd("log add E002 missed_follow_up --date 2026-03-02 --by 张主管")
        .ok();
    let before = ws.cmd("score --month 2026-03 --format json").ok();
    let out = ws.cmd("month close 2026-03 --by HR").ok();
    assert!(out.contains("closed 2026-03: 3 scores frozen"), "{out}");
    let err = ws
        .cmd("log add E002 uniform --date 2026-03-05 --by 张主管")
        .fails(1);
    assert!(err.contains("2026-03 is closed (by HR at"), "{err}");
    let err = ws.cmd("log void 1 --reason x --by x").fails(1);
    assert!(
        err.contains("cannot change event 1 of 2026-03: the month was closed by HR"),
        "{err}"
    );
    let err = ws.cmd("log excuse 1 --reason x --by x").fails(1);
    assert!(err.contains("the month was closed"), "{err}");
    // Other months stay open.
    ws.cmd("log add E002 uniform --date 2026-04-01 --by 张主管")
        .ok();

    // A version effective from a closed month is a restatement, refused without a reason.
    let file = stricter(&ws, "2026.2", "2026-01");
    let err = ws.cmd(&format!("rules activate {file} --by HR")).fails(1);
    assert!(
        err.contains("2026-03 is closed; activating it restates closed months"),
        "{err}"
    );
    ws.run(&[
        "rules",
        "activate",
        &file,
        "--by",
        "HR",
        "--restate",
        "--reason",
        "回访要求提高",
    ])
    .ok();
    // The closed month reads exactly as its snapshot; open months use the new version.
    assert_eq!(ws.cmd("score --month 2026-03 --format json").ok(), before);
    ws.cmd("log add E002 missed_follow_up --date 2026-04-02 --by 张主管")
        .ok();
    assert_eq!(score_of(&ws, "2026-04", "E002")["score"], 96);
    let list = json(&ws.cmd("rules list --format json").ok());
    // The old version governed 2025, and still the closed March through its snapshot.
    assert_eq!(list["versions"][1]["governs"], "2025-01..2025-12, 2026-03");
    assert_eq!(list["versions"][2]["restated"], "回访要求提高");

    let err = ws.cmd("month reopen 2026-03 --by HR --reason").fails(2);
    assert!(err.contains("--reason"), "{err}");
    ws.run(&[
        "month",
        "reopen",
        "2026-03",
        "--reason",
        "按新细则重算",
        "--by",
        "HR",
    ])
    .ok();
    assert_eq!(score_of(&ws, "2026-03", "E002")["score"], 97);
    assert_eq!(
        json(&ws.cmd("month list --format json").ok())["closed"],
        json!([])
    );
    let err = ws.cmd("month reopen 2026-03 --reason x --by HR").fails(1);
    assert!(err.contains("2026-03 is not closed"), "{err}");
}

#[test]
fn a_month_that_has_not_ended_cannot_be_closed() {
    let ws = staffed();
    // Today is 2026-06-30: June is still running, July has not begun.
    for month in ["2026-06", "2026-07"] {
        let app = ws.app();
        let refused = app.close_month(&app.actor("HR").unwrap(), month.parse().unwrap());
        assert!(
            matches!(refused, Err(Error::Invalid(Invalid::MonthNotEnded { .. }))),
            "{refused:?}"
        );
    }
    let err = ws.cmd("month close 2026-06 --by HR").fails(1);
    assert!(err.contains("it can be closed from 2026-07-01"), "{err}");
    ws.cmd("month close 2026-05 --by HR").ok();
}

#[test]
fn a_year_rating_uses_the_snapshots_of_closed_months() {
    let ws = staffed();
    ws.cmd("log add E002 missed_follow_up --date 2026-02-02 --by 张主管")
        .ok();
    ws.cmd("month close 2026-02 --by HR").ok();
    let file = stricter(&ws, "2026.2", "2026-01");
    ws.run(&[
        "rules",
        "activate",
        &file,
        "--by",
        "x",
        "--restate",
        "--reason",
        "r",
    ])
    .ok();
    let rating = json(&ws.cmd("rate --year 2026 --format json").ok());
    let e2 = &rating["ratings"][1];
    assert_eq!(e2["employee"], "E002");
    assert_eq!(e2["min"], 99, "February keeps its snapshot score");
}

/// A snapshot is read a window of employees at a time, in the order it was frozen: one
/// edited out of that order, cut short, or with a score taken out, past appraise, is an
/// error naming the month, never a rating or a score without it (for one employee too,
/// whose window ends before the snapshot's disorder shows).
#[test]
fn a_snapshot_edited_out_of_order_or_cut_short_is_an_error() {
    let ws = staffed();
    ws.cmd("log add E002 missed_follow_up --date 2026-02-02 --by 张主管")
        .ok();
    ws.cmd("month close 2026-02 --by HR").ok();
    let db = rusqlite::Connection::open(ws.path("appraise.db")).unwrap();
    // Past appraise: the file edited directly.
    db.execute_batch("DROP TRIGGER snapshots_append_only_u")
        .unwrap();
    let text: String = db
        .query_row("SELECT scores FROM snapshots", [], |r| r.get(0))
        .unwrap();
    let mut scores: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert!(scores.len() > 1);
    scores.reverse();
    let reversed = serde_json::to_string(&scores).unwrap();
    scores.reverse();
    let first = scores.remove(0);
    assert_eq!(first["employee"], "E001");
    let without_first = serde_json::to_string(&scores).unwrap();
    for (edited, command, says) in [
        (
            reversed.as_str(),
            "rate --year 2026",
            "not in employee order",
        ),
        (
            reversed.as_str(),
            "score --month 2026-02 --employee E001",
            "`E001`, employed that month, is missing",
        ),
        (
            without_first.as_str(),
            "rate --year 2026",
            "`E001`, employed that month, is missing",
        ),
        (
            &text[..text.len() / 2],
            "rate --year 2026",
            "ends before its array does",
        ),
    ] {
        db.execute("UPDATE snapshots SET scores = ?1", [edited])
            .unwrap();
        let err = ws.cmd(command).fails(2);
        assert!(
            err.contains("2026-02") && err.contains(says),
            "{command}: {says}: {err}"
        );
    }
    db.execute("UPDATE snapshots SET scores = ?1", [&text])
        .unwrap();
    let rating = json(&ws.cmd("rate --year 2026 --format json").ok());
    assert_eq!(rating["ratings"][1]["min"], 99);
}

#[test]
fn a_what_if_shows_who_changes_and_stores_nothing() {
    let ws = staffed();
    let mut csv = String::from("employee,date,kind,qty,note,recorded_by\n");
    for m in 1..=6 {
        csv += &format!("E002,2026-0{m}-03,missed_follow_up,5,,张主管\n");
    }
    csv += "E001,2026-02-03,missed_follow_up,,,张主管\n";
    ws.write("follow.csv", &csv);
    ws.cmd("log import follow.csv").ok();
    let audit_before = ws.cmd("audit --format json").ok();
    let file = stricter(&ws, "2026.2", "2026-01");
    let v = json(
        &ws.cmd(&format!("rules diff {file} --year 2026 --format json"))
            .ok(),
    );
    assert_eq!(v["candidate"]["version"], "2026.2");
    assert_eq!(v["evaluated"], 4);
    let changed = v["changed"].as_array().unwrap();
    assert_eq!(
        changed
            .iter()
            .map(|c| c["employee"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["E001", "E002"]
    );
    let e2 = &changed[1];
    assert_eq!(
        (e2["average_before"].clone(), e2["average_after"].clone()),
        (json!(95), json!(85))
    );
    assert_eq!(
        (e2["grade_before"].clone(), e2["grade_after"].clone()),
        (json!("excellent"), json!("average"))
    );
    assert_eq!(e2["direction"], "down");
    assert_eq!(
        e2["months"][0],
        json!({"month": "2026-01", "before": 95, "after": 85})
    );
    assert_eq!(v["grades_down"], 1);
    assert_eq!(v["transitions"], json!({"优秀 → 一般": 1}));
    assert_eq!(
        v["rules"],
        json!([{"rule": "missed_follow_up", "before": -31, "after": -93, "delta": -62}])
    );
    // Only E002's department changes; a department filter leaves the others out.
    let sec = json(
        &ws.cmd(&format!(
            "rules diff {file} --year 2026 --department security --format json"
        ))
        .ok(),
    );
    assert_eq!(sec["changed"], json!([]));
    // Nothing stored.
    assert_eq!(ws.cmd("audit --format json").ok(), audit_before);
    assert_eq!(
        json(&ws.cmd("rules list --format json").ok())["versions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let table = ws.cmd(&format!("rules diff {file} --year 2026")).ok();
    assert!(
        table.contains("4 人中 2 人有变化；等级上升 0 人，下降 1 人"),
        "{table}"
    );
}

#[test]
fn coverage_shows_what_fires_on_real_data() {
    let ws = staffed();
    ws.write(
        "e.csv",
        "employee,date,kind,qty,note,recorded_by,rings\n\
         E002,2026-03-02,uniform,,,张主管,\n\
         E002,2026-03-03,uniform,,,张主管,\n\
         E002,2026-03-04,complaint_call,,,张主管,2\n",
    );
    ws.cmd("log import e.csv").ok();
    let v = json(&ws.cmd("rules coverage --year 2026 --format json").ok());
    let uniform = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["policy"] == "company" && r["rule"] == "uniform")
        .unwrap()
        .clone();
    // Each rule once, under the policy that defines it: `uniform` is the company's, which
    // customer service inherits.
    let rules = v["rules"].as_array().unwrap();
    let mut seen: Vec<(&str, &str)> = rules
        .iter()
        .map(|r| (r["policy"].as_str().unwrap(), r["rule"].as_str().unwrap()))
        .collect();
    let all = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), all, "a rule is listed twice");
    assert!(
        !rules
            .iter()
            .any(|r| r["policy"] == "customer-service" && r["rule"] == "uniform")
    );
    assert_eq!(
        (uniform["fired"].clone(), uniform["points"].clone()),
        (json!(2), json!(-2))
    );
    let never: Vec<&str> = v["never_fired"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(never.contains(&"customer-service:quarrel"), "{never:?}");
    assert!(!never.contains(&"company:uniform"));
    // Piped, the long list of rules that never fired wraps at 100 columns.
    let table = ws.cmd("rules coverage --year 2026").ok();
    let widest = table
        .lines()
        .skip_while(|l| !l.starts_with("从未触发"))
        .map(unicode_width::UnicodeWidthStr::width)
        .max()
        .unwrap();
    assert!(widest <= 100, "{table}");
    // A candidate is measured before it is activated: its new rule never fired yet.
    let shipped = std::fs::read_to_string(ws.path("rules/customer-service.toml")).unwrap();
    ws.write(
        "cand.toml",
        &(shipped
            .replace("version = \"2025.1\"", "version = \"2026.1\"")
            .replace(
                "effective_from = \"2025-01\"",
                "effective_from = \"2026-01\"",
            )
            .replace(
                "extends = \"company.toml\"",
                "extends = \"rules/company.toml\"",
            )
            + "\n[[rule]]\nid = \"phone_game\"\nname = \"上班玩手机游戏\"\npoints = -2\n"),
    );
    let v = json(
        &ws.cmd("rules coverage cand.toml --year 2026 --format json")
            .ok(),
    );
    let never: Vec<&str> = v["never_fired"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(never.contains(&"customer-service:phone_game"), "{v}");
    assert!(!never.contains(&"company:uniform"), "{never:?}");
    assert_eq!(
        v["unscored_kinds"],
        json!([{"kind": "complaint_call", "events": 1}])
    );
    assert_eq!(v["multi_scored"], json!([]));
}

#[test]
fn coverage_finds_events_scored_twice_and_untested_rules() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let ws = staffed();
    ws.write(
        "untested.toml",
        &std::fs::read_to_string(fixtures.join("untested.toml")).unwrap(),
    );
    let out = ws.cmd("rules test untested.toml --coverage").ok();
    assert!(
        out.contains("coverage: 1 rule no test makes fire:\n  untested.toml:18 noise"),
        "{out}"
    );
    ws.cmd("rules activate untested.toml --by x").ok();
    ws.cmd("log add E004 late --date 2026-03-02 --by x").ok();
    let v = json(
        &ws.cmd("rules coverage --year 2026 --department security --format json")
            .ok(),
    );
    assert_eq!(
        v["multi_scored"],
        json!([{"event": 1, "employee": "E004", "rules": ["late", "double"]}])
    );
}

#[test]
fn the_audit_log_records_every_change_with_actor_and_time() {
    let ws = staffed();
    ws.cmd("log add E002 uniform --date 2026-03-02 --by 张主管")
        .ok();
    ws.cmd("log add E002 uniform --date 2026-03-03 --by 张主管")
        .ok();
    ws.cmd("log void 1 --reason typo --by 张主管").ok();
    ws.cmd("log excuse 2 --reason appeal --by 部门负责人").ok();
    ws.cmd("dept add customer-service --name 客服 --by HR").ok();
    ws.cmd("month close 2026-03 --by HR").ok();
    ws.cmd("month reopen 2026-03 --reason fix --by HR").ok();
    let v = json(&ws.cmd("audit --format json").ok());
    let actions: Vec<(String, String, String)> = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().into(),
                e["actor"].as_str().unwrap().into(),
                e["subject"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expect = [
        ("user.add", "HR", "HR"),
        ("rules.activate", "HR", "company 2025.1"),
        ("rules.activate", "HR", "customer-service 2025.1"),
        ("user.add", "HR", "张主管"),
        ("user.add", "HR", "王主管"),
        ("user.add", "HR", "队长"),
        ("user.add", "HR", "部门负责人"),
        ("user.add", "HR", "x"),
        ("staff.add", "", "E001"),
        ("staff.add", "", "E002"),
        ("staff.add", "", "E003"),
        ("staff.add", "", "E004"),
        ("staff.import", "", "staff.csv"),
        ("user.add", "HR", "张主管"),
        ("user.add", "HR", "王主管"),
        ("user.add", "HR", "部门负责人"),
        ("user.add", "HR", "队长"),
        ("log.add", "张主管", "event 1"),
        ("log.add", "张主管", "event 2"),
        ("log.void", "张主管", "event 1"),
        ("log.excuse", "部门负责人", "event 2"),
        ("dept.add", "HR", "customer-service"),
        ("month.close", "HR", "2026-03"),
        ("month.reopen", "HR", "2026-03"),
    ];
    assert_eq!(actions.len(), expect.len(), "{actions:?}");
    for ((a, who, s), (ea, ewho, es)) in actions.iter().zip(expect) {
        // The staff file is named as it was given (here, by the fixture, its full path).
        assert_eq!(a.as_str(), ea);
        assert!(s == es || s.ends_with(&format!("/{es}")), "{s} for {es}");
        if !ewho.is_empty() {
            assert_eq!(who, ewho);
        }
    }
    assert!(v["entries"][0]["at"].as_str().unwrap().starts_with("20"));
    let since = json(&ws.cmd("audit --since 2999-01-01 --format json").ok());
    assert_eq!(since["entries"], json!([]));
    ws.cmd("audit --since yesterday").fails(1);
    let db = rusqlite::Connection::open(ws.path("appraise.db")).unwrap();
    assert!(db.execute("DELETE FROM audit", []).is_err());
    assert!(db.execute("UPDATE audit SET actor = 'x'", []).is_err());
}

#[test]
fn an_import_reaching_a_closed_month_stops_and_stores_nothing() {
    let ws = staffed();
    ws.cmd("log add E002 uniform --date 2026-03-02 --by 张主管")
        .ok();
    ws.cmd("month close 2026-03 --by HR").ok();
    // Enough good rows first that several batches are stored before the refused one.
    let mut csv = String::from("employee,date,kind,recorded_by\n");
    for day in 0..9000 {
        csv += &format!("E002,2026-04-{:02},uniform,张主管\n", day % 30 + 1);
    }
    csv += "E002,2026-03-09,uniform,张主管\n";
    for day in 0..10 {
        csv += &format!("E002,2026-05-{:02},uniform,张主管\n", day + 1);
    }
    let file = ws.write("big.csv", &csv);
    let err = ws.run(&["log", "import", file.to_str().unwrap()]).fails(1);
    assert!(err.contains("2026-03 is closed (by HR at"), "{err}");
    let listed = json(&ws.cmd("log list --format json").ok());
    assert_eq!(
        listed["events"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );
}

#[test]
fn each_person_changes_only_what_is_in_their_scope() {
    let ws = staffed();
    // 队长 heads security: E004's events are theirs to enter, E002's are not.
    ws.cmd("log add E004 uniform --date 2026-03-02 --by 队长")
        .ok();
    let err = ws
        .cmd("log add E002 uniform --date 2026-03-02 --by 队长")
        .fails(1);
    assert!(
        err.contains("may not enter events for `E002`: outside their department"),
        "{err}"
    );
    // 张主管 supervises E002 and E003, not security: no voiding its event 1, no excusing.
    ws.cmd("log add E002 uniform --date 2026-03-03 --by 张主管")
        .ok();
    let err = ws.cmd("log void 1 --reason 录错 --by 张主管").fails(1);
    assert!(err.contains("`E004`: outside their team"), "{err}");
    let err = ws.cmd("log excuse 2 --reason 申诉 --by 张主管").fails(1);
    assert!(
        err.contains("may not excuse events; ask the department head"),
        "{err}"
    );
    // A file with one row outside the team names that row and stores nothing.
    ws.write(
        "mixed.csv",
        "employee,date,kind,qty,note,recorded_by\n\
         E002,2026-03-04,uniform,,,\n\
         E004,2026-03-04,uniform,,,\n",
    );
    let err = ws.cmd("log import mixed.csv --by 张主管").fails(1);
    assert!(
        err.contains("mixed.csv:3: `张主管` (supervisor) may not enter events for `E004`"),
        "{err}"
    );
    // An employee under their own id changes nothing of the company's.
    let err = ws.cmd("month close 2026-03 --by E002").fails(1);
    assert!(
        err.contains("may not close and reopen months; ask HR"),
        "{err}"
    );
    // The head of customer service excuses E002's event; nothing refused was stored.
    ws.cmd("log excuse 2 --reason 申诉成立 --by 部门负责人")
        .ok();
    let v = json(&ws.cmd("log list --format json").ok());
    assert_eq!(v["events"].as_array().unwrap().len(), 2);
    assert_eq!(v["events"][1]["excused"], true);
    assert!(!ws.cmd("month list").ok().contains("2026-03"));
}
