//! What is wrong with a row of a file or an entry, as facts.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::events::MAX_QTY;
use crate::domain::access::Refusal;
use crate::domain::event::{BadValue, FieldType};
use crate::domain::month::Month;
use crate::domain::staff::BadPart;
use crate::domain::text::NotPlain;
use crate::evaluation::rulebook::Rulebook;

/// What is wrong with a row, as facts: `Display` gives the English, `app::zh` the Chinese,
/// each from the values (with the policy's labels beside its ids), never from the words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Wrong {
    #[error("unknown employee `{0}`; add them to the staff first")]
    UnknownEmployee(String),
    /// The one entering may not record events for this employee.
    #[error("{0}")]
    NotYours(Refusal),
    #[error("date {date} is in the future (today is {today})")]
    FutureDate { date: NaiveDate, today: NaiveDate },
    #[error("{month} is closed (by {by} at {at}); it must be reopened to add events")]
    MonthClosed {
        month: Month,
        by: String,
        at: String,
    },
    #[error(
        "employee `{employee}` was not employed on {date} (employed from {joined}{})",
        .left.map_or(String::new(), |l| format!(" to {l}"))
    )]
    NotEmployed {
        employee: String,
        date: NaiveDate,
        joined: NaiveDate,
        left: Option<NaiveDate>,
    },
    #[error("qty `{0}` must be a whole number from 1 to {MAX_QTY} (or empty for 1)")]
    BadQty(String),
    /// A note, a reason or a name that is not plain text of its length.
    #[error("{0}")]
    NotPlain(NotPlain),
    #[error("recorded_by is empty; fill it in, or name who recorded the file's events")]
    NoRecorder,
    #[error("kind is empty")]
    NoKind,
    #[error("{}", Rulebook::none_governs(.department, *.month))]
    NoPolicy { department: String, month: Month },
    /// A kind the governing policy does not know; `closest` is the label of the one most
    /// like it, if any is.
    #[error("{english}")]
    UnknownKind {
        given: String,
        english: String,
        closest: Option<String>,
    },
    #[error("field `{field}`: {bad}")]
    BadField {
        field: String,
        label: String,
        bad: BadValue,
    },
    #[error("kind `{kind}` has no field `{field}`; leave that cell empty")]
    NoSuchField {
        kind: String,
        kind_label: String,
        field: String,
    },
    #[error("kind `{kind}` needs field `{field}` ({ty})")]
    FieldMissing {
        kind: String,
        kind_label: String,
        field: String,
        label: String,
        ty: FieldType,
    },
    /// A cell that is not what its column holds: `column` is the column's id (`date`,
    /// `start`, `in`), quoted short.
    #[error("{column} `{given}` is not {expected}")]
    NotA {
        column: String,
        given: String,
        expected: Expected,
    },
    #[error("a shift cannot start and end at the same time")]
    ShiftOfNoTime,
    #[error(
        "`{employee}`'s shift {date} {}–{} overlaps the one at {other_at} ({}–{}); list each shift once",
        .start.format("%H:%M"), .end.format("%H:%M"), .other_start.format("%H:%M"), .other_end.format("%H:%M")
    )]
    ShiftsOverlap {
        employee: String,
        date: NaiveDate,
        start: NaiveTime,
        end: NaiveTime,
        other_at: String,
        other_start: NaiveTime,
        other_end: NaiveTime,
    },
    #[error(
        "the header names both shapes of a clock export: `time` (one row per punch) and `{}` (one row per day); keep the columns of one shape",
        .per_day.join("`, `")
    )]
    BothClockShapes { per_day: Vec<String> },
    #[error("the leave ends ({end}) before it starts ({start})")]
    LeaveBackwards {
        start: NaiveDateTime,
        end: NaiveDateTime,
    },
    #[error("{0} is listed twice; keep one row of each date")]
    DateTwice(NaiveDate),
    #[error("id `{0}` must be non-empty, at most 40 characters, without spaces")]
    BadStaffId(String),
    #[error("id `{0}` appears twice in this file")]
    IdTwice(String),
    #[error("department `{0}` must be an id of a-z, 0-9, `_` and `-`, e.g. customer-service")]
    BadDepartment(String),
    #[error("left {left} is before joined {joined}")]
    LeftBeforeJoined { left: NaiveDate, joined: NaiveDate },
    #[error("an employee cannot be their own supervisor")]
    OwnSupervisor,
    #[error("supervisor `{0}` is not an employee in this file or on file")]
    NoSuchSupervisor(String),
    #[error("{0}")]
    UnknownLeaveType(UnknownLeave),
    /// Two rows of a leave file for the same time of one employee.
    #[error("this leave of `{employee}` overlaps the one at {first}")]
    LeaveOverlap { employee: String, first: String },
    /// A day of attendance in a closed month.
    #[error(
        "{day} lies in {}, which {by} closed; a closed month keeps its attendance as it was: reopen it first, or leave the day out",
        Month::of(*.day)
    )]
    DayClosed { day: NaiveDate, by: String },
    /// A punch no rostered shift's window holds (`before` and `after`: the window's
    /// minutes around a shift).
    #[error(
        "the punch of `{employee}` at {} fits no rostered shift (a punch counts from {before} minutes before a shift's start to {after} minutes after its end); import the roster of that day first",
        .at.format("%Y-%m-%d %H:%M")
    )]
    StrayPunch {
        employee: String,
        at: NaiveDateTime,
        before: i64,
        after: i64,
    },
    /// A punch far from the rest of its file: a likely typo.
    #[error(
        "a punch dated {date} lies more than {gap} days from the rest of the file ({from} … {to}); a likely typo: correct the date, or import that day in a file of its own"
    )]
    FarDate {
        date: NaiveDate,
        gap: i64,
        from: NaiveDate,
        to: NaiveDate,
    },
    /// A staff attribute a governing policy reads (`[staff_fields]`) that the employee
    /// lacks (`bad` is `None`) or holds in another type; `by` names the policy, the
    /// department and the month it reads it from, when the problem is told row by row.
    #[error(
        "`{employee}`{} {}{}",
        if .bad.is_some() { "'s" } else { " has no" },
        match .bad { Some(b) => format!("`{name}`: {b}"), None => format!("`{name}` ({ty})") },
        .by.as_deref().map_or_else(String::new, |(policy, department, month)| match .bad {
            Some(_) => format!(" (policy `{policy}` reads it as {ty})"),
            None => format!(", which policy `{policy}` reads for department `{department}` from {month}"),
        })
    )]
    Attribute {
        employee: String,
        name: String,
        ty: FieldType,
        bad: Option<BadValue>,
        /// Boxed: a row's problem is kept small.
        by: Option<Box<(String, String, Month)>>,
    },
    /// A staff record's name, role or attribute.
    #[error("{0}")]
    Part(BadPart),
    #[error("row_id is empty; in a file with row ids every row has one")]
    NoRowId,
    #[error(
        "row_id `{id}` appears twice in this file (first on line {first}); each row has its own"
    )]
    RowIdTwice { id: String, first: u64 },
    /// The file's shape: its header row, a record that is no row of the table.
    #[error("{0}")]
    Shape(super::Shape),
}

/// A leave type the governing policy does not declare: what was given, and the types it
/// declares (`label (id)`; none when it declares none).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "leave type `{given}` is not one the policy knows; it knows {}",
    if .known.is_empty() {
        "none: declare the types in the policy (`[leave.annual]` `label = \"年假\"`, …) and activate it".to_string()
    } else {
        .known.join(", ")
    }
)]
pub struct UnknownLeave {
    pub given: String,
    pub known: Vec<String>,
}

/// What a cell of a column should have held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// YYYY-MM-DD (or YYYY/MM/DD in exports).
    Date,
    /// A date, or nothing.
    DateOrEmpty,
    /// HH:MM.
    Time,
    /// YYYY-MM-DD HH:MM.
    PunchTime,
    /// 是/否 (or 1/0).
    YesOrNo,
    /// 休 or 班.
    DayOffOrWorkday,
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Expected::Date => "a date; write YYYY-MM-DD",
            Expected::DateOrEmpty => "a date; write YYYY-MM-DD or leave it empty",
            Expected::Time => "a time; write HH:MM",
            Expected::PunchTime => "a punch time; write YYYY-MM-DD HH:MM",
            Expected::YesOrNo => "yes or no; write 是/否 (or 1/0)",
            Expected::DayOffOrWorkday => "休 (a day off) or 班 (a make-up workday)",
        })
    }
}
