"""The process's heap after start-up: kept out of the cyclic collector's full passes.

A full collection walks every tracked object. Once the bot has started, most of them are
modules, catalogs and the python-telegram-bot machinery, alive for the whole run: walking
them paused the event loop 40-57 ms every ten seconds or so under load (measured with
``gc.callbacks`` in the annotation-loop benchmark), longer than the whole tap-to-next-task
budget. Freezing them (``gc.freeze``, CPython's own tool for a long-lived start-up heap)
leaves full passes with only what the run creates.
"""

from __future__ import annotations

import gc
import logging

logger = logging.getLogger(__name__)


def settle_heap() -> int:
    """Collect the start-up garbage, then freeze what is left; return how many objects."""
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    logger.debug("froze %d start-up objects", frozen)
    return frozen
