"""Small projects for tests: a valid spec with overrides, and text items with some gold."""

from __future__ import annotations

from annotation.intake.item_drafts import ItemDraft
from annotation.models import AnswerType, LocalizedText, MediaKind, ProjectSpec

ANIMALS = ("cat", "dog", "bird")


def make_spec(**overrides: object) -> ProjectSpec:
    """Return the "Animals" spec (single choice: cat, dog, bird) with fields changed.

    Another ``answer_type`` than single or multiple choice has no options unless given.
    """
    answer_type = overrides.get("answer_type", AnswerType.SINGLE)
    choices = answer_type in (AnswerType.SINGLE, AnswerType.MULTI)
    values: dict[str, object] = {
        "name": "Animals",
        "question": LocalizedText({"en": "Which animal?", "fr": "Quel animal ?"}),
        "answer_type": answer_type,
        "options": ANIMALS if choices else (),
        "overlap": 3,
        "gold_rate": 0.0,
        "time_limit_seconds": 300,
    }
    values.update(overrides)
    return ProjectSpec(**values)  # type: ignore[arg-type]


def make_items(count: int, gold: int = 0) -> list[ItemDraft]:
    """Return ``count`` text items, then ``gold`` gold items whose answer is "cat"."""
    drafts = [
        ItemDraft(line=i + 2, external_id=f"item{i}", kind=MediaKind.TEXT, text=f"text {i}",
                  media=None, gold_answer=None, explanation=None, training=False)
        for i in range(count)
    ]
    drafts += [
        ItemDraft(line=count + i + 2, external_id=f"gold{i}", kind=MediaKind.TEXT,
                  text=f"gold {i}", media=None, gold_answer="cat", explanation="It is a cat.",
                  training=False)
        for i in range(gold)
    ]
    return drafts
