//! Any bytes as an events file, checked against the shipped policies and a small staff:
//! rows are read or rejected with their problems, never a panic.
#![no_main]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use appraise::intake::{EventValidator, read_events, read_staff};
use appraise::policy::{Bundle, BundleFile, Policy};
use appraise::evaluation::rulebook::Rulebook;
use appraise::domain::staff::StaffRecord;
use libfuzzer_sys::fuzz_target;

fn rulebook() -> &'static Rulebook {
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

fuzz_target!(|data: &[u8]| {
    let staff = read_staff(
        "staff.csv",
        "id,name,department,role,joined,left,supervisor\nE001,张三,customer-service,staff,2024-01-01,,\nE002,李四,security,staff,2025-02-01,2026-01-31,\n",
        &Default::default(),
    )
    .expect("the fixed staff file reads");
    let validator = EventValidator {
        staff: staff
            .rows
            .into_iter()
            .map(|(_, e)| (e.id.clone(), StaffRecord::unchanged(e)))
            .collect(),
        rulebook: rulebook(),
        today: chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("a date"),
        default_by: Some("fuzz".into()),
        closed: BTreeMap::new(),
        // One employee outside the one entering's scope, so that refusals are fuzzed too.
        may_record: Box::new(|r| (r.id == "E002").then(|| "outside the team".to_string())),
    };
    let _ = read_events::<()>("events.csv", data, &validator, |_| Ok(()));
});
