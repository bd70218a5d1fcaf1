"""Telegram's link check of Web App URLs (TDLib's parse_url and check_link), case by case."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sandbox.links import LinkRefused, check_web_app_link, is_user_link


@pytest.mark.parametrize(("link", "normal"), [
    ("http://127.0.0.1:8081/app?a=5", "http://127.0.0.1:8081/app?a=5"),
    ("HTTPS://Example.ORG", "https://example.org/"),
    ("https://host.example/annobot/app?a=1#x", "https://host.example/annobot/app?a=1#x"),
    ("example.org/app", "http://example.org/app"),  # no scheme: read as http
    ("http://example.org:0080/a b", "http://example.org:80/a%20b"),
    ("http://user@example.org/", "http://user@example.org/"),
    ("http://[::1]:8081/app", "http://[::1]:8081/app"),
    ("http://пример.рф/app", "http://пример.рф/app"),
])
def test_accepted_links_in_their_normal_form(link: str, normal: str) -> None:
    assert check_web_app_link(link, https_only=False) == normal


@pytest.mark.parametrize(("link", "reason"), [
    ("ftp://example.org/app", "Unsupported URL protocol"),
    ("file:///etc/passwd", "Unsupported URL protocol"),
    ("javascript:alert(1)", "Wrong port number specified in the URL"),
    ("http:///app", "URL host is empty"),
    ("", "URL host is empty"),
    ("http://example.org:99999/", "Wrong port number specified in the URL"),
    ("http://exa mple.org/", "Wrong URL host"),
    ("http://localhost:8081/app", "Wrong HTTP URL"),  # a host without a dot
    ("http://[zz]/", "Wrong IPv6 address specified in the URL"),
    ("http://ex%zzample.org/", "Wrong percent-encoded symbol in URL host"),
    ("tg://resolve?domain=annobot", "Only HTTP links are allowed"),
])
def test_refused_links_and_tdlib_reasons(link: str, reason: str) -> None:
    with pytest.raises(LinkRefused) as refused:
        check_web_app_link(link, https_only=False)
    assert (refused.value.link, refused.value.reason) == (link, reason)
    assert str(refused.value) == f"URL '{link}' is invalid: {reason}"


@pytest.mark.parametrize("link", ["http://example.org/app", "example.org",
                                  "tg://resolve?domain=annobot"])
def test_production_wants_https(link: str) -> None:
    with pytest.raises(LinkRefused, match="Only HTTPS links are allowed"):
        check_web_app_link(link, https_only=True)
    assert check_web_app_link("https://example.org/app", https_only=True) == (
        "https://example.org/app")


def test_user_links_are_recognized() -> None:
    assert is_user_link("tg://user?id=42") and is_user_link("TG:user?id=7")
    assert not is_user_link("tg://resolve?domain=x") and not is_user_link("https://t.me/x")


_URLISH = st.lists(st.sampled_from([*"hHtTpPsS:/?#@[]%.-_ a1:8É\t", "://", "x.org"]),
                   max_size=15).map("".join)


@given(st.one_of(_URLISH, st.text(max_size=30)), st.booleans())
def test_any_text_is_accepted_in_a_stable_form_or_refused(link: str, https_only: bool) -> None:
    try:
        normal = check_web_app_link(link, https_only=https_only)
    except LinkRefused as refused:
        assert refused.reason
        return
    assert check_web_app_link(normal, https_only=https_only) == normal
