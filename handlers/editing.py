"""Replacing a message's text in place, whatever kind of message a button was under.

Buttons normally sit under the bot's own text messages, but callback data can be forged onto
any message: a task's photo or audio (which has a caption, not a text), or a message too old
for the client to show (``InaccessibleMessage``), or none at all (inline mode, which the bot
does not use). Editing the text of those fails with "There is no text in the message to
edit"; here the text is sent as a new message instead.
"""

from __future__ import annotations

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, MaybeInaccessibleMessage, Message


def text_message(message: MaybeInaccessibleMessage | None) -> Message | None:
    """Return ``message`` if its text can be edited (a text message), else None."""
    if isinstance(message, Message) and message.text is not None:
        return message
    return None


async def replace_text(bot: Bot, query: CallbackQuery, text: str, *,
                       parse_mode: str | None = None,
                       reply_markup: InlineKeyboardMarkup | None = None) -> None:
    """Show ``text`` in place of the text the button was under, or as a new message."""
    editable = text_message(query.message)
    if editable is not None:
        await editable.edit_text(text, parse_mode=parse_mode, reply_markup=reply_markup)
    elif query.message is not None:
        await bot.send_message(query.message.chat.id, text, parse_mode=parse_mode,
                               reply_markup=reply_markup)
    else:  # an inline-mode message: the bot sends none, so the data is forged
        await bot.send_message(query.from_user.id, text, parse_mode=parse_mode,
                               reply_markup=reply_markup)
