"""Request limits, enforced before any route runs: body size, JSON shape, URL encoding.

A pure ASGI middleware, so an oversized or hostile body is refused while it is still being read
(no 50 MB string ever reaches a parser) and every route can trust that a JSON body is valid
UTF-8, at most `max_depth` deep, with no string longer than `max_string`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote_to_bytes

import orjson

from tradescreen.api.config import ApiConfig

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_URL = 8192


class Refused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def check_json(value: Any, config: ApiConfig) -> None:
    """Depth and string-length limits on a parsed JSON value (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if len(item) > config.max_string:
                raise Refused(413, f"a string in the body has {len(item)} characters; the "
                                   f"limit is {config.max_string}")
            if "\x00" in item:  # no name, id or reason holds one; C strings would cut there
                raise Refused(422, f"a string in the body holds a NUL character: {item[:60]!r}")
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > config.max_depth:
            raise Refused(400, f"JSON nested deeper than {config.max_depth} levels")
        if isinstance(item, dict):
            for key, sub in item.items():
                stack.append((key, depth))
                stack.append((sub, depth + 1))
        else:
            stack.extend((sub, depth + 1) for sub in item)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value)
    return None


def _check_url(scope: Scope) -> None:
    raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "surrogateescape")
    query = scope.get("query_string", b"")
    if len(raw_path) + len(query) > MAX_URL:
        raise Refused(414, f"URL longer than {MAX_URL} bytes")
    for part in (raw_path, query):
        try:
            unquote_to_bytes(part).decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(400, "the URL is not valid UTF-8 once percent-decoded") from None
    if "\x00" in scope.get("path", ""):
        raise Refused(400, "the URL path holds a NUL character")


def _is_json(content_type: bytes | None) -> bool:
    if content_type is None:
        return True  # yente's clients sometimes omit it; the body must still parse as JSON
    media = content_type.split(b";", 1)[0].strip().lower()
    return media == b"application/json" or media.endswith(b"+json")


class LimitsMiddleware:
    def __init__(self, app: ASGIApp, config: ApiConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            _check_url(scope)
            body = await self._read_body(scope, receive)
        except Refused as exc:
            await _refuse(send, exc.status, exc.detail)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        limit = self.config.max_body
        length = _header(scope, b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                raise Refused(400, "Content-Length is not a number") from None
            if declared > limit:
                raise Refused(413, f"request body of {declared} bytes; the limit is {limit}")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise Refused(413, f"request body over the limit of {limit} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        # The workbench (/ui, tradescreen.web) posts HTML forms; only the size limit applies.
        is_form_page = scope.get("path", "").startswith("/ui/")
        if body and scope.get("method") in ("POST", "PUT", "PATCH") and not is_form_page:
            if not _is_json(_header(scope, b"content-type")):
                raise Refused(415, "the body must be JSON (Content-Type: application/json)")
            try:
                value = orjson.loads(body)
            except orjson.JSONDecodeError as exc:
                raise Refused(400, f"the body is not valid JSON: {exc}") from None
            check_json(value, self.config)
        return body


async def _refuse(send: Send, status: int, detail: str) -> None:
    payload = orjson.dumps({"detail": detail})
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode())],
    })
    await send({"type": "http.response.body", "body": payload})
