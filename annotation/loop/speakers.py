"""Speakers: what annotators who record say about themselves, and taking their recordings
back.

``/speaker`` is a short form answered with buttons, one question at a time: first the
consent (what is kept, that it is optional, that it goes with the recordings under a
pseudonym, that ``/withdraw`` takes them back), then gender, age band and dialect region,
each with "prefer not to say". Every tap is stored at once (no half-filled form waits in
memory): agreeing starts a fresh row, each answer fills one detail, declining deletes the
details. Details are codes (:data:`GENDERS`, :data:`AGE_BANDS`, :data:`REGIONS`), which the
handlers translate and exports write as they are.

``/withdraw`` marks the speaker withdrawn: every recording they made until then leaves
every later export (``SpeakerRepository.withdrawn``), the checks of their recordings stop
being handed out (the items are settled), and their details are deleted. They may record
again only after agreeing to ``/speaker`` anew (:func:`may_record`); the recordings
withdrawn stay withdrawn. Earnings already made are kept: the work was done.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from annotation.errors import ErrorCode, StaleTask
from annotation.models import AnnotatorId
from annotation.ports.store import SpeakerWork, Store
from annotation.records import Speaker

UNDISCLOSED = "undisclosed"  # "prefer not to say"
AGREE, DECLINE = "agree", "decline"
GENDERS = ("female", "male", "other", UNDISCLOSED)
AGE_BANDS = ("under_20", "20_29", "30_39", "40_49", "50_59", "60_plus", UNDISCLOSED)
# Madagascar's main dialect areas; a project could name its own list later.
REGIONS = ("merina", "betsileo", "sakalava", "betsimisaraka", "antandroy", "antakarana",
           "other", UNDISCLOSED)


class Question(StrEnum):
    """The form's questions, in the order asked (a button names one by its position)."""

    CONSENT = "consent"
    GENDER = "gender"
    AGE_BAND = "age_band"
    REGION = "region"


FORM = tuple(Question)
DETAILS = FORM[1:]  # the questions after the consent


@dataclass(frozen=True, slots=True)
class FormStep:
    """Where a speaker stands in the form: the question to ask (None: the form is over)
    with its options, and what is stored."""

    question: Question | None
    options: tuple[str, ...]
    speaker: Speaker | None
    declined: bool = False  # the form ended with "no, thanks": no details are kept

    @property
    def position(self) -> int:
        """Return the question's position in :data:`FORM` (what its buttons carry)."""
        return FORM.index(self.question) if self.question is not None else len(FORM)


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """What ``/withdraw`` did."""

    speaker: Speaker
    checks_stopped: int  # check items of the speaker's recordings no longer handed out


def may_record(speaker: Speaker | None) -> bool:
    """Return whether an annotator may record: not withdrawn, or consenting since."""
    return speaker is None or not speaker.withdrawn


def consented(annotator_id: AnnotatorId, before: Speaker | None, now: datetime) -> Speaker:
    """Return a fresh row of a speaker who agreed: no details yet, the last withdrawal
    kept (what it withdrew stays withdrawn)."""
    return Speaker(annotator_id, consented_at=now,
                   withdrawn_at=before.withdrawn_at if before else None)


def declined(speaker: Speaker) -> Speaker:
    """Return a speaker's row without details or consent (the last withdrawal kept)."""
    return Speaker(speaker.annotator_id, withdrawn_at=speaker.withdrawn_at)


def withdrawn(annotator_id: AnnotatorId, now: datetime) -> Speaker:
    """Return the row of a speaker who withdrew now: details and consent deleted."""
    return Speaker(annotator_id, withdrawn_at=now)


def answered(speaker: Speaker, question: Question, code: str) -> Speaker:
    """Return the speaker with one detail given."""
    match question:
        case Question.GENDER:
            return replace(speaker, gender=code)
        case Question.AGE_BAND:
            return replace(speaker, age_band=code)
        case Question.REGION:
            return replace(speaker, region=code)
    return speaker  # the consent is no detail


class SpeakerService:
    """``/speaker`` and ``/withdraw`` over a ``Store``."""

    def __init__(self, store: Store[SpeakerWork], *, clock: Callable[[], datetime],
                 regions: Sequence[str] = REGIONS) -> None:
        self._store = store
        self._clock = clock
        self._options = {Question.CONSENT: (AGREE, DECLINE), Question.GENDER: GENDERS,
                         Question.AGE_BAND: AGE_BANDS, Question.REGION: tuple(regions)}

    def options(self, question: Question) -> tuple[str, ...]:
        """Return the codes a question offers, in button order."""
        return self._options[question]

    async def begin(self, annotator_id: AnnotatorId) -> FormStep | None:
        """Return the form's first step, the consent, with what is stored (None: someone
        who never started the bot)."""
        async with self._store.read() as uow:
            if await uow.annotators.get(annotator_id) is None:
                return None
            speaker = await uow.speakers.get(annotator_id)
        return self._step(Question.CONSENT, speaker)

    async def choose(self, annotator_id: AnnotatorId, position: int, choice: int
                     ) -> FormStep:
        """Store one tap of the form (question ``position``, option ``choice``) and return
        the next step; a button no step shows now raises ``StaleTask``."""
        if not 0 <= position < len(FORM):
            raise StaleTask(ErrorCode.NOT_YOURS)
        question = FORM[position]
        options = self.options(question)
        if not 0 <= choice < len(options):
            raise StaleTask(ErrorCode.NOT_YOURS)
        code = options[choice]
        async with self._store.write() as uow:
            if await uow.annotators.get(annotator_id) is None:
                raise StaleTask(ErrorCode.NOT_YOURS)
            before = await uow.speakers.get(annotator_id)
            if question is Question.CONSENT and code == DECLINE:
                after = declined(before) if before else None
                if after is not None:
                    await uow.speakers.save(after)
                return FormStep(None, (), after, declined=True)
            if question is Question.CONSENT:
                speaker = consented(annotator_id, before, self._clock())
            elif before is None or before.consented_at is None or before.withdrawn:
                raise StaleTask(ErrorCode.NOT_YOURS)  # a detail without consent
            else:
                speaker = answered(before, question, code)
            await uow.speakers.save(speaker)
        following = FORM[position + 1] if position + 1 < len(FORM) else None
        return self._step(following, speaker)

    async def withdraw(self, annotator_id: AnnotatorId) -> Withdrawal | None:
        """Withdraw every recording the annotator made until now from later exports, stop
        the checks of them and delete their details (None: never started the bot)."""
        async with self._store.write() as uow:
            if await uow.annotators.get(annotator_id) is None:
                return None
            speaker = withdrawn(annotator_id, self._clock())
            await uow.speakers.save(speaker)
            items = await uow.speakers.open_items(annotator_id)
            for item_id in items:
                await uow.items.settle(item_id)
            return Withdrawal(speaker, len(items))

    def _step(self, question: Question | None, speaker: Speaker | None) -> FormStep:
        return FormStep(question, self.options(question) if question else (), speaker)
