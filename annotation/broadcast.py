"""Broadcast policy: audiences, the outbox states, pacing and progress (pure, no I/O).

A broadcast is stored with one outbox row per recipient before anything is sent; the sender
walks the rows ``pending -> sending -> sent | blocked | failed``, committing ``sending``
before each Bot API call and the outcome right after it. A row found ``sending`` when the
process starts was cut off by a crash: Telegram may or may not have delivered it, and there
is no way to ask, so it becomes ``uncertain`` and is **never sent again**. The guarantee is
at most once: no one gets a broadcast twice; after a crash at most the few messages that
were in flight are reported uncertain.

Pacing: :class:`Pacer` is a token bucket (rate, burst) on an injected clock, kept below
Telegram's bot-wide limit (about 30 messages per second) so a broadcast never trips flood
control; one message per chat is far below the per-chat limit (1 per second).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from annotation.errors import DomainError, ErrorCode
from annotation.models import AnnotatorId, ProjectId

TELEGRAM_GLOBAL_RATE = 30.0  # messages per second, bot-wide
DEFAULT_RATE = 28.0  # leaves room for progress edits and the annotators' own traffic
DEFAULT_BURST = 3.0
PROGRESS_EVERY = 2.0  # seconds between edits of the coordinator's progress message
MAX_IDLE_DAYS = 365


class BroadcastKind(StrEnum):
    """What is sent: a coordinator's message, or a text the bot writes per language."""

    MESSAGE = "message"
    PROJECT_OPENED = "project_opened"
    REMINDER = "reminder"


class AudienceKind(StrEnum):
    """Who receives a broadcast."""

    ALL = "all"
    PROJECT = "project"  # the annotators working on a project
    IDLE = "idle"  # annotators with no answer for N days
    REMINDER = "reminder"  # a project's idle, unmuted annotators not yet reminded


class BroadcastStatus(StrEnum):
    """A broadcast's life: drafted, confirmed (sending), done or cancelled."""

    DRAFT = "draft"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class DeliveryStatus(StrEnum):
    """An outbox row's state."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"
    UNCERTAIN = "uncertain"


@dataclass(frozen=True, slots=True)
class Audience:
    """Who a broadcast goes to."""

    kind: AudienceKind
    project_id: ProjectId | None = None
    idle_days: int | None = None


@dataclass(frozen=True, slots=True)
class AudienceRequest:
    """An audience as typed by a coordinator (the project not yet looked up)."""

    kind: AudienceKind
    project_ref: str = ""
    idle_days: int | None = None


@dataclass(frozen=True, slots=True)
class Broadcast:
    """A stored broadcast."""

    id: int
    kind: BroadcastKind
    created_by: AnnotatorId | None
    created_at: datetime
    audience: Audience
    text: str
    photo_file_id: str | None
    status: BroadcastStatus
    progress_chat: int | None = None
    progress_message: int | None = None


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One outbox row claimed for sending, with what rendering needs."""

    broadcast_id: int
    annotator_id: AnnotatorId
    name: str
    language: str
    attempts: int


@dataclass(frozen=True, slots=True)
class BroadcastProgress:
    """How far a broadcast has got."""

    total: int
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    uncertain: int = 0

    @property
    def done(self) -> int:
        """Return how many rows reached a final state."""
        return self.sent + self.blocked + self.failed + self.uncertain

    @property
    def finished(self) -> bool:
        """Return whether every row reached a final state."""
        return self.done >= self.total

    def plus(self, status: DeliveryStatus) -> BroadcastProgress:
        """Return the progress with one more row in ``status``."""
        return BroadcastProgress(
            self.total,
            self.sent + (status is DeliveryStatus.SENT),
            self.blocked + (status is DeliveryStatus.BLOCKED),
            self.failed + (status is DeliveryStatus.FAILED),
            self.uncertain + (status is DeliveryStatus.UNCERTAIN),
        )


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


class Pacer:
    """A token bucket on the caller's clock: when the next send may go.

    Starts with one token, so a (re)started broadcast never bursts; after a stall it may
    catch up at most ``burst`` sends. :meth:`hold` pauses it (a 429's retry_after). Use::

        while (wait := pacer.delay(clock())) > 0:
            await asyncio.sleep(wait)
        pacer.take(clock())
    """

    def __init__(self, rate: float = DEFAULT_RATE, burst: float = DEFAULT_BURST,
                 now: float = 0.0) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self._tokens = 1.0
        self._stamp = now

    def _refill(self, now: float) -> None:
        if now > self._stamp:
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now

    def delay(self, now: float) -> float:
        """Return the seconds until a send may go (0: now)."""
        if now < self._stamp:  # held
            return self._stamp - now + max(0.0, 1.0 - self._tokens) / self.rate
        self._refill(now)
        return max(0.0, 1.0 - self._tokens) / self.rate

    def take(self, now: float) -> None:
        """Spend one token for a send made now."""
        self._refill(now)
        self._tokens -= 1.0

    def hold(self, now: float, seconds: float) -> None:
        """Send nothing for ``seconds`` from ``now``, then resume without a burst."""
        self._refill(now)
        self._stamp = max(self._stamp, now + seconds)
        self._tokens = min(self._tokens, 1.0)


def should_report(last_report: float | None, now: float, finished: bool,
                  every: float = PROGRESS_EVERY) -> bool:
    """Return whether to edit the progress message now (throttled; always at the end)."""
    return finished or last_report is None or now - last_report >= every
