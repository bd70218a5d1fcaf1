"""Benchmark transcript consensus (ROVER, medoid) on a simulated crowd typing what it hears.

Usage::

    .venv/bin/python benchmarks/transcripts.py                      # seeds 1,2,3; 2,000 items
    .venv/bin/python benchmarks/transcripts.py --seeds 7 --items 500

Simulation (one ``random.Random`` per seed): 40 French and Malagasy sentences (below), the
hidden truth of each item being its sentence normalized. A pool of 60 annotators: 65%
careful (per character: a typo with probability 0.2-1.5%: a neighbouring letter, a
dropped, doubled or swapped letter, a lost accent; per word: dropped 1-4%, a homophone or
another word of the language 1-4%, a word inserted 0.5-2%), 20% sloppy (the same errors
three to four times as often), 15% careless (each answer: half the sentence, 45%; junk
words or letters, 45%; nothing, 10%). Everyone varies the surface the normalization must
fold: capitals, final punctuation, typographic apostrophes, doubled spaces, hyphens or not.
Each item gets 3 or 5 transcripts from distinct annotators drawn uniformly. Weights, when
used, come from 8 gold answers per annotator: ``(passed + 0.5) / (8 + 1)``, passed meaning
CER <= the gold bar (``DEFAULT_GOLD_CER_BAR``).

Per method: corpus WER and CER of the consensus against the truth (edits summed over items
divided by the truth's words or characters), the share of items exactly right, the AUROC of
the confidence for "exactly right", and milliseconds per 1,000 items (best of 3, the whole
``aggregate_transcripts`` call, normalization included).
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import numpy as np

from annotation.aggregation.edit_distance import levenshtein
from annotation.aggregation.rover import rover
from annotation.aggregation.transcripts import (
    DEFAULT_GOLD_CER_BAR,
    ConsensusMethod,
    TranscriptLabel,
    aggregate_transcripts,
    gold_cer,
    normalize_transcript,
    transcript_correct,
)

T = TypeVar("T")

FRENCH = (
    "Le petit chat dort sur le canapé du salon.",
    "Nous irons au marché demain matin avec ma grand-mère.",
    "Il fait très chaud aujourd'hui, n'oublie pas ton chapeau.",
    "L'eau de la rivière est froide en hiver.",
    "Les enfants jouent au ballon dans la cour de l'école.",
    "Mon frère travaille à la gare depuis trois ans.",
    "Peux-tu fermer la fenêtre avant de partir ?",
    "Elle a acheté 3 kilos de riz et 2 litres d'huile.",
    "Le train de 18h30 arrive toujours en retard.",
    "Qu'est-ce que tu veux manger ce soir ?",
    "Il pleut depuis ce matin et les routes sont glissantes.",
    "La boulangerie ouvre à sept heures le dimanche.",
    "J'ai perdu mes clés quelque part dans le jardin.",
    "Ma voisine cultive des tomates et des haricots verts.",
    "Le médecin m'a conseillé de marcher chaque jour.",
    "Nous avons visité le musée avec toute la classe.",
    "Le bus s'arrête juste devant la pharmacie.",
    "Mon grand-père racontait des histoires au coin du feu.",
    "Il faut arroser les fleurs deux fois par semaine.",
    "Les pêcheurs sont rentrés au port avant la tempête.",
)
MALAGASY = (
    "Mandeha any an-tsena isika rahampitso maraina.",
    "Tsara ny andro androany ka handeha hilomano izahay.",
    "Misotro ranon'ny voanio ny ankizy.",
    "Ny rahalahiko dia miasa any amin'ny hopitaly.",
    "Manao ahoana ianao, salama tsara ve ?",
    "Nividy vary sy hena tany an-tsena i Neny.",
    "Mianatra teny frantsay any an-tsekoly ny zanako.",
    "Efa lasa ny fiarakaretsaka tamin'ny sivy ora.",
    "Ny tanànan'i Antananarivo dia lehibe sy be mponina.",
    "Aza adino ny mividy mofo sy ronono.",
    "Nilatsaka ny orana nandritra ny alina manontolo.",
    "Mipetraka eo akaikin'ny renirano ny fianakaviako.",
    "Tia mihaino mozika malagasy ny raiko.",
    "Mamboly vary any an-tsaha ny tantsaha.",
    "Nahita gidro maro tany anaty ala izahay.",
    "Mafana be ny rano ao amin'ny vilany.",
    "Ho avy hitsidika anay ny nenitoako amin'ny alahady.",
    "Misy boky telo eo ambony latabatra.",
    "Mandeha mody any ambanivohitra izy isaky ny Krismasy.",
    "Nanoratra taratasy ho an'ny namany i Rakoto.",
)
HOMOPHONES = {
    "et": "est", "est": "et", "a": "à", "à": "a", "ce": "se", "ces": "ses", "ou": "où",
    "sont": "son", "on": "ont", "la": "là", "mes": "mais", "ny": "ni", "sy": "si",
    "any": "ani", "izy": "izi", "dia": "dea",
}
ACCENTS = str.maketrans("éèêàâùûîïôç", "eeeaauuiioc")
LETTERS = "abcdefghijklmnopqrstuvwxyz"
SENTENCES = FRENCH + MALAGASY
VOCABULARY = {
    "fr": sorted({w for s in FRENCH for w in normalize_transcript(s).split()}),
    "mg": sorted({w for s in MALAGASY for w in normalize_transcript(s).split()}),
}


@dataclass(frozen=True, slots=True)
class Annotator:
    """A simulated transcriber: a kind and error rates."""

    name: str
    kind: str  # careful, sloppy, careless
    typo: float
    drop: float
    swap: float
    insert: float


def make_crowd(rng: random.Random, size: int = 60) -> list[Annotator]:
    """Draw the annotator pool."""
    crowd = []
    for i in range(size):
        u = rng.random()
        kind = "careful" if u < 0.65 else "sloppy" if u < 0.85 else "careless"
        scale = rng.uniform(3.0, 4.0) if kind == "sloppy" else 1.0
        crowd.append(Annotator(
            name=f"a{i:02d}", kind=kind,
            typo=rng.uniform(0.002, 0.015) * scale, drop=rng.uniform(0.01, 0.04) * scale,
            swap=rng.uniform(0.01, 0.04) * scale, insert=rng.uniform(0.005, 0.02) * scale,
        ))
    return crowd


def typo(rng: random.Random, word: str) -> str:
    """Return the word with one typing error."""
    i = rng.randrange(len(word))
    kind = rng.randrange(5)
    if kind == 0:
        return word[:i] + rng.choice(LETTERS) + word[i + 1:]
    if kind == 1 and len(word) > 1:
        return word[:i] + word[i + 1:]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    if kind == 3 and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word.translate(ACCENTS) if word.translate(ACCENTS) != word else word + word[-1]


def surface(rng: random.Random, words: list[str]) -> str:
    """Join words the way people type: capitals, punctuation, apostrophes, spaces vary."""
    text = " ".join(words)
    if rng.random() < 0.5 and text:
        text = text[0].upper() + text[1:]
    if rng.random() < 0.3:
        text = text.replace("'", "\u2019")
    if rng.random() < 0.2:
        text = text.replace(" ", "  ", 1)
    return text + rng.choice(("", ".", " .", "!", "..."))


def transcribe(rng: random.Random, who: Annotator, sentence: str, language: str) -> str:
    """Return what one annotator types for one sentence."""
    raw = sentence.rstrip(" .?!")
    if rng.random() < 0.5:
        raw = raw.replace("-", " ")  # "peut-être" typed "peut être", or "an-tsena" "an tsena"
    words = raw.split()
    if who.kind == "careless":
        u = rng.random()
        if u < 0.45:
            return surface(rng, words[: max(1, len(words) // 2)])
        if u < 0.9:
            junk = ["".join(rng.choice(LETTERS) for _ in range(rng.randint(1, 6)))
                    if rng.random() < 0.5 else rng.choice(VOCABULARY[language])
                    for _ in range(rng.randint(1, len(words)))]
            return surface(rng, junk)
        return ""
    typed: list[str] = []
    for word in words:
        if rng.random() < who.drop:
            continue
        if rng.random() < who.swap:
            lower = word.lower()
            word = HOMOPHONES.get(lower) or rng.choice(VOCABULARY[language])
        for _ in range(len(word)):
            if rng.random() < who.typo:
                word = typo(rng, word)
        typed.append(word)
        if rng.random() < who.insert:
            typed.append(rng.choice(VOCABULARY[language]))
    return surface(rng, typed)


@dataclass(frozen=True, slots=True)
class Scenario:
    """The simulated answers of one run."""

    answers: list[tuple[str, str, str]]
    truth: dict[str, str]
    weights: dict[str, float]
    crowd: list[Annotator]
    gold_cers: list[tuple[str, list[float]]]  # per annotator: kind, CER of each gold answer


def simulate(seed: int, items: int, overlap: int) -> Scenario:
    """Simulate gold answers (for weights) and ``items`` items with ``overlap`` transcripts."""
    rng = random.Random(seed * 1000 + overlap)
    crowd = make_crowd(rng)
    weights: dict[str, float] = {}
    gold_cers: list[tuple[str, list[float]]] = []
    for who in crowd:
        passed = 0
        mine: list[float] = []
        gold_cers.append((who.kind, mine))
        for _ in range(8):
            index = rng.randrange(len(SENTENCES))
            sentence = SENTENCES[index]
            typed = transcribe(rng, who, sentence, "fr" if index < len(FRENCH) else "mg")
            value = gold_cer(sentence, typed)
            mine.append(value)
            passed += transcript_correct(value)
        weights[who.name] = (passed + 0.5) / (8 + 1)
    answers: list[tuple[str, str, str]] = []
    truth: dict[str, str] = {}
    for n in range(items):
        index = rng.randrange(len(SENTENCES))
        item = f"i{n:05d}"
        truth[item] = normalize_transcript(SENTENCES[index])
        for who in rng.sample(crowd, overlap):
            language = "fr" if index < len(FRENCH) else "mg"
            answers.append((item, who.name, transcribe(rng, who, SENTENCES[index], language)))
    return Scenario(answers, truth, weights, crowd, gold_cers)


def timed(run: Callable[[], T], repeats: int = 3) -> tuple[T, float]:
    """Return the result of the last run and the best time of ``repeats`` runs."""
    best = float("inf")
    result: T
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return result, best


def auroc(scores: Sequence[float], positive: Sequence[bool]) -> float:
    """Return the area under the ROC curve (ties count one half)."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(positive, dtype=bool)
    pos, neg = s[y], s[~y]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum()
    equal = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * equal) / (len(pos) * len(neg)))


@dataclass(frozen=True, slots=True)
class Score:
    """How one method did on one scenario."""

    method: str
    wer: float
    cer: float
    exact: float
    auroc: float | None
    ms_per_1000: float | None


def score(method: str, found: dict[str, str], truth: dict[str, str],
          confidence: dict[str, float] | None, seconds: float | None) -> Score:
    """Score consensus texts against the truth."""
    word_edits = char_edits = words = chars = exact = 0
    right: list[bool] = []
    for item, text in truth.items():
        guess = found[item]
        word_edits += levenshtein(text.split(), guess.split())
        char_edits += levenshtein(text, guess)
        words += len(text.split())
        chars += len(text)
        right.append(guess == text)
        exact += guess == text
    area = None
    if confidence is not None:
        area = auroc([confidence[item] for item in truth], right)
    per_1000 = None if seconds is None else seconds * 1000 / len(truth) * 1000
    return Score(method, word_edits / words, char_edits / chars, exact / len(truth), area,
                 per_1000)


def medoid_order(texts: list[str], weights: list[float]) -> list[int]:
    """Return the medoid then the others closest first (as the consensus does)."""
    n = len(texts)
    d = [[levenshtein(a, b) for b in texts] for a in texts]
    centre = min(range(n), key=lambda i: (sum(weights[j] * d[i][j] for j in range(n)),
                                          -weights[i], i))
    return [centre, *sorted((i for i in range(n) if i != centre), key=lambda i: (d[centre][i], i))]


def run_methods(s: Scenario, weighted: bool) -> list[Score]:
    """Run every method on one scenario and score it."""
    weights = s.weights if weighted else None
    by_item: dict[str, list[tuple[str, str]]] = {}
    for item, annotator, text in s.answers:
        by_item.setdefault(item, []).append((annotator, normalize_transcript(text)))
    first = {item: texts[0][1] for item, texts in by_item.items()}
    best = {item: min((t for _, t in texts), key=lambda t: levenshtein(s.truth[item], t))
            for item, texts in by_item.items()}
    scores = [score("one transcript (overlap 1)", first, s.truth, None, None),
              score("oracle: the best transcript of the item", best, s.truth, None, None)]
    labels: Mapping[str, TranscriptLabel] = {}
    for method in (ConsensusMethod.MEDOID, ConsensusMethod.ROVER):
        labels, seconds = timed(partial(aggregate_transcripts, s.answers, method=method,
                                        weights=weights))
        found = {item: label.text or "" for item, label in labels.items()}
        confidence = {item: label.confidence for item, label in labels.items()}
        name = "rover (default)" if method is ConsensusMethod.ROVER else "medoid"
        scores.append(score(name, found, s.truth, confidence, seconds))
    rover_text = {item: label.text or "" for item, label in labels.items()}

    plain_rover, strict, weakest = {}, {}, {}
    for item, texts in by_item.items():
        plain = [t for _, t in texts]
        w = [s.weights[a] if weighted else 1.0 for a, _ in texts]
        plain_rover[item] = rover(plain, w).text
        network = rover(plain, w, medoid_order(plain, w))
        shares = [slot.share for slot in network.slots] or [1.0]
        strict[item] = sum(share > 0.5 for share in shares) / len(shares)
        weakest[item] = min(shares)
    scores.append(score("rover, first transcript as backbone, input order", plain_rover,
                        s.truth, None, None))
    known = weights or {}
    within = {item: sum(known.get(a, 1.0) for a, c in label.annotator_cer.items()
                        if c <= DEFAULT_GOLD_CER_BAR)
              / sum(known.get(a, 1.0) for a in label.annotator_cer)
              for item, label in labels.items()}
    agreement = {item: 1.0 - (label.pairwise_cer or 0.0) for item, label in labels.items()}
    for name, values in (("share of slots with a strict majority", strict),
                         ("weakest slot's winner share", weakest),
                         ("weighted share of transcripts within the gold bar", within),
                         ("1 - pairwise CER", agreement)):
        scores.append(score(f"rover, confidence = {name}", rover_text, s.truth, values, None))
    return scores


def cell(values: Sequence[float | None], digits: int = 3) -> str:
    """Format the mean (min-max) of values over seeds."""
    present = [v for v in values if v is not None]
    if not present:
        return "-"
    mean = sum(present) / len(present)
    if len(present) == 1:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ({min(present):.{digits}f}-{max(present):.{digits}f})"


def print_gold(gold: list[tuple[str, list[float]]]) -> None:
    """Print gold CERs by kind of annotator: answers and annotators within candidate bars."""
    bars = (0.05, 0.1, 0.15, 0.2)
    print("\n### Gold answers by kind of annotator (all seeds, 8 gold answers each)\n")
    print("Answers within the bar, and in brackets annotators with at least 60% of their gold "
          "answers within it (a Toloka-style rule).\n")
    print("| kind | answers | median CER | 90th pct | "
          + " | ".join(f"bar {b:g}" for b in bars) + " |")
    print("|---|---|---|---|" + "---|" * len(bars))
    for kind in ("careful", "sloppy", "careless"):
        people = [values for k, values in gold if k == kind]
        array = np.asarray([v for values in people for v in values])
        cells = []
        for bar in bars:
            kept = np.mean([np.mean(np.asarray(values) <= bar) >= 0.6 for values in people])
            cells.append(f"{np.mean(array <= bar):.2f} ({kept:.2f})")
        print(f"| {kind} | {len(array)} | {np.median(array):.3f} | "
              f"{np.percentile(array, 90):.3f} | {' | '.join(cells)} |")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated seeds")
    parser.add_argument("--items", type=int, default=2000, help="items per scenario")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run every scenario for each seed and print the tables."""
    args = parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    given = sys.argv[1:] if argv is None else argv
    print(f"command: .venv/bin/python benchmarks/transcripts.py {' '.join(given)}".rstrip())
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, "
          f"numpy {np.__version__}; seeds {', '.join(map(str, seeds))}; {args.items} items")
    gold: list[tuple[str, list[float]]] = []
    for overlap in (3, 5):
        for weighted in (False, True):
            runs = []
            for seed in seeds:
                scenario = simulate(seed, args.items, overlap)
                if not weighted:
                    gold.extend(scenario.gold_cers)
                runs.append(run_methods(scenario, weighted))
            weighing = "weights from gold" if weighted else "unweighted"
            title = f"{overlap} transcripts per item, {weighing}"
            print(f"\n### {title}\n")
            print("| method | WER | CER | exactly right | confidence AUROC | ms per 1,000 items |")
            print("|---|---|---|---|---|---|")
            for row in zip(*runs, strict=True):
                print(f"| {row[0].method} | {cell([r.wer for r in row])} | "
                      f"{cell([r.cer for r in row])} | {cell([r.exact for r in row])} | "
                      f"{cell([r.auroc for r in row])} | "
                      f"{cell([r.ms_per_1000 for r in row], 0)} |")
    print_gold(gold)


if __name__ == "__main__":
    main()
