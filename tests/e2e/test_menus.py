"""Command menus through the sandbox: per language for everyone, per role in staff chats."""

from __future__ import annotations

import json

from bot.sample import SampleProject
from bot.sandbox import SandboxServer, SimUser
from tests.e2e.conftest import ADMIN, sample_spec, sandbox
from tests.e2e.test_console import has

COORDINATOR = 200
OTHER = 300


def menu(server: SandboxServer, chat_id: int | None = None, language: str = ""
         ) -> list[tuple[str, str]]:
    """The commands the sandbox holds for the default scope or one chat's scope."""
    scope = {"type": "default"} if chat_id is None else {"type": "chat", "chat_id": chat_id}
    commands = server.state.commands.get((json.dumps(scope, sort_keys=True), language), [])
    return [(c["command"], c["description"]) for c in commands]


def names(server: SandboxServer, chat_id: int) -> list[str]:
    return [command for command, _ in menu(server, chat_id)]


async def settled(user: SimUser) -> None:
    """Wait until the bot has handled everything this user sent (updates run in order):
    send /help and wait for its reply, past any edit still due to earlier updates."""
    since = user.version
    await user.send_command("help")
    while "/help" not in ((await user.next_change(after=since)).text or ""):
        since += 1


async def promote(admin: SimUser, user_id: int, granted: bool = True) -> None:
    await admin.send_command("promote" if granted else "demote", str(user_id))
    word = "now" if granted else "no longer"
    await admin.wait_for(has(f"User {user_id} is {word} a coordinator."))


async def test_menus_follow_language_and_role(sample_small: SampleProject,
                                              make_harness) -> None:  # type: ignore[no-untyped-def]
    async with make_harness(sample_spec(sample_small), sample_small.items) as harness, \
            sandbox() as server:
        async with harness.bot(server):
            # everyone: the annotators' menu in the app's language, English by default
            assert menu(server)[0] == ("start", "Get a task")
            assert menu(server, language="fr")[0] == ("start", "Obtenir une tâche")
            assert menu(server, language="mg")[0] == ("start", "Haka asa")
            assert menu(server, ADMIN) == []  # the admin never wrote: Telegram refused

            admin = server.user(ADMIN, "Admin", language_code="en")
            await admin.send_command("start")
            await admin.wait_for(has("Welcome"))
            await settled(admin)
            assert {"export", "promote", "payouts", "projects", "stats"} <= set(
                names(server, ADMIN))

            coordinator = server.user(COORDINATOR, "Hery", language_code="fr")
            await coordinator.send_command("start")
            await coordinator.wait_for(has("Bienvenue"))
            await promote(admin, COORDINATOR)
            await settled(admin)
            mine = dict(menu(server, COORDINATOR))
            assert mine["projects"] == "Les projets et leurs liens d'invitation"
            assert "export" not in mine and "promote" not in mine

            await coordinator.send_command("language")
            await coordinator.wait_for(lambda m: "Malagasy" in str(m.buttons))
            await coordinator.tap("Malagasy")
            await settled(coordinator)
            assert dict(menu(server, COORDINATOR))["projects"] == "Ny tetikasa sy ny rohy fanasana"

            await promote(admin, COORDINATOR, granted=False)
            await settled(admin)
            assert menu(server, COORDINATOR) == [
                ("start", "Haka asa"), ("me", "Ny fandrosoanao"),
                ("language", "Hanova ny fiteny"), ("help", "Ny baiko rehetra")]

            server.user(OTHER, "Soa", language_code="en")
            await promote(admin, OTHER)

        server.state.commands.clear()
        async with harness.bot(server):  # a restart publishes every staff menu again
            await settled(admin)
            assert "payouts" in names(server, ADMIN)
            assert "stats" in names(server, OTHER) and "payouts" not in names(server, OTHER)
            assert menu(server, COORDINATOR) == []  # an annotator again: nothing to publish
