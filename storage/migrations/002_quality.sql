-- Quality control (issue 4): stages of assignments, excluded answers, annotators' standing
-- per project and quality events. Never edit: add a new numbered migration instead.

-- Why an item was handed out (training / exam / production) and which exam attempt.
ALTER TABLE assignments ADD COLUMN stage TEXT NOT NULL DEFAULT 'production'
    CHECK (stage IN ('training', 'exam', 'production'));
ALTER TABLE assignments ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;

-- Answers of a suspended annotator: kept, but left out of aggregation and item counters.
ALTER TABLE answers ADD COLUMN excluded INTEGER NOT NULL DEFAULT 0;

-- Where each annotator stands in each project's quality process.
CREATE TABLE standings (
    project_id    INTEGER NOT NULL REFERENCES projects(id),
    annotator_id  INTEGER NOT NULL REFERENCES annotators(id),
    phase         TEXT    NOT NULL CHECK (phase IN ('training', 'exam', 'production')),
    status        TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    attempt       INTEGER NOT NULL DEFAULT 1,
    failures      INTEGER NOT NULL DEFAULT 0,
    retry_at      REAL,
    rule          TEXT,                          -- why suspended (annotation.quality Rule)
    evidence      TEXT    NOT NULL DEFAULT '{}', -- JSON: the numbers behind the rule
    appeal        TEXT    NOT NULL DEFAULT 'none'
                  CHECK (appeal IN ('none', 'pending', 'reinstated', 'confirmed')),
    grace         INTEGER NOT NULL DEFAULT 0,    -- rules ignore answers up to this id
    notified      TEXT    NOT NULL DEFAULT '',   -- rules already warned/flagged, comma-joined
    updated_at    REAL    NOT NULL,
    PRIMARY KEY (project_id, annotator_id)
) WITHOUT ROWID;
CREATE INDEX standings_suspended ON standings (project_id) WHERE status = 'suspended';

-- What the quality process did: warnings, flags, suspensions, appeals, decisions, and
-- "this project needs more gold" (at most once per project).
CREATE TABLE quality_events (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects(id),
    annotator_id  INTEGER,
    kind          TEXT    NOT NULL,
    rule          TEXT,
    evidence      TEXT    NOT NULL DEFAULT '{}',
    actor_id      INTEGER,
    created_at    REAL    NOT NULL
);
CREATE UNIQUE INDEX quality_events_needs_gold ON quality_events (project_id)
    WHERE kind = 'needs_gold';
CREATE INDEX answers_by_item ON answers (item_id);
CREATE INDEX assignments_by_annotator ON assignments (annotator_id, project_id, id);
