"""The Mini App's static files: within the size budget, self-contained, and their texts
all defined in ``handlers/miniapp/strings.py`` (no browser needed)."""

from __future__ import annotations

import re

from benchmarks.miniapp_size import BUDGET, STATIC, sizes
from handlers.miniapp.strings import STRINGS

SCRIPT = (STATIC / "app.js").read_text(encoding="utf-8")


def keys_used(script: str) -> set[str]:
    """Return the string keys the page looks up: ``t('k')``, ``t(c ? 'a' : 'b')`` and
    ``button(cls, icon, 'k', …)``."""
    found = set(re.findall(r"\bt\(\s*'(\w+)'", script))
    for first, second in re.findall(r"\bt\([^()]*\?\s*'(\w+)'\s*:\s*'(\w+)'", script):
        found |= {first, second}
    found |= set(re.findall(r"\bbutton\('[^']*',\s*'[^']*',\s*'(\w+)'", script))
    return found


def test_the_page_stays_within_its_budget() -> None:
    measured = sizes()
    assert set(measured) == {"index.html", "app.js", "app.css"}
    assert sum(packed for _raw, packed in measured.values()) < BUDGET


def test_every_text_the_page_shows_is_a_defined_string() -> None:
    used = keys_used(SCRIPT)
    assert used - set(STRINGS) == set()
    assert set(STRINGS) - used == set()  # nothing defined for nothing (translators' time)


def test_the_placeholders_are_format_fields() -> None:
    for key, text in STRINGS.items():
        assert re.findall(r"\{(\w*)\}", text) in ([], ["n"]), key


def test_nothing_is_loaded_from_elsewhere() -> None:
    for path in STATIC.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?:https?:)?//[\w.-]+\.\w", text.replace("http://www.w3.org", "")), \
            path.name
        assert "telegram-web-app" not in text
