"""Label Studio JSON: every item a task, each annotator's answer an annotation, the
aggregated label a prediction (with its confidence as the score), plus the labeling
config that names the same controls, so a team can review in the tool it knows.

Each kind says how its tasks look there (``TaskKind.label_studio_*``: choices, a text
area, a rating, a pairwise comparison); this module assembles the tasks, and
``storage/datasets/label_studio.py`` writes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from annotation.datasets.records import LabeledItem, RawAnswer
from annotation.kinds.registry import kind_of
from annotation.models import MediaKind, ProjectSpec


def labeling_config(kinds: Iterable[MediaKind], spec: ProjectSpec) -> str:
    """Return the Label Studio labeling config (XML) matching the exported results."""
    return kind_of(spec).label_studio_config(spec, list(kinds))


def iter_tasks(items: Iterable[tuple[LabeledItem, str]], answers: Iterable[RawAnswer],
               spec: ProjectSpec, method: str) -> Iterator[dict[str, object]]:
    """Yield Label Studio tasks: data, annotations (one per answer), one prediction.

    ``items`` pairs each labelled item with its payload; ``answers`` must come grouped by
    item in the order of ``items`` (as storage streams them), so neither side is held in
    memory whole.
    """
    kind = kind_of(spec)
    pending = iter(answers)
    upcoming = next(pending, None)
    for number, (item, payload) in enumerate(items, start=1):
        mine: list[RawAnswer] = []
        while upcoming is not None and upcoming.item_id == item.item_id:
            mine.append(upcoming)
            upcoming = next(pending, None)
        task: dict[str, object] = {"id": number, "data": kind.label_studio_data(item, payload)}
        task["annotations"] = [
            {"result": kind.label_studio_results(spec, item, answer.label),
             "completed_by": {"email": f"{answer.annotator}@annobot.invalid"},
             "lead_time": answer.seconds, "created_at": answer.answered_at.isoformat(),
             "was_cancelled": answer.excluded, "ground_truth": answer.gold}
            for answer in mine
        ]
        if item.label is not None:
            task["predictions"] = [{"model_version": f"annobot-{method}",
                                    "score": round(item.confidence, 6),
                                    "result": kind.label_studio_results(spec, item,
                                                                        item.label)}]
        yield task
