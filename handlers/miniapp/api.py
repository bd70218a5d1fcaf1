"""The Mini App's HTTP API: a task to show, its image, and the answer the page sends.

Every request carries Telegram's signed data (``Authorization: tma <initData>``); it is
checked first (:mod:`handlers.miniapp.init_data`: signature and age), then the sender's
request budget, then the task through the use cases: the assignment must be the
signer's and live (``TaskService.task_for`` / ``answer_from_app``). An answer's source is
``webapp:<sha256 of the initData's hash>``: data that already carried an answer to this
assignment makes a double submit (recorded once), to another one a replay (refused).
Refusals are JSON ``{"ok": false, "error": code, "message": text}`` in the annotator's
language (their stored choice, else initData's ``language_code``), and record nothing.

- 400 ``invalid``: a malformed request, or an answer the kind refuses (its reason);
- 401 ``forged`` (no initData, or a signature that does not match), ``expired`` (signed
  longer ago than the configured age), ``replayed`` (it already answered another task);
- 403 ``not_yours``: someone else's assignment, or an unknown one;
- 404 ``chat_only``: a task answered in the chat (its kind has no app view);
- 409 ``closed``: answered, skipped, expired or undone: not live;
- 413 ``too_large``: a body over the cap; 429 ``slow_down``: over the sender's budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import parse_qsl

from aiohttp import web
from PIL import Image

from annotation.errors import AnswerRejected, ErrorCode, StaleTask
from annotation.kinds.base import Turn
from annotation.kinds.registry import kind_of
from annotation.loop.onboarding import pick_language
from annotation.loop.tasks import Outcome, Result
from annotation.models import AnnotatorId, AssignmentId, Media, MediaKey, MediaKind, Task
from handlers.messages import ERRORS, N_
from handlers.miniapp.init_data import InitDataRejected, Rejection, WebAppUser, verify
from handlers.miniapp.strings import STRINGS
from handlers.services import Services, Translations

logger = logging.getLogger(__name__)

BODY_LIMIT = 64 * 1024  # bytes of an answer's request body; a box list is a few KB
SCHEME = "tma "
SOURCE_PREFIX = "webapp:"


class ApiError(StrEnum):
    """The codes of refused requests (the module docstring's table)."""

    INVALID = "invalid"
    FORGED = "forged"
    EXPIRED = "expired"
    REPLAYED = "replayed"
    NOT_YOURS = "not_yours"
    CHAT_ONLY = "chat_only"
    CLOSED = "closed"
    TOO_LARGE = "too_large"
    SLOW_DOWN = "slow_down"


STATUS: dict[ApiError, int] = {
    ApiError.INVALID: 400, ApiError.FORGED: 401, ApiError.EXPIRED: 401,
    ApiError.REPLAYED: 401, ApiError.NOT_YOURS: 403, ApiError.CHAT_ONLY: 404,
    ApiError.CLOSED: 409, ApiError.TOO_LARGE: 413, ApiError.SLOW_DOWN: 429,
}
MESSAGES: dict[ApiError, str] = {
    ApiError.INVALID: N_("This answer cannot be accepted."),
    ApiError.FORGED: N_("This page could not prove that Telegram opened it. Please close it "
                        "and open the task again from the chat."),
    ApiError.EXPIRED: N_("This page was opened too long ago. Please close it and open the "
                         "task again from the chat."),
    ApiError.REPLAYED: N_("This page already sent an answer. Please close it and open the "
                          "task again from the chat."),
    ApiError.NOT_YOURS: N_("This task is not yours."),
    ApiError.CHAT_ONLY: N_("This task is answered in the chat, not here."),
    ApiError.CLOSED: N_("This task is closed: it was answered, skipped or has expired. "
                        "Close this page to see your current task."),
    ApiError.TOO_LARGE: N_("This answer is too large to send."),
    ApiError.SLOW_DOWN: N_("Too many requests: please wait a moment and try again."),
}
REJECTIONS: dict[Rejection, ApiError] = {
    Rejection.MISSING: ApiError.FORGED, Rejection.FORGED: ApiError.FORGED,
    Rejection.EXPIRED: ApiError.EXPIRED,
}


class Refused(Exception):
    """A request refused with one of :class:`ApiError`; ``rejected``: the kind's reason."""

    def __init__(self, error: ApiError, rejected: AnswerRejected | None = None) -> None:
        super().__init__(error.value)
        self.error = error
        self.rejected = rejected


class RequestBudget:
    """A token bucket per sender: one hostile user never slows the others.

    Each user may make ``burst`` requests at once and ``rate`` per second after that;
    buckets that have filled up again are forgotten when many users are known.
    """

    def __init__(self, rate: float = 4.0, burst: int = 30,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._rate, self._burst, self._clock = rate, float(burst), clock
        self._buckets: dict[int, tuple[float, float]] = {}  # user: (tokens, at)

    def take(self, user_id: int) -> bool:
        """Spend one request of the user's budget; False when it is spent."""
        now = self._clock()
        tokens, at = self._buckets.get(user_id, (self._burst, now))
        tokens = min(self._burst, tokens + (now - at) * self._rate)
        if tokens < 1.0:
            self._buckets[user_id] = (tokens, now)
            return False
        self._buckets[user_id] = (tokens - 1.0, now)
        if len(self._buckets) > 10_000:
            self._forget_full(now)
        return True

    def _forget_full(self, now: float) -> None:
        full = [user for user, (tokens, at) in self._buckets.items()
                if tokens + (now - at) * self._rate >= self._burst]
        for user in full:
            del self._buckets[user]


@dataclass(frozen=True, slots=True)
class ApiSettings:
    """How the API checks requests: the bot token signs initData, ``max_age`` bounds it."""

    token: str = field(repr=False)
    max_age: timedelta
    clock: Callable[[], datetime]
    body_limit: int = BODY_LIMIT


def source_of(user: WebAppUser) -> str:
    """Return the answer source naming one opening of the app (its signed data)."""
    return SOURCE_PREFIX + hashlib.sha256(user.hash.encode()).hexdigest()


def _claimed_language(header: str) -> str | None:
    """Read the language an unverified initData claims (only to word a refusal)."""
    try:
        user = json.loads(dict(parse_qsl(header.removeprefix(SCHEME))).get("user", "{}"))
    except ValueError:
        return None
    language = user.get("language_code") if isinstance(user, dict) else None
    return language if isinstance(language, str) else None


def _image_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:  # reads the header only
        return image.size


class MiniAppApi:
    """The request handlers of ``/api/task``, ``/api/image`` and ``/api/answer``."""

    def __init__(self, services: Services, settings: ApiSettings, base_url: Callable[[], str],
                 answered: Callable[[int, Outcome], None],
                 budget: RequestBudget | None = None) -> None:
        self._services = services
        self._settings = settings
        self._base_url = base_url
        self._answered = answered  # shows the next task in the chat (in the background)
        self._budget = budget or RequestBudget()
        self._sizes: dict[MediaKey, tuple[int, int]] = {}

    async def task(self, request: web.Request) -> web.Response:
        """Answer ``GET /api/task?a=<id>``: what the page needs to show the task."""
        return await self._serve(request, self._task)

    async def image(self, request: web.Request) -> web.Response:
        """Answer ``GET /api/image?a=<id>``: the task's prepared image."""
        return await self._serve(request, self._image)

    async def answer(self, request: web.Request) -> web.Response:
        """Answer ``POST /api/answer``: record the answer, then the chat shows the next task."""
        return await self._serve(request, self._answer)

    async def _serve(self, request: web.Request,
                     action: Callable[[web.Request, WebAppUser], Awaitable[web.Response]]
                     ) -> web.Response:
        user: WebAppUser | None = None
        try:
            user = self._authenticate(request)
            if not self._budget.take(user.user_id):
                raise Refused(ApiError.SLOW_DOWN)
            return await action(request, user)
        except Refused as refusal:
            return await self._refusal(request, user, refusal)

    def _authenticate(self, request: web.Request) -> WebAppUser:
        header = request.headers.get("Authorization", "")
        if not header.startswith(SCHEME):
            raise Refused(ApiError.FORGED)
        settings = self._settings
        try:
            return verify(header.removeprefix(SCHEME), settings.token, settings.clock(),
                          settings.max_age)
        except InitDataRejected as rejected:
            raise Refused(REJECTIONS[rejected.reason]) from None

    async def _speech(self, request: web.Request, user: WebAppUser | None
                      ) -> tuple[str, Translations]:
        """Return the language to answer in: the annotator's stored choice, else initData's."""
        if user is None:
            language = pick_language(_claimed_language(request.headers.get("Authorization",
                                                                           "")))
        else:
            annotator = await self._services.onboarding.get(AnnotatorId(user.user_id))
            language = annotator.language if annotator else pick_language(user.language_code)
        return language, self._services.catalogs.get(language)

    async def _refusal(self, request: web.Request, user: WebAppUser | None,
                       refusal: Refused) -> web.Response:
        _language, t = await self._speech(request, user)
        message = t.gettext(MESSAGES[refusal.error])
        rejected = refusal.rejected
        if rejected is not None and rejected.code in ERRORS:
            # a template the parameters do not fill keeps the general message
            with contextlib.suppress(KeyError, IndexError, ValueError):
                message = t.gettext(ERRORS[rejected.code]).format(**rejected.params)
        return web.json_response({"ok": False, "error": refusal.error.value,
                                  "message": message}, status=STATUS[refusal.error])

    async def _live_task(self, request: web.Request, user: WebAppUser) -> Task:
        raw = request.query.get("a", "")
        if not raw.isdigit():
            raise Refused(ApiError.INVALID)
        return await self._task_for(user, int(raw))

    async def _task_for(self, user: WebAppUser, assignment: int) -> Task:
        try:
            return await self._services.tasks.task_for(AnnotatorId(user.user_id),
                                                       AssignmentId(assignment))
        except StaleTask as stale:
            raise Refused(ApiError.NOT_YOURS if stale.code is ErrorCode.NOT_YOURS
                          else ApiError.CLOSED) from None

    async def _task(self, request: web.Request, user: WebAppUser) -> web.Response:
        task = await self._live_task(request, user)
        language, t = await self._speech(request, user)
        spec, assignment = task.project.spec, task.assignment
        view = kind_of(spec).app_view(Turn(spec, task.item, assignment.annotator_id,
                                           assignment.draft, language))
        if view is None:
            raise Refused(ApiError.CHAT_ONLY)
        image = None
        media = _image_of(task)
        if media is not None:
            width, height = await self._size(media)
            image = {"url": f"{self._base_url()}/api/image?a={assignment.id}",
                     "width": width, "height": height}
        return web.json_response({
            **view, "assignment": assignment.id, "lang": language,
            "strings": {key: t.gettext(text) for key, text in STRINGS.items()},
            "question": spec.question.get(language), "image": image,
        }, headers={"Cache-Control": "no-store"})

    async def _size(self, media: Media) -> tuple[int, int]:
        size = self._sizes.get(media.key)
        if size is None:
            data = await self._services.media.data(media.key)
            size = await asyncio.to_thread(_image_size, data)
            if len(self._sizes) > 4096:
                self._sizes.clear()
            self._sizes[media.key] = size
        return size

    async def _image(self, request: web.Request, user: WebAppUser) -> web.Response:
        media = _image_of(await self._live_task(request, user))
        if media is None:
            raise Refused(ApiError.CHAT_ONLY)
        data = await self._services.media.data(media.key)
        return web.Response(body=data, content_type=media.mime,
                            headers={"Cache-Control": "private, max-age=86400"})

    async def _answer(self, request: web.Request, user: WebAppUser) -> web.Response:
        body = await _read_capped(request, self._settings.body_limit)
        assignment, raw = _parse_answer(body)
        try:
            outcome = await self._services.tasks.answer_from_app(
                AnnotatorId(user.user_id), AssignmentId(assignment), raw, source_of(user))
        except StaleTask as stale:
            raise Refused(ApiError.NOT_YOURS if stale.code is ErrorCode.NOT_YOURS
                          else ApiError.CLOSED) from None
        except AnswerRejected as rejected:
            raise Refused(ApiError.INVALID, rejected) from None
        if outcome.result is Result.REPLAYED:
            raise Refused(ApiError.REPLAYED)
        recorded = outcome.result is Result.RECORDED
        if recorded:
            self._answered(user.user_id, outcome)
        return web.json_response({"ok": True, "duplicate": not recorded})


def _image_of(task: Task) -> Media | None:
    media = task.media
    return media if media is not None and media.kind is MediaKind.IMAGE else None


async def _read_capped(request: web.Request, limit: int) -> bytes:
    """Read a request body of at most ``limit`` bytes, refusing more before reading it."""
    if request.content_length is not None and request.content_length > limit:
        raise Refused(ApiError.TOO_LARGE)
    body = bytearray()
    async for chunk in request.content.iter_chunked(16 * 1024):
        body += chunk
        if len(body) > limit:
            raise Refused(ApiError.TOO_LARGE)
    return bytes(body)


def _parse_answer(body: bytes) -> tuple[int, str]:
    """Return the assignment and the answer (written out as compact JSON unless a string)."""
    try:
        data = json.loads(body)
    except ValueError:
        raise Refused(ApiError.INVALID) from None
    if not isinstance(data, dict) or "answer" not in data:
        raise Refused(ApiError.INVALID)
    assignment, answer = data.get("assignment"), data["answer"]
    if not isinstance(assignment, int) or isinstance(assignment, bool) or assignment <= 0:
        raise Refused(ApiError.INVALID)
    raw = answer if isinstance(answer, str) else json.dumps(
        answer, separators=(",", ":"), ensure_ascii=False)
    return assignment, raw
