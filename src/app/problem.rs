//! Requests the application refuses as asked, as facts. The `#[error]` words below are the
//! one catalogue of their English wording; front ends match the variants (to place a
//! problem beside a form field, to add the command that mends it) and never the words.

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::domain::month::Month;
use crate::evaluation::rulebook::Rulebook;

/// What about a request is wrong, with the values it was about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("no employee `{0}` is on file")]
    NoEmployee(String),
    #[error("no department `{0}` is on file")]
    NoDepartment(String),
    /// An id that is not `[a-z0-9_-]`.
    #[error("{what} `{given}` may only use a-z, 0-9, `_` and `-`, e.g. customer-service")]
    BadId { what: &'static str, given: String },
    #[error("no employee `{head}` to head `{department}`; import staff first")]
    HeadNotOnFile { head: String, department: String },
    /// Something that needs a name was given none.
    #[error("{0} needs a name")]
    NameMissing(&'static str),
    #[error("login `{0}` must be one word, without spaces")]
    LoginNotOneWord(String),
    #[error("the {what} `{given}` must be an amount of yuan, not negative")]
    BadAmount { what: &'static str, given: String },
    /// HR would lock themselves out.
    #[error("you cannot disable your own login `{0}`")]
    OwnLogin(String),
    #[error("a password has at least {0} characters")]
    PasswordTooShort(usize),
    /// A change that must say why was given no reason.
    #[error("a reason is required")]
    ReasonRequired,
    #[error("a restatement needs a reason")]
    RestatementReason,
    #[error("date `{0}` is not a date; write YYYY-MM-DD")]
    BadDate(String),
    #[error("{what} `{given}` is not a time of day; write HH:MM")]
    BadTime { what: &'static str, given: String },
    #[error("{date} is in the future (today is {today})")]
    FutureDate { date: NaiveDate, today: NaiveDate },
    /// A month is closed once it has ended: its scores are final only then.
    #[error(
        "{month} has not ended yet (today is {today}); it can be closed from {}",
        .month.next().first_day()
    )]
    MonthNotEnded { month: Month, today: NaiveDate },
    /// No activated policy governs the department in the month.
    #[error("{}", Rulebook::none_governs(.department, *.month))]
    NoPolicyGoverns { department: String, month: Month },
    #[error("policy version {0} is not activated")]
    VersionNotActivated(String),
    #[error("the version that scored {month} (hash {hash}) is not activated")]
    ScoredByInactive { month: Month, hash: String },
    #[error(
        "the policy governing `{employee}` in {month} has no `[attendance]`; punches cannot be turned into events"
    )]
    NoAttendanceRules { employee: String, month: Month },
    #[error(
        "{file} would record {absences} absences and {missing_punches} missing punches on {rostered} rostered days, more than the policy's {percent}%{}; nothing was imported. Check the export's dates and employees; if the number is right, import it with --accept-absences {}",
        accepted.map_or(String::new(), |n| format!(" and more than the {n} accepted")),
        absences + missing_punches
    )]
    AbsenceFlood {
        file: String,
        absences: usize,
        missing_punches: usize,
        rostered: usize,
        percent: usize,
        accepted: Option<usize>,
    },
    #[error("{0}")]
    UnknownLeaveType(crate::intake::UnknownLeave),
    #[error(
        "this leave ({new}) overlaps leave {id} ({old}); nothing was stored. Cancel one, or correct the dates"
    )]
    LeaveOverlaps { new: String, id: i64, old: String },
    #[error("leave {id} is {state} already; nothing changed")]
    LeaveDecided { id: i64, state: &'static str },
    #[error("an employee does not approve or reject their own leave")]
    OwnLeave,
    /// A correction that names neither punch.
    #[error("a correction gives the punch that should have been: in, out or both")]
    CorrectionEmpty,
    #[error(
        "`{employee}` has had {cap} corrections approved for {month}, the most the policy allows; nothing was approved"
    )]
    CorrectionCap {
        employee: String,
        cap: u32,
        month: Month,
    },
    #[error(
        "event {event} could be appealed until {last_day} ({days} days after {from}, as the policy allows); today is {today}"
    )]
    AppealWindowClosed {
        event: i64,
        last_day: NaiveDate,
        days: i64,
        from: NaiveDate,
        today: NaiveDate,
    },
    #[error("an employee cannot be their own supervisor")]
    OwnSupervisor,
    #[error("supervisor `{0}` is not on file")]
    SupervisorNotOnFile(String),
    #[error(
        "supervisors would go round in a circle: {}; nothing was stored. Give one of them a supervisor outside the circle, or none",
        .0.join(" → ")
    )]
    SupervisorCycle(Vec<String>),
    #[error("`{employee}` already has this record from {from}; nothing changed")]
    SameRecord { employee: String, from: Month },
    #[error("`{employee}` joined on {joined}; a change cannot take effect before {earliest}")]
    BeforeJoining {
        employee: String,
        joined: NaiveDate,
        earliest: Month,
    },
    /// Employees the policy would govern lack staff attributes its scripts read.
    #[error(
        "`{policy}` version {version} reads staff attributes that employees it would govern from {month} lack:\n{}\nnothing was activated; give them the attributes first",
        .missing.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
    )]
    MissingAttributes {
        policy: String,
        version: String,
        month: Month,
        missing: Vec<crate::intake::Wrong>,
    },
    /// A name people write for a kind (an alias, a rule's name, a kind id) would mean
    /// another kind than it does under an activated policy.
    #[error(
        "`{policy}` would give names other kinds than the activated policies do:\n{}\nnothing was activated; rename the alias (a name means one kind everywhere)",
        .clashes.iter().map(|c| format!("`{}` means kind `{}` here but kind `{}` in policy `{}`", c.name, c.kind, c.other_kind, c.other_policy)).collect::<Vec<_>>().join("\n")
    )]
    NameClash {
        policy: String,
        clashes: Vec<NameClash>,
    },
    /// The version failed on the logged record it would govern (see
    /// [`trial`](crate::evaluation::trial::trial)).
    #[error(
        "`{policy}` version {version} fails on the record it would govern:\n{}\nnothing was activated; mend the rules (or the entries they fail on) and activate again",
        .failures.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
    )]
    TrialFailed {
        policy: String,
        version: String,
        failures: Vec<crate::engine::EvalError>,
    },
    #[error("`{name}` is larger than {kib} KiB; a policy file is text of rules")]
    PolicyTooLarge { name: String, kib: u64 },
    #[error("`{0}` is not a policy file; upload a `.toml` file, e.g. customer-service.toml")]
    NotAPolicyFile(String),
    #[error("no policy file or folder `{}`", .0.display())]
    NoPolicyPath(PathBuf),
    #[error("`{}` is not empty; give a new or empty folder", .0.display())]
    FolderNotEmpty(PathBuf),
    /// A notice that starts a deadline or waits on a signature cannot be muted.
    #[error("`{}` notices cannot be muted: they start a deadline or wait on a signature", .0.id())]
    NoticeRequired(crate::domain::notice::NoticeKind),
    /// A kind that can never concern a person of this role (an employee's team digest).
    #[error("`{}` notices never concern a {role}", .kind.id())]
    NoticeNotForRole {
        kind: crate::domain::notice::NoticeKind,
        role: crate::domain::user::Role,
    },
    #[error("unknown channel kind `{0}`; use email, wecom, dingtalk, feishu or webhook")]
    UnknownChannelKind(String),
    #[error("unknown notice kind `{0}`; `appraise notify kind --help` lists them")]
    UnknownNoticeKind(String),
    #[error("no notice channel `{0}`; `appraise notify channel list` shows them")]
    UnknownChannel(String),
    /// A channel's address that its kind cannot use.
    #[error("channel `{name}`: {why}")]
    BadChannel { name: String, why: String },
    /// A photo not taken as evidence.
    #[error("{0}")]
    Photo(crate::intake::photo::PhotoProblem),
    #[error("no photo `{0}`")]
    NoPhoto(String),
    /// Several problems of one request; nothing was done.
    #[error(
        "{}\n{}",
        .problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
        match .outcome {
            Undone::Imported => "nothing was imported",
            Undone::Stored => "nothing was stored",
            Undone::Started => "no review was started",
        }
    )]
    Several {
        problems: Vec<Conflict>,
        outcome: Undone,
    },
}

/// What a request refused for several problems did not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undone {
    Imported,
    Stored,
    Started,
}

/// One of several problems with a change to the staff or a start of the reviews.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    /// A rating whose employee's role has no review chain in its policy.
    #[error(
        "`{employee}` has role `{role}`, for which policy `{policy}` has no review chain; add `{role} = [\"manager\", \"department_head\", \"company\"]` (or the steps it needs) to its [review]"
    )]
    NoReviewChain {
        employee: String,
        role: String,
        policy: String,
    },
    /// A row of a staff file moving someone with logged events, with no month to say from
    /// when (`moves`: the structural fields it changes).
    #[error(
        "{at}: `{employee}` changes {} but has logged events: say from which month with an effective month (YYYY-MM), so that earlier months keep their record",
        .moves.iter().map(|f| f.key()).collect::<Vec<_>>().join(", ")
    )]
    MovesWithEvents {
        at: String,
        employee: String,
        moves: Vec<crate::domain::staff::Field>,
    },
    /// A change from `from` that reaches into closed months.
    #[error(
        "`{employee}`: a change from {from} reaches into closed {}; make it effective from a later month, or reopen {}",
        .closed.join(", "),
        if .closed.len() == 1 { "it" } else { "them" }
    )]
    ReachesClosed {
        employee: String,
        from: Month,
        closed: Vec<String>,
    },
    /// Employment dates that would change whether someone was employed in closed months.
    #[error(
        "`{employee}`: joined {joined} / left {} would change whether they were employed in closed {}; a closed month keeps its record: reopen {} first",
        .left.map_or_else(|| "—".to_string(), |l| l.to_string()),
        .closed.join(", "),
        if .closed.len() == 1 { "it" } else { "them" }
    )]
    EmploymentInClosed {
        employee: String,
        joined: NaiveDate,
        left: Option<NaiveDate>,
        closed: Vec<String>,
    },
}

/// A name that means one kind in a candidate and another in an activated policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameClash {
    pub name: String,
    pub kind: String,
    pub other_policy: String,
    pub other_kind: String,
}
