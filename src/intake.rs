//! Intake: turning rows people wrote (CSV files, command-line entries) into validated
//! staff and events. A batch is all or nothing: every bad row is reported, none is stored.

mod attendance;
mod encoding;
mod events;
mod leave;
pub mod photo;
mod staff;
mod workbook;
mod wrong;

use std::fmt;

use crate::domain::event::MAX_LISTED;

pub use attendance::{read_clock, read_handovers, read_roster};
pub use encoding::{Encoding, decode, reader as decoded};
pub use events::{Entry, EventRow, EventValidator, Issue, MAX_QTY, MayRecord, read_events};
pub use leave::{
    HolidayRow, LeaveFile, LeaveRow, moment as leave_moment, read_holidays, read_leave,
};
pub use staff::{COLUMNS as STAFF_COLUMNS, StaffFile, read_staff};
pub use wrong::{Expected, Wrong};

/// One bad row: where it is and everything wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// `file:row`, or a description like `entry` for a single command-line entry.
    pub at: String,
    pub wrong: Wrong,
    /// The field (of the event's kind) the problem is about, if one: a form shows it there.
    pub field: Option<String>,
}

impl RowProblem {
    /// A problem of the row at `at`, about no field in particular.
    pub fn new(at: impl Into<String>, message: impl Into<String>) -> RowProblem {
        RowProblem {
            at: at.into(),
            wrong: Wrong::Said(message.into()),
            field: None,
        }
    }

    /// `issue`, found in the row at `at`.
    pub fn of(at: impl Into<String>, issue: Issue) -> RowProblem {
        RowProblem {
            at: at.into(),
            wrong: issue.wrong,
            field: issue.field,
        }
    }
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.wrong)
    }
}

/// The largest roster, clock export or staff file read (they are read whole; events
/// stream, whatever their size).
pub const MAX_TABLE_BYTES: u64 = 256 << 20;

/// Every bad row of a batch: the first [`MAX_LISTED`] problems, and how many more there
/// were. Three million bad rows are counted, not held (they made 389 MB of messages).
#[derive(Debug, Clone, Default, PartialEq, thiserror::Error)]
pub struct Rejected {
    pub listed: Vec<RowProblem>,
    /// Problems found beyond those listed.
    pub more: usize,
    /// Rows with at least one problem.
    pub bad_rows: usize,
}

impl Rejected {
    /// The problems of one bad row (none: the row is fine).
    pub fn push_row(&mut self, problems: impl IntoIterator<Item = RowProblem>) {
        let before = self.total();
        for p in problems {
            if self.listed.len() < MAX_LISTED {
                self.listed.push(p);
            } else {
                self.more += 1;
            }
        }
        if self.total() > before {
            self.bad_rows += 1;
        }
    }

    /// Problems of rows that may repeat (each distinct `at` is a row).
    pub fn of(problems: Vec<RowProblem>) -> Rejected {
        let mut rows: Vec<&str> = problems.iter().map(|p| p.at.as_str()).collect();
        rows.sort_unstable();
        rows.dedup();
        let bad_rows = rows.len();
        let mut out = Rejected::default();
        out.push_row(problems);
        out.bad_rows = bad_rows;
        out
    }

    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// How many problems were found.
    pub fn total(&self) -> usize {
        self.listed.len() + self.more
    }

    /// `Err(self)` if any row was bad, else `Ok(ok)`.
    pub fn or<T>(self, ok: impl FnOnce() -> T) -> Result<T, Rejected> {
        if self.is_empty() { Ok(ok()) } else { Err(self) }
    }
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::domain::event::write_lines(f, &self.listed, self.more)
    }
}

/// What people call column `id` (`date` → 日期): its first Chinese header, else the id.
pub fn column_label(id: &str) -> &str {
    CHINESE_HEADERS
        .iter()
        .find(|(_, column)| *column == id)
        .map_or(id, |(label, _)| label)
}

/// Headers as Chinese offices and attendance machines write them → the column they are.
const CHINESE_HEADERS: [(&str, &str); 34] = [
    ("工号", "employee"),
    ("员工编号", "employee"),
    ("姓名", "name"),
    ("部门", "department"),
    ("岗位", "role"),
    ("入职日期", "joined"),
    ("离职日期", "left"),
    ("主管", "supervisor"),
    ("日期", "date"),
    ("类型", "kind"),
    ("数量", "qty"),
    ("备注", "note"),
    ("录入人", "recorded_by"),
    ("上班时间", "start"),
    ("下班时间", "end"),
    ("交班", "handover"),
    ("上班打卡", "in"),
    ("下班打卡", "out"),
    ("签到", "in"),
    ("签退", "out"),
    ("打卡时间", "time"),
    ("记录编号", "row_id"),
    ("请假类型", "type"),
    ("假期类型", "type"),
    ("开始时间", "from"),
    ("结束时间", "to"),
    ("审批状态", "state"),
    ("状态", "state"),
    ("时长", "duration"),
    ("事由", "reason"),
    ("请假事由", "reason"),
    ("原因", "reason"),
    ("名称", "name"),
    ("时间", "time"),
];

/// A column's Chinese header, for a message naming the columns a file needs.
pub(crate) fn chinese_header(column: &str) -> Option<&'static str> {
    CHINESE_HEADERS
        .iter()
        .find(|(_, c)| *c == column)
        .map(|(zh, _)| *zh)
}

/// A CSV file's header and records with their line numbers; a leading BOM is dropped.
pub(crate) struct Table {
    pub headers: Vec<String>,
    /// (line number in the file, cells)
    pub rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    /// The header row, checked: the required columns present, none twice. A leading BOM is
    /// dropped.
    pub fn headers<R: std::io::Read>(
        reader: &mut csv::Reader<R>,
        required: &[&str],
    ) -> Result<Vec<String>, String> {
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| format!("cannot read the header row: {e}"))?
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let h = if i == 0 {
                    h.trim_start_matches('\u{feff}')
                } else {
                    h
                };
                let h = h.trim();
                CHINESE_HEADERS
                    .iter()
                    .find(|(zh, _)| *zh == h)
                    .map_or(h, |(_, column)| column)
                    .to_string()
            })
            .collect();
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|r| !headers.iter().any(|h| h == r))
            .collect();
        if !missing.is_empty() {
            // The Chinese header row too, where every required column has one.
            let chinese: Option<Vec<&str>> = required.iter().map(|r| chinese_header(r)).collect();
            return Err(format!(
                "the header row lacks {}; the file must start with `{}`{}",
                missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                required.join(","),
                chinese.map_or_else(String::new, |c| format!(" (or `{}`)", c.join(",")))
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for h in &headers {
            if !seen.insert(h) {
                return Err(format!("column `{h}` appears twice in the header row"));
            }
        }
        Ok(headers)
    }

    /// What a CSV reading error means for the person who wrote the file.
    pub fn csv_message(e: &csv::Error) -> String {
        match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!(
                "has {len} cells but the header has {expected_len}; check for a stray or missing comma{}",
                if len < expected_len {
                    ", or a quote `\"` that is opened and never closed (the cell then runs on over the next lines)"
                } else {
                    ""
                }
            ),
            csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8; save the file as UTF-8".into(),
            _ => e.to_string(),
        }
    }

    /// The header row of the file `name` holding `text`, checked as [`Table::headers`]
    /// checks it, without reading the rows: what a reader asks to know the file's shape.
    pub fn header_row(name: &str, text: &str, required: &[&str]) -> Result<Vec<String>, Rejected> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.as_bytes());
        Self::headers(&mut reader, required)
            .map_err(|m| Rejected::of(vec![RowProblem::new(format!("{name}:1"), m)]))
    }

    pub fn read(name: &str, text: &str, required: &[&str]) -> Result<Table, Rejected> {
        let bad = |line: u64, message: String| {
            Rejected::of(vec![RowProblem::new(format!("{name}:{line}"), message)])
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.as_bytes());
        let headers = Self::headers(&mut reader, required).map_err(|m| bad(1, m))?;
        let mut rows = Vec::new();
        let mut problems = Rejected::default();
        for rec in reader.records() {
            match rec {
                Ok(r) => {
                    let line = r.position().map_or(0, |p| p.line());
                    if r.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    if let Some(long) = r
                        .iter()
                        .find(|c| c.chars().nth(workbook::MAX_CELL_CHARS).is_some())
                    {
                        problems.push_row([RowProblem::new(
                            format!("{name}:{line}"),
                            format!(
                                "a cell holds {} characters; a cell holds at most {}: {}",
                                long.chars().count(),
                                workbook::MAX_CELL_CHARS,
                                crate::domain::text::clip(long)
                            ),
                        )]);
                        continue;
                    }
                    rows.push((line, r.iter().map(String::from).collect()));
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    let message = Self::csv_message(&e);
                    problems.push_row([RowProblem::new(format!("{name}:{line}"), message)]);
                }
            }
        }
        problems.or(|| Table { headers, rows })
    }

    /// The cell of `column` in `row`, trimmed; empty when the column is absent.
    pub fn cell<'a>(&self, row: &'a [String], column: &str) -> &'a str {
        self.headers
            .iter()
            .position(|h| h == column)
            .and_then(|i| row.get(i))
            .map_or("", |s| s.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of bad rows keeps the first problems and counts the rest: its memory does not
    /// grow with the file.
    #[test]
    fn rejected_holds_the_first_problems_and_counts_the_rest() {
        let mut r = Rejected::default();
        for line in 0..10_000 {
            let at = format!("f.csv:{line}");
            r.push_row([RowProblem::new(&at, "a"), RowProblem::new(&at, "b")]);
            r.push_row([]);
        }
        assert_eq!(
            (r.listed.len(), r.more, r.bad_rows),
            (MAX_LISTED, 19_900, 10_000)
        );
        let text = r.to_string();
        assert_eq!(text.lines().count(), MAX_LISTED + 1);
        assert!(
            text.ends_with("… and 19900 more problems; mend these first"),
            "{text}"
        );
        let of = Rejected::of(vec![
            RowProblem::new("f:2", "x"),
            RowProblem::new("f:2", "y"),
        ]);
        assert_eq!((of.listed.len(), of.more, of.bad_rows), (2, 0, 1));
    }
}
