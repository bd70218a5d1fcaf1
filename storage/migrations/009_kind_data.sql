-- Task kinds' own data (issue 13). An item's payload: a comparison's prompt and candidates, as JSON
-- the kind reads (annotation/kinds/). Empty for the kinds that need nothing beyond text
-- and media.
ALTER TABLE items ADD COLUMN payload TEXT NOT NULL DEFAULT '';

-- What an answer says beyond its label, as JSON the kind reads: a comparison's margin and
-- the order the two candidates were shown in. The label itself stays in ``value``.
ALTER TABLE answers ADD COLUMN detail TEXT NOT NULL DEFAULT '';
