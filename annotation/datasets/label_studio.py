"""Label Studio JSON: every item a task, each annotator's answer an annotation, the
aggregated label a prediction (with its confidence as the score), plus the labeling
config that names the same controls, so a team can review in the tool it knows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

from annotation.datasets.records import LabeledItem, RawAnswer
from annotation.models import AnswerType, MediaKind

CONTROL = "label"
OBJECTS = {MediaKind.TEXT: ("text", "Text"), MediaKind.IMAGE: ("image", "Image"),
           MediaKind.AUDIO: ("audio", "Audio")}
MEDIA_PREFIX = "/data/local-files/?d="


def labeling_config(kinds: Iterable[MediaKind], answer_type: AnswerType,
                    labels: Sequence[str]) -> str:
    """Return the Label Studio labeling config (XML) matching the exported results."""
    kinds = sorted(set(kinds), key=list(OBJECTS).index) or [MediaKind.TEXT]
    lines = ["<View>"]
    for kind in kinds:
        name, tag = OBJECTS[kind]
        lines.append(f'  <{tag} name="{name}" value="${name}"/>')
    to_name = ",".join(OBJECTS[kind][0] for kind in kinds)
    if answer_type in (AnswerType.TEXT, AnswerType.NUMBER):
        lines.append(f'  <TextArea name="{CONTROL}" toName="{to_name}" maxSubmissions="1"/>')
    else:
        choice = "multiple" if answer_type is AnswerType.MULTI else "single"
        lines.append(f'  <Choices name="{CONTROL}" toName="{to_name}" choice="{choice}">')
        lines += [f"    <Choice value={quoteattr(label)}/>" for label in labels]
        lines.append("  </Choices>")
    lines.append("</View>")
    return "\n".join(lines) + "\n"


def _value(answer_type: AnswerType, label: str) -> tuple[str, dict[str, object]]:
    if answer_type in (AnswerType.TEXT, AnswerType.NUMBER):
        return "textarea", {"text": [label]}
    if answer_type is AnswerType.MULTI:
        return "choices", {"choices": [part for part in label.split("|") if part]}
    return "choices", {"choices": [label]}


def _result(item: LabeledItem, answer_type: AnswerType, label: str) -> dict[str, object]:
    kind, value = _value(answer_type, label)
    return {"from_name": CONTROL, "to_name": OBJECTS[item.kind][0], "type": kind,
            "value": value}


def iter_tasks(items: Iterable[LabeledItem], answers: Iterable[RawAnswer],
               answer_type: AnswerType, method: str) -> Iterator[dict[str, object]]:
    """Yield Label Studio tasks: data, annotations (one per answer), one prediction.

    ``answers`` must come grouped by item in the order of ``items`` (as storage streams
    them), so neither side is held in memory whole.
    """
    pending = iter(answers)
    upcoming = next(pending, None)
    for number, item in enumerate(items, start=1):
        mine: list[RawAnswer] = []
        while upcoming is not None and upcoming.item_id == item.item_id:
            mine.append(upcoming)
            upcoming = next(pending, None)
        name = OBJECTS[item.kind][0]
        data: dict[str, object] = {"item_id": item.item_id}
        data[name] = (MEDIA_PREFIX + item.media_file) if item.media_file else item.text
        if item.media_file and item.text:
            data["caption"] = item.text
        task: dict[str, object] = {"id": number, "data": data}
        task["annotations"] = [
            {"result": [_result(item, answer_type, answer.label)],
             "completed_by": {"email": f"{answer.annotator}@annobot.invalid"},
             "lead_time": answer.seconds, "created_at": answer.answered_at.isoformat(),
             "was_cancelled": answer.excluded, "ground_truth": answer.gold}
            for answer in mine
        ]
        if item.label is not None:
            task["predictions"] = [{"model_version": f"annobot-{method}",
                                    "score": round(item.confidence, 6),
                                    "result": [_result(item, answer_type, item.label)]}]
        yield task


def write_label_studio(folder: Path, tasks: Iterable[dict[str, object]],
                       config: str) -> list[Path]:
    """Stream ``label_studio_tasks.json`` and write ``label_studio_config.xml``."""
    folder.mkdir(parents=True, exist_ok=True)
    tasks_path = folder / "label_studio_tasks.json"
    config_path = folder / "label_studio_config.xml"
    with tasks_path.open("w", encoding="utf-8") as handle:
        handle.write("[")
        for index, task in enumerate(tasks):
            handle.write(("," if index else "") + "\n" + json.dumps(task, ensure_ascii=False))
        handle.write("\n]\n")
    config_path.write_text(config, encoding="utf-8")
    return [tasks_path, config_path]
