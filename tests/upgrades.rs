//! Upgrades proven on old databases. A company's record is written by this build — every
//! table holding rows: the log (imported with row ids, entered, voided, with a photo),
//! an appeal upheld, a month closed, department targets and budget, the roster, punches,
//! a corrected export, a handover record, a punch correction, leave, the holiday calendar,
//! reviews started and a step signed, logins, a session, notice channels, settings and
//! choices. From it a database of every released schema version is made as that release
//! held it (`store::write_earlier_version`: its tables and columns, sealed, packed and
//! row-sealed as it wrote them). Each is upgraded by this build's binary, and must verify,
//! keep every row, and give the year's scores and ratings that the record gives now.

use std::collections::BTreeMap;
use std::path::Path;

use appraise::app::{Actor, App, Who};
use appraise::domain::month::Month;
use serde_json::Value;

use crate::util::{TODAY, Workspace, staffed};
use crate::web::PASSWORD;

/// The derived tables a release made as it wrote (the chain, row seals, packs, how far the
/// chain was verified), remade for each version's rows: their counts are theirs.
const DERIVED: [&str; 4] = ["chain", "row_seals", "packs", "verified"];

/// A minimal JPEG (start, a table, a scan, end).
fn jpeg() -> Vec<u8> {
    vec![
        0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x04, 0x01, 0x02, 0xFF, 0xDA, 0x00, 0x02, 0x11, 0x22, 0xFF,
        0xD9,
    ]
}

/// The company's record, with a row in every table. Customer service (E001, E002) keeps
/// to what schema version 1 could hold; security (E004) has everything later versions
/// added, so that E001's and E002's results mean the same in every version.
fn record() -> Workspace {
    let ws = staffed();
    let app = ws.app();
    app.set_password(&app.actor("HR").unwrap(), "HR", PASSWORD)
        .unwrap();
    let run = |args: &[&str]| {
        ws.run(args).ok();
    };
    run(&[
        "notify",
        "channel",
        "add",
        "公司群",
        "--kind",
        "webhook",
        "--to",
        "http://127.0.0.1:9/hook",
    ]);
    run(&["notify", "set", "base-url", "https://kaoping.example.cn"]);
    run(&["notify", "mine", "team.digest", "on", "--by", "张主管"]);
    ws.write(
        "events.csv",
        "employee,date,kind,qty,note,recorded_by,minutes,row_id\n\
         E002,2025-03-04,late,,,张主管,12,r1\n\
         E002,2025-03-05,uniform,,,张主管,,r2\n\
         E001,2025-05-10,uniform,,,张主管,,r3\n\
         E002,2025-09-15,quarrel,2,与业主争吵,张主管,,r4\n\
         E004,2025-04-08,late,,,队长,9,r5\n",
    );
    run(&["log", "import", "events.csv"]);
    run(&[
        "log",
        "add",
        "E002",
        "uniform",
        "--date",
        "2025-06-02",
        "--by",
        "张主管",
    ]);
    run(&["log", "void", "6", "--reason", "录错了人", "--by", "张主管"]);
    std::fs::write(ws.path("photo.jpg"), jpeg()).unwrap();
    run(&[
        "log",
        "add",
        "E004",
        "uniform",
        "--date",
        "2025-04-09",
        "--photo",
        "photo.jpg",
        "--by",
        "队长",
    ]);
    run(&[
        "appeal",
        "file",
        "5",
        "--reason",
        "地铁停运",
        "--by",
        "E004",
    ]);
    run(&["appeal", "uphold", "1", "--reason", "属实", "--by", "队长"]);
    run(&["month", "close", "2025-01"]);
    run(&[
        "dept",
        "target",
        "security",
        "--year",
        "2025",
        "--name",
        "全年无安全事故",
        "--met",
    ]);
    run(&[
        "dept", "budget", "security", "--year", "2025", "--budget", "100000", "--spent", "90000",
    ]);
    // A week of day shifts for E004 in April 2025; the Friday's ends with a handover.
    let days = [14, 15, 16, 17, 18];
    let mut roster = vec!["employee,date,start,end,handover".to_string()];
    for d in days {
        let handover = if d == 18 { "yes" } else { "no" };
        roster.push(format!("E004,2025-04-{d},07:00,15:00,{handover}"));
    }
    ws.write("roster.csv", &(roster.join("\n") + "\n"));
    run(&["roster", "import", "roster.csv"]);
    let clock = |days: &[u32]| {
        let mut rows = vec!["employee,date,in,out".to_string()];
        for d in days {
            let arrive = if *d == 15 { "07:20" } else { "06:55" };
            let leave = if *d == 16 { "" } else { "15:02" };
            rows.push(format!("E004,2025-04-{d},{arrive},{leave}"));
        }
        rows.join("\n") + "\n"
    };
    ws.write("clock.csv", &clock(&days));
    run(&["clock", "import", "clock.csv"]);
    // A corrected export of the same week, whose span ends on the 17th: the first one's
    // word for the 18th is released.
    ws.write("clock2.csv", &clock(&[14, 15, 16, 17]));
    run(&["clock", "import", "clock2.csv"]);
    ws.write(
        "handovers.csv",
        "employee,date,time\nE004,2025-04-18,15:05\n",
    );
    run(&["handover", "import", "handovers.csv"]);
    run(&[
        "clock",
        "fix",
        "E004",
        "--date",
        "2025-04-16",
        "--out",
        "15:10",
        "--reason",
        "下班忘记打卡",
        "--by",
        "E004",
    ]);
    run(&["clock", "approve", "1", "--by", "队长"]);
    ws.write(
        "leave.csv",
        "工号,请假类型,开始时间,结束时间,审批状态\nE004,年假,2025-04-21,2025-04-22,审批通过\n",
    );
    run(&["leave", "import", "leave.csv"]);
    ws.write("holidays.csv", "日期,类型,名称\n2025-05-01,休,劳动节\n");
    run(&["holiday", "import", "holidays.csv"]);
    run(&["review", "start", "--year", "2025", "--open-months-ok"]);
    run(&[
        "review",
        "sign",
        "E002",
        "--year",
        "2025",
        "--step",
        "manager",
        "--grade",
        "good",
        "--by",
        "张主管",
    ]);
    // A session and a failed attempt, as the web records them.
    let _ = app.login("HR", "wrong password", "127.0.0.1");
    app.login("HR", PASSWORD, "127.0.0.1").unwrap();
    // The file alone holds the whole record.
    appraise::store::Store::checkpoint_file(&ws.path("appraise.db")).unwrap();
    ws
}

/// Every table of the database at `db` with its row count.
fn counts(db: &Path) -> BTreeMap<String, i64> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|t| {
            let n = conn
                .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .unwrap();
            (t, n)
        })
        .collect()
}

/// What the year means for customer service: every month's scores of E001 and E002 and
/// their ratings (without the state of their review, which versions before reviews lack),
/// as the library reads them from the database at `db`.
fn results(db: &Path) -> Vec<Value> {
    let app = App::new(
        db,
        chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap(),
    );
    let owner = Actor::owner();
    let ours = |e: &str| ["E001", "E002"].contains(&e);
    let mut out = Vec::new();
    for m in 1..=12 {
        let month = Month::new(2025, m).unwrap();
        for s in app.scores(&owner, month, &Who::default()).unwrap() {
            if ours(&s.employee) {
                out.push(serde_json::to_value(&s).unwrap());
            }
        }
    }
    let (ratings, _) = app
        .ratings(&owner, 2025, None, &Who::default(), &|_, _| {})
        .unwrap();
    for r in ratings.iter().filter(|r| ours(&r.employee)) {
        let mut r = serde_json::to_value(r).unwrap();
        r.as_object_mut().unwrap().remove("review");
        out.push(r);
    }
    out
}

#[test]
fn every_released_schema_version_upgrades_keeping_its_record_and_results() {
    let ws = record();
    let reference = ws.path("appraise.db");
    let referenced = counts(&reference);
    let empty: Vec<&String> = referenced
        .iter()
        .filter(|(t, n)| **n == 0 && !DERIVED.contains(&t.as_str()))
        .map(|(t, _)| t)
        .collect();
    assert!(empty.is_empty(), "the record has no rows in {empty:?}");
    let expected = results(&reference);
    assert!(expected.len() > 24, "{expected:?}");

    let latest = appraise::store::SCHEMA_VERSION;
    for version in 1..=latest {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("appraise.db");
        appraise::store::write_earlier_version(&reference, &db, version).unwrap();
        // Data in every table the version had: all of the record's rows, but for those the
        // version could not hold (an attendance import of leave, before leave came).
        let before = counts(&db);
        for (table, n) in before
            .iter()
            .filter(|(t, _)| !DERIVED.contains(&t.as_str()))
        {
            assert!(
                (1..=referenced[table]).contains(n),
                "version {version}: {table} holds {n} of the record's {} rows",
                referenced[table]
            );
            if version == latest {
                assert_eq!(*n, referenced[table], "{table}");
            }
        }
        let stored: i64 = rusqlite::Connection::open(&db)
            .unwrap()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(stored, version as i64);

        // The upgrade happens as an operator's first command after installing the binary.
        let verified = Workspace::new()
            .run(&["--db", &db.display().to_string(), "audit", "verify"])
            .ok();
        assert!(
            verified.contains("the record is whole"),
            "version {version}: {verified}"
        );
        let after = counts(&db);
        for (table, n) in &before {
            if !DERIVED.contains(&table.as_str()) {
                assert!(
                    after[table] >= *n,
                    "version {version}: the upgrade lost rows of {table}"
                );
            }
        }
        assert_eq!(
            results(&db),
            expected,
            "version {version}: the year's scores and ratings changed in the upgrade"
        );
    }
}
