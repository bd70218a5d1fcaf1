-- Re-recording (issue 14). Undo takes a recording back and its speaker records the same
-- assignment again, so a check item named after it (rec-<assignment>, 012) would go on
-- carrying the take taken back, and the votes given on that take would decide the new
-- one. Undo now deletes a check item nobody was handed yet, and retires one that a
-- checker was handed: it keeps the checks given on it (they earn), is renamed
-- rec-<assignment>~<item id> (so no join on the recording finds it any more and the new
-- take gets a fresh rec-<assignment>), is never handed out again and leaves exports.
-- annotation/loop/checks.py says why. NULL: an item in use.
ALTER TABLE items ADD COLUMN retired_at REAL;

-- Check items made before this migration that carry a take no longer recorded (taken
-- back, perhaps recorded again since) are retired now, in the same way; the check feed
-- then makes the new takes' items. A check item carries its recording as its media
-- key, the answer's value, which only Undo ever took away or replaced.
UPDATE items SET external_id = external_id || '~' || id, settled = 1,
                 retired_at = (julianday('now') - 2440587.5) * 86400.0
WHERE author IS NOT NULL AND media_key IS NOT NULL AND retired_at IS NULL
  AND external_id GLOB 'rec-[0-9]*'
  AND NOT EXISTS (SELECT 1 FROM answers AS a
                  WHERE a.assignment_id = CAST(substr(items.external_id, 5) AS INTEGER)
                    AND 'rec-' || a.assignment_id = items.external_id
                    AND a.annotator_id = items.author AND a.value = items.media_key);
