"""Reply markup as Telegram checks it: inline keyboards, reply keyboards, Web App buttons.

Errors carry the Bot API's descriptions: the server's parse errors ("can't parse inline
keyboard button: ..."), TDLib's link check for ``web_app`` URLs ("inline keyboard button Web
App URL '<url>' is invalid: <reason>", see :mod:`bot.sandbox.links`) and Telegram's own
refusal of an inline Web App button outside a private chat ("BUTTON_TYPE_INVALID"). One rule
is stricter than Telegram: a button naming two actions is refused, where the Bot API server
silently keeps the first in its own reading order and drops the others (the documentation
says exactly one must be used, so a bot that sends two has a bug the sandbox should show).
An accepted inline Web App button keeps its URL in Telegram's normal form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.sandbox.chats import Chat
from bot.sandbox.config import SandboxConfig
from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.links import LinkRefused, check_web_app_link, is_user_link

MAX_CALLBACK_DATA = 64
MAX_INLINE_BUTTONS = 100
# The Bot API server's reading order of an inline button's action fields.
INLINE_ACTIONS = (
    "url", "callback_data", "callback_game", "pay", "switch_inline_query",
    "switch_inline_query_chosen_chat", "switch_inline_query_current_chat", "login_url",
    "web_app", "copy_text",
)
# Optional fields of a reply keyboard button, at most one of which may be used.
KEYBOARD_ACTIONS = (
    "request_contact", "request_location", "request_poll", "web_app", "request_users",
    "request_chat", "request_managed_bot",
)
_FLAGS = frozenset({"request_contact", "request_location"})  # used only when true
_STRINGS = frozenset({"url", "callback_data"})  # an empty string means "not used"

Markup = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ButtonRules:
    """What Telegram allows in the chat a markup goes to."""

    private_chat: bool
    https_only: bool  # production's rule; the test environment accepts http Web Apps


def rules_for(chat: Chat, config: SandboxConfig) -> ButtonRules:
    """Return the button rules of ``chat`` under the sandbox's settings."""
    return ButtonRules(private_chat=chat.type == "private",
                       https_only=not config.allow_http_web_apps)


def check_reply_markup(markup: Markup | None, rules: ButtonRules, *, inline_only: bool = False
                       ) -> Markup | None:
    """Validate a reply markup; return it as Telegram stores it (None when absent)."""
    if markup is None:
        return None
    if "inline_keyboard" in markup:
        return {**markup, "inline_keyboard": _inline_keyboard(markup["inline_keyboard"], rules)}
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request("can't parse reply keyboard markup JSON object")
        for row in rows:
            for button in row:
                _check_keyboard_button(button, rules)
        return markup
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def _used(button: dict[str, Any], key: str) -> bool:
    value = button.get(key)
    if key in _STRINGS:
        return value not in (None, "")
    if key in _FLAGS:
        return value is True
    return value is not None


def _one_action(button: dict[str, Any], fields: tuple[str, ...], where: str) -> str | None:
    used = [key for key in fields if _used(button, key)]
    if len(used) > 1:
        raise bad_request(f"can't parse {where}: exactly one action field must be used, "
                          f"found {', '.join(used)}")
    return used[0] if used else None


def _inline_keyboard(rows: Any, rules: ButtonRules) -> list[list[dict[str, Any]]]:
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request("can't parse inline keyboard markup JSON object")
    checked = [[_inline_button(button, rules) for button in row] for row in rows]
    if sum(len(row) for row in checked) > MAX_INLINE_BUTTONS:
        raise bad_request("reply markup is too long")
    if not rules.private_chat and any("web_app" in b for row in checked for b in row):
        raise bad_request("BUTTON_TYPE_INVALID")
    return checked


def _inline_button(button: Any, rules: ButtonRules) -> dict[str, Any]:
    where = "inline keyboard button"
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(f'can\'t parse {where}: Field "text" must be of type String')
    action = _one_action(button, INLINE_ACTIONS, where)
    if action is None:
        raise bad_request(f"can't parse {where}: Text buttons are unallowed in the inline "
                          "keyboard")
    if action == "callback_data":
        data = button["callback_data"]
        if not isinstance(data, str) or len(data.encode("utf-8")) > MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    if action != "web_app":
        return button
    url = checked_web_app_url(web_app_url(button, where), "inline keyboard button Web App",
                              rules)
    return {**button, "web_app": {**button["web_app"], "url": url}}


def _check_keyboard_button(button: Any, rules: ButtonRules) -> None:
    where = "keyboard button"
    if isinstance(button, str):
        return
    if not isinstance(button, dict):
        raise bad_request(f"can't parse {where}: KeyboardButton must be a String or an Object")
    if "text" not in button:
        raise bad_request(f'can\'t parse {where}: Can\'t find field "text"')
    if not isinstance(button["text"], str):
        raise bad_request(f'can\'t parse {where}: Field "text" must be of type String')
    if _one_action(button, KEYBOARD_ACTIONS, where) != "web_app":
        return
    url = web_app_url(button, where)
    if not rules.private_chat:
        raise bad_request("web App buttons can be used in private chats only")
    checked_web_app_url(url, "keyboard button Web App", rules)


def web_app_url(holder: dict[str, Any], where: str) -> str:
    """Return the ``web_app.url`` string of a button; raise the Bot API's parse errors."""
    info = holder["web_app"]
    if not isinstance(info, dict):
        raise bad_request(f'can\'t parse {where}: Field "web_app" must be of type Object')
    if "url" not in info:
        raise bad_request(f'can\'t parse {where}: Can\'t find field "url"')
    url = info["url"]
    if not isinstance(url, str):
        raise bad_request(f'can\'t parse {where}: Field "url" must be of type String')
    return url


def checked_web_app_url(url: str, label: str, rules: ButtonRules) -> str:
    """Return a Web App URL in Telegram's normal form, or raise Telegram's refusal."""
    if is_user_link(url):
        raise bad_request("link to a user can't be used in Web App URL buttons")
    try:
        return check_web_app_link(url, https_only=rules.https_only)
    except LinkRefused as exc:
        raise _link_error(label, exc) from None


def _link_error(label: str, exc: LinkRefused) -> ApiError:
    return bad_request(f"{label} URL '{exc.link}' is invalid: {exc.reason}")


def check_menu_button(button: Any, rules: ButtonRules) -> Markup | None:
    """Validate a setChatMenuButton ``menu_button``; return it as stored (None: default)."""
    where = "menu button"
    if not isinstance(button, dict):
        raise bad_request(f"can't parse {where}: MenuButton must be an Object")
    kind = button.get("type")
    if kind is None:
        raise bad_request(f'can\'t parse {where}: Can\'t find field "type"')
    if kind == "default":
        return None
    if kind == "commands":
        return {"type": "commands"}
    if kind != "web_app":
        raise bad_request(f"can't parse {where}: MenuButton has unsupported type")
    if "text" not in button:
        raise bad_request(f'can\'t parse {where}: Can\'t find field "text"')
    if not isinstance(button["text"], str):
        raise bad_request(f'can\'t parse {where}: Field "text" must be of type String')
    if "web_app" not in button:
        raise bad_request(f'can\'t parse {where}: Can\'t find field "web_app"')
    url = checked_web_app_url(web_app_url(button, where), "menu button web app", rules)
    return {"type": "web_app", "text": button["text"], "web_app": {"url": url}}
