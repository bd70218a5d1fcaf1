"""The longest item an import accepts is shown whole: never cut to fit Telegram's limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from annotation.intake.item_drafts import caption_room, text_room
from annotation.intake.spec import parse_spec
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
END = "é" * 40  # the longest meaning of a rating's end
SPEC = parse_spec(f'name = "n"\nanswer_type = "rating"\npoints = 11\nstart = 0\n'
                  f'question = "{"q" * 500}"\nlow = "{END}"\nhigh = "{END}"\n')
PHOTO = Media(MediaKey("k"), MediaKind.IMAGE, "a.jpg", "image/jpeg", "photo", "file")


def task(text: str, media: Media | None, stage: Stage) -> Task:
    project = Project(ProjectId(1), SPEC, ProjectStatus.OPEN, "x", NOW)
    kind = MediaKind.TEXT if media is None else MediaKind.IMAGE
    item = Item(ItemId(1), ProjectId(1), "i", kind, text, None if media is None else
                media.key, None)
    assignment = Assignment(AssignmentId(1), ProjectId(1), ItemId(1), AnnotatorId(2),
                            AssignmentStatus.ACTIVE, False, NOW, NOW)
    return Task(assignment, item, project, media, stage=stage)


@pytest.mark.parametrize("language", ["en", "fr", "mg"])
@pytest.mark.parametrize("stage", list(Stage))
def test_the_longest_accepted_texts_fit_whole(language: str, stage: Stage) -> None:
    t = Catalogs().get(language)
    caption = render_task(task("c" * caption_room(SPEC), PHOTO, stage), t, language)
    assert len(plain_text(caption.text)) <= 1024 and "c" * caption_room(SPEC) in caption.text
    assert f"10 = {END}" in caption.text  # the last line too: nothing was cut
    message = render_task(task("m" * text_room(SPEC), None, stage), t, language)
    assert len(plain_text(message.text)) <= 4096


def test_a_long_question_leaves_less_room_for_the_text() -> None:
    assert text_room(SPEC) == 4096 - 250 - 500
    short = parse_spec('name = "n"\nanswer_type = "yes_no"\nquestion = "Is it?"\n')
    assert text_room(short) == 3500
