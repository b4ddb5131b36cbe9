//! Daily-log events and the typed fields a policy declares for each kind.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::domain::month::parse_date;
use crate::domain::text::Text;

/// One entry of the daily log: something an employee did on a day, as a supervisor recorded it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: i64,
    pub employee: Text,
    #[serde(serialize_with = "crate::domain::month::serde_date")]
    pub date: NaiveDate,
    pub kind: Text,
    pub qty: i64,
    pub note: String,
    /// Shared: events with the same stored fields share one parsed copy when the log is
    /// read for a rating (most events of a kind carry one of a few values).
    pub fields: Arc<Fields>,
    pub recorded_by: Text,
    pub voided: bool,
    /// An approved appeal: the event stays in the log and scores nothing.
    pub excused: bool,
    /// Why it was excused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excuse: Option<String>,
}

/// Keys of an event that are not fields (`by` is an option of `log add`): no field may be
/// named like one.
pub const EVENT_KEYS: [&str; 8] = [
    "id",
    "kind",
    "date",
    "employee",
    "qty",
    "note",
    "recorded_by",
    "by",
];

/// The typed fields of one event, by name.
pub type Fields = BTreeMap<String, FieldValue>;

/// The largest whole number a field may hold: minutes, rings, days… never come near it,
/// and a script doing arithmetic on it stays far from overflow. An `int` field counts
/// something that happened (minutes late, rings before an answer), so it is never negative:
/// minutes −40 would pass a rule's `event.minutes > 0` and silently score nothing.
pub const MAX_INT: i64 = 1_000_000_000;
/// The largest number a float field may hold (money in yuan, say).
pub const MAX_FLOAT: f64 = 1e12;

/// The type a policy declares for an event field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    Int,
    Float,
    Text,
    Date,
    Time,
    Bool,
}

impl FieldType {
    pub const NAMES: &'static str = "int, float, text, date, time or bool";

    /// Parses a value written as text (a CSV cell, a command-line flag).
    pub fn parse(self, text: &str) -> Result<FieldValue, BadValue> {
        let t = text.trim();
        let bad = || BadValue {
            ty: self,
            shown: crate::domain::text::clip(t),
        };
        match self {
            FieldType::Int => t
                .parse::<i64>()
                .ok()
                .filter(|x| (0..=MAX_INT).contains(x))
                .map(FieldValue::Int)
                .ok_or_else(bad),
            FieldType::Float => t
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && x.abs() <= MAX_FLOAT)
                .map(FieldValue::Float)
                .ok_or_else(bad),
            FieldType::Text => Ok(FieldValue::Text(text.to_string())),
            FieldType::Date => parse_date(t)
                .map(|_| FieldValue::Text(t.to_string()))
                .ok_or_else(bad),
            FieldType::Time => parse_time(t)
                .map(|_| FieldValue::Text(t.to_string()))
                .ok_or_else(bad),
            FieldType::Bool => match t.to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" | "y" => Ok(FieldValue::Bool(true)),
                "false" | "no" | "0" | "n" => Ok(FieldValue::Bool(false)),
                _ => Err(bad()),
            },
        }
    }

    /// Checks a value that arrived already typed (TOML test cases, stored JSON).
    pub fn accepts(self, value: &FieldValue) -> bool {
        match (self, value) {
            (FieldType::Int, FieldValue::Int(x)) => (0..=MAX_INT).contains(x),
            (FieldType::Float, FieldValue::Float(_) | FieldValue::Int(_))
            | (FieldType::Text, FieldValue::Text(_))
            | (FieldType::Bool, FieldValue::Bool(_)) => true,
            (FieldType::Date, FieldValue::Text(s)) => parse_date(s).is_some(),
            (FieldType::Time, FieldValue::Text(s)) => parse_time(s).is_some(),
            _ => false,
        }
    }
}

/// A text that is not a value of its field's type, quoted short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadValue {
    pub ty: FieldType,
    pub shown: String,
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = &self.shown;
        match self.ty {
            FieldType::Int => write!(f, "`{shown}` is not a whole number from 0 to {MAX_INT}"),
            FieldType::Float => write!(f, "`{shown}` is not a number up to {MAX_FLOAT}"),
            FieldType::Date => write!(f, "`{shown}` is not a date; write YYYY-MM-DD"),
            FieldType::Time => write!(f, "`{shown}` is not a time; write HH:MM, e.g. 08:30"),
            FieldType::Bool => write!(f, "`{shown}` is not true or false"),
            // Any text is a text.
            FieldType::Text => write!(f, "`{shown}` is not a text"),
        }
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FieldType::Int => "int",
            FieldType::Float => "float",
            FieldType::Text => "text",
            FieldType::Date => "date",
            FieldType::Time => "time",
            FieldType::Bool => "bool",
        })
    }
}

impl FromStr for FieldType {
    type Err = String;
    fn from_str(s: &str) -> Result<FieldType, String> {
        serde_json::from_value(serde_json::Value::String(s.to_string()))
            .map_err(|_| format!("unknown field type `{s}`; use {}", FieldType::NAMES))
    }
}

/// A field's value. Dates and times are kept as their canonical text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum FieldValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

impl<'de> Deserialize<'de> for FieldValue {
    /// Reads a JSON scalar directly (an untagged derive would try each variant in turn and
    /// build an error for every miss, which shows when millions of events are read).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<FieldValue, D::Error> {
        struct Scalar;
        impl serde::de::Visitor<'_> for Scalar {
            type Value = FieldValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a bool, number or string")
            }
            fn visit_bool<E>(self, v: bool) -> Result<FieldValue, E> {
                Ok(FieldValue::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<FieldValue, E> {
                Ok(FieldValue::Int(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<FieldValue, E> {
                i64::try_from(v).map(FieldValue::Int).map_err(E::custom)
            }
            fn visit_f64<E>(self, v: f64) -> Result<FieldValue, E> {
                Ok(FieldValue::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<FieldValue, E> {
                Ok(FieldValue::Text(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<FieldValue, E> {
                Ok(FieldValue::Text(v))
            }
        }
        d.deserialize_any(Scalar)
    }
}

impl fmt::Display for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldValue::Bool(b) => b.fmt(f),
            FieldValue::Int(i) => i.fmt(f),
            FieldValue::Float(x) => x.fmt(f),
            FieldValue::Text(s) => s.fmt(f),
        }
    }
}

/// Writes items one per line (for error lists), at most [`MAX_LISTED`], then how many
/// more there are (`more` of them not held at all).
pub fn write_lines<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    items: &[T],
    more: usize,
) -> fmt::Result {
    for (i, item) in items.iter().take(MAX_LISTED).enumerate() {
        if i > 0 {
            writeln!(f)?;
        }
        write!(f, "{item}")?;
    }
    let more = items.len().saturating_sub(MAX_LISTED) + more;
    if more > 0 {
        write!(f, "\n… and {more} more problems; mend these first")?;
    }
    Ok(())
}

/// The most problems a message lists: three million bad rows are not three million lines.
pub const MAX_LISTED: usize = 100;

/// Parses `HH:MM` (24-hour).
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    if s.len() != 5 {
        return None;
    }
    // Two digits, a colon, two digits, read directly (the rating reads a time field per
    // event); anything else is left to chrono, which decides what else it accepts.
    match s.as_bytes() {
        &[h1, h2, b':', m1, m2] if [h1, h2, m1, m2].iter().all(u8::is_ascii_digit) => {
            let n = |a: u8, b: u8| u32::from(a - b'0') * 10 + u32::from(b - b'0');
            NaiveTime::from_hms_opt(n(h1, h2), n(m1, m2), 0)
        }
        _ => NaiveTime::parse_from_str(s, "%H:%M").ok(),
    }
}

/// Identifiers users write (kinds, rule ids, field names): lowercase ASCII letters, digits,
/// `_` and `-`, starting with a letter or digit.
pub fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(['-', '_'])
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_read_directly_are_chronos() {
        use chrono::NaiveTime;
        let mut tried = 0;
        for t in [
            "00:00", "23:59", "24:00", "09:60", "12:5a", "12-30", " 9:30", "9:30 ", "+9:30",
            "99:99",
        ] {
            let chrono = NaiveTime::parse_from_str(t, "%H:%M").ok();
            assert_eq!(super::parse_time(t), chrono, "{t}");
            tried += 1;
        }
        for h in 0..=25 {
            for m in 0..=61 {
                let t = format!("{h:02}:{m:02}");
                assert_eq!(
                    super::parse_time(&t),
                    NaiveTime::parse_from_str(&t, "%H:%M").ok(),
                    "{t}"
                );
                tried += 1;
            }
        }
        assert!(tried > 1000);
    }

    use super::*;

    #[test]
    fn parses_typed_text() {
        assert_eq!(FieldType::Int.parse(" 12 ").unwrap(), FieldValue::Int(12));
        assert!(FieldType::Int.parse("12.5").is_err());
        assert_eq!(
            FieldType::Bool.parse("yes").unwrap(),
            FieldValue::Bool(true)
        );
        assert!(FieldType::Time.parse("8:30").is_err());
        assert!(FieldType::Time.parse("08:30").is_ok());
        assert!(FieldType::Date.parse("2026-02-30").is_err());
        assert!(FieldType::Float.parse("NaN").is_err());
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("late"));
        assert!(is_identifier("customer-service"));
        assert!(!is_identifier("Late"));
        assert!(!is_identifier("_x"));
        assert!(!is_identifier(""));
    }
}
