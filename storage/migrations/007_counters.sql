-- items.answers counts the answers quality control has not excluded, so it follows the
-- answers table itself: an insert, a delete and a change of ``excluded`` each move it in a
-- trigger. Migration 006 derived it from the assignments' status while suspension and
-- reinstatement adjusted it by hand, so undoing an excluded answer took it off twice
-- (issue 10: the counter drifted below the rows, or broke CHECK (answers >= 0)).
-- items.live keeps following the active assignments. Never edit: add a new migration.
DROP TRIGGER assignments_count_status;
DROP TRIGGER assignments_count_delete;

CREATE TRIGGER assignments_count_status AFTER UPDATE OF status ON assignments
WHEN OLD.status <> NEW.status AND 'active' IN (OLD.status, NEW.status)
BEGIN
    UPDATE items SET live = live - (OLD.status = 'active') + (NEW.status = 'active')
    WHERE id = NEW.item_id;
END;

CREATE TRIGGER assignments_count_delete AFTER DELETE ON assignments
WHEN OLD.status = 'active'
BEGIN
    UPDATE items SET live = live - 1 WHERE id = OLD.item_id;
END;

CREATE TRIGGER answers_count_insert AFTER INSERT ON answers
WHEN NEW.excluded = 0
BEGIN
    UPDATE items SET answers = answers + 1 WHERE id = NEW.item_id;
END;

CREATE TRIGGER answers_count_delete AFTER DELETE ON answers
WHEN OLD.excluded = 0
BEGIN
    UPDATE items SET answers = answers - 1 WHERE id = OLD.item_id;
END;

CREATE TRIGGER answers_count_excluded AFTER UPDATE OF excluded ON answers
WHEN OLD.excluded <> NEW.excluded
BEGIN
    UPDATE items SET answers = answers - (NEW.excluded <> 0) + (OLD.excluded <> 0)
    WHERE id = NEW.item_id;
END;

-- Counters a database may have drifted to before: count them again from the rows.
CREATE TEMPORARY TABLE recount AS
SELECT i.id,
       (SELECT COUNT(*) FROM answers AS a WHERE a.item_id = i.id AND a.excluded = 0) AS answers,
       (SELECT COUNT(*) FROM assignments AS g
        WHERE g.item_id = i.id AND g.status = 'active') AS live
FROM items AS i;
UPDATE items SET answers = r.answers, live = r.live FROM recount AS r
WHERE r.id = items.id AND (items.answers <> r.answers OR items.live <> r.live);
DROP TABLE recount;
