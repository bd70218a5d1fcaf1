"""Reading request bodies: query string, JSON, urlencoded and multipart (with file parts).

Multipart parts are read one by one with a running size cap; a body over the upload limit
is drained (so the client can read the answer) and refused with 413, as Telegram does.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import BodyPartReader, web

from bot.sandbox.errors import ApiError, bad_request
from bot.sandbox.params import Upload

CHUNK = 256 * 1024


def _too_large() -> ApiError:
    return ApiError(413, "Request Entity Too Large")


async def read_body(request: web.Request, max_bytes: int
                    ) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Return the raw parameters and the uploaded files of an API request."""
    raw: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method != "POST" or not request.body_exists:
        return raw, uploads
    content_type = request.content_type
    if content_type == "multipart/form-data":
        await _read_multipart(request, max_bytes, raw, uploads)
    elif content_type == "application/json":
        body = await request.read()
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            raise bad_request("can't parse JSON request body") from None
        if not isinstance(data, dict):
            raise bad_request("request body must be a JSON object")
        raw.update(data)
    else:  # urlencoded, or no content type at all
        raw.update(await request.post())
    return raw, uploads


async def _read_multipart(request: web.Request, max_bytes: int, raw: dict[str, Any],
                          uploads: dict[str, Upload]) -> None:
    reader = await request.multipart()
    total = 0
    while True:
        part = await reader.next()
        if part is None:
            return
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.filename is None:
            raw[part.name] = await part.text()
            continue
        chunks: list[bytes] = []
        while chunk := await part.read_chunk(CHUNK):
            total += len(chunk)
            if total > max_bytes:
                await _drain(request)
                raise _too_large()
            chunks.append(chunk)
        upload = Upload(part.filename, part.headers.get("Content-Type",
                                                        "application/octet-stream"),
                        b"".join(chunks))
        uploads[part.name] = upload
        raw[part.name] = upload


async def _drain(request: web.Request) -> None:
    while await request.content.readany():
        pass
