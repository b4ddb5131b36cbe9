//! The README's walk-through, run line by line as a new user would: from a fresh folder
//! inside a copy of the checkout's `examples/`, every command must succeed.

use std::path::Path;
use std::process::Command;

use crate::util::TODAY;

/// The shell commands of the README's walk-through, in order, continuation lines joined.
fn walk_through_commands(readme: &str) -> Vec<String> {
    section_commands(readme, "## A walk through", "\n## Policy files")
}

/// The shell commands of the README from heading `from` to `to`, in order, continuation
/// lines joined.
fn section_commands(readme: &str, from: &str, to: &str) -> Vec<String> {
    let start = readme.find(from).expect("the README has the section");
    let end = readme[start..].find(to).map_or(readme.len(), |e| start + e);
    let mut commands = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for line in readme[start..end].lines() {
        match line.trim() {
            "```sh" => in_sh = true,
            "```" => in_sh = false,
            text if in_sh && !text.is_empty() => {
                pending.push_str(text.strip_suffix('\\').unwrap_or(text));
                if text.ends_with('\\') {
                    pending.push(' ');
                } else {
                    commands.push(std::mem::take(&mut pending));
                }
            }
            _ => {}
        }
    }
    commands
}

#[test]
fn every_command_of_the_readme_walk_through_works_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let commands = walk_through_commands(&readme);
    assert!(commands.len() > 40, "{commands:#?}");
    assert_eq!(commands[0], "mkdir walk && cd walk");

    // A checkout-like folder: the sample files beside the folder the walk-through makes.
    let checkout = tempfile::tempdir().unwrap();
    let examples = checkout.path().join("examples");
    std::fs::create_dir(&examples).unwrap();
    for f in ["staff.csv", "events.csv", "cs-2025.2.toml"] {
        std::fs::copy(root.join("examples").join(f), examples.join(f)).unwrap();
    }
    let bin = assert_cmd::cargo::cargo_bin!("appraise");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // One shell for the whole walk, so that `cd` carries over as it does for a reader.
    let mut script = String::from("set -e\n");
    for (i, c) in commands.iter().enumerate() {
        script.push_str(&format!("echo '>>> {i}' >&2\n{c}\n"));
    }
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(checkout.path())
        .env("PATH", path)
        .env("APPRAISE_TODAY", TODAY)
        .env_remove("APPRAISE_DB")
        .env_remove("APPRAISE_USER")
        .output()
        .expect("bash runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "a walk-through command failed:\n{stderr}\nstdout:\n{stdout}"
    );
    // Nothing but the step markers on standard error: no warnings, no errors.
    let noise: Vec<&str> = stderr.lines().filter(|l| !l.starts_with(">>> ")).collect();
    assert!(noise.is_empty(), "{noise:#?}");

    // What the walk-through did is in the workspace it made.
    let walk = checkout.path().join("walk");
    for f in [
        "appraise.db",
        "ratings-2025.csv",
        "ratings-2025.xlsx",
        "ratings-2025.html",
        "s.md",
        "statement-customer-service-2025-03.html",
        "recommendation-E008-2025.html",
    ] {
        assert!(walk.join(f).exists(), "{f} was not written");
    }
    // People are told in Chinese unless they ask for English.
    assert!(
        stdout.contains("已在 `E008` 的 2025 年度考评中签署“公司”；考评完成，最终等级“一般”"),
        "{stdout}"
    );
    assert!(stdout.contains("已免除事件 18"), "{stdout}");
}

#[test]
fn the_readme_attendance_section_runs_on_the_shipped_examples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let commands = section_commands(
        &readme,
        "## Attendance: the time clock",
        "\n### Leave and holidays",
    );
    assert!(commands.len() >= 8, "{commands:#?}");
    // A workspace with the sample staff and the head's login of "Serving the workplace".
    let checkout = tempfile::tempdir().unwrap();
    let examples = checkout.path().join("examples");
    std::fs::create_dir(&examples).unwrap();
    for f in ["staff.csv", "roster.csv", "punches.csv", "handovers.csv"] {
        std::fs::copy(root.join("examples").join(f), examples.join(f)).unwrap();
    }
    let setup = [
        "appraise init --admin hr",
        "appraise staff import examples/staff.csv --by hr",
        "appraise user add li --name 张三 --role head --employee E001 --department customer-service --by hr",
    ];
    let bin = assert_cmd::cargo::cargo_bin!("appraise");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let script: String = std::iter::once("set -e".to_string())
        .chain(setup.iter().map(|c| c.to_string()))
        .chain(commands.iter().cloned())
        .collect::<Vec<_>>()
        .join("\n");
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(checkout.path())
        .env("PATH", path)
        .env("APPRAISE_TODAY", TODAY)
        .env_remove("APPRAISE_DB")
        .env_remove("APPRAISE_USER")
        .env("APPRAISE_LANG", "en")
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}\nstdout:\n{stdout}");
    // What the README says each step prints.
    for said in [
        "examples/punches.csv (read as GB18030): 85 rows; 270 employee-days derived again: 5 events added (1 absence and 1 missing punch), 0 voided",
        "examples/handovers.csv: 21 rows; 270 employee-days derived again: 1 event added, 0 voided",
        "上班打卡 09:17（examples/punches.csv:4）",
    ] {
        assert!(stdout.contains(said), "`{said}` not in:\n{stdout}");
        assert!(readme.contains(said), "the README no longer says `{said}`");
    }
}
