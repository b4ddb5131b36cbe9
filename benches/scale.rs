//! Company-scale benchmarks, each reported as a ratio against a baseline measured in the same
//! run (see docs/performance.md). Run with `cargo bench --bench scale`; set
//! `APPRAISE_BENCH_STAFF` (default 10000) for a smaller or larger workload.
//!
//! 1. evaluation overhead: `appraise rate` end to end vs the bare rhai calls of running every
//!    script (the rating reuses results for equal values);
//! 2. fixed-point rules: the engine on a policy of fixed points vs a native loop over the same
//!    events that keeps an item per scored event;
//! 3. import: `appraise log import` vs sqlite3's `.import` of the same 1,000,000-row file;
//! 4. incremental: `score --month --employee` after one `log add` vs the full-year rating;
//! 5. at scale: the time and peak RSS of `log import`, `rate`, `rules diff` and
//!    `rules coverage` (budgets), the last two also against the rating's time;
//! 6. year end: `month close`, `review start`, `report ratings` (xlsx, html), `audit verify`
//!    and `backup`, each against the rating's time, one `ratio NAME/rate = X` line each.
//!
//! `APPRAISE_BENCH_SCALE_ONLY=1` runs the workload and 5. only (the 100,000-staff run);
//! `APPRAISE_BENCH_ENGINE_ONLY=1` runs 2. only (while working on the engine);
//! `APPRAISE_BENCH_REUSE=1` keeps the workload of an earlier run of the same size.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use std::collections::BTreeMap;

use appraise::domain::event::Event;
use appraise::domain::month::Month;
use appraise::domain::points::Points;
use appraise::engine::{apply_cap, event_value, outcome, score_month, staff_value};
use appraise::evaluation::rulebook::Rulebook;
use appraise::policy::{Action, EventRule, Policy, Stage};
use appraise::store::Store;
use chrono::Datelike;
use rhai::Dynamic;

/// The binary's allocator, so that what is measured here in-process (the floor, the log read,
/// the engine) allocates as the product does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const YEAR: i32 = 2025;
const BIN: &str = env!("CARGO_BIN_EXE_appraise");

/// The binary with `args`, in `dir`, as the bench's user on the bench's today.
fn appraise(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .current_dir(dir)
        .env("APPRAISE_USER", "bench")
        .env("APPRAISE_TODAY", "2026-01-15");
    c
}

/// Runs the binary; returns (wall time, CPU time, peak RSS in MiB) of that one child.
fn run(dir: &Path, args: &[&str]) -> (Duration, Duration, f64) {
    run_into(dir, args, std::process::Stdio::null())
}

/// [`run`], its output written to `out`.
// The child is reaped by `wait4`, which also gives its own resource usage.
#[allow(clippy::zombie_processes)]
fn run_into(
    dir: &Path,
    args: &[&str],
    out: impl Into<std::process::Stdio>,
) -> (Duration, Duration, f64) {
    let start = Instant::now();
    let child = appraise(dir, args)
        .stdout(out)
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

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// Prints a figure the one way a script reads them all: `ratio NAME = X (target OP T)`.
fn ratio(name: &str, x: f64, target: &str) {
    println!("ratio {name} = {x:.3} (target {target})");
}

fn main() {
    let staff: usize = std::env::var("APPRAISE_BENCH_STAFF")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let flag = |name: &str| std::env::var(name).is_ok_and(|v| v == "1");
    if flag("APPRAISE_BENCH_LINEAR") {
        return linear(staff);
    }
    let (root, _) = workspace(staff);
    let dir = root.as_path();
    if flag("APPRAISE_BENCH_ENGINE_ONLY") {
        return engine_vs_native(dir);
    }
    at_scale(dir);
    if flag("APPRAISE_BENCH_SCALE_ONLY") {
        return;
    }

    // 1. Evaluation overhead: the rating and its floor, alternating, three rounds.
    let year = YEAR.to_string();
    let (mut rate_wall, mut rate_cpu, mut floor) = (Duration::MAX, Duration::MAX, Duration::MAX);
    let (mut sums, mut calls) = (BTreeMap::new(), 0);
    for _ in 0..3 {
        let (wall, cpu, _) = run(dir, &["rate", "--year", &year, "--format", "json"]);
        (rate_wall, rate_cpu) = (rate_wall.min(wall), rate_cpu.min(cpu));
        let (cpu, summed, made) = rhai_floor(&dir.join("appraise.db"));
        (floor, sums, calls) = (floor.min(cpu), summed, made);
    }
    check_floor(&sums, dir);
    println!(
        "\n1. evaluation: `rate --year` {} CPU, {} wall; floor (every script run, {calls} rhai calls, same inputs) {} CPU; best of 3 each, alternating; both gave the same {} month scores and points",
        secs(rate_cpu),
        secs(rate_wall),
        secs(floor),
        sums.len()
    );
    ratio(
        "rate_cpu/floor",
        rate_cpu.as_secs_f64() / floor.as_secs_f64(),
        "<= 1.5",
    );
    let (read, step) = read_alone(&dir.join("appraise.db"));
    println!(
        "   reading the log alone, on one thread: {} CPU (SQLite stepping through the packs {}, the rest decoding them into events) = {:.2} of the floor",
        secs(read),
        secs(step),
        read.as_secs_f64() / floor.as_secs_f64()
    );
    // The rating against reading what it reads, on the same threads, alternating.
    let (mut read_wall, mut rate_again) = (Duration::MAX, Duration::MAX);
    let mut read_events = 0;
    for _ in 0..3 {
        rate_again = rate_again.min(run(dir, &["rate", "--year", &year, "--format", "json"]).0);
        let (wall, n) = read_parallel(&dir.join("appraise.db"));
        (read_wall, read_events) = (read_wall.min(wall), n);
    }
    let logged: usize = rusqlite::Connection::open(dir.join("appraise.db"))
        .unwrap()
        .query_row(
            "SELECT count(*) FROM events WHERE date BETWEEN ?1 AND ?2",
            [format!("{YEAR}-01-01"), format!("{YEAR}-12-31")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(read_events, logged, "the read gave every event of the year");
    println!(
        "   `rate --year` {} wall vs reading and decoding its {read_events} events on the same {} threads {} wall (best of 3 each, alternating)",
        secs(rate_again),
        rayon::current_num_threads(),
        secs(read_wall)
    );
    ratio(
        "rate/read",
        rate_again.as_secs_f64() / read_wall.as_secs_f64(),
        "<= 1.25",
    );

    // 2. Fixed-point rules against a native loop.
    engine_vs_native(dir);

    // 3. Import against sqlite3's own.
    import_vs_sqlite(dir);

    // 4. Incremental: three rounds of one `log add` and the score it changes; the best counts.
    let one = (10..13)
        .map(|day| {
            let date = format!("{YEAR}-06-{day}");
            run(
                dir,
                &[
                    "log", "add", "W00002", "uniform", "--date", &date, "--again",
                ],
            );
            let month = format!("{YEAR}-06");
            run(dir, &["score", "--month", &month, "--employee", "W00002"]).0
        })
        .min()
        .expect("three rounds");
    println!(
        "\n4. incremental: `score --month --employee` after `log add` {} (best of 3) vs the full year {}",
        secs(one),
        secs(rate_wall),
    );
    ratio(
        "score_one/rate",
        one.as_secs_f64() / rate_wall.as_secs_f64(),
        "< 0.01",
    );
}

/// The workspace of `staff` employees under the system's temporary folder, generated and
/// imported afresh (or, with `APPRAISE_BENCH_REUSE=1`, an earlier run's), and its import's
/// wall time and peak RSS when it was made here.
fn workspace(staff: usize) -> (PathBuf, Option<Figure>) {
    let root: PathBuf = std::env::temp_dir().join(format!("appraise-bench-{staff}"));
    // While working on the code: the workload of an earlier run, generated and imported.
    let reuse = std::env::var("APPRAISE_BENCH_REUSE").is_ok_and(|v| v == "1")
        && root.join("appraise.db").exists();
    println!(
        "appraise scale benchmarks: {staff} staff, year {YEAR}, {} cores, in {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        root.display()
    );
    if reuse {
        return (root, None);
    }
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let import = workload(&root, staff);
    (root, Some(import))
}

/// What one step took: its name, wall time and peak RSS in MiB.
type Figure = (String, Duration, f64);

/// Linear growth (`APPRAISE_BENCH_LINEAR=1`, with `APPRAISE_BENCH_STAFF` the larger size):
/// a tenth of the staff and then all of them, each workload made afresh, and every step of
/// 5. and 6. at the larger size against the smaller, in this one run; then the larger
/// import against sqlite3's `.import` of the same file with the same indexes.
fn linear(staff: usize) {
    let mut sizes = Vec::new();
    for n in [staff / 10, staff] {
        let (dir, import) = workspace(n);
        let mut figures = vec![import.expect("a linear run makes its workloads")];
        figures.extend(at_scale(&dir));
        sizes.push((dir, figures));
    }
    let (small, large) = (&sizes[0].1, &sizes[1].1);
    println!(
        "\nlinear growth: {staff} staff against {} (peak RSS budget 1024 MiB each)",
        staff / 10
    );
    for ((name, a, _), (_, b, rss)) in small.iter().zip(large) {
        println!(
            "   {name}: {} → {}, peak RSS {rss:.0} MiB{}",
            secs(*a),
            secs(*b),
            if *rss > 1024.0 { " (over budget)" } else { "" }
        );
        ratio(
            &format!("{name}@{staff}/{}", staff / 10),
            b.as_secs_f64() / a.as_secs_f64(),
            "<= 11",
        );
    }
    let dir = &sizes[1].0;
    let import = large[0].1;
    let events = dir.join("data/events.csv");
    match sqlite3_import(&events, &dir.join("sqlite3.db")) {
        Some((theirs, n)) => {
            println!(
                "   the whole year's import: appraise {} vs sqlite3 .import {} of the same {n} rows, same indexes",
                secs(import),
                secs(theirs)
            );
            ratio(
                &format!("import@{staff}/sqlite3"),
                import.as_secs_f64() / theirs.as_secs_f64(),
                "<= 1.5",
            );
        }
        None => println!("   sqlite3 not found (install Debian's sqlite3), so no import ratio"),
    }
}

/// sqlite3's own `.import` of the events file `csv` into a fresh database at `db`, in a
/// table with its columns and the same indexes as appraise's log: (employee, date, kind,
/// note) and (date). Its wall time and the rows it stored; `None` without sqlite3.
fn sqlite3_import(csv: &Path, db: &Path) -> Option<(Duration, usize)> {
    let _ = std::fs::remove_file(db);
    let mut header = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(std::fs::File::open(csv).unwrap()),
        &mut header,
    )
    .unwrap();
    let columns = header
        .trim_end()
        .split(',')
        .map(|c| format!("{c} TEXT"))
        .collect::<Vec<_>>()
        .join(", ");
    let schema = format!(
        "CREATE TABLE events ({columns}); CREATE INDEX e1 ON events(employee, date, kind, note); CREATE INDEX e2 ON events(date);"
    );
    let start = Instant::now();
    let status = Command::new("sqlite3")
        .arg(db)
        .args([
            schema.as_str(),
            ".mode csv",
            &format!(".import --skip 1 {} events", csv.display()),
        ])
        .status();
    let took = start.elapsed();
    if !status.is_ok_and(|s| s.success()) {
        return None;
    }
    let conn = rusqlite::Connection::open(db).unwrap();
    let rows: usize = conn
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    Some((took, rows))
}

/// Generates the company's year and imports it into a fresh workspace in `dir`; the
/// import's figure.
fn workload(dir: &Path, staff: usize) -> Figure {
    let (gen_wall, _, _) = run(
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
    let (import_wall, import_cpu, import_rss) = run(dir, &["log", "import", "data/events.csv"]);
    // Counted line by line: reading the file whole would raise this process's peak RSS,
    // which the children measured below inherit.
    let events = std::io::BufRead::lines(std::io::BufReader::new(
        std::fs::File::open(dir.join("data/events.csv")).unwrap(),
    ))
    .count()
        - 1;
    println!(
        "workload: {events} events ({:.0} per employee-year), generated in {}",
        events as f64 / staff as f64,
        secs(gen_wall)
    );
    println!(
        "   `log import`: {} wall, {} CPU, peak RSS {import_rss:.0} MiB (budget ≤ 1024)",
        secs(import_wall),
        secs(import_cpu)
    );
    ("log_import".into(), import_wall, import_rss)
}

/// What the company's year costs at this size (5. in docs/performance.md): the rating, the
/// what-if and the coverage, each its wall and CPU time and its peak RSS, and the rating's
/// memory as the year grows. These are budgets (no baseline does the same work); the
/// ratios of the what-if and the coverage are against the rating of this same run.
/// Measured before anything else in this process: a child started later would inherit
/// this process's own high-water mark in its peak RSS.
fn at_scale(dir: &Path) -> Vec<Figure> {
    let year = YEAR.to_string();
    // The denominator of every ratio below: the best of three, its largest peak RSS.
    let (mut rate_wall, mut rate_cpu, mut rss) = (Duration::MAX, Duration::MAX, 0f64);
    for _ in 0..3 {
        let (w, cpu, r) = run(dir, &["rate", "--year", &year, "--format", "json"]);
        (rate_wall, rate_cpu, rss) = (rate_wall.min(w), rate_cpu.min(cpu), rss.max(r));
    }
    let mut figures = vec![("rate".to_string(), rate_wall, rss)];
    println!(
        "\n5. at scale: `rate --year` {} wall, {} CPU (best of 3), peak RSS {rss:.0} MiB (budget ≤ 1024)",
        secs(rate_wall),
        secs(rate_cpu)
    );
    for through in ["03", "06"] {
        let through = format!("{YEAR}-{through}");
        let (w, _, rss) = run(
            dir,
            &[
                "rate",
                "--year",
                &year,
                "--through",
                &through,
                "--format",
                "csv",
            ],
        );
        println!(
            "   `rate --through {through}`: {} wall, peak RSS {rss:.0} MiB",
            secs(w)
        );
    }
    let candidate = candidate(dir);
    for (what, args) in [
        (
            "rules diff",
            vec!["rules", "diff", candidate.as_str(), "--year", &year],
        ),
        ("rules coverage", vec!["rules", "coverage", "--year", &year]),
    ] {
        let mut args = args;
        args.extend(["--format", "json"]);
        let (w, cpu, rss) = run(dir, &args);
        figures.push((what.replace(' ', "_"), w, rss));
        println!(
            "   `{what}`: {} wall, {} CPU, peak RSS {rss:.0} MiB (budget ≤ 1024)",
            secs(w),
            secs(cpu),
        );
        ratio(
            &format!("{}/rate", what.replace(' ', "_")),
            w.as_secs_f64() / rate_wall.as_secs_f64(),
            "<= 2.5",
        );
    }
    figures.extend(year_end(dir, rate_wall));
    figures
}

/// The operations HR waits for at year end (6. in docs/performance.md), each its wall time
/// and peak RSS and a ratio to the rating of this same run, against a target set from what
/// a user at the desk would accept:
/// - closing a month snapshots one month of everyone: no slower than rating the year;
/// - starting the reviews rates the year and writes a review each: 1.5× the rating;
/// - a rating sheet is the rating plus its rendering: 2× for the workbook and the HTML;
///   so is a department's monthly statement (it scores the department's year for its
///   trend; `gen`'s one department holds every employee);
/// - verifying the chain rehashes every row ever written, the whole log included: 4×;
/// - a backup copies the database and has SQLite check the copy: it runs unattended (at
///   night, from a schedule) and is bound by the disk, so the binding target is 1.5× what an
///   operator would do by hand with the service stopped (copy the file, sync it, and run
///   `PRAGMA quick_check` on the copy), measured in the same run; against the rating, 3×.
///   (A copy that took SQLite's online backup a page at a time was 2.5–4.7× that plain
///   copy, and 3.9–10× the rating; the target was 5× then.)
///
/// A month closed here is reopened afterwards, so that a reused workload stays as it was.
fn year_end(dir: &Path, rate_wall: Duration) -> Vec<Figure> {
    let year = YEAR.to_string();
    let december = format!("{YEAR}-12");
    for done in [
        "backup.db",
        "statement.html",
        "ratings.xlsx",
        "ratings.html",
    ] {
        let _ = std::fs::remove_file(dir.join(done));
    }
    let rating_sheet = |ext: &str| format!("report ratings --year {year} --out ratings.{ext}");
    let operations = [
        ("month_close", format!("month close {december}"), 1.0),
        (
            "review_start",
            format!("review start --year {year} --open-months-ok"),
            1.5,
        ),
        ("report_ratings_xlsx", rating_sheet("xlsx"), 2.0),
        ("report_ratings_html", rating_sheet("html"), 2.0),
        (
            "report_statement_html",
            format!(
                "report statement --department customer-service --month {december} --out statement.html"
            ),
            2.0,
        ),
        ("audit_verify", "audit verify".to_string(), 4.0),
        ("backup", "backup backup.db".to_string(), 3.0),
    ];
    println!(
        "\n6. year-end operations (wall time, peak RSS; ratio to the rating's wall time above)"
    );
    let mut figures = Vec::new();
    for (name, line, target) in operations {
        let args: Vec<&str> = line.split_whitespace().collect();
        let (w, _, rss) = run(dir, &args);
        figures.push((name.to_string(), w, rss));
        println!("   `{line}`: {} wall, peak RSS {rss:.0} MiB", secs(w));
        ratio(
            &format!("{name}/rate"),
            w.as_secs_f64() / rate_wall.as_secs_f64(),
            &format!("<= {target}"),
        );
    }
    // The backup against what an operator would do by hand with the service stopped: copy
    // the file, sync it, and have SQLite check the copy.
    let backup = figures.last().expect("the backup above").1;
    // Room on the disk for the copy (at 100,000 staff each is 15 GB).
    let _ = std::fs::remove_file(dir.join("backup.db"));
    let copy = dir.join("copy.db");
    let start = Instant::now();
    std::fs::copy(dir.join("appraise.db"), &copy).unwrap();
    std::fs::File::open(&copy).unwrap().sync_all().unwrap();
    let copied = start.elapsed();
    let check: String = rusqlite::Connection::open(&copy)
        .unwrap()
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let checked = start.elapsed();
    let _ = std::fs::remove_file(&copy);
    println!(
        "   copying the database file and syncing it: {} wall; and SQLite's quick_check of the copy: {} wall",
        secs(copied),
        secs(checked)
    );
    ratio(
        "backup/checked_copy",
        backup.as_secs_f64() / checked.as_secs_f64(),
        "<= 1.5",
    );
    closed_year(dir, rate_wall);
    run(
        dir,
        &[
            "month",
            "reopen",
            &december,
            "--reason",
            "the benchmark's close, undone",
        ],
    );
    figures
}

/// The rating at year end, when every month is closed and read from its snapshot (the
/// month close above closed December): the same ratings byte for byte as computed from
/// the log, measured against the rating of the open year. Target: no slower than that
/// rating, since a snapshot holds the scores finished. The months closed here are
/// reopened, December by the caller.
fn closed_year(dir: &Path, rate_wall: Duration) {
    let year = YEAR.to_string();
    let rate = ["rate", "--year", &year, "--format", "json"];
    let open = dir.join("rate-open.json");
    run_into(dir, &rate, std::fs::File::create(&open).unwrap());
    let months: Vec<String> = (1..12).map(|m| format!("{YEAR}-{m:02}")).collect();
    for m in &months {
        run(dir, &["month", "close", m]);
    }
    let closed = dir.join("rate-closed.json");
    let (w, _, rss) = run_into(dir, &rate, std::fs::File::create(&closed).unwrap());
    assert!(
        std::fs::read(&open).unwrap() == std::fs::read(&closed).unwrap(),
        "the closed year rates differently from the open one"
    );
    println!(
        "   `rate --year` with every month closed, each read from its snapshot: {} wall, peak RSS {rss:.0} MiB; the same ratings byte for byte",
        secs(w)
    );
    ratio(
        "rate_closed/rate",
        w.as_secs_f64() / rate_wall.as_secs_f64(),
        "<= 1",
    );
    for m in months.iter().rev() {
        run(
            dir,
            &[
                "month",
                "reopen",
                m,
                "--reason",
                "the benchmark's close, undone",
            ],
        );
    }
    let _ = std::fs::remove_file(open);
    let _ = std::fs::remove_file(closed);
}

/// A what-if candidate: the shipped customer-service policy as a new version in which
/// leaving the post costs one point more the first time. Written beside a copy of the
/// company policy it extends; returns its path relative to `dir`.
fn candidate(dir: &Path) -> String {
    let folder = dir.join("candidate");
    std::fs::create_dir_all(&folder).unwrap();
    let shipped = std::fs::read_to_string(dir.join("rules/customer-service.toml")).unwrap();
    let changed = shipped
        .replace("version = \"2025.1\"", "version = \"2025.2\"")
        .replace("{ -5 } else { -3 }", "{ -5 } else { -4 }");
    assert_ne!(changed, shipped, "the candidate changes a rule");
    std::fs::write(folder.join("customer-service.toml"), changed).unwrap();
    std::fs::copy(dir.join("rules/company.toml"), folder.join("company.toml")).unwrap();
    "candidate/customer-service.toml".to_string()
}

/// The thread's CPU time so far: both sides of a comparison are timed as CPU time, the
/// binary's by the kernel's account of the child, the in-process baselines by this.
fn thread_cpu() -> Duration {
    // SAFETY: clock_gettime only writes into the value we pass.
    let mut t: libc::timespec = unsafe { std::mem::zeroed() };
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// An employee and a month.
type EmployeeMonth = (String, Month);
/// Per employee: the year's deducted and rewarded points, in hundredths.
type YearPoints = BTreeMap<String, (i64, i64)>;

/// An employee-month's points as the floor sums them: deducted and rewarded, in hundredths,
/// and the month's score (base plus both, within the policy's floor and ceiling).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Summed {
    deducted: i64,
    rewarded: i64,
    score: i64,
}

/// One event as the floor hands it to rhai: its value, `nth`, qty, the rules that see it
/// and whether any of them runs rhai, built before the clock starts.
struct FloorEvent<'p> {
    value: Dynamic,
    nth: i64,
    qty: i64,
    rules: Vec<&'p EventRule>,
    scripted: bool,
}

/// The rhai floor: for every employee-month the rating scores, the rhai calls a rating
/// makes when it runs every script — each event's `when` conditions and scripts, with the
/// same `event`, `staff`, `month` and `nth` (the n-th event of its kind in the month), under
/// the policy version governing that department and month — on inputs built beforehand.
/// (The rating itself runs a script once per distinct set of values it reads, and reuses
/// the result for the rest.) Only the calls and the reading of their results are timed (the
/// thread's CPU time). A script error fails the bench. The points are summed per
/// employee-month, with the fixed points and the caps, so that the caller can check them
/// against the rating's. Also returns the number of calls.
fn rhai_floor(db: &Path) -> (Duration, BTreeMap<EmployeeMonth, Summed>, u64) {
    let store = Store::open(db).unwrap();
    let rulebook = Rulebook::load(&store).unwrap();
    let months: Vec<Month> = Month::of_year(YEAR).collect();
    let mut timed = Duration::ZERO;
    let mut sums = BTreeMap::new();
    let mut made = 0u64;
    let records = store.staff_records().unwrap();
    let mut reader = store.readers(1, months[0], months[11]).unwrap().remove(0);
    for record in &records {
        let events = reader.events(&record.id).unwrap();
        // Untimed: each month's policy and inputs, as the rating has them when it calls rhai.
        let inputs: Vec<_> = months
            .iter()
            .filter(|m| record.employed_in(**m))
            .map(|m| {
                let e = record.at(*m);
                let policy = rulebook.governing(&e.department, *m).unwrap();
                assert!(
                    policy.monthly.is_empty(),
                    "the floor times event rules only; month rules would need the ledger"
                );
                let mut tally = vec![0i64; policy.by_kind.len()];
                let calls: Vec<FloorEvent> = events
                    .iter()
                    .filter(|ev| Month::of(ev.date) == *m && !ev.excused)
                    .filter_map(|ev| {
                        let (known, rules) = policy.rules_for(&ev.kind)?;
                        tally[known.index] += 1;
                        let rules: Vec<&EventRule> = rules.collect();
                        Some(FloorEvent {
                            value: event_value(ev),
                            nth: tally[known.index],
                            qty: ev.qty,
                            scripted: rules
                                .iter()
                                .any(|r| r.when.is_some() || matches!(r.action, Action::Script(_))),
                            rules,
                        })
                    })
                    .collect();
                let month = Dynamic::from(m.to_string());
                (*m, policy, staff_value(e), month, calls)
            })
            .collect();
        let start = thread_cpu();
        for (m, policy, staff, month, calls) in inputs {
            appraise::policy::script::start_evaluation();
            let mut scope = Stage::scope(vec![
                ("event", Dynamic::UNIT),
                ("staff", staff),
                ("month", month),
                ("nth", Dynamic::from_int(0)),
            ]);
            let mut booked: HashMap<&str, Points> = HashMap::new();
            let mut sum = Summed::default();
            for call in calls {
                if call.scripted {
                    scope.set_value("event", call.value);
                    scope.set_value("nth", Dynamic::from_int(call.nth));
                }
                for rule in call.rules {
                    if let Some(when) = &rule.when {
                        made += 1;
                        if !when.holds(&mut scope).expect("a `when` the rating runs") {
                            continue;
                        }
                    }
                    let mut points = match &rule.action {
                        Action::Fixed(p) => *p * call.qty,
                        Action::Script(s) => {
                            made += 1;
                            outcome(s.run(&mut scope).expect("a script the rating runs"))
                                .expect("a result the rating reads")
                                .points
                        }
                    };
                    if let Some(cap) = rule.cap {
                        let so_far = booked.entry(&rule.id).or_default();
                        points = apply_cap(*so_far, points, cap).0;
                        *so_far += points;
                    }
                    if points.is_negative() {
                        sum.deducted += points.hundredths();
                    } else {
                        sum.rewarded += points.hundredths();
                    }
                }
            }
            let s = &policy.scoring;
            let total = s.base + Points::from_hundredths(sum.deducted + sum.rewarded);
            sum.score = total.clamp_opt(s.floor, s.ceiling).hundredths();
            sums.insert((record.id.clone(), m), sum);
        }
        timed += thread_cpu() - start;
    }
    (timed, sums, made)
}

/// The rating's figures per employee-month, as `rate --format json` prints them: the month
/// scores, and the year's deducted and rewarded points (checked against the months' sums).
fn rating_sums(dir: &Path) -> (BTreeMap<EmployeeMonth, i64>, YearPoints) {
    let out = appraise(
        dir,
        &["rate", "--year", &YEAR.to_string(), "--format", "json"],
    )
    .output()
    .expect("run appraise rate");
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hundredths = |v: &serde_json::Value| (v.as_f64().unwrap() * 100.0).round() as i64;
    let (mut months, mut years) = (BTreeMap::new(), BTreeMap::new());
    for r in json["ratings"].as_array().unwrap() {
        let employee = r["employee"].as_str().unwrap().to_string();
        for m in r["monthly"].as_array().unwrap() {
            let month: Month = m["month"].as_str().unwrap().parse().unwrap();
            months.insert((employee.clone(), month), hundredths(&m["score"]));
        }
        years.insert(
            employee,
            (hundredths(&r["deducted"]), hundredths(&r["rewarded"])),
        );
    }
    (months, years)
}

/// Checks that the floor computed the rating's points: every employee-month's score, and
/// each employee's year of deducted and rewarded points.
fn check_floor(floor: &BTreeMap<EmployeeMonth, Summed>, dir: &Path) {
    let (months, years) = rating_sums(dir);
    let scores: BTreeMap<EmployeeMonth, i64> =
        floor.iter().map(|(k, s)| (k.clone(), s.score)).collect();
    assert_eq!(
        scores, months,
        "the floor and the rating disagree on month scores"
    );
    let mut floor_years = YearPoints::new();
    for ((employee, _), s) in floor {
        let y = floor_years.entry(employee.clone()).or_default();
        y.0 += s.deducted;
        y.1 += s.rewarded;
    }
    assert_eq!(
        floor_years, years,
        "the floor and the rating disagree on points"
    );
}

/// The time of reading every employee's events as the rating does, on one thread; and of
/// The rating's read of every employee's events, and SQLite alone stepping through the
/// packs it reads them from (their bytes touched, nothing decoded).
fn read_alone(db: &Path) -> (Duration, Duration) {
    let store = Store::open(db).unwrap();
    let start = thread_cpu();
    let mut events = 0;
    each_employee(&store, |e| events += e.len());
    let read = thread_cpu() - start;

    let conn = rusqlite::Connection::open(db).unwrap();
    let staff = staff_ids(&store);
    let mut st = conn
        .prepare(
            "SELECT month, data FROM packs
              WHERE employee = ?1 AND month >= ?2 AND month <= ?3 ORDER BY month",
        )
        .unwrap();
    let start = thread_cpu();
    let (mut packs, mut bytes) = (0, 0);
    for id in &staff {
        let mut q = st
            .query(rusqlite::params![
                id,
                format!("{YEAR}-01"),
                format!("{YEAR}-12")
            ])
            .unwrap();
        while let Some(r) = q.next().unwrap() {
            packs += 1;
            bytes += r.get_ref(0).unwrap().as_str().unwrap().len();
            bytes += r.get_ref(1).unwrap().as_blob().unwrap().len();
        }
    }
    let step = thread_cpu() - start;
    assert!(events > 0 && packs > 0 && bytes > 0);
    (read, step)
}

/// Every employee's events of the year read and decoded as the rating reads them, on the
/// rating's threads and in its windows, and dropped: the wall time and the events read.
fn read_parallel(db: &Path) -> (Duration, usize) {
    use rayon::prelude::*;
    use std::sync::Mutex;
    let store = Store::open(db).unwrap();
    let staff = staff_ids(&store);
    let start = Instant::now();
    let (from, to) = (Month::new(YEAR, 1).unwrap(), Month::new(YEAR, 12).unwrap());
    let readers: Vec<Mutex<_>> = store
        .readers(rayon::current_num_threads(), from, to)
        .unwrap()
        .into_iter()
        .map(Mutex::new)
        .collect();
    let mut events = 0;
    for window in staff.chunks(256) {
        let counts: Vec<usize> = window
            .par_iter()
            .map(|id| {
                let thread = rayon::current_thread_index().unwrap_or(0) % readers.len();
                readers[thread].lock().unwrap().events(id).unwrap().len()
            })
            .collect();
        events += counts.iter().sum::<usize>();
    }
    (start.elapsed(), events)
}

/// Every employee's id, in the store's order.
fn staff_ids(store: &Store) -> Vec<String> {
    store
        .staff_records()
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect()
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

/// 2.: the engine on fixed-point rules against native loops, one `ratio` line.
fn engine_vs_native(dir: &Path) {
    let [engine, native, digest, ledger] = fixed_points(&dir.join("appraise.db"));
    println!(
        "\n2. fixed points (CPU, best of 3 each, alternating; same scores and items): engine {}; a native loop keeping an item per scored event, from the same `Event` values {}; the same from events digested before its clock starts (kind index, month, qty, id) {}; summing points only, digested {}",
        secs(engine),
        secs(ledger),
        secs(digest),
        secs(native),
    );
    ratio(
        "engine/native_items",
        ledger.as_secs_f64() / engine.as_secs_f64(),
        ">= 0.33",
    );
}

/// The engine on a policy of fixed points only (every kind of the workload, no scripts) vs
/// native loops over the same events in memory, their CPU times: summing the points per
/// employee-month from events digested beforehand; keeping also an item per scored event as
/// the engine does, from the digest; and the same from the `Event` values the engine is
/// handed (the baseline of the ratio: it reads what the engine reads).
fn fixed_points(db: &Path) -> [Duration; 4] {
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
    // Each event as the native program holds it: (month, kind index, qty, id), made before the
    // clock starts, as the engine's events are read before its clock starts.
    let native_events: Vec<Vec<(usize, usize, i64, i64)>> = all
        .iter()
        .map(|(_, events)| {
            events
                .iter()
                .map(|e| (e.date.month0() as usize, index[&*e.kind], e.qty, e.id))
                .collect()
        })
        .collect();
    let engine_pass = || {
        let (mut total, mut items) = (0i64, 0usize);
        for (i, events) in &all {
            // Each month's own events, as the rating hands them over: they are in date
            // order, so one pass splits them, as the native loop's one pass buckets them.
            let mut rest = events.as_slice();
            for m in &months {
                let last = m.last_day();
                let n = rest.iter().take_while(|e| e.date <= last).count();
                let (month, later) = rest.split_at(n);
                rest = later;
                let scored = score_month(&fixed, &staff[*i], *m, month).unwrap();
                total += scored.score.hundredths();
                items += scored.items.len();
            }
        }
        (total, items)
    };
    let native_pass = || {
        let mut native = 0i64;
        for events in &native_events {
            let mut per_month = [10_000i64; 12];
            for &(month, kind, qty, _) in events {
                per_month[month] += points[kind] * qty;
            }
            native += per_month.iter().sum::<i64>();
        }
        (native, 0)
    };
    // The same, keeping what the engine keeps to explain every point: an item per scored
    // event (the event, its kind, the points), a month's items together.
    let ledger_pass = || {
        (native_events.iter())
            .map(|events| native_ledger(&points, events.iter().copied()))
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    };
    // The same, from the same `Event` values as the engine's: each kind found by its name,
    // the voided and excused skipped, the month read off the date.
    let by_name: foldhash::HashMap<&str, usize> =
        index.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let events_pass = || {
        (all.iter())
            .map(|(_, events)| {
                let live = events.iter().filter(|e| !e.voided && !e.excused);
                let booked =
                    live.map(|e| (e.date.month0() as usize, by_name[&*e.kind], e.qty, e.id));
                native_ledger(&points, booked)
            })
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    };
    // Alternating, three rounds; the best of each side counts.
    let mut best = [Duration::MAX; 4];
    let mut results = [(0, 0); 4];
    for _ in 0..3 {
        let passes: [&dyn Fn() -> (i64, usize); 4] =
            [&engine_pass, &native_pass, &ledger_pass, &events_pass];
        for (i, pass) in passes.iter().enumerate() {
            let start = thread_cpu();
            results[i] = pass();
            best[i] = best[i].min(thread_cpu() - start);
        }
    }
    let [engine, native, digest, events] = results;
    assert_eq!(engine.0, native.0, "both must compute the same scores");
    assert_eq!(
        engine, digest,
        "both must compute the same scores and items"
    );
    assert_eq!(
        engine, events,
        "both must compute the same scores and items"
    );
    best
}

/// One employee's year as a native program keeps it: each event `(month, kind index, qty,
/// id)` booked as an item (the event, its kind, the points) into its month; the months'
/// scores summed and their items counted.
fn native_ledger(
    points: &[i64],
    events: impl Iterator<Item = (usize, usize, i64, i64)>,
) -> (i64, usize) {
    let mut months: [Vec<(i64, usize, i64)>; 12] = Default::default();
    for (month, kind, qty, id) in events {
        months[month].push((id, kind, points[kind] * qty));
    }
    (months.iter()).fold((0, 0), |(score, items), ledger| {
        let month = 10_000 + ledger.iter().map(|i| i.2).sum::<i64>();
        (score + month, items + ledger.len())
    })
}

/// `log import` of a 1,000,000-row file vs sqlite3's `.import` into a table with the same
/// columns and the same indexes: (employee, date, kind, note) and (date). Ours also
/// writes the packs, which sqlite3 has no counterpart for.
fn import_vs_sqlite(dir: &Path) {
    let src = std::fs::read_to_string(dir.join("data/events.csv")).unwrap();
    let rows: Vec<&str> = src.lines().collect();
    let n = (rows.len() - 1).min(1_000_000);
    let part = dir.join("million.csv");
    std::fs::write(&part, rows[..=n].join("\n") + "\n").unwrap();
    drop(rows);
    drop(src);
    // Three rounds, each into fresh databases, alternating; the best of each side counts.
    let fresh = dir.join("import");
    let (mut ours, mut theirs) = (Duration::MAX, Some(Duration::MAX));
    for _ in 0..3 {
        let _ = std::fs::remove_dir_all(&fresh);
        std::fs::create_dir_all(&fresh).unwrap();
        run(&fresh, &["init", "--admin", "bench"]);
        run(&fresh, &["staff", "import", "../data/staff.csv"]);
        ours = ours.min(run(&fresh, &["log", "import", "../million.csv"]).0);
        let conn = rusqlite::Connection::open(fresh.join("appraise.db")).unwrap();
        let stored: usize = conn
            .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
            .unwrap();
        assert_eq!(stored, n, "appraise stored every row");
        theirs = match sqlite3_import(&part, &fresh.join("sqlite3.db")) {
            Some((t, stored)) => {
                assert_eq!(stored, n, "sqlite3 stored every row");
                theirs.map(|best| best.min(t))
            }
            None => None,
        };
    }
    match theirs {
        Some(theirs) => {
            println!(
                "\n3. import of {n} rows: appraise {} (validated, deduplicated, one transaction) vs sqlite3 .import {} (wall, best of 3 each, alternating; both stored every row)",
                secs(ours),
                secs(theirs),
            );
            ratio(
                "import/sqlite3",
                ours.as_secs_f64() / theirs.as_secs_f64(),
                "<= 1.5",
            );
        }
        None => println!(
            "\n3. import of {n} rows: appraise {}; sqlite3 not found (install Debian's sqlite3) so no ratio",
            secs(ours)
        ),
    }
}
