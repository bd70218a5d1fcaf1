"""The speech demo's crowd: speakers who record, checkers who listen, transcribers who type.

Speakers (:class:`Habit`): most read well; *fumbling* ones often send a silent or too short
note first (the bot refuses it, they record again); *wrong-sentence* ones read another
sentence half the time: a good-sounding note the bot accepts, whose hidden truth says it
does not say its text. Checkers: careful (right with their accuracy, using the hidden
truth), careless (any of the three buttons) and "always yes" (``Style.CONSTANT``: the
first button). Transcribers: careful ones type the sentence a clip stands for with a few
typos, dropped or swapped words (fewer the more accurate they are); careless ones type
half of it or junk.

:class:`SpeechJudge` answers the check and transcript tasks; :class:`SpeechRunner` is the
crowd runner that also sends voice notes (recording tasks) and typed text (transcripts).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from annotation.media.speech import RecordingReason
from annotation.models import LANGUAGES
from bot.crowd import CrowdRunner, Member, Style, Tally, Truth, build_crowd
from bot.crowd_screens import answer_buttons
from bot.i18n import load_translations
from bot.samples.speech import SENTENCES, Heard, SpeechSample, note_key, reading_seconds
from bot.samples.voices import VoiceKind, voice_note
from bot.sandbox import SandboxServer, SimMessage, SimUser
from handlers.recording_view import REASONS

SAYS_CODE, DOES_NOT_CODE = 0, 1  # the check buttons' codes: yes, no, unclear
SHORT_SECONDS = 0.6  # a mis-tap: under every sentence's minimum
FUMBLE_RATE = {"good": 0.05, "fumbling": 0.6, "wrong_sentence": 0.05}
WRONG_RATE = 0.5  # how often a wrong-sentence speaker reads another sentence
LETTERS = "abcdefghijklmnopqrstuvwxyz"
ACCEPTED_MARK = "✅"  # the bot's acknowledgment starts so, in every language


class Habit(StrEnum):
    """How a speaker records."""

    GOOD = "good"
    FUMBLING = "fumbling"  # often a silent or too short note first
    WRONG = "wrong_sentence"  # reads another sentence half the time


class TakeKind(StrEnum):
    """One voice note a speaker sends."""

    SILENT = "silent"
    SHORT = "too_short"
    RIGHT = "right"  # reads the sentence shown
    WRONG = "wrong_sentence"  # reads another one (sounds good)


@dataclass(frozen=True, slots=True)
class Take:
    """A voice note sent for a recording task, and what the bot made of it."""

    speaker: int
    kind: TakeKind
    size: int  # bytes of the OGG file
    accepted: bool
    reasons: tuple[str, ...]  # the refusal's reasons as the bot said them (``RecordingReason``)


@dataclass(frozen=True, slots=True)
class SpeechCrowd:
    """The three groups, by task; each member's habit or style."""

    speakers: list[Member]
    habits: Mapping[int, Habit]
    checkers: list[Member]
    transcribers: list[Member]


def _share(count: int, share: float) -> float:
    """Return a share giving at least one member of ``count`` (when ``share`` > 0)."""
    return max(1, round(count * share)) / count if share > 0 and count else 0.0


def build_speech_crowd(count: int, *, careless: float, accuracy: tuple[float, float],
                       seed: int, always_yes: float = 0.1,
                       fumbling: float = 0.25) -> SpeechCrowd:
    """Split ``count`` members: 40% speakers, 30% checkers, the rest transcribers (at
    least three each); ``careless`` is the wrong-sentence, careless-checker and careless-
    transcriber share, ``always_yes`` the checkers' "always yes" share."""
    if count < 9:
        raise ValueError("the speech demo needs at least 9 annotators")
    speakers_n = round(count * 0.4)
    checkers_n = round(count * 0.3)
    speakers = build_crowd(speakers_n, careless=0.0, accuracy=accuracy, seed=seed)
    rng = random.Random(seed)
    ids = sorted(m.user_id for m in speakers)
    rng.shuffle(ids)
    wrong = round(speakers_n * _share(speakers_n, careless))
    fumbles = round(speakers_n * _share(speakers_n, fumbling))
    habits = {user: (Habit.WRONG if n < wrong else Habit.FUMBLING if n < wrong + fumbles
                     else Habit.GOOD) for n, user in enumerate(ids)}
    checkers = build_crowd(checkers_n, careless=_share(checkers_n, careless),
                           accuracy=accuracy, seed=seed + 1, first_id=20_000,
                           constant_share=_share(checkers_n, always_yes))
    rest = count - speakers_n - checkers_n
    transcribers = build_crowd(rest, careless=_share(rest, careless), accuracy=accuracy,
                               seed=seed + 2, first_id=30_000)
    return SpeechCrowd(speakers, habits, checkers, transcribers)


def plan_takes(habit: Habit, rng: random.Random, *, first: bool = False) -> list[TakeKind]:
    """Return the notes a speaker sends for one sentence, in order: maybe a bad one first
    (a fumbling speaker's ``first`` sentence always), then a reading (of the sentence, or
    with a wrong-sentence habit maybe another)."""
    takes = []
    if (first and habit is Habit.FUMBLING) or rng.random() < FUMBLE_RATE[habit]:
        takes.append(rng.choice((TakeKind.SILENT, TakeKind.SHORT)))
    wrong = habit is Habit.WRONG and rng.random() < WRONG_RATE
    return [*takes, TakeKind.WRONG if wrong else TakeKind.RIGHT]


def render_take(kind: TakeKind, shown: str, rng: random.Random) -> tuple[bytes, Heard | None]:
    """Return a take's voice note and what it stands for (None: no reading at all)."""
    seconds, seed = reading_seconds(shown), rng.getrandbits(31)
    if kind is TakeKind.SILENT:
        return voice_note(seconds, kind=VoiceKind.SILENCE, seed=seed), None
    if kind is TakeKind.SHORT:
        return voice_note(SHORT_SECONDS, seed=seed), None
    said = shown if kind is TakeKind.RIGHT else rng.choice([s for s in SENTENCES if s != shown])
    return voice_note(seconds, seed=seed), Heard(said, said == shown)


def refusal_reasons() -> dict[str, RecordingReason]:
    """Return each refusal reason's opening words in every language, to read the bot's
    replies by (the words before the reason's first figure)."""
    found: dict[str, RecordingReason] = {}
    for language in LANGUAGES:
        translations = load_translations(language)
        for reason, template in REASONS.items():
            found[translations.gettext(template).split("{")[0].strip()] = reason
    return found


def read_refusal(text: str, openings: Mapping[str, RecordingReason]) -> tuple[str, ...]:
    """Return the reasons a refusal gives (``RecordingReason`` values), in its order."""
    reasons = []
    for line in text.splitlines():
        body = line.removeprefix("•").strip()
        reasons += [str(reason) for opening, reason in openings.items()
                    if opening and body.startswith(opening)]
    return tuple(reasons)


def typed_transcript(member: Member, rng: random.Random, sentence: str) -> str:
    """Return what ``member`` types for a clip saying ``sentence``."""
    words = sentence.rstrip(" .?!").split()
    if member.style is not Style.CAREFUL:  # careless: half of it, or junk
        if rng.random() < 0.5:
            return " ".join(words[:max(1, len(words) // 2)])
        return " ".join("".join(rng.choice(LETTERS) for _ in range(rng.randint(2, 7)))
                        for _ in range(rng.randint(2, len(words))))
    slip = 1.0 - member.accuracy  # 0.05 to 0.15 for the default accuracy range
    typed = []
    for word in words:
        if rng.random() < slip * 0.3:
            continue  # dropped
        if rng.random() < slip * 0.3:
            word = rng.choice(SENTENCES[rng.randrange(len(SENTENCES))].split())
        letters = list(word)
        for index in range(len(letters)):
            if rng.random() < slip * 0.1:
                letters[index] = rng.choice(LETTERS)
        typed.append("".join(letters))
    text = " ".join(typed) or words[0]
    return text if rng.random() < 0.5 else text.lower() + rng.choice(("", ".", "!"))


@dataclass(slots=True)
class Ledger:
    """What the crowd sent and heard, as the phones saw it."""

    takes: list[Take] = field(default_factory=list)
    check_bytes: list[int] = field(default_factory=list)  # the note each check downloaded
    unknown_notes: int = 0  # voice notes shown that no hidden truth names (should be 0)


class SpeechJudge:
    """How the crowd answers check and transcript tasks (recording tasks: the runner)."""

    def __init__(self, sample: SpeechSample, server: SandboxServer, ledger: Ledger) -> None:
        self._sample = sample
        self._server = server
        self._ledger = ledger

    def heard(self, message: SimMessage) -> tuple[Heard | None, int]:
        """Return what the voice note a task shows stands for, and its size in bytes."""
        stored = self._server.state.files.get(message.file_id or "")
        if stored is None:
            return None, 0
        found = self._sample.notes.by_key.get(note_key(stored.data))
        if found is None:
            self._ledger.unknown_notes += 1
        return found, len(stored.data)

    def answer(self, member: Member, rng: random.Random, message: SimMessage) -> str:
        """Return the button's label (a check) or the text typed (a transcript)."""
        buttons = answer_buttons(message)
        if message.kind != "voice":
            return ""  # a sentence to read: the runner records it
        heard, size = self.heard(message)
        if not buttons:
            sentence = heard.sentence if heard is not None else ""
            return typed_transcript(member, rng, sentence) if sentence else "?"
        self._ledger.check_bytes.append(size)
        by_code = {button.code: button.label for button in buttons}
        if member.style is Style.CONSTANT:
            return by_code[SAYS_CODE]
        if member.style is not Style.CAREFUL or heard is None:
            return rng.choice(list(by_code.values()))
        right = SAYS_CODE if heard.says_text else DOES_NOT_CODE
        wrong = DOES_NOT_CODE if heard.says_text else SAYS_CODE
        return by_code[right if rng.random() < member.accuracy else wrong]


class SpeechRunner(CrowdRunner):
    """A crowd runner whose members also record (voice notes, re-recorded when refused)
    and type transcripts."""

    _members: dict[int, Member]

    def __init__(self, server: SandboxServer, invite: str, *, seed: int, judge: SpeechJudge,
                 sample: SpeechSample, habits: Mapping[int, Habit], ledger: Ledger,
                 wait_for_work: Callable[[], bool] | None = None,
                 timeout: float = 60.0) -> None:
        super().__init__(server, Truth({}, {}, ()), invite, seed=seed, judge=judge,
                         timeout=timeout, wait_for_work=wait_for_work)
        self._sample = sample
        self._habits = habits
        self._ledger = ledger
        self._openings = refusal_reasons()
        self._read: dict[int, int] = {}  # sentences each speaker has read

    async def run(self, members: Sequence[Member],
                  unfinished: Callable[[], bool] = lambda: False, rounds: int = 3) -> Tally:
        """Run every member concurrently (see :meth:`CrowdRunner.run`)."""
        self._members = {member.user_id: member for member in members}
        return await super().run(members, unfinished, rounds)

    async def _tap_until_shown(self, user: SimUser, message: SimMessage, choice: str,
                               assignment: str) -> None:
        """Tap a check's button, type a transcript, or record the sentence shown."""
        if answer_buttons(message):
            await super()._tap_until_shown(user, message, choice, assignment)
        elif message.kind == "voice":
            await user.send_text(choice)
        else:
            await self._record(user, message)

    async def _record(self, user: SimUser, message: SimMessage) -> None:
        """Send the speaker's takes until the bot accepts one."""
        shown = next((line.strip() for line in (message.text or "").splitlines()
                      if line.strip() in self._sample.sentences), None)
        if shown is None:
            raise LookupError(f"no sentence of the sample in the task: {message.text!r}")
        done = self._read.get(user.id, 0)
        self._read[user.id] = done + 1
        rng = random.Random(f"{self._seed}:{user.id}:{done}")
        kinds = plan_takes(self._habits.get(user.id, Habit.GOOD), rng, first=done == 0)
        for attempt in range(len(kinds) + 2):  # two more readings if one is refused
            kind = kinds[attempt] if attempt < len(kinds) else TakeKind.RIGHT
            data, heard = await asyncio.to_thread(render_take, kind, shown, rng)
            if heard is not None:
                self._sample.notes.add(data, heard)
            sent = await user.send_voice(data)
            reply = await user.wait_for(_reply_to(sent), timeout=self._timeout)
            text = reply.text or ""
            accepted = text.startswith(ACCEPTED_MARK)
            self._ledger.takes.append(Take(user.id, kind, len(data), accepted,
                                           () if accepted else read_refusal(text,
                                                                            self._openings)))
            if accepted:
                return
        raise RuntimeError(f"speaker {user.id}: every reading was refused")


def _reply_to(message_id: int) -> Callable[[SimMessage], bool]:
    """Return a predicate: the bot's reply to message ``message_id``."""
    return lambda message: message.reply_to_message_id == message_id
