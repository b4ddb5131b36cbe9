//! Scores one month in memory, straight from files, with no database: the policies, the
//! staff file and a daily log, validated and scored exactly as `appraise` would.
//!
//! ```sh
//! cargo run --example score_month                       # the sample files, March 2025
//! cargo run --example score_month -- rules examples/staff.csv examples/events.csv 2025-06
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use appraise::app::App;
use appraise::domain::event::Event;
use appraise::domain::month::Month;
use appraise::domain::staff::StaffRecord;
use appraise::engine::score_month;
use appraise::evaluation::rulebook::Rulebook;
use appraise::intake::{EventValidator, read_events, read_staff};
use appraise::report::{ScoresView, Shape, render};

fn main() -> std::process::ExitCode {
    match run(std::env::args().skip(1)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Runs on `args`: the policy folder, the staff file, the events file, the month.
fn run(mut args: impl Iterator<Item = String>) -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let rules = args
        .next()
        .map_or_else(|| root.join("rules"), PathBuf::from);
    let staff_file = args
        .next()
        .map_or_else(|| root.join("examples/staff.csv"), PathBuf::from);
    let events_file = args
        .next()
        .map_or_else(|| root.join("examples/events.csv"), PathBuf::from);
    let month: Month = args.next().as_deref().unwrap_or("2025-03").parse()?;

    // The policies, checked and compiled; a policy with problems stops here, listing them.
    let checked = App::check_policies(&[rules])?;
    if !checked.problems.0.is_empty() {
        return Err(checked.problems.to_string().into());
    }
    // As if activated in file order: a policy naming a department beats `*`.
    let rulebook = Rulebook::of(checked.policies);

    // The staff and the log, validated as an import would be: a bad row stops here.
    let staff: Vec<StaffRecord> = read_staff(
        &staff_file.display().to_string(),
        &std::fs::read_to_string(&staff_file)?,
        &Default::default(),
    )?
    .rows
    .into_iter()
    .map(|(_, e)| StaffRecord::unchanged(e))
    .collect();
    let validator = EventValidator {
        staff: staff.iter().map(|r| (r.id.clone(), r.clone())).collect(),
        rulebook: &rulebook,
        today: chrono::Local::now().date_naive(),
        default_by: None,
        closed: BTreeMap::new(),
        // Files scored on one's own machine: no one else's scope to keep to.
        may_record: Box::new(|_| None),
    };
    let mut events: Vec<Event> = Vec::new();
    read_events::<std::convert::Infallible>(
        &events_file.display().to_string(),
        std::fs::File::open(&events_file)?,
        &validator,
        |e, _row_id| {
            // Rows are numbered as the store would number a fresh log.
            events.push(e.with_id(events.len() as i64 + 1));
            Ok(())
        },
    )
    .unwrap_or_else(|never| match never {})?;

    // Each employee's month under the policy governing their department then.
    let mut scores = Vec::new();
    for employee in staff
        .iter()
        .filter(|r| r.employed_in(month))
        .map(|r| r.at(month))
    {
        let Some(policy) = rulebook.governing(&employee.department, month) else {
            return Err(Rulebook::none_governs(&employee.department, month).into());
        };
        let own: Vec<Event> = events
            .iter()
            .filter(|e| e.employee == employee.id)
            .cloned()
            .collect();
        scores.push(score_month(policy, employee, month, &own)?);
    }
    // The same table `appraise score` prints.
    print!(
        "{}",
        render(&Shape::default(), &ScoresView { month, scores })
    );
    Ok(())
}

/// `cargo test` runs the example too (see `[[example]]` in Cargo.toml), so that it keeps
/// working, not just compiling.
#[test]
fn the_example_runs() {
    run(std::iter::empty()).unwrap();
}
