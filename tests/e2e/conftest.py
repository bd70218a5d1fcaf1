"""End-to-end fixtures: the sandbox, the real bot Application on a real SQLite file."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import secrets
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram.ext import Application

from annotation.intake.catalog import CatalogService
from annotation.intake.item_drafts import ItemDraft
from annotation.intake.spec import parse_spec
from annotation.models import ProjectSpec
from bot.application import running_bot
from bot.config import BotSettings, WebAppOptions, WebhookOptions
from bot.sample import SampleProject, build_sample_project
from bot.sandbox import SandboxServer
from bot.sandbox.testing import free_port, running_sandbox
from handlers.task_flow import APP_URL_KEY
from storage.database import Database

ADMIN = 1
TOKEN = "424242:crash-test-token-abcdefghijklmnop"  # the bot run in a child process
ROOT = Path(__file__).resolve().parents[2]


class Clock:
    """A clock the tests can move forward; starts at the real time."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@dataclass
class Harness:
    """A database with one project, and a way to run the bot against a sandbox."""

    db_path: Path
    export_dir: Path
    invite: str
    clock: Clock

    def settings(self, server: SandboxServer) -> BotSettings:
        return BotSettings(
            token=server.token, database=self.db_path, admins=frozenset({ADMIN}),
            base_url=server.base_url, base_file_url=server.base_file_url,
            export_dir=self.export_dir, seed=3, expiry_interval=timedelta(hours=1),
            webapp=WebAppOptions(port=0),  # the Mini App on a free port of 127.0.0.1
        )

    def bot(self, server: SandboxServer, mode: str = "polling"
            ) -> AbstractAsyncContextManager[Application]:  # type: ignore[type-arg]
        settings = self.settings(server)
        if mode == "webhook":
            port = free_port()
            settings = dataclasses.replace(settings, webhook=WebhookOptions(
                url=f"http://127.0.0.1:{port}/hook", listen="127.0.0.1", port=port,
                path="hook", secret=secrets.token_hex(8)))
        return running_bot(settings, clock=self.clock)

    def rows(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        """Read the database directly (the test checks what storage wrote)."""
        with sqlite3.connect(self.db_path) as connection:
            return list(connection.execute(sql, params))


def app_url(application: Application) -> str:
    """Return the base URL the running bot serves its Mini App at (``http://127.0.0.1:…``)."""
    return str(application.bot_data[APP_URL_KEY])


async def create_project(db_path: Path, spec: ProjectSpec, items: list[ItemDraft]) -> str:
    """Create a project in the database and return its invite code."""
    async with Database(db_path) as database:
        project = await CatalogService(database, clock=lambda: datetime.now(UTC)).create(
            spec, items)
    return project.invite_code


@pytest.fixture
def make_harness(tmp_path: Path) -> Callable[..., AbstractAsyncContextManager[Harness]]:
    """Return a factory: a fresh database holding the given project."""

    @asynccontextmanager
    async def factory(spec: ProjectSpec, items: list[ItemDraft]) -> AsyncIterator[Harness]:
        db_path = tmp_path / "annobot.db"
        invite = await create_project(db_path, spec, items)
        yield Harness(db_path, tmp_path / "exports", invite, Clock())

    return factory


@pytest.fixture(scope="session")
def sample_200() -> SampleProject:
    """The bundled sample project with 200 items (about 10% gold)."""
    return build_sample_project(200, gold_share=0.1, seed=11)


@pytest.fixture(scope="session")
def sample_small() -> SampleProject:
    """A small sample project."""
    return build_sample_project(12, gold_share=0.0, seed=5)


def sample_spec(sample: SampleProject, **changes: object) -> ProjectSpec:
    """The sample's spec with some fields changed."""
    return dataclasses.replace(parse_spec(sample.spec_toml), **changes)  # type: ignore[arg-type]


@asynccontextmanager
async def sandbox(**overrides: object) -> AsyncIterator[SandboxServer]:
    """A sandbox with flood control off unless asked."""
    settings: dict[str, object] = {"flood_control": False, "log_requests": True}
    settings.update(overrides)
    async with running_sandbox(**settings) as server:
        yield server


async def start_bot(api_url: str, db_path: Path, log: Path, *, admins: Collection[int] = ()
                    ) -> asyncio.subprocess.Process:
    """Run ``annobot run`` in a child process against ``api_url``, its output in ``log``."""
    env = {**os.environ, "PTB_TIMEDELTA": "true", "ANNOBOT_TOKEN": TOKEN}
    if admins:
        env["ANNOBOT_ADMINS"] = ",".join(str(admin) for admin in admins)
    with log.open("ab") as handle:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", "--api-url", api_url, "--db", str(db_path),
            cwd=ROOT, env=env, stdout=handle, stderr=handle)
