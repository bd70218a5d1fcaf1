"""The gate before every handler: strangers' messages, and senders told to slow down.

A stranger (someone who never started the bot and holds no role) gets at most one
message through per interval, so at most one reply; ``/start`` always passes, since it
is how anyone joins. A sender whose backlog overflowed (``bot.update_processor``) is
told once per interval that some messages were skipped.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop

from annotation.models import AnnotatorId
from handlers.context import AnnobotContext
from handlers.services import SERVICES_KEY, Services
from handlers.session import language_of
from handlers.throttle import send_best_effort

KNOWN_KEY = "known"  # user_data: the sender has started the bot or holds a role
STRANGER = "stranger"
SLOW_DOWN = "slow_down"


def _is_start(update: Update) -> bool:
    text = update.message.text if update.message is not None else None
    return text is not None and (text == "/start" or text.startswith(("/start ", "/start@")))


async def _is_known(update: Update, context: AnnobotContext) -> bool:
    user = update.effective_user
    if user is None:
        return False
    cache = context.user_data if context.user_data is not None else {}
    if cache.get(KNOWN_KEY):
        return True
    known = await context.services.onboarding.is_known(AnnotatorId(user.id))
    if known:
        cache[KNOWN_KEY] = True
    return known


async def on_message_gate(update: Update, context: AnnobotContext) -> None:
    """Stop a stranger's message unless it is ``/start`` or the first in its interval."""
    user = update.effective_user
    if user is None or _is_start(update) or await _is_known(update, context):
        return
    if not context.services.replies.allow(user.id, STRANGER):
        raise ApplicationHandlerStop


async def tell_to_slow_down(update: Update, application: Application) -> None:
    """Tell a known sender, once per interval, that messages were skipped."""
    user, chat = update.effective_user, update.effective_chat
    services: Services = application.bot_data[SERVICES_KEY]
    if user is None or chat is None or not services.replies.allow(user.id, SLOW_DOWN):
        return
    context = AnnobotContext.from_update(update, application)
    if not await _is_known(update, context):
        return  # a stranger's one reply per interval is the gate's
    _language, t = await language_of(update, context)
    await send_best_effort(context.bot, chat.id, t.gettext(
        "You are sending messages faster than I can read them, so I skipped some. "
        "Please wait for my answer before sending more."))
