"""Quality control inside the annotator loop: who may write, what to hand out, and what
an answer means.

These functions run inside the caller's write unit of work (``annotation.loop.tasks``), so a
suspension, its excluded answers and the reopened items commit together with the answer
that triggered them, or not at all; and a suspended annotator's tap is refused
(``refusal``) in the same transaction that would have written it. Every decision is a
pure function of ``qualification`` and ``rules``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from annotation.kinds.registry import kind_of
from annotation.loop.assignment import GOLD_SAMPLE, choose_next_item
from annotation.models import (
    AnnotatorId,
    Answer,
    Assignment,
    ItemId,
    Project,
    ProjectSpec,
    Stage,
)
from annotation.ports.store import LoopWork
from annotation.quality.checking import RECORD_LENGTH
from annotation.quality.notices import CoordinatorNote, Feedback, NoteKind, QualityNotice
from annotation.quality.qualification import (
    Appeal,
    Standing,
    Status,
    Step,
    advance,
    exam_due,
    first_phase,
    gold_rate,
    grade_exam,
    next_step,
)
from annotation.quality.records import History
from annotation.quality.rules import (
    Evidence,
    PartEvidence,
    Verdict,
    cap_reached,
    evaluate,
    to_apply,
)
from annotation.quality.scores import GoldScore
from annotation.quality.settings import Rule, RuleAction, same_answer_limit

DAY = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Pick:
    """The item to hand out and why."""

    item_id: ItemId
    is_gold: bool
    stage: Stage
    attempt: int


async def standing_of(uow: LoopWork, project: Project, annotator_id: AnnotatorId,
                      now: datetime) -> Standing:
    """Return the annotator's standing, starting them at training on first contact."""
    standing = await uow.quality.standing(project.id, annotator_id)
    if standing is None:
        standing = Standing(project.id, annotator_id, first_phase(project.spec.quality))
        await uow.quality.save(standing, now)
    return standing


async def refusal(uow: LoopWork, project: Project, annotator_id: AnnotatorId
                  ) -> QualityNotice | None:
    """Return the suspension notice if the annotator may change nothing in the project.

    A suspended annotator's answers are set aside and their items reopened; until a
    coordinator reinstates them, no answer, toggle, skip or undo of theirs may write, or
    counters and earnings would count what quality control excluded. Read-only: a first
    contact creates no standing here (``standing_of`` does, when work is handed out).
    """
    standing = await uow.quality.standing(project.id, annotator_id)
    if standing is None or not standing.suspended:
        return None
    verdict = Verdict(standing.rule or Rule.MANUAL, RuleAction.SUSPEND, standing.evidence)
    return QualityNotice(suspension=verdict, project=project)


async def pick_item(uow: LoopWork, project: Project, annotator_id: AnnotatorId,
                    now: datetime, rng: random.Random) -> Pick | None:
    """Return the next item for the annotator's stage, or None (wait, suspended, no work)."""
    settings = project.spec.quality
    standing = await standing_of(uow, project, annotator_id, now)
    progress = await uow.quality.progress(project.id, annotator_id, standing.attempt)
    moved = advance(standing, progress, settings)
    if moved != standing:
        await uow.quality.save(moved, now)
    step = next_step(moved, progress, settings, now)
    if step is Step.TRAINING:
        training = await uow.quality.unseen_training(project.id, annotator_id, 1)
        return Pick(training[0], True, Stage.TRAINING, 0) if training else None
    if step is Step.EXAM:
        gold = await uow.items.unseen_gold(project.id, annotator_id, GOLD_SAMPLE)
        if not gold:
            return None
        return Pick(gold[rng.randrange(len(gold))], True, Stage.EXAM, moved.attempt)
    if step is not Step.PRODUCTION:
        return None
    history = await uow.quality.history(project.id, annotator_id, after_answer=0, recent=0,
                                        since=now - DAY)
    if cap_reached(history.tasks_today, settings):
        return None
    spec = project.spec
    regular = await uow.items.next_regular(project.id, annotator_id, spec.overlap,
                                             spec.first_round)
    record = (await uow.quality.gold_record(project.id, annotator_id, RECORD_LENGTH)
              if settings.enabled and settings.adaptive_gold else ())
    rate = gold_rate(spec.gold_rate, history.production_done, settings, record,
                     options=len(spec.labels))
    gold_ids: list[ItemId] = []
    if regular is not None and rate > 0:
        gold_ids = list(await uow.items.unseen_gold(project.id, annotator_id, GOLD_SAMPLE))
    chosen = choose_next_item(regular, gold_ids, rate, rng)
    if chosen is None:
        return None
    return Pick(chosen, chosen != regular, Stage.PRODUCTION, 0)


async def review(uow: LoopWork, project: Project, assignment: Assignment,
                 answer: Answer | None, now: datetime) -> QualityNotice | None:
    """Apply quality control after an answer (or a skip, ``answer`` None)."""
    settings = project.spec.quality
    annotator_id = assignment.annotator_id
    standing = await standing_of(uow, project, annotator_id, now)
    if standing.suspended:
        return None
    stage = (await uow.quality.stage_of(assignment.id)).stage
    feedback = None
    if stage is Stage.TRAINING and answer is not None:
        item = await uow.items.get(assignment.item_id)
        if item is not None and item.gold_answer is not None:
            feedback = Feedback(bool(answer.correct), item.gold_answer, item.explanation,
                                item, annotator_id)
    progress = await uow.quality.progress(project.id, annotator_id, standing.attempt)
    updated = advance(standing, progress, settings)
    exam = None
    if stage is Stage.EXAM and updated.phase is Stage.EXAM and exam_due(progress, settings):
        updated, exam = grade_exam(updated, progress, settings, now)
        await uow.quality.add_event(project.id, annotator_id,
                                    "exam_passed" if exam.passed else "exam_failed", None,
                                    {"correct": exam.correct, "total": exam.total},
                                    None, now)
    suspension: Verdict | None = None
    if updated.suspended:
        suspension = Verdict(Rule.EXAM, RuleAction.SUSPEND, updated.evidence)
    warnings: list[Verdict] = []
    notes: list[CoordinatorNote] = []
    if stage is Stage.PRODUCTION and updated.phase is Stage.PRODUCTION:
        suspension, warnings, flags = await _apply_rules(uow, project, updated, now)
        if suspension is not None:
            updated = suspend(updated, suspension)
        else:
            noted = {v.rule for v in warnings + flags if v.rule is not Rule.DAILY_CAP}
            updated = replace(updated, notified=updated.notified | noted)
        name = await _name(uow, annotator_id)
        recipients = tuple(await uow.quality.coordinators())
        notes += [CoordinatorNote(NoteKind.FLAG, project, recipients, annotator_id, name, v)
                  for v in flags]
        if progress.gold_left == 0 and await uow.quality.add_event(
                project.id, None, "needs_gold", None, {}, None, now):
            notes.append(CoordinatorNote(NoteKind.NEEDS_GOLD, project, recipients))
    if suspension is not None:
        await uow.quality.exclude(project.id, annotator_id)
        await uow.quality.add_event(project.id, annotator_id, "suspend", suspension.rule,
                                    suspension.params, None, now)
    if updated != standing:
        await uow.quality.save(updated, now)
    if not (feedback or exam or suspension or warnings or notes):
        return None
    return QualityNotice(feedback, exam, suspension, tuple(warnings), tuple(notes), project)


def suspend(standing: Standing, verdict: Verdict) -> Standing:
    """Return the standing of an annotator suspended by ``verdict``."""
    return replace(standing, status=Status.SUSPENDED, rule=verdict.rule,
                   evidence=dict(verdict.params), appeal=Appeal.NONE)


async def _apply_rules(uow: LoopWork, project: Project, standing: Standing,
                       now: datetime) -> tuple[Verdict | None, list[Verdict], list[Verdict]]:
    settings = project.spec.quality
    recent = max(same_answer_limit(settings, project.spec.answer_type.value),
                 settings.run_max_skips, settings.speed_window, 1)
    history = await uow.quality.history(project.id, standing.annotator_id,
                                        after_answer=standing.grace, recent=recent,
                                        since=now - DAY)
    evidence = Evidence(gold=history.gold, seconds=history.seconds, values=history.values,
                        skips_in_row=history.skips_in_row, tasks_today=history.tasks_today,
                        first_picks=history.first_picks, positioned=history.positioned,
                        expected_first=history.expected_first,
                        parts=part_evidence(project.spec, history))
    spec = project.spec
    verdicts = evaluate(evidence, settings, options=len(spec.labels),
                        answer_type=spec.answer_type.value)
    suspension, fresh = to_apply(verdicts, standing.notified - {Rule.DAILY_CAP})
    warnings = [v for v in fresh if v.action is RuleAction.WARN]
    flags = [v for v in fresh if v.action is RuleAction.FLAG]
    return suspension, warnings, flags


def part_evidence(spec: ProjectSpec, history: History) -> tuple[PartEvidence, ...]:
    """Return each question's own evidence when an answer gives several (their gold
    scores and latest answers, so the gold and same-answer rules run per question)."""
    kind = kind_of(spec)
    parts = kind.parts(spec)
    if not parts:
        return ()
    scores = dict(history.gold_parts)
    split = [kind.split(spec, value) for value in history.values]
    return tuple(PartEvidence(key, scores.get(key, GoldScore(0, 0)),
                              [labels[key] for labels in split if key in labels],
                              len(part.labels))
                 for key, part in parts.items())


async def _name(uow: LoopWork, annotator_id: AnnotatorId) -> str:
    annotator = await uow.annotators.get(annotator_id)
    return annotator.name if annotator else str(annotator_id)
