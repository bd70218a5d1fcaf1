-- Speakers (issue 14): what an annotator who records says about themselves with /speaker,
-- each detail optional (codes of annotation/loop/speakers.py, NULL where not given), when
-- they consented, and when they last withdrew their recordings with /withdraw. Every
-- recording made at or before withdrawn_at leaves later exports; the speaker records
-- again only after consenting anew (consented_at later than withdrawn_at). A withdrawal
-- deletes the details. Never edit: add a new migration.
CREATE TABLE speakers (
    annotator_id  INTEGER PRIMARY KEY REFERENCES annotators (id),
    gender        TEXT,
    age_band      TEXT,
    region        TEXT,
    consented_at  REAL,
    withdrawn_at  REAL
);

-- The items made from an annotator's own work (012: checks of their recordings), found at
-- once when they withdraw (their checks stop) and when a recording's checks are counted
-- for pay.
CREATE INDEX IF NOT EXISTS items_by_author ON items (author) WHERE author IS NOT NULL;
