"""The periodic agreement review judges agreement as each kind does, on the fake store:
transcripts by CER against the others' consensus (not as exact strings), several
questions one question at a time (a verdict names the question)."""

from __future__ import annotations

from dataclasses import replace

from annotation.console.quality import QualityService
from annotation.intake.item_drafts import ItemDraft
from annotation.intake.spec import parse_spec
from annotation.models import AnnotatorId, MediaKind, ProjectSpec
from annotation.quality.settings import QualitySettings, Rule
from tests.annotation.kinds.test_questions import PLAIN_SPEC
from tests.annotators import Services, join
from tests.clocks import FakeClock
from tests.fakes.store import FakeStore

ADMIN = AnnotatorId(1)
QC = QualitySettings(enabled=True, training=0, exam=0, probation_tasks=0, adaptive_gold=False,
                     speed_min_seconds=0.0, run_max_same=0, agreement_min_answers=4)
SENTENCES = ("Manao ahoana ianao tompoko", "Tsara ny andro androany",
             "Aiza ny lalana mankany an-tsena", "Misaotra betsaka anao", "Mandeha any ianao",
             "Mipetraka eto izahay")
# how each annotator types what they hear: three careful ways, none the same string
CAREFUL = {7: lambda s: s + ".", 8: lambda s: s.lower(), 10: lambda s: s.upper() + " !"}
QUESTIONS = PLAIN_SPEC.replace('question = "Read the sentence."\n',
                              'question = "Read the sentence."\noverlap = 4\ngold_rate = 0.0\n', 1)


def drafts() -> list[ItemDraft]:
    return [ItemDraft(line=n + 2, external_id=f"s{n}", kind=MediaKind.TEXT, text=sentence,
                      media=None, gold_answer=None, explanation=None, training=False)
            for n, sentence in enumerate(SENTENCES)]


async def review(services: Services, store: FakeStore, clock: FakeClock, spec: ProjectSpec,
                 work: dict[int, object]) -> QualityService:
    """Create the project, have each annotator do every task (``work``: a typing function
    or the codes of the walk), and return the console's quality service."""
    tasks, annotators, projects = services
    project = await projects.create(replace(spec, quality=QC), drafts())
    await annotators.register(ADMIN, "Admin", "en")
    for user, how in work.items():
        await join(services, user, project.invite_code)
        task = await tasks.current_task(AnnotatorId(user))
        while task is not None:
            if callable(how):
                await tasks.answer_typed(AnnotatorId(user), how(task.item.text),
                                         f"m{user}-{task.item.id}")
                task = await tasks.current_task(AnnotatorId(user))
                continue
            assert isinstance(how, tuple)
            for code in how:
                outcome = await tasks.press(AnnotatorId(user), task.assignment.id, code)
            task = outcome.task
    return QualityService(store, clock=clock, admins={ADMIN})


async def test_a_careless_transcriber_is_flagged_and_careful_ones_are_not(
        services: Services, store: FakeStore, clock: FakeClock) -> None:
    spec = parse_spec('name = "Voices"\nanswer_type = "transcript"\nquestion = "Said?"\n'
                      "overlap = 4\ngold_rate = 0.0\n")
    careless = {9: lambda s: " ".join(s.split()[:1]) + " zavatra"}  # one word, then junk
    quality = await review(services, store, clock, spec, {**CAREFUL, **careless})
    found = await quality.review_all()
    # compared as exact strings, no two transcripts of an item are equal: nobody would be
    assert [(n.annotator_id, n.verdict.rule if n.verdict else None)
            for n in found.coordinators] == [(9, Rule.AGREEMENT)]
    page = await quality.roster(ADMIN, None, 0)
    rates = {e.row.annotator_id: e.agreement.rate if e.agreement else None
             for e in page.entries}
    assert rates == {7: 1.0, 8: 1.0, 9: 0.0, 10: 1.0}


async def test_a_disagreement_on_one_question_is_flagged_for_that_question_only(
        services: Services, store: FakeStore, clock: FakeClock) -> None:
    mg_no, mg_yes = (0, 100 + 1), (0, 100 + 0)  # step 0: "mg"; step 1: no / yes
    work: dict[int, object] = {7: mg_no, 8: mg_no, 9: mg_yes, 10: mg_no}
    quality = await review(services, store, clock, parse_spec(QUESTIONS), work)
    found = await quality.review_all()
    assert [(n.annotator_id, n.verdict.rule, n.verdict.params.get("question"))
            for n in found.coordinators if n.verdict] == [(9, Rule.AGREEMENT, "offensive")]
    page = await quality.roster(ADMIN, None, 0)
    odd = next(e.agreement for e in page.entries if e.row.annotator_id == 9)
    assert odd is not None and (odd.matches, odd.total) == (6, 12)  # per question, not 0 of 6
    assert {k: (p.matches, p.total) for k, p in odd.parts.items()} == {
        "language": (6, 6), "offensive": (0, 6)}
