//! Numbers that enter are bounded, and no arithmetic turns a deduction into a reward.

use crate::util::{Workspace, staffed};

#[test]
fn quantities_beyond_reason_are_refused_not_wrapped() {
    let ws = staffed();
    for qty in [
        "9223372036854775807",
        "4611686018427387904",
        "92233720368547760",
        "10001",
        "0",
    ] {
        let err = ws
            .cmd(&format!(
                "log add E002 grooming --date 2026-03-02 --qty {qty} --by 张主管"
            ))
            .fails(1);
        assert!(
            err.contains("must be a whole number from 1 to 10000"),
            "{qty}: {err}"
        );
    }
    ws.cmd("log add E002 grooming --date 2026-03-02 --qty 10000 --by 张主管")
        .ok();
    // The largest quantity deducts, whatever the floor makes of it.
    let score = crate::util::json(
        &ws.cmd("score --month 2026-03 --employee E002 --format json")
            .ok(),
    );
    assert_eq!(score["scores"][0]["deducted"], -10000);
    assert_eq!(score["scores"][0]["rewarded"], 0);
}

#[test]
fn policy_numbers_must_be_usable() {
    let ws = Workspace::new();
    let policy = |scoring: &str| {
        format!(
            "[policy]\nid = \"p\"\nname = \"p\"\nversion = \"1\"\neffective_from = \"2026-01\"\ndepartments = [\"*\"]\n[scoring]\n{scoring}\n[[rule]]\nid = \"late\"\nname = \"迟到\"\npoints = -1\n[[grade]]\nid = \"all\"\nlabel = \"全部\"\n"
        )
    };
    ws.write("nan.toml", &policy("base = nan\npass_mark = 85"));
    let err = ws.cmd("rules check nan.toml").fails(1);
    assert!(
        err.contains("`[scoring]` `base` is `NaN`; it must be a number from -1000000 to 1000000"),
        "{err}"
    );
    ws.write("big.toml", &policy("base = 1e300\npass_mark = 85"));
    let err = ws.cmd("rules check big.toml").fails(1);
    assert!(err.contains("`base` is `1e300`"), "{err}");
    ws.write(
        "points.toml",
        &policy("base = 100\npass_mark = 85").replace("points = -1", "points = -1e18"),
    );
    let err = ws.cmd("rules check points.toml").fails(1);
    assert!(err.contains("`points` is `-1e18`"), "{err}");
}

#[test]
fn a_script_giving_absurd_points_is_an_error_naming_its_rule() {
    let ws = staffed();
    ws.write(
        "rules/huge.toml",
        "[policy]\nid = \"huge\"\nname = \"h\"\nversion = \"1\"\neffective_from = \"2026-01\"\ndepartments = [\"security\"]\nextends = \"company.toml\"\n[[rule]]\nid = \"odd\"\nname = \"odd\"\non = \"grooming\"\nscript = \"9223372036854775807\"\noverride = false\n",
    );
    ws.cmd("rules activate rules/huge.toml --by HR").ok();
    ws.cmd("log add E004 grooming --date 2026-03-02 --by 队长")
        .ok();
    let err = ws.cmd("score --month 2026-03").fails(2);
    assert!(
        err.contains("rule `odd` failed for employee `E004`"),
        "{err}"
    );
    assert!(err.contains("a rule gives at most 1000000 points"), "{err}");
}

#[test]
fn a_huge_bad_cell_is_reported_short() {
    let ws = staffed();
    let cell = "9".repeat(1_000_000);
    ws.write(
        "big.csv",
        &format!(
            "employee,date,kind,qty,note,recorded_by\nE002,2026-03-02,grooming,{cell},,张主管\n"
        ),
    );
    let err = ws.cmd("log import big.csv").fails(1);
    assert!(err.len() < 400, "{} bytes of message", err.len());
    assert!(
        err.contains("qty `9999999999999999999999999999999999999999…`"),
        "{err}"
    );
}

/// A one-rule policy around `rule` (TOML lines of a `[[rule]]`), extending nothing.
fn one_rule(extra: &str, rule: &str) -> String {
    format!(
        "[policy]\nid = \"p\"\nname = \"p\"\nversion = \"1\"\neffective_from = \"2026-01\"\ndepartments = [\"*\"]\n{extra}\n[scoring]\nbase = 100\npass_mark = 85\n[[rule]]\nid = \"late\"\nname = \"迟到\"\n{rule}\n[[grade]]\nid = \"all\"\nlabel = \"全部\"\n"
    )
}

#[test]
fn extends_stays_in_the_policy_folder_and_files_are_bounded() {
    let ws = Workspace::new();
    std::fs::create_dir(ws.path("rules")).unwrap();
    for target in ["/dev/zero", "../secret.toml", "/etc/passwd"] {
        ws.write(
            "rules/p.toml",
            &one_rule(&format!("extends = \"{target}\""), "points = -1"),
        );
        let err = ws.cmd("rules check rules/p.toml").fails(1);
        assert!(
            err.contains("leaves the policy's folder"),
            "{target}: {err}"
        );
    }
    ws.write("rules/big.toml", &"# padding\n".repeat(200_000));
    let err = ws.cmd("rules check rules/big.toml").fails(1);
    assert!(err.contains("larger than 1024 KiB"), "{err}");
    let err = ws.cmd("rules check /dev/zero").fails(1);
    assert!(err.contains("not a regular file"), "{err}");
}

#[test]
fn scripts_are_deterministic_and_not_empty() {
    let ws = Workspace::new();
    // No clock: a rule reading the time cannot run, rather than scoring differently on
    // each run.
    ws.write(
        "clock.toml",
        &(one_rule("", "script = \"if timestamp().elapsed > 0.0 { -1 } else { -2 }\"")
            + "[[test]]\nname = \"t\"\nmonth = \"2026-03\"\nevents = [ { date = \"2026-03-02\", kind = \"late\" } ]\nexpect = { score = 99 }\n"),
    );
    let err = ws.cmd("rules check clock.toml").fails(1);
    assert!(err.contains("unknown function `timestamp`"), "{err}");
    ws.write("empty.toml", &one_rule("", "script = \"\""));
    let err = ws.cmd("rules check empty.toml").fails(1);
    assert!(err.contains("the script is empty"), "{err}");
    ws.write("blank.toml", &one_rule("", "when = \"  \"\npoints = -1"));
    let err = ws.cmd("rules check blank.toml").fails(1);
    assert!(err.contains("the script is empty"), "{err}");
}

#[test]
fn a_rule_cannot_change_what_later_rules_see() {
    let ws = Workspace::new();
    let policy = "[policy]\nid = \"p\"\nname = \"p\"\nversion = \"1\"\neffective_from = \"2026-01\"\ndepartments = [\"*\"]\n[scoring]\nbase = 100\npass_mark = 85\n\
[[rule]]\nid = \"meddler\"\nname = \"meddler\"\non = \"probe\"\nfields = { minutes = \"int\" }\nscript = '''\nevent.minutes = 999; event.extra = 1; staff.role = \"intern\"; nth = 50; month = \"x\";\n-1\n'''\n\
[[rule]]\nid = \"judge\"\nname = \"judge\"\non = \"probe\"\nscript = '''\nif event.minutes > 100 || \"extra\" in event || staff.role == \"intern\" || nth != 1 || month != \"2026-03\" { -90 } else { -1 }\n'''\n\
[[annual]]\nid = \"meddle_year\"\nname = \"m\"\nwhen = \"year.months.clear() == () && false\"\n\
[[annual]]\nid = \"judge_year\"\nname = \"j\"\nwhen = \"year.months.len() == 0\"\ngrade = \"poor\"\n\
[[grade]]\nid = \"ok\"\nlabel = \"好\"\nwhen = \"true\"\n[[grade]]\nid = \"poor\"\nlabel = \"差\"\n\
[[test]]\nname = \"each rule sees the event as stored\"\nmonth = \"2026-03\"\nstaff = { role = \"staff\" }\nevents = [ { date = \"2026-03-02\", kind = \"probe\", minutes = 5 } ]\nexpect = { score = 98, points = { meddler = -1, judge = -1 } }\n\
[[test]]\nname = \"each year rule sees the year as it was\"\nyear = 2026\nevents = [ { date = \"2026-03-02\", kind = \"probe\", minutes = 5 } ]\nexpect = { grade = \"ok\" }\n";
    ws.write("p.toml", policy);
    let out = ws.cmd("rules test p.toml").run_output();
    assert!(out.contains("2 passed, 0 failed"), "{out}");
}

#[test]
fn an_evaluation_has_an_operation_budget_across_its_scripts() {
    let ws = staffed();
    // Each run stays under the per-run limit; together, a month of them does not.
    ws.write(
        "rules/slow.toml",
        "[policy]\nid = \"slow\"\nname = \"s\"\nversion = \"1\"\neffective_from = \"2026-01\"\ndepartments = [\"security\"]\nextends = \"company.toml\"\n[[rule]]\nid = \"slow\"\nname = \"slow\"\non = \"grooming\"\nscript = '''\nlet x = 0;\nwhile x < 30000 { x += 1; }\n-1\n'''\n",
    );
    ws.cmd("rules activate rules/slow.toml --by HR").ok();
    let mut csv = String::from("employee,date,kind,qty,note,recorded_by\n");
    for i in 0..200 {
        csv.push_str(&format!(
            "E004,2026-03-{:02},grooming,,n{i},队长\n",
            1 + i % 28
        ));
    }
    ws.write("slow.csv", &csv);
    ws.cmd("log import slow.csv --by 队长").ok();
    let err = ws.cmd("score --month 2026-03 --employee E004").fails(2);
    assert!(
        err.contains("rule `slow` failed for employee `E004`"),
        "{err}"
    );
    assert!(
        err.contains("more than 20000000 operations in all"),
        "{err}"
    );
}

#[test]
fn a_report_named_after_an_id_stays_in_the_folder() {
    let ws = staffed();
    ws.cmd("staff add x/../../escape --name 某人 --department security --role staff --joined 2026-01-05 --by HR")
        .ok();
    let out = ws
        .cmd("report recommendation x/../../escape --year 2026")
        .ok();
    assert_eq!(out, "wrote recommendation-x_______escape-2026.html\n");
    assert!(ws.path("recommendation-x_______escape-2026.html").exists());
}

#[test]
fn an_unclosed_quote_is_named_as_such() {
    let ws = staffed();
    ws.write(
        "q.csv",
        "employee,date,kind,qty,note,recorded_by\nE002,2026-03-02,uniform,,\"oops,张主管\nE002,2026-03-03,uniform,,,张主管\n",
    );
    let err = ws.cmd("log import q.csv --by 张主管").fails(1);
    assert!(
        err.contains("a quote `\"` that is opened and never closed"),
        "{err}"
    );
}

/// Bad values are quoted short and problems listed at most a hundred: a 100 KB unknown
/// kind is not echoed whole (nor compared with every kind name), and 150 bad rows give
/// 100 lines and a count.
#[test]
fn messages_quote_values_short_and_list_a_hundred_problems() {
    let ws = staffed();
    let huge = "x".repeat(100_000);
    let err = ws
        .run(&[
            "log",
            "add",
            "E002",
            &huge,
            "--date",
            "2026-03-02",
            "--by",
            "张主管",
        ])
        .fails(1);
    assert!(err.len() < 2_000, "{} bytes", err.len());
    assert!(
        err.contains(&format!("unknown kind `{}…`", "x".repeat(40))),
        "{err}"
    );
    let mut csv = String::from("employee,date,kind,qty,note,recorded_by\n");
    for i in 0..150 {
        csv += &format!("E002,2026-03-02,nokind{i},,,张主管\n");
    }
    ws.write("bad.csv", &csv);
    let err = ws.cmd("log import bad.csv").fails(1);
    let lines = err.lines().filter(|l| l.contains("bad.csv:")).count();
    assert_eq!(lines, 100, "{err}");
    assert!(
        err.contains("… and 50 more problems; mend these first"),
        "{err}"
    );
}

/// A note is a line or two: one of 10,000 characters, or one holding an escape sequence or
/// a NUL, is refused,
/// quoted short, and nothing is stored.
#[test]
fn notes_are_bounded_plain_text() {
    let ws = staffed();
    let long = "长".repeat(10_000);
    let err = ws
        .run(&[
            "log",
            "add",
            "E002",
            "uniform",
            "--date",
            "2026-03-02",
            "--note",
            &long,
            "--by",
            "张主管",
        ])
        .fails(1);
    assert!(
        err.contains("note holds 10000 characters; at most 1000"),
        "{err}"
    );
    assert!(err.len() < 1_000, "{} bytes", err.len());
    let err = ws
        .run(&[
            "log",
            "add",
            "E002",
            "uniform",
            "--date",
            "2026-03-02",
            "--note",
            "a\u{1b}[31mb",
            "--by",
            "张主管",
        ])
        .fails(1);
    assert!(err.contains("note holds a control character"), "{err}");
    // A NUL in a file's note cell, likewise.
    ws.write(
        "nul.csv",
        "employee,date,kind,qty,note,recorded_by\nE002,2026-03-02,uniform,,a\u{0}b,张主管\n",
    );
    let err = ws.cmd("log import nul.csv").fails(1);
    assert!(
        err.contains("nul.csv:2: note holds a control character"),
        "{err}"
    );
    let events = ws.cmd("log list --format csv").ok();
    assert_eq!(events.lines().count(), 1, "{events}");
}

/// What a staff file may hold is bounded and plain: a name of 1,000 characters, a role written
/// like a shell command, a control character in an attribute are refused, each quoted
/// short; and so are supervisors that go round in a circle, in a file or by a change.
#[test]
fn staff_records_are_bounded_and_supervisors_form_no_circle() {
    let ws = staffed();
    let long = "名".repeat(1_000);
    ws.write(
        "bad.csv",
        &format!(
            "id,name,department,role,joined,left,supervisor,shift_start\n\
             E010,{long},customer-service,staff,2026-01-05,,,08:30\n\
             E011,钱七,customer-service,; rm -rf /,2026-01-05,,,08:30\n\
             E012,孙八,customer-service,staff,2026-01-05,,,08:30\u{1b}[2J\n"
        ),
    );
    let err = ws.cmd("staff import bad.csv --by HR").fails(1);
    assert!(
        err.contains("bad.csv:2: name holds 1000 characters; at most 100"),
        "{err}"
    );
    assert!(
        err.contains("bad.csv:3: role `; rm -rf /` is not a role: at most 40 letters, digits, `_`, `-` or spaces"),
        "{err}"
    );
    assert!(
        err.contains("bad.csv:4: `shift_start` holds a control character"),
        "{err}"
    );
    assert!(err.len() < 2_000, "{} bytes", err.len());

    // E001 supervises E002; making E002 E001's supervisor closes a circle.
    let err = ws
        .cmd("staff set E001 --supervisor E002 --from 2026-06 --by HR")
        .fails(1);
    assert!(
        err.contains("supervisors would go round in a circle: E001 → E002 → E001"),
        "{err}"
    );
    ws.write(
        "circle.csv",
        "id,name,department,role,joined,left,supervisor\n\
         E020,甲,customer-service,staff,2026-01-05,,E021\n\
         E021,乙,customer-service,staff,2026-01-05,,E020\n",
    );
    let err = ws.cmd("staff import circle.csv --by HR").fails(1);
    assert!(
        err.contains("supervisors would go round in a circle: E020 → E021 → E020"),
        "{err}"
    );
    let err = ws
        .cmd("staff set E002 --role a;b --from 2026-06 --by HR")
        .fails(1);
    assert!(err.contains("role `a;b` is not a role"), "{err}");
    let list = ws.cmd("staff list --format csv").ok();
    assert!(!list.contains("E010") && !list.contains("E020"), "{list}");
}

/// An int field counts what happened: minutes −40 would pass a rule's `event.minutes > 0`
/// check and silently score nothing.
#[test]
fn a_negative_count_is_refused() {
    let ws = staffed();
    let err = ws
        .cmd("log add E002 late --minutes -40 --date 2026-03-02 --by 张主管")
        .fails(1);
    assert!(
        err.contains("`-40` is not a whole number from 0 to 1000000000"),
        "{err}"
    );
}

/// Files read whole are bounded before they are read: a 257 MB roster (sparse, so the
/// test writes nothing) is refused by its size; a cell of 10,000 characters is refused
/// quoted short.
#[test]
fn tables_read_whole_are_bounded_by_size_and_cell() {
    let ws = staffed();
    let file = std::fs::File::create(ws.path("huge.csv")).unwrap();
    file.set_len(257 << 20).unwrap();
    let err = ws.cmd("roster import huge.csv --by HR").fails(2);
    assert!(
        err.contains("is 257 MB; a roster, clock export or staff file holds at most 256 MB"),
        "{err}"
    );
    ws.write(
        "roster.csv",
        &format!(
            "工号,日期,上班时间,下班时间\nE002,2026-03-02,08:30,{}\n",
            "1".repeat(10_000)
        ),
    );
    let err = ws.cmd("roster import roster.csv --by HR").fails(1);
    assert!(
        err.contains("roster.csv:2: a cell holds 10000 characters; a cell holds at most 4096"),
        "{err}"
    );
    assert!(err.len() < 500, "{} bytes", err.len());
}
