//! `events.csv` and single entries: `employee,date,kind,qty,note,recorded_by` then one
//! column per field name. Each row is checked against the policy governing the employee's
//! department in the event's month.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{Expected, Rejected, RowProblem, Shape, Table, Wrong};
use crate::domain::access::Refusal;
use crate::domain::event::Fields;
use crate::domain::month::{Month, parse_date};
use crate::domain::staff::StaffRecord;
use crate::domain::text::clip;
use crate::evaluation::rulebook::Rulebook;
use crate::store::NewEvent;

/// The most times one row may count an event: more is a typing mistake, not an appraisal
/// (and would let a sum of points overflow).
pub const MAX_QTY: i64 = 10_000;

/// The longest note an entry may carry, in characters.
pub const MAX_NOTE_CHARS: usize = 1_000;

const COLUMNS: [&str; 6] = ["employee", "date", "kind", "qty", "note", "recorded_by"];

/// The column that identifies a row across files (`row_id` · 记录编号): with it, a row is
/// imported once however the rows are split into files.
const ROW_ID: &str = "row_id";

/// The longest row id, in characters.
pub const MAX_ROW_ID_CHARS: usize = 64;

/// One event as a person writes it, by hand or as a row of a file: every value still
/// text. The one raw shape of an event, whatever front end or file it comes from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entry {
    pub employee: String,
    pub kind: String,
    pub date: String,
    pub qty: String,
    pub note: String,
    /// Field name → text, e.g. `minutes` → `40`; empty texts count as absent.
    pub fields: BTreeMap<String, String>,
}

/// An [`Entry`] with who recorded it: a file names them in its `recorded_by` column, the
/// application fills in the person entering.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventRow {
    pub entry: Entry,
    pub recorded_by: String,
}

/// Why the one entering may not record events for an employee, if they may not.
pub type MayRecord<'a> = Box<dyn Fn(&StaffRecord) -> Option<Refusal> + Sync + 'a>;

/// Checks rows against the staff on file, the activated policies, today's date and the
/// scope of the one entering them.
pub struct EventValidator<'a> {
    pub staff: BTreeMap<String, StaffRecord>,
    pub rulebook: &'a Rulebook,
    pub today: NaiveDate,
    /// Who recorded rows whose `recorded_by` is empty.
    pub default_by: Option<String>,
    /// Closed months (no event may be added to them), with who closed them and when.
    pub closed: BTreeMap<Month, (String, String)>,
    /// Why the one entering may not record events for this employee, if they may not.
    pub may_record: MayRecord<'a>,
}

impl EventValidator<'_> {
    /// Every problem of a row, or the event to store.
    pub fn check(&self, written: &EventRow) -> Result<NewEvent, Vec<Issue>> {
        let row = &written.entry;
        let mut problems = Issues::default();
        let record = self.staff.get(row.employee.trim());
        match record {
            None => problems.push(Wrong::UnknownEmployee(clip(row.employee.trim()))),
            Some(r) => problems.extend((self.may_record)(r).map(Wrong::NotYours)),
        }
        let date = match parse_date(row.date.trim()) {
            None => {
                problems.push(super::attendance::not_a(
                    "date",
                    row.date.trim(),
                    Expected::Date,
                ));
                None
            }
            Some(d) if d > self.today => {
                problems.push(Wrong::FutureDate {
                    date: d,
                    today: self.today,
                });
                None
            }
            Some(d) => {
                if let Some((by, at)) = self.closed.get(&Month::of(d)) {
                    problems.push(Wrong::MonthClosed {
                        month: Month::of(d),
                        by: by.clone(),
                        at: at.clone(),
                    });
                }
                Some(d)
            }
        };
        // The record in force in the event's month: its department's policy judges the row.
        let employee = record.zip(date).map(|(r, d)| r.at(Month::of(d)));
        if let (Some(e), Some(d)) = (employee, date)
            && !e.employed_on(d)
        {
            problems.push(Wrong::NotEmployed {
                employee: e.id.clone(),
                date: d,
                joined: e.joined,
                left: e.left,
            });
        }
        let qty = match row.qty.trim() {
            "" => 1,
            q => match q.parse::<i64>() {
                Ok(n) if (1..=MAX_QTY).contains(&n) => n,
                _ => {
                    problems.push(Wrong::BadQty(clip(q)));
                    1
                }
            },
        };
        // A note is a line or two a supervisor writes: bounded, and no control characters
        // (a NUL or an escape sequence would reach every page and terminal that shows it).
        let note = row.note.trim();
        if let Err(m) = crate::domain::text::plain("note", note, MAX_NOTE_CHARS) {
            problems.field("note", Wrong::NotPlain(m));
        }
        let recorded_by = match (written.recorded_by.trim(), &self.default_by) {
            ("", Some(by)) => by.clone(),
            ("", None) => {
                problems.push(Wrong::NoRecorder);
                String::new()
            }
            (by, _) => by.to_string(),
        };
        let mut kind = row.kind.trim();
        let mut fields = Fields::new();
        if kind.is_empty() {
            problems.push(Wrong::NoKind);
        } else if let (Some(e), Some(d)) = (employee, date) {
            let month = Month::of(d);
            match self.rulebook.governing(&e.department, month) {
                None => problems.push(Wrong::NoPolicy {
                    department: e.department.clone(),
                    month,
                }),
                Some(policy) => match policy.kind_named(kind) {
                    None => problems.push(Wrong::UnknownKind {
                        given: clip(kind),
                        english: policy.unknown_kind(kind),
                        closest: policy
                            .closest_kind(kind)
                            .map(|k| policy.kind_label(k).to_string()),
                    }),
                    Some(named) => {
                        // Stored by its id, whatever name it was written with.
                        kind = named;
                        let declared = &policy.kinds[named];
                        for (name, text) in row.fields.iter().filter(|(_, t)| !t.trim().is_empty())
                        {
                            match declared.get(name) {
                                Some(ty) => match ty.parse(text) {
                                    Ok(v) => {
                                        fields.insert(name.clone(), v);
                                    }
                                    Err(bad) => problems.field(
                                        name,
                                        Wrong::BadField {
                                            field: name.clone(),
                                            label: policy.field_label(kind, name).to_string(),
                                            bad,
                                        },
                                    ),
                                },
                                None => problems.field(
                                    name,
                                    Wrong::NoSuchField {
                                        kind: kind.to_string(),
                                        kind_label: policy.kind_label(kind).to_string(),
                                        field: clip(name),
                                    },
                                ),
                            }
                        }
                        for (name, ty) in declared {
                            if row.fields.get(name).is_none_or(|t| t.trim().is_empty()) {
                                problems.field(
                                    name,
                                    Wrong::FieldMissing {
                                        kind: kind.to_string(),
                                        kind_label: policy.kind_label(kind).to_string(),
                                        field: name.clone(),
                                        label: policy.field_label(kind, name).to_string(),
                                        ty: *ty,
                                    },
                                );
                            }
                        }
                    }
                },
            }
        }
        match (employee, date) {
            (Some(e), Some(date)) if problems.is_empty() => Ok(NewEvent {
                employee: e.id.clone(),
                date,
                kind: kind.to_string(),
                qty,
                note: row.note.trim().to_string(),
                fields,
                recorded_by,
            }),
            _ => Err(problems.0),
        }
    }
}

/// One problem of a row, and the field it is about, if one (so that a form shows it
/// beside that field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub field: Option<String>,
    pub wrong: Wrong,
}

impl From<Wrong> for Issue {
    fn from(wrong: Wrong) -> Issue {
        Issue { field: None, wrong }
    }
}

/// A row's problems as they are found.
#[derive(Default)]
struct Issues(Vec<Issue>);

impl Issues {
    fn push(&mut self, wrong: Wrong) {
        self.0.push(wrong.into());
    }

    fn field(&mut self, field: &str, wrong: Wrong) {
        self.0.push(Issue {
            field: Some(field.to_string()),
            wrong,
        });
    }

    fn extend(&mut self, wrongs: impl IntoIterator<Item = Wrong>) {
        for w in wrongs {
            self.push(w);
        }
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Reads and validates an events file row by row. While every row so far is good, each event
/// goes to `keep` with its row id, if the file gives one (e.g. into an open transaction);
/// after the first bad row nothing more is kept, but every row is still checked, so that
/// all problems are reported at once. Returns the number of rows, or every problem as
/// `file:row: …`; an error of `keep` stops at once.
pub fn read_events<E>(
    name: &str,
    input: impl std::io::Read,
    v: &EventValidator,
    mut keep: impl FnMut(NewEvent, Option<&str>) -> Result<(), E>,
) -> Result<Result<usize, Rejected>, E> {
    let bad = |line: u64, shape: Shape| RowProblem::shape(format!("{name}:{line}"), shape);
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
    let headers = match Table::headers(&mut reader, &COLUMNS[..3]) {
        Ok(h) => h,
        Err(shape) => return Ok(Err(Rejected::of(vec![bad(1, shape)]))),
    };
    let position = |c: &str| headers.iter().position(|h| h == c);
    let standard: Vec<Option<usize>> = COLUMNS.iter().map(|c| position(c)).collect();
    // A `name` (姓名) column is for the person filling the sheet in, not a field.
    let field_columns: Vec<(usize, &String)> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| !COLUMNS.contains(&h.as_str()) && !["name", ROW_ID].contains(&h.as_str()))
        .collect();
    let row_id_at = position(ROW_ID);
    let mut row_ids: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let informational = headers.iter().position(|h| h == "name");
    let mut record = csv::StringRecord::new();
    let mut problems = Rejected::default();
    let mut rows = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push_row([bad(line, Shape::of_csv(&e))]);
                continue;
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        // A row with nothing but the informational name is a row not filled in.
        if record
            .iter()
            .enumerate()
            .all(|(i, c)| c.trim().is_empty() || Some(i) == informational)
        {
            continue;
        }
        rows += 1;
        let cell = |i: usize| {
            standard[i]
                .and_then(|p| record.get(p))
                .map_or("", str::trim)
                .to_string()
        };
        let row = EventRow {
            entry: Entry {
                employee: cell(0),
                date: cell(1),
                kind: cell(2),
                qty: cell(3),
                note: cell(4),
                fields: field_columns
                    .iter()
                    .filter_map(|(i, h)| {
                        let v = record.get(*i)?.trim();
                        (!v.is_empty()).then(|| ((*h).clone(), v.to_string()))
                    })
                    .collect(),
            },
            recorded_by: cell(5),
        };
        let row_id = row_id_at.map(|i| record.get(i).map_or("", str::trim));
        let mut checked = v.check(&row);
        if let Some(id) = row_id {
            let problem = if id.is_empty() {
                Some(Wrong::NoRowId)
            } else if let Err(m) = crate::domain::text::plain("row_id", id, MAX_ROW_ID_CHARS) {
                Some(Wrong::NotPlain(m))
            } else if let Some(first) = row_ids.get(id) {
                Some(Wrong::RowIdTwice {
                    id: clip(id),
                    first: *first,
                })
            } else {
                row_ids.insert(id.to_string(), line);
                None
            };
            if let Some(p) = problem {
                let issue = Issue::from(p);
                match &mut checked {
                    Ok(_) => checked = Err(vec![issue]),
                    Err(issues) => issues.push(issue),
                }
            }
        }
        match checked {
            Ok(e) if problems.is_empty() => keep(e, row_id)?,
            Ok(_) => {}
            Err(issues) => problems.push_row(
                issues
                    .into_iter()
                    .map(|i| RowProblem::of(format!("{name}:{line}"), i)),
            ),
        }
    }
    Ok(problems.or(|| rows))
}
