-- Gold checked question by question (issue 13): an answer to several questions about one
-- item records, as a JSON object, whether each question that had a gold answer was right
-- ({"preference": 1, "helpful.a": 0}). Empty for one-question kinds, whose ``correct``
-- says it all. Quality control scores each question apart from these.
ALTER TABLE answers ADD COLUMN checks TEXT NOT NULL DEFAULT '';
