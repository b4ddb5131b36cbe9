//! The application layer on its own, as a second front end would use it: no command line,
//! only `appraise::app` calls with an acting person, typed results and typed errors.

use appraise::app::{App, Entry, Error, Imported, Invalid, Recorded, Submitted};
use appraise::domain::month::Month;
use appraise::domain::user::{Role, User};
use appraise::evaluation::evaluate::Selection;
use appraise::store::EventFilter;

use crate::util::STAFF;

#[test]
fn a_whole_month_through_the_library_import_score_close() {
    let dir = tempfile::tempdir().unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let app = App::new(dir.path().join("appraise.db"), today);
    let march: Month = "2026-03".parse().unwrap();

    // Nothing works before the workspace exists, and says so by type.
    assert!(matches!(
        app.scores(&appraise::app::Actor::owner(), march, &Selection::default()),
        Err(Error::NoDatabase(_))
    ));
    let setup = app.init("HR王", dir.path()).unwrap();
    assert_eq!(setup.activated.len(), 2);
    // Who acts is a registered login or an employee id; nobody else.
    let hr = app.actor("HR王").unwrap();
    assert!(matches!(app.actor("张主管"), Err(Error::UnknownActor(_))));
    let zhang = User {
        login: "张主管".into(),
        name: "张主管".into(),
        role: Role::Supervisor,
        employee: None,
        department: None,
    };
    let supervisor = app
        .add_user(&hr, zhang.clone())
        .map(|u| app.actor(&u.login).unwrap())
        .unwrap();
    // Only HR registers logins.
    let refused = app.add_user(
        &supervisor,
        User {
            login: "me".into(),
            name: "me".into(),
            role: Role::Hr,
            employee: None,
            department: None,
        },
    );
    assert!(matches!(refused, Err(Error::NotAllowed(_))));

    std::fs::write(dir.path().join("staff.csv"), STAFF).unwrap();
    let staff = app
        .import_staff(&hr, &dir.path().join("staff.csv"), None)
        .unwrap();
    assert_eq!((staff.added, staff.updated), (4, 0));
    // Linked to the department (and no employee of their own), the supervisor enters its
    // events.
    let linked = User {
        department: Some("customer-service".into()),
        ..zhang
    };
    let supervisor = app
        .add_user(&hr, linked)
        .map(|u| app.actor(&u.login).unwrap())
        .unwrap();

    std::fs::write(
        dir.path().join("events.csv"),
        "employee,date,kind,qty,note,recorded_by,minutes\n\
         E002,2026-03-02,late,,,,45\n\
         E002,2026-03-09,quarrel,,,,\n\
         E001,2026-03-10,commendation,,业主来信,,\n",
    )
    .unwrap();
    let events = dir.path().join("events.csv");
    // A dry run validates and stores nothing.
    assert_eq!(
        app.import_events(&supervisor, &events, true).unwrap(),
        Imported::Valid {
            file: events.display().to_string(),
            rows: 3,
            encoding: appraise::intake::Encoding::Utf8,
        }
    );
    assert!(
        app.events(&appraise::app::Actor::owner(), &EventFilter::default())
            .unwrap()
            .is_empty()
    );
    let Imported::Stored { ids, already, .. } =
        app.import_events(&supervisor, &events, false).unwrap()
    else {
        panic!("a real import stores");
    };
    assert_eq!(
        (ids.first(), ids.last(), ids.len(), already),
        (Some(1), Some(3), 3, 0)
    );

    // One more entry by hand, then the month's scores.
    let id = app
        .add_event(
            &supervisor,
            Entry {
                employee: "E002".into(),
                kind: "uniform".into(),
                date: "2026-03-20".into(),
                ..Entry::default()
            },
            false,
        )
        .unwrap();
    assert_eq!(id, Recorded::Event(4));
    let scores = app
        .scores(&appraise::app::Actor::owner(), march, &Selection::default())
        .unwrap();
    let e002 = scores.iter().find(|s| s.employee == "E002").unwrap();
    // late 45 minutes -3, quarrel -5, uniform -1.
    assert_eq!(e002.score.to_string(), "91");
    assert_eq!(e002.items.len(), 3);
    assert_eq!(
        e002.items
            .iter()
            .filter_map(|i| i.event)
            .collect::<Vec<_>>(),
        vec![1, 2, 4]
    );

    // Closing freezes the month: its scores stay, its log takes no more entries.
    let closed = app.close_month(&hr, march).unwrap();
    assert_eq!((closed.scores, closed.failed), (3, 0));
    let refused = app
        .add_event(
            &supervisor,
            Entry {
                employee: "E002".into(),
                kind: "uniform".into(),
                date: "2026-03-21".into(),
                ..Entry::default()
            },
            false,
        )
        .unwrap_err();
    assert!(refused.is_refusal(), "{refused}");
    assert!(
        refused.to_string().contains("2026-03 is closed"),
        "{refused}"
    );
    let void = app.void_event(&supervisor, 2, "wrong day").unwrap_err();
    assert!(
        matches!(void, Error::Store(_)) && void.is_refusal(),
        "{void}"
    );
    assert_eq!(
        app.scores(&appraise::app::Actor::owner(), march, &Selection::default())
            .unwrap(),
        scores
    );

    // Who did what is on record under the names the calls were made with.
    let audit = app.audit(&appraise::app::Actor::owner(), None).unwrap();
    for (actor, action) in [("HR王", "close"), ("张主管", "import"), ("张主管", "add")] {
        assert!(
            audit
                .iter()
                .any(|e| e.actor == actor && e.action.contains(action)),
            "{actor} {action}: {audit:#?}"
        );
    }
    // A blank name is not an actor.
    assert!(matches!(app.actor("  "), Err(Error::NoActor)));
    // An employee acts under their id.
    assert_eq!(app.actor("E002").unwrap().employee(), Some("E002"));
}

#[test]
fn passwords_and_sessions_turn_a_login_into_an_actor() {
    let dir = tempfile::tempdir().unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let app = App::new(dir.path().join("appraise.db"), today);
    app.init("HR", dir.path()).unwrap();
    let hr = app.actor("HR").unwrap();
    let zhang = User {
        login: "zhang".into(),
        name: "张主管".into(),
        role: Role::Supervisor,
        employee: None,
        department: None,
    };
    app.add_user(&hr, zhang).unwrap();
    let zhang = app.actor("zhang").unwrap();

    // No password yet: no way in, and the same answer as a wrong password.
    let no = app.login("zhang", "whatever1", "local").unwrap_err();
    assert!(matches!(no, Error::WrongLogin));
    assert!(matches!(
        app.set_password(&zhang, "zhang", "short"),
        Err(Error::Invalid(Invalid::PasswordTooShort(_)))
    ));
    // Only HR sets someone else's password.
    assert!(matches!(
        app.set_password(&zhang, "HR", "long enough 1"),
        Err(Error::NotAllowed(_))
    ));
    app.set_password(&zhang, "zhang", "front-desk-2026")
        .unwrap();
    assert_eq!(
        app.login("zhang", "front-desk-2025", "local")
            .unwrap_err()
            .to_string(),
        app.login("nobody", "front-desk-2026", "local")
            .unwrap_err()
            .to_string()
    );

    let session = app.login("zhang", "front-desk-2026", "local").unwrap();
    assert_eq!(session.token.len(), 64);
    let actor = app.session_actor(&session.token).unwrap();
    assert_eq!(actor.name(), "zhang");
    assert_eq!(actor.role(), Some(Role::Supervisor));
    // The database keeps neither the password nor the token.
    // (The write-ahead log holds recent pages: both files are searched.)
    let mut db = std::fs::read(dir.path().join("appraise.db")).unwrap();
    db.extend(std::fs::read(dir.path().join("appraise.db-wal")).unwrap_or_default());
    assert!(
        db.windows(5).any(|w| w == b"zhang"),
        "the search sees the data"
    );
    let held = |needle: &str| db.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(!held("front-desk-2026") && !held(&session.token));

    app.logout(&session.token).unwrap();
    assert!(matches!(
        app.session_actor(&session.token),
        Err(Error::SessionEnded)
    ));
    assert!(matches!(
        app.session_actor("forged"),
        Err(Error::SessionEnded)
    ));
    let audit = app.audit(&appraise::app::Actor::owner(), None).unwrap();
    for action in ["user.passwd", "user.login", "user.logout"] {
        assert!(
            audit
                .iter()
                .any(|e| e.action == action && e.actor == "zhang"),
            "{action}"
        );
    }
}

#[test]
fn entries_of_several_people_commit_together_each_answered_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let app = App::new(dir.path().join("appraise.db"), today);
    app.init("HR", dir.path()).unwrap();
    let hr = app.actor("HR").unwrap();
    std::fs::write(dir.path().join("staff.csv"), STAFF).unwrap();
    app.import_staff(&hr, &dir.path().join("staff.csv"), None)
        .unwrap();
    let login = |login: &str, department: &str| {
        let user = User {
            login: login.into(),
            name: login.into(),
            role: Role::Supervisor,
            employee: None,
            department: Some(department.into()),
        };
        app.add_user(&hr, user).unwrap();
        app.actor(login).unwrap()
    };
    let zhang = login("zhang", "customer-service");
    let guard = login("guard", "security");
    let entry =
        |by: &appraise::app::Actor, employee: &str, kind: &str, date: &str, again| Submitted {
            by: by.clone(),
            entry: Entry {
                employee: employee.into(),
                kind: kind.into(),
                date: date.into(),
                ..Entry::default()
            },
            again,
        };
    let answers = app
        .add_events(vec![
            entry(&zhang, "E002", "uniform", "2026-06-02", false),
            entry(&guard, "E002", "uniform", "2026-06-03", false),
            // The same as the first, in the same batch: refused, naming it.
            entry(&zhang, "E002", "uniform", "2026-06-02", false),
            entry(&zhang, "E002", "no-such-kind", "2026-06-02", false),
            entry(&zhang, "E002", "uniform", "2026-06-02", true),
            entry(&hr, "E001", "commendation", "2026-06-05", false),
        ])
        .unwrap();
    assert_eq!(answers.len(), 6);
    assert_eq!(answers[0].as_ref().unwrap(), &Recorded::Event(1));
    assert!(
        matches!(answers[1], Err(Error::NotAllowed(_))),
        "{:?}",
        answers[1]
    );
    assert!(
        matches!(answers[2], Err(Error::SameEvent { id: 1, .. })),
        "{:?}",
        answers[2]
    );
    assert!(
        matches!(answers[3], Err(Error::Rejected { .. })),
        "{:?}",
        answers[3]
    );
    assert_eq!(answers[4].as_ref().unwrap(), &Recorded::Event(2));
    assert_eq!(answers[5].as_ref().unwrap(), &Recorded::Event(3));

    // Exactly the accepted entries are in the log, each audited under its own person.
    let log = app
        .events(&appraise::app::Actor::owner(), &EventFilter::default())
        .unwrap();
    let stored: Vec<(i64, &str)> = log.iter().map(|e| (e.id, &*e.recorded_by)).collect();
    assert_eq!(stored, [(1, "zhang"), (2, "zhang"), (3, "HR")]);
    let audit = app.audit(&appraise::app::Actor::owner(), None).unwrap();
    let added: Vec<(&str, &str)> = audit
        .iter()
        .filter(|e| e.action == "log.add")
        .map(|e| (e.actor.as_str(), e.subject.as_str()))
        .collect();
    assert_eq!(
        added,
        [
            ("zhang", "event 1"),
            ("zhang", "event 2"),
            ("HR", "event 3")
        ]
    );
    assert_eq!(
        app.verify(&appraise::app::Actor::owner(),).unwrap().broken,
        None
    );
}
