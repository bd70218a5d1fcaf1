"""Checks fed from recordings: every recording accepted in a recording project becomes an
item of each check project that names it as its ``source``.

A recording is made into checks in the transaction that records it (``feed_from``); a
job also runs :meth:`CheckFeed.sync` every few seconds beside the handlers, for check
projects created after their recordings. Each run is one
write transaction per check project and idempotent: an item is named after the recording's
assignment (``rec-<id>``, UNIQUE per project), so a recording is made into a check once,
whatever crashes or overlaps. A check item is the voice note itself (its media key: sent
by the file id it came with), captioned with the text the speaker read, and names its
speaker as its ``author`` so the queue never hands it to them. Recordings taken back
(Undo) before the feed ran are never made into checks; answers set aside by quality
control are not either.
"""

from __future__ import annotations

import json

from annotation.errors import NotFound
from annotation.intake.catalog import find_project
from annotation.kinds.registry import kind_of
from annotation.models import AnswerType, MediaKind, Project, ProjectStatus
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
    return ItemDraftRecord(f"rec-{recording.assignment_id}", MediaKind.AUDIO, recording.text,
                           recording.media_key, None, None, False, payload=payload,
                           author=recording.annotator_id)
