"""The rankings sample: four synthetic models' responses to one prompt, put in order.

The models, prompts and texts are the comparisons sample's (:mod:`bot.samples.prompts`):
a model's response to a prompt has a latent quality, its strength plus Gumbel noise, so
any two responses follow Bradley-Terry and a ranking follows Plackett-Luce; its text is
one of the prompt's three answers, by the response's rank among the five models, in the
model's manner. An item ranks four of the five models on one prompt, in a random order;
its hidden truth is the order of their qualities, and its label the best one's number in
the item's order (``"1"`` … ``"4"``). Close qualities are hard even for careful
annotators (:class:`RankingJudge`). Gold items are drawn among the items whose best
response is clearly ahead of the second (a coordinator picks clear-cut examples); the
first third of them are training items.

A ranking takes several taps on one task, one per pick: :class:`RankingRunner` has each
member tap again after every pick until the last response places itself (the base runner
taps once per task).
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from statistics import NormalDist

from annotation.intake.item_files import parse_items
from annotation.intake.spec import parse_spec
from bot.crowd import CrowdRunner, Member, Style, Tally
from bot.crowd_screens import AnswerButton, answer_buttons, task_assignment
from bot.sample import SampleProject
from bot.samples.pairwise import CLEAR_GAP, TIER_WORDS, TIERS
from bot.samples.prompts import MANNERS, MODELS, PROMPTS
from bot.sandbox import SimMessage, SimUser

CANDIDATES = 4
LETTERS = "ABCD"  # the screen's letters (``annotation.kinds.ranking``)
SPEC_TOML = f"""\
# The annobot demo's rankings: four models' responses to one prompt, best first.
name = "Rankings demo"
answer_type = "ranking"
candidates = {CANDIDATES}
overlap = 3
gold_rate = 0.1
time_limit = 600
reward = 0
currency = "MGA"

[question]
en = "Put the responses in order, best first."
fr = "Classez les réponses, de la meilleure à la moins bonne."
mg = "Alaharo ireo valiny, manomboka amin'ny tsara indrindra."

[instructions]
en = "Read the prompt and the four responses (tap a response to unfold it), then tap them \
from best to worst. Judge what each response says, not where it is shown."
fr = "Lisez la question et les quatre réponses (touchez une réponse pour la déplier), puis \
touchez-les de la meilleure à la moins bonne. Jugez ce que dit chaque réponse, pas sa place."
mg = "Vakio ny fanontaniana sy ireo valiny efatra, dia tsindrio manomboka amin'ny tsara \
indrindra ka hatramin'ny ratsy indrindra. Ny hevitry ny valiny no jereo fa tsy ny toerany."
"""


@dataclass(frozen=True, slots=True)
class Ranked:
    """An item's responses in the item's order, with their models and latent qualities."""

    external_id: str
    prompt: str
    texts: tuple[str, ...]
    models: tuple[str, ...]  # the candidates' ids
    qualities: tuple[float, ...]

    @property
    def order(self) -> tuple[int, ...]:
        """Return the responses' indices, best first."""
        return tuple(sorted(range(len(self.texts)), key=lambda k: -self.qualities[k]))

    @property
    def truth(self) -> str:
        """Return the label: the best response's number in the item's order."""
        return str(self.order[0] + 1)

    @property
    def ranking(self) -> tuple[str, ...]:
        """Return the models, best response first."""
        return tuple(self.models[k] for k in self.order)

    @property
    def lead(self) -> float:
        """Return how far the best response is ahead of the second."""
        best, second = self.order[:2]
        return self.qualities[best] - self.qualities[second]


@dataclass(frozen=True, slots=True)
class RankingSample:
    """The sample project and every item's responses, by external id."""

    project: SampleProject
    items: Mapping[str, Ranked]


def max_items() -> int:
    """Return how many distinct rankings the sample can hold (prompts x sets of models)."""
    return len(PROMPTS) * math.comb(len(MODELS), CANDIDATES)


def build_ranking_sample(n_items: int = 100, *, gold_share: float = 0.2,
                         seed: int = 7) -> RankingSample:
    """Build the rankings sample in memory, its items prepared like an upload's."""
    if not 1 <= n_items <= max_items():
        raise ValueError(f"the ranking sample holds 1 to {max_items()} items")
    rng = random.Random(seed)
    responses = [_responses(rng, p) for p in range(len(PROMPTS))]
    combos = [(p, models) for p in range(len(PROMPTS))
              for models in combinations(range(len(MODELS)), CANDIDATES)]
    ranked: list[Ranked] = []
    tiers: list[tuple[int, ...]] = []
    for index, (p, models) in enumerate(rng.sample(combos, n_items)):
        chosen = rng.sample(models, len(models))  # the item's order
        ranked.append(Ranked(f"rank-{index + 1:03d}", PROMPTS[p].text,
                             tuple(responses[p][k][0] for k in chosen),
                             tuple(MODELS[k].name for k in chosen),
                             tuple(responses[p][k][1] for k in chosen)))
        tiers.append(tuple(responses[p][k][2] for k in chosen))
    gold = _clear_cut(rng, ranked, round(n_items * gold_share))
    training = set(sorted(gold)[:len(gold) // 3])
    columns = [f"response_{n}" for n in range(1, CANDIDATES + 1)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "prompt", *columns, *(f"{c}_id" for c in columns), "gold",
                     "explanation", "training"])
    for k, item in enumerate(ranked):
        best, worst = tiers[k][item.order[0]], tiers[k][item.order[-1]]
        writer.writerow([item.external_id, item.prompt, *item.texts, *item.models,
                         item.truth if k in gold else "",
                         (f"The best response is {TIER_WORDS[best]}; the worst is "
                          f"{TIER_WORDS[worst]}.") if k in gold else "",
                         "true" if k in training else ""])
    spec = parse_spec(SPEC_TOML)
    items = parse_items(buffer.getvalue().encode("utf-8"), "rankings.csv", spec, None)
    truth = {item.external_id: item.truth for item in ranked}
    return RankingSample(SampleProject(SPEC_TOML, items, truth),
                         {item.external_id: item for item in ranked})


def _responses(rng: random.Random, p: int) -> list[tuple[str, float, int]]:
    """Return every model's response to prompt ``p`` (text, quality, answer tier), in the
    models' order, drawn as the comparisons sample draws them."""
    prompt = PROMPTS[p]
    scores = [model.strength - math.log(max(rng.expovariate(1.0), 1e-300))  # + Gumbel
              for model in MODELS]
    ranked = sorted(range(len(MODELS)), key=lambda k: -scores[k])
    tier = {k: TIERS[rank] for rank, k in enumerate(ranked)}
    manners = MANNERS[prompt.language]
    return [(manners[model.manner].format(prompt.answers[tier[k]]), scores[k], tier[k])
            for k, model in enumerate(MODELS)]


def _clear_cut(rng: random.Random, items: list[Ranked], count: int) -> set[int]:
    """Return ``count`` items whose best response is clearly ahead (the clearest if too
    few)."""
    clear = [k for k, item in enumerate(items) if item.lead >= CLEAR_GAP]
    if len(clear) >= count:
        return set(rng.sample(clear, count))
    return set(sorted(range(len(items)), key=lambda k: -items[k].lead)[:count])


def ranking_noise(accuracy: float) -> float:
    """Return the noise (standard deviation) on each quality a careful member perceives,
    such that they order two responses a clear gap apart right ``accuracy`` of the time."""
    if accuracy >= 1.0:
        return 0.0
    return CLEAR_GAP / (math.sqrt(2) * NormalDist().inv_cdf(max(accuracy, 0.501)))


def letter_buttons(message: SimMessage) -> list[AnswerButton]:
    """Return the buttons that place a response (A to D, top to bottom), not Back."""
    return [b for b in answer_buttons(message) if b.label in LETTERS]


def ranking_step(message: SimMessage) -> int:
    """Return how many responses the task already placed (the step its buttons carry)."""
    return min((b.code // 10 for b in letter_buttons(message)), default=0)


class RankingJudge:
    """How the simulated crowd ranks this sample's responses, one tap at a time.

    A careful member perceives each response's quality with Gaussian noise
    (:func:`ranking_noise` of their accuracy), the same for a response every time they
    read it, and taps the best of those left; a position-biased (or constant) member taps
    the top button left, "always the first shown"; a random one any button.
    """

    def __init__(self, sample: RankingSample, seed: int) -> None:
        self._quality = {(item.prompt, text): quality for item in sample.items.values()
                         for text, quality in zip(item.texts, item.qualities, strict=True)}
        self._prompts = {item.prompt for item in sample.items.values()}
        self._seed = seed

    def read(self, message: SimMessage) -> tuple[str, list[str]] | None:
        """Return the prompt a task shows and its responses, top to bottom."""
        lines = (message.text or "").splitlines()
        prompt = next((line for line in lines if line in self._prompts), None)
        if prompt is None:
            return None
        return prompt, [line for line in lines if (prompt, line) in self._quality]

    def answer(self, member: Member, rng: random.Random, message: SimMessage) -> str:
        """Return the letter ``member`` taps next on this ranking."""
        buttons = letter_buttons(message)
        if member.style is Style.RANDOM:
            return rng.choice(buttons).label
        if member.style in (Style.POSITION, Style.CONSTANT):
            return buttons[0].label
        found = self.read(message)
        if found is None or len(found[1]) != CANDIDATES:
            raise LookupError(f"not a ranking of this sample: {message.text!r}")
        prompt, shown = found
        noise = ranking_noise(member.accuracy)

        def felt(button: AnswerButton) -> float:
            text = shown[LETTERS.index(button.label)]
            seen = random.Random(f"{self._seed}:{member.user_id}:{prompt}:{text}")
            return self._quality[(prompt, text)] + seen.gauss(0.0, noise)

        return max(buttons, key=felt).label


class RankingRunner(CrowdRunner):
    """A crowd runner whose members rank: after each pick the member reads the task again
    and taps the next, until the last response places itself."""

    _members: dict[int, Member]

    async def run(self, members: Sequence[Member],
                  unfinished: Callable[[], bool] = lambda: False, rounds: int = 3) -> Tally:
        """Run every member concurrently (see :meth:`CrowdRunner.run`)."""
        self._members = {member.user_id: member for member in members}
        return await super().run(members, unfinished, rounds)

    async def _tap_until_shown(self, user: SimUser, message: SimMessage, choice: str,
                               assignment: str) -> None:
        """Tap ``choice``, then each next pick the judge gives, until the task is answered."""
        judge = self._judge
        assert judge is not None
        member = self._members[user.id]
        rng = random.Random(f"{self._seed}:{user.id}:{assignment}")
        while True:
            await super()._tap_until_shown(user, message, choice, assignment)
            following = await self._next_step(user, message, assignment)
            if following is None:
                return
            message, choice = following, judge.answer(member, rng, following)

    async def _next_step(self, user: SimUser, message: SimMessage, assignment: str
                         ) -> SimMessage | None:
        """Return the task at its next step, or None when the tap placed the last one."""
        if len(letter_buttons(message)) <= 2:  # of the last two, the tap placed both
            return None
        step = ranking_step(message)
        shown = await user.wait_for(
            lambda m: m.message_id == message.message_id
            and (task_assignment(m) != assignment or ranking_step(m) > step),
            timeout=self._timeout)
        return shown if task_assignment(shown) == assignment else None
