"""An image comparison's caption: the longest prompt an import accepts is shown whole."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from annotation.intake.spec import parse_spec
from annotation.kinds.comparison import Candidate, Comparison
from annotation.kinds.pairwise import CAPTION_LIMIT, CAPTION_RESERVED
from annotation.models import (
    AnnotatorId,
    Assignment,
    AssignmentId,
    AssignmentStatus,
    Item,
    ItemId,
    Media,
    MediaKey,
    MediaKind,
    Project,
    ProjectId,
    ProjectStatus,
    Stage,
    Task,
)
from bot.i18n import Catalogs
from handlers.task_view import plain_text, render_task

NOW = datetime.now(UTC)
QUESTION = "q" * 300
SPEC = parse_spec(f'name = "n"\nanswer_type = "pairwise"\nlevels = 3\ntie = true\n'
                  f'question = "{QUESTION}"\n')
PHOTO = Media(MediaKey("ab"), MediaKind.IMAGE, "pair-ab.jpg", "image/jpeg", "photo", "file")
ROOM = CAPTION_LIMIT - CAPTION_RESERVED - len(QUESTION)


def task(prompt: str, text: str, stage: Stage) -> Task:
    comparison = Comparison(prompt, Candidate("x", "", MediaKey("x")),
                            Candidate("y", "", MediaKey("y")), MediaKey("ba"))
    project = Project(ProjectId(1), SPEC, ProjectStatus.OPEN, "x", NOW)
    item = Item(ItemId(1), ProjectId(1), "i", MediaKind.IMAGE, text, PHOTO.key, None,
                payload=comparison.to_json())
    assignment = Assignment(AssignmentId(1), ProjectId(1), ItemId(1), AnnotatorId(2),
                            AssignmentStatus.ACTIVE, False, NOW, NOW)
    return Task(assignment, item, project, PHOTO, stage=stage)


@pytest.mark.parametrize("language", ["en", "fr", "mg"])
@pytest.mark.parametrize("stage", list(Stage))
@pytest.mark.parametrize("split", [0, 200])  # characters of the room given to the text cell
def test_the_longest_accepted_prompt_fits_the_caption_whole(
        language: str, stage: Stage, split: int) -> None:
    prompt, text = "p" * (ROOM - split), "t" * split
    view = render_task(task(prompt, text, stage), Catalogs().get(language), language)
    shown = plain_text(view.text)
    assert len(shown) <= CAPTION_LIMIT and not shown.endswith("…")
    assert prompt in shown and text in shown and QUESTION in shown
    assert view.media == PHOTO
    assert "<blockquote expandable>" not in view.text  # the photo shows the candidates
