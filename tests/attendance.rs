//! Attendance from the time clock and the roster, through the command line: a month of a
//! GB18030 punch-per-row export with Chinese headers, as a Chinese front office's clock
//! writes it, against the duty roster.

use appraise::app::{Entry, Recorded, Submitted};

use crate::util::{json, staffed};

/// `text` as Excel saves "CSV" on a Chinese Windows PC.
fn gb18030(text: &str) -> Vec<u8> {
    encoding_rs::GB18030.encode(text).0.into_owned()
}

/// March 2026's weekdays for E002 (days, 08:30–17:30) and E001 (nights, 20:00–08:00,
/// ending with a handover record).
fn roster() -> String {
    let mut rows = vec!["工号,日期,上班时间,下班时间,交班".to_string()];
    for d in weekdays() {
        rows.push(format!("E002,2026-03-{d:02},08:30,17:30,否"));
        rows.push(format!("E001,2026-03-{d:02},20:00,08:00,是"));
    }
    rows.join("\n") + "\n"
}

fn weekdays() -> impl Iterator<Item = u32> {
    (2..=31).filter(|d| {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, *d).unwrap();
        chrono::Datelike::weekday(&day).number_from_monday() <= 5
    })
}

/// The month's punches: E002 late on the 3rd (47 minutes), 10th and 17th (5 minutes
/// each, the third of the month), absent on the 24th, no check-out on the 26th; E001 on
/// time every night, its check-outs the next morning.
fn punches(late_on_3rd: &str) -> String {
    let mut rows = vec!["工号,打卡时间".to_string()];
    for d in weekdays() {
        let (arrive, leave) = match d {
            3 => (late_on_3rd, Some("17:35")),
            10 | 17 => ("08:35", Some("17:31")),
            24 => continue,
            26 => ("08:28", None),
            _ => ("08:27", Some("17:33")),
        };
        rows.push(format!("E002,2026-03-{d:02} {arrive}:00"));
        if let Some(leave) = leave {
            rows.push(format!("E002,2026-03-{d:02} {leave}:00"));
        }
    }
    for d in weekdays() {
        rows.push(format!("E001,2026-03-{d:02} 19:52:00"));
        let next =
            chrono::NaiveDate::from_ymd_opt(2026, 3, d).unwrap() + chrono::TimeDelta::days(1);
        rows.push(format!("E001,{next} 08:03:00"));
    }
    rows.join("\n") + "\n"
}

#[test]
fn a_month_of_punches_becomes_the_policys_events() {
    let ws = staffed();
    ws.write("roster.csv", &roster());
    std::fs::write(ws.path("punches.csv"), gb18030(&punches("09:17"))).unwrap();
    ws.cmd("roster import roster.csv --by HR").ok();
    let out = ws.cmd("clock import punches.csv --by HR").ok();
    assert!(out.contains("punches.csv (read as GB18030)"), "{out}");
    assert!(
        out.contains("5 events added (1 absence and 1 missing punch), 0 voided"),
        "{out}"
    );
    // E001's night check-outs belong to the nights they end: nothing derived for E001.
    let e001 = ws.cmd("log list --employee E001 --format csv").ok();
    assert_eq!(e001.lines().count(), 1, "{e001}");

    // The month as the policy says: 47 minutes late -3; 5 minutes -1, then the third
    // lateness doubled -2; absent -5; a missing check-out -1.
    let explained = json(&ws.cmd("explain E002 --month 2026-03 --format json").ok());
    let items: Vec<(String, String, i64)> = explained["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["date"].as_str().unwrap().to_string(),
                i["kind"].as_str().unwrap().to_string(),
                i["points"].as_f64().unwrap() as i64,
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            ("2026-03-03".into(), "late".into(), -3),
            ("2026-03-10".into(), "late".into(), -1),
            ("2026-03-17".into(), "late".into(), -2),
            ("2026-03-24".into(), "absence".into(), -5),
            ("2026-03-26".into(), "missing_punch".into(), -1),
        ]
    );
    assert_eq!(explained["score"], 88.0);
    // Every derived point names the rows it comes from.
    let table = ws.cmd("explain E002 --month 2026-03").ok();
    assert!(
        table.contains("排班 08:30–17:30，上班打卡 09:17（punches.csv:4）"),
        "{table}"
    );
    assert!(table.contains("本月第3次，加倍"), "{table}");

    // The same export again stores nothing.
    let again = ws.cmd("clock import punches.csv --by HR").ok();
    assert!(again.contains("0 events added, 0 voided"), "{again}");
    // A corrected export (the 3rd's arrival was 08:40) replaces exactly that event.
    std::fs::write(ws.path("fixed.csv"), gb18030(&punches("08:40"))).unwrap();
    let fixed = ws.cmd("clock import fixed.csv --by HR").ok();
    assert!(fixed.contains("1 event added, 1 voided"), "{fixed}");
    let log = ws.cmd("log list --employee E002 --format json").ok();
    let events = json(&log);
    let voided: Vec<&str> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["voided"] == true)
        .map(|e| e["note"].as_str().unwrap())
        .collect();
    assert_eq!(
        voided,
        ["排班 08:30–17:30，上班打卡 09:17（punches.csv:4）"]
    );
    let score = json(&ws.cmd("explain E002 --month 2026-03 --format json").ok());
    // 10 minutes late now -1; the 17th is still the third lateness.
    assert_eq!(score["score"], 90.0);
    assert!(ws.cmd("audit verify").ok().contains("the record is whole"));
}

#[test]
fn handover_shifts_need_their_record_and_strays_are_refused() {
    let ws = staffed();
    ws.write("roster.csv", &roster());
    ws.cmd("roster import roster.csv --by HR").ok();
    // Records for E001's nights of the 2nd and 3rd, none for the 4th's.
    ws.write(
        "handovers.csv",
        "employee,date,time\nE001,2026-03-03,08:05\nE001,2026-03-04,08:10\nE001,2026-03-06,07:55\n",
    );
    let out = ws.cmd("handover import handovers.csv --by HR").ok();
    assert!(out.contains("1 event added"), "{out}");
    let log = ws.cmd("log list --employee E001 --format csv").ok();
    assert!(log.contains("missed_handover"), "{log}");
    assert!(log.contains("2026-03-04"), "{log}");
    // The record was written after all, and entered by hand: the missed handover goes.
    let entered = ws
        .cmd("log add E001 handover --date 2026-03-05 --time 08:12 --by HR")
        .ok();
    assert!(entered.contains("0 events added, 1 voided"), "{entered}");
    let missing = ws
        .cmd("log add E001 handover --date 2026-03-05 --by HR")
        .fails(1);
    assert!(missing.contains("needs field `time`"), "{missing}");
    // The web's form and the API enter through the same call: a handover entry there is a
    // record too, never an event of kind `handover`.
    let app = ws.app();
    let hr = app.actor("HR").unwrap();
    let entry = Entry {
        employee: "E001".into(),
        kind: "handover".into(),
        date: "2026-03-04".into(),
        fields: [("time".to_string(), "08:20".to_string())].into(),
        ..Entry::default()
    };
    let answers = app
        .add_events(vec![Submitted {
            by: hr,
            entry,
            again: false,
        }])
        .unwrap();
    match &answers[..] {
        [Ok(Recorded::Handover(done))] => assert_eq!(
            (done.rows, done.stored, done.added),
            (1, true, 0),
            "{done:?}"
        ),
        other => panic!("a handover record, not {other:?}"),
    }
    let log = ws.cmd("log list --employee E001 --kind handover").ok();
    assert!(!log.contains("2026-03"), "{log}");

    // A punch on a day without a shift names its row; nothing is stored.
    ws.write(
        "stray.csv",
        "employee,time\nE002,2026-03-02 08:29\nE002,2026-03-07 10:00\n",
    );
    let err = ws.cmd("clock import stray.csv --by HR").fails(1);
    assert!(
        err.contains("stray.csv:3: the punch of `E002` at 2026-03-07 10:00 fits no rostered shift"),
        "{err}"
    );
    let e002 = ws.cmd("log list --employee E002 --format csv").ok();
    assert_eq!(e002.lines().count(), 1, "{e002}");
    // Out of scope: 队长 heads security.
    let refused = ws.cmd("clock import stray.csv --by 队长").fails(1);
    assert!(refused.contains("may not"), "{refused}");
}

#[test]
fn an_approved_correction_rederives_its_day_within_the_monthly_cap() {
    let ws = staffed();
    ws.write("roster.csv", &roster());
    ws.cmd("roster import roster.csv --by HR").ok();
    // E002 forgets to check out on four days.
    let mut rows = vec!["employee,date,in,out".to_string()];
    for d in weekdays() {
        let out = if [2, 3, 4, 5].contains(&d) {
            ""
        } else {
            "17:31"
        };
        rows.push(format!("E002,2026-03-{d:02},08:25,{out}"));
        rows.push(format!("E001,2026-03-{d:02},19:50,08:05"));
    }
    ws.write("clock.csv", &(rows.join("\n") + "\n"));
    let out = ws.cmd("clock import clock.csv --by HR").ok();
    assert!(out.contains("4 events added"), "{out}");

    for d in [2, 3, 4, 5] {
        ws.run(&[
            "clock",
            "fix",
            "E002",
            "--date",
            &format!("2026-03-0{d}"),
            "--out",
            "17:40",
            "--reason",
            "下班忘记打卡",
            "--by",
            "E002",
        ])
        .ok();
    }
    // Nobody decides their own; an approval re-derives the day at once.
    let own = ws.cmd("clock approve 1 --by E002").fails(1);
    assert!(own.contains("decided by someone else"), "{own}");
    let approved = ws.cmd("clock approve 1 --by 王主管").ok();
    assert!(approved.contains("0 events added, 1 voided"), "{approved}");
    ws.cmd("clock approve 2 --by 王主管").ok();
    ws.cmd("clock approve 3 --by 王主管").ok();
    // The policy allows three a month.
    let capped = ws.cmd("clock approve 4 --by 王主管").fails(1);
    assert!(
        capped.contains("3 corrections approved for 2026-03, the most the policy allows"),
        "{capped}"
    );
    ws.cmd("clock reject 4 --reason 超过本月补卡次数 --by 王主管")
        .ok();
    let listed = ws.cmd("clock corrections --employee E002").ok();
    assert_eq!(listed.matches("已批准").count(), 3, "{listed}");
    assert!(listed.contains("驳回"), "{listed}");
    let log = json(&ws.cmd("log list --employee E002 --format json").ok());
    let live: Vec<&str> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["voided"] == false)
        .map(|e| e["date"].as_str().unwrap())
        .collect();
    assert_eq!(
        live,
        ["2026-03-05"],
        "only the day not corrected keeps its missing punch"
    );
    // The correction's punch is on record, and re-importing the export keeps it.
    let again = ws.cmd("clock import clock.csv --by HR").ok();
    assert!(again.contains("0 events added, 0 voided"), "{again}");
    assert!(ws.cmd("audit verify").ok().contains("the record is whole"));
}

#[test]
fn a_standing_shift_from_the_staff_record_stands_in_for_a_roster() {
    let ws = staffed();
    // No roster: E002 works 08:30–17:30 on weekdays, by their own record.
    ws.run(&[
        "staff",
        "set",
        "E002",
        "--attr",
        "shift_end=17:30",
        "--attr",
        "workdays=1-5",
        "--from",
        "2026-03",
        "--by",
        "HR",
    ])
    .ok();
    ws.write(
        "clock.csv",
        "工号,日期,上班打卡,下班打卡\nE002,2026-03-02,08:40,17:31\nE002,2026-03-03,08:20,17:35\n",
    );
    let out = ws.cmd("clock import clock.csv --by HR").ok();
    assert!(out.contains("1 event added"), "{out}");
    let log = ws.cmd("log list --employee E002").ok();
    assert!(log.contains("minutes=10"), "{log}");
    assert!(log.contains("排班 08:30–17:30"), "{log}");
}

/// The same shift listed twice (or two that share time) would make a worked day late
/// against one and absent against the other: the roster is refused, naming both rows.
#[test]
fn overlapping_roster_rows_are_refused_naming_both() {
    let ws = staffed();
    ws.write(
        "roster.csv",
        "工号,日期,上班时间,下班时间\nE002,2026-03-02,08:30,17:30\nE001,2026-03-02,20:00,08:00\nE002,2026-03-02,08:30,17:30\nE001,2026-03-03,07:00,09:00\n",
    );
    let err = ws.cmd("roster import roster.csv --by HR").fails(1);
    assert!(
        err.contains("roster.csv:4: `E002`'s shift 2026-03-02 08:30–17:30 overlaps the one at roster.csv:2 (08:30–17:30)"),
        "{err}"
    );
    // A night shift running into the next morning's shift overlaps it too.
    assert!(
        err.contains("roster.csv:5: `E001`'s shift 2026-03-03 07:00–09:00 overlaps the one at roster.csv:3 (20:00–08:00)"),
        "{err}"
    );
}

/// March's export with one punch mistyped into May: read as one export it would span
/// March to May and derive an absence for every rostered day of April. The date is
/// refused as a likely typo, naming its row, and nothing is imported.
#[test]
fn a_punch_dated_far_from_the_rest_of_the_export_is_refused() {
    let ws = staffed();
    let mut roster = roster();
    roster += "E002,2026-05-04,08:30,17:30,否\n";
    ws.write("roster.csv", &roster);
    ws.cmd("roster import roster.csv --by HR").ok();
    let punches = punches("08:20") + "E002,2026-05-04 08:29:00\n";
    let line = punches.lines().count();
    ws.write("punches.csv", &punches);
    let err = ws.cmd("clock import punches.csv --by HR").fails(1);
    assert!(
        err.contains(&format!(
            "punches.csv:{line}: a punch dated 2026-05-04 lies more than 14 days from the rest of the file (2026-03-02 … 2026-04-01)"
        )),
        "{err}"
    );
    let events = ws.cmd("log list --format csv").ok();
    assert_eq!(events.lines().count(), 1, "{events}");
}

/// Rows no clock or duty office writes are refused, each naming its row: a roster day before
/// the employee joined, a date of year 0000, a time with second 60.
#[test]
fn implausible_attendance_rows_are_refused() {
    let ws = staffed();
    ws.write(
        "roster.csv",
        "工号,日期,上班时间,下班时间\nE003,2026-03-02,08:30,17:30\n",
    );
    let err = ws.cmd("roster import roster.csv --by HR").fails(1);
    assert!(
        err.contains(
            "roster.csv:2: employee `E003` was not employed on 2026-03-02 (employed from 2026-04-15)"
        ),
        "{err}"
    );
    ws.write(
        "roster.csv",
        "工号,日期,上班时间,下班时间\nE002,0000-03-02,08:30,17:30\n",
    );
    let err = ws.cmd("roster import roster.csv --by HR").fails(1);
    assert!(
        err.contains("roster.csv:2: date `0000-03-02` is not a date"),
        "{err}"
    );
    ws.write("punches.csv", "工号,打卡时间\nE002,2026-03-02 08:30:60\n");
    let err = ws.cmd("clock import punches.csv --by HR").fails(1);
    assert!(
        err.contains("punches.csv:2: time `2026-03-02 08:30:60` is not a punch time"),
        "{err}"
    );
    // Read as one punch per row, a file with both shapes' columns lost each day's in and out.
    ws.write(
        "punches.csv",
        "工号,打卡时间,日期,上班打卡,下班打卡\nE002,2026-03-02 08:27:00,2026-03-03,08:29,17:35\n",
    );
    let err = ws.cmd("clock import punches.csv --by HR").fails(1);
    assert!(
        err.contains("punches.csv:1: the header names both shapes of a clock export: `time` (one row per punch) and `date`, `in`, `out` (one row per day)"),
        "{err}"
    );
}

/// An export missing one employee's punches (a wrong filter at the clock) would make every
/// rostered day of theirs an absence: above the policy's share it is refused, stating the
/// number, and taken only when the importer accepts that number.
#[test]
fn an_export_deriving_too_many_absences_is_refused_unless_accepted() {
    let ws = staffed();
    ws.write("roster.csv", &roster());
    ws.cmd("roster import roster.csv --by HR").ok();
    let only_e001: String = punches("08:20")
        .lines()
        .filter(|l| !l.starts_with("E002"))
        .map(|l| format!("{l}\n"))
        .collect();
    ws.write("punches.csv", &only_e001);
    let absent = weekdays().count();
    let err = ws.cmd("clock import punches.csv --by HR").fails(1);
    assert!(
        err.contains(&format!(
            "punches.csv would record {absent} absences and 0 missing punches on {} rostered days, more than the policy's 20%; nothing was imported",
            2 * absent
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("--accept-absences {absent}")),
        "{err}"
    );
    let err = ws
        .cmd(&format!(
            "clock import punches.csv --by HR --accept-absences {}",
            absent - 1
        ))
        .fails(1);
    assert!(
        err.contains(&format!("and more than the {} accepted", absent - 1)),
        "{err}"
    );
    assert_eq!(ws.cmd("log list --format csv").ok().lines().count(), 1);
    let out = ws
        .cmd(&format!(
            "clock import punches.csv --by HR --accept-absences {absent}"
        ))
        .ok();
    assert!(
        out.contains(&format!(
            "{absent} events added ({absent} absences and 0 missing punches), 0 voided"
        )),
        "{out}"
    );
}

/// March's export with a punch mistyped nine days into April (within the gap a holiday
/// allows) speaks for April's first days too and derives absences there; the corrected
/// export of the same span supersedes it: those days are released and their events voided,
/// in the same import.
#[test]
fn a_corrected_export_supersedes_the_days_the_mistyped_one_reached() {
    let ws = staffed();
    let mut roster = roster();
    for d in [1, 2, 3, 6, 7, 8, 9, 10] {
        roster += &format!("E002,2026-04-{d:02},08:30,17:30,否\n");
    }
    ws.write("roster.csv", &roster);
    ws.cmd("roster import roster.csv --by HR").ok();
    let correct = punches("08:20");
    ws.write(
        "typo.csv",
        &(correct.clone() + "E002,2026-04-10 08:29:00\n"),
    );
    let out = ws.cmd("clock import typo.csv --by HR").ok();
    // April 1–9: seven absences, and the 10th a missing check-out (with March's 24th and
    // 26th).
    assert!(out.contains("(8 absences and 2 missing punches)"), "{out}");
    let april = || {
        json(&ws.cmd("explain E002 --month 2026-04 --format json").ok())["score"]
            .as_f64()
            .unwrap()
    };
    assert!(april() < 100.0);

    // The correction speaks for March 2–31 (the night of the 31st ends on April 1st):
    // April 1–10 of E001 and E002 are released, and the seven absences and the missing
    // check-out voided.
    ws.write("fixed.csv", &correct);
    let out = ws.cmd("clock import fixed.csv --by HR").ok();
    assert!(
        out.contains(
            "8 voided; 20 employee-days an earlier export of the same span spoke for released"
        ),
        "{out}"
    );
    assert_eq!(april(), 100.0);
    let voided: Vec<String> =
        json(&ws.cmd("log list --employee E002 --format json").ok())["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["voided"] == true)
            .map(|e| {
                format!(
                    "{} {}",
                    e["date"].as_str().unwrap(),
                    e["kind"].as_str().unwrap()
                )
            })
            .collect();
    assert_eq!(voided.len(), 8, "{voided:?}");
    assert!(
        voided.iter().all(|v| v.starts_with("2026-04")),
        "{voided:?}"
    );
    let audit = ws.cmd("audit --format csv").ok();
    let voids: Vec<&str> = audit.lines().filter(|l| l.contains("log.void")).collect();
    assert_eq!(voids.len(), 8, "{audit}");
    assert!(
        voids
            .iter()
            .all(|l| l.contains("re-derived from fixed.csv")),
        "{audit}"
    );
    assert!(ws.cmd("audit verify").ok().contains("the record is whole"));
}

/// The month's items of E002: (date, kind, points).
fn items(ws: &crate::util::Workspace) -> Vec<(String, String, i64)> {
    json(&ws.cmd("explain E002 --month 2026-03 --format json").ok())["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["date"].as_str().unwrap().to_string(),
                i["kind"].as_str().unwrap().to_string(),
                i["points"].as_f64().unwrap() as i64,
            )
        })
        .collect()
}

/// Leave exported from DingTalk (GB18030, Chinese headers): three days of annual leave
/// over the absent 24th, a sick morning on the 3rd when E002 came at 11:58, and a request
/// still pending (left out). Nobody on approved leave is charged: no absence, no lateness.
/// Leave decided after the day was derived re-derives it; a cancellation brings the day
/// back; a rejected request changes nothing; overlapping leave and leave in a closed month
/// are refused.
#[test]
fn approved_leave_takes_the_shifts_it_covers() {
    let ws = staffed();
    ws.write("roster.csv", &roster());
    ws.cmd("roster import roster.csv --by HR").ok();
    std::fs::write(
        ws.path("leave.csv"),
        gb18030(
            "工号,姓名,请假类型,开始时间,结束时间,时长,审批状态,事由\n\
             E002,李四,年假,2026-03-23,2026-03-25,3天,审批通过,回老家\n\
             E002,李四,病假,2026-03-03 上午,2026-03-03 上午,0.5天,审批通过,看病\n\
             E002,李四,事假,2026-03-30,2026-03-30,1天,审批中,办事\n",
        ),
    )
    .unwrap();
    let out = ws.cmd("leave import leave.csv --by HR").ok();
    assert!(out.contains("leave.csv (read as GB18030): 2 rows"), "{out}");
    assert!(
        out.contains("left out, not approved: 1 row 审批中"),
        "{out}"
    );
    ws.write("punches.csv", &punches("11:58"));
    ws.cmd("clock import punches.csv --by HR").ok();
    // Leave shows as point-less items of its type (flagged 请假), one a day.
    let item = |d: &str, k: &str, p: i64| (format!("2026-03-{d}"), k.to_string(), p);
    let before = [
        item("03", "sick", 0),
        item("10", "late", -1),
        item("17", "late", -1),
        item("23", "annual", 0),
        item("24", "annual", 0),
        item("25", "annual", 0),
        item("26", "missing_punch", -1),
    ];
    assert_eq!(items(&ws), before);
    let listed = ws.cmd("leave list --employee E002").ok();
    assert!(
        listed.contains("年假") && listed.contains("已批准"),
        "{listed}"
    );

    // A rejected request changes nothing; approved after the day was derived, the
    // missing punch of the 26th is voided; cancelled, it is back.
    let asked = ws
        .cmd("leave request E002 --type 事假 --from 2026-03-26 --to 2026-03-26 --reason 家事 --by E002")
        .ok();
    assert!(asked.contains("leave 3 of E002 asked for"), "{asked}");
    let err = ws.cmd("leave approve 3 --by E002").fails(1);
    assert!(
        err.contains("does not approve or reject their own leave"),
        "{err}"
    );
    ws.cmd("leave reject 3 --reason 人手不足 --by 张主管").ok();
    assert_eq!(items(&ws), before);
    ws.cmd("leave request E002 --type personal --from 2026-03-26 --to 2026-03-26 --reason 家事 --by E002")
        .ok();
    let out = ws.cmd("leave approve 4 --by 张主管").ok();
    assert!(out.contains("1 event added, 1 voided"), "{out}");
    let mut approved = before[..6].to_vec();
    approved.push(item("26", "personal", 0));
    assert_eq!(items(&ws), approved);
    ws.cmd("leave cancel 4 --reason 不休了 --by E002").ok();
    assert_eq!(items(&ws), before);

    // Overlapping leave is refused naming the other; so is leave in a closed month.
    let err = ws
        .cmd(
            "leave request E002 --type 病假 --from 2026-03-24 --to 2026-03-24 --reason x --by E002",
        )
        .fails(1);
    assert!(
        err.contains("overlaps leave 1 (annual 2026-03-23 00:00 – 2026-03-26 00:00, 已批准)"),
        "{err}"
    );
    ws.cmd("month close 2026-03 --by HR").ok();
    let err = ws
        .cmd(
            "leave request E002 --type 病假 --from 2026-03-31 --to 2026-03-31 --reason x --by E002",
        )
        .fails(1);
    assert!(
        err.contains("2026-03-31 lies in 2026-03, which HR closed"),
        "{err}"
    );
    assert!(
        ws.cmd("audit verify")
            .ok()
            .starts_with("the record is whole")
    );
}

/// Without a roster, a public holiday takes the standing shift (no absence for a day
/// nobody came), and a make-up Sunday (调休) gives one (an absence when nobody punched).
#[test]
fn the_holiday_calendar_moves_the_standing_shifts() {
    let ws = staffed();
    ws.run(&[
        "staff",
        "set",
        "E002",
        "--attr",
        "shift_end=17:30",
        "--from",
        "2026-03",
        "--by",
        "HR",
    ])
    .ok();
    ws.write(
        "holidays.csv",
        "日期,类型,名称\n2026-03-04,休,公司假日\n2026-03-08,班,调休上班\n",
    );
    let out = ws.cmd("holiday import holidays.csv --by HR").ok();
    assert!(out.contains("2 rows"), "{out}");
    let err = ws.cmd("holiday import holidays.csv --by 张主管").fails(1);
    assert!(!err.is_empty());
    // Monday 2nd to Monday 9th; nobody punched on the 4th (a holiday) or the 8th.
    let mut rows = vec!["工号,日期,上班打卡,下班打卡".to_string()];
    for d in [2, 3, 5, 6, 9] {
        rows.push(format!("E002,2026-03-{d:02},08:25,17:35"));
    }
    ws.write("clock.csv", &(rows.join("\n") + "\n"));
    ws.cmd("clock import clock.csv --by HR").ok();
    assert_eq!(
        items(&ws),
        [("2026-03-08".to_string(), "absence".to_string(), -5)]
    );
    let list = ws.cmd("holiday list --year 2026").ok();
    assert!(list.contains("调休上班") && list.contains("休"), "{list}");
}

#[test]
fn a_clock_import_tells_each_employee_once_of_what_it_derived() {
    let ws = staffed();
    let hook = crate::receivers::Http::start();
    crate::notices::hook_up(&ws, &hook);
    ws.write("roster.csv", &roster());
    std::fs::write(ws.path("punches.csv"), gb18030(&punches("09:17"))).unwrap();
    ws.cmd("roster import roster.csv --by HR").ok();
    ws.cmd("clock import punches.csv --by HR").ok();
    ws.cmd("notify send").ok();
    let digests: Vec<serde_json::Value> = hook
        .delivered()
        .iter()
        .map(|p| p.json())
        .filter(|j| j["kind"] == "import.digest")
        .collect();
    let e002: Vec<&serde_json::Value> = digests
        .iter()
        .filter(|j| j["recipient"] == "E002")
        .collect();
    assert_eq!(
        e002.len(),
        1,
        "one message for the month's derived events: {digests:#?}"
    );
    let text = e002[0]["text"].as_str().unwrap();
    assert!(text.contains("考勤记录") && text.contains("李四"), "{text}");
    // Importing the same export again derives nothing new, and says nothing.
    ws.cmd("clock import punches.csv --by HR").ok();
    ws.cmd("notify send").ok();
    let again = hook
        .delivered()
        .iter()
        .filter(|p| p.json()["kind"] == "import.digest")
        .count();
    assert_eq!(again, digests.len());
}

#[test]
fn a_later_roster_replaces_the_days_it_lists_and_leaves_the_others() {
    let ws = staffed();
    // The first roster splits the 3rd into a morning and an afternoon, and lists the 4th.
    ws.write(
        "roster.csv",
        "employee,date,start,end\nE002,2026-03-03,08:00,12:00\nE002,2026-03-03,14:00,18:00\nE002,2026-03-04,08:30,17:30\n",
    );
    ws.cmd("roster import roster.csv --by HR").ok();
    // The corrected roster makes the 3rd one day shift and says nothing of the 4th.
    ws.write(
        "corrected.csv",
        "employee,date,start,end\nE002,2026-03-03,09:00,18:00\n",
    );
    ws.cmd("roster import corrected.csv --by HR").ok();
    // Late by 20 minutes for the 3rd's one shift; on time on the 4th, under the first
    // roster's shift. With the split shifts still in force the afternoon would be an
    // absence, and without the 4th's shift its punches would fit no shift.
    ws.write(
        "punches.csv",
        "employee,time\nE002,2026-03-03 09:20:00\nE002,2026-03-03 18:02:00\nE002,2026-03-04 08:25:00\nE002,2026-03-04 17:31:00\n",
    );
    let out = ws.cmd("clock import punches.csv --by HR").ok();
    assert!(out.contains("1 event added, 0 voided"), "{out}");
    let log = ws.cmd("log list --employee E002 --format csv").ok();
    assert!(log.contains("2026-03-03,迟到,late,1,minutes=20"), "{log}");
    assert!(log.contains("排班 09:00–18:00"), "{log}");
}
