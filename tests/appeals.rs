//! Appeals (申诉): an employee contests their own event within the policy's window; the head
//! of their department upholds (the event is excused) or rejects it; both are on the record.

use crate::util::{json, staffed};

#[test]
fn an_employee_appeals_and_the_head_decides() {
    let ws = staffed();
    ws.cmd("log add E002 uniform --date 2026-06-25 --by 张主管")
        .ok();
    ws.cmd("log add E002 badge --date 2026-06-26 --by 张主管")
        .ok();
    ws.cmd("log add E002 grooming --date 2026-06-01 --by 张主管")
        .ok();
    ws.cmd("log add E003 uniform --date 2026-06-26 --by 张主管")
        .ok();

    // Only one's own events, only within the window, always with a reason.
    let err = ws.cmd("appeal file 4 --reason 不是我 --by E002").fails(1);
    assert!(
        err.contains("may appeal only their own events; this one is `E003`'s"),
        "{err}"
    );
    // Entered today for June 1st: the window runs from the entry.
    ws.cmd("appeal file 3 --reason 补录的 --by E002").ok();
    ws.run(&["appeal", "file", "1", "--reason", " ", "--by", "E002"])
        .fails(1);
    assert_eq!(
        ws.cmd("appeal file 1 --reason 当天穿的是新制服 --by E002")
            .ok(),
        "appeal 2 filed against event 1\n"
    );
    ws.cmd("appeal file 2 --reason 工牌在更衣柜 --by E002").ok();
    let err = ws.cmd("appeal file 1 --reason 再申诉 --by E002").fails(1);
    assert!(err.contains("appealed already (appeal 2"), "{err}");

    // The supervisor who entered it does not decide; the head of security may not either.
    let err = ws.cmd("appeal uphold 2 --reason 核实 --by 张主管").fails(1);
    assert!(err.contains("may not decide appeals"), "{err}");
    let err = ws.cmd("appeal reject 2 --reason 不成立 --by 队长").fails(1);
    assert!(err.contains("outside their department"), "{err}");
    let waiting = json(&ws.cmd("appeal list --waiting --format json").ok());
    assert_eq!(waiting["appeals"].as_array().unwrap().len(), 3);

    ws.cmd("appeal uphold 2 --reason 已核实新制服 --by 部门负责人")
        .ok();
    ws.cmd("appeal reject 3 --reason 规定须佩戴 --by 部门负责人")
        .ok();
    let err = ws
        .cmd("appeal reject 2 --reason 改主意 --by 部门负责人")
        .fails(1);
    assert!(err.contains("appeal 2 was upheld already"), "{err}");

    // Upheld: the event is excused, stays in the log and scores nothing; rejected: it counts.
    let events = json(&ws.cmd("log list --employee E002 --format json").ok());
    let excused = |id: i64| {
        events["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .map(|e| e["excused"].clone())
            .unwrap()
    };
    assert_eq!((excused(1), excused(2)), (true.into(), false.into()));
    let month = json(&ws.cmd("explain E002 --month 2026-06 --format json").ok());
    let text = month.to_string();
    assert!(
        text.contains("已核实新制服"),
        "the excuse is explained: {text}"
    );
    // The employee sees both outcomes with their reasons.
    let mine = ws.cmd("appeal list --employee E002").ok();
    assert!(
        mine.contains("申诉成立") && mine.contains("已核实新制服"),
        "{mine}"
    );
    assert!(
        mine.contains("驳回") && mine.contains("规定须佩戴"),
        "{mine}"
    );
    let waiting = json(&ws.cmd("appeal list --waiting --format json").ok());
    assert_eq!(waiting["appeals"].as_array().unwrap().len(), 1);
    // Both are on the chained record.
    ws.cmd("audit verify").ok();
    let audit = ws.cmd("audit --format csv").ok();
    for action in [
        "appeal.file",
        "appeal.uphold",
        "appeal.reject",
        "log.excuse",
    ] {
        assert!(audit.contains(action), "{action} missing:\n{audit}");
    }
}

#[test]
fn the_window_runs_from_the_entry_for_the_policy_s_days() {
    let ws = staffed();
    // Entered on the real day (the entry's stamp is the clock's), appealed days later.
    let entered = chrono::Local::now().date_naive();
    let day = |n: i64| (entered + chrono::Duration::days(n)).to_string();
    ws.run_on(
        &day(0),
        &[
            "log",
            "add",
            "E002",
            "uniform",
            "--date",
            &day(0),
            "--by",
            "张主管",
        ],
    )
    .ok();
    let err = ws
        .run_on(
            &day(8),
            &["appeal", "file", "1", "--reason", "迟了", "--by", "E002"],
        )
        .fails(1);
    assert!(
        err.contains(&format!(
            "could be appealed until {} (7 days after {}",
            day(7),
            day(0)
        )),
        "{err}"
    );
    ws.run_on(
        &day(7),
        &["appeal", "file", "1", "--reason", "赶上了", "--by", "E002"],
    )
    .ok();

    // A policy may give more days, and says so within bounds.
    ws.write("rules/window.toml", &window_policy("window", 40));
    ws.cmd("rules activate rules/window.toml --by HR").ok();
    ws.run_on(
        &day(0),
        &[
            "log",
            "add",
            "E002",
            "badge",
            "--date",
            &day(0),
            "--by",
            "张主管",
        ],
    )
    .ok();
    ws.run_on(
        &day(40),
        &["appeal", "file", "2", "--reason", "理由", "--by", "E002"],
    )
    .ok();

    ws.write("rules/bad.toml", &window_policy("bad", 1000));
    let err = ws.cmd("rules check rules/bad.toml").fails(1);
    assert!(err.contains("`appeal_days` is 1000"), "{err}");
}

#[test]
fn what_waits_on_each_person() {
    let ws = staffed();
    ws.cmd("log add E002 uniform --date 2026-06-25 --by 张主管")
        .ok();
    ws.cmd("log add E004 badge --date 2026-03-02 --by 队长")
        .ok();
    ws.cmd("appeal file 1 --reason 有误 --by E002").ok();
    // E004 appeals too (an employee id acting for themselves), in security.
    ws.cmd("appeal file 2 --reason 有误 --by E004").ok();
    let ids = |out: &str| -> Vec<i64> {
        json(out)["appeals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_i64().unwrap())
            .collect()
    };
    let on = |who: &str| {
        ids(&ws
            .cmd(&format!("appeal list --waiting-on {who} --format json"))
            .ok())
    };
    assert_eq!(on("部门负责人"), [1]);
    assert_eq!(on("队长"), [2]);
    assert_eq!(on("HR"), [1, 2]);
    assert!(on("张主管").is_empty());

    // Review steps: the supervisor's first, then the head's, then HR's.
    ws.cmd("dept add customer-service --name 客户服务部 --head E001 --by HR")
        .ok();
    ws.cmd("review start --year 2026 --department customer-service --open-months-ok --by HR")
        .ok();
    let waiting = |who: &str| -> Vec<String> {
        json(
            &ws.cmd(&format!(
                "review status --year 2026 --waiting-on {who} --format json"
            ))
            .ok(),
        )["reviews"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["employee"].as_str().unwrap().to_string())
            .collect()
    };
    // 张主管 is E001: the supervisor of E002 and E003 (and, as the department's head, named
    // for the head's step of other reviews).
    let first = waiting("张主管");
    assert!(first.contains(&"E002".to_string()) && first.contains(&"E003".to_string()));
    assert!(waiting("HR").is_empty());
    assert!(waiting("王主管").is_empty());
    for step in ["manager", "department_head"] {
        ws.cmd(&format!(
            "review sign E002 --year 2026 --step {step} --grade good --comment 同意 --by E001"
        ))
        .ok();
    }
    assert!(!waiting("张主管").contains(&"E002".to_string()));
    assert_eq!(waiting("HR"), ["E002"]);
}

/// A customer-service policy that only sets the appeal window.
fn window_policy(id: &str, days: i64) -> String {
    format!(
        "[policy]\nid = \"{id}\"\nname = \"{id}\"\nversion = \"1\"\neffective_from = \"2026-01\"\n\
         departments = [\"customer-service\"]\nextends = \"customer-service.toml\"\n\n\
         [scoring]\nappeal_days = {days}\n"
    )
}
