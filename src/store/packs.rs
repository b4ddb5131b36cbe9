//! Packs: an employee-month's events as one record beside the log, in the order a rating
//! scores them, (date, id). The log stays the record — append-only, hash-chained, what
//! listings, exports and audits read; a pack is derived from it, rewritten in the same
//! transaction as every append that touches its month, and `verify` rebuilds every pack
//! and compares. A rating of 10,000 staff then steps about 120,000 records instead of
//! about 4.9M rows: stepping the rows was half of what the rating spent beside its scripts.
//!
//! A pack holds every event of its month, voided or not: voids and excuses are marks the
//! reader applies, as it did to rows. Its texts (kinds, notes, fields, who recorded) are
//! kept once each and referred to by position, since a month repeats a few of each.

use std::sync::Arc;

use chrono::Datelike;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use super::rows::{FieldsCache, Marks, text};
use super::{Error, Result};
use crate::domain::event::{Event, Fields};
use crate::domain::month::Month;
use crate::domain::text::{Text, intern};

/// A pack as stored (postcard): `S` is `String` when built, `&str` (borrowed from the
/// stored bytes) when read.
#[derive(Serialize, Deserialize)]
struct Pack<S> {
    texts: Vec<S>,
    events: Vec<Packed>,
}

/// One event of a pack; its texts are positions in the pack's `texts`.
#[derive(Serialize, Deserialize)]
struct Packed {
    id: i64,
    /// The day of the month, 1–31.
    day: u8,
    kind: u32,
    qty: i64,
    note: u32,
    fields: u32,
    recorded_by: u32,
}

/// A pack being built from the log's rows, given in (date, id) order.
#[derive(Default)]
pub(super) struct Builder {
    texts: Vec<String>,
    /// Looked up five times per event (a rebuild of every pack in `audit verify`, an
    /// import): hashed with foldhash, not SipHash. The order of `texts` is the order of
    /// first use, whatever the hasher.
    at: foldhash::HashMap<String, u32>,
    events: Vec<Packed>,
}

impl Builder {
    fn index_of(&mut self, s: &str) -> u32 {
        if let Some(i) = self.at.get(s) {
            return *i;
        }
        let i = self.texts.len() as u32;
        self.texts.push(s.to_string());
        self.at.insert(s.to_string(), i);
        i
    }

    /// A row of [`MONTH_ROWS`].
    fn push_row(&mut self, r: &rusqlite::Row) -> Result<()> {
        self.push(
            r.get(0)?,
            [text(r, 1)?, text(r, 2)?],
            r.get(3)?,
            [text(r, 4)?, text(r, 5)?, text(r, 6)?],
        )
    }

    /// An event as stored: its id, `[date, kind]`, qty and `[note, fields, recorded_by]`.
    pub(super) fn push(
        &mut self,
        id: i64,
        [date, kind]: [&str; 2],
        qty: i64,
        [note, fields, recorded_by]: [&str; 3],
    ) -> Result<()> {
        let day = date
            .get(8..)
            .and_then(|d| d.parse::<u8>().ok())
            .ok_or_else(|| Error::Corrupt(format!("event {id} date `{date}`")))?;
        let packed = Packed {
            id,
            day,
            kind: self.index_of(kind),
            qty,
            note: self.index_of(note),
            fields: self.index_of(fields),
            recorded_by: self.index_of(recorded_by),
        };
        self.events.push(packed);
        Ok(())
    }

    pub(super) fn finish(self) -> Vec<u8> {
        postcard::to_allocvec(&Pack {
            texts: self.texts,
            events: self.events,
        })
        .expect("a pack of texts and numbers always encodes")
    }
}

/// An employee-month's events in the log, in (date, id) order.
const MONTH_ROWS: &str = "SELECT id, date, kind, qty, note, fields, recorded_by
                            FROM events INDEXED BY events_by_content
                           WHERE employee = ?1 AND date >= ?2 AND date <= ?3
                           ORDER BY date, id";

/// The pack of `employee`'s `month` as the log makes it; `None` when it has no events.
pub(super) fn build(conn: &Connection, employee: &str, month: Month) -> Result<Option<Vec<u8>>> {
    let mut st = conn.prepare_cached(MONTH_ROWS)?;
    let mut rows = st.query(params![
        employee,
        month.first_day().to_string(),
        month.last_day().to_string()
    ])?;
    let mut pack = Builder::default();
    while let Some(r) = rows.next()? {
        pack.push_row(r)?;
    }
    Ok((!pack.events.is_empty()).then(|| pack.finish()))
}

/// Rewrites the pack of `employee`'s `month` from the log, inside the caller's transaction.
pub(super) fn repack(conn: &Connection, employee: &str, month: Month) -> Result<()> {
    if let Some(data) = build(conn, employee, month)? {
        write(conn, employee, month, &data)?;
    }
    Ok(())
}

/// Stores `data` as the pack of `employee`'s `month`, inside the caller's transaction.
pub(super) fn write(conn: &Connection, employee: &str, month: Month, data: &[u8]) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO packs (employee, month, data) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![employee, month.to_string(), data])?;
    Ok(())
}

/// Every event of the log in the order of its content index, (employee, date, …): one pass
/// over the index instead of a query per employee-month (and no sort of the whole log to
/// find the months first).
const ALL_ROWS: &str = "SELECT id, date, kind, qty, note, fields, recorded_by, employee
                          FROM events INDEXED BY events_by_content
                         WHERE employee >= ?1 AND (?2 IS NULL OR employee < ?2)
                         ORDER BY employee, date";

/// The employees from `from` up to, not including, `to` (or to the last): a part of the
/// log that one thread packs while another packs the rest.
#[derive(Debug, Clone, Copy)]
pub(super) struct Span<'a> {
    pub from: &'a str,
    pub to: Option<&'a str>,
}

impl Span<'_> {
    /// Every employee.
    pub const ALL: Span<'static> = Span { from: "", to: None };
}

/// A month's event rows while it is gathered, their texts in one buffer: five strings a
/// row were five allocations, 25 million in a verification of 10,000 staff.
#[derive(Default)]
struct Gathered {
    texts: String,
    rows: Vec<Row>,
}

/// An event row of [`Gathered`]: its texts (date, kind, note, fields, who recorded) end
/// where `ends` say, the first starting at `start`.
struct Row {
    id: i64,
    qty: i64,
    start: usize,
    ends: [usize; 5],
}

impl Gathered {
    fn push(&mut self, id: i64, qty: i64, texts: [&str; 5]) {
        let start = self.texts.len();
        let ends = texts.map(|t| {
            self.texts.push_str(t);
            self.texts.len()
        });
        self.rows.push(Row {
            id,
            qty,
            start,
            ends,
        });
    }

    /// The rows packed, in (date, id) order: the index gives a day's rows by kind and note,
    /// not by id. The rows are taken; the buffer is kept for the next month.
    fn pack(&mut self) -> Result<Vec<u8>> {
        let Gathered { texts, rows } = self;
        let date = |r: &Row| &texts[r.start..r.ends[0]];
        rows.sort_by(|a, b| (date(a), a.id).cmp(&(date(b), b.id)));
        let mut pack = Builder::default();
        for r in rows.drain(..) {
            let mut from = r.start;
            let [date, kind, note, fields, recorded_by] = r.ends.map(|end| {
                let t = &texts[from..end];
                from = end;
                t
            });
            pack.push(r.id, [date, kind], r.qty, [note, fields, recorded_by])?;
        }
        texts.clear();
        Ok(pack.finish())
    }
}

/// Hands `each` every employee-month of `span` with events in the log, in (employee,
/// month) order, with the pack the log makes of it (what [`build`] makes), until it returns
/// false. Returns how many employee-months were handed. One month's rows are held at a
/// time.
pub(super) fn each_built(
    conn: &Connection,
    span: Span,
    mut each: impl FnMut(&str, Month, Vec<u8>) -> Result<bool>,
) -> Result<usize> {
    let mut st = conn.prepare(ALL_ROWS)?;
    let mut rows = st.query(params![span.from, span.to])?;
    let mut current: Option<(String, Month)> = None;
    let mut gathered = Gathered::default();
    let mut months = 0;
    let mut flush = |at: &(String, Month), gathered: &mut Gathered| -> Result<bool> {
        months += 1;
        each(&at.0, at.1, gathered.pack()?)
    };
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let date = text(r, 1)?;
        let employee = text(r, 7)?;
        let month: Month = date
            .get(..7)
            .and_then(|m| m.parse().ok())
            .ok_or_else(|| Error::Corrupt(format!("event {id} date `{date}`")))?;
        if current
            .as_ref()
            .is_some_and(|(e, m)| (e.as_str(), *m) != (employee, month))
        {
            let done = current.take().expect("checked above");
            if !flush(&done, &mut gathered)? {
                return Ok(months);
            }
        }
        if current.is_none() {
            current = Some((employee.to_string(), month));
        }
        let texts = [date, text(r, 2)?, text(r, 4)?, text(r, 5)?, text(r, 6)?];
        gathered.push(id, r.get(3)?, texts);
    }
    if let Some(done) = current {
        flush(&done, &mut gathered)?;
    }
    Ok(months)
}

/// Packs the whole log (a database from before packs).
pub(super) fn repack_all(conn: &Connection) -> Result<()> {
    each_built(conn, Span::ALL, |employee, month, data| {
        write(conn, employee, month, &data)?;
        Ok(true)
    })?;
    Ok(())
}

/// Appends the events of `data`, the pack of `employee`'s `month`, to `out`: those not
/// voided, with their excuses. Kinds and who recorded are interned (few, and repeated in
/// every month), so that an event owns no text but its note.
pub(super) fn unpack(
    data: &[u8],
    employee: &'static str,
    month: Month,
    marks: &Marks,
    cache: &mut FieldsCache,
    out: &mut Vec<Event>,
) -> Result<()> {
    let corrupt =
        |what: String| Error::Corrupt(format!("the pack of {employee}'s {month}: {what}"));
    let pack: Pack<&str> = postcard::from_bytes(data).map_err(|e| corrupt(e.to_string()))?;
    // Each distinct text is looked up once per pack, not once per event.
    let n = pack.texts.len();
    let mut fields: Vec<Option<Arc<Fields>>> = vec![None; n];
    let mut interned: Vec<Option<&'static str>> = vec![None; n];
    let at = |i: u32| {
        let i = i as usize;
        (i < n)
            .then_some(i)
            .ok_or_else(|| corrupt(format!("no text {i}")))
    };
    let mut label = |i: u32| -> Result<Text> {
        let i = at(i)?;
        Ok(Text::Borrowed(
            interned[i].get_or_insert_with(|| intern(pack.texts[i])),
        ))
    };
    for p in &pack.events {
        if marks.voided.contains(&p.id) {
            continue;
        }
        let date = month
            .first_day()
            .with_day(u32::from(p.day))
            .ok_or_else(|| corrupt(format!("event {} on day {}", p.id, p.day)))?;
        let f = at(p.fields)?;
        let shared = match &fields[f] {
            Some(shared) => Arc::clone(shared),
            None => fields[f].insert(cache.parse(p.id, pack.texts[f])?).clone(),
        };
        let excuse = marks.excused.get(&p.id).cloned();
        out.push(Event {
            id: p.id,
            employee: Text::Borrowed(employee),
            date,
            kind: label(p.kind)?,
            qty: p.qty,
            note: pack.texts[at(p.note)?].to_string(),
            fields: shared,
            recorded_by: label(p.recorded_by)?,
            voided: false,
            excused: excuse.is_some(),
            excuse,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::EventFilter;

    #[test]
    fn a_pack_reads_back_as_the_log_and_a_damaged_one_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::tests::staffed(dir.path(), &["E1"]);
        store
            .conn
            .execute_batch(
                r#"INSERT INTO events (employee, date, kind, qty, note, fields, recorded_by, recorded_at, digest) VALUES
                   ('E1', '2025-03-09', 'late', 1, '', '{"minutes":5}', '张主管', 'now', 'd'),
                   ('E1', '2025-03-02', 'late', 1, '晚到', '{"minutes":25}', '李主管', 'now', 'd'),
                   ('E1', '2025-03-31', 'quarrel', 2, '', '{}', '张主管', 'now', 'd'),
                   ('E1', '2025-03-02', 'late', 1, '', '{"minutes":5}', '张主管', 'now', 'd'),
                   ('E1', '2025-04-01', 'late', 1, '', '{}', '张主管', 'now', 'd');
                 INSERT INTO voids VALUES (3, 'typo', 'HR', 'now');
                 INSERT INTO excuses VALUES (4, '申诉成立', 'HR', 'now');"#,
            )
            .unwrap();
        let march = Month::new(2025, 3).unwrap();
        repack(&store.conn, "E1", march).unwrap();
        let data: Vec<u8> = store
            .conn
            .query_row("SELECT data FROM packs WHERE employee = 'E1'", [], |r| {
                r.get(0)
            })
            .unwrap();
        let marks = Marks {
            voided: [3].into(),
            excused: [(4, "申诉成立".to_string())].into(),
        };
        let mut got = Vec::new();
        unpack(
            &data,
            intern("E1"),
            march,
            &marks,
            &mut FieldsCache::default(),
            &mut got,
        )
        .unwrap();
        let want = store
            .events(&EventFilter {
                employee: Some("E1".into()),
                month: Some(march),
                counting: true,
                ..EventFilter::default()
            })
            .unwrap();
        assert_eq!(got, want);
        assert_eq!(got.iter().map(|e| e.id).collect::<Vec<_>>(), [2, 4, 1]);

        let err = unpack(
            &data[..data.len() - 3],
            intern("E1"),
            march,
            &marks,
            &mut FieldsCache::default(),
            &mut Vec::new(),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("the pack of E1's 2025-03"),
            "{err}"
        );
        // April was never packed: the check names the month the log has and the packs lack.
        let found = crate::store::integrity::check(&store.conn, crate::store::packs::Span::ALL)
            .unwrap()
            .unwrap();
        assert_eq!(
            found,
            crate::store::Breach::Pack {
                employee: "E1".into(),
                month: "2025-04".into()
            }
        );
    }
}
