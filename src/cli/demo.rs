//! `appraise demo`: a sample company in a fresh folder, rated.

use std::path::PathBuf;

use super::{Ctx, init, log, rate, staff};
use crate::demo;
use crate::store::Store;

/// The sample year and seed: fixed, so the demo prints the same ratings on every machine.
const YEAR: i32 = 2025;
const SEED: u64 = 2025;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to build the sample workspace (a new or empty folder) [default: a new folder
    /// in the system's temporary folder].
    pub dir: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, a: Args) -> anyhow::Result<()> {
    let dir = match a.dir {
        Some(d) => {
            if d.exists() && std::fs::read_dir(&d)?.next().is_some() {
                anyhow::bail!("`{}` is not empty; give a new or empty folder", d.display());
            }
            std::fs::create_dir_all(&d)?;
            d
        }
        None => tempfile::Builder::new()
            .prefix("appraise-demo-")
            .tempdir()?
            .keep(),
    };
    let ws = Ctx {
        db: dir.join("appraise.db"),
        db_given: true,
        format: ctx.format,
        today: ctx.today,
    };
    println!("Building the sample company in {}", dir.display());
    init::setup(&ws, &dir, "demo")?;

    let sample = demo::generate(YEAR, SEED);
    let staff_file = dir.join("staff.csv");
    let events_file = dir.join("events.csv");
    std::fs::write(&staff_file, &sample.staff_csv)?;
    std::fs::write(&events_file, &sample.events_csv)?;
    staff::import(&ws, &staff_file, "demo")?;
    let mut store = Store::open(&ws.db)?;
    let stamp = ws.stamp("demo");
    for (id, name, head) in &sample.departments {
        store.put_department(id, Some(name), Some(head), &stamp)?;
    }
    for (dept, target, met) in &sample.targets {
        store.put_target(dept, YEAR, target, *met, &stamp)?;
    }
    for (dept, budget, spent) in &sample.budgets {
        store.put_budget(dept, YEAR, budget * 100, spent * 100, &stamp)?;
    }
    drop(store);
    log::import(&ws, &events_file, false, Some("demo".into()))?;
    println!();

    rate::run(
        &ws,
        rate::Args {
            year: YEAR,
            department: None,
            through: None,
        },
    )?;

    let db = ws.db.display();
    let (good, troubled) = &sample.examples;
    // The binary that is running, so the commands below work as printed even when
    // `appraise` is not on the PATH (e.g. after `cargo run`).
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "appraise".into());
    println!();
    println!(
        "The workspace is {} (database, rules/, staff.csv, events.csv). Try:",
        dir.display()
    );
    println!("  {exe} --db {db} explain {troubled} --year {YEAR}");
    println!("  {exe} --db {db} score --month {YEAR}-03 --department customer-service");
    println!("  {exe} --db {db} log add {good} late --date {YEAR}-12-15 --minutes 20 --by 张主管");
    Ok(())
}
