"""Forwarded messages: PTB sees ``forward_origin`` (a user, or one who hides their account)."""

from __future__ import annotations

from telegram import Bot, MessageOriginHiddenUser, MessageOriginUser

from bot.sandbox import SandboxServer


async def test_forwarded_text_carries_its_origin(sandbox: SandboxServer, sandbox_bot: Bot
                                                 ) -> None:
    admin, author = sandbox.user(1, "Admin"), sandbox.user(2, "Voahangy")
    await admin.forward_text("hello", origin=author)
    await admin.forward_text("secret")
    first, second = await sandbox_bot.get_updates()
    assert first.message is not None and first.message.text == "hello"
    origin = first.message.forward_origin
    assert isinstance(origin, MessageOriginUser) and origin.sender_user.id == 2
    assert first.message.from_user is not None and first.message.from_user.id == 1
    assert second.message is not None
    assert isinstance(second.message.forward_origin, MessageOriginHiddenUser)
