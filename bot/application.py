"""The composition root: database, use cases, handlers and jobs wired into one Application."""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from telegram import Update
from telegram.ext import Application, ContextTypes

from annotation.access import AccessService
from annotation.console.quality import QualityService
from annotation.datasets.service import DatasetService
from annotation.loop.onboarding import OnboardingService
from annotation.loop.speakers import SpeakerService
from annotation.loop.tasks import TaskService
from annotation.media.library import MediaLibrary
from bot.config import BotSettings
from bot.console import console_services, start_console, stop_console
from bot.handlers_list import add_handlers
from bot.heap import settle_heap
from bot.i18n import Catalogs
from bot.jobs import (
    CHECK_FEED,
    SKILLS_POLL,
    job_expire_assignments,
    job_feed_checks,
    job_refresh_skills,
    job_review_quality,
)
from bot.rate_limiter import ChatRateLimiter
from bot.update_processor import PerUserUpdateProcessor
from handlers.alerts import install_media_uploader
from handlers.context import AnnobotContext
from handlers.gate import tell_to_slow_down
from handlers.menus import publish_default_menus, publish_staff_menus
from handlers.services import SERVICES_KEY, Services
from handlers.throttle import ReplyThrottle
from storage.database import Database
from storage.datasets import open_dataset_folder

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
DATABASE_KEY = "annobot.database"
SETTINGS_KEY = "annobot.settings"


def build_services(settings: BotSettings, database: Database,
                   bot_username: Callable[[], str],
                   clock: Callable[[], datetime] | None = None) -> Services:
    """Build the use cases over the database."""
    now = clock or (lambda: datetime.now(UTC))
    rng = random.Random(settings.seed)
    return Services(
        tasks=TaskService(database, clock=now, rng=rng),
        onboarding=OnboardingService(database, clock=now, admins=settings.admins),
        media=MediaLibrary(database),
        datasets=DatasetService(database, AccessService(database, clock=now,
                                                        admins=settings.admins), clock=now,
                                folders=open_dataset_folder),
        catalogs=Catalogs(),
        export_dir=settings.export_dir,
        bot_username=bot_username,
        **console_services(database, now, settings.admins),
        quality=QualityService(database, clock=now, admins=settings.admins),
        speakers=SpeakerService(database, clock=now),
        replies=ReplyThrottle(settings.reply_interval),
        upload_pixels=settings.upload_pixels,
    )


async def _publish_menus(application: Application) -> None:
    services: Services = application.bot_data[SERVICES_KEY]
    await publish_default_menus(application.bot, services.catalogs)
    staff = list(await services.access.menu_holders())
    await publish_staff_menus(application.bot, staff, services.catalogs)


async def startup(application: Application) -> None:
    """Open the database, publish the command menus (per language and role), schedule jobs."""
    database: Database = application.bot_data[DATABASE_KEY]
    settings: BotSettings = application.bot_data[SETTINGS_KEY]
    await database.open()
    await _publish_menus(application)
    job_queue = application.job_queue
    assert job_queue is not None
    job_queue.run_repeating(job_expire_assignments, interval=settings.expiry_interval,
                            first=1.0, name="expire_assignments")
    job_queue.run_repeating(job_refresh_skills, interval=SKILLS_POLL, first=2.0,
                            name="refresh_skills")
    job_queue.run_repeating(job_feed_checks, interval=CHECK_FEED, first=1.0,
                            name="feed_checks")
    job_queue.run_repeating(job_review_quality, interval=settings.quality_interval,
                            first=settings.quality_interval, name="review_quality")
    await start_console(application, rate=settings.broadcast_rate,
                        reminder_interval=settings.reminder_interval,
                        digest_time=settings.digest_time)
    settle_heap()


async def shutdown(application: Application) -> None:
    """Close the database (after the updater and handlers have stopped)."""
    database: Database = application.bot_data[DATABASE_KEY]
    await stop_console(application)
    await database.close()


def build_application(settings: BotSettings, *,
                      clock: Callable[[], datetime] | None = None
                      ) -> Application:
    """Build the bot; :func:`startup` and :func:`shutdown` bracket its life."""
    processor = PerUserUpdateProcessor(settings.max_concurrent_updates, settings.backlog)
    builder = (
        Application.builder()
        .token(settings.token)
        .context_types(ContextTypes(context=AnnobotContext))
        .concurrent_updates(processor)
        .rate_limiter(ChatRateLimiter(settings.flood_retries))
        .connection_pool_size(16)
        .pool_timeout(30)
        .post_init(startup)
        .post_shutdown(shutdown)
    )
    if settings.base_url:
        builder = builder.base_url(settings.base_url)
    if settings.base_file_url:
        builder = builder.base_file_url(settings.base_file_url)
    application = builder.build()
    processor.watch(lambda: application.running,
                    lambda update: tell_to_slow_down(update, application))
    database = Database(settings.database)
    application.bot_data[DATABASE_KEY] = database
    application.bot_data[SETTINGS_KEY] = settings
    application.bot_data[SERVICES_KEY] = build_services(
        settings, database, lambda: application.bot.username, clock)
    install_media_uploader(application)  # alerts the admins if file ids cannot be saved
    add_handlers(application)
    return application


@asynccontextmanager
async def running_bot(settings: BotSettings, *, clock: Callable[[], datetime] | None = None
                      ) -> AsyncIterator[Application]:
    """Run the bot inside the current event loop (demo, tests, benchmarks)."""
    application = build_application(settings, clock=clock)
    async with application:
        await startup(application)
        try:
            await application.start()
            updater = application.updater
            assert updater is not None
            webhook = settings.webhook
            if webhook is None:
                await updater.start_polling(poll_interval=0.0, timeout=10,
                                            allowed_updates=ALLOWED_UPDATES)
            else:
                await updater.start_webhook(
                    listen=webhook.listen, port=webhook.port, url_path=webhook.path,
                    webhook_url=webhook.url, secret_token=webhook.secret,
                    allowed_updates=ALLOWED_UPDATES)
            try:
                yield application
            finally:
                if updater.running:
                    await updater.stop()
                if application.running:
                    await application.stop()
        finally:
            await shutdown(application)
