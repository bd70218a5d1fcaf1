"""The simulated users: sending, tapping by text (also after edits), blocking, waiting."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.sandbox import ButtonNotFound, SandboxServer, UserBlockedBot
from tests.sandbox.samples import png_bytes


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    """Build a one-row keyboard whose callback data is the lowercased label."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=t.lower())
                                  for t in labels]])


async def test_tap_by_text_on_an_edited_message(sandbox: SandboxServer, sandbox_bot: Bot
                                                ) -> None:
    user = sandbox.user(1)
    sent = await sandbox_bot.send_message(1, "pick", reply_markup=keyboard("Cat", "Dog"))
    await sandbox_bot.edit_message_text("pick again", 1, sent.message_id,
                                        reply_markup=keyboard("Bird"))
    with pytest.raises(ButtonNotFound):
        await user.tap("Cat")  # no longer on the message's current keyboard
    query_id = await user.tap("Bird")
    (update,) = await sandbox_bot.get_updates()
    query = update.callback_query
    assert query is not None and query.id == query_id and query.data == "bird"
    assert query.message.text == "pick again"  # type: ignore[union-attr]
    assert query.chat_instance and query.from_user.id == 1


async def test_tap_needs_a_keyboard(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    user = sandbox.user(1)
    with pytest.raises(ButtonNotFound):
        await user.tap("Anything")
    sent = await sandbox_bot.send_message(1, "plain")
    with pytest.raises(ButtonNotFound):
        await user.tap("Anything", message_id=sent.message_id)


async def test_tap_data_forges_stale_buttons(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    user = sandbox.user(1)
    sent = await sandbox_bot.send_message(1, "old")
    await user.tap_data(sent.message_id, "v1:expired")
    (update,) = await sandbox_bot.get_updates()
    assert update.callback_query.data == "v1:expired"  # type: ignore[union-attr]


async def test_commands_replies_and_deep_links(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    user = sandbox.user(1, "Ravo", language_code="mg", username="ravo")
    await user.send_command("start", payload="inv_abc")
    bot_message = await sandbox_bot.send_message(1, "hello")
    await user.send_text("answer", reply_to=bot_message.message_id)
    start, reply = await sandbox_bot.get_updates()
    assert start.message.text == "/start inv_abc"  # type: ignore[union-attr]
    assert start.message.parse_entities() == {  # type: ignore[union-attr]
        start.message.entities[0]: "/start"}  # type: ignore[union-attr]
    assert start.effective_user.language_code == "mg"  # type: ignore[union-attr]
    assert reply.message.reply_to_message.message_id == bot_message.message_id  # type: ignore[union-attr]
    # one message counter per chat, shared by the user and the bot
    assert [start.message.message_id, bot_message.message_id,  # type: ignore[union-attr]
            reply.message.message_id] == [1, 2, 3]  # type: ignore[union-attr]


async def test_photo_from_a_user(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    await sandbox.user(1).send_photo(png_bytes(640, 480), caption="look")
    (update,) = await sandbox_bot.get_updates()
    photo = update.message.photo  # type: ignore[union-attr]
    assert [(p.width, p.height) for p in photo] == [(90, 68), (320, 240), (640, 480)]
    assert update.message.caption == "look"  # type: ignore[union-attr]


async def test_block_and_unblock(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    user = sandbox.user(1)
    user.block()
    with pytest.raises(UserBlockedBot):
        await user.send_text("hi")
    user.unblock()
    kicked, member = await sandbox_bot.get_updates()
    assert kicked.my_chat_member.new_chat_member.status == "kicked"  # type: ignore[union-attr]
    assert member.my_chat_member.new_chat_member.status == "member"  # type: ignore[union-attr]


async def test_wait_for_and_next_change(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    user = sandbox.user(1)
    sent = await sandbox_bot.send_message(1, "v1")
    assert (await user.wait_for(lambda m: m.text == "v1")).message_id == sent.message_id
    mark = user.version
    await sandbox_bot.edit_message_text("v2", 1, sent.message_id)
    await sandbox_bot.send_message(1, "other")
    change = await user.next_change(after=mark)
    assert (change.text, change.edit_count) == ("v2", 1)
    assert user.last_message.text == "other"  # type: ignore[union-attr]
    with pytest.raises(TimeoutError, match="v2"):
        await user.next_change(timeout=0.05)  # nothing new; the dump shows the chat


async def test_messages_hide_deleted_ones(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    user = sandbox.user(1)
    first = await sandbox_bot.send_message(1, "first")
    await sandbox_bot.send_message(1, "second")
    await sandbox_bot.delete_message(1, first.message_id)
    assert [m.text for m in user.messages] == ["second"]
    assert [m.deleted for m in user.history] == [True, False]


async def test_callback_answer_is_readable(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    user = sandbox.user(1)
    await sandbox_bot.send_message(1, "q", reply_markup=keyboard("Yes"))
    query_id = await user.tap("Yes")
    await sandbox_bot.answer_callback_query(query_id, "Saved!", show_alert=True)
    answer = await user.wait_for_callback_answer(query_id)
    assert (answer.text, answer.show_alert) == ("Saved!", True)
