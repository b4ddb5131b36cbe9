//! The small conventions of a command-line tool: a closed pipe, shell completions, plurals,
//! one line per problem when the output is not a terminal.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::util::{TODAY, Workspace, staffed};

#[test]
fn a_reader_that_stops_early_ends_the_listing_quietly() {
    // `appraise log list | head -1`: enough events that the listing outgrows the pipe.
    let ws = Workspace::init();
    ws.cmd("gen --staff 10 --year 2025 --seed 3 w").ok();
    ws.cmd("staff import w/staff.csv").ok();
    ws.cmd("log import w/events.csv").ok();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin!("appraise"))
        .env("APPRAISE_LANG", "en")
        .current_dir(ws.dir.path())
        .env("APPRAISE_TODAY", TODAY)
        .args(["log", "list"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run appraise");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("a first line");
    // The reader is dropped here, closing the pipe while appraise is still writing.
    let out = child.wait_with_output().expect("appraise ends");
    assert!(first.starts_with('┌'), "{first}");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn completions_are_printed_for_each_shell() {
    let ws = Workspace::new();
    for (shell, marker) in [
        ("bash", "_appraise()"),
        ("zsh", "#compdef appraise"),
        ("fish", "complete -c appraise"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = ws.cmd(&format!("completions {shell}")).ok();
        assert!(out.contains(marker), "{shell}: {out}");
        assert!(out.contains("explain"), "{shell} completes the commands");
    }
    ws.cmd("completions tcsh").fails(2);
}

#[test]
fn summaries_count_in_words_that_agree() {
    let ws = staffed();
    let one = ws.cmd("score --month 2026-06 --employee E002").ok();
    assert!(one.contains("共 1 人，不合格 0 人"), "{one}");
    let many = ws.cmd("score --month 2026-06").ok();
    assert!(many.contains("共 3 人，不合格 0 人"), "{many}");
    ws.write(
        "one.csv",
        "employee,date,kind,qty,note,recorded_by\nE002,2026-03-02,uniform,,,张主管\n",
    );
    let out = ws.cmd("log import one.csv --dry-run").ok();
    assert!(out.contains("1 row is valid"), "{out}");
    let out = ws.cmd("log import one.csv").ok();
    assert!(out.contains("stored 1 event (ids 1–1)"), "{out}");
}

#[test]
fn piped_problems_are_one_line_each() {
    let ws = Workspace::new();
    ws.write(
        "x.toml",
        "[policy]\nid = \"x\"\nname = \"x\"\nversion = \"1\"\neffective_from = \"2026-01\"\ndepartments = [\"*\"]\n[scoring]\nbase = 100\npass_mark = 85\n[[rule]]\nid = \"late\"\nname = \"迟到\"\nwhen = \"evnt.minutes > 5\"\npoints = -1\n[[grade]]\nid = \"all\"\nlabel = \"全部\"\n",
    );
    let err = ws.cmd("rules check x.toml").fails(1);
    assert_eq!(
        err,
        "x.toml:13:9: rhai: Undefined variable: evnt; the variables here are event, staff, month, nth\n"
    );
}

#[test]
fn a_password_is_read_from_standard_input_only() {
    let ws = crate::util::Workspace::init();
    let out = assert_cmd::Command::cargo_bin("appraise")
        .unwrap()
        .current_dir(ws.dir.path())
        .env("APPRAISE_TODAY", TODAY)
        .args(["user", "passwd", "张主管", "--password-stdin", "--by", "HR"])
        .write_stdin("front-desk-2026\n")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "`张主管` 的密码已设置\n"
    );
    let err = ws.cmd("user passwd 张主管 --by HR").fails(2);
    assert!(err.contains("--password-stdin"), "{err}");
}

/// People are told in Chinese unless `APPRAISE_LANG=en` asks for English: a refusal, with
/// the command that mends it, and an unknown login.
#[test]
fn problems_are_told_in_chinese_by_default() {
    let ws = staffed();
    let run = |lang: Option<&str>, args: &[&str]| {
        let mut cmd = assert_cmd::Command::cargo_bin("appraise").unwrap();
        cmd.current_dir(ws.dir.path())
            .env_remove("APPRAISE_DB")
            .env("APPRAISE_TODAY", crate::util::TODAY)
            .env_remove("APPRAISE_LANG")
            .args(args);
        if let Some(l) = lang {
            cmd.env("APPRAISE_LANG", l);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stderr).unwrap()
    };
    let err = run(None, &["month", "close", "2026-07", "--by", "HR"]);
    assert!(
        err.contains("2026-07 尚未结束，自 2026-08-01 起才能结账。"),
        "{err}"
    );
    let err = run(None, &["log", "add", "E002", "uniform", "--by", "nobody"]);
    assert!(
        err.contains("“nobody”既不是登录名，也不是员工工号。"),
        "{err}"
    );
    let err = run(Some("en"), &["month", "close", "2026-07", "--by", "HR"]);
    assert!(err.contains("2026-07 has not ended yet"), "{err}");
    // A bad entry: every problem of the row, with the policy's labels, and nothing stored.
    let err = run(
        None,
        &[
            "log",
            "add",
            "E002",
            "late",
            "--date",
            "2026-13-01",
            "--by",
            "HR",
        ],
    );
    assert!(err.contains("“2026-13-01”不是日期"), "{err}");
    assert!(err.contains("全部未保存"), "{err}");
    let err = run(None, &["log", "add", "E002", "迟到了", "--by", "HR"]);
    assert!(err.contains("考评细则里没有“迟到了”这一类"), "{err}");
    let err = run(
        Some("en"),
        &[
            "log",
            "add",
            "E002",
            "late",
            "--minutes",
            "abc",
            "--by",
            "HR",
        ],
    );
    assert!(
        err.contains("field `minutes`: `abc` is not a whole number"),
        "{err}"
    );
    // The store's refusals too, and what the command line itself refuses.
    ws.write("taken.db", "");
    let err = run(None, &["backup", "taken.db"]);
    assert!(
        err.contains("“taken.db”已存在；请备份到一个新文件。"),
        "{err}"
    );
    let err = run(
        None,
        &[
            "log",
            "add",
            "E002",
            "late",
            "--minutes",
            "5",
            "--minutes",
            "6",
            "--by",
            "HR",
        ],
    );
    assert!(err.contains("`--minutes` 给了两次"), "{err}");
    let err = run(
        Some("en"),
        &[
            "log",
            "add",
            "E002",
            "late",
            "--minutes",
            "5",
            "--minutes",
            "6",
            "--by",
            "HR",
        ],
    );
    assert!(err.contains("`--minutes` is given twice"), "{err}");
}

/// A file people wrote that is no table, or rows that cannot be, are told in Chinese by
/// file and line: a header without the columns, a row of too few cells, bytes that are no
/// text, a roster day before the employee joined.
#[test]
fn files_people_wrote_are_refused_in_chinese() {
    let ws = staffed();
    let run = |code: i32, args: &[&str]| ws.run_env(args, &[("APPRAISE_LANG", "zh")]).fails(code);
    let import = ["roster", "import", "roster.csv", "--by", "HR"];
    ws.write("roster.csv", "工号,日期\nE002,2026-03-02\n");
    let err = run(1, &import);
    assert!(
        err.contains("roster.csv:1：表头缺少“上班时间”、“下班时间”"),
        "{err}"
    );
    ws.write(
        "roster.csv",
        "工号,日期,上班时间,下班时间\nE002,2026-03-02,08:30\n",
    );
    let err = run(1, &import);
    assert!(
        err.contains("roster.csv:2：这一行有 3 格，表头有 4 格"),
        "{err}"
    );
    ws.write(
        "roster.csv",
        "工号,日期,上班时间,下班时间\nE003,2026-03-02,08:30,17:30\n",
    );
    let err = run(1, &import);
    assert!(
        err.contains("roster.csv:2：E003 在 2026-03-02 不在职"),
        "{err}"
    );
    // 0x81 0x20 opens a GB18030 pair that a space cannot close.
    std::fs::write(
        ws.dir.path().join("roster.csv"),
        b"employee,date,start,end\nE002,2026-03-02,08:30,17:30\nE002,\x81\x20,08:30,17:30\n",
    )
    .unwrap();
    let err = run(2, &import);
    assert!(
        err.contains("文件“roster.csv”：第 3 行不是 GB18030 文字"),
        "{err}"
    );
}

/// What a command did is told in Chinese too, in English when asked.
#[test]
fn what_a_command_did_is_told_in_chinese_by_default() {
    let ws = staffed();
    let run = |lang: &str, args: &[&str]| ws.run_env(args, &[("APPRAISE_LANG", lang)]).ok();
    let said = run(
        "zh",
        &[
            "log",
            "add",
            "E002",
            "uniform",
            "--date",
            "2026-03-02",
            "--by",
            "HR",
        ],
    );
    assert!(said.starts_with("已记录事件 "), "{said}");
    let said = run(
        "en",
        &[
            "log",
            "add",
            "E001",
            "uniform",
            "--date",
            "2026-03-02",
            "--by",
            "HR",
        ],
    );
    assert!(said.starts_with("recorded event "), "{said}");
    let said = run("zh", &["month", "close", "2026-03", "--by", "HR"]);
    assert!(said.starts_with("已结账 2026-03：冻结 "), "{said}");
    let said = run("zh", &["audit", "verify"]);
    assert!(said.starts_with("记录完整："), "{said}");
}
