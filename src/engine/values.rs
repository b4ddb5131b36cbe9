//! Conversions between the domain and rhai values, and the reading of a script's result.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use rhai::{Array, Dynamic, ImmutableString, Map};

use crate::domain::event::{Event, FieldValue, Fields};
use crate::domain::month::date_text;
use crate::domain::points::Points;
use crate::domain::staff::Employee;

pub fn text(s: &str) -> Dynamic {
    Dynamic::from(s.to_string())
}

/// Whole points as an `int`, others as a `float`, so scripts compare them naturally.
pub fn points(p: Points) -> Dynamic {
    if p.hundredths() % 100 == 0 {
        Dynamic::from_int(p.hundredths() / 100)
    } else {
        Dynamic::from_float(p.to_f64())
    }
}

pub fn field(v: &FieldValue) -> Dynamic {
    match v {
        FieldValue::Bool(b) => Dynamic::from_bool(*b),
        FieldValue::Int(i) => Dynamic::from_int(*i),
        FieldValue::Float(x) => Dynamic::from_float(*x),
        FieldValue::Text(s) => text(s),
    }
}

pub fn staff(e: &Employee) -> Dynamic {
    let mut m = Map::new();
    for (k, v) in &e.attrs {
        m.insert(k.as_str().into(), text(v));
    }
    let opt = |o: Option<String>| o.map_or(Dynamic::UNIT, |s| text(&s));
    m.insert("id".into(), text(&e.id));
    m.insert("name".into(), text(&e.name));
    m.insert("department".into(), text(&e.department));
    m.insert("role".into(), text(&e.role));
    m.insert("joined".into(), text(&e.joined.to_string()));
    m.insert("left".into(), opt(e.left.map(|d| d.to_string())));
    m.insert("supervisor".into(), opt(e.supervisor.clone()));
    Dynamic::from_map(m)
}

/// An event as a fresh rhai map: `date`, `employee`, `id`, `kind`, `note`, `qty` and its
/// fields.
pub fn event(e: &Event) -> Dynamic {
    let mut map = Map::new();
    let kind = (&*e.kind).into();
    EventValues::new(&e.employee).entries(e, &kind, |k, v| {
        map.insert(k.into(), v.into_dynamic());
        true
    });
    Dynamic::from_map(map)
}

/// Writes the events of one employee-month into rhai maps in place: one map per kind, whose
/// values the next event of that kind overwrites, with the texts that repeat (employee,
/// kind, dates, an empty note) shared and left alone when unchanged. An event then costs no
/// allocation beyond its own text fields. This is the engine's inner loop: a fresh map per
/// event cost more than the rules' scripts.
pub struct EventValues {
    employee: ImmutableString,
    note: Option<ImmutableString>,
    /// The dates seen, by day of the month.
    dates: [Option<(NaiveDate, ImmutableString)>; 31],
    parked: Vec<Parked>,
    /// Which of `parked` is in the scope.
    current: Option<usize>,
}

/// A kind's map, parked while another kind's is in the scope (then `()` in its place).
struct Parked {
    /// The address of the policy's interned name for the kind.
    kind: *const u8,
    name: ImmutableString,
    map: Dynamic,
    /// The fields the map holds, as the last event of the kind left them: the next event
    /// sharing them (most do, since the reader shares equal fields) writes only its id,
    /// date, note and qty. `None` once a script may have changed them.
    fields: Option<Arc<Fields>>,
}

/// A value for an event map: a shared text is written only when the map does not hold it,
/// a field only when the map does not hold the event's fields already.
enum Value<'a> {
    Shared(&'a ImmutableString),
    Own(Dynamic),
    Field(&'a FieldValue),
}

impl Value<'_> {
    fn into_dynamic(self) -> Dynamic {
        match self {
            Value::Shared(s) => s.clone().into(),
            Value::Own(v) => v,
            Value::Field(v) => field(v),
        }
    }

    /// Writes the value into `slot`; `fields_held`: the map holds the event's fields.
    fn write(self, slot: &mut Dynamic, fields_held: bool) {
        match &self {
            Value::Field(_) if fields_held => return,
            Value::Shared(s)
                if slot
                    .read_lock::<ImmutableString>()
                    .is_some_and(|held| held.ptr_eq(s)) =>
            {
                return;
            }
            _ => {}
        }
        *slot = self.into_dynamic();
    }
}

impl EventValues {
    /// For the events of `employee` (the only ones it is given).
    pub fn new(employee: &str) -> EventValues {
        EventValues {
            employee: employee.into(),
            note: None,
            dates: Default::default(),
            parked: Vec::new(),
            current: None,
        }
    }

    /// Puts `e` into `slot` (the scope's `event`), overwriting the values of its kind's map;
    /// `kind` is the policy's interned name for `e.kind`, one per kind. A script may have replaced
    /// the map or changed its keys; then the map is built afresh, so that every event sees
    /// exactly its own keys and values.
    pub fn load(&mut self, slot: &mut Dynamic, e: &Event, kind: &'static str) {
        let id = kind.as_ptr();
        let i = match self.parked.iter().position(|p| p.kind == id) {
            Some(i) => i,
            None => {
                self.parked.push(Parked {
                    kind: id,
                    name: kind.into(),
                    map: Dynamic::UNIT,
                    fields: None,
                });
                self.parked.len() - 1
            }
        };
        if self.current != Some(i) {
            if let Some(c) = self.current {
                std::mem::swap(slot, &mut self.parked[c].map);
            }
            std::mem::swap(slot, &mut self.parked[i].map);
            self.current = Some(i);
        }
        let kind = self.parked[i].name.clone();
        let held = self.parked[i]
            .fields
            .replace(Arc::clone(&e.fields))
            .is_some_and(|f| Arc::ptr_eq(&f, &e.fields));
        let overwritten = match slot.write_lock::<Map>() {
            Some(mut map) if map.len() == BASE_KEYS + e.fields.len() => {
                let mut slots = map.iter_mut();
                self.entries(e, &kind, |k, v| match slots.next() {
                    Some((key, value)) if key.as_str() == k => {
                        v.write(value, held);
                        true
                    }
                    _ => false,
                })
            }
            _ => false,
        };
        if !overwritten {
            *slot = Dynamic::from_map(Map::new());
            let mut map = slot.write_lock::<Map>().expect("a map was just put there");
            self.entries(e, &kind, |k, v| {
                map.insert(k.into(), v.into_dynamic());
                true
            });
        }
    }

    /// A script that may have changed `event` ran: the next event of each kind writes
    /// all of its fields again.
    pub fn forget(&mut self) {
        for p in &mut self.parked {
            p.fields = None;
        }
    }

    /// Hands `f` the event's keys and values in key order (a rhai map's order) until it
    /// returns false; tells whether it took them all.
    fn entries(
        &mut self,
        e: &Event,
        kind: &ImmutableString,
        mut f: impl FnMut(&str, Value) -> bool,
    ) -> bool {
        let (day, date) = self.dates[e.date.day0() as usize]
            .get_or_insert_with(|| (e.date, date_text(e.date).into()));
        if *day != e.date {
            (*day, *date) = (e.date, date_text(e.date).into());
        }
        // Most notes are empty: compared by length first.
        let note = self.note.get_or_insert_with(|| e.note.as_str().into());
        if note.len() != e.note.len() || (!e.note.is_empty() && note.as_str() != e.note) {
            *note = e.note.as_str().into();
        }
        let base: [(&str, Value); BASE_KEYS] = [
            ("date", Value::Shared(date)),
            ("employee", Value::Shared(&self.employee)),
            ("id", Value::Own(Dynamic::from_int(e.id))),
            ("kind", Value::Shared(kind)),
            ("note", Value::Shared(note)),
            ("qty", Value::Own(Dynamic::from_int(e.qty))),
        ];
        // Field names never equal the base keys (the policy compiler refuses them).
        let mut fields = e.fields.iter().peekable();
        for (k, v) in base {
            while let Some((name, value)) = fields.next_if(|(name, _)| name.as_str() < k) {
                if !f(name, Value::Field(value)) {
                    return false;
                }
            }
            if !f(k, v) {
                return false;
            }
        }
        fields.all(|(name, value)| f(name, Value::Field(value)))
    }
}

/// The keys every event map has besides its fields.
const BASE_KEYS: usize = 6;

pub fn counts<K: AsRef<str>>(c: &BTreeMap<K, i64>) -> Dynamic {
    Dynamic::from_map(
        c.iter()
            .map(|(k, v)| (k.as_ref().into(), Dynamic::from_int(*v)))
            .collect(),
    )
}

pub fn points_map<K: AsRef<str>>(c: &BTreeMap<K, Points>) -> Dynamic {
    Dynamic::from_map(
        c.iter()
            .map(|(k, v)| (k.as_ref().into(), points(*v)))
            .collect(),
    )
}

pub fn array(items: Vec<Dynamic>) -> Dynamic {
    Dynamic::from_array(items.into_iter().collect::<Array>())
}

/// What a rule's script gave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    pub points: Points,
    pub note: String,
    pub flags: Vec<String>,
}

impl Outcome {
    /// Points alone, with no note or flags: a rule's fixed points, or a script's number.
    pub fn of_points(points: Points) -> Outcome {
        Outcome {
            points,
            ..Outcome::default()
        }
    }
}

/// Reads a script's value: a number, `()` (no points), or `#{ points, note, flags }`.
pub fn outcome(v: Dynamic) -> Result<Outcome, String> {
    if v.is_unit() {
        return Ok(Outcome::default());
    }
    if v.is_map() {
        let map = v.cast::<Map>();
        let mut out = Outcome::default();
        for (k, v) in map {
            match k.as_str() {
                "points" => out.points = number(v)?,
                "note" => {
                    out.note = v
                        .into_string()
                        .map_err(|t| format!("`note` must be a string, not {t}"))?
                }
                "flags" => {
                    let arr = v
                        .into_array()
                        .map_err(|t| format!("`flags` must be an array of strings, not {t}"))?;
                    for f in arr {
                        out.flags.push(
                            f.into_string()
                                .map_err(|t| format!("a flag must be a string, not {t}"))?,
                        );
                    }
                }
                other => {
                    return Err(format!(
                        "the result map has an unknown key `{other}`; use points, note, flags"
                    ));
                }
            }
        }
        return Ok(out);
    }
    number(v).map(Outcome::of_points)
}

fn number(v: Dynamic) -> Result<Points, String> {
    if v.is_unit() {
        return Ok(Points::ZERO);
    }
    let out_of_range = |x: &dyn std::fmt::Display| {
        format!(
            "the script gave {x} points; a rule gives at most {} points either way",
            Points::LIMIT
        )
    };
    if let Ok(i) = v.as_int() {
        return Points::bounded(i as f64).ok_or_else(|| out_of_range(&i));
    }
    if let Ok(x) = v.as_float() {
        return Points::bounded(x).ok_or_else(|| out_of_range(&x));
    }
    Err(format!(
        "the script must give a number of points, `()` or #{{points, note, flags}}, not {} ({})",
        v.type_name(),
        v
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: i64, day: u32, kind: &str, fields: &[(&str, FieldValue)]) -> Event {
        Event {
            id,
            employee: "E1".into(),
            date: NaiveDate::from_ymd_opt(2025, 3, day).unwrap(),
            kind: kind.to_string().into(),
            qty: 1,
            note: if id % 2 == 0 {
                String::new()
            } else {
                format!("n{id}")
            },
            fields: std::sync::Arc::new(
                fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect::<Fields>(),
            ),
            recorded_by: "S".into(),
            voided: false,
            excused: false,
            excuse: None,
        }
    }

    #[test]
    fn maps_written_in_place_equal_fresh_maps_even_after_scripts_change_them() {
        let events = [
            ev(1, 3, "late", &[("minutes", FieldValue::Int(20))]),
            ev(
                2,
                3,
                "call",
                &[
                    ("a", FieldValue::Bool(true)),
                    ("z", FieldValue::Text("x".into())),
                ],
            ),
            ev(3, 4, "late", &[("minutes", FieldValue::Int(5))]),
            ev(4, 4, "late", &[]),
            ev(
                5,
                5,
                "call",
                &[
                    ("a", FieldValue::Bool(false)),
                    ("z", FieldValue::Text("y".into())),
                ],
            ),
            ev(6, 6, "call", &[("a", FieldValue::Bool(false))]),
        ];
        let mut values = EventValues::new("E1");
        let mut slot = Dynamic::UNIT;
        let kinds: BTreeMap<&str, &'static str> = events
            .iter()
            .map(|e| (&*e.kind, crate::domain::text::intern(&e.kind)))
            .collect();
        for (n, e) in events.iter().enumerate() {
            values.load(&mut slot, e, kinds[&*e.kind]);
            assert_eq!(
                format!("{slot:?}"),
                format!("{:?}", event(e)),
                "event {}",
                e.id
            );
            // What a script may do to `event`: add a key, drop one, replace the value.
            match n % 3 {
                0 => {
                    slot.write_lock::<Map>()
                        .unwrap()
                        .insert("extra".into(), Dynamic::TRUE);
                }
                1 => {
                    slot.write_lock::<Map>().unwrap().remove("id");
                }
                _ => slot = Dynamic::from_int(7),
            }
        }
    }

    #[test]
    fn an_event_sharing_the_last_ones_fields_writes_only_its_own_values_until_forgotten() {
        let shared = Arc::new(Fields::from([("minutes".to_string(), FieldValue::Int(20))]));
        let [a, b] = [(1, 3), (2, 4)].map(|(id, day)| Event {
            fields: Arc::clone(&shared),
            ..ev(id, day, "late", &[])
        });
        let kind = crate::domain::text::intern("late");
        let mut values = EventValues::new("E1");
        let mut slot = Dynamic::UNIT;
        let minutes_to_999 = |slot: &mut Dynamic| {
            slot.write_lock::<Map>()
                .unwrap()
                .insert("minutes".into(), Dynamic::from_int(999));
        };
        values.load(&mut slot, &a, kind);
        minutes_to_999(&mut slot);
        // The fields are held: only id, date, note and qty are written.
        values.load(&mut slot, &b, kind);
        let minutes = |slot: &Dynamic| slot.read_lock::<Map>().unwrap()["minutes"].as_int();
        assert_eq!(minutes(&slot), Ok(999));
        // What the engine does when a script that may change `event` ran.
        values.forget();
        values.load(&mut slot, &a, kind);
        assert_eq!(format!("{slot:?}"), format!("{:?}", event(&a)));
        minutes_to_999(&mut slot);
        values.forget();
        values.load(&mut slot, &b, kind);
        assert_eq!(format!("{slot:?}"), format!("{:?}", event(&b)));
    }

    #[test]
    fn reads_numbers_maps_and_unit() {
        assert_eq!(
            outcome(Dynamic::from_int(-3)).unwrap().points,
            Points::whole(-3)
        );
        assert_eq!(
            outcome(Dynamic::from_float(-0.5))
                .unwrap()
                .points
                .hundredths(),
            -50
        );
        assert_eq!(outcome(Dynamic::UNIT).unwrap(), Outcome::default());
        let mut m = Map::new();
        m.insert("points".into(), Dynamic::from_int(2));
        m.insert("note".into(), text("ok"));
        let o = outcome(Dynamic::from_map(m)).unwrap();
        assert_eq!((o.points, o.note.as_str()), (Points::whole(2), "ok"));
    }

    #[test]
    fn rejects_wrong_types() {
        assert!(outcome(text("3")).unwrap_err().contains("string"));
        assert!(outcome(Dynamic::from_bool(true)).is_err());
        let mut m = Map::new();
        m.insert("pts".into(), Dynamic::from_int(2));
        assert!(outcome(Dynamic::from_map(m)).unwrap_err().contains("pts"));
    }
}
