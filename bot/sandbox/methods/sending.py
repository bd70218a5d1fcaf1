"""Sending methods: sendMessage, sendPhoto/Audio/Voice/Document, sendMediaGroup, actions."""

from __future__ import annotations

from typing import Any

from bot.sandbox.chats import Chat
from bot.sandbox.errors import bad_request
from bot.sandbox.flood import Traffic
from bot.sandbox.keyboards import check_reply_markup, rules_for
from bot.sandbox.messages import MEDIA_KINDS, build_message
from bot.sandbox.methods.call import Call
from bot.sandbox.methods.media import commit_file, media_json, prepare_file
from bot.sandbox.state import SandboxState
from bot.sandbox.validation import check_caption, check_chat_action, check_text


def message_base(state: SandboxState, chat: Chat) -> dict[str, Any]:
    """Return the identity fields of a new bot message in ``chat``."""
    return {"message_id": chat.allocate_id(), "from": state.bot_json, "chat": chat.json,
            "date": state.now()}


def reply_target(chat: Chat, params: dict[str, Any]) -> dict[str, Any] | None:
    """Return the Message object being replied to, or raise if it is missing."""
    reply = params.get("reply_parameters") or {}
    message_id = reply.get("message_id") or params.get("reply_to_message_id")
    if not message_id:
        return None
    target = chat.message_json(int(message_id))
    if target is None:
        if reply.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")
    return {k: v for k, v in target.items() if k != "reply_to_message"}


def html_source(params: dict[str, Any], key: str) -> str | None:
    """Return the marked-up source of a text when it was sent in HTML parse mode."""
    return params.get(key) if (params.get("parse_mode") or "").lower() == "html" else None


async def send_message(state: SandboxState, call: Call) -> Any:
    """Send a text message."""
    p = call.params
    chat = state.resolve_chat(p["chat_id"])
    call.chat_id = chat.id
    text, entities = check_text(p["text"], p.get("parse_mode"), p.get("entities"))
    markup = check_reply_markup(p.get("reply_markup"), rules_for(chat, state.config))
    reply_to = reply_target(chat, p)
    state.admit(chat, Traffic.SEND)
    message = build_message(base=message_base(state, chat), kind="text", text=text,
                            entities=entities, media=None, reply_markup=markup,
                            html=html_source(p, "text"), reply_to=reply_to)
    return chat.publish(message).raw


async def _send_media(state: SandboxState, call: Call, kind: str) -> Any:
    p = call.params
    chat = state.resolve_chat(p["chat_id"])
    call.chat_id = chat.id
    caption, entities = check_caption(p.get("caption"), p.get("parse_mode"),
                                      p.get("caption_entities"))
    markup = check_reply_markup(p.get("reply_markup"), rules_for(chat, state.config))
    reply_to = reply_target(chat, p)
    prepared = await prepare_file(state, call, kind, p[kind])
    state.admit(chat, Traffic.SEND)
    stored = commit_file(state, prepared, p)
    message = build_message(base=message_base(state, chat), kind=kind, text=caption,
                            entities=entities, media=media_json(state, stored, p),
                            reply_markup=markup, html=html_source(p, "caption"),
                            file_id=stored.file_id, document_name=stored.file_name,
                            reply_to=reply_to)
    return chat.publish(message).raw


async def send_photo(state: SandboxState, call: Call) -> Any:
    """Send a photo (upload or file_id)."""
    return await _send_media(state, call, "photo")


async def send_audio(state: SandboxState, call: Call) -> Any:
    """Send an audio file."""
    return await _send_media(state, call, "audio")


async def send_voice(state: SandboxState, call: Call) -> Any:
    """Send a voice note."""
    return await _send_media(state, call, "voice")


async def send_document(state: SandboxState, call: Call) -> Any:
    """Send a general file."""
    return await _send_media(state, call, "document")


async def send_media_group(state: SandboxState, call: Call) -> Any:
    """Send 2-10 photos, documents or audios as an album."""
    p = call.params
    chat = state.resolve_chat(p["chat_id"])
    call.chat_id = chat.id
    items = p["media"]
    if not 2 <= len(items) <= 10:
        raise bad_request("wrong number of media in the group, must be between 2 and 10")
    kinds = [item.get("type") if isinstance(item, dict) else None for item in items]
    if any(k not in MEDIA_KINDS or k == "voice" for k in kinds):
        raise bad_request("unsupported media type in the group")
    for lonely in ("document", "audio"):
        if lonely in kinds and any(k != lonely for k in kinds):
            raise bad_request(f"{lonely}s can't be mixed with other media types")
    reply_to = reply_target(chat, p)
    prepared = []
    for item in items:
        checked = check_caption(item.get("caption"), item.get("parse_mode"),
                                item.get("caption_entities"))
        prepared.append((item, checked, await prepare_file(state, call, item["type"],
                                                           item.get("media"))))
    state.admit(chat, Traffic.SEND, cost=len(items))
    group_id = f"{chat.id}{chat.next_id}{state.now()}"
    results = []
    for item, (text, entities), file in prepared:
        stored = commit_file(state, file, item)
        message = build_message(base=message_base(state, chat), kind=item["type"],
                                text=text, entities=entities,
                                media=media_json(state, stored, item), reply_markup=None,
                                html=html_source(item, "caption"), file_id=stored.file_id,
                                document_name=stored.file_name, media_group_id=group_id,
                                reply_to=reply_to)
        results.append(chat.publish(message).raw)
    return results


async def send_chat_action(state: SandboxState, call: Call) -> Any:
    """Show a chat action ("typing", ...); never flood-limited."""
    chat = state.resolve_chat(call.params["chat_id"])
    call.chat_id = chat.id
    check_chat_action(call.params["action"])
    chat.actions.append(call.params["action"])
    return True


HANDLERS = {
    "sendMessage": send_message,
    "sendPhoto": send_photo,
    "sendAudio": send_audio,
    "sendVoice": send_voice,
    "sendDocument": send_document,
    "sendMediaGroup": send_media_group,
    "sendChatAction": send_chat_action,
}
