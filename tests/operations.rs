//! Running appraise as a company's service: the configuration file, the shipped systemd
//! unit's command line, a stop under load that loses nothing, backups kept in a folder and
//! a restore drill, what an operator watches (`/metrics`, `/readyz`, the request log), and
//! the version an operator checks before an upgrade.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use appraise::app::{Actor, App, Entry, Recorded};
use chrono::NaiveDateTime;
use serde_json::{Value, json};

use crate::util::{Workspace, staffed};
use crate::web::{PASSWORD, Served};

/// The built binary.
fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin!("appraise").to_path_buf()
}

/// A staffed workspace where HR has the test password.
fn company() -> Workspace {
    let ws = staffed();
    let app = ws.app();
    app.set_password(&app.actor("HR").unwrap(), "HR", PASSWORD)
        .unwrap();
    ws
}

/// `appraise serve` (or another command line) running as a service would: its own
/// process, stopped by a signal.
struct Service {
    child: Child,
    addr: SocketAddr,
    /// What it wrote to standard error so far (the request log).
    log: Arc<Mutex<String>>,
}

impl Service {
    /// Starts `program args` and waits for the address it serves on.
    fn start(program: &Path, args: &[&str], cwd: &Path) -> Service {
        let mut child = Command::new(program)
            .args(args)
            .current_dir(cwd)
            .env_remove("APPRAISE_DB")
            .env_remove("APPRAISE_TODAY")
            .env("APPRAISE_LANG", "en")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the service starts");
        let log = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().unwrap();
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!(
                    "the service did not say where it serves: {line:?}, {:?}",
                    log.lock().unwrap()
                )
            });
        Service { child, addr, log }
    }

    /// `appraise serve` on `ws`'s database, on a free loopback port.
    fn serving(ws: &Workspace) -> Service {
        let db = ws.path("appraise.db").display().to_string();
        Service::start(
            &binary(),
            &["--db", &db, "serve", "--listen", "127.0.0.1:0"],
            ws.dir.path(),
        )
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Sends SIGTERM, as systemd does to stop a service, and waits (at most `bound`) for
    /// the exit code.
    fn stop(mut self, bound: Duration) -> (i32, String) {
        // SAFETY: kill only sends a signal to the child we started.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                std::thread::sleep(Duration::from_millis(100));
                let log = self.log.lock().unwrap().clone();
                return (status.code().unwrap_or(-1), log);
            }
            if started.elapsed() > bound {
                let _ = self.child.kill();
                panic!("the service did not stop within {bound:?} of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

fn login(url: &str) -> String {
    let mut res = agent()
        .post(format!("{url}/api/v1/login"))
        .send_json(json!({"login": "HR", "password": PASSWORD}))
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.body_mut().read_json().unwrap();
    body["token"].as_str().unwrap().to_string()
}

#[test]
fn a_wrong_setting_is_refused_at_start_with_its_line() {
    let ws = company();
    ws.write(
        "appraise.toml",
        "[server]\nhttps = true\n\n[backup]\nkepe = 3\n",
    );
    let err = ws.cmd("serve").fails(1);
    assert!(err.contains("appraise.toml"), "{err}");
    assert!(err.contains("line 5"), "{err}");
    assert!(err.contains("kepe"), "{err}");
    // Every command reads it (the company's clock is in it), and says the same.
    let err = ws.cmd("staff list").fails(1);
    assert!(err.contains("line 5"), "{err}");

    // Named with --config, a missing file is an error too, not the defaults.
    std::fs::remove_file(ws.path("appraise.toml")).unwrap();
    let err = ws.cmd("--config nowhere.toml serve").fails(1);
    assert!(err.contains("nowhere.toml"), "{err}");
}

#[test]
fn the_shipped_configuration_reads() {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/appraise.toml");
    let c = appraise::app::ServiceConfig::load(&shipped).unwrap();
    assert!(c.server.https);
    assert_eq!(c.company.utc_offset.unwrap().local_minus_utc(), 8 * 3600);
    assert_eq!(c.backup.keep, 14);
    assert!(c.backup.at.is_some());
}

#[test]
fn the_version_names_the_database_schema() {
    let out = Workspace::new().cmd("--version").ok();
    assert_eq!(
        out.trim(),
        format!(
            "appraise {} (database schema {})",
            env!("CARGO_PKG_VERSION"),
            appraise::store::SCHEMA_VERSION
        )
    );
}

#[test]
fn a_database_newer_than_the_binary_is_refused() {
    let ws = company();
    let conn = rusqlite::Connection::open(ws.path("appraise.db")).unwrap();
    conn.pragma_update(None, "user_version", appraise::store::SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    let err = ws.cmd("staff list").fails(2);
    assert!(err.contains("newer"), "{err}");
}

/// The unit file's command line, with the machine's paths made the test's.
fn unit_command(ws: &Workspace, config: &Path) -> Vec<String> {
    let unit = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/appraise.service"),
    )
    .unwrap();
    let line = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("the unit has an ExecStart");
    line.replace("/var/lib/appraise", &ws.dir.path().display().to_string())
        .replace("/etc/appraise/appraise.toml", &config.display().to_string())
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

#[test]
fn the_units_command_line_serves_backs_up_nightly_and_stops_cleanly() {
    let ws = company();
    let backups = ws.path("backups");
    // The nightly backup a few seconds from now, on a company clock of UTC.
    let at = (chrono::Utc::now() + chrono::Duration::seconds(3)).format("%H:%M:%S");
    let config = ws.write(
        "service.toml",
        &format!(
            "[server]\nlisten = \"127.0.0.1:0\"\nshutdown_seconds = 5\n\n[company]\nutc_offset = \"+00:00\"\n\n[backup]\ndir = \"{}\"\nkeep = 3\nat = \"{at}\"\n",
            backups.display()
        ),
    );
    let line = unit_command(&ws, &config);
    assert_eq!(line[0], "/usr/local/bin/appraise");
    let args: Vec<&str> = line[1..].iter().map(String::as_str).collect();
    let service = Service::start(&binary(), &args, ws.dir.path());

    let mut ready = agent().get(service.url("/readyz")).call().unwrap();
    assert_eq!(ready.status().as_u16(), 200);
    assert_eq!(ready.body_mut().read_to_string().unwrap(), "ready\n");

    // The copy is written, verified and named for its time.
    let deadline = Instant::now() + Duration::from_secs(30);
    let copies = loop {
        let copies = appraise::app::backups::dated_copies(&backups).unwrap_or_default();
        if !copies.is_empty() || Instant::now() > deadline {
            break copies;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(copies.len(), 1, "the nightly backup ran once");
    let mut copy = appraise::store::Store::open(&copies[0].1).unwrap();
    assert_eq!(copy.verify().unwrap().broken, None);
    drop(copy);
    let metrics = agent()
        .get(service.url("/metrics"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let scrape = parse_metrics(&metrics);
    assert_eq!(
        sample(&scrape, "appraise_backups_total", &[("outcome", "ok")]),
        1.0
    );
    let age = sample(&scrape, "appraise_backup_age_seconds", &[]);
    assert!((0.0..60.0).contains(&age), "{age}");

    let (code, log) = service.stop(Duration::from_secs(10));
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("backup written and verified"), "{log}");
    assert!(log.contains("stopping"), "{log}");
}

#[test]
fn a_stop_under_load_loses_no_acknowledged_entry() {
    let ws = company();
    let service = Service::serving(&ws);
    let url = service.url("");
    let token = login(&url);
    let stored: Arc<Mutex<Vec<i64>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..8)
        .map(|_| {
            let (url, token, stored, stop) = (
                url.clone(),
                token.clone(),
                Arc::clone(&stored),
                Arc::clone(&stop),
            );
            std::thread::spawn(move || {
                let agent = agent();
                let mut refused = 0;
                while !stop.load(Ordering::Relaxed) {
                    let sent = agent
                        .post(format!("{url}/api/v1/events"))
                        .header("Authorization", format!("Bearer {token}"))
                        .send_json(json!({"employee": "E002", "kind": "uniform", "again": true}));
                    match sent {
                        Ok(mut res) if res.status().as_u16() == 201 => {
                            let body: Value = res.body_mut().read_json().unwrap();
                            stored.lock().unwrap().push(body["id"].as_i64().unwrap());
                        }
                        // Refused or cut off while the server stops: not acknowledged.
                        _ => {
                            refused += 1;
                            if refused > 20 {
                                break;
                            }
                            std::thread::sleep(Duration::from_millis(10));
                        }
                    }
                }
            })
        })
        .collect();
    // Let the load build up, then stop the service in the middle of it.
    let start = Instant::now();
    while stored.lock().unwrap().len() < 200 && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let (code, log) = service.stop(Duration::from_secs(40));
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    assert_eq!(code, 0, "SIGTERM ends the service with success\n{log}");
    let acknowledged = stored.lock().unwrap().clone();
    assert!(acknowledged.len() >= 200, "{}", acknowledged.len());

    let conn = rusqlite::Connection::open(ws.path("appraise.db")).unwrap();
    let mut st = conn.prepare("SELECT 1 FROM events WHERE id = ?1").unwrap();
    let missing: Vec<i64> = acknowledged
        .iter()
        .copied()
        .filter(|id| !st.exists([id]).unwrap())
        .collect();
    assert!(
        missing.is_empty(),
        "acknowledged but not stored: {missing:?}"
    );
}

#[test]
fn the_request_log_names_the_route_and_login_never_the_password_or_token() {
    let ws = company();
    let service = Service::serving(&ws);
    let url = service.url("");
    let token = login(&url);
    let status = agent()
        .get(format!("{url}/api/v1/explain/E002?month=2026-06"))
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(status, 200);
    let (code, log) = service.stop(Duration::from_secs(10));
    assert_eq!(code, 0, "{log}");
    let line = log
        .lines()
        .find(|l| l.contains("/api/v1/explain/"))
        .unwrap_or_else(|| panic!("no line for the explanation:\n{log}"));
    // The route's pattern, not the employee asked about; the login, not the token.
    assert!(line.contains("route=/api/v1/explain/{employee}"), "{line}");
    assert!(line.contains("status=200"), "{line}");
    assert!(line.contains("login=HR"), "{line}");
    assert!(line.contains("method=GET"), "{line}");
    let login = log
        .lines()
        .find(|l| l.contains("route=/api/v1/login"))
        .unwrap_or_else(|| panic!("no line for the login:\n{log}"));
    assert!(login.contains("login=HR"), "{login}");
    assert!(!log.contains(PASSWORD), "{log}");
    assert!(!log.contains(&token), "{log}");
}

/// Samples by name and labels.
fn parse_metrics(text: &str) -> prometheus_parse::Scrape {
    prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string())))
        .unwrap_or_else(|e| panic!("not Prometheus's text format ({e}):\n{text}"))
}

/// The value of the sample `name` with `labels` (a counter or gauge).
fn sample(scrape: &prometheus_parse::Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    let found = scrape
        .samples
        .iter()
        .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)));
    match found.map(|s| &s.value) {
        Some(prometheus_parse::Value::Counter(v) | prometheus_parse::Value::Gauge(v)) => *v,
        Some(other) => panic!("{name} is {other:?}"),
        None => panic!("no sample {name} {labels:?} in {:?}", scrape.samples),
    }
}

#[test]
fn metrics_parse_as_prometheus_and_count_what_happened() {
    let s = Served::start();
    let token = s.token("HR");
    let (status, _) = s.post_json(
        "/api/v1/events",
        Some(&token),
        json!({"employee": "E002", "kind": "uniform", "again": true}),
    );
    assert_eq!(status, 201);
    assert_eq!(s.get("/readyz", None).0, 200);
    assert_eq!(s.get("/no/such/page", None).0, 404);
    let (status, text) = s.get("/metrics", None);
    assert_eq!(status, 200);
    let scrape = parse_metrics(&text);
    let requests = |route: &str, status: &str| {
        sample(
            &scrape,
            "appraise_http_requests_total",
            &[("route", route), ("status", status)],
        )
    };
    assert_eq!(requests("/api/v1/events", "201"), 1.0);
    assert_eq!(requests("/api/v1/login", "200"), 1.0);
    assert_eq!(requests("/readyz", "200"), 1.0);
    assert_eq!(requests("(unmatched)", "404"), 1.0);
    assert!(sample(&scrape, "appraise_entries_stored_total", &[]) >= 1.0);
    assert!(sample(&scrape, "appraise_database_bytes", &[]) > 0.0);
    assert_eq!(
        sample(&scrape, "appraise_outbox_notices", &[("state", "failed")]),
        0.0
    );
    // No backup folder: the age says so.
    assert_eq!(sample(&scrape, "appraise_backup_age_seconds", &[]), -1.0);
    let latency = scrape
        .samples
        .iter()
        .find(|s| {
            s.metric == "appraise_http_request_duration_seconds"
                && s.labels.get("route") == Some("/api/v1/events")
        })
        .expect("the entry's latency");
    let prometheus_parse::Value::Histogram(buckets) = &latency.value else {
        panic!("{:?}", latency.value);
    };
    assert_eq!(buckets.last().unwrap().count, 1.0, "{buckets:?}");
    let batches = scrape
        .samples
        .iter()
        .find(|s| s.metric == "appraise_entry_batch_size")
        .expect("the group commit's batch sizes");
    assert!(matches!(
        batches.value,
        prometheus_parse::Value::Histogram(_)
    ));
}

fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap()
}

fn uniform(app: &App, by: &Actor) -> i64 {
    let entry = Entry {
        employee: "E002".into(),
        kind: "uniform".into(),
        date: "2026-06-29".into(),
        qty: "1".into(),
        ..Default::default()
    };
    match app.add_event(by, entry, true).unwrap() {
        Recorded::Event(id) => id,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_backup_folder_keeps_the_newest_copies_each_verified() {
    let ws = company();
    let app = ws.app();
    let hr = app.actor("HR").unwrap();
    let dir = ws.path("backups");
    let mut written = Vec::new();
    for (i, time) in [
        "2026-06-01 02:30:00",
        "2026-06-02 02:30:00",
        "2026-06-03 02:30:00",
    ]
    .iter()
    .enumerate()
    {
        uniform(&app, &hr);
        let done = app.backup_into(&hr, &dir, 2, at(time)).unwrap();
        assert!(done.rows > 0);
        assert_eq!(done.removed.len(), usize::from(i == 2), "{done:?}");
        written.push(done.path);
    }
    let left: Vec<PathBuf> = appraise::app::backups::dated_copies(&dir)
        .unwrap()
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    assert_eq!(left, written[1..]);

    // Only HR keeps backups.
    let head = app.actor("部门负责人").unwrap();
    assert!(
        app.backup_into(&head, &dir, 2, at("2026-06-04 02:30:00"))
            .is_err()
    );
    assert!(
        app.backup_into(&hr, &dir, 0, at("2026-06-04 02:30:00"))
            .is_err()
    );

    // A record altered past appraise gives a copy that does not verify: it is not kept,
    // and neither of the good ones is removed.
    let conn = rusqlite::Connection::open(ws.path("appraise.db")).unwrap();
    conn.execute_batch(
        "DROP TRIGGER events_append_only_u; UPDATE events SET qty = 5 WHERE id = 1;",
    )
    .unwrap();
    drop(conn);
    let err = app
        .backup_into(&hr, &dir, 2, at("2026-06-05 02:30:00"))
        .unwrap_err();
    assert!(err.to_string().contains("did not verify"), "{err}");
    let after: Vec<PathBuf> = appraise::app::backups::dated_copies(&dir)
        .unwrap()
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    assert_eq!(after, written[1..]);
}

#[test]
fn a_restore_drill_gets_back_what_the_copy_held() {
    let ws = company();
    let app = ws.app();
    let hr = app.actor("HR").unwrap();
    uniform(&app, &hr);
    let dir = ws.path("backups");
    let copy = app
        .backup_into(&hr, &dir, 3, at("2026-06-29 02:30:00"))
        .unwrap();
    // The day goes on after the backup.
    let later: Vec<i64> = (0..3).map(|_| uniform(&app, &hr)).collect();
    let events = |db: &Path| -> Vec<(i64, String, String)> {
        let conn = rusqlite::Connection::open(db).unwrap();
        let mut st = conn
            .prepare("SELECT id, employee, kind FROM events ORDER BY id")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let held = events(&copy.path);

    let out = ws
        .run(&["restore", &copy.path.display().to_string(), "--by", "HR"])
        .ok();
    assert!(out.contains("it verifies"), "{out}");
    assert!(out.contains("appraise.db.before-restore-"), "{out}");
    // The restored record is the copy's, whole, with the restore noted in its audit log.
    assert_eq!(events(&ws.path("appraise.db")), held);
    ws.cmd("audit verify").ok();
    let audit = ws.cmd("audit --format json").ok();
    assert!(audit.contains("backup.restore"), "{audit}");
    let audit = ws.cmd("audit").ok();
    assert!(audit.contains("以备份恢复"), "{audit}");
    // What was written after the copy is in the database set aside.
    let aside = std::fs::read_dir(ws.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let name = p.to_string_lossy();
            name.contains("before-restore") && !name.ends_with("-wal") && !name.ends_with("-shm")
        })
        .expect("the replaced database is kept");
    let kept: Vec<i64> = events(&aside).into_iter().map(|(id, ..)| id).collect();
    assert!(later.iter().all(|id| kept.contains(id)), "{kept:?}");
    // The copy itself is unchanged: restoring it again gives the same record.
    assert_eq!(events(&copy.path), held);

    // A copy that does not verify replaces nothing.
    let bad = ws.path("bad.db");
    std::fs::copy(&copy.path, &bad).unwrap();
    let conn = rusqlite::Connection::open(&bad).unwrap();
    conn.execute_batch(
        "DROP TRIGGER events_append_only_u; UPDATE events SET qty = 7 WHERE id = 1;",
    )
    .unwrap();
    drop(conn);
    let before = std::fs::read(ws.path("appraise.db")).unwrap();
    let err = ws
        .run(&["restore", &bad.display().to_string(), "--by", "HR"])
        .fails(1);
    assert!(err.contains("does not verify"), "{err}");
    assert_eq!(std::fs::read(ws.path("appraise.db")).unwrap(), before);

    // A login that is not HR in the copy may not restore it.
    let err = ws
        .run(&[
            "restore",
            &copy.path.display().to_string(),
            "--by",
            "张主管",
        ])
        .fails(1);
    assert!(err.contains("back up the database or restore"), "{err}");

    // With the database gone (its disk failed), the copy brings it back.
    std::fs::remove_file(ws.path("appraise.db")).unwrap();
    let out = ws
        .run(&["restore", &copy.path.display().to_string(), "--by", "HR"])
        .ok();
    assert!(!out.contains("replaced is kept"), "{out}");
    assert_eq!(events(&ws.path("appraise.db")), held);
}
