-- Recordings (issue 14): a voice message answering a recording task is stored in the
-- media table and recorded as an answer whose detail names its Telegram file_unique_id.
-- The same file sent again (by its speaker or forwarded by another) is refused: this index
-- finds it in the project at once.
CREATE INDEX IF NOT EXISTS answers_recorded_file ON answers
    (project_id, json_extract(detail, '$.file_unique_id'))
    WHERE detail != '' AND json_valid(detail);
