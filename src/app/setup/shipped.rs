//! The policies shipped with appraise (the files in `rules/`), built into the binary so that
//! `init` and `demo` work from any folder.

/// The official holiday calendars appraise knows (year, `日期,类型,名称` text): what `gen`
/// and `demo` schedule work by, and what `demo` imports.
pub const HOLIDAYS: [(i32, &str); 1] =
    [(2025, include_str!("../../../examples/holidays-2025.csv"))];

/// The shipped calendars (date → a day off), read once.
pub fn calendar() -> &'static std::collections::BTreeMap<chrono::NaiveDate, bool> {
    static CALENDAR: std::sync::OnceLock<std::collections::BTreeMap<chrono::NaiveDate, bool>> =
        std::sync::OnceLock::new();
    CALENDAR.get_or_init(|| {
        HOLIDAYS
            .iter()
            .flat_map(|(_, text)| {
                crate::intake::read_holidays("holidays.csv", text)
                    .expect("the shipped calendar reads")
            })
            .map(|(_, h)| (h.date, h.off))
            .collect()
    })
}

/// (file name, text), parents before the policies that extend them.
pub const POLICIES: [(&str, &str); 2] = [
    ("company.toml", include_str!("../../../rules/company.toml")),
    (
        "customer-service.toml",
        include_str!("../../../rules/customer-service.toml"),
    ),
];
