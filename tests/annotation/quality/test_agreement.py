"""The agreement rule as each kind judges it: equal labels by default, transcripts by CER
against the others' consensus, several questions one question at a time."""

from __future__ import annotations

import json
from functools import partial

import pytest

from annotation.intake.spec import parse_spec
from annotation.kinds.registry import kind_of
from annotation.models import AnnotatorId, ItemId, ProjectSpec
from annotation.quality.agreement import (
    WHOLE,
    CastVote,
    Judge,
    agreement_by_annotator,
    majority_agreement,
)
from annotation.quality.rules import AgreementStats, Evidence, agreement_verdicts, evaluate
from annotation.quality.settings import QualitySettings, Rule
from tests.annotation.kinds.test_questions import PLAIN_SPEC

ON = QualitySettings(enabled=True, agreement_min_answers=3)
TRANSCRIPTS = parse_spec('name = "Voices"\nanswer_type = "transcript"\nquestion = "Said?"\n')
QUESTIONS = parse_spec(PLAIN_SPEC)  # which language, and is it offensive
SENTENCES = ("Manao ahoana ianao tompoko", "Tsara ny andro androany", "Aiza ny lalana mankany")


def judge(spec: ProjectSpec) -> Judge:
    """Return the project's kind's judge, as the console passes it."""
    return partial(kind_of(spec).agreement, spec)


def votes(rows: list[tuple[int, int, str]]) -> list[CastVote]:
    return [CastVote(ItemId(i), AnnotatorId(a), v) for i, a, v in rows]


def both(language: str, offensive: str) -> str:
    return json.dumps({"language": language, "offensive": offensive}, separators=(",", ":"))


def test_the_default_judge_is_the_others_exact_majority() -> None:
    assert majority_agreement("a", ["a", "a", "b"]) == {WHOLE: True}
    assert majority_agreement("b", ["a", "a"]) == {WHOLE: False}
    assert majority_agreement("a", ["a"]) == {}  # one other: no majority
    assert majority_agreement("a", ["a", "b"]) == {}  # a tie
    single = parse_spec('name = "n"\nanswer_type = "single"\nquestion = "q"\n'
                        'options = ["a", "b"]\n')
    rows = votes([(1, 10, "a"), (1, 11, "a"), (1, 12, "b"), (1, 13, "a")])
    assert agreement_by_annotator(rows, judge(single)) == agreement_by_annotator(rows)


def test_a_near_identical_transcript_agrees_and_a_very_different_one_does_not() -> None:
    rows: list[tuple[int, int, str]] = []
    for item, sentence in enumerate(SENTENCES):
        rows += [(item, 10, sentence + "."),  # as said, with a full stop
                 (item, 11, sentence.lower()),  # as said, in lower case
                 (item, 12, sentence[:-1] + "a"),  # one letter misheard: within the bar
                 (item, 13, "tsy haiko")]  # "I don't know": far from it
    stats = agreement_by_annotator(votes(rows), judge(TRANSCRIPTS))
    assert {who: (s.matches, s.total) for who, s in stats.items()} == {
        10: (3, 3), 11: (3, 3), 12: (3, 3), 13: (0, 3)}
    assert stats[AnnotatorId(13)].parts == {}  # one label: no parts
    # compared exactly, nobody would agree with anybody: every transcript differs
    exact = agreement_by_annotator(votes(rows))
    assert all(s.matches == 0 for s in exact.values())
    verdicts = agreement_verdicts(stats[AnnotatorId(13)], ON)
    assert [(v.rule, v.params["percent"]) for v in verdicts] == [(Rule.AGREEMENT, 0)]
    assert "question" not in verdicts[0].params
    assert agreement_verdicts(stats[AnnotatorId(12)], ON) == []


def test_a_disagreement_on_one_question_counts_once_for_that_question() -> None:
    rows: list[tuple[int, int, str]] = []
    for item in range(4):
        rows += [(item, 10, both("mg", "no")), (item, 11, both("mg", "no")),
                 (item, 12, both("mg", "no")),
                 (item, 13, both("mg", "yes"))]  # always off on "offensive" only
    stats = agreement_by_annotator(votes(rows), judge(QUESTIONS))
    odd = stats[AnnotatorId(13)]
    assert {key: (p.matches, p.total) for key, p in odd.parts.items()} == {
        "language": (4, 4), "offensive": (0, 4)}
    assert (odd.matches, odd.total) == (4, 8)  # each question once, not the whole task
    # the crowd's rate per question: everyone agrees on the language
    assert odd.parts["language"].crowd_rate == 1.0
    assert odd.parts["offensive"].crowd_rate == pytest.approx(12 / 16)
    # compared as whole values, the odd one would have agreed with nobody
    assert agreement_by_annotator(votes(rows))[AnnotatorId(13)].matches == 0
    verdicts = agreement_verdicts(odd, ON)
    assert [(v.rule, v.params["question"], v.params["percent"]) for v in verdicts] == [
        (Rule.AGREEMENT, "offensive", 0)]
    assert agreement_verdicts(stats[AnnotatorId(10)], ON) == []
    # the rules' evaluation reads the same verdicts from the evidence
    (found,) = evaluate(Evidence(agreement=odd), ON, options=0, answer_type="questions")
    assert found.params["question"] == "offensive"


def test_questions_are_judged_apart_and_each_by_its_own_majority() -> None:
    kind = kind_of(QUESTIONS)
    others = [both("mg", "no"), both("fr", "no"), both("fr", "yes")]
    # language: "fr" is the others' majority; offensive: "no"
    assert kind.agreement(QUESTIONS, both("mg", "no"), others) == {
        "language": False, "offensive": True}
    # with two others who split on one question, only the other is judged
    assert kind.agreement(QUESTIONS, both("mg", "no"), others[:2]) == {"offensive": True}
    # a part the answer does not give (a partial gold-like value) is not judged
    assert kind.agreement(QUESTIONS, json.dumps({"language": "fr"}), others) == {
        "language": True}


def test_stats_without_parts_keep_their_old_shape() -> None:
    assert AgreementStats(1, 2, 0.5).parts == {}
    assert agreement_verdicts(None, ON) == []
    assert agreement_by_annotator([], judge(QUESTIONS)) == {}
