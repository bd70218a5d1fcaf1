"""The Mini App's settings: a public https URL (plain http only on loopback), where it
listens, and how long a page's signed data is accepted; ``annobot run`` passes them on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.cli import _parser
from bot.config import ConfigError, WebAppOptions, load_webapp


def test_no_url_means_no_mini_app() -> None:
    assert load_webapp(url=None, listen=None, port=None, max_age=None, environ={}) is None


def test_the_environment_gives_every_setting() -> None:
    environ = {"ANNOBOT_WEBAPP_URL": "https://example.org/annobot/",
               "ANNOBOT_WEBAPP_LISTEN": "0.0.0.0", "ANNOBOT_WEBAPP_PORT": "9000",
               "ANNOBOT_WEBAPP_MAX_AGE": "600"}
    assert load_webapp(url=None, listen=None, port=None, max_age=None,
                       environ=environ) == WebAppOptions(
        "https://example.org/annobot", "0.0.0.0", 9000, timedelta(minutes=10))


def test_flags_come_before_the_environment() -> None:
    environ = {"ANNOBOT_WEBAPP_URL": "https://a.example", "ANNOBOT_WEBAPP_PORT": "9000"}
    options = load_webapp(url="https://b.example", listen=None, port=9100, max_age=60,
                          environ=environ)
    assert options == WebAppOptions("https://b.example", "127.0.0.1", 9100,
                                    timedelta(minutes=1))


@pytest.mark.parametrize("url", ["http://127.0.0.1:8081", "http://127.0.0.1:8081/app"])
def test_plain_http_is_accepted_on_loopback_only(url: str) -> None:
    assert load_webapp(url=url, listen=None, port=None, max_age=None, environ={}) is not None


@pytest.mark.parametrize("url", ["http://localhost:8081", "http://[::1]:8081"])
def test_a_loopback_name_telegram_refuses_is_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="ANNOBOT_WEBAPP_URL"):  # a host without a dot
        load_webapp(url=url, listen=None, port=None, max_age=None, environ={})


@pytest.mark.parametrize(("url", "variable"), [
    ("http://example.org", "ANNOBOT_WEBAPP_URL"),
    ("ftp://example.org", "ANNOBOT_WEBAPP_URL"),
    ("https://example.org/?x=1", "ANNOBOT_WEBAPP_URL"),
    ("example.org", "ANNOBOT_WEBAPP_URL"),
])
def test_a_bad_url_names_its_variable(url: str, variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        load_webapp(url=url, listen=None, port=None, max_age=None, environ={})


@pytest.mark.parametrize(("environ", "variable"), [
    ({"ANNOBOT_WEBAPP_PORT": "70000"}, "ANNOBOT_WEBAPP_PORT"),
    ({"ANNOBOT_WEBAPP_PORT": "x"}, "ANNOBOT_WEBAPP_PORT"),
    ({"ANNOBOT_WEBAPP_MAX_AGE": "-5"}, "ANNOBOT_WEBAPP_MAX_AGE"),
    ({"ANNOBOT_WEBAPP_MAX_AGE": "soon"}, "ANNOBOT_WEBAPP_MAX_AGE"),
])
def test_a_bad_port_or_age_names_its_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        load_webapp(url="https://example.org", listen=None, port=None, max_age=None,
                    environ=environ)


def test_the_run_command_takes_the_webapp_flags() -> None:
    args = _parser().parse_args(["run", "--webapp-url", "https://example.org/a",
                                 "--webapp-listen", "0.0.0.0", "--webapp-port", "9001",
                                 "--webapp-max-age", "120"])
    assert (args.webapp_url, args.webapp_listen, args.webapp_port, args.webapp_max_age) == (
        "https://example.org/a", "0.0.0.0", 9001, 120)
