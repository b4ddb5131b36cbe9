//! Attendance files as people and machines write them: the duty roster, the time clock's
//! export in either of its two shapes, and handover records — English or Chinese headers.
//! Every bad row is reported with its line; none is kept.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};

use super::{Expected, Rejected, RowProblem, Table, Wrong, in_halves};
use crate::domain::month::{parse_date, parse_time_text};
use crate::domain::text::clip;
use crate::engine::attendance::{Shift, Stamped};

/// One row of a table: its cells by column.
pub(super) struct Cells<'a> {
    table: &'a Table,
    cells: &'a [String],
}

impl<'a> Cells<'a> {
    pub(super) fn get(&self, column: &str) -> &'a str {
        self.table.cell(self.cells, column)
    }
}

/// Reads each row with `row`, collecting every problem.
pub(super) fn rows<T>(
    name: &str,
    t: &Table,
    mut row: impl FnMut(&Cells, &mut Vec<Wrong>) -> Option<T>,
) -> Result<Vec<(String, T)>, Rejected> {
    let (out, problems) = rows_of(name, t, &t.rows, &mut row);
    problems.or(|| out)
}

/// [`rows`] for a `row` that keeps nothing between rows: a long table is read on two
/// threads, each reading half of its rows.
pub(super) fn rows_at_once<T: Send>(
    name: &str,
    t: &Table,
    row: impl Fn(&Cells, &mut Vec<Wrong>) -> Option<T> + Sync,
) -> Result<Vec<(String, T)>, Rejected> {
    if t.rows.len() < HALVES_FROM_ROWS {
        return rows(name, t, row);
    }
    let (first, second) = t.rows.split_at(t.rows.len() / 2);
    let (out, problems) = in_halves(
        || rows_of(name, t, first, &mut &row),
        || rows_of(name, t, second, &mut &row),
    );
    problems.or(|| out)
}

/// Tables from this many rows on are read on two threads.
const HALVES_FROM_ROWS: usize = 20_000;

/// The rows `part` of `t` read with `row`, and their problems.
fn rows_of<T>(
    name: &str,
    t: &Table,
    part: &[(u64, Vec<String>)],
    row: &mut impl FnMut(&Cells, &mut Vec<Wrong>) -> Option<T>,
) -> (Vec<(String, T)>, Rejected) {
    let mut out = Vec::with_capacity(part.len());
    let mut problems = Rejected::default();
    for (line, cells) in part {
        let at = format!("{name}:{line}");
        let cell = Cells { table: t, cells };
        let mut wrong = Vec::new();
        match row(&cell, &mut wrong) {
            Some(v) if wrong.is_empty() => out.push((at, v)),
            _ => problems.push_row(
                wrong
                    .into_iter()
                    .map(|w| RowProblem::of(at.clone(), w.into())),
            ),
        }
    }
    (out, problems)
}

pub(super) fn employee(cell: &Cells, known: &BTreeSet<String>, wrong: &mut Vec<Wrong>) -> String {
    let e = cell.get("employee");
    if !known.contains(e) {
        wrong.push(Wrong::UnknownEmployee(clip(e)));
    }
    e.to_string()
}

/// `column` `text` was not what the column holds.
pub(super) fn not_a(column: &str, text: &str, expected: Expected) -> Wrong {
    Wrong::NotA {
        column: column.to_string(),
        given: clip(text),
        expected,
    }
}

pub(super) fn date(text: &str, what: &str, wrong: &mut Vec<Wrong>) -> Option<NaiveDate> {
    let d = parse_date(text).or_else(|| {
        NaiveDate::parse_from_str(text, "%Y/%m/%d")
            .ok()
            .filter(|d| crate::domain::month::PLAUSIBLE_YEARS.contains(&d.year()))
    });
    if d.is_none() {
        wrong.push(not_a(what, text, Expected::Date));
    }
    d
}

pub(super) fn time(text: &str, what: &str, wrong: &mut Vec<Wrong>) -> Option<NaiveTime> {
    // chrono reads `:60` as a leap second; a clock never writes one.
    let t = NaiveTime::parse_from_str(text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
        .ok()
        .filter(|t| t.nanosecond() < 1_000_000_000);
    if t.is_none() {
        wrong.push(not_a(what, text, Expected::Time));
    }
    t
}

/// A roster file: `employee,date,start,end[,handover]` (工号,日期,上班时间,下班时间,交班); a
/// day may hold several shifts; `end` before `start` passes midnight.
pub fn read_roster(
    name: &str,
    text: &str,
    known: &BTreeSet<String>,
) -> Result<Vec<(String, Shift)>, Rejected> {
    let t = Table::read(name, text, &["employee", "date", "start", "end"])?;
    rows_at_once(name, &t, |cell, wrong| {
        let employee = employee(cell, known, wrong);
        let date = date(cell.get("date"), "date", wrong);
        let start = time(cell.get("start"), "start", wrong);
        let end = time(cell.get("end"), "end", wrong);
        let handover = match cell.get("handover") {
            "" | "0" | "no" | "false" | "否" | "无" => false,
            "1" | "yes" | "true" | "是" | "有" => true,
            other => {
                wrong.push(not_a("handover", other, Expected::YesOrNo));
                false
            }
        };
        if start == end && start.is_some() {
            wrong.push(Wrong::ShiftOfNoTime);
        }
        Some(Shift {
            employee,
            date: date?,
            start: start?,
            end: end?,
            handover,
        })
    })
    .and_then(refuse_overlaps)
}

/// Refuses shifts of one employee that overlap (the same shift listed twice, or two that
/// share time): a worked day would score late against one of them and absent against the
/// other. Each overlap names both rows.
fn refuse_overlaps(shifts: Vec<(String, Shift)>) -> Result<Vec<(String, Shift)>, Rejected> {
    let mut order: Vec<&(String, Shift)> = shifts.iter().collect();
    order.sort_by(|a, b| (&a.1.employee, a.1.starts()).cmp(&(&b.1.employee, b.1.starts())));
    let problems: Vec<RowProblem> = order
        .windows(2)
        .filter(|w| w[0].1.employee == w[1].1.employee && w[1].1.starts() < w[0].1.ends())
        .map(|w| {
            let (a, b) = (&w[0], &w[1]);
            RowProblem::of(
                b.0.clone(),
                Wrong::ShiftsOverlap {
                    employee: b.1.employee.clone(),
                    date: b.1.date,
                    start: b.1.start,
                    end: b.1.end,
                    other_at: a.0.clone(),
                    other_start: a.1.start,
                    other_end: a.1.end,
                }
                .into(),
            )
        })
        .collect();
    if problems.is_empty() {
        Ok(shifts)
    } else {
        Err(Rejected::of(problems))
    }
}

/// A time clock export, recognised by its headers: one row per punch
/// (`employee,time` · 工号,打卡时间, with `time` as `YYYY-MM-DD HH:MM[:SS]`), or one row per day
/// (`employee,date,in,out` · 工号,日期,上班打卡,下班打卡; an `out` before the `in` is the next
/// morning's, an empty one a punch not made). Returns the punches.
pub fn read_clock(
    name: &str,
    text: &str,
    known: &BTreeSet<String>,
) -> Result<Vec<Stamped>, Rejected> {
    // The shape from the header row alone: the rows are read once, below.
    let headers = Table::header_row(name, text, &["employee"])?;
    let per_punch = headers.iter().any(|h| h == "time");
    let per_day: Vec<&str> = ["date", "in", "out"]
        .into_iter()
        .filter(|c| headers.iter().any(|h| h == c))
        .collect();
    if per_punch && !per_day.is_empty() {
        // Read as one punch per row, the day's in and out would be silently dropped.
        return Err(Rejected::of(vec![RowProblem::of(
            format!("{name}:1"),
            Wrong::BothClockShapes {
                per_day: per_day.iter().map(|c| c.to_string()).collect(),
            }
            .into(),
        )]));
    }
    let stamped = |at: String, employee: String, when: NaiveDateTime| Stamped {
        employee,
        at: when,
        source: at,
    };
    if per_punch {
        let t = Table::read(name, text, &["employee", "time"])?;
        let rows = rows_at_once(name, &t, |cell, wrong| {
            let employee = employee(cell, known, wrong);
            let text = cell.get("time");
            // The usual shape first, by hand; chrono's parser reads the rest.
            let at = parse_time_text(text, true)
                .or_else(|| parse_time_text(text, false))
                .or_else(|| {
                    [
                        "%Y-%m-%d %H:%M:%S",
                        "%Y-%m-%d %H:%M",
                        "%Y/%m/%d %H:%M:%S",
                        "%Y/%m/%d %H:%M",
                    ]
                    .iter()
                    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
                })
                .filter(|at| {
                    at.nanosecond() < 1_000_000_000
                        && crate::domain::month::PLAUSIBLE_YEARS.contains(&at.year())
                });
            if at.is_none() {
                wrong.push(not_a("time", text, Expected::PunchTime));
            }
            Some((employee, at?))
        })?;
        return Ok(rows
            .into_iter()
            .map(|(at, (e, when))| stamped(at, e, when))
            .collect());
    }
    let t = Table::read(name, text, &["employee", "date", "in", "out"])?;
    let rows = rows_at_once(name, &t, |cell, wrong| {
        let employee = employee(cell, known, wrong);
        let date = date(cell.get("date"), "date", wrong);
        let punch = |column: &str, wrong: &mut Vec<Wrong>| match cell.get(column) {
            "" => None,
            text => time(text, column, wrong),
        };
        let (i, o) = (punch("in", wrong), punch("out", wrong));
        Some((employee, date?, i, o))
    })?;
    let mut out = Vec::new();
    for (at, (employee, date, i, o)) in rows {
        if let Some(i) = i {
            out.push(stamped(at.clone(), employee.clone(), date.and_time(i)));
        }
        if let Some(o) = o {
            let day = match i {
                Some(i) if o < i => date + TimeDelta::days(1),
                _ => date,
            };
            out.push(stamped(at, employee, day.and_time(o)));
        }
    }
    Ok(out)
}

/// Handover records: `employee,date,time` (工号,日期,时间) of each record written.
pub fn read_handovers(
    name: &str,
    text: &str,
    known: &BTreeSet<String>,
) -> Result<Vec<Stamped>, Rejected> {
    let t = Table::read(name, text, &["employee", "date", "time"])?;
    let rows = rows_at_once(name, &t, |cell, wrong| {
        let employee = employee(cell, known, wrong);
        let date = date(cell.get("date"), "date", wrong);
        let time = time(cell.get("time"), "time", wrong);
        Some((employee, date?.and_time(time?)))
    })?;
    Ok(rows
        .into_iter()
        .map(|(source, (employee, at))| Stamped {
            employee,
            at,
            source,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> BTreeSet<String> {
        ["E001", "E002"].map(String::from).into()
    }

    #[test]
    fn both_clock_shapes_with_chinese_headers() {
        let per_day =
            "工号,日期,上班打卡,下班打卡\nE001,2026-03-02,19:58,08:02\nE002,2026-03-02,08:31,\n";
        let punches = read_clock("day.csv", per_day, &known()).unwrap();
        let shown: Vec<(String, String, String)> = punches
            .iter()
            .map(|p| (p.employee.clone(), p.at.to_string(), p.source.clone()))
            .collect();
        assert_eq!(
            shown,
            [
                (
                    "E001".into(),
                    "2026-03-02 19:58:00".into(),
                    "day.csv:2".into()
                ),
                (
                    "E001".into(),
                    "2026-03-03 08:02:00".into(),
                    "day.csv:2".into()
                ),
                (
                    "E002".into(),
                    "2026-03-02 08:31:00".into(),
                    "day.csv:3".into()
                ),
            ]
        );
        let per_punch =
            "工号,打卡时间\nE001,2026-03-02 08:31:20\nE009,2026-03-02 08:31\nE002,昨天\n";
        let err = read_clock("punches.csv", per_punch, &known()).unwrap_err();
        let lines: Vec<String> = err.listed.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            lines,
            [
                "punches.csv:3: unknown employee `E009`; add them to the staff first",
                "punches.csv:4: time `昨天` is not a punch time; write YYYY-MM-DD HH:MM"
            ]
        );
    }

    #[test]
    fn a_roster_names_its_missing_columns_in_both_languages() {
        let err = read_roster("roster.csv", "工号,日期\nE001,2026-03-02\n", &known()).unwrap_err();
        assert_eq!(
            err.listed[0].to_string(),
            "roster.csv:1: the header row lacks `start`, `end`; the file must start with `employee,date,start,end` (or `工号,日期,上班时间,下班时间`)"
        );
        let ok = read_roster(
            "roster.csv",
            "工号,日期,上班时间,下班时间,交班\nE001,2026-03-02,20:00,08:00,是\n",
            &known(),
        )
        .unwrap();
        assert!(ok[0].1.handover);
        assert_eq!(ok[0].1.ends().to_string(), "2026-03-03 08:00:00");
    }
}
