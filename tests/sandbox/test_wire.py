"""Wire fidelity over plain HTTP: body encodings, reply shapes, ids, dates, downloads."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import BadRequest

from bot.sandbox import SandboxServer
from tests.sandbox.samples import call_api


async def test_get_me_shape(sandbox: SandboxServer) -> None:
    status, body = await call_api(sandbox, "getMe", http_method="GET")
    assert status == 200 and body["ok"] is True
    assert body["result"]["is_bot"] is True
    assert body["result"]["id"] == 123456
    assert body["result"]["username"] == "annobot_sandbox_bot"


async def test_json_urlencoded_and_query_bodies(sandbox: SandboxServer) -> None:
    sandbox.user(5)
    _, by_json = await call_api(sandbox, "sendMessage", json_body={"chat_id": 5, "text": "j"})
    _, by_form = await call_api(sandbox, "sendMessage", form={"chat_id": "5", "text": "f"})
    url = f"{sandbox.base_url}{sandbox.token}/sendMessage?chat_id=5&text=q"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        by_query = await response.json()
    ids = [r["result"]["message_id"] for r in (by_json, by_form, by_query)]
    assert ids == [1, 2, 3]
    date = by_json["result"]["date"]
    assert isinstance(date, int) and abs(date - time.time()) < 60  # seconds, not ms


async def test_multipart_upload_and_download(sandbox: SandboxServer) -> None:
    sandbox.user(5)
    form = aiohttp.FormData()
    form.add_field("chat_id", "5")
    form.add_field("document", b"raw bytes", filename="r.bin",
                   content_type="application/octet-stream")
    url = f"{sandbox.base_url}{sandbox.token}/sendDocument"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=form) as response:
            document = (await response.json())["result"]["document"]
        _, got = await call_api(sandbox, "getFile", form={"file_id": document["file_id"]})
        path = got["result"]["file_path"]
        async with session.get(f"{sandbox.base_file_url}{sandbox.token}/{path}") as response:
            assert await response.read() == b"raw bytes"
        async with session.get(f"{sandbox.base_file_url}{sandbox.token}/nope") as response:
            assert response.status == 404


async def test_a_multipart_body_in_uneven_pieces_is_read_whole(sandbox: SandboxServer) -> None:
    """A short read followed by a long one (it once made aiohttp warn, and the upload fail)."""
    sandbox.user(5)
    boundary = "b0undary-b0undary-b0undary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="chat_id"\r\n\r\n5\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="caption"\r\n\r\n').encode()
    tail = (f'fgh\r\n--{boundary}\r\nContent-Disposition: form-data; name="document"; '
            f'filename="r.bin"\r\nContent-Type: application/octet-stream\r\n\r\n').encode()
    pieces = [head + b"ab", b"cde", tail + b"x" * 9000 + f"\r\n--{boundary}--\r\n".encode()]

    async def body() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece
            # Shapes the traffic so each piece reaches the server as a read of its own; on a
            # machine too slow for that, the pieces merge and the test only loses its edge.
            await asyncio.sleep(0.05)

    url = f"{sandbox.base_url}{sandbox.token}/sendDocument"
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    async with aiohttp.ClientSession() as session, session.post(
            url, data=body(), headers=headers) as response:
        assert response.status == 200, await response.text()
        result = (await response.json())["result"]
    assert result["caption"] == "abcdefgh"
    assert result["document"]["file_size"] == 9000


async def test_error_shape_and_status(sandbox: SandboxServer) -> None:
    assert await call_api(sandbox, "sendMessage", form={"chat_id": "1", "text": "x"}) == (
        400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})
    assert await call_api(sandbox, "getMe", token="654321:OTHER") == (
        401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    assert await call_api(sandbox, "getMe", token="garbage") == (
        404, {"ok": False, "error_code": 404, "description": "Not Found"})


async def test_message_ids_are_per_chat(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    sandbox.user(1)
    sandbox.user(2)
    a = await sandbox_bot.send_message(1, "a")
    b = await sandbox_bot.send_message(2, "b")
    assert a.message_id == b.message_id == 1


async def test_commands_per_language(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    await sandbox_bot.set_my_commands([BotCommand("start", "Start")])
    await sandbox_bot.set_my_commands([BotCommand("start", "Manomboka")], language_code="mg")
    assert [c.description for c in await sandbox_bot.get_my_commands()] == ["Start"]
    mg = await sandbox_bot.get_my_commands(language_code="mg")
    assert [c.description for c in mg] == ["Manomboka"]
    assert await sandbox_bot.get_my_commands(language_code="fr") == ()
    await sandbox_bot.delete_my_commands(language_code="mg")
    assert await sandbox_bot.get_my_commands(language_code="mg") == ()


async def test_commands_per_chat_need_a_known_chat(sandbox: SandboxServer,
                                                   sandbox_bot: Bot) -> None:
    sandbox.user(7)
    await sandbox_bot.set_my_commands([BotCommand("stats", "Stats")],
                                      scope=BotCommandScopeChat(7))
    mine = await sandbox_bot.get_my_commands(scope=BotCommandScopeChat(7))
    assert [c.command for c in mine] == ["stats"]
    assert await sandbox_bot.get_my_commands() == ()  # the default scope is untouched
    with pytest.raises(BadRequest, match="Chat not found"):
        await sandbox_bot.set_my_commands([BotCommand("stats", "Stats")],
                                          scope=BotCommandScopeChat(8))


async def test_close_log_out_and_descriptions(sandbox: SandboxServer, sandbox_bot: Bot) -> None:
    assert await sandbox_bot.set_my_description("Label data", language_code="en")
    assert (await sandbox_bot.get_my_description("en")).description == "Label data"
    assert await sandbox_bot.close() is True
    assert await sandbox_bot.log_out() is True


async def test_request_log_records_chat_and_status(sandbox: SandboxServer, sandbox_bot: Bot
                                                   ) -> None:
    sandbox.user(1)
    await sandbox_bot.send_message(1, "logged")
    record = sandbox.stats.log[-1]
    assert (record.method, record.chat_id, record.status, record.ok) == (
        "sendMessage", 1, 200, True)
    assert "text='logged'" in record.params
    assert sandbox.stats.count("sendMessage", chat_id=1) == 1
    sandbox.stats.reset()
    assert sandbox.stats.log == [] and not sandbox.stats.calls
