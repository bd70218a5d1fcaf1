"""The simulated crowd's answers: neighbouring confusions, and the default left unchanged."""

from __future__ import annotations

import dataclasses
import random
from collections import Counter

import pytest

from bot.crowd import Confusion, Member, Style, build_crowd, neighbours, pick_answer

OPTIONS = ("1", "2", "3", "4")


@pytest.mark.parametrize(("truth", "expected"), [
    ("1", {"2"}), ("2", {"1", "3"}), ("3", {"2", "4"}), ("4", {"3"}),
])
def test_a_careful_member_who_errs_picks_a_neighbouring_class(truth: str,
                                                              expected: set[str]) -> None:
    member = Member(1, Style.CAREFUL, 0.0, confusion=Confusion.NEIGHBOURS)
    rng = random.Random(3)
    picks = Counter(pick_answer(member, rng, truth, OPTIONS, OPTIONS) for _ in range(200))
    assert set(picks) == expected


def test_neighbours_are_taken_among_the_buttons_shown() -> None:
    assert neighbours("2", OPTIONS, ("2", "3")) == ["3"]
    assert neighbours("5", OPTIONS, OPTIONS) == []


def test_a_truth_without_a_shown_neighbour_falls_back_to_any_other_option() -> None:
    member = Member(1, Style.CAREFUL, 0.0, confusion=Confusion.NEIGHBOURS)
    rng = random.Random(5)
    picks = {pick_answer(member, rng, "1", ("1", "3", "4"), OPTIONS) for _ in range(100)}
    assert picks == {"3", "4"}


def test_the_right_answer_comes_with_the_members_accuracy_under_either_confusion() -> None:
    for confusion in Confusion:
        member = Member(1, Style.CAREFUL, 1.0, confusion=confusion)
        rng = random.Random(1)
        assert {pick_answer(member, rng, "3", OPTIONS, OPTIONS) for _ in range(50)} == {"3"}


def _old_pick(member: Member, rng: random.Random, truth: str, buttons: list[str]) -> str:
    """The answer rule before confusions were configurable (uniform over wrong options)."""
    if member.style is Style.CONSTANT:
        return buttons[0]
    if member.style is Style.RANDOM or truth not in buttons:
        return rng.choice(list(buttons))
    if rng.random() < member.accuracy:
        return truth
    return rng.choice([b for b in buttons if b != truth] or list(buttons))


def test_the_default_draws_exactly_what_it_drew_before() -> None:
    crowd = build_crowd(12, careless=0.25, constant_share=0.25, accuracy=(0.6, 0.8), seed=9)
    assert {m.confusion for m in crowd} == {Confusion.UNIFORM}
    neighbourly = build_crowd(12, careless=0.25, constant_share=0.25, accuracy=(0.6, 0.8),
                              seed=9, confusion=Confusion.NEIGHBOURS)
    assert [dataclasses.replace(m, confusion=Confusion.UNIFORM) for m in neighbourly] == crowd
    draw = random.Random(4)
    truths = [draw.choice(OPTIONS) for _ in range(300)]
    for member in crowd:
        new_rng, old_rng = random.Random(member.user_id), random.Random(member.user_id)
        new = [pick_answer(member, new_rng, t, OPTIONS, OPTIONS) for t in truths]
        old = [_old_pick(member, old_rng, t, list(OPTIONS)) for t in truths]
        assert new == old
