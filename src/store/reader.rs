//! Reading the log for an evaluation spread over the cores: one read-only connection per
//! thread, each in its own read transaction, all at the same state of the log. Each thread
//! then reads, scores and frees its employees' events itself; one reading thread feeding
//! the others was the bottleneck, and memory freed far from where it was allocated made
//! the allocator fetch fresh pages from the system for every batch.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, params};

use super::rows::{FieldsCache, Marks, text};
use super::{Error, Result, Store};
use crate::domain::event::Event;
use crate::domain::month::Month;

/// One thread's view of the counting events of a period.
pub struct Reader {
    conn: Connection,
    from: Month,
    to: Month,
    marks: Arc<Marks>,
    /// How many events the last employee had: room to reserve for the next.
    last: usize,
    fields: FieldsCache,
}

/// How many times opening the readers is tried while writes land in between.
const ATTEMPTS: usize = 10;

impl Store {
    /// `n` readers of the events from `from` to `to` that count (not voided), all seeing
    /// the same log. The log is append-only, so the last event id and the numbers of voids
    /// and excuses name its state; readers that disagree (a write landed while they were
    /// opened) are opened again.
    pub fn readers(&self, n: usize, from: Month, to: Month) -> Result<Vec<Reader>> {
        for _ in 0..ATTEMPTS {
            let readers = (0..n.max(1))
                .map(|_| Reader::open(&self.path, from, to))
                .collect::<Result<Vec<_>>>()?;
            let states = readers
                .iter()
                .map(Reader::state)
                .collect::<Result<Vec<_>>>()?;
            if states.windows(2).all(|w| w[0] == w[1]) {
                // Same state, same marks: read once.
                let marks = Arc::new(readers[0].marks()?);
                return Ok(readers
                    .into_iter()
                    .map(|r| Reader {
                        marks: Arc::clone(&marks),
                        ..r
                    })
                    .collect());
            }
        }
        Err(Error::Changing(ATTEMPTS))
    }
}

impl Reader {
    fn open(path: &Path, from: Month, to: Month) -> Result<Reader> {
        let conn = super::read_only(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // The snapshot is taken at the first read (`state`) and kept until the reader is
        // dropped, which ends the transaction.
        conn.execute_batch("BEGIN")?;
        Ok(Reader {
            conn,
            from,
            to,
            marks: Arc::default(),
            last: 0,
            fields: FieldsCache::default(),
        })
    }

    fn state(&self) -> Result<(i64, i64, i64)> {
        Ok(self.conn.query_row(
            "SELECT (SELECT coalesce(max(id), 0) FROM events), (SELECT count(*) FROM voids),
                    (SELECT count(*) FROM excuses)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?)
    }

    fn marks(&self) -> Result<Marks> {
        // CROSS JOIN keeps the marks as the outer loop: the planner would otherwise walk
        // the period's events and look each up among the marks.
        let period = "CROSS JOIN events e ON e.id = m.event_id WHERE e.date >= ?1 AND e.date <= ?2";
        let voided = self
            .conn
            .prepare(&format!("SELECT m.event_id FROM voids m {period}"))?
            .query_map(self.period(), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let excused = self
            .conn
            .prepare(&format!(
                "SELECT m.event_id, m.reason FROM excuses m {period}"
            ))?
            .query_map(self.period(), |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Marks { voided, excused })
    }

    /// The period's first and last days, as stored.
    fn period(&self) -> [String; 2] {
        [
            self.from.first_day().to_string(),
            self.to.last_day().to_string(),
        ]
    }

    /// `employee`'s counting events of the period, in (date, id) order: their months'
    /// packs, the voided events left out.
    pub fn events(&mut self, employee: &str) -> Result<Vec<Event>> {
        let mut st = self.conn.prepare_cached(
            "SELECT month, data FROM packs
              WHERE employee = ?1 AND month >= ?2 AND month <= ?3
              ORDER BY month",
        )?;
        let mut rows = st.query(params![
            employee,
            self.from.to_string(),
            self.to.to_string()
        ])?;
        // Colleagues have similar numbers of events: reserving the last one's count saves
        // growing (and copying) the vector pack by pack.
        let mut out = Vec::with_capacity(self.last);
        let shared = crate::domain::text::intern(employee);
        while let Some(r) = rows.next()? {
            let month = text(r, 0)?;
            let month: Month = month
                .parse()
                .map_err(|_| Error::Corrupt(format!("a pack of {employee} for `{month}`")))?;
            let data = r.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?;
            super::packs::unpack(data, shared, month, &self.marks, &mut self.fields, &mut out)?;
        }
        self.last = out.len();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(store: &Store, employee: &str, date: &str) {
        store
            .conn
            .execute(
                "INSERT INTO events (employee, date, kind, qty, note, fields, recorded_by, recorded_at, digest)
                 VALUES (?1, ?2, 'late', 1, '', '{\"minutes\":5}', 'S', '2025-01-01T00:00:00+08:00', 'd')",
                params![employee, date],
            )
            .unwrap();
        let month = Month::of(crate::domain::month::parse_date(date).unwrap());
        super::super::packs::repack(&store.conn, employee, month).unwrap();
    }

    #[test]
    fn readers_skip_voided_events_carry_excuses_and_keep_their_state() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::tests::staffed(dir.path(), &["E1", "E2"]);
        for (employee, date) in [
            ("E1", "2025-03-02"),
            ("E1", "2025-03-05"),
            ("E1", "2025-04-01"),
            ("E2", "2025-03-03"),
        ] {
            add(&store, employee, date);
        }
        store
            .conn
            .execute_batch(
                "INSERT INTO voids VALUES (1, 'typo', 'HR', 'now');
                 INSERT INTO excuses VALUES (2, 'appeal upheld', 'HR', 'now');",
            )
            .unwrap();
        let march = Month::new(2025, 3).unwrap();
        let mut readers = store.readers(2, march, march).unwrap();
        let e1 = readers[0].events("E1").unwrap();
        assert_eq!(e1.iter().map(|e| e.id).collect::<Vec<_>>(), [2]);
        assert_eq!(e1[0].excuse.as_deref(), Some("appeal upheld"));
        assert!(e1[0].excused && !e1[0].voided);
        assert_eq!(e1[0].fields.len(), 1);

        // A write after the readers opened is not seen by them, only by new readers.
        add(&store, "E2", "2025-03-20");
        assert_eq!(readers[1].events("E2").unwrap().len(), 1);
        let mut fresh = store.readers(1, march, march).unwrap();
        assert_eq!(fresh[0].events("E2").unwrap().len(), 2);
    }
}
