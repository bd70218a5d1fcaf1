"""The limits of docs/SECURITY.md come from ``ANNOBOT_*`` variables and reach the bot."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import BotSettings, ConfigError, load_config

TOKEN = "123456:" + "A" * 30


def test_defaults_when_nothing_is_set() -> None:
    settings = load_config(token=TOKEN, admins=None, database=None, environ={})
    assert settings == BotSettings(token=TOKEN, database=Path("annobot.db"))


def test_each_variable_sets_its_limit_and_reaches_the_bot_settings() -> None:
    environ = {"ANNOBOT_TOKEN": TOKEN, "ANNOBOT_SENDER_RATE": "0.5",
               "ANNOBOT_SENDER_BURST": "4", "ANNOBOT_SENDER_BACKLOG": "3",
               "ANNOBOT_REPLY_INTERVAL": "60", "ANNOBOT_MAX_UPDATES": "32",
               "ANNOBOT_UPLOAD_PIXELS": "1000000"}
    settings = load_config(token=None, admins=None, database=None, environ=environ)
    assert (settings.backlog.rate, settings.backlog.burst, settings.backlog.backlog) == \
        (0.5, 4, 3)
    assert settings.reply_interval == 60.0
    assert settings.max_concurrent_updates == 32
    assert settings.upload_pixels == 1_000_000


@pytest.mark.parametrize(("variable", "raw", "says"), [
    ("ANNOBOT_SENDER_BURST", "2.5", "is not a whole number"),
    ("ANNOBOT_SENDER_RATE", "fast", "is not a number"),
    ("ANNOBOT_MAX_UPDATES", "0", "must be more than 0"),
    ("ANNOBOT_REPLY_INTERVAL", "-1", "must be more than 0"),
])
def test_a_bad_limit_is_named(variable: str, raw: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(token=TOKEN, admins=None, database=None, environ={variable: raw})
    assert str(caught.value).startswith(f"{variable}: ") and says in str(caught.value)
