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
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
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
        account = store.account_for_token(value.strip())
        if account is None:
            raise HTTPException(401, "the token is unknown, revoked or its user disabled")
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
    if not given or not hmac.compare_digest(given, expected):
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
