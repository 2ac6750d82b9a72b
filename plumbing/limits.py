"""Limits every service applies: a cap on request bodies (413) and a request budget per partner system (429)."""

import json
import math
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuses bodies larger than `limit` bytes with 413, by the declared length or while the body streams in."""

    def __init__(self, app: App, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": f"body: larger than {self.limit} bytes"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


@dataclass
class RateLimiter:
    """A token bucket per caller: `per_minute` requests a minute, with bursts up to the same number."""

    per_minute: int
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def retry_after(self, caller: str, now: float | None = None) -> int:
        """0 if the caller may go ahead (and spends a token), else the seconds to wait."""
        now = time.monotonic() if now is None else now
        rate = self.per_minute / 60.0
        tokens, at = self.buckets.get(caller, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - at) * rate)
        if tokens >= 1:
            self.buckets[caller] = (tokens - 1, now)
            return 0
        self.buckets[caller] = (tokens, now)
        return max(1, math.ceil((1 - tokens) / rate))


# a `\uD800`-`\uDFFF` escape in JSON: half of a UTF-16 pair; alone, it decodes to a string no database can store
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any(0xD800 <= ord(character) <= 0xDFFF for character in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(key) or _has_lone_surrogate(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    return False


class TextGuard:
    """Refuses, with 422, a JSON body whose text holds half of a UTF-16 surrogate pair (a lone `\\ud800` escape): valid
    JSON, but no text, and MongoDB refuses to store it, which would otherwise surface as a server error after part of
    the work was done. Only bodies with such an escape are decoded here; the rest pass untouched."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", [])) if scope["type"] == "http" else {}
        if b"json" not in headers.get(b"content-type", b""):
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, receive, send)
                return
            chunks.append(message.get("body", b""))
            more = bool(message.get("more_body"))
        body = b"".join(chunks)
        if SURROGATE_ESCAPE.search(body):
            try:
                lone = _has_lone_surrogate(json.loads(body))
            except ValueError:
                lone = False  # not JSON: the route says so itself
            if lone:
                refusal = {
                    "detail": [{"loc": ["body"], "msg": "text with half a UTF-16 surrogate pair", "type": "text"}]
                }
                await send(
                    {"type": "http.response.start", "status": 422, "headers": [(b"content-type", b"application/json")]}
                )
                await send({"type": "http.response.body", "body": json.dumps(refusal).encode()})
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
