//! Company-scale benchmarks, each reported as a ratio against a baseline measured in the same
//! run (see docs/performance.md). Run with `cargo bench --bench scale`; set
//! `APPRAISE_BENCH_STAFF` (default 10000) for a smaller or larger workload.
//!
//! 1. evaluation overhead: `appraise rate` end to end vs the bare rhai calls it makes;
//! 2. fixed-point rules: the engine on a policy of fixed points vs a plain native loop;
//! 3. import: `appraise log import` vs sqlite3's `.import` of the same 1,000,000-row file;
//! 4. incremental: `score --month --employee` after one `log add` vs the full-year rating;
//! 5. memory: peak RSS of `rate`, and how it grows with the months rated.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use appraise::engine::{event_value, score_month};
use appraise::event::Event;
use appraise::month::Month;
use appraise::policy::{Action, Policy, Stage};
use appraise::store::Store;
use chrono::Datelike;
use rhai::Dynamic;

/// The binary's allocator, so that what is measured here in-process (the floor, the log read,
/// the engine) allocates as the product does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const YEAR: i32 = 2025;
const BIN: &str = env!("CARGO_BIN_EXE_appraise");

/// Runs the binary; returns (wall time, CPU time, peak RSS in MiB) of that one child.
// The child is reaped by `wait4`, which also gives its own resource usage.
#[allow(clippy::zombie_processes)]
fn run(dir: &Path, args: &[&str]) -> (Duration, Duration, f64) {
    let start = Instant::now();
    let child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("APPRAISE_USER", "bench")
        .env("APPRAISE_TODAY", "2026-01-15")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("run appraise");
    let mut status = 0;
    // SAFETY: wait4 only writes into the values we pass; the pid is our own child.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut u) };
    let wall = start.elapsed();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "appraise {args:?} failed"
    );
    let t = |tv: libc::timeval| Duration::new(tv.tv_sec as u64, tv.tv_usec as u32 * 1000);
    (
        wall,
        t(u.ru_utime) + t(u.ru_stime),
        u.ru_maxrss as f64 / 1024.0,
    )
}

/// The best of `n` runs (least wall and least CPU time, greatest peak RSS): what the code
/// costs, with less of what else the machine was doing.
fn best_of(n: usize, dir: &Path, args: &[&str]) -> (Duration, Duration, f64) {
    (0..n)
        .map(|_| run(dir, args))
        .reduce(|a, b| (a.0.min(b.0), a.1.min(b.1), a.2.max(b.2)))
        .expect("at least one run")
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn main() {
    let staff: usize = std::env::var("APPRAISE_BENCH_STAFF")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let root: PathBuf = std::env::temp_dir().join(format!("appraise-bench-{staff}"));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let dir = root.as_path();
    println!(
        "appraise scale benchmarks: {staff} staff, year {YEAR}, {} cores, in {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        dir.display()
    );

    // The workload.
    run(
        dir,
        &[
            "gen",
            "--staff",
            &staff.to_string(),
            "--year",
            &YEAR.to_string(),
            "--seed",
            "1",
            "data",
        ],
    );
    run(dir, &["init", "--admin", "bench"]);
    run(dir, &["staff", "import", "data/staff.csv"]);
    let (import_all, _, _) = run(dir, &["log", "import", "data/events.csv"]);
    // Counted line by line: reading the file whole would raise this process's peak RSS,
    // which the children measured below inherit.
    let events = std::io::BufRead::lines(std::io::BufReader::new(
        std::fs::File::open(dir.join("data/events.csv")).unwrap(),
    ))
    .count()
        - 1;
    println!(
        "workload: {events} events ({:.0} per employee-year), imported in {}",
        events as f64 / staff as f64,
        secs(import_all)
    );

    // 1. Evaluation overhead.
    let (rate_wall, rate_cpu, rate_rss) = best_of(
        3,
        dir,
        &["rate", "--year", &YEAR.to_string(), "--format", "json"],
    );
    // 5. Memory, as the year grows (measured first: a child forked later would inherit this
    // process's own high-water mark).
    println!("\n5. memory: peak RSS of `rate --year` {rate_rss:.0} MiB (target ≤ 1024)");
    for through in ["03", "06", "12"] {
        let (w, _, rss) = run(
            dir,
            &[
                "rate",
                "--year",
                &YEAR.to_string(),
                "--through",
                &format!("{YEAR}-{through}"),
                "--format",
                "csv",
            ],
        );
        println!(
            "   through {YEAR}-{through}: {} wall, peak RSS {rss:.0} MiB",
            secs(w)
        );
    }
    let floor = rhai_floor(&dir.join("appraise.db"));
    println!(
        "\n1. evaluation: `rate --year` {} wall, {} CPU (best of 3); floor (the same rhai calls on pre-built inputs) {} CPU",
        secs(rate_wall),
        secs(rate_cpu),
        secs(floor)
    );
    println!(
        "   ratio rate CPU / floor = {:.2} (target ≤ 1.5); wall {} (target ≤ 3 s)",
        rate_cpu.as_secs_f64() / floor.as_secs_f64(),
        secs(rate_wall)
    );
    let (read, step) = read_alone(&dir.join("appraise.db"));
    println!(
        "   reading the log alone, on one thread: {} (SQLite stepping through the rows {}, the rest decoding them into events) = {:.2} of the floor",
        secs(read),
        secs(step),
        read.as_secs_f64() / floor.as_secs_f64()
    );

    // 2. Fixed-point rules against a native loop.
    let (engine, native) = fixed_points(&dir.join("appraise.db"));
    println!(
        "\n2. fixed points: engine {} vs native loop {} (best of 3 each); engine speed = {:.2} of native (target ≥ 0.33)",
        secs(engine),
        secs(native),
        native.as_secs_f64() / engine.as_secs_f64()
    );

    // 3. Import against sqlite3's own.
    import_vs_sqlite(dir);

    // 4. Incremental: three rounds of one `log add` and the score it changes; the best counts.
    let one = (10..13)
        .map(|day| {
            let date = format!("{YEAR}-06-{day}");
            run(dir, &["log", "add", "W00002", "uniform", "--date", &date]);
            let month = format!("{YEAR}-06");
            run(dir, &["score", "--month", &month, "--employee", "W00002"]).0
        })
        .min()
        .expect("three rounds");
    println!(
        "\n4. incremental: `score --month --employee` after `log add` {} (best of 3) vs full year {}: {:.2}% (target < 1%)",
        secs(one),
        secs(rate_wall),
        100.0 * one.as_secs_f64() / rate_wall.as_secs_f64()
    );
}

/// Loads each employee's events and runs exactly the rhai calls the rating makes (the `when`
/// conditions and scripts of the rules their events meet) on inputs built beforehand; only
/// the calls are timed. Single-threaded CPU time, to compare with the rating's CPU time.
fn rhai_floor(db: &Path) -> Duration {
    let store = Store::open(db).unwrap();
    let policy = customer_service(&store);
    let mut timed = Duration::ZERO;
    each_employee(&store, |events: Vec<Event>| {
        let staff = Dynamic::from_map(Default::default());
        let inputs: Vec<(Vec<&appraise::policy::Script>, Dynamic)> = events
            .iter()
            .map(|e| {
                let scripts = policy
                    .rules_for(&e.kind)
                    .into_iter()
                    .flat_map(|(_, rules)| rules)
                    .flat_map(|r| {
                        r.when.iter().chain(match &r.action {
                            Action::Script(s) => Some(s),
                            Action::Fixed(_) => None,
                        })
                    })
                    .collect();
                (scripts, event_value(e))
            })
            .collect();
        let mut scope = Stage::scope(vec![
            ("event", Dynamic::UNIT),
            ("staff", staff),
            ("month", Dynamic::from("2025-01".to_string())),
            ("nth", Dynamic::from_int(1)),
        ]);
        let start = Instant::now();
        for (scripts, event) in inputs {
            if scripts.is_empty() {
                continue;
            }
            scope.set_value("event", event);
            for s in scripts {
                let _ = s.run(&mut scope);
            }
        }
        timed += start.elapsed();
    });
    timed
}

/// The time of reading every employee's events as the rating does, on one thread; and of
/// SQLite alone stepping through the same rows (columns touched, nothing decoded).
fn read_alone(db: &Path) -> (Duration, Duration) {
    let store = Store::open(db).unwrap();
    let start = Instant::now();
    let mut events = 0;
    each_employee(&store, |e| events += e.len());
    let read = start.elapsed();

    let conn = rusqlite::Connection::open(db).unwrap();
    let staff: Vec<String> = store
        .staff_records()
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    let mut st = conn
        .prepare(
            "SELECT id, date, kind, qty, note, fields, recorded_by
               FROM events INDEXED BY events_by_employee
              WHERE employee = ?1 AND date >= ?2 AND date <= ?3 ORDER BY date, id",
        )
        .unwrap();
    let start = Instant::now();
    let (mut rows, mut bytes) = (0, 0);
    for id in &staff {
        let mut q = st
            .query(rusqlite::params![
                id,
                format!("{YEAR}-01-01"),
                format!("{YEAR}-12-31")
            ])
            .unwrap();
        while let Some(r) = q.next().unwrap() {
            rows += 1;
            for c in 0..7 {
                bytes += match r.get_ref(c).unwrap() {
                    rusqlite::types::ValueRef::Text(t) => t.len(),
                    _ => 8,
                };
            }
        }
    }
    let step = start.elapsed();
    assert!(events > 0 && rows >= events && bytes > 0);
    (read, step)
}

/// Calls `f` with each employee's events of the benchmark year, as the rating reads them.
fn each_employee(store: &Store, mut f: impl FnMut(Vec<Event>)) {
    let months = (Month::new(YEAR, 1).unwrap(), Month::new(YEAR, 12).unwrap());
    let mut reader = store.readers(1, months.0, months.1).unwrap().remove(0);
    for e in store.staff_records().unwrap() {
        f(reader.events(&e.id).unwrap());
    }
}

fn customer_service(store: &Store) -> Policy {
    let v = store
        .versions()
        .unwrap()
        .into_iter()
        .find(|v| v.policy == "customer-service")
        .unwrap();
    Policy::from_bundle(&v.bundle).unwrap()
}

/// The engine on a policy of fixed points only (every kind of the workload, no scripts) vs a
/// native loop summing the same points per employee-month, both over events in memory.
fn fixed_points(db: &Path) -> (Duration, Duration) {
    let store = Store::open(db).unwrap();
    let cs = customer_service(&store);
    let mut toml = String::from(
        "[policy]\nid = \"fixed\"\nname = \"fixed\"\nversion = \"1\"\neffective_from = \"2025-01\"\ndepartments = [\"*\"]\n[scoring]\nbase = 100\npass_mark = 85\n[[grade]]\nid = \"all\"\nlabel = \"all\"\n",
    );
    // The native side as a hand-written program would keep it: a kind is a small number
    // (its index), its points an array slot — no hashing per event.
    let mut points: Vec<i64> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, (kind, fields)) in cs.kinds.iter().enumerate() {
        let p = -((i % 3) as i64 + 1);
        index.insert(kind.clone(), points.len());
        points.push(p * 100);
        let fields: Vec<String> = fields
            .iter()
            .map(|(k, t)| format!("{k} = \"{t}\""))
            .collect();
        toml += &format!(
            "[[rule]]\nid = \"r_{kind}\"\nname = \"{kind}\"\non = \"{kind}\"\nfields = {{ {} }}\npoints = {p}\n",
            fields.join(", ")
        );
    }
    let path = std::env::temp_dir().join("appraise-bench-fixed.toml");
    std::fs::write(&path, toml).unwrap();
    let fixed = Policy::load(&path).unwrap();
    // Nobody changes in the generated company: each record is its latest version.
    let staff: Vec<_> = store
        .staff_records()
        .unwrap()
        .into_iter()
        .map(|r| r.latest().clone())
        .collect();
    let mut all: Vec<(usize, Vec<Event>)> = Vec::new();
    each_employee(&store, |events: Vec<Event>| {
        let i = staff
            .iter()
            .position(|s| s.id == events[0].employee)
            .unwrap();
        all.push((i, events));
    });
    let months: Vec<Month> = Month::of_year(YEAR).collect();
    // Each event as the native program holds it: (month, kind index, qty), made before the
    // clock starts, as the engine's events are read before its clock starts.
    let native_events: Vec<Vec<(usize, usize, i64)>> = all
        .iter()
        .map(|(_, events)| {
            events
                .iter()
                .map(|e| (e.date.month0() as usize, index[&e.kind], e.qty))
                .collect()
        })
        .collect();
    let engine_pass = || {
        let mut total = 0i64;
        for (i, events) in &all {
            // Each month's own events, as the rating hands them over: they are in date
            // order, so one pass splits them, as the native loop's one pass buckets them.
            let mut rest = events.as_slice();
            for m in &months {
                let last = m.last_day();
                let n = rest.iter().take_while(|e| e.date <= last).count();
                let (month, later) = rest.split_at(n);
                rest = later;
                total += score_month(&fixed, &staff[*i], *m, month)
                    .unwrap()
                    .score
                    .hundredths();
            }
        }
        total
    };
    let native_pass = || {
        let mut native = 0i64;
        for events in &native_events {
            let mut per_month = [10_000i64; 12];
            for &(month, kind, qty) in events {
                per_month[month] += points[kind] * qty;
            }
            native += per_month.iter().sum::<i64>();
        }
        native
    };
    // Alternating, three rounds; the best of each side counts.
    let (mut engine, mut native_time) = (Duration::MAX, Duration::MAX);
    let (mut total, mut native) = (0, 0);
    for _ in 0..3 {
        let start = Instant::now();
        total = engine_pass();
        engine = engine.min(start.elapsed());
        let start = Instant::now();
        native = native_pass();
        native_time = native_time.min(start.elapsed());
    }
    assert_eq!(total, native, "both must compute the same scores");
    (engine, native_time)
}

/// `log import` of a 1,000,000-row file vs sqlite3's `.import` into a table with the same
/// columns and the same (employee, date) and (date) indexes.
fn import_vs_sqlite(dir: &Path) {
    let src = std::fs::read_to_string(dir.join("data/events.csv")).unwrap();
    let rows: Vec<&str> = src.lines().collect();
    let n = (rows.len() - 1).min(1_000_000);
    let part = dir.join("million.csv");
    std::fs::write(&part, rows[..=n].join("\n") + "\n").unwrap();
    let header = rows[0]
        .split(',')
        .map(|c| format!("{c} TEXT"))
        .collect::<Vec<_>>()
        .join(", ");
    let schema = format!(
        "CREATE TABLE events ({header}); CREATE INDEX e1 ON events(employee, date); CREATE INDEX e2 ON events(date);"
    );
    // Three rounds, each into fresh databases, alternating; the best of each side counts.
    let fresh = dir.join("import");
    let (mut ours, mut theirs) = (Duration::MAX, Some(Duration::MAX));
    for _ in 0..3 {
        let _ = std::fs::remove_dir_all(&fresh);
        std::fs::create_dir_all(&fresh).unwrap();
        run(&fresh, &["init", "--admin", "bench"]);
        run(&fresh, &["staff", "import", "../data/staff.csv"]);
        ours = ours.min(run(&fresh, &["log", "import", "../million.csv"]).0);
        let start = Instant::now();
        let status = Command::new("sqlite3")
            .arg(fresh.join("sqlite3.db"))
            .args([
                schema.as_str(),
                ".mode csv",
                &format!(".import --skip 1 {} events", part.display()),
            ])
            .status();
        theirs = match status {
            Ok(s) if s.success() => theirs.map(|t| t.min(start.elapsed())),
            _ => None,
        };
    }
    match theirs {
        Some(theirs) => println!(
            "\n3. import of {n} rows: appraise {} (validated, deduplicated, one transaction) vs sqlite3 .import {} (best of 3 each): {:.2}x (target ≤ 1.5)",
            secs(ours),
            secs(theirs),
            ours.as_secs_f64() / theirs.as_secs_f64()
        ),
        None => println!(
            "\n3. import of {n} rows: appraise {}; sqlite3 not found (install Debian's sqlite3) so no ratio",
            secs(ours)
        ),
    }
}
