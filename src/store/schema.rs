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
    // 2: the quarterly draws, their strata and accounts, and the operation log.
    r"
    CREATE TABLE draw (
        id                  INTEGER PRIMARY KEY,
        quarter             TEXT NOT NULL,
        rate_bp             INTEGER NOT NULL,
        strata              TEXT NOT NULL,
        seed                TEXT NOT NULL,
        algorithm           TEXT NOT NULL,
        algorithm_version   INTEGER NOT NULL,
        prefer_not_drawn_in INTEGER NOT NULL,
        population          INTEGER NOT NULL,
        population_hash     TEXT NOT NULL,
        excluded            INTEGER NOT NULL,
        sampled             INTEGER NOT NULL,
        rechecks            INTEGER NOT NULL,
        drawn_by            TEXT NOT NULL,
        drawn_at            TEXT NOT NULL,
        reason              TEXT,
        superseded_at       TEXT
    );
    CREATE UNIQUE INDEX draw_current ON draw(quarter) WHERE superseded_at IS NULL;
    CREATE TABLE draw_stratum (
        draw       INTEGER NOT NULL REFERENCES draw(id),
        position   INTEGER NOT NULL,
        key        TEXT NOT NULL,
        population INTEGER NOT NULL,
        sampled    INTEGER NOT NULL,
        PRIMARY KEY (draw, position)
    );
    CREATE TABLE draw_account (
        draw      INTEGER NOT NULL REFERENCES draw(id),
        account   INTEGER NOT NULL REFERENCES account(id),
        position  INTEGER NOT NULL,
        stratum   TEXT NOT NULL,
        drawn     INTEGER NOT NULL,
        recheck   INTEGER NOT NULL,
        inspector TEXT,
        PRIMARY KEY (draw, account)
    );
    CREATE INDEX draw_account_by_account ON draw_account(account);
    CREATE TABLE draw_excluded (
        draw    INTEGER NOT NULL REFERENCES draw(id),
        account INTEGER NOT NULL REFERENCES account(id),
        PRIMARY KEY (draw, account)
    );
    CREATE TABLE operation_log (
        id     INTEGER PRIMARY KEY,
        at     TEXT NOT NULL,
        actor  TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL,
        hash   TEXT NOT NULL
    );
    ",
    // 3: checklists, inspections, findings and evidence.
    r"
    CREATE TABLE checklist (
        id         TEXT NOT NULL,
        version    TEXT NOT NULL,
        definition TEXT NOT NULL,
        added_at   TEXT NOT NULL,
        PRIMARY KEY (id, version)
    );
    CREATE TABLE inspection (
        id                INTEGER PRIMARY KEY,
        draw              INTEGER NOT NULL REFERENCES draw(id),
        account           INTEGER NOT NULL REFERENCES account(id),
        checklist_id      TEXT NOT NULL,
        checklist_version TEXT NOT NULL,
        status            TEXT NOT NULL CHECK (status IN ('in_progress', 'done')),
        verdict           TEXT CHECK (verdict IN ('pass', 'fail')),
        score             REAL,
        inspector         TEXT NOT NULL,
        started_at        TEXT NOT NULL,
        finished_at       TEXT,
        UNIQUE (draw, account),
        FOREIGN KEY (checklist_id, checklist_version) REFERENCES checklist(id, version)
    );
    CREATE TABLE finding (
        inspection  INTEGER NOT NULL REFERENCES inspection(id),
        item        TEXT NOT NULL,
        answer      TEXT CHECK (answer IN ('pass', 'fail', 'na')),
        note        TEXT NOT NULL,
        last_update TEXT,
        checked_on  TEXT,
        updated_by  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (inspection, item)
    );
    CREATE TABLE evidence (
        id         INTEGER PRIMARY KEY,
        inspection INTEGER NOT NULL REFERENCES inspection(id),
        item       TEXT NOT NULL,
        sha256     TEXT,
        file_name  TEXT,
        url        TEXT,
        added_by   TEXT NOT NULL,
        added_at   TEXT NOT NULL,
        CHECK ((sha256 IS NULL) <> (url IS NULL))
    );
    CREATE INDEX evidence_by_inspection ON evidence(inspection);
    ",
    // 4: the population of a draw by region and platform (for the notice's 账号总数), the
    // region and platform each sampled account was counted under at the draw (a later roster
    // may move it), and the problems sent to host units to fix (整改), with answers and review.
    r"
    ALTER TABLE draw_account ADD COLUMN counted_region TEXT;
    ALTER TABLE draw_account ADD COLUMN counted_platform TEXT;
    CREATE INDEX finding_failing ON finding(inspection) WHERE answer = 'fail';
    CREATE TABLE draw_population (
        draw     INTEGER NOT NULL REFERENCES draw(id),
        region   TEXT NOT NULL,
        platform TEXT NOT NULL,
        accounts INTEGER NOT NULL,
        PRIMARY KEY (draw, region, platform)
    );
    CREATE TABLE rectification (
        id           INTEGER PRIMARY KEY AUTOINCREMENT, -- codes of withdrawn problems never return
        draw         INTEGER NOT NULL REFERENCES draw(id),
        account      INTEGER NOT NULL REFERENCES account(id),
        item         TEXT NOT NULL,
        category     TEXT NOT NULL,
        veto         INTEGER NOT NULL,
        description  TEXT NOT NULL,
        requirement  TEXT NOT NULL,
        issued_on    TEXT NOT NULL,
        deadline     TEXT NOT NULL,
        state        TEXT NOT NULL CHECK (state IN ('open', 'replied', 'closed', 'reopened')),
        reply        TEXT CHECK (reply IN ('done', 'in_progress', 'cannot')),
        reply_text   TEXT NOT NULL DEFAULT '',
        completed_on TEXT,
        contact      TEXT NOT NULL DEFAULT '',
        phone        TEXT NOT NULL DEFAULT '',
        replied_at   TEXT,
        review_note  TEXT NOT NULL DEFAULT '',
        reviewed_by  TEXT NOT NULL DEFAULT '',
        reviewed_at  TEXT,
        UNIQUE (draw, account, item)
    );
    ",
    // 5: work packages between laptops: every package made or taken (by id, so that taking
    // one twice changes nothing), the findings each work package carried (the base a result
    // is compared with), and conflicts waiting for the supervisor's choice.
    r"
    CREATE TABLE package (
        id        TEXT PRIMARY KEY,
        kind      TEXT NOT NULL CHECK (kind IN ('work_sent', 'work_opened', 'results_sent', 'results_merged')),
        draw      INTEGER NOT NULL REFERENCES draw(id),
        inspector TEXT NOT NULL,
        at        TEXT NOT NULL,
        summary   TEXT NOT NULL
    );
    CREATE TABLE package_base (
        package     TEXT NOT NULL REFERENCES package(id),
        account     INTEGER NOT NULL REFERENCES account(id),
        item        TEXT NOT NULL,
        answer      TEXT,
        note        TEXT NOT NULL,
        last_update TEXT,
        checked_on  TEXT,
        PRIMARY KEY (package, account, item)
    );
    CREATE TABLE merge_conflict (
        id          INTEGER PRIMARY KEY,
        draw        INTEGER NOT NULL REFERENCES draw(id),
        account     INTEGER NOT NULL REFERENCES account(id),
        item        TEXT NOT NULL,
        package     TEXT NOT NULL,
        local       TEXT,
        incoming    TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        -- When the inspector had finished the check: the last choice finishes it here.
        package_finished_at TEXT,
        resolution  TEXT CHECK (resolution IN ('local', 'incoming')),
        resolved_by TEXT,
        resolved_at TEXT,
        UNIQUE (draw, account, item, package)
    );
    ",
    // 6: merging by lineage. Each finding keeps the ids of the versions it was edited from and
    // whether its version has left this laptop; conflicts can be superseded by a later version
    // of the same line of work. The bases work packages carried are no longer needed.
    r"
    ALTER TABLE finding ADD COLUMN lineage TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE finding ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;
    UPDATE finding SET shared = 1;
    DROP TABLE package_base;
    CREATE TABLE merge_conflict_new (
        id          INTEGER PRIMARY KEY,
        draw        INTEGER NOT NULL REFERENCES draw(id),
        account     INTEGER NOT NULL REFERENCES account(id),
        item        TEXT NOT NULL,
        package     TEXT NOT NULL,
        local       TEXT,
        incoming    TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        -- When the inspector had finished the check: the last choice finishes it here.
        package_finished_at TEXT,
        -- superseded: a later version of the same line of work arrived in its place.
        resolution  TEXT CHECK (resolution IN ('local', 'incoming', 'superseded')),
        resolved_by TEXT,
        resolved_at TEXT,
        UNIQUE (draw, account, item, package)
    );
    INSERT INTO merge_conflict_new SELECT * FROM merge_conflict;
    DROP TABLE merge_conflict;
    ALTER TABLE merge_conflict_new RENAME TO merge_conflict;
    ",
    // 7: the hashes of log entries a restore replaced (each is logged again after the restore),
    // so that checking the log against an older backup does not report them as deleted.
    r"
    CREATE TABLE log_replaced (
        hash        TEXT PRIMARY KEY,
        replaced_at TEXT NOT NULL
    );
    ",
    // 8: the longest gap between posts (最长更新间隔, in days), for checklists whose update rule
    // is the longest gap in the period rather than the last update.
    r"
    ALTER TABLE finding ADD COLUMN longest_gap INTEGER CHECK (longest_gap >= 0);
    ",
    // 9: the population each draw was made from, as the draw saw it (account key, stratum,
    // drawn in a recent quarter), so that anyone can re-derive the draw (`sample --verify`).
    // Ordered by key within a draw, without a rowid: one b-tree, appended in order. Draws
    // made before keep `population_kept` 0: they cannot be re-derived.
    r"
    ALTER TABLE draw ADD COLUMN population_kept INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE draw_member (
        draw     INTEGER NOT NULL REFERENCES draw(id),
        key      TEXT NOT NULL,
        stratum  TEXT NOT NULL,
        recent   INTEGER NOT NULL,
        PRIMARY KEY (draw, key)
    ) WITHOUT ROWID;
    ",
    // 10: the roll-up (上报与汇总) of a 汇总 workspace: reporters registered with their SM2
    // public keys, the 上报包 imported (accepted, refused, replaced by a newer one, or older
    // than the one in force) with the numbers they state and the reasons found, and the
    // accounts of each package (its population; name and verdict for sampled accounts). IF NOT
    // EXISTS: tests that turn a database back to an older version drop only that version's tables.
    r"
    CREATE TABLE IF NOT EXISTS rollup_reporter (
        name          TEXT PRIMARY KEY,
        public_key    TEXT NOT NULL,
        fingerprint   TEXT NOT NULL UNIQUE,
        expected      INTEGER NOT NULL DEFAULT 0,
        registered_at TEXT NOT NULL,
        registered_by TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS rollup_package (
        id          INTEGER PRIMARY KEY,
        package_id  TEXT NOT NULL,
        reporter    TEXT NOT NULL,
        quarter     TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        file_name   TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        imported_by TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('accepted', 'refused', 'replaced', 'older')),
        verified    INTEGER NOT NULL DEFAULT 0,
        reasons     TEXT NOT NULL DEFAULT '[]',
        numbers     TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX IF NOT EXISTS rollup_package_by_quarter ON rollup_package(quarter, reporter);
    CREATE TABLE IF NOT EXISTS rollup_account (
        package    INTEGER NOT NULL REFERENCES rollup_package(id),
        key        TEXT NOT NULL,
        stratum    TEXT NOT NULL,
        sampled    INTEGER NOT NULL,
        platform   TEXT NOT NULL,
        account_id TEXT NOT NULL,
        name       TEXT NOT NULL,
        host_unit  TEXT NOT NULL,
        passed     INTEGER,
        problems   TEXT NOT NULL,
        PRIMARY KEY (package, key)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS rollup_account_by_key ON rollup_account(key);
    ",
    // 11: 复核 of a 汇总 workspace: per quarter, how the re-check list was drawn, and each
    // account on it (as its package listed it) with the level above's own conclusion once
    // entered. The list is kept so that a result is always about an account on it.
    r"
    CREATE TABLE IF NOT EXISTS recheck_round (
        quarter  TEXT PRIMARY KEY,
        rate_bp  INTEGER NOT NULL,
        min      INTEGER NOT NULL,
        seed     INTEGER NOT NULL,
        made_at  TEXT NOT NULL,
        made_by  TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS recheck_account (
        quarter    TEXT NOT NULL REFERENCES recheck_round(quarter),
        reporter   TEXT NOT NULL,
        key        TEXT NOT NULL,
        position   INTEGER NOT NULL,
        platform   TEXT NOT NULL,
        account_id TEXT NOT NULL,
        name       TEXT NOT NULL,
        host_unit  TEXT NOT NULL,
        stratum    TEXT NOT NULL,
        passed     INTEGER,
        note       TEXT NOT NULL DEFAULT '',
        inspector  TEXT NOT NULL DEFAULT '',
        checked_on TEXT,
        entered_at TEXT,
        PRIMARY KEY (quarter, reporter, key)
    ) WITHOUT ROWID;
    ",
    // 12: a problem found again by the next quarter's 复查 is carried into that quarter's
    // problem (one open problem per account and item): the old record names the new one.
    r"
    ALTER TABLE rectification ADD COLUMN carried_to INTEGER REFERENCES rectification(id);
    ",
    // 13: 概况 read lean: the quarter shown from indexes holding what it reads (a draw's
    // checks by verdict and status, and its 不合格 accounts; its accounts with where they are
    // counted and who checks them; the items found 不符合; problems by where they stand), the
    // quarters before from counts kept by triggers; last quarter's open problems of an
    // account found without reading every problem. And regions renamed since earlier quarters
    // (old name → the current one), so that a trend never splits one region in two. IF NOT
    // EXISTS, as 10.
    r"
    CREATE INDEX IF NOT EXISTS inspection_by_verdict
        ON inspection(draw, verdict, status, account, inspector, checklist_id, checklist_version);
    CREATE INDEX IF NOT EXISTS draw_account_counted
        ON draw_account(draw, account, counted_region, counted_platform, inspector);
    DROP INDEX IF EXISTS finding_failing;
    CREATE INDEX finding_failing ON finding(inspection, item, answer) WHERE answer = 'fail';
    CREATE INDEX IF NOT EXISTS rectification_by_deadline
        ON rectification(draw, deadline, replied_at, state, reply, carried_to, account);
    CREATE INDEX IF NOT EXISTS rectification_by_account ON rectification(account);

    -- Derived, for the quarters before the one 概况 shows: each draw's sampled accounts by the
    -- region the draw recorded ('' where it recorded none), with those the notice counts 合格
    -- (finished and 合格) and 不合格 (a 不合格 verdict, finished or not: report::counted_verdict);
    -- and each draw's problems by deadline and the day answered ('': not answered). Kept by
    -- the triggers below at every change of a sampled account, a check or a problem, each
    -- taking out a row's old part and adding its new one, so the counts always equal those of
    -- the rows (tests/core/overview_lean.rs counts both after every kind of change).
    CREATE TABLE IF NOT EXISTS draw_tally (
        draw    INTEGER NOT NULL,
        region  TEXT NOT NULL,
        sampled INTEGER NOT NULL,
        passed  INTEGER NOT NULL,
        failed  INTEGER NOT NULL,
        PRIMARY KEY (draw, region)
    ) WITHOUT ROWID;
    DELETE FROM draw_tally;
    INSERT INTO draw_tally (draw, region, sampled, passed, failed)
        SELECT da.draw, COALESCE(da.counted_region, ''), COUNT(*),
               IFNULL(SUM(i.status IS 'done' AND i.verdict IS 'pass'), 0), IFNULL(SUM(i.verdict IS 'fail'), 0)
        FROM draw_account da LEFT JOIN inspection i ON i.draw = da.draw AND i.account = da.account
        GROUP BY 1, 2;
    CREATE TRIGGER IF NOT EXISTS draw_tally_account_added AFTER INSERT ON draw_account BEGIN
        INSERT INTO draw_tally (draw, region, sampled, passed, failed)
            SELECT NEW.draw, COALESCE(NEW.counted_region, ''), 1,
                   IFNULL(SUM(status IS 'done' AND verdict IS 'pass'), 0), IFNULL(SUM(verdict IS 'fail'), 0)
            FROM inspection WHERE draw = NEW.draw AND account = NEW.account
            ON CONFLICT (draw, region) DO UPDATE SET sampled = sampled + 1,
                passed = passed + excluded.passed, failed = failed + excluded.failed;
    END;
    CREATE TRIGGER IF NOT EXISTS draw_tally_account_removed AFTER DELETE ON draw_account BEGIN
        UPDATE draw_tally SET sampled = sampled - 1,
            passed = passed - (SELECT IFNULL(SUM(status IS 'done' AND verdict IS 'pass'), 0) FROM inspection
                               WHERE draw = OLD.draw AND account = OLD.account),
            failed = failed - (SELECT IFNULL(SUM(verdict IS 'fail'), 0) FROM inspection
                               WHERE draw = OLD.draw AND account = OLD.account)
        WHERE draw = OLD.draw AND region = COALESCE(OLD.counted_region, '');
    END;
    CREATE TRIGGER IF NOT EXISTS draw_tally_account_moved AFTER UPDATE OF draw, account, counted_region ON draw_account
    WHEN OLD.draw IS NOT NEW.draw OR OLD.account IS NOT NEW.account
      OR OLD.counted_region IS NOT NEW.counted_region
    BEGIN
        UPDATE draw_tally SET sampled = sampled - 1,
            passed = passed - (SELECT IFNULL(SUM(status IS 'done' AND verdict IS 'pass'), 0) FROM inspection
                               WHERE draw = OLD.draw AND account = OLD.account),
            failed = failed - (SELECT IFNULL(SUM(verdict IS 'fail'), 0) FROM inspection
                               WHERE draw = OLD.draw AND account = OLD.account)
        WHERE draw = OLD.draw AND region = COALESCE(OLD.counted_region, '');
        INSERT INTO draw_tally (draw, region, sampled, passed, failed)
            SELECT NEW.draw, COALESCE(NEW.counted_region, ''), 1,
                   IFNULL(SUM(status IS 'done' AND verdict IS 'pass'), 0), IFNULL(SUM(verdict IS 'fail'), 0)
            FROM inspection WHERE draw = NEW.draw AND account = NEW.account
            ON CONFLICT (draw, region) DO UPDATE SET sampled = sampled + 1,
                passed = passed + excluded.passed, failed = failed + excluded.failed;
    END;
    CREATE TRIGGER IF NOT EXISTS draw_tally_check_added AFTER INSERT ON inspection BEGIN
        UPDATE draw_tally SET passed = passed + (NEW.status IS 'done' AND NEW.verdict IS 'pass'),
            failed = failed + (NEW.verdict IS 'fail')
        WHERE draw = NEW.draw AND region = (SELECT COALESCE(counted_region, '') FROM draw_account
                                            WHERE draw = NEW.draw AND account = NEW.account);
    END;
    CREATE TRIGGER IF NOT EXISTS draw_tally_check_removed AFTER DELETE ON inspection BEGIN
        UPDATE draw_tally SET passed = passed - (OLD.status IS 'done' AND OLD.verdict IS 'pass'),
            failed = failed - (OLD.verdict IS 'fail')
        WHERE draw = OLD.draw AND region = (SELECT COALESCE(counted_region, '') FROM draw_account
                                            WHERE draw = OLD.draw AND account = OLD.account);
    END;
    CREATE TRIGGER IF NOT EXISTS draw_tally_check_changed AFTER UPDATE OF draw, account, status, verdict ON inspection
    WHEN OLD.draw IS NOT NEW.draw OR OLD.account IS NOT NEW.account
      OR OLD.status IS NOT NEW.status OR OLD.verdict IS NOT NEW.verdict
    BEGIN
        UPDATE draw_tally SET passed = passed - (OLD.status IS 'done' AND OLD.verdict IS 'pass'),
            failed = failed - (OLD.verdict IS 'fail')
        WHERE draw = OLD.draw AND region = (SELECT COALESCE(counted_region, '') FROM draw_account
                                            WHERE draw = OLD.draw AND account = OLD.account);
        UPDATE draw_tally SET passed = passed + (NEW.status IS 'done' AND NEW.verdict IS 'pass'),
            failed = failed + (NEW.verdict IS 'fail')
        WHERE draw = NEW.draw AND region = (SELECT COALESCE(counted_region, '') FROM draw_account
                                            WHERE draw = NEW.draw AND account = NEW.account);
    END;

    CREATE TABLE IF NOT EXISTS draw_answers (
        draw       INTEGER NOT NULL,
        deadline   TEXT NOT NULL,
        replied_on TEXT NOT NULL,
        problems   INTEGER NOT NULL,
        PRIMARY KEY (draw, deadline, replied_on)
    ) WITHOUT ROWID;
    DELETE FROM draw_answers;
    INSERT INTO draw_answers (draw, deadline, replied_on, problems)
        SELECT draw, deadline, COALESCE(substr(replied_at, 1, 10), ''), COUNT(*)
        FROM rectification GROUP BY 1, 2, 3;
    CREATE TRIGGER IF NOT EXISTS draw_answers_added AFTER INSERT ON rectification BEGIN
        INSERT INTO draw_answers (draw, deadline, replied_on, problems)
            VALUES (NEW.draw, NEW.deadline, COALESCE(substr(NEW.replied_at, 1, 10), ''), 1)
            ON CONFLICT (draw, deadline, replied_on) DO UPDATE SET problems = problems + 1;
    END;
    CREATE TRIGGER IF NOT EXISTS draw_answers_removed AFTER DELETE ON rectification BEGIN
        UPDATE draw_answers SET problems = problems - 1
        WHERE draw = OLD.draw AND deadline = OLD.deadline
          AND replied_on = COALESCE(substr(OLD.replied_at, 1, 10), '');
    END;
    CREATE TRIGGER IF NOT EXISTS draw_answers_changed AFTER UPDATE OF draw, deadline, replied_at ON rectification
    WHEN OLD.draw IS NOT NEW.draw OR OLD.deadline IS NOT NEW.deadline
      OR OLD.replied_at IS NOT NEW.replied_at
    BEGIN
        UPDATE draw_answers SET problems = problems - 1
        WHERE draw = OLD.draw AND deadline = OLD.deadline
          AND replied_on = COALESCE(substr(OLD.replied_at, 1, 10), '');
        INSERT INTO draw_answers (draw, deadline, replied_on, problems)
            VALUES (NEW.draw, NEW.deadline, COALESCE(substr(NEW.replied_at, 1, 10), ''), 1)
            ON CONFLICT (draw, deadline, replied_on) DO UPDATE SET problems = problems + 1;
    END;

    CREATE TABLE IF NOT EXISTS region_alias (
        old_name TEXT PRIMARY KEY,
        new_name TEXT NOT NULL,
        set_by   TEXT NOT NULL,
        set_at   TEXT NOT NULL,
        CHECK (old_name <> new_name)
    );
    ",
    // 14: a reply that came back incomplete (已整改 without its date, contact or phone) stays
    // on the problem — what it lacked and when it came — until a complete reply replaces it:
    // the unit answered, and lists say so.
    "
    ALTER TABLE rectification ADD COLUMN incomplete TEXT NOT NULL DEFAULT '';
    ALTER TABLE rectification ADD COLUMN incomplete_at TEXT;
    ",
    // 15: the content (data.json's SHA-256) of each package opened or merged, so that a known
    // package id arriving with other content is refused, not skipped as merged already.
    "
    ALTER TABLE package ADD COLUMN data_sha256 TEXT;
    ",
];
