//! Each role's journey in a real headless Chromium (driven through chromedriver), on a
//! phone-sized screen: a supervisor enters three violations on the day page and sees the
//! score change, the employee appeals one, the head excuses it, HR closes the month and
//! signs a review. They are marked ignored, so that `cargo test` says they were not run
//! rather than passing without a browser; `.ci/run` runs them on their own with
//! `APPRAISE_BROWSER_TESTS=required`, when a missing browser fails them. Run by hand
//! without Chromium, they say they skipped.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::web::{PASSWORD, Served};

const CHROMIUM: &str = "/usr/bin/chromium";

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// chromedriver and Chromium, if both are installed; else `None` after saying so (or a
/// failure, when the browser tests are required).
fn driver() -> Option<Driver> {
    let exe = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let (Some(exe), true) = (exe, std::path::Path::new(CHROMIUM).exists()) else {
        let why = "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)";
        if std::env::var("APPRAISE_BROWSER_TESTS").as_deref() == Ok("required") {
            panic!("browser tests are required: {why}");
        }
        eprintln!("skipped: {why}");
        return None;
    };
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(exe)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Driver { child, port })
}

/// A headless Chromium kept off the network, with a fresh profile, phone-sized.
async fn browser(d: &Driver, profile: &std::path::Path) -> Client {
    let caps = json!({
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=390,844",
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!()
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", d.port))
        .await
        .expect("a Chromium session")
}

/// Logs `login` in through the login page (after dropping any earlier session).
async fn log_in(c: &Client, s: &Served, login: &str) {
    c.goto(&s.url("/login")).await.unwrap();
    c.delete_all_cookies().await.unwrap();
    c.goto(&s.url("/login")).await.unwrap();
    type_into(c, "#login", login).await;
    type_into(c, "#password", PASSWORD).await;
    click(c, "button[type=submit]").await;
    // The login posts, then its answer sends the browser on: wait for that.
    let started = Instant::now();
    while c.current_url().await.unwrap().path() == "/login" {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "`{login}` is still at the login page"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the browser is at `path` (a click's navigation may still be under way).
async fn arrived(c: &Client, path: &str) {
    let started = Instant::now();
    loop {
        let at = c.current_url().await.unwrap();
        if at.path().ends_with(path) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still at {at}, not {path}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Clicks the first element matching `css`, a link or a form's button, and waits for the page
/// it leads to.
async fn click(c: &Client, css: &str) {
    // Every click of these tests follows a link or submits a form: it replaces the page.
    // The old page is marked, and the click returns once a new page has loaded, so that
    // what is read next is of the page the click led to, never of the one it left.
    c.execute("window.__left = true", vec![]).await.unwrap();
    toggle(c, css).await;
    let started = Instant::now();
    loop {
        let state = c
            .execute(
                "return window.__left === true ? 'old' : document.readyState",
                vec![],
            )
            .await;
        if matches!(&state, Ok(v) if v == "complete") {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "clicking `{css}` led to no new page"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Clicks the first element matching `css` where the click stays on the page (a
/// `<summary>` opening its details).
async fn toggle(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("`{css}`: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click `{css}`: {e}"));
}

/// Types `text` into the first element matching `css`.
async fn type_into(c: &Client, css: &str, text: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("`{css}`: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

/// Sets the entry form's date (a date input's typing depends on the browser's locale).
async fn set_date(c: &Client, date: &str) {
    c.execute(
        &format!("document.getElementById('date').value = '{date}'"),
        vec![],
    )
    .await
    .unwrap();
}

/// The text of the first element matching `css`, waiting while a navigation that a click
/// started replaces the page.
async fn text_of(c: &Client, css: &str) -> String {
    let started = Instant::now();
    loop {
        let found = async { c.find(Locator::Css(css)).await?.text().await };
        match found.await {
            Ok(text) => return text,
            Err(e) if started.elapsed() > Duration::from_secs(10) => panic!("`{css}`: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

#[test]
#[ignore = "needs Chromium: `cargo test --test integration browser -- --ignored` (.ci/run runs it)"]
fn every_role_does_its_part_in_a_real_browser() {
    let Some(d) = driver() else { return };
    let s = Served::start();
    // A review of 2025 waiting on the company step: the manager and head have signed.
    s.ws.cmd("dept add customer-service --name 客户服务部 --head E001 --by HR")
        .ok();
    s.ws.cmd("review start --year 2025 --by HR --open-months-ok")
        .ok();
    s.ws.cmd("review sign E002 --year 2025 --step manager --grade excellent --by E001")
        .ok();
    s.ws.cmd("review sign E002 --year 2025 --step department_head --grade excellent --by E001")
        .ok();
    let profile = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = browser(&d, profile.path()).await;

        // The supervisor, on a phone: three violations for E002, the score after each.
        log_in(&c, &s, "张主管").await;
        arrived(&c, "/").await;
        click(&c, "nav a[href='/day']").await;
        arrived(&c, "/day").await;
        let mut scores = Vec::new();
        for kind in ["uniform", "badge"] {
            click(&c, "tr[data-employee=E002] a.button").await;
            click(&c, &format!("button[data-kind={kind}]")).await;
            scores.push(text_of(&c, "#saved").await);
        }
        click(&c, "tr[data-employee=E002] a.button").await;
        click(&c, "a[data-kind=late]").await;
        // A day in the future is refused in Chinese, the form kept filled.
        type_into(&c, "#f-minutes", "12").await;
        set_date(&c, "2026-07-05").await;
        click(&c, "#entry-form button[type=submit]").await;
        let error = text_of(&c, ".notice.error").await;
        assert!(error.contains("2026-07-05 还没到"), "{error}");
        assert_eq!(
            c.find(Locator::Id("f-minutes"))
                .await
                .unwrap()
                .prop("value")
                .await
                .unwrap()
                .as_deref(),
            Some("12")
        );
        set_date(&c, "2026-06-30").await;
        click(&c, "#entry-form button[type=submit]").await;
        scores.push(text_of(&c, "#saved").await);
        for (s, want) in scores
            .iter()
            .zip(["本月得分 99", "本月得分 98", "本月得分 97"])
        {
            assert!(s.contains(want), "{s} should say {want}");
        }
        assert_eq!(
            text_of(&c, "tr[data-employee=E002] .score-value").await,
            "97"
        );
        let shot = c.screenshot().await.unwrap();
        std::fs::create_dir_all("docs/web").unwrap();
        std::fs::write("docs/web/day-page.png", shot).unwrap();

        // The employee appeals the badge entry from their month's explanation.
        log_in(&c, &s, "E002").await;
        c.goto(&s.url("/people/E002/2026-06")).await.unwrap();
        let badge =
            s.ws.app()
                .events(&appraise::app::Actor::owner(), &Default::default())
                .unwrap()
                .into_iter()
                .find(|e| e.kind == "badge")
                .unwrap();
        let form = format!("form#appeal-{}", badge.id);
        type_into(
            &c,
            &format!("{form} input[name=reason]"),
            "当天工作牌在胸前，有照片",
        )
        .await;
        click(&c, &format!("{form} button")).await;
        assert!(text_of(&c, "#done").await.contains("申诉已提交"));
        assert!(text_of(&c, "#items").await.contains("已申诉"));

        // The head excuses it from the inbox; the employee's month goes back up.
        // Their home page says so, and the menu counts it.
        log_in(&c, &s, "部门负责人").await;
        arrived(&c, "/").await;
        assert!(
            text_of(&c, "#waiting-appeals")
                .await
                .contains("申诉待处理：1 件")
        );
        assert!(!text_of(&c, "nav .badge").await.is_empty());
        click(&c, "#waiting-appeals a").await;
        arrived(&c, "/inbox").await;
        type_into(
            &c,
            "form[action^='/appeals/'] input[name=reason]",
            "照片属实",
        )
        .await;
        click(&c, "button[value=excuse]").await;
        // The decision is confirmed on the page the form leads to (waited for: the click's
        // navigation may still be under way).
        assert!(text_of(&c, "#done").await.contains("申诉已处理"));
        assert!(text_of(&c, "main").await.contains("没有待处理的申诉"));
        let june =
            s.ws.app()
                .explain_month(
                    &appraise::app::Actor::owner(),
                    "E002",
                    "2026-06".parse().unwrap(),
                )
                .unwrap();
        assert_eq!(june.score.score.to_string(), "98");

        // HR closes May (June is still running: no close is offered for it) and signs the
        // company step of E002's 2025 review.
        log_in(&c, &s, "HR").await;
        c.goto(&s.url("/months")).await.unwrap();
        assert!(text_of(&c, "#month-2026-06").await.contains("月末后可结账"));
        click(&c, "form[action='/months/2026-05/close'] button").await;
        assert!(text_of(&c, "#month-2026-05").await.contains("已结账"));
        c.goto(&s.url("/inbox?year=2025")).await.unwrap();
        click(&c, "#review-E002 button[type=submit]").await;
        assert!(text_of(&c, "#done").await.contains("评审已签署"));
        assert!(!text_of(&c, "main").await.contains("review-E002"));
        let status =
            s.ws.app()
                .review_status(&appraise::app::Actor::owner(), 2025, None)
                .unwrap();
        let e002 = status.iter().find(|r| r.review.employee == "E002").unwrap();
        assert!(e002.final_grade.is_some(), "the review is complete");

        // The year's ratings find E002 with the review signed; the whole sheet opens to
        // print under the content security policy (its styles are inline, no script runs).
        c.goto(&s.url("/ratings?year=2025")).await.unwrap();
        let find = c
            .find(Locator::Css("#ratings-find input[name=q]"))
            .await
            .unwrap();
        find.send_keys("E002").await.unwrap();
        click(&c, "#ratings-find button").await;
        let row = text_of(&c, "#ratings").await;
        assert!(row.contains("E002") && row.contains("已定稿"), "{row}");
        c.goto(&s.url("/reports/ratings.html?year=2025"))
            .await
            .unwrap();
        assert!(text_of(&c, "body").await.contains("E002"));

        // Out of scope is refused in the browser too.
        c.goto(&s.url("/audit")).await.unwrap();
        log_in(&c, &s, "E002").await;
        c.goto(&s.url("/months")).await.unwrap();
        assert!(text_of(&c, "h1").await.contains("无权操作"));
        c.close().await.unwrap();
    });
}

#[test]
#[ignore = "needs Chromium: `cargo test --test integration browser -- --ignored` (.ci/run runs it)"]
fn files_and_forms_of_the_office_work_in_a_real_browser() {
    let Some(d) = driver() else { return };
    let s = Served::start();
    s.ws.cmd("dept add customer-service --name 客户服务部 --head E001 --by HR")
        .ok();
    let day_file = s.ws.write(
        "day.csv",
        "employee,date,kind,qty,note,recorded_by,minutes\nE002,2026-06-29,late,,,,25\nE003,2026-06-29,quarrel,,,,\n",
    );
    let sheet = s.ws.path("day.xlsx");
    {
        let mut book = rust_xlsxwriter::Workbook::new();
        let page = book.add_worksheet();
        for (c, h) in ["工号", "姓名", "日期", "类型", "minutes"]
            .iter()
            .enumerate()
        {
            page.write_string(0, c as u16, *h).unwrap();
        }
        for (c, v) in ["E002", "李四", "2026-06-29", "迟到"].iter().enumerate() {
            page.write_string(1, c as u16, *v).unwrap();
        }
        page.write_number(1, 4, 12.0).unwrap();
        book.save(&sheet).unwrap();
    }
    // A candidate: the shipped customer-service policy as a new version, a quarrel with a
    // resident costing eight points instead of five. Its parent is the activated one.
    std::fs::create_dir_all(s.ws.path("candidate")).unwrap();
    let shipped = std::fs::read_to_string(s.ws.path("rules/customer-service.toml")).unwrap();
    let quarrel = "name = \"与业主发生争吵\"\ncategory = \"工作纪律\"\npoints = -";
    let changed = shipped
        .replace("version = \"2025.1\"", "version = \"2026.1\"")
        .replace(&format!("{quarrel}5"), &format!("{quarrel}8"));
    assert!(changed.contains(&format!("{quarrel}8")));
    let candidate = s.ws.write("candidate/customer-service.toml", &changed);
    std::fs::copy(
        s.ws.path("rules/company.toml"),
        s.ws.path("candidate/company.toml"),
    )
    .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = browser(&d, profile.path()).await;

        // The supervisor checks a day's file, then imports it.
        log_in(&c, &s, "张主管").await;
        click(&c, "nav a[href='/day']").await;
        toggle(&c, "#upload summary").await;
        let file = |c: &Client, path: &std::path::Path| {
            let (c, path) = (c.clone(), path.display().to_string());
            async move { type_into(&c, "input[type=file]", &path).await }
        };
        file(&c, &day_file).await;
        click(&c, "button[value=check]").await;
        assert!(text_of(&c, "main").await.contains("2 行全部有效"));
        c.goto(&s.url("/day")).await.unwrap();
        toggle(&c, "#upload summary").await;
        file(&c, &day_file).await;
        click(&c, "button[value=import]").await;
        assert!(text_of(&c, "#saved").await.contains("已导入 2 条记录"));
        // The same day's sheet filled in Excel: kinds by their Chinese names.
        c.goto(&s.url("/day")).await.unwrap();
        toggle(&c, "#upload summary").await;
        file(&c, &sheet).await;
        click(&c, "button[value=import]").await;
        assert!(text_of(&c, "#saved").await.contains("已导入 1 条记录"));

        // The head tries the candidate on the department's real logs: nothing is stored.
        log_in(&c, &s, "部门负责人").await;
        c.goto(&s.url("/rules")).await.unwrap();
        file(&c, &candidate).await;
        click(&c, "#what-if button[type=submit]").await;
        // E003's quarrel, in the file just imported, costs three points more.
        let summary = text_of(&c, "#summary").await;
        assert!(summary.contains("1 人结果变化"), "{summary}");
        let changed = text_of(&c, "#changed").await;
        assert!(changed.contains("2026-06：95→92"), "{changed}");
        assert!(text_of(&c, "main").await.contains("未保存任何内容"));
        let shot = c.screenshot().await.unwrap();
        std::fs::write("docs/web/what-if.png", shot).unwrap();
        assert_eq!(
            s.ws.app()
                .versions(&appraise::app::Actor::owner(),)
                .unwrap()
                .len(),
            2
        );

        // The head records a target missed and the budget; the year's rating follows.
        c.goto(&s.url("/department")).await.unwrap();
        type_into(&c, "#target-form input[name=name]", "业主满意度≥95%").await;
        c.execute(
            "document.querySelector('#target-form select').value = 'missed'",
            vec![],
        )
        .await
        .unwrap();
        click(&c, "#target-form button").await;
        assert!(text_of(&c, "#targets").await.contains("业主满意度≥95%"));
        type_into(&c, "#budget-form input[name=budget]", "1000").await;
        type_into(&c, "#budget-form input[name=spent]", "800").await;
        click(&c, "#budget-form button").await;
        assert!(text_of(&c, "#rating").await.contains("节约"));
        assert!(text_of(&c, "#rating").await.contains("200 元"));

        // HR tries the same candidate company-wide and activates it.
        log_in(&c, &s, "HR").await;
        c.goto(&s.url("/rules")).await.unwrap();
        file(&c, &candidate).await;
        click(&c, "#what-if button[type=submit]").await;
        let summary = text_of(&c, "#summary").await;
        assert!(summary.contains("1 人结果变化"), "{summary}");
        click(&c, "form[action='/rules/activate'] button").await;
        assert!(
            text_of(&c, "#activated")
                .await
                .contains("customer-service 2026.1")
        );
        let versions = s.ws.app().versions(&appraise::app::Actor::owner()).unwrap();
        assert_eq!(versions.len(), 3);
        // Activated byte for byte: the same file from the command line changes nothing.
        let again =
            s.ws.cmd("rules activate candidate/company.toml --by HR")
                .ok();
        assert!(again.contains("already activated"), "{again}");
        c.close().await.unwrap();
    });
}

/// Leave on a phone: E002, absent on a rostered Monday by the clock, asks for a day of
/// annual leave; their supervisor approves it from the to-do list; the absence is gone
/// from E002's month.
#[test]
#[ignore = "needs Chromium: `cargo test --test integration browser -- --ignored` (.ci/run runs it)"]
fn leave_is_asked_for_and_approved_in_a_real_browser() {
    let Some(d) = driver() else { return };
    let s = Served::start();
    s.ws.write(
        "roster.csv",
        "工号,日期,上班时间,下班时间\nE002,2026-06-26,08:30,17:30\nE002,2026-06-29,08:30,17:30\nE002,2026-06-30,08:30,17:30\n",
    );
    s.ws.cmd("roster import roster.csv --by HR").ok();
    s.ws.write(
        "punches.csv",
        "工号,打卡时间\nE002,2026-06-26 08:20:00\nE002,2026-06-26 17:40:00\nE002,2026-06-30 08:20:00\nE002,2026-06-30 17:40:00\n",
    );
    s.ws.cmd("clock import punches.csv --by HR").ok();
    let june = || {
        s.ws.app()
            .explain_month(
                &appraise::app::Actor::owner(),
                "E002",
                "2026-06".parse().unwrap(),
            )
            .unwrap()
            .score
            .score
            .to_string()
    };
    assert_eq!(june(), "95");
    let profile = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = browser(&d, profile.path()).await;
        log_in(&c, &s, "E002").await;
        click(&c, "nav a[href='/leave']").await;
        arrived(&c, "/leave").await;
        c.execute(
            "document.getElementById('from').value = '2026-06-29';
             document.getElementById('to').value = '2026-06-29';",
            vec![],
        )
        .await
        .unwrap();
        type_into(&c, "#reason", "家中有事").await;
        click(&c, "#leave-request button[type=submit]").await;
        assert!(text_of(&c, "#leave-1 .state").await.contains("待审批"));

        log_in(&c, &s, "张主管").await;
        c.goto(&s.url("/inbox")).await.unwrap();
        assert!(text_of(&c, "#leave-1").await.contains("年假"));
        click(&c, "#leave-1 button[value=approve]").await;
        assert!(text_of(&c, "#done").await.contains("请假已处理"));
        assert!(text_of(&c, "main").await.contains("没有待审批的请假"));

        log_in(&c, &s, "E002").await;
        c.goto(&s.url("/leave")).await.unwrap();
        assert!(text_of(&c, "#leave-1 .state").await.contains("已批准"));
        // The month shows the day as leave, not as an absence.
        c.goto(&s.url("/people/E002/2026-06")).await.unwrap();
        let month = text_of(&c, "main").await;
        assert!(month.contains("请假") && !month.contains("旷工"), "{month}");
        c.close().await.unwrap();
    });
    assert_eq!(june(), "100");
}

/// Words a page may show that are not Chinese: formats people know by these names, and the
/// test logins' own names (`HR`). Employee numbers (E002) are what people call each other's
/// records and are allowed as such, and so are file names (`staff.csv`). What a page marks
/// `data-verbatim` is shown as it was recorded or typed (the audit log's entries, logins,
/// department codes HR types) and is not read.
const NOT_CHINESE_ALLOWED: [&str; 14] = [
    "CSV", "Excel", "xlsx", "HTML", "GB18030", "UTF-8", "HR", "toml", "MB", "Webhook", "JPEG",
    "STARTTLS", "PNG", "WebP",
];

/// The visible words of the page that are neither Chinese nor allowed: English UI text or
/// internal ids (`customer-service`, `minutes=25`, `waiting:manager`, `month.close`).
async fn foreign_words(c: &Client) -> Vec<String> {
    let text = c
        .execute(
            "const body = document.body.cloneNode(true); body.querySelectorAll('[data-verbatim]').forEach(e => e.remove()); document.documentElement.appendChild(body); body.style.display = 'block'; const text = body.innerText; body.remove(); return text + ' ' + Array.from(document.querySelectorAll('[placeholder],[aria-label],[title]')).map(e => (e.getAttribute('placeholder') || '') + ' ' + (e.getAttribute('aria-label') || '') + ' ' + (e.getAttribute('title') || '')).join(' ')",
            vec![],
        )
        .await
        .unwrap();
    let text = text.as_str().unwrap_or_default().to_string();
    let mut found: Vec<String> = text
        .split(|ch: char| !(ch.is_ascii_alphanumeric() || "_-.:=".contains(ch)))
        .map(|w| w.trim_matches(|ch: char| ".:-=".contains(ch)).to_string())
        .filter(|w| w.chars().any(|ch| ch.is_ascii_alphabetic()))
        .filter(|w| !NOT_CHINESE_ALLOWED.contains(&w.as_str()))
        // Employee numbers, and hashes shown as proof (hex of the chain head).
        .filter(|w| !(w.starts_with('E') && w[1..].chars().all(|ch| ch.is_ascii_digit())))
        .filter(|w| !(w.len() >= 16 && w.chars().all(|ch| ch.is_ascii_hexdigit())))
        .filter(|w| !(w.ends_with(".toml") || w.ends_with(".csv")))
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Every page each role reaches, on a phone and on a desktop: no visible word is English UI
/// text or an internal id. With `APPRAISE_SCREENSHOTS=DIR`, saves each page as a PNG there
/// (`docs/web/` holds the set).
#[test]
#[ignore = "needs Chromium: `cargo test --test integration browser -- --ignored` (.ci/run runs it)"]
fn every_page_reads_in_chinese_for_every_role() {
    let Some(d) = driver() else { return };
    let s = Served::start();
    for line in [
        "dept add customer-service --name 客户服务部 --head E001 --by HR",
        "dept add security --name 保安部 --by HR",
        "log add E002 late --date 2026-06-29 --minutes 25 --note 8:55到岗 --by 张主管",
        "log add E002 commendation --date 2026-06-29 --note 业主表扬 --by 张主管",
        "log add E003 uniform --date 2026-05-12 --by 张主管",
        "review start --year 2025 --by HR --open-months-ok",
        "review sign E002 --year 2025 --step manager --grade excellent --by E001",
        "month close 2026-05 --by HR",
        "staff move E003 --department security --from 2026-06 --by HR",
        "notify channel add 客服群 --kind dingtalk --to http://127.0.0.1:9/robot/send?access_token=x --department customer-service --by HR",
    ] {
        s.ws.cmd(line).ok();
    }
    let shots = std::env::var_os("APPRAISE_SCREENSHOTS").map(std::path::PathBuf::from);
    let pages: [(&str, &[&str]); 4] = [
        (
            "HR",
            &[
                "/",
                "/inbox",
                "/months",
                "/ratings?year=2025",
                "/audit",
                "/admin",
                "/rules",
                "/day",
                "/day/E002",
                "/day/E002?kind=late",
                "/people/E002?year=2026",
                "/people/E002/2026-06",
                "/staff",
                "/staff/E003",
                "/password",
                "/notices",
                "/notices/mine",
            ],
        ),
        (
            "部门负责人",
            &[
                "/",
                "/inbox",
                "/day",
                "/department",
                "/rules",
                "/people/E002/2026-06",
            ],
        ),
        (
            "张主管",
            &[
                "/",
                "/inbox",
                "/day",
                "/day/E002",
                "/me",
                "/leave",
                "/notices/mine",
            ],
        ),
        (
            "E002",
            &[
                "/",
                "/me",
                "/people/E002/2026-06",
                "/people/E002/2026-05",
                "/leave",
            ],
        ),
    ];
    let profile = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = browser(&d, profile.path()).await;
        let mut wrong = Vec::new();
        let mut shot: std::collections::BTreeSet<(&str, &str)> = std::collections::BTreeSet::new();
        for (width, height, screen) in [(390, 844, "phone"), (1280, 900, "desktop")] {
            c.set_window_size(width, height).await.unwrap();
            for (login, paths) in pages {
                log_in(&c, &s, login).await;
                for path in paths {
                    c.goto(&s.url(path)).await.unwrap();
                    let found = foreign_words(&c).await;
                    if !found.is_empty() {
                        wrong.push(format!("{screen} {login} {path}: {}", found.join(" ")));
                    }
                    // One picture of each page per screen, as the first role to visit it
                    // sees it.
                    if let Some(dir) = &shots
                        && shot.insert((screen, *path))
                    {
                        let page = match path.trim_start_matches('/') {
                            "" => "home".to_string(),
                            p => p.replace(['/', '?', '=', '&'], "_"),
                        };
                        let name = format!("{screen}-{page}.png");
                        std::fs::create_dir_all(dir).unwrap();
                        std::fs::write(dir.join(name), c.screenshot().await.unwrap()).unwrap();
                    }
                }
            }
        }
        c.close().await.unwrap();
        assert!(
            wrong.is_empty(),
            "words that are not Chinese:\n{}",
            wrong.join("\n")
        );
    });
}

/// The CRC-32 a PNG chunk ends with.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A 1×1 PNG a browser draws, with an `eXIf` chunk holding a GPS position.
fn png_with_gps() -> Vec<u8> {
    use base64::Engine as _;
    let png = base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
        .unwrap();
    let exif = b"MM\0*GPSLatitude=31.2304N";
    let mut chunk = (exif.len() as u32).to_be_bytes().to_vec();
    let mut body = b"eXIf".to_vec();
    body.extend_from_slice(exif);
    chunk.extend_from_slice(&body);
    chunk.extend_from_slice(&crc32(&body).to_be_bytes());
    // After the signature (8 bytes) and IHDR (25).
    let mut out = png[..33].to_vec();
    out.extend(chunk);
    out.extend_from_slice(&png[33..]);
    out
}

#[test]
#[ignore = "needs Chromium: `cargo test --test integration browser -- --ignored` (.ci/run runs it)"]
fn a_violation_photographed_on_a_phone_reaches_the_employee_and_a_notice_is_sent() {
    let Some(d) = driver() else { return };
    let s = Served::start();
    let receiver = crate::receivers::Http::start();
    crate::notices::hook_up(&s.ws, &receiver);
    let app = s.ws.app();
    let hr = app.actor("HR").unwrap();
    app.set_notice_setting(&hr, "base_url", &s.url("")).unwrap();
    let photo = s.ws.path("uniform.png");
    std::fs::write(&photo, png_with_gps()).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = browser(&d, profile.path()).await;
        // The supervisor, on a phone: a photo from the camera input, then one tap.
        log_in(&c, &s, "张主管").await;
        click(&c, "nav a[href='/day']").await;
        click(&c, "tr[data-employee=E002] a.button").await;
        let input = c.find(Locator::Id("photo")).await.unwrap();
        assert_eq!(input.attr("capture").await.unwrap().as_deref(), Some("environment"));
        assert_eq!(input.attr("accept").await.unwrap().as_deref(), Some("image/*"));
        input.send_keys(&photo.display().to_string()).await.unwrap();
        click(&c, "button[data-kind=uniform]").await;
        let saved = text_of(&c, "#saved").await;
        assert!(saved.contains("本月得分 99"), "{saved}");

        // The server's worker tells the employee, with a link to the month.
        let started = Instant::now();
        let notice = loop {
            let got = receiver
                .delivered()
                .into_iter()
                .map(|p| p.json())
                .find(|j| j["kind"] == "event.recorded" && j["recipient"] == "E002");
            if let Some(n) = got {
                break n;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "no notice arrived");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let link = notice["url"].as_str().unwrap().to_string();
        assert_eq!(link, s.url("/people/E002/2026-06"));
        assert!(notice["text"].as_str().unwrap().contains("李四"), "{notice}");

        // The employee follows the link and sees the photo, drawn by the browser.
        log_in(&c, &s, "E002").await;
        c.goto(&link).await.unwrap();
        // Thumbnails load lazily: brought into view, then drawn once loaded.
        let started = Instant::now();
        loop {
            let drawn = c
                .execute(
                    "const i = document.querySelector('.photos img'); if (!i) return -2; i.scrollIntoView(); return i.complete ? i.naturalWidth : -1",
                    vec![],
                )
                .await
                .unwrap();
            if drawn == json!(1) {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "the photo is not shown: {drawn}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let title = c
            .find(Locator::Css(".photos a"))
            .await
            .unwrap()
            .attr("title")
            .await
            .unwrap()
            .unwrap_or_default();
        assert!(title.contains("照片哈希"), "{title}");
        if let Some(dir) = std::env::var_os("APPRAISE_SCREENSHOTS") {
            let dir = std::path::PathBuf::from(dir);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("phone-evidence.png"), c.screenshot().await.unwrap()).unwrap();
        }
        c.close().await.unwrap();
    });
}
