"""The shipped catalogs cover every user-facing string of ``handlers/`` and ``bot/``.

Messages are extracted from the source the way ``pybabel extract`` does (see
``docs/TRANSLATING.md``), so adding a string without re-extracting and translating it fails
here: the template must list exactly the extracted msgids, and the French and Malagasy
catalogs must translate each one, keeping its ``{placeholders}`` and HTML tags, with no fuzzy
or obsolete entries, and the runtime path (``bot.i18n.Catalogs``) must return them.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import Catalogs

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "bot" / "locales"
SOURCE_DIRS = ("handlers", "bot")
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "gettext": None, "ngettext": (1, 2)}
TRANSLATED = ("fr", "mg")
PLURAL_FORMS = "nplurals=2; plural=(n > 1);"
# Telegram's HTML parse mode tags; other ``<...>`` (e.g. "/export <project>") is plain text.
HTML_TAG = re.compile(
    r"</?(?:b|strong|i|em|u|ins|s|strike|del|a|code|pre|blockquote|tg-spoiler|span)\b[^>]*>"
)
BUTTONS = ("Yes", "No", "Done ✓", "Skip ⏭", "↩ Undo", "Check again 🔄")
BUTTON_LIMIT = 20

MsgId = str | tuple[str, str]


def _keep_directory(path: str) -> bool:
    name = Path(path).name
    return name != "sandbox" and not name.startswith((".", "_"))


@cache
def extracted() -> frozenset[MsgId]:
    """Return every msgid marked in ``handlers/`` and ``bot/`` (without ``bot/sandbox``)."""
    found: set[MsgId] = set()
    for directory in SOURCE_DIRS:
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / directory, keywords=KEYWORDS, directory_filter=_keep_directory
        ):
            if isinstance(message, tuple):
                found.add((message[0], message[1]))
            else:
                found.add(message)
    return frozenset(found)


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale, domain="annobot")


def _catalog(language: str) -> Catalog:
    return _read(LOCALES / language / "LC_MESSAGES" / "annobot.po", language)


def _msgids(catalog: Catalog) -> set[MsgId]:
    return {message.id if isinstance(message.id, str) else (message.id[0], message.id[1])
            for message in catalog if message.id}


def _singular(msgid: MsgId) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _placeholders(text: str) -> set[str]:
    """Return the ``str.format`` fields of ``text`` (raises ValueError on a stray brace)."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def _tags(text: str) -> list[str]:
    return sorted(HTML_TAG.findall(text))


def _translations(message: Message) -> list[str]:
    if isinstance(message.string, str):
        return [message.string]
    return list(message.string or ())


def _pairs(msgid: MsgId, message: Message) -> Iterator[tuple[str, str]]:
    """Yield (source, translation) for each form: plural forms compare with the plural."""
    sources = [msgid] if isinstance(msgid, str) else [msgid[0], msgid[1]]
    for index, translation in enumerate(_translations(message)):
        yield sources[min(index, len(sources) - 1)], translation


def test_extraction_finds_the_known_strings() -> None:
    messages = extracted()
    assert "Language set: English." in messages  # t.gettext(...)
    assert "Yes" in messages  # _.gettext(...) with a Translations parameter
    assert "Already recorded." in messages  # N_(...)
    assert ("You have answered {n} task.", "You have answered {n} tasks.") in messages
    assert "Get a task" in messages  # bot/application.py
    assert len(messages) > 50


def test_template_lists_exactly_the_extracted_msgids() -> None:
    template = _msgids(_read(LOCALES / "annobot.pot"))
    missing, stale = extracted() - template, template - extracted()
    assert not missing, f"re-extract (docs/TRANSLATING.md): not in annobot.pot: {missing}"
    assert not stale, f"re-extract (docs/TRANSLATING.md): no longer in the code: {stale}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalog_has_two_plural_forms(language: str) -> None:
    catalog = _catalog(language)
    assert catalog.plural_forms == PLURAL_FORMS
    assert catalog.num_plurals == 2


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_msgid_is_translated(language: str) -> None:
    catalog = _catalog(language)
    untranslated = []
    for msgid in sorted(extracted(), key=_singular):
        message = catalog.get(_singular(msgid))
        if (message is None or message.fuzzy or message.id != msgid
                or not all(text.strip() for text in _translations(message))):
            untranslated.append(msgid)
            continue
        if not isinstance(msgid, str):
            assert len(_translations(message)) == catalog.num_plurals, msgid
    assert not untranslated, (f"{language}: translate (docs/TRANSLATING.md): "
                              f"{untranslated}")


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_fuzzy_obsolete_or_stale_entries(language: str) -> None:
    catalog = _catalog(language)
    assert not catalog.obsolete, f"{language}: remove the #~ entries: {list(catalog.obsolete)}"
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert not fuzzy, f"{language}: review and unmark the fuzzy entries: {fuzzy}"
    stale = _msgids(catalog) - extracted()
    assert not stale, f"{language}: run pybabel update: {stale}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_placeholders_and_tags(language: str) -> None:
    catalog = _catalog(language)
    wrong = []
    for msgid in extracted():
        message = catalog.get(_singular(msgid))
        if message is None:
            continue  # reported by test_every_msgid_is_translated
        for source, translation in _pairs(msgid, message):
            try:
                same_fields = _placeholders(translation) == _placeholders(source)
            except ValueError:
                same_fields = False
            if not same_fields or _tags(translation) != _tags(source):
                wrong.append((source, translation))
    assert not wrong, f"{language}: placeholders or tags differ: {wrong}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_runtime_catalogs_return_the_translations(language: str) -> None:
    catalog = _catalog(language)
    runtime = Catalogs().get(language)
    for msgid in extracted():
        message = catalog.get(_singular(msgid))
        assert message is not None, msgid
        forms = _translations(message)
        if isinstance(msgid, str):
            assert runtime.gettext(msgid) == forms[0]
        else:
            assert runtime.ngettext(msgid[0], msgid[1], 1) == forms[0]
            assert runtime.ngettext(msgid[0], msgid[1], 2) == forms[1]


@pytest.mark.parametrize(("language", "expected"), [
    ("fr", "Langue choisie : français."),
    ("mg", "Voafidy ny teny malagasy."),
])
def test_language_confirmation_names_the_language(language: str, expected: str) -> None:
    assert Catalogs().get(language).gettext("Language set: English.") == expected


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("button", BUTTONS)
def test_button_texts_stay_short(language: str, button: str) -> None:
    assert button in extracted()
    assert len(Catalogs().get(language).gettext(button)) <= BUTTON_LIMIT
