"""The token bucket behind the bot's own limits."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from bot.token_bucket import TokenBucket


def test_take_refill_and_delay() -> None:
    bucket = TokenBucket.full(rate=2.0, capacity=3.0, now=0.0)
    assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.delay(0.0, 1) == 0.5
    assert bucket.take(0.5) and not bucket.take(0.5)
    assert not bucket.is_full(1.0) and bucket.is_full(10.0)


def test_a_bucket_that_never_refills_says_never() -> None:
    bucket = TokenBucket.full(rate=0.0, capacity=1.0, now=0.0)
    assert bucket.take(0.0)
    assert bucket.delay(99.0, 1) == math.inf


def test_the_debt_stops_at_one_bucket() -> None:
    bucket = TokenBucket.full(rate=1.0, capacity=4.0, now=0.0)
    bucket.spend(0.0, 100)
    assert bucket.tokens == -4.0
    assert bucket.delay(0.0, 1) == 5.0


@given(st.lists(st.tuples(st.floats(0, 10), st.integers(0, 5)), max_size=50))
def test_tokens_never_exceed_the_capacity(steps: list[tuple[float, int]]) -> None:
    bucket = TokenBucket.full(rate=3.0, capacity=5.0, now=0.0)
    now = 0.0
    for elapsed, spent in steps:
        now += elapsed
        bucket.spend(now, spent)
        bucket.refill(now)
        assert -5.0 <= bucket.tokens <= 5.0
