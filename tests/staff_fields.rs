//! Policies declare the staff attributes their scripts read: a missing attribute is caught
//! when the policy is checked, when staff are imported and when a version is activated,
//! never first at month close.

use crate::util::{Workspace, json, staffed};

/// A customer-service version whose lateness rule reads the shift start.
const SHIFT: &str = r#"
[policy]
id = "customer-service"
name = "客户服务部考评细则"
version = "2026.2"
effective_from = "2026-01"
departments = ["customer-service"]
extends = "company.toml"

[staff_fields]
shift_start = "time"

[[rule]]
id = "late_clock_in"
name = "晚于班次打卡"
on = "clock_in"
fields = { time = "time" }
script = "if minutes_between(staff.shift_start, event.time) > 5 { -1 } else { () }"

[[test]]
name = "ten minutes after the shift starts"
month = "2026-03"
staff = { shift_start = "08:30" }
events = [ { date = "2026-03-02", kind = "clock_in", time = "08:40" } ]
expect = { score = 99 }
"#;

/// The version beside the shipped policies it extends.
fn with_shift_policy(ws: &Workspace) {
    ws.write("rules/cs-shift.toml", SHIFT);
}

#[test]
fn an_undeclared_staff_attribute_is_a_check_problem_at_its_place() {
    let ws = Workspace::init();
    ws.write(
        "rules/cs-shift.toml",
        &SHIFT.replace("[staff_fields]\nshift_start = \"time\"\n", ""),
    );
    let err = ws.cmd("rules check rules/cs-shift.toml").fails(1);
    assert!(
        err.contains("rules/cs-shift.toml:16:30: the script reads `staff.shift_start`, which `[staff_fields]` does not declare"),
        "{err}"
    );
    with_shift_policy(&ws);
    ws.cmd("rules check rules/cs-shift.toml").ok();
    ws.cmd("rules test rules/cs-shift.toml").ok();
}

#[test]
fn staff_lacking_a_declared_attribute_are_refused_at_intake_and_activation() {
    let ws = staffed();
    with_shift_policy(&ws);
    // E001-E003 have shift_start; a newcomer without it is refused once the version is
    // active, naming the row and the attribute.
    ws.cmd("rules activate rules/cs-shift.toml --by HR").ok();
    ws.write(
        "new.csv",
        "id,name,department,role,joined\nE005,钱七,customer-service,staff,2026-02-01\n",
    );
    let err = ws.cmd("staff import new.csv --by HR").fails(1);
    assert!(
        err.contains(
            "new.csv:2: `E005` has no `shift_start` (time), which policy `customer-service` reads"
        ),
        "{err}"
    );
    ws.write(
        "bad.csv",
        "id,name,department,role,joined,shift_start\nE005,钱七,customer-service,staff,2026-02-01,8h30\n",
    );
    let err = ws.cmd("staff import bad.csv --by HR").fails(1);
    assert!(
        err.contains("`E005`'s `shift_start`: `8h30` is not a time"),
        "{err}"
    );
    let list = json(&ws.cmd("staff list --format json").ok());
    assert!(
        list["staff"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["id"] != "E005")
    );
    // Security reads no shift start: a guard without one is fine there, but moving him
    // into a department that reads it is refused.
    ws.write(
        "guard.csv",
        "id,name,department,role,joined\nE006,孙八,security,staff,2026-01-05\n",
    );
    ws.cmd("staff import guard.csv --by HR").ok();
    let err = ws
        .cmd("staff move E006 --department customer-service --from 2026-03 --by HR")
        .fails(1);
    assert!(err.contains("`E006` has no `shift_start`"), "{err}");
    ws.cmd("log add E002 clock_in --date 2026-03-02 --time 08:50 --by 张主管")
        .ok();
    let month = json(
        &ws.cmd("score --month 2026-03 --employee E002 --format json")
            .ok(),
    );
    assert_eq!(month["scores"][0]["score"], 99);
}

#[test]
fn a_version_some_current_employee_lacks_attributes_for_is_not_activated() {
    let ws = staffed();
    // A customer-service newcomer without a shift start, recorded before the version that
    // reads it exists.
    ws.write(
        "new.csv",
        "id,name,department,role,joined\nE005,钱七,customer-service,staff,2026-02-01\n",
    );
    ws.cmd("staff import new.csv --by HR").ok();
    with_shift_policy(&ws);
    let err = ws
        .cmd("rules activate rules/cs-shift.toml --by HR")
        .fails(1);
    assert!(
        err.contains("reads staff attributes that employees it would govern from 2026-06 lack:\n`E005` has no `shift_start` (time)"),
        "{err}"
    );
    let versions = json(&ws.cmd("rules list --format json").ok());
    assert_eq!(versions["versions"].as_array().unwrap().len(), 2);
}
