//! The application: one function for each thing a person does with appraise, taking the
//! acting person where the thing changes something and returning a plain value or a typed
//! [`Error`]. The command line and the web only turn their input into these calls and
//! render what they return; nothing here knows which front end called it.
//!
//! Each file holds one family of operations as an `impl App` block: `staff`, `log`, `rules`,
//! `months`, `reviews`, `results` (scores, explanations, ratings), `reports`, `views`
//! (what one page shows), `setup` (init and the demo company); `scope` decides what a
//! person may see, `problem` and `error` say why something was not done.

mod appeals;
mod attendance;
pub mod backups;
mod dept;
mod error;
mod evidence;
mod leave;
mod log;
mod memory;
mod menu;
mod months;
mod notices;
mod problem;
mod reports;
mod results;
mod reviews;
mod rules;
mod scope;
pub mod service;
mod sessions;
pub mod setup;
mod staff;
mod users;
mod views;
mod waiting;
pub mod zh;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{Datelike, Local, NaiveDate};

pub use crate::intake::Entry;
pub use crate::policy::menu::{EntrySheet, KindChoice};
pub use attendance::AttendanceImported;
pub use dept::DepartmentBook;
pub use error::{Error, Missing};
pub use evidence::{KEEP_LOCATION, Upload};
pub use leave::{LeaveImported, LeaveRequest};

pub use log::{HANDOVER, Imported, Recorded, Submitted};
pub use notices::{Delivered, NoticeBoard};
pub use problem::{Conflict, Invalid, Undone};
pub use reports::Document;
pub use results::Who;
pub use rules::{Activated, Activation, Checked, Tested};
pub use service::{ServiceConfig, Vitals};
pub use sessions::{MIN_PASSWORD, SESSION_HOURS, Session};
pub use setup::{DEMO_ADMIN, Demo, Setup};
pub use staff::{StaffChange, StaffImported, StaffInput};
pub use users::IssuedLogin;
pub use views::{
    BoardMonth, DayEntry, DaySheet, EntryForm, Find, MonthBoard, PER_PAGE, Pages, PersonMonth,
    PersonYear, RatedRow, RatingsPage, SavedEntry, TeamRow,
};
pub use waiting::Waiting;

use crate::domain::access::{self, Action, Person, Target};
use crate::domain::staff::{Employee, StaffRecord};
use crate::domain::user::{Role, User};
use crate::evaluation::rulebook::Rulebook;
use crate::store::{Stamp, Store};

/// The result of an application call.
pub type Result<T> = std::result::Result<T, Error>;

/// The person doing something: a registered login or an employee, found by
/// [`App::actor`]; every change is recorded with their name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    name: String,
    /// The login's role; `None` for an employee acting under their own id.
    role: Option<Role>,
    /// The employee the actor is, if any.
    employee: Option<String>,
    /// The department a head's or supervisor's login works for.
    department: Option<String>,
}

impl Actor {
    /// The name recorded in the audit log: the login, or the employee id.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn role(&self) -> Option<Role> {
        self.role
    }

    /// The employee the actor is (who signs a review step as a supervisor or a head).
    pub fn employee(&self) -> Option<&str> {
        self.employee.as_deref()
    }

    /// The department a head's or supervisor's login works for.
    pub fn department(&self) -> Option<&str> {
        self.department.as_deref()
    }

    /// Whoever holds the database file: the command line's reader, who sees every record
    /// (the file is theirs to open with any SQLite tool anyway). Never used for a change,
    /// which is always made by a named person.
    pub fn owner() -> Actor {
        Actor {
            name: "(owner of the database file)".to_string(),
            role: Some(Role::Hr),
            employee: None,
            department: None,
        }
    }

    fn of_user(u: User) -> Actor {
        Actor {
            name: u.login,
            role: Some(u.role),
            employee: u.employee,
            department: u.department,
        }
    }

    /// The actor as `access` sees them; an employee acting under their own id has the
    /// employee role.
    fn person(&self) -> Person<'_> {
        Person {
            login: &self.name,
            role: self.role.unwrap_or(Role::Employee),
            employee: self.employee.as_deref(),
            department: self.department.as_deref(),
        }
    }
}

/// An employee as `access` sees them: the record in force today.
fn member<'a>(record: &'a StaffRecord, today: NaiveDate) -> access::Member<'a> {
    let e: &Employee = record.at(crate::domain::month::Month::of(today));
    access::Member {
        id: &e.id,
        department: &e.department,
        supervisor: e.supervisor.as_deref(),
    }
}

/// One appraise workspace: its database and what day it is.
#[derive(Debug, Clone)]
pub struct App {
    db: PathBuf,
    today: NaiveDate,
    /// The activated policies, compiled once and shared by clones of this `App` (a server
    /// makes one per request) until a version is activated.
    rulebook: Compiled,
    /// Open connections, shared by clones of this `App`.
    pool: Pool,
}

/// Connections to the database kept open between calls: a new connection reads the whole
/// schema again before its first statement and prepares every statement afresh, which a
/// server would pay on every request.
#[derive(Clone, Default)]
struct Pool(Arc<Mutex<Vec<Store>>>);

/// The most idle connections a pool keeps.
const POOLED: usize = 8;

/// A store taken from the pool, given back when dropped.
struct Pooled {
    store: Option<Store>,
    pool: Pool,
}

impl std::ops::Deref for Pooled {
    type Target = Store;

    fn deref(&self) -> &Store {
        self.store
            .as_ref()
            .expect("a pooled store is there until dropped")
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Store {
        self.store
            .as_mut()
            .expect("a pooled store is there until dropped")
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        // A connection left inside a transaction (a panic half-way) is closed, not reused.
        if let Some(store) = self.store.take().filter(Store::is_idle) {
            let mut idle = self.pool.0.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < POOLED {
                idle.push(store);
            }
        }
    }
}

/// The last rulebook compiled, with the versions it was compiled from.
#[derive(Clone, Default)]
struct Compiled(Arc<Mutex<Option<Keyed>>>);

/// A rulebook and the key of the versions it holds ([`Store::versions_key`]).
type Keyed = ((i64, i64), Arc<Rulebook>);

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pool")
    }
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Compiled")
    }
}

impl App {
    /// The workspace whose database is `db`, on `today` (the only date appraise goes by, so
    /// that runs are reproducible; front ends read it from the clock or the environment).
    pub fn new(db: impl Into<PathBuf>, today: NaiveDate) -> App {
        App {
            db: db.into(),
            today,
            rulebook: Compiled::default(),
            pool: Pool::default(),
        }
    }

    /// This workspace on another day, sharing what it has compiled.
    pub fn on(&self, today: NaiveDate) -> App {
        App {
            today,
            ..self.clone()
        }
    }

    pub fn db(&self) -> &Path {
        &self.db
    }

    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// The year under review, unless one is asked for: the last whole year (ratings and
    /// reviews are of a year that has ended).
    pub fn review_year(&self, asked: Option<i32>) -> i32 {
        asked.unwrap_or(self.today.year() - 1)
    }

    /// The person named `name`: a registered login, else an employee id. Anyone else is
    /// refused, so that no change is recorded under a made-up name.
    pub fn actor(&self, name: &str) -> Result<Actor> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::NoActor);
        }
        let store = self.store()?;
        if let Some(u) = store.user(name)? {
            return Ok(Actor::of_user(u));
        }
        if store.staff_record(name)?.is_some() {
            return Ok(Actor {
                name: name.to_string(),
                role: None,
                employee: Some(name.to_string()),
                department: None,
            });
        }
        Err(Error::UnknownActor(name.to_string()))
    }

    /// Asks [`access`](crate::domain::access) whether `by` may do `action` to `target`.
    fn authorize(&self, by: &Actor, action: Action, target: &Target) -> Result<()> {
        match access::allow(&by.person(), action, target).refusal() {
            None => Ok(()),
            Some(why) => Err(Error::NotAllowed(why)),
        }
    }

    /// Whether `by` may do `action` to `target` (for choosing what to show, not to refuse).
    fn allows(&self, by: &Actor, action: Action, target: &Target) -> bool {
        access::allow(&by.person(), action, target) == access::Decision::Allow
    }

    /// Who did a change, and now (audit columns only, never scores).
    fn stamp(&self, by: &Actor) -> Stamp {
        Stamp {
            by: by.name.clone(),
            at: self.stamp_time(),
        }
    }

    fn stamp_time(&self) -> String {
        Local::now().format("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }

    /// The database, from the pool or opened; it must exist already (created by `init` or
    /// the demo).
    fn store(&self) -> Result<Pooled> {
        if !self.db.exists() {
            return Err(Error::NoDatabase(self.db.clone()));
        }
        let idle = self.pool.0.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let store = match idle {
            Some(store) => store,
            None => Store::open(&self.db)?,
        };
        Ok(Pooled {
            store: Some(store),
            pool: self.pool.clone(),
        })
    }

    /// The store with its compiled activated policies; at least one must be activated.
    /// The policies are compiled again only when the activated versions have changed.
    fn store_and_rules(&self) -> Result<(Pooled, Arc<Rulebook>)> {
        let store = self.store()?;
        let key = store.versions_key()?;
        let cached = self
            .rulebook
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, r)| Arc::clone(r));
        let rulebook = match cached {
            Some(r) => r,
            None => {
                let r = Arc::new(Rulebook::load(&store)?);
                *self.rulebook.0.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some((key, Arc::clone(&r)));
                r
            }
        };
        if rulebook.is_empty() {
            return Err(Error::NoPolicyActivated);
        }
        Ok((store, rulebook))
    }
}

/// A file given to an import: read from a path (the command line) or sent whole (an upload
/// on the web, already bounded by the server's body limit). Both are read the same way.
#[derive(Debug, Clone, Copy)]
pub enum FileInput<'a> {
    Path(&'a Path),
    Sent { name: &'a str, bytes: &'a [u8] },
}

impl FileInput<'_> {
    /// The name problems give the file by.
    pub fn name(&self) -> String {
        match self {
            FileInput::Path(p) => p.display().to_string(),
            FileInput::Sent { name, .. } => (*name).to_string(),
        }
    }
}

impl<'a> From<&'a Path> for FileInput<'a> {
    fn from(p: &'a Path) -> FileInput<'a> {
        FileInput::Path(p)
    }
}

impl<'a> From<&'a std::path::PathBuf> for FileInput<'a> {
    fn from(p: &'a std::path::PathBuf) -> FileInput<'a> {
        FileInput::Path(p)
    }
}

/// A file people wrote, read whole and decoded.
struct TextFile {
    /// The name problems give it by.
    name: String,
    encoding: crate::intake::Encoding,
    text: String,
}

/// A roster, clock export, staff file or leave file people wrote, whole and decoded (UTF-8
/// or GB18030, or a workbook's first sheet as CSV: see `intake::decode`), named when it
/// cannot be read. Read whole, so bounded first: a year's roster for 2,000 people is about
/// 30 MB.
fn read_text(file: FileInput<'_>) -> Result<TextFile> {
    let name = file.name();
    let io = |source| Error::Io {
        path: name.clone().into(),
        source,
    };
    let size = match file {
        FileInput::Path(p) => std::fs::metadata(p).map_err(io)?.len(),
        FileInput::Sent { bytes, .. } => bytes.len() as u64,
    };
    let unreadable = |shape| Error::Unreadable {
        file: name.clone(),
        shape,
    };
    if size > crate::intake::MAX_TABLE_BYTES {
        return Err(unreadable(crate::intake::Shape::TooLarge {
            mb: size >> 20,
        }));
    }
    let read;
    let bytes = match file {
        FileInput::Path(p) => {
            read = std::fs::read(p).map_err(io)?;
            &read[..]
        }
        FileInput::Sent { bytes, .. } => bytes,
    };
    let (encoding, text) = crate::intake::decode(bytes).map_err(unreadable)?;
    Ok(TextFile {
        name,
        encoding,
        text,
    })
}
