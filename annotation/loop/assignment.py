"""Assignment policy: which item an annotator gets next. Pure: randomness is a parameter.

The rules the storage queries and these functions uphold together:
- an annotator never gets the same item twice (storage: UNIQUE (item, annotator));
- a regular item never has more answers plus live assignments than ``slots_allowed``:
  ``overlap`` with a fixed overlap; with adaptive overlap ``min_overlap`` until that many
  answers are in, then one more at a time while the stopping rule says the label is not
  yet trusted (the item is unsettled), never past ``overlap`` (storage picks only such
  items, inside one serialized transaction; a settled item gets none);
- regular items closest to completion go first (storage orders by fill);
- gold items are mixed in at the project's rate, each at most once per annotator.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from annotation.models import Answer, ItemId

UNDO_WINDOW = timedelta(seconds=60)
GOLD_SAMPLE = 16  # how many unseen gold candidates the policy draws from


def choose_next_item(regular: ItemId | None, unseen_gold: Sequence[ItemId], gold_rate: float,
                     rng: random.Random) -> ItemId | None:
    """Pick a gold item with probability ``gold_rate`` (when one is left), else ``regular``.

    With no regular item left the annotator gets no gold either: gold only makes sense mixed
    into real work, and showing it alone would reveal it.
    """
    if regular is None:
        return None
    if unseen_gold and rng.random() < gold_rate:
        return unseen_gold[rng.randrange(len(unseen_gold))]
    return regular


def slots_allowed(answers: int, overlap: int, first_round: int) -> int:
    """Return how many answers plus live assignments an unsettled item may have.

    ``first_round`` is ``min_overlap`` with adaptive overlap (``overlap`` otherwise): the
    first slots open together, later ones one at a time, so the stopping rule, asked after
    each answer, can stop what has not been handed out yet.
    """
    return min(overlap, max(first_round, answers + 1))


def can_undo(last: Answer | None, target: ItemId, now: datetime,
             window: timedelta = UNDO_WINDOW) -> bool:
    """Return whether ``last`` is an answer to ``target`` still inside the undo window."""
    return last is not None and last.item_id == target and now - last.answered_at <= window


def deadline_for(now: datetime, time_limit_seconds: int) -> datetime:
    """Return when an assignment handed out ``now`` expires."""
    return now + timedelta(seconds=time_limit_seconds)
