//! Any bytes as a roster and as a time clock export (either shape), decoded as their
//! imports decode a file (UTF-8, GB18030): rows are read or rejected, never a panic.
#![no_main]

mod shared;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((_, text)) = appraise::intake::decode(data) {
        shared::attendance("attendance.csv", &text);
    }
});
