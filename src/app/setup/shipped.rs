//! The policies shipped with appraise (the files in `rules/`), built into the binary so that
//! `init` and `demo` work from any folder.

/// (file name, text), parents before the policies that extend them.
pub const POLICIES: [(&str, &str); 2] = [
    ("company.toml", include_str!("../../../rules/company.toml")),
    (
        "customer-service.toml",
        include_str!("../../../rules/customer-service.toml"),
    ),
];
