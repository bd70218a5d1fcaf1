-- The coordinator's console (issue 6): audit log, broadcasts and their outbox, payouts,
-- reminders. Roles live in annotators.role (001). Never edit: add 004_*.sql instead.

-- Who did what: role changes, project lifecycle, broadcasts, payouts, exports.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        REAL    NOT NULL,
    actor_id  INTEGER NOT NULL,
    action    TEXT    NOT NULL,
    subject   TEXT    NOT NULL DEFAULT '',
    details   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_time ON audit_log (at);

-- One message to many annotators. kind 'message' is a coordinator's text or photo;
-- 'project_opened' and 'reminder' are texts the bot writes in each annotator's language.
CREATE TABLE broadcasts (
    id               INTEGER PRIMARY KEY,
    kind             TEXT    NOT NULL CHECK (kind IN ('message', 'project_opened', 'reminder')),
    created_by       INTEGER,                   -- NULL: the bot itself (reminders)
    created_at       REAL    NOT NULL,
    audience         TEXT    NOT NULL,          -- all | project | idle | reminder
    project_id       INTEGER REFERENCES projects(id),
    idle_days        INTEGER,
    text             TEXT    NOT NULL DEFAULT '',
    photo_file_id    TEXT,
    status           TEXT    NOT NULL
                     CHECK (status IN ('draft', 'sending', 'done', 'cancelled')),
    progress_chat    INTEGER,                   -- the coordinator's progress message
    progress_message INTEGER,
    finished_at      REAL
);
CREATE INDEX broadcasts_sending ON broadcasts (id) WHERE status = 'sending';

-- The persistent outbox: one row per recipient, never two (primary key).
-- pending -> sending (committed before the Bot API call) -> sent | blocked | failed.
-- A row still 'sending' when the process starts was cut off by a crash: it becomes
-- 'uncertain' and is never sent again (at most once).
CREATE TABLE outbox (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id),
    annotator_id INTEGER NOT NULL REFERENCES annotators(id),
    status       TEXT    NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'sending', 'sent', 'blocked', 'failed',
                                   'uncertain')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    sent_at      REAL,
    PRIMARY KEY (broadcast_id, annotator_id)
) WITHOUT ROWID;
CREATE INDEX outbox_queue ON outbox (broadcast_id, status);

-- Periods marked paid: what each annotator was paid, with the reference on the transfer.
CREATE TABLE payouts (
    period       TEXT    NOT NULL,              -- 'YYYY-MM' (UTC months)
    annotator_id INTEGER NOT NULL REFERENCES annotators(id),
    currency     TEXT    NOT NULL,
    amount       REAL    NOT NULL,
    answers      INTEGER NOT NULL,
    reference    TEXT    NOT NULL,
    paid_at      REAL    NOT NULL,
    paid_by      INTEGER NOT NULL,
    PRIMARY KEY (period, annotator_id, currency)
);

-- Reminders: a project's idle period (NULL: no reminders); an annotator's /mute, and when
-- they were last reminded (once per idle spell).
ALTER TABLE projects ADD COLUMN remind_after REAL;
ALTER TABLE annotators ADD COLUMN muted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE annotators ADD COLUMN reminded_at REAL;
CREATE INDEX answers_by_time ON answers (answered_at);
