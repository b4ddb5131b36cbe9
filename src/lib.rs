//! appraise: staff appraisal by points, with the rules as code.
//!
//! The pipeline: [`policy`] (TOML + rhai → compiled rules) → [`engine`] (events → monthly
//! scores → annual ratings, pure) → [`evaluate`] (store + rulebook + engine, on every core)
//! → [`report`] (tables, JSON, CSV, documents). [`store`] keeps staff, the append-only log
//! and the activated policy versions in SQLite; [`intake`] validates rows people wrote.
//!
//! [`app`] is the application on top: one function for each thing a person does, taking
//! the acting person. The command line (the `appraise` binary) only parses, calls one of
//! them, and prints; [`web`] (`appraise serve`) serves the same calls as pages and an API.

pub mod access;
pub mod app;
pub mod attendance;
pub mod coverage;
pub mod demo;
pub mod documents;
pub mod engine;
pub mod evaluate;
pub mod event;
pub mod intake;
pub mod month;
pub mod points;
pub mod policy;
pub mod report;
pub mod review;
pub mod rulebook;
pub mod shipped;
pub mod staff;
pub mod store;
pub mod text;
pub mod user;
pub mod verify;
pub mod web;
pub mod whatif;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serializer};

/// Serializes a date as `YYYY-MM-DD`.
pub(crate) fn serde_date<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&d.format("%Y-%m-%d"))
}

/// Serializes an optional date as `YYYY-MM-DD` or `null`.
pub(crate) fn serde_opt_date<S: Serializer>(
    d: &Option<NaiveDate>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => serde_date(d, s),
        None => s.serialize_none(),
    }
}

/// Reads a `YYYY-MM-DD` date.
pub(crate) fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let s = String::deserialize(d)?;
    month::parse_date(&s).ok_or_else(|| serde::de::Error::custom(format!("bad date `{s}`")))
}

/// Reads an optional `YYYY-MM-DD` date.
pub(crate) fn de_opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) => month::parse_date(&s)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("bad date `{s}`"))),
    }
}
