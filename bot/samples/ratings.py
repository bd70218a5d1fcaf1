"""The ratings sample: how positive is a short review, from 1 (very negative) to 5 (very positive).

Every review has a hidden latent score on a continuous 1-5 line; its true point is the
nearest one. A review whose score sits near a point says one thing ("The food was
excellent."); one between two points mixes them ("The room was nice, but the breakfast
was average.") and is hard: careful annotators answer the latent score plus Gaussian noise,
rounded (:class:`RatingJudge`), so they split on it. Most reviews are in English, a few in
French and Malagasy. Gold items sit exactly on a point (clear-cut examples); the first
third of them are training items.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist

from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from bot.crowd import Member, Style
from bot.crowd_screens import answer_buttons
from bot.sample import SampleProject
from bot.sandbox import SimMessage

SPEC_TOML = """\
# The annobot demo's ratings: how positive is each review, from 1 to 5.
name = "Ratings demo"
answer_type = "rating"
points = 5
overlap = 3
gold_rate = 0.1
time_limit = 600
reward = 0
currency = "MGA"

[question]
en = "How positive is this review?"
fr = "À quel point cet avis est-il positif ?"
mg = "Tsara sa ratsy ity hevitra ity?"

[low]
en = "very negative"
fr = "très négatif"
mg = "tena ratsy"

[high]
en = "very positive"
fr = "très positif"
mg = "tena tsara"

[instructions]
en = "Rate how the writer feels: 1 very negative, 3 mixed or neutral, 5 very positive."
fr = "Notez ce que ressent l'auteur : 1 très négatif, 3 mitigé ou neutre, 5 très positif."
mg = "Lazao izay tsapan'ny mpanoratra: 1 tena ratsy, 3 antonony, 5 tena tsara."
"""

POINTS = (1, 2, 3, 4, 5)
MIXED_FROM = 0.25  # a score this far from every point or farther makes a mixed review
FOREIGN_SHARE = 0.1  # of the reviews, in French; as many in Malagasy
THINGS = ("food", "service", "taxi-brousse ride", "room", "market stall", "phone",
          "delivery", "guide", "bus to Antsirabe", "school canteen", "mobile money agent",
          "hotel breakfast")
ADJECTIVES = {
    1: ("terrible", "awful", "a disaster"),
    2: ("disappointing", "poor", "not good"),
    3: ("okay", "average", "nothing special"),
    4: ("good", "pleasant", "nice"),
    5: ("excellent", "wonderful", "perfect"),
}
SINGLE = ("The {thing} was {adj}.", "Honestly, the {thing} was {adj}.",
          "Overall the {thing} was {adj}.")
MIXED = "The {thing} was {adj}, but the {other} was {other_adj}."
FRENCH = ("Le repas", "Le service", "Le trajet", "Le marché", "Le téléphone",
          "Le petit-déjeuner")
FRENCH_ADJECTIVES = {1: ("horrible", "catastrophique"), 2: ("décevant", "médiocre"),
                     3: ("correct", "moyen"), 4: ("bon", "agréable"),
                     5: ("excellent", "parfait")}
MALAGASY = ("ny sakafo", "ny fandraisana", "ny dia", "ny tsena", "ny finday", "ny efitrano")
MALAGASY_ADJECTIVES = {1: "Tena ratsy", 2: "Ratsy", 3: "Antonony", 4: "Tsara", 5: "Tena tsara"}
EXPLANATIONS = {1: "The writer is very unhappy: 1.", 2: "Mostly negative: 2.",
                3: "Neither good nor bad: 3.", 4: "Mostly positive: 4.",
                5: "The writer is delighted: 5."}


@dataclass(frozen=True, slots=True)
class RatingsSample:
    """The sample project and every review's latent score, by its text."""

    project: SampleProject
    scores: Mapping[str, float]  # review text -> latent score (1 to 5)


def nearest_point(score: float) -> int:
    """Return the point of the scale nearest a score."""
    return min(POINTS, key=lambda point: abs(point - score))


def build_ratings_sample(n_items: int = 100, *, gold_share: float = 0.2,
                         seed: int = 7) -> RatingsSample:
    """Build the ratings sample in memory, its items prepared like an upload's."""
    rng = random.Random(seed)
    gold = set(rng.sample(range(n_items), round(n_items * gold_share)))
    training = set(sorted(gold)[:len(gold) // 3])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "text", "gold", "explanation", "training"])
    scores: dict[str, float] = {}
    truth: dict[str, str] = {}
    for index in range(n_items):
        language = rng.choices(("en", "fr", "mg"),
                               (1 - 2 * FOREIGN_SHARE, FOREIGN_SHARE, FOREIGN_SHARE))[0]
        if index in gold:
            score = float(rng.choice(POINTS))
        elif language == "en":
            score = rng.uniform(POINTS[0] - 0.25, POINTS[-1] + 0.25)
        else:  # French and Malagasy reviews say one thing: near a point
            score = rng.choice(POINTS) + rng.uniform(-MIXED_FROM, MIXED_FROM) * 0.9
        text = _review(rng, score, language)
        while text in scores:
            text = _review(rng, score, "en")  # the English phrasings are plenty
        external_id = f"rev-{index + 1:03d}"
        point = nearest_point(score)
        scores[text] = score
        truth[external_id] = str(point)
        writer.writerow([external_id, text, point if index in gold else "",
                         EXPLANATIONS[point] if index in gold else "",
                         "true" if index in training else ""])
    spec = parse_spec(SPEC_TOML)
    items = parse_items(buffer.getvalue().encode("utf-8"), "reviews.csv", spec, None)
    return RatingsSample(SampleProject(SPEC_TOML, items, truth), scores)


def _review(rng: random.Random, score: float, language: str) -> str:
    point = nearest_point(score)
    if language == "fr":
        return f"{rng.choice(FRENCH)} était {rng.choice(FRENCH_ADJECTIVES[point])}."
    if language == "mg":
        return f"{MALAGASY_ADJECTIVES[point]} {rng.choice(MALAGASY)}."
    thing = rng.choice(THINGS)
    if abs(score - point) < MIXED_FROM:
        return rng.choice(SINGLE).format(thing=thing, adj=rng.choice(ADJECTIVES[point]))
    low = max(POINTS[0], min(POINTS[-1], int(score)))
    high = min(POINTS[-1], low + 1)
    first, second = (high, low) if rng.random() < 0.5 else (low, high)
    other = rng.choice([t for t in THINGS if t != thing])
    return MIXED.format(thing=thing, adj=rng.choice(ADJECTIVES[first]), other=other,
                        other_adj=rng.choice(ADJECTIVES[second]))


def rating_noise(accuracy: float) -> float:
    """Return the noise (standard deviation) that rounds to the right point ``accuracy`` of
    the time on a review whose score is exactly a point."""
    if accuracy >= 1.0:
        return 0.0
    return 0.5 / NormalDist().inv_cdf((1 + max(accuracy, 0.01)) / 2)


class RatingJudge:
    """How the simulated crowd answers this sample's ratings.

    A careful member answers the review's latent score plus Gaussian noise
    (:func:`rating_noise` of their accuracy), rounded to a point; a constant one always
    the same point (chosen by their id), a random one any point, a position-biased one
    the first button.
    """

    def __init__(self, sample: RatingsSample) -> None:
        self._scores = sample.scores

    def read(self, message: SimMessage) -> float | None:
        """Return the latent score of the review a task shows."""
        for line in (message.text or "").splitlines():
            if line in self._scores:
                return self._scores[line]
        return None

    def answer(self, member: Member, rng: random.Random, message: SimMessage) -> str:
        """Return the label of the button ``member`` taps on this rating."""
        buttons = answer_buttons(message)
        if member.style is Style.RANDOM:
            return rng.choice(buttons).label
        if member.style is Style.CONSTANT:
            return buttons[member.user_id % len(buttons)].label
        if member.style is Style.POSITION:
            return buttons[0].label
        score = self.read(message)
        if score is None:
            raise LookupError(f"not a review of this sample: {message.text!r}")
        felt = score + rng.gauss(0.0, rating_noise(member.accuracy))
        return min(buttons, key=lambda b: abs(float(b.label) - felt)).label
