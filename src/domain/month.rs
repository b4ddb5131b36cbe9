//! Calendar months (`YYYY-MM`), the unit every score is computed for.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar month. Ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// The month `month` (1–12) of `year`; `None` when `month` is out of range.
    pub fn new(year: i32, month: u32) -> Option<Month> {
        (1..=12).contains(&month).then_some(Month { year, month })
    }

    /// The month a date falls in.
    pub fn of(date: NaiveDate) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    /// 1 for January … 12 for December.
    pub fn number(self) -> u32 {
        self.month
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a Month is always valid")
    }

    pub fn last_day(self) -> NaiveDate {
        self.next()
            .first_day()
            .pred_opt()
            .expect("dates before year -262143 never occur")
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn prev(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// January … December of `year`.
    pub fn of_year(year: i32) -> impl Iterator<Item = Month> {
        (1..=12).map(move |month| Month { year, month })
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Why a text is not a month.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a month; write it as YYYY-MM, e.g. 2026-03")]
pub struct ParseMonthError(String);

impl FromStr for Month {
    type Err = ParseMonthError;

    fn from_str(s: &str) -> Result<Month, ParseMonthError> {
        let bad = || ParseMonthError(s.to_string());
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        Month::new(year, month).ok_or_else(bad)
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Month, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// `YYYY-MM-DD`, written digit by digit: it runs per imported row and per scored date,
/// where even `format!` showed in profiles. Years outside 0–9999 (never valid in a log)
/// fall back to `format!`.
pub fn date_text(d: NaiveDate) -> String {
    let year = d.year();
    if !(0..=9999).contains(&year) {
        return format!("{year:04}-{:02}-{:02}", d.month(), d.day());
    }
    let mut out = String::with_capacity(19);
    let y = year as u32;
    push_two(&mut out, y / 100);
    push_two(&mut out, y % 100);
    out.push('-');
    push_two(&mut out, d.month());
    out.push('-');
    push_two(&mut out, d.day());
    out
}

/// `YYYY-MM-DD HH:MM:SS`, as [`date_text`] writes dates: the time clock's punches are
/// stored and looked up in it, a few per employee-day.
pub fn time_text(t: NaiveDateTime) -> String {
    let mut out = date_text(t.date());
    for (sep, n) in [(' ', t.hour()), (':', t.minute()), (':', t.second())] {
        out.push(sep);
        push_two(&mut out, n);
    }
    out
}

/// Parses `HH:MM` with both digits of each written, as shifts are stored.
pub fn parse_hour_minute(s: &str) -> Option<NaiveTime> {
    let b = s.as_bytes();
    if b.len() != 5
        || b[2] != b':'
        || !b
            .iter()
            .enumerate()
            .all(|(i, c)| i == 2 || c.is_ascii_digit())
    {
        return None;
    }
    let two = |at: usize| u32::from(b[at] - b'0') * 10 + u32::from(b[at + 1] - b'0');
    NaiveTime::from_hms_opt(two(0), two(3), 0)
}

/// Two decimal digits of `n` (below 100).
fn push_two(out: &mut String, n: u32) {
    out.push(char::from(b'0' + (n / 10) as u8));
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// Parses `YYYY-MM-DD HH:MM:SS`, or `YYYY-MM-DD HH:MM` when `seconds` is false, with every
/// digit written and nothing else: what [`time_text`] writes, and the usual shape of a
/// time clock's export (other shapes are left to chrono's slower parser). A leap second
/// is not parsed here.
pub fn parse_time_text(s: &str, seconds: bool) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    let len = if seconds { 19 } else { 16 };
    if b.len() != len || b[10] != b' ' || b[13] != b':' || (seconds && b[16] != b':') {
        return None;
    }
    let two = |at: usize| -> Option<u32> {
        let (h, l) = (b[at], b[at + 1]);
        (h.is_ascii_digit() && l.is_ascii_digit())
            .then(|| u32::from(h - b'0') * 10 + u32::from(l - b'0'))
    };
    let second = if seconds { two(17)? } else { 0 };
    let time = NaiveTime::from_hms_opt(two(11)?, two(14)?, second)?;
    Some(parse_date(s.get(..10)?)?.and_time(time))
}

/// Parses a `YYYY-MM-DD` date strictly (no other layouts, so that files stay unambiguous).
/// Hand-rolled: it runs once per stored event read.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = num(0..4)? as i32;
    // A year of 0000 or 9999 is a slip of the keyboard, never a working day.
    if !PLAUSIBLE_YEARS.contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, num(5..7)?, num(8..10)?)
}

/// The years a date of the record may fall in.
pub const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2999;

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
    let s = DateText::deserialize(d)?.0;
    parse_date(&s).ok_or_else(|| serde::de::Error::custom(format!("bad date `{s}`")))
}

/// Reads an optional `YYYY-MM-DD` date.
pub(crate) fn de_opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    match Option::<DateText>::deserialize(d)? {
        None => Ok(None),
        Some(DateText(s)) => parse_date(&s)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("bad date `{s}`"))),
    }
}

/// A date's text as read: borrowed from the input when it can be (a snapshot holds a date
/// per item), owned when not.
#[derive(Deserialize)]
struct DateText<'a>(#[serde(borrow)] std::borrow::Cow<'a, str>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_text_writes_what_chrono_writes() {
        let mut d = NaiveDate::from_ymd_opt(1999, 12, 25).unwrap();
        for _ in 0..800 {
            assert_eq!(date_text(d), d.format("%Y-%m-%d").to_string());
            assert_eq!(parse_date(&date_text(d)), Some(d));
            d += chrono::TimeDelta::days(37);
        }
        let early = NaiveDate::from_ymd_opt(7, 1, 2).unwrap();
        assert_eq!(date_text(early), "0007-01-02");
    }

    #[test]
    fn time_text_writes_and_reads_what_chrono_does() {
        let mut t = NaiveDate::from_ymd_opt(2024, 2, 28)
            .unwrap()
            .and_hms_opt(23, 59, 7)
            .unwrap();
        for _ in 0..800 {
            let text = time_text(t);
            assert_eq!(text, t.format("%Y-%m-%d %H:%M:%S").to_string());
            assert_eq!(parse_time_text(&text, true), Some(t));
            let minutes = t.format("%Y-%m-%d %H:%M").to_string();
            assert_eq!(
                parse_time_text(&minutes, false),
                NaiveDateTime::parse_from_str(&minutes, "%Y-%m-%d %H:%M").ok()
            );
            t += chrono::TimeDelta::seconds(86_400 * 3 + 3_671);
        }
        for t in ["00:00", "08:30", "23:59", "24:00", "8:30", "08-30", "08:3x"] {
            assert_eq!(
                parse_hour_minute(t),
                NaiveTime::parse_from_str(t, "%H:%M")
                    .ok()
                    .filter(|_| t.len() == 5),
                "{t}"
            );
        }
        // Anything but the exact shape is left to chrono: a digit short, a leap second,
        // a trailing space, another separator, an hour out of range.
        for odd in [
            "2025-01-05 8:00:00",
            "2025-01-05 08:00:60",
            "2025-01-05 08:00:00 ",
            "2025/01/05 08:00:00",
            "2025-01-05T08:00:00",
            "2025-01-05 24:00:00",
            "2025-02-30 08:00:00",
            "２０２５-01-05 08:00",
        ] {
            assert_eq!(parse_time_text(odd, true), None, "{odd}");
            assert_eq!(parse_time_text(odd, false), None, "{odd}");
        }
    }

    #[test]
    fn parses_and_prints() {
        let m: Month = "2026-03".parse().unwrap();
        assert_eq!(m.to_string(), "2026-03");
        assert_eq!(m.last_day(), NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
        assert_eq!("2024-02".parse::<Month>().unwrap().last_day().day(), 29);
    }

    #[test]
    fn rejects_other_layouts() {
        for bad in ["2026-3", "2026-13", "26-03", "2026/03", "", "2026-00"] {
            assert!(bad.parse::<Month>().is_err(), "{bad}");
        }
    }

    #[test]
    fn steps_across_years() {
        let dec: Month = "2025-12".parse().unwrap();
        assert_eq!(dec.next().to_string(), "2026-01");
        assert_eq!(dec.next().prev(), dec);
    }

    #[test]
    fn dates_are_strict() {
        assert!(parse_date("2026-02-29").is_none());
        assert!(parse_date("2026-2-3").is_none());
        assert!(parse_date("2026+03-02").is_none());
        assert!(parse_date("2026-0a-02").is_none());
        assert_eq!(
            parse_date("2024-02-29"),
            NaiveDate::from_ymd_opt(2024, 2, 29)
        );
        assert!(parse_date("2026-03-02").is_some());
    }
}
