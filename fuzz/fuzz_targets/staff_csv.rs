//! Any bytes as a staff file: rows are read or rejected with their problems, never a panic.
#![no_main]

use std::collections::BTreeSet;

use appraise::intake::read_staff;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let known: BTreeSet<String> = ["E001".to_string()].into();
    let _ = read_staff("staff.csv", &text, &known);
});
