"""Item rows validated into ``ItemDraft`` values: ids, texts, gold, training and media.

An uncompressed audio file (WAV) gets an Opus copy that phones are sent instead
(``annotation.media.voice_notes.for_phones``); the file itself stays the item's media.

Each media file is read once per items file, however its path is written (keyed by the
file the path reaches, ``MediaSource.key``), and decoded once per content (keyed by the
sha256 of its bytes): a file that failed is reported again on every row using it. Images
are charged to the upload's ``PixelBudget`` before decoding; once it is spent, the first
image past it is reported and no further media is prepared. A ``CancelFlag`` is checked
before each row, so a cancelled import stops between two files.

Codes raised here (params in brackets; see ``item_rows`` for the enum):
``items.duplicate_id`` [id, first_line], ``items.too_long`` [field id or
explanation; length, limit], ``items.text_too_long`` [length, limit],
``items.caption_too_long`` [length, limit: what the question leaves of a caption],
``items.empty_item``, ``items.ambiguous_media``, ``items.no_media_source`` [path],
``items.bad_gold`` [value, reason: the ``ErrorCode`` from the kind's ``canonical``; minimum and
maximum for out_of_range], ``items.bad_boolean`` [value], ``items.training_without_gold``,
``items.explanation_without_gold``, ``items.mixed_candidates`` (a text response beside an
image one), ``items.wrong_media`` [answer_type, kind: an item the kind cannot ask about,
a text to draw boxes on, a photo to tag spans of]; plus
``items.unsafe_path``/``missing_media``/``unreadable_media`` [path] and ``media.*``
[filename, ...] for media.

A kind whose candidates are files (``ItemCheck.media``: an image or audio comparison) gets
each one prepared like the ``media`` column, then composed in the item's order and reversed,
once per pair: two images side by side in one photo (``annotation.media.pairs``), two clips
one after the other in one voice note (``annotation.media.audio_pairs``); an image beside a
clip is refused (``items.mixed_candidates``). The first composition is the item's media,
the others are stored beside it (``ItemDraft.more_media``) and the kind's payload names them
(``TaskKind.with_media``).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from annotation.errors import AnswerRejected, Problem
from annotation.intake.item_rows import ItemProblem, RawRow
from annotation.intake.workers import CancelFlag
from annotation.kinds.base import CandidateMedia, ItemCheck, ItemFault, message_room
from annotation.kinds.registry import ITEM_COLUMNS, kind_of
from annotation.media.audio_pairs import compose_audio_orders
from annotation.media.pairs import compose_orders
from annotation.media.preparation import (
    MediaProblem,
    MediaRejected,
    PixelBudget,
    PreparedMedia,
    prepare_audio,
    prepare_image,
    prepare_media,
)
from annotation.media.sources import MediaSource, MediaUnavailable, SourceProblem
from annotation.media.voice_notes import for_phones
from annotation.models import MediaKey, MediaKind, ProjectSpec

AUDIO_SUFFIXES = {"audio/ogg": ".ogg", "audio/mpeg": ".mp3", "audio/wav": ".wav"}
MAX_TEXT = 3500  # a Telegram message is at most 4096 characters, with the question
MESSAGE_RESERVE = 250  # the training or exam line and a kind's note beside question and text
CAPTION_LIMIT = 900  # a caption is at most 1024; keep room for the training or exam line
CAPTION_RESERVE = 100  # and for a kind's note under the item (a rating's ends: 2 x 40 + 10)
MAX_ID = 200
MAX_EXPLANATION = 1000
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "x", "vrai", "oui", "o", "eny"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "faux", "non", "tsia"})
MEDIA_COLUMNS = ("image", "audio", "media")

ProgressCallback = Callable[[int, int], None]
_Preparer = Callable[[bytes, str, PixelBudget], PreparedMedia]
_PREPARERS: dict[str, _Preparer] = {
    "image": prepare_image,
    "audio": lambda data, filename, _budget: for_phones(prepare_audio(data, filename)),
    "media": lambda data, filename, budget: for_phones(prepare_media(data, filename, budget)),
    "candidate": prepare_media,  # a comparison's image or clip: composed, never sent alone
}


@dataclass(frozen=True, slots=True)
class ItemDraft:
    """A validated item not yet stored, with its media prepared."""

    line: int
    external_id: str
    kind: MediaKind
    text: str
    media: PreparedMedia | None
    gold_answer: str | None  # canonical (the kind's ``canonical``)
    explanation: str | None
    training: bool
    payload: str = ""  # the kind's own data (annotation/kinds/)
    more_media: tuple[PreparedMedia, ...] = ()  # stored beside ``media``, named by payload


def caption_room(spec: ProjectSpec) -> int:
    """Return how many characters a media item's text may have next to the question.

    ``CAPTION_RESERVE`` keeps room for what the caption may hold beside them (the training
    or exam line, a rating's meaning of its ends), so a caption is never cut when shown.
    """
    return message_room(spec, CAPTION_RESERVE, CAPTION_LIMIT)


def text_room(spec: ProjectSpec) -> int:
    """Return how many characters a text item may have: ``MAX_TEXT``, less when the
    question is so long that the message would not fit (never cut when shown)."""
    return min(MAX_TEXT, message_room(spec, MESSAGE_RESERVE))


def draft_rows(
    rows: Sequence[RawRow],
    spec: ProjectSpec,
    media: MediaSource | None,
    problems: list[Problem],
    on_progress: ProgressCallback | None = None,
    *,
    budget: PixelBudget | None = None,
    cancel: CancelFlag | None = None,
) -> list[ItemDraft]:
    """Validate rows into drafts, appending each problem found to ``problems``.

    ``budget``: the pixels the upload may decode (default: a fresh ``PixelBudget``);
    ``cancel``: checked before each row (raises ``PreparationCancelled``).
    """
    checker = _RowChecker(spec, media, problems, budget or PixelBudget())
    drafts: list[ItemDraft] = []
    total = len(rows)
    step = max(1, -(-total // 100))  # at most about 100 calls
    for done, row in enumerate(rows, start=1):
        if cancel is not None:
            cancel.check()
        draft = checker.check(row)
        if draft is not None:
            drafts.append(draft)
        if on_progress is not None and (done % step == 0 or done == total):
            on_progress(done, total)
    return drafts


class _RowChecker:
    """Validates rows one by one, remembering ids and prepared media across rows."""

    def __init__(self, spec: ProjectSpec, media: MediaSource | None, problems: list[Problem],
                 budget: PixelBudget):
        self.spec = spec
        self.source = media
        self.problems = problems
        self.budget = budget
        self.budget_spent = False  # the pixel budget ran out: prepare no more media
        self.first_line_of: dict[str, int] = {}
        self.prepared: dict[tuple[str, str], PreparedMedia | Problem] = {}  # by file
        self.decoded: dict[tuple[str, str], PreparedMedia | Problem] = {}  # by content
        self.composed: dict[tuple[MediaKey, ...],
                            tuple[PreparedMedia, PreparedMedia, CandidateMedia]] = {}
        self.caption_room = caption_room(spec)
        self.text_room = text_room(spec)
        self.task_kind = kind_of(spec)

    def report(self, code: str, row: RawRow, field: str | None = None, **params: object) -> None:
        self.problems.append(Problem(code, row.line, field, params))

    def check(self, row: RawRow) -> ItemDraft | None:
        before = len(self.problems)
        cells = row.cells
        external_id = self._external_id(row)
        text = unicodedata.normalize("NFC", cells.get("text", "").strip())
        prepared = self._media(row)
        check = self._payload(row)
        payload = check.payload
        more: tuple[PreparedMedia, ...] = ()
        if check.media and prepared is not None:
            self.report(ItemProblem.AMBIGUOUS_MEDIA, row, check.media[0][0])
        elif check.media:
            pictured = self._candidates(row, check)
            if pictured is not None:
                prepared, more, payload = pictured
        kind = MediaKind.TEXT if prepared is None else prepared.kind
        if prepared is not None or not any(column in cells for column in MEDIA_COLUMNS):
            payload = self._fit(row, payload, kind, prepared)  # (media that failed: reported)
        own_cells = bool(self.task_kind.item_columns)  # the kind checks them (a comparison)
        if not own_cells and not text and not any(column in cells for column in MEDIA_COLUMNS):
            self.report(ItemProblem.EMPTY_ITEM, row)
        elif kind is MediaKind.TEXT and len(text) > self.text_room:
            self.report(ItemProblem.TEXT_TOO_LONG, row, "text", length=len(text),
                        limit=self.text_room)
        elif kind is not MediaKind.TEXT and len(text) > self.caption_room:
            self.report(
                ItemProblem.CAPTION_TOO_LONG, row, "text", length=len(text), limit=self.caption_room
            )
        gold = self._gold(row)
        explanation = cells.get("explanation", "").strip() or None
        if explanation is not None and len(explanation) > MAX_EXPLANATION:
            self.report(
                ItemProblem.TOO_LONG,
                row,
                "explanation",
                length=len(explanation),
                limit=MAX_EXPLANATION,
            )
        if explanation is not None and "gold" not in cells:
            self.report(ItemProblem.EXPLANATION_WITHOUT_GOLD, row, "explanation")
        training = self._training(row)
        if training and "gold" not in cells:
            self.report(ItemProblem.TRAINING_WITHOUT_GOLD, row, "training")
        if len(self.problems) > before:
            return None
        return ItemDraft(row.line, external_id, kind, text, prepared, gold, explanation, training,
                         payload, more)

    def _payload(self, row: RawRow) -> ItemCheck:
        """Read the cells only the project's kind reads; refuse another kind's columns."""
        own = self.task_kind.item_columns
        for column in ITEM_COLUMNS:
            if column in row.cells and column not in own:
                self.report(ItemProblem.UNKNOWN_COLUMN, row, column)
        if not own:
            return ItemCheck()
        check = self.task_kind.check_item(self.spec, row.cells)
        for fault, column, length, limit in check.faults:
            if fault is ItemFault.MISSING:
                self.report(ItemProblem.EMPTY_CELL, row, column)
            elif fault is ItemFault.NOT_APPLICABLE:
                self.report(ItemProblem.UNKNOWN_COLUMN, row, column)
            elif fault is ItemFault.MIXED:
                self.report(ItemProblem.MIXED_CANDIDATES, row, column)
            elif fault is ItemFault.BAD_LANGUAGE:
                self.report(ItemProblem.BAD_LANGUAGE, row, column, value=row.cells[column])
            else:
                self.report(ItemProblem.TEXT_TOO_LONG, row, column, length=length, limit=limit)
        return check

    def _fit(self, row: RawRow, payload: str, kind: MediaKind, prepared: PreparedMedia | None
             ) -> str:
        """Return the payload once the kind has seen the item's media (an image's size), or
        report an item the kind cannot ask about."""
        size = (prepared.width, prepared.height) if prepared is not None and \
            prepared.width and prepared.height else None
        fitted = self.task_kind.fit_item(payload, kind, size)
        for _fault, column, _length, _limit in fitted.faults:
            self.report(ItemProblem.WRONG_MEDIA, row, column,
                        answer_type=str(self.spec.answer_type), kind=str(kind))
        return fitted.payload

    def _candidates(self, row: RawRow, check: ItemCheck
                    ) -> tuple[PreparedMedia, tuple[PreparedMedia, ...], str] | None:
        """Prepare the candidates' files and compose them in both orders: return the
        item's media, the media stored beside it and the payload naming them."""
        files = [self._file(row, column, path, "candidate") for column, path in check.media]
        if any(file is None for file in files):
            return None
        first, second = (file for file in files if file is not None)
        if first.kind is not second.kind:
            self.report(ItemProblem.MIXED_CANDIDATES, row, check.media[1][0])
            return None
        pair = self.composed.get((first.key, second.key))
        if pair is None:
            try:
                pair = _compose(first, second)
            except MediaRejected as exc:  # a clip libsndfile cannot read, a pair too long
                self.problems.append(_located(exc, row, check, (first, second)))
                return None
            self.composed[(first.key, second.key)] = pair
        forward, backward, media = pair
        payload = self.task_kind.with_media(check.payload, media)
        return forward, (backward, first, second), payload

    def _external_id(self, row: RawRow) -> str:
        external_id = row.cells.get("id", "").strip() or str(row.line)
        if len(external_id) > MAX_ID:
            self.report(ItemProblem.TOO_LONG, row, "id", length=len(external_id), limit=MAX_ID)
        first = self.first_line_of.setdefault(external_id, row.line)
        if first != row.line:
            self.report(ItemProblem.DUPLICATE_ID, row, "id", id=external_id, first_line=first)
        return external_id

    def _gold(self, row: RawRow) -> str | None:
        raw = row.cells.get("gold")
        if raw is None:
            return None
        try:
            text = unicodedata.normalize("NFC", row.cells.get("text", "").strip())
            return kind_of(self.spec).canonical_about(self.spec, text, raw)
        except AnswerRejected as exc:
            self.report(
                ItemProblem.BAD_GOLD,
                row,
                "gold",
                value=raw,
                reason=str(exc.code),
                **{k: v for k, v in exc.params.items() if k != "text"},
            )
            return None

    def _training(self, row: RawRow) -> bool:
        raw = row.cells.get("training", "").strip().casefold()
        if not raw or raw in FALSE_WORDS:
            return False
        if raw in TRUE_WORDS:
            return True
        self.report(ItemProblem.BAD_BOOLEAN, row, "training", value=row.cells["training"])
        return False

    def _media(self, row: RawRow) -> PreparedMedia | None:
        given = [column for column in MEDIA_COLUMNS if column in row.cells]
        if not given:
            return None
        if len(given) > 1:
            self.report(ItemProblem.AMBIGUOUS_MEDIA, row, given[1])
            return None
        column = given[0]
        return self._file(row, column, row.cells[column].strip(), column)

    def _file(self, row: RawRow, column: str, path: str, preparer: str) -> PreparedMedia | None:
        """Return the file a cell names prepared by ``preparer`` (a key of ``_PREPARERS``),
        once per file, or None with the problem reported."""
        if self.source is None:
            self.report(ItemProblem.NO_MEDIA_SOURCE, row, column, path=path)
            return None
        try:
            key = (preparer, self.source.key(path))
        except MediaUnavailable as exc:
            self.report(exc.reason, row, column, path=path)
            return None
        cached = self.prepared.get(key)
        if cached is None:
            if self.budget_spent:
                return None  # reported once, on the image past the budget
            cached = self.prepared[key] = self._prepare(preparer, path)
        if isinstance(cached, Problem):
            if cached.code == MediaProblem.UPLOAD_PIXELS:
                self.budget_spent = True
            self.problems.append(Problem(cached.code, row.line, column, cached.params))
            return None
        return cached

    def _prepare(self, column: str, path: str) -> PreparedMedia | Problem:
        assert self.source is not None
        try:
            data = self.source.read(path)
        except MediaRejected as exc:
            return exc.to_problem()
        except MediaUnavailable as exc:
            return Problem(exc.reason, params={"path": path})
        except (KeyError, FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return Problem(SourceProblem.MISSING_MEDIA, params={"path": path})
        except OSError:
            return Problem(SourceProblem.UNREADABLE_MEDIA, params={"path": path})
        content = (column, hashlib.sha256(data).hexdigest())
        done = self.decoded.get(content)
        if done is None:
            try:
                done = _PREPARERS[column](data, path, self.budget)
            except MediaRejected as exc:
                done = exc.to_problem()
            if not (isinstance(done, Problem) and done.code == MediaProblem.UPLOAD_PIXELS):
                self.decoded[content] = done
        if isinstance(done, Problem) and "filename" in done.params:
            return Problem(done.code, done.line, done.field, {**done.params, "filename": path})
        return done


def _compose(first: PreparedMedia, second: PreparedMedia
             ) -> tuple[PreparedMedia, PreparedMedia, CandidateMedia]:
    """Compose two candidates in the item's order and reversed: images side by side, clips
    one after the other; return both and what the kind's payload records of them."""
    keys = (first.key, second.key)
    if first.kind is MediaKind.AUDIO:
        forward, backward = compose_audio_orders(first, second)
        return forward.media, backward.media, CandidateMedia(
            keys, backward.media.key, (_suffix(first), _suffix(second)),
            (forward.second_at, backward.second_at))
    photo_forward, photo_backward = compose_orders(first, second)
    return photo_forward, photo_backward, CandidateMedia(keys, photo_backward.key)


def _suffix(media: PreparedMedia) -> str:
    """Return the file suffix a clip is exported under, from what its bytes are."""
    return AUDIO_SUFFIXES.get(media.mime, ".ogg")


def _located(exc: MediaRejected, row: RawRow, check: ItemCheck,
             files: tuple[PreparedMedia, PreparedMedia]) -> Problem:
    """Return a composition's refusal at the cell naming the file it is about, with the
    path as written there (both paths when it is about the pair)."""
    named = exc.params.get("filename")
    for (column, path), file in zip(check.media, files, strict=True):
        if named == file.filename:
            return Problem(exc.reason, row.line, column, {**exc.to_problem().params,
                                                          "filename": path})
    paths = " + ".join(path for _column, path in check.media)
    return Problem(exc.reason, row.line, check.media[0][0], {**exc.to_problem().params,
                                                             "filename": paths})
