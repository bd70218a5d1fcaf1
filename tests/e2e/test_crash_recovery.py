"""The bot process is killed (SIGKILL) mid-run and restarted on the same database: the run
completes with nothing lost and nothing duplicated."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from pathlib import Path

from bot.crowd import CrowdRunner, build_crowd
from bot.demo import sample_truth
from bot.sample import SampleProject
from tests.e2e.conftest import (
    TOKEN,
    Clock,
    Harness,
    create_project,
    sample_spec,
    sandbox,
    start_bot,
)
from tests.storage.counters import counted_rows, counter_drift


async def test_sigkill_mid_run_loses_and_duplicates_nothing(sample_200: SampleProject,
                                                            tmp_path: Path) -> None:
    db_path, log = tmp_path / "annobot.db", tmp_path / "bot.log"
    spec = sample_spec(sample_200, overlap=3, gold_rate=0.1)
    invite = await create_project(db_path, spec, sample_200.items[:90])
    async with sandbox(token=TOKEN) as server:
        api_url = server.base_url.removesuffix("/bot")
        process = await start_bot(api_url, db_path, log)
        runner = CrowdRunner(server, sample_truth(sample_200), invite, seed=4,
                             timeout=60.0, retap_after=2.0)
        crowd = build_crowd(12, careless=0.0, accuracy=(0.9, 0.9), seed=4)
        work = asyncio.create_task(runner.run(crowd))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while runner.tally.answers < 80 and loop.time() < deadline and not work.done():
            await asyncio.wait({work}, timeout=0.01)
        assert runner.tally.answers >= 80, log.read_text()
        process.send_signal(signal.SIGKILL)
        assert await process.wait() == -signal.SIGKILL
        killed_at = runner.tally.answers
        process = await start_bot(api_url, db_path, log)
        try:
            tally = await work
        finally:
            process.send_signal(signal.SIGTERM)
            await process.wait()
        acknowledged = {
            (user.id, int(assignment)) for user, query, assignment in tally.taps
            if query in server.state.answers
            and (server.state.answers[query].text or "") in ("", "Already recorded.")
        }

    harness = Harness(db_path, tmp_path, invite, Clock())
    answers = harness.rows("SELECT assignment_id, item_id, annotator_id, is_gold FROM answers")
    stored = {(int(str(row[2])), int(str(row[0]))) for row in answers}
    assert acknowledged - stored == set(), "an acknowledged answer was lost"
    tapped = {(user.id, int(assignment)) for user, _query, assignment in tally.taps}
    assert stored - tapped == set(), "an answer was stored that nobody tapped"
    # each annotator's stored answers are the taps the driver saw answered (next task shown)
    assert Counter(annotator for annotator, _ in stored) == Counter(tally.answered_by)
    assert killed_at < len(answers) == tally.answers
    print(f"killed after {killed_at} answers; {tally.retaps} taps repeated after the restart")
    per_item = Counter(row[1] for row in answers if not row[3])
    regular = [row[0] for row in harness.rows("SELECT id FROM items WHERE gold_answer IS NULL")]
    assert {item: per_item[item] for item in regular} == dict.fromkeys(regular, 3)
    # items.answers / items.live agree with the rows they count after the crash
    assert counter_drift(db_path) == [] and counted_rows(db_path) == 90
