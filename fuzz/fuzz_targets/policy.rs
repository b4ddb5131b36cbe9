//! Any text as a policy file, extending the shipped company policy: it loads or lists its
//! problems, and its `[[test]]` cases run or fail, but nothing panics.
#![no_main]

use appraise::policy::{Bundle, BundleFile, Policy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let bundle = Bundle {
        files: vec![
            BundleFile {
                name: "p.toml".into(),
                text,
            },
            BundleFile {
                name: "company.toml".into(),
                text: appraise::app::setup::shipped::POLICIES[0].1.into(),
            },
        ],
    };
    if let Ok(policy) = Policy::from_bundle(&bundle) {
        let _ = appraise::engine::cases::run_cases(&policy);
    }
});
