"""What handlers reach through ``context``: the use cases, translations and settings.

The composition root (``bot/``) builds one :class:`Services` and stores it in
``bot_data``; handlers never construct their own dependencies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from annotation.access import AccessService
from annotation.console.broadcasts import BroadcastService
from annotation.console.earnings import EarningsService
from annotation.console.lifecycle import LifecycleService
from annotation.console.quality import QualityService
from annotation.console.reminders import ReminderService
from annotation.console.stats import StatsService
from annotation.datasets.service import DatasetService
from annotation.loop.onboarding import OnboardingService
from annotation.loop.speakers import SpeakerService
from annotation.loop.tasks import TaskService
from annotation.media.library import MediaLibrary
from annotation.media.preparation import MAX_UPLOAD_PIXELS
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
    onboarding: OnboardingService
    media: MediaLibrary
    datasets: DatasetService
    catalogs: Catalogs
    export_dir: Path
    bot_username: Callable[[], str]
    quality: QualityService  # quality control (issue 4)
    speakers: SpeakerService  # /speaker and /withdraw (issue 14)
    # the coordinator's console (issue 6)
    access: AccessService
    lifecycle: LifecycleService
    broadcasts: BroadcastService
    reminders: ReminderService
    earnings: EarningsService
    stats: StatsService
    replies: ReplyThrottle  # strangers and slow-down notices: one reply per interval
    upload_pixels: int = MAX_UPLOAD_PIXELS  # decoded image pixels per uploaded file
