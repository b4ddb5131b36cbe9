//! The database schema, as an ordered list of migrations (`PRAGMA user_version` counts how
//! many ran). A migration is never edited once released; a change is a new migration.

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
];
