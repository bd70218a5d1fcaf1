-- A lighter copy of a media file, sent to phones instead of it (issue 14: what goes to
-- phones stays Opus): an imported WAV clip gets an OGG/Opus voice note
-- (annotation/media/voice_notes.py), stored as a media row of its own; the original
-- keeps its key, so items, exports and datasets carry it as it was given, and only the
-- lookup of what to send resolves to the copy. Never edit: add a new migration.
ALTER TABLE media ADD COLUMN phone_key TEXT REFERENCES media (key);
