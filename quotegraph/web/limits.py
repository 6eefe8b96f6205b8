"""ASGI middleware: a cap on request bodies, and security headers on every response.

The body cap is enforced twice: a declared ``Content-Length`` over the limit is refused before
anything is read, and a body sent without one (chunked) is counted as it streams in and
refused the moment it passes the limit, so no request can make the server buffer more.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from quotegraph.web.errors import TooLarge

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Paths whose pages load scripts the strict policy would block (the OpenAPI docs' bundle).
_DOCS_PATHS = ("/docs", "/redoc", "/static-offline-docs")

#: Pages and API answers only ever load this server's own CSS and JS.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class BodyLimit:
    """Refuse request bodies larger than ``max_bytes`` with 413."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _refuse(scope, send, self._message(f"{int(declared):,} bytes"))
            return
        await self.app(scope, self._counting(receive), send)

    def _counting(self, receive: Receive) -> Receive:
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise TooLarge(self._message(f"more than {self.max_bytes:,} bytes"))
            return message

        return counted

    def _message(self, size: str) -> str:
        return (
            f"the request is {size}, over this server's limit of {self.max_bytes:,} bytes; "
            "send a shorter article, or start the server with a larger --max-bytes"
        )


class SecurityHeaders:
    """Add a strict Content-Security-Policy and friends to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        strict = not str(scope.get("path", "")).startswith(_DOCS_PATHS)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                ]
                if strict:
                    headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def _refuse(scope: Scope, send: Send, message: str) -> None:
    """A 413 answer sent straight from the middleware (the app never saw the request)."""
    if str(scope.get("path", "")).startswith("/v1/"):
        body = json.dumps({"error": {"status": 413, "message": message}}).encode()
        content_type = b"application/json"
    else:
        body = (
            "<!doctype html><meta charset=utf-8><title>Too large - quotegraph</title>"
            "<h1>Too large</h1><p>" + _escape(message) + '</p><p><a href="/">Back</a></p>'
        ).encode()
        content_type = b"text/html; charset=utf-8"
    await send({
        "type": "http.response.start", "status": 413,
        "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close")],
    })
    await send({"type": "http.response.body", "body": body})


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
