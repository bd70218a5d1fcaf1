"""Conversions between stored columns and domain values (times, project specs)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from annotation.models import AnswerType, LocalizedText, NumberRange, ProjectSpec
from annotation.quality.spec_table import quality_from_dict, quality_to_dict


def to_ts(moment: datetime) -> float:
    """Return a timezone-aware datetime as Unix seconds."""
    return moment.timestamp()


def from_ts(seconds: float) -> datetime:
    """Return Unix seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, tz=UTC)


def spec_to_json(spec: ProjectSpec) -> str:
    """Serialize a project spec for the ``projects.spec`` column."""
    payload: dict[str, Any] = {
        "name": spec.name,
        "question": dict(spec.question.texts),
        "answer_type": spec.answer_type.value,
        "options": list(spec.options),
        "instructions": dict(spec.instructions.texts),
        "overlap": spec.overlap,
        "min_overlap": spec.min_overlap,
        "confidence_target": spec.confidence_target,
        "gold_rate": spec.gold_rate,
        "time_limit_seconds": spec.time_limit_seconds,
        "reward": spec.reward,
        "currency": spec.currency,
        "number_range": [spec.number_range.minimum, spec.number_range.maximum],
        "aggregation": spec.aggregation,
        "quality": quality_to_dict(spec.quality),
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True)


def spec_from_json(text: str) -> ProjectSpec:
    """Rebuild a project spec stored by :func:`spec_to_json`."""
    data = json.loads(text)
    low, high = data["number_range"]
    return ProjectSpec(
        name=data["name"],
        question=LocalizedText(data["question"]),
        answer_type=AnswerType(data["answer_type"]),
        options=tuple(data["options"]),
        instructions=LocalizedText(data["instructions"]),
        overlap=data["overlap"],
        min_overlap=data.get("min_overlap"),
        confidence_target=data.get("confidence_target"),
        gold_rate=data["gold_rate"],
        time_limit_seconds=data["time_limit_seconds"],
        reward=data["reward"],
        currency=data["currency"],
        number_range=NumberRange(low, high),
        aggregation=data["aggregation"],
        quality=quality_from_dict(data.get("quality")),
    )
