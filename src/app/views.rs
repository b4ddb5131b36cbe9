//! Page-shaped queries: what one screen shows, joined here from several reads so that every
//! front end (the web's pages, the API, a future one) gets the same value, checked the same
//! way. Each takes the acting person and asks `access` what they may see before reading
//! it; what one page shows is read once (whom the caller sees, one employee's reviews).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};

use super::results::one;
use super::{Actor, App, Error, KindChoice, Result, Who};
use crate::domain::event::Event;
use crate::domain::labels;
use crate::domain::month::Month;
use crate::domain::staff::Employee;
use crate::engine::MonthScore;
use crate::report::{MonthExplanation, ReviewRow, YearExplanation};
use crate::store::{Appeal, EventFilter};

/// A supervisor's day: their team with month scores, and the day's entries.
#[derive(Debug, Clone)]
pub struct DaySheet {
    pub date: NaiveDate,
    pub month: Month,
    pub team: Vec<TeamRow>,
    /// The day's entries, the latest first.
    pub entries: Vec<DayEntry>,
    /// The entry just stored, when asked about and seen.
    pub saved: Option<SavedEntry>,
    /// What the holiday calendar says of the day, if anything (a holiday or a make-up
    /// workday, with its name).
    pub holiday: Option<crate::store::Holiday>,
}

/// One of the team, as the day shows them.
#[derive(Debug, Clone)]
pub struct TeamRow {
    pub employee: Employee,
    /// Their month so far; `None` when no policy scores them.
    pub score: Option<MonthScore>,
    /// Their live entries of the day.
    pub today: usize,
}

/// One of the day's entries.
#[derive(Debug, Clone)]
pub struct DayEntry {
    pub event: Event,
    /// The employee's name (empty when they are not in the caller's team).
    pub name: String,
    /// The kind's label in the governing policy, else its id.
    pub label: String,
    /// Its fields as people read them: (label, value), in the policy's order.
    pub fields: Vec<(String, String)>,
    /// The caller may void it (their own entry, or a head's or HR's).
    pub voidable: bool,
}

/// An entry just stored, with the month score it left.
#[derive(Debug, Clone)]
pub struct SavedEntry {
    pub id: i64,
    pub employee: String,
    pub name: String,
    pub label: String,
    pub score: MonthScore,
}

/// What entering an event for one employee on one day offers.
#[derive(Debug, Clone)]
pub struct EntryForm {
    /// The kinds the governing policy lets the caller enter.
    pub menu: Vec<KindChoice>,
    /// The employee's month so far.
    pub score: Option<MonthScore>,
    pub name: String,
}

/// HR's board of a year's months.
#[derive(Debug, Clone)]
pub struct MonthBoard {
    pub year: i32,
    /// Each month up to this one.
    pub rows: Vec<BoardMonth>,
}

/// One month on the board.
#[derive(Debug, Clone)]
pub struct BoardMonth {
    pub month: Month,
    /// Who closed it and when.
    pub closed: Option<(String, String)>,
    /// It has ended, so it can be closed (when it is open).
    pub closable: bool,
    pub scored: usize,
    /// Below the pass mark: id and name.
    pub failed: Vec<(String, String)>,
}

/// A person's year: every month explained, their appeals and their reviews.
#[derive(Debug)]
pub struct PersonYear {
    pub year: i32,
    /// `None` when they were employed in no month of it rated so far.
    pub explained: Option<YearExplanation>,
    pub appeals: Vec<Appeal>,
    /// The reviews of this year and the one before.
    pub reviews: Vec<ReviewRow>,
}

/// A person's month: every point, and which events are already appealed.
#[derive(Debug)]
pub struct PersonMonth {
    pub explained: MonthExplanation,
    pub appealed: Vec<i64>,
    /// What the month's events say beyond their points, by event id.
    pub events: BTreeMap<i64, EventFacts>,
    /// The month is closed: nothing in it can change.
    pub closed: bool,
}

/// What an employee reads about one of their events beside its points.
#[derive(Debug, Clone)]
pub struct EventFacts {
    pub recorded_by: String,
    pub note: String,
    /// Its fields as people read them: (label, value).
    pub fields: Vec<(String, String)>,
    /// The last day `by` can appeal it, when they can: their own deduction, in an open
    /// month, not yet appealed, within the policy's window.
    pub appeal_until: Option<NaiveDate>,
}

impl App {
    /// `by`'s day `date`: their team, the month's scores of those they may see, the day's
    /// entries with the kinds' labels, and `saved` (an entry just stored) when they see it.
    pub fn day_sheet(&self, by: &Actor, date: NaiveDate, saved: Option<i64>) -> Result<DaySheet> {
        let month = Month::of(date);
        let team = self.team(by)?;
        // Whom the caller sees, read once for the scores and the entries.
        let seen = self.seen_of(by, None)?;
        let mut scores: BTreeMap<String, MonthScore> = self
            .scores_seen(&seen, month, &Who::default())?
            .into_iter()
            .map(|s| (s.employee.clone(), s))
            .collect();
        let events = self.events_seen(
            &seen,
            &EventFilter {
                month: Some(month),
                ..EventFilter::default()
            },
        )?;
        let kinds = self.kind_choices(by, &team, date)?;
        let label = |kind: &str| {
            kinds
                .get(kind)
                .map_or_else(|| kind.to_string(), |k| k.label.clone())
        };
        let names: BTreeMap<&str, &str> = team
            .iter()
            .map(|e| (e.id.as_str(), e.name.as_str()))
            .collect();
        let of_day: Vec<&Event> = events.iter().filter(|e| e.date == date).collect();
        let voidable = self.voidable(by, of_day.iter().copied())?;
        let entries = of_day
            .iter()
            .rev()
            .map(|e| DayEntry {
                event: (*e).clone(),
                name: names.get(&*e.employee).unwrap_or(&"").to_string(),
                label: label(&e.kind),
                fields: labels::fields(&e.fields, |name| {
                    kinds
                        .get(&*e.kind)
                        .and_then(|k| k.fields.iter().find(|f| f.name == name))
                        .map_or_else(|| name.to_string(), |f| f.label.clone())
                }),
                voidable: voidable.contains(&e.id),
            })
            .collect();
        let saved = saved.and_then(|id| {
            let e = events.iter().find(|e| e.id == id)?;
            let score = scores.get(&*e.employee)?.clone();
            Some(SavedEntry {
                id,
                employee: e.employee.to_string(),
                name: score.name.clone(),
                label: label(&e.kind),
                score,
            })
        });
        let team = team
            .into_iter()
            .map(|employee| TeamRow {
                today: of_day
                    .iter()
                    .filter(|e| e.employee == employee.id && !e.voided)
                    .count(),
                score: scores.remove(&employee.id),
                employee,
            })
            .collect();
        let holiday = self.store()?.holidays(date, date)?.pop();
        Ok(DaySheet {
            date,
            month,
            team,
            entries,
            saved,
            holiday,
        })
    }

    /// Kind → what the policy says of it (label, fields), over the policies that govern
    /// the team's departments on `date`.
    fn kind_choices(
        &self,
        by: &Actor,
        team: &[Employee],
        date: NaiveDate,
    ) -> Result<BTreeMap<String, KindChoice>> {
        let mut kinds = BTreeMap::new();
        let mut departments = BTreeSet::new();
        for e in team {
            if departments.insert(e.department.as_str()) {
                for k in self.entry_menu(by, &e.id, date)? {
                    kinds.entry(k.kind.clone()).or_insert(k);
                }
            }
        }
        Ok(kinds)
    }

    /// What entering an event for `employee` on `date` offers `by`.
    pub fn entry_form(&self, by: &Actor, employee: &str, date: NaiveDate) -> Result<EntryForm> {
        let menu = self.entry_menu(by, employee, date)?;
        let month = Month::of(date);
        let score = self.scores(by, month, &one(employee))?.pop();
        let name = self.record(by, employee)?.at(month).name.clone();
        Ok(EntryForm { menu, score, name })
    }

    /// The months of `year` (default: this one) up to this month: closed or open, how many
    /// were scored and who is below the pass mark. HR's, as every company report is.
    pub fn month_board(&self, by: &Actor, year: Option<i32>) -> Result<MonthBoard> {
        let today = Month::of(self.today);
        let year = year.unwrap_or(today.year());
        let closings = self.closed_months(by)?;
        let mut rows = Vec::new();
        for m in 1..=12 {
            let month = Month::new(year, m).expect("1..=12 are months");
            if month > today {
                break;
            }
            let scores = self.scores(by, month, &Who::default())?;
            rows.push(BoardMonth {
                month,
                closed: closings
                    .iter()
                    .find(|c| c.month == month.to_string())
                    .map(|c| (c.by.clone(), c.at.clone())),
                closable: Self::has_ended(month, self.today),
                scored: scores.len(),
                failed: scores
                    .iter()
                    .filter(|s| !s.passed)
                    .map(|s| (s.employee.clone(), s.name.clone()))
                    .collect(),
            });
        }
        Ok(MonthBoard { year, rows })
    }

    /// `employee`'s year (default: this one) as `by` may see it.
    pub fn person_year(&self, by: &Actor, employee: &str, year: Option<i32>) -> Result<PersonYear> {
        self.check_view(by, employee)?;
        let year = year.unwrap_or(self.today.year());
        let explained = match self.explain_year(by, employee, year, None) {
            Ok(y) => Some(y),
            Err(Error::NotEmployed { .. }) => None,
            Err(e) => return Err(e),
        };
        let appeals = self.appeals(by, false, Some(employee))?;
        let mut reviews = Vec::new();
        for y in [year, year - 1] {
            // Allowed above: one employee's reviews, without reading whom else `by` sees.
            reviews.extend(
                self.review_rows(y, None)?
                    .into_iter()
                    .filter(|r| r.review.employee == employee),
            );
        }
        Ok(PersonYear {
            year,
            explained,
            appeals,
            reviews,
        })
    }

    /// `employee`'s `month` as `by` may see it: every point, and the events appealed.
    pub fn person_month(&self, by: &Actor, employee: &str, month: Month) -> Result<PersonMonth> {
        let explained = self.explain_month(by, employee, month)?;
        let appealed: Vec<i64> = self
            .appeals(by, false, Some(employee))?
            .iter()
            .map(|a| a.event)
            .collect();
        let (store, rulebook) = self.store_and_rules()?;
        let closed = store
            .closed_months()?
            .iter()
            .any(|c| c.month == month.to_string());
        let policy = rulebook.governing(&explained.score.department, month);
        let own = by.employee() == Some(employee);
        // An appeal can succeed only against points taken.
        let deducted: BTreeSet<i64> = explained
            .score
            .items
            .iter()
            .filter(|i| i.points.is_negative())
            .filter_map(|i| i.event)
            .collect();
        let events = self.events(
            by,
            &EventFilter {
                employee: Some(employee.to_string()),
                month: Some(month),
                ..EventFilter::default()
            },
        )?;
        let mut facts = BTreeMap::new();
        for e in events.iter().filter(|e| !e.voided) {
            let appeal_until = match policy {
                Some(p)
                    if own
                        && !closed
                        && p.scoring.appeal_days > 0
                        && deducted.contains(&e.id)
                        && !appealed.contains(&e.id) =>
                {
                    let entered_on = store.entered(e.id)?.entered_on;
                    let (_, last_day) =
                        self.appeal_window(e.date, entered_on, p.scoring.appeal_days);
                    (self.today <= last_day).then_some(last_day)
                }
                _ => None,
            };
            let fields = labels::fields(&e.fields, |name| {
                policy
                    .map_or(name, |p| p.field_label(&e.kind, name))
                    .to_string()
            });
            facts.insert(
                e.id,
                EventFacts {
                    recorded_by: e.recorded_by.to_string(),
                    note: e.note.clone(),
                    fields,
                    appeal_until,
                },
            );
        }
        Ok(PersonMonth {
            explained,
            appealed,
            events: facts,
            closed,
        })
    }
}
