//! Every read of the application, called as each role on records outside their scope, is
//! refused (or leaves those records out of a listing); an employee who is not on file gets
//! the same answer as one out of scope, so that nobody learns who exists.

use std::collections::BTreeSet;

use appraise::app::{Actor, App, Document, Error, Result, Who};
use appraise::domain::month::Month;
use appraise::store::EventFilter;

use crate::util::staffed;

/// The reads that name one employee, each called on `employee` as `by`.
fn employee_reads(app: &App, by: &Actor, employee: &str) -> Vec<(&'static str, Result<()>)> {
    let month: Month = "2026-03".parse().unwrap();
    let one = Who {
        department: None,
        employee: Some(employee.to_string()),
        ..Default::default()
    };
    let filter = EventFilter {
        employee: Some(employee.to_string()),
        ..EventFilter::default()
    };
    vec![
        (
            "explain_month",
            app.explain_month(by, employee, month).map(drop),
        ),
        (
            "explain_year",
            app.explain_year(by, employee, 2026, None).map(drop),
        ),
        ("record", app.record(by, employee).map(drop)),
        (
            "recommendation",
            app.recommendation(by, employee, 2026, Document::Html)
                .map(drop),
        ),
        ("events", app.events(by, &filter).map(drop)),
        ("scores", app.scores(by, month, &one).map(drop)),
        (
            "ratings",
            app.ratings(by, 2026, None, &one, &|_, _| {}).map(drop),
        ),
        ("appeals", app.appeals(by, false, Some(employee)).map(drop)),
        (
            "corrections",
            app.corrections(by, Some(employee), false).map(drop),
        ),
    ]
}

/// The reads of a department's or the company's records, as `by`, of `department`.
fn report_reads(app: &App, by: &Actor, department: &str) -> Vec<(&'static str, Result<()>)> {
    let month: Month = "2026-03".parse().unwrap();
    let backup = tempfile::tempdir().unwrap();
    vec![
        (
            "statement",
            app.statement(by, department, month, Document::Html)
                .map(drop),
        ),
        (
            "rating_sheet",
            app.rating_sheet(by, 2026, None, None, Document::Html)
                .map(drop),
        ),
        (
            "rate_departments",
            app.rate_departments(by, 2026, None).map(drop),
        ),
        (
            "rule_coverage",
            app.rule_coverage(by, None, 2026, None).map(drop),
        ),
        ("closed_months", app.closed_months(by).map(drop)),
        ("verify", app.verify(by).map(drop)),
        ("audit", app.audit(by, None).map(drop)),
        (
            "backup",
            app.backup(by, &backup.path().join("copy.db")).map(drop),
        ),
        ("users", app.users(by).map(drop)),
    ]
}

/// The employees a listing read shows `by`.
fn listed(app: &App, by: &Actor) -> BTreeSet<String> {
    let month: Month = "2026-03".parse().unwrap();
    let all = Who::default();
    let mut seen = BTreeSet::new();
    seen.extend(
        app.scores(by, month, &all)
            .unwrap()
            .into_iter()
            .map(|s| s.employee),
    );
    seen.extend(
        app.events(by, &EventFilter::default())
            .unwrap()
            .into_iter()
            .map(|e| e.employee.to_string()),
    );
    let (ratings, _) = app.ratings(by, 2026, None, &all, &|_, _| {}).unwrap();
    seen.extend(ratings.into_iter().map(|r| r.employee));
    seen.extend(app.staff(by, None, None).unwrap().into_iter().map(|e| e.id));
    seen.extend(
        app.appeals(by, false, None)
            .unwrap()
            .into_iter()
            .map(|a| a.employee),
    );
    seen.extend(
        app.corrections(by, None, false)
            .unwrap()
            .into_iter()
            .map(|c| c.employee),
    );
    seen
}

#[test]
fn every_read_refuses_what_is_outside_the_callers_scope() {
    let ws = staffed();
    // One event for everyone, so that every listing has someone of each department.
    let entries = [
        ("E002", "2026-03-10"),
        ("E003", "2026-04-20"),
        ("E004", "2026-03-10"),
    ];
    for (employee, date) in entries {
        ws.cmd(&format!("log add {employee} uniform --date {date} --by HR"))
            .ok();
    }
    let app = ws.app();
    let hr = app.actor("HR").unwrap();
    let supervisor = app.actor("张主管").unwrap();
    let security_head = app.actor("队长").unwrap();
    let employee = app.actor("E003").unwrap();

    // HR reads everything, which shows that each read below is refused for its scope.
    for (read, r) in employee_reads(&app, &hr, "E004") {
        assert!(r.is_ok(), "HR: {read}: {r:?}");
    }
    for (read, r) in report_reads(&app, &hr, "security") {
        assert!(r.is_ok(), "HR: {read}: {r:?}");
    }
    let everyone: BTreeSet<String> = ["E001", "E002", "E003", "E004"].map(String::from).into();
    assert!(
        listed(&app, &hr).is_superset(&everyone),
        "{:?}",
        listed(&app, &hr)
    );

    // (who, someone outside their scope, their own department, what listings may show)
    let cases = [
        (
            &supervisor,
            "E004",
            "security",
            &["E001", "E002", "E003"][..],
        ),
        (&security_head, "E002", "customer-service", &["E004"][..]),
        (&employee, "E002", "customer-service", &["E003"][..]),
    ];
    for (by, outside, other_department, may_list) in cases {
        for target in [outside, "E999"] {
            for (read, r) in employee_reads(&app, by, target) {
                assert!(
                    matches!(r, Err(Error::NotAllowed(_))),
                    "{} reading {target} through {read}: {r:?}",
                    by.name()
                );
            }
        }
        // Nobody learns who exists: an unknown id is refused in the very same words.
        let month: Month = "2026-03".parse().unwrap();
        let words = |id: &str| match app.explain_month(by, id, month) {
            Err(Error::NotAllowed(r)) => r.to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(words(outside).replace(outside, "E999"), words("E999"));
        // The same holds for what entering an event for them offers.
        let date = chrono::NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let offered = |id: &str| match app.entry_menu(by, id, date) {
            Err(Error::NotAllowed(r)) => r.to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(offered(outside).replace(outside, "E999"), offered("E999"));
        for (read, r) in report_reads(&app, by, other_department) {
            assert!(
                matches!(r, Err(Error::NotAllowed(_))),
                "{} reading {other_department} through {read}: {r:?}",
                by.name()
            );
        }
        let shown = listed(&app, by);
        let allowed: BTreeSet<String> = may_list.iter().map(|s| s.to_string()).collect();
        assert!(
            shown.is_subset(&allowed),
            "{} is shown {shown:?}",
            by.name()
        );
    }
}
