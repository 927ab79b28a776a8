"""The web application: JSON API, dashboard pages and static assets, all served by this package
(no CDN: it works with the network cable unplugged)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from marsad import config
from marsad.store import Store
from marsad.store.crypto import KeyRequiredError, StoreKey, load_key_file
from marsad.web import api, pages
from marsad.web.access import TokenCache
from marsad.web.auth import SignInThrottle
from marsad.web.masking import MaskJson
from marsad.web.params import BadInput, has_nul

MAX_BODY_BYTES = 1024 * 1024
STATIC_DIR = Path(__file__).parent / "static"
log = logging.getLogger("marsad.web")

_ERROR_NAMES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    422: "invalid_parameters",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}
_SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
# Every answer but a static file depends on who asks (clearance, masking, CSRF tokens) or may
# hold a secret (a new API token): no browser or proxy may keep a copy.
_NO_STORE = (b"cache-control", b"no-store")


def _response_headers(
    scope: Scope, headers: list[tuple[bytes, bytes]]
) -> list[tuple[bytes, bytes]]:
    if str(scope.get("path", "")).startswith("/static/"):
        return headers + _SECURITY_HEADERS
    kept = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
    return kept + _SECURITY_HEADERS + [_NO_STORE]


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes (declared or streamed) with a 413, and add
    security headers (and ``Cache-Control: no-store`` outside /static) to every response."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(send)
            return
        seen = 0
        refused = False  # set once the stream passes the limit; the answer is then a 413

        async def limited_receive() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    refused = True
                    raise _BodyTooLarge()
            return message

        async def secure_send(message: Message) -> None:
            # FastAPI's body parser turns any error while reading into its own 400; a body that
            # went over the limit must still be answered 413, whatever the handler made of it
            if refused:
                if message["type"] == "http.response.start":
                    await _too_large(send)
                return
            if message["type"] == "http.response.start":
                message["headers"] = _response_headers(scope, list(message.get("headers", [])))
            await send(message)

        try:
            await self.app(scope, limited_receive, secure_send)
        except _BodyTooLarge:
            await _too_large(send)


class _BodyTooLarge(Exception):
    pass


async def _too_large(send: Send) -> None:
    body = b'{"error":"too_large","detail":"request bodies are limited to 1 MB"}'
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), *_SECURITY_HEADERS, _NO_STORE],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path.startswith("/static")


def error_response(
    request: Request, status: int, detail: Any, headers: Mapping[str, str] | None = None
) -> Response:
    if _wants_json(request):
        return JSONResponse(
            {"error": _ERROR_NAMES.get(status, "error"), "detail": detail},
            status_code=status,
            headers=headers,
        )
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    page = pages.error_page(request, status, detail)
    page.headers.update(headers or {})
    return page


async def answer_error(
    request: Request, status: int, detail: Any, headers: Mapping[str, str] | None = None
) -> Response:
    """The error response, built off the event loop when it is a page: rendering one masks
    names with the store's masker, which may read the database."""
    if _wants_json(request) or status == 401:
        return error_response(request, status, detail, headers)
    return await run_in_threadpool(error_response, request, status, detail, headers)


async def refuse_nul(request: Request) -> None:
    """A NUL anywhere in the path or the query is a 400 before any handler runs: PostgreSQL
    cannot take one in a text value, SQLite would, and both must answer alike."""
    if has_nul(request.url.path) or any(
        has_nul(k, v) for k, v in request.query_params.multi_items()
    ):
        raise BadInput("the request holds a NUL character")


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with Nagle's algorithm switched off on every connection.

    With ``--workers`` uvicorn binds the listening socket itself without naming TCP as the
    protocol, so asyncio does not set TCP_NODELAY on accepted connections; a response written
    as headers then body then waits for the client's delayed ACK on Linux. Setting it here
    gives every worker the single-process latency."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):  # not TCP after all: nothing to tune
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)  # type: ignore[arg-type]


HTTP_PROTOCOL = "marsad.web.app:NoDelayH11Protocol"
ENV_URL = "MARSAD_WEB_DATABASE_URL"
ENV_PUBLIC_READ = "MARSAD_WEB_PUBLIC_READ"


def app_from_env() -> FastAPI:
    """The app for uvicorn's ``--factory`` mode, configured from the environment.

    With several worker processes uvicorn imports the app by name in each process, so the
    database URL and the public-read switch travel in ``MARSAD_WEB_DATABASE_URL`` and
    ``MARSAD_WEB_PUBLIC_READ`` (set by ``marsad serve``) and each worker opens its own store,
    with the key named by ``MARSAD_KEY_FILE`` when the store is encrypted."""
    url = os.environ.get(ENV_URL)
    if not url:
        raise RuntimeError(f"set {ENV_URL} to the database URL (marsad serve does)")
    key_file = config.key_file()
    key = load_key_file(key_file) if key_file else None
    return create_app(url, public_read=os.environ.get(ENV_PUBLIC_READ) == "1", key=key)


def create_app(
    store_url: str, *, public_read: bool = False, key: StoreKey | None = None
) -> FastAPI:
    """The whole web application over the database at ``store_url``. With ``public_read`` an
    anonymous visitor may read public records; otherwise everything needs an account. ``key``
    opens an encrypted store (the server holds it in memory while it runs)."""
    store = Store(store_url, key=key)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        lifespan=lifespan,
        title="Marsad API",
        version="1",
        description="Evidence-linked incidents of attacks on civilians. See docs/web.md.",
        openapi_url="/api/openapi.json",
        docs_url=None,  # the stock API explorers load scripts from a CDN
        redoc_url=None,
        dependencies=[Depends(refuse_nul)],
    )
    app.state.store = store
    app.state.public_read = public_read
    app.state.token_cache = TokenCache()
    app.state.sign_in_throttle = SignInThrottle()
    _add_error_handlers(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(MaskJson)
    app.add_middleware(BodyLimit)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return await answer_error(request, exc.status_code, exc.detail, exc.headers)

    @app.exception_handler(HTTPException)
    async def fastapi_http_error(request: Request, exc: HTTPException) -> Response:
        return await answer_error(request, exc.status_code, exc.detail, exc.headers)

    @app.exception_handler(BadInput)
    async def bad_input(request: Request, exc: BadInput) -> Response:
        detail: Any = str(exc) if exc.detail is None else {"message": str(exc), "value": exc.detail}
        return await answer_error(request, 400, detail)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {
                "where": ".".join(str(p) for p in e.get("loc", ())),
                "message": e.get("msg", "invalid"),
            }
            for e in exc.errors()
        ]
        # a NUL in a body is refused like one in the query: 400, not "invalid parameters"
        status = 400 if any(e.get("type") == "nul_byte" for e in exc.errors()) else 422
        return await answer_error(request, status, problems)

    @app.exception_handler(KeyRequiredError)
    async def no_key(request: Request, exc: KeyRequiredError) -> Response:
        # the server was started without the key of an encrypted store: say so, not a 500
        # (as plain JSON: a page would need the name masker, which needs the key)
        return JSONResponse({"error": "unavailable", "detail": str(exc)}, status_code=503)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # logged here with its trace; the client gets no trace and no internals
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return await answer_error(request, 500, "the server could not complete this request")


def iter_routes(app: FastAPI) -> Iterator[tuple[str, frozenset[str]]]:
    """Every (path, methods) the app serves, routers included flattened (mounts: no methods).
    The authorization tests walk this so that no route escapes them."""

    def walk(routes: Iterable[Any]) -> Iterator[tuple[str, frozenset[str]]]:
        for route in routes:
            if hasattr(route, "effective_candidates"):
                yield from walk(route.effective_candidates())
            elif isinstance(route, Mount):
                yield route.path, frozenset()
            elif hasattr(route, "path"):
                yield route.path, frozenset(getattr(route, "methods", None) or ())

    yield from walk(app.routes)
