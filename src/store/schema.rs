//! The database schema, as an ordered list of migrations (`PRAGMA user_version` counts how
//! many ran). A migration is never edited once released; a change is a new migration.

/// The schema version that brought the hash chain: migrating to it seals what was there.
pub const CHAIN_VERSION: usize = 8;

/// The schema version that brought packs: migrating to it packs the log that was there.
pub const PACKS_VERSION: usize = 14;

/// The version from which the tables of current rows are sealed (`store::seals`); the rows
/// written before it are sealed when it runs.
pub const SEALS_VERSION: usize = 15;

pub const MIGRATIONS: &[&str] = &[
    // 1: departments, staff, append-only events and voids, activated policy versions, imports.
    r#"
    CREATE TABLE departments (
        id   TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        head TEXT
    );
    CREATE TABLE staff (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        department TEXT NOT NULL REFERENCES departments(id),
        role       TEXT NOT NULL,
        joined     TEXT NOT NULL,
        left_on    TEXT,
        supervisor TEXT,
        attrs      TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE imports (
        id          INTEGER PRIMARY KEY,
        file        TEXT NOT NULL,
        rows        INTEGER NOT NULL,
        stored      INTEGER NOT NULL,
        by          TEXT NOT NULL,
        at          TEXT NOT NULL
    );
    CREATE TABLE events (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        employee    TEXT NOT NULL REFERENCES staff(id),
        date        TEXT NOT NULL,
        kind        TEXT NOT NULL,
        qty         INTEGER NOT NULL CHECK (qty > 0),
        note        TEXT NOT NULL,
        fields      TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        import_id   INTEGER REFERENCES imports(id),
        digest      TEXT NOT NULL
    );
    CREATE INDEX events_by_employee ON events(employee, date);
    CREATE INDEX events_by_date ON events(date);
    CREATE INDEX events_by_digest ON events(digest);
    CREATE TABLE voids (
        event_id INTEGER PRIMARY KEY REFERENCES events(id),
        reason   TEXT NOT NULL,
        by       TEXT NOT NULL,
        at       TEXT NOT NULL
    );
    CREATE TABLE policy_versions (
        id             INTEGER PRIMARY KEY,
        policy_id      TEXT NOT NULL,
        name           TEXT NOT NULL,
        version        TEXT NOT NULL,
        effective_from TEXT NOT NULL,
        departments    TEXT NOT NULL,
        bundle         TEXT NOT NULL,
        hash           TEXT NOT NULL,
        activated_by   TEXT NOT NULL,
        activated_at   TEXT NOT NULL
    );
    -- History is never rewritten: events, voids and activations are append-only.
    CREATE TRIGGER events_append_only_u BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only; void an event instead'); END;
    CREATE TRIGGER events_append_only_d BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only; void an event instead'); END;
    CREATE TRIGGER voids_append_only_u BEFORE UPDATE ON voids
        BEGIN SELECT RAISE(ABORT, 'voids are append-only'); END;
    CREATE TRIGGER voids_append_only_d BEFORE DELETE ON voids
        BEGIN SELECT RAISE(ABORT, 'voids are append-only'); END;
    CREATE TRIGGER versions_append_only_u BEFORE UPDATE ON policy_versions
        BEGIN SELECT RAISE(ABORT, 'policy versions are append-only'); END;
    CREATE TRIGGER versions_append_only_d BEFORE DELETE ON policy_versions
        BEGIN SELECT RAISE(ABORT, 'policy versions are append-only'); END;
    "#,
    // 2: excuses, closed months with snapshots, restatements, and the audit log (filled
    // from what earlier versions recorded).
    r#"
    CREATE TABLE excuses (
        event_id INTEGER PRIMARY KEY REFERENCES events(id),
        reason   TEXT NOT NULL,
        by       TEXT NOT NULL,
        at       TEXT NOT NULL
    );
    CREATE TABLE month_closes (
        id     INTEGER PRIMARY KEY,
        month  TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('close', 'reopen')),
        reason TEXT,
        by     TEXT NOT NULL,
        at     TEXT NOT NULL
    );
    CREATE INDEX month_closes_by_month ON month_closes(month);
    CREATE TABLE snapshots (
        close_id      INTEGER PRIMARY KEY REFERENCES month_closes(id),
        month         TEXT NOT NULL,
        scores        TEXT NOT NULL,
        policy_hashes TEXT NOT NULL
    );
    ALTER TABLE policy_versions ADD COLUMN restated TEXT;
    CREATE TABLE audit (
        id      INTEGER PRIMARY KEY,
        at      TEXT NOT NULL,
        actor   TEXT NOT NULL,
        action  TEXT NOT NULL,
        subject TEXT NOT NULL,
        detail  TEXT NOT NULL
    );
    INSERT INTO audit (at, actor, action, subject, detail)
    SELECT at, actor, action, subject, detail FROM (
        SELECT activated_at AS at, activated_by AS actor, 'rules.activate' AS action,
               policy_id || ' ' || version AS subject, '#' || id || ' effective from ' || effective_from AS detail
          FROM policy_versions
        UNION ALL
        SELECT at, by, 'log.import', file, rows || ' rows: ' || stored || ' stored' FROM imports
        UNION ALL
        SELECT recorded_at, recorded_by, 'log.add', 'event ' || id, employee || ' ' || date || ' ' || kind
          FROM events WHERE import_id IS NULL
        UNION ALL
        SELECT at, by, 'log.void', 'event ' || event_id, reason FROM voids
    ) ORDER BY at;
    CREATE TRIGGER excuses_append_only_u BEFORE UPDATE ON excuses
        BEGIN SELECT RAISE(ABORT, 'excuses are append-only'); END;
    CREATE TRIGGER excuses_append_only_d BEFORE DELETE ON excuses
        BEGIN SELECT RAISE(ABORT, 'excuses are append-only'); END;
    CREATE TRIGGER month_closes_append_only_u BEFORE UPDATE ON month_closes
        BEGIN SELECT RAISE(ABORT, 'month closes are append-only'); END;
    CREATE TRIGGER month_closes_append_only_d BEFORE DELETE ON month_closes
        BEGIN SELECT RAISE(ABORT, 'month closes are append-only'); END;
    CREATE TRIGGER snapshots_append_only_u BEFORE UPDATE ON snapshots
        BEGIN SELECT RAISE(ABORT, 'snapshots are append-only'); END;
    CREATE TRIGGER snapshots_append_only_d BEFORE DELETE ON snapshots
        BEGIN SELECT RAISE(ABORT, 'snapshots are append-only'); END;
    CREATE TRIGGER audit_append_only_u BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_append_only_d BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    "#,
    // 3: the annual review chain, and department targets and budgets.
    r#"
    CREATE TABLE reviews (
        id          INTEGER PRIMARY KEY,
        year        INTEGER NOT NULL,
        employee    TEXT NOT NULL REFERENCES staff(id),
        role        TEXT NOT NULL,
        proposal    TEXT NOT NULL,
        policy_hash TEXT NOT NULL,
        steps       TEXT NOT NULL,
        started_by  TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        UNIQUE (year, employee)
    );
    CREATE TABLE review_signatures (
        id         INTEGER PRIMARY KEY,
        review_id  INTEGER NOT NULL REFERENCES reviews(id),
        step_index INTEGER NOT NULL,
        step       TEXT NOT NULL,
        grade      TEXT NOT NULL,
        signer     TEXT NOT NULL,
        comment    TEXT NOT NULL,
        at         TEXT NOT NULL,
        UNIQUE (review_id, step_index)
    );
    CREATE TABLE dept_targets (
        id         INTEGER PRIMARY KEY,
        department TEXT NOT NULL REFERENCES departments(id),
        year       INTEGER NOT NULL,
        name       TEXT NOT NULL,
        met        INTEGER NOT NULL,
        by         TEXT NOT NULL,
        at         TEXT NOT NULL
    );
    CREATE TABLE dept_budgets (
        id         INTEGER PRIMARY KEY,
        department TEXT NOT NULL REFERENCES departments(id),
        year       INTEGER NOT NULL,
        budget     INTEGER NOT NULL,
        spent      INTEGER NOT NULL,
        by         TEXT NOT NULL,
        at         TEXT NOT NULL
    );
    CREATE TRIGGER reviews_append_only_u BEFORE UPDATE ON reviews
        BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
    CREATE TRIGGER reviews_append_only_d BEFORE DELETE ON reviews
        BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
    CREATE TRIGGER signatures_append_only_u BEFORE UPDATE ON review_signatures
        BEGIN SELECT RAISE(ABORT, 'signed review steps cannot change'); END;
    CREATE TRIGGER signatures_append_only_d BEFORE DELETE ON review_signatures
        BEGIN SELECT RAISE(ABORT, 'signed review steps cannot change'); END;
    "#,
    // 4: shorter content digests (the first 16 hex digits of the same SHA-256): a smaller,
    // faster index; a digest match is confirmed against the content itself.
    r#"
    DROP TRIGGER events_append_only_u;
    UPDATE events SET digest = substr(digest, 1, 16);
    CREATE TRIGGER events_append_only_u BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only; void an event instead'); END;
    "#,
    // 5: no digest index. A re-import finds the rows it already stored through the
    // (employee, date) index, which an import walks in order, instead of a hash index it
    // touched at a random page per row, the slowest part of an import.
    r#"
    DROP INDEX events_by_digest;
    "#,
    // 6: staff records over time. Each part of a record (name, department, role,
    // supervisor, each attribute) keeps its history as changes that take effect from a
    // month; a month is scored with the record in force then. The `staff` table keeps the
    // identity and the employment dates; its other columns hold the record as first stored.
    // Reviews remember who was the supervisor and the department head when they started.
    r#"
    CREATE TABLE staff_changes (
        id         INTEGER PRIMARY KEY,
        employee   TEXT NOT NULL REFERENCES staff(id),
        field      TEXT NOT NULL,
        value      TEXT,
        from_month TEXT NOT NULL,
        source     TEXT NOT NULL,
        by         TEXT NOT NULL,
        at         TEXT NOT NULL
    );
    CREATE INDEX staff_changes_by_employee ON staff_changes(employee, id);
    INSERT INTO staff_changes (employee, field, value, from_month, source, by, at)
    SELECT id, field, value, substr(joined, 1, 7), 'schema v6', 'appraise', strftime('%Y-%m-%dT%H:%M:%S', 'now')
    FROM (
        SELECT id, joined, 'name' AS field, name AS value, 1 AS o FROM staff
        UNION ALL SELECT id, joined, 'department', department, 2 FROM staff
        UNION ALL SELECT id, joined, 'role', role, 3 FROM staff
        UNION ALL SELECT id, joined, 'supervisor', supervisor, 4 FROM staff WHERE supervisor IS NOT NULL
        UNION ALL SELECT s.id, s.joined, 'attr:' || a.key, a.value, 5 FROM staff s, json_each(s.attrs) a
    ) ORDER BY id, o, field;
    CREATE TRIGGER staff_changes_append_only_u BEFORE UPDATE ON staff_changes
        BEGIN SELECT RAISE(ABORT, 'staff changes are append-only; record a new change'); END;
    CREATE TRIGGER staff_changes_append_only_d BEFORE DELETE ON staff_changes
        BEGIN SELECT RAISE(ABORT, 'staff changes are append-only; record a new change'); END;
    ALTER TABLE reviews ADD COLUMN supervisor TEXT;
    ALTER TABLE reviews ADD COLUMN head TEXT;
    DROP TRIGGER reviews_append_only_u;
    UPDATE reviews SET
        supervisor = (SELECT supervisor FROM staff WHERE staff.id = reviews.employee),
        head = (SELECT head FROM departments
                WHERE departments.id = json_extract(reviews.proposal, '$.department'));
    CREATE TRIGGER reviews_append_only_u BEFORE UPDATE ON reviews
        BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
    "#,
    // 7: the people who act: registered logins with a role, linked to an employee and/or
    // a department. Every change names one of them, or an employee.
    r#"
    CREATE TABLE users (
        login      TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        role       TEXT NOT NULL CHECK (role IN ('hr', 'head', 'supervisor', 'employee')),
        employee   TEXT REFERENCES staff(id),
        department TEXT REFERENCES departments(id),
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    "#,
    // 8: the hash chain that seals the record (see `store/chain.rs`); the rows written
    // before it are sealed when this migration runs.
    r#"
    CREATE TABLE chain (
        seq   INTEGER PRIMARY KEY,
        tbl   TEXT NOT NULL,
        first INTEGER NOT NULL,
        last  INTEGER NOT NULL,
        hash  TEXT NOT NULL
    );
    CREATE INDEX chain_by_table ON chain(tbl, first);
    CREATE TRIGGER chain_append_only_u BEFORE UPDATE ON chain
        BEGIN SELECT RAISE(ABORT, 'the chain is append-only'); END;
    CREATE TRIGGER chain_append_only_d BEFORE DELETE ON chain
        BEGIN SELECT RAISE(ABORT, 'the chain is append-only'); END;
    "#,
    // 9: passwords (argon2id PHC strings) and sessions. A session is kept by the hash of
    // its token: the database never holds a token that would let someone in.
    r#"
    ALTER TABLE users ADD COLUMN password TEXT;
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        login      TEXT NOT NULL REFERENCES users(login),
        started_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        ended_at   TEXT
    );
    "#,
    // 10: login attempts, for throttling guessing (per login and per address). Operational,
    // not part of the record: outside the chain.
    r#"
    CREATE TABLE login_attempts (
        login   TEXT NOT NULL,
        address TEXT NOT NULL,
        at      INTEGER NOT NULL,
        ok      INTEGER NOT NULL
    );
    CREATE INDEX login_attempts_by_login ON login_attempts(login, at);
    CREATE INDEX login_attempts_by_address ON login_attempts(address, at);
    "#,
    // 11: appeals (申诉) against events, one per event, and the head's decision on each.
    // Part of the record: append-only and chained.
    r#"
    CREATE TABLE appeals (
        id       INTEGER PRIMARY KEY,
        event_id INTEGER NOT NULL UNIQUE REFERENCES events(id),
        reason   TEXT NOT NULL,
        by       TEXT NOT NULL,
        at       TEXT NOT NULL
    );
    CREATE TABLE appeal_decisions (
        appeal_id INTEGER PRIMARY KEY REFERENCES appeals(id),
        outcome   TEXT NOT NULL CHECK (outcome IN ('upheld', 'rejected')),
        reason    TEXT NOT NULL,
        by        TEXT NOT NULL,
        at        TEXT NOT NULL
    );
    CREATE TRIGGER appeals_append_only_u BEFORE UPDATE ON appeals
        BEGIN SELECT RAISE(ABORT, 'appeals are append-only'); END;
    CREATE TRIGGER appeals_append_only_d BEFORE DELETE ON appeals
        BEGIN SELECT RAISE(ABORT, 'appeals are append-only'); END;
    CREATE TRIGGER appeal_decisions_append_only_u BEFORE UPDATE ON appeal_decisions
        BEGIN SELECT RAISE(ABORT, 'appeal decisions are append-only'); END;
    CREATE TRIGGER appeal_decisions_append_only_d BEFORE DELETE ON appeal_decisions
        BEGIN SELECT RAISE(ABORT, 'appeal decisions are append-only'); END;
    "#,
    // 12: an entry's check for an exact copy of a live event finds it by its content, not
    // by reading every event of the employee's day.
    r#"
    CREATE INDEX events_by_content ON events(employee, date, kind, note);
    "#,
    // 13: attendance — the roster, the time clock's punches and handover records as
    // imported, the employee-days each import of punches or records speaks for, and which
    // events were derived by which import. Part of the record: append-only and chained.
    r#"
    CREATE TABLE attendance_imports (
        id   INTEGER PRIMARY KEY,
        what TEXT NOT NULL CHECK (what IN ('roster', 'clock', 'handover', 'correction')),
        file TEXT NOT NULL,
        rows INTEGER NOT NULL,
        by   TEXT NOT NULL,
        at   TEXT NOT NULL
    );
    CREATE TABLE roster (
        id        INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES attendance_imports(id),
        employee  TEXT NOT NULL,
        date      TEXT NOT NULL,
        start     TEXT NOT NULL,
        end       TEXT NOT NULL,
        handover  INTEGER NOT NULL,
        source    TEXT NOT NULL
    );
    CREATE INDEX roster_by_day ON roster(employee, date);
    CREATE TABLE punches (
        id        INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES attendance_imports(id),
        employee  TEXT NOT NULL,
        at        TEXT NOT NULL,
        source    TEXT NOT NULL
    );
    CREATE INDEX punches_by_time ON punches(employee, at);
    CREATE TABLE handovers (
        id        INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES attendance_imports(id),
        employee  TEXT NOT NULL,
        at        TEXT NOT NULL,
        source    TEXT NOT NULL
    );
    CREATE INDEX handovers_by_time ON handovers(employee, at);
    CREATE TABLE covered (
        id        INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES attendance_imports(id),
        employee  TEXT NOT NULL,
        date      TEXT NOT NULL
    );
    CREATE INDEX covered_by_day ON covered(employee, date);
    CREATE TABLE derived (
        event_id  INTEGER PRIMARY KEY REFERENCES events(id),
        import_id INTEGER NOT NULL REFERENCES attendance_imports(id)
    );
    -- Punch corrections (补卡): asked for, then approved or rejected once. An approved one's
    -- punches are stored as an import of their own (`what = 'correction'`).
    CREATE TABLE corrections (
        id       INTEGER PRIMARY KEY,
        employee TEXT NOT NULL,
        date     TEXT NOT NULL,
        in_time  TEXT,
        out_time TEXT,
        reason   TEXT NOT NULL,
        by       TEXT NOT NULL,
        at       TEXT NOT NULL
    );
    CREATE TABLE correction_decisions (
        correction_id INTEGER PRIMARY KEY REFERENCES corrections(id),
        outcome       TEXT NOT NULL CHECK (outcome IN ('approved', 'rejected')),
        reason        TEXT NOT NULL,
        by            TEXT NOT NULL,
        at            TEXT NOT NULL
    );
    CREATE TRIGGER corrections_append_only_u BEFORE UPDATE ON corrections
        BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;
    CREATE TRIGGER corrections_append_only_d BEFORE DELETE ON corrections
        BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;
    CREATE TRIGGER correction_decisions_append_only_u BEFORE UPDATE ON correction_decisions
        BEGIN SELECT RAISE(ABORT, 'correction decisions are append-only'); END;
    CREATE TRIGGER correction_decisions_append_only_d BEFORE DELETE ON correction_decisions
        BEGIN SELECT RAISE(ABORT, 'correction decisions are append-only'); END;
    CREATE TRIGGER attendance_imports_append_only_u BEFORE UPDATE ON attendance_imports
        BEGIN SELECT RAISE(ABORT, 'attendance imports are append-only'); END;
    CREATE TRIGGER attendance_imports_append_only_d BEFORE DELETE ON attendance_imports
        BEGIN SELECT RAISE(ABORT, 'attendance imports are append-only'); END;
    CREATE TRIGGER roster_append_only_u BEFORE UPDATE ON roster
        BEGIN SELECT RAISE(ABORT, 'the roster is append-only; import a corrected roster'); END;
    CREATE TRIGGER roster_append_only_d BEFORE DELETE ON roster
        BEGIN SELECT RAISE(ABORT, 'the roster is append-only; import a corrected roster'); END;
    CREATE TRIGGER punches_append_only_u BEFORE UPDATE ON punches
        BEGIN SELECT RAISE(ABORT, 'punches are append-only'); END;
    CREATE TRIGGER punches_append_only_d BEFORE DELETE ON punches
        BEGIN SELECT RAISE(ABORT, 'punches are append-only'); END;
    CREATE TRIGGER handovers_append_only_u BEFORE UPDATE ON handovers
        BEGIN SELECT RAISE(ABORT, 'handover records are append-only'); END;
    CREATE TRIGGER handovers_append_only_d BEFORE DELETE ON handovers
        BEGIN SELECT RAISE(ABORT, 'handover records are append-only'); END;
    CREATE TRIGGER covered_append_only_u BEFORE UPDATE ON covered
        BEGIN SELECT RAISE(ABORT, 'coverage is append-only'); END;
    CREATE TRIGGER covered_append_only_d BEFORE DELETE ON covered
        BEGIN SELECT RAISE(ABORT, 'coverage is append-only'); END;
    CREATE TRIGGER derived_append_only_u BEFORE UPDATE ON derived
        BEGIN SELECT RAISE(ABORT, 'derivations are append-only'); END;
    CREATE TRIGGER derived_append_only_d BEFORE DELETE ON derived
        BEGIN SELECT RAISE(ABORT, 'derivations are append-only'); END;
    "#,
    // 14: packs — each employee-month's events as one record in scoring order, derived from
    // the log in the same transaction as every append (see `store::packs`). The content
    // index begins with (employee, date), so the employee index is one index too many.
    r#"
    CREATE TABLE packs (
        employee TEXT NOT NULL,
        month    TEXT NOT NULL,
        data     BLOB NOT NULL,
        PRIMARY KEY (employee, month)
    ) WITHOUT ROWID;
    DROP INDEX events_by_employee;
    "#,
    // 15: the digests of the tables that hold current rows (staff, departments, logins,
    // imports, department targets and budgets, the signers of reviews), chained.
    r#"
    CREATE TABLE row_seals (
        id     INTEGER PRIMARY KEY,
        tbl    TEXT NOT NULL,
        key    TEXT NOT NULL,
        digest TEXT
    );
    CREATE INDEX row_seals_by_row ON row_seals(tbl, key, id);
    CREATE TRIGGER row_seals_append_only_u BEFORE UPDATE ON row_seals
        BEGIN SELECT RAISE(ABORT, 'seals are append-only'); END;
    CREATE TRIGGER row_seals_append_only_d BEFORE DELETE ON row_seals
        BEGIN SELECT RAISE(ABORT, 'seals are append-only'); END;
    "#,
    // 16: released days — a corrected export of the same span supersedes the earlier one,
    // which no longer speaks for the days the correction leaves out (a mistyped date that
    // stretched it over months). A day is covered by the latest import that covers it,
    // unless a later one released it.
    r#"
    CREATE TABLE released (
        id        INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES attendance_imports(id),
        employee  TEXT NOT NULL,
        date      TEXT NOT NULL
    );
    CREATE INDEX released_by_day ON released(employee, date);
    CREATE INDEX covered_by_date ON covered(date, import_id);
    CREATE TRIGGER released_append_only_u BEFORE UPDATE ON released
        BEGIN SELECT RAISE(ABORT, 'released days are append-only'); END;
    CREATE TRIGGER released_append_only_d BEFORE DELETE ON released
        BEGIN SELECT RAISE(ABORT, 'released days are append-only'); END;
    "#,
    // 17: source row ids. A file whose rows carry an id (`row_id`) is de-duplicated by it:
    // a row whose id was imported before is already in the log, however the rows are split
    // into files; the same id with other content is refused.
    r#"
    CREATE TABLE event_sources (
        event_id INTEGER PRIMARY KEY REFERENCES events(id),
        source   TEXT NOT NULL UNIQUE,
        digest   TEXT NOT NULL
    );
    CREATE TRIGGER event_sources_append_only_u BEFORE UPDATE ON event_sources
        BEGIN SELECT RAISE(ABORT, 'row ids are append-only'); END;
    CREATE TRIGGER event_sources_append_only_d BEFORE DELETE ON event_sources
        BEGIN SELECT RAISE(ABORT, 'row ids are append-only'); END;
    "#,
    // 18: leave and the holiday calendar, as attendance intakes: an import (or a decision on
    // one request) is an attendance import of what `leave` or `holiday`, and the days it
    // touches are derived again in its transaction. `attendance_imports` is rebuilt to
    // allow them (its rows unchanged: the chain hashes the same columns); foreign keys are
    // off while a migration runs (see `Store::migrate`).
    r#"
    CREATE TABLE attendance_imports_v18 (
        id   INTEGER PRIMARY KEY,
        what TEXT NOT NULL CHECK (what IN ('roster', 'clock', 'handover', 'correction', 'leave', 'holiday')),
        file TEXT NOT NULL,
        rows INTEGER NOT NULL,
        by   TEXT NOT NULL,
        at   TEXT NOT NULL
    );
    INSERT INTO attendance_imports_v18 (id, what, file, rows, by, at)
        SELECT id, what, file, rows, by, at FROM attendance_imports;
    DROP TABLE attendance_imports;
    ALTER TABLE attendance_imports_v18 RENAME TO attendance_imports;
    CREATE TRIGGER attendance_imports_append_only_u BEFORE UPDATE ON attendance_imports
        BEGIN SELECT RAISE(ABORT, 'attendance imports are append-only'); END;
    CREATE TRIGGER attendance_imports_append_only_d BEFORE DELETE ON attendance_imports
        BEGIN SELECT RAISE(ABORT, 'attendance imports are append-only'); END;
    -- A leave: asked for (or imported approved), then decided; its state is its latest
    -- decision ('requested' without one). Whole days run from `start` 00:00 to the day
    -- after `end`; a part of a day has its times.
    CREATE TABLE leaves (
        id        INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES attendance_imports(id),
        employee  TEXT NOT NULL,
        kind      TEXT NOT NULL,
        start     TEXT NOT NULL,
        end       TEXT NOT NULL,
        reason    TEXT NOT NULL,
        source    TEXT NOT NULL
    );
    CREATE INDEX leaves_by_employee ON leaves(employee, start);
    CREATE TABLE leave_decisions (
        id        INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES attendance_imports(id),
        leave_id  INTEGER NOT NULL REFERENCES leaves(id),
        state     TEXT NOT NULL CHECK (state IN ('approved', 'rejected', 'cancelled')),
        reason    TEXT NOT NULL
    );
    CREATE INDEX leave_decisions_by_leave ON leave_decisions(leave_id, id);
    -- The holiday calendar: a day off (休) or a make-up workday (班); the latest import of a
    -- date is what holds.
    CREATE TABLE holidays (
        id        INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES attendance_imports(id),
        date      TEXT NOT NULL,
        off       INTEGER NOT NULL CHECK (off IN (0, 1)),
        name      TEXT NOT NULL
    );
    CREATE INDEX holidays_by_date ON holidays(date, id);
    CREATE TRIGGER leaves_append_only_u BEFORE UPDATE ON leaves
        BEGIN SELECT RAISE(ABORT, 'leave is append-only; decide or cancel it'); END;
    CREATE TRIGGER leaves_append_only_d BEFORE DELETE ON leaves
        BEGIN SELECT RAISE(ABORT, 'leave is append-only; decide or cancel it'); END;
    CREATE TRIGGER leave_decisions_append_only_u BEFORE UPDATE ON leave_decisions
        BEGIN SELECT RAISE(ABORT, 'leave decisions are append-only'); END;
    CREATE TRIGGER leave_decisions_append_only_d BEFORE DELETE ON leave_decisions
        BEGIN SELECT RAISE(ABORT, 'leave decisions are append-only'); END;
    CREATE TRIGGER holidays_append_only_u BEFORE UPDATE ON holidays
        BEGIN SELECT RAISE(ABORT, 'the holiday calendar is append-only; import a corrected one'); END;
    CREATE TRIGGER holidays_append_only_d BEFORE DELETE ON holidays
        BEGIN SELECT RAISE(ABORT, 'the holiday calendar is append-only; import a corrected one'); END;
    "#,
    // 19: how far the chain was last verified: a page verifies only the blocks after the
    // latest row (whose block must still carry the hash it had), a full verification walks
    // everything again. Operational, outside the chain: a forged row here makes a page skip
    // blocks, never accept a changed one, and `audit verify` walks them all.
    r#"
    CREATE TABLE verified (
        id   INTEGER PRIMARY KEY,
        seq  INTEGER NOT NULL,
        hash TEXT NOT NULL,
        at   TEXT NOT NULL,
        full INTEGER NOT NULL CHECK (full IN (0, 1))
    );
"#,
    // 20: the outbox of notices and where they go, and the company's settings. Operational, outside the chain: a notice
    // is written in the transaction of the change it tells of, then only its delivery state
    // moves on. Times are Unix seconds.
    r#"
    CREATE TABLE channels (
        name       TEXT PRIMARY KEY,
        kind       TEXT NOT NULL CHECK (kind IN ('email', 'wecom', 'dingtalk', 'feishu', 'webhook')),
        target     TEXT NOT NULL,
        secret     TEXT,
        department TEXT,
        added_by   TEXT NOT NULL,
        added_at   TEXT NOT NULL
    );
    CREATE TABLE notices (
        id         INTEGER PRIMARY KEY,
        key        TEXT NOT NULL UNIQUE,
        kind       TEXT NOT NULL,
        employee   TEXT NOT NULL,
        recipient  TEXT NOT NULL,
        department TEXT NOT NULL,
        text       TEXT NOT NULL,
        url        TEXT NOT NULL,
        created    INTEGER NOT NULL,
        state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
        attempts   INTEGER NOT NULL DEFAULT 0,
        next_at    INTEGER NOT NULL,
        last_error TEXT,
        channel    TEXT,
        sent_at    INTEGER
    );
    CREATE INDEX notices_due ON notices(state, next_at);
    CREATE INDEX notices_sent ON notices(channel, sent_at);
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE notice_prefs (
        person TEXT NOT NULL,
        kind   TEXT NOT NULL,
        on_    INTEGER NOT NULL CHECK (on_ IN (0, 1)),
        PRIMARY KEY (person, kind)
    );
"#,
    // 21: evidence: photos, stored once each by their SHA-256, and their links to events
    // and appeals. Both are sealed in the chain (a photo's bytes with it), so that
    // `audit verify` names a photo swapped or a link added past appraise.
    r#"
    CREATE TABLE photos (
        id     INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        type   TEXT NOT NULL,
        size   INTEGER NOT NULL,
        bytes  BLOB NOT NULL
    );
    CREATE TABLE evidence (
        id        INTEGER PRIMARY KEY,
        event_id  INTEGER REFERENCES events(id),
        appeal_id INTEGER REFERENCES appeals(id),
        photo_id  INTEGER NOT NULL REFERENCES photos(id),
        by        TEXT NOT NULL,
        at        TEXT NOT NULL,
        CHECK ((event_id IS NULL) <> (appeal_id IS NULL))
    );
    CREATE INDEX evidence_by_event ON evidence(event_id);
    CREATE INDEX evidence_by_appeal ON evidence(appeal_id);
    CREATE INDEX evidence_by_photo ON evidence(photo_id);
    CREATE TRIGGER photos_append_only_u BEFORE UPDATE ON photos
        BEGIN SELECT RAISE(ABORT, 'photos are append-only'); END;
    CREATE TRIGGER photos_append_only_d BEFORE DELETE ON photos
        BEGIN SELECT RAISE(ABORT, 'photos are append-only'); END;
    CREATE TRIGGER evidence_append_only_u BEFORE UPDATE ON evidence
        BEGIN SELECT RAISE(ABORT, 'evidence is append-only'); END;
    CREATE TRIGGER evidence_append_only_d BEFORE DELETE ON evidence
        BEGIN SELECT RAISE(ABORT, 'evidence is append-only'); END;
"#,
];
