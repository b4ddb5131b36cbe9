//! The workplace under load (see docs/performance.md): 50 concurrent clients posting events
//! through `/api/v1/events` for 30 s against a real server on loopback, over the demo
//! company, with the same server's `/healthz` under the same 50 clients as the baseline in
//! the same run. Reports entries per second, p50/p99 latency, errors, and events lost
//! (every `201` id must be in the log afterwards, and nothing else). Run with
//! `cargo bench --bench web_load`; `APPRAISE_LOAD_SECONDS` and `APPRAISE_LOAD_CLIENTS`
//! change the duration (default 30) and the clients (default 50).

use std::collections::BTreeSet;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use appraise::app::{App, DEMO_ADMIN};
use appraise::web::Config;
use serde_json::json;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What one kind of request did under load.
struct Load {
    requests: usize,
    errors: usize,
    latencies: Vec<Duration>,
    ids: Vec<i64>,
    seconds: f64,
}

impl Load {
    fn per_second(&self) -> f64 {
        (self.requests - self.errors) as f64 / self.seconds
    }

    fn percentile(&self, p: f64) -> Duration {
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i]
    }
}

/// `clients` threads, each with its own keep-alive connection, sending `request` for
/// `seconds`.
fn load(
    clients: u64,
    seconds: u64,
    request: impl Fn(&ureq::Agent, u64, u64) -> Result<Option<i64>, String> + Sync,
) -> Load {
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let results: Vec<(Vec<Duration>, Vec<i64>, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|client| {
                let request = &request;
                scope.spawn(move || {
                    let agent = ureq::Agent::config_builder()
                        .http_status_as_error(false)
                        .build()
                        .new_agent();
                    let (mut latencies, mut ids, mut errors) = (Vec::new(), Vec::new(), 0);
                    let mut n = 0;
                    while Instant::now() < until {
                        let t = Instant::now();
                        match request(&agent, client, n) {
                            Ok(id) => ids.extend(id),
                            Err(e) => {
                                if errors == 0 {
                                    eprintln!("client {client}: {e}");
                                }
                                errors += 1;
                            }
                        }
                        latencies.push(t.elapsed());
                        n += 1;
                    }
                    (latencies, ids, errors)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut out = Load {
        requests: 0,
        errors: 0,
        latencies: Vec::new(),
        ids: Vec::new(),
        seconds,
    };
    for (latencies, ids, errors) in results {
        out.requests += latencies.len();
        out.latencies.extend(latencies);
        out.ids.extend(ids);
        out.errors += errors;
    }
    out.latencies.sort();
    out
}

fn main() {
    let seconds = env_number("APPRAISE_LOAD_SECONDS", 30);
    let clients = env_number("APPRAISE_LOAD_CLIENTS", 50);
    let dir = tempfile::tempdir().unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    eprintln!("building the demo company …");
    let demo = App::demo(&dir.path().join("demo"), today).unwrap();
    let logins = demo.app.demo_logins().unwrap();
    let hr = logins.iter().find(|l| l.user.login == DEMO_ADMIN).unwrap();
    let staff: Vec<String> = demo
        .app
        .team(&demo.app.actor(DEMO_ADMIN).unwrap())
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    let before: BTreeSet<i64> = demo
        .app
        .events(&appraise::app::Actor::owner(), &Default::default())
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();

    let config = Config {
        today: Some(today),
        ..Config::new(demo.app.db())
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        appraise::web::run("127.0.0.1:0", config, |addr| tx.send(addr).unwrap()).unwrap()
    });
    let addr = rx.recv().unwrap();
    let agent = ureq::Agent::new_with_defaults();
    let token: String = agent
        .post(format!("http://{addr}/api/v1/login"))
        .send_json(json!({"login": hr.user.login, "password": hr.password}))
        .unwrap()
        .body_mut()
        .read_json::<serde_json::Value>()
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let bearer = format!("Bearer {token}");

    eprintln!("baseline: {clients} clients on GET /healthz for {seconds} s …");
    let health = load(clients, seconds, |agent, _, _| {
        let mut res = agent
            .get(format!("http://{addr}/healthz"))
            .call()
            .map_err(|e| e.to_string())?;
        match res.status().as_u16() {
            200 => Ok(None),
            s => Err(format!(
                "{s}: {}",
                res.body_mut().read_to_string().unwrap_or_default()
            )),
        }
    });

    eprintln!("load: {clients} clients on POST /api/v1/events for {seconds} s …");
    let kinds = ["uniform", "badge", "shoes", "posture", "grooming"];
    let entries = load(clients, seconds, |agent, client, n| {
        let body = json!({
            "employee": staff[((client * 7919 + n) % staff.len() as u64) as usize],
            "kind": kinds[(n % kinds.len() as u64) as usize],
            "note": format!("load {client}-{n}"),
        });
        let mut res = agent
            .post(format!("http://{addr}/api/v1/events"))
            .header("Authorization", &bearer)
            .send_json(body)
            .map_err(|e| e.to_string())?;
        let text = res.body_mut().read_to_string().unwrap_or_default();
        match res.status().as_u16() {
            201 => {
                let v: serde_json::Value =
                    serde_json::from_str(&text).map_err(|e| e.to_string())?;
                Ok(v["id"].as_i64())
            }
            s => Err(format!("{s}: {text}")),
        }
    });

    // Every acknowledged id is in the log, and nothing else was added.
    let after: BTreeSet<i64> = demo
        .app
        .events(&appraise::app::Actor::owner(), &Default::default())
        .unwrap()
        .iter()
        .map(|e| e.id)
        .filter(|id| !before.contains(id))
        .collect();
    let acknowledged: BTreeSet<i64> = entries.ids.iter().copied().collect();
    let lost = acknowledged.difference(&after).count();
    let unacknowledged = after.difference(&acknowledged).count();
    assert_eq!(
        acknowledged.len(),
        entries.ids.len(),
        "an id was given twice"
    );

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "web load, {clients} clients × {seconds} s, 2026-06-30, demo company ({} staff)",
        staff.len()
    );
    println!("| requests | per second | p50 ms | p99 ms | errors |");
    println!("|---|---:|---:|---:|---:|");
    for (name, l) in [
        ("GET /healthz (baseline)", &health),
        ("POST /api/v1/events", &entries),
    ] {
        println!(
            "| {name} | {:.0} | {:.2} | {:.2} | {} |",
            l.per_second(),
            ms(l.percentile(0.5)),
            ms(l.percentile(0.99)),
            l.errors
        );
    }
    println!(
        "entries: {} acknowledged, {} in the log, {lost} lost, {unacknowledged} stored unacknowledged",
        acknowledged.len(),
        after.len()
    );
    println!(
        "ratio: entries/s ÷ healthz/s = {:.3}; p99 entries ÷ p99 healthz = {:.1}",
        entries.per_second() / health.per_second(),
        ms(entries.percentile(0.99)) / ms(health.percentile(0.99)).max(1e-3)
    );
    assert_eq!(lost, 0, "acknowledged events are missing from the log");
    assert_eq!(
        unacknowledged, 0,
        "events were stored that no client was told of"
    );
}
