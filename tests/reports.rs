//! Every report, as a reviewed snapshot of its text.

use crate::util::{Workspace, staffed};

/// A small year: lateness, quarrels, a commendation, a closed review step, targets.
fn year() -> Workspace {
    let ws = staffed();
    ws.cmd("dept add customer-service --name 客户服务部 --head E001 --by HR")
        .ok();
    ws.write(
        "events.csv",
        "employee,date,kind,qty,note,recorded_by,minutes\n\
         E002,2026-01-05,late,,,张主管,12\n\
         E002,2026-02-03,quarrel,4,,张主管,\n\
         E002,2026-03-03,quarrel,4,,张主管,\n\
         E002,2026-03-10,late,,,张主管,45\n\
         E002,2026-04-07,quarrel,4,,张主管,\n\
         E002,2026-05-12,quarrel,4,,张主管,\n\
         E001,2026-03-09,commendation,,信件表扬,公司办公室,\n\
         E003,2026-05-06,uniform,,,张主管,\n\
         E004,2026-03-02,badge,,,保安队长,\n",
    );
    ws.cmd("log import events.csv").ok();
    ws.cmd("review start --year 2026 --by HR --open-months-ok")
        .ok();
    ws.cmd("review sign E002 --year 2026 --step manager --grade poor --by E001")
        .ok();
    ws
}

fn report(ws: &Workspace, args: &str, file: &str) -> String {
    let out = ws.cmd(&format!("report {args} --out {file}")).ok();
    assert_eq!(out, format!("wrote {file}\n"));
    std::fs::read_to_string(ws.path(file)).unwrap()
}

#[test]
fn department_monthly_statement() {
    let ws = year();
    insta::assert_snapshot!(
        "statement_md",
        report(
            &ws,
            "statement --department customer-service --month 2026-03",
            "s.md"
        )
    );
    let html = report(
        &ws,
        "statement --department customer-service --month 2026-03",
        "s.html",
    );
    assert!(html.contains("@page { size: A4"));
    insta::assert_snapshot!("statement_html", html);
    // As a workbook: a sheet per table, each set up to print on A4 one page wide with its
    // header row repeated; the rules with the manual's item numbers; lines to sign.
    ws.cmd("report statement --department customer-service --month 2026-03 --out s.xlsx")
        .ok();
    let xlsx = std::fs::read(ws.path("s.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut part = |name: &str| {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
        text
    };
    let book = part("xl/workbook.xml");
    for sheet in ["员工得分", "按细则条款", "按类别"] {
        assert!(book.contains(sheet), "{book}");
    }
    assert_eq!(book.matches("_xlnm.Print_Titles").count(), 3, "{book}");
    let scores = part("xl/worksheets/sheet1.xml");
    assert!(scores.contains("paperSize=\"9\"") && scores.contains("fitToHeight=\"0\""));
    assert!(scores.contains("state=\"frozen\""), "{scores}");
    let shared = part("xl/sharedStrings.xml");
    for text in [
        "B-35",
        "与业主发生争吵",
        "制表人",
        "审核人",
        "批准人",
        "不合格",
    ] {
        assert!(shared.contains(text), "{text} missing:\n{shared}");
    }
}

#[test]
fn annual_rating_sheet() {
    let ws = year();
    let csv = report(&ws, "ratings --year 2026", "r.csv");
    assert!(csv.starts_with('\u{feff}'), "a BOM for spreadsheets");
    insta::assert_snapshot!("ratings_csv", csv);
    insta::assert_snapshot!("ratings_html", report(&ws, "ratings --year 2026", "r.html"));
    ws.cmd("report ratings --year 2026 --out r.xlsx").ok();
    let xlsx = std::fs::read(ws.path("r.xlsx")).unwrap();
    assert!(
        xlsx.starts_with(b"PK\x03\x04") && xlsx.len() > 4000,
        "an xlsx is a zip package"
    );
    // Made again a second later, the same bytes: stamped with the period, not the clock.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    ws.cmd("report ratings --year 2026 --out again.xlsx").ok();
    assert!(std::fs::read(ws.path("again.xlsx")).unwrap() == xlsx);
    // Grades carry the colours of the charts: a fill per grade in the workbook's styles,
    // a coloured cell and a legend in the HTML (the label always written beside it).
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
    assert!(
        styles.contains("FF2E7D32") || styles.contains("FFC62828"),
        "{styles}"
    );
    // Set up to print as filed: A4 landscape, one page wide, the header row repeated on
    // every page and frozen on screen, the title above and page numbers below, columns
    // as wide as their Chinese text, lines to sign below the rows.
    let part = |zip: &mut zip::ZipArchive<_>, name: &str| {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
        text
    };
    let sheet = part(&mut zip, "xl/worksheets/sheet1.xml");
    for setting in [
        "<pageSetUpPr fitToPage=\"1\"/>",
        "paperSize=\"9\"",
        "orientation=\"landscape\"",
        "fitToHeight=\"0\"",
        "state=\"frozen\"",
        "第 &amp;P 页，共 &amp;N 页",
        "年度员工考评汇总表",
    ] {
        assert!(sheet.contains(setting), "{setting} missing:\n{sheet}");
    }
    let book = part(&mut zip, "xl/workbook.xml");
    assert!(
        book.contains("_xlnm.Print_Titles") && book.contains("$1:$1"),
        "{book}"
    );
    let shared = part(&mut zip, "xl/sharedStrings.xml");
    assert!(
        shared.contains("制表人") && shared.contains("批准人"),
        "{shared}"
    );
    // 不合格月数 (five Chinese characters) is never wrapped one character a line.
    assert!(
        sheet.contains("width=\"12.7109375\"")
            || sheet.contains("<col min=\"9\" max=\"9\" width=\"12"),
        "{sheet}"
    );
    let html = std::fs::read_to_string(ws.path("r.html")).unwrap();
    assert!(html.contains("class=\"legend\""), "a legend");
    assert!(
        html.contains("border-left:4mm solid #"),
        "a coloured grade cell"
    );
    // Lines to sign, kept on one page; headings kept with what follows them.
    assert!(html.contains("制表人") && html.contains("审核人") && html.contains("批准人"));
    assert!(html.contains("break-after: avoid") && html.contains(".signatures"));
    let err = ws.cmd("report ratings --year 2026 --out r.pdf").fails(1);
    assert!(
        err.contains("can be written as .xlsx, .csv or .html"),
        "{err}"
    );
}

#[test]
fn reward_penalty_recommendation() {
    let ws = year();
    // A signature carries the day it was made: the clock's, not the tests' today.
    let signed_on = |text: String| {
        let today = chrono::Local::now().date_naive().to_string();
        let utc = chrono::Utc::now().date_naive().to_string();
        text.replace(&today, "[signed on]")
            .replace(&utc, "[signed on]")
    };
    let md = signed_on(report(&ws, "recommendation E002 --year 2026", "rec.md"));
    assert!(md.contains("建议：**辞退**"), "{md}");
    // Signers by name, id and role; the rules by the manual's item numbers; every section
    // numbered, in order, present even when empty.
    assert!(
        md.contains("| 直属上级 | 差 | 张三（E001，主管） |"),
        "{md}"
    );
    assert!(md.contains("| B-35 | 与业主发生争吵 | 16 | -80 |"), "{md}");
    let numbers = ["一", "二", "三", "四", "五", "六", "七", "八"];
    let headings: Vec<&str> = md.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(headings.len(), numbers.len(), "{headings:?}");
    for (h, n) in headings.iter().zip(numbers) {
        assert!(h.starts_with(&format!("## {n}、")), "{headings:?}");
    }
    insta::assert_snapshot!("recommendation_md", md);
    insta::assert_snapshot!(
        "recommendation_html",
        signed_on(report(&ws, "recommendation E002 --year 2026", "rec.html"))
    );
    // A promotion rests on the commendations: listed as the violations are for a dismissal.
    let promotion = report(&ws, "recommendation E001 --year 2026", "e1.md");
    assert!(promotion.contains("建议：**晋升加薪**"), "{promotion}");
    assert!(
        promotion.contains("| 总则-3 | 公司书面表扬 | 1 | 1 |"),
        "{promotion}"
    );
    assert!(
        promotion.contains("| 2026-03-09 | 总则-3 公司书面表扬 | 1 | 信件表扬 | 公司办公室 |"),
        "{promotion}"
    );
}
