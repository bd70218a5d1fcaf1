"""Preference and rating exports end to end: comparisons and ratings answered through the
sandbox, exported, and loaded back with pandas and datasets (issue 13, "Exports").

- ties answered by the crowd go to ``preferences/ties``, never to the DPO ``pairs``;
- when models recur across items, ``preferences/scores`` and ``preferences/head_to_head``
  rank the stronger model first, with win rates and intervals inside [0, 1];
- a project rating each item on two scales (several rating questions) exports one
  ``ratings/items`` row per item and dimension and every rating per annotator.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from bot.crowd_screens import task_assignment
from bot.sandbox import SimMessage
from tests.e2e.conftest import sandbox
from tests.e2e.test_kind_exports import answer_all, export, load
from tests.e2e.test_kinds import PAIRWISE_SPEC, item_of

TIE = "Tie / can't tell"
CROWD = (1500, 1501, 1502)


def comparisons_csv(items: dict[str, tuple[str, str]]) -> bytes:
    """Return an items file: each item pits two models (first, second) on one prompt."""
    rows = ["id,prompt,response_a,response_b,response_a_id,response_b_id"]
    rows += [f"{item},Question {item}?,answer by {first} to {item},"
             f"answer by {second} to {item},{first},{second}"
             for item, (first, second) in items.items()]
    return ("\n".join(rows) + "\n").encode()


def shown_first(task: SimMessage, models: tuple[str, ...]) -> str:
    """Return the model whose response the task shows as A (read off the screen)."""
    text = task.text or ""
    between = text[text.index("Response A"):text.index("Response B")]
    (model,) = [m for m in models if f"answer by {m} " in between]
    return model


def side_for(task: SimMessage, winner: str, models: tuple[str, ...]) -> str:
    """Return the button that prefers ``winner``, wherever this annotator sees it."""
    return "A better" if shown_first(task, models) == winner else "B better"


async def test_crowd_ties_go_to_the_ties_table_and_not_to_the_pairs(
        make_harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(PAIRWISE_SPEC.replace("overlap = 2", "overlap = 3"))  # tie = true
    models = ("model-x", "model-y")
    items = {f"c{n}": models if n % 2 == 0 else models[::-1] for n in range(6)}
    tied = {"c0", "c3", "c4"}  # everyone taps "Tie / can't tell"; model-x wins the others
    drafts = parse_items(comparisons_csv(items), "pairs.csv", spec, None)

    async with make_harness(spec, drafts) as harness:
        def choose(_user_id: int, task: SimMessage) -> str:
            assignment = task_assignment(task)
            assert assignment is not None
            item = item_of(harness, int(assignment)).external_id
            return TIE if item in tied else side_for(task, "model-x", models)

        async with sandbox() as server, harness.bot(server):
            await answer_all(server, harness, CROWD, choose)
        assert harness.rows("SELECT COUNT(*) FROM answers WHERE value = 'tie'") == [(9,)]
        folder = await export(harness, tmp_path / "export")

    tables = folder / "tables/preferences"
    ties = pd.read_json(tables / "ties.jsonl", lines=True)
    assert sorted(ties["item_id"]) == sorted(tied)
    for row in ties.itertuples():
        first, second = items[row.item_id]
        # both responses, in the item's own order and named by their ids
        assert (row.response_a_id, row.response_b_id) == (first, second)
        assert row.response_a == f"answer by {first} to {row.item_id}"
        assert row.response_b == f"answer by {second} to {row.item_id}"
        assert row.votes == {"tie": 3} and row.answers == 3
        assert 0.5 < row.confidence <= 1
    assert sorted(pd.read_csv(tables / "ties.csv")["item_id"]) == sorted(tied)

    pairs = load(tmp_path, "json", data_files=str(tables / "pairs.jsonl"))
    assert sorted(pairs["item_id"]) == sorted(set(items) - tied)
    assert set(pairs["chosen_id"]) == {"model-x"} and set(pairs["rejected_id"]) == {"model-y"}
    assert all(sum(votes.get(side) or 0 for side in ("a", "b")) == 3 and not votes.get("tie")
               for votes in pairs["votes"])
    hub = load(tmp_path, str(folder / "huggingface/preferences/pairs"))
    assert hub.num_rows == 3 and not tied & set(hub["item_id"])
    judgements = pd.read_json(tables / "judgements.jsonl", lines=True)
    tie_votes = judgements[judgements["label"] == "tie"]
    assert len(tie_votes) == 9 and set(tie_votes["item_id"]) == tied
    assert tie_votes["preferred_id"].isna().all()


# Three models, each pair met several times in both item orders; the crowd agrees on each
# item. large beats mid 3-1 and small 4-0; mid beats small 2-1, with one tie.
STRONGEST_FIRST = ("m-large", "m-mid", "m-small")
MEETINGS: dict[str, tuple[str, str, str]] = {  # item: first, second, outcome
    "h0": ("m-large", "m-mid", "m-large"), "h1": ("m-mid", "m-large", "m-large"),
    "h2": ("m-large", "m-mid", "m-large"), "h3": ("m-mid", "m-large", "m-mid"),
    "h4": ("m-large", "m-small", "m-large"), "h5": ("m-small", "m-large", "m-large"),
    "h6": ("m-large", "m-small", "m-large"), "h7": ("m-small", "m-large", "m-large"),
    "h8": ("m-mid", "m-small", "m-mid"), "h9": ("m-small", "m-mid", "m-mid"),
    "h10": ("m-mid", "m-small", "m-small"), "h11": ("m-small", "m-mid", "tie"),
}


def records() -> dict[str, Counter[str]]:
    """Return each model's wins, losses and ties over the items, as designed."""
    record: dict[str, Counter[str]] = {m: Counter() for m in STRONGEST_FIRST}
    for first, second, outcome in MEETINGS.values():
        if outcome == "tie":
            record[first]["ties"] += 1
            record[second]["ties"] += 1
            continue
        loser = second if outcome == first else first
        record[outcome]["wins"] += 1
        record[loser]["losses"] += 1
    return record


async def test_recurring_models_get_scores_and_head_to_head_win_rates(
        make_harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(PAIRWISE_SPEC.replace("overlap = 2", "overlap = 3"))
    items = {item: (first, second) for item, (first, second, _) in MEETINGS.items()}
    drafts = parse_items(comparisons_csv(items), "pairs.csv", spec, None)

    async with make_harness(spec, drafts) as harness:
        def choose(_user_id: int, task: SimMessage) -> str:
            assignment = task_assignment(task)
            assert assignment is not None
            outcome = MEETINGS[item_of(harness, int(assignment)).external_id][2]
            return TIE if outcome == "tie" else side_for(task, outcome, STRONGEST_FIRST)

        async with sandbox() as server, harness.bot(server):
            await answer_all(server, harness, CROWD, choose)
        assert harness.rows("SELECT COUNT(*) FROM answers") == [(36,)]
        folder = await export(harness, tmp_path / "export")

    tables = folder / "tables/preferences"
    scores = load(tmp_path, "json", data_files=str(tables / "scores.jsonl"))
    assert list(scores["candidate"]) == list(STRONGEST_FIRST)  # the stronger, the higher
    assert scores["score"] == sorted(scores["score"], reverse=True)
    expected = records()
    for row in scores:
        assert row["low"] <= row["score"] <= row["high"] and row["se"] > 0
        # one comparison per labelled item, as the crowd decided it
        assert {k: row[k] for k in ("wins", "losses", "ties")} == {
            k: expected[row["candidate"]][k] for k in ("wins", "losses", "ties")}
    assert pd.read_csv(tables / "scores.csv")["candidate"].tolist() == list(STRONGEST_FIRST)

    heads = pd.read_csv(tables / "head_to_head.csv")
    assert len(heads) == 3
    assert {frozenset(pair) for pair in zip(heads["a"], heads["b"], strict=True)} == {
        frozenset(("m-large", "m-mid")), frozenset(("m-large", "m-small")),
        frozenset(("m-mid", "m-small"))}
    for row in heads.itertuples():
        assert 0 <= row.low <= row.win_rate <= row.high <= 1
        assert abs(row.p_win + row.p_tie + row.p_loss - 1) < 1e-3
        assert row.p_tie > 0  # the tie informs Davidson's tie strength
        a_stronger = STRONGEST_FIRST.index(row.a) < STRONGEST_FIRST.index(row.b)
        assert (row.win_rate > 0.5) == a_stronger, row
        assert (row.p_win > row.p_loss) == a_stronger, row
    by_pair = {frozenset((r.a, r.b)): r for r in heads.itertuples()}
    large_small = by_pair[frozenset(("m-large", "m-small"))]
    large_mid = by_pair[frozenset(("m-large", "m-mid"))]

    def strong_rate(row) -> float:  # type: ignore[no-untyped-def]
        return float(row.win_rate if row.a == "m-large" else 1 - row.win_rate)

    # the pair with the wider gap has the more lopsided win rate
    assert strong_rate(large_small) > strong_rate(large_mid) > 0.5
    heads_json = pd.read_json(tables / "head_to_head.jsonl", lines=True)
    assert heads_json[["a", "b"]].values.tolist() == heads[["a", "b"]].values.tolist()


RATINGS_SPEC = """
name = "Reviews"
answer_type = "questions"
question = "Read the review."
overlap = 3
gold_rate = 0.0

[[questions]]
key = "fluency"
question = "How fluent is it?"
answer_type = "rating"
points = 5
low = "broken"
high = "native"

[[questions]]
key = "sentiment"
question = { en = "How positive is it?", fr = "Est-ce positif ?" }
answer_type = "rating"
points = 5
start = 0
"""
HARSH = 1551  # rates fluency one point below the others; agrees on sentiment
RATERS = (1550, HARSH, 1552)


def fluency_of(number: int) -> int:
    return 2 + number % 3  # 2 to 4: room for the harsh rater below


def sentiment_of(number: int) -> int:
    return number % 5  # 0 to 4


async def test_several_rating_questions_export_one_row_per_item_and_dimension(
        make_harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = parse_spec(RATINGS_SPEC)
    data = "id,text\n" + "".join(f"r{n},Review number {n}: the rice was fine\n"
                                 for n in range(6))
    drafts = parse_items(data.encode(), "reviews.csv", spec, None)

    async with make_harness(spec, drafts) as harness:
        def choose(user_id: int, task: SimMessage) -> list[str]:
            assignment = task_assignment(task)
            assert assignment is not None
            number = int(item_of(harness, int(assignment)).external_id[1:])
            fluency = fluency_of(number) - (1 if user_id == HARSH else 0)
            return [str(fluency), str(sentiment_of(number))]  # one tap per question

        async with sandbox() as server, harness.bot(server):
            await answer_all(server, harness, RATERS, choose)
        assert harness.rows("SELECT COUNT(*) FROM answers") == [(18,)]
        folder = await export(harness, tmp_path / "export")

    tables = folder / "tables/ratings"
    rows = load(tmp_path, "json", data_files=str(tables / "items.jsonl")).to_pandas()
    assert len(rows) == 6 * 2  # one row per item and dimension
    assert sorted(set(rows["dimension"])) == ["fluency", "sentiment"]
    assert not rows.duplicated(["item_id", "dimension"]).any()
    for row in rows.itertuples():
        number = int(row.item_id[1:])
        true = fluency_of(number) if row.dimension == "fluency" else sentiment_of(number)
        assert row.median == true and row.answers == 3, row
        assert row.low <= row.estimate <= row.high, row
        if row.dimension == "fluency":  # the harsh rater's bias undone, at least partly
            assert abs(row.estimate - true) < 1 / 3 + 1e-9, row
    assert pd.read_csv(tables / "items.csv").shape[0] == 12

    long = pd.read_csv(tables / "long.csv")
    assert len(long) == 6 * 3 * 2 and set(long.columns) >= {
        "item_id", "annotator", "dimension", "rating"}
    assert not long.duplicated(["item_id", "annotator", "dimension"]).any()
    per_annotator = long.groupby("annotator").size()
    assert len(per_annotator) == 3 and (per_annotator == 12).all()  # every one, per rater
    truth = {(f"r{n}", "fluency"): fluency_of(n) for n in range(6)} | {
        (f"r{n}", "sentiment"): sentiment_of(n) for n in range(6)}
    below = long.assign(gap=[truth[(i, d)] - r for i, d, r in zip(
        long["item_id"], long["dimension"], long["rating"], strict=True)])
    gaps = below.groupby(["annotator", "dimension"])["gap"].agg(set)
    # one rater is one below on every fluency rating, nobody else is ever off
    assert sorted(gaps.xs("fluency", level="dimension").map(sorted).tolist()) == [
        [0], [0], [1]]
    assert set(gaps.xs("sentiment", level="dimension").map(frozenset)) == {frozenset({0})}

    agreement = pd.read_json(tables / "agreement.jsonl", lines=True).set_index("dimension")
    assert sorted(agreement.index) == ["fluency", "sentiment"]
    assert agreement.loc["sentiment", "alpha_interval"] == 1.0  # everyone agrees
    assert 0 < agreement.loc["fluency", "alpha_interval"] < 1
    assert (agreement["ratings"] == 18).all() and (agreement["items"] == 6).all()
