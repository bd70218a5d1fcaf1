"""The comparisons and ratings samples, how the simulated crowd answers them, and how the
demo scores and reports them (the runs through the bot are in tests/e2e/test_demo_kinds.py)."""

from __future__ import annotations

import json
import random
from collections import Counter
from statistics import NormalDist

import pytest

from annotation.intake.spec import parse_spec
from annotation.models import AnswerType
from bot.crowd import Member, Style, build_crowd
from bot.crowd_screens import answer_buttons
from bot.demo_kinds import KindSummary, describe_kind_summary, summary_json
from bot.samples.pairwise import (
    CLEAR_GAP,
    ComparisonJudge,
    Pair,
    PairwiseSample,
    build_pairwise_sample,
    max_items,
)
from bot.samples.prompts import MODELS
from bot.samples.ratings import (
    RatingJudge,
    RatingsSample,
    build_ratings_sample,
    nearest_point,
    rating_noise,
)
from bot.samples.scoring import score_points, score_sides
from bot.sandbox import SimMessage

PAIR_BUTTONS = [["A much better", "A better"], ["B better", "B much better"], ["Skip ⏭"]]
PAIR_DATA = [["a:1:7:12", "a:1:7:11"], ["a:1:7:21", "a:1:7:22"], ["s:1:7"]]


def task(lines: list[str], buttons: list[list[str]], data: list[list[str]]) -> SimMessage:
    return SimMessage(message_id=1, chat_id=1, date=0, kind="text", text="\n".join(lines),
                      raw={}, buttons=buttons, callback_data=data)


def comparison(pair: Pair, *, first_as_a: bool, exam: bool = False) -> SimMessage:
    shown = (pair.first, pair.second) if first_as_a else (pair.second, pair.first)
    lines = ["📝 Qualification exam: no hints, answer carefully."] if exam else []
    lines += ["Which response answers the prompt better?", "Prompt", pair.prompt,
              "Response A", shown[0], "Response B", shown[1]]
    return task(lines, PAIR_BUTTONS, PAIR_DATA)


def rating(text: str) -> SimMessage:
    points = [str(p) for p in range(1, 6)]
    return task(["How positive is this review?", text, "1 = very negative · 5 = very positive"],
                [points, ["Skip ⏭"]], [[f"a:1:9:{k}" for k in range(5)], ["s:1:9"]])


@pytest.fixture(scope="module")
def pairs() -> PairwiseSample:
    return build_pairwise_sample(max_items(), gold_share=0.2, seed=7)


@pytest.fixture(scope="module")
def reviews() -> RatingsSample:
    return build_ratings_sample(200, gold_share=0.2, seed=7)


def test_the_pairwise_sample_is_seeded_and_imports_as_comparisons(pairs: PairwiseSample) -> None:
    again = build_pairwise_sample(max_items(), gold_share=0.2, seed=7)
    assert again.project.items == pairs.project.items and again.pairs == pairs.pairs
    assert build_pairwise_sample(40, seed=8).pairs != build_pairwise_sample(40, seed=7).pairs
    spec = parse_spec(pairs.project.spec_toml)
    assert spec.answer_type is AnswerType.PAIRWISE and spec.labels == ("a", "b")
    assert set(spec.question.texts) == set(spec.instructions.texts) == {"en", "fr", "mg"}
    names = {model.name for model in MODELS}
    for item in pairs.project.items:
        candidates = json.loads(item.payload)["candidates"]
        assert {c["id"] for c in candidates} <= names and len(candidates) == 2
        assert all("\n" not in c["text"] for c in candidates)  # one line each
    with pytest.raises(ValueError, match="240"):
        build_pairwise_sample(max_items() + 1)


def test_the_stronger_model_usually_but_not_always_wins(pairs: PairwiseSample) -> None:
    strength = {model.name: model.strength for model in MODELS}
    wins = 0
    for item in pairs.project.items:
        first, second = (c["id"] for c in json.loads(item.payload)["candidates"])
        stronger = "a" if strength[first] > strength[second] else "b"
        wins += pairs.project.truth[item.external_id] == stronger
    # Bradley-Terry over the ten model pairs: 0.75 expected
    assert 0.65 < wins / len(pairs.project.items) < 0.85
    assert Counter(pairs.project.truth.values()).keys() == {"a", "b"}


def test_pairwise_gold_is_clear_cut_and_agrees_with_the_truth(pairs: PairwiseSample) -> None:
    gold = [item for item in pairs.project.items if item.gold_answer is not None]
    assert len(gold) == round(0.2 * max_items())
    for item in gold:
        pair = pairs.pairs[item.external_id]
        assert item.gold_answer == pair.truth and abs(pair.margin) >= CLEAR_GAP
        assert item.explanation
    training = [item for item in gold if item.training]
    assert len(training) == len(gold) // 3
    # the regular items keep close pairs: the hard part of the job
    regular = [pairs.pairs[i.external_id] for i in pairs.project.items if i.gold_answer is None]
    assert sum(abs(pair.margin) < CLEAR_GAP for pair in regular) > len(regular) // 4


@pytest.mark.parametrize("first_as_a", [True, False])
def test_a_careful_member_finds_the_better_response_wherever_it_is_shown(
        pairs: PairwiseSample, first_as_a: bool) -> None:
    judge = ComparisonJudge(pairs)
    member = Member(1, Style.CAREFUL, 1.0)
    rng = random.Random(1)
    for pair in list(pairs.pairs.values())[:60]:
        if abs(pair.margin) < CLEAR_GAP:
            continue  # close pairs are a coin flip even for the best
        label = judge.answer(member, rng, comparison(pair, first_as_a=first_as_a))
        better_as_a = (pair.truth == "a") == first_as_a
        assert label.startswith("A" if better_as_a else "B")
        assert ("much" in label) == (abs(pair.margin) >= 2.5)


def test_close_pairs_bring_a_careful_member_down_towards_a_coin_flip(
        pairs: PairwiseSample) -> None:
    judge = ComparisonJudge(pairs)
    member = Member(1, Style.CAREFUL, 0.95)
    rng = random.Random(2)
    right = {True: [0, 0], False: [0, 0]}  # clear? -> [right, total]
    for pair in pairs.pairs.values():
        label = judge.answer(member, rng, comparison(pair, first_as_a=True))
        clear = abs(pair.margin) >= CLEAR_GAP
        right[clear][0] += label.startswith("A") == (pair.truth == "a")
        right[clear][1] += 1
    assert right[True][0] / right[True][1] > 0.88
    assert right[False][0] / right[False][1] < 0.85


def test_position_biased_random_and_constant_members_on_a_comparison(
        pairs: PairwiseSample) -> None:
    judge = ComparisonJudge(pairs)
    rng = random.Random(3)
    messages = [comparison(pair, first_as_a=k % 2 == 0, exam=k % 3 == 0)
                for k, pair in enumerate(list(pairs.pairs.values())[:60])]
    biased = {judge.answer(Member(2, Style.POSITION, 0.0), rng, m) for m in messages}
    assert biased == {"A much better", "A better"}  # the exam included
    careless = Counter(judge.answer(Member(3, Style.RANDOM, 0.0), rng, m) for m in messages)
    assert set(careless) == {"A much better", "A better", "B better", "B much better"}
    assert {judge.answer(Member(4, Style.CONSTANT, 0.0), rng, m)
            for m in messages} == {"A much better"}


def test_answer_buttons_are_the_tasks_own_with_their_codes() -> None:
    message = task(["x"], PAIR_BUTTONS, PAIR_DATA)
    assert [(b.label, b.code) for b in answer_buttons(message)] == [
        ("A much better", 12), ("A better", 11), ("B better", 21), ("B much better", 22)]


def test_the_crowd_gets_its_position_biased_members() -> None:
    crowd = build_crowd(12, careless=1 / 12, accuracy=(0.85, 0.95), seed=3,
                        position_share=2 / 12)
    assert Counter(m.style for m in crowd) == {Style.CAREFUL: 9, Style.RANDOM: 1,
                                               Style.POSITION: 2}
    assert all(0.85 <= m.accuracy <= 0.95 for m in crowd if m.style is Style.CAREFUL)
    # without position-biased members, the same crowd as before
    assert build_crowd(12, careless=0.25, accuracy=(0.6, 0.8), seed=9) == build_crowd(
        12, careless=0.25, accuracy=(0.6, 0.8), seed=9, position_share=0.0)


def test_the_ratings_sample_is_seeded_with_clear_gold(reviews: RatingsSample) -> None:
    again = build_ratings_sample(200, gold_share=0.2, seed=7)
    assert again.project.items == reviews.project.items
    spec = parse_spec(reviews.project.spec_toml)
    assert spec.answer_type is AnswerType.RATING and spec.labels == ("1", "2", "3", "4", "5")
    assert spec.scale is not None and spec.scale.low is not None
    assert set(spec.scale.low.texts) == {"en", "fr", "mg"}
    texts = [item.text for item in reviews.project.items]
    assert len(set(texts)) == len(texts)
    languages = Counter("fr" if " était " in t else "mg" if " ny " in t else "en" for t in texts)
    assert languages["fr"] > 0 and languages["mg"] > 0 and languages["en"] > 150
    for item in reviews.project.items:
        truth = reviews.project.truth[item.external_id]
        assert truth == str(nearest_point(reviews.scores[item.text]))
        if item.gold_answer is not None:
            assert item.gold_answer == truth
            assert reviews.scores[item.text] == float(truth)  # exactly on a point
    assert Counter(reviews.project.truth.values()).keys() == {"1", "2", "3", "4", "5"}


@pytest.mark.parametrize("accuracy", [0.6, 0.85, 0.95])
def test_rating_noise_rounds_to_the_point_with_the_members_accuracy(accuracy: float) -> None:
    sigma = rating_noise(accuracy)
    assert NormalDist(0, sigma).cdf(0.5) - NormalDist(0, sigma).cdf(-0.5) == pytest.approx(
        accuracy)
    assert rating_noise(1.0) == 0.0


def test_members_rate_reviews_in_their_own_ways(reviews: RatingsSample) -> None:
    judge = RatingJudge(reviews)
    rng = random.Random(4)
    messages = [(rating(item.text), reviews.project.truth[item.external_id])
                for item in reviews.project.items]
    perfect = Member(1, Style.CAREFUL, 1.0)
    assert all(judge.answer(perfect, rng, m) == truth for m, truth in messages)
    careful = Member(2, Style.CAREFUL, 0.9)
    errors = [abs(int(judge.answer(careful, rng, m)) - int(truth)) for m, truth in messages]
    assert max(errors) <= 2 and 0.7 < errors.count(0) / len(errors) < 0.95
    constant = {judge.answer(Member(3, Style.CONSTANT, 0.0), rng, m) for m, _ in messages}
    assert len(constant) == 1
    careless = {judge.answer(Member(4, Style.RANDOM, 0.0), rng, m) for m, _ in messages}
    assert careless == {"1", "2", "3", "4", "5"}


def labels_jsonl(rows: list[tuple[str, str | None, str | None]]) -> bytes:
    return "".join(json.dumps({"item_id": item, "gold": gold, "label": label}) + "\n"
                   for item, gold, label in rows).encode()


def test_scores_leave_gold_out_and_count_unlabelled_items_apart() -> None:
    data = labels_jsonl([("p1", None, "a"), ("p2", None, "b"), ("p3", None, None),
                         ("p4", "a", "b"), ("p5", None, "a")])
    score = score_sides(data, {"p1": "a", "p2": "a", "p3": "b", "p4": "a", "p5": "a"})
    assert (score.regular, score.labelled, score.accuracy) == (4, 3, 2 / 3)
    assert score.mean_abs_error is None
    points = labels_jsonl([("r1", None, "3"), ("r2", None, "4.5"), ("r3", "2", "5"),
                           ("r4", None, "1")])
    score = score_points(points, {"r1": "3", "r2": "4", "r3": "2", "r4": "3"})
    assert (score.regular, score.labelled) == (3, 3)
    assert score.accuracy == pytest.approx(1 / 3)
    assert score.mean_abs_error == pytest.approx((0 + 0.5 + 2) / 3)


def summary(**changes: object) -> KindSummary:
    fields: dict[str, object] = dict(
        sample="pairwise", annotators=30, items=100, regular_items=80, items_labelled=80,
        answers=550, answers_per_item=6.9, seconds=26.0, answers_per_second=21.2,
        accuracy=0.85, mean_abs_error=None, quality=True, careless=3, careless_stopped=3,
        biased=3, biased_style="position", biased_stopped=3, biased_by_position=2,
        careful_stopped=0, careful_by_position=0,
        stopped_by_rule={"exam": 2, "gold": 2, "position": 2}, api_calls=2000, uploads=1,
        export_dir="annobot-demo/exports")
    fields.update(changes)
    return KindSummary(**fields)  # type: ignore[arg-type]


def test_the_summary_says_what_the_position_rule_caught() -> None:
    text = describe_kind_summary(summary())
    assert "label accuracy    85.0% against the hidden truth (the side preferred)" in text
    assert "position rule     suspended 2 of 3 position-biased annotators and 0 of 24" in text
    assert ("stopped 3 of 3 position-biased (\"always A\"), 3 of 3 careless and 0 of 24 "
            "careful annotators") in text
    assert "(suspensions by rule: exam 2, gold 2, position 2)" in text
    ratings = describe_kind_summary(summary(sample="ratings", biased_style="constant",
                                            mean_abs_error=0.14, biased_by_position=0))
    assert "(the exact point), mean absolute error 0.14 points" in ratings
    assert "position rule" not in ratings and "constant (always the same point)" in ratings
    assert json.loads(summary_json(summary()))["stopped_by_rule"] == {
        "exam": 2, "gold": 2, "position": 2}
