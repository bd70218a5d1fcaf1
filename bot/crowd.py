"""Simulated annotators for the demo, the end-to-end tests and the benchmarks.

Each member plays one phone through the sandbox: joins by the invite deep link, reads each
task the bot shows, works out the true answer from the item (its text, or the hash of the
media the bot uploaded, which is the prepared media's key) and taps an answer: the right
one with the member's accuracy, else a wrong one (any other option, or with
``Confusion.NEIGHBOURS`` one next to the truth in the options' order); careless members tap
at random or always the first button. Tasks whose answer takes more than looking up a
label (a comparison, a rating) are answered by a :class:`Judge` the runner is given
(``bot/samples/``); position-biased members always pick the response shown first.

When the bot says there is no task right now, a member stops, unless the runner was given
``wait_for_work``: while that says the project still has work that may open up (items
waiting for other people's answers), the member taps "Check again" every poll interval and
carries on when a task comes; the tally counts those idle polls and the seconds they took.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import random
import time
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from bot.crowd_screens import (
    CONTINUE_DATA,
    NO_WORK_DATA,
    has_continue,
    is_no_work,
    is_suspension,
    opens_app,
    task_assignment,
)
from bot.sandbox import SandboxServer, SimMessage, SimUser


class Confusion(StrEnum):
    """Which wrong answer a careful member gives when they get an item wrong."""

    UNIFORM = "uniform"  # any other option
    NEIGHBOURS = "neighbours"  # an option next to the truth in the options' order


class Style(StrEnum):
    """How a simulated annotator answers."""

    CAREFUL = "careful"
    RANDOM = "random"
    CONSTANT = "constant"  # always the first option
    POSITION = "position"  # always the response shown first ("A"), whatever it says


@dataclass(frozen=True, slots=True)
class Member:
    """One simulated annotator."""

    user_id: int
    style: Style
    accuracy: float
    language: str = "en"
    confusion: Confusion = Confusion.UNIFORM


@dataclass(frozen=True, slots=True)
class Truth:
    """The hidden true label of every item, by the item's text or its media key."""

    by_text: Mapping[str, str]
    by_media_key: Mapping[str, str]
    options: tuple[str, ...]


@dataclass(slots=True)
class Tally:
    """What the crowd did, for summaries and benchmarks."""

    answers: int = 0
    latencies: list[float] = field(default_factory=list)
    finished: int = 0
    retaps: int = 0
    taps: list[tuple[SimUser, str, str]] = field(default_factory=list)  # user, query, assignment
    errors: list[str] = field(default_factory=list)
    answered_by: dict[int, int] = field(default_factory=dict)  # user id -> answers
    suspended: dict[int, int] = field(default_factory=dict)  # user id -> answers by then
    feedback: int = 0  # training feedback and exam results read
    idle_polls: int = 0  # "no task right now" seen while work remained (``wait_for_work``)
    idle_seconds: float = 0.0  # time members spent waiting for such work, summed
    waits: list[tuple[float, float]] = field(default_factory=list)  # (loop time, seconds)


def build_crowd(count: int, *, careless: float, accuracy: tuple[float, float], seed: int,
                first_id: int = 10_000, constant_share: float = 0.0,
                confusion: Confusion = Confusion.UNIFORM,
                position_share: float = 0.0) -> list[Member]:
    """Make ``count`` members: a ``careless`` share random, ``constant_share`` constant,
    ``position_share`` position-biased, the others careful."""
    rng = random.Random(seed)
    n_random = round(count * careless)
    n_constant = round(count * constant_share)
    n_position = round(count * position_share)
    members = []
    languages = ("en", "fr", "mg")
    for index in range(count):
        if index < n_random:
            style, skill = Style.RANDOM, 0.0
        elif index < n_random + n_constant:
            style, skill = Style.CONSTANT, 0.0
        elif index < n_random + n_constant + n_position:
            style, skill = Style.POSITION, 0.0
        else:
            style, skill = Style.CAREFUL, rng.uniform(*accuracy)
        members.append(Member(first_id + index, style, skill, languages[index % 3],
                              confusion))
    rng.shuffle(members)
    return members


def at_or_after(message_id: int) -> Callable[[SimMessage], bool]:
    """Return a test for a change that can answer a tap on ``message_id``: one to it or to a
    newer message. An older task message losing its buttons (``show_task`` retires it once
    a new message replaces it) answers nothing."""
    return lambda m: m.message_id >= message_id


def neighbours(truth: str, options: Sequence[str], buttons: Sequence[str]) -> list[str]:
    """Return the buttons next to ``truth`` in the options' order (one at either end)."""
    if truth not in options:
        return []
    index = options.index(truth)
    near = [options[i] for i in (index - 1, index + 1) if 0 <= i < len(options)]
    return [option for option in near if option in buttons]


def pick_answer(member: Member, rng: random.Random, truth: str | None,
                buttons: Sequence[str], options: Sequence[str]) -> str:
    """Return the button ``member`` taps on a task whose true label is ``truth``."""
    if member.style in (Style.CONSTANT, Style.POSITION):
        return buttons[0]
    if member.style is Style.RANDOM or truth is None or truth not in buttons:
        return rng.choice(list(buttons))
    if rng.random() < member.accuracy:
        return truth
    if member.confusion is Confusion.NEIGHBOURS:
        near = neighbours(truth, options, buttons)
        if near:
            return rng.choice(near)
    return rng.choice([b for b in buttons if b != truth] or list(buttons))


class AppHand(Protocol):
    """How members answer a task through its Mini App (boxes, spans)."""

    async def work(self, member: Member, rng: random.Random, user: SimUser,
                   message: SimMessage) -> str | None:
        """Answer the task ``message`` shows in its Mini App, as ``member`` would; return
        the label of a chat button to tap instead ("Nothing to mark"), None once answered."""
        ...


class Judge(Protocol):
    """How members answer a kind of task that takes reading more than one label."""

    def answer(self, member: Member, rng: random.Random, message: SimMessage) -> str:
        """Return the label of the button ``member`` taps on the task ``message`` shows."""
        ...


class CrowdRunner:
    """Drives members through the sandbox until the bot has no more work for them."""

    def __init__(self, server: SandboxServer, truth: Truth, invite: str, *,
                 seed: int = 1, think: tuple[float, float] = (0.0, 0.0),
                 timeout: float = 30.0, retap_after: float = 5.0,
                 wait_for_work: Callable[[], bool] | None = None,
                 poll_interval: float = 0.3,
                 answer_for: Callable[[Member, SimMessage], str | None] | None = None,
                 judge: Judge | None = None,
                 app: AppHand | None = None,
                 ) -> None:
        self._server = server
        self._app = app  # answers the tasks that open a Mini App (None: not simulated)
        self._answer_for = answer_for  # a scripted answer for some tasks (None: as usual)
        self._judge = judge  # answers every task instead of the truth's labels (None: not)
        self._wait_for_work = wait_for_work
        self._poll_interval = poll_interval
        self._retap_after = retap_after
        self._truth = truth
        self._invite = invite
        self._seed = seed
        self._think = think
        self._timeout = timeout
        self.tally = Tally()
        self._media_truth: dict[str, str] = {}
        self._answered: dict[int, set[str]] = {}
        self._continued: dict[int, set[tuple[int, int]]] = {}

    def _true_label(self, message: SimMessage) -> str | None:
        if message.file_id:
            cached = self._media_truth.get(message.file_id)
            if cached is None:
                stored = self._server.state.files.get(message.file_id)
                if stored is None:
                    return None
                key = hashlib.sha256(stored.data).hexdigest()
                cached = self._truth.by_media_key.get(key, "")
                self._media_truth[message.file_id] = cached
            return cached or None
        text = message.text or ""
        for line in reversed(text.splitlines()):
            if line in self._truth.by_text:
                return self._truth.by_text[line]
        return None

    async def run_member(self, member: Member, stop: Callable[[], bool] = lambda: False,
                         *, resume: bool = False) -> None:
        """Join and answer tasks until there are none left (or ``stop()``).

        Training feedback and exam results are read and continued; a suspension notice
        ends the member's work. "No task right now" ends it too, unless ``wait_for_work``
        says work remains: then the member checks again until a task comes or it does not.
        ``resume`` comes back later (``/start`` without invite).
        """
        rng = random.Random(self._seed * 1_000_003 + member.user_id
                            + (len(self._answered.get(member.user_id, ())) if resume else 0))
        user = self._server.user(member.user_id, first_name=f"Annotator{member.user_id}",
                                 language_code=member.language)
        answered = self._answered.setdefault(member.user_id, set())
        continued = self._continued.setdefault(member.user_id, set())
        after = user.version
        await user.send_command("start", None if resume else self._invite)

        def to_do(m: SimMessage) -> bool:  # a task or feedback not handled yet
            return ((has_continue(m) and (m.message_id, m.edit_count) not in continued)
                    or (task_assignment(m) is not None and task_assignment(m) not in answered))

        def news(since: int) -> Callable[[SimMessage], bool]:  # what to act on next
            return lambda m: ((m.version > since and (is_no_work(m) or is_suspension(m)))
                              or to_do(m))

        while not stop():
            message = await user.wait_for(news(after), timeout=self._timeout)
            if is_suspension(message):
                self.tally.suspended[member.user_id] = self.tally.answered_by.get(
                    member.user_id, 0)
                break
            if is_no_work(message):
                if not await self._await_work(user, message, stop, to_do):
                    break
                after = message.version  # this screen was read: only a later one counts
                continue
            if has_continue(message) and task_assignment(message) is None:
                continued.add((message.message_id, message.edit_count))
                self.tally.feedback += 1
                version = user.version
                await user.tap_data(message.message_id, CONTINUE_DATA)
                await user.next_change(timeout=self._timeout, after=version,
                                       where=at_or_after(message.message_id))
                continue
            assignment = task_assignment(message)
            assert assignment is not None
            options = [b for b in message.buttons[0] if b in self._truth.options]
            options += [b for row in message.buttons[1:] for b in row
                        if b in self._truth.options]
            if self._think[1] > 0 and (options or self._judge or self._app):
                await asyncio.sleep(rng.uniform(*self._think))
            if self._app is not None and opens_app(message):
                version = user.version
                started = time.perf_counter()
                tap = await self._app.work(member, rng, user, message)
                if tap is None:  # answered in the app: the bot moves the chat on
                    await user.next_change(timeout=self._timeout, after=version,
                                           where=at_or_after(message.message_id))
                else:
                    await self._tap_until_shown(user, message, tap, assignment)
                self._count(member, assignment, answered, started)
                continue
            if not options and self._judge is None:
                break  # typed-answer tasks are not simulated
            scripted = self._answer_for(member, message) if self._answer_for else None
            if scripted:
                choice = scripted
            elif self._judge is not None:
                choice = self._judge.answer(member, rng, message)
            else:
                choice = pick_answer(member, rng, self._true_label(message), options,
                                     self._truth.options)
            started = time.perf_counter()
            await self._tap_until_shown(user, message, choice, assignment)
            self._count(member, assignment, answered, started)
        self.tally.finished += 1

    def _count(self, member: Member, assignment: str, answered: set[str],
               started: float) -> None:
        answered.add(assignment)
        self.tally.latencies.append(time.perf_counter() - started)
        self.tally.answers += 1
        self.tally.answered_by[member.user_id] = self.tally.answered_by.get(
            member.user_id, 0) + 1

    async def _await_work(self, user: SimUser, message: SimMessage, stop: Callable[[], bool],
                          to_do: Callable[[SimMessage], bool]) -> bool:
        """Check again every poll interval while work remains; return whether a task (or a
        notice) came, False once ``wait_for_work`` says nothing is left to wait for."""
        if self._wait_for_work is None:
            return False
        loop = asyncio.get_running_loop()
        started = loop.time()
        waited = tapped = False

        def came(m: SimMessage) -> bool:
            return to_do(m) or is_suspension(m)

        try:
            while not stop() and self._wait_for_work():
                waited = True
                try:  # the poll interval, and the bot's reply to the last "Check again"
                    await user.wait_for(came, timeout=self._poll_interval)
                    return True
                except TimeoutError:
                    self.tally.idle_polls += 1  # still nothing: the screen was left as it was
                query = await user.tap_data(message.message_id, NO_WORK_DATA)
                await user.wait_for_callback_answer(query, timeout=self._timeout)
                tapped = True
            try:  # a task shown by the last tap, as the work ran out, is still to answer
                await user.wait_for(came, timeout=self._poll_interval if tapped else 0.0)
                return True
            except TimeoutError:
                return False
        finally:
            if waited:
                self.tally.idle_seconds += loop.time() - started
                self.tally.waits.append((started, loop.time() - started))

    async def _tap_until_shown(self, user: SimUser, message: SimMessage, choice: str,
                               assignment: str) -> None:
        """Tap, then wait for the next task; tap again if nothing came (a lost update)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        while True:
            version = user.version
            query = await user.tap(choice, message.message_id)
            self.tally.taps.append((user, query, assignment))
            try:
                # what answers this tap is a change to this message or a newer one: an
                # older task message losing its buttons (``show_task``) is not
                await user.next_change(timeout=min(self._retap_after, deadline - loop.time()),
                                       after=version, where=at_or_after(message.message_id))
                return
            except TimeoutError:
                current = user.message(message.message_id)
                if loop.time() >= deadline or task_assignment(current) != assignment:
                    raise
                self.tally.retaps += 1

    async def run(self, members: Sequence[Member],
                  unfinished: Callable[[], bool] = lambda: False, rounds: int = 3) -> Tally:
        """Run every member concurrently; while ``unfinished()``, bring back the members in
        good standing (items reopened by a late suspension need them again)."""
        await asyncio.gather(*(self.run_member(member) for member in members))
        for _ in range(rounds - 1):
            if not unfinished():
                break
            back = [m for m in members if m.user_id not in self.tally.suspended]
            await asyncio.gather(*(self.run_member(m, resume=True) for m in back))
        return self.tally


async def export_via_chat(admin: SimUser, server: SandboxServer, button: str,
                          member: str, timeout: float = 60.0) -> bytes:  # noqa: ASYNC109
    """Send /export, tap ``button``, and return ``member`` of the zip the bot sends."""
    archive = await export_zip_via_chat(admin, server, button, timeout)
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return opened.read(member)


async def export_zip_via_chat(admin: SimUser, server: SandboxServer, button: str,
                              timeout: float = 60.0) -> bytes:  # noqa: ASYNC109
    """Send /export, tap ``button``, and return the zip the bot sends."""
    await admin.send_command("export")
    offer = await admin.wait_for(lambda m: button in str(m.buttons), timeout=timeout)
    await admin.tap(button, offer.message_id)
    message = await admin.wait_for(
        lambda m: m.kind == "document" and (m.document_name or "").endswith(".zip"),
        timeout=timeout,
    )
    assert message.file_id is not None
    stored = server.state.files.get(message.file_id)
    assert stored is not None
    return stored.data
