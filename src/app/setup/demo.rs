//! The sample company of `appraise demo`: staff and a year of daily logs, generated from a
//! fixed seed so that every run gives the same files and the same ratings.
//!
//! Each employee has a conduct profile (how often they slip) so that the year shows the
//! whole range of grades, including repeated failure and a dismissal recommendation.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::domain::month::Month;

/// Generated CSV files in the contract's formats.
pub struct Sample {
    pub staff_csv: String,
    pub events_csv: String,
    /// (department id, name, head employee id)
    pub departments: Vec<(&'static str, &'static str, String)>,
    /// A conscientious and a troubled employee, for the suggested `explain` commands.
    pub examples: (String, String),
    /// (department, target, met)
    pub targets: Vec<(&'static str, &'static str, bool)>,
    /// (department, budget, spent) in whole yuan
    pub budgets: Vec<(&'static str, i64, i64)>,
}

/// How often an employee slips: expected deductible events per month, and commendations.
#[derive(Clone, Copy)]
struct Conduct {
    slips: f64,
    praise: f64,
}

const EXEMPLARY: Conduct = Conduct {
    slips: 0.6,
    praise: 0.35,
};
const STEADY: Conduct = Conduct {
    slips: 2.0,
    praise: 0.15,
};
const UNEVEN: Conduct = Conduct {
    slips: 4.5,
    praise: 0.1,
};
const CARELESS: Conduct = Conduct {
    slips: 6.5,
    praise: 0.05,
};
const TROUBLED: Conduct = Conduct {
    slips: 9.5,
    praise: 0.0,
};

struct Person {
    id: String,
    name: String,
    department: &'static str,
    role: &'static str,
    joined: NaiveDate,
    left: Option<NaiveDate>,
    supervisor: Option<String>,
    shift_start: &'static str,
    conduct: Conduct,
}

const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋",
];
const GIVEN: [&str; 24] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "晓东",
];

/// Deductible kinds of the customer-service policy with their weights (how common they are).
const SERVICE_SLIPS: [(&str, u32); 30] = [
    ("late", 30),
    ("early_leave", 6),
    ("uniform", 10),
    ("badge", 8),
    ("grooming", 3),
    ("shoes", 4),
    ("posture", 5),
    ("missed_handover", 14),
    ("complaint_call", 10),
    ("complaint_arrival", 8),
    ("minor_complaint", 6),
    ("missed_follow_up", 8),
    ("noise_or_reading", 4),
    ("snacks", 4),
    ("unrelated_work", 5),
    ("phone_procedure", 5),
    ("leave_post", 3),
    ("sleeping", 2),
    ("small_mistake", 6),
    ("slow_work", 3),
    ("repair_dispatch", 3),
    ("quarrel", 2),
    ("uncollected_fee", 1),
    ("lost_tools", 1),
    ("refuse_order", 2),
    ("fake_repair", 1),
    ("night_complaint", 3),
    ("uncollected_mail", 3),
    ("disobedience", 1),
    ("buddy_punch", 1),
];

/// Deductible kinds of the company-wide policy (other departments).
const COMPANY_SLIPS: [(&str, u32); 7] = [
    ("late", 40),
    ("early_leave", 8),
    ("uniform", 14),
    ("badge", 10),
    ("grooming", 4),
    ("shoes", 6),
    ("posture", 8),
];

/// Field columns of the events file, in order.
const FIELD_COLUMNS: [&str; 12] = [
    "minutes",
    "rings",
    "days",
    "approved",
    "amount",
    "passed_on",
    "passed_at",
    "phoned",
    "reported_same_day",
    "answer_days",
    "resolved_days",
    "submitted",
];

/// Builds the sample company for `year` from `seed`.
pub fn generate(year: i32, seed: u64) -> Sample {
    let mut rng = fastrand::Rng::with_seed(seed);
    let people = staff(year, &mut rng);
    let mut staff_csv = String::from(STAFF_HEADER);
    for p in &people {
        staff_csv.push_str(&staff_line(p));
    }
    let names: BTreeMap<&str, &str> = people
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    let mut events_csv = events_header();
    for month in Month::of_year(year) {
        for p in &people {
            for (_, r) in month_rows(&mut rng, p, month, recorder(p, &names), Routine::Calls) {
                events_csv.push_str(&r);
            }
        }
    }

    let head = |dept: &str| {
        people
            .iter()
            .find(|p| p.department == dept && p.role == "department_head")
            .map(|p| p.id.clone())
            .unwrap_or_default()
    };
    let example = |c: f64| {
        people
            .iter()
            .find(|p| p.conduct.slips == c && p.role == "staff")
            .map(|p| p.id.clone())
            .unwrap_or_default()
    };
    Sample {
        staff_csv,
        events_csv,
        departments: vec![
            ("customer-service", "客户服务部", head("customer-service")),
            ("security", "秩序维护部", head("security")),
        ],
        examples: (example(EXEMPLARY.slips), example(TROUBLED.slips)),
        targets: vec![
            ("customer-service", "有效投诉回访率100%", false),
            ("customer-service", "投诉处理及时率98%", true),
            ("customer-service", "业主满意度90%以上", true),
            ("customer-service", "月度投诉统计按时上报", true),
            ("security", "全年无重大治安事件", true),
            ("security", "消防演练每季度一次", false),
        ],
        budgets: vec![
            ("customer-service", 480_000, 451_260),
            ("security", 360_000, 372_900),
        ],
    }
}

/// (department, role, conduct, supervisor's index in the plan, joined, left)
type Seat = (
    &'static str,
    &'static str,
    Conduct,
    Option<usize>,
    NaiveDate,
    Option<NaiveDate>,
);

fn staff(year: i32, rng: &mut fastrand::Rng) -> Vec<Person> {
    let date = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d).expect("valid sample date");
    let before =
        |y: i32, m: u32| NaiveDate::from_ymd_opt(year - y, m, 1).expect("valid sample date");
    let plan: Vec<Seat> = vec![
        (
            "customer-service",
            "department_head",
            EXEMPLARY,
            None,
            before(6, 3),
            None,
        ),
        (
            "customer-service",
            "manager",
            STEADY,
            Some(0),
            before(4, 7),
            None,
        ),
        (
            "customer-service",
            "manager",
            EXEMPLARY,
            Some(0),
            before(3, 2),
            None,
        ),
        (
            "customer-service",
            "staff",
            EXEMPLARY,
            Some(1),
            before(2, 4),
            None,
        ),
        (
            "customer-service",
            "staff",
            STEADY,
            Some(1),
            before(3, 9),
            None,
        ),
        (
            "customer-service",
            "staff",
            STEADY,
            Some(1),
            before(1, 5),
            None,
        ),
        (
            "customer-service",
            "staff",
            UNEVEN,
            Some(1),
            before(2, 1),
            None,
        ),
        (
            "customer-service",
            "staff",
            TROUBLED,
            Some(1),
            before(1, 8),
            None,
        ),
        (
            "customer-service",
            "staff",
            STEADY,
            Some(1),
            date(5, 6),
            None,
        ),
        (
            "customer-service",
            "staff",
            CARELESS,
            Some(1),
            before(2, 11),
            None,
        ),
        (
            "customer-service",
            "staff",
            EXEMPLARY,
            Some(2),
            before(5, 3),
            None,
        ),
        (
            "customer-service",
            "staff",
            UNEVEN,
            Some(2),
            before(1, 2),
            Some(date(9, 30)),
        ),
        (
            "customer-service",
            "staff",
            STEADY,
            Some(2),
            before(2, 6),
            None,
        ),
        (
            "customer-service",
            "staff",
            CARELESS,
            Some(2),
            before(1, 10),
            None,
        ),
        (
            "customer-service",
            "staff",
            EXEMPLARY,
            Some(2),
            before(4, 4),
            None,
        ),
        (
            "customer-service",
            "staff",
            UNEVEN,
            Some(2),
            before(3, 12),
            None,
        ),
        (
            "customer-service",
            "staff",
            STEADY,
            Some(2),
            before(2, 3),
            None,
        ),
        (
            "customer-service",
            "staff",
            TROUBLED,
            Some(2),
            date(2, 17),
            None,
        ),
        (
            "customer-service",
            "staff",
            UNEVEN,
            Some(1),
            before(1, 6),
            None,
        ),
        (
            "customer-service",
            "staff",
            STEADY,
            Some(2),
            before(5, 9),
            None,
        ),
        (
            "security",
            "department_head",
            STEADY,
            None,
            before(7, 1),
            None,
        ),
        ("security", "staff", EXEMPLARY, Some(20), before(2, 5), None),
        ("security", "staff", UNEVEN, Some(20), before(1, 3), None),
        ("security", "staff", CARELESS, Some(20), before(3, 8), None),
        ("security", "staff", STEADY, Some(20), date(7, 1), None),
    ];
    let mut used = std::collections::BTreeSet::new();
    plan.iter()
        .enumerate()
        .map(|(i, (department, role, conduct, sup, joined, left))| {
            let name = loop {
                let n = format!(
                    "{}{}",
                    SURNAMES[rng.usize(..SURNAMES.len())],
                    GIVEN[rng.usize(..GIVEN.len())]
                );
                if used.insert(n.clone()) {
                    break n;
                }
            };
            Person {
                id: format!("E{:03}", i + 1),
                name,
                department,
                role,
                joined: *joined,
                left: *left,
                supervisor: sup.map(|s| format!("E{:03}", s + 1)),
                shift_start: if *department == "security" {
                    "07:00"
                } else {
                    "08:30"
                },
                conduct: *conduct,
            }
        })
        .collect()
}

const STAFF_HEADER: &str = "id,name,department,role,joined,left,supervisor,shift_start\n";

fn staff_line(p: &Person) -> String {
    format!(
        "{},{},{},{},{},{},{},{}\n",
        p.id,
        p.name,
        p.department,
        p.role,
        p.joined,
        p.left.map(|d| d.to_string()).unwrap_or_default(),
        p.supervisor.clone().unwrap_or_default(),
        p.shift_start
    )
}

fn events_header() -> String {
    format!(
        "employee,date,kind,qty,note,recorded_by,{}\n",
        FIELD_COLUMNS.join(",")
    )
}

/// Who records an employee's events: their supervisor, else the company office.
fn recorder<'a>(p: &Person, names: &BTreeMap<&str, &'a str>) -> &'a str {
    p.supervisor
        .as_deref()
        .and_then(|s| names.get(s).copied())
        .unwrap_or("公司办公室")
}

/// The routine records logged besides slips and praise.
#[derive(Clone, Copy, PartialEq)]
enum Routine {
    /// A few answered calls (the demo).
    Calls,
    /// A full month of front-desk records, mostly within the standards (the workload).
    FrontDesk,
}

/// One employee's events of one month, as CSV lines with their dates, in date order.
fn month_rows(
    rng: &mut fastrand::Rng,
    p: &Person,
    month: Month,
    recorder: &str,
    routine: Routine,
) -> Vec<(NaiveDate, String)> {
    let all = working_days(month);
    let days: Vec<NaiveDate> = all
        .iter()
        .copied()
        .filter(|d| p.joined <= *d && p.left.is_none_or(|l| *d <= l))
        .collect();
    if days.is_empty() {
        return Vec::new();
    }
    let share = days.len() as f64 / all.len() as f64;
    let slips = if p.department == "customer-service" {
        &SERVICE_SLIPS[..]
    } else {
        &COMPANY_SLIPS[..]
    };
    // A bad month now and then: people have them.
    let mood = if rng.f64() < 0.12 { 2.2 } else { 1.0 };
    let n = poisson(rng, p.conduct.slips * share * mood);
    let mut rows: Vec<(NaiveDate, String)> = Vec::new();
    for _ in 0..n {
        let day = days[rng.usize(..days.len())];
        let kind = pick(rng, slips);
        rows.push((day, event_row(rng, p, kind, day, recorder)));
    }
    for _ in 0..poisson(rng, p.conduct.praise * share) {
        let day = days[rng.usize(..days.len())];
        rows.push((
            day,
            row(p, day, "commendation", "业主来信表扬", recorder, &[]),
        ));
    }
    // Service records that met the standard are logged too; they score nothing.
    if p.department == "customer-service" && p.role == "staff" {
        match routine {
            Routine::Calls => {
                for _ in 0..rng.usize(1..4) {
                    let day = days[rng.usize(..days.len())];
                    let rings = rng.i64(1..=3).to_string();
                    rows.push((
                        day,
                        row(p, day, "complaint_call", "", recorder, &[("rings", &rings)]),
                    ));
                }
            }
            Routine::FrontDesk => {
                for day in &days {
                    for _ in 0..rng.usize(1..=2) {
                        rows.push((*day, routine_row(rng, p, *day, recorder)));
                    }
                }
            }
        }
    }
    rows.sort();
    rows
}

/// A routine front-desk record, within the standard nineteen times in twenty.
fn routine_row(rng: &mut fastrand::Rng, p: &Person, day: NaiveDate, by: &str) -> String {
    let late = rng.u32(..20) == 0;
    let n = |ok: std::ops::RangeInclusive<u32>,
             bad: std::ops::RangeInclusive<u32>,
             rng: &mut fastrand::Rng| {
        if late { rng.u32(bad) } else { rng.u32(ok) }.to_string()
    };
    match rng.u32(..10) {
        0..=4 => row(
            p,
            day,
            "complaint_call",
            "",
            by,
            &[("rings", &n(1..=3, 4..=6, rng))],
        ),
        5..=6 => row(
            p,
            day,
            "complaint_arrival",
            "",
            by,
            &[("minutes", &n(1..=5, 6..=20, rng))],
        ),
        7 => row(
            p,
            day,
            "minor_complaint",
            "",
            by,
            &[("days", &n(0..=2, 3..=5, rng)), ("approved", "false")],
        ),
        8 => row(
            p,
            day,
            "uncollected_mail",
            "",
            by,
            &[("days", &n(0..=1, 2..=3, rng)), ("phoned", "false")],
        ),
        _ => {
            let t = if late {
                format!("09:{:02}", rng.u32(1..60))
            } else {
                format!("08:{:02}", rng.u32(..60))
            };
            let next = (day + chrono::Days::new(1)).to_string();
            row(
                p,
                day,
                "night_complaint",
                "",
                by,
                &[("passed_on", &next), ("passed_at", &t)],
            )
        }
    }
}

/// Writes a company-scale workload: `staff` employees of customer service (a department
/// head, a manager for every 24 staff) and their year of daily logs up to `until` (today:
/// a log holds no future day), about 500 events per employee-year. Streams, so any size
/// fits in memory. Returns (employees, events).
pub fn write_workload(
    staff: usize,
    year: i32,
    until: NaiveDate,
    seed: u64,
    staff_out: &mut impl std::io::Write,
    events_out: &mut impl std::io::Write,
) -> std::io::Result<(usize, usize)> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let profiles = [
        (EXEMPLARY, 30),
        (STEADY, 35),
        (UNEVEN, 20),
        (CARELESS, 10),
        (TROUBLED, 5),
    ];
    let people: Vec<Person> = (0..staff)
        .map(|i| {
            let (role, supervisor) = match i {
                0 => ("department_head", None),
                i if i % 25 == 1 => ("manager", Some(0)),
                i => ("staff", Some(i - (i - 1) % 25)),
            };
            let total: u32 = profiles.iter().map(|(_, w)| w).sum();
            let mut r = rng.u32(..total);
            let conduct = profiles
                .iter()
                .find(|(_, w)| {
                    let hit = r < *w;
                    r = r.saturating_sub(*w);
                    hit
                })
                .map_or(STEADY, |(c, _)| *c);
            Person {
                id: format!("W{:05}", i + 1),
                name: format!(
                    "{}{}",
                    SURNAMES[rng.usize(..SURNAMES.len())],
                    GIVEN[rng.usize(..GIVEN.len())]
                ),
                department: "customer-service",
                role,
                joined: NaiveDate::from_ymd_opt(year - 1 - rng.i32(0..5), rng.u32(1..=12), 1)
                    .expect("valid date"),
                left: None,
                supervisor: supervisor.map(|s: usize| format!("W{:05}", s + 1)),
                shift_start: "08:30",
                conduct,
            }
        })
        .collect();
    staff_out.write_all(STAFF_HEADER.as_bytes())?;
    for p in &people {
        staff_out.write_all(staff_line(p).as_bytes())?;
    }
    let names: BTreeMap<&str, &str> = people
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    events_out.write_all(events_header().as_bytes())?;
    let mut events = 0;
    for p in &people {
        for month in Month::of_year(year).filter(|m| m.first_day() <= until) {
            let rows = month_rows(&mut rng, p, month, recorder(p, &names), Routine::FrontDesk);
            for (_, r) in rows.iter().filter(|(day, _)| *day <= until) {
                events_out.write_all(r.as_bytes())?;
                events += 1;
            }
        }
    }
    Ok((people.len(), events))
}

/// Monday to Saturday: the front desk works six days, but for the public holidays of the
/// shipped calendar (and on its make-up workdays, whatever the weekday).
fn working_days(month: Month) -> Vec<NaiveDate> {
    let calendar = super::shipped::calendar();
    month
        .first_day()
        .iter_days()
        .take_while(|d| *d <= month.last_day())
        .filter(|d| match calendar.get(d) {
            Some(off) => !off,
            None => d.weekday() != Weekday::Sun,
        })
        .collect()
}

fn poisson(rng: &mut fastrand::Rng, mean: f64) -> usize {
    // Knuth's method: fine for the small means used here.
    let limit = (-mean).exp();
    let mut k = 0;
    let mut p = rng.f64();
    while p > limit {
        k += 1;
        p *= rng.f64();
    }
    k
}

fn pick<'a>(rng: &mut fastrand::Rng, weighted: &[(&'a str, u32)]) -> &'a str {
    let total: u32 = weighted.iter().map(|(_, w)| w).sum();
    let mut r = rng.u32(..total);
    for (k, w) in weighted {
        if r < *w {
            return k;
        }
        r -= w;
    }
    weighted[0].0
}

fn row(
    p: &Person,
    day: NaiveDate,
    kind: &str,
    note: &str,
    by: &str,
    fields: &[(&str, &str)],
) -> String {
    let cells: Vec<&str> = FIELD_COLUMNS
        .iter()
        .map(|c| fields.iter().find(|(k, _)| k == c).map_or("", |(_, v)| *v))
        .collect();
    format!("{},{day},{kind},,{note},{by},{}\n", p.id, cells.join(","))
}

/// One deductible event with realistic fields.
fn event_row(rng: &mut fastrand::Rng, p: &Person, kind: &str, day: NaiveDate, by: &str) -> String {
    let yes_no = |b: bool| if b { "true" } else { "false" };
    match kind {
        "late" | "early_leave" => {
            let minutes = match rng.u32(..100) {
                0..=69 => rng.u32(3..=30),
                70..=94 => rng.u32(31..=120),
                _ => rng.u32(121..=240),
            };
            row(p, day, kind, "", by, &[("minutes", &minutes.to_string())])
        }
        "complaint_call" => row(
            p,
            day,
            kind,
            "",
            by,
            &[("rings", &rng.u32(4..=8).to_string())],
        ),
        "complaint_arrival" => row(
            p,
            day,
            kind,
            "",
            by,
            &[("minutes", &rng.u32(6..=25).to_string())],
        ),
        "minor_complaint" => row(
            p,
            day,
            kind,
            "",
            by,
            &[("days", &rng.u32(3..=7).to_string()), ("approved", "false")],
        ),
        "uncollected_fee" => {
            let amount = format!("{}.{:02}", rng.u32(80..=900), rng.u32(..100));
            row(p, day, kind, "物业费", by, &[("amount", &amount)])
        }
        "night_complaint" => {
            let t = format!("{:02}:{:02}", rng.u32(9..=11), rng.u32(..60));
            let next = (day + chrono::Days::new(1)).to_string();
            row(
                p,
                day,
                kind,
                "",
                by,
                &[("passed_on", &next), ("passed_at", &t)],
            )
        }
        "uncollected_mail" => row(
            p,
            day,
            kind,
            "",
            by,
            &[
                ("days", &rng.u32(2..=4).to_string()),
                ("phoned", yes_no(false)),
            ],
        ),
        _ => row(p, day, kind, "", by, &[]),
    }
}

/// Writes a month of attendance for the workload's `staff` (the ids `write_workload`
/// gives): the duty roster (a day shift, 08:30–17:30, on every working day of January of
/// `year`) and the time clock's export, one row per punch — mostly on time; now and then
/// late or early by a few minutes to an hour, a forgotten check-out, a day absent.
/// Returns (shifts, punches).
pub fn write_attendance(
    staff: usize,
    year: i32,
    until: NaiveDate,
    seed: u64,
    roster_out: &mut impl std::io::Write,
    clock_out: &mut impl std::io::Write,
) -> std::io::Result<(usize, usize)> {
    let mut rng = fastrand::Rng::with_seed(seed ^ 0xA77E_0DA9);
    let month = Month::new(year, 1).expect("January exists");
    let days: Vec<NaiveDate> = working_days(month)
        .into_iter()
        .filter(|d| *d <= until)
        .collect();
    roster_out.write_all("employee,date,start,end,handover\n".as_bytes())?;
    clock_out.write_all("employee,time\n".as_bytes())?;
    let (mut shifts, mut punches) = (0, 0);
    for i in 0..staff {
        let id = format!("W{:05}", i + 1);
        for day in &days {
            writeln!(roster_out, "{id},{day},08:30,17:30,no")?;
            shifts += 1;
            let roll = rng.u32(..1000);
            if roll < 10 {
                // Absent.
                continue;
            }
            let arrive = if roll < 60 {
                (8 * 60 + 30 + rng.u32(1..=60)) as i64
            } else {
                (8 * 60 + rng.u32(5..30)) as i64
            };
            let leave = if (60..80).contains(&roll) {
                Some((17 * 60 + 30 - rng.u32(1..=60)) as i64)
            } else if (80..90).contains(&roll) {
                None
            } else {
                Some((17 * 60 + 30 + rng.u32(0..40)) as i64)
            };
            for minute in std::iter::once(arrive).chain(leave) {
                writeln!(
                    clock_out,
                    "{id},{day} {:02}:{:02}:{:02}",
                    minute / 60,
                    minute % 60,
                    rng.u32(..60)
                )?;
                punches += 1;
            }
        }
    }
    Ok((shifts, punches))
}
