"""Checks fed from recordings: every recording accepted in a recording project becomes an
item of each check project that names it as its ``source``.

A recording is made into checks in the transaction that records it (``feed_from``); a
job also runs :meth:`CheckFeed.sync` every few seconds beside the handlers, for check
projects created after their recordings. Each run is one
write transaction per check project and idempotent: an item is named after the recording's
assignment (``rec-<id>``, UNIQUE per project), so a recording is made into a check once,
whatever crashes or overlaps. A check item is the voice note itself (its media key: sent
by the file id it came with), captioned with the text the speaker read, and names its
speaker as its ``author`` so the queue never hands it to them. Answers set aside by
quality control are not made into checks.

Re-recording. Undo takes a recording back and reopens the same assignment, so the take
its speaker records next has the same ``rec-<id>``. Undo therefore takes the old take out
of its checks (``retract_checks``, in the Undo's own transaction, so no crash and no
concurrent tap sees one without the other):

- a check item nobody was handed yet is deleted: no checker ever hears the take, and the
  new take is made into a fresh ``rec-<id>`` when it is recorded;
- a check item a checker was handed is retired (``ItemRepository.retire``, migration
  014): renamed ``rec-<id>~<item id>``, so no join on the recording (its votes, its pay,
  the feed, exports) finds it any more; never handed out again; left out of exports. The
  new take gets a fresh ``rec-<id>`` and is decided by its own checks from zero. The
  checks already given stay, as answers of the check project, and earn its reward: each
  was honest work on the take its checker heard, and those votes say nothing about the
  new take. A checker who holds the retired item open may still answer it, as work in
  progress is honoured when a crowd task is withdrawn (Mechanical Turk's expiring a HIT):
  the answer is recorded on the retired item and paid as a check, and counts for no
  recording.

Refusing Undo once a check exists was the other way, and was rejected: with hundreds of
checkers at work a check is handed out seconds after the recording, so Undo of a
recording would nearly always be refused, and a speaker who heard their own mistake
would have to leave it to be rejected, unpaid. Retiring loses no one's work, the
discarded take never decides anything, and what it costs (the checks of a take thrown
away) is bounded by the undo window (``annotation.loop.assignment.UNDO_WINDOW``).
"""

from __future__ import annotations

import json
from datetime import datetime

from annotation.errors import NotFound
from annotation.intake.catalog import find_project
from annotation.kinds.registry import kind_of
from annotation.models import (
    AnnotatorId,
    AnswerType,
    AssignmentId,
    ItemId,
    MediaKind,
    Project,
    ProjectStatus,
)
from annotation.ports.store import LoopWork, Store
from annotation.records import ItemDraftRecord, RecordingRef

BATCH = 500  # recordings made into checks per project and run
FED = (ProjectStatus.DRAFT, ProjectStatus.OPEN, ProjectStatus.PAUSED)


class CheckFeed:
    """Makes check items of new recordings."""

    def __init__(self, store: Store[LoopWork]) -> None:
        self._store = store

    async def sync(self) -> int:
        """Make a check item of every recording no check project has yet; return how many."""
        async with self._store.read() as uow:
            checks = [p for p in await uow.projects.all()
                      if p.spec.answer_type is AnswerType.CHECK and p.status in FED
                      and p.spec.scale is not None and p.spec.scale.source]
        made = 0
        for check in checks:
            async with self._store.write() as uow:
                source = await _source(uow, check)
                if source is None:
                    continue
                fresh = await uow.answers.unchecked_recordings(source.id, check.id, BATCH)
                made += await uow.items.add_many(check.id, [_draft(source, r) for r in fresh])
        return made


async def feed_from(uow: LoopWork, source: Project) -> int:
    """Make the new recordings of ``source`` into items of the check projects naming it,
    inside the caller's transaction (the one recording them): a checker can hear a
    recording as soon as its speaker is told it was received."""
    made = 0
    for check in await uow.projects.all():
        if not (check.spec.answer_type is AnswerType.CHECK and check.status in FED
                and check.spec.scale is not None and check.spec.scale.source):
            continue
        named = await _source(uow, check)
        if named is not None and named.id == source.id:
            fresh = await uow.answers.unchecked_recordings(source.id, check.id, BATCH)
            made += await uow.items.add_many(check.id, [_draft(source, r) for r in fresh])
    return made


async def retract_checks(uow: LoopWork, assignment_id: AssignmentId, speaker: AnnotatorId,
                         now: datetime) -> int:
    """Take an answer being undone out of the checks made of it, inside the caller's
    transaction (the Undo): delete each check item nobody was handed, retire the others
    (the module's docstring says why); return how many were taken out (0: it was made
    into no check, as any answer that is not a recording)."""
    name = check_name(assignment_id)
    items = await uow.items.authored(speaker, name)
    for item_id in items:
        if not await uow.items.remove_unassigned(item_id):
            await uow.items.retire(item_id, retired_name(assignment_id, item_id), now)
    return len(items)


def check_name(assignment_id: AssignmentId) -> str:
    """Return the external id of the check item of a recording (``rec-<assignment>``)."""
    return f"rec-{assignment_id}"


def retired_name(assignment_id: AssignmentId, item_id: ItemId) -> str:
    """Return the external id a retired check item takes: no recording is named so, and
    the item's id keeps it unique in its project however often the take is replaced."""
    return f"{check_name(assignment_id)}~{item_id}"


async def _source(uow: LoopWork, check: Project) -> Project | None:
    """Return the recording project a check project names (None: none such, yet)."""
    assert check.spec.scale is not None and check.spec.scale.source is not None
    try:
        source = await find_project(uow, check.spec.scale.source.lstrip("#"))
    except NotFound:
        return None
    if source.id == check.id or not kind_of(source.spec).accepts_voice:
        return None
    return source


def _draft(source: Project, recording: RecordingRef) -> ItemDraftRecord:
    payload = json.dumps({"recording": recording.assignment_id, "source": source.id,
                          "speaker": recording.annotator_id}, separators=(",", ":"))
    return ItemDraftRecord(check_name(recording.assignment_id), MediaKind.AUDIO, recording.text,
                           recording.media_key, None, None, False, payload=payload,
                           author=recording.annotator_id)
