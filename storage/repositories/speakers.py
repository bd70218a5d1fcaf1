"""Speakers: their details and withdrawals (migration 013), and what a withdrawal reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from annotation.models import AnnotatorId, AssignmentId, ItemId, ProjectId
from annotation.records import Speaker
from storage.codecs import from_ts, to_ts
from storage.connection import Connection, Row
from storage.repositories import fetch_all, fetch_one

_COLUMNS = "annotator_id, gender, age_band, region, consented_at, withdrawn_at"


def _moment(seconds: float | None) -> datetime | None:
    return None if seconds is None else from_ts(seconds)


def _stamp(moment: datetime | None) -> float | None:
    return None if moment is None else to_ts(moment)


def _speaker(row: Row) -> Speaker:
    return Speaker(AnnotatorId(row[0]), row[1], row[2], row[3], _moment(row[4]),
                   _moment(row[5]))


class SqliteSpeakers:
    """The ``speakers`` table, with the items and answers a withdrawal concerns."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def get(self, annotator_id: AnnotatorId) -> Speaker | None:
        """Return what the speaker said about themselves, or None."""
        row = await fetch_one(self._db, f"SELECT {_COLUMNS} FROM speakers "
                              "WHERE annotator_id = ?", (annotator_id,))
        return _speaker(row) if row else None

    async def save(self, speaker: Speaker) -> None:
        """Store the speaker's row, replacing the one before."""
        await self._db.execute(
            f"INSERT INTO speakers ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (annotator_id) DO UPDATE SET gender = excluded.gender, "
            "age_band = excluded.age_band, region = excluded.region, "
            "consented_at = excluded.consented_at, withdrawn_at = excluded.withdrawn_at",
            (speaker.annotator_id, speaker.gender, speaker.age_band, speaker.region,
             _stamp(speaker.consented_at), _stamp(speaker.withdrawn_at)))

    async def open_items(self, annotator_id: AnnotatorId) -> Sequence[ItemId]:
        """Return the items made from the annotator's own work (checks of their
        recordings) that are still handed out, in id order (index ``items_by_author``)."""
        rows = await fetch_all(self._db, "SELECT id FROM items WHERE author = ? "
                               "AND settled = 0 ORDER BY id", (annotator_id,))
        return [ItemId(row[0]) for row in rows]

    async def withdrawn(self, project_id: ProjectId) -> frozenset[AssignmentId]:
        """Return the project's answers (by assignment) that their speakers withdrew:
        each one given at or before its speaker's last withdrawal."""
        rows = await fetch_all(
            self._db,
            "SELECT a.assignment_id FROM speakers AS s "
            "JOIN answers AS a ON a.annotator_id = s.annotator_id AND a.project_id = ? "
            "WHERE s.withdrawn_at IS NOT NULL AND a.answered_at <= s.withdrawn_at",
            (project_id,))
        return frozenset(AssignmentId(row[0]) for row in rows)

    async def of_project(self, project_id: ProjectId) -> Mapping[AnnotatorId, Speaker]:
        """Return the details of the speakers who answered in the project and consent to
        them now."""
        rows = await fetch_all(
            self._db,
            f"SELECT {_COLUMNS} FROM speakers AS s WHERE s.consented_at IS NOT NULL "
            "AND (s.withdrawn_at IS NULL OR s.withdrawn_at < s.consented_at) "
            "AND EXISTS (SELECT 1 FROM answers AS a WHERE a.annotator_id = s.annotator_id "
            "            AND a.project_id = ?) ORDER BY annotator_id",
            (project_id,))
        return {speaker.annotator_id: speaker for speaker in map(_speaker, rows)}
