-- The assignment queue skips settled items in the index itself (issue 11): with adaptive
-- overlap most items settle below the project's overlap, and the queue used to step over
-- every one of them on each handout. Non-gold, unsettled items closest to completion first.
-- Never edit: add a new migration.
CREATE INDEX IF NOT EXISTS items_open_queue ON items (project_id, is_gold, settled, fill DESC, id);
DROP INDEX IF EXISTS items_queue;
