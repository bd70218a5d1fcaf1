"""Helpers shared by the repositories."""

from __future__ import annotations

import asyncio

import pytest

from storage import repositories
from storage.repositories import build_in_steps


async def test_rows_are_built_in_steps_that_let_other_tasks_run(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(repositories, "STEP", 3)
    ticks = [0]
    seen: list[int] = []

    async def ticker() -> None:
        while True:
            ticks[0] += 1
            await asyncio.sleep(0)

    def make(row: tuple[int, ...]) -> int:
        seen.append(ticks[0])
        return row[0] * 10

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    built = await build_in_steps([(n,) for n in range(8)], make)
    task.cancel()
    assert built == [0, 10, 20, 30, 40, 50, 60, 70]
    # the other task ran between the steps (rows 0-2, 3-5, 6-7), never inside one
    assert seen[0] == seen[1] == seen[2] < seen[3] == seen[4] == seen[5] < seen[6] == seen[7]
