-- Items made from an annotator's own work (issue 14: a check of a recording) name their
-- author, and the queue never hands an item to its author (nobody checks their own voice).
-- Items are made once per recording: UNIQUE (project_id, external_id) (001) keeps it so.
ALTER TABLE items ADD COLUMN author INTEGER REFERENCES annotators (id);
