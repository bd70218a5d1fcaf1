-- The item counters that drive the assignment queue (live assignments, answers) follow the
-- assignments' status in triggers: one statement per change instead of two round trips,
-- and no code path can forget one. Same rules as the repository code they replace.
CREATE TRIGGER assignments_count_insert AFTER INSERT ON assignments
WHEN NEW.status = 'active'
BEGIN
    UPDATE items SET live = live + 1 WHERE id = NEW.item_id;
END;

CREATE TRIGGER assignments_count_status AFTER UPDATE OF status ON assignments
WHEN OLD.status <> NEW.status
BEGIN
    UPDATE items SET
        live = live - (OLD.status = 'active') + (NEW.status = 'active'),
        answers = answers - (OLD.status = 'answered') + (NEW.status = 'answered')
    WHERE id = NEW.item_id;
END;

CREATE TRIGGER assignments_count_delete AFTER DELETE ON assignments
BEGIN
    UPDATE items SET
        live = live - (OLD.status = 'active'),
        answers = answers - (OLD.status = 'answered')
    WHERE id = OLD.item_id;
END;
