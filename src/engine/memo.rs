//! Reusing event rules' script results for equal inputs.
//!
//! Most of a company's events are routine records (a call answered in two rings, an
//! arrival within five minutes) that an event rule's `when` looks at and lets pass. A
//! script whose result depends only on named values ([`Reads`]) gives the same result for
//! the same values, so its result is kept per thread under the script and those values,
//! and the next event with equal values takes it instead of running rhai: the way a rules
//! engine's condition memory spares re-testing equal facts.
//!
//! Reuse is never visible. A result taken charges the operations its run took to the
//! evaluation's budget, so an evaluation stops exactly where running every script would
//! have stopped it (when the budget would not allow the charge, the script runs, and fails
//! as it would have). Only successful results are kept: a failing script fails every time.

use std::cell::RefCell;

use chrono::Datelike;
use rhai::{Dynamic, ImmutableString, Map};

use super::values::Outcome;
use crate::domain::event::{Event, FieldValue};
use crate::policy::Script;
use crate::policy::reads::Reads;
use crate::policy::script;

/// What a script gave, as scoring reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Kept {
    /// A `when`'s truth.
    Holds(bool),
    /// A rule script's points, note and flags.
    Outcome(Outcome),
}

/// Results kept at most per thread, and the bytes of their keys: a few MB. Past either the
/// memory starts afresh (a company's policy has a few dozen scripts, each seeing a few
/// hundred distinct values; a script reading free text may see a new value every event).
const MAX_KEPT: usize = 1 << 15;
const MAX_KEY_BYTES: usize = 1 << 22;

struct Entry {
    kept: Kept,
    /// The operations the run took.
    ops: u64,
}

#[derive(Default)]
struct Memo {
    entries: foldhash::HashMap<Box<[u8]>, Entry>,
    key_bytes: usize,
    /// The key of the last lookup: kept there for [`keep`] after a miss.
    key: Vec<u8>,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::default();
}

/// What a lookup found.
pub enum Found {
    /// An equal run's result, its operations charged.
    Reused(Kept),
    /// Nothing: run the script, then [`keep`] its result.
    Missing,
    /// The script's result may not be reused (or the values it reads cannot be keyed).
    Never,
}

/// Looks up the result of `script` for the values `write_key` writes after the script's id.
pub fn find(script: &Script, write_key: impl FnOnce(&mut Vec<u8>) -> bool) -> Found {
    #[cfg(test)]
    if tests::OFF.get() {
        return Found::Never;
    }
    MEMO.with_borrow_mut(|m| {
        m.key.clear();
        m.key.extend_from_slice(&script.id().to_le_bytes());
        if !write_key(&mut m.key) {
            m.key.clear();
            return Found::Never;
        }
        match m.entries.get(m.key.as_slice()) {
            Some(e) if script::charge(e.ops) => Found::Reused(e.kept.clone()),
            _ => Found::Missing,
        }
    })
}

/// Keeps what the run after a [`Found::Missing`] gave, and the operations it took.
pub fn keep(kept: &Kept, ops: u64) {
    MEMO.with_borrow_mut(|m| {
        if m.key.is_empty() {
            return;
        }
        if m.entries.len() >= MAX_KEPT || m.key_bytes >= MAX_KEY_BYTES {
            m.entries.clear();
            m.key_bytes = 0;
        }
        m.key_bytes += m.key.len();
        let key = m.key.as_slice().into();
        m.entries.insert(
            key,
            Entry {
                kept: kept.clone(),
                ops,
            },
        );
    })
}

/// The values an event's scripts read, for [`write_key`]; `staff` and `month` give the
/// scope's values, built only when a script reads them.
pub struct Inputs<'a, S, M> {
    pub event: &'a Event,
    /// The policy's name for the event's kind (what `event.kind` holds).
    pub kind: &'a str,
    pub nth: i64,
    pub staff: S,
    pub month: M,
}

/// Writes the values `reads` names, each tagged with its type so that no two different
/// lists of values write the same bytes. False when one cannot be written (a staff value
/// that is not a plain value).
pub fn write_key<'a>(
    key: &mut Vec<u8>,
    reads: &Reads,
    at: Inputs<'a, impl FnOnce() -> &'a Dynamic, impl FnOnce() -> &'a Dynamic>,
) -> bool {
    let e = at.event;
    for name in &reads.event {
        match name.as_str() {
            "date" => {
                key.push(b'd');
                key.extend_from_slice(&e.date.num_days_from_ce().to_le_bytes());
            }
            "employee" => text(key, &e.employee),
            "kind" => text(key, at.kind),
            "note" => text(key, &e.note),
            "qty" => int(key, e.qty),
            field => match e.fields.get(field) {
                None => key.push(b'u'),
                Some(FieldValue::Bool(b)) => key.extend_from_slice(&[b'b', u8::from(*b)]),
                Some(FieldValue::Int(i)) => int(key, *i),
                Some(FieldValue::Float(x)) => float(key, *x),
                Some(FieldValue::Text(s)) => text(key, s),
            },
        }
    }
    if !reads.staff.is_empty() {
        let Some(staff) = (at.staff)().read_lock::<Map>() else {
            return false;
        };
        for name in &reads.staff {
            let ok = match staff.get(name.as_str()) {
                None => {
                    key.push(b'u');
                    true
                }
                Some(v) => value(key, v),
            };
            if !ok {
                return false;
            }
        }
    }
    if reads.nth {
        int(key, at.nth);
    }
    !reads.month || value(key, (at.month)())
}

fn value(key: &mut Vec<u8>, v: &Dynamic) -> bool {
    if v.is_unit() {
        key.push(b'u');
    } else if let Ok(b) = v.as_bool() {
        key.extend_from_slice(&[b'b', u8::from(b)]);
    } else if let Ok(i) = v.as_int() {
        int(key, i);
    } else if let Ok(x) = v.as_float() {
        float(key, x);
    } else if let Some(s) = v.read_lock::<ImmutableString>() {
        text(key, &s);
    } else {
        return false;
    }
    true
}

fn int(key: &mut Vec<u8>, i: i64) {
    key.push(b'i');
    key.extend_from_slice(&i.to_le_bytes());
}

fn float(key: &mut Vec<u8>, x: f64) {
    key.push(b'f');
    key.extend_from_slice(&x.to_bits().to_le_bytes());
}

fn text(key: &mut Vec<u8>, s: &str) {
    key.push(b's');
    key.extend_from_slice(&(s.len() as u64).to_le_bytes());
    key.extend_from_slice(s.as_bytes());
}

#[cfg(test)]
pub mod tests {
    use std::cell::Cell;

    thread_local! {
        pub(super) static OFF: Cell<bool> = const { Cell::new(false) };
    }

    /// Runs `f` with every script run, nothing reused: what reuse must not be told from.
    pub fn without<R>(f: impl FnOnce() -> R) -> R {
        OFF.set(true);
        let out = f();
        OFF.set(false);
        out
    }
}
