"""The ``[quality]`` table of a spec: defaults, values, problems, round trips."""

from __future__ import annotations

import pytest

from annotation.errors import ValidationFailed
from annotation.intake.quality_table import quality_from_dict, quality_to_dict
from annotation.intake.spec import parse_spec, spec_from_json, spec_to_json, spec_to_toml
from annotation.quality.settings import RuleAction

BASE = 'name = "P"\nquestion = "Q?"\nanswer_type = "single"\noptions = ["a", "b"]\n'


def test_without_a_quality_table_quality_control_is_off() -> None:
    assert not parse_spec(BASE).quality.enabled


def test_a_quality_table_turns_it_on_with_defaults_and_values() -> None:
    spec = parse_spec(BASE + '[quality]\nexam = 6\nexam_pass = 0.7\ngold_action = "flag"\n'
                      "gold_min_accuracy = 0.8\ndaily_cap = 200\n")
    quality = spec.quality
    assert quality.enabled and quality.exam == 6 and quality.exam_pass == 0.7
    assert quality.gold_action is RuleAction.FLAG and quality.gold_min_accuracy == 0.8
    assert quality.training == 3 and quality.daily_cap == 200
    assert parse_spec(spec_to_toml(spec)) == spec
    assert spec_from_json(spec_to_json(spec)) == spec
    assert quality_from_dict(quality_to_dict(quality)) == quality
    assert not parse_spec(BASE + "[quality]\nenabled = false\n").quality.enabled


def test_quality_problems_name_their_field_and_line() -> None:
    text = BASE + '[quality]\nexam = -1\ngold_action = "ban"\nretries = 2\nenabled = "yes"\n'
    with pytest.raises(ValidationFailed) as caught:
        parse_spec(text)
    found = {(p.code, p.field, p.line) for p in caught.value.problems}
    assert found == {
        ("spec.out_of_range", "quality.exam", 6),
        ("spec.unknown_value", "quality.gold_action", 7),
        ("spec.unknown_field", "quality.retries", 8),
        ("spec.wrong_type", "quality.enabled", 9),
    }


def test_stored_specs_from_before_quality_control_load_with_it_off() -> None:
    stored = spec_to_json(parse_spec(BASE)).replace('"quality"', '"ignored"')
    assert not spec_from_json(stored).quality.enabled


def test_the_sizing_and_gold_share_keys_default_on_and_round_trip() -> None:
    quality = parse_spec(BASE + "[quality]\n").quality
    assert quality.adaptive_gold and quality.exam_stop_early and quality.training_streak == 2
    assert (quality.gold_rate_floor, quality.gold_rate_ceiling) == (0.02, 0.8)
    spec = parse_spec(BASE + "[quality]\nadaptive_gold = false\nexam_stop_early = false\n"
                      "training_streak = 0\ngold_rate_floor = 0.05\ngold_rate_ceiling = 0.3\n")
    quality = spec.quality
    assert not quality.adaptive_gold and not quality.exam_stop_early
    assert (quality.training_streak, quality.gold_rate_floor, quality.gold_rate_ceiling) == (
        0, 0.05, 0.3)
    assert parse_spec(spec_to_toml(spec)) == spec
    assert spec_from_json(spec_to_json(spec)) == spec
    low = parse_spec(BASE + "[quality]\ngold_rate_ceiling = 0.01\n").quality
    assert (low.gold_rate_floor, low.gold_rate_ceiling) == (0.01, 0.01)


def test_the_sizing_and_gold_share_keys_name_their_problems() -> None:
    text = (BASE + "[quality]\nadaptive_gold = 1\ntraining_streak = -1\n"
            "gold_rate_ceiling = 0.2\ngold_rate_floor = 0.3\nexam_stop_early = \"yes\"\n")
    with pytest.raises(ValidationFailed) as caught:
        parse_spec(text)
    found = {(p.code, p.field, p.line) for p in caught.value.problems}
    assert found == {
        ("spec.wrong_type", "quality.adaptive_gold", 6),
        ("spec.out_of_range", "quality.training_streak", 7),
        ("spec.out_of_range", "quality.gold_rate_floor", 9),
        ("spec.wrong_type", "quality.exam_stop_early", 10),
    }
    floor = next(p for p in caught.value.problems if p.field == "quality.gold_rate_floor")
    assert floor.params["maximum"] == 0.2


def test_settings_stored_before_the_switches_keep_todays_behaviour() -> None:
    stored = quality_to_dict(parse_spec(BASE + "[quality]\nexam = 4\n").quality)
    for key in ("adaptive_gold", "exam_stop_early", "training_streak", "gold_rate_floor",
                "gold_rate_ceiling"):
        del stored[key]
    quality = quality_from_dict(stored)
    assert quality.enabled and quality.exam == 4
    assert not quality.adaptive_gold and not quality.exam_stop_early
    assert quality.training_streak == 0
