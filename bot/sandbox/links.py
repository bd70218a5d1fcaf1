"""Telegram's check of the links a bot puts in Web App buttons, and their normal form.

A port of TDLib's ``parse_url`` and ``LinkManager::check_link`` (what the Bot API server runs on
``web_app.url``): a scheme other than ``http``/``https`` is refused, a link without a scheme is
read as ``http``, the host must be non-empty and contain a dot (``localhost`` is refused, an
IP address is not), ``tg:`` links are refused, and production refuses anything but HTTPS. An
accepted link is returned the way Telegram stores it: scheme and host lowercased, the path
at least ``/``, control characters and spaces percent-encoded.

The reasons are TDLib's own texts; the caller prefixes them as Telegram does
(``inline keyboard button Web App URL '<url>' is invalid: <reason>``).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

_HOST_SYMBOLS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-_!$,~*'();&+=")
_HEX = frozenset("0123456789abcdef")
_USER_LINK = re.compile(r"^tg:(//)?user\?id=\d+", re.IGNORECASE)
_INTERNAL_SCHEMES = ("tg:", "ton:", "tonsite:")


class LinkRefused(ValueError):
    """A link Telegram refuses; ``reason`` is TDLib's text, ``link`` the link as sent."""

    def __init__(self, link: str, reason: str) -> None:
        super().__init__(f"URL '{link}' is invalid: {reason}")
        self.link = link
        self.reason = reason


@dataclass(frozen=True, slots=True)
class HttpUrl:
    """A parsed HTTP(S) URL, as TDLib's ``HttpUrl`` holds it."""

    https: bool
    userinfo: str
    host: str
    is_ipv6: bool
    specified_port: int
    query: str  # path, query and fragment; always starts with "/"

    def normal_form(self) -> str:
        """Return the URL as Telegram stores it."""
        userinfo = f"{self.userinfo}@" if self.userinfo else ""
        port = f":{self.specified_port}" if self.specified_port > 0 else ""
        scheme = "https" if self.https else "http"
        return f"{scheme}://{userinfo}{self.host}{port}{self.query}"


def _ascii_lower(text: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in text)


def _port(text: str) -> int:
    """Return the port TDLib reads from ``text`` (-1 when it is not a positive number)."""
    digits = text.lstrip("0") or ("0" if text else "")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 9:
        return -1
    return int(digits) or -1


def _check_host(host: str, is_ipv6: bool) -> None:
    i = 0
    while i < len(host):
        c = host[i]
        if is_ipv6:
            if not (i == 0 or i + 1 == len(host) or c in ":." or c in _HEX):
                raise ValueError("Wrong IPv6 URL host")
        elif c == "%":
            if host[i + 1:i + 2] not in _HEX or host[i + 2:i + 3] not in _HEX:
                raise ValueError("Wrong percent-encoded symbol in URL host")
            i += 2
        elif c not in _HOST_SYMBOLS and c.isascii():
            raise ValueError("Wrong URL host")
        i += 1


def parse_url(url: str) -> HttpUrl:
    """Parse ``[http[s]://][userinfo@]host[:port][/path...]``; raise ValueError(reason)."""
    head = next((i for i, c in enumerate(url) if c in ":/?#@[]"), len(url))
    scheme = _ascii_lower(url[:head])
    rest = url
    https = False
    if url[head:].startswith("://"):
        if scheme not in ("http", "https"):
            raise ValueError("Unsupported URL protocol")
        https = scheme == "https"
        rest = url[head + 3:]
    authority_end = re.search(r"[/?#]", rest)
    split = authority_end.start() if authority_end else len(rest)
    authority, query = rest[:split], rest[split:]
    colon = len(authority) - 1
    while colon > 0 and authority[colon] not in ":]@":
        colon -= 1
    port = 0
    userinfo_host = authority
    if colon > 0 and authority[colon] == ":":
        port = _port(authority[colon + 1:])
        userinfo_host = authority[:colon]
    if port < 0 or port > 65535:
        raise ValueError("Wrong port number specified in the URL")
    userinfo, _, host = userinfo_host.rpartition("@")
    is_ipv6 = False
    if len(host) >= 2 and host[0] == "[" and host[-1] == "]":
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise ValueError("Wrong IPv6 address specified in the URL") from None
        is_ipv6 = True
    if not host:
        raise ValueError("URL host is empty")
    if host == ".":
        raise ValueError("Host is invalid")
    query = query.rstrip(" \t\n\r\v\f\0") or "/"
    if not query.startswith("/"):
        query = "/" + query
    query = "".join(f"%{ord(c):02X}" if ord(c) <= 0x20 else c for c in query)
    host = _ascii_lower(host)
    _check_host(host, is_ipv6)
    return HttpUrl(https, userinfo, host, is_ipv6, port, query)


def check_web_app_link(link: str, *, https_only: bool) -> str:
    """Return ``link`` in Telegram's normal form; raise LinkRefused as Telegram would.

    ``https_only`` is production's rule; Telegram's test environment accepts ``http`` too.
    A ``tg://user?id=`` link is refused before this check (see :func:`is_user_link`).
    """
    internal = next((p for p in _INTERNAL_SCHEMES if link.lower().startswith(p)), None)
    rest = link[len(internal):] if internal else link
    if internal and rest.startswith("//"):
        rest = rest[2:]
    try:
        url = parse_url(rest)
    except ValueError as exc:
        raise LinkRefused(link, str(exc)) from None
    if https_only and (not url.https or internal):
        raise LinkRefused(link, "Only HTTPS links are allowed")
    if internal:
        raise LinkRefused(link, "Only HTTP links are allowed")
    if "." not in url.host and not url.is_ipv6:
        raise LinkRefused(link, "Wrong HTTP URL")
    return url.normal_form()


def is_user_link(link: str) -> bool:
    """Return whether ``link`` is a ``tg://user?id=`` link (never allowed in a Web App button)."""
    return bool(_USER_LINK.match(link))
