-- Exports (issue 5): the installation's secrets (pseudonym key), and the order in which an
-- export streams a project's answers (by item, then answer).
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

CREATE INDEX answers_export ON answers (project_id, item_id, id);
