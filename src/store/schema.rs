//! The database schema as a list of migrations, applied in order and recorded in `user_version`.
//!
//! A migration, once released, is never edited: add a new one.

pub const MIGRATIONS: &[&str] = &[
    // 1: the roster and its import history.
    r"
    CREATE TABLE roster_import (
        id          INTEGER PRIMARY KEY,
        file_name   TEXT NOT NULL,
        file_sha256 TEXT NOT NULL,
        sheet       TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        added       INTEGER NOT NULL,
        updated     INTEGER NOT NULL,
        unchanged   INTEGER NOT NULL,
        unlisted    INTEGER NOT NULL,
        problems    INTEGER NOT NULL
    );
    CREATE TABLE account (
        id           INTEGER PRIMARY KEY,
        key          TEXT NOT NULL UNIQUE,
        platform     TEXT NOT NULL,
        account_id   TEXT NOT NULL,
        name         TEXT NOT NULL,
        host_unit    TEXT NOT NULL,
        city         TEXT NOT NULL,
        county       TEXT NOT NULL,
        opened_on    TEXT,
        filed_on     TEXT,
        status       TEXT NOT NULL,
        fans         INTEGER,
        operator     TEXT NOT NULL,
        extra        TEXT NOT NULL,
        listed       INTEGER NOT NULL DEFAULT 1,
        first_import INTEGER REFERENCES roster_import(id),
        last_import  INTEGER REFERENCES roster_import(id),
        source_row   INTEGER
    );
    CREATE TABLE account_change (
        id         INTEGER PRIMARY KEY,
        account    INTEGER NOT NULL REFERENCES account(id),
        import     INTEGER NOT NULL REFERENCES roster_import(id),
        kind       TEXT NOT NULL CHECK (kind IN ('updated', 'unlisted', 'relisted')),
        before     TEXT
    );
    CREATE INDEX account_change_by_account ON account_change(account);
    CREATE TABLE setting (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    ",
];
