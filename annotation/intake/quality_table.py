"""The ``[quality]`` table of a project spec, read into :class:`QualitySettings`.

Problems use the spec's codes (``annotation.intake.spec``) with dotted fields (``quality.exam``).
A present table turns quality control on unless it says ``enabled = false``. Settings
stored before a switch existed load with it off (:data:`STORED_BEFORE`), so a running
project keeps the rules it started with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from annotation.errors import Problem
from annotation.intake.spec_fields import FieldReader, SpecProblem
from annotation.quality.settings import QualitySettings, RuleAction

_DEFAULTS = QualitySettings(enabled=True)
_COUNTS: dict[str, tuple[int, int]] = {
    "training": (0, 50),
    "training_streak": (0, 50),
    "exam": (0, 100),
    "exam_retries": (0, 20),
    "exam_cooldown": (0, 30 * 86_400),
    "probation_tasks": (0, 100_000),
    "gold_min_answers": (1, 10_000),
    "speed_window": (1, 1_000),
    "agreement_min_answers": (1, 100_000),
    "run_max_skips": (0, 10_000),
    "daily_cap": (0, 1_000_000),
    "position_min_answers": (0, 1_000),
}
_SHARES: dict[str, tuple[float, float]] = {
    "exam_pass": (0.0, 1.0),
    "probation_gold_rate": (0.0, 1.0),
    "gold_confidence": (0.5, 0.9999),
    "agreement_min_ratio": (0.0, 1.0),
    "position_max_p": (1e-9, 0.5),
}
_SWITCHES = ("exam_stop_early", "adaptive_gold")
# The gold share's ceiling, then its floor, which may not exceed the ceiling read before it.
_GOLD_SHARES = ("gold_rate_ceiling", "gold_rate_floor")
# Integers that default by answer type when not given (``settings.same_answer_limit``).
_OPTIONAL_COUNTS: dict[str, tuple[int, int]] = {"run_max_same": (0, 10_000)}
_OPTIONAL: dict[str, tuple[float, float]] = {
    "gold_min_accuracy": (0.0, 1.0),
    "speed_min_seconds": (0.0, 3_600.0),
}
_ACTIONS = ("gold_action", "speed_action", "agreement_action", "run_action",
            "daily_cap_action", "position_action")
KEYS = frozenset({"enabled", *_COUNTS, *_SHARES, *_SWITCHES, *_GOLD_SHARES, *_OPTIONAL,
                  *_OPTIONAL_COUNTS, *_ACTIONS})
# Values of keys added after settings were first stored: what older projects ran with.
STORED_BEFORE: dict[str, object] = {"training_streak": 0, "exam_stop_early": False,
                                    "adaptive_gold": False}


def read_quality(reader: FieldReader) -> QualitySettings:
    """Read the spec's ``[quality]`` table (absent: quality control off)."""
    table = reader.data.get("quality")
    if table is None:
        return QualitySettings()
    if not isinstance(table, Mapping):
        reader.problem(SpecProblem.WRONG_TYPE, "quality", expected="table")
        return QualitySettings()
    sub = FieldReader(table, {k[8:]: n for k, n in reader.lines.items()
                              if k.startswith("quality.")})
    for key in table:
        if key not in KEYS:
            sub.problem(SpecProblem.UNKNOWN_FIELD, key)
    values: dict[str, Any] = {"enabled": True}
    for key in ("enabled", *_SWITCHES):
        switch = table.get(key, getattr(_DEFAULTS, key))
        if isinstance(switch, bool):
            values[key] = switch
        else:
            sub.problem(SpecProblem.WRONG_TYPE, key, expected="boolean")
    for key, bounds in _COUNTS.items():
        values[key] = sub.integer(key, getattr(_DEFAULTS, key), bounds)
    for key, share_bounds in _SHARES.items():
        values[key] = sub.number(key, getattr(_DEFAULTS, key), share_bounds)
    ceiling = values["gold_rate_ceiling"] = sub.number(
        "gold_rate_ceiling", _DEFAULTS.gold_rate_ceiling, (0.0, 1.0))
    values["gold_rate_floor"] = sub.number(
        "gold_rate_floor", min(_DEFAULTS.gold_rate_floor, ceiling), (0.0, ceiling))
    for key, optional_bounds in _OPTIONAL.items():
        if key in table:
            values[key] = sub.number(key, 0.0, optional_bounds)
    for key, count_bounds in _OPTIONAL_COUNTS.items():
        if key in table:
            values[key] = sub.integer(key, 0, count_bounds)
    for key in _ACTIONS:
        values[key] = sub.enum(key, RuleAction, getattr(_DEFAULTS, key)) or getattr(
            _DEFAULTS, key)
    reader.problems += [
        Problem(p.code, reader.lines.get(f"quality.{p.field}", p.line), f"quality.{p.field}",
                p.params)
        for p in sub.problems
    ]
    return QualitySettings(**values)


def quality_to_toml(settings: QualitySettings) -> list[str]:
    """Return the ``[quality]`` table lines of enabled settings (none when disabled)."""
    if not settings.enabled:
        return []
    lines = ["", "[quality]"]
    for spec_field in fields(settings):
        value = getattr(settings, spec_field.name)
        if value is None:
            continue
        if isinstance(value, bool):
            lines.append(f"{spec_field.name} = {'true' if value else 'false'}")
        elif isinstance(value, RuleAction):
            lines.append(f'{spec_field.name} = "{value.value}"')
        elif isinstance(value, float):
            lines.append(f"{spec_field.name} = {value!r}")
        else:
            lines.append(f"{spec_field.name} = {value}")
    return lines


def quality_to_dict(settings: QualitySettings) -> dict[str, object]:
    """Return the settings as plain JSON values (for storage)."""
    return {f.name: (v.value if isinstance(v := getattr(settings, f.name), RuleAction) else v)
            for f in fields(settings)}


def quality_from_dict(data: Mapping[str, Any] | None) -> QualitySettings:
    """Rebuild settings stored by :func:`quality_to_dict` (None: quality control off)."""
    if not data:
        return QualitySettings()
    known = {f.name for f in fields(QualitySettings)}
    values: dict[str, Any] = dict(STORED_BEFORE)
    values.update({k: (RuleAction(v) if k.endswith("_action") else v)
                   for k, v in data.items() if k in known})
    return QualitySettings(**values)
