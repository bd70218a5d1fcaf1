"""Invariants of every categorical method, on random small crowds (hypothesis)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from annotation.aggregation import Method, Vote, aggregate

LABELS = ("a", "b", "c")


@st.composite
def crowds(draw: st.DrawFn) -> list[Vote]:
    """Up to 6 items x 5 annotators, each pair answered or not."""
    votes = []
    for item in range(draw(st.integers(1, 6))):
        for annotator in range(5):
            label = draw(st.sampled_from((None, *LABELS)))
            if label is not None:
                votes.append(Vote(f"i{item}", f"w{annotator}", label))
    return votes


@settings(max_examples=60, deadline=None)
@given(votes=crowds(), method=st.sampled_from(list(Method)))
def test_probabilities_sum_to_one_and_confidence_is_the_chosen_one(
    votes: list[Vote], method: Method
) -> None:
    result = aggregate(votes, method=method, labels=LABELS, items=["i0", "never"])

    assert result.items["never"].label is None
    for item in result.items.values():
        if item.answers == 0:
            continue
        assert math.isclose(sum(item.probabilities.values()), 1.0, rel_tol=1e-9)
        assert item.label is not None
        assert item.confidence == item.probabilities[item.label]
        assert item.confidence == max(item.probabilities.values())
        assert 0.0 <= item.agreement <= 1.0
    for skill in result.annotators.values():
        assert 0.0 <= skill.accuracy <= 1.0


@settings(max_examples=60, deadline=None)
@given(votes=crowds(), method=st.sampled_from(list(Method)), data=st.data())
def test_relabelling_classes_permutes_the_results(
    votes: list[Vote], method: Method, data: st.DataObject
) -> None:
    renamed = data.draw(st.permutations(("x", "y", "z")))
    rename = dict(zip(LABELS, renamed, strict=True))
    moved = [Vote(v.item, v.annotator, rename[v.label]) for v in votes]

    before = aggregate(votes, method=method, labels=LABELS)
    after = aggregate(moved, method=method, labels=[rename[label] for label in LABELS])

    for item, label in before.items.items():
        twin = after.items[item]
        for old, new in rename.items():
            assert math.isclose(
                label.probabilities[old], twin.probabilities[new], rel_tol=1e-6, abs_tol=1e-9
            )
        assert twin.label == (rename[label.label] if label.label else None)


@settings(max_examples=40, deadline=None)
@given(
    answers=st.lists(st.sampled_from(LABELS), min_size=1, max_size=6),
    method=st.sampled_from(list(Method)),
)
def test_unanimous_items_get_the_unanimous_label(answers: list[str], method: Method) -> None:
    votes = [Vote(f"i{n}", f"w{k}", label) for n, label in enumerate(answers) for k in range(3)]

    result = aggregate(votes, method=method, labels=LABELS)

    for n, label in enumerate(answers):
        assert result.items[f"i{n}"].label == label
        assert result.items[f"i{n}"].agreement == 1.0
