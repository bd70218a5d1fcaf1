-- annobot initial schema. Never edit an applied migration: add 002_*.sql instead.
CREATE TABLE projects (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    spec         TEXT    NOT NULL,              -- JSON of ProjectSpec
    status       TEXT    NOT NULL CHECK (status IN ('draft', 'open', 'paused', 'closed')),
    invite_code  TEXT    NOT NULL UNIQUE,
    created_by   INTEGER,
    created_at   REAL    NOT NULL
);

CREATE TABLE annotators (
    id              INTEGER PRIMARY KEY,        -- Telegram user id
    name            TEXT    NOT NULL DEFAULT '',
    language        TEXT    NOT NULL DEFAULT 'en',
    role            TEXT    NOT NULL DEFAULT 'annotator'
                            CHECK (role IN ('annotator', 'coordinator', 'admin')),
    current_project INTEGER REFERENCES projects(id),
    blocked         INTEGER NOT NULL DEFAULT 0,
    joined_at       REAL    NOT NULL
);

CREATE TABLE media (
    key       TEXT PRIMARY KEY,                 -- sha256 of data
    kind      TEXT NOT NULL,
    filename  TEXT NOT NULL,
    mime      TEXT NOT NULL,
    send_as   TEXT NOT NULL,
    data      BLOB NOT NULL,
    file_id   TEXT
);

CREATE TABLE items (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects(id),
    external_id  TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('text', 'image', 'audio')),
    text         TEXT    NOT NULL,
    media_key    TEXT    REFERENCES media(key),
    gold_answer  TEXT,
    explanation  TEXT,
    training     INTEGER NOT NULL DEFAULT 0,
    is_gold      INTEGER NOT NULL GENERATED ALWAYS AS (gold_answer IS NOT NULL) VIRTUAL,
    answers      INTEGER NOT NULL DEFAULT 0 CHECK (answers >= 0),
    live         INTEGER NOT NULL DEFAULT 0 CHECK (live >= 0),
    fill         INTEGER NOT NULL GENERATED ALWAYS AS (answers + live) VIRTUAL,
    UNIQUE (project_id, external_id)
);
-- The assignment queue: non-gold items closest to completion first.
CREATE INDEX items_queue ON items (project_id, is_gold, fill DESC, id);

CREATE TABLE assignments (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects(id),
    item_id      INTEGER NOT NULL REFERENCES items(id),
    annotator_id INTEGER NOT NULL REFERENCES annotators(id),
    status       TEXT    NOT NULL CHECK (status IN ('active', 'answered', 'skipped', 'expired')),
    is_gold      INTEGER NOT NULL,
    assigned_at  REAL    NOT NULL,
    deadline     REAL    NOT NULL,
    draft        TEXT    NOT NULL DEFAULT '',
    UNIQUE (item_id, annotator_id)              -- an annotator never gets an item twice
);
-- At most one task open per annotator.
CREATE UNIQUE INDEX assignments_one_active ON assignments (annotator_id) WHERE status = 'active';
CREATE INDEX assignments_due ON assignments (deadline) WHERE status = 'active';

CREATE TABLE answers (
    id            INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL UNIQUE REFERENCES assignments(id),
    project_id    INTEGER NOT NULL REFERENCES projects(id),
    item_id       INTEGER NOT NULL REFERENCES items(id),
    annotator_id  INTEGER NOT NULL REFERENCES annotators(id),
    value         TEXT    NOT NULL,
    seconds       REAL    NOT NULL,
    is_gold       INTEGER NOT NULL,
    correct       INTEGER,                      -- NULL unless gold
    source        TEXT    UNIQUE,               -- the message a typed answer came from
    answered_at   REAL    NOT NULL,
    UNIQUE (item_id, annotator_id)
);
CREATE INDEX answers_by_annotator ON answers (annotator_id, id);
CREATE INDEX answers_by_project ON answers (project_id, id);
