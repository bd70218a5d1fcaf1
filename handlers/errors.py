"""The one error handler: domain errors become localized replies, the rest is logged.

It never fails while handling an error. An update may have no user, no chat and no message
(a button under an inline message); the handler may have answered the callback query before
failing, or the query may have expired: a domain error's text then goes to the chat as a
message, and a reply that cannot be delivered at all is logged, not raised.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, TelegramError

from annotation.errors import DomainError
from annotation.models import AnnotatorId
from handlers.context import AnnobotContext
from handlers.messages import ERRORS, SOMETHING_WENT_WRONG
from handlers.session import language_of

logger = logging.getLogger(__name__)

NOT_MODIFIED = "message is not modified"  # the screen already shows what was asked
QUERY_GONE = ("query is too old", "query id is invalid")  # answered before, or expired


def _format(template: str, params: dict[str, object]) -> str:
    cleaned = {k: ("…" if v is None else v) for k, v in params.items()}
    try:
        return template.format(**cleaned)
    except (KeyError, IndexError, ValueError):
        return template.split("{", 1)[0].rstrip(" :")


def _says(error: object, *fragments: str) -> bool:
    return isinstance(error, BadRequest) and any(f in error.message.lower() for f in fragments)


async def on_error(update: object, context: AnnobotContext) -> None:
    """Reply to a domain error in the user's language; log anything else with the update."""
    error = context.error
    if not isinstance(update, Update):
        logger.error("error outside an update", exc_info=error)
        return
    if _says(error, NOT_MODIFIED):
        logger.debug("update %s: the message already shows it", update.update_id)
        return
    if _says(error, *QUERY_GONE):
        logger.warning("update %s: the button's query expired before it was answered",
                       update.update_id)
        return
    try:
        await _reply(update, context, error)
    except Exception:  # the last line of defence: log, never raise into PTB
        logger.exception("could not tell the user about the error in update %s",
                         update.update_id)


async def _reply(update: Update, context: AnnobotContext, error: Exception | None) -> None:
    user = update.effective_user
    if isinstance(error, Forbidden) and user is not None:
        await context.services.onboarding.set_blocked(AnnotatorId(user.id), True)
        return
    if isinstance(error, DomainError):
        template = ERRORS.get(error.code, SOMETHING_WENT_WRONG)
    else:
        logger.error("unhandled error in update %s", update.update_id, exc_info=error)
        template = SOMETHING_WENT_WRONG
    _language, t = await language_of(update, context)
    text = _format(t.gettext(template), error.params if isinstance(error, DomainError) else {})
    query, chat = update.callback_query, update.effective_chat
    if query is not None:
        try:
            await query.answer(text[:200], show_alert=len(text) > 60)
            return
        except TelegramError as failed:  # answered by the handler already, or expired
            if not isinstance(error, DomainError) or chat is None:
                logger.warning("update %s: could not answer the query: %s",
                               update.update_id, failed)
                return
        await context.bot.send_message(chat.id, text)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)
