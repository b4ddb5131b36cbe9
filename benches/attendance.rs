//! Attendance at company scale (see docs/performance.md): `appraise clock import` of a
//! 10,000-staff month of punches (one row per punch, against the month's roster) vs
//! `appraise log import` of a file with the same number of rows, in the same run, best of 3
//! each into fresh databases. The derived events are checked against the pure derivation
//! run in this process on the same files. `APPRAISE_BENCH_STAFF` changes the staff.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use appraise::engine::attendance::{Inputs, Shift, Stamped, derive};
use appraise::policy::Policy;

const BIN: &str = env!("CARGO_BIN_EXE_appraise");

fn run(dir: &Path, args: &[&str]) -> (Duration, String) {
    let start = Instant::now();
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("APPRAISE_USER", "bench")
        .env("APPRAISE_TODAY", "2025-12-31")
        .output()
        .expect("appraise runs");
    assert!(
        out.status.success(),
        "appraise {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        start.elapsed(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn main() {
    let staff: usize = std::env::var("APPRAISE_BENCH_STAFF")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let root = std::env::temp_dir().join(format!("appraise-attendance-{staff}"));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let dir = root.as_path();
    run(
        dir,
        &[
            "gen",
            "--staff",
            &staff.to_string(),
            "--year",
            "2025",
            "data",
        ],
    );
    let clock = std::fs::read_to_string(dir.join("data/clock.csv")).unwrap();
    let rows = clock.lines().count() - 1;
    // The baseline's file: as many event rows as the clock export has punches.
    let events = std::fs::read_to_string(dir.join("data/events.csv")).unwrap();
    let same: Vec<&str> = events.lines().take(rows + 1).collect();
    std::fs::write(dir.join("same.csv"), same.join("\n") + "\n").unwrap();
    drop(events);

    let (mut ours, mut baseline) = (Duration::MAX, Duration::MAX);
    let mut derived = String::new();
    for round in 0..3 {
        let fresh = dir.join(format!("round{round}"));
        std::fs::create_dir_all(&fresh).unwrap();
        run(&fresh, &["init", "--admin", "bench"]);
        run(&fresh, &["staff", "import", "../data/staff.csv"]);
        run(&fresh, &["roster", "import", "../data/roster.csv"]);
        let (t, out) = run(&fresh, &["clock", "import", "../data/clock.csv"]);
        ours = ours.min(t);
        derived = out;
        let base = dir.join(format!("base{round}"));
        std::fs::create_dir_all(&base).unwrap();
        run(&base, &["init", "--admin", "bench"]);
        run(&base, &["staff", "import", "../data/staff.csv"]);
        baseline = baseline.min(run(&base, &["log", "import", "../same.csv"]).0);
    }

    // The same derivation, in this process, from the same files.
    let policy = Policy::load(&dir.join("round0/rules/customer-service.toml")).unwrap();
    let rules = policy
        .attendance
        .clone()
        .expect("the shipped policy derives attendance");
    let known: BTreeSet<String> = (1..=staff).map(|i| format!("W{i:05}")).collect();
    let roster = std::fs::read_to_string(dir.join("data/roster.csv")).unwrap();
    let shifts = appraise::intake::read_roster("roster.csv", &roster, &known).unwrap();
    let punches = appraise::intake::read_clock("clock.csv", &clock, &known).unwrap();
    let mut by: BTreeMap<&str, (Vec<Shift>, Vec<Stamped>)> = BTreeMap::new();
    for (_, s) in &shifts {
        by.entry(&s.employee).or_default().0.push(s.clone());
    }
    for p in &punches {
        by.entry(&p.employee).or_default().1.push(p.clone());
    }
    let inputs = Inputs {
        punches: true,
        handovers: false,
    };
    let expected: usize = by
        .values()
        .map(|(s, p)| derive(&rules, s, p, &[], inputs, |_| true).unwrap().len())
        .sum();
    assert!(
        derived.contains(&format!("{expected} events added")),
        "the import derived: {derived}; the pure derivation: {expected}"
    );

    println!(
        "attendance, {staff} staff, January 2025: {} shifts, {rows} punches → {expected} events (the same as the pure derivation)",
        shifts.len()
    );
    println!(
        "clock import {:.2} s vs log import of {rows} event rows {:.2} s (best of 3 each)",
        ours.as_secs_f64(),
        baseline.as_secs_f64(),
    );
    println!(
        "ratio clock/log_import = {:.3} (target <= 1.1)",
        ours.as_secs_f64() / baseline.as_secs_f64()
    );
}
