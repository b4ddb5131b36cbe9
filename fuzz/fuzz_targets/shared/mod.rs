//! What the fuzz targets share: the shipped policies, a small staff, and the checks an
//! import of events, a roster or a clock export runs on text read from any file. Each
//! target uses part of it.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use appraise::domain::access::{Action, Refusal, Why};
use appraise::domain::staff::StaffRecord;
use appraise::domain::user::Role;
use appraise::evaluation::rulebook::Rulebook;
use appraise::intake::{EventValidator, read_clock, read_events, read_roster, read_staff};
use appraise::policy::{Bundle, BundleFile, Policy};

/// The shipped company and customer-service policies, compiled once.
pub fn rulebook() -> &'static Rulebook {
    static BOOK: OnceLock<Rulebook> = OnceLock::new();
    BOOK.get_or_init(|| {
        let files: Vec<BundleFile> = appraise::app::setup::shipped::POLICIES
            .iter()
            .map(|(name, text)| BundleFile {
                name: (*name).into(),
                text: (*text).into(),
            })
            .collect();
        let company = Policy::from_bundle(&Bundle {
            files: vec![files[0].clone()],
        })
        .expect("the shipped company policy loads");
        let cs = Policy::from_bundle(&Bundle {
            files: vec![files[1].clone(), files[0].clone()],
        })
        .expect("the shipped customer-service policy loads");
        Rulebook::of(vec![company, cs])
    })
}

/// Two employees: one in customer service, one who left security.
pub fn staff() -> BTreeMap<String, StaffRecord> {
    let staff = read_staff(
        "staff.csv",
        "id,name,department,role,joined,left,supervisor\nE001,张三,customer-service,staff,2024-01-01,,\nE002,李四,security,staff,2025-02-01,2026-01-31,\n",
        &Default::default(),
    )
    .expect("the fixed staff file reads");
    staff
        .rows
        .into_iter()
        .map(|(_, e)| (e.id.clone(), StaffRecord::unchanged(e)))
        .collect()
}

/// `data` read as an events file: rows are read or rejected with their problems.
pub fn events(name: &str, data: &[u8]) {
    let validator = EventValidator {
        staff: staff(),
        rulebook: rulebook(),
        today: chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("a date"),
        default_by: Some("fuzz".into()),
        closed: BTreeMap::new(),
        // One employee outside the one entering's scope, so that refusals are fuzzed too.
        may_record: Box::new(|r| {
            (r.id == "E002").then(|| Refusal {
                login: "fuzz".into(),
                role: Role::Supervisor,
                action: Action::RecordEvent,
                why: Why::OutOfScope {
                    employee: r.id.clone(),
                },
            })
        }),
    };
    let _ = read_events::<()>(name, data, &validator, |_, _| Ok(()));
}

/// `text` read as a roster and as a clock export, as their imports read it.
pub fn attendance(name: &str, text: &str) {
    let known: BTreeSet<String> = ["E001".to_string(), "E002".to_string()].into();
    let _ = read_roster(name, text, &known);
    let _ = read_clock(name, text, &known);
}
