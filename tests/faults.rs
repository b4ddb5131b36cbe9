//! Nothing lost under concurrency, at small scale: many writers at once, a month closing
//! while entries arrive, an import killed half-way.

use std::process::{Command, Stdio};
use std::thread;

use crate::util::{TODAY, Workspace, json, staffed};

/// Runs the binary in `ws` as a separate process, as a second supervisor would.
fn appraise(ws: &Workspace, args: &[&str]) -> std::process::Output {
    Command::new(assert_cmd::cargo::cargo_bin!("appraise"))
        .env("APPRAISE_LANG", "en")
        .current_dir(ws.dir.path())
        .env("APPRAISE_TODAY", TODAY)
        .env("APPRAISE_USER", "HR")
        .args(args)
        .output()
        .expect("run appraise")
}

/// `log add EMPLOYEE uniform --date DATE --note NOTE`, as HR.
fn add_uniform(ws: &Workspace, employee: &str, date: &str, note: &str) -> std::process::Output {
    appraise(
        ws,
        &[
            "log", "add", employee, "uniform", "--date", date, "--note", note,
        ],
    )
}

#[test]
fn concurrent_writers_wait_for_each_other_and_lose_nothing() {
    let ws = staffed();
    // Four supervisors each enter ten events and void every other one, all at once.
    let failures: Vec<String> = thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|w| {
                let ws = &ws;
                s.spawn(move || {
                    let mut failed = Vec::new();
                    for i in 0..10 {
                        let date = format!("2026-02-{:02}", 1 + i);
                        let note = format!("w{w}-{i}");
                        let out = add_uniform(ws, "E002", &date, &note);
                        if !out.status.success() {
                            failed.push(String::from_utf8_lossy(&out.stderr).into_owned());
                            continue;
                        }
                        let id = String::from_utf8_lossy(&out.stdout)
                            .trim()
                            .trim_start_matches("recorded event ")
                            .to_string();
                        if i % 2 == 0 {
                            let out = appraise(ws, &["log", "void", &id, "--reason", "test"]);
                            if !out.status.success() {
                                failed.push(String::from_utf8_lossy(&out.stderr).into_owned());
                            }
                        }
                    }
                    failed
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(failures.is_empty(), "{failures:#?}");
    let all = json(&ws.cmd("log list --format json").ok());
    let events = all["events"].as_array().unwrap();
    assert_eq!(events.len(), 40);
    assert_eq!(events.iter().filter(|e| e["voided"] == true).count(), 20);
}

#[test]
fn a_month_closed_while_entries_arrive_holds_exactly_the_events_before_it() {
    let ws = staffed();
    let (closed, added) = thread::scope(|s| {
        let adders: Vec<_> = (0..3)
            .map(|w| {
                let ws = &ws;
                s.spawn(move || {
                    let mut stored = 0;
                    for i in 0..15 {
                        let note = format!("w{w}-{i}");
                        let out = add_uniform(ws, "E003", "2026-05-04", &note);
                        if out.status.success() {
                            stored += 1;
                        } else {
                            let err = String::from_utf8_lossy(&out.stderr);
                            assert!(err.contains("closed"), "{err}");
                        }
                    }
                    stored
                })
            })
            .collect();
        let closer = {
            let ws = &ws;
            s.spawn(move || {
                thread::sleep(std::time::Duration::from_millis(150));
                appraise(ws, &["month", "close", "2026-05"])
            })
        };
        let added: i64 = adders.into_iter().map(|h| h.join().unwrap()).sum();
        (closer.join().unwrap(), added)
    });
    assert!(
        closed.status.success(),
        "{}",
        String::from_utf8_lossy(&closed.stderr)
    );
    // Every event stored in May is in the snapshot; none arrived after it.
    let listed = json(&ws.cmd("log list --month 2026-05 --format json").ok());
    let stored = listed["events"].as_array().unwrap().len() as i64;
    assert_eq!(stored, added);
    let scores = json(
        &ws.cmd("score --month 2026-05 --employee E003 --format json")
            .ok(),
    );
    let items = scores["scores"][0]["items"].as_array().unwrap().len() as i64;
    assert_eq!(
        items, stored,
        "every stored event is scored in the snapshot"
    );
}

#[test]
fn an_import_killed_half_way_stores_nothing() {
    let ws = Workspace::init();
    ws.cmd("gen --staff 60 --year 2025 --seed 7 w").ok();
    ws.cmd("staff import w/staff.csv").ok();
    for attempt in 0..3 {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin!("appraise"))
            .env("APPRAISE_LANG", "en")
            .current_dir(ws.dir.path())
            .env("APPRAISE_TODAY", TODAY)
            .env("APPRAISE_USER", "HR")
            .args(["log", "import", "w/events.csv"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        thread::sleep(std::time::Duration::from_millis(150 + 100 * attempt));
        // kill -9: no chance to clean up.
        child.kill().unwrap();
        child.wait().unwrap();
        let count = json(&ws.cmd("log list --format json").ok())["events"]
            .as_array()
            .unwrap()
            .len();
        assert!(
            count == 0 || count > 20_000,
            "a partial import: {count} events"
        );
        if count > 0 {
            // It finished before the kill: the whole file is in.
            return;
        }
    }
    // The database is whole after every kill, and the import then goes through.
    let integrity = rusqlite::Connection::open(ws.path("appraise.db"))
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    ws.cmd("log import w/events.csv").ok();
}

#[test]
fn a_backup_taken_while_others_write_is_whole() {
    let ws = staffed();
    let backup = ws.path("copy.db");
    let (out, written) = thread::scope(|s| {
        // Four writers adding back to back while the copy is taken.
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let ws = &ws;
                s.spawn(move || {
                    let mut written = 0;
                    for i in 0..8 {
                        let note = format!("w{w} n{i}");
                        let out = add_uniform(ws, "E002", "2026-04-01", &note);
                        assert!(
                            out.status.success(),
                            "{}",
                            String::from_utf8_lossy(&out.stderr)
                        );
                        written += 1;
                    }
                    written
                })
            })
            .collect();
        let writer = s.spawn(move || writers.into_iter().map(|w| w.join().unwrap()).sum::<i32>());
        thread::sleep(std::time::Duration::from_millis(100));
        let out = appraise(&ws, &["backup", backup.to_str().unwrap()]);
        (out, writer.join().unwrap())
    });
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(written, 32);
    // Only the finished copy is left: its temporary name is gone.
    let left: Vec<String> = std::fs::read_dir(ws.path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // The copy opens as a database of its own: its chain is whole, and it holds a prefix
    // of the log (every event committed before the copy), never a torn one.
    let copy = Workspace::new();
    std::fs::copy(&backup, copy.path("appraise.db")).unwrap();
    let verify = copy.cmd("audit verify").ok();
    assert!(verify.starts_with("the record is whole"), "{verify}");
    let events = json(&copy.cmd("log list --format json").ok())["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect::<Vec<_>>();
    assert_eq!(events, (1..=events.len() as i64).collect::<Vec<_>>());
    // Backing up onto an existing file is refused.
    let err = ws.cmd(&format!("backup {}", backup.display())).fails(1);
    assert!(err.contains("exists already"), "{err}");
    // A backup that cannot be written leaves nothing behind, and a retry is not refused.
    let nowhere = ws.path("no-such-folder/copy.db");
    appraise(&ws, &["backup", nowhere.to_str().unwrap()]);
    assert!(!nowhere.exists());
    std::fs::create_dir(ws.path("no-such-folder")).unwrap();
    ws.cmd(&format!("backup {}", nowhere.display())).ok();
}

#[test]
fn an_import_holds_the_lock_only_to_insert() {
    // The import reads a pipe that is written slowly: while it is still reading and
    // checking, another supervisor's entry goes straight in.
    let ws = staffed();
    let fifo = ws.path("slow.csv");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let mut import = Command::new(assert_cmd::cargo::cargo_bin!("appraise"))
        .env("APPRAISE_LANG", "en")
        .current_dir(ws.dir.path())
        .env("APPRAISE_TODAY", TODAY)
        .args(["log", "import", "slow.csv", "--by", "张主管"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    use std::io::Write;
    writeln!(pipe, "employee,date,kind,qty,note,recorded_by").unwrap();
    for i in 0..50 {
        writeln!(pipe, "E002,2026-03-02,uniform,,p{i},张主管").unwrap();
    }
    pipe.flush().unwrap();
    let add = appraise(
        &ws,
        &[
            "log",
            "add",
            "E003",
            "uniform",
            "--date",
            "2026-05-04",
            "--by",
            "王主管",
        ],
    );
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    // The entry is in while the import cannot have finished: its file is still open.
    assert!(
        import.try_wait().unwrap().is_none(),
        "the import ended early"
    );
    for i in 50..100 {
        writeln!(pipe, "E002,2026-03-02,uniform,,p{i},张主管").unwrap();
    }
    drop(pipe);
    let out = import.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("stored 100 events"));
}

/// A 2 KB workbook whose one far cell (XFD1048576) states 17 billion cells: every import
/// that reads spreadsheets refuses it, naming the cell, instead of allocating the sheet.
#[test]
fn a_workbook_naming_a_far_cell_is_refused_by_every_import() {
    let ws = staffed();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["工号", "日期", "类型", "备注"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    std::fs::write(ws.path("far.xlsx"), &bytes).unwrap();
    for import in [
        "log import far.xlsx --by HR",
        "roster import far.xlsx --by HR",
        "clock import far.xlsx --by HR",
    ] {
        // A file that cannot be read as a table is exit 2, as a broken file is.
        let err = ws.cmd(import).fails(2);
        assert!(
            err.contains("a cell at row 1048576 column XFD"),
            "{import}: {err}"
        );
    }
    // In Chinese by default: the cell as a spreadsheet names it.
    let err = ws
        .run_env(
            &["roster", "import", "far.xlsx"],
            &[("APPRAISE_LANG", "zh")],
        )
        .fails(2);
    assert!(
        err.contains("文件“far.xlsx”：第一个工作表在第 1048576 行 XFD 列处有内容"),
        "{err}"
    );
    // Nothing was stored, and the database still answers.
    ws.cmd("log list --format json").ok();
}

/// A write on a full disk (here: a file size limit, so that every write past it fails as
/// on a full disk) stores nothing, and says what happened and what to do rather than only
/// SQLite's "disk I/O error"; once there is room the same entry goes in.
#[test]
fn a_write_on_a_full_disk_says_so_and_stores_nothing() {
    use std::os::unix::process::CommandExt;
    let ws = staffed();
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin!("appraise"));
    cmd.current_dir(ws.dir.path())
        .env("APPRAISE_LANG", "en")
        .env("APPRAISE_TODAY", TODAY)
        .env("APPRAISE_USER", "HR")
        .args(["log", "add", "E002", "uniform", "--date", "2026-04-01"]);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit {
                rlim_cur: 4096,
                rlim_max: 4096,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the disk holding the database is full or failing; nothing was stored"),
        "{err}"
    );
    let events = ws.cmd("log list --format csv").ok();
    assert_eq!(events.lines().count(), 1, "{events}");
    ws.cmd("log add E002 uniform --date 2026-04-01").ok();
    assert!(
        ws.cmd("audit verify")
            .ok()
            .starts_with("the record is whole")
    );
}

/// `review start` writes the year's reviews in one transaction: killed at any moment (the
/// start takes about 0.4 s in a debug build, and the kills fall from 40 to 220 ms), it
/// leaves all of them or none, and started again it completes.
#[test]
fn a_review_start_killed_leaves_all_reviews_or_none() {
    let ws = Workspace::init();
    ws.cmd("gen --staff 400 --year 2025 --seed 3 w").ok();
    ws.cmd("staff import w/staff.csv").ok();
    let count = || {
        rusqlite::Connection::open(ws.path("appraise.db"))
            .unwrap()
            .query_row("SELECT count(*) FROM reviews", [], |r| r.get::<_, i64>(0))
            .unwrap()
    };
    let mut seen = Vec::new();
    for attempt in 0..4u64 {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin!("appraise"))
            .env("APPRAISE_LANG", "en")
            .current_dir(ws.dir.path())
            .env("APPRAISE_TODAY", TODAY)
            .env("APPRAISE_USER", "HR")
            .args(["review", "start", "--year", "2025", "--open-months-ok"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        thread::sleep(std::time::Duration::from_millis(40 + 60 * attempt));
        child.kill().unwrap();
        child.wait().unwrap();
        let n = count();
        seen.push(n);
        assert!(
            n == 0 || n == 400,
            "a partial start: {n} reviews ({seen:?})"
        );
        if n == 400 {
            break;
        }
    }
    if count() == 0 {
        ws.cmd("review start --year 2025 --open-months-ok").ok();
    }
    assert_eq!(count(), 400);
    assert!(
        ws.cmd("audit verify")
            .ok()
            .starts_with("the record is whole")
    );
}
