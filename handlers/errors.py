"""The one error handler: domain errors become localized replies, the rest is logged."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden

from annotation.errors import DomainError
from annotation.models import AnnotatorId
from handlers.context import AnnobotContext
from handlers.messages import ERRORS, SOMETHING_WENT_WRONG
from handlers.session import language_of

logger = logging.getLogger(__name__)


def _format(template: str, params: dict[str, object]) -> str:
    cleaned = {k: ("…" if v is None else v) for k, v in params.items()}
    try:
        return template.format(**cleaned)
    except (KeyError, IndexError, ValueError):
        return template.split("{", 1)[0].rstrip(" :")


async def on_error(update: object, context: AnnobotContext) -> None:
    """Reply to a domain error in the user's language; log anything else with the update."""
    error = context.error
    if not isinstance(update, Update):
        logger.error("error outside an update", exc_info=error)
        return
    user = update.effective_user
    if isinstance(error, Forbidden) and user is not None:
        await context.services.annotators.set_blocked(AnnotatorId(user.id), True)
        return
    if isinstance(error, DomainError):
        template = ERRORS.get(error.code, SOMETHING_WENT_WRONG)
    else:
        logger.error("unhandled error in update %s", update.update_id, exc_info=error)
        template = SOMETHING_WENT_WRONG
    _language, t = await language_of(update, context)
    text = _format(t.gettext(template), error.params if isinstance(error, DomainError) else {})
    if update.callback_query is not None:
        await update.callback_query.answer(text[:200], show_alert=len(text) > 60)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)
