//! Leave and holiday files as offices export them: approved leave from DingTalk, Feishu,
//! WeCom or a spreadsheet (工号,请假类型,开始时间,结束时间,审批状态,时长,事由), and the
//! year's holiday calendar (日期,类型 休/班,名称). Every bad row is reported with its line.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};

use super::attendance::{date, employee, rows, time};
use super::{Expected, Rejected, Table, Wrong};

/// A leave row to store: whose, which type (the policy's id), from when to when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaveRow {
    pub employee: String,
    pub kind: String,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub reason: String,
}

/// A leave file read: the approved rows (with their `file:row`), and how many rows of each
/// other state were left out (审批中, 已拒绝, …: only approved leave counts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaveFile {
    pub approved: Vec<(String, LeaveRow)>,
    pub left_out: BTreeMap<String, usize>,
}

/// What the approval suites write for an approved request.
const APPROVED: [&str; 7] = [
    "approved",
    "已通过",
    "通过",
    "审批通过",
    "同意",
    "已同意",
    "已批准",
];

/// A leave file: `employee,type,from,to[,state][,reason]`. `type` is written as the
/// policy's id or label (`kind_of` says which id, or why not); `from` and `to` are dates
/// (whole days), dates with a time, or dates with 上午/下午 (the morning or afternoon). A
/// file without `state` is a file of approved leave.
pub fn read_leave(
    name: &str,
    text: &str,
    known: &BTreeSet<String>,
    kind_of: impl Fn(&str, &str) -> Result<String, Wrong>,
) -> Result<LeaveFile, Rejected> {
    let t = Table::read(name, text, &["employee", "type", "from", "to"])?;
    let has_state = t.headers.iter().any(|h| h == "state");
    let mut left_out: BTreeMap<String, usize> = BTreeMap::new();
    let read = rows(name, &t, |cell, wrong| {
        let state = cell.get("state");
        if has_state && !APPROVED.contains(&state) {
            *left_out
                .entry(crate::domain::text::clip(state))
                .or_default() += 1;
            return None;
        }
        let employee = employee(cell, known, wrong);
        // An unknown employee has no policy to know the type by: one problem is enough.
        let kind = if known.contains(&employee) {
            kind_of(&employee, cell.get("type"))
                .map_err(|w| wrong.push(w))
                .ok()
        } else {
            None
        };
        let start = moment(cell.get("from"), false, "from", wrong);
        let end = moment(cell.get("to"), true, "to", wrong);
        if let (Some(s), Some(e)) = (start, end)
            && e <= s
        {
            wrong.push(Wrong::LeaveBackwards { start: s, end: e });
        }
        let reason = cell.get("reason").to_string();
        if let Err(m) = crate::domain::text::plain("reason", &reason, 1_000) {
            wrong.push(Wrong::NotPlain(m));
        }
        Some(LeaveRow {
            employee,
            kind: kind?,
            start: start?,
            end: end?,
            reason,
        })
    });
    // Rows left out are not problems: `rows` got `None` with nothing wrong for them.
    Ok(LeaveFile {
        approved: read?,
        left_out,
    })
}

/// A leave's `from` or `to` as written: a date is the whole day (from its start, or to
/// its end); 上午 is the morning (to noon), 下午 the afternoon (from noon); a time is that
/// time.
pub fn moment(text: &str, end: bool, what: &str, wrong: &mut Vec<Wrong>) -> Option<NaiveDateTime> {
    let text = text.trim();
    let (day, part) = text.split_once(' ').unwrap_or((text, ""));
    let d = date(day, what, wrong)?;
    let noon = NaiveTime::from_hms_opt(12, 0, 0).expect("noon");
    let next = |d: NaiveDate| (d + TimeDelta::days(1)).and_time(NaiveTime::MIN);
    Some(match (part.trim(), end) {
        ("", false) | ("上午", false) => d.and_time(NaiveTime::MIN),
        ("", true) | ("下午", true) => next(d),
        ("上午", true) | ("下午", false) => d.and_time(noon),
        // HH:MM, or HH:MM:SS as exports write it.
        (t, _) => d.and_time(time(t.get(..5).unwrap_or(t), what, wrong)?),
    })
}

/// A day of the holiday calendar as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayRow {
    pub date: NaiveDate,
    /// 休 (a day off), else 班 (a make-up workday).
    pub off: bool,
    pub name: String,
}

/// A holiday calendar: `date,kind[,name]` (日期,类型,名称), `kind` 休 (or `off`) for a
/// public holiday, 班 (or `work`) for a make-up workday. A date listed twice is refused.
pub fn read_holidays(name: &str, text: &str) -> Result<Vec<(String, HolidayRow)>, Rejected> {
    let t = Table::read(name, text, &["date", "kind"])?;
    let mut seen: BTreeSet<NaiveDate> = BTreeSet::new();
    rows(name, &t, |cell, wrong| {
        let date = date(cell.get("date"), "date", wrong);
        let off = match cell.get("kind") {
            "休" | "off" | "holiday" | "假" => Some(true),
            "班" | "work" | "workday" => Some(false),
            other => {
                wrong.push(super::attendance::not_a(
                    "kind",
                    other,
                    Expected::DayOffOrWorkday,
                ));
                None
            }
        };
        let holiday = cell.get("name").to_string();
        if let Err(m) = crate::domain::text::plain("name", &holiday, 40) {
            wrong.push(Wrong::NotPlain(m));
        }
        let date = date?;
        if !seen.insert(date) {
            wrong.push(Wrong::DateTwice(date));
        }
        Some(HolidayRow {
            date,
            off: off?,
            name: holiday,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn leave_times_read_as_offices_write_them() {
        let mut wrong = Vec::new();
        let m = |t: &str, end: bool, wrong: &mut Vec<Wrong>| moment(t, end, "from", wrong);
        assert_eq!(
            m("2026-03-02", false, &mut wrong),
            Some(at("2026-03-02 00:00"))
        );
        assert_eq!(
            m("2026-03-02", true, &mut wrong),
            Some(at("2026-03-03 00:00"))
        );
        assert_eq!(
            m("2026-03-02 上午", true, &mut wrong),
            Some(at("2026-03-02 12:00"))
        );
        assert_eq!(
            m("2026-03-02 下午", false, &mut wrong),
            Some(at("2026-03-02 12:00"))
        );
        assert_eq!(
            m("2026/03/02 14:30", false, &mut wrong),
            Some(at("2026-03-02 14:30"))
        );
        assert!(wrong.is_empty(), "{wrong:?}");
        assert_eq!(m("2026-03-02 晚上", false, &mut wrong), None);
        assert_eq!(wrong.len(), 1);
    }

    #[test]
    fn only_approved_rows_count_and_an_unknown_employee_is_one_problem() {
        let known: BTreeSet<String> = ["E1".to_string()].into();
        let kind = |_: &str, t: &str| -> Result<String, Wrong> {
            (t == "年假")
                .then(|| "annual".to_string())
                .ok_or(Wrong::NoKind)
        };
        let text = "工号,请假类型,开始时间,结束时间,审批状态\n\
                    E1,年假,2026-03-02,2026-03-03,审批通过\n\
                    E1,年假,2026-03-09,2026-03-09,审批中\n";
        let file = read_leave("l.csv", text, &known, kind).unwrap();
        assert_eq!(file.approved.len(), 1);
        assert_eq!(file.approved[0].1.end, at("2026-03-04 00:00"));
        assert_eq!(file.left_out.get("审批中"), Some(&1));
        let bad = "工号,请假类型,开始时间,结束时间\nE9,年假,2026-03-02,2026-03-03\n";
        let err = read_leave("l.csv", bad, &known, kind).unwrap_err();
        assert_eq!(err.listed.len(), 1, "{err}");
    }
}
