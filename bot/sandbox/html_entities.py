"""Telegram's HTML parse mode: turn marked-up text into plain text plus message entities.

Follows the Bot API's "HTML style" rules: the tags b/strong, i/em, u/ins, s/strike/del,
tg-spoiler and ``span class="tg-spoiler"``, a href, code, pre (with an inner
``code class="language-..."``), blockquote (``expandable``) and tg-emoji; the named entities
&lt; &gt; &amp; &quot; and every numeric entity. Offsets and lengths are counted in UTF-16
code units, as Telegram does. Errors carry Telegram's wording and UTF-8 byte offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

SIMPLE_TAGS = {
    "b": "bold", "strong": "bold",
    "i": "italic", "em": "italic",
    "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
ATTRIBUTE_TAGS = {"a", "span", "tg-emoji"}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTRIBUTE = re.compile(r"""\s*([a-zA-Z_-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*)))?""")
_ENTITY = re.compile(r"&(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[a-zA-Z]{2,6};)")


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; the message is Telegram's description tail."""


@dataclass(slots=True)
class _OpenTag:
    name: str
    offset: int
    entity: dict[str, Any] | None


def utf16_len(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8", "surrogatepass"))


def _decode_entity(token: str) -> str | None:
    body = token[1:-1]
    if body[0] != "#":
        return NAMED_ENTITIES.get(body)
    code = int(body[2:], 16) if body[1] in "xX" else int(body[1:])
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else None


def _start_entity(name: str, attrs: dict[str, str], source: str, at: int) -> dict[str, Any] | None:
    if name in SIMPLE_TAGS:
        kind = SIMPLE_TAGS[name]
        if name == "blockquote" and "expandable" in attrs:
            kind = "expandable_blockquote"
        entity: dict[str, Any] = {"type": kind}
        if name == "code" and attrs.get("class", "").startswith("language-"):
            entity["language"] = attrs["class"][len("language-"):]
        return entity
    if name == "a":
        href = attrs.get("href", "")
        return {"type": "text_link", "url": href} if href else None
    if name == "span":
        if attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset '
                                 f"{_byte_offset(source, at)}")
        return {"type": "spoiler"}
    if name == "tg-emoji":
        return {"type": "custom_emoji", "custom_emoji_id": attrs.get("emoji-id", "")}
    raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset '
                         f"{_byte_offset(source, at)}")


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into (plain text, entities); raise HtmlParseError if invalid."""
    out: list[str] = []
    position = 0  # UTF-16 length of the text emitted so far
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(source)
    while i < n:
        lt = source.find("<", i)
        amp = source.find("&", i)
        stop = min(x for x in (lt, amp, n) if x >= 0)
        if stop > i:
            chunk = source[i:stop]
            out.append(chunk)
            position += utf16_len(chunk)
            i = stop
            continue
        if source[i] == "&":
            match = _ENTITY.match(source, i)
            decoded = _decode_entity(match.group(0)) if match else None
            if match is None or decoded is None:
                out.append("&")
                position += 1
                i += 1
                continue
            out.append(decoded)
            position += utf16_len(decoded)
            i = match.end()
            continue
        close = source.find(">", i)
        if close < 0:
            raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(source, i)}")
        if source.startswith("</", i):
            name = source[i + 2:close].strip().lower()
            if not stack:
                raise HtmlParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(source, i)}")
            top = stack.pop()
            if name and name != top.name:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(source, i)}, "
                    f'expected "</{top.name}>", found "</{name}>"')
            _close_entity(top, position, stack, entities)
            i = close + 1
            continue
        match = _TAG_NAME.match(source, i + 1)
        if match is None:
            raise HtmlParseError(f'Unsupported start tag "" at byte offset '
                                 f"{_byte_offset(source, i)}")
        name = match.group(0).lower()
        if name not in SIMPLE_TAGS and name not in ATTRIBUTE_TAGS:
            raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset '
                                 f"{_byte_offset(source, i)}")
        attrs = {
            m.group(1).lower(): next((g for g in m.groups()[1:] if g is not None), "")
            for m in _ATTRIBUTE.finditer(source[match.end():close].rstrip("/"))
            if m.group(1)
        }
        stack.append(_OpenTag(name, position, _start_entity(name, attrs, source, i)))
        i = close + 1
    if stack:
        raise HtmlParseError(
            f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close_entity(
    tag: _OpenTag, position: int, stack: list[_OpenTag], entities: list[dict[str, Any]]
) -> None:
    entity = tag.entity
    length = position - tag.offset
    if entity is None or length <= 0:
        return
    parent = stack[-1] if stack else None
    if (entity["type"] == "code" and "language" in entity and parent is not None
            and parent.name == "pre" and parent.entity is not None):
        parent.entity["language"] = entity["language"]
        return
    entities.append({**entity, "offset": tag.offset, "length": length})
