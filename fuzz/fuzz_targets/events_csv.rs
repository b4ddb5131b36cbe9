//! Any bytes as an events file, checked against the shipped policies and a small staff:
//! rows are read or rejected with their problems, never a panic.
#![no_main]

mod shared;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| shared::events("events.csv", data));
