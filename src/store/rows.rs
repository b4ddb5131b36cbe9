//! Reading the log's rows: a text column borrowed in place, stored fields parsed once per
//! distinct text, and the voids and excuses a reader applies. Shared by every module that
//! turns rows or packs into events, below all of them.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::{Error, Result};
use crate::domain::event::Fields;

/// A text column, borrowed from the row (parsed there and then, never kept).
pub(super) fn text<'r>(r: &'r rusqlite::Row, i: usize) -> rusqlite::Result<&'r str> {
    Ok(r.get_ref(i)?.as_str()?)
}

pub(super) fn parse_fields(id: i64, json: &str) -> Result<Fields> {
    serde_json::from_str(json).map_err(|e| Error::Corrupt(format!("event {id} fields: {e}")))
}

/// Parsed fields by their stored text, for a reader of many events: most events of a kind
/// carry one of a few values (`{"rings":2}`), parsed once and shared.
#[derive(Default)]
pub(super) struct FieldsCache(HashMap<String, Arc<Fields>>);

impl FieldsCache {
    /// Distinct texts kept at most: free-text fields make every text new, and then the
    /// cache only costs memory.
    const MAX: usize = 4096;

    /// The parsed fields of the stored text `json` (of event `id`, named if malformed).
    pub(super) fn parse(&mut self, id: i64, json: &str) -> Result<Arc<Fields>> {
        if let Some(f) = self.0.get(json) {
            return Ok(Arc::clone(f));
        }
        let f = Arc::new(parse_fields(id, json)?);
        if self.0.len() < Self::MAX {
            self.0.insert(json.to_string(), Arc::clone(&f));
        }
        Ok(f)
    }
}

/// The period's voids and excuses, few beside the events: read once, shared by the
/// readers, so that events are read without a join.
#[derive(Default)]
pub(super) struct Marks {
    pub(super) voided: HashSet<i64>,
    pub(super) excused: HashMap<i64, String>,
}
