"""What a comparison project exports beside its labels: preference pairs in the layout
TRL's DPO trainer reads, ties apart, every judgement, and Bradley–Terry scores.

- ``preferences/pairs``: one row per item the crowd preferred a side on: ``prompt``,
  ``chosen``, ``rejected`` (plain strings, TRL's standard preference layout), the candidates'
  ids, ``margin`` (the mean signed level of the accepted answers towards the chosen one:
  "much better" counts 2, "better" 1, a tie 0 and the other side negatively), ``level``
  (the chosen side's margin level on the ordinal model, ``annotation.aggregation.ordinal``,
  with ``level_confidence``), ``confidence`` (the aggregated label's posterior) and
  ``votes``. A Hugging Face folder with its card is written beside it.
- ``preferences/ties``: the items whose label is ``tie``, with both responses.
- ``preferences/judgements``: every accepted answer in long form, with the order it was
  shown in and the screen position picked, so position bias can be measured and undone.
- ``preferences/scores`` and ``preferences/head_to_head``: when candidates recur across
  items, Bradley–Terry scores (Davidson's ties) from the items' aggregated preferences,
  one comparison per labelled item, and each compared pair's win rate with its interval.

Image and audio comparisons name their candidates' files instead of quoting texts:
``pairs`` has ``chosen_file_name`` and ``rejected_file_name``, ``ties``
``response_a_file_name`` and ``response_b_file_name``, ``judgements``
``preferred_file_name``; the files (each candidate's prepared image, or its clip as it was
given, named by ``Comparison.file_name``) go into the pairs' Hugging Face folder, an
``imagefolder`` or ``audiofolder`` whose ``metadata.jsonl`` is the pairs table, so
``load_dataset`` gives ``chosen`` and ``rejected`` as images or sounds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from itertools import combinations

from annotation.aggregation.bradley_terry import Comparison as Outcome
from annotation.aggregation.bradley_terry import bradley_terry, head_to_head
from annotation.aggregation.ordinal import LevelVote, PreferenceLabel, aggregate_preferences
from annotation.datasets.records import ExportTable, KindItem
from annotation.kinds.comparison import TIE, A, B, Comparison, Judgement, margin
from annotation.models import MediaKey

PAIR_FIELDS = ("item_id", "prompt", "chosen", "rejected", "chosen_id", "rejected_id",
               "margin", "level", "level_confidence", "confidence", "votes", "answers")
TIE_FIELDS = ("item_id", "prompt", "response_a", "response_b", "response_a_id",
              "response_b_id", "confidence", "votes", "answers")
JUDGEMENT_FIELDS = ("item_id", "annotator", "label", "preferred_id", "level", "shown",
                    "position")
SCORE_FIELDS = ("candidate", "score", "se", "low", "high", "wins", "losses", "ties")
HEAD_FIELDS = ("a", "b", "win_rate", "low", "high", "p_win", "p_tie", "p_loss")
FILE_FIELDS = {"chosen": "chosen_file_name", "rejected": "rejected_file_name",
                "response_a": "response_a_file_name", "response_b": "response_b_file_name"}


def preference_tables(items: Sequence[KindItem], name: str, levels: int,
                      tie: bool) -> list[ExportTable]:
    """Return the comparison project's own tables (see the module docstring)."""
    ordinal = _ordinal(items, levels, tie)
    pairs, ties, judgements = [], [], []
    outcomes: list[Outcome] = []
    candidates: dict[str, None] = {}
    files: dict[str, MediaKey] = {}  # each candidate's image or clip by file name
    sorts = set()  # True: a comparison of files, False: of texts
    audio = False
    for entry in items:
        item = entry.labelled
        comparison = Comparison.from_json(entry.payload)
        first, second = comparison.first, comparison.second
        candidates.update({first.id: None, second.id: None})
        sorts.add(comparison.files)
        audio = audio or comparison.audio
        # what stands for each side in the tables: its text, or its file's name
        shown = {A: first.text, B: second.text}
        if comparison.files:
            shown = {side: comparison.file_name(item.item_id, side) for side in (A, B)}
            for side, candidate in ((A, first), (B, second)):
                if candidate.media is not None:
                    files[shown[side]] = candidate.media
        for vote in entry.votes:
            judgement = Judgement.from_json(vote.detail) if vote.detail else None
            judgements.append({
                "item_id": item.item_id, "annotator": vote.annotator, "label": vote.label,
                "preferred_id": {A: first.id, B: second.id}.get(vote.label),
                "level": judgement.level if judgement else None,
                "shown": judgement.shown if judgement else None,
                "position": judgement.position if judgement else None,
                **({"preferred_file_name": shown.get(vote.label)} if comparison.files
                   else {})})
        votes = dict(item.votes)
        common = {"confidence": round(item.confidence, 6), "votes": votes,
                  "answers": item.answers}
        if item.label == TIE:
            ties.append({"item_id": item.item_id, "prompt": comparison.prompt,
                         **_named("response_a", shown[A], comparison.files),
                         **_named("response_b", shown[B], comparison.files),
                         "response_a_id": first.id, "response_b_id": second.id, **common})
            outcomes.append(Outcome(first.id, second.id, tie=True))
        elif item.label in (A, B):
            (chosen, chosen_shown), (rejected, rejected_shown) = (
                ((first, shown[A]), (second, shown[B])) if item.label == A
                else ((second, shown[B]), (first, shown[A])))
            signed = [margin(v.label, v.detail) for v in entry.votes]
            towards = -1 if item.label == A else 1
            mean = sum(towards * s for s in signed) / len(signed) if signed else 0.0
            pairs.append({"item_id": item.item_id, "prompt": comparison.prompt,
                          **_named("chosen", chosen_shown, comparison.files),
                          **_named("rejected", rejected_shown, comparison.files),
                          "chosen_id": chosen.id, "rejected_id": rejected.id,
                          "margin": round(mean, 4), **_level(ordinal.get(item.item_id),
                                                             item.label), **common})
            outcomes.append(Outcome(chosen.id, rejected.id))
    card = (_card(name, len(pairs)) if not files else
            _audio_card(name, len(pairs), files) if audio else _image_card(name, len(pairs)))
    tables = [
        ExportTable("preferences/pairs", _fields(PAIR_FIELDS, sorts), tuple(pairs), card,
                    files=tuple(files.items())),
        ExportTable("preferences/ties", _fields(TIE_FIELDS, sorts), tuple(ties)),
        ExportTable("preferences/judgements",
                    JUDGEMENT_FIELDS + (("preferred_file_name",) if True in sorts else ()),
                    tuple(judgements)),
    ]
    if len(candidates) > 2 or (len(candidates) == 2 and len(outcomes) > 1):
        tables += _scores(outcomes, list(candidates))
    return tables


def _named(field: str, value: str, file: bool) -> dict[str, str]:
    """Return a side's cell: its text under ``field``, or its file's name under the
    file field (``chosen_file_name``…)."""
    return {FILE_FIELDS[field] if file else field: value}


def _fields(fields: tuple[str, ...], sorts: set[bool]) -> tuple[str, ...]:
    """Return a table's fields for the sorts of comparisons it holds: texts, files (the
    text fields become file names), or both (every field)."""
    if True not in sorts:
        return fields
    images = tuple(FILE_FIELDS.get(field, field) for field in fields)
    if False not in sorts:
        return images
    return tuple(dict.fromkeys(field for pair in zip(fields, images, strict=True)
                               for field in pair))


def _ordinal(items: Sequence[KindItem], levels: int, tie: bool
             ) -> Mapping[str, PreferenceLabel]:
    """Return each item's preference on the ordinal scale (side and margin level)."""
    scale = [*range(-levels, 0), *([0] if tie else []), *range(1, levels + 1)]
    votes = [LevelVote(entry.labelled.item_id, vote.annotator, margin(vote.label, vote.detail))
             for entry in items for vote in entry.votes
             if vote.detail and (tie or vote.label != TIE)]
    if not votes:
        return {}
    return aggregate_preferences(votes, levels=scale).items


def _level(preference: PreferenceLabel | None, label: str) -> dict[str, object]:
    """Return the margin level the ordinal model gives the chosen side (1: better,
    2: much better…), with its probability, when it agrees with the item's label."""
    if preference is None or preference.side is None or preference.side.value != label \
            or preference.level is None:
        return {"level": None, "level_confidence": None}
    return {"level": abs(preference.level),
            "level_confidence": round(preference.confidence, 6)}


def _scores(outcomes: Sequence[Outcome], candidates: Sequence[str]) -> list[ExportTable]:
    """Return Bradley–Terry scores and each compared pair's head-to-head record."""
    if not outcomes:
        return []
    result = bradley_terry(outcomes, candidates=candidates)
    scores = tuple({"candidate": s.candidate, "score": round(s.score, 4),
                    "se": round(s.se, 4), "low": round(s.low, 4), "high": round(s.high, 4),
                    "wins": s.wins, "losses": s.losses, "ties": s.ties}
                   for s in sorted(result.scores.values(), key=lambda s: -s.score))
    met = {frozenset((o.winner, o.loser)) for o in outcomes}
    heads = []
    for a, b in combinations(result.candidates, 2):
        if frozenset((a, b)) not in met:
            continue
        h = head_to_head(result, a, b)
        heads.append({"a": a, "b": b, "win_rate": round(h.win_rate, 4),
                      "low": round(h.low, 4), "high": round(h.high, 4),
                      "p_win": round(h.p_win, 4), "p_tie": round(h.p_tie, 4),
                      "p_loss": round(h.p_loss, 4)})
    return [ExportTable("preferences/scores", SCORE_FIELDS, scores),
            ExportTable("preferences/head_to_head", HEAD_FIELDS, tuple(heads))]


def _card(name: str, count: int) -> str:
    """Return the Hugging Face card of the preference pairs."""
    header = {"configs": [{"config_name": "default",
                           "data_files": [{"split": "train", "path": "data.jsonl"}]}],
              "task_categories": ["text-generation"], "tags": ["dpo", "preference", "annobot"]}
    return "\n".join([
        "---", *_yaml(header), "---", "",
        f"# {name}: preference pairs", "",
        f"{count} prompts, each with the response the crowd preferred (`chosen`) and the "
        "other (`rejected`), in the layout TRL's `DPOTrainer` reads. Judged on Telegram "
        "with annobot: each annotator saw the two responses in an order drawn at random "
        "and picked a side and a margin; the label is aggregated over annotators.", "",
        "- `margin`: mean signed level towards `chosen` (2 much better, 1 better, 0 tie).",
        "- `confidence`: posterior probability of the aggregated side.",
        "- `votes`: answers per side (`a`: the item's first candidate, `b`: the second).",
        "- Ties are not here: see `tables/preferences/ties`.", "",
        "```python", "from datasets import load_dataset",
        'pairs = load_dataset("json", data_files="data.jsonl")["train"]', "```", ""])


def _image_card(name: str, count: int) -> str:
    """Return the Hugging Face card of image preference pairs (an ``imagefolder``)."""
    return _file_card(name, count, sort="image", files=["*.jpg"],
                      categories=["text-to-image"], seen=(
                          "saw the two images side by side",
                          "The images are the candidates as annotators saw them (re-encoded "
                          "as JPEG, at most 1280 pixels a side)."), loaded="PIL images")


def _audio_card(name: str, count: int, files: Mapping[str, MediaKey]) -> str:
    """Return the Hugging Face card of audio preference pairs (an ``audiofolder``)."""
    suffixes = sorted({"*" + file[file.rfind("."):] for file in files})
    return _file_card(name, count, sort="audio", files=suffixes,
                      categories=["text-to-speech", "audio-classification"], seen=(
                          "heard the two clips one after the other in one voice note "
                          "(48 kHz Opus)", "The files are the clips as they were given."),
                      loaded="Audio")


def _file_card(name: str, count: int, *, sort: str, files: list[str],
               categories: list[str], seen: tuple[str, str], loaded: str) -> str:
    """Return the card of preference pairs between files (``sort``: image or audio)."""
    header = {"configs": [{"config_name": "default", "data_files": [
                  {"split": "train", "path": ["metadata.jsonl", *files]}]}],
              "task_categories": categories,
              "tags": ["preference", f"{sort}-preference", "annobot"]}
    what = "clip" if sort == "audio" else "image"
    return "\n".join([
        "---", *_yaml(header), "---", "",
        f"# {name}: {sort} preference pairs", "",
        f"{count} items, each with the {what} the crowd preferred (`chosen`) and the other "
        "(`rejected`), and the prompt they answer when there is one. Judged on Telegram "
        f"with annobot: each annotator {seen[0]}, in an order drawn at random, and picked "
        "a side and a margin; the label is aggregated over annotators. " + seen[1], "",
        "- `margin`: mean signed level towards `chosen` (2 much better, 1 better, 0 tie).",
        "- `confidence`: posterior probability of the aggregated side.",
        "- `votes`: answers per side (`a`: the item's first candidate, `b`: the second).",
        "- Ties are not here: see `tables/preferences/ties`.", "",
        "```python", "from datasets import load_dataset",
        f'pairs = load_dataset("<this folder>")["train"]  # chosen, rejected: {loaded}',
        "```", ""])


def _yaml(value: Mapping[str, object]) -> list[str]:
    """Return a mapping as YAML lines (JSON values are valid YAML flow values)."""
    return [f"{key}: {json.dumps(item, ensure_ascii=False)}" for key, item in value.items()]
