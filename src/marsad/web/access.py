"""Who may do what in the web app, for the API and the pages alike: the reader of a request
(session cookie or API token, tokens cached for a moment), the clearance rules, and the store.

A rule is a plain function that returns the reader or raises the HTTP error a reader without
the clearance gets; the dependencies of the same names let FastAPI apply them to a route."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from marsad.web.auth import Reader, identify

SIGN_IN = "sign in or send an API token"


def store_of(request: Request) -> Any:
    return request.app.state.store


TOKEN_CACHE_SECONDS = 2.0
TOKEN_CACHE_SIZE = 1024


class TokenCache:
    """API token -> reader for a couple of seconds, per process.

    Looking the token's hash up on every request is a database round trip that a page would
    otherwise pay each time (see docs/benchmarks.md). Only Bearer tokens
    that resolved to an account are kept; revoking a token through this app clears the cache
    at once, and a revocation or a disabled account elsewhere (the CLI, another worker)
    takes effect within ``TOKEN_CACHE_SECONDS``."""

    def __init__(self, ttl: float = TOKEN_CACHE_SECONDS, size: int = TOKEN_CACHE_SIZE) -> None:
        self.ttl, self.size = ttl, size
        self._items: dict[str, tuple[float, Reader]] = {}

    def get(self, header: str) -> Reader | None:
        found = self._items.get(header)
        if found is None:
            return None
        if found[0] < time.monotonic():
            self._items.pop(header, None)
            return None
        return found[1]

    def put(self, header: str, reader: Reader) -> None:
        if len(self._items) >= self.size:
            self._items.clear()
        self._items[header] = (time.monotonic() + self.ttl, reader)

    def clear(self) -> None:
        self._items.clear()


def forget_tokens(request: Request) -> None:
    """After a revocation: the next request with any token is checked in the database again."""
    cache = getattr(request.app.state, "token_cache", None)
    if isinstance(cache, TokenCache):
        cache.clear()


# The dependencies are ``async def`` so that a cached API token (the common case) costs no
# hand-off to a worker thread: each one and back costs more server time than the look-up it
# wraps, most of it in waking the event loop. Whatever
# reads the database (an uncached token, a session cookie) runs in the thread pool: a query
# waiting on a lock must never stop the event loop, and with it every other request.
async def current_reader(request: Request) -> Reader:
    header = request.headers.get("authorization", "")
    if not header:
        if not request.cookies:  # anonymous: nothing to look up
            return identify(request)
        return await run_in_threadpool(identify, request)
    cache = getattr(request.app.state, "token_cache", None)
    reader = cache.get(header) if isinstance(cache, TokenCache) else None
    if reader is None:
        # a bad or revoked token raises 401 here: never cached
        reader = await run_in_threadpool(identify, request)
        if reader.via == "token" and isinstance(cache, TokenCache):
            cache.put(header, reader)
    request.state.reader = reader
    return reader


# -- the rules: each raises the answer a reader without the clearance gets ----------------


def may_read(request: Request, reader: Reader) -> Reader:
    """Any signed-in account, or anyone when the app serves public read."""
    if reader.account is None and not request.app.state.public_read:
        raise HTTPException(401, SIGN_IN)
    return reader


def has_account(reader: Reader) -> Reader:
    if reader.account is None:
        raise HTTPException(401, SIGN_IN)
    return reader


def may_review(reader: Reader) -> Reader:
    if not has_account(reader).can_review:
        raise HTTPException(403, "this needs an analyst or admin account")
    return reader


def is_admin(reader: Reader) -> Reader:
    if not has_account(reader).is_admin:
        raise HTTPException(403, "this needs an admin account")
    return reader


# -- the same rules as FastAPI dependencies ------------------------------------------------


async def reader_for_read(request: Request) -> Reader:
    return may_read(request, await current_reader(request))


async def signed_in(request: Request) -> Reader:
    return has_account(await current_reader(request))


async def reviewer(request: Request) -> Reader:
    return may_review(await current_reader(request))


async def admin(request: Request) -> Reader:
    return is_admin(await current_reader(request))


ReadAccess = Annotated[Reader, Depends(reader_for_read)]
SignedIn = Annotated[Reader, Depends(signed_in)]
Reviewer = Annotated[Reader, Depends(reviewer)]
Admin = Annotated[Reader, Depends(admin)]
