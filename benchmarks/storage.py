"""Answer transactions in-process: the write connection inline versus on a worker thread.

    .venv/bin/python -m benchmarks.storage [--annotators 100] [--answers 3000]
                                           [--rate 200] [--load 0.5]

The same use case (``TaskService.choose``: record an answer, hand out the next task, about
ten statements in one serialized transaction) runs on one database file in two ways, one
after the other in this process:

- inline: annobot's write connection, every statement on the event loop's thread;
- on a thread: every statement a round trip to a worker thread (what aiosqlite does, and
  what ``write(bulk=True)`` does for long transactions), the design before this benchmark.

Each runs twice: capacity (every annotator taps again as soon as its answer is committed),
then paced: taps arrive at ``--rate`` per second beside background tasks that keep the loop
busy ``--load`` of the time in slices of 0.5 ms, as a bot's HTTP traffic does. There the
figure that matters is the time from a tap's call to its answer being committed (p50/p99):
every thread round trip waits for the loop to get back to it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from annotation.intake.catalog import CatalogService
from annotation.intake.item_drafts import ItemDraft
from annotation.loop.onboarding import OnboardingService
from annotation.loop.tasks import TaskService
from annotation.models import AnnotatorId, AnswerType, LocalizedText, MediaKind, ProjectSpec, Task
from annotation.ports import UnitOfWork
from storage.database import Database

SLICE = 0.0005  # seconds of CPU per background step
WORKERS = 20  # background tasks


class _OnThread:
    """The same database, every write transaction's statements on a worker thread."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def write(self, *, bulk: bool = False) -> AbstractAsyncContextManager[UnitOfWork]:
        return self._database.write(bulk=True)

    def read(self) -> AbstractAsyncContextManager[UnitOfWork]:
        return self._database.read()

    def snapshot(self) -> AbstractAsyncContextManager[UnitOfWork]:
        return self._database.snapshot()


def _spec() -> ProjectSpec:
    return ProjectSpec(name="Storage", question=LocalizedText({"en": "Which letter?"}),
                       answer_type=AnswerType.SINGLE, options=("A", "B", "C", "D"),
                       overlap=3, gold_rate=0.0, time_limit_seconds=3600)


def _items(count: int) -> list[ItemDraft]:
    return [ItemDraft(line=i + 2, external_id=f"t{i}", kind=MediaKind.TEXT,
                      text=f"Sentence {i}.", media=None, gold_answer=None, explanation=None,
                      training=False) for i in range(count)]


@asynccontextmanager
async def _background(load: float) -> AsyncIterator[list[int]]:
    """Keep the loop busy about ``load`` of the time: tasks that burn a slice, then sleep.

    The offered load does not depend on the design measured; yields a one-element list
    counting the slices run, to report the share actually taken.
    """
    stop = asyncio.Event()
    slices = [0]
    pause = WORKERS * SLICE / load - SLICE if load > 0 else 0.0

    async def worker(phase: float) -> None:
        await asyncio.sleep(phase)
        while not stop.is_set():
            end = time.perf_counter() + SLICE
            while time.perf_counter() < end:
                pass
            slices[0] += 1
            await asyncio.sleep(pause)

    tasks = [asyncio.create_task(worker(i * pause / WORKERS))
             for i in range(WORKERS if load > 0 else 0)]
    try:
        yield slices
    finally:
        stop.set()
        await asyncio.gather(*tasks)


class _Crowd:
    """Annotators joined to a fresh project, each with a task on screen."""

    def __init__(self, store: Database | _OnThread, database: Database) -> None:
        self._database = database
        self._store = store
        self.tasks: dict[AnnotatorId, Task | None] = {}
        self.service = TaskService(store, clock=_now, rng=random.Random(1))

    async def join(self, users: range, items: int) -> None:
        project = await CatalogService(self._database, clock=_now).create(_spec(),
                                                                         _items(items))
        people = OnboardingService(self._database, clock=_now, admins=set())
        for user in users:
            await people.register(AnnotatorId(user), f"u{user}", "en", project.invite_code)
            self.tasks[AnnotatorId(user)] = await self.service.current_task(AnnotatorId(user))

    async def tap(self, user: AnnotatorId) -> float:
        """Answer the user's task; return the seconds until the answer was committed."""
        task = self.tasks[user]
        assert task is not None
        started = time.perf_counter()
        outcome = await self.service.press(user, task.assignment.id, random.randrange(4))
        self.tasks[user] = outcome.task
        return time.perf_counter() - started


def _now() -> datetime:
    return datetime.now(UTC)


async def _capacity(crowd: _Crowd, answers: int) -> float:
    """Every annotator taps as soon as its last answer is committed: answers/s."""
    users = list(crowd.tasks)
    count = [0]

    async def annotator(user: AnnotatorId) -> None:
        while count[0] < answers:
            count[0] += 1
            await crowd.tap(user)
            await asyncio.sleep(0)  # the rest of the bot's work for this tap

    started = time.perf_counter()
    await asyncio.gather(*(annotator(user) for user in users))
    return count[0] / (time.perf_counter() - started)


async def _paced(crowd: _Crowd, answers: int, rate: float, load: float
                 ) -> tuple[list[float], float]:
    """Taps arrive at ``rate`` per second (Poisson) beside the background load."""
    idle = list(crowd.tasks)
    rng = random.Random(7)
    latencies: list[float] = []
    running: set[asyncio.Task[None]] = set()

    async def one(user: AnnotatorId) -> None:
        latencies.append(await crowd.tap(user))
        idle.append(user)

    async with _background(load) as slices:
        started = time.perf_counter()
        for _ in range(answers):
            await asyncio.sleep(rng.expovariate(rate))
            if idle:
                task = asyncio.create_task(one(idle.pop(rng.randrange(len(idle)))))
                running.add(task)
                task.add_done_callback(running.discard)
        await asyncio.gather(*running)
        elapsed = time.perf_counter() - started
    return latencies, slices[0] * SLICE / elapsed


def _ms(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000


async def measure(annotators: int, answers: int, rate: float, load: float
                  ) -> list[tuple[str, str]]:
    """Run both designs on one database file; return printable rows."""
    rows: list[tuple[str, str]] = []
    capacity: dict[str, float] = {}
    paced: dict[str, tuple[list[float], float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        async with Database(Path(folder) / "bench.db") as database:
            first = 1
            for name, store in (("on a thread", _OnThread(database)), ("inline", database)):
                crowd = _Crowd(store, database)
                await crowd.join(range(first, first + annotators), answers * 2 // 3 + 1000)
                first += annotators
                capacity[name] = await _capacity(crowd, answers)
                paced[name] = await _paced(crowd, answers, rate, load)
    for name in ("on a thread", "inline"):
        rows.append((f"capacity, {name}", f"{capacity[name]:6.0f} answers/s"))
    rows.append(("capacity, inline / on a thread",
                 f"{capacity['inline'] / capacity['on a thread']:.2f}x"))
    for name in ("on a thread", "inline"):
        latency, busy = paced[name]
        rows.append((f"{rate:.0f} taps/s beside a {load:.0%} busy loop, {name}",
                     f"tap to commit p50 {_ms(latency, 50):6.2f} ms, p99 {_ms(latency, 99):6.2f} ms"
                     f" (background took {busy:.0%} of the loop)"))
    thread, inline = paced["on a thread"][0], paced["inline"][0]
    rows.append((f"{rate:.0f} taps/s beside a {load:.0%} busy loop, p99 ratio",
                 f"{_ms(thread, 99) / _ms(inline, 99):.1f}x lower inline"))
    return rows


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotators", type=int, default=100)
    parser.add_argument("--answers", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=200.0, help="paced taps per second")
    parser.add_argument("--load", type=float, default=0.5,
                        help="share of the loop kept busy by background tasks when paced")
    args = parser.parse_args()
    random.seed(1)
    rows = asyncio.run(measure(args.annotators, args.answers, args.rate, args.load))
    print(f"answer transactions, {args.annotators} concurrent annotators, "
          f"{args.answers} answers per run, Python {sys.version.split()[0]}")
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
