"""A task whose kind is answered in the Mini App carries a ``web_app`` button to its page;
without a public address for the app it says so instead (Skip stays)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

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
    Task,
)
from bot.i18n import Catalogs
from handlers.task_view import app_link, plain_text, render_task

NOW = datetime.now(UTC)
SPEC = parse_spec('name = "n"\nanswer_type = "boxes"\nquestion = "Box the cars."\n'
                  'classes = ["car"]\nnothing = true\n')
PHOTO = Media(MediaKey("k"), MediaKind.IMAGE, "a.jpg", "image/jpeg", "photo", "file")


def boxes_task() -> Task:
    project = Project(ProjectId(1), SPEC, ProjectStatus.OPEN, "x", NOW)
    item = Item(ItemId(1), ProjectId(1), "i", MediaKind.IMAGE, "", PHOTO.key, None)
    assignment = Assignment(AssignmentId(77), ProjectId(1), ItemId(1), AnnotatorId(2),
                            AssignmentStatus.ACTIVE, False, NOW, NOW)
    return Task(assignment, item, project, PHOTO)


def test_the_app_button_opens_the_page_of_its_assignment() -> None:
    view = render_task(boxes_task(), Catalogs().get("en"), "en", None,
                       "https://example.org/annobot")
    opens = [button for row in view.keyboard.inline_keyboard for button in row
             if button.web_app is not None]
    assert len(opens) == 1 and opens[0].callback_data is None
    assert opens[0].web_app is not None
    assert opens[0].web_app.url == "https://example.org/annobot/app?a=77"
    assert app_link("http://127.0.0.1:8081", 5) == "http://127.0.0.1:8081/app?a=5"
    assert "Mini App" not in plain_text(view.text)


@pytest.mark.parametrize("language", ["en", "fr", "mg"])
def test_without_an_address_the_task_says_it_cannot_be_done_here(language: str) -> None:
    t = Catalogs().get(language)
    view = render_task(boxes_task(), t, language)
    buttons = [button for row in view.keyboard.inline_keyboard for button in row]
    assert all(button.web_app is None for button in buttons)
    assert t.gettext("Skip ⏭") in [button.text for button in buttons]
    assert "Mini App" in plain_text(view.text)
