"""The composition root: database, use cases, handlers and jobs wired into one Application."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import partial
from urllib.parse import urlparse

from telegram import Update
from telegram.ext import Application, ContextTypes

from annotation.access import AccessService
from annotation.console.quality import QualityService
from annotation.datasets.service import DatasetService
from annotation.loop.onboarding import OnboardingService
from annotation.loop.speakers import SpeakerService
from annotation.loop.tasks import Outcome, TaskService
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
from handlers.miniapp.api import ApiSettings, MiniAppApi
from handlers.miniapp.server import (
    ChatUpdates,
    StaticPages,
    Webhook,
    WebServer,
    build_web_app,
    load_static,
)
from handlers.services import SERVICES_KEY, Services
from handlers.task_flow import APP_URL_KEY, show_after_app
from handlers.throttle import ReplyThrottle
from storage.database import Database
from storage.datasets import open_dataset_folder

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
DATABASE_KEY = "annobot.database"
SETTINGS_KEY = "annobot.settings"
CLOCK_KEY = "annobot.clock"
WEB_KEY = "annobot.web"  # the HTTP server of the Mini App and the webhook, while it runs


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


async def _show_after_app(application: Application, user_id: int, outcome: Outcome) -> None:
    await show_after_app(application.bot, application.bot_data, application.user_data[user_id],
                         user_id, outcome)


async def start_web(application: Application) -> None:
    """Serve the Mini App (when configured) and, in webhook mode, the webhook, on one HTTP
    server; register the webhook with Telegram. The Mini App's base URL goes to
    ``bot_data`` for the task buttons."""
    settings: BotSettings = application.bot_data[SETTINGS_KEY]
    webapp, webhook = settings.webapp, settings.webhook
    if webapp is None and webhook is None:
        return
    api, pages, updates = None, None, None
    if webapp is not None:
        updates = ChatUpdates(partial(_show_after_app, application))
        api = MiniAppApi(application.bot_data[SERVICES_KEY],
                         ApiSettings(settings.token, webapp.max_age,
                                     application.bot_data[CLOCK_KEY]),
                         lambda: str(application.bot_data[APP_URL_KEY]), updates.submit)
        pages = StaticPages(await asyncio.to_thread(load_static))
    hook = None if webhook is None else Webhook(webhook.path, webhook.secret, application.bot,
                                                application.update_queue)
    prefix = urlparse(webapp.url).path.rstrip("/") if webapp and webapp.url else ""
    server = WebServer(build_web_app(prefix, api, pages, hook), updates)
    application.bot_data[WEB_KEY] = server
    where = webhook or webapp
    assert where is not None
    listen, port = where.listen, where.port
    bound = await server.start(listen, port)
    if webapp is not None:
        application.bot_data[APP_URL_KEY] = webapp.url or f"http://{listen}:{bound}"
        logger.info("Mini App served at %s/app", application.bot_data[APP_URL_KEY])
    if webhook is not None:
        await application.bot.set_webhook(webhook.url, secret_token=webhook.secret,
                                          allowed_updates=ALLOWED_UPDATES)


async def stop_web(application: Application) -> None:
    """Stop the HTTP server and wait for the chat edits it started (before the bot stops)."""
    server = application.bot_data.pop(WEB_KEY, None)
    if isinstance(server, WebServer):
        await server.stop()


async def startup(application: Application) -> None:
    """Open the database, publish the command menus (per language and role), schedule jobs,
    and start the HTTP server (Mini App, webhook) when configured."""
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
    await start_web(application)


async def shutdown(application: Application) -> None:
    """Close the database (after the updater and handlers have stopped)."""
    database: Database = application.bot_data[DATABASE_KEY]
    await stop_web(application)
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
        .post_stop(stop_web)
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
    application.bot_data[CLOCK_KEY] = clock or (lambda: datetime.now(UTC))
    application.bot_data[SERVICES_KEY] = build_services(
        settings, database, lambda: application.bot.username, clock)
    install_media_uploader(application)  # alerts the admins if file ids cannot be saved
    add_handlers(application)
    return application


@asynccontextmanager
async def running_bot(settings: BotSettings, *, clock: Callable[[], datetime] | None = None
                      ) -> AsyncIterator[Application]:
    """Run the bot inside the current event loop (demo, tests, benchmarks)."""
    async with serving(build_application(settings, clock=clock)) as application:
        yield application


@asynccontextmanager
async def serving(application: Application) -> AsyncIterator[Application]:
    """Run a built bot inside the current event loop: polling, or webhook updates taken by
    the bot's own HTTP server (``start_web``), which also serves the Mini App."""
    settings: BotSettings = application.bot_data[SETTINGS_KEY]
    async with application:
        await startup(application)
        try:
            await application.start()
            updater = application.updater
            assert updater is not None
            if settings.webhook is None:
                await updater.start_polling(poll_interval=0.0, timeout=10,
                                            allowed_updates=ALLOWED_UPDATES)
            try:
                yield application
            finally:
                await stop_web(application)  # no new update or answer from here on
                if updater.running:
                    await updater.stop()
                if application.running:
                    await application.stop()
        finally:
            await shutdown(application)
