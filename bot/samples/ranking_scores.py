"""The rankings demo's exported consensus against the sample's hidden order.

Reads three files of the tables export: ``labels.jsonl`` (the best response per item, as
aggregation chose it), ``rankings/items.jsonl`` (each item's consensus order of the
candidates' ids, by mean rank) and ``rankings/scores.jsonl`` (Bradley-Terry scores of the
models from every ranking's pairs). Gold items are left out, as in
:mod:`bot.samples.scoring`; an item without a consensus counts as unranked, not as wrong.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from bot.samples.prompts import MODELS
from bot.samples.ranking import Ranked
from bot.samples.scoring import LabelScore, regular_labels


@dataclass(frozen=True, slots=True)
class RankingScore:
    """How the consensus of the regular items compares with the hidden order."""

    best: LabelScore  # the label (the best response) against the truth
    ranked: int  # regular items with a consensus order
    tau: float  # mean Kendall tau between the consensus and the true order (1: the same)
    top_two: float  # share of them whose two best responses are right, in order
    exact: float  # share of them ranked exactly right
    models_tau: float | None  # Kendall tau of the models' scores against their strengths


def kendall_tau(ranking: Sequence[str], truth: Sequence[str]) -> float:
    """Return Kendall's tau between two orders of the same ids (no ties)."""
    place = {name: index for index, name in enumerate(ranking)}
    pairs = list(combinations(truth, 2))  # each pair, the truly better one first
    if not pairs:
        return 1.0
    agree = sum(1 if place[better] < place[worse] else -1 for better, worse in pairs)
    return agree / len(pairs)


def score_rankings(labels_jsonl: bytes, items_jsonl: bytes, scores_jsonl: bytes | None,
                   truth: Mapping[str, Ranked]) -> RankingScore:
    """Score the exported labels, consensus orders and model scores against the truth."""
    regular = regular_labels(labels_jsonl)
    given = {item: label for item, label in regular.items() if label is not None}
    right = sum(label == truth[item].truth for item, label in given.items())
    best = LabelScore(len(regular), len(given), right / len(given) if given else 0.0)
    taus, tops, exact = [], [], []
    for line in items_jsonl.decode("utf-8").splitlines():
        row = json.loads(line)
        item = str(row["item_id"])
        if item not in regular:
            continue  # a gold item
        ranking, order = list(row["ranking"]), list(truth[item].ranking)
        taus.append(kendall_tau(ranking, order))
        tops.append(ranking[:2] == order[:2])
        exact.append(ranking == order)
    count = len(taus)
    return RankingScore(best, count, sum(taus) / count if count else 0.0,
                        sum(tops) / count if count else 0.0,
                        sum(exact) / count if count else 0.0,
                        _models_tau(scores_jsonl))


def _models_tau(scores_jsonl: bytes | None) -> float | None:
    """Kendall tau of the models ordered by score against their order by strength."""
    if not scores_jsonl:
        return None
    rows = [json.loads(line) for line in scores_jsonl.decode("utf-8").splitlines()]
    by_score = [str(row["candidate"]) for row in sorted(rows, key=lambda r: -r["score"])]
    strongest = [m.name for m in sorted(MODELS, key=lambda m: -m.strength)
                 if m.name in by_score]
    return kendall_tau(by_score, strongest) if len(strongest) == len(by_score) else None
