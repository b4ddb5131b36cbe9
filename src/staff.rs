//! Employees and departments.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::month::Month;

/// An employee as HR keeps them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Employee {
    pub id: String,
    pub name: String,
    pub department: String,
    pub role: String,
    #[serde(serialize_with = "crate::serde_date")]
    pub joined: NaiveDate,
    #[serde(serialize_with = "crate::serde_opt_date")]
    pub left: Option<NaiveDate>,
    pub supervisor: Option<String>,
    /// Extra columns of `staff.csv`, e.g. `shift_start`.
    pub attrs: BTreeMap<String, String>,
}

impl Employee {
    pub fn employed_on(&self, date: NaiveDate) -> bool {
        self.joined <= date && self.left.is_none_or(|left| date <= left)
    }

    /// Employed on at least one day of `month`: the month is evaluated.
    pub fn employed_in(&self, month: Month) -> bool {
        self.joined <= month.last_day() && self.left.is_none_or(|left| left >= month.first_day())
    }
}

/// A department: the unit a policy governs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Department {
    pub id: String,
    pub name: String,
    pub head: Option<String>,
}
