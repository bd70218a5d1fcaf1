"""What a ranking project exports beside its labels (the best response per item).

- ``rankings/items``: per item the consensus order (candidates by mean rank, ties broken
  by the item's order), each candidate's mean rank, and the answers.
- ``rankings/judgements``: every accepted ranking with the order it was shown in.
- ``rankings/pairs``: the pairs the consensus implies, InstructGPT-style (K responses give
  K(K-1)/2 pairs), in TRL's preference layout (``prompt``, ``chosen``, ``rejected``) with
  ``margin`` = the rejected one's mean rank minus the chosen one's.
- ``rankings/scores``: Bradley–Terry scores of the candidates' ids from every ranking
  decomposed into its pairs, when ids recur across items.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from itertools import combinations

from annotation.aggregation.bradley_terry import Comparison as Outcome
from annotation.aggregation.bradley_terry import bradley_terry
from annotation.datasets.records import ExportTable, KindItem
from annotation.kinds.comparison import Lineup

ITEM_FIELDS = ("item_id", "prompt", "ranking", "mean_ranks", "best", "confidence", "answers")
JUDGEMENT_FIELDS = ("item_id", "annotator", "ranking", "shown")
PAIR_FIELDS = ("item_id", "prompt", "chosen", "rejected", "chosen_id", "rejected_id",
               "margin", "answers")
SCORE_FIELDS = ("candidate", "score", "se", "low", "high", "wins", "losses")


def ranking_tables(items: Sequence[KindItem], name: str) -> list[ExportTable]:
    """Return the ranking project's own tables (see the module docstring)."""
    rows, judgements, pairs = [], [], []
    outcomes: list[Outcome] = []
    ids: dict[str, None] = {}
    for entry in items:
        lineup = Lineup.from_json(entry.payload)
        names = [c.id for c in lineup.candidates]
        ids.update(dict.fromkeys(names))
        rankings = [json.loads(v.detail) for v in entry.votes if v.detail]
        for vote, ranking in zip((v for v in entry.votes if v.detail), rankings, strict=True):
            order = ranking["ranking"]
            judgements.append({"item_id": entry.labelled.item_id, "annotator": vote.annotator,
                               "ranking": [names[i] for i in order],
                               "shown": [names[i] for i in ranking["shown"]]})
            outcomes += [Outcome(names[a], names[b]) for a, b in combinations(order, 2)]
        if not rankings:
            continue
        mean = {i: sum(r["ranking"].index(i) + 1 for r in rankings) / len(rankings)
                for i in range(len(names))}
        consensus = sorted(range(len(names)), key=lambda i: (mean[i], i))
        rows.append({"item_id": entry.labelled.item_id, "prompt": lineup.prompt,
                     "ranking": [names[i] for i in consensus],
                     "mean_ranks": {names[i]: round(mean[i], 4) for i in range(len(names))},
                     "best": entry.labelled.label,
                     "confidence": round(entry.labelled.confidence, 6),
                     "answers": len(rankings)})
        for better, worse in combinations(consensus, 2):
            pairs.append({"item_id": entry.labelled.item_id, "prompt": lineup.prompt,
                          "chosen": lineup.candidates[better].text,
                          "rejected": lineup.candidates[worse].text,
                          "chosen_id": names[better], "rejected_id": names[worse],
                          "margin": round(mean[worse] - mean[better], 4),
                          "answers": len(rankings)})
    tables = [ExportTable("rankings/items", ITEM_FIELDS, tuple(rows)),
              ExportTable("rankings/judgements", JUDGEMENT_FIELDS, tuple(judgements)),
              ExportTable("rankings/pairs", PAIR_FIELDS, tuple(pairs), _card(name, len(pairs)))]
    if outcomes and len(ids) > len(Lineup.from_json(items[0].payload).candidates):
        result = bradley_terry(outcomes, candidates=list(ids))
        tables.append(ExportTable("rankings/scores", SCORE_FIELDS, tuple(
            {"candidate": s.candidate, "score": round(s.score, 4), "se": round(s.se, 4),
             "low": round(s.low, 4), "high": round(s.high, 4), "wins": s.wins,
             "losses": s.losses}
            for s in sorted(result.scores.values(), key=lambda s: -s.score))))
    return tables


def _card(name: str, count: int) -> str:
    """Return the Hugging Face card of the pairs the rankings imply."""
    return "\n".join([
        "---", 'configs: [{"config_name": "default", "data_files": '
        '[{"split": "train", "path": "data.jsonl"}]}]', 'tags: ["dpo", "ranking", "annobot"]',
        "---", "", f"# {name}: preference pairs from rankings", "",
        f"{count} pairs (`chosen` ranked above `rejected` by the annotators' consensus: "
        "mean rank), in the layout TRL's `DPOTrainer` reads; `margin` is the difference of "
        "mean ranks. Each annotator saw the responses in an order drawn at random.", ""])
