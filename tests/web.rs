//! The web workplace on a real server on loopback over a real database: who may call
//! which route (the whole matrix), CSRF, session expiry, logout, throttling, and the
//! audit's actors.

use std::net::SocketAddr;
use std::sync::mpsc;

use appraise::app::{App, Entry};
use appraise::web::{Config, SESSION_COOKIE};
use serde_json::{Value, json};

use crate::util::{STAFF, TODAY, Workspace, staffed};

/// The password every test login gets.
pub const PASSWORD: &str = "front-desk-2026";

/// A served workspace: the staffed test company, an employee login `E002`, and a
/// password for everyone.
pub struct Served {
    pub ws: Workspace,
    pub addr: SocketAddr,
}

impl Served {
    pub fn start() -> Served {
        Served::with_proxies(Vec::new())
    }

    /// A server that believes the `X-Forwarded-*` headers of these proxies.
    pub fn with_proxies(trusted_proxies: Vec<std::net::IpAddr>) -> Served {
        let ws = staffed();
        ws.add_login("E002", "employee", &["--employee", "E002"]);
        let app = ws.app();
        let hr = app.actor("HR").unwrap();
        for login in ["张主管", "王主管", "部门负责人", "队长", "E002"] {
            app.set_password(&hr, login, PASSWORD).unwrap();
        }
        Served::serve(ws, trusted_proxies)
    }

    /// A server on `ws`, with HR's password set.
    pub fn serve(ws: Workspace, trusted_proxies: Vec<std::net::IpAddr>) -> Served {
        let app = ws.app();
        app.set_password(&app.actor("HR").unwrap(), "HR", PASSWORD)
            .unwrap();
        let config = Config {
            today: Some(app.today()),
            trusted_proxies,
            ..Config::new(ws.path("appraise.db"))
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            appraise::web::run("127.0.0.1:0", config, |addr| tx.send(addr).unwrap()).unwrap()
        });
        let addr = rx.recv().expect("the server started");
        Served { ws, addr }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A bearer token of `login`.
    pub fn token(&self, login: &str) -> String {
        let (status, body) = self.post_json(
            "/api/v1/login",
            None,
            json!({"login": login, "password": PASSWORD}),
        );
        assert_eq!(status, 200, "{body}");
        body["token"].as_str().unwrap().to_string()
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> (u16, String) {
        let mut req = agent().get(self.url(path));
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        let mut res = req.call().unwrap();
        let status = res.status().as_u16();
        (status, res.body_mut().read_to_string().unwrap_or_default())
    }

    /// Gets `path`, or posts `body` (JSON, a form or a file upload) to it: the status, and
    /// where a redirect goes.
    /// Sends `body` to `path`: the status, and where a redirect leads or else the body.
    pub fn send(&self, path: &str, token: Option<&str>, body: &Body) -> (u16, String) {
        let auth = token.map(|t| format!("Bearer {t}"));
        let res = if let Body::None = body {
            let mut req = agent().get(self.url(path));
            if let Some(a) = &auth {
                req = req.header("Authorization", a);
            }
            req.call()
        } else {
            let mut req = agent().post(self.url(path));
            if let Some(a) = &auth {
                req = req.header("Authorization", a);
            }
            match body {
                Body::None => unreachable!("a GET is sent above"),
                Body::Json(v) => req.send_json(v),
                Body::Form(pairs) => req.send_form(pairs.iter().map(|(k, v)| (*k, v.as_str()))),
                Body::Upload { fields, file } => {
                    let (content_type, bytes) = multipart(fields, file);
                    req.header("Content-Type", content_type).send(&bytes[..])
                }
            }
        };
        let mut res = res.unwrap();
        let status = res.status().as_u16();
        // Where a redirect leads, else what the answer says.
        let said = match res.headers().get("location").and_then(|l| l.to_str().ok()) {
            Some(location) => location.to_string(),
            None => res.body_mut().read_to_string().unwrap_or_default(),
        };
        (status, said)
    }

    pub fn post_json(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        let mut req = agent().post(self.url(path));
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        let mut res = req.send_json(body).unwrap();
        let status = res.status().as_u16();
        let text = res.body_mut().read_to_string().unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

/// The status the matrix gives a redirect to the login page (a 303 elsewhere is a form's
/// answer, sent on to the page that shows the result).
const LOGIN: u16 = 1303;

/// The base64 of `text`, as the what-if page carries a candidate to its activation form.
fn base64_of(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A request body; `None` is a GET.
#[derive(Clone)]
pub enum Body {
    None,
    Json(Value),
    Form(Vec<(&'static str, String)>),
    /// A `multipart/form-data` form: its fields, and a file (name, content).
    Upload {
        fields: Vec<(&'static str, String)>,
        file: (String, Vec<u8>),
    },
}

/// A `multipart/form-data` body, as a browser sends a form with a file.
fn multipart(fields: &[(&str, String)], (name, content): &(String, Vec<u8>)) -> (String, Vec<u8>) {
    let boundary = "----appraise-test-boundary";
    let mut body = String::new();
    for (k, v) in fields {
        body +=
            &format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n");
    }
    body += &format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    );
    let mut bytes = body.into_bytes();
    bytes.extend_from_slice(content);
    bytes.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), bytes)
}

/// A client that shows every status as it is and follows no redirect.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .new_agent()
}

/// An event of E002 today, entered by 张主管; its id.
fn event_of_e002(app: &App) -> i64 {
    let by = app.actor("张主管").unwrap();
    let entry = Entry {
        employee: "E002".into(),
        kind: "uniform".into(),
        note: format!("fixture {}", fastrand::u64(..)),
        ..Entry::default()
    };
    match app.add_event(&by, entry, true).unwrap() {
        appraise::app::Recorded::Event(id) => id,
        other => panic!("an event, not {other:?}"),
    }
}

/// Every route × every role: the status each gets. Writes get fresh fixtures per cell,
/// so one role's success cannot change the next one's answer.
#[test]
fn the_authorization_matrix() {
    let s = Served::start();
    let app = s.ws.app();
    // None = no login. 部门负责人 heads customer service (E002's department); 队长 heads
    // security, so E002 is outside their scope.
    let roles: [Option<&str>; 6] = [
        None,
        Some("HR"),
        Some("部门负责人"),
        Some("张主管"),
        Some("E002"),
        Some("队长"),
    ];
    let tokens: Vec<Option<String>> = roles.iter().map(|r| r.map(|l| s.token(l))).collect();
    // A fresh leave request of E002 for each cell, each on a day of its own.
    let next_day = std::cell::Cell::new(0);
    let leave_of = move |app: &App| {
        next_day.set(next_day.get() + 1);
        let day = chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()
            + chrono::TimeDelta::days(next_day.get());
        app.request_leave(
            &app.actor("E002").unwrap(),
            appraise::app::LeaveRequest {
                employee: "E002".into(),
                kind: "年假".into(),
                from: day.to_string(),
                to: day.to_string(),
                reason: "休假".into(),
            },
        )
        .unwrap()
    };
    let leave_of = std::rc::Rc::new(leave_of);
    // A fresh punch correction asked for by E002 for each cell, each on a day of its own.
    let next_punch = std::cell::Cell::new(0);
    let correction_of = move |app: &App| {
        next_punch.set(next_punch.get() + 1);
        let day = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
            + chrono::TimeDelta::days(next_punch.get());
        let e002 = app.actor("E002").unwrap();
        app.request_correction(
            &e002,
            "E002",
            &day.to_string(),
            Some("08:55"),
            None,
            "忘记打卡",
        )
        .unwrap()
    };
    let appeal_of = |app: &App| {
        let e002 = app.actor("E002").unwrap();
        app.file_appeal(&e002, event_of_e002(app), "我当天穿着工装")
            .unwrap()
    };
    type Setup<'a> = Box<dyn Fn(&App) -> String + 'a>;
    let fixed = |p: &'static str| -> Setup { Box::new(move |_| p.to_string()) };
    let reason = Body::Json(json!({"reason": "录入错误"}));
    // A candidate: the shipped customer-service policy as a new version.
    let candidate = std::fs::read_to_string(s.ws.path("rules/customer-service.toml"))
        .unwrap()
        .replace("version = \"2025.1\"", "version = \"2026.1\"");
    let upload_candidate = Body::Upload {
        fields: vec![("year", "2026".into())],
        file: (
            "customer-service.toml".into(),
            candidate.clone().into_bytes(),
        ),
    };
    let activate = Body::Form(vec![
        ("file", "customer-service.toml".into()),
        ("text64", base64_of(&candidate)),
    ]);
    let day_file = || Body::Upload {
        fields: vec![("action", "import".into()), ("date", TODAY.into())],
        file: (
            "day.csv".into(),
            format!(
                "employee,date,kind,qty,note\nE002,{TODAY},uniform,,matrix {}\n",
                fastrand::u64(..)
            )
            .into_bytes(),
        ),
    };
    let leave_form = || {
        Body::Form(vec![
            ("kind", "annual".into()),
            ("from", "2026-08-03".into()),
            ("from_part", "day".into()),
            ("to", "2026-08-03".into()),
            ("to_part", "am".into()),
            ("reason", "办事".into()),
        ])
    };
    let target = Body::Form(vec![
        ("department", "customer-service".into()),
        ("year", "2026".into()),
        ("name", "业主满意度≥95%".into()),
        ("outcome", "met".into()),
    ]);
    let budget = Body::Form(vec![
        ("department", "customer-service".into()),
        ("year", "2026".into()),
        ("budget", "120000".into()),
        ("spent", "98000.50".into()),
    ]);
    // A photo on an event of E002's, attached once: who may see it.
    let photo = {
        let hr = app.actor("HR").unwrap();
        let event = event_of_e002(&app);
        let jpeg = vec![0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0x11, 0xFF, 0xD9];
        app.attach_to_event(
            &hr,
            event,
            vec![appraise::app::Upload {
                name: "p.jpg".into(),
                bytes: jpeg,
            }],
        )
        .unwrap();
        let sha = app.event_evidence(&hr, event).unwrap()[0].sha256.clone();
        (event, sha)
    };
    let (photo_event, photo_sha) = photo;
    #[rustfmt::skip]
    let rows: Vec<(Setup, Body, [u16; 6])> = vec![
        //                                                                         none   hr   head  sup  emp  other
        (fixed("/healthz"), Body::None,                                           [200,  200, 200, 200, 200, 200]),
        (fixed("/api/v1/openapi.json"), Body::None,                               [200,  200, 200, 200, 200, 200]),
        (fixed("/api/v1/me"), Body::None,                                         [401,  200, 200, 200, 200, 200]),
        (fixed("/api/v1/events"),
            Body::Json(json!({"employee": "E002", "kind": "uniform", "again": true})), [401, 201, 201, 201, 403, 403]),
        (fixed("/api/v1/events?employee=E002"), Body::None,                       [401,  200, 200, 200, 200, 403]),
        (fixed("/api/v1/events?month=2026-06"), Body::None,                       [401,  200, 200, 200, 200, 200]),
        (Box::new(|a| format!("/api/v1/events/{}/void", event_of_e002(a))),
            reason.clone(),                                                       [401,  200, 200, 200, 403, 403]),
        (Box::new(|a| format!("/api/v1/events/{}/excuse", event_of_e002(a))),
            reason.clone(),                                                       [401,  200, 200, 403, 403, 403]),
        (Box::new(|a| format!("/api/v1/events/{}/appeal", event_of_e002(a))),
            reason.clone(),                                                       [401,  403, 403, 403, 201, 403]),
        (fixed("/api/v1/appeals"), Body::None,                                    [401,  200, 200, 200, 200, 200]),
        (Box::new(move |a| format!("/api/v1/appeals/{}/decide", appeal_of(a))),
            Body::Json(json!({"excuse": false, "reason": "照片显示未穿工装"})),   [401,  200, 200, 403, 403, 403]),
        (fixed("/api/v1/scores?month=2026-06"), Body::None,                       [401,  200, 200, 200, 200, 200]),
        (fixed("/api/v1/explain/E002?month=2026-06"), Body::None,                 [401,  200, 200, 200, 200, 403]),
        (fixed("/api/v1/ratings?year=2026"), Body::None,                          [401,  200, 200, 200, 200, 200]),
        (fixed("/api/v1/reviews/E002/sign"),
            Body::Json(json!({"year": 2025, "step": "company", "grade": "good"})), [401, 422, 403, 403, 403, 403]),
        // Pages: everyone's home lists what waits on them.
        (fixed("/"), Body::None,                                                  [LOGIN, 200, 200, 200, 200, 200]),
        (fixed("/day"), Body::None,                                               [LOGIN, 200, 200, 200, 200, 200]),
        (fixed("/day/E002"), Body::None,                                          [LOGIN, 200, 200, 200, 403, 403]),
        // A day's file: rows outside one's scope are bad rows, named one by one (422).
        (fixed("/day/template.xlsx"), Body::None,                                 [LOGIN, 200, 200, 200, 403, 403]),
        (fixed("/imports"), day_file(),                                           [LOGIN, 303, 303, 303, 422, 422]),
        (fixed("/people/E002"), Body::None,                                       [LOGIN, 200, 200, 200, 200, 403]),
        (fixed("/people/E002/2026-06"), Body::None,                               [LOGIN, 200, 200, 200, 200, 403]),
        (fixed("/inbox"), Body::None,                                             [LOGIN, 200, 200, 200, 200, 200]),
        (fixed("/months"), Body::None,                                            [LOGIN, 200, 403, 403, 403, 403]),
        (fixed("/ratings?year=2026"), Body::None,                                 [LOGIN, 200, 403, 403, 403, 403]),
        (fixed("/reports/ratings.xlsx?year=2026"), Body::None,                    [LOGIN, 200, 403, 403, 403, 403]),
        (fixed("/statement?department=customer-service&month=2026-06"),
            Body::None,                                                           [LOGIN, 200, 200, 403, 403, 403]),
        (fixed("/department?department=customer-service"), Body::None,            [LOGIN, 200, 200, 403, 403, 403]),
        (fixed("/department/targets"), target,                                    [LOGIN, 303, 303, 403, 403, 403]),
        (fixed("/department/budget"), budget,                                     [LOGIN, 303, 303, 403, 403, 403]),
        // A head's what-if is of their own department (队长's: security).
        (fixed("/rules"), Body::None,                                             [LOGIN, 200, 200, 403, 403, 200]),
        (fixed("/rules/what-if"), upload_candidate,                               [LOGIN, 200, 200, 403, 403, 200]),
        (fixed("/rules/activate"), activate,                                      [LOGIN, 303, 403, 403, 403, 403]),
        (fixed("/audit"), Body::None,                                             [LOGIN, 200, 403, 403, 403, 403]),
        // Leave: one's own page (only 张主管 and E002 are employees); a request for oneself; a
        // decision on E002's request (never by E002); a cancellation (E002 too).
        (fixed("/leave"), Body::None,                                             [LOGIN, 404, 404, 200, 200, 404]),
        (fixed("/leave"), leave_form(),                                           [LOGIN, 404, 404, 303, 303, 404]),
        ({ let l = leave_of.clone(); Box::new(move |a| format!("/leave/{}/decide", l(a))) },
            Body::Form(vec![("outcome", "approve".into())]),                      [LOGIN, 303, 303, 303, 422, 403]),
        ({ let l = leave_of.clone(); Box::new(move |a| format!("/leave/{}/cancel", l(a))) },
            Body::Form(vec![("reason", "不休了".into())]),                        [LOGIN, 303, 303, 303, 303, 403]),
        // HR's running of the company: the admin page, a department, logins, a backup.
        (fixed("/admin"), Body::None,                                             [LOGIN, 200, 403, 403, 403, 403]),
        (fixed("/admin/departments"),
            Body::Form(vec![("id", "security".into()), ("name", "保安部".into())]),  [LOGIN, 303, 403, 403, 403, 403]),
        (fixed("/admin/logins/issue"),
            Body::Form(vec![("department", "security".into())]),                  [LOGIN, 200, 403, 403, 403, 403]),
        (fixed("/admin/logins/E002/reset"), Body::Form(vec![]),                   [LOGIN, 200, 403, 403, 403, 403]),
        // 王主管 acts in no column here; disabling them again is allowed.
        (fixed("/admin/logins/王主管/disable"), Body::Form(vec![]),               [LOGIN, 303, 403, 403, 403, 403]),
        (fixed("/admin/backup"), Body::None,                                      [LOGIN, 200, 403, 403, 403, 403]),
        // Staff records: each sees those in their scope; only HR changes one.
        (fixed("/staff"), Body::None,                                             [LOGIN, 200, 200, 200, 200, 200]),
        (fixed("/staff/E002"), Body::None,                                        [LOGIN, 200, 200, 200, 200, 403]),
        (fixed("/staff/E002"),
            Body::Form(vec![("from", "2026-06".into()), ("name", "李小四".into())]), [LOGIN, 303, 403, 403, 403, 403]),
        (Box::new(|a| format!("/events/{}/excuse", event_of_e002(a))),
            Body::Form(vec![("reason", "情况属实".into())]),                        [LOGIN, 303, 303, 403, 403, 403]),
        (fixed("/password"), Body::None,                                          [LOGIN, 200, 200, 200, 200, 200]),
        // A punch correction is asked for by E002 or whoever enters their events, and
        // decided by the latter, never by E002.
        (fixed("/corrections"),
            Body::Form(vec![("employee", "E002".into()), ("date", TODAY.into()), ("in", "08:58".into()), ("reason", "忘记打卡".into())]),
                                                                                  [LOGIN, 303, 303, 303, 303, 403]),
        (Box::new(move |a| format!("/corrections/{}/decide", correction_of(a))),
            Body::Form(vec![("outcome", "reject".into()), ("reason", "无记录".into())]), [LOGIN, 303, 303, 303, 403, 403]),
        // Evidence: seen by whoever may see the event, nobody else.
        (Box::new(move |_| format!("/api/v1/events/{photo_event}/photos")), Body::None, [401, 200, 200, 200, 200, 403]),
        (Box::new(move |_| format!("/photos/{photo_sha}")), Body::None,           [LOGIN, 200, 200, 200, 200, 403]),
        // Notices: HR's board and settings; everyone's own choices.
        (fixed("/notices"), Body::None,                                           [LOGIN, 200, 403, 403, 403, 403]),
        (fixed("/notices/channels"),
            Body::Form(vec![("name", "matrix".into()), ("kind", "webhook".into()), ("to", "http://127.0.0.1:9/hook".into())]),
                                                                                  [LOGIN, 303, 403, 403, 403, 403]),
        (fixed("/notices/settings"),
            Body::Form(vec![("give_up_hours", "72".into()), ("kind", "event.recorded".into())]),
                                                                                  [LOGIN, 303, 403, 403, 403, 403]),
        (fixed("/notices/mine"), Body::None,                                      [LOGIN, 200, 200, 200, 200, 200]),
    ];
    let mut wrong = Vec::new();
    for (path, body, expected) in &rows {
        for ((role, token), want) in roles.iter().zip(&tokens).zip(expected) {
            let path = path(&app);
            let got = match s.send(&path, token.as_deref(), body) {
                // A browser without a session is sent to log in.
                (303, to) if to.starts_with("/login") => LOGIN,
                (status, _) => status,
            };
            if got != *want {
                let method = if let Body::None = body { "GET" } else { "POST" };
                wrong.push(format!(
                    "{method} {path} as {role:?}: {got}, expected {want}"
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cells wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(
        rows.len() * roles.len(),
        342,
        "the matrix's size, as the docs give it"
    );
}

/// What each caller gets is limited to what they may see.
#[test]
fn answers_hold_only_what_the_caller_may_see() {
    let s = Served::start();
    let ids = |login: &str| -> Vec<String> {
        let (status, body) = s.get("/api/v1/scores?month=2026-06", Some(&s.token(login)));
        assert_eq!(status, 200, "{body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        v["scores"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["employee"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("E002"), ["E002"]);
    // 张主管 is E001: their own record and their team's.
    assert_eq!(ids("张主管"), ["E001", "E002", "E003"]);
    assert_eq!(ids("部门负责人"), ["E001", "E002", "E003"]);
    assert!(
        ids("队长").is_empty(),
        "E004 left in March; nobody in security is employed in June"
    );
    assert_eq!(ids("HR"), ["E001", "E002", "E003"]);
}

/// A cookie-borne write without the session's CSRF token is refused; with it, it goes
/// through. A bearer-borne write needs none.
#[test]
fn cookie_writes_need_the_csrf_token() {
    let s = Served::start();
    let token = s.token("张主管");
    let body = json!({"employee": "E002", "kind": "uniform", "again": true});
    let cookie = format!("{SESSION_COOKIE}={token}");
    let post = |csrf: Option<&str>| {
        let mut req = agent()
            .post(s.url("/api/v1/events"))
            .header("Cookie", &cookie);
        if let Some(c) = csrf {
            req = req.header("X-CSRF-Token", c);
        }
        let mut res = req.send_json(body.clone()).unwrap();
        (
            res.status().as_u16(),
            res.body_mut().read_to_string().unwrap(),
        )
    };
    let (status, text) = post(None);
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("CSRF"), "{text}");
    assert_eq!(post(Some("0123456789abcdef0123456789abcdef")).0, 403);
    let (_, me) = {
        let mut res = agent()
            .get(s.url("/api/v1/me"))
            .header("Cookie", &cookie)
            .call()
            .unwrap();
        (
            res.status().as_u16(),
            res.body_mut().read_to_string().unwrap(),
        )
    };
    let csrf = serde_json::from_str::<Value>(&me).unwrap()["csrf"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(post(Some(&csrf)).0, 201);
    // A page form without the token: refused too, and nothing stored.
    let before =
        s.ws.app()
            .events(&appraise::app::Actor::owner(), &Default::default())
            .unwrap()
            .len();
    let mut res = agent()
        .post(s.url("/day/E002"))
        .header("Cookie", &cookie)
        .send_form([("kind", "uniform"), ("again", "1")])
        .unwrap();
    assert_eq!(
        res.status().as_u16(),
        403,
        "{}",
        res.body_mut().read_to_string().unwrap()
    );
    assert_eq!(
        s.ws.app()
            .events(&appraise::app::Actor::owner(), &Default::default())
            .unwrap()
            .len(),
        before
    );
    assert_eq!(
        s.post_json("/api/v1/events", Some(&token), body.clone()).0,
        201
    );
}

/// A session ends by logging out, or when it expires; either way its token is refused.
#[test]
fn sessions_end_at_logout_and_expiry() {
    let s = Served::start();
    let gone = s.token("张主管");
    assert_eq!(s.get("/api/v1/me", Some(&gone)).0, 200);
    let mut res = agent()
        .post(s.url("/api/v1/logout"))
        .header("Authorization", format!("Bearer {gone}"))
        .send_empty()
        .unwrap();
    assert_eq!(
        res.status().as_u16(),
        204,
        "{}",
        res.body_mut().read_to_string().unwrap()
    );
    assert_eq!(s.get("/api/v1/me", Some(&gone)).0, 401);

    let stale = s.token("张主管");
    let db = rusqlite::Connection::open(s.ws.path("appraise.db")).unwrap();
    db.execute(
        "UPDATE sessions SET expires_at = '2026-01-01T00:00:00+00:00' WHERE ended_at IS NULL",
        [],
    )
    .unwrap();
    let (status, body) = s.get("/api/v1/me", Some(&stale));
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("请先登录"), "{body}");
    // A browser with an ended session is sent to the login page.
    let res = agent()
        .get(s.url("/day"))
        .header("Cookie", format!("{SESSION_COOKIE}={stale}"))
        .call()
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/login");
}

/// Guessing is slowed: after five failures at a login from one address even its password
/// waits there (429), saying how long.
#[test]
fn failed_logins_are_throttled() {
    let s = Served::start();
    for _ in 0..5 {
        let (status, body) = s.post_json(
            "/api/v1/login",
            None,
            json!({"login": "张主管", "password": "guess"}),
        );
        assert_eq!(status, 401, "{body}");
    }
    let (status, body) = s.post_json(
        "/api/v1/login",
        None,
        json!({"login": "张主管", "password": PASSWORD}),
    );
    assert_eq!(status, 429, "{body}");
    assert!(
        body["errors"][0].as_str().unwrap().contains("秒后再试"),
        "{body}"
    );
    // Another login is not held up.
    s.token("王主管");
    // A client cannot pose as another address: without a trusted proxy the header is
    // ignored.
    let res = agent()
        .post(s.url("/api/v1/login"))
        .header("X-Forwarded-For", "203.0.113.9")
        .send_json(json!({"login": "张主管", "password": PASSWORD}))
        .unwrap();
    assert_eq!(res.status().as_u16(), 429);
}

/// Behind a trusted proxy, 1,000 failed attempts at HR's login from one address (and at
/// made-up logins) leave HR's right password working from another address; the answers
/// carry the security headers, the cookie is `Secure` when the proxy says HTTPS, and HR
/// sees the guessing on the audit page.
#[test]
fn a_thousand_failures_from_one_address_leave_another_address_working() {
    let s = Served::with_proxies(vec!["127.0.0.1".parse().unwrap()]);
    let attempt = |from: &str, login: &str, password: &str| {
        agent()
            .post(s.url("/api/v1/login"))
            .header("X-Forwarded-For", from)
            .send_json(json!({"login": login, "password": password}))
            .unwrap()
            .status()
            .as_u16()
    };
    let mut throttled = 0;
    for i in 0..1000 {
        let login = if i % 2 == 0 {
            "HR".to_string()
        } else {
            format!("guess{i}")
        };
        match attempt("198.51.100.7", &login, "wrong-password") {
            429 => throttled += 1,
            401 => {}
            other => panic!("attempt {i} answered {other}"),
        }
    }
    // Only the first few were checked at all; the rest waited unchecked.
    eprintln!("{throttled} of 1,000 failed attempts were refused unchecked (429)");
    assert!(throttled >= 950, "{throttled} of 1,000 throttled");
    assert_eq!(attempt("198.51.100.7", "HR", PASSWORD), 429);
    // HR at the office, another address, logs in; the proxy's own address is not the
    // client's, so the proxy is not throttled either.
    let res = agent()
        .post(s.url("/api/v1/login"))
        .header("X-Forwarded-For", "203.0.113.50, 198.51.100.7")
        .header("X-Forwarded-Proto", "https")
        .send_json(json!({"login": "HR", "password": PASSWORD}))
        .unwrap();
    // The rightmost address the proxy added is the client: 198.51.100.7 here, throttled.
    assert_eq!(res.status().as_u16(), 429);
    let mut res = agent()
        .post(s.url("/api/v1/login"))
        .header("X-Forwarded-For", "203.0.113.50")
        .header("X-Forwarded-Proto", "https")
        .send_json(json!({"login": "HR", "password": PASSWORD}))
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let headers = res.headers().clone();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    let token: Value = serde_json::from_str(&res.body_mut().read_to_string().unwrap()).unwrap();
    let token = token["token"].as_str().unwrap();
    let (status, page) = s.get("/audit", Some(token));
    assert_eq!(status, 200);
    assert!(
        page.contains("最近一小时的登录失败") && page.contains("198.51.100.7"),
        "{page}"
    );
}

/// Every change made through the web is audited under the logged-in login.
#[test]
fn changes_are_audited_as_the_logged_in_login() {
    let s = Served::start();
    let token = s.token("张主管");
    let (status, body) = s.post_json(
        "/api/v1/events",
        Some(&token),
        json!({"employee": "E002", "kind": "late", "fields": {"minutes": 12}, "note": "8:42 到岗"}),
    );
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    let event =
        s.ws.app()
            .events(&appraise::app::Actor::owner(), &Default::default())
            .unwrap()
            .into_iter()
            .find(|e| e.id == id)
            .unwrap();
    assert_eq!(event.recorded_by, "张主管");
    let audit =
        s.ws.app()
            .audit(&appraise::app::Actor::owner(), None)
            .unwrap();
    let last = audit.iter().rev().find(|e| e.action == "log.add").unwrap();
    assert_eq!(last.actor, "张主管", "{last:?}");
    // A refused entry names the field by the policy's labels, in Chinese, and stores
    // nothing.
    let (status, body) = s.post_json(
        "/api/v1/events",
        Some(&token),
        json!({"employee": "E002", "kind": "late"}),
    );
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({"errors": ["“迟到”须填写迟到或早退分钟数（整数）。"]})
    );
}

/// Entries sent at once by many clients are gathered into shared commits: each request
/// still gets its own answer (201 with its id, or its own refusal), and the log holds
/// exactly the acknowledged entries.
#[test]
fn simultaneous_entries_each_get_their_own_answer() {
    let s = Served::start();
    let (zhang, guard) = (s.token("张主管"), s.token("队长"));
    let answers: Vec<(u16, Value)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..40)
            .map(|i| {
                let (s, zhang, guard) = (&s, &zhang, &guard);
                scope.spawn(move || match i % 4 {
                    // Out of 队长's scope.
                    0 => s.post_json(
                        "/api/v1/events",
                        Some(guard),
                        json!({"employee": "E002", "kind": "uniform", "note": format!("{i}")}),
                    ),
                    // Missing the minutes a late arrival needs.
                    1 => s.post_json(
                        "/api/v1/events",
                        Some(zhang),
                        json!({"employee": "E002", "kind": "late"}),
                    ),
                    _ => s.post_json(
                        "/api/v1/events",
                        Some(zhang),
                        json!({"employee": "E002", "kind": "uniform", "note": format!("{i}")}),
                    ),
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut ids = Vec::new();
    for (i, (status, body)) in answers.iter().enumerate() {
        let want = [403, 422, 201, 201][i % 4];
        assert_eq!(*status, want, "request {i}: {body}");
        if *status == 201 {
            ids.push(body["id"].as_i64().unwrap());
        } else {
            assert!(!body["errors"].as_array().unwrap().is_empty(), "{body}");
        }
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20, "every accepted entry has an id of its own");
    let logged: Vec<i64> =
        s.ws.app()
            .events(
                &appraise::app::Actor::owner(),
                &appraise::store::EventFilter::default(),
            )
            .unwrap()
            .into_iter()
            .filter(|e| e.recorded_by == "张主管")
            .map(|e| e.id)
            .collect();
    assert_eq!(logged, ids, "the log holds exactly what was acknowledged");
}

/// Workbooks built to exhaust a reader, uploaded by a supervisor: a cell at XFD1048576, a
/// dense column past the row limit, and one long shared string in every cell. Each is
/// refused with a message, nothing is stored, and the server answers the next request.
#[test]
fn workbook_bombs_uploaded_are_refused_and_the_server_carries_on() {
    let s = Served::start();
    let token = s.token("张主管");
    let book = |fill: &dyn Fn(&mut rust_xlsxwriter::Worksheet)| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["employee", "date", "kind", "note"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        fill(sheet);
        book.save_to_buffer().unwrap()
    };
    let far = book(&|s| {
        s.write_string(1_048_575, 16_383, "x").unwrap();
    });
    let dense = book(&|s| {
        for r in 1..=200_001 {
            s.write_number(r, 0, r as f64).unwrap();
        }
    });
    let long = "长".repeat(1_400);
    let strings = book(&|s| {
        for r in 1..=20_000 {
            s.write_string(r, 3, &long).unwrap();
        }
    });
    for (name, bytes) in [
        ("far.xlsx", far),
        ("dense.xlsx", dense),
        ("strings.xlsx", strings),
    ] {
        assert!(bytes.len() < 2_000_000, "{name}: {} bytes", bytes.len());
        let upload = Body::Upload {
            fields: vec![("action", "import".into()), ("date", TODAY.into())],
            file: (name.into(), bytes),
        };
        let (status, _) = s.send("/imports", Some(&token), &upload);
        assert_eq!(status, 422, "{name}");
    }
    let (status, body) = s.get("/api/v1/events?employee=E002", Some(&token));
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["events"],
        json!([])
    );
}

/// The day page says when the holiday calendar makes the day a holiday.
#[test]
fn the_day_page_shows_the_holiday() {
    let s = Served::start();
    s.ws.write(
        "holidays.csv",
        &format!("日期,类型,名称\n{TODAY},休,测试假日\n"),
    );
    s.ws.cmd("holiday import holidays.csv --by HR").ok();
    let token = s.token("张主管");
    let (status, body) = s.get("/day", Some(&token));
    assert_eq!(status, 200);
    assert!(body.contains("休：测试假日"), "{body}");
}

/// Nothing waits unseen: each person's home page lists what waits on them, and the menu
/// counts it; the inbox offers every review year with work, and punch corrections.
#[test]
fn each_home_page_shows_what_waits_on_its_person() {
    let s = Served::start();
    let app = s.ws.app();
    let e002 = app.actor("E002").unwrap();
    app.file_appeal(&e002, event_of_e002(&app), "我当天穿着工装")
        .unwrap();
    app.request_correction(&e002, "E002", "2026-06-10", Some("08:55"), None, "忘记打卡")
        .unwrap();
    let home = |login: &str| {
        let (status, page) = s.get("/", Some(&s.token(login)));
        assert_eq!(status, 200, "{page}");
        page
    };
    // The head decides the appeal and the correction; the badge counts both.
    let head = home("部门负责人");
    assert!(head.contains("申诉待处理：1 件"), "{head}");
    assert!(head.contains("补卡待审批：1 件"), "{head}");
    assert!(head.contains("aria-label=\"2 项待办\""), "{head}");
    // The supervisor enters E002's events, so decides the correction (not the appeal).
    let supervisor = home("张主管");
    assert!(supervisor.contains("补卡待审批：1 件"), "{supervisor}");
    assert!(!supervisor.contains("申诉待处理"), "{supervisor}");
    // E002 decides nothing of their own.
    assert!(home("E002").contains("没有等待您处理的事项"));
    // HR is told of months that ended and are still open.
    let hr = home("HR");
    assert!(
        hr.contains("已结束未结账的月份") && hr.contains("2026-05"),
        "{hr}"
    );
    // The inbox shows the correction with its form; once decided it is gone from home.
    let token = s.token("部门负责人");
    let (_, inbox) = s.get("/inbox", Some(&token));
    assert!(inbox.contains("/corrections/1/decide"), "{inbox}");
    let (status, to) = s.send(
        "/corrections/1/decide",
        Some(&token),
        &Body::Form(vec![
            ("outcome", "reject".into()),
            ("reason", "无打卡记录".into()),
        ]),
    );
    assert_eq!(
        (status, to.as_str()),
        (303, "/inbox?done=correction-decided#corrections")
    );
    assert!(!home("部门负责人").contains("补卡待审批"));
    // Once HR starts last year's reviews, each signer is told on their home page (张主管
    // is E001, E002's manager), and the inbox lists them without a year being typed.
    s.ws.cmd("review start --year 2025 --by HR --open-months-ok")
        .ok();
    let supervisor = home("张主管");
    assert!(
        supervisor.contains("2025 年度评审待您签署：1 份"),
        "{supervisor}"
    );
    let (_, inbox) = s.get("/inbox", Some(&s.token("张主管")));
    assert!(inbox.contains("/reviews/E002/sign"), "{inbox}");
}

/// An employee sees every point of their own: each event's note, fields by their labels and
/// who entered it, points as "−1 分", and an appeal offered only where it can succeed (a
/// deduction, in an open month, within the window, not yet appealed), with its last day;
/// the appeal is confirmed on the page it leads back to.
#[test]
fn employees_see_why_and_may_appeal_only_where_it_can_succeed() {
    let s = Served::start();
    let app = s.ws.app();
    let by = app.actor("张主管").unwrap();
    let add = |kind: &str, date: &str, fields: &[(&str, i64)], note: &str| {
        let entry = Entry {
            employee: "E002".into(),
            kind: kind.into(),
            date: date.into(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            note: note.into(),
            ..Entry::default()
        };
        match app.add_event(&by, entry, true).unwrap() {
            appraise::app::Recorded::Event(id) => id,
            other => panic!("an event, not {other:?}"),
        }
    };
    let late = add("late", "2026-06-29", &[("minutes", 12)], "8:42 到岗");
    let praised = add("commendation", "2026-06-29", &[], "业主来信表扬");
    let old = add("uniform", "2026-05-12", &[], "未穿工装");
    app.close_month(&app.actor("HR").unwrap(), "2026-05".parse().unwrap())
        .unwrap();
    let token = s.token("E002");
    let (status, june) = s.get("/people/E002/2026-06", Some(&token));
    assert_eq!(status, 200, "{june}");
    let row = |page: &str, id: i64| {
        let from = page.find(&format!("id=\"item-{id}\"")).unwrap();
        page[from..from + page[from..].find("</tr>").unwrap()].to_string()
    };
    let late_row = row(&june, late);
    assert!(late_row.contains("迟到或早退分钟数：12"), "{late_row}");
    assert!(
        late_row.contains("备注：8:42 到岗") && late_row.contains("录入人 张主管"),
        "{late_row}"
    );
    assert!(
        late_row.contains("−1 分") && late_row.contains("可申诉至 2026-07-07"),
        "{late_row}"
    );
    // A reward is not appealed.
    let praised_row = row(&june, praised);
    assert!(praised_row.contains("业主来信表扬"), "{praised_row}");
    assert!(!praised_row.contains("/appeal"), "{praised_row}");
    // A closed month offers no appeal.
    let (_, may) = s.get("/people/E002/2026-05", Some(&token));
    let old_row = row(&may, old);
    assert!(
        !old_row.contains("/appeal") && may.contains("本月已结账"),
        "{old_row}"
    );
    // The supervisor sees the same facts but is offered no appeal of E002's events.
    let (_, seen) = s.get("/people/E002/2026-06", Some(&s.token("张主管")));
    assert!(!row(&seen, late).contains("/appeal"));
    // The appeal is confirmed, and then no longer offered.
    let (status, to) = s.send(
        &format!("/events/{late}/appeal"),
        Some(&token),
        &Body::Form(vec![
            ("reason", "当天地铁停运".into()),
            ("back", "/people/E002/2026-06".into()),
        ]),
    );
    assert_eq!(
        (status, to.as_str()),
        (303, "/people/E002/2026-06?done=appealed")
    );
    let (_, after) = s.get(&to, Some(&token));
    assert!(
        after.contains("申诉已提交，等待部门负责人处理。"),
        "{after}"
    );
    let late_row = row(&after, late);
    assert!(
        late_row.contains("已申诉") && !late_row.contains("/appeal"),
        "{late_row}"
    );
}

/// HR's audit page: actions in words, times to the minute in the server's zone, the log a
/// page at a time, and the record verified since the last verification on every load.
#[test]
fn the_audit_page_reads_in_words_and_pages_the_log() {
    let s = Served::start();
    let app = s.ws.app();
    for _ in 0..105 {
        event_of_e002(&app);
    }
    app.close_month(&app.actor("HR").unwrap(), "2026-05".parse().unwrap())
        .unwrap();
    let token = s.token("HR");
    let (status, first) = s.get("/audit", Some(&token));
    assert_eq!(status, 200, "{first}");
    // The first load walks the whole chain; each later one what was added since.
    assert!(first.contains("记录完整（完整校验）"), "{first}");
    let (_, again) = s.get("/audit", Some(&token));
    assert!(again.contains("完整校验至区块"), "{again}");
    assert!(
        first.contains(">月份结账<") && first.contains(">录入<"),
        "{first}"
    );
    assert!(!first.contains("month.close"), "{first}");
    let time = first
        .split("<td data-label=\"时间\">")
        .nth(1)
        .and_then(|t| t.split('<').next())
        .unwrap();
    assert!(
        time.len() == 16 && time.as_bytes()[10] == b' ',
        "a time to the minute, not {time}"
    );
    let older = first
        .split("href=\"/audit?before=")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .expect("a link to older entries");
    let (status, page2) = s.get(&format!("/audit?before={older}"), Some(&token));
    assert_eq!(status, 200);
    assert!(
        page2.matches("<tr><td data-label=\"时间\">").count() > 0,
        "{page2}"
    );
    let (_, full) = s.get("/audit?full=true", Some(&token));
    assert!(full.contains("记录完整（完整校验）"), "{full}");
}

/// HR sets up a company from the browser alone: a department, the staff file (a bad row
/// stores nothing), logins for a department with first passwords shown once, a login
/// changing its password, a roster, a clock export checked, and a backup downloaded.
#[test]
fn hr_sets_up_a_company_from_the_browser() {
    let s = Served::serve(Workspace::init(), Vec::new());
    let hr = s.token("HR");
    let upload = |kind: &str, action: &str, name: &str, text: &str| {
        let fields = vec![("kind", kind.to_string()), ("action", action.to_string())];
        let (content_type, bytes) =
            multipart(&fields, &(name.to_string(), text.as_bytes().to_vec()));
        let mut res = agent()
            .post(s.url("/admin/import"))
            .header("Authorization", format!("Bearer {hr}"))
            .header("Content-Type", content_type)
            .send(&bytes[..])
            .unwrap();
        let status = res.status().as_u16();
        (status, res.body_mut().read_to_string().unwrap())
    };
    let form = |path: &str, token: &str, pairs: Vec<(&'static str, String)>| {
        let mut res = agent()
            .post(s.url(path))
            .header("Authorization", format!("Bearer {token}"))
            .send_form(pairs.iter().map(|(k, v)| (*k, v.as_str())))
            .unwrap();
        let status = res.status().as_u16();
        (status, res.body_mut().read_to_string().unwrap_or_default())
    };
    let (status, _) = form(
        "/admin/departments",
        &hr,
        vec![
            ("id", "customer-service".into()),
            ("name", "客户服务部".into()),
        ],
    );
    assert_eq!(status, 303);
    // A staff file with one bad row stores nothing and names the row.
    let bad = format!("{STAFF}E005,钱七,customer-service,staff,2026-13-01,,,08:30\n");
    let (status, page) = upload("staff", "import", "staff.csv", &bad);
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("staff.csv:6"), "{page}");
    assert!(
        s.ws.app()
            .staff(&s.ws.app().actor("HR").unwrap(), None, None)
            .unwrap()
            .is_empty()
    );
    let (status, page) = upload("staff", "import", "staff.csv", STAFF);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("新增 4 人"), "{page}");
    // Logins for customer service, each with a first password shown once.
    let (status, page) = form(
        "/admin/logins/issue",
        &hr,
        vec![("department", "customer-service".into())],
    );
    assert_eq!(status, 200, "{page}");
    let password = page
        .split("<td data-label=\"登录名\">E002</td>")
        .nth(1)
        .and_then(|t| t.split("<code>").nth(1))
        .and_then(|t| t.split("</code>").next())
        .expect("E002's first password")
        .to_string();
    assert!(page.contains(">E001<") && page.contains(">主管<"), "{page}");
    let (status, body) = s.post_json(
        "/api/v1/login",
        None,
        json!({"login": "E002", "password": password}),
    );
    assert_eq!(status, 200, "{body}");
    let e002 = body["token"].as_str().unwrap().to_string();
    // E002 chooses their own password.
    let (status, _) = form(
        "/password",
        &e002,
        vec![
            ("password", "李四的新密码2026".into()),
            ("again", "李四的新密码2026".into()),
        ],
    );
    assert_eq!(status, 303);
    let (status, _) = s.post_json(
        "/api/v1/login",
        None,
        json!({"login": "E002", "password": "李四的新密码2026"}),
    );
    assert_eq!(status, 200);
    // A roster with bad rows is refused whole, each row named in Chinese.
    let (status, page) = upload(
        "roster",
        "import",
        "roster.csv",
        "工号,日期,上班时间,下班时间\nE002,2026-13-01,08:30,17:30\nE999,2026-06-02,08:30,08:30\n",
    );
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("roster.csv:2：日期“2026-13-01”不是日期"),
        "{page}"
    );
    assert!(
        page.contains("roster.csv:3：没有工号为“E999”的员工"),
        "{page}"
    );
    assert!(page.contains("班次的上班和下班时间不能相同"), "{page}");
    // A roster, then a clock export checked only.
    let (status, page) = upload(
        "roster",
        "import",
        "roster.csv",
        "employee,date,start,end\nE002,2026-06-01,08:30,17:30\n",
    );
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("排班表已导入"), "{page}");
    let (status, page) = upload(
        "clock",
        "check",
        "punches.csv",
        "工号,打卡时间\nE002,2026-06-01 08:41:00\nE002,2026-06-01 17:35:00\n",
    );
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("只做了检查"), "{page}");
    // A consistent backup, downloaded.
    let mut res = agent()
        .get(s.url("/admin/backup"))
        .header("Authorization", format!("Bearer {hr}"))
        .call()
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let length: usize = res.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let bytes = res
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_vec()
        .unwrap();
    assert_eq!(bytes.len(), length, "sent whole");
    assert!(bytes.starts_with(b"SQLite format 3\0"), "a database file");
    // The copy holds the record as it was, whole.
    let copy = s.ws.path("backup.db");
    std::fs::write(&copy, &bytes).unwrap();
    let events = |db: &std::path::Path| -> i64 {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(events(&copy), events(&s.ws.path("appraise.db")));
    s.ws.cmd(&format!("audit verify --db {}", copy.display()))
        .ok();
}

/// Long lists come a page at a time and can be searched by name or id: HR's day (with the
/// month scores of the page) and the year's ratings, in a company of 120 more staff.
#[test]
fn long_lists_come_in_pages_and_can_be_searched() {
    let ws = staffed();
    let mut csv = String::from("id,name,department,role,joined,left,supervisor,shift_start\n");
    for i in 100..220 {
        csv += &format!("E{i},员工{i},customer-service,staff,2026-01-05,,,08:30\n");
    }
    ws.write("many.csv", &csv);
    ws.cmd("staff import many.csv --by HR").ok();
    let s = Served::serve(ws, Vec::new());
    let token = s.token("HR");
    let get = |path: &str| {
        let (status, body) = s.get(path, Some(&token));
        assert_eq!(status, 200, "{path}: {body}");
        body
    };
    let rows = |body: &str| body.matches("<tr data-employee=").count();
    let app = s.ws.app();
    let team = app.team(&app.actor("HR").unwrap()).unwrap().len();
    assert!(team > 100, "{team}");
    let first = get("/day");
    assert_eq!(rows(&first), 50, "{first}");
    assert_eq!(first.matches("class=\"score-value").count(), 50, "{first}");
    assert!(
        first.contains(&format!("第 1 / 3 页，共 {team} 人")),
        "{first}"
    );
    assert!(first.contains("rel=\"next\""), "{first}");
    let last = get("/day?page=3");
    assert_eq!(rows(&last), team - 100, "{last}");
    assert!(!last.contains("rel=\"next\""), "{last}");
    // Beyond the last page is the last page.
    assert_eq!(rows(&get("/day?page=9")), team - 100);

    let one = get("/day?q=员工150");
    assert_eq!(rows(&one), 1, "{one}");
    assert!(one.contains("data-employee=\"E150\""), "{one}");
    // An id is found in any case; ten ids hold "e15".
    assert_eq!(rows(&get("/day?q=e15")), 10);
    let none = get("/day?q=nobody");
    assert_eq!(rows(&none), 0);
    assert!(none.contains("没有找到“nobody”"), "{none}");

    let year = &TODAY[..4];
    let ratings = get(&format!("/ratings?year={year}"));
    assert_eq!(rows(&ratings), 50, "{ratings}");
    // Everyone employed in a month rated so far, the one who left too.
    let rated = app
        .ratings(
            &app.actor("HR").unwrap(),
            year.parse().unwrap(),
            None,
            &Default::default(),
            &|_, _| {},
        )
        .unwrap()
        .0
        .len();
    assert!(ratings.contains(&format!("共 {rated} 人")), "{ratings}");
    let found = get(&format!("/ratings?year={year}&q=员工15&page=1"));
    assert_eq!(rows(&found), 10, "{found}");
    assert!(found.contains("data-employee=\"E159\""), "{found}");
    assert!(found.contains("奖惩建议书"), "{found}");
}

/// HR disables a login from the browser: its sessions end at once, its password no longer
/// opens it, the page says so; a reset enables it again. HR cannot disable themselves.
#[test]
fn hr_disables_a_login_and_a_reset_enables_it() {
    let s = Served::start();
    let hr = s.token("HR");
    let victim = s.token("张主管");
    assert_eq!(s.get("/api/v1/me", Some(&victim)).0, 200);
    let (status, to) = s.send(
        "/admin/logins/张主管/disable",
        Some(&hr),
        &Body::Form(vec![]),
    );
    assert_eq!(status, 303, "{to}");
    let (_, page) = s.get(&to, Some(&hr));
    assert!(page.contains("登录已停用"), "{page}");
    assert!(page.contains("已停用"), "{page}");
    assert_eq!(s.get("/api/v1/me", Some(&victim)).0, 401);
    let (status, body) = s.post_json(
        "/api/v1/login",
        None,
        json!({"login": "张主管", "password": PASSWORD}),
    );
    assert_eq!(status, 401, "{body}");
    let audit = s.ws.cmd("audit --format csv").ok();
    assert!(audit.contains("user.disable"), "{audit}");
    let listed = crate::util::json(&s.ws.cmd("user list --format json").ok());
    let disabled = listed["disabled"].as_array().unwrap();
    assert!(disabled.contains(&json!("张主管")), "{listed}");
    assert!(!disabled.contains(&json!("HR")), "{listed}");
    s.ws.cmd("audit verify").ok();

    // Their own login is not HR's to disable.
    let (status, body) = s.send("/admin/logins/HR/disable", Some(&hr), &Body::Form(vec![]));
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("不能停用自己的登录"), "{body}");

    // A reset gives a new password that opens it.
    let (status, issued) = s.send("/admin/logins/张主管/reset", Some(&hr), &Body::Form(vec![]));
    assert_eq!(status, 200, "{issued}");
    let password = issued
        .split("<code>")
        .nth(1)
        .and_then(|rest| rest.split("</code>").next())
        .unwrap_or_else(|| panic!("no password shown: {issued}"));
    let (status, body) = s.post_json(
        "/api/v1/login",
        None,
        json!({"login": "张主管", "password": password}),
    );
    assert_eq!(status, 200, "{body}");
}

/// HR changes a record from the browser: E003 moves to security from this month; the
/// record page shows the change with its month and who made it, the months before keep
/// the old department, and a wrong month is refused in Chinese with nothing stored.
#[test]
fn hr_transfers_an_employee_and_the_history_shows_it() {
    let s = Served::start();
    let hr = s.token("HR");
    let month = &TODAY[..7];
    let (status, to) = s.send(
        "/staff/E003",
        Some(&hr),
        &Body::Form(vec![
            ("from", month.into()),
            ("department", "security".into()),
        ]),
    );
    assert_eq!(status, 303, "{to}");
    let (status, page) = s.get(&to, Some(&hr));
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("员工档案已更新"), "{page}");
    let history = page.split("id=\"history\"").nth(1).unwrap();
    assert!(history.contains(month), "{history}");
    assert!(history.contains("部门"), "{history}");
    let app = s.ws.app();
    let record = app.record(&app.actor("HR").unwrap(), "E003").unwrap();
    let now: appraise::domain::month::Month = month.parse().unwrap();
    assert_eq!(record.at(now).department, "security");
    assert_eq!(record.at(now.prev()).department, "customer-service");

    let (status, body) = s.send(
        "/staff/E003",
        Some(&hr),
        &Body::Form(vec![("from", "六月".into()), ("name", "王五五".into())]),
    );
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("六月"), "{body}");
    let after = app.record(&app.actor("HR").unwrap(), "E003").unwrap();
    assert_eq!(after, record, "nothing stored");

    // The refusal links back to the form it came from, never to another site.
    let refused_from = |referer: &str| {
        let mut res = agent()
            .post(s.url("/staff/E003"))
            .header("Authorization", format!("Bearer {hr}"))
            .header("Referer", referer)
            .send_form([("from", "六月")])
            .unwrap();
        res.body_mut().read_to_string().unwrap()
    };
    let page = refused_from(&s.url("/staff/E003"));
    assert!(page.contains("href=\"/staff/E003\" id=\"back\""), "{page}");
    let page = refused_from("http://elsewhere.example/staff/E003");
    assert!(!page.contains("id=\"back\""), "{page}");
}

/// A head excuses a deduction from the employee's month page: it stays listed as excused
/// with the reason, and the month's score no longer counts it.
#[test]
fn a_deduction_is_excused_from_the_month_page() {
    let s = Served::start();
    let app = s.ws.app();
    let id = event_of_e002(&app);
    let head = s.token("部门负责人");
    let month = &TODAY[..7];
    let page = format!("/people/E002/{month}");
    let (_, before) = s.get(&page, Some(&head));
    assert!(before.contains(&format!("id=\"excuse-{id}\"")), "{before}");
    let score = |app: &App| {
        app.explain_month(&app.actor("HR").unwrap(), "E002", month.parse().unwrap())
            .unwrap()
            .score
            .score
    };
    let was = score(&app);
    let (status, to) = s.send(
        &format!("/events/{id}/excuse"),
        Some(&head),
        &Body::Form(vec![
            ("reason", "当天工装送洗，已报备".into()),
            ("back", page.clone()),
        ]),
    );
    assert_eq!(status, 303, "{to}");
    assert!(to.starts_with(&page), "{to}");
    let (_, after) = s.get(&to, Some(&head));
    assert!(after.contains("记录已免除"), "{after}");
    assert!(!after.contains(&format!("id=\"excuse-{id}\"")), "{after}");
    assert!(score(&app) > was, "the excused deduction no longer counts");
    // An employee is never offered it.
    let (_, own) = s.get(&page, Some(&s.token("E002")));
    assert!(!own.contains("免除原因"), "{own}");
}

/// A punch the clock missed is asked for from the browser: by the employee on their leave
/// page, or by their supervisor from the entry page; it waits in the supervisor's inbox, and
/// the employee sees where it stands.
#[test]
fn punch_corrections_are_asked_for_from_the_browser() {
    let s = Served::start();
    let own = s.token("E002");
    let (status, to) = s.send(
        "/corrections",
        Some(&own),
        &Body::Form(vec![
            ("date", TODAY.into()),
            ("in", "08:55".into()),
            ("reason", "忘记打卡".into()),
        ]),
    );
    assert_eq!(status, 303, "{to}");
    let (_, page) = s.get(&to, Some(&own));
    assert!(page.contains("补卡申请已提交"), "{page}");
    let mine = page.split("id=\"my-corrections\"").nth(1).unwrap();
    assert!(mine.contains("08:55") && mine.contains("待审批"), "{mine}");

    let supervisor = s.token("张主管");
    let (status, to) = s.send(
        "/corrections",
        Some(&supervisor),
        &Body::Form(vec![
            ("employee", "E003".into()),
            ("date", TODAY.into()),
            ("out", "17:31".into()),
            ("reason", "打卡机故障".into()),
            ("back", format!("/day/E003?date={TODAY}")),
        ]),
    );
    assert_eq!(status, 303, "{to}");
    assert!(to.starts_with("/day/E003"), "{to}");
    let (_, inbox) = s.get("/inbox", Some(&s.token("部门负责人")));
    assert!(
        inbox.contains("08:55") && inbox.contains("17:31"),
        "{inbox}"
    );

    // Nobody asks for someone outside their scope; an empty reason is refused in Chinese.
    let (status, _) = s.send(
        "/corrections",
        Some(&own),
        &Body::Form(vec![
            ("employee", "E003".into()),
            ("date", TODAY.into()),
            ("in", "08:00".into()),
            ("reason", "代打".into()),
        ]),
    );
    assert_eq!(status, 403);
    let (status, body) = s.send(
        "/corrections",
        Some(&own),
        &Body::Form(vec![
            ("date", TODAY.into()),
            ("in", "08:00".into()),
            ("reason", " ".into()),
        ]),
    );
    assert_eq!(status, 422, "{body}");
}

/// JSON keeps the ids and carries what people read for them beside the records.
#[test]
fn api_answers_carry_labels_beside_their_ids() {
    let s = Served::start();
    s.ws.cmd("dept add customer-service --name 客户服务部 --by HR")
        .ok();
    let token = s.token("HR");
    let month = &TODAY[..7];
    let (status, body) = s.get(&format!("/api/v1/events?month={month}"), Some(&token));
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["labels"]["kinds"]["late"], "迟到");
    assert_eq!(v["labels"]["kinds"]["early_leave"], "早退");
    assert_eq!(v["labels"]["departments"]["customer-service"], "客户服务部");
    let (_, body) = s.get("/api/v1/ratings?year=2026", Some(&token));
    let v: Value = serde_json::from_str(&body).unwrap();
    let grade = v["ratings"][0]["grade"].as_str().unwrap();
    assert!(v["labels"]["grades"][grade].as_str().is_some(), "{body}");
    let (_, body) = s.get("/api/v1/me", Some(&token));
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (v["role"].as_str(), v["role_label"].as_str()),
        (Some("hr"), Some("人事"))
    );
}
