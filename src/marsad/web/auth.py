"""Who is asking, and what they may see and do.

Role rules (see docs/web.md):

- anonymous: nothing, unless the app was started with public read, then ``public`` records only;
- viewer: ``public`` records; reads only (and their own API tokens);
- analyst: every level up to ``restricted`` (each view of a restricted record is written to the
  ledger), persons, the review queue and review actions;
- admin: what an analyst may, plus the list of users and everyone's tokens.

A request is authenticated by ``Authorization: Bearer <token>`` (API tokens) or by the session
cookie (web sessions). Both are looked up by their SHA-256 in the store. Forms and cookie-
authenticated API writes carry a CSRF token: for a session it is derived from the session token
(synchronizer), before login it is a double-submit cookie.

Failed sign-ins are counted per account and per client address by :class:`SignInThrottle`
(one per process, shared by the login form and the API's token check) and wait longer after
each failure past a few.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request

from marsad.store.accounts import Account

SESSION_COOKIE = "marsad_session"
LOGIN_CSRF_COOKIE = "marsad_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

CLEARANCE: dict[str, str] = {"viewer": "public", "analyst": "restricted", "admin": "restricted"}
REVIEWERS = ("analyst", "admin")


@dataclass(frozen=True)
class Reader:
    """The caller of one request."""

    account: Account | None
    via: str  # "session", "token" or "anonymous"
    session_token: str | None = None

    @property
    def role(self) -> str:
        return self.account.role if self.account else "anonymous"

    @property
    def name(self) -> str:
        return self.account.username if self.account else "anonymous"

    @property
    def max_sensitivity(self) -> str:
        return CLEARANCE.get(self.role, "public")

    @property
    def can_review(self) -> bool:
        return self.role in REVIEWERS

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def csrf_token(self) -> str:
        """The synchronizer token for this session's forms ('' when not logged in by cookie)."""
        return csrf_for_session(self.session_token) if self.session_token else ""


ANONYMOUS = Reader(None, "anonymous")


def csrf_for_session(session_token: str) -> str:
    # derived, not stored: only someone holding the HttpOnly session cookie can compute it
    return hashlib.sha256(b"marsad-csrf\x1f" + session_token.encode()).hexdigest()[:40]


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison that also takes what a client typed: ``compare_digest`` raises
    on non-ASCII text, which would answer a 500 instead of a refusal."""
    return bool(given) and hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0
    blocked_until: float = 0.0


class SignInThrottle:
    """Failed sign-ins per account and per client address, with exponential back-off.

    After ``account_free`` failures for one account (``address_free`` from one address) every
    further failure makes the next attempt wait ``base * 2**n`` seconds, up to ``cap``; during
    the wait no password is checked at all, the right one included. A success clears the
    account's count (not the address's, so one valid account cannot reset a guessing run);
    counts are forgotten after ``forget_after`` quiet seconds. The counts live in this process
    only: with several workers each one counts on its own (docs/web.md says so)."""

    def __init__(
        self,
        *,
        account_free: int = 5,
        address_free: int = 20,
        base: float = 1.0,
        cap: float = 900.0,
        forget_after: float = 3600.0,
        size: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.account_free, self.address_free = account_free, address_free
        self.base, self.cap, self.forget_after = base, cap, forget_after
        self.size, self.clock = size, clock
        self._items: dict[str, _Failures] = {}
        self._lock = threading.Lock()  # failures are recorded from worker threads

    @staticmethod
    def _keys(username: str | None, address: str) -> list[tuple[str, bool]]:
        keys = [("addr:" + address, False)]
        if username:
            keys.append(("user:" + username.casefold()[:120], True))
        return keys

    def wait(self, username: str | None, address: str) -> float:
        """Seconds before this account may be tried from this address (0: try now)."""
        now = self.clock()
        with self._lock:
            found = [self._items.get(key) for key, _ in self._keys(username, address)]
        return max([0.0] + [f.blocked_until - now for f in found if f is not None])

    def failed(self, username: str | None, address: str) -> float:
        """Count one failure; returns how long the next attempt must now wait."""
        now = self.clock()
        with self._lock:
            if len(self._items) >= self.size:
                self._prune(now)
            for key, is_account in self._keys(username, address):
                record = self._items.get(key)
                if record is None or now - record.last > self.forget_after:
                    record = self._items[key] = _Failures()
                record.count += 1
                record.last = now
                free = self.account_free if is_account else self.address_free
                if record.count > free:
                    delay = min(self.cap, self.base * 2 ** (record.count - free - 1))
                    record.blocked_until = now + delay
        return self.wait(username, address)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._items.pop("user:" + username.casefold()[:120], None)

    def _prune(self, now: float) -> None:
        stale = [k for k, f in self._items.items() if now - f.last > self.forget_after]
        for key in stale:
            del self._items[key]
        if len(self._items) >= self.size:  # still full of live entries: drop the oldest half
            oldest = sorted(self._items, key=lambda k: self._items[k].last)
            for key in oldest[: len(oldest) // 2]:
                del self._items[key]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def throttle_of(request: Request) -> SignInThrottle:
    throttle = getattr(request.app.state, "sign_in_throttle", None)
    if not isinstance(throttle, SignInThrottle):  # an app built without one: give it one
        throttle = request.app.state.sign_in_throttle = SignInThrottle()
    return throttle


def too_many(wait: float) -> HTTPException:
    seconds = max(1, int(wait + 0.999))
    return HTTPException(
        429,
        f"too many failed sign-ins; try again in {seconds} seconds",
        headers={"Retry-After": str(seconds)},
    )


def identify(request: Request) -> Reader:
    """Resolve the caller from a Bearer token or the session cookie (cached on the request)."""
    cached = getattr(request.state, "reader", None)
    if isinstance(cached, Reader):
        return cached
    store: Any = request.app.state.store
    reader = ANONYMOUS
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise HTTPException(401, "use 'Authorization: Bearer <token>'")
        throttle, address = throttle_of(request), client_address(request)
        if (wait := throttle.wait(None, address)) > 0:
            raise too_many(wait)
        account = store.account_for_token(value.strip())
        if account is None:
            # unknown tokens count against the address, like wrong passwords at the form
            throttle.failed(None, address)
            raise HTTPException(401, "the token is unknown, expired, revoked or its user disabled")
        reader = Reader(account, "token")
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            account = store.account_for_token(cookie, session_only=True)
            if account is not None:
                reader = Reader(account, "session", cookie)
    request.state.reader = reader
    return reader


def check_csrf(request: Request, reader: Reader, submitted: str | None) -> None:
    """Refuse a state-changing request made with the session cookie unless it carries the
    session's CSRF token (a Bearer token cannot be sent by another site, so needs none)."""
    if reader.via != "session":
        return
    expected = reader.csrf_token
    given = submitted or request.headers.get(CSRF_HEADER, "")
    if not same_secret(given, expected):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")


def audit_reads(
    request: Request,
    reader: Reader,
    kind: str,
    sensitivities: Iterable[str],
    *,
    subject: str | None = None,
) -> None:
    """Record in the ledger that this request showed restricted records: one entry per request
    (who, what, which filter, how many), or per record when one was asked for by id."""
    restricted = sum(1 for level in sensitivities if level == "restricted")
    if not restricted or reader.account is None:
        return
    store: Any = request.app.state.store
    where = {"via": reader.via, "path": request.url.path[:200]}
    if subject is not None:
        store.append_ledger(
            actor=reader.name,
            action="view_restricted",
            subject_type=kind,
            subject_id=subject,
            payload=where,
        )
        return
    store.audit_restricted_read(
        actor=reader.name,
        what=kind,
        restricted=restricted,
        details={**where, "filter": str(request.url.query)[:500]},
    )
