"""The chat menu button: setChatMenuButton and getChatMenuButton.

The bot-wide button (no ``chat_id``) is "commands" until set; a private chat's own button,
once set, wins over it, and ``{"type": "default"}`` removes it again. A Web App button's URL
passes Telegram's link check (see :mod:`bot.sandbox.keyboards`).
"""

from __future__ import annotations

from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.keyboards import ButtonRules, check_menu_button
from bot.sandbox.methods.call import Call
from bot.sandbox.state import SandboxState


def _chat_key(state: SandboxState, call: Call) -> int | None:
    chat_id = call.params.get("chat_id")
    if chat_id is None:
        return None
    chat = state.chats.get(chat_id)
    if chat is None or chat.type != "private":
        raise bad_request("chat not found")
    call.chat_id = chat.id
    return chat.id


async def set_chat_menu_button(state: SandboxState, call: Call) -> Any:
    """Set (or reset to the default) the menu button of a private chat or of every chat."""
    rules = ButtonRules(private_chat=True, https_only=not state.config.allow_http_web_apps)
    button = check_menu_button(call.params.get("menu_button", {"type": "default"}), rules)
    key = _chat_key(state, call)
    if button is None:
        state.menu_buttons.pop(key, None)
    else:
        state.menu_buttons[key] = button
    return True


async def get_chat_menu_button(state: SandboxState, call: Call) -> Any:
    """Return the menu button of a private chat (or the bot-wide one)."""
    key = _chat_key(state, call)
    if key is not None:
        return state.menu_buttons.get(key, {"type": "default"})
    return state.menu_buttons.get(None, {"type": "commands"})


HANDLERS = {
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
}
