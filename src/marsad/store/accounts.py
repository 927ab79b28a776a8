"""Accounts: users with argon2id password hashes, API tokens and web sessions stored as SHA-256.

A token (API or web session) is shown to its holder once and never stored: the database keeps
only its SHA-256, so a copy of the database does not let anyone act as a user. Web sessions are
rows of the same table with the label ``web-session`` and expire after ``SESSION_HOURS``.
Every change here (user created, login, token issued or revoked) is a ledger entry naming who.
"""

from __future__ import annotations

import hashlib
import secrets
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from marsad.store import ledger
from marsad.store.models import ApiToken, User

ROLES: tuple[str, ...] = ("viewer", "analyst", "admin")
SESSION_LABEL = "web-session"
SESSION_HOURS = 12
_TOKEN_PREFIX = "msd_"
# argon2id with the library's defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()
# verified against when the username is unknown, so a wrong name takes as long as a wrong password
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Account:
    """Who is acting: what the web layer needs to decide what they may see and do."""

    id: int
    username: str
    role: str
    active: bool = True


@dataclass(frozen=True)
class TokenInfo:
    id: int
    username: str
    label: str
    created_at: datetime
    revoked_at: datetime | None


def _account(user: User) -> Account:
    return Account(id=user.id, username=user.username, role=user.role, active=user.active)


def _check_username(username: str) -> str:
    name = username.strip()
    if not name or len(name) > 120 or any(ch.isspace() for ch in name):
        raise ValueError("a username is 1-120 characters without spaces")
    return name


def _aware(stamp: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they were written in UTC.
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


class AccountStoreMixin:
    """Account methods of :class:`marsad.store.Store`."""

    if TYPE_CHECKING:  # provided by Store

        def transaction(self) -> AbstractContextManager[Session]: ...

        def reading(self) -> AbstractContextManager[Session]: ...

    # -- users -------------------------------------------------------------------------------

    def add_user(self, username: str, password: str, role: str, *, actor: str) -> Account:
        name = _check_username(username)
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        if len(password) < 8:
            raise ValueError("a password needs at least 8 characters")
        with self.transaction() as session:
            if session.execute(select(User.id).where(User.username == name)).scalar():
                raise ValueError(f"user {name!r} already exists")
            user = User(
                username=name,
                password_hash=_hasher.hash(password),
                role=role,
                active=True,
                created_at=datetime.now(UTC),
            )
            session.add(user)
            session.flush()
            ledger.append(
                session,
                actor=actor,
                action="user_add",
                subject_type="user",
                subject_id=name,
                payload={"role": role},
            )
            return _account(user)

    def user(self, username: str) -> Account | None:
        with self.reading() as session:
            row = session.execute(select(User).where(User.username == username)).scalar()
            return _account(row) if row else None

    def users(self) -> list[Account]:
        with self.reading() as session:
            return [
                _account(u) for u in session.execute(select(User).order_by(User.username)).scalars()
            ]

    def set_user_active(self, username: str, active: bool, *, actor: str) -> None:
        with self.transaction() as session:
            row = session.execute(select(User).where(User.username == username)).scalar()
            if row is None:
                raise KeyError(f"no user {username!r}")
            row.active = active
            if not active:  # a disabled account loses its sessions and tokens at once
                session.execute(
                    update(ApiToken)
                    .where(ApiToken.user_id == row.id, ApiToken.revoked_at.is_(None))
                    .values(revoked_at=datetime.now(UTC))
                )
            ledger.append(
                session,
                actor=actor,
                action="user_enable" if active else "user_disable",
                subject_type="user",
                subject_id=username,
                payload={},
            )

    def authenticate(self, username: str, password: str) -> Account | None:
        """The account when the password matches an active user, else None (no ledger entry:
        the web layer logs successful logins together with the session it opens)."""
        with self.reading() as session:
            row = session.execute(select(User).where(User.username == username)).scalar()
        if row is None:
            with suppress(VerificationError):
                _hasher.verify(_DUMMY_HASH, password)
            return None
        try:
            _hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if not row.active:
            return None
        if _hasher.check_needs_rehash(row.password_hash):
            with self.transaction() as session:
                fresh = session.get(User, row.id)
                if fresh is not None:
                    fresh.password_hash = _hasher.hash(password)
        return _account(row)

    # -- tokens and sessions -----------------------------------------------------------------

    def _issue(self, session: Session, user: User, label: str) -> str:
        token = _TOKEN_PREFIX + secrets.token_urlsafe(32)
        session.add(
            ApiToken(
                user_id=user.id,
                token_hash=token_hash(token),
                label=label,
                created_at=datetime.now(UTC),
            )
        )
        session.flush()
        return token

    def create_token(self, username: str, *, label: str = "api", actor: str) -> str:
        """A new API token for ``username``; the plain token is returned once, only its hash
        is kept."""
        if label == SESSION_LABEL:
            raise ValueError(f"the label {SESSION_LABEL!r} is reserved for web sessions")
        with self.transaction() as session:
            user = session.execute(select(User).where(User.username == username)).scalar()
            if user is None:
                raise KeyError(f"no user {username!r}")
            token = self._issue(session, user, label)
            ledger.append(
                session,
                actor=actor,
                action="token_create",
                subject_type="user",
                subject_id=username,
                payload={"label": label, "token_sha256": token_hash(token)},
            )
            return token

    def open_session(self, account: Account, *, client: str = "") -> str:
        """Log a successful login and return a new web-session token for its cookie."""
        with self.transaction() as session:
            user = session.get(User, account.id)
            if user is None or not user.active:
                raise KeyError(f"no active user {account.username!r}")
            token = self._issue(session, user, SESSION_LABEL)
            ledger.append(
                session,
                actor=user.username,
                action="login",
                subject_type="user",
                subject_id=user.username,
                payload={"client": client[:80], "session_sha256": token_hash(token)},
            )
            return token

    def account_for_token(self, token: str, *, session_only: bool = False) -> Account | None:
        """The active account holding an unrevoked token (sessions also unexpired), else None."""
        if not token or len(token) > 200:
            return None
        with self.reading() as session:
            found = session.execute(
                select(ApiToken, User)
                .join(User, User.id == ApiToken.user_id)
                .where(ApiToken.token_hash == token_hash(token))
            ).first()
        if found is None:
            return None
        tok, user = found
        if tok.revoked_at is not None or not user.active:
            return None
        is_session = tok.label == SESSION_LABEL
        if session_only and not is_session:
            return None
        age = datetime.now(UTC) - _aware(tok.created_at)
        if is_session and age > timedelta(hours=SESSION_HOURS):
            return None
        return _account(user)

    def close_session(self, token: str) -> None:
        """Log out: the session token stops working everywhere at once."""
        with self.transaction() as session:
            found = session.execute(
                select(ApiToken, User)
                .join(User, User.id == ApiToken.user_id)
                .where(ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None))
            ).first()
            if found is None:
                return
            tok, user = found
            tok.revoked_at = datetime.now(UTC)
            ledger.append(
                session,
                actor=user.username,
                action="logout",
                subject_type="user",
                subject_id=user.username,
                payload={"session_sha256": tok.token_hash},
            )

    def tokens(self, username: str | None = None) -> list[TokenInfo]:
        """API tokens (not web sessions), newest first."""
        q = (
            select(ApiToken, User.username)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.label != SESSION_LABEL)
            .order_by(ApiToken.id.desc())
        )
        if username:
            q = q.where(User.username == username)
        with self.reading() as session:
            return [
                TokenInfo(t.id, name, t.label, t.created_at, t.revoked_at)
                for t, name in session.execute(q)
            ]

    def revoke_token(
        self, *, actor: str, token: str | None = None, token_id: int | None = None
    ) -> bool:
        """Revoke by the token itself or by its id; True when a live token was revoked."""
        if (token is None) == (token_id is None):
            raise ValueError("give either the token or its id")
        with self.transaction() as session:
            q = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
            if token is not None:
                q = q.where(ApiToken.token_hash == token_hash(token))
            else:
                q = q.where(ApiToken.id == token_id)
            found = session.execute(q).first()
            if found is None or found[0].revoked_at is not None:
                return False
            tok, username = found
            tok.revoked_at = datetime.now(UTC)
            ledger.append(
                session,
                actor=actor,
                action="token_revoke",
                subject_type="user",
                subject_id=username,
                payload={"token_id": tok.id, "label": tok.label},
            )
            return True
