"""Who is talking and in which language: the stored choice, cached in ``user_data``."""

from __future__ import annotations

from telegram import Update

from annotation.loop.onboarding import pick_language
from annotation.models import AnnotatorId
from handlers.context import AnnobotContext
from handlers.services import Translations

LANGUAGE_KEY = "lang"


async def language_of(update: Update, context: AnnobotContext) -> tuple[str, Translations]:
    """Return the user's language and its translations."""
    user = update.effective_user
    cache = context.user_data if context.user_data is not None else {}
    language = cache.get(LANGUAGE_KEY)
    if not isinstance(language, str) and user is not None:
        annotator = await context.services.onboarding.get(AnnotatorId(user.id))
        language = annotator.language if annotator else pick_language(user.language_code)
        cache[LANGUAGE_KEY] = language
    if not isinstance(language, str):
        language = pick_language(None)
    return language, context.services.catalogs.get(language)


def remember_language(context: AnnobotContext, language: str) -> None:
    """Update the cached language after the user changed it."""
    if context.user_data is not None:
        context.user_data[LANGUAGE_KEY] = language
