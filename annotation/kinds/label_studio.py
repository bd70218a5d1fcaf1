"""How tasks appear in Label Studio: the object tags, controls and results each kind uses.

Every kind names its own labeling config, task data and result through these helpers
(``TaskKind.label_studio_*``); ``annotation.datasets.label_studio`` assembles the tasks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from xml.sax.saxutils import quoteattr

from annotation.datasets.records import LabeledItem
from annotation.models import MediaKind

CONTROL = "label"
OBJECTS = {MediaKind.TEXT: ("text", "Text"), MediaKind.IMAGE: ("image", "Image"),
           MediaKind.AUDIO: ("audio", "Audio")}
MEDIA_PREFIX = "/data/local-files/?d="


def object_kinds(kinds: Iterable[MediaKind]) -> list[MediaKind]:
    """Return the media kinds a project's items use, in a fixed order (text at least)."""
    return sorted(set(kinds), key=list(OBJECTS).index) or [MediaKind.TEXT]


def object_tags(kinds: Sequence[MediaKind]) -> tuple[list[str], str]:
    """Return the object tag lines for ``kinds`` and their names joined for ``toName``."""
    lines = [f'  <{OBJECTS[k][1]} name="{OBJECTS[k][0]}" value="${OBJECTS[k][0]}"/>'
             for k in kinds]
    return lines, ",".join(OBJECTS[k][0] for k in kinds)


def choice_lines(labels: Sequence[str], name: str, to_name: str, *,
                 multiple: bool = False) -> list[str]:
    """Return the lines of one Choices control over the labels."""
    choice = "multiple" if multiple else "single"
    return [f'  <Choices name="{name}" toName="{to_name}" choice="{choice}">',
            *(f"    <Choice value={quoteattr(label)}/>" for label in labels), "  </Choices>"]


def choices_config(kinds: Iterable[MediaKind], labels: Sequence[str], *,
                   multiple: bool = False) -> str:
    """Return a config with one Choices control over the items' objects."""
    lines, to_name = object_tags(object_kinds(kinds))
    return view([*lines, *choice_lines(labels, CONTROL, to_name, multiple=multiple)])


def textarea_config(kinds: Iterable[MediaKind]) -> str:
    """Return a config with one TextArea control over the items' objects."""
    lines, to_name = object_tags(object_kinds(kinds))
    lines.append(f'  <TextArea name="{CONTROL}" toName="{to_name}" maxSubmissions="1"/>')
    return view(lines)


def view(lines: Sequence[str]) -> str:
    """Wrap control and object lines in the config's View."""
    return "\n".join(["<View>", *lines, "</View>"]) + "\n"


def media_data(item: LabeledItem) -> dict[str, object]:
    """Return a task's data for an item shown as text, image or audio (with a caption)."""
    data: dict[str, object] = {"item_id": item.item_id}
    data[OBJECTS[item.kind][0]] = (MEDIA_PREFIX + item.media_file) if item.media_file \
        else item.text
    if item.media_file and item.text:
        data["caption"] = item.text
    return data


def result(item: LabeledItem, kind: str, value: dict[str, object]) -> dict[str, object]:
    """Return one result of the item's own object (``kind``: choices, textarea…)."""
    return {"from_name": CONTROL, "to_name": OBJECTS[item.kind][0], "type": kind,
            "value": value}
