"""Command menus (the "/" button in Telegram): one per role, in the user's language.

Everyone gets the annotators' menu in the language of their Telegram app (``setMyCommands``
with a ``language_code``, English for any other). A menu in their own chat
(``BotCommandScopeChat``) overrides it: coordinators and admins get their role's menu, at
start-up and whenever their role or language changes, and an annotator who picks another
language with /language gets the annotators' menu in that language.
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from annotation.models import LANGUAGES, Role
from annotation.records import StaffMember
from handlers.messages import N_
from handlers.services import Catalogs, Translations

logger = logging.getLogger(__name__)

ANNOTATOR_MENU: tuple[tuple[str, str], ...] = (
    ("start", N_("Get a task")),
    ("me", N_("Your progress")),
    ("language", N_("Change the language")),
    ("help", N_("All commands")),
)
COORDINATOR_MENU: tuple[tuple[str, str], ...] = (
    ("projects", N_("Projects and their invitation links")),
    ("newproject", N_("Create a project step by step")),
    ("preview", N_("See tasks as annotators do")),
    ("stats", N_("Progress, speed and agreement")),
    ("annotators", N_("Annotators' scores and standing")),
    ("open", N_("Open a project")),
    ("pause", N_("Pause a project")),
    ("close", N_("Close a project")),
    ("broadcast", N_("Send a message to annotators")),
    ("reminders", N_("Remind idle annotators")),
)
ADMIN_MENU: tuple[tuple[str, str], ...] = (
    ("export", N_("Export a dataset")),
    ("promote", N_("Make someone a coordinator")),
    ("demote", N_("Take the coordinator role back")),
    ("payouts", N_("The payout file of a month")),
    ("audit", N_("Who did what")),
)


def menu(role: Role, t: Translations) -> list[BotCommand]:
    """Return the commands a role sees in its menu, translated."""
    entries = ANNOTATOR_MENU
    if role in (Role.COORDINATOR, Role.ADMIN):
        entries += COORDINATOR_MENU
    if role is Role.ADMIN:
        entries += ADMIN_MENU
    return [BotCommand(command, t.gettext(description)) for command, description in entries]


async def publish_default_menus(bot: Bot, catalogs: Catalogs) -> None:
    """Publish the annotators' menu in every language (English also as the fallback)."""
    for language in LANGUAGES:
        commands = menu(Role.ANNOTATOR, catalogs.get(language))
        await bot.set_my_commands(commands, language_code=language)
        if language == "en":
            await bot.set_my_commands(commands)


async def publish_menu(bot: Bot, member: StaffMember, catalogs: Catalogs) -> bool:
    """Give one user their role's menu in their chat; return False if Telegram refused.

    Telegram refuses a chat the user never opened with the bot (an admin from the
    configuration who has not written yet): that is logged, and the menu arrives with
    the next start-up or role change.
    """
    try:
        await bot.set_my_commands(menu(member.role, catalogs.get(member.language)),
                                  scope=BotCommandScopeChat(member.id))
    except TelegramError as error:
        logger.info("no command menu for user %s: %s", member.id, error)
        return False
    return True


async def publish_staff_menus(bot: Bot, staff: list[StaffMember], catalogs: Catalogs
                              ) -> int:
    """Publish every coordinator's and admin's menu; return how many were accepted."""
    published = 0
    for member in staff:
        published += await publish_menu(bot, member, catalogs)
    return published
