"""The pace of a broadcast and of its progress reports (pure, no I/O).

:class:`Pacer` is a token bucket (rate, burst) on an injected clock, kept below
Telegram's bot-wide limit (about 30 messages per second) so a broadcast never trips flood
control; one message per chat is far below the per-chat limit (1 per second).
"""

from __future__ import annotations

TELEGRAM_GLOBAL_RATE = 30.0  # messages per second, bot-wide
DEFAULT_RATE = 28.0  # leaves room for progress edits and the annotators' own traffic
DEFAULT_BURST = 3.0
PROGRESS_EVERY = 2.0  # seconds between edits of the coordinator's progress message
class Pacer:
    """A token bucket on the caller's clock: when the next send may go.

    Starts with one token, so a (re)started broadcast never bursts; after a stall it may
    catch up at most ``burst`` sends. :meth:`hold` pauses it (a 429's retry_after). Use::

        while (wait := pacer.delay(clock())) > 0:
            await asyncio.sleep(wait)
        pacer.take(clock())
    """

    def __init__(self, rate: float = DEFAULT_RATE, burst: float = DEFAULT_BURST,
                 now: float = 0.0) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self._tokens = 1.0
        self._stamp = now

    def _refill(self, now: float) -> None:
        if now > self._stamp:
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now

    def delay(self, now: float) -> float:
        """Return the seconds until a send may go (0: now)."""
        if now < self._stamp:  # held
            return self._stamp - now + max(0.0, 1.0 - self._tokens) / self.rate
        self._refill(now)
        return max(0.0, 1.0 - self._tokens) / self.rate

    def take(self, now: float) -> None:
        """Spend one token for a send made now."""
        self._refill(now)
        self._tokens -= 1.0

    def hold(self, now: float, seconds: float) -> None:
        """Send nothing for ``seconds`` from ``now``, then resume without a burst."""
        self._refill(now)
        self._stamp = max(self._stamp, now + seconds)
        self._tokens = min(self._tokens, 1.0)


def should_report(last_report: float | None, now: float, finished: bool,
                  every: float = PROGRESS_EVERY) -> bool:
    """Return whether to edit the progress message now (throttled; always at the end)."""
    return finished or last_report is None or now - last_report >= every
