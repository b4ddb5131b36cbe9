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

/// The answer: allowed, or refused with the reason in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny(String),
}

impl Decision {
    /// The reason for a refusal; `None` when allowed.
    pub fn refusal(self) -> Option<String> {
        match self {
            Decision::Allow => None,
            Decision::Deny(why) => Some(why),
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

fn refusal(person: &Person, action: Action, target: &Target) -> String {
    let who = format!("`{}` ({})", person.login, person.role);
    let what = action.describe();
    let unlinked =
        person.department.is_none() && (person.role == Role::Head || person.employee.is_none());
    match (person.role, target) {
        (_, Target::Event { of, .. }) if action == Action::Appeal => format!(
            "{who} may appeal only their own events; this one is `{}`'s",
            of.id
        ),
        (Role::Employee, Target::Employee(m)) if action == Action::View => {
            format!("{who} may see only their own record, not `{}`'s", m.id)
        }
        (Role::Supervisor | Role::Head, Target::Employee(_) | Target::Event { .. }) if unlinked => {
            let (lacks, flag) = match person.role {
                Role::Head => ("department", "--department ID`"),
                _ => ("team", "--employee ID` or `--department ID`"),
            };
            format!(
                "{who} may not {what}: the login has no {lacks}; link it with `appraise user add {} … {flag} (by HR)",
                person.login
            )
        }
        (Role::Supervisor, Target::Event { of, recorded_by })
            if action == Action::VoidEvent && in_team(person, of) =>
        {
            format!(
                "{who} may void only the entries they made; this one was entered by `{recorded_by}`"
            )
        }
        (Role::Supervisor | Role::Head, Target::Employee(m) | Target::Event { of: m, .. })
            if !in_scope(person, m) =>
        {
            format!(
                "{who} may not {what} for `{}`: outside their {}",
                m.id,
                scope_name(person)
            )
        }
        (Role::Head, Target::Department(d)) => {
            format!("{who} may not {what} for department `{d}`: outside their department")
        }
        _ => match action {
            Action::ExcuseEvent | Action::SetTargets | Action::DecideAppeal => {
                format!("{who} may not {what}; ask the department head or HR")
            }
            _ => format!("{who} may not {what}; ask HR"),
        },
    }
}

/// Whether `m` is within the people a head or supervisor looks after at all.
fn in_scope(person: &Person, m: &Member) -> bool {
    match person.role {
        Role::Supervisor => in_team(person, m),
        _ => person.department == Some(m.department),
    }
}

fn scope_name(person: &Person) -> &'static str {
    match (person.role, person.employee) {
        (Role::Supervisor, Some(_)) => "team (the employees they supervise)",
        _ => "department",
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
    fn refusals_say_why() {
        let sup = person("张主管", Role::Supervisor, Some("E001"), None);
        let Decision::Deny(m) = allow(&sup, Action::RecordEvent, &Target::Employee(E004)) else {
            panic!("allowed")
        };
        assert!(m.contains("`E004`") && m.contains("team"), "{m}");
        let theirs = Target::Event {
            of: E002,
            recorded_by: "王主管",
        };
        let Decision::Deny(m) = allow(&sup, Action::VoidEvent, &theirs) else {
            panic!("allowed")
        };
        assert!(m.contains("entered by `王主管`"), "{m}");
        let Decision::Deny(m) = allow(&sup, Action::CloseMonth, &Target::Company) else {
            panic!("allowed")
        };
        assert!(m.contains("ask HR"), "{m}");
        // A login linked to nothing is told how to mend it.
        let lone = person("新主管", Role::Supervisor, None, None);
        let Decision::Deny(m) = allow(&lone, Action::RecordEvent, &Target::Employee(E002)) else {
            panic!("allowed")
        };
        assert!(
            m.contains("has no team") && m.contains("--employee ID"),
            "{m}"
        );
    }
}
