//! Who may do what, decided in one place for the command line's named actor and the web's
//! logged-in user alike. [`allow`] is a pure function of the person, the action and what it
//! is done to (as the record in force today shows it), so the whole matrix is a table test;
//! `app` resolves the person and the target from the database and asks here before every
//! change.

use crate::domain::user::Role;

/// A change someone asks to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Enter an event (one, or a file of them) for an employee.
    RecordEvent,
    /// Void an entry mistake.
    VoidEvent,
    /// Excuse an event (an appeal upheld).
    ExcuseEvent,
    /// Appeal (申诉) an event of one's own.
    Appeal,
    /// Uphold or reject an appeal.
    DecideAppeal,
    /// Department targets and budget.
    SetTargets,
    /// Staff records, departments and logins.
    ChangeStaff,
    /// Activate a policy version.
    ActivatePolicy,
    /// Close or reopen a month.
    CloseMonth,
    /// Start the year's reviews.
    StartReviews,
    /// Sign the company's (last) review step.
    SignCompanyStep,
    /// Set a login's password.
    SetPassword,
    /// See an employee's record: their events, month scores, explanations and review.
    View,
    /// Read a department's documents (its monthly statement), or the company's (ratings,
    /// every report, the audit log).
    Report,
    /// Rebuild what ratings read (the packs) from the log, after `audit verify` found it
    /// altered.
    RepairRecord,
    /// Set up where notices go, and see the outbox.
    ManageNotices,
    /// Back the database up into the backup folder, or replace it with a backup.
    KeepBackups,
}

impl Action {
    /// What the action is, for a refusal.
    fn describe(self) -> &'static str {
        match self {
            Action::RecordEvent => "enter events",
            Action::VoidEvent => "void events",
            Action::ExcuseEvent => "excuse events",
            Action::Appeal => "appeal events",
            Action::DecideAppeal => "decide appeals",
            Action::SetTargets => "record department targets and budget",
            Action::ChangeStaff => "change staff records, departments and logins",
            Action::ActivatePolicy => "activate policy versions",
            Action::CloseMonth => "close and reopen months",
            Action::StartReviews => "start reviews",
            Action::SignCompanyStep => "sign the company step",
            Action::SetPassword => "set another login's password",
            Action::View => "see the records",
            Action::Report => "read the reports",
            Action::RepairRecord => "rebuild what ratings read from the log",
            Action::ManageNotices => "set up notices and see the outbox",
            Action::KeepBackups => "back up the database or restore a backup",
        }
    }
}

/// The person acting, as far as scope goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person<'a> {
    pub login: &'a str,
    pub role: Role,
    /// The employee the person is.
    pub employee: Option<&'a str>,
    /// The department a head or supervisor works for.
    pub department: Option<&'a str>,
}

/// An employee as the record in force today shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member<'a> {
    pub id: &'a str,
    pub department: &'a str,
    pub supervisor: Option<&'a str>,
}

/// What an action is done to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// The company as a whole (months, policies, reviews, staff).
    Company,
    Department(&'a str),
    Employee(Member<'a>),
    /// A login (its password).
    Login(&'a str),
    /// An event in the log: whose it is and who entered it.
    Event {
        of: Member<'a>,
        recorded_by: &'a str,
    },
}

/// The answer: allowed, or refused with the facts of why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny(Refusal),
}

impl Decision {
    /// The refusal; `None` when allowed.
    pub fn refusal(self) -> Option<Refusal> {
        match self {
            Decision::Allow => None,
            Decision::Deny(why) => Some(why),
        }
    }
}

/// Why a person may not do something, as facts: each front end renders it (`Display` gives
/// the words shared by all; the command line adds the command that mends an unlinked login).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub login: String,
    pub role: Role,
    pub action: Action,
    pub why: Why,
}

/// The reason of a [`Refusal`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// Only one's own events can be appealed; this one is `owner`'s.
    NotOwnEvent { owner: String },
    /// An employee sees only their own record.
    NotOwnRecord { employee: String },
    /// A head's or supervisor's login linked to no department (or team): HR links it.
    Unlinked,
    /// A supervisor voids only the entries they made.
    NotOwnEntry { recorded_by: String },
    /// The employee is outside the person's team or department. An employee not on file
    /// is refused the same way, so that nobody learns who exists.
    OutOfScope { employee: String },
    /// The department is not the person's.
    OtherDepartment { department: String },
    /// The department head or HR does this.
    HeadOrHr,
    /// HR does this.
    HrOnly,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let who = format!("`{}` ({})", self.login, self.role);
        let what = self.action.describe();
        match &self.why {
            Why::NotOwnEvent { owner } => write!(
                f,
                "{who} may appeal only their own events; this one is `{owner}`'s"
            ),
            Why::NotOwnRecord { employee } => {
                write!(f, "{who} may see only their own record, not `{employee}`'s")
            }
            Why::Unlinked => {
                let lacks = match self.role {
                    Role::Head => "department",
                    _ => "team",
                };
                write!(
                    f,
                    "{who} may not {what}: the login has no {lacks}; HR links it to one"
                )
            }
            Why::NotOwnEntry { recorded_by } => write!(
                f,
                "{who} may void only the entries they made; this one was entered by `{recorded_by}`"
            ),
            Why::OutOfScope { employee } => {
                let scope = match self.role {
                    Role::Supervisor => "team (the employees they supervise)",
                    _ => "department",
                };
                write!(
                    f,
                    "{who} may not {what} for `{employee}`: outside their {scope}"
                )
            }
            Why::OtherDepartment { department } => write!(
                f,
                "{who} may not {what} for department `{department}`: outside their department"
            ),
            Why::HeadOrHr => write!(f, "{who} may not {what}; ask the department head or HR"),
            Why::HrOnly => write!(f, "{who} may not {what}; ask HR"),
        }
    }
}

/// May `person` do `action` to `target`?
///
/// - HR: everything.
/// - A head: events of their department's employees (enter, void, excuse) and its targets.
/// - A supervisor: events of their team (the employees whose supervisor they are, or, for a
///   login linked to a department and no employee, that department): enter them, and void
///   the ones they entered themselves.
/// - An employee: none of these changes (they see their own record).
/// - Anyone: their own password, and an appeal of their own events.
/// - Appeals are decided by the head of the employee's department (or HR).
/// - Records are seen by the employee themself, their supervisor, their department's
///   head and HR; a department's reports by its head and HR; the company's by HR.
pub fn allow(person: &Person, action: Action, target: &Target) -> Decision {
    let allowed = match (person.role, action, target) {
        (_, Action::Appeal, Target::Event { of, .. }) => person.employee == Some(of.id),
        (Role::Hr, _, _) => true,
        (_, Action::View, Target::Employee(m)) if person.employee == Some(m.id) => true,
        (Role::Head, Action::View, Target::Employee(m)) => person.department == Some(m.department),
        (Role::Head, Action::Report, Target::Department(d)) => person.department == Some(*d),
        (Role::Supervisor, Action::View, Target::Employee(m)) => in_team(person, m),
        (_, Action::SetPassword, Target::Login(l)) => *l == person.login,
        (Role::Head, Action::DecideAppeal, Target::Event { of: m, .. }) => {
            person.department == Some(m.department)
        }
        (
            Role::Head,
            Action::RecordEvent | Action::VoidEvent | Action::ExcuseEvent,
            Target::Employee(m) | Target::Event { of: m, .. },
        ) => person.department == Some(m.department),
        (Role::Head, Action::SetTargets, Target::Department(d)) => person.department == Some(*d),
        (Role::Supervisor, Action::RecordEvent, Target::Employee(m)) => in_team(person, m),
        (Role::Supervisor, Action::VoidEvent, Target::Event { of, recorded_by }) => {
            in_team(person, of) && *recorded_by == person.login
        }
        _ => false,
    };
    if allowed {
        return Decision::Allow;
    }
    Decision::Deny(refusal(person, action, target))
}

/// A supervisor's team: whom they supervise, or their whole department if the login is
/// linked to a department and no employee.
fn in_team(person: &Person, m: &Member) -> bool {
    match person.employee {
        Some(me) => m.supervisor == Some(me),
        None => person.department == Some(m.department),
    }
}

fn refusal(person: &Person, action: Action, target: &Target) -> Refusal {
    let unlinked =
        person.department.is_none() && (person.role == Role::Head || person.employee.is_none());
    let why = match (person.role, target) {
        (_, Target::Event { of, .. }) if action == Action::Appeal => Why::NotOwnEvent {
            owner: of.id.to_string(),
        },
        (Role::Employee, Target::Employee(m)) if action == Action::View => Why::NotOwnRecord {
            employee: m.id.to_string(),
        },
        (Role::Supervisor | Role::Head, Target::Employee(_) | Target::Event { .. }) if unlinked => {
            Why::Unlinked
        }
        (Role::Supervisor, Target::Event { of, recorded_by })
            if action == Action::VoidEvent && in_team(person, of) =>
        {
            Why::NotOwnEntry {
                recorded_by: recorded_by.to_string(),
            }
        }
        (Role::Supervisor | Role::Head, Target::Employee(m) | Target::Event { of: m, .. })
            if !in_scope(person, m) =>
        {
            Why::OutOfScope {
                employee: m.id.to_string(),
            }
        }
        (Role::Head, Target::Department(d)) => Why::OtherDepartment {
            department: d.to_string(),
        },
        _ => match action {
            Action::ExcuseEvent | Action::SetTargets | Action::DecideAppeal => Why::HeadOrHr,
            _ => Why::HrOnly,
        },
    };
    Refusal {
        login: person.login.to_string(),
        role: person.role,
        action,
        why,
    }
}

/// Whether `m` is within the people a head or supervisor looks after at all.
fn in_scope(person: &Person, m: &Member) -> bool {
    match person.role {
        Role::Supervisor => in_team(person, m),
        _ => person.department == Some(m.department),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const E002: Member = Member {
        id: "E002",
        department: "customer-service",
        supervisor: Some("E001"),
    };
    const E004: Member = Member {
        id: "E004",
        department: "security",
        supervisor: None,
    };

    fn person(
        login: &'static str,
        role: Role,
        employee: Option<&'static str>,
        dept: Option<&'static str>,
    ) -> Person<'static> {
        Person {
            login,
            role,
            employee,
            department: dept,
        }
    }

    /// Every action against every kind of person, with the one answer expected of each.
    #[test]
    fn the_matrix() {
        let hr = person("HR", Role::Hr, None, None);
        let head = person("李经理", Role::Head, Some("E009"), Some("customer-service"));
        let sup = person(
            "张主管",
            Role::Supervisor,
            Some("E001"),
            Some("customer-service"),
        );
        let desk = person("前台", Role::Supervisor, None, Some("security"));
        let emp = person("E002", Role::Employee, Some("E002"), None);
        let own = Target::Event {
            of: E002,
            recorded_by: "张主管",
        };
        let others = Target::Event {
            of: E002,
            recorded_by: "王主管",
        };
        use Action::*;
        let cases: &[(Action, Target, [bool; 5])] = &[
            //                                       hr    head   sup    desk   emp
            (
                RecordEvent,
                Target::Employee(E002),
                [true, true, true, false, false],
            ),
            (
                RecordEvent,
                Target::Employee(E004),
                [true, false, false, true, false],
            ),
            (VoidEvent, own, [true, true, true, false, false]),
            (VoidEvent, others, [true, true, false, false, false]),
            (ExcuseEvent, own, [true, true, false, false, false]),
            (
                SetTargets,
                Target::Department("customer-service"),
                [true, true, false, false, false],
            ),
            (
                SetTargets,
                Target::Department("security"),
                [true, false, false, false, false],
            ),
            (
                ChangeStaff,
                Target::Company,
                [true, false, false, false, false],
            ),
            (
                ActivatePolicy,
                Target::Company,
                [true, false, false, false, false],
            ),
            (
                CloseMonth,
                Target::Company,
                [true, false, false, false, false],
            ),
            (
                RepairRecord,
                Target::Company,
                [true, false, false, false, false],
            ),
            (
                ManageNotices,
                Target::Company,
                [true, false, false, false, false],
            ),
            (
                KeepBackups,
                Target::Company,
                [true, false, false, false, false],
            ),
            (
                StartReviews,
                Target::Company,
                [true, false, false, false, false],
            ),
            (
                SignCompanyStep,
                Target::Company,
                [true, false, false, false, false],
            ),
            (
                SetPassword,
                Target::Login("张主管"),
                [true, false, true, false, false],
            ),
            (
                SetPassword,
                Target::Login("E002"),
                [true, false, false, false, true],
            ),
            // Records: oneself, one's supervisor, the department's head, HR.
            (
                View,
                Target::Employee(E002),
                [true, true, true, false, true],
            ),
            (
                View,
                Target::Employee(E004),
                [true, false, false, true, false],
            ),
            (
                Report,
                Target::Department("customer-service"),
                [true, true, false, false, false],
            ),
            (Report, Target::Company, [true, false, false, false, false]),
            // Only E002 appeals E002's event; its department's head or HR decides.
            (Appeal, own, [false, false, false, false, true]),
            (DecideAppeal, own, [true, true, false, false, false]),
        ];
        for (action, target, expected) in cases {
            for (p, want) in [hr, head, sup, desk, emp].iter().zip(expected) {
                let got = allow(p, *action, target) == Decision::Allow;
                assert_eq!(got, *want, "{} {action:?} {target:?}", p.login);
            }
        }
    }

    #[test]
    fn refusals_say_why_as_facts() {
        let sup = person("张主管", Role::Supervisor, Some("E001"), None);
        let why = |d: Decision| d.refusal().expect("refused").why;
        assert_eq!(
            why(allow(&sup, Action::RecordEvent, &Target::Employee(E004))),
            Why::OutOfScope {
                employee: "E004".into()
            }
        );
        let theirs = Target::Event {
            of: E002,
            recorded_by: "王主管",
        };
        assert_eq!(
            why(allow(&sup, Action::VoidEvent, &theirs)),
            Why::NotOwnEntry {
                recorded_by: "王主管".into()
            }
        );
        assert_eq!(
            why(allow(&sup, Action::CloseMonth, &Target::Company)),
            Why::HrOnly
        );
        // A login linked to nothing: HR must link it (the command line says how).
        let lone = person("新主管", Role::Supervisor, None, None);
        let refused = allow(&lone, Action::RecordEvent, &Target::Employee(E002))
            .refusal()
            .expect("refused");
        assert_eq!(refused.why, Why::Unlinked);
        // The words name no command-line flag: the web shows them too.
        assert!(!refused.to_string().contains("--"), "{refused}");
    }
}
