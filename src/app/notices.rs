//! What people are told (通知), composed here in Chinese and handed to the store with the
//! change that causes it, so that the outbox holds it exactly when the change committed.
//! Notices that no change carries (reminders, digests, a month ready to close) are found by
//! [`App::queue_due_notices`], which the delivery worker runs before each round. Where
//! notices go, the company's choices and each person's are set here too; delivering is
//! `notify`'s.

//!
//! - `compose`: the notices of each change, in words;
//! - `due`: reminders, digests and a month ready to close, found by the day;
//! - `manage`: channels, settings, each person's choices, delivery runs and tests.

mod compose;
mod due;
mod manage;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{Actor, App, Result};
use crate::domain::notice::NoticeKind;
use crate::store::{Notice, Store};

pub use manage::{Delivered, NoticeBoard};

/// The company setting that turns a kind off for everyone: `kind.KIND = off`.
fn kind_setting(kind: NoticeKind) -> String {
    format!("kind.{}", kind.id())
}

/// The failed months of a year at which an employee is warned: the next one brings a
/// dismissal recommendation (four or more failed months).
const WARN_AT_FAILED: usize = 3;

/// What an import's digest tells of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Digest {
    /// Events imported from a file.
    Events,
    /// Events derived from the time clock and the roster.
    Attendance,
}

/// Who notices are composed for, as of one change: the company's settings and the time.
/// There is none while no channel is set up: nothing is queued that nothing would carry.
pub(super) struct Announcer {
    settings: BTreeMap<String, String>,
    /// Each person's choices: (person, kind) → on.
    prefs: BTreeMap<(String, String), bool>,
    at: i64,
}

impl Announcer {
    /// Whether `person` is to be told of `kind`: the company has it on, and the person has
    /// not muted it (or, for a digest, has chosen it).
    pub(super) fn wants(&self, kind: NoticeKind, person: &str) -> bool {
        if self.settings.get(&kind_setting(kind)).map(String::as_str) == Some("off") {
            return false;
        }
        if !kind.optional() {
            return true;
        }
        self.prefs
            .get(&(person.to_string(), kind.id().to_string()))
            .copied()
            .unwrap_or(kind.on_unless_muted())
    }

    /// A notice of `kind` for `recipient` (in `department`) about `employee`.
    pub(super) fn notice(
        &self,
        kind: NoticeKind,
        to: Recipient,
        key: String,
        text: String,
        url: String,
    ) -> Notice {
        Notice {
            key,
            kind,
            employee: to.employee,
            recipient: to.person,
            department: to.department,
            text,
            url,
            at: self.at,
        }
    }
}

/// Whom a notice is for, and about whom.
pub(super) struct Recipient {
    /// A staff id, or `@LOGIN` for a login that is nobody on the staff.
    pub person: String,
    /// The recipient's department, whose robot carries it.
    pub department: String,
    /// Whom it is about.
    pub employee: String,
}

/// How a person is named as a recipient: their staff id, else `@LOGIN`.
pub(super) fn person_of(by: &Actor) -> String {
    by.employee()
        .map_or_else(|| format!("@{}", by.name()), str::to_string)
}

/// The appeal-window words of an event: by when it may be appealed.
fn deadline(last_day: NaiveDate) -> String {
    format!("如有异议，请于 {last_day} 前在系统中申诉。")
}

impl App {
    /// The announcer of a change, or none while no channel is set up.
    pub(in crate::app) fn announcer(&self, store: &Store) -> Result<Option<Announcer>> {
        if !store.has_channels()? {
            return Ok(None);
        }
        Ok(Some(Announcer {
            settings: store.settings()?,
            prefs: store.all_notice_prefs()?,
            at: chrono::Utc::now().timestamp(),
        }))
    }
}
