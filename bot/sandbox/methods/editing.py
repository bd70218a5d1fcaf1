"""Editing methods: editMessageText/Caption/Media/ReplyMarkup, deleteMessage(s).

As on Telegram, an edit that omits ``reply_markup`` removes the inline keyboard, and an edit
that changes neither content nor keyboard is refused with "message is not modified".
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.sandbox.chats import Chat
from bot.sandbox.errors import bad_request
from bot.sandbox.flood import Traffic
from bot.sandbox.keyboards import check_reply_markup, rules_for
from bot.sandbox.messages import MEDIA_KINDS, SimMessage, base_fields, build_message
from bot.sandbox.methods.call import Call
from bot.sandbox.methods.media import commit_file, media_json, prepare_file
from bot.sandbox.methods.sending import html_source
from bot.sandbox.state import SandboxState
from bot.sandbox.validation import check_caption, check_text, not_modified


def edit_target(state: SandboxState, call: Call) -> tuple[Chat, SimMessage]:
    """Return the chat and current state of the message an edit refers to."""
    p = call.params
    if "message_id" not in p:
        if p.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        raise bad_request("message identifier is not specified")
    if "chat_id" not in p:
        raise bad_request("chat_id is empty")
    chat = state.resolve_chat(p["chat_id"])
    call.chat_id = chat.id
    message = chat.find_message(p["message_id"])
    if message is None:
        if p["message_id"] in chat.user_messages:
            raise bad_request("message can't be edited")
        raise bad_request("message to edit not found")
    return chat, message


def _inline(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    return markup if markup and "inline_keyboard" in markup else None


def _apply(state: SandboxState, chat: Chat, old: SimMessage, *, kind: str, text: str | None,
           entities: list[dict[str, Any]], media: Any, markup: dict[str, Any] | None,
           html: str | None, file_id: str | None, document_name: str | None) -> Any:
    state.admit(chat, Traffic.EDIT)
    message = build_message(
        base=base_fields(old.raw), kind=kind, text=text, entities=entities, media=media,
        reply_markup=markup, html=html, file_id=file_id, document_name=document_name,
        media_group_id=old.media_group_id, reply_to=old.raw.get("reply_to_message"),
        edit_count=old.edit_count + 1, edit_date=state.now())
    return chat.publish(message).raw


async def edit_message_text(state: SandboxState, call: Call) -> Any:
    """Replace the text (and keyboard) of a text message."""
    p = call.params
    chat, old = edit_target(state, call)
    if old.kind != "text":
        raise bad_request("there is no text in the message to edit")
    text, entities = check_text(p["text"], p.get("parse_mode"), p.get("entities"))
    markup = check_reply_markup(p.get("reply_markup"), rules_for(chat, state.config),
                                inline_only=True)
    if text == old.text and entities == old.entities and markup == _inline(old.reply_markup):
        raise not_modified()
    return _apply(state, chat, old, kind="text", text=text, entities=entities, media=None,
                  markup=markup, html=html_source(p, "text"), file_id=None,
                  document_name=None)


async def edit_message_caption(state: SandboxState, call: Call) -> Any:
    """Replace the caption (and keyboard) of a media message."""
    p = call.params
    chat, old = edit_target(state, call)
    if old.kind == "text":
        raise bad_request("there is no caption in the message to edit")
    caption, entities = check_caption(p.get("caption"), p.get("parse_mode"),
                                      p.get("caption_entities"))
    markup = check_reply_markup(p.get("reply_markup"), rules_for(chat, state.config),
                                inline_only=True)
    if caption == old.text and entities == old.entities and markup == _inline(
            old.reply_markup):
        raise not_modified()
    return _apply(state, chat, old, kind=old.kind, text=caption, entities=entities,
                  media=old.raw.get(old.kind), markup=markup, html=html_source(p, "caption"),
                  file_id=old.file_id, document_name=old.document_name)


async def edit_message_media(state: SandboxState, call: Call) -> Any:
    """Replace the media, caption and keyboard of a media message."""
    p = call.params
    chat, old = edit_target(state, call)
    item = p["media"]
    kind = item.get("type")
    if kind not in MEDIA_KINDS or kind == "voice":
        raise bad_request("unsupported media type")
    if old.kind == "text":
        raise bad_request("there is no media in the message to edit")
    caption, entities = check_caption(item.get("caption"), item.get("parse_mode"),
                                      item.get("caption_entities"))
    markup = check_reply_markup(p.get("reply_markup"), rules_for(chat, state.config),
                                inline_only=True)
    prepared = await prepare_file(state, call, kind, item.get("media"))
    if (prepared.existing is not None and prepared.existing.file_id == old.file_id
            and caption == old.text and markup == _inline(old.reply_markup)):
        raise not_modified()
    stored = commit_file(state, prepared, item)
    return _apply(state, chat, old, kind=kind, text=caption, entities=entities,
                  media=media_json(state, stored, item), markup=markup,
                  html=html_source(item, "caption"), file_id=stored.file_id,
                  document_name=stored.file_name)


async def edit_message_reply_markup(state: SandboxState, call: Call) -> Any:
    """Replace (or remove) the inline keyboard of a message."""
    chat, old = edit_target(state, call)
    markup = check_reply_markup(call.params.get("reply_markup"),
                                rules_for(chat, state.config), inline_only=True)
    if markup == _inline(old.reply_markup):
        raise not_modified()
    return _apply(state, chat, old, kind=old.kind, text=old.text, entities=old.entities,
                  media=old.raw.get(old.kind) if old.kind != "text" else None, markup=markup,
                  html=old.html, file_id=old.file_id, document_name=old.document_name)


def _delete(chat: Chat, message_id: int) -> bool:
    message = chat.find_message(message_id)
    if message is not None:
        chat.publish(dataclasses.replace(message, deleted=True))
        return True
    return chat.user_messages.pop(message_id, None) is not None


async def delete_message(state: SandboxState, call: Call) -> Any:
    """Delete one bot or user message."""
    chat = state.resolve_chat(call.params["chat_id"])
    call.chat_id = chat.id
    if not _delete(chat, call.params["message_id"]):
        raise bad_request("message to delete not found")
    return True


async def delete_messages(state: SandboxState, call: Call) -> Any:
    """Delete up to 100 messages, skipping those that do not exist."""
    chat = state.resolve_chat(call.params["chat_id"])
    call.chat_id = chat.id
    ids = call.params["message_ids"]
    if not 1 <= len(ids) <= 100 or not all(isinstance(i, int) for i in ids):
        raise bad_request("message identifiers are invalid")
    for message_id in ids:
        _delete(chat, message_id)
    return True


HANDLERS = {
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageMedia": edit_message_media,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "deleteMessages": delete_messages,
}
