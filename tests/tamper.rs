//! The record is tamper-evident: rows written past appraise, or changed after they were
//! written, are found by `audit verify`, which names the first place and exits 1.

use appraise::store::Breach;
use rusqlite::Connection;

use crate::util::{Workspace, staffed};

/// A workspace with a bit of everything the chain seals: events, a void, an excuse, a
/// closed and reopened month, a review with a signed step, a staff change.
fn record() -> Workspace {
    let ws = staffed();
    ws.cmd("dept add customer-service --name 客户服务部 --head E001 --by HR")
        .ok();
    ws.write(
        "e.csv",
        "employee,date,kind,qty,note,recorded_by,minutes\n\
         E002,2026-01-05,late,,,张主管,12\n\
         E002,2026-02-03,quarrel,,,张主管,\n\
         E003,2026-05-06,uniform,,,张主管,\n",
    );
    ws.cmd("log import e.csv --by 张主管").ok();
    ws.cmd("log add E002 badge --date 2026-03-02 --by 张主管")
        .ok();
    ws.cmd("log void 4 --reason typo --by 张主管").ok();
    ws.cmd("log excuse 2 --reason 申诉成立 --by 部门负责人")
        .ok();
    ws.cmd("month close 2026-01 --by HR").ok();
    ws.cmd("month reopen 2026-01 --reason fix --by HR").ok();
    ws.cmd("staff move E003 --department security --from 2026-06 --by HR")
        .ok();
    ws.cmd("review start --year 2026 --by HR --open-months-ok")
        .ok();
    ws.cmd("review sign E002 --year 2026 --step manager --grade excellent --by E001")
        .ok();
    let out = ws.cmd("audit verify").ok();
    assert!(out.starts_with("the record is whole:"), "{out}");
    ws
}

fn forge(ws: &Workspace, sql: &str) {
    Connection::open(ws.path("appraise.db"))
        .unwrap()
        .execute_batch(sql)
        .unwrap();
}

/// Each forgery, made on its own copy of `base`, is found by `audit verify`, which names
/// what it says.
fn each_found(base: &Workspace, forgeries: &[(&str, &str)]) {
    for (sql, found) in forgeries {
        let ws = Workspace::new();
        std::fs::copy(base.path("appraise.db"), ws.path("appraise.db")).unwrap();
        forge(&ws, sql);
        let err = ws.cmd("audit verify").fails(1);
        assert!(err.contains(found), "{sql}: {err}");
    }
}

#[test]
fn a_backdated_event_written_past_appraise_is_found() {
    let ws = record();
    forge(
        &ws,
        "INSERT INTO events (employee, date, kind, qty, note, fields, recorded_by, recorded_at, digest)
         VALUES ('E002', '2026-01-20', 'quarrel', 4, '', '{}', '张主管', '2026-01-20T09:00:00+08:00', 'x');",
    );
    let err = ws.cmd("audit verify").fails(1);
    assert!(
        err.contains("the record was altered: events row 5 is in no block"),
        "{err}"
    );
}

#[test]
fn a_forged_reopen_and_a_self_signed_step_are_found() {
    let ws = record();
    forge(
        &ws,
        "INSERT INTO month_closes (month, action, reason, by, at) VALUES ('2026-02', 'reopen', 'x', 'HR', 'now');",
    );
    let err = ws.cmd("audit verify").fails(1);
    assert!(err.contains("month_closes row 3 is in no block"), "{err}");

    let ws = record();
    forge(
        &ws,
        "INSERT INTO review_signatures (review_id, step_index, step, grade, signer, comment, at)
         SELECT id, 1, 'department_head', 'excellent', 'E002', '', 'now' FROM reviews WHERE employee = 'E002';",
    );
    let err = ws.cmd("audit verify").fails(1);
    assert!(
        err.contains("review_signatures row 2 is in no block"),
        "{err}"
    );
}

#[test]
fn an_edit_after_dropping_the_guards_is_found() {
    let ws = record();
    forge(
        &ws,
        "DROP TRIGGER events_append_only_u;
         UPDATE events SET qty = 4 WHERE id = 2;",
    );
    let err = ws.cmd("audit verify").fails(1);
    assert!(err.contains("(events 1–3) does not match"), "{err}");

    // Removing an audit entry, or a void, is found the same way.
    let ws = record();
    forge(
        &ws,
        "DROP TRIGGER voids_append_only_d;
         DELETE FROM voids WHERE event_id = 4;",
    );
    let err = ws.cmd("audit verify").fails(1);
    assert!(err.contains("(voids 4) does not match"), "{err}");
}

#[test]
fn a_rejected_appeal_turned_upheld_is_found() {
    let ws = record();
    ws.cmd("appeal file 1 --reason 地铁停运 --by E002").ok();
    ws.cmd("appeal reject 1 --reason 未提供证明 --by 部门负责人")
        .ok();
    ws.cmd("audit verify").ok();
    forge(
        &ws,
        "DROP TRIGGER appeal_decisions_append_only_u;
         UPDATE appeal_decisions SET outcome = 'upheld' WHERE appeal_id = 1;",
    );
    let err = ws.cmd("audit verify").fails(1);
    assert!(err.contains("(appeal_decisions 1) does not match"), "{err}");
}

#[test]
fn a_pack_edited_or_removed_past_appraise_is_found() {
    // A rating reads packs, not rows: February's events passed off as January's would
    // change a score while every row and block of the log still holds.
    let ws = record();
    forge(
        &ws,
        "UPDATE packs SET data = (SELECT data FROM packs WHERE employee = 'E002' AND month = '2026-02')
          WHERE employee = 'E002' AND month = '2026-01';",
    );
    let err = ws.cmd("audit verify").fails(1);
    assert!(
        err.contains("the pack of E002's 2026-01 (what ratings read) does not match the log"),
        "{err}"
    );

    let ws = record();
    forge(&ws, "DELETE FROM packs WHERE employee = 'E003';");
    let err = ws.cmd("audit verify").fails(1);
    assert!(err.contains("the pack of E003's 2026-05"), "{err}");
}

#[test]
fn packs_altered_past_appraise_are_rebuilt_from_a_whole_log_by_hr_only() {
    let ws = record();
    let score = |ws: &Workspace| ws.cmd("score --month 2026-01 --employee E002").ok();
    let before = score(&ws);
    forge(
        &ws,
        "UPDATE packs SET data = (SELECT data FROM packs WHERE employee = 'E002' AND month = '2026-02')
          WHERE employee = 'E002' AND month = '2026-01';
         DELETE FROM packs WHERE employee = 'E003';
         INSERT INTO packs (employee, month, data) VALUES ('E002', '2026-07', x'00');",
    );
    assert_ne!(
        score(&ws),
        before,
        "the altered pack is what a rating reads"
    );

    let err = ws.cmd("audit repack --by 张主管").fails(1);
    assert!(
        err.contains("may not rebuild what ratings read from the log; ask HR"),
        "{err}"
    );
    let out = ws.cmd("audit repack --by HR").ok();
    assert!(out.contains(": 2 rebuilt, 1 removed"), "{out}");
    assert_eq!(score(&ws), before);
    let out = ws.cmd("audit verify").ok();
    assert!(out.starts_with("the record is whole:"), "{out}");
    let audit = ws.cmd("audit --format csv").ok();
    assert!(audit.contains("audit.repack"), "{audit}");
    // Whole again: nothing to rebuild.
    let out = ws.cmd("audit repack --by HR").ok();
    assert!(out.contains(": 0 rebuilt, 0 removed"), "{out}");
}

#[test]
fn packs_are_not_rebuilt_from_an_altered_log() {
    let ws = record();
    forge(
        &ws,
        "DROP TRIGGER IF EXISTS events_append_only_u;
         UPDATE events SET qty = 9 WHERE id = 1;",
    );
    let err = ws.cmd("audit repack --by HR").fails(1);
    assert!(
        err.contains("the packs are rebuilt from the log only when the log is whole"),
        "{err}"
    );
}

/// The tables that hold current rows decide grades and rights too: an UPDATE, a DELETE or
/// an INSERT on each of them past appraise is named by `audit verify` (an employee's
/// leaving date moved to make a year excellent, a login made HR, a review's signer
/// swapped, a department head changed, a target or budget rewritten, an import's count).
#[test]
fn a_forgery_on_every_table_of_current_rows_is_found() {
    let base = record();
    base.cmd("dept target customer-service --year 2026 --name 回访率 --missed --by HR")
        .ok();
    base.cmd("dept budget customer-service --year 2026 --budget 1000 --spent 900 --by HR")
        .ok();
    let forgeries = [
        (
            "UPDATE staff SET left_on = '2026-03-31' WHERE id = 'E002'",
            "staff row `E002` was changed",
        ),
        (
            "INSERT INTO staff VALUES ('E9', 'x', 'security', 'staff', '2026-01-01', NULL, NULL, '{}')",
            "staff row `E9` was written",
        ),
        (
            "UPDATE departments SET head = 'E002' WHERE id = 'customer-service'",
            "departments row `customer-service` was changed",
        ),
        (
            "INSERT INTO departments VALUES ('ghost', 'ghost', NULL)",
            "departments row `ghost` was written",
        ),
        (
            "UPDATE users SET role = 'hr' WHERE login = '张主管'",
            "users row `张主管` was changed",
        ),
        (
            "DELETE FROM users WHERE login = '队长'",
            "users row `队长` was removed",
        ),
        (
            "UPDATE imports SET stored = 0",
            "imports row `1` was changed",
        ),
        (
            "UPDATE dept_targets SET met = 1",
            "dept_targets row `1` was changed",
        ),
        (
            "DELETE FROM dept_budgets",
            "dept_budgets row `1` was removed",
        ),
        (
            "DROP TRIGGER reviews_append_only_u; UPDATE reviews SET supervisor = 'E003' WHERE employee = 'E002'",
            "reviews row `",
        ),
    ];
    each_found(&base, &forgeries);
}

/// The tables this round added to the chain: leave and its decisions, the holiday
/// calendar, released days and row ids. A row written past appraise, or one changed after
/// dropping the guards, is found in each.
#[test]
fn forged_leave_calendar_release_and_row_ids_are_found() {
    let base = record();
    base.write(
        "leave.csv",
        "工号,请假类型,开始时间,结束时间\nE002,年假,2026-04-06,2026-04-07\n",
    );
    base.cmd("leave import leave.csv --by HR").ok();
    base.write("holidays.csv", "日期,类型,名称\n2026-05-01,休,劳动节\n");
    base.cmd("holiday import holidays.csv --by HR").ok();
    base.write(
        "ids.csv",
        "row_id,employee,date,kind,qty,note,recorded_by\nR1,E002,2026-04-08,uniform,,,张主管\n",
    );
    base.cmd("log import ids.csv --by 张主管").ok();
    assert!(
        base.cmd("audit verify")
            .ok()
            .starts_with("the record is whole")
    );
    let forgeries = [
        (
            "INSERT INTO leaves (import_id, employee, kind, start, end, reason, source)
             SELECT id, 'E002', 'sick', '2026-04-20 00:00', '2026-04-21 00:00', 'x', 'x'
               FROM attendance_imports LIMIT 1",
            "leaves row",
        ),
        (
            "DROP TRIGGER leave_decisions_append_only_u; UPDATE leave_decisions SET state = 'rejected'",
            "leave_decisions",
        ),
        (
            "DROP TRIGGER holidays_append_only_u; UPDATE holidays SET off = 0",
            "holidays",
        ),
        (
            "INSERT INTO released (import_id, employee, date)
             SELECT id, 'E002', '2026-04-06' FROM attendance_imports LIMIT 1",
            "released row",
        ),
        (
            "DROP TRIGGER event_sources_append_only_u; UPDATE event_sources SET source = 'R2'",
            "event_sources",
        ),
    ];
    each_found(&base, &forgeries);
}

/// What the audit page checks on each load: the blocks added since the last verification,
/// the rows after every block and the sealed current rows. An edit of the chain at the
/// verified block, a new row past appraise and a forged staff row are each found there; an
/// edit inside an old block is left to the full verification, which finds it.
#[test]
fn the_verification_since_the_last_finds_what_was_added_and_the_full_one_the_rest() {
    let ws = record();
    let app = ws.app();
    let hr = app.actor("HR").unwrap();
    // `record` verified the whole chain; since then nothing was added.
    let v = app.verify_since_last(&hr).unwrap();
    let since = v.since.clone().expect("a verification to start from");
    assert!(since.full && v.broken.is_none() && v.blocks == 0, "{v:?}");
    // A new entry is walked alone (its event and its audit entry).
    ws.cmd("log add E002 badge --date 2026-03-09 --by 张主管")
        .ok();
    let v = app.verify_since_last(&hr).unwrap();
    assert_eq!((v.blocks, v.broken.as_ref()), (2, None), "{v:?}");
    assert!(v.since.unwrap().block < app.verify_since_last(&hr).unwrap().since.unwrap().block);
    // A row slipped in after every block is found at once.
    forge(
        &ws,
        "INSERT INTO events (employee, date, kind, qty, note, fields, recorded_by, recorded_at, digest)
         VALUES ('E002', '2026-03-20', 'quarrel', 1, '', '{}', '张主管', '2026-03-20T09:00:00+08:00', 'x');",
    );
    let v = app.verify_since_last(&hr).unwrap();
    assert!(
        matches!(
            v.broken,
            Some(Breach::Unsealed {
                table: "events",
                ..
            })
        ),
        "{v:?}"
    );
    forge(
        &ws,
        "DROP TRIGGER IF EXISTS events_append_only_d; DELETE FROM events WHERE date = '2026-03-20';",
    );
    // An edit inside an old block passes the page's check, and the full one finds it.
    forge(
        &ws,
        "DROP TRIGGER IF EXISTS events_append_only_u; UPDATE events SET qty = 3 WHERE id = 1;",
    );
    assert_eq!(app.verify_since_last(&hr).unwrap().broken, None);
    let full = app.verify(&hr).unwrap();
    assert!(
        matches!(full.broken, Some(Breach::Block { ref table, first, .. }) if table == "events" && first <= 1),
        "{full:?}"
    );
    // A chain edited at the block verified last is found by the page's check.
    let last = app.verify_since_last(&hr).unwrap().since.unwrap();
    forge(
        &ws,
        &format!(
            "DROP TRIGGER IF EXISTS chain_append_only_u; UPDATE chain SET hash = 'forged' WHERE seq = {};",
            last.block
        ),
    );
    let v = app.verify_since_last(&hr).unwrap();
    assert!(
        matches!(v.broken, Some(Breach::ChainEdited { block, .. }) if block == last.block),
        "{v:?}"
    );
}

/// An import of punches seals what it derived in one block with its punches and covered
/// days: a derived event made manual (its mark removed), a manual one marked derived (so
/// that the next import would void it), or a mark moved to another import is found.
#[test]
fn forged_marks_of_derived_events_are_found() {
    let base = record();
    base.write(
        "roster.csv",
        "employee,date,start,end\nE002,2026-04-06,08:30,17:30\nE002,2026-04-07,08:30,17:30\nE002,2026-04-08,08:30,17:30\n",
    );
    base.cmd("roster import roster.csv --by HR").ok();
    // Late on the 6th, absent on the 7th, no check-out on the 8th: three derived events.
    base.write(
        "punches.csv",
        "employee,time\nE002,2026-04-06 09:05:00\nE002,2026-04-06 17:40:00\nE002,2026-04-08 08:20:00\n",
    );
    let out = base.cmd("clock import punches.csv --by HR").ok();
    assert!(out.contains("3 events added"), "{out}");
    assert!(
        base.cmd("audit verify")
            .ok()
            .starts_with("the record is whole")
    );
    let forgeries = [
        (
            "DROP TRIGGER derived_append_only_d;
             DELETE FROM derived WHERE event_id = (SELECT max(event_id) FROM derived)",
            "derived",
        ),
        (
            "INSERT INTO derived (event_id, import_id)
             SELECT 1, max(import_id) FROM derived",
            "derived",
        ),
        (
            "DROP TRIGGER derived_append_only_u;
             UPDATE derived SET import_id = import_id - 1
              WHERE event_id = (SELECT min(event_id) FROM derived)",
            "derived",
        ),
    ];
    each_found(&base, &forgeries);
}
