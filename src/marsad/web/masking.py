"""The web's output edge: every JSON response passes through the reader's name masker.

Handlers already read through the reader's clearance; this middleware is the last step before
the bytes leave, so a handler written tomorrow cannot forget it. It decodes each
``application/json`` body, masks every string in it with :meth:`Disclosure.show` for the
clearance of the reader the request identified (anonymous when none was, so it fails closed), and
encodes it again. Readers cleared for restricted records get the body untouched.

Pages are masked before rendering instead (``pages.render``): masking HTML text after the fact
would meet names split by entities and tags.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marsad.protect.disclosure import Disclosure
from marsad.store.crypto import KeyRequiredError
from marsad.web.auth import Reader

try:  # pragma: no cover - orjson is optional
    import orjson as _orjson
except ImportError:  # pragma: no cover
    _orjson = None  # type: ignore[assignment]


def clearance_of(scope: Scope) -> str:
    """The clearance of the reader a request identified; ``public`` when it identified none."""
    reader = (scope.get("state") or {}).get("reader")
    return reader.max_sensitivity if isinstance(reader, Reader) else "public"


def _decode(body: bytes) -> Any:
    return _orjson.loads(body) if _orjson is not None else json.loads(body)


def _encode(value: Any) -> bytes:
    if _orjson is not None:
        return bytes(_orjson.dumps(value))
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class MaskJson:
    """Mask protected names in every JSON body for readers not cleared for restricted."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def masking_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if not _is_json(message):
                    await send(message)
                    return
                start = message
                return
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            status = start["status"]
            try:
                body = self._masked(scope, b"".join(chunks))
            except KeyRequiredError as exc:
                # no key, no masker: nothing is sent that could not be masked
                status, body = 503, _encode({"error": "unavailable", "detail": str(exc)})
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, masking_send)

    def _masked(self, scope: Scope, body: bytes) -> bytes:
        clearance = clearance_of(scope)
        if clearance == "restricted" or not body:
            return body
        masker = scope["app"].state.store.name_masker(clearance)
        if not masker:
            return body
        return _encode(Disclosure(masker, public=clearance == "public").show(_decode(body)))


def _is_json(message: Message) -> bool:
    for key, value in message.get("headers", []):
        if key.lower() == b"content-type":
            kind = value.split(b";")[0].strip().lower()
            # exports (application/geo+json, CSV, JSON Lines) stream and are masked row by row
            # by the exporter: buffering them here would hold a whole export in memory
            return bool(kind == b"application/json")
    return False
