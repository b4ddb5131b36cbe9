//! What an application call can fail with. The variants say *what kind* of failure it is
//! (a refused request, bad rows, a policy that does not load, a broken database …), so a
//! front end can decide from the type alone how to answer: an exit code, an HTTP status.

use std::path::{Path, PathBuf};

use super::problem::Invalid;
use crate::domain::access::Refusal;
use crate::engine::review::Misstep;
use crate::evaluation::{evaluate, rulebook};
use crate::intake::Rejected;
use crate::policy::Problems;
use crate::store;

/// What was asked for and is not on file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Missing {
    #[error("no employee `{0}` is on file")]
    Employee(String),
    #[error("no department `{0}` is on file")]
    Department(String),
    #[error("no correction with id {0}")]
    Correction(i64),
    #[error("no leave with id {0}")]
    Leave(i64),
    /// A login linked to no employee has no record of its own.
    #[error("the login `{0}` is not linked to an employee, so it has no record of its own")]
    OwnRecord(String),
    /// A document a front end does not know.
    #[error("no report `{0}`")]
    Report(String),
}

/// Why an operation was not done.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Nobody said who is acting.
    #[error("who is doing this? a change needs the name of the person making it")]
    NoActor,
    /// The name given for who is acting is neither a registered login nor an employee.
    #[error("`{0}` is neither a registered login nor an employee id")]
    UnknownActor(String),
    /// The actor may not do this ([`access`](crate::domain::access) says why).
    #[error("{0}")]
    NotAllowed(Refusal),
    /// A login with a wrong password, or none such (the two are not told apart).
    #[error("the login or the password is wrong")]
    WrongLogin,
    /// A session token that is unknown or past its end.
    #[error("the session has ended; log in again")]
    SessionEnded,
    /// A correction of one's own punches is decided by someone else.
    #[error("a correction of one's own punches is decided by someone else")]
    OwnCorrection,
    /// A sheet or page of entries for someone who may enter events for nobody (there).
    #[error("`{login}` may enter events for nobody{}", .of.as_ref().map(|(d, m)| format!(" of `{d}` in {m}")).unwrap_or_default())]
    NobodyToEnter {
        login: String,
        /// The department and month asked about, if one was.
        of: Option<(String, crate::domain::month::Month)>,
    },
    /// A review step named for someone else.
    #[error("{0}")]
    NotTheSigner(Box<Misstep>),
    /// A signature that does not fit the review's chain.
    #[error("{0}")]
    Misstep(Box<Misstep>),
    /// Too many failed logins: the next attempt waits this many seconds.
    #[error("too many failed logins; try again in {}", crate::domain::text::wait(*.seconds))]
    Throttled { seconds: i64 },
    /// What was asked for is not on file.
    #[error("{0}")]
    NotFound(Missing),
    /// The employee was not employed in the period asked about (a month, or a year up to
    /// a month), so it has no score.
    #[error("`{employee}` was not employed in {period}")]
    NotEmployed { employee: String, period: String },
    /// The workspace has no database yet.
    #[error("no database at `{}`", .0.display())]
    NoDatabase(PathBuf),
    /// No policy version is activated, so nothing can be scored or validated.
    #[error("no policy is activated")]
    NoPolicyActivated,
    /// The request cannot be done as asked ([`Invalid`] holds the facts).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// A front end's own refusal of its input (a flag, a form field), in its own words.
    #[error("{0}")]
    Refused(String),
    /// An entry is an exact copy of a live event; a second one must be said to be one.
    #[error(
        "event {id} ({what}) is already in the log, the same in every detail; nothing was stored"
    )]
    SameEvent { id: i64, what: String },
    /// The year's reviews cannot start while these of its months are still open.
    #[error("{} still open: {}; no review was started", crate::domain::text::count(.0.len(), "month of the year is", "months of the year are"), .0.join(", "))]
    OpenMonths(Vec<String>),
    /// The record no longer matches its hash chain.
    #[error("the record was altered: {0}")]
    Tampered(crate::store::Breach),
    /// A backup did not verify: a new one (`made`: it was removed, the older copies kept)
    /// or one to restore (nothing was replaced); `why` is what its verification found.
    #[error("{}: {why}", if *made { format!("the new backup {} did not verify, so it was removed and the older copies kept", path.display()) } else { format!("the backup {} does not verify, so nothing was replaced", path.display()) })]
    BackupUnverified {
        path: PathBuf,
        made: bool,
        why: Box<Error>,
    },
    /// Rows of a file or entry are bad; nothing was stored.
    #[error("{rows}\n{outcome}")]
    Rejected { rows: Rejected, outcome: String },
    /// Policy files that do not load, every problem at its position.
    #[error("{0}")]
    Policy(Problems),
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error(transparent)]
    Rulebook(#[from] rulebook::Error),
    #[error(transparent)]
    Evaluate(#[from] evaluate::Error),
    /// A file people wrote that is no table to import: not text, a workbook that cannot
    /// be read as one, too large. Theirs to mend.
    #[error("`{file}`: {shape}")]
    Unreadable {
        file: String,
        shape: crate::intake::Shape,
    },
    /// A file could not be read or written.
    #[error("`{}`: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Something broke on the way that is neither the request's fault nor the database's
    /// (a front end's own machinery failing).
    #[error("{0}")]
    Internal(String),
    /// A document could not be produced.
    #[error("cannot write the document: {0}")]
    Document(String),
}

impl Error {
    /// Whether the request itself was at fault (refused, bad input, failing checks) rather
    /// than something broken on the way: front ends answer the two differently.
    pub fn is_refusal(&self) -> bool {
        match self {
            Error::Refused(_)
            | Error::Invalid(_)
            | Error::Rejected { .. }
            | Error::Policy(_)
            | Error::SameEvent { .. }
            | Error::NotEmployed { .. }
            | Error::OpenMonths(_)
            | Error::UnknownActor(_)
            | Error::NotAllowed(_)
            | Error::WrongLogin
            | Error::SessionEnded
            | Error::OwnCorrection
            | Error::NobodyToEnter { .. }
            | Error::NotTheSigner(_)
            | Error::Misstep(_)
            | Error::NotFound(_)
            | Error::Throttled { .. }
            | Error::Tampered(_)
            | Error::BackupUnverified { .. } => true,
            Error::Store(e) => e.is_refusal(),
            _ => false,
        }
    }

    pub(crate) fn refused(message: impl Into<String>) -> Error {
        Error::Refused(message.into())
    }

    /// What a failed file operation on `path` becomes (for `map_err`).
    pub(crate) fn io_at(path: &Path) -> impl FnOnce(std::io::Error) -> Error + use<> {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    }

    /// A hand-made entry refused for `problems`: nothing was stored.
    pub(crate) fn rejected_entry<I: Into<crate::intake::Issue>>(
        problems: impl IntoIterator<Item = I>,
    ) -> Error {
        Error::Rejected {
            rows: Rejected::of(
                problems
                    .into_iter()
                    .map(|i| crate::intake::RowProblem::of("entry", i.into()))
                    .collect(),
            ),
            outcome: "nothing was stored".into(),
        }
    }
}
