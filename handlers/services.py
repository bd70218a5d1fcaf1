"""What handlers reach through ``context``: the use cases, translations and settings.

The composition root (``bot/``) builds one :class:`Services` and stores it in
``bot_data``; handlers never construct their own dependencies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from annotation.broadcasting import BroadcastService
from annotation.datasets.service import DatasetService
from annotation.earnings import EarningsService
from annotation.lifecycle import ProjectConsole
from annotation.media import MAX_UPLOAD_PIXELS
from annotation.media_library import MediaLibrary
from annotation.onboarding import AnnotatorService
from annotation.quality.service import QualityService
from annotation.reminders import ReminderService
from annotation.roles import AccessService
from annotation.stats import StatsService
from annotation.tasks import TaskService
from handlers.throttle import ReplyThrottle

SERVICES_KEY = "annobot.services"


class Translations(Protocol):
    """Gettext functions for one language."""

    def gettext(self, message: str) -> str:
        """Translate a message."""
        ...

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Translate a message with a plural form."""
        ...


class Catalogs(Protocol):
    """The translations of every supported language."""

    def get(self, language: str) -> Translations:
        """Return the translations of ``language`` (English when unknown)."""
        ...


@dataclass(frozen=True, slots=True)
class Services:
    """Everything the handlers need, built once by the composition root."""

    tasks: TaskService
    annotators: AnnotatorService
    media: MediaLibrary
    datasets: DatasetService
    catalogs: Catalogs
    export_dir: Path
    bot_username: Callable[[], str]
    quality: QualityService  # quality control (issue 4)
    # the coordinator's console (issue 6)
    access: AccessService
    console: ProjectConsole
    broadcasts: BroadcastService
    reminders: ReminderService
    earnings: EarningsService
    stats: StatsService
    replies: ReplyThrottle  # strangers and slow-down notices: one reply per interval
    upload_pixels: int = MAX_UPLOAD_PIXELS  # decoded image pixels per uploaded file
