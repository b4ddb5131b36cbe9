//! Prepared rows: an event's stored texts (date, canonical fields, content digest) computed
//! once and apart from the store, and spilled to a temporary file, so that an import reads,
//! checks and prepares a whole file before it takes the write lock.

use sha2::{Digest, Sha256};

use super::events::NewEvent;
use crate::domain::event::Fields;
use crate::domain::month::{date_text, parse_date};

/// The stored form of an event's fields (canonical: keys in order).
pub(super) fn fields_json(fields: &Fields) -> String {
    serde_json::to_string(fields).unwrap_or_else(|_| "{}".into())
}

/// An event with its stored texts (date, canonical fields, content digest), computed once
/// and apart from the store, so that an import can prepare rows on one core while the store
/// writes them on another.
pub struct Prepared {
    pub(super) event: NewEvent,
    pub(super) date: String,
    pub(super) fields: String,
    pub(super) digest: String,
    /// The row's id in its file (`row_id`), when the file gives one.
    pub(super) source: Option<String>,
}

impl Prepared {
    pub fn new(event: NewEvent) -> Prepared {
        let date = date_text(event.date);
        let fields = fields_json(&event.fields);
        let digest = digest(&event, &date, &fields);
        Prepared {
            event,
            date,
            fields,
            digest,
            source: None,
        }
    }

    /// Whose event it is.
    pub fn employee(&self) -> &str {
        &self.event.employee
    }

    /// The row, with the id its file gives it.
    pub fn with_source(mut self, source: Option<&str>) -> Prepared {
        self.source = source.map(str::to_string);
        self
    }

    /// The stored content and its digest, in the order both per-row statements bind them
    /// (`?1`–`?8`): employee, date, kind, qty, note, fields, recorded_by, digest.
    pub(super) fn content(&self) -> [&dyn rusqlite::ToSql; 8] {
        let e = &self.event;
        [
            &e.employee,
            &self.date,
            &e.kind,
            &e.qty,
            &e.note,
            &self.fields,
            &e.recorded_by,
            &self.digest,
        ]
    }
}

/// Prepared rows written to a temporary file and read back in order: an import reads,
/// checks and prepares a whole file before it takes the write lock, in flat memory, and
/// holds the lock only to insert.
pub struct Spill {
    out: std::io::BufWriter<std::fs::File>,
}

impl Spill {
    pub fn new() -> std::io::Result<Spill> {
        Ok(Spill {
            out: std::io::BufWriter::with_capacity(1 << 20, tempfile::tempfile()?),
        })
    }

    /// Appends a row: its stored texts, each with its length (a row without an id has an
    /// empty one: an id is never empty), then its qty.
    pub fn push(&mut self, row: &Prepared) -> std::io::Result<()> {
        use std::io::Write;
        let e = &row.event;
        let source = row.source.as_deref().unwrap_or_default();
        for text in [
            e.employee.as_str(),
            &row.date,
            &e.kind,
            &e.note,
            &row.fields,
            &e.recorded_by,
            &row.digest,
            source,
        ] {
            self.out.write_all(&(text.len() as u32).to_le_bytes())?;
            self.out.write_all(text.as_bytes())?;
        }
        self.out.write_all(&e.qty.to_le_bytes())
    }

    /// Hands `store` the rows pushed, in order, read back and decoded on another thread a
    /// batch ahead (the store's inserts are the import's other half); stops at its first
    /// error.
    pub fn each_row<E: From<std::io::Error>>(
        self,
        mut store: impl FnMut(&Prepared) -> Result<(), E>,
    ) -> Result<(), E> {
        const BATCH: usize = 4096;
        let rows = self.rows()?;
        let (tx, rx) = std::sync::mpsc::sync_channel::<std::io::Result<Vec<Prepared>>>(4);
        std::thread::scope(|threads| {
            threads.spawn(move || {
                let mut batch = Vec::with_capacity(BATCH);
                for row in rows {
                    match row {
                        Ok(row) => batch.push(row),
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return;
                        }
                    }
                    if batch.len() == BATCH
                        && tx
                            .send(Ok(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))))
                            .is_err()
                    {
                        // The store stopped at an error of its own.
                        return;
                    }
                }
                let _ = tx.send(Ok(batch));
            });
            // Returning early drops the receiver, which stops the reading thread.
            for batch in rx {
                batch?.iter().try_for_each(&mut store)?;
            }
            Ok(())
        })
    }

    /// The rows pushed, in order.
    fn rows(self) -> std::io::Result<impl Iterator<Item = std::io::Result<Prepared>>> {
        use std::io::{Read, Seek};
        let mut file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        let mut input = std::io::BufReader::with_capacity(1 << 20, file);
        let mut next = move || -> std::io::Result<Option<Prepared>> {
            let mut texts: Vec<String> = Vec::with_capacity(8);
            for i in 0..8 {
                let mut len = [0u8; 4];
                match input.read_exact(&mut len) {
                    Err(e) if i == 0 && e.kind() == std::io::ErrorKind::UnexpectedEof => {
                        return Ok(None);
                    }
                    other => other?,
                }
                let mut bytes = vec![0u8; u32::from_le_bytes(len) as usize];
                input.read_exact(&mut bytes)?;
                texts.push(String::from_utf8(bytes).map_err(std::io::Error::other)?);
            }
            let mut qty = [0u8; 8];
            input.read_exact(&mut qty)?;
            let [
                employee,
                date,
                kind,
                note,
                fields,
                recorded_by,
                digest,
                source,
            ]: [String; 8] = texts.try_into().expect("eight texts were read");
            let day = parse_date(&date)
                .ok_or_else(|| std::io::Error::other(format!("spilled date `{date}`")))?;
            Ok(Some(Prepared {
                event: NewEvent {
                    employee,
                    date: day,
                    kind,
                    qty: i64::from_le_bytes(qty),
                    note,
                    // The stored form below is what is written; the typed fields were
                    // needed only to make it.
                    fields: Fields::new(),
                    recorded_by,
                },
                date,
                fields,
                digest,
                source: (!source.is_empty()).then_some(source),
            }))
        };
        Ok(std::iter::from_fn(move || next().transpose()))
    }
}

/// The content identity of an entry: what makes a re-imported row "the same row".
pub(super) fn digest(e: &NewEvent, date: &str, fields: &str) -> String {
    let mut h = Sha256::new();
    for part in [
        e.employee.as_str(),
        date,
        &e.kind,
        &e.qty.to_string(),
        &e.note,
        fields,
        &e.recorded_by,
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    // 64 bits index well; a match is confirmed against the content (see `Appender::push`).
    crate::domain::text::hex(&h.finalize()[..8])
}
