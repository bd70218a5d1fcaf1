"""The in-memory quality repository (``annotation.ports.quality``): standings, exam
progress, rule evidence, exclusions and quality events.

It mirrors ``storage/repositories/quality.py`` query by query, over the ``FakeState`` of
one unit of work (``FakeQualityRepository(state)``). Where the SQL leans on a trigger
(excluding or including answers moves ``items.answers``, deleting an active assignment
moves ``items.live``: migration 007) it moves the counters itself.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from annotation.models import AnnotatorId, AssignmentId, ItemId, ProjectId, Recipient, Stage
from annotation.quality.agreement import CastVote
from annotation.quality.qualification import Appeal, Progress, Standing, Status
from annotation.quality.records import History, RosterRow, TaskStage
from annotation.quality.rules import POSITION_WINDOW
from annotation.quality.scores import GoldScore
from annotation.quality.settings import Rule
from tests.fakes.console import STAFF, limited
from tests.fakes.state import (
    AnswerRow,
    AssignmentRow,
    FakeState,
    QualityEventRow,
    StandingRow,
    from_ts,
    new_id,
    to_ts,
)

TRAINING, EXAM, PRODUCTION = Stage.TRAINING.value, Stage.EXAM.value, Stage.PRODUCTION.value


def _standing(row: StandingRow) -> Standing:
    return Standing(
        project_id=ProjectId(row.project_id),
        annotator_id=AnnotatorId(row.annotator_id),
        phase=Stage(row.phase),
        status=Status(row.status),
        attempt=row.attempt,
        failures=row.failures,
        retry_at=from_ts(row.retry_at) if row.retry_at is not None else None,
        rule=Rule(row.rule) if row.rule is not None else None,
        evidence=json.loads(row.evidence),
        appeal=Appeal(row.appeal),
        grace=row.grace,
        notified=frozenset(Rule(code) for code in row.notified.split(",") if code),
    )


def _score(answers: Iterable[AnswerRow]) -> GoldScore:
    """COUNT(*) and COALESCE(SUM(correct), 0) of the answers."""
    rows = list(answers)
    return GoldScore(sum(int(a.correct or 0) for a in rows), len(rows))


class FakeQualityRepository:
    """``standings`` and ``quality_events``, and quality reads of answers, as
    ``SqliteQuality``."""

    def __init__(self, state: FakeState) -> None:
        self._state = state

    # --- row selections shared by the queries ----------------------------------------------
    def _answers(self, project_id: int, annotator_id: int) -> list[AnswerRow]:
        """The annotator's answers in the project, in id order."""
        return sorted((a for a in self._state.answers.values()
                       if a.project_id == project_id and a.annotator_id == annotator_id),
                      key=lambda a: a.id)

    def _assignments(self, project_id: int, annotator_id: int) -> list[AssignmentRow]:
        """The annotator's assignments in the project, in id order."""
        return sorted((g for g in self._state.assignments.values()
                       if g.project_id == project_id and g.annotator_id == annotator_id),
                      key=lambda g: g.id)

    def _stage_answers(self, project_id: int, annotator_id: int) -> list[tuple[AnswerRow, str]]:
        """The answers to the annotator's assignments in the project, with the assignment's
        stage (``answers JOIN assignments`` on the assignment's project and annotator)."""
        joined = []
        for answer in sorted(self._state.answers.values(), key=lambda a: a.id):
            g = self._state.assignments.get(answer.assignment_id)
            if g is not None and g.project_id == project_id and g.annotator_id == annotator_id:
                joined.append((answer, g.stage))
        return joined

    def _gold_scored(self, project_id: int, annotator_id: int) -> list[AnswerRow]:
        """``_GOLD_SCORED``: gold answers outside training."""
        rows = []
        for answer in self._answers(project_id, annotator_id):
            g = self._state.assignments.get(answer.assignment_id)
            if answer.is_gold and g is not None and g.stage != TRAINING:
                rows.append(answer)
        return rows

    def _unseen(self, project_id: int, annotator_id: int, training: bool) -> list[ItemId]:
        """Gold items (training or not) the annotator has never had, in id order."""
        had = {g.item_id for g in self._state.assignments.values()
               if g.annotator_id == annotator_id}
        return [ItemId(i.id) for i in sorted(self._state.items.values(), key=lambda i: i.id)
                if i.project_id == project_id and i.is_gold and i.training is training
                and i.id not in had]

    # --- the port ---------------------------------------------------------------------------
    async def standing(self, project_id: ProjectId, annotator_id: AnnotatorId
                       ) -> Standing | None:
        """Return the annotator's standing in the project, if they started there."""
        row = self._state.standings.get((project_id, annotator_id))
        return _standing(row) if row else None

    async def save(self, standing: Standing, now: datetime) -> None:
        """Store a standing (insert or replace)."""
        key = (standing.project_id, standing.annotator_id)
        self._state.standings[key] = StandingRow(
            project_id=standing.project_id, annotator_id=standing.annotator_id,
            phase=standing.phase.value, updated_at=to_ts(now), status=standing.status.value,
            attempt=standing.attempt, failures=standing.failures,
            retry_at=to_ts(standing.retry_at) if standing.retry_at else None,
            rule=standing.rule.value if standing.rule else None,
            evidence=json.dumps(dict(standing.evidence), sort_keys=True),
            appeal=standing.appeal.value, grace=standing.grace,
            notified=",".join(sorted(r.value for r in standing.notified)))

    async def set_stage(self, assignment_id: AssignmentId, stage: Stage, attempt: int) -> None:
        """Record the stage (and exam attempt) an assignment was handed out for."""
        row = self._state.assignments.get(assignment_id)
        if row is not None:
            row.stage, row.attempt = stage.value, attempt

    async def stage_of(self, assignment_id: AssignmentId) -> TaskStage:
        """Return the stage an assignment was handed out for."""
        row = self._state.assignments.get(assignment_id)
        return TaskStage(Stage(row.stage), row.attempt) if row else TaskStage(Stage.PRODUCTION, 0)

    async def unseen_training(self, project_id: ProjectId, annotator_id: AnnotatorId,
                              limit: int) -> Sequence[ItemId]:
        """Return up to ``limit`` training items the annotator has never had, in id order."""
        return limited(self._unseen(project_id, annotator_id, training=True), limit)

    async def progress(self, project_id: ProjectId, annotator_id: AnnotatorId,
                       attempt: int) -> Progress:
        """Return training and exam counts (exam: the given attempt)."""
        joined = self._stage_answers(project_id, annotator_id)
        exam = [a for a, stage in joined if stage == EXAM
                and self._state.assignments[a.assignment_id].attempt == attempt]
        training = [a for a, stage in joined if stage == TRAINING]
        wrong = [a.id for a in training if a.correct is not None and not a.correct]
        last_wrong = max(wrong, default=0)
        return Progress(
            training_done=sum(1 for g in self._assignments(project_id, annotator_id)
                              if g.stage == TRAINING and g.status == "answered"),
            training_left=len(self._unseen(project_id, annotator_id, training=True)),
            exam_done=len(exam),
            exam_correct=sum(int(a.correct or 0) for a in exam),
            gold_left=len(self._unseen(project_id, annotator_id, training=False)),
            training_streak=sum(1 for a in training if a.id > last_wrong))

    async def gold_record(self, project_id: ProjectId, annotator_id: AnnotatorId,
                          limit: int) -> Sequence[bool]:
        """Return whether each of the latest ``limit`` gold answers was right, oldest first."""
        checked = [a for a in reversed(self._answers(project_id, annotator_id))
                   if a.is_gold and a.correct is not None]
        return [bool(a.correct) for a in reversed(limited(checked, limit))]

    async def history(self, project_id: ProjectId, annotator_id: AnnotatorId, *,
                      after_answer: int, recent: int, since: datetime) -> History:
        """Return the evidence the rules need (answers after ``after_answer``)."""
        newest = [a for a in reversed(self._answers(project_id, annotator_id))
                  if a.id > after_answer]
        production = [a for a in newest
                      if (g := self._state.assignments.get(a.assignment_id)) is not None
                      and g.stage == PRODUCTION]
        mark = self._state.answers.get(after_answer)
        after_assignment = mark.assignment_id if mark is not None else 0
        assignments = self._assignments(project_id, annotator_id)
        statuses = [g.status for g in reversed(assignments)
                    if g.status in ("answered", "skipped") and g.id > after_assignment]
        skips = 0
        for status in limited(statuses, recent):
            if status != "skipped":
                break
            skips += 1
        gold = [a for a in self._gold_scored(project_id, annotator_id) if a.id > after_answer]
        positions = limited([(p, d.get("choices")) for a in newest if a.detail
                             and (p := (d := json.loads(a.detail)).get("position")) is not None],
                            POSITION_WINDOW)
        return History(
            gold=_score(gold),
            values=[a.value for a in reversed(limited(newest, recent))],
            seconds=[a.seconds for a in reversed(limited(production, recent))],
            skips_in_row=skips,
            tasks_today=sum(1 for a in self._answers(project_id, annotator_id)
                            if a.answered_at >= to_ts(since)),
            production_done=sum(1 for g in assignments
                                if g.stage == PRODUCTION and g.status == "answered"),
            gold_parts=_part_scores(gold),
            first_picks=sum(1 for position, _ in positions if position == 0),
            positioned=len(positions),
            expected_first=sum(1.0 / (2 if choices is None else choices)
                               for _, choices in positions))

    async def last_answer_id(self, project_id: ProjectId, annotator_id: AnnotatorId) -> int:
        """Return the id of the annotator's latest answer in the project (0: none)."""
        return max((a.id for a in self._answers(project_id, annotator_id)), default=0)

    async def exclude(self, project_id: ProjectId, annotator_id: AnnotatorId) -> int:
        """Exclude the annotator's answers, reopen their items; return how many answers."""
        state = self._state
        counted = [a for a in self._answers(project_id, annotator_id) if not a.excluded]
        for answer in counted:
            if answer.item_id in state.items:
                state.items[answer.item_id].settled = False
        for answer in counted:
            answer.excluded = True
            if answer.item_id in state.items:  # trigger answers_count_excluded
                state.items[answer.item_id].answers -= 1
        for g in self._assignments(project_id, annotator_id):
            if g.status == "active":
                del state.assignments[g.id]
                if g.item_id in state.items:  # trigger assignments_count_delete
                    state.items[g.item_id].live -= 1
        return len(counted)

    async def include(self, project_id: ProjectId, annotator_id: AnnotatorId) -> int:
        """Count the annotator's excluded answers again; return how many."""
        excluded = [a for a in self._answers(project_id, annotator_id) if a.excluded]
        for answer in excluded:
            answer.excluded = False
            if answer.item_id in self._state.items:  # trigger answers_count_excluded
                self._state.items[answer.item_id].answers += 1
        return len(excluded)

    async def add_event(self, project_id: ProjectId, annotator_id: AnnotatorId | None,
                        kind: str, rule: str | None, evidence: Mapping[str, object],
                        actor_id: int | None, now: datetime) -> bool:
        """Record a quality event; False if it is a project's second ``needs_gold``."""
        events = self._state.quality_events
        if kind == "needs_gold" and any(e.project_id == project_id and e.kind == kind
                                        for e in events.values()):
            return False  # the partial unique index quality_events_needs_gold
        row_id = new_id(events)
        events[row_id] = QualityEventRow(row_id, project_id, annotator_id, kind, rule,
                                         json.dumps(dict(evidence), sort_keys=True),
                                         actor_id, to_ts(now))
        return True

    async def coordinators(self) -> Sequence[Recipient]:
        """Return the users with the coordinator or admin role."""
        return [Recipient(AnnotatorId(a.id), a.language)
                for a in sorted(self._state.annotators.values(), key=lambda a: a.id)
                if a.role in STAFF and not a.blocked]

    async def votes(self, project_id: ProjectId) -> Sequence[CastVote]:
        """Return every included production answer to a non-gold item of the project."""
        return [CastVote(ItemId(a.item_id), AnnotatorId(a.annotator_id), a.value)
                for a in sorted(self._state.answers.values(), key=lambda a: a.id)
                if a.project_id == project_id and not a.is_gold and not a.excluded]

    async def production_standings(self, project_id: ProjectId) -> Sequence[Standing]:
        """Return the standings of annotators working (not suspended) in production."""
        return [_standing(row) for _key, row in sorted(self._state.standings.items())
                if row.project_id == project_id and row.phase == PRODUCTION
                and row.status == Status.ACTIVE.value]

    async def roster(self, project_id: ProjectId, offset: int, limit: int
                     ) -> Sequence[RosterRow]:
        """Return a page of the project's annotators, most answers first."""
        rows = []
        for row in self._state.standings.values():
            person = self._state.annotators.get(row.annotator_id)
            if row.project_id == project_id and person is not None:
                answered = len(self._answers(project_id, row.annotator_id))
                rows.append((row, person.name, answered))
        rows.sort(key=lambda r: (-r[2], r[0].annotator_id))
        result = []
        for row, name, answered in limited(rows[max(offset, 0):], limit):
            seconds = [a.seconds for a in self._answers(project_id, row.annotator_id)]
            result.append(RosterRow(
                AnnotatorId(row.annotator_id), name, _standing(row), answered,
                _score(self._gold_scored(project_id, row.annotator_id)),
                statistics.median(seconds) if seconds else None))
        return result

    async def roster_size(self, project_id: ProjectId) -> int:
        """Return how many annotators have a standing in the project."""
        return sum(1 for row in self._state.standings.values() if row.project_id == project_id)


def _part_scores(gold: Sequence[AnswerRow]) -> tuple[tuple[str, GoldScore], ...]:
    """Return each question's gold score from the answers' per-question checks (010)."""
    totals: dict[str, list[int]] = {}
    for answer in gold:
        for key, right in answer.checks:
            counts = totals.setdefault(key, [0, 0])
            counts[0] += 1
            counts[1] += int(right)
    return tuple((key, GoldScore(right, total)) for key, (total, right) in sorted(totals.items()))
