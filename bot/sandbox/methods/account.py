"""Bot-level methods: getMe, commands, descriptions, getFile, answerCallbackQuery, close."""

from __future__ import annotations

import json
import math
from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.messages import CallbackAnswer
from bot.sandbox.methods.call import Call
from bot.sandbox.state import SandboxState
from bot.sandbox.validation import check_callback_answer, check_commands

TEXT_LIMITS = {"description": 512, "short_description": 120, "name": 64}


async def get_me(state: SandboxState, call: Call) -> Any:
    """Return the bot's User object."""
    return state.bot_json


async def log_out(state: SandboxState, call: Call) -> Any:
    """Accept logOut (the sandbox keeps serving: there is no cloud server to leave)."""
    return True


async def close(state: SandboxState, call: Call) -> Any:
    """Accept close (nothing to hand over in the sandbox)."""
    return True


CHAT_SCOPES = ("chat", "chat_administrators", "chat_member")


def _scope_key(state: SandboxState, params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    if scope["type"] in CHAT_SCOPES:
        if "chat_id" not in scope:
            raise bad_request("can't parse BotCommandScope JSON object")
        state.resolve_chat(scope["chat_id"])  # Telegram: 400 "chat not found"
    return json.dumps(scope, sort_keys=True), params.get("language_code") or ""


async def set_my_commands(state: SandboxState, call: Call) -> Any:
    """Store the command list of a scope and language."""
    commands = check_commands(call.params["commands"])
    state.commands[_scope_key(state, call.params)] = commands
    return True


async def get_my_commands(state: SandboxState, call: Call) -> Any:
    """Return the command list of exactly this scope and language."""
    return state.commands.get(_scope_key(state, call.params), [])


async def delete_my_commands(state: SandboxState, call: Call) -> Any:
    """Forget the command list of a scope and language."""
    state.commands.pop(_scope_key(state, call.params), None)
    return True


def _text_setter(field: str) -> Any:
    async def handler(state: SandboxState, call: Call) -> Any:
        value = call.params.get(field) or ""
        if len(value) > TEXT_LIMITS[field]:
            raise bad_request(f"{field.upper()}_INVALID")
        state.texts[(field, call.params.get("language_code") or "")] = value
        return True

    handler.__doc__ = f"Store the bot's {field} for a language."
    return handler


def _text_getter(field: str) -> Any:
    async def handler(state: SandboxState, call: Call) -> Any:
        language = call.params.get("language_code") or ""
        value = state.texts.get((field, language)) or state.texts.get((field, ""), "")
        if field == "name" and not value:
            value = state.bot_json["first_name"]
        return {field: value}

    handler.__doc__ = f"Return the bot's {field} for a language."
    return handler


async def get_file(state: SandboxState, call: Call) -> Any:
    """Return a File object whose path can be downloaded from /file/bot<token>/ for a while."""
    stored = state.files.get(call.params["file_id"])
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > state.config.max_download_bytes:
        raise bad_request("file is too big")
    ttl = state.config.file_link_ttl
    state.files.issue_link(stored, math.inf if ttl is None else state.config.clock() + ttl)
    return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
            "file_size": stored.size, "file_path": stored.path}


async def answer_callback_query(state: SandboxState, call: Call) -> Any:
    """Record the toast/alert answering a callback query; never flood-limited."""
    p = call.params
    check_callback_answer(p.get("text"))
    query = state.queries.get(p["callback_query_id"])
    call.chat_id = query.chat_id if query else None
    state.answer_query(CallbackAnswer(p["callback_query_id"], p.get("text"),
                                      bool(p.get("show_alert")), p.get("url"),
                                      int(p.get("cache_time") or 0)))
    return True


HANDLERS = {
    "getMe": get_me,
    "logOut": log_out,
    "close": close,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setMyDescription": _text_setter("description"),
    "getMyDescription": _text_getter("description"),
    "setMyShortDescription": _text_setter("short_description"),
    "getMyShortDescription": _text_getter("short_description"),
    "setMyName": _text_setter("name"),
    "getMyName": _text_getter("name"),
    "getFile": get_file,
    "answerCallbackQuery": answer_callback_query,
}
