"""Use cases of broadcasts: draft, confirm, cancel, and the sender's steps over the outbox.

A coordinator drafts a broadcast (nothing is queued), sees how many annotators it reaches
and confirms it: the outbox then gets one row per recipient in the same transaction (a bulk
one, on a worker thread: a broadcast to 100,000 people must not stall the event loop), and
the sender (``bot/broadcaster.py``) works through the rows at the pace of
``annotation.console.pacing``.

The sender walks the rows ``pending -> sending -> sent | blocked | failed``, committing
``sending`` before each Bot API call and the outcome right after it. A row found ``sending``
when the process starts was cut off by a crash: Telegram may or may not have delivered it,
and there is no way to ask, so it becomes ``uncertain`` and is **never sent again**. The
guarantee is at most once: no one gets a broadcast twice; after a crash at most the few
messages that were in flight are reported uncertain.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from annotation.access import AccessService, require_coordinator
from annotation.console.records import (
    Audience,
    AudienceKind,
    AudienceRequest,
    Broadcast,
    BroadcastKind,
    BroadcastProgress,
    BroadcastStatus,
    DeliveryStatus,
    OutboxEntry,
)
from annotation.errors import DomainError, ErrorCode, NotFound
from annotation.models import AnnotatorId, ProjectId
from annotation.ports.store import BroadcastWork, HasOutbox, HasProjects, Store
from annotation.records import AuditAction, AuditEntry

MAX_TEXT = 4000
MAX_CAPTION = 1000
MAX_IDLE_DAYS = 365


@dataclass(frozen=True, slots=True)
class Draft:
    """A drafted broadcast and how many annotators it would reach now."""

    broadcast: Broadcast
    recipients: int


class BroadcastService:
    """Broadcasts for coordinators, and the outbox steps for the sender."""

    def __init__(self, store: Store[BroadcastWork], access: AccessService, *,
                 clock: Callable[[], datetime]) -> None:
        self._store = store
        self._access = access
        self._clock = clock

    async def draft(self, user_id: int, request: AudienceRequest, text: str,
                    photo_file_id: str | None = None) -> Draft:
        """Store a broadcast as a draft and count its audience (coordinators only)."""
        text = text.strip()
        limit = MAX_CAPTION if photo_file_id else MAX_TEXT
        now = self._clock()
        async with self._store.write() as uow:
            actor = await self._access.actor_in(uow, user_id)
            require_coordinator(actor)  # first: an annotator learns nothing of the usage
            if (not text and photo_file_id is None) or len(text) > limit:
                raise DomainError(ErrorCode.USAGE)
            audience = await _resolve(uow, request)
            broadcast = await uow.outbox.add(BroadcastKind.MESSAGE, actor.id, now, audience,
                                             text, photo_file_id, BroadcastStatus.DRAFT)
            return Draft(broadcast, await uow.outbox.count_audience(audience, now))

    async def confirm(self, user_id: int, broadcast_id: int, chat_id: int,
                      message_id: int) -> int:
        """Queue a drafted broadcast for sending; return how many rows were queued.

        A second confirmation (a double tap) queues nothing more and returns 0.
        """
        now = self._clock()
        async with self._store.write(bulk=True) as uow:  # one row per recipient: 100,000s
            actor = await self._access.actor_in(uow, user_id)
            require_coordinator(actor)
            broadcast = await uow.outbox.get(broadcast_id)
            if broadcast is None:
                raise NotFound(ErrorCode.NOT_FOUND, what="broadcast", value=broadcast_id)
            if broadcast.status is not BroadcastStatus.DRAFT:
                return 0
            queued = await uow.outbox.fill(broadcast.id, broadcast.audience, now)
            await uow.outbox.set_progress_message(broadcast.id, chat_id, message_id)
            await uow.outbox.set_status(broadcast.id, BroadcastStatus.SENDING, now)
            await uow.audit.add(AuditEntry(now, actor.id, AuditAction.BROADCAST,
                                           f"broadcast {broadcast.id}",
                                           f"{broadcast.audience.kind} to {queued}"))
            return queued

    async def cancel(self, user_id: int, broadcast_id: int) -> bool:
        """Drop a draft (coordinators only); return False if it was already sent or gone."""
        now = self._clock()
        async with self._store.write() as uow:
            require_coordinator(await self._access.actor_in(uow, user_id))
            broadcast = await uow.outbox.get(broadcast_id)
            if broadcast is None or broadcast.status is not BroadcastStatus.DRAFT:
                return False
            await uow.outbox.set_status(broadcast.id, BroadcastStatus.CANCELLED, now)
            return True

    # --- the sender's steps (no actor: the bot itself) ------------------------------------
    async def recover(self) -> int:
        """At start-up: rows a dead process left in flight become uncertain (never resent)."""
        async with self._store.write() as uow:
            return await uow.outbox.recover()

    async def sending(self) -> Sequence[Broadcast]:
        """Return the broadcasts to send, oldest first."""
        async with self._store.read() as uow:
            return await uow.outbox.sending()

    async def claim(self, broadcast_id: int) -> OutboxEntry | None:
        """Take the next recipient, committing ``sending`` before the message goes out."""
        async with self._store.write() as uow:
            return await uow.outbox.claim(broadcast_id)

    async def settle(self, recipient: OutboxEntry, status: DeliveryStatus) -> None:
        """Record what became of one message (a block also marks the annotator blocked)."""
        async with self._store.write() as uow:
            await uow.outbox.mark(recipient.broadcast_id, recipient.annotator_id, status,
                                  self._clock())
            if status is DeliveryStatus.BLOCKED:
                await uow.annotators.set_blocked(recipient.annotator_id, True)

    async def progress(self, broadcast_id: int) -> BroadcastProgress:
        """Return how far a broadcast has got."""
        async with self._store.read() as uow:
            return await uow.outbox.progress(broadcast_id)

    async def finish(self, broadcast_id: int) -> None:
        """Mark a broadcast done."""
        async with self._store.write() as uow:
            await uow.outbox.set_status(broadcast_id, BroadcastStatus.DONE, self._clock())

    async def project_name(self, project_id: ProjectId | None) -> str:
        """Return a project's name for rendering (empty if unknown)."""
        if project_id is None:
            return ""
        async with self._store.read() as uow:
            project = await uow.projects.get(project_id)
        return project.spec.name if project else ""


async def queue_system_broadcast(uow: HasOutbox, kind: BroadcastKind, audience: Audience,
                                 now: datetime, created_by: AnnotatorId | None = None) -> int:
    """Queue a broadcast the bot writes itself (project opened, reminders); return its size.

    It inserts a row per recipient: open ``uow`` with ``write(bulk=True)``.
    """
    broadcast = await uow.outbox.add(kind, created_by, now, audience, "", None,
                                     BroadcastStatus.SENDING)
    queued = await uow.outbox.fill(broadcast.id, audience, now)
    if queued == 0:
        await uow.outbox.set_status(broadcast.id, BroadcastStatus.DONE, now)
    return queued


async def _resolve(uow: HasProjects, request: AudienceRequest) -> Audience:
    if request.kind is not AudienceKind.PROJECT:
        return Audience(request.kind, idle_days=request.idle_days)
    project = None
    if request.project_ref.isdigit():
        project = await uow.projects.get(ProjectId(int(request.project_ref)))
    if project is None:
        project = await uow.projects.by_name(request.project_ref)
    if project is None:
        raise NotFound(ErrorCode.NOT_FOUND, what="project", value=request.project_ref)
    return Audience(AudienceKind.PROJECT, project_id=project.id)


def parse_audience(words: list[str]) -> tuple[AudienceRequest, int]:
    """Read the audience at the start of ``/broadcast`` arguments; return it and its length.

    ``all``, ``project <id or name>`` (the name as one word) or ``idle <days>``.
    """
    if not words:
        raise DomainError(ErrorCode.USAGE)
    head = words[0].lower()
    if head == AudienceKind.ALL:
        return AudienceRequest(AudienceKind.ALL), 1
    if head == AudienceKind.PROJECT and len(words) >= 2:
        return AudienceRequest(AudienceKind.PROJECT, project_ref=words[1].lstrip("#")), 2
    if head == AudienceKind.IDLE and len(words) >= 2 and words[1].isdigit():
        days = int(words[1])
        if 1 <= days <= MAX_IDLE_DAYS:
            return AudienceRequest(AudienceKind.IDLE, idle_days=days), 2
    raise DomainError(ErrorCode.USAGE)


def parse_broadcast(raw: str) -> tuple[AudienceRequest, str]:
    """Split what follows ``/broadcast`` into the audience and the message (newlines kept)."""
    words = raw.split(maxsplit=3)
    request, used = parse_audience(words[:2])
    rest = raw.strip().split(maxsplit=used)
    return request, rest[used].strip() if len(rest) > used else ""
