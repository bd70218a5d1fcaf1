"""The composition root: database, use cases, handlers and jobs wired into one Application."""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from annotation.broadcast import DEFAULT_RATE
from annotation.datasets.service import DatasetService
from annotation.media import MAX_UPLOAD_PIXELS
from annotation.media_library import MediaLibrary
from annotation.onboarding import AnnotatorService
from annotation.projects import ProjectService
from annotation.quality.service import QualityService
from annotation.tasks import TaskService
from bot.console import (
    add_guided_handler,
    console_handlers,
    console_services,
    start_console,
    stop_console,
)
from bot.heap import settle_heap
from bot.i18n import Catalogs
from bot.jobs import (
    DIGEST_TIME,
    EXPIRY_INTERVAL,
    QUALITY_INTERVAL,
    REMINDER_INTERVAL,
    SKILLS_POLL,
    job_expire_assignments,
    job_refresh_skills,
    job_review_quality,
)
from bot.rate_limiter import ChatRateLimiter
from bot.update_processor import BacklogPolicy, PerUserUpdateProcessor
from handlers import (
    admin,
    annotator,
    annotators_list,
    callbacks,
    exports,
    quality,
    quality_callbacks,
    task_flow,
)
from handlers.alerts import install_media_uploader
from handlers.context import AnnobotContext
from handlers.errors import on_error
from handlers.gate import on_message_gate, tell_to_slow_down
from handlers.menus import publish_default_menus, publish_staff_menus
from handlers.services import SERVICES_KEY, Services
from handlers.throttle import ReplyThrottle
from storage.database import Database

logger = logging.getLogger(__name__)

GATE_GROUP = -100
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
DATABASE_KEY = "annobot.database"
SETTINGS_KEY = "annobot.settings"


@dataclass(frozen=True, slots=True)
class WebhookOptions:
    """Where the bot listens for webhook updates."""

    url: str
    listen: str
    port: int
    path: str
    secret: str


@dataclass(frozen=True, slots=True)
class BotSettings:
    """What the bot needs to start, whatever started it (CLI, demo, tests)."""

    token: str = field(repr=False)  # never in logs or tracebacks
    database: Path
    admins: frozenset[int] = frozenset()
    base_url: str | None = None
    base_file_url: str | None = None
    export_dir: Path = Path("exports")
    # retries of a reply after each 429 (waiting out its retry_after); negative: until
    # Telegram takes it, so a reply under a burst of sign-ups is late, never lost
    flood_retries: int = -1
    expiry_interval: timedelta = EXPIRY_INTERVAL
    quality_interval: timedelta = QUALITY_INTERVAL
    seed: int | None = None
    broadcast_rate: float = DEFAULT_RATE  # messages per second (Telegram allows about 30)
    reminder_interval: timedelta = REMINDER_INTERVAL
    digest_time: time = DIGEST_TIME
    # one sender never slows the others (docs/SECURITY.md)
    backlog: BacklogPolicy = field(default_factory=BacklogPolicy)
    reply_interval: float = 20.0  # seconds between replies to a stranger / "slow down"
    max_concurrent_updates: int = 256  # handlers running at once, all senders together
    upload_pixels: int = MAX_UPLOAD_PIXELS  # decoded image pixels per uploaded file


def build_services(settings: BotSettings, database: Database,
                   bot_username: Callable[[], str],
                   clock: Callable[[], datetime] | None = None) -> Services:
    """Build the use cases over the database."""
    now = clock or (lambda: datetime.now(UTC))
    rng = random.Random(settings.seed)
    return Services(
        tasks=TaskService(database, clock=now, rng=rng),
        annotators=AnnotatorService(database, clock=now, admins=settings.admins),
        projects=ProjectService(database, clock=now),
        media=MediaLibrary(database),
        datasets=DatasetService(database, clock=now),
        catalogs=Catalogs(),
        export_dir=settings.export_dir,
        bot_username=bot_username,
        **console_services(database, now, settings.admins),
        quality=QualityService(database, clock=now, admins=settings.admins),
        replies=ReplyThrottle(settings.reply_interval),
        upload_pixels=settings.upload_pixels,
    )


def _add_handlers(application: Application) -> None:
    private = filters.ChatType.PRIVATE
    # before every other group (the guided conversation's included): a group runs only its
    # first matching handler, so the gate needs a group of its own
    application.add_handler(MessageHandler(private, on_message_gate), group=GATE_GROUP)
    application.add_handlers([
        CommandHandler("start", annotator.cmd_start, filters=private),
        CommandHandler("language", annotator.cmd_language, filters=private),
        CommandHandler("me", annotator.cmd_me, filters=private),
        CommandHandler("help", annotator.cmd_help, filters=private),
        CommandHandler("projects", admin.cmd_projects, filters=private),
        CommandHandler("export", exports.cmd_export, filters=private),
        CommandHandler("annotators", annotators_list.cmd_annotators, filters=private),
        CallbackQueryHandler(annotator.on_language_chosen, pattern=r"^l:1:[a-z]{2}$"),
        CallbackQueryHandler(quality.on_quality_button, pattern=quality_callbacks.PATTERN),
        *console_handlers(),  # the coordinator's console, before the catch-alls below
        CallbackQueryHandler(task_flow.on_task_button, pattern=callbacks.PATTERN),
        CallbackQueryHandler(task_flow.on_task_button),  # forged or foreign data
        MessageHandler(filters.TEXT & ~filters.COMMAND & private, task_flow.on_typed_answer),
        MessageHandler(filters.COMMAND & private, annotator.on_unknown_command),
    ])
    add_guided_handler(application)
    application.add_error_handler(on_error)


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
    _add_handlers(application)
    return application


@asynccontextmanager
async def running_bot(settings: BotSettings, *, webhook: WebhookOptions | None = None,
                      clock: Callable[[], datetime] | None = None
                      ) -> AsyncIterator[Application]:
    """Run the bot inside the current event loop (demo, tests, benchmarks)."""
    application = build_application(settings, clock=clock)
    async with application:
        await startup(application)
        try:
            await application.start()
            updater = application.updater
            assert updater is not None
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
