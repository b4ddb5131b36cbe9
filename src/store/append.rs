//! Appending to the log: one person's entries (a server's group commit) and whole imports,
//! each in one transaction that writes the rows, their packs, their seals and the audit.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Statement, params};
use serde::Serialize;

use super::chain::Sealer;
use super::events::{NewEvent, refuse_closed};
use super::spill::{Prepared, fields_json};
use super::{Error, Notice, Result, Stamp, Store, audit};
use crate::domain::month::{Month, date_text};

/// One person's entry, for [`Store::append_entries`].
#[derive(Debug, Clone)]
pub struct Single<'a> {
    pub event: &'a NewEvent,
    /// Who entered it, and when: its audit entry.
    pub stamp: &'a Stamp,
    /// Store it even if a live event has exactly its content: a second one happened.
    pub again: bool,
    /// The notice that tells of it, written with it when it is stored; its key is
    /// completed with the new event's id.
    pub notice: Option<Notice>,
}

/// The ids of the events an append stored: consecutive, since rows are appended one after
/// another under the write lock. Kept as a range: a list of 50 million ids was half an
/// import's memory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Ids {
    first: i64,
    count: usize,
}

impl Ids {
    fn push(&mut self, id: i64) {
        if self.count == 0 {
            self.first = id;
        }
        debug_assert_eq!(
            id,
            self.first + self.count as i64,
            "appended ids are consecutive"
        );
        self.count += 1;
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn first(&self) -> Option<i64> {
        (self.count > 0).then_some(self.first)
    }

    pub fn last(&self) -> Option<i64> {
        (self.count > 0).then(|| self.first + self.count as i64 - 1)
    }
}

/// What an append stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Appended {
    /// The events stored, in input order.
    pub stored: Ids,
    /// Rows already in the log (same content), not stored again.
    pub already: usize,
}

/// An open append transaction; see [`Store::appender`].
pub struct Appender<'a> {
    conn: &'a Connection,
    /// The last event id before this append: only older rows count as "already there".
    max_before: i64,
    /// The file imported and its `imports` row.
    import: Option<(String, i64)>,
    stamp: Stamp,
    /// Digest → copies already in the log not yet matched by a row of this append.
    consumed: HashMap<String, i64>,
    months: BTreeSet<Month>,
    /// Employee → whether they had events before this append.
    history: HashMap<String, bool>,
    stored: Ids,
    /// The months each employee has new events in, each with whether its pack was written
    /// from the import's own rows and no row came for it since: the others are read back
    /// from the log at commit.
    touched: HashMap<String, BTreeMap<Month, bool>>,
    /// The employee-month whose pack is being built from the import's rows as they come.
    streaming: Option<Streaming>,
    already: usize,
    open: bool,
    /// The statements run per row, prepared once.
    insert: Statement<'a>,
    same: Statement<'a>,
    source_of: Statement<'a>,
    add_source: Statement<'a>,
    /// The first and last event stored with a row id, to seal their ids at commit.
    sourced: Option<(i64, i64)>,
    /// The events stored, sealed from the values written.
    sealer: Sealer,
    history_of: Statement<'a>,
    month_had: Statement<'a>,
}

/// The pack of one employee-month built from an import's rows as they come. Files list an
/// employee's events month by month in date order, as exports do; then a month's pack is
/// written when the next month begins, and commit need not read it back from the log. A
/// month whose rows do not come that way (out of date order, or split in the file), or
/// that had events before the import, is read back at commit as any other.
struct Streaming {
    employee: String,
    month: Month,
    last: NaiveDate,
    pack: super::packs::Builder,
}

impl<'a> Appender<'a> {
    /// Stores `e`; in an import, only if the log does not already hold it (as many times as
    /// it holds it), so that importing a file again stores nothing new. Refuses events of a
    /// closed month.
    pub fn push(&mut self, row: &Prepared) -> Result<()> {
        let e = &row.event;
        self.refuse_closed(Month::of(e.date))?;
        if let Some(source) = &row.source {
            return self.push_sourced(row, source);
        }
        let left = match self.consumed.get_mut(&row.digest) {
            Some(n) => n,
            None => {
                let n: i64 = if self.has_history(&e.employee)? {
                    let before: [&dyn rusqlite::ToSql; 1] = [&self.max_before];
                    self.same.query_row(
                        rusqlite::params_from_iter(row.content().into_iter().chain(before)),
                        |r| r.get(0),
                    )?
                } else {
                    0
                };
                if n == 0 {
                    // The common case: nothing to track.
                    return self.insert(row, None);
                }
                self.consumed.entry(row.digest.clone()).or_insert(n)
            }
        };
        if *left > 0 {
            *left -= 1;
            self.already += 1;
            Ok(())
        } else {
            self.insert(row, None)
        }
    }

    /// Stores a row its file identifies by `source`, unless a row of that id was imported
    /// before (the same content: already there, however the file was split; other content:
    /// refused, naming the event it became).
    fn push_sourced(&mut self, row: &Prepared, source: &str) -> Result<()> {
        let before: Option<(i64, String)> = self
            .source_of
            .query_row([source], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match before {
            Some((_, digest)) if digest == row.digest => {
                self.already += 1;
                Ok(())
            }
            Some((event, _)) => Err(Error::SourceChanged {
                row_id: crate::domain::text::clip(source),
                event,
            }),
            None => {
                self.insert(row, None)?;
                let id = self.stored.last().expect("the row just inserted");
                self.add_source.execute(params![id, source, row.digest])?;
                self.sourced.get_or_insert((id, id)).1 = id;
                Ok(())
            }
        }
    }

    /// Stores one person's entry, audited under its own stamp, unless the log holds a live
    /// event with exactly its content (and a second one is not meant `again`) or its month
    /// is closed. Returns its id.
    pub(super) fn push_single(&mut self, single: &Single) -> Result<i64> {
        let e = single.event;
        self.refuse_closed(Month::of(e.date))?;
        if !single.again
            && let Some(id) = live_copy(self.conn, e)?
        {
            return Err(Error::Same(id));
        }
        self.insert(&Prepared::new(e.clone()), Some(single.stamp))?;
        let id = self.stored.last().expect("the row just inserted");
        if let Some(notice) = &single.notice {
            let notice = Notice {
                key: format!("{}{id}", notice.key),
                ..notice.clone()
            };
            super::outbox::put(self.conn, &[notice])?;
        }
        Ok(id)
    }

    /// The first event this append stored, if any.
    pub fn first_stored(&self) -> Option<i64> {
        self.stored.first()
    }

    /// How many events this append has stored so far.
    pub fn stored_len(&self) -> usize {
        self.stored.len()
    }

    /// Writes `notices` with what this append stores (an import's digests).
    pub fn notify(&self, notices: &[Notice]) -> Result<()> {
        super::outbox::put(self.conn, notices).map(drop)
    }

    /// The connection the append's transaction is open on.
    pub(super) fn conn(&self) -> &'a Connection {
        self.conn
    }

    /// Refuses events of a closed month (each month is asked once per append).
    fn refuse_closed(&mut self, month: Month) -> Result<()> {
        if !self.months.contains(&month) {
            refuse_closed(self.conn, month, "add events to")?;
            self.months.insert(month);
        }
        Ok(())
    }

    /// Whether `employee` had events before this append: only then can a row be there
    /// already (one query per employee instead of one per row of a new employee).
    fn has_history(&mut self, employee: &str) -> Result<bool> {
        if let Some(known) = self.history.get(employee) {
            return Ok(*known);
        }
        let known = self
            .history_of
            .query_row(params![employee, self.max_before], |r| r.get(0))?;
        self.history.insert(employee.to_string(), known);
        Ok(known)
    }

    /// Inserts a row: an import's, stamped with the import's time, or a single entry's,
    /// stamped and audited under its own `single` stamp.
    fn insert(&mut self, row: &Prepared, single: Option<&Stamp>) -> Result<()> {
        let e = &row.event;
        let import = self.import.as_ref().map(|(_, id)| *id);
        let at = single.map_or(&self.stamp.at, |s| &s.at);
        let stamp: [&dyn rusqlite::ToSql; 2] = [at, &import];
        self.insert.execute(rusqlite::params_from_iter(
            row.content().into_iter().chain(stamp),
        ))?;
        let id = self.conn.last_insert_rowid();
        self.stored.push(id);
        // The row as stored.
        fn text(t: &str) -> ValueRef<'_> {
            ValueRef::Text(t.as_bytes())
        }
        let stored = [
            ValueRef::Integer(id),
            text(&e.employee),
            text(&row.date),
            text(&e.kind),
            ValueRef::Integer(e.qty),
            text(&e.note),
            text(&row.fields),
            text(&e.recorded_by),
            text(at),
            import.map_or(ValueRef::Null, ValueRef::Integer),
        ];
        self.sealer.add(self.conn, id, stored)?;
        let month = Month::of(e.date);
        let first_in_month = match self.touched.get_mut(&e.employee) {
            Some(months) => months.insert(month, false).is_none(),
            None => {
                self.touched
                    .insert(e.employee.clone(), BTreeMap::from([(month, false)]));
                true
            }
        };
        if single.is_none() {
            self.stream(row, id, first_in_month)?;
        } else if self
            .streaming
            .as_ref()
            .is_some_and(|s| s.employee == e.employee && s.month == month)
        {
            // Its pack would lack this entry: the month is read back at commit.
            self.streaming = None;
        }
        if let Some(stamp) = single {
            audit(
                self.conn,
                stamp,
                "log.add",
                &format!("event {id}"),
                &format!("{} {} {} ×{}", e.employee, e.date, e.kind, e.qty),
            )?;
        }
        Ok(())
    }

    /// Adds an imported row, stored as event `id`, to the pack being built from the rows:
    /// the month's, if it continues it in date order; else a new one, for the first row of a
    /// month without earlier events. Anything else leaves the month to be read back.
    fn stream(&mut self, row: &Prepared, id: i64, first_in_month: bool) -> Result<()> {
        let e = &row.event;
        let month = Month::of(e.date);
        match &self.streaming {
            Some(s) if s.employee == e.employee && s.month == month => {
                if e.date < s.last {
                    self.streaming = None;
                    return Ok(());
                }
            }
            _ => {
                self.flush()?;
                if !(first_in_month && self.month_is_new(&e.employee, month)?) {
                    return Ok(());
                }
                self.streaming = Some(Streaming {
                    employee: e.employee.clone(),
                    month,
                    last: e.date,
                    pack: super::packs::Builder::default(),
                });
            }
        }
        let s = self
            .streaming
            .as_mut()
            .expect("the row's month is streamed");
        s.last = e.date;
        s.pack.push(
            id,
            [&row.date, &e.kind],
            e.qty,
            [&e.note, &row.fields, &e.recorded_by],
        )
    }

    /// Whether `employee` had no events in `month` before this append.
    fn month_is_new(&mut self, employee: &str, month: Month) -> Result<bool> {
        if !self.history.get(employee).copied().unwrap_or(true) {
            return Ok(true);
        }
        let (first, last) = (month.first_day().to_string(), month.last_day().to_string());
        let had: bool = self
            .month_had
            .query_row(params![employee, first, last, self.max_before], |r| {
                r.get(0)
            })?;
        Ok(!had)
    }

    /// Writes the pack being built from the rows: its month is complete unless a later row
    /// returns to it (then it is read back at commit).
    fn flush(&mut self) -> Result<()> {
        if let Some(s) = self.streaming.take() {
            super::packs::write(self.conn, &s.employee, s.month, &s.pack.finish())?;
            if let Some(streamed) = self
                .touched
                .get_mut(&s.employee)
                .and_then(|months| months.get_mut(&s.month))
            {
                *streamed = true;
            }
        }
        Ok(())
    }

    /// Commits: completes the import's record (`rows` read from the file) and its audit
    /// entry, and makes everything visible at once.
    pub fn commit(mut self, rows: usize) -> Result<Appended> {
        self.flush()?;
        // In the employees' order, as their events lie in the index the packs are built from.
        let mut touched: Vec<_> = std::mem::take(&mut self.touched).into_iter().collect();
        touched.sort_unstable();
        for (employee, months) in touched {
            for (month, streamed) in months {
                if !streamed {
                    super::packs::repack(self.conn, &employee, month)?;
                }
            }
        }
        self.sealer.finish(self.conn)?;
        if let Some((first, last)) = self.sourced {
            super::chain::seal(self.conn, "event_sources", first, last)?;
        }
        if let Some((file, id)) = &self.import {
            self.conn.execute(
                "UPDATE imports SET rows = ?1, stored = ?2 WHERE id = ?3",
                params![rows as i64, self.stored.len() as i64, id],
            )?;
            super::seals::seal_rows(self.conn, "imports", &[*id])?;
            audit(
                self.conn,
                &self.stamp,
                "log.import",
                file,
                &format!(
                    "{rows} rows: {} stored, {} already in the log",
                    self.stored.len(),
                    self.already
                ),
            )?;
        }
        self.conn.execute_batch("COMMIT")?;
        self.open = false;
        Ok(Appended {
            stored: self.stored,
            already: self.already,
        })
    }
}

impl Drop for Appender<'_> {
    fn drop(&mut self) {
        if self.open {
            // Nothing of an abandoned append may remain.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

impl Store {
    /// Appends single entries, of one or several people, in one transaction: one commit,
    /// one sync to disk, for all of them — what lets a server take many entries a second.
    /// Each entry is stored or refused on its own (a copy of a live event not meant
    /// `again`, a closed month); any other failure stores none of them.
    pub fn append_entries(&mut self, entries: &[Single]) -> Result<Vec<Result<i64>>> {
        let Some(first) = entries.first() else {
            return Ok(Vec::new());
        };
        let mut app = self.appender(None, first.stamp)?;
        let mut ids = Vec::with_capacity(entries.len());
        for single in entries {
            match app.push_single(single) {
                Err(e) if !e.is_refusal() => return Err(e),
                id => ids.push(id),
            }
        }
        app.commit(entries.len())?;
        Ok(ids)
    }

    /// Starts an all-or-nothing append: push events one by one (memory stays flat however
    /// large the file), then `commit`; dropping the appender without committing stores nothing.
    /// `import` names the file the events come from (`None` for single entries).
    pub fn appender(&mut self, import: Option<&str>, stamp: &Stamp) -> Result<Appender<'_>> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let mut app = Appender {
            conn: &self.conn,
            max_before: 0,
            import: None,
            stamp: stamp.clone(),
            consumed: HashMap::new(),
            months: BTreeSet::new(),
            history: HashMap::new(),
            stored: Ids::default(),
            touched: HashMap::new(),
            streaming: None,
            already: 0,
            open: true,
            insert: self.conn.prepare(
                "INSERT INTO events (employee, date, kind, qty, note, fields, recorded_by, digest, recorded_at, import_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?,
            same: self.conn.prepare(
                "SELECT count(*) FROM events INDEXED BY events_by_content
                  WHERE employee = ?1 AND date = ?2 AND id <= ?9 AND digest = ?8
                    AND kind = ?3 AND qty = ?4 AND note = ?5 AND fields = ?6
                    AND recorded_by = ?7",
            )?,
            source_of: self
                .conn
                .prepare("SELECT event_id, digest FROM event_sources WHERE source = ?1")?,
            add_source: self.conn.prepare(
                "INSERT INTO event_sources (event_id, source, digest) VALUES (?1, ?2, ?3)",
            )?,
            sourced: None,
            sealer: Sealer::new("events"),
            history_of: self.conn.prepare(
                "SELECT EXISTS (SELECT 1 FROM events INDEXED BY events_by_content
                                 WHERE employee = ?1 AND id <= ?2)",
            )?,
            month_had: self.conn.prepare(
                "SELECT EXISTS (SELECT 1 FROM events INDEXED BY events_by_content
                                 WHERE employee = ?1 AND date BETWEEN ?2 AND ?3 AND id <= ?4)",
            )?,
        };
        app.max_before =
            app.conn
                .query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0))?;
        if let Some(file) = import {
            app.conn.execute(
                "INSERT INTO imports (file, rows, stored, by, at) VALUES (?1, 0, 0, ?2, ?3)",
                params![file, stamp.by, stamp.at],
            )?;
            app.import = Some((file.to_string(), app.conn.last_insert_rowid()));
        }
        Ok(app)
    }
}

/// The id of a live (not voided) event with exactly the content of `e` — employee, date,
/// kind, qty, fields and note — whoever recorded it.
fn live_copy(conn: &Connection, e: &NewEvent) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM events
             WHERE employee = ?1 AND date = ?2 AND kind = ?3 AND qty = ?4 AND note = ?5
               AND fields = ?6 AND id NOT IN (SELECT event_id FROM voids)
             ORDER BY id LIMIT 1",
        )?
        .query_row(
            params![
                e.employee,
                date_text(e.date),
                e.kind,
                e.qty,
                e.note,
                fields_json(&e.fields)
            ],
            |r| r.get(0),
        )
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{FieldValue, Fields};
    use crate::domain::month::parse_date;
    use crate::store::Breach;

    /// Imports `rows` (employee, date, kind, minutes) as one file.
    fn import(store: &mut Store, rows: &[(&str, &str, &str, i64)]) {
        let stamp = Stamp {
            by: "t".into(),
            at: "2025-06-30T12:00:00+08:00".into(),
        };
        let mut app = store.appender(Some("f.csv"), &stamp).unwrap();
        for (employee, date, kind, minutes) in rows {
            app.push(&Prepared::new(NewEvent {
                employee: employee.to_string(),
                date: parse_date(date).unwrap(),
                kind: kind.to_string(),
                qty: 1,
                note: if *minutes > 30 {
                    "久".into()
                } else {
                    String::new()
                },
                fields: Fields::from([("minutes".to_string(), FieldValue::Int(*minutes))]),
                recorded_by: "张主管".into(),
            }))
            .unwrap();
        }
        app.commit(rows.len()).unwrap();
    }

    #[test]
    fn packs_built_from_an_imports_rows_are_the_packs_the_log_makes() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::store::tests::staffed(dir.path(), &["A", "B", "C"]);
        // In date order per month; out of order (B's March); split in the file (A's April
        // after B's rows); the same day twice.
        import(
            &mut store,
            &[
                ("A", "2025-03-02", "late", 5),
                ("A", "2025-03-02", "late", 40),
                ("A", "2025-03-09", "uniform", 0),
                ("A", "2025-04-01", "late", 7),
                ("B", "2025-03-20", "late", 1),
                ("B", "2025-03-04", "uniform", 0),
                ("B", "2025-04-03", "late", 2),
                ("A", "2025-04-02", "late", 9),
                ("C", "2025-05-05", "late", 3),
            ],
        );
        assert_eq!(
            crate::store::integrity::check(&store.conn, crate::store::packs::Span::ALL).unwrap(),
            None
        );
        // A second file: months with earlier events, and new months of the same people.
        import(
            &mut store,
            &[
                ("A", "2025-03-10", "late", 11),
                ("A", "2025-06-01", "late", 12),
                ("A", "2025-06-02", "uniform", 0),
                ("C", "2025-05-01", "late", 13),
                ("C", "2025-06-07", "late", 14),
            ],
        );
        assert_eq!(
            crate::store::integrity::check(&store.conn, crate::store::packs::Span::ALL).unwrap(),
            None
        );
        let packs: i64 = store
            .conn
            .query_row("SELECT count(*) FROM packs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(packs, 7, "A 03 04 06, B 03 04, C 05 06");
    }

    #[test]
    fn an_import_is_sealed_from_the_rows_it_writes_in_blocks_a_verification_recomputes() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::store::tests::staffed(dir.path(), &["A", "B"]);
        // More rows than a block holds, with notes (a long minute's) and two people.
        let rows: Vec<(&str, String, i64)> = (0..Sealer::ROWS + 10)
            .map(|i| {
                let who = if i % 3 == 0 { "B" } else { "A" };
                (
                    who,
                    format!("2025-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
                    i as i64 % 60,
                )
            })
            .collect();
        let rows: Vec<(&str, &str, &str, i64)> = (rows.iter())
            .map(|(who, date, minutes)| (*who, date.as_str(), "late", *minutes))
            .collect();
        import(&mut store, &rows);
        let blocks = |store: &Store| -> i64 {
            (store.conn)
                .query_row("SELECT count(*) FROM chain WHERE tbl = 'events'", [], |r| {
                    r.get(0)
                })
                .unwrap()
        };
        assert_eq!(blocks(&store), 2, "a full block and the rest");
        import(&mut store, &[("B", "2025-03-01", "uniform", 0)]);
        assert_eq!(blocks(&store), 3);
        let found = store.verify().unwrap();
        assert_eq!(found.broken, None);
        // A row changed after it was sealed is found, in the block it lies in.
        (store.conn)
            .execute_batch(
                "DROP TRIGGER events_append_only_u; UPDATE events SET note = 'x' WHERE id = 65540",
            )
            .unwrap();
        let broken = store.verify().unwrap().broken;
        assert!(
            matches!(broken, Some(Breach::Block { ref table, first: 65537, .. }) if table == "events"),
            "{broken:?}"
        );
    }

    /// A verification checks the chain in runs on several threads: it finds what a walk in
    /// one go finds (the blocks walked, the head, the first break), whichever run breaks.
    #[test]
    fn a_verification_in_runs_finds_what_a_walk_in_one_go_finds() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::store::tests::staffed(dir.path(), &["A", "B"]);
        // Forty imports of a row each: forty blocks of the log, and their audit entries.
        for day in 1..=40 {
            let date = format!("2025-03-{:02}", 1 + day % 28);
            import(&mut store, &[("A", &date, "late", day)]);
        }
        let same = |store: &mut Store| {
            let walked = super::super::chain::walk(&store.conn, None).unwrap();
            let verified = store.verify().unwrap();
            assert_eq!(
                (verified.blocks, &verified.head, &verified.broken),
                (walked.blocks, &walked.head, &walked.broken)
            );
            verified.broken
        };
        assert_eq!(same(&mut store), None);
        // A row of an early block and one of a late block changed: the early one is named.
        (store.conn)
            .execute_batch(
                "DROP TRIGGER events_append_only_u; UPDATE events SET qty = 2 WHERE id = 35",
            )
            .unwrap();
        assert!(matches!(
            same(&mut store),
            Some(Breach::Block { first: 35, .. })
        ));
        (store.conn)
            .execute("UPDATE events SET qty = 2 WHERE id = 5", [])
            .unwrap();
        assert!(matches!(
            same(&mut store),
            Some(Breach::Block { first: 5, .. })
        ));
    }

    #[test]
    fn stored_ids_are_the_range_of_those_pushed() {
        let mut ids = Ids::default();
        assert!(ids.is_empty() && ids.first().is_none() && ids.last().is_none());
        for id in 7..10 {
            ids.push(id);
        }
        assert_eq!((ids.first(), ids.last(), ids.len()), (Some(7), Some(9), 3));
    }
}
