//! Intake: turning rows people wrote (CSV files, command-line entries) into validated
//! staff and events. A batch is all or nothing: every bad row is reported, none is stored.

mod attendance;
mod encoding;
mod events;
mod leave;
pub mod photo;
pub mod shape;
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
pub use shape::{Cell, CellValue, MAX_TABLE_BYTES, Shape};
pub use staff::{COLUMNS as STAFF_COLUMNS, StaffFile, read_staff};
pub use wrong::{Expected, UnknownLeave, Wrong};

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
    pub fn new(at: impl Into<String>, wrong: Wrong) -> RowProblem {
        RowProblem {
            at: at.into(),
            wrong,
            field: None,
        }
    }

    /// The file's shape wrong at `at` (its header row, a record that is no row).
    pub fn shape(at: impl Into<String>, shape: Shape) -> RowProblem {
        RowProblem::new(at, Wrong::Shape(shape))
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

    /// The problems of `later` rows after these, as if pushed row by row here.
    pub fn append(&mut self, later: Rejected) {
        let listed = later.listed.len();
        let room = MAX_LISTED.saturating_sub(self.listed.len()).min(listed);
        self.listed.extend(later.listed.into_iter().take(room));
        self.more += listed - room + later.more;
        self.bad_rows += later.bad_rows;
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

/// Files from this size on are read on two threads when they can be (see [`halves`]).
const HALVES_FROM: usize = 1 << 20;

/// Where the second half of a large CSV text starts (just after a line's end near its
/// middle), when no cell of it is quoted: only then does every record end at a line's end.
fn halves(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    if b.len() < HALVES_FROM || memchr::memchr(b'"', b).is_some() {
        return None;
    }
    let middle = memchr::memchr(b'\n', &b[b.len() / 2..])? + b.len() / 2 + 1;
    (middle < b.len()).then_some(middle)
}

/// The rows `first` and `second` read, and their problems, read at once on two threads:
/// `first`'s, then `second`'s, as if read one after the other.
fn in_halves<T: Send>(
    first: impl FnOnce() -> (Vec<T>, Rejected),
    second: impl FnOnce() -> (Vec<T>, Rejected) + Send,
) -> (Vec<T>, Rejected) {
    let ((mut rows, mut problems), (later, more)) = std::thread::scope(|scope| {
        let later = scope.spawn(second);
        let first = first();
        (
            first,
            later.join().expect("reading half a file does not panic"),
        )
    });
    rows.extend(later);
    problems.append(more);
    (rows, problems)
}

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
    ) -> Result<Vec<String>, Shape> {
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| Shape::HeaderUnreadable(e.to_string()))?
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
            let chinese: Option<Vec<String>> = (required.iter())
                .map(|r| chinese_header(r).map(String::from))
                .collect();
            return Err(Shape::HeaderLacks {
                missing: missing.into_iter().map(String::from).collect(),
                required: required.iter().map(|r| r.to_string()).collect(),
                chinese,
            });
        }
        let mut seen = std::collections::BTreeSet::new();
        for h in &headers {
            if !seen.insert(h) {
                return Err(Shape::ColumnTwice(h.clone()));
            }
        }
        Ok(headers)
    }

    /// The header row of the file `name` holding `text`, checked as [`Table::headers`]
    /// checks it, without reading the rows: what a reader asks to know the file's shape.
    pub fn header_row(name: &str, text: &str, required: &[&str]) -> Result<Vec<String>, Rejected> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.as_bytes());
        Self::headers(&mut reader, required)
            .map_err(|shape| Rejected::of(vec![RowProblem::shape(format!("{name}:1"), shape)]))
    }

    pub fn read(name: &str, text: &str, required: &[&str]) -> Result<Table, Rejected> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers = Self::headers(&mut reader, required)
            .map_err(|shape| Rejected::of(vec![RowProblem::shape(format!("{name}:1"), shape)]))?;
        let width = headers.len();
        let Some(middle) = halves(text) else {
            let (rows, problems) = Self::records(name, reader, width, 0, 0);
            return problems.or(|| Table { headers, rows });
        };
        // A large file with no quoted cell is read in two halves at once: its records then
        // end at every line's end, so the second half starts at the line after the middle.
        let before = memchr::memchr_iter(b'\n', &text.as_bytes()[..middle]).count() as u64;
        let first = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(&text.as_bytes()[..middle]);
        let second = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(&text.as_bytes()[middle..]);
        // The first half's rows are kept with room for the second's.
        let lines =
            before as usize + memchr::memchr_iter(b'\n', &text.as_bytes()[middle..]).count();
        let (rows, problems) = in_halves(
            || Self::records(name, first, width, 0, lines),
            || Self::records(name, second, width, before, 0),
        );
        problems.or(|| Table { headers, rows })
    }

    /// The records `reader` holds after its header (if any), each with its line in the file
    /// (`before` lines precede the reader's text), checked to have `width` cells; kept with
    /// room for `room` rows.
    fn records<R: std::io::Read>(
        name: &str,
        mut reader: csv::Reader<R>,
        width: usize,
        before: u64,
        room: usize,
    ) -> (Vec<(u64, Vec<String>)>, Rejected) {
        let mut rows = Vec::with_capacity(room);
        let mut problems = Rejected::default();
        let mut r = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut r) {
                Ok(false) => break,
                Ok(true) => {
                    let line = r.position().map_or(0, |p| p.line()) + before;
                    let wrong = if r.len() != width {
                        Some(Shape::CellCount {
                            width,
                            len: r.len(),
                        })
                    } else if r.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    } else {
                        r.iter()
                            .find(|c| c.chars().nth(shape::MAX_CELL_CHARS).is_some())
                            .map(|long| Shape::CellTooLong {
                                cell: None,
                                chars: long.chars().count(),
                                shown: crate::domain::text::clip(long),
                            })
                    };
                    match wrong {
                        Some(w) => {
                            problems.push_row([RowProblem::shape(format!("{name}:{line}"), w)])
                        }
                        None => rows.push((line, r.iter().map(String::from).collect())),
                    }
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line()) + before;
                    let at = format!("{name}:{line}");
                    problems.push_row([RowProblem::shape(at, Shape::of_csv(&e))]);
                }
            }
        }
        (rows, problems)
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

    /// A large file read in two halves gives what one reading of it gives: the same rows
    /// with the same line numbers, and the same problems listed and counted, bad rows,
    /// blank lines and cut-short lines falling in either half.
    #[test]
    fn a_large_file_read_in_halves_reads_as_read_whole() {
        let mut text = String::from("employee,time\n");
        let mut line = 1;
        while text.len() < 2 * HALVES_FROM {
            line += 1;
            match line % 997 {
                0 => text.push_str("E1,2025-01-01 08:00,extra\n"),
                1 => text.push('\n'),
                2 => text.push_str(" , \n"),
                3 => text.push_str("E2\r\n"),
                _ => text.push_str(&format!("E{line},2025-01-01 08:{:02}:00\n", line % 60)),
            }
        }
        assert!(halves(&text).is_some());
        let whole = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let (rows, problems) = Table::records("f.csv", whole, 2, 0, 0);
        let Err(read) = Table::read("f.csv", &text, &["employee", "time"]) else {
            panic!("the bad rows are found");
        };
        assert_eq!(read, problems);
        assert!(
            problems.more > 0 && problems.bad_rows > 2 * MAX_LISTED / 3,
            "{problems:?}"
        );
        // Without the bad rows, the rows themselves.
        let good: String = text
            .lines()
            .filter(|l| !l.contains("extra") && *l != "E2")
            .map(|l| format!("{l}\n"))
            .collect();
        let Ok(read) = Table::read("f.csv", &good, &["employee", "time"]) else {
            panic!("no bad rows are left");
        };
        let whole = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(good.as_bytes());
        let (rows_whole, none) = Table::records("f.csv", whole, 2, 0, 0);
        assert!(none.is_empty());
        assert_eq!(read.rows, rows_whole);
        assert!(rows.len() > 1000 && read.rows.len() == rows.len());
        // A quote anywhere, and the file is read whole.
        assert_eq!(halves(&format!("{text}\"")), None);
    }

    /// A file of bad rows keeps the first problems and counts the rest: its memory does not
    /// grow with the file.
    #[test]
    fn rejected_holds_the_first_problems_and_counts_the_rest() {
        let mut r = Rejected::default();
        for line in 0..10_000 {
            let at = format!("f.csv:{line}");
            r.push_row([
                RowProblem::new(&at, Wrong::NoKind),
                RowProblem::new(&at, Wrong::NoRecorder),
            ]);
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
            RowProblem::new("f:2", Wrong::NoKind),
            RowProblem::new("f:2", Wrong::NoRecorder),
        ]);
        assert_eq!((of.listed.len(), of.more, of.bad_rows), (2, 0, 1));
    }
}
