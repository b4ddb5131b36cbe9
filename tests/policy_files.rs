//! Policy files through `rules check` and `rules test`: every problem at its exact position.

use crate::util::Workspace;

fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Runs a `rules` subcommand on fixture files, from the fixtures folder.
fn rules(args: &[&str]) -> crate::util::Run {
    let ws = Workspace::new();
    ws.run_in(&fixtures(), &[&["rules"], args].concat())
}

#[test]
fn every_problem_is_listed_with_its_position() {
    let err = rules(&["check", "bad_many.toml"]).fails(1);
    let expected = "\
bad_many.toml:2:6: policy id `Bad Id` may only use a-z, 0-9, `_` and `-`
bad_many.toml:5:18: `2026-13` is not a month; write it as YYYY-MM, e.g. 2026-03
bad_many.toml:6:15: `departments` is empty; name the departments this policy governs, or \"*\" for all
bad_many.toml:15:22: unknown field type `integer`; use int, float, text, date, time or bool
bad_many.toml:19:6: duplicate rule id `late`; ids must be unique in a file
bad_many.toml:26:10: rule `both` has both `points` and `script`; keep one
bad_many.toml:35:1: rhai: Undefined variable: evnt; the variables here are event, staff, month, nth
bad_many.toml:49:16: field `n` of kind `y` is text here but int in rule `clash`; one kind needs one type per field
bad_many.toml:56:9: year rule `force` forces grade `terrible`, which no `[[grade]]` defines; known grades: ok, bad
bad_many.toml:59:6: grade `ok` has no `when` but is not last; only the last grade is the catch-all
bad_many.toml:65:8: the last grade `bad` is the catch-all and takes no `when`; remove it or add a grade after it
";
    assert_eq!(err, expected);
}

#[test]
fn toml_syntax_error_points_at_the_character() {
    let err = rules(&["check", "syntax_bad.toml"]).fails(1);
    assert!(err.starts_with("syntax_bad.toml:12:7: "), "{err}");
}

#[test]
fn redefining_an_inherited_rule_needs_override() {
    let err = rules(&["check", "child_no_override.toml"]).fails(1);
    assert_eq!(
        err,
        "child_no_override.toml:10:6: rule `late` is already defined in base.toml:14; add `override = true` to redefine it\n\
         child_no_override.toml:15:6: rule `ghost` has `override = true` but no extended policy defines it\n"
    );
}

#[test]
fn an_override_replaces_the_inherited_rule() {
    let out = rules(&["test", "child_override.toml"]).ok();
    assert!(out.contains("1 passed, 0 failed"), "{out}");
}

#[test]
fn an_extends_cycle_is_reported() {
    let err = rules(&["check", "cycle_a.toml"]).fails(1);
    assert!(
        err.contains("cycle_b.toml:7:11: `extends` makes a cycle through `cycle_a.toml`"),
        "{err}"
    );
}

#[test]
fn a_failing_policy_test_shows_expected_and_actual() {
    let run = rules(&["test", "failing_test.toml"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("score: expected 98, got 99"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("0 passed, 1 failed"), "{}", run.stdout);
}

#[test]
fn engine_fixture_cases_pass() {
    let out = rules(&["test", "engine.toml", "--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 7);
    assert!(results.iter().all(|r| r["passed"] == true), "{out}");
}

#[test]
fn did_you_mean_never_offers_the_word_given() {
    let policy = appraise::policy::Policy::load(&fixtures().join("engine.toml")).unwrap();
    // An alias is a kind's name: it resolves, and is never its own correction.
    assert_eq!(policy.kind_named("失误"), Some("fumble"));
    assert_ne!(policy.closest_kind("失误"), Some("失误"));
    assert_eq!(policy.closest_kind("slp"), Some("slip"));
}

#[test]
fn the_shipped_policies_check_and_pass_their_tests() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let ws = Workspace::new();
    ws.run_in(root, &["rules", "check", "rules/"]).ok();
    let out = ws.run_in(root, &["rules", "test", "rules/"]).ok();
    assert!(out.contains(" 0 failed"), "{out}");
    assert!(!out.contains("FAIL"), "{out}");
}

#[test]
fn every_shipped_rule_fires_in_a_test() {
    // Not merely "some test logs a kind the rule listens to": each event, month and year
    // rule must actually score (fire) in one of the policies' own cases.
    use appraise::engine::cases::{run_cases, untested};
    use appraise::policy::Policy;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let policies: Vec<Policy> = ["rules/company.toml", "rules/customer-service.toml"]
        .iter()
        .map(|f| Policy::load(&root.join(f)).unwrap())
        .collect();
    let results: Vec<_> = policies.iter().map(run_cases).collect();
    for r in results.iter().flatten() {
        assert!(r.passed, "{}: {:?}", r.name, r.failures);
    }
    let runs: Vec<_> = policies
        .iter()
        .zip(&results)
        .map(|(p, r)| (p, r.as_slice()))
        .collect();
    assert_eq!(untested(&runs), Vec::<String>::new());
    // And the check can fail: a rule no case reaches is reported.
    let fixture = Policy::load(&root.join("tests/fixtures/untested.toml")).unwrap();
    let cases = run_cases(&fixture);
    let reported = untested(&[(&fixture, cases.as_slice())]);
    assert!(
        reported.iter().any(|r| r.ends_with(" noise")),
        "{reported:?}"
    );
}

/// The broken-policy corpus: each file in `tests/fixtures/broken/` holds one mistake a
/// department head could make in a script, and says on its second line where the checker
/// must find it and what it must say (`# expect: LINE:COL: message`). Every one of them
/// would otherwise fail or be silently wrong at run time; the check finds exactly that one
/// problem, at that place.
#[test]
fn every_broken_policy_of_the_corpus_is_refused_at_its_mistake() {
    let dir = fixtures().join("broken");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 40,
        "the corpus holds {} policies",
        files.len()
    );
    let mut wrong = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let expect = text
            .lines()
            .find_map(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{} has no `# expect:` line", file.display()));
        let found = match appraise::policy::Policy::load(file) {
            Ok(_) => "accepted".to_string(),
            Err(problems) => problems
                .0
                .iter()
                .map(|p| format!("{}:{}: {}", p.line, p.column, p.message))
                .collect::<Vec<_>>()
                .join("\n"),
        };
        if found != expect {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            wrong.push(format!("{name}\n  expected: {expect}\n  found:    {found}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every policy shipped, in the examples and in the tests' fixtures that are meant to be
/// right passes the checker: it raises no false alarm on scripts that work.
#[test]
fn the_checker_raises_no_false_alarm_on_working_policies() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for path in [
        "rules/company.toml",
        "rules/customer-service.toml",
        "tests/fixtures/engine.toml",
        "tests/fixtures/base.toml",
        "tests/fixtures/child_override.toml",
        "tests/fixtures/failing_test.toml",
        "tests/fixtures/untested.toml",
    ] {
        if let Err(p) = appraise::policy::Policy::load(&root.join(path)) {
            panic!("{path}: {p}");
        }
    }
    // The example candidate, beside the shipped files it extends, as the README has it.
    let ws = Workspace::new();
    std::fs::create_dir_all(ws.path("rules")).unwrap();
    for f in ["company.toml", "customer-service.toml"] {
        ws.write(
            &format!("rules/{f}"),
            &std::fs::read_to_string(root.join("rules").join(f)).unwrap(),
        );
    }
    ws.write(
        "rules/cs-2025.2.toml",
        &std::fs::read_to_string(root.join("examples/cs-2025.2.toml")).unwrap(),
    );
    if let Err(p) = appraise::policy::Policy::load(&ws.path("rules/cs-2025.2.toml")) {
        panic!("examples/cs-2025.2.toml: {p}");
    }
}
