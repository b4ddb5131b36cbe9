//! Attendance, pure: the roster's shifts, the time clock's punches and the handover records
//! of one employee become events of the kinds a policy's `[attendance]` names. No clock, no
//! database: the same inputs give the same events, and every test is a function call.
//!
//! - A shift that ends at or before its start time ends the next day, and belongs to the day
//!   it starts: a night shift's check-out is matched to that night, never to the next day.
//! - A punch belongs to the shift whose window (from `window_before` minutes before its
//!   start to `window_after` minutes after its end) holds it; between two windows, to the
//!   shift with the nearer start or end. A punch no window holds is an error.
//! - A shift's first punch is its check-in and its last the check-out; a lone punch is
//!   whichever of the two it is nearer, and the other is missing (a missing punch, never an
//!   absence or an early leave).

use std::borrow::Borrow;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};

use crate::policy::Attendance;

/// A rostered shift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    pub employee: String,
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
    /// The shift ends with a handover record.
    pub handover: bool,
}

impl Shift {
    pub fn starts(&self) -> NaiveDateTime {
        self.date.and_time(self.start)
    }

    pub fn ends(&self) -> NaiveDateTime {
        let day = if self.end <= self.start {
            self.date + TimeDelta::days(1)
        } else {
            self.date
        };
        day.and_time(self.end)
    }

    /// `08:30–17:30`, as a note shows it.
    fn hours(&self) -> String {
        format!(
            "{}–{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }
}

/// The shift an employee's own attributes give, for departments without a roster:
/// `shift_start` and `shift_end` (`HH:MM`) on the weekdays of `workdays` (digits 1–7 for
/// Monday–Sunday, ranges allowed: `1-5`, `123456`; Monday to Friday when absent). `None`
/// where the attributes do not give one that day. The holiday calendar overrides the
/// weekday: `Some(Day::Off)` is a public holiday (no shift), `Some(Day::Work)` a make-up
/// workday (调休: the shift, whatever the weekday).
pub fn standing_shift(
    employee: &str,
    attrs: &std::collections::BTreeMap<String, String>,
    date: NaiveDate,
    calendar: Option<Day>,
) -> Option<Shift> {
    use chrono::Datelike;
    let time = |name: &str| NaiveTime::parse_from_str(attrs.get(name)?.trim(), "%H:%M").ok();
    let (start, end) = (time("shift_start")?, time("shift_end")?);
    let days = attrs.get("workdays").map_or("1-5", |d| d.trim());
    let today = date.weekday().number_from_monday();
    let works = match calendar {
        Some(Day::Off) => false,
        Some(Day::Work) => true,
        None => weekdays(days).contains(&today),
    };
    if !works {
        return None;
    }
    Some(Shift {
        employee: employee.to_string(),
        date,
        start,
        end,
        handover: false,
    })
}

/// What the holiday calendar says of a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Day {
    /// A public holiday (休).
    Off,
    /// A make-up workday (班).
    Work,
}

/// The shifts as approved leave leaves them (`leave`: the spans it covers): a shift wholly
/// covered is not expected to be worked, and nothing is derived for it — nor for one that
/// starts on a day of whole-day leave (a night shift belongs to the day it starts); a leave
/// covering its start (a morning off) moves the expected arrival to the leave's end, one
/// covering its end the expected departure to the leave's start. A leave within the shift
/// (an hour out at noon) leaves arrival and departure as they were.
pub fn on_leave(shifts: Vec<Shift>, leave: &[(NaiveDateTime, NaiveDateTime)]) -> Vec<Shift> {
    shifts
        .into_iter()
        .filter_map(|mut s| {
            let (mut from, mut to) = (s.starts(), s.ends());
            if leave
                .iter()
                .any(|l| whole_days(l) && l.0 <= from && from < l.1)
            {
                return None;
            }
            for (a, b) in leave {
                if *a <= from && *b > from {
                    from = from.max(*b);
                }
                if *a < to && *b >= to {
                    to = to.min(*a);
                }
            }
            if from >= to {
                return None;
            }
            s.date = from.date();
            s.start = from.time();
            s.end = to.time();
            Some(s)
        })
        .collect()
}

/// Approved leave as attendance sees it: the span it covers, its type and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnLeave {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub kind: String,
    pub id: i64,
}

/// The leave taken on `date`: an event of the leave's kind for each leave that covers (or
/// shortens) a shift of the day, once per leave — so that rules can count leave (`counts`,
/// `nth`: 事假 beyond three days a month) and the month's explanation shows the day.
/// `label` names a kind the policy scores (`None`: a kind no rule sees, not derived).
pub fn leave_taken(
    shifts: &[Shift],
    date: NaiveDate,
    leave: &[OnLeave],
    label: impl Fn(&str) -> Option<String>,
) -> Vec<Derived> {
    let mut out: Vec<Derived> = Vec::new();
    for s in shifts.iter().filter(|s| s.date == date) {
        let (from, to) = (s.starts(), s.ends());
        for l in leave.iter().filter(|l| l.start < to && from < l.end) {
            let Some(name) = label(&l.kind) else {
                continue;
            };
            if out.iter().any(|d| d.kind == l.kind) {
                continue;
            }
            out.push(Derived {
                employee: s.employee.clone(),
                date,
                kind: l.kind.clone(),
                minutes: None,
                note: format!("{name} 排班 {}（请假 #{}）", s.hours(), l.id),
            });
        }
    }
    out
}

/// Whether a leave runs from midnight to midnight: whole days.
fn whole_days((a, b): &(NaiveDateTime, NaiveDateTime)) -> bool {
    a.time() == NaiveTime::MIN && b.time() == NaiveTime::MIN
}

/// Whether a punch at `at` falls within `leave`; whole days reach to noon after their last
/// day, where the night shift of that day ends.
pub fn within_leave(at: NaiveDateTime, leave: &[(NaiveDateTime, NaiveDateTime)]) -> bool {
    leave.iter().any(|l| {
        let reach = if whole_days(l) {
            l.1 + TimeDelta::hours(12)
        } else {
            l.1
        };
        l.0 <= at && at < reach
    })
}

/// The weekdays (1–7) a `workdays` attribute names: digits and ranges like `1-5`.
fn weekdays(text: &str) -> Vec<u32> {
    let digits: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',')
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < digits.len() {
        let Some(from) = digits[i].to_digit(10) else {
            i += 1;
            continue;
        };
        match (
            digits.get(i + 1),
            digits.get(i + 2).and_then(|c| c.to_digit(10)),
        ) {
            (Some('-'), Some(to)) => {
                out.extend(from..=to);
                i += 3;
            }
            _ => {
                out.push(from);
                i += 1;
            }
        }
    }
    out.retain(|d| (1..=7).contains(d));
    out
}

/// A punch of the time clock, or a handover record, with the row it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped {
    pub employee: String,
    pub at: NaiveDateTime,
    /// `file:row`.
    pub source: String,
}

impl Stamped {
    fn shown(&self) -> String {
        format!("{}（{}）", self.at.format("%H:%M"), self.source)
    }
}

/// An event the inputs support.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Derived {
    pub employee: String,
    pub date: NaiveDate,
    pub kind: String,
    /// Late or early by this many minutes.
    pub minutes: Option<i64>,
    /// What it was derived from: the shift and the punches, with their rows.
    pub note: String,
}

/// What a derived note says without the rows it names: the same lateness read from a
/// corrected export (other rows, other file) is the same lateness, and stays.
pub fn basis(note: &str) -> String {
    let mut out = String::with_capacity(note.len());
    let mut depth = 0;
    for c in note.chars() {
        match c {
            '（' => depth += 1,
            '）' if depth > 0 => depth -= 1,
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// What to derive: the clock's kinds only where punches were imported for the day, a
/// missed handover only where handover records were.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inputs {
    pub punches: bool,
    pub handovers: bool,
}

/// The events `shifts`, `punches` and `records` (all of one employee) support under
/// `rules`, for the shifts of `days`; or every punch that fits no shift.
pub fn derive<S: Borrow<Shift>, P: Borrow<Stamped>>(
    rules: &Attendance,
    shifts: &[S],
    punches: &[P],
    records: &[P],
    inputs: Inputs,
    days: impl Fn(NaiveDate) -> bool,
) -> Result<Vec<Derived>, Vec<Stray>> {
    let mut shifts: Vec<&Shift> = shifts.iter().map(Borrow::borrow).collect();
    shifts.sort_by_key(|s| s.starts());
    let mut punched: Vec<Vec<&Stamped>> = vec![Vec::new(); shifts.len()];
    for (p, i) in punches.iter().zip(matches(rules, &shifts, punches)?) {
        punched[i].push(p.borrow());
    }
    let mut out = Vec::new();
    for (shift, mut ps) in shifts.into_iter().zip(punched) {
        if !days(shift.date) {
            continue;
        }
        let event = |kind: &Option<String>, minutes: Option<i64>, note: String| {
            kind.as_ref().map(|k| Derived {
                employee: shift.employee.clone(),
                date: shift.date,
                kind: k.clone(),
                minutes,
                note,
            })
        };
        if inputs.punches {
            ps.sort_by_key(|p| p.at);
            out.extend(clock_events(rules, shift, &ps, &event));
        }
        if inputs.handovers && shift.handover {
            let due = shift.ends() + TimeDelta::minutes(rules.handover_minutes);
            let written = records
                .iter()
                .map(Borrow::borrow)
                .any(|r: &Stamped| shift.starts() <= r.at && r.at <= due);
            if !written {
                out.extend(event(
                    &rules.missed_handover,
                    None,
                    format!(
                        "交班班次 {} 结束后 {} 分钟内无交班记录",
                        shift.hours(),
                        rules.handover_minutes
                    ),
                ));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// A punch no rostered shift's window holds: where it was read, whose, when, and the
/// window's minutes before a shift's start and after its end.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stray {
    pub source: String,
    pub employee: String,
    pub at: NaiveDateTime,
    pub before: i64,
    pub after: i64,
}

/// The day of the shift each punch belongs to (what an import of punches speaks for), or
/// every punch that fits no shift.
pub fn assign<P: Borrow<Stamped>>(
    rules: &Attendance,
    shifts: &[Shift],
    punches: &[P],
) -> Result<Vec<NaiveDate>, Vec<Stray>> {
    let mut shifts: Vec<&Shift> = shifts.iter().collect();
    shifts.sort_by_key(|s| s.starts());
    Ok(matches(rules, &shifts, punches)?
        .into_iter()
        .map(|i| shifts[i].date)
        .collect())
}

/// The index in `shifts` (sorted by start) of the shift each punch belongs to.
fn matches<P: Borrow<Stamped>>(
    rules: &Attendance,
    shifts: &[&Shift],
    punches: &[P],
) -> Result<Vec<usize>, Vec<Stray>> {
    let before = TimeDelta::minutes(rules.window_before);
    let after = TimeDelta::minutes(rules.window_after);
    // Each shift's start and end, and the window its punches fall in, worked out once:
    // an employee's month is a few dozen punches against a few dozen shifts.
    let spans: Vec<[NaiveDateTime; 4]> = shifts
        .iter()
        .map(|s| [s.starts() - before, s.starts(), s.ends(), s.ends() + after])
        .collect();
    let mut out = Vec::with_capacity(punches.len());
    let mut stray = Vec::new();
    for p in punches {
        let p = p.borrow();
        let distance = |[_, start, end, _]: &[NaiveDateTime; 4]| {
            (p.at - *start).abs().min((p.at - *end).abs())
        };
        let fits = spans
            .iter()
            .enumerate()
            .filter(|(_, [from, .., to])| *from <= p.at && p.at <= *to)
            .min_by_key(|(_, span)| distance(span));
        match fits {
            Some((i, _)) => out.push(i),
            None => stray.push(Stray {
                source: p.source.clone(),
                employee: p.employee.clone(),
                at: p.at,
                before: rules.window_before,
                after: rules.window_after,
            }),
        }
    }
    if stray.is_empty() {
        Ok(out)
    } else {
        Err(stray)
    }
}

/// Makes an event of a shift: its kind (if the policy derives it), minutes and note.
type MakeEvent<'a> = dyn Fn(&Option<String>, Option<i64>, String) -> Option<Derived> + 'a;

/// The clock's events of one shift with its punches, in time order.
fn clock_events(
    rules: &Attendance,
    shift: &Shift,
    ps: &[&Stamped],
    event: &MakeEvent,
) -> Vec<Derived> {
    let (first, last) = match ps {
        [] => {
            return event(
                &rules.absence,
                None,
                format!("排班 {} 无打卡", shift.hours()),
            )
            .into_iter()
            .collect();
        }
        [only] => {
            let to_start = (only.at - shift.starts()).abs();
            let to_end = (only.at - shift.ends()).abs();
            if to_start <= to_end {
                (Some(*only), None)
            } else {
                (None, Some(*only))
            }
        }
        [first, .., last] => (Some(*first), Some(*last)),
    };
    let grace = TimeDelta::minutes(rules.grace_minutes);
    let mut out = Vec::new();
    if let Some(p) = first
        && p.at > shift.starts() + grace
    {
        let minutes = (p.at - shift.starts()).num_minutes();
        out.extend(event(
            &rules.late,
            Some(minutes),
            format!("排班 {}，上班打卡 {}", shift.hours(), p.shown()),
        ));
    }
    if let Some(p) = last
        && p.at < shift.ends() - grace
    {
        let minutes = (shift.ends() - p.at).num_minutes();
        out.extend(event(
            &rules.early_leave,
            Some(minutes),
            format!("排班 {}，下班打卡 {}", shift.hours(), p.shown()),
        ));
    }
    match (first, last) {
        (Some(p), None) => out.extend(event(
            &rules.missing_punch,
            None,
            format!(
                "排班 {}，只有上班打卡 {}，缺下班打卡",
                shift.hours(),
                p.shown()
            ),
        )),
        (None, Some(p)) => out.extend(event(
            &rules.missing_punch,
            None,
            format!(
                "排班 {}，只有下班打卡 {}，缺上班打卡",
                shift.hours(),
                p.shown()
            ),
        )),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Attendance {
        Attendance {
            grace_minutes: 0,
            window_before: 240,
            window_after: 360,
            handover_minutes: 30,
            corrections_per_month: Some(3),
            max_gap_days: crate::policy::DEFAULT_MAX_GAP_DAYS,
            max_absent_percent: crate::policy::DEFAULT_MAX_ABSENT_PERCENT,
            late: Some("late".into()),
            early_leave: Some("early_leave".into()),
            absence: Some("absence".into()),
            missing_punch: Some("missing_punch".into()),
            missed_handover: Some("missed_handover".into()),
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn shift(d: u32, start: &str, end: &str, handover: bool) -> Shift {
        Shift {
            employee: "E1".into(),
            date: day(d),
            start: NaiveTime::parse_from_str(start, "%H:%M").unwrap(),
            end: NaiveTime::parse_from_str(end, "%H:%M").unwrap(),
            handover,
        }
    }

    fn punch(d: u32, at: &str, row: usize) -> Stamped {
        Stamped {
            employee: "E1".into(),
            at: day(d).and_time(NaiveTime::parse_from_str(at, "%H:%M").unwrap()),
            source: format!("clock.csv:{row}"),
        }
    }

    const BOTH: Inputs = Inputs {
        punches: true,
        handovers: true,
    };

    fn kinds(d: &[Derived]) -> Vec<(u32, &str, Option<i64>)> {
        use chrono::Datelike;
        d.iter()
            .map(|e| (e.date.day(), e.kind.as_str(), e.minutes))
            .collect()
    }

    #[test]
    fn late_early_absent_and_a_missing_punch() {
        let shifts = [
            shift(2, "08:30", "17:30", false),
            shift(3, "08:30", "17:30", false),
            shift(4, "08:30", "17:30", false),
            shift(5, "08:30", "17:30", false),
        ];
        let punches = [
            punch(2, "09:17", 2),
            punch(2, "17:31", 3),
            punch(3, "08:20", 4),
            punch(3, "17:00", 5),
            // The 4th: nothing. The 5th: an in, and no out.
            punch(5, "08:29", 6),
        ];
        let got = derive(&rules(), &shifts, &punches, &[], BOTH, |_| true).unwrap();
        assert_eq!(
            kinds(&got),
            [
                (2, "late", Some(47)),
                (3, "early_leave", Some(30)),
                (4, "absence", None),
                (5, "missing_punch", None)
            ]
        );
        assert_eq!(
            got[0].note,
            "排班 08:30–17:30，上班打卡 09:17（clock.csv:2）"
        );
    }

    #[test]
    fn a_night_shifts_check_out_belongs_to_the_night_it_started() {
        let shifts = [
            shift(2, "20:00", "08:00", false),
            shift(3, "20:00", "08:00", false),
        ];
        let punches = [
            punch(2, "19:55", 2),
            punch(3, "08:01", 3),
            punch(3, "19:58", 4),
            punch(4, "07:40", 5),
        ];
        let got = derive(&rules(), &shifts, &punches, &[], BOTH, |_| true).unwrap();
        assert_eq!(kinds(&got), [(3, "early_leave", Some(20))]);
    }

    #[test]
    fn a_handover_needs_its_record_and_a_stray_punch_is_an_error() {
        let shifts = [
            shift(2, "08:00", "16:00", true),
            shift(3, "08:00", "16:00", true),
        ];
        let punches = [
            punch(2, "07:58", 2),
            punch(2, "16:02", 3),
            punch(3, "07:59", 4),
            punch(3, "16:05", 5),
        ];
        let records = [punch(2, "16:10", 2)];
        let got = derive(&rules(), &shifts, &punches, &records, BOTH, |_| true).unwrap();
        assert_eq!(kinds(&got), [(3, "missed_handover", None)]);
        // Without handover records imported, no handover is judged.
        let clock_only = Inputs {
            punches: true,
            handovers: false,
        };
        assert!(
            derive(&rules(), &shifts, &punches, &[], clock_only, |_| true)
                .unwrap()
                .is_empty()
        );
        let stray = [punch(6, "08:00", 9)];
        let err = derive(&rules(), &shifts, &stray, &[], BOTH, |_| true).unwrap_err();
        let r = rules();
        assert_eq!(
            err,
            [Stray {
                source: "clock.csv:9".into(),
                employee: "E1".into(),
                at: stray[0].at,
                before: r.window_before,
                after: r.window_after,
            }]
        );
    }

    #[test]
    fn a_split_day_has_two_shifts_each_with_its_own_punches() {
        let shifts = [
            shift(2, "08:00", "12:00", false),
            shift(2, "14:00", "18:00", false),
        ];
        let punches = [
            punch(2, "07:55", 2),
            punch(2, "12:01", 3),
            punch(2, "14:20", 4),
            punch(2, "18:02", 5),
        ];
        let got = derive(&rules(), &shifts, &punches, &[], BOTH, |_| true).unwrap();
        assert_eq!(kinds(&got), [(2, "late", Some(20))]);
        assert!(
            got[0].note.starts_with("排班 14:00–18:00"),
            "{}",
            got[0].note
        );
    }

    #[test]
    fn a_standing_shift_comes_from_the_employees_attributes() {
        let attrs: std::collections::BTreeMap<String, String> = [
            ("shift_start", "07:00"),
            ("shift_end", "15:00"),
            ("workdays", "1-3, 6"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .into();
        // 2026-03-02 is a Monday.
        let on = |d| standing_shift("E1", &attrs, day(d), None).map(|s| s.hours());
        assert_eq!(on(2), Some("07:00–15:00".into()));
        assert_eq!(on(5), None, "Thursday is not a workday");
        assert_eq!(on(7), Some("07:00–15:00".into()), "Saturday is");
        let mut half = attrs.clone();
        half.remove("shift_end");
        assert_eq!(standing_shift("E1", &half, day(2), None), None);
    }

    #[test]
    fn grace_minutes_are_not_counted_and_only_the_days_asked_are_derived() {
        let mut r = rules();
        r.grace_minutes = 5;
        let shifts = [
            shift(2, "08:30", "17:30", false),
            shift(3, "08:30", "17:30", false),
        ];
        let punches = [
            punch(2, "08:35", 2),
            punch(2, "17:30", 3),
            punch(3, "08:36", 4),
            punch(3, "17:30", 5),
        ];
        let got = derive(&r, &shifts, &punches, &[], BOTH, |d| d == day(3)).unwrap();
        assert_eq!(kinds(&got), [(3, "late", Some(6))]);
    }

    #[test]
    fn leave_takes_the_shift_or_moves_its_ends() {
        let at = |d: u32, t: &str| day(d).and_time(NaiveTime::parse_from_str(t, "%H:%M").unwrap());
        let shifts = || {
            vec![
                shift(2, "08:30", "17:30", false),
                shift(3, "20:00", "08:00", false),
            ]
        };
        let hours = |s: Vec<Shift>| -> Vec<(u32, String)> {
            s.iter()
                .map(|s| (chrono::Datelike::day(&s.date), s.hours()))
                .collect()
        };
        // Whole days: both shifts go.
        assert!(on_leave(shifts(), &[(at(2, "00:00"), at(4, "00:00"))]).is_empty());
        // A morning off: the day shift starts at noon; the night is untouched.
        assert_eq!(
            hours(on_leave(shifts(), &[(at(2, "00:00"), at(2, "12:00"))])),
            [(2, "12:00–17:30".into()), (3, "20:00–08:00".into())]
        );
        // An afternoon off: the day shift ends at noon.
        assert_eq!(
            hours(on_leave(shifts(), &[(at(2, "12:00"), at(3, "00:00"))])),
            [(2, "08:30–12:00".into()), (3, "20:00–08:00".into())]
        );
        // An hour out at noon leaves arrival and departure alone.
        assert_eq!(
            hours(on_leave(shifts(), &[(at(2, "12:00"), at(2, "13:00"))]))[0],
            (2, "08:30–17:30".into())
        );
    }

    #[test]
    fn the_calendar_overrides_the_weekday() {
        let attrs: std::collections::BTreeMap<String, String> = [
            ("shift_start".to_string(), "08:30".to_string()),
            ("shift_end".to_string(), "17:30".to_string()),
        ]
        .into();
        // 2026-03-02 is a Monday, 2026-03-08 a Sunday.
        assert!(standing_shift("E1", &attrs, day(2), Some(Day::Off)).is_none());
        assert!(standing_shift("E1", &attrs, day(8), None).is_none());
        assert!(standing_shift("E1", &attrs, day(8), Some(Day::Work)).is_some());
    }
}
