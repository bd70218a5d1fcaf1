"""Training feedback says the right answer as the annotator saw the task: in their
language, and question by question for several questions."""

from __future__ import annotations

from datetime import UTC, datetime

from annotation.intake.spec import parse_spec
from annotation.models import (
    AnnotatorId,
    Item,
    ItemId,
    MediaKind,
    Project,
    ProjectId,
    ProjectSpec,
    ProjectStatus,
)
from annotation.quality.notices import Feedback, QualityNotice
from annotation.quality.rules import Verdict
from annotation.quality.settings import Rule, RuleAction
from bot.i18n import Catalogs
from handlers.quality_view import interrupt_view, reason

QUESTIONS = """
name = "n"
answer_type = "questions"
question = "Read it."

[[questions]]
key = "lang"
question = { en = "Which language?", fr = "Quelle langue ?" }
answer_type = "single"
options = ["mg", "fr"]

[[questions]]
key = "rude"
question = { en = "Is it rude?", fr = "Est-ce grossier ?" }
answer_type = "yes_no"
"""


def notice(spec: ProjectSpec, answer: str, correct: bool) -> QualityNotice:
    project = Project(ProjectId(1), spec, ProjectStatus.OPEN, "x", datetime.now(UTC))
    item = Item(ItemId(1), ProjectId(1), "i", MediaKind.TEXT, "Salama", None, answer)
    return QualityNotice(feedback=Feedback(correct, answer, None, item, AnnotatorId(5)),
                         project=project)


def test_feedback_names_each_question_and_its_answer_in_the_annotators_language() -> None:
    spec = parse_spec(QUESTIONS)
    wrong = notice(spec, '{"lang":"mg","rude":"no"}', correct=False)
    view = interrupt_view(wrong, Catalogs().get("fr"), "", False, True, "fr")
    assert view is not None
    assert "Quelle langue ?: mg; Est-ce grossier ?: Non" in view[0]
    right = notice(spec, '{"rude":"yes"}', correct=True)
    view = interrupt_view(right, Catalogs().get("en"), "", False, True, "en")
    assert view is not None and "✅ Right: Is it rude?: Yes." in view[0]


def test_a_yes_no_answer_is_translated() -> None:
    spec = parse_spec('name = "n"\nquestion = "Rude?"\nanswer_type = "yes_no"\n')
    view = interrupt_view(notice(spec, "yes", correct=False), Catalogs().get("mg"), "", False,
                          True, "mg")
    assert view is not None and "yes" not in view[0].split("<b>", 1)[1]


def test_a_rule_run_on_one_question_names_it() -> None:
    verdict = Verdict(Rule.SAME_ANSWER, RuleAction.SUSPEND, {"count": 15, "question": "rude"})
    assert reason(verdict, Catalogs().get("en")) == (
        "On the question “rude”: You gave the same answer 15 times in a row.")
    assert "« rude »" in reason(verdict, Catalogs().get("fr"))


def test_a_comparisons_right_side_is_named_as_this_annotator_saw_it() -> None:
    from annotation.kinds.base import Turn
    from annotation.kinds.comparison import Candidate, Comparison

    spec = parse_spec('name = "n"\nquestion = "Better?"\nanswer_type = "pairwise"\n')
    payload = Comparison("p", Candidate("x", "one"), Candidate("y", "two")).to_json()
    seen = set()
    for annotator in range(1, 40):
        item = Item(ItemId(1), ProjectId(1), "i", MediaKind.TEXT, "", None, "a", payload=payload)
        swapped = Turn(spec, item, AnnotatorId(annotator), "").swapped
        project = Project(ProjectId(1), spec, ProjectStatus.OPEN, "x", datetime.now(UTC))
        feedback = Feedback(False, "a", None, item, AnnotatorId(annotator))
        view = interrupt_view(QualityNotice(feedback=feedback, project=project),
                              Catalogs().get("en"), "", False, True, "en")
        assert view is not None
        expected = "Response B" if swapped else "Response A"  # the item's first response
        assert f"<b>{expected}</b>" in view[0]
        seen.add(swapped)
    assert seen == {True, False}
