//! The supervisor, department-head and HR tasks end to end through the real binary.

use serde_json::json;

use crate::util::{Workspace, json, staffed};

#[test]
fn init_writes_and_activates_the_shipped_policies() {
    let ws = Workspace::new();
    let out = ws.cmd("init --admin HR").ok();
    // The messages name the stored versions' ids.
    assert!(
        out.contains("activated `company` version 2025.1 as #1"),
        "{out}"
    );
    assert!(
        out.contains("activated `customer-service` version 2025.1 as #2"),
        "{out}"
    );
    assert!(ws.path("rules/company.toml").exists());
    assert!(ws.path("rules/customer-service.toml").exists());
    let list = json(&ws.cmd("rules list --format json").ok());
    let versions = list["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1]["policy"], "customer-service");
    let again = ws.cmd("init").ok();
    assert!(again.contains("kept"), "{again}");
    assert!(again.contains("already activated"), "{again}");
    assert_eq!(
        json(&ws.cmd("rules list --format json").ok())["versions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn commands_without_a_database_say_how_to_make_one() {
    let ws = Workspace::new();
    let err = ws.cmd("score --month 2026-03").fails(2);
    assert!(err.contains("appraise init"), "{err}");
    assert!(!ws.path("appraise.db").exists());
}

#[test]
fn a_bad_import_lists_every_bad_row_and_stores_nothing() {
    let ws = staffed();
    ws.write(
        "events.csv",
        "\u{feff}employee,date,kind,qty,note,recorded_by,minutes\n\
         E002,2026-03-02,late,,,张主管,12\n\
         E002,2026-03-03,lat,,,张主管,12\n\
         E999,2026-03-03,uniform,,,张主管,\n\
         E002,2026-02-30,uniform,,,张主管,\n\
         E002,2026-03-04,late,x,,张主管,\n\
         E002,2026-07-01,uniform,,,张主管,\n\
         E003,2026-03-04,uniform,,,张主管,\n\
         E002,2026-03-05,uniform,,,张主管,5\n",
    );
    let err = ws.cmd("log import events.csv").fails(1);
    let expected = "\
events.csv:3: unknown kind `lat` for policy `customer-service`; did you mean `late`?
events.csv:4: unknown employee `E999`; add them to the staff first
events.csv:5: date `2026-02-30` is not a date; write YYYY-MM-DD
events.csv:6: qty `x` must be a whole number from 1 to 10000 (or empty for 1)
events.csv:6: kind `late` needs field `minutes` (int)
events.csv:7: date 2026-07-01 is in the future (today is 2026-06-30)
events.csv:8: employee `E003` was not employed on 2026-03-04 (employed from 2026-04-15)
events.csv:9: kind `uniform` has no field `minutes`; leave that cell empty
7 bad rows; nothing was imported
";
    assert_eq!(err, expected);
    let list = json(&ws.cmd("log list --format json").ok());
    assert_eq!(list, json!({"events": []}));
}

#[test]
fn reimporting_stores_nothing_new_and_says_so() {
    let ws = staffed();
    ws.write("e.csv", "employee,date,kind,qty,note,recorded_by,minutes\nE002,2026-03-02,uniform,,,张主管,\nE002,2026-03-02,uniform,,,张主管,\n");
    let first = ws.cmd("log import e.csv").ok();
    assert!(first.contains("stored 2 events"), "{first}");
    let again = ws.cmd("log import e.csv").ok();
    assert!(
        again.contains("already in the log; nothing new stored"),
        "{again}"
    );
    let list = json(&ws.cmd("log list --format json").ok());
    assert_eq!(list["events"].as_array().unwrap().len(), 2);
}

/// Without row ids a file's copies of one row are matched against copies already in the
/// log, so a file split in two with one copy in each stores one. With a `row_id` (记录编号)
/// column each row is its own: the halves store both, a re-import of either stores
/// nothing, and an id imported before with other content is refused.
#[test]
fn rows_with_ids_import_once_however_the_file_is_split() {
    let ws = staffed();
    let head = "记录编号,employee,date,kind,qty,note,recorded_by\n";
    ws.write(
        "a.csv",
        &format!("{head}R1,E002,2026-03-02,uniform,,,张主管\n"),
    );
    ws.write(
        "b.csv",
        &format!("{head}R2,E002,2026-03-02,uniform,,,张主管\n"),
    );
    ws.cmd("log import a.csv").ok();
    let b = ws.cmd("log import b.csv").ok();
    assert!(b.contains("stored 1 event"), "{b}");
    let again = ws.cmd("log import a.csv").ok();
    assert!(again.contains("already in the log"), "{again}");
    let list = json(&ws.cmd("log list --format json").ok());
    assert_eq!(list["events"].as_array().unwrap().len(), 2);

    ws.write(
        "c.csv",
        &format!("{head}R1,E002,2026-03-03,uniform,,,张主管\n"),
    );
    let err = ws.cmd("log import c.csv").fails(1);
    assert!(
        err.contains(
            "row_id `R1` was imported before as event 1, with other content; nothing was imported"
        ),
        "{err}"
    );
    ws.write(
        "d.csv",
        &format!("{head}R3,E002,2026-03-02,uniform,,,张主管\n,E002,2026-03-04,uniform,,,张主管\nR3,E002,2026-03-05,uniform,,,张主管\n"),
    );
    let err = ws.cmd("log import d.csv").fails(1);
    assert!(err.contains("d.csv:3: row_id is empty"), "{err}");
    assert!(
        err.contains("d.csv:4: row_id `R3` appears twice in this file (first on line 2)"),
        "{err}"
    );
    assert!(
        ws.cmd("audit verify")
            .ok()
            .starts_with("the record is whole")
    );
}

#[test]
fn a_dry_run_stores_nothing() {
    let ws = staffed();
    ws.write(
        "e.csv",
        "employee,date,kind,qty,note,recorded_by\nE002,2026-03-02,uniform,,,张主管\n",
    );
    let out = ws.cmd("log import e.csv --dry-run").ok();
    assert!(out.contains("1 row is valid"), "{out}");
    assert_eq!(
        json(&ws.cmd("log list --format json").ok())["events"],
        json!([])
    );
}

#[test]
fn log_add_validates_like_an_import_row() {
    let ws = staffed();
    let err = ws
        .cmd("log add E002 late --date 2026-03-02 --by 张主管")
        .fails(1);
    assert!(
        err.contains("kind `late` needs field `minutes` (int)"),
        "{err}"
    );
    let err = ws
        .cmd("log add E002 late --date 2026-03-02 --minutes abc --by x")
        .fails(1);
    assert!(
        err.contains("field `minutes`: `abc` is not a whole number"),
        "{err}"
    );
    let err = ws
        .run_anonymous(&["log", "add", "E002", "late", "--minutes", "5"])
        .fails(2);
    assert!(err.contains("--by"), "{err}");
    // Someone who is neither a login nor an employee is refused, and nothing is stored.
    let err = ws
        .cmd("log add E002 late --date 2026-03-02 --minutes 5 --by 路人甲")
        .fails(1);
    assert!(
        err.contains("`路人甲` is neither a registered login nor an employee id"),
        "{err}"
    );
    // Options may come before or after the fields.
    let out = ws
        .cmd("log add E002 late --minutes 40 --date 2026-03-02 --by 张主管 --note 堵车")
        .ok();
    assert_eq!(out, "recorded event 1\n");
    // The same entry again is a second event only when said to be (an import would skip
    // it as already there).
    let again = ws
        .cmd("log add E002 late --minutes 40 --date 2026-03-02 --by 张主管 --note 堵车 --again")
        .ok();
    assert_eq!(again, "recorded event 2\n");
    ws.cmd("log void 2 --reason duplicate --by 张主管").ok();
    let list = json(&ws.cmd("log list --status live --format json").ok());
    assert_eq!(
        list,
        json!({"events": [{"id": 1, "employee": "E002", "date": "2026-03-02", "kind": "late", "qty": 1,
            "note": "堵车", "fields": {"minutes": 40}, "recorded_by": "张主管", "voided": false,
            "excused": false}]})
    );
}

#[test]
fn a_voided_event_stays_in_the_log_and_stops_counting() {
    let ws = staffed();
    ws.cmd("log add E002 quarrel --date 2026-03-02 --by 张主管")
        .ok();
    let score = |ws: &Workspace| {
        json(
            &ws.cmd("score --month 2026-03 --employee E002 --format json")
                .ok(),
        )["scores"][0]["score"]
            .clone()
    };
    assert_eq!(score(&ws), json!(95));
    ws.run(&[
        "log",
        "void",
        "1",
        "--reason",
        "wrong employee",
        "--by",
        "张主管",
    ])
    .ok();
    assert_eq!(score(&ws), json!(100));
    let list = json(&ws.cmd("log list --format json").ok());
    assert_eq!(list["events"][0]["voided"], json!(true));
    let err = ws.cmd("log void 1 --reason again --by x").fails(1);
    assert!(
        err.contains("already voided (wrong employee, by 张主管"),
        "{err}"
    );
    let err = ws.cmd("log void 9 --reason x --by x").fails(1);
    assert!(err.contains("no event with id 9"), "{err}");
    // The log itself refuses edits and deletions.
    let db = rusqlite::Connection::open(ws.path("appraise.db")).unwrap();
    assert!(db.execute("UPDATE events SET qty = 2", []).is_err());
    assert!(db.execute("DELETE FROM events", []).is_err());
    assert!(db.execute("DELETE FROM voids", []).is_err());
}

#[test]
fn score_prints_the_contract_json() {
    let ws = staffed();
    ws.cmd("log add E002 late --date 2026-03-04 --minutes 12 --by 张主管")
        .ok();
    ws.cmd("log add E002 commendation --date 2026-03-05 --by 张主管")
        .ok();
    let v = json(&ws.cmd("score --month 2026-03 --format json").ok());
    assert_eq!(v["month"], "2026-03");
    let scores = v["scores"].as_array().unwrap();
    // E003 joined in April; E004 is in another department under the company policy.
    let ids: Vec<&str> = scores
        .iter()
        .map(|s| s["employee"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["E001", "E002", "E004"]);
    let e2 = &scores[1];
    assert_eq!(e2["name"], "李四");
    assert_eq!(e2["department"], "customer-service");
    assert_eq!(
        (e2["policy"]["id"].clone(), e2["policy"]["version"].clone()),
        (json!("customer-service"), json!("2025.1"))
    );
    assert_eq!(e2["policy"]["hash"].as_str().unwrap().len(), 64);
    assert_eq!(
        (
            e2["base"].clone(),
            e2["deducted"].clone(),
            e2["rewarded"].clone()
        ),
        (json!(100), json!(-1), json!(1))
    );
    assert_eq!(
        (e2["score"].clone(), e2["passed"].clone()),
        (json!(100), json!(true))
    );
    let item = &e2["items"][0];
    assert_eq!(
        (
            item["rule"].clone(),
            item["event"].clone(),
            item["date"].clone(),
            item["points"].clone(),
            item["note"].clone(),
            item["flags"].clone()
        ),
        (
            json!("late"),
            json!(1),
            json!("2026-03-04"),
            json!(-1),
            json!("迟到/早退"),
            json!([])
        )
    );
    assert_eq!(scores[2]["policy"]["id"], "company");
}

#[test]
fn table_and_csv_outputs_line_up_and_parse() {
    let ws = staffed();
    let table = ws.cmd("score --month 2026-03").ok();
    let widths: Vec<usize> = table
        .lines()
        .filter(|l| l.starts_with(['│', '┌', '└', '╞']))
        .map(unicode_width::UnicodeWidthStr::width)
        .collect();
    assert!(
        widths.len() > 3 && widths.windows(2).all(|w| w[0] == w[1]),
        "{table}"
    );
    let csv = ws.cmd("score --month 2026-03 --format csv").ok();
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(r.headers().unwrap().get(7), Some("得分"));
    assert_eq!(r.records().count(), 3);
}

#[test]
fn explain_traces_every_point_to_rule_and_event() {
    let ws = staffed();
    ws.cmd("log add E002 late --date 2026-03-04 --minutes 150 --by 张主管")
        .ok();
    ws.cmd("log add E002 missed_handover --date 2026-03-05 --by 张主管")
        .ok();
    let out = ws.cmd("explain E002 --month 2026-03").ok();
    assert!(out.contains("按旷工计"), "{out}");
    assert!(
        out.contains("按规则脚本计算（company.toml 第 82 行）"),
        "{out}"
    );
    assert!(out.contains("基础分 100 + 扣分 -7 + 加分 0 = 93"), "{out}");
    let v = json(&ws.cmd("explain E002 --month 2026-03 --format json").ok());
    let items = v["items"].as_array().unwrap();
    assert_eq!(
        items
            .iter()
            .map(|i| i["event"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(items[0]["flags"], json!(["absence"]));
    let year = ws.cmd("explain E002 --year 2026").ok();
    assert!(
        year.contains(
            "等级 优秀：全年平均 98.83 分、不合格 0 个月，按等级由高到低首先符合“优秀”的条件"
        ),
        "{year}"
    );
}

/// Four failed months of quarrels, and a steady employee.
fn troubled_year(ws: &Workspace) {
    let mut csv = String::from("employee,date,kind,qty,note,recorded_by\n");
    for m in 1..=4 {
        csv += &format!("E002,2026-0{m}-10,quarrel,4,,张主管\n");
    }
    csv += "E001,2026-02-10,commendation,,,公司办公室\n";
    ws.write("year.csv", &csv);
    ws.cmd("log import year.csv").ok();
}

#[test]
fn rate_prints_the_contract_json_and_recommends_dismissal() {
    let ws = staffed();
    troubled_year(&ws);
    let out = ws.cmd("rate --year 2026 --format json").ok();
    let v = json(&out);
    assert_eq!(v["year"], 2026);
    let r = v["ratings"].as_array().unwrap();
    assert_eq!(
        r.iter()
            .map(|x| x["employee"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["E001", "E002", "E003", "E004"]
    );
    let e2 = &r[1];
    assert_eq!(e2["months"], 6, "January to June (today is 2026-06-30)");
    assert_eq!(e2["average"], json!(86.67));
    assert_eq!(e2["min"], json!(80));
    assert_eq!(e2["failed_months"], 4);
    assert_eq!(
        (e2["grade"].clone(), e2["label"].clone()),
        (json!("poor"), json!("差"))
    );
    assert_eq!(e2["outcomes"], json!(["辞退"]));
    // Four entries of qty 4: sixteen quarrels, each a serious case.
    assert_eq!(
        e2["flags"],
        json!({"dismissal_recommendation": 1, "severe": 16})
    );
    assert_eq!(r[0]["grade"], "excellent");
    assert_eq!(r[2]["months"], 3, "E003 joined in April");
    assert_eq!(r[3]["months"], 3, "E004 left at the end of March");
    // Through February, the troubled employee has failed only twice.
    let through = json(
        &ws.cmd("rate --year 2026 --through 2026-02 --format json")
            .ok(),
    );
    assert_eq!(through["ratings"][1]["failed_months"], 2);
    // Byte-identical on every run.
    assert_eq!(ws.cmd("rate --year 2026 --format json").ok(), out);
}

#[test]
fn a_later_policy_version_governs_only_its_months() {
    let ws = staffed();
    let text = std::fs::read_to_string(ws.path("rules/customer-service.toml")).unwrap();
    let v2 = text
        .replace("version = \"2025.1\"", "version = \"2026.5\"")
        .replace("effective_from = \"2025-01\"", "effective_from = \"2026-05\"")
        .replace("id = \"missed_follow_up\"\nref = \"服务-5\"\nname = \"有效投诉未回访或未记录回访\"\ncategory = \"服务标准\"\npoints = -1", "id = \"missed_follow_up\"\nref = \"服务-5\"\nname = \"有效投诉未回访或未记录回访\"\ncategory = \"服务标准\"\npoints = -3");
    assert_ne!(text, v2);
    ws.write("rules/customer-service-2026.toml", &v2);
    ws.cmd("rules check rules/customer-service-2026.toml").ok();
    ws.cmd("rules activate rules/customer-service-2026.toml --by HR")
        .ok();
    ws.cmd("log add E002 missed_follow_up --date 2026-04-02 --by x")
        .ok();
    ws.cmd("log add E002 missed_follow_up --date 2026-05-06 --by x")
        .ok();
    let score = |m: &str| {
        json(
            &ws.run(&[
                "score",
                "--month",
                m,
                "--employee",
                "E002",
                "--format",
                "json",
            ])
            .ok(),
        )["scores"][0]
            .clone()
    };
    assert_eq!(
        (
            score("2026-04")["score"].clone(),
            score("2026-04")["policy"]["version"].clone()
        ),
        (json!(99), json!("2025.1"))
    );
    assert_eq!(
        (
            score("2026-05")["score"].clone(),
            score("2026-05")["policy"]["version"].clone()
        ),
        (json!(97), json!("2026.5"))
    );
    let again = ws
        .cmd("rules activate rules/customer-service-2026.toml --by x")
        .ok();
    assert!(again.contains("already activated"), "{again}");
}

/// A workspace where the engine fixture governs the `security` department (E004).
fn engine_workspace() -> Workspace {
    let ws = staffed();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/engine.toml");
    ws.write("engine.toml", &std::fs::read_to_string(fixture).unwrap());
    ws.cmd("rules activate engine.toml --by x").ok();
    ws
}

#[test]
fn a_throwing_script_fails_the_command_with_rule_employee_event_and_position() {
    let ws = engine_workspace();
    ws.cmd("log add E004 odd --date 2026-03-02 --n 13 --by x")
        .ok();
    let err = ws.cmd("score --month 2026-03").fails(2);
    assert_eq!(
        err,
        "error: engine.toml:31:20: rule `odd` failed for employee `E004` on event 1 (2026-03): the script threw: unlucky 13\n"
    );
}

/// A version that fails on an event already logged is refused at activation, naming the
/// rule, employee, event and position, and nothing is stored: the department keeps its
/// working version.
#[test]
fn activating_a_version_that_fails_on_the_record_is_refused_and_stores_nothing() {
    let ws = engine_workspace();
    ws.cmd("log add E004 odd --date 2026-03-02 --n 13 --by x")
        .ok();
    let versions =
        |ws: &Workspace| json(&ws.cmd("rules list --format json").ok())["versions"].clone();
    let before = versions(&ws);
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/engine.toml");
    let next =
        std::fs::read_to_string(fixture)
            .unwrap()
            .replacen("version = \"1\"", "version = \"2\"", 1);
    ws.write("engine2.toml", &next);
    let err = ws.cmd("rules activate engine2.toml --by x").fails(1);
    assert!(
        err.contains("`engine` version 2 fails on the record it would govern")
            && err.contains("engine2.toml:31:20: rule `odd` failed for employee `E004` on event 1 (2026-03): the script threw: unlucky 13")
            && err.contains("nothing was activated"),
        "{err}"
    );
    assert_eq!(versions(&ws), before);
    // The what-if of the same version shows the same failures instead of a comparison
    // (found by its own scoring of the year, then reported as the trial reports them).
    let diff = ws.cmd("rules diff engine2.toml --year 2026").fails(1);
    assert!(
        diff.contains("`engine` version 2 fails on the record it would govern")
            && diff
                .contains("engine2.toml:31:20: rule `odd` failed for employee `E004` on event 1"),
        "{diff}"
    );
}

#[test]
fn an_endless_script_is_stopped() {
    let ws = engine_workspace();
    ws.cmd("log add E004 odd --date 2026-03-02 --n 99 --by x")
        .ok();
    let err = ws.cmd("rate --year 2026").fails(2);
    assert!(
        err.contains("rule `odd` failed for employee `E004` on event 1"),
        "{err}"
    );
    assert!(err.contains("operation limit"), "{err}");
}

#[test]
fn a_script_result_of_the_wrong_type_is_an_error_not_zero() {
    let ws = engine_workspace();
    ws.cmd("log add E004 odd --date 2026-03-02 --n 7 --by x")
        .ok();
    let err = ws.cmd("score --month 2026-03").fails(2);
    assert!(err.contains("must give a number of points"), "{err}");
    assert!(err.contains("engine.toml:31:1: rule `odd`"), "{err}");
}

#[test]
fn staff_import_updates_and_rejects_whole_files() {
    let ws = staffed();
    ws.write("more.csv", "id,name,department,role,joined,left,supervisor\nE002,李四,customer-service,staff,2024-03-01,2026-05-31,E001\nE005,钱七,customer-service,staff,2026-01-01,,E001\n");
    let out = ws.cmd("staff import more.csv").ok();
    assert!(out.contains("(1 new, 1 updated)"), "{out}");
    ws.write("bad.csv", "id,name,department,role,joined\nE006,孙八,customer-service,staff,2026-01-01\nE007,,Customer Service,staff,someday\n");
    let err = ws.cmd("staff import bad.csv").fails(1);
    assert!(err.contains("bad.csv:3: name is empty"), "{err}");
    assert!(
        err.contains("bad.csv:3: department `Customer Service`"),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    let list = json(&ws.cmd("staff list --format json").ok());
    let ids: Vec<&str> = list["staff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["E001", "E002", "E003", "E004", "E005"]);
    assert_eq!(list["staff"][1]["left"], "2026-05-31");
    // The good row of the bad file (E006) was not stored either: all or nothing.
    assert!(!ids.contains(&"E006"), "{ids:?}");
}

#[test]
fn departments_get_names_and_heads() {
    let ws = staffed();
    ws.cmd("dept add customer-service --name 客户服务部 --head E001")
        .ok();
    let err = ws.cmd("dept add customer-service --head E999").fails(1);
    assert!(err.contains("no employee `E999`"), "{err}");
    let v = json(&ws.cmd("dept list --format json").ok());
    assert_eq!(
        v["departments"][0],
        json!({"id": "customer-service", "name": "客户服务部", "head": "E001"})
    );
}

#[test]
fn the_demo_builds_a_workspace_with_every_grade() {
    let ws = Workspace::new();
    let out = ws.cmd("demo sample").ok();
    for label in ["优秀", "良好", "一般", "差"] {
        assert!(out.contains(label), "{label} missing:\n{out}");
    }
    assert!(out.contains("建议辞退"), "{out}");
    assert!(out.contains("explain E"), "{out}");
    assert!(ws.path("sample/appraise.db").exists());
    // The same seed gives the same ratings in another folder.
    let again = ws.cmd("demo other").ok();
    let ratings = |s: &str| {
        s.lines()
            .filter(|l| l.starts_with('│'))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(ratings(&out), ratings(&again));
    let err = ws.cmd("demo sample").fails(1);
    assert!(err.contains("is not empty"), "{err}");
    // Without a folder: `./appraise-demo`, where a newcomer looks; a second run takes the
    // next free name and leaves the first alone.
    let first = ws.cmd("demo").ok();
    assert!(
        first.starts_with("Building the sample company in appraise-demo\n"),
        "{first}"
    );
    let second = ws.cmd("demo").ok();
    assert!(
        second.starts_with("Building the sample company in appraise-demo-2\n"),
        "{second}"
    );
    assert!(ws.path("appraise-demo/appraise.db").exists());
    assert!(ws.path("appraise-demo-2/appraise.db").exists());
}

#[test]
fn scores_come_from_the_activated_version_not_the_files() {
    let ws = staffed();
    ws.cmd("log add E002 uniform --date 2026-03-02 --by x").ok();
    let before = ws.cmd("score --month 2026-03 --format json").ok();
    std::fs::remove_dir_all(ws.path("rules")).unwrap();
    assert_eq!(ws.cmd("score --month 2026-03 --format json").ok(), before);
    let list = json(&ws.cmd("rules list --format json").ok());
    assert_eq!(list["versions"][0]["hash"].as_str().unwrap().len(), 64);
}

#[test]
fn a_generated_workload_is_reproducible_and_imports_cleanly() {
    let ws = Workspace::init();
    let out = ws.cmd("gen --staff 30 --year 2025 --seed 3 w1").ok();
    assert!(out.contains("wrote 30 employees and"), "{out}");
    ws.cmd("gen --staff 30 --year 2025 --seed 3 w2").ok();
    let read = |p: &str| std::fs::read_to_string(ws.path(p)).unwrap();
    assert_eq!(read("w1/events.csv"), read("w2/events.csv"));
    let events = read("w1/events.csv").lines().count() - 1;
    assert!(
        (30 * 400..30 * 600).contains(&events),
        "{events} events for 30 staff"
    );
    ws.cmd("staff import w1/staff.csv").ok();
    let imported = ws.cmd("log import w1/events.csv").ok();
    assert!(
        imported.contains(&format!("stored {events} events")),
        "{imported}"
    );
    let rated = ws.cmd("rate --year 2025").ok();
    assert!(rated.contains("共 30 人"), "{rated}");
    // Piped output carries no progress bar.
    assert!(!rated.contains("employees ("), "{rated}");
    ws.cmd("gen --staff 0 --year 2025 w3").fails(1);

    // The current year is written up to today (2026-06-30 here) and imports as it is.
    ws.cmd("gen --staff 20 --year 2026 --seed 3 w4").ok();
    let now = read("w4/events.csv");
    let last = now
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .max()
        .unwrap();
    assert!(
        ("2026-06-01"..="2026-06-30").contains(&last),
        "last day {last}"
    );
    let fresh = Workspace::init();
    fresh
        .run(&[
            "staff",
            "import",
            &ws.path("w4/staff.csv").display().to_string(),
        ])
        .ok();
    fresh
        .run(&[
            "log",
            "import",
            &ws.path("w4/events.csv").display().to_string(),
        ])
        .ok();
}

#[test]
fn an_exact_copy_of_a_live_event_needs_again() {
    let ws = staffed();
    let first = ws
        .cmd("log add E002 late --date 2026-03-02 --minutes 12 --by 张主管")
        .ok();
    assert_eq!(first, "recorded event 1\n");
    // Another supervisor enters the same lateness: refused, naming the event.
    let err = ws
        .cmd("log add E002 late --date 2026-03-02 --minutes 12 --by 王主管")
        .fails(1);
    assert!(
        err.contains("event 1 (E002 2026-03-02 late) is already in the log"),
        "{err}"
    );
    assert!(err.contains("`--again`"), "{err}");
    // A different detail is a different event; `--again` records a second one on purpose.
    ws.cmd("log add E002 late --date 2026-03-02 --minutes 13 --by 王主管")
        .ok();
    let again = ws
        .cmd("log add E002 late --date 2026-03-02 --minutes 12 --by 王主管 --again")
        .ok();
    assert_eq!(again, "recorded event 3\n");
    // Once voided, the first no longer blocks a new entry.
    ws.cmd("log void 1 --reason typo --by 张主管").ok();
    ws.cmd("log void 3 --reason typo --by 王主管").ok();
    ws.cmd("log add E002 late --date 2026-03-02 --minutes 12 --by 张主管")
        .ok();
    // Without a date, the event is today's.
    ws.cmd("log add E002 uniform --by 张主管").ok();
    let v = json(&ws.cmd("log list --kind uniform --format json").ok());
    assert_eq!(v["events"][0]["date"], crate::util::TODAY);
}

/// `[rating] min_months = 6` in the shipped policy: a newcomer of December and a leaver of
/// March are not rated (未参评): no grade, no outcome, with the reason, in `rate` and in
/// the rating sheet; everyone else is.
#[test]
fn newcomers_and_leavers_employed_too_few_months_are_not_rated() {
    let ws = staffed();
    ws.write(
        "new.csv",
        "id,name,department,role,joined,left,supervisor,shift_start\nE006,钱新,customer-service,staff,2025-12-20,,E001,08:30\n",
    );
    ws.cmd("staff import new.csv").ok();
    let year = |y: i32| json(&ws.cmd(&format!("rate --year {y} --format json")).ok());
    let by_id = |v: &serde_json::Value, id: &str| {
        v["ratings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["employee"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} not in {v}"))
    };
    let y2025 = year(2025);
    let newcomer = by_id(&y2025, "E006");
    assert_eq!(
        (
            &newcomer["grade"],
            &newcomer["label"],
            &newcomer["outcomes"]
        ),
        (&json!("not_rated"), &json!("未参评"), &json!([]))
    );
    assert_eq!(
        newcomer["not_rated"],
        json!({"employed_months": 1, "min_months": 6})
    );
    let y2026 = year(2026);
    let leaver = by_id(&y2026, "E004");
    assert_eq!(leaver["grade"], "not_rated");
    assert_eq!(leaver["not_rated"]["employed_months"], 3);
    assert_eq!(by_id(&y2026, "E006")["grade"], "excellent");
    assert!(by_id(&y2026, "E002").get("not_rated").is_none());
    let table = ws.cmd("rate --year 2026").ok();
    assert!(table.contains("全年在职3个月，不足6个月"), "{table}");
    ws.cmd("report ratings --year 2026 --out sheet.csv").ok();
    let sheet = std::fs::read_to_string(ws.path("sheet.csv")).unwrap();
    assert!(
        sheet.contains("不参评（全年在职3个月，不足6个月）"),
        "{sheet}"
    );
}

/// A name means one kind everywhere: a security policy whose alias 漏打卡 would record its
/// own kind, where the activated company policy's rule of that name records
/// `missing_punch`, is refused at activation and nothing is stored.
#[test]
fn an_alias_that_means_another_kind_elsewhere_is_refused_at_activation() {
    let ws = staffed();
    ws.write(
        "security.toml",
        "[policy]\nid = \"security\"\nname = \"保安部\"\nversion = \"1\"\neffective_from = \"2026-01\"\ndepartments = [\"security\"]\n\n[scoring]\nbase = 100\npass_mark = 85\n\n[[rule]]\nid = \"phone_game\"\nname = \"上班玩手机游戏\"\naliases = [\"漏打卡\"]\npoints = -20\n\n[[grade]]\nid = \"all\"\nlabel = \"全部\"\n",
    );
    let err = ws.cmd("rules activate security.toml --by x").fails(1);
    assert!(
        err.contains(
            "`漏打卡` means kind `phone_game` here but kind `missing_punch` in policy `company`"
        ) && err.contains("nothing was activated"),
        "{err}"
    );
    let list = json(&ws.cmd("rules list --format json").ok());
    assert!(
        !list["versions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["policy"] == "security"),
        "{list}"
    );
}
