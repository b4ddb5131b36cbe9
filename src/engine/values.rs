//! Conversions between the domain and rhai values, and the reading of a script's result.

use std::collections::BTreeMap;

use rhai::{Array, Dynamic, Map};

use crate::event::{Event, FieldValue};
use crate::points::Points;
use crate::staff::Employee;

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

pub fn event(e: &Event) -> Dynamic {
    let mut m = Map::new();
    for (k, v) in &e.fields {
        m.insert(k.as_str().into(), field(v));
    }
    m.insert("id".into(), Dynamic::from_int(e.id));
    m.insert("kind".into(), text(&e.kind));
    m.insert(
        "date".into(),
        Dynamic::from(crate::month::date_text(e.date)),
    );
    m.insert("employee".into(), text(&e.employee));
    m.insert("qty".into(), Dynamic::from_int(e.qty));
    m.insert("note".into(), text(&e.note));
    Dynamic::from_map(m)
}

pub fn counts(c: &BTreeMap<String, i64>) -> Dynamic {
    Dynamic::from_map(
        c.iter()
            .map(|(k, v)| (k.as_str().into(), Dynamic::from_int(*v)))
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
#[derive(Debug, Default, PartialEq)]
pub struct Outcome {
    pub points: Points,
    pub note: String,
    pub flags: Vec<String>,
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
    number(v).map(|points| Outcome {
        points,
        ..Outcome::default()
    })
}

fn number(v: Dynamic) -> Result<Points, String> {
    if v.is_unit() {
        return Ok(Points::ZERO);
    }
    if let Ok(i) = v.as_int() {
        return Points::from_f64(i as f64).ok_or_else(|| format!("{i} points is out of range"));
    }
    if let Ok(x) = v.as_float() {
        return Points::from_f64(x).ok_or_else(|| format!("{x} is not a usable number of points"));
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
