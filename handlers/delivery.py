"""How hard the bot tries to deliver a request: the ``rate_limit_args`` its rate limiter reads.

``rate_limit_args`` is the number of retries allowed after a 429 (``None``: the bot's
default, ``--flood-retries``). Two values are special (``bot/rate_limiter.py``):

- :data:`BEST_EFFORT` (0 retries): never retried, and sent at the lowest priority, with
  the broadcasts, below every interactive request: replies to strangers and spammers,
  progress edits, broadcast messages. A 429 is raised at once.
- :data:`UNTIL_DELIVERED` (negative): retried after each 429 until Telegram accepts it.
  The task the annotator waits for is never abandoned.

PTB drops a falsy ``rate_limit_args`` before the rate limiter sees it, so a plain ``0``
arrives as ``None`` (the default retries, interactive priority): always pass these
constants, never a literal ``0``.
"""

from __future__ import annotations


class Retries(int):
    """A retry count that PTB passes on even when it is 0 (it is always truthy)."""

    def __bool__(self) -> bool:
        return True


BEST_EFFORT = Retries(0)
UNTIL_DELIVERED = Retries(-1)
