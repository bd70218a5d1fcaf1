-- Adaptive overlap (issue 5): an item whose label is confident enough stops receiving
-- assignments before reaching the project's maximum overlap.
ALTER TABLE items ADD COLUMN settled INTEGER NOT NULL DEFAULT 0;
