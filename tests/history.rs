//! The record over time: a transfer never rewrites the past, changes never wipe what they
//! do not name, and a move of someone with a history must say from when.

use serde_json::json;

use crate::util::{json, staffed};

/// E002 in customer service, with a quarrel in March and lateness in March and May.
fn with_events() -> crate::util::Workspace {
    let ws = staffed();
    ws.write(
        "e.csv",
        "employee,date,kind,qty,note,recorded_by,minutes\n\
         E002,2026-03-03,quarrel,,,张主管,\n\
         E002,2026-03-10,late,,,张主管,45\n\
         E002,2026-05-12,late,,,队长,45\n",
    );
    ws.cmd("log import e.csv").ok();
    ws
}

#[test]
fn a_transfer_keeps_earlier_months_as_they_were() {
    let ws = with_events();
    let march_before = ws.cmd("explain E002 --month 2026-03 --format json").ok();
    let moved = ws
        .cmd("staff move E002 --department security --from 2026-04 --by HR")
        .ok();
    assert!(
        moved.contains("`E002` is in `security` as staff from 2026-04"),
        "{moved}"
    );

    // March: byte for byte what it was, under customer service's policy.
    assert_eq!(
        ws.cmd("explain E002 --month 2026-03 --format json").ok(),
        march_before
    );
    let march = json(&march_before);
    assert_eq!(march["department"], "customer-service");
    assert_eq!(march["policy"]["id"], "customer-service");
    // April on: security, scored under the company policy that governs it.
    let may = json(&ws.cmd("explain E002 --month 2026-05 --format json").ok());
    assert_eq!(may["department"], "security");
    assert_eq!(may["policy"]["id"], "company");
    // The department's statement and scores list who belonged to it that month.
    let cs_april = json(
        &ws.cmd("score --month 2026-04 --department customer-service --format json")
            .ok(),
    );
    assert!(
        cs_april["scores"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["employee"] != "E002")
    );
    let cs_march = json(
        &ws.cmd("score --month 2026-03 --department customer-service --format json")
            .ok(),
    );
    assert!(
        cs_march["scores"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["employee"] == "E002")
    );

    // The year spans both departments; the grade comes from the last month's policy.
    let rate = json(&ws.cmd("rate --year 2026 --format json").ok());
    let e002 = rate["ratings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["employee"] == "E002")
        .unwrap();
    assert_eq!(e002["department"], "security");
    assert_eq!(e002["policy"]["id"], "company");
    let months: Vec<(&str, &str)> = e002["monthly"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["month"].as_str().unwrap(),
                m["department"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(months[2], ("2026-03", "customer-service"));
    assert_eq!(months[3], ("2026-04", "security"));

    // An event of a kind only customer service knows is refused for an April date.
    let err = ws
        .cmd("log add E002 quarrel --date 2026-04-02 --by 队长")
        .fails(1);
    assert!(
        err.contains("unknown kind `quarrel` for policy `company`"),
        "{err}"
    );

    // The history shows the change with who made it.
    let h = json(&ws.cmd("staff history E002 --format json").ok());
    let moved = h["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["from"] == "2026-04")
        .unwrap();
    assert_eq!(moved["field"], json!("department"));
    assert_eq!(moved["value"], "security");
    assert_eq!(moved["by"], "HR");
    let audit = ws.cmd("audit").ok();
    assert!(
        audit.contains("from 2026-04: department customer-service → security"),
        "{audit}"
    );
    // The staff as they stood in March and as they stand now.
    let march_staff = json(&ws.cmd("staff list --at 2026-03 --format json").ok());
    let dept_of = |v: &serde_json::Value| {
        v["staff"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == "E002")
            .map(|e| e["department"].as_str().unwrap().to_string())
    };
    assert_eq!(dept_of(&march_staff).as_deref(), Some("customer-service"));
    let now = json(&ws.cmd("staff list --format json").ok());
    assert_eq!(dept_of(&now).as_deref(), Some("security"));
}

#[test]
fn an_import_that_moves_someone_with_events_must_say_from_when() {
    let ws = with_events();
    ws.write(
        "moved.csv",
        "id,name,department,role,joined\nE002,李四,security,staff,2024-03-01\n",
    );
    let err = ws.cmd("staff import moved.csv --by HR").fails(1);
    assert!(
        err.contains("moved.csv:2: `E002` changes department but has logged events"),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    // In Chinese by default, the field by its label.
    let err = ws
        .run_env(
            &["staff", "import", "moved.csv"],
            &[("APPRAISE_LANG", "zh")],
        )
        .fails(1);
    assert!(
        err.contains("moved.csv:2：“E002”变更了部门，但已有记录") && err.contains("全部未导入。"),
        "{err}"
    );
    let march = json(
        &ws.cmd("score --month 2026-03 --employee E002 --format json")
            .ok(),
    );
    assert_eq!(march["scores"][0]["department"], "customer-service");
    // With the month it takes effect from, it is stored, and March stays.
    ws.cmd("staff import moved.csv --effective 2026-04 --by HR")
        .ok();
    let march_after = json(
        &ws.cmd("score --month 2026-03 --employee E002 --format json")
            .ok(),
    );
    assert_eq!(march_after, march);
    let may = json(
        &ws.cmd("score --month 2026-05 --employee E002 --format json")
            .ok(),
    );
    assert_eq!(may["scores"][0]["department"], "security");
}

#[test]
fn a_change_never_wipes_what_it_does_not_name() {
    let ws = staffed();
    // Re-adding E002 without the attribute column keeps `shift_start`.
    ws.cmd("staff add E002 --name 李四 --department customer-service --role staff --joined 2024-03-01 --supervisor E001 --by HR")
        .ok();
    let staff = json(&ws.cmd("staff list --format json").ok());
    let e002 = staff["staff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "E002")
        .unwrap();
    assert_eq!(e002["attrs"]["shift_start"], "08:30");
    // `staff set` changes one attribute from a month on.
    ws.cmd("staff set E002 --attr shift_start=09:00 --from 2026-05 --by HR")
        .ok();
    let h = json(&ws.cmd("staff history E002 --format json").ok());
    let records = h["records"].as_array().unwrap();
    let last = records.last().unwrap();
    assert_eq!(last["from"], "2026-05");
    assert_eq!(last["attrs"]["shift_start"], "09:00");
    assert_eq!(last["supervisor"], "E001");
    assert_eq!(records[0]["attrs"]["shift_start"], "08:30");
}

#[test]
fn a_change_into_a_closed_month_is_refused() {
    let ws = with_events();
    ws.cmd("month close 2026-03 --by HR").ok();
    let err = ws
        .cmd("staff move E002 --department security --from 2026-03 --by HR")
        .fails(1);
    assert!(err.contains("reaches into closed 2026-03"), "{err}");
    let h = json(&ws.cmd("staff history E002 --format json").ok());
    assert!(
        h["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["value"] != "security")
    );
}

/// Employment dates hold for every month: moving `joined` or `left` across a closed month
/// is refused like any other change reaching into it, with or without `--effective`; a
/// leaving date after the closed months is accepted.
#[test]
fn employment_dates_cannot_rewrite_closed_months() {
    let ws = staffed();
    for m in ["2026-01", "2026-02", "2026-03"] {
        ws.cmd(&format!("month close {m} --by HR")).ok();
    }
    let header = "id,name,department,role,joined,left,supervisor,shift_start\n";
    ws.write(
        "left.csv",
        &format!("{header}E004,赵六,security,staff,2025-01-01,2026-02-15,,07:00\n"),
    );
    let err = ws.cmd("staff import left.csv").fails(1);
    assert!(
        err.contains("`E004`: joined 2025-01-01 / left 2026-02-15 would change whether they were employed in closed 2026-03"),
        "{err}"
    );
    let err = ws.cmd("staff import left.csv --effective 2026-07").fails(1);
    assert!(err.contains("closed 2026-03"), "{err}");
    ws.write(
        "joined.csv",
        &format!("{header}E002,李四,customer-service,staff,2026-02-01,,E001,08:30\n"),
    );
    let err = ws.cmd("staff import joined.csv").fails(1);
    assert!(err.contains("closed 2026-01"), "{err}");
    // Leaving after the closed months changes none of them.
    ws.write(
        "later.csv",
        &format!("{header}E002,李四,customer-service,staff,2024-03-01,2026-09-30,E001,08:30\n"),
    );
    ws.cmd("staff import later.csv").ok();
}
