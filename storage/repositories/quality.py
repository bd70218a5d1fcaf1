"""Quality control: standings, exam progress, rule evidence, exclusions and events."""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from annotation.models import AnnotatorId, AssignmentId, ItemId, ProjectId, Recipient, Stage
from annotation.quality.agreement import CastVote
from annotation.quality.qualification import Appeal, Progress, Standing, Status
from annotation.quality.records import History, RosterRow, TaskStage
from annotation.quality.rules import POSITION_WINDOW
from annotation.quality.scores import GoldScore
from annotation.quality.settings import Rule
from storage.codecs import from_ts, to_ts
from storage.connection import Connection
from storage.repositories import build_in_steps, fetch_all, fetch_one

_STANDING = ("s.project_id, s.annotator_id, s.phase, s.status, s.attempt, s.failures, "
             "s.retry_at, s.rule, s.evidence, s.appeal, s.grace, s.notified")
_WIDTH = 12  # columns in _STANDING
_GOLD_SCORED = ("FROM answers AS an JOIN assignments AS g ON g.id = an.assignment_id "
                "WHERE an.project_id = ? AND an.annotator_id = ? AND an.is_gold = 1 "
                "AND g.stage != 'training'")
# each question's gold checks (010), for answers to several questions about one item
_GOLD_PARTS = ("FROM answers AS an JOIN assignments AS g ON g.id = an.assignment_id "
               "JOIN json_each(NULLIF(an.checks, '')) AS j "
               "WHERE an.project_id = ? AND an.annotator_id = ? AND an.is_gold = 1 "
               "AND g.stage != 'training'")
_TRAINING = ("FROM answers AS an JOIN assignments AS g ON g.id = an.assignment_id "
             "WHERE g.project_id = ?1 AND g.annotator_id = ?2 AND g.stage = 'training'")


def _standing(row: Sequence[Any]) -> Standing:
    notified = str(row[11])
    return Standing(
        project_id=ProjectId(int(row[0])),
        annotator_id=AnnotatorId(int(row[1])),
        phase=Stage(row[2]),
        status=Status(row[3]),
        attempt=int(row[4]),
        failures=int(row[5]),
        retry_at=from_ts(float(row[6])) if row[6] is not None else None,
        rule=Rule(row[7]) if row[7] is not None else None,
        evidence=json.loads(str(row[8])),
        appeal=Appeal(row[9]),
        grace=int(row[10]),
        notified=frozenset(Rule(code) for code in notified.split(",") if code),
    )


class SqliteQuality:
    """The ``standings`` and ``quality_events`` tables, and quality reads of answers."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def standing(self, project_id: ProjectId, annotator_id: AnnotatorId
                       ) -> Standing | None:
        """Return the annotator's standing in the project, if they started there."""
        row = await fetch_one(
            self._db, f"SELECT {_STANDING} FROM standings AS s "
            "WHERE s.project_id = ? AND s.annotator_id = ?", (project_id, annotator_id))
        return _standing(tuple(row)) if row else None

    async def save(self, standing: Standing, now: datetime) -> None:
        """Store a standing (insert or replace)."""
        await self._db.execute(
            "INSERT INTO standings (project_id, annotator_id, phase, status, attempt, failures, "
            "retry_at, rule, evidence, appeal, grace, notified, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (project_id, annotator_id) DO UPDATE SET phase = excluded.phase, "
            "status = excluded.status, attempt = excluded.attempt, "
            "failures = excluded.failures, retry_at = excluded.retry_at, rule = excluded.rule, "
            "evidence = excluded.evidence, appeal = excluded.appeal, grace = excluded.grace, "
            "notified = excluded.notified, updated_at = excluded.updated_at",
            (standing.project_id, standing.annotator_id, standing.phase.value,
             standing.status.value, standing.attempt, standing.failures,
             to_ts(standing.retry_at) if standing.retry_at else None,
             standing.rule.value if standing.rule else None,
             json.dumps(dict(standing.evidence), sort_keys=True), standing.appeal.value,
             standing.grace, ",".join(sorted(r.value for r in standing.notified)), to_ts(now)),
        )

    async def set_stage(self, assignment_id: AssignmentId, stage: Stage, attempt: int) -> None:
        """Record the stage (and exam attempt) an assignment was handed out for."""
        await self._db.execute("UPDATE assignments SET stage = ?, attempt = ? WHERE id = ?",
                               (stage.value, attempt, assignment_id))

    async def stage_of(self, assignment_id: AssignmentId) -> TaskStage:
        """Return the stage an assignment was handed out for."""
        row = await fetch_one(self._db, "SELECT stage, attempt FROM assignments WHERE id = ?",
                              (assignment_id,))
        return TaskStage(Stage(row[0]), row[1]) if row else TaskStage(Stage.PRODUCTION, 0)

    async def unseen_training(self, project_id: ProjectId, annotator_id: AnnotatorId,
                              limit: int) -> Sequence[ItemId]:
        """Return up to ``limit`` training items the annotator has never had, in id order."""
        rows = await fetch_all(
            self._db,
            "SELECT i.id FROM items AS i WHERE i.project_id = ? AND i.is_gold = 1 "
            "AND i.training = 1 AND NOT EXISTS (SELECT 1 FROM assignments AS a "
            "WHERE a.item_id = i.id AND a.annotator_id = ?) ORDER BY i.id LIMIT ?",
            (project_id, annotator_id, limit))
        return [ItemId(row[0]) for row in rows]

    async def progress(self, project_id: ProjectId, annotator_id: AnnotatorId,
                       attempt: int) -> Progress:
        """Return training and exam counts (exam: the given attempt)."""
        row = await fetch_one(
            self._db,
            "SELECT "
            " (SELECT COUNT(*) FROM assignments WHERE project_id = ?1 AND annotator_id = ?2 "
            "  AND stage = 'training' AND status = 'answered'),"
            " (SELECT COUNT(*) FROM items AS i WHERE i.project_id = ?1 AND i.is_gold = 1 "
            "  AND i.training = 1 AND NOT EXISTS (SELECT 1 FROM assignments AS a "
            "  WHERE a.item_id = i.id AND a.annotator_id = ?2)),"
            " (SELECT COUNT(*) FROM answers AS an JOIN assignments AS g "
            "  ON g.id = an.assignment_id WHERE g.project_id = ?1 AND g.annotator_id = ?2 "
            "  AND g.stage = 'exam' AND g.attempt = ?3),"
            " (SELECT COALESCE(SUM(an.correct), 0) FROM answers AS an JOIN assignments AS g "
            "  ON g.id = an.assignment_id WHERE g.project_id = ?1 AND g.annotator_id = ?2 "
            "  AND g.stage = 'exam' AND g.attempt = ?3),"
            " (SELECT COUNT(*) FROM items AS i WHERE i.project_id = ?1 AND i.is_gold = 1 "
            "  AND i.training = 0 AND NOT EXISTS (SELECT 1 FROM assignments AS a "
            "  WHERE a.item_id = i.id AND a.annotator_id = ?2)),"
            f" (SELECT COUNT(*) {_TRAINING} AND an.id > (SELECT COALESCE(MAX(an.id), 0) "
            f"  {_TRAINING} AND an.correct = 0))",
            (project_id, annotator_id, attempt))
        assert row is not None
        return Progress(training_done=row[0], training_left=row[1], exam_done=row[2],
                        exam_correct=row[3], gold_left=row[4], training_streak=row[5])

    async def gold_record(self, project_id: ProjectId, annotator_id: AnnotatorId,
                          limit: int) -> Sequence[bool]:
        """Return whether each of the latest ``limit`` gold answers was right, oldest first.

        Training, exam and production gold, excluded answers and those before a
        reinstatement included: everything the annotator showed of their accuracy.
        """
        rows = await fetch_all(
            self._db, "SELECT correct FROM answers WHERE project_id = ? AND annotator_id = ? "
            "AND is_gold = 1 AND correct IS NOT NULL ORDER BY id DESC LIMIT ?",
            (project_id, annotator_id, limit))
        return [bool(row[0]) for row in reversed(rows)]

    async def history(self, project_id: ProjectId, annotator_id: AnnotatorId, *,
                      after_answer: int, recent: int, since: datetime) -> History:
        """Return the evidence the rules need (answers after ``after_answer``)."""
        who = (project_id, annotator_id)
        gold = await fetch_one(
            self._db, f"SELECT COUNT(*), COALESCE(SUM(an.correct), 0) {_GOLD_SCORED} "
            "AND an.id > ?", (*who, after_answer))
        values = await fetch_all(
            self._db, "SELECT value FROM answers WHERE project_id = ? AND annotator_id = ? "
            "AND id > ? ORDER BY id DESC LIMIT ?", (*who, after_answer, recent))
        seconds = await fetch_all(
            self._db, "SELECT an.seconds FROM answers AS an JOIN assignments AS g "
            "ON g.id = an.assignment_id WHERE an.project_id = ? AND an.annotator_id = ? "
            "AND g.stage = 'production' AND an.id > ? ORDER BY an.id DESC LIMIT ?",
            (*who, after_answer, recent))
        statuses = await fetch_all(
            self._db, "SELECT status FROM assignments WHERE project_id = ? AND annotator_id = ? "
            "AND status IN ('answered', 'skipped') AND id > (SELECT COALESCE(MAX("
            "assignment_id), 0) FROM answers WHERE id = ?) ORDER BY id DESC LIMIT ?",
            (*who, after_answer, recent))
        counts = await fetch_one(
            self._db,
            "SELECT (SELECT COUNT(*) FROM answers WHERE project_id = ?1 AND annotator_id = ?2 "
            "        AND answered_at >= ?3),"
            "       (SELECT COUNT(*) FROM assignments WHERE project_id = ?1 "
            "        AND annotator_id = ?2 AND stage = 'production' AND status = 'answered')",
            (*who, to_ts(since)))
        positions = await fetch_one(
            self._db,
            "SELECT COUNT(*), COALESCE(SUM(position = 0), 0), "
            "COALESCE(SUM(1.0 / COALESCE(choices, 2)), 0.0) FROM (SELECT "
            "json_extract(detail, '$.position') AS position, "
            "json_extract(detail, '$.choices') AS choices FROM answers "
            "WHERE project_id = ? AND annotator_id = ? AND id > ? AND detail != '' "
            "AND json_extract(detail, '$.position') IS NOT NULL ORDER BY id DESC LIMIT ?)",
            (*who, after_answer, POSITION_WINDOW))
        parts = await fetch_all(
            self._db, f"SELECT j.key, COUNT(*), COALESCE(SUM(j.value), 0) {_GOLD_PARTS} "
            "AND an.id > ? GROUP BY j.key ORDER BY j.key", (*who, after_answer))
        assert gold is not None and counts is not None and positions is not None
        skips = 0
        for row in statuses:
            if row[0] != "skipped":
                break
            skips += 1
        return History(
            gold=GoldScore(gold[1], gold[0]),
            values=[row[0] for row in reversed(values)],
            seconds=[row[0] for row in reversed(seconds)],
            skips_in_row=skips, tasks_today=counts[0], production_done=counts[1],
            first_picks=positions[1], positioned=positions[0], expected_first=positions[2],
            gold_parts=tuple((row[0], GoldScore(row[2], row[1])) for row in parts))

    async def last_answer_id(self, project_id: ProjectId, annotator_id: AnnotatorId) -> int:
        """Return the id of the annotator's latest answer in the project (0: none)."""
        row = await fetch_one(
            self._db, "SELECT COALESCE(MAX(id), 0) FROM answers "
            "WHERE project_id = ? AND annotator_id = ?", (project_id, annotator_id))
        return int(row[0]) if row else 0

    async def exclude(self, project_id: ProjectId, annotator_id: AnnotatorId) -> int:
        """Exclude the annotator's answers, reopen their items; return how many answers.

        ``items.answers`` follows ``answers.excluded`` in a trigger (migration 007).
        """
        await self._db.execute(
            "UPDATE items SET settled = 0 WHERE id IN (SELECT item_id FROM answers "
            "WHERE project_id = ? AND annotator_id = ? AND excluded = 0)",
            (project_id, annotator_id))
        changed = await self._db.execute(
            "UPDATE answers SET excluded = 1 WHERE project_id = ? AND annotator_id = ? "
            "AND excluded = 0", (project_id, annotator_id))
        await self._db.execute(
            "DELETE FROM assignments WHERE project_id = ? AND annotator_id = ? "
            "AND status = 'active'", (project_id, annotator_id))
        return changed

    async def include(self, project_id: ProjectId, annotator_id: AnnotatorId) -> int:
        """Count the annotator's excluded answers again; return how many (a trigger counts
        them on their items, migration 007)."""
        changed = await self._db.execute(
            "UPDATE answers SET excluded = 0 WHERE project_id = ? AND annotator_id = ? "
            "AND excluded = 1", (project_id, annotator_id))
        return changed

    async def add_event(self, project_id: ProjectId, annotator_id: AnnotatorId | None,
                        kind: str, rule: str | None, evidence: Mapping[str, object],
                        actor_id: int | None, now: datetime) -> bool:
        """Record a quality event; False if it is a project's second ``needs_gold``."""
        changed = await self._db.execute(
            "INSERT INTO quality_events (project_id, annotator_id, kind, rule, evidence, "
            "actor_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (project_id, annotator_id, kind, rule, json.dumps(dict(evidence), sort_keys=True),
             actor_id, to_ts(now)))
        return changed == 1

    async def coordinators(self) -> Sequence[Recipient]:
        """Return the users with the coordinator or admin role."""
        rows = await fetch_all(
            self._db, "SELECT id, language FROM annotators "
            "WHERE role IN ('coordinator', 'admin') AND blocked = 0 ORDER BY id")
        return [Recipient(AnnotatorId(row[0]), row[1]) for row in rows]

    async def votes(self, project_id: ProjectId) -> Sequence[CastVote]:
        """Return every included production answer to a non-gold item of the project."""
        rows = await fetch_all(
            self._db, "SELECT an.item_id, an.annotator_id, an.value FROM answers AS an "
            "WHERE an.project_id = ? AND an.is_gold = 0 AND an.excluded = 0", (project_id,))
        return await build_in_steps(
            rows, lambda r: CastVote(ItemId(r[0]), AnnotatorId(r[1]), r[2]))

    async def production_standings(self, project_id: ProjectId) -> Sequence[Standing]:
        """Return the standings of annotators working (not suspended) in production."""
        rows = await fetch_all(
            self._db, f"SELECT {_STANDING} FROM standings AS s WHERE s.project_id = ? "
            "AND s.phase = 'production' AND s.status = 'active'", (project_id,))
        return [_standing(tuple(row)) for row in rows]

    async def roster(self, project_id: ProjectId, offset: int, limit: int
                     ) -> Sequence[RosterRow]:
        """Return a page of the project's annotators, most answers first."""
        rows = await fetch_all(
            self._db,
            f"SELECT {_STANDING}, p.name, "
            " (SELECT COUNT(*) FROM answers AS x WHERE x.project_id = s.project_id "
            "  AND x.annotator_id = s.annotator_id) AS answered "
            "FROM standings AS s JOIN annotators AS p ON p.id = s.annotator_id "
            "WHERE s.project_id = ? ORDER BY answered DESC, s.annotator_id LIMIT ? OFFSET ?",
            (project_id, limit, offset))
        result = []
        for row in rows:
            standing = _standing(tuple(row)[:_WIDTH])
            who = (project_id, standing.annotator_id)
            gold = await fetch_one(
                self._db, f"SELECT COUNT(*), COALESCE(SUM(an.correct), 0) {_GOLD_SCORED}", who)
            seconds = await fetch_all(
                self._db, "SELECT seconds FROM answers WHERE project_id = ? "
                "AND annotator_id = ?", who)
            assert gold is not None
            result.append(RosterRow(
                standing.annotator_id, row[_WIDTH], standing, row[_WIDTH + 1],
                GoldScore(gold[1], gold[0]),
                statistics.median(r[0] for r in seconds) if seconds else None))
        return result

    async def roster_size(self, project_id: ProjectId) -> int:
        """Return how many annotators have a standing in the project."""
        row = await fetch_one(self._db, "SELECT COUNT(*) FROM standings WHERE project_id = ?",
                              (project_id,))
        return int(row[0]) if row else 0
