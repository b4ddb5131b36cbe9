//! Entry the way a Chinese front office works: files saved by Excel on a Chinese Windows
//! PC (GB18030), and kinds written by their Chinese names.

use crate::util::{Workspace, staffed};

/// `text` as Excel saves "CSV" on a Chinese Windows PC.
fn gb18030(text: &str) -> Vec<u8> {
    encoding_rs::GB18030.encode(text).0.into_owned()
}

#[test]
fn gb18030_files_are_read_and_say_so() {
    let ws = Workspace::init();
    let staff = std::fs::read_to_string("examples/staff.csv").unwrap();
    std::fs::write(ws.path("staff.csv"), gb18030(&staff)).unwrap();
    let out = ws.cmd("staff import staff.csv --by HR").ok();
    assert!(out.contains("read as GB18030"), "{out}");
    let listed = ws.cmd("staff list").ok();
    assert!(listed.contains("李四"), "names decoded: {listed}");

    std::fs::write(
        ws.path("day.csv"),
        gb18030(
            "employee,date,kind,qty,note,recorded_by,minutes\n\
             E002,2026-03-02,late,,地铁晚点,张主管,47\n",
        ),
    )
    .unwrap();
    let out = ws.cmd("log import day.csv --by HR").ok();
    assert!(
        out.contains("day.csv (read as GB18030): stored 1 event"),
        "{out}"
    );
    let log = ws.cmd("log list --employee E002").ok();
    assert!(log.contains("地铁晚点"), "{log}");

    // Bytes that are neither UTF-8 nor GB18030 are refused at their line; nothing stored.
    std::fs::write(
        ws.path("broken.csv"),
        b"employee,date,kind\nE002,2026-03-03,late\nE002,2026-03-04,\x81\x20\n",
    )
    .unwrap();
    let err = ws.cmd("log import broken.csv --by HR").fails(2);
    assert!(err.contains("line 3 is not GB18030 text"), "{err}");
    assert_eq!(
        ws.cmd("log list --employee E002 --format csv")
            .ok()
            .lines()
            .count(),
        2
    );
}

#[test]
fn kinds_may_be_written_by_their_chinese_names() {
    let ws = staffed();
    // An alias the policy declares, per kind of a rule that sees two.
    ws.cmd("log add E002 迟到 --date 2026-03-02 --minutes 47 --by 张主管")
        .ok();
    ws.cmd("log add E002 早退 --date 2026-03-03 --minutes 10 --by 张主管")
        .ok();
    // The name of a rule that sees one kind.
    ws.run(&[
        "log",
        "add",
        "E002",
        "工装穿戴不整齐、不干净",
        "--date",
        "2026-03-04",
        "--by",
        "张主管",
    ])
    .ok();
    std::fs::write(
        ws.path("day.csv"),
        "employee,date,kind,qty,note,recorded_by\nE002,2026-03-05,未交班,,,张主管\n",
    )
    .unwrap();
    ws.cmd("log import day.csv --by HR").ok();
    let kinds: Vec<String> = ws
        .cmd("log list --employee E002 --format csv")
        .ok()
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(4).unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["late", "early_leave", "uniform", "missed_handover"]);

    // A misspelt name is refused with the closest name.
    let err = ws
        .cmd("log add E002 迟道 --date 2026-03-06 --minutes 5 --by 张主管")
        .fails(1);
    assert!(err.contains("did you mean `迟到`?"), "{err}");
}

#[test]
fn an_alias_must_name_one_kind_the_rule_sees() {
    let ws = Workspace::new();
    let policy = |aliases: &str, second: &str| {
        format!(
            "[policy]\nid = \"p\"\nname = \"p\"\nversion = \"1\"\neffective_from = \"2025-01\"\ndepartments = [\"*\"]\n\
             [scoring]\nbase = 100\npass_mark = 80\n\
             [[rule]]\nid = \"late\"\nname = \"迟到早退\"\non = [\"late\", \"early_leave\"]\npoints = -1\n{aliases}\n\
             [[rule]]\nid = \"other\"\nname = \"其他\"\npoints = -1\n{second}\n\
             [[grade]]\nid = \"ok\"\nlabel = \"合格\"\n"
        )
    };
    let check = |text: String| {
        ws.write("p.toml", &text);
        ws.cmd("rules check p.toml").fails(1)
    };
    let err = check(policy("aliases = [\"迟到\"]", ""));
    assert!(
        err.contains("p.toml:15:11") && err.contains("per kind it sees"),
        "{err}"
    );
    let err = check(policy("aliases = { absent = [\"旷工\"] }", ""));
    assert!(err.contains("does not see kind `absent`"), "{err}");
    let err = check(policy(
        "aliases = { late = [\"迟到\"] }",
        "aliases = [\"迟到\"]",
    ));
    assert!(
        err.contains("alias `迟到` names kind `other` here and kind `late` at"),
        "{err}"
    );
    ws.write(
        "p.toml",
        &policy(
            "aliases = { late = [\"迟到\"], early_leave = [\"早退\"] }",
            "",
        ),
    );
    ws.cmd("rules check p.toml").ok();
}

#[test]
fn the_entry_template_round_trips_through_excel() {
    use calamine::Reader;
    let ws = staffed();
    let out = ws
        .cmd(
            "log template --department customer-service --month 2026-03 --out day.xlsx --by 王主管",
        )
        .ok();
    assert!(out.contains("2 employees"), "{out}");
    let bytes = std::fs::read(ws.path("day.xlsx")).unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["记录", "名单", "类型"]);
    let header: Vec<String> = book
        .worksheet_range("记录")
        .unwrap()
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        &header[..6],
        ["工号", "姓名", "日期", "类型", "数量", "备注"]
    );
    assert!(header.contains(&"minutes".to_string()), "{header:?}");
    let people: Vec<String> = book
        .worksheet_range("名单")
        .unwrap()
        .rows()
        .skip(1)
        .map(|r| r[0].to_string())
        .collect();
    assert_eq!(people, ["E001", "E002"], "E003 joins in April");
    let kinds: Vec<String> = book
        .worksheet_range("类型")
        .unwrap()
        .rows()
        .skip(1)
        .map(|r| r[0].to_string())
        .collect();
    for k in ["迟到", "早退", "旷工", "漏打卡", "与业主发生争吵"] {
        assert!(kinds.contains(&k.to_string()), "{k} in {kinds:?}");
    }
    // The unfilled sheet imports as nothing.
    assert!(
        ws.cmd("log import day.xlsx --dry-run --by 王主管")
            .ok()
            .contains("0 rows are valid")
    );

    // Filled in as Excel saves it: a date cell, the name the formula shows, a number.
    let mut filled = rust_xlsxwriter::Workbook::new();
    let sheet = filled.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, h).unwrap();
    }
    let minutes = header.iter().position(|h| h == "minutes").unwrap() as u16;
    let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 3, 2).unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (r, (kind, mins)) in [("迟到", Some(47.0)), ("与业主发生争吵", None)]
        .iter()
        .enumerate()
    {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, "E002").unwrap();
        sheet.write_string(r, 1, "李四").unwrap();
        sheet
            .write_datetime_with_format(r, 2, &day, &format)
            .unwrap();
        sheet.write_string(r, 3, *kind).unwrap();
        if let Some(m) = mins {
            sheet.write_number(r, minutes, *m).unwrap();
        }
    }
    filled.save(ws.path("filled.xlsx")).unwrap();
    let out = ws.cmd("log import filled.xlsx --by 王主管").ok();
    assert!(
        out.contains("(read as Excel, first sheet): stored 2 events"),
        "{out}"
    );
    let log = ws.cmd("log list --employee E002 --format csv").ok();
    assert!(
        log.contains("late") && log.contains("quarrel") && log.contains("minutes=47"),
        "{log}"
    );
}
