//! Notices (通知): written with the change that causes them, delivered to real receivers on
//! loopback (an HTTP server standing for the robots and webhooks, an SMTP server), retried
//! while a receiver is down, never twice, never for a change that did not commit, never
//! with a secret in sight.

use std::collections::BTreeSet;

use appraise::domain::notice::ChannelKind;
use appraise::store::{Channel, Store};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::receivers::{Http, Smtp};
use crate::util::{TODAY, Workspace, json, staffed};

/// Runs `appraise` in `ws` as HR with `stdin` given (a secret piped in).
fn with_stdin(ws: &Workspace, args: &[&str], stdin: &str) -> crate::util::Run {
    assert_cmd::Command::cargo_bin("appraise")
        .unwrap()
        .current_dir(ws.dir.path())
        .env_remove("APPRAISE_DB")
        .env("APPRAISE_LANG", "en")
        .env("APPRAISE_TODAY", TODAY)
        .env("APPRAISE_USER", "HR")
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap()
        .into()
}

/// Adds a channel through the library (what `notify channel add` calls).
fn channel(
    ws: &Workspace,
    name: &str,
    kind: ChannelKind,
    to: &str,
    secret: Option<&str>,
    department: Option<&str>,
) {
    let app = ws.app();
    app.add_channel(
        &app.actor("HR").unwrap(),
        Channel {
            name: name.into(),
            kind,
            target: to.into(),
            secret: secret.map(str::to_string),
            department: department.map(str::to_string),
            added_by: "HR".into(),
            added_at: String::new(),
        },
    )
    .unwrap();
}

/// A default webhook channel, `hook`, to the receiver `hook`.
pub fn hook_up(ws: &Workspace, hook: &Http) {
    channel(
        ws,
        "hook",
        ChannelKind::Webhook,
        &hook.url("/hook"),
        None,
        None,
    );
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn each_change_tells_the_right_person_in_chinese_with_a_link() {
    let ws = staffed();
    let hook = Http::start();
    with_stdin(
        &ws,
        &[
            "notify",
            "channel",
            "add",
            "hook",
            "--kind",
            "webhook",
            "--to",
            &hook.url("/hook"),
            "--secret-stdin",
        ],
        "whsec-123\n",
    )
    .ok();
    ws.cmd("notify set base-url https://kaoping.test/").ok();
    ws.cmd("log add E002 uniform --date 2026-06-25 --by 张主管")
        .ok();
    ws.cmd("log void 1 --reason 录错了人 --by 张主管").ok();
    ws.cmd("log add E002 badge --date 2026-06-26 --by 张主管")
        .ok();
    ws.cmd("appeal file 2 --reason 工牌在更衣柜 --by E002").ok();
    ws.cmd("appeal reject 1 --reason 规定须佩戴 --by 部门负责人")
        .ok();
    // Nothing has left yet: the outbox holds them, pending.
    let pending = json(&ws.cmd("notify list --format json").ok());
    let states: BTreeSet<&str> = pending["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, BTreeSet::from(["pending"]));
    assert_eq!(hook.requests(), 0);

    ws.cmd("notify send").ok();
    let got = hook.delivered();
    let find = |kind: &str, to: &str| {
        got.iter()
            .map(|p| (p, p.json()))
            .find(|(_, j)| j["kind"] == kind && j["recipient"] == to)
            .unwrap_or_else(|| panic!("no {kind} to {to} in {got:#?}"))
    };
    let (posted, recorded) = find("event.recorded", "E002");
    assert!(
        recorded["text"].as_str().unwrap().contains("李四"),
        "{recorded}"
    );
    assert!(
        recorded["text"]
            .as_str()
            .unwrap()
            .contains("记录人：张主管")
    );
    assert!(
        recorded["text"]
            .as_str()
            .unwrap()
            .contains("请于 2026-07-07 前"),
        "{recorded}"
    );
    assert_eq!(recorded["url"], "https://kaoping.test/people/E002/2026-06");
    assert_eq!(recorded["employee"], "E002");
    // Signed with the channel's secret over the exact body.
    let signature = format!(
        "sha256={}",
        hex(&hmac(b"whsec-123", posted.body.as_bytes()))
    );
    assert_eq!(
        posted.header("x-appraise-signature"),
        Some(signature.as_str())
    );
    assert_eq!(posted.header("idempotency-key"), recorded["id"].as_str());

    let (_, voided) = find("event.voided", "E002");
    assert!(
        voided["text"].as_str().unwrap().contains("已作废"),
        "{voided}"
    );
    assert!(voided["text"].as_str().unwrap().contains("录错了人"));
    // The appeal waits on the head of customer service (a login of no employee).
    let (_, waiting) = find("appeal.waiting", "@部门负责人");
    assert!(
        waiting["text"].as_str().unwrap().contains("工牌在更衣柜"),
        "{waiting}"
    );
    assert_eq!(waiting["url"], "https://kaoping.test/inbox");
    // The head of security is not told of another department's appeal.
    assert!(!got.iter().any(|p| p.json()["recipient"] == "@队长"));
    let (_, decided) = find("appeal.decided", "E002");
    assert!(
        decided["text"].as_str().unwrap().contains("未获支持"),
        "{decided}"
    );
    assert!(decided["text"].as_str().unwrap().contains("规定须佩戴"));

    // Sent once: another run sends nothing again.
    let before = hook.requests();
    ws.cmd("notify send").ok();
    assert_eq!(hook.requests(), before);
    let sent = json(&ws.cmd("notify list --format json").ok());
    assert!(
        sent["notices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["state"] == "sent")
    );
}

#[test]
fn an_import_sends_one_digest_per_employee_and_a_failed_month_warns() {
    let ws = staffed();
    let hook = Http::start();
    hook_up(&ws, &hook);
    // Twenty uniform slips in May for E002 (−1 each: 80, below the pass mark of 85), one
    // for E003.
    let mut rows = String::from("employee,date,kind\n");
    for day in 1..=20 {
        rows += &format!("E002,2026-05-{day:02},uniform\n");
    }
    rows += "E003,2026-05-04,uniform\n";
    ws.write("may.csv", &rows);
    ws.cmd("log import may.csv").ok();
    ws.cmd("month close 2026-05").ok();
    ws.cmd("notify send").ok();
    let got: Vec<serde_json::Value> = hook.delivered().iter().map(|p| p.json()).collect();
    let digests: Vec<&serde_json::Value> = got
        .iter()
        .filter(|j| j["kind"] == "import.digest")
        .collect();
    assert_eq!(digests.len(), 2, "{got:#?}");
    let e002 = digests.iter().find(|j| j["recipient"] == "E002").unwrap();
    assert!(e002["text"].as_str().unwrap().contains("20 条"), "{e002}");
    let failed: Vec<&serde_json::Value> =
        got.iter().filter(|j| j["kind"] == "month.failed").collect();
    assert_eq!(failed.len(), 1, "only E002 failed May: {got:#?}");
    assert_eq!(failed[0]["recipient"], "E002");
    assert!(failed[0]["text"].as_str().unwrap().contains("2026-05"));
    // No event.recorded per row: the import's digest stands for them.
    assert!(!got.iter().any(|j| j["kind"] == "event.recorded"));
}

#[test]
fn a_receiver_down_for_a_while_gets_every_notice_once_it_is_back_and_none_twice() {
    let ws = staffed();
    // A port nobody listens on yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    channel(
        &ws,
        "hook",
        ChannelKind::Webhook,
        &format!("http://127.0.0.1:{port}/hook"),
        None,
        None,
    );
    let app = ws.app();
    for day in 1..=5 {
        let entry = appraise::app::Entry {
            employee: "E002".into(),
            date: format!("2026-06-{day:02}"),
            kind: "uniform".into(),
            ..Default::default()
        };
        app.add_event(&app.actor("张主管").unwrap(), entry, false)
            .unwrap();
    }
    let mut store = Store::open(&ws.path("appraise.db")).unwrap();
    let start = chrono::Utc::now().timestamp();
    let round = |store: &mut Store, t: i64| appraise::notify::deliver(store, &|| t).unwrap();
    // Down: each is tried, and waits 30 s, then 60 s.
    assert_eq!(round(&mut store, start).retried, 5);
    assert_eq!(
        round(&mut store, start + 10).retried,
        0,
        "not due again yet"
    );
    assert_eq!(round(&mut store, start + 31).retried, 5);
    let listed = store.notices(None, 10).unwrap();
    assert!(
        listed
            .iter()
            .all(|n| n.attempts == 2 && n.last_error.as_deref().unwrap().contains("无法连接"))
    );
    // Back.
    let receiver = Http::start_on(port);
    let r = round(&mut store, start + 31 + 61);
    assert_eq!(r.sent, 5);
    assert_eq!(round(&mut store, start + 100_000).sent, 0);
    let ids: Vec<String> = receiver
        .delivered()
        .iter()
        .map(|p| p.json()["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 5);
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        5,
        "none twice: {ids:?}"
    );
}

#[test]
fn a_receiver_answering_5xx_is_retried_and_a_4xx_is_given_up_on_with_its_reason() {
    let ws = staffed();
    let flaky = Http::answering(|n| {
        if n < 1 {
            (502, "bad gateway".into())
        } else {
            (200, "{}".into())
        }
    });
    let wrong = Http::answering(|_| (404, "no such hook".into()));
    channel(
        &ws,
        "cs",
        ChannelKind::Webhook,
        &flaky.url("/cs"),
        None,
        Some("customer-service"),
    );
    channel(
        &ws,
        "sec",
        ChannelKind::Webhook,
        &wrong.url("/sec?key=SECRETKEY"),
        None,
        Some("security"),
    );
    ws.cmd("log add E002 uniform --date 2026-06-25 --by 张主管")
        .ok();
    ws.run_on(
        "2026-03-20",
        &["log", "add", "E004", "uniform", "--date", "2026-03-02"],
    )
    .ok();
    let mut store = Store::open(&ws.path("appraise.db")).unwrap();
    let t = chrono::Utc::now().timestamp();
    let first = appraise::notify::deliver(&mut store, &|| t).unwrap();
    assert_eq!((first.retried, first.failed), (1, 1), "{first:?}");
    let second = appraise::notify::deliver(&mut store, &|| t + 31).unwrap();
    assert_eq!(second.sent, 1);
    assert_eq!(flaky.delivered().len(), 1);
    // Given up on, with the reason, shown to HR; the address's key is not in it.
    let failed = json(&ws.cmd("notify list --failed --format json").ok());
    let failed = failed["notices"].as_array().unwrap();
    assert_eq!(failed.len(), 1);
    let error = failed[0]["last_error"].as_str().unwrap();
    assert!(error.contains("HTTP 404"), "{error}");
    assert!(!error.contains("SECRETKEY"), "{error}");
    let table = ws.cmd("notify list --failed").ok();
    assert!(table.contains("发送失败"), "{table}");
    // `notify send` says so with its exit code when a notice fails for good.
    ws.run_on(
        "2026-03-20",
        &["log", "add", "E004", "badge", "--date", "2026-03-03"],
    )
    .ok();
    drop(store);
    let refused = ws.cmd("notify send").fails(1);
    assert!(refused.contains("notify list --failed"), "{refused}");
    assert!(!refused.contains("SECRETKEY"), "{refused}");
}

#[test]
fn dingtalk_and_feishu_signatures_verify_by_their_published_algorithms() {
    let ws = staffed();
    let robots = Http::start();
    channel(
        &ws,
        "ding",
        ChannelKind::Dingtalk,
        &robots.url("/robot/send?access_token=TOKEN1"),
        Some("SECding"),
        Some("customer-service"),
    );
    channel(
        &ws,
        "fei",
        ChannelKind::Feishu,
        &robots.url("/open-apis/bot/v2/hook/HOOK1"),
        Some("SECfei"),
        Some("security"),
    );
    ws.cmd("staff set E002 --attr mobile=13800000000 --from 2026-06")
        .ok();
    ws.cmd("log add E002 uniform --date 2026-06-25 --by 张主管")
        .ok();
    ws.run_on(
        "2026-03-20",
        &["log", "add", "E004", "uniform", "--date", "2026-03-02"],
    )
    .ok();
    ws.cmd("notify send").ok();
    let got = robots.delivered();
    assert_eq!(got.len(), 2, "{got:#?}");
    let ding = got
        .iter()
        .find(|p| p.path.starts_with("/robot/send"))
        .unwrap();
    let query: std::collections::BTreeMap<String, String> =
        url::form_urlencoded::parse(ding.path.split_once('?').unwrap().1.as_bytes())
            .into_owned()
            .collect();
    assert_eq!(query["access_token"], "TOKEN1");
    let ms: i64 = query["timestamp"].parse().unwrap();
    assert!(
        (chrono::Utc::now().timestamp_millis() - ms).abs() < 3_600_000,
        "within the hour DingTalk allows"
    );
    let expected = base64::engine::general_purpose::STANDARD
        .encode(hmac(b"SECding", format!("{ms}\nSECding").as_bytes()));
    assert_eq!(query["sign"], expected);
    let body = ding.json();
    assert_eq!(body["msgtype"], "text");
    assert!(body["text"]["content"].as_str().unwrap().contains("李四"));

    let fei = got
        .iter()
        .find(|p| p.path.starts_with("/open-apis"))
        .unwrap()
        .json();
    let s: i64 = fei["timestamp"].as_str().unwrap().parse().unwrap();
    let expected = base64::engine::general_purpose::STANDARD
        .encode(hmac(format!("{s}\nSECfei").as_bytes(), b""));
    assert_eq!(fei["sign"], expected);
    assert_eq!(fei["msg_type"], "text");
    assert!(
        fei["content"]["text"].as_str().unwrap().contains("赵六"),
        "{fei}"
    );
}

#[test]
fn a_robot_is_not_sent_more_than_its_rate_limit_and_nothing_is_dropped() {
    let ws = staffed();
    let robot = Http::start();
    channel(
        &ws,
        "ding",
        ChannelKind::Dingtalk,
        &robot.url("/robot/send?access_token=T"),
        None,
        None,
    );
    let mut rows = String::from("employee,date,kind\n");
    for day in 1..=25 {
        rows += &format!("E00{},2026-06-{day:02},uniform\n", 2 + day % 2);
    }
    // Single entries, one notice each: 25 for one robot that takes 20 a minute.
    let app = ws.app();
    for line in rows.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let entry = appraise::app::Entry {
            employee: f[0].into(),
            date: f[1].into(),
            kind: f[2].into(),
            ..Default::default()
        };
        app.add_event(&app.actor("HR").unwrap(), entry, false)
            .unwrap();
    }
    let mut store = Store::open(&ws.path("appraise.db")).unwrap();
    let t = chrono::Utc::now().timestamp();
    let first = appraise::notify::deliver(&mut store, &|| t).unwrap();
    assert_eq!((first.sent, first.deferred), (20, 5));
    assert_eq!(
        appraise::notify::deliver(&mut store, &|| t + 30)
            .unwrap()
            .sent,
        0
    );
    assert_eq!(
        appraise::notify::deliver(&mut store, &|| t + 61)
            .unwrap()
            .sent,
        5
    );
    assert_eq!(robot.delivered().len(), 25);
}

#[test]
fn e_mail_reaches_the_address_on_file_over_smtp() {
    let ws = staffed();
    let smtp = Smtp::start();
    ws.cmd("staff set E002 --attr email=lisi@corp.test --from 2026-06")
        .ok();
    ws.run(&[
        "notify",
        "channel",
        "add",
        "mail",
        "--kind",
        "email",
        "--to",
        &format!("smtp://127.0.0.1:{}?from=hr@corp.test&tls=none", smtp.port),
    ])
    .ok();
    ws.cmd("log add E002 uniform --date 2026-06-25 --by 张主管")
        .ok();
    ws.cmd("notify send").ok();
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1, "{mails:#?}");
    assert_eq!(mails[0].to, ["lisi@corp.test"]);
    assert_eq!(mails[0].from, "hr@corp.test");
    // The body travels encoded (quoted-printable or base64): the subject and Message-ID
    // are plain to check.
    assert!(
        mails[0].data.contains("Message-ID: <event.recorded."),
        "{}",
        mails[0].data
    );
    assert!(mails[0].data.contains("Subject:"), "{}", mails[0].data);
    // E003 has no address and no robot reaches them: the notice waits, saying why.
    ws.cmd("log add E003 uniform --date 2026-06-25 --by 张主管")
        .ok();
    ws.cmd("notify send").ok();
    let pending = json(&ws.cmd("notify list --pending --format json").ok());
    let why = pending["notices"][0]["last_error"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(why.contains("没有能送达 E003 的渠道"), "{why}");
    // A test message goes to the address given.
    ws.cmd("notify test mail --to hr-test@corp.test").ok();
    assert_eq!(smtp.mails().last().unwrap().to, ["hr-test@corp.test"]);
}

#[test]
fn muted_and_switched_off_notices_are_not_sent() {
    let ws = staffed();
    let hook = Http::start();
    hook_up(&ws, &hook);
    // What starts a deadline cannot be muted by its recipient.
    let refused = ws.cmd("notify mine event.recorded off --by E002").fails(1);
    assert!(refused.contains("cannot be muted"), "{refused}");
    // HR mutes the month-ready notice for themself; the company switches voids off.
    ws.cmd("notify mine 月度可结账 off --by HR").ok();
    ws.cmd("notify kind event.voided off").ok();
    ws.cmd("log add E002 uniform --date 2026-06-25 --by 张主管")
        .ok();
    ws.cmd("log void 1 --reason 录错 --by 张主管").ok();
    ws.cmd("notify send").ok();
    let kinds: Vec<(String, String)> = hook
        .delivered()
        .iter()
        .map(|p| {
            let j = p.json();
            (
                j["kind"].as_str().unwrap().into(),
                j["recipient"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("event.recorded".into(), "E002".into())),
        "{kinds:?}"
    );
    assert!(!kinds.iter().any(|(k, _)| k == "event.voided"), "{kinds:?}");
    assert!(
        !kinds.contains(&("month.ready".into(), "@HR".into())),
        "{kinds:?}"
    );
    // The other HR login did not mute it.
    assert!(
        kinds.contains(&("month.ready".into(), "@x".into())),
        "{kinds:?}"
    );
}

#[test]
fn secrets_never_appear_in_lists_json_errors_or_the_audit_trail() {
    let ws = staffed();
    let down = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    with_stdin(
        &ws,
        &[
            "notify",
            "channel",
            "add",
            "ding",
            "--kind",
            "dingtalk",
            "--to",
            &format!("http://127.0.0.1:{down}/robot/send?access_token=TOKENSECRET42"),
            "--secret-stdin",
        ],
        "SECSIGNING99\n",
    )
    .ok();
    ws.cmd("log add E002 uniform --date 2026-06-25 --by 张主管")
        .ok();
    let sent = ws.cmd("notify send").run_output();
    let mut seen = sent;
    for line in [
        "notify channel list",
        "notify channel list --format json",
        "notify list",
        "notify list --format json",
        "audit",
        "audit --format json",
    ] {
        seen += &ws.cmd(line).run_output();
    }
    seen += &ws.cmd("notify test ding").run_output();
    for secret in ["TOKENSECRET42", "SECSIGNING99"] {
        assert!(!seen.contains(secret), "{secret} shown in:\n{seen}");
    }
    assert!(
        seen.contains("notify.channel"),
        "the change itself is audited"
    );
}

#[test]
fn a_change_killed_before_its_commit_leaves_no_notice_and_one_after_loses_none() {
    let ws = Workspace::init();
    ws.cmd("gen --staff 60 --year 2025 --seed 7 w").ok();
    ws.cmd("staff import w/staff.csv").ok();
    let hook = Http::start();
    hook_up(&ws, &hook);
    let count = |ws: &Workspace| {
        let c = rusqlite::Connection::open(ws.path("appraise.db")).unwrap();
        let events: i64 = c
            .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
            .unwrap();
        let notices: i64 = c
            .query_row("SELECT count(*) FROM notices", [], |r| r.get(0))
            .unwrap();
        (events, notices)
    };
    for attempt in 0..3 {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("appraise"))
            .current_dir(ws.dir.path())
            .env("APPRAISE_TODAY", TODAY)
            .env("APPRAISE_USER", "HR")
            .args(["log", "import", "w/events.csv"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(150 + 100 * attempt));
        child.kill().unwrap();
        child.wait().unwrap();
        let (events, notices) = count(&ws);
        if events == 0 {
            assert_eq!(notices, 0, "a notice for an import that did not commit");
        } else {
            break;
        }
    }
    if count(&ws).0 == 0 {
        ws.cmd("log import w/events.csv").ok();
    }
    // Committed: one digest per employee is in the outbox, and is delivered by a later
    // run, the process that made the change being gone.
    let (_, notices) = count(&ws);
    assert_eq!(notices, 60, "one digest per employee");
    ws.cmd("notify send").ok();
    let digests = hook
        .delivered()
        .iter()
        .filter(|p| p.json()["kind"] == "import.digest")
        .count();
    assert_eq!(digests, 60);
}

#[test]
fn reviews_reminders_digests_and_excuses_reach_their_people() {
    let ws = staffed();
    let hook = Http::start();
    hook_up(&ws, &hook);
    ws.cmd("dept add customer-service --name 客户服务部 --head E001 --by HR")
        .ok();
    // The supervisor E001 (张主管) chooses the daily digest of their team.
    ws.cmd("notify mine 班组每日汇总 on --by 张主管").ok();
    ws.run_on(
        "2026-06-29",
        &["log", "add", "E002", "uniform", "--by", "张主管"],
    )
    .ok();
    ws.run_on(
        "2026-06-29",
        &["log", "add", "E003", "badge", "--by", "张主管"],
    )
    .ok();
    ws.cmd("log excuse 1 --reason 制服送洗 --by 部门负责人")
        .ok();
    ws.cmd("review start --year 2025 --by HR --open-months-ok")
        .ok();
    ws.cmd("review sign E002 --year 2025 --step manager --grade excellent --by 张主管")
        .ok();
    ws.cmd("notify send").ok();
    // An appeal's window runs 7 days from the entry, which is stamped by the clock: this
    // part runs on the clock's days.
    let today = chrono::Local::now().date_naive();
    let on = |days: i64| (today + chrono::TimeDelta::days(days)).to_string();
    ws.run_on(&on(0), &["log", "add", "E003", "shoes", "--by", "张主管"])
        .ok();
    let id = json(&ws.cmd("log list --employee E003 --format json").ok())["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "shoes")
        .unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    ws.run_on(
        &on(0),
        &[
            "appeal",
            "file",
            &id,
            "--reason",
            "鞋是新的",
            "--by",
            "E003",
        ],
    )
    .ok();
    ws.run_on(&on(5), &["notify", "send"]).ok();
    let early = hook
        .delivered()
        .iter()
        .filter(|p| p.json()["kind"] == "appeal.reminder")
        .count();
    assert_eq!(early, 0, "not two days before");
    // The day before the window closes.
    ws.run_on(&on(6), &["notify", "send"]).ok();
    let got: Vec<serde_json::Value> = hook.delivered().iter().map(|p| p.json()).collect();
    let find = |kind: &str, to: &str| {
        got.iter()
            .find(|j| j["kind"] == kind && j["recipient"] == to)
            .unwrap_or_else(|| panic!("no {kind} to {to} in {got:#?}"))
    };
    let excused = find("event.excused", "E002");
    assert!(
        excused["text"].as_str().unwrap().contains("制服送洗"),
        "{excused}"
    );
    // The review start waits on the supervisor; their signature passes it to the head.
    let waiting = |step: &str, who: &str| {
        got.iter().any(|j| {
            let text = j["text"].as_str().unwrap();
            j["kind"] == "review.waiting"
                && j["recipient"] == "E001"
                && text.contains(step)
                && text.contains(who)
        })
    };
    assert!(waiting("直属上级", "李四（E002）"), "{got:#?}");
    assert!(waiting("部门负责人", "李四（E002）"), "{got:#?}");
    let digest = find("team.digest", "E001");
    let text = digest["text"].as_str().unwrap();
    assert!(
        text.contains("2026-06-29") && text.contains("李四 1 条") && text.contains("王五 1 条"),
        "{text}"
    );
    let reminder = find("appeal.reminder", "E001");
    assert!(
        reminder["text"].as_str().unwrap().contains(&on(7)),
        "{reminder}"
    );
    // Each once, however often `notify send` runs.
    let kinds: Vec<String> = got
        .iter()
        .map(|j| j["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        kinds.iter().collect::<BTreeSet<_>>().len(),
        kinds.len(),
        "{kinds:?}"
    );
}

#[test]
fn two_deliverers_at_once_send_each_notice_once() {
    let ws = staffed();
    // A slow receiver: each delivery takes 20 ms, so the two deliverers overlap.
    let hook = Http::answering(|_| {
        std::thread::sleep(std::time::Duration::from_millis(20));
        (200, "{}".into())
    });
    hook_up(&ws, &hook);
    let app = ws.app();
    for day in 1..=20 {
        let entry = appraise::app::Entry {
            employee: "E002".into(),
            date: format!("2026-06-{day:02}"),
            kind: "uniform".into(),
            ..Default::default()
        };
        app.add_event(&app.actor("张主管").unwrap(), entry, false)
            .unwrap();
    }
    let db = ws.path("appraise.db");
    let sent: usize = std::thread::scope(|s| {
        let runs: Vec<_> = (0..2)
            .map(|_| {
                let db = db.clone();
                s.spawn(move || {
                    let mut store = Store::open(&db).unwrap();
                    let t = chrono::Utc::now().timestamp();
                    appraise::notify::deliver(&mut store, &|| t).unwrap().sent
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).sum()
    });
    assert_eq!(sent, 20);
    let ids: Vec<String> = hook
        .delivered()
        .iter()
        .map(|p| p.json()["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 20, "{ids:?}");
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 20);
}

#[test]
fn a_secret_kept_outside_the_database_signs_and_a_missing_one_waits_naming_where() {
    let ws = staffed();
    let hook = Http::start();
    let file = ws.write("hook.secret", "whsec-from-file\n");
    let file = file.display().to_string();
    let url = hook.url("/hook");
    let add = |extra: &[&str]| {
        let mut args = vec![
            "notify", "channel", "add", "hook", "--kind", "webhook", "--to", &url,
        ];
        args.extend_from_slice(extra);
        ws.run(&args)
    };
    // Only absolute files and proper variable names are taken.
    let err = add(&["--secret-file", "hook.secret"]).fails(1);
    assert!(err.contains("绝对路径"), "{err}");
    let err = add(&["--secret-env", "hook-secret"]).fails(1);
    assert!(err.contains("环境变量"), "{err}");
    add(&["--secret-file", &file]).ok();

    ws.cmd("log add E002 uniform --date 2026-06-25 --by 张主管")
        .ok();
    ws.cmd("notify send").ok();
    let got = hook.delivered();
    let posted = got.first().expect("the notice was delivered");
    let signature = format!(
        "sha256={}",
        hex(&hmac(b"whsec-from-file", posted.body.as_bytes()))
    );
    assert_eq!(
        posted.header("x-appraise-signature"),
        Some(signature.as_str())
    );
    // The database holds where the secret is, never the secret.
    let db = std::fs::read(ws.path("appraise.db")).unwrap();
    assert!(!db.windows(15).any(|w| w == b"whsec-from-file"));

    // From the environment: missing, the notice waits and says which variable.
    add(&["--secret-env", "APPRAISE_HOOK_SECRET"]).ok();
    ws.cmd("log add E002 badge --date 2026-06-26 --by 张主管")
        .ok();
    let delivered = hook.delivered().len();
    ws.cmd("notify send").ok();
    assert_eq!(hook.delivered().len(), delivered);
    let listed = ws.cmd("notify list --format json").ok();
    assert!(listed.contains("APPRAISE_HOOK_SECRET"), "{listed}");
    assert!(listed.contains("pending"), "{listed}");
}
