//! A department head writes the security team's own policy: a new violation kind (a missed
//! patrol round, 漏巡), a stricter rule for the badge, and tests of both. The example
//! checks the file, runs its `[[test]]` cases, and shows its what-if on a year of real
//! logs (the demo company's) before anything is activated.
//!
//! ```sh
//! cargo run --example department_policy
//! ```

use std::process::ExitCode;

use appraise::app::setup::shipped;
use appraise::app::{Actor, App};
use appraise::report::{CasesView, Shape, render};

/// The security team's policy: it extends the company's and adds what is its own.
const SECURITY: &str = r#"
[policy]
id = "security"
name = "秩序维护部考评细则"
version = "2025.1"
effective_from = "2025-01"
departments = ["security"]
extends = "company.toml"

[[rule]]
id = "patrol_missed"
name = "漏巡：未按时完成巡逻签到"
category = "巡逻"
fields = { checkpoints = "int" }
when = "event.checkpoints > 0"
script = '''
// One point per checkpoint missed, two from the third missed round of the month.
let per = if nth >= 3 { 2 } else { 1 };
#{ points: -per * event.checkpoints, note: `漏签 ${event.checkpoints} 个巡更点` }
'''
cap = -20

[[rule]]
id = "badge"
name = "上岗不佩戴工作牌"
category = "仪容仪表"
points = -2          # stricter than the company's -1: guards are the first face residents see
override = true

[[test]]
name = "a round with three checkpoints missed costs three points"
month = "2025-05"
staff = { role = "staff" }
events = [ { date = "2025-05-06", kind = "patrol_missed", checkpoints = 3 } ]
expect = { score = 97, points = { patrol_missed = -3 } }

[[test]]
name = "from the third missed round each checkpoint costs two"
month = "2025-05"
events = [
  { date = "2025-05-06", kind = "patrol_missed", checkpoints = 1 },
  { date = "2025-05-13", kind = "patrol_missed", checkpoints = 1 },
  { date = "2025-05-20", kind = "patrol_missed", checkpoints = 2 },
]
expect = { score = 94, items = 3 }

[[test]]
name = "no badge costs two points on the security team"
month = "2025-05"
events = [ { date = "2025-05-06", kind = "badge" } ]
expect = { score = 98, points = { badge = -2 } }
"#;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    // The policy sits beside the file it extends, as it would in `rules/`.
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules)?;
    for (name, text) in shipped::POLICIES {
        std::fs::write(rules.join(name), text)?;
    }
    let file = rules.join("security.toml");
    std::fs::write(&file, SECURITY)?;

    // 1. Check it: every problem at its line and column, or a clean bill.
    let checked = App::check_policies(std::slice::from_ref(&file))?;
    if !checked.problems.0.is_empty() {
        return Err(checked.problems.to_string().into());
    }
    let policy = &checked.policies[0];
    println!(
        "security.toml loads: {} event rules over {} kinds (new: patrol_missed)",
        policy.rules.len(),
        policy.kinds.len()
    );

    // 2. Its tests, expected against actual, and whether every rule fires in one (the
    //    company's file comes along: its rules are covered by its own tests).
    let tested = App::test_policies(&[rules.join("company.toml"), file.clone()], true)?;
    let passed = tested.passed();
    print!(
        "{}",
        render(
            &Shape::default(),
            &CasesView {
                results: tested.results,
                untested: tested.untested,
            },
        )
    );
    if !passed {
        return Err("a test of security.toml failed".into());
    }

    // 3. The what-if: the demo company's real 2025 logs under this policy, against the
    //    activated ones. Nothing is stored.
    let demo = App::demo(
        &dir.path().join("company"),
        chrono::Local::now().date_naive(),
    )?;
    let diff = demo
        .app
        .what_if(&Actor::owner(), &file, demo.year, None, None)?;
    print!("{}", render(&Shape::default(), &diff));
    Ok(())
}

/// `cargo test` runs the example too (see `[[example]]` in Cargo.toml), so that it keeps
/// working, not just compiling.
#[test]
fn the_example_runs() {
    run().unwrap();
}
