//! The three documents as an office prints them: rendered to PDF by a real Chromium, then
//! read back page by page with poppler's `pdftotext`. No page ends with a heading or a
//! table's header row alone, long tables repeat their header on every page, signature
//! blocks are never split, and the recommendation says what a promotion rests on.
//!
//! Ignored by `cargo test` like the other browser tests; `.ci/run` runs it (with
//! `APPRAISE_BROWSER_TESTS=required`, when missing tools fail it).

use std::path::Path;
use std::process::Command;

use crate::util::Workspace;

const CHROMIUM: &str = "/usr/bin/chromium";

/// Whether Chromium and poppler's tools are here; when they are not, says so (or fails,
/// when the browser tests are required).
fn tools() -> bool {
    let have = |exe: &str| {
        Command::new(exe)
            .arg("-v")
            .output()
            .is_ok_and(|o| o.status.success() || !o.stderr.is_empty())
    };
    if Path::new(CHROMIUM).exists() && have("pdftotext") && have("pdfinfo") {
        return true;
    }
    let why =
        "Chromium and poppler-utils are not installed (apt-get install chromium poppler-utils)";
    if std::env::var("APPRAISE_BROWSER_TESTS").as_deref() == Ok("required") {
        panic!("browser tests are required: {why}");
    }
    eprintln!("skipped: {why}");
    false
}

/// `html` printed to a PDF beside it by headless Chromium, kept off the network, without
/// the browser's own header and footer; the text of each page.
fn print(ws: &Workspace, html: &str) -> Vec<String> {
    let pdf = ws.path(&html.replace(".html", ".pdf"));
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", ws.path(html).display()))
        .output()
        .expect("Chromium runs");
    assert!(pdf.exists(), "no PDF of {html}: {out:?}");
    let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let pages: usize = String::from_utf8_lossy(&info.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo gives the pages");
    (1..=pages)
        .map(|p| {
            let page = p.to_string();
            let text = Command::new("pdftotext")
                .args(["-layout", "-f", &page, "-l", &page])
                .arg(&pdf)
                .arg("-")
                .output()
                .unwrap();
            String::from_utf8_lossy(&text.stdout).into_owned()
        })
        .collect()
}

/// The non-empty lines of a page, trimmed.
fn lines(page: &str) -> Vec<&str> {
    page.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

/// A section heading (`三、按细则条款`) or a table's header row (words, no figures).
fn heading_or_header(line: &str) -> bool {
    let numbered = [
        "一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、",
    ];
    let headers = ["工号", "条款号", "类别", "日期", "月份", "环节"];
    numbered.iter().any(|n| line.starts_with(n))
        || ["等级分布（校准）", "各部门月度平均分"].contains(&line)
        || (headers.iter().any(|h| line.starts_with(h))
            && !line.chars().any(|c| c.is_ascii_digit()))
}

/// No page but the last ends with a heading or a header row left alone.
fn no_orphans(name: &str, pages: &[String]) {
    for (i, page) in pages.iter().enumerate().take(pages.len() - 1) {
        let last = *lines(page).last().unwrap_or(&"");
        assert!(
            !heading_or_header(last),
            "{name}: page {} ends with `{last}` alone:\n{page}",
            i + 1
        );
    }
}

/// No orphans; every page that holds rows of the long table (`row` starts them) shows its
/// header above them; the signature block is on one page.
fn check_pages(name: &str, pages: &[String], row: &str, header: &str) {
    no_orphans(name, pages);
    for (i, page) in pages.iter().enumerate() {
        let l = lines(page);
        if let Some(first_row) = l.iter().position(|x| x.starts_with(row)) {
            assert!(
                l[..first_row].iter().any(|x| x.starts_with(header)),
                "{name}: page {} has rows without the table's header:\n{page}",
                i + 1
            );
        }
    }
    let signed = pages
        .iter()
        .find(|p| p.contains("制表人"))
        .unwrap_or_else(|| panic!("{name} has no 制表人 line"));
    assert!(
        signed.contains("审核人") && signed.contains("批准人"),
        "{name}: the signature block is split:\n{signed}"
    );
}

#[test]
#[ignore = "needs Chromium: `cargo test --test integration browser -- --ignored` (.ci/run runs it)"]
fn documents_print_to_pdf_from_a_real_browser_as_an_office_files_them() {
    if !tools() {
        return;
    }
    let (ws, year) = crate::util::demo();
    let run = |line: &str| {
        let mut args = vec!["--db", "d/appraise.db"];
        args.extend(line.split_whitespace());
        ws.run(&args).ok()
    };
    // Sixty more employees: tables long enough to run over pages.
    run(&format!("gen --staff 60 --year {year} g"));
    run("staff import g/staff.csv --by hr");
    run("log import g/events.csv --by hr");
    run(&format!(
        "review start --year {year} --open-months-ok --by hr"
    ));
    run(&format!(
        "review sign E004 --year {year} --step manager --grade excellent --by E002"
    ));
    run(&format!(
        "report statement --department customer-service --month {year}-03 --out statement.html"
    ));
    run(&format!("report ratings --year {year} --out ratings.html"));
    run(&format!(
        "report recommendation E004 --year {year} --out promotion.html"
    ));
    run(&format!(
        "report recommendation E008 --year {year} --out dismissal.html"
    ));

    let statement = print(&ws, "statement.html");
    assert!(statement.len() >= 3, "{} pages", statement.len());
    check_pages("the statement", &statement, "W000", "工号");
    let all = statement.concat();
    assert!(
        all.contains("A-11") && all.contains("总则-3"),
        "manual item numbers:\n{all}"
    );

    let ratings = print(&ws, "ratings.html");
    assert!(ratings.len() >= 2, "{} pages", ratings.len());
    check_pages("the rating sheet", &ratings, "W000", "工号");
    // Printed across the page: the header's words whole, never one character a line.
    assert!(
        ratings[0].contains("不合格") && ratings[0].contains("月数"),
        "{}",
        ratings[0]
    );

    for (name, file, kind) in [
        ("the promotion", "promotion.html", "晋升加薪"),
        ("the dismissal", "dismissal.html", "辞退"),
    ] {
        let pages = print(&ws, file);
        assert!(pages.len() <= 4, "{name}: {} pages", pages.len());
        let all = pages.concat();
        assert!(all.contains(&format!("建议：{kind}")), "{all}");
        no_orphans(name, &pages);
        // The leadership's box and its line to sign on one page.
        let approval = pages
            .iter()
            .find(|p| p.contains("八、公司领导审批"))
            .unwrap();
        assert!(
            approval
                .split("八、公司领导审批")
                .nth(1)
                .unwrap()
                .contains("签字"),
            "{name}: the approval box is split:\n{approval}"
        );
        if kind != "晋升加薪" {
            continue;
        }
        let promotion = all;
        assert!(
            promotion.contains("三、全年奖励情况") && promotion.contains("公司书面表扬"),
            "{promotion}"
        );
        assert!(
            promotion.contains("高霞（E002，主管）"),
            "the signer by name and role:\n{promotion}"
        );
    }
}
