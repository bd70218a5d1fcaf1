"""The comparisons sample: which of two synthetic models' responses answers a prompt better.

Five models of known strength (``bot.samples.prompts.MODELS``) answer every prompt. The
quality of a model's response to a prompt is its strength plus Gumbel noise, so for any
two responses P(the first is better) = sigmoid(strength difference): the Bradley-Terry
model. Its text is one of the prompt's three answers (the two best responses get the good
answer, the middle one the fair answer, the two worst the poor one) in the model's manner.
An item compares two models on one prompt, in a random order; its hidden truth is the
better side (``a``: the item's first response, ``b``: the second) and its *margin* is the
quality gap. Close pairs are hard: a careful annotator's accuracy falls towards a coin
flip as the gap closes (:class:`ComparisonJudge`). Gold items are drawn among the clear
pairs (a coordinator picks clear-cut examples); the first third of them are training items.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations

from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from bot.crowd import Member, Style
from bot.crowd_screens import AnswerButton, answer_buttons
from bot.sample import SampleProject
from bot.samples.prompts import MANNERS, MODELS, PROMPTS
from bot.sandbox import SimMessage

SPEC_TOML = """\
# The annobot demo's comparisons: which of two models' responses is better.
name = "Comparisons demo"
answer_type = "pairwise"
levels = 2
tie = false
overlap = 3
gold_rate = 0.1
time_limit = 600
reward = 0
currency = "MGA"

[question]
en = "Which response answers the prompt better?"
fr = "Quelle réponse répond le mieux à la question ?"
mg = "Iza amin'ireo valiny roa no tsara kokoa?"

[instructions]
en = "Read the prompt and both responses (tap a response to unfold it), then tap the \
better one. Judge what each response says, not the side it is shown on."
fr = "Lisez la question et les deux réponses (touchez une réponse pour la déplier), puis \
choisissez la meilleure. Jugez ce que dit chaque réponse, pas sa place à l'écran."
mg = "Vakio ny fanontaniana sy ireo valiny roa, dia safidio izay tsara kokoa. Ny hevitry \
ny valiny no jereo fa tsy ny toerany."
"""

TIERS = (0, 0, 1, 2, 2)  # the answer a response gets by its rank among the five models
TIER_WORDS = ("right and complete", "vague", "wrong")
CLEAR_GAP = 1.0  # a quality gap at least this wide is plain to a careful annotator
MUCH_GAP = 2.5  # …and at least this wide earns "much better"
A_SCREEN, B_SCREEN = 0, 1


@dataclass(frozen=True, slots=True)
class Pair:
    """An item's two responses, in the item's order, and how much better the first is."""

    external_id: str
    prompt: str
    first: str
    second: str
    margin: float  # quality of the first minus the second's: positive when ``a`` is better

    @property
    def truth(self) -> str:
        """Return the better side in the item's terms: ``a`` or ``b``."""
        return "a" if self.margin > 0 else "b"


@dataclass(frozen=True, slots=True)
class Response:
    """One model's response to one prompt: its text, latent quality and answer tier."""

    text: str
    quality: float
    tier: int  # 0: the good answer, 1: the fair one, 2: the poor one


@dataclass(frozen=True, slots=True)
class PairwiseSample:
    """The sample project and every item's pair, by external id."""

    project: SampleProject
    pairs: Mapping[str, Pair]


def max_items() -> int:
    """Return how many distinct comparisons the sample can hold (prompts x model pairs)."""
    return len(PROMPTS) * math.comb(len(MODELS), 2)


def build_pairwise_sample(n_items: int = 100, *, gold_share: float = 0.2,
                          seed: int = 7) -> PairwiseSample:
    """Build the comparisons sample in memory, its items prepared like an upload's."""
    if not 1 <= n_items <= max_items():
        raise ValueError(f"the pairwise sample holds 1 to {max_items()} items")
    rng = random.Random(seed)
    responses = [_responses(rng, p) for p in range(len(PROMPTS))]
    combos = [(p, i, j) for p in range(len(PROMPTS))
              for i, j in combinations(range(len(MODELS)), 2)]
    pairs: list[Pair] = []
    models: list[tuple[str, str]] = []
    tiers: list[tuple[int, int]] = []
    for index, (p, i, j) in enumerate(rng.sample(combos, n_items)):
        if rng.random() < 0.5:
            i, j = j, i
        first, second = responses[p][i], responses[p][j]
        pairs.append(Pair(f"cmp-{index + 1:03d}", PROMPTS[p].text, first.text, second.text,
                          first.quality - second.quality))
        models.append((MODELS[i].name, MODELS[j].name))
        tiers.append((first.tier, second.tier))
    gold = _clear_cut(rng, pairs, round(n_items * gold_share))
    training = set(sorted(gold)[:len(gold) // 3])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "prompt", "response_a", "response_b", "response_a_id",
                     "response_b_id", "gold", "explanation", "training"])
    for k, pair in enumerate(pairs):
        writer.writerow([pair.external_id, pair.prompt, pair.first, pair.second, *models[k],
                         pair.truth if k in gold else "",
                         _explanation(pair, *tiers[k]) if k in gold else "",
                         "true" if k in training else ""])
    spec = parse_spec(SPEC_TOML)
    items = parse_items(buffer.getvalue().encode("utf-8"), "pairs.csv", spec, None)
    truth = {pair.external_id: pair.truth for pair in pairs}
    return PairwiseSample(SampleProject(SPEC_TOML, items, truth),
                          {pair.external_id: pair for pair in pairs})


def _clear_cut(rng: random.Random, pairs: list[Pair], count: int) -> set[int]:
    """Return ``count`` items drawn among the clear ones (the clearest if too few)."""
    clear = [k for k, pair in enumerate(pairs) if abs(pair.margin) >= CLEAR_GAP]
    if len(clear) >= count:
        return set(rng.sample(clear, count))
    return set(sorted(range(len(pairs)), key=lambda k: -abs(pairs[k].margin))[:count])


def _responses(rng: random.Random, p: int) -> list[Response]:
    """Return every model's response to prompt ``p``, in the models' order."""
    prompt = PROMPTS[p]
    scores = [model.strength + _gumbel(rng) for model in MODELS]
    ranked = sorted(range(len(MODELS)), key=lambda k: -scores[k])
    tier = {k: TIERS[rank] for rank, k in enumerate(ranked)}
    manners = MANNERS[prompt.language]
    return [Response(manners[model.manner].format(prompt.answers[tier[k]]), scores[k], tier[k])
            for k, model in enumerate(MODELS)]


def _gumbel(rng: random.Random) -> float:
    # the difference of two standard Gumbel draws is logistic: Bradley-Terry's model
    return -math.log(max(rng.expovariate(1.0), 1e-300))


def _explanation(pair: Pair, first_tier: int, second_tier: int) -> str:
    better, worse = ((first_tier, second_tier) if pair.truth == "a"
                     else (second_tier, first_tier))
    if better == worse:
        return "Both say much the same; the better one says it more helpfully."
    return f"The better response is {TIER_WORDS[better]}; the other is {TIER_WORDS[worse]}."


class ComparisonJudge:
    """How the simulated crowd answers this sample's comparisons.

    A careful member reads which response is shown first (the screen's A) and picks the
    truly better side with probability ``0.5 + (accuracy - 0.5) * min(1, gap / CLEAR_GAP)``,
    saying "much better" when right about a gap of at least ``MUCH_GAP``. A position-biased
    member taps a button for A whatever the responses say (the exam included); a random
    one taps any button, a constant one always the first.
    """

    def __init__(self, sample: PairwiseSample) -> None:
        self._prompts = {pair.prompt for pair in sample.pairs.values()}
        self._responses = {text for pair in sample.pairs.values()
                           for text in (pair.first, pair.second)}
        self._shown: dict[tuple[str, str, str], tuple[Pair, bool]] = {}
        for pair in sample.pairs.values():
            self._shown[(pair.prompt, pair.first, pair.second)] = (pair, True)
            self._shown[(pair.prompt, pair.second, pair.first)] = (pair, False)

    def read(self, message: SimMessage) -> tuple[Pair, bool] | None:
        """Return the pair a task shows and whether its first response is shown as A."""
        lines = (message.text or "").splitlines()
        prompt = next((line for line in lines if line in self._prompts), None)
        shown = [line for line in lines if line in self._responses]
        if prompt is None or len(shown) < 2:
            return None
        return self._shown.get((prompt, shown[0], shown[1]))

    def answer(self, member: Member, rng: random.Random, message: SimMessage) -> str:
        """Return the label of the button ``member`` taps on this comparison."""
        buttons = answer_buttons(message)
        if member.style is Style.RANDOM:
            return rng.choice(buttons).label
        if member.style is Style.CONSTANT:
            return buttons[0].label
        if member.style is Style.POSITION:
            return rng.choice([b for b in buttons if _side(b) == A_SCREEN]).label
        found = self.read(message)
        if found is None:
            raise LookupError(f"not a comparison of this sample: {message.text!r}")
        pair, first_as_a = found
        gap = abs(pair.margin)
        right = rng.random() < 0.5 + (member.accuracy - 0.5) * min(1.0, gap / CLEAR_GAP)
        better_as_a = (pair.truth == "a") == first_as_a
        side = A_SCREEN if better_as_a == right else B_SCREEN
        level = 2 if right and gap >= MUCH_GAP else 1
        on_side = [b for b in buttons if _side(b) == side]
        return min(on_side, key=lambda b: abs(_level(b) - level)).label


def _side(button: AnswerButton) -> int:
    # PairwiseKind's codes: 10 * (screen + 1) + level, screen 0 for A and 1 for B
    return button.code // 10 - 1


def _level(button: AnswerButton) -> int:
    return button.code % 10
