//! Departments: their names and heads, their yearly targets and budget, and their year as
//! the policy's `[department]` script judges it.

use super::{Actor, App, Error, Invalid, Missing, Result};
use crate::domain::access::{Action, Target};
use crate::domain::event::is_identifier;
use crate::domain::month::Month;
use crate::domain::points::Points;
use crate::domain::staff::Department;
use crate::engine::{DepartmentRating, DepartmentYear, rate_department};
use crate::evaluation::rulebook::Rulebook;
use crate::store::Store;

impl App {
    /// Creates a department, or sets its name and head.
    pub fn save_department(
        &self,
        by: &Actor,
        id: &str,
        name: Option<&str>,
        head: Option<&str>,
    ) -> Result<()> {
        self.authorize(by, Action::ChangeStaff, &Target::Company)?;
        if !is_identifier(id) {
            return Err(Invalid::BadId {
                what: "department id",
                given: id.to_string(),
            }
            .into());
        }
        let mut store = self.store()?;
        if let Some(h) = head
            && store.staff_record(h)?.is_none()
        {
            return Err(Invalid::HeadNotOnFile {
                head: h.to_string(),
                department: id.to_string(),
            }
            .into());
        }
        store.put_department(id, name, head, &self.stamp(by))?;
        Ok(())
    }

    /// Every department.
    pub fn departments(&self) -> Result<Vec<Department>> {
        Ok(self.store()?.departments()?)
    }

    /// Records a yearly target as met or missed (recording it again replaces it).
    pub fn record_target(
        &self,
        by: &Actor,
        department: &str,
        year: i32,
        name: &str,
        met: bool,
    ) -> Result<()> {
        self.authorize(by, Action::SetTargets, &Target::Department(department))?;
        let mut store = self.store()?;
        known_department(&store, department)?;
        if name.trim().is_empty() {
            return Err(Invalid::NameMissing("a target").into());
        }
        store.put_target(department, year, name.trim(), met, &self.stamp(by))?;
        Ok(())
    }

    /// Records the year's budget and actual spending, in yuan.
    pub fn record_budget(
        &self,
        by: &Actor,
        department: &str,
        year: i32,
        budget: f64,
        spent: f64,
    ) -> Result<(Points, Points)> {
        self.authorize(by, Action::SetTargets, &Target::Department(department))?;
        let mut store = self.store()?;
        known_department(&store, department)?;
        let money = |what: &'static str, x: f64| {
            Points::from_f64(x)
                .filter(|p| !p.is_negative())
                .ok_or_else(|| Invalid::BadAmount {
                    what,
                    given: x.to_string(),
                })
        };
        let (b, s) = (money("budget", budget)?, money("spending", spent)?);
        store.put_budget(
            department,
            year,
            b.hundredths(),
            s.hundredths(),
            &self.stamp(by),
        )?;
        Ok((b, s))
    }

    /// The departments' year: targets missed, the head's bonus cut, the department bonus,
    /// under the policy governing each department in the year's last month so far.
    pub fn rate_departments(
        &self,
        by: &Actor,
        year: i32,
        department: Option<&str>,
    ) -> Result<Vec<DepartmentRating>> {
        self.check_report(by, department)?;
        let store = self.store()?;
        let rulebook = Rulebook::load(&store)?;
        let month = Month::new(year, 12)
            .expect("December exists")
            .min(Month::of(self.today));
        let mut ratings = Vec::new();
        for d in store
            .departments()?
            .into_iter()
            .filter(|d| department.is_none_or(|x| d.id == x))
        {
            let policy =
                rulebook
                    .governing(&d.id, month)
                    .ok_or_else(|| Invalid::NoPolicyGoverns {
                        department: d.id.clone(),
                        month,
                    })?;
            let (budget, spent) = match store.budget(&d.id, year)? {
                Some((b, s)) => (
                    Some(Points::from_hundredths(b)),
                    Some(Points::from_hundredths(s)),
                ),
                None => (None, None),
            };
            let input = DepartmentYear {
                targets: store
                    .targets(&d.id, year)?
                    .into_iter()
                    .map(|t| (t.name, t.met))
                    .collect(),
                budget,
                spent,
                id: d.id.clone(),
                name: d.name.clone(),
                year,
                head: d.head.clone(),
            };
            ratings.push(
                rate_department(policy, &input)
                    .map_err(crate::evaluation::evaluate::Error::from)?,
            );
        }
        Ok(ratings)
    }
}

/// A department's year as its head keeps it: every target recorded (met or not) and the
/// rating of the year so far.
#[derive(Debug, Clone)]
pub struct DepartmentBook {
    pub targets: Vec<crate::store::DepartmentTarget>,
    pub rating: DepartmentRating,
}

impl App {
    /// `department`'s year, as `by` may see it: its head, or HR.
    pub fn department_book(
        &self,
        by: &Actor,
        department: &str,
        year: i32,
    ) -> Result<DepartmentBook> {
        self.check_report(by, Some(department))?;
        let targets = {
            let store = self.store()?;
            known_department(&store, department)?;
            store.targets(department, year)?
        };
        let rating = self
            .rate_departments(by, year, Some(department))?
            .pop()
            .ok_or_else(|| Error::NotFound(Missing::Department(department.to_string())))?;
        Ok(DepartmentBook { targets, rating })
    }
}

/// Refuses a department id that is not on file.
pub(super) fn known_department(store: &Store, id: &str) -> Result<()> {
    if store.departments()?.iter().any(|d| d.id == id) {
        Ok(())
    } else {
        Err(Invalid::NoDepartment(id.to_string()).into())
    }
}
