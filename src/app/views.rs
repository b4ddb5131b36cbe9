//! Page-shaped queries: what one screen shows, joined here from several reads so that every
//! front end (the web's pages, the API, a future one) gets the same value, checked the same
//! way. Each takes the acting person and asks `access` what they may see before reading
//! it; what one page shows is read once (whom the caller sees, one employee's reviews).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};

use super::results::one;
use super::{Actor, App, Error, KindChoice, Result, Who};
use crate::domain::access::Action;
use crate::domain::event::Event;
use crate::domain::labels;
use crate::domain::month::Month;
use crate::domain::staff::Employee;
use crate::engine::MonthScore;
use crate::report::{MonthExplanation, ReviewRow, YearExplanation};
use crate::store::{Appeal, EventFilter};

/// Rows a page of a long list shows.
pub const PER_PAGE: usize = 50;

/// The most entries of a day a page lists (the latest); a search narrows them.
pub const ENTRIES_SHOWN: usize = 100;

/// What a long list of employees is narrowed to: text in their id or name, and the page
/// (from 1) of [`PER_PAGE`] rows.
#[derive(Debug, Clone, Default)]
pub struct Find {
    pub text: String,
    pub page: usize,
    /// `text` in lower case, to compare ids in any case.
    folded: String,
}

/// Where a page is in its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pages {
    /// This page, from 1.
    pub page: usize,
    /// How many pages there are (at least 1).
    pub pages: usize,
    /// Rows found in all.
    pub total: usize,
}

/// A page of a year's ratings, as the ratings page lists them.
#[derive(Debug, Clone)]
pub struct RatingsPage {
    pub rows: Vec<RatedRow>,
    pub pages: Pages,
    /// The last month rated.
    pub through: Month,
}

/// One employee's rating with its flags as people read them.
#[derive(Debug, Clone)]
pub struct RatedRow {
    pub rating: crate::engine::Rating,
    /// (label, times raised), in the policy's order of ids.
    pub flags: Vec<(String, i64)>,
    /// The grade's colour on its policy's ladder, as every report shows it.
    pub grade_color: Option<&'static str>,
}

impl Find {
    /// Looking for `text` (trimmed; empty finds everyone), on page `page` (from 1).
    pub fn new(text: &str, page: usize) -> Find {
        let text = text.trim().to_string();
        Find {
            folded: text.to_lowercase(),
            text,
            page,
        }
    }

    /// Whether an employee of `id` and `name` is found: their id (in any case) or a part
    /// of their name holds the text.
    pub fn matches(&self, id: &str, name: &str) -> bool {
        self.text.is_empty()
            || id.to_lowercase().contains(&self.folded)
            || name.contains(&self.text)
    }

    /// The page asked for of `rows` (the last one when it asks beyond it), and where it is.
    pub fn page<T>(&self, rows: Vec<T>) -> (Vec<T>, Pages) {
        let total = rows.len();
        let pages = total.div_ceil(PER_PAGE).max(1);
        let page = self.page.clamp(1, pages);
        let rows = rows
            .into_iter()
            .skip((page - 1) * PER_PAGE)
            .take(PER_PAGE)
            .collect();
        (rows, Pages { page, pages, total })
    }
}

/// A supervisor's day: their team with month scores, and the day's entries.
#[derive(Debug, Clone)]
pub struct DaySheet {
    pub date: NaiveDate,
    pub month: Month,
    /// The page of the team found.
    pub team: Vec<TeamRow>,
    /// The whole team, found or not.
    pub team_size: usize,
    /// Where the page is among those found.
    pub pages: Pages,
    /// The day's latest entries of those found (at most [`ENTRIES_SHOWN`]), the latest
    /// first.
    pub entries: Vec<DayEntry>,
    /// How many entries of those found the day has in all.
    pub entries_total: usize,
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
    /// `by` may excuse it (a head or HR, a deduction not yet excused, in an open month).
    pub excusable: bool,
    /// The photos attached to it and to its appeal, in the order attached.
    pub photos: Vec<crate::store::Evidence>,
}

impl App {
    /// `by`'s day `date`: the page of their team `find` asks for with its month scores,
    /// the day's latest entries of those found, and `saved` (an entry just stored) when
    /// they see it. Only the page's scores are computed and only the day's events read, so
    /// a department of thousands costs what a page shows.
    pub fn day_sheet(
        &self,
        by: &Actor,
        date: NaiveDate,
        saved: Option<i64>,
        find: &Find,
    ) -> Result<DaySheet> {
        let month = Month::of(date);
        let team = self.team(by)?;
        let team_size = team.len();
        let names: BTreeMap<String, String> = team
            .iter()
            .map(|e| (e.id.clone(), e.name.clone()))
            .collect();
        let kinds = self.kind_choices(by, &team, date)?;
        let (found, pages) = find.page(
            team.into_iter()
                .filter(|e| find.matches(&e.id, &e.name))
                .collect(),
        );
        let seen = self.seen_of(by, None)?;
        let events = self.events_seen(
            &seen,
            &EventFilter {
                date: Some(date),
                ..EventFilter::default()
            },
        )?;
        let saved_event = saved.and_then(|id| events.iter().find(|e| e.id == id));
        let mut scores: BTreeMap<String, MonthScore> = self
            .scores_seen(
                &seen,
                month,
                &Who {
                    among: Some(
                        found
                            .iter()
                            .map(|e| e.id.clone())
                            .chain(saved_event.map(|e| e.employee.to_string()))
                            .collect(),
                    ),
                    ..Who::default()
                },
            )?
            .into_iter()
            .map(|s| (s.employee.clone(), s))
            .collect();
        let label = |kind: &str| {
            kinds
                .get(kind)
                .map_or_else(|| kind.to_string(), |k| k.label.clone())
        };
        let name = |id: &str| names.get(id).map_or("", String::as_str);
        let saved = saved_event.and_then(|e| {
            let score = scores.get(&*e.employee)?.clone();
            Some(SavedEntry {
                id: e.id,
                employee: e.employee.to_string(),
                name: score.name.clone(),
                label: label(&e.kind),
                score,
            })
        });
        let mut live: BTreeMap<&str, usize> = BTreeMap::new();
        for e in events.iter().filter(|e| !e.voided) {
            *live.entry(&e.employee).or_default() += 1;
        }
        let team = found
            .into_iter()
            .map(|employee| TeamRow {
                today: live.get(employee.id.as_str()).copied().unwrap_or(0),
                score: scores.remove(&employee.id),
                employee,
            })
            .collect();
        // The latest entries of those found; who may void is asked of the ones shown only.
        let of_found: Vec<&Event> = events
            .iter()
            .rev()
            .filter(|e| find.matches(&e.employee, name(&e.employee)))
            .collect();
        let entries_total = of_found.len();
        let shown = &of_found[..entries_total.min(ENTRIES_SHOWN)];
        let voidable = self.may_mark(by, Action::VoidEvent, shown.iter().copied())?;
        let entries = shown
            .iter()
            .map(|e| DayEntry {
                event: (*e).clone(),
                name: name(&e.employee).to_string(),
                label: label(&e.kind),
                fields: labels::fields(&e.fields, |field| {
                    kinds
                        .get(&*e.kind)
                        .and_then(|k| k.fields.iter().find(|f| f.name == field))
                        .map_or_else(|| field.to_string(), |f| f.label.clone())
                }),
                voidable: voidable.contains(&e.id),
            })
            .collect();
        let holiday = self.store()?.holidays(date, date)?.pop();
        Ok(DaySheet {
            date,
            month,
            team,
            team_size,
            pages,
            entries,
            entries_total,
            saved,
            holiday,
        })
    }

    /// The page `find` asks for of `year`'s ratings of those `by` may see (of
    /// `department`, when given): everyone employed in a rated month, by id. Only the
    /// page is rated, so a company of thousands costs what a page shows; the whole sheet
    /// is [`App::rating_sheet`].
    pub fn ratings_page(
        &self,
        by: &Actor,
        year: i32,
        department: Option<&str>,
        find: &Find,
    ) -> Result<RatingsPage> {
        self.check_report(by, department)?;
        let seen = self.seen_of(by, None)?;
        let months = crate::evaluation::evaluate::rated_months(year, None, self.today)?;
        let listed: Vec<String> = self
            .store()?
            .staff_records()?
            .into_iter()
            .filter(|r| seen.contains(&r.id))
            .filter_map(|r| {
                let last = months.iter().rev().find(|m| r.employed_in(**m))?;
                let e = r.at(*last);
                (department.is_none_or(|d| e.department == d) && find.matches(&e.id, &e.name))
                    .then(|| e.id.clone())
            })
            .collect();
        let (page, pages) = find.page(listed);
        let who = Who {
            among: Some(page.into_iter().collect()),
            ..Who::default()
        };
        let (ratings, through) = self.ratings_seen(&seen, year, None, &who, &|_, _| {})?;
        let (_, rulebook) = self.store_and_rules()?;
        let rows = ratings
            .into_iter()
            .map(|rating| {
                let policy = rulebook.by_hash(&rating.policy.hash);
                let labels = policy.map(|p| &p.flag_labels);
                let grade_color = policy.and_then(|p| {
                    let i = p.grades.iter().position(|g| g.id == rating.grade)?;
                    Some(crate::report::grade_color(i, p.grades.len()))
                });
                let flags = rating
                    .flags
                    .iter()
                    .map(|(f, n)| {
                        let label = labels.and_then(|l| l.get(f)).unwrap_or(f);
                        (label.clone(), *n)
                    })
                    .collect();
                RatedRow {
                    rating,
                    flags,
                    grade_color,
                }
            })
            .collect();
        Ok(RatingsPage {
            rows,
            pages,
            through,
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
        let appeals = self.appeals(by, false, Some(employee))?;
        let appealed: Vec<i64> = appeals.iter().map(|a| a.event).collect();
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
        let excusable = if closed {
            BTreeSet::new()
        } else {
            let open: Vec<&Event> = events
                .iter()
                .filter(|e| !e.excused && deducted.contains(&e.id))
                .collect();
            self.may_mark(by, Action::ExcuseEvent, open)?
        };
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
            let mut photos = store.evidence(crate::store::Attached::Event(e.id))?;
            for a in appeals.iter().filter(|a| a.event == e.id) {
                photos.extend(store.evidence(crate::store::Attached::Appeal(a.id))?);
            }
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
                    excusable: excusable.contains(&e.id),
                    photos,
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
