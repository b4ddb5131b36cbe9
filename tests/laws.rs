//! Laws of the domain, checked on many generated months with the shipped policy.

use std::path::Path;
use std::sync::OnceLock;

use appraise::domain::event::{Event, FieldValue, Fields};
use appraise::domain::month::Month;
use appraise::domain::points::Points;
use appraise::domain::staff::Employee;
use appraise::engine::score_month;
use appraise::policy::Policy;
use chrono::NaiveDate;
use proptest::prelude::*;

fn policy() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| {
        Policy::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/customer-service.toml"))
            .unwrap()
    })
}

fn employee() -> Employee {
    Employee {
        id: "E1".into(),
        name: "测试".into(),
        department: "customer-service".into(),
        role: "staff".into(),
        joined: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        left: None,
        supervisor: None,
        attrs: Default::default(),
    }
}

const MONTH: (i32, u32) = (2026, 3);

fn month() -> Month {
    Month::new(MONTH.0, MONTH.1).unwrap()
}

/// Kinds with their fields, including scripted and capped rules, and a reward.
fn kind_and_fields() -> impl Strategy<Value = (String, Fields)> {
    let int = |name: &'static str, lo: i64, hi: i64| {
        (lo..hi).prop_map(move |n| Fields::from([(name.to_string(), FieldValue::Int(n))]))
    };
    prop_oneof![
        Just(("uniform".to_string(), Fields::new())),
        Just(("quarrel".to_string(), Fields::new())),
        Just(("commendation".to_string(), Fields::new())),
        Just(("missed_handover".to_string(), Fields::new())),
        int("minutes", 0, 300).prop_map(|f| ("late".to_string(), f)),
        int("rings", 1, 9).prop_map(|f| ("complaint_call".to_string(), f)),
        int("minutes", 0, 30).prop_map(|f| ("complaint_arrival".to_string(), f)),
    ]
}

fn events() -> impl Strategy<Value = Vec<Event>> {
    prop::collection::vec((1u32..=31, kind_and_fields(), 1i64..4), 0..40).prop_map(|raw| {
        raw.into_iter()
            .enumerate()
            .map(|(i, (day, (kind, fields), qty))| Event {
                id: i as i64 + 1,
                employee: "E1".into(),
                date: NaiveDate::from_ymd_opt(MONTH.0, MONTH.1, day).unwrap(),
                kind: kind.into(),
                qty,
                note: String::new(),
                fields: fields.into(),
                recorded_by: "t".into(),
                voided: false,
                excused: false,
                excuse: None,
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn score_is_the_clamped_sum_of_the_items(evs in events()) {
        let s = score_month(policy(), &employee(), month(), &evs).unwrap();
        let sum: Points = s.items.iter().map(|i| i.points).sum();
        let sc = &policy().scoring;
        prop_assert_eq!(s.score, (sc.base + sum).clamp_opt(sc.floor, sc.ceiling));
        prop_assert_eq!(s.deducted + s.rewarded, sum);
        prop_assert_eq!(s.passed, s.score >= sc.pass_mark);
    }

    #[test]
    fn one_more_violation_never_raises_the_score(evs in events(), day in 1u32..=31, extra in prop_oneof![Just("uniform"), Just("quarrel"), Just("missed_handover")]) {
        let before = score_month(policy(), &employee(), month(), &evs).unwrap();
        let mut more = evs.clone();
        more.push(Event {
            id: 1000,
            employee: "E1".into(),
            date: NaiveDate::from_ymd_opt(MONTH.0, MONTH.1, day).unwrap(),
            kind: extra.into(),
            qty: 1,
            note: String::new(),
            fields: Fields::new().into(),
            recorded_by: "t".into(),
            voided: false,
                excused: false,
                excuse: None,
        });
        let after = score_month(policy(), &employee(), month(), &more).unwrap();
        prop_assert!(after.score <= before.score, "{} > {}", after.score, before.score);
    }

    #[test]
    fn insertion_order_does_not_matter(evs in events(), seed in any::<u64>()) {
        let mut shuffled = evs.clone();
        fastrand::Rng::with_seed(seed).shuffle(&mut shuffled);
        let a = score_month(policy(), &employee(), month(), &evs).unwrap();
        let b = score_month(policy(), &employee(), month(), &shuffled).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn a_voided_event_counts_as_absent(evs in events(), pick in any::<prop::sample::Index>()) {
        prop_assume!(!evs.is_empty());
        let i = pick.index(evs.len());
        let mut voided = evs.clone();
        voided[i].voided = true;
        let mut removed = evs.clone();
        removed.remove(i);
        let a = score_month(policy(), &employee(), month(), &voided).unwrap();
        let b = score_month(policy(), &employee(), month(), &removed).unwrap();
        prop_assert_eq!(a.score, b.score);
    }
}

/// A value of each field type, as an entry would hold it.
fn sample(ty: appraise::domain::event::FieldType) -> FieldValue {
    use appraise::domain::event::FieldType;
    match ty {
        FieldType::Int => FieldValue::Int(40),
        FieldType::Float => FieldValue::Float(120.5),
        FieldType::Bool => FieldValue::Bool(false),
        FieldType::Text => FieldValue::Text("x".into()),
        FieldType::Date => FieldValue::Text("2026-04-08".into()),
        FieldType::Time => FieldValue::Text("09:20".into()),
    }
}

/// For every kind of the shipped policy, one entry of qty 3 scores what three entries of
/// qty 1 would: the same points, the same counts, the same flags counted as often; and
/// each month starts with one entry of the kind already there, so that escalations (`nth`)
/// are crossed inside the quantity.
#[test]
fn qty_three_is_three_entries_for_every_shipped_kind() {
    let p = policy();
    let mut checked = Vec::new();
    for (kind, fields) in &p.kinds {
        let fields: Fields = fields
            .iter()
            .map(|(name, ty)| (name.clone(), sample(*ty)))
            .collect();
        let entry = |id: i64, day: u32, qty: i64| Event {
            id,
            employee: "E1".into(),
            date: NaiveDate::from_ymd_opt(MONTH.0, MONTH.1, day).unwrap(),
            kind: kind.as_str().into(),
            qty,
            note: String::new(),
            fields: fields.clone().into(),
            recorded_by: "t".into(),
            voided: false,
            excused: false,
            excuse: None,
        };
        let one = vec![entry(1, 2, 1), entry(2, 3, 3)];
        let three = vec![
            entry(1, 2, 1),
            entry(2, 3, 1),
            entry(3, 3, 1),
            entry(4, 3, 1),
        ];
        let [a, b] = [&one, &three].map(|evs| score_month(p, &employee(), month(), evs).unwrap());
        let flags = |s: &appraise::engine::MonthScore| {
            let mut f = std::collections::BTreeMap::<String, i64>::new();
            for i in &s.items {
                for flag in i.flags() {
                    *f.entry(flag.to_string()).or_default() += i.qty;
                }
            }
            f
        };
        let occurrences =
            |s: &appraise::engine::MonthScore| s.items.iter().map(|i| i.qty).sum::<i64>();
        assert_eq!(
            (
                a.score,
                a.deducted,
                a.rewarded,
                &a.counts,
                flags(&a),
                occurrences(&a)
            ),
            (
                b.score,
                b.deducted,
                b.rewarded,
                &b.counts,
                flags(&b),
                occurrences(&b)
            ),
            "kind `{kind}`: qty 3 against three entries"
        );
        checked.push(kind.as_str());
    }
    assert!(checked.len() >= 40, "{checked:?}");
}
