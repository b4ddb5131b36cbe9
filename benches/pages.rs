//! Every page of the workplace as each role sees it, at company scale (see
//! docs/performance.md): a `gen` company of 10,000 staff and its year of logs, a real server
//! on loopback, each page asked for 20 times in a row by one client after one request to
//! warm it; the same server's `/healthz` is the baseline of the same run. Reports each
//! page's p50 and p95 time (on loopback: the server's time and a few tens of microseconds)
//! and its size, against the budgets of 300 ms and 300 KB. Every answer must be 200.
//! `cargo bench --bench pages`; `APPRAISE_PAGES_STAFF` changes the staff (default 10,000),
//! `APPRAISE_PAGES_TIMES` the requests per page (default 20), `APPRAISE_PAGES_DIR` keeps the
//! company in a folder and reuses it on the next run, `APPRAISE_PAGES_ONLY=/day` measures
//! only the pages whose path starts so.

use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use appraise::app::App;
use appraise::domain::user::{Role, User};
use appraise::web::Config;
use serde_json::json;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BIN: &str = env!("CARGO_BIN_EXE_appraise");
const TODAY: &str = "2026-01-15";
const PASSWORD: &str = "bench-password-2026";
/// The budgets of a page: its server time at p95, and its size.
const BUDGET_MS: f64 = 300.0;
const BUDGET_KB: f64 = 300.0;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn appraise(dir: &Path, args: &[&str]) {
    let status = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("APPRAISE_USER", "bench")
        .env("APPRAISE_TODAY", TODAY)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run appraise");
    assert!(status.success(), "appraise {args:?} failed");
}

/// The logins of the company, one per role.
fn logins() -> [(String, Role); 4] {
    [
        ("bench".into(), Role::Hr),
        ("head".into(), Role::Head),
        ("supervisor".into(), Role::Supervisor),
        ("employee".into(), Role::Employee),
    ]
}

/// The company: staff, the year's log, last year's reviews started, a login per role (the
/// head and the supervisor of the largest department, one of its employees).
fn company(dir: &Path, staff: usize) -> App {
    let started = Instant::now();
    let staff_arg = staff.to_string();
    appraise(
        dir,
        &[
            "gen", "--staff", &staff_arg, "--year", "2025", "--seed", "1", "data",
        ],
    );
    appraise(dir, &["init", "--admin", "bench"]);
    appraise(dir, &["staff", "import", "data/staff.csv"]);
    appraise(dir, &["log", "import", "data/events.csv"]);
    appraise(
        dir,
        &["review", "start", "--year", "2025", "--open-months-ok"],
    );
    let app = App::new(
        dir.join("appraise.db"),
        chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap(),
    );
    let hr = app.actor("bench").unwrap();
    let everyone = app.staff(&hr, None, None).unwrap();
    let head = everyone
        .iter()
        .find(|e| e.role == "department_head")
        .unwrap();
    let department = head.department.clone();
    let manager = everyone
        .iter()
        .find(|e| e.role == "manager" && e.department == department)
        .unwrap();
    let member = everyone
        .iter()
        .find(|e| e.role == "staff" && e.department == department)
        .unwrap();
    for (login, role, e) in [
        ("head", Role::Head, head),
        ("supervisor", Role::Supervisor, manager),
        ("employee", Role::Employee, member),
    ] {
        app.add_user(
            &hr,
            User {
                login: login.into(),
                name: e.name.clone(),
                role,
                employee: Some(e.id.clone()),
                department: (role == Role::Head).then(|| department.clone()),
            },
        )
        .unwrap();
    }
    for login in ["bench", "head", "supervisor", "employee"] {
        app.set_password(&hr, login, PASSWORD).unwrap();
    }
    let in_department = everyone
        .iter()
        .filter(|e| e.department == department)
        .count();
    println!(
        "company: {staff} staff, the largest department ({department}) {in_department}, built in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    app
}

/// Times `times` requests of `path` with `token`, after one to warm it: (p50, p95) in
/// milliseconds and the size in KB.
fn measure(
    agent: &ureq::Agent,
    base: &str,
    path: &str,
    token: &str,
    times: usize,
) -> (f64, f64, f64) {
    let get = || {
        let t = Instant::now();
        let mut res = agent
            .get(format!("{base}{path}"))
            .header("Authorization", format!("Bearer {token}"))
            .call()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        assert_eq!(res.status().as_u16(), 200, "GET {path}");
        let bytes = res.body_mut().read_to_vec().unwrap().len();
        (t.elapsed(), bytes)
    };
    get();
    let mut times_taken: Vec<Duration> = Vec::new();
    let mut size = 0;
    for _ in 0..times {
        let (d, bytes) = get();
        times_taken.push(d);
        size = bytes;
    }
    times_taken.sort();
    let at = |p: f64| {
        let i = ((times_taken.len() as f64 - 1.0) * p).round() as usize;
        times_taken[i].as_secs_f64() * 1000.0
    };
    (at(0.5), at(0.95), size as f64 / 1024.0)
}

fn main() {
    let staff = env_number("APPRAISE_PAGES_STAFF", 10_000);
    let times = env_number("APPRAISE_PAGES_TIMES", 20);
    // `APPRAISE_PAGES_DIR` keeps the company in a folder of one's choosing and reuses it
    // when it is there (for work on the code; the figures are from fresh runs).
    let temp = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("APPRAISE_PAGES_DIR").map_or(temp.path().to_path_buf(), Into::into);
    std::fs::create_dir_all(&dir).unwrap();
    let app = if dir.join("appraise.db").exists() {
        App::new(
            dir.join("appraise.db"),
            chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap(),
        )
    } else {
        company(&dir, staff)
    };
    let logins = logins();
    // `APPRAISE_PAGES_ONLY=/day` measures only the pages whose path starts so.
    let only = std::env::var("APPRAISE_PAGES_ONLY").ok();
    let config = Config {
        today: Some(app.today()),
        ..Config::new(app.db())
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        appraise::web::run("127.0.0.1:0", config, |addr| tx.send(addr).unwrap()).unwrap()
    });
    let base = format!("http://{}", rx.recv().unwrap());
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let token = |login: &str| -> String {
        let mut res = agent
            .post(format!("{base}/api/v1/login"))
            .send_json(json!({"login": login, "password": PASSWORD}))
            .unwrap();
        let body: serde_json::Value =
            serde_json::from_str(&res.body_mut().read_to_string().unwrap()).unwrap();
        body["token"].as_str().unwrap().to_string()
    };
    let (base_p50, base_p95, _) = measure(&agent, &base, "/healthz", &token("bench"), times);
    println!(
        "baseline /healthz: p50 {base_p50:.2} ms, p95 {base_p95:.2} ms ({times} requests each, after one to warm)"
    );
    println!(
        "{:<12} {:<34} {:>9} {:>9} {:>9}  within budget (p95 ≤ {BUDGET_MS} ms, ≤ {BUDGET_KB} KB)",
        "role", "page", "p50 ms", "p95 ms", "KB"
    );
    let hr_pages = [
        "/",
        "/inbox",
        "/months",
        "/ratings?year=2025",
        "/ratings?year=2025&page=150",
        "/ratings?year=2025&q=W0001",
        "/audit",
        "/admin",
        "/staff",
        "/staff?page=150",
        "/staff/W00003",
        "/rules",
        "/day",
        "/day?q=W0001",
        "/day?page=150",
    ];
    let head_pages = [
        "/",
        "/inbox",
        "/day",
        "/department",
        "/statement?month=2025-12",
        "/me",
    ];
    let supervisor_pages = ["/", "/inbox", "/day", "/me", "/leave"];
    let employee_pages = ["/", "/me?year=2025", "/people/{me}/2025-06", "/leave"];
    let mut over = 0;
    for (login, role) in &logins {
        let t = token(login);
        let me = app
            .actor(login)
            .unwrap()
            .employee()
            .map(str::to_string)
            .unwrap_or_default();
        let pages: &[&str] = match role {
            Role::Hr => &hr_pages,
            Role::Head => &head_pages,
            Role::Supervisor => &supervisor_pages,
            Role::Employee => &employee_pages,
        };
        for page in pages {
            let path = page.replace("{me}", &me);
            if !only.as_deref().is_none_or(|o| path.starts_with(o)) {
                continue;
            }
            let (p50, p95, kb) = measure(&agent, &base, &path, &t, times);
            let within = p95 <= BUDGET_MS && kb <= BUDGET_KB;
            over += usize::from(!within);
            println!(
                "{:<12} {path:<34} {p50:>9.1} {p95:>9.1} {kb:>9.1}  {}",
                role.label(),
                if within { "yes" } else { "NO" }
            );
        }
    }
    println!("{over} pages over budget");
}
