//! A month as a rating takes it: its totals, its counts and the flags its items raised,
//! without the items. A year end reads most months back from their snapshots, where the
//! items are most of the text: read for their figures only, their texts are passed over
//! unparsed (a full reading was most of the time a closed year's rating took).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

use super::{MonthResult, MonthScore};
use crate::domain::month::Month;
use crate::domain::points::Points;
use crate::domain::text::{Text, intern};

/// What [`rate_year`](super::rate_year) takes from a month.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthFigures {
    pub employee: String,
    /// The month, the department then, the score and whether it passed.
    pub result: MonthResult,
    pub deducted: Points,
    pub rewarded: Points,
    /// Events per kind, as [`MonthScore::counts`].
    pub counts: BTreeMap<Text, i64>,
    /// Flag → occurrences the month's items raised it.
    pub flags: BTreeMap<&'static str, i64>,
}

impl MonthFigures {
    /// The figures of `score`.
    pub fn of(score: &MonthScore) -> MonthFigures {
        MonthFigures {
            employee: score.employee.clone(),
            result: MonthResult {
                month: score.month,
                department: score.department.clone(),
                score: score.score,
                passed: score.passed,
            },
            deducted: score.deducted,
            rewarded: score.rewarded,
            counts: score.counts.clone(),
            flags: flags(
                score
                    .items
                    .iter()
                    .flat_map(|i| i.flags().map(|f| (f, i.qty))),
            ),
        }
    }
}

/// Each flag's occurrences, from (flag, occurrences) pairs.
fn flags<'a>(raised: impl Iterator<Item = (&'a str, i64)>) -> BTreeMap<&'static str, i64> {
    let mut out = BTreeMap::new();
    for (flag, times) in raised {
        *out.entry(intern(flag)).or_default() += times;
    }
    out
}

/// Read from a [`MonthScore`]'s JSON (a snapshot's), taking of each item its flags and
/// quantity only: every other field is skipped without being checked or kept.
impl<'de> Deserialize<'de> for MonthFigures {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MonthFigures, D::Error> {
        #[derive(Deserialize)]
        struct Json<'a> {
            employee: String,
            month: Month,
            #[serde(borrow)]
            department: Cow<'a, str>,
            deducted: Points,
            rewarded: Points,
            score: Points,
            passed: bool,
            items: Vec<ItemFlags>,
            counts: BTreeMap<Kind, i64>,
        }
        #[derive(Deserialize)]
        struct ItemFlags {
            flags: Vec<String>,
            qty: i64,
        }
        /// An event kind, interned: a snapshot names the same few in every month.
        #[derive(PartialEq, Eq, PartialOrd, Ord)]
        struct Kind(&'static str);
        impl<'de> Deserialize<'de> for Kind {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Kind, D::Error> {
                #[derive(Deserialize)]
                struct Borrowed<'a>(#[serde(borrow)] Cow<'a, str>);
                Ok(Kind(intern(&Borrowed::deserialize(d)?.0)))
            }
        }
        let j = Json::deserialize(d)?;
        Ok(MonthFigures {
            employee: j.employee,
            result: MonthResult {
                month: j.month,
                department: j.department.into_owned(),
                score: j.score,
                passed: j.passed,
            },
            deducted: j.deducted,
            rewarded: j.rewarded,
            counts: j
                .counts
                .into_iter()
                .map(|(k, n)| (Cow::Borrowed(k.0), n))
                .collect(),
            flags: flags(
                j.items
                    .iter()
                    .flat_map(|i| i.flags.iter().map(|f| (f.as_str(), i.qty))),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Excused, Item};
    use crate::policy::{Labels, PolicyRef};

    fn score() -> MonthScore {
        let flagged = Labels::interned("quarrel", "与住户争吵", "服务", "每次 −5 分", &["warn"]);
        let plain = Labels::interned("late", "迟到", "考勤", "每次 −1 分", &[]);
        MonthScore {
            employee: "E\"1".into(),
            name: "马丽".into(),
            department: "客服\\部".into(),
            month: Month::new(2025, 3).unwrap(),
            policy: PolicyRef {
                id: "company".into(),
                version: "2025.1".into(),
                hash: "ab".into(),
            },
            base: Points::whole(100),
            deducted: Points::whole(-13),
            rewarded: Points::whole(1),
            score: Points::whole(88),
            passed: true,
            items: vec![
                Item::new(flagged, None, Points::whole(-10), 2, true),
                Item::new(plain, None, Points::whole(-1), 1, false)
                    .with("说明 \"引号\"".into(), vec!["review".into(), "warn".into()]),
                Item::new(plain, None, Points::whole(-2), 2, true),
                Item::new(flagged, None, Points::ZERO, 1, false),
            ],
            excused: vec![Excused {
                event: 7,
                date: chrono::NaiveDate::from_ymd_opt(2025, 3, 2).unwrap(),
                kind: "late".into(),
                reason: "已核实".into(),
            }],
            counts: [("late".into(), 3), ("quarrel".into(), 2)].into(),
        }
    }

    #[test]
    fn figures_read_from_a_scores_json_are_the_figures_of_the_score() {
        let score = score();
        let figures = MonthFigures::of(&score);
        // The rule's flag per occurrence of its scoring item, a script's flags once each.
        assert_eq!(figures.flags, [("review", 1), ("warn", 3)].into());
        assert_eq!(figures.result.department, "客服\\部");
        let read: MonthFigures =
            serde_json::from_str(&serde_json::to_string(&score).unwrap()).unwrap();
        assert_eq!(read, figures);
    }

    #[test]
    fn a_score_without_its_figures_is_no_figures() {
        let mut json = serde_json::to_value(score()).unwrap();
        json.as_object_mut().unwrap().remove("passed");
        let err = serde_json::from_value::<MonthFigures>(json).unwrap_err();
        assert!(err.to_string().contains("passed"), "{err}");
    }
}
