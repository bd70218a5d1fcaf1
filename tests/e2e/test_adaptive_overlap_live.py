"""Adaptive overlap in the live loop, with many annotators at once (issue 11).

24 simulated annotators work concurrently through the sandbox on 72 items (overlap 4,
min_overlap 2, target 0.95), quality control on (one training item, an exam of three).
They are right on every item except 8 "contested" ones, where the k-th to answer picks
the k-th option (from a start that varies by item), so no two agree. A
trigger the test installs in the database records, at every hand-out of a regular item, how
many answers and live assignments the item had: never more than ``slots_allowed`` (the
first ``min_overlap`` slots together, then one at a time). An item whose first two answers
agree stops there (at least 9 in 10 of them: a refit may doubt two annotators who both met
contested items and ask a third), the annotators being trusted by their training and exam
before any Dawid-Skene fit includes them; a contested item goes to the overlap.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from annotation.intake.item_drafts import ItemDraft
from annotation.loop.assignment import slots_allowed
from annotation.models import AnswerType, LocalizedText, MediaKind, ProjectSpec
from annotation.quality.settings import QualitySettings
from bot.crowd import CrowdRunner, Member, Style, Truth
from bot.sandbox import SimMessage
from tests.e2e.conftest import Harness, sandbox

OPTIONS = ("1", "2", "3", "4")
OVERLAP, MIN_OVERLAP, TARGET = 4, 2, 0.95
CONTESTED = 9  # every 9th item is contested
AUDIT = """
CREATE TABLE audit_handout (item_id INTEGER, answers INTEGER, live INTEGER, settled INTEGER);
CREATE TRIGGER audit_handout AFTER INSERT ON assignments WHEN NEW.is_gold = 0
BEGIN
    INSERT INTO audit_handout SELECT NEW.item_id,
        (SELECT COUNT(*) FROM answers WHERE item_id = NEW.item_id AND excluded = 0),
        (SELECT COUNT(*) FROM assignments WHERE item_id = NEW.item_id AND status = 'active'),
        (SELECT settled FROM items WHERE id = NEW.item_id);
END;
"""


def _items() -> tuple[list[ItemDraft], dict[str, str]]:
    drafts, truth = [], {}
    for k in range(72):
        text = f"item {k}: how many?"
        drafts.append(ItemDraft(k + 2, f"r{k}", MediaKind.TEXT, text, None, None, None,
                                False))
        truth[text] = OPTIONS[k % 4]
    for k in range(16):
        text = f"gold {k}: how many?"
        drafts.append(ItemDraft(100 + k, f"g{k}", MediaKind.TEXT, text, None,
                                OPTIONS[k % 4], None, k < 2))
        truth[text] = OPTIONS[k % 4]
    return drafts, truth


def _spec() -> ProjectSpec:
    quality = QualitySettings(enabled=True, training=1, exam=3, exam_cooldown=0,
                              speed_min_seconds=0.0)
    return ProjectSpec(name="Count", question=LocalizedText({"en": "How many?"}),
                       answer_type=AnswerType.SINGLE, options=OPTIONS, overlap=OVERLAP,
                       min_overlap=MIN_OVERLAP, confidence_target=TARGET, gold_rate=0.1,
                       quality=quality)


def _contested(text: str) -> bool:
    number = text.split(":")[0].removeprefix("item ")
    return number.isdigit() and int(number) % CONTESTED == 0


class Contested:
    """Scripted answers to the contested items: the k-th to answer one picks option k."""

    def __init__(self) -> None:
        self.count: dict[str, int] = defaultdict(int)
        self.start: dict[str, int] = {}

    def __call__(self, _member: Member, message: SimMessage) -> str | None:
        lines = [line for line in (message.text or "").splitlines() if _contested(line)]
        if not lines:
            return None
        k = self.count[lines[0]]
        self.count[lines[0]] += 1
        # the first answerer's pick varies by item, so no option looks like a habit
        start = self.start.setdefault(lines[0], len(self.start))
        return OPTIONS[(start + k) % len(OPTIONS)]


def _unfinished(db_path: Path) -> bool:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        (left,) = connection.execute(
            "SELECT COUNT(*) FROM items WHERE is_gold = 0 AND settled = 0 AND answers < ?",
            (OVERLAP,)).fetchone()
    return bool(left)


async def test_items_stop_at_min_overlap_when_trusted_annotators_agree(
        make_harness: Callable[..., AbstractAsyncContextManager[Harness]]) -> None:
    drafts, truth = _items()
    async with make_harness(_spec(), drafts) as harness:
        with sqlite3.connect(harness.db_path) as connection:
            connection.executescript(AUDIT)
        crowd = [Member(20_000 + k, Style.CAREFUL, 1.0) for k in range(24)]
        async with sandbox() as server, harness.bot(server):
            runner = CrowdRunner(server, Truth(truth, {}, OPTIONS), harness.invite, seed=5,
                                 wait_for_work=lambda: _unfinished(harness.db_path),
                                 poll_interval=0.1, answer_for=Contested())
            await asyncio.wait_for(runner.run(crowd), timeout=120)
        assert not runner.tally.errors and not runner.tally.suspended
        assert not _unfinished(harness.db_path)

        handouts = harness.rows("SELECT answers, live, settled FROM audit_handout")
        assert handouts
        for answers, live, settled in handouts:  # the rule allowed every slot handed out
            assert isinstance(answers, int) and isinstance(live, int)
            assert settled == 0
            assert answers + live <= slots_allowed(answers, OVERLAP, MIN_OVERLAP)

        votes: dict[str, list[str]] = defaultdict(list)
        for external_id, value in harness.rows(
                "SELECT i.external_id, a.value FROM answers AS a JOIN items AS i "
                "ON i.id = a.item_id WHERE i.is_gold = 0 ORDER BY a.id"):
            votes[str(external_id)].append(str(value))
        assert len(votes) == 72
        contested = {f"r{k}" for k in range(72) if k % CONTESTED == 0}
        assert {item: v for item, v in votes.items()
                if item in contested and len(v) != OVERLAP} == {}
        agreed = {item: v for item, v in votes.items() if item not in contested}
        assert {item: v for item, v in agreed.items() if len(set(v)) != 1} == {}
        # Most stop at two. Not all need to: a refit during the run may find that two
        # annotators who both answered contested items are less sure than their exam said,
        # and the sweep then opens an item they agreed on for one more answer (seen in CI
        # once, under load, where fits land at other moments than on a quiet machine).
        stopped = [item for item, v in agreed.items() if len(v) == MIN_OVERLAP]
        assert len(stopped) >= 0.9 * len(agreed), {i: v for i, v in agreed.items()
                                                   if len(v) > MIN_OVERLAP}
        assert runner.tally.idle_polls > 0  # some waited for the last answers, then got them
