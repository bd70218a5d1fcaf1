"""Gettext catalogs (en, fr, mg) compiled from the bundled ``.po`` files at start-up.

Babel reads each ``locales/<lang>/LC_MESSAGES/annobot.po`` and compiles it in memory, so
there is no build step; English is the msgid language and needs no catalog entries.
"""

from __future__ import annotations

import gettext
import io
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from annotation.models import DEFAULT_LANGUAGE, LANGUAGES

DOMAIN = "annobot"


def load_translations(language: str) -> gettext.NullTranslations:
    """Compile one language's catalog (English: identity)."""
    po_file = resources.files("bot").joinpath("locales", language, "LC_MESSAGES",
                                               f"{DOMAIN}.po")
    if language == DEFAULT_LANGUAGE or not po_file.is_file():
        return gettext.NullTranslations()
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Catalogs:
    """The compiled translations of every supported language."""

    def __init__(self, languages: tuple[str, ...] = LANGUAGES) -> None:
        self._translations = {code: load_translations(code) for code in languages}

    def get(self, language: str) -> gettext.NullTranslations:
        """Return the translations of ``language`` (English when unknown)."""
        return self._translations.get(language) or self._translations[DEFAULT_LANGUAGE]
