"""The rankings sample, how the simulated crowd ranks it pick by pick, and how the demo
scores and reports it (the run through the bot is in tests/e2e/test_demo_ranking.py)."""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from statistics import NormalDist

import pytest

from annotation.intake.spec import parse_spec
from annotation.models import AnswerType
from bot.crowd import Member, Style
from bot.demo_kinds import BIASED_STYLE, KindSummary, describe_kind_summary, kind_crowd
from bot.demo_session import DemoOptions
from bot.samples.pairwise import CLEAR_GAP
from bot.samples.prompts import MODELS
from bot.samples.ranking import (
    CANDIDATES,
    LETTERS,
    Ranked,
    RankingJudge,
    RankingSample,
    build_ranking_sample,
    max_items,
    ranking_noise,
    ranking_step,
)
from bot.samples.ranking_scores import kendall_tau, score_rankings
from bot.sandbox import SimMessage

BACK = 1_000_001  # annotation.kinds.base.BACK_CODE


@pytest.fixture(scope="module")
def sample() -> RankingSample:
    return build_ranking_sample(max_items(), gold_share=0.2, seed=7)


def screen(item: Ranked, shown: list[int], picks: list[int]) -> SimMessage:
    """The task as the bot shows it: the responses lettered in the order ``shown`` (item
    indices), a button for each one not yet placed, Back once one is."""
    lines = ["Put the responses in order, best first.", "Prompt", item.prompt]
    for place, index in enumerate(shown):
        lines += [f"Response {LETTERS[place]}", item.texts[index]]
    lines.append("Tap the responses from best to worst.")
    if picks:
        lines.append("Your order so far: " + " > ".join(LETTERS[shown.index(i)]
                                                         for i in picks))
    step = len(picks)
    left = [index for index in shown if index not in picks]
    buttons = [[LETTERS[shown.index(i)] for i in left], ["← Back", "Skip ⏭"] if picks
               else ["Skip ⏭"]]
    data = [[f"a:1:7:{10 * step + i}" for i in left],
            [f"a:1:7:{BACK}", "s:1:7"] if picks else ["s:1:7"]]
    return SimMessage(message_id=1, chat_id=1, date=0, kind="text", text="\n".join(lines),
                      raw={}, buttons=buttons, callback_data=data)


def rank(judge: RankingJudge, member: Member, item: Ranked, shown: list[int],
         rng: random.Random) -> list[int]:
    """Tap as ``member`` until the last response places itself; return the item order."""
    picks: list[int] = []
    while len(picks) < len(shown) - 1:
        message = screen(item, shown, picks)
        assert ranking_step(message) == len(picks)
        letter = judge.answer(member, rng, message)
        picks.append(shown[LETTERS.index(letter)])
    return picks + [i for i in shown if i not in picks]


def test_the_ranking_sample_is_seeded_and_imports_as_rankings(sample: RankingSample) -> None:
    again = build_ranking_sample(max_items(), gold_share=0.2, seed=7)
    assert again.project.items == sample.project.items and again.items == sample.items
    assert build_ranking_sample(40, seed=8).items != build_ranking_sample(40, seed=7).items
    spec = parse_spec(sample.project.spec_toml)
    assert spec.answer_type is AnswerType.RANKING and spec.labels == ("1", "2", "3", "4")
    assert set(spec.question.texts) == set(spec.instructions.texts) == {"en", "fr", "mg"}
    names = {model.name for model in MODELS}
    for draft in sample.project.items:
        candidates = json.loads(draft.payload)["candidates"]
        ranked = sample.items[draft.external_id]
        assert [c["id"] for c in candidates] == list(ranked.models)
        assert [c["text"] for c in candidates] == list(ranked.texts)
        assert len(set(ranked.models)) == CANDIDATES and set(ranked.models) <= names
        assert len(set(ranked.texts)) == CANDIDATES  # each model in its own manner
        assert sample.project.truth[draft.external_id] == ranked.truth
    assert max_items() == 24 * 5
    with pytest.raises(ValueError, match="120"):
        build_ranking_sample(max_items() + 1)


def test_the_truth_is_the_order_of_qualities_and_stronger_models_rank_higher(
        sample: RankingSample) -> None:
    strength = {model.name: model.strength for model in MODELS}
    firsts: Counter[str] = Counter()
    for ranked in sample.items.values():
        qualities = [ranked.qualities[k] for k in ranked.order]
        assert qualities == sorted(qualities, reverse=True)
        assert ranked.ranking[0] == ranked.models[int(ranked.truth) - 1]
        firsts[ranked.ranking[0]] += 1
    strongest, weakest = (max(strength, key=strength.__getitem__),
                          min(strength, key=strength.__getitem__))
    assert firsts[strongest] > firsts[weakest]
    # the best label falls on every place of the item's order: the order is random
    assert Counter(sample.project.truth.values()).keys() == {"1", "2", "3", "4"}


def test_ranking_gold_is_clear_cut(sample: RankingSample) -> None:
    gold = [draft for draft in sample.project.items if draft.gold_answer is not None]
    assert len(gold) == round(0.2 * max_items())
    for draft in gold:
        ranked = sample.items[draft.external_id]
        assert draft.gold_answer == ranked.truth and ranked.lead >= CLEAR_GAP
        assert draft.explanation
    assert sum(draft.training for draft in gold) == len(gold) // 3
    regular = [sample.items[d.external_id] for d in sample.project.items
               if d.gold_answer is None]
    assert sum(r.lead < CLEAR_GAP for r in regular) > len(regular) // 3  # the hard part


@pytest.mark.parametrize("accuracy", [0.7, 0.85, 0.95])
def test_ranking_noise_orders_a_clear_gap_with_the_members_accuracy(accuracy: float) -> None:
    sigma = ranking_noise(accuracy)  # the difference of two perceptions: sigma * sqrt(2)
    assert NormalDist(0, sigma * math.sqrt(2)).cdf(CLEAR_GAP) == pytest.approx(accuracy)
    assert ranking_noise(1.0) == 0.0


def test_a_perfect_member_ranks_the_truth_wherever_the_responses_are_shown(
        sample: RankingSample) -> None:
    judge = RankingJudge(sample, seed=7)
    rng = random.Random(1)
    perfect = Member(1, Style.CAREFUL, 1.0)
    for k, ranked in enumerate(list(sample.items.values())[:40]):
        shown = random.Random(k).sample(range(CANDIDATES), CANDIDATES)
        assert rank(judge, perfect, ranked, shown, rng) == list(ranked.order)


def test_a_careful_member_is_mostly_right_and_holds_to_what_they_perceived(
        sample: RankingSample) -> None:
    judge = RankingJudge(sample, seed=7)
    rng = random.Random(2)
    careful = Member(2, Style.CAREFUL, 0.9)
    taus, best = [], 0
    for k, ranked in enumerate(sample.items.values()):
        shown = random.Random(k).sample(range(CANDIDATES), CANDIDATES)
        order = rank(judge, careful, ranked, shown, rng)
        again = rank(judge, careful, ranked, list(reversed(shown)), rng)
        assert order == again  # the same perception, whatever the screen's order
        taus.append(kendall_tau([str(i) for i in order], [str(i) for i in ranked.order]))
        best += order[0] == ranked.order[0]
    assert 0.5 < sum(taus) / len(taus) < 0.95
    assert 0.5 < best / len(taus) < 0.9  # close responses are hard even for careful ones


def test_biased_and_careless_members_tap_without_reading(sample: RankingSample) -> None:
    judge = RankingJudge(sample, seed=7)
    rng = random.Random(3)
    items = list(sample.items.values())[:60]
    for k, ranked in enumerate(items):
        shown = random.Random(k).sample(range(CANDIDATES), CANDIDATES)
        for style in (Style.POSITION, Style.CONSTANT):  # always the first shown
            assert rank(judge, Member(3, style, 0.0), ranked, shown, rng) == shown
    firsts = Counter(rank(judge, Member(4, Style.RANDOM, 0.0), ranked, [0, 1, 2, 3], rng)[0]
                     for ranked in items)
    assert set(firsts) == {0, 1, 2, 3}  # Back and Skip are never tapped
    with pytest.raises(LookupError):
        judge.answer(Member(5, Style.CAREFUL, 0.9), rng, SimMessage(
            message_id=1, chat_id=1, date=0, kind="text", text="Something else", raw={},
            buttons=[["A", "B"]], callback_data=[["a:1:7:0", "a:1:7:1"]]))


def test_the_rankings_crowd_has_position_biased_members() -> None:
    options = DemoOptions(annotators=10, careless=0.1, biased=0.2, sample="ranking")
    assert BIASED_STYLE["ranking"] is Style.POSITION
    assert Counter(m.style for m in kind_crowd(options)) == {
        Style.CAREFUL: 7, Style.RANDOM: 1, Style.POSITION: 2}


@pytest.mark.parametrize(("ranking", "tau"), [
    ("abcd", 1.0), ("dcba", -1.0), ("bacd", 4 / 6), ("abdc", 4 / 6), ("badc", 2 / 6),
])
def test_kendall_tau(ranking: str, tau: float) -> None:
    assert kendall_tau(list(ranking), list("abcd")) == pytest.approx(tau)


def jsonl(rows: list[dict[str, object]]) -> bytes:
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


def test_scores_compare_the_consensus_with_the_true_order_and_leave_gold_out() -> None:
    def ranked(external_id: str, qualities: tuple[float, ...]) -> Ranked:
        return Ranked(external_id, "p", ("t1", "t2", "t3", "t4"), ("m1", "m2", "m3", "m4"),
                      qualities)

    truth = {"r1": ranked("r1", (4, 3, 2, 1)), "r2": ranked("r2", (1, 2, 3, 4)),
             "r3": ranked("r3", (4, 3, 2, 1)), "g1": ranked("g1", (4, 3, 2, 1))}
    labels = jsonl([{"item_id": "r1", "gold": None, "label": "1"},
                    {"item_id": "r2", "gold": None, "label": "3"},
                    {"item_id": "r3", "gold": None, "label": None},
                    {"item_id": "g1", "gold": "1", "label": "2"}])
    items = jsonl([{"item_id": "r1", "ranking": ["m1", "m2", "m3", "m4"]},
                   {"item_id": "r2", "ranking": ["m4", "m3", "m1", "m2"]},
                   {"item_id": "g1", "ranking": ["m4", "m3", "m2", "m1"]}])
    names = [m.name for m in sorted(MODELS, key=lambda m: -m.strength)]
    scores = jsonl([{"candidate": name, "score": float(-k)} for k, name in enumerate(
        [names[1], names[0], *names[2:]])])
    score = score_rankings(labels, items, scores, truth)
    assert (score.best.regular, score.best.labelled, score.best.accuracy) == (3, 2, 0.5)
    assert score.ranked == 2  # r3 had no consensus; g1 is gold
    assert score.tau == pytest.approx((1.0 + 4 / 6) / 2)
    assert (score.top_two, score.exact) == (1.0, 0.5)
    assert score.models_tau == pytest.approx(1 - 2 / 10)  # one swap among ten pairs
    assert score_rankings(labels, items, None, truth).models_tau is None


def test_the_summary_reports_the_consensus_order_and_the_position_rule() -> None:
    summary = KindSummary(
        sample="ranking", annotators=30, items=100, regular_items=80, items_labelled=80,
        answers=450, answers_per_item=5.6, seconds=54.0, answers_per_second=8.3,
        accuracy=0.775, mean_abs_error=None, quality=True, careless=3, careless_stopped=2,
        biased=3, biased_style="position", biased_stopped=3, biased_by_position=1,
        careful_stopped=0, careful_by_position=0,
        stopped_by_rule={"exam": 3, "gold": 1, "position": 1}, api_calls=4800, uploads=1,
        export_dir="annobot-demo/exports", ranking_tau=0.83, top_two=0.675,
        exact_rankings=0.55, models_tau=1.0)
    text = describe_kind_summary(summary)
    assert "label accuracy    77.5% against the hidden truth (the best response)" in text
    assert ("consensus order   Kendall tau 0.83 against the true order, top two right "
            "67.5%, all four 55.0%; the models' scores: Kendall tau 1.00") in text
    assert "position rule     suspended 1 of 3 position-biased annotators and 0 of 24" in text
    assert 'stopped 3 of 3 position-biased ("always the first shown")' in text
