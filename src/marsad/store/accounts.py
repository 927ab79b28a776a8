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
TOKEN_DAYS = 90  # an API token's life unless its creator asks for another
MAX_TOKEN_DAYS = 3650
MIN_PASSWORD = 8
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
    expires_at: datetime

    def age_days(self, now: datetime | None = None) -> int:
        return max(0, ((now or datetime.now(UTC)) - self.created_at).days)

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at <= (now or datetime.now(UTC))


@dataclass(frozen=True)
class SignInResult:
    """The outcome of a password check: the account, or why there is none (for the ledger)."""

    account: Account | None
    reason: str  # "ok", "unknown_user", "wrong_password" or "disabled"


def _account(user: User) -> Account:
    return Account(id=user.id, username=user.username, role=user.role, active=user.active)


def _has_control(text: str) -> bool:
    # NUL cannot be stored by PostgreSQL at all; no name or label needs any control character
    return any(ord(ch) < 32 or ord(ch) == 127 for ch in text)


def _check_username(username: str) -> str:
    name = username.strip()
    if not name or len(name) > 120 or any(ch.isspace() for ch in name) or _has_control(name):
        raise ValueError("a username is 1-120 characters without spaces or control characters")
    return name


def _check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    if "\x00" in password:
        raise ValueError("a password cannot contain a NUL character")
    return password


def _check_label(label: str) -> str:
    if label == SESSION_LABEL:
        raise ValueError(f"the label {SESSION_LABEL!r} is reserved for web sessions")
    if not label.strip() or len(label) > 120 or _has_control(label):
        raise ValueError("a token label is 1-120 characters without control characters")
    return label


def _check_days(days: int) -> int:
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValueError(f"a token lasts 1 to {MAX_TOKEN_DAYS} days")
    return days


def _expiry(tok: ApiToken) -> datetime:
    # rows issued before tokens had an expiry get the default life from their creation
    if tok.expires_at is not None:
        return _aware(tok.expires_at)
    life = timedelta(hours=SESSION_HOURS) if tok.label == SESSION_LABEL else timedelta(TOKEN_DAYS)
    return _aware(tok.created_at) + life


def _clean_subject(text: str) -> str:
    # a failed sign-in names what was typed; keep it printable and bounded in the ledger
    return "".join(ch for ch in text if not _has_control(ch))[:120] or "(empty)"


def _aware(stamp: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they were written in UTC.
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


class _StoreParts:
    if TYPE_CHECKING:  # provided by Store

        def transaction(self) -> AbstractContextManager[Session]: ...

        def reading(self) -> AbstractContextManager[Session]: ...


def _find_user(session: Session, username: str) -> User:
    row = session.execute(select(User).where(User.username == username)).scalar()
    if row is None:
        raise KeyError(f"no user {username!r}")
    return row


def _keep_an_admin(session: Session, user: User, *, losing: bool) -> None:
    """Refuse a change that would leave no active admin (nobody could manage accounts)."""
    if not (losing and user.active and user.role == "admin"):
        return
    others = session.execute(
        select(User.id).where(User.role == "admin", User.active.is_(True), User.id != user.id)
    ).first()
    if others is None:
        raise ValueError(f"{user.username!r} is the last active admin")


def _revoke_all(session: Session, user: User, *, sessions_only: bool = False) -> int:
    """Revoke the user's live tokens (or only their web sessions); how many were live."""
    q = update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if sessions_only:
        q = q.where(ApiToken.label == SESSION_LABEL)
    return int(session.execute(q.values(revoked_at=datetime.now(UTC))).rowcount or 0)  # type: ignore[attr-defined]


class UserAccounts(_StoreParts):
    """Users: create, list, enable and disable, change role and password, check a password."""

    def add_user(self, username: str, password: str, role: str, *, actor: str) -> Account:
        name = _check_username(username)
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        _check_password(password)
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
        if _has_control(username):
            return None
        with self.reading() as session:
            row = session.execute(select(User).where(User.username == username)).scalar()
            return _account(row) if row else None

    def users(self) -> list[Account]:
        with self.reading() as session:
            return [
                _account(u) for u in session.execute(select(User).order_by(User.username)).scalars()
            ]

    def set_user_active(self, username: str, active: bool, *, actor: str) -> None:
        """Enable or disable an account; disabling revokes its sessions and tokens at once.
        The last active admin cannot be disabled (nobody could manage accounts after)."""
        with self.transaction() as session:
            row = _find_user(session, username)
            _keep_an_admin(session, row, losing=not active)
            row.active = active
            revoked = 0 if active else _revoke_all(session, row)
            ledger.append(
                session,
                actor=actor,
                action="user_enable" if active else "user_disable",
                subject_type="user",
                subject_id=username,
                payload={} if active else {"tokens_revoked": revoked},
            )

    def set_role(self, username: str, role: str, *, actor: str) -> Account:
        """Give an account another role; the last active admin keeps theirs."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        with self.transaction() as session:
            row = _find_user(session, username)
            previous = row.role
            _keep_an_admin(session, row, losing=role != "admin")
            row.role = role
            ledger.append(
                session,
                actor=actor,
                action="user_role",
                subject_type="user",
                subject_id=username,
                payload={"role": role, "previous": previous},
            )
            return _account(row)

    def set_password(self, username: str, password: str, *, actor: str) -> None:
        """A new password; the account's open web sessions are closed (its API tokens stay)."""
        _check_password(password)
        new_hash = _hasher.hash(password)
        with self.transaction() as session:
            row = _find_user(session, username)
            row.password_hash = new_hash
            closed = _revoke_all(session, row, sessions_only=True)
            ledger.append(
                session,
                actor=actor,
                action="user_password",
                subject_type="user",
                subject_id=username,
                payload={"sessions_closed": closed},
            )

    def check_password(self, username: str, password: str) -> SignInResult:
        """Verify a password (argon2: tens of milliseconds, call it off the event loop). An
        unknown name costs as long as a wrong password."""
        row = None
        if username and not _has_control(username) and len(username) <= 120:
            with self.reading() as session:
                row = session.execute(select(User).where(User.username == username)).scalar()
        if row is None:
            with suppress(VerificationError):
                _hasher.verify(_DUMMY_HASH, password)
            return SignInResult(None, "unknown_user")
        try:
            _hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            return SignInResult(None, "wrong_password")
        if not row.active:
            return SignInResult(None, "disabled")
        if _hasher.check_needs_rehash(row.password_hash):
            with self.transaction() as session:
                fresh = session.get(User, row.id)
                if fresh is not None:
                    fresh.password_hash = _hasher.hash(password)
        return SignInResult(_account(row), "ok")

    def authenticate(self, username: str, password: str) -> Account | None:
        """The account when the password matches an active user, else None (no ledger entry:
        the web layer logs logins with the session it opens, and failures with
        :meth:`record_failed_login`)."""
        return self.check_password(username, password).account

    def record_failed_login(
        self, username: str, *, client: str, reason: str, blocked_for: float = 0.0
    ) -> None:
        """One ledger entry for a refused sign-in: the name as typed, the client address and
        why; never the password."""
        payload: dict[str, object] = {"client": client[:80], "reason": reason}
        if blocked_for > 0:
            payload["blocked_for_s"] = round(blocked_for, 1)
        with self.transaction() as session:
            ledger.append(
                session,
                actor="anonymous",
                action="login_failed",
                subject_type="user",
                subject_id=_clean_subject(username),
                payload=payload,
            )


class Credentials(_StoreParts):
    """API tokens and web sessions, both kept as SHA-256 only."""

    def _issue(self, session: Session, user: User, label: str, expires_at: datetime) -> str:
        token = _TOKEN_PREFIX + secrets.token_urlsafe(32)
        session.add(
            ApiToken(
                user_id=user.id,
                token_hash=token_hash(token),
                label=label,
                created_at=datetime.now(UTC),
                expires_at=expires_at,
            )
        )
        session.flush()
        return token

    def create_token(
        self, username: str, *, label: str = "api", actor: str, days: int = TOKEN_DAYS
    ) -> str:
        """A new API token for ``username`` that works for ``days``; the plain token is
        returned once, only its hash is kept."""
        _check_label(label)
        expires_at = datetime.now(UTC) + timedelta(days=_check_days(days))
        with self.transaction() as session:
            user = session.execute(select(User).where(User.username == username)).scalar()
            if user is None:
                raise KeyError(f"no user {username!r}")
            if not user.active:
                raise ValueError(f"user {username!r} is disabled")
            token = self._issue(session, user, label, expires_at)
            ledger.append(
                session,
                actor=actor,
                action="token_create",
                subject_type="user",
                subject_id=username,
                payload={
                    "label": label,
                    "token_sha256": token_hash(token),
                    "expires_at": expires_at.isoformat(timespec="seconds"),
                },
            )
            return token

    def open_session(self, account: Account, *, client: str = "") -> str:
        """Log a successful login and return a new web-session token for its cookie."""
        expires_at = datetime.now(UTC) + timedelta(hours=SESSION_HOURS)
        with self.transaction() as session:
            user = session.get(User, account.id)
            if user is None or not user.active:
                raise KeyError(f"no active user {account.username!r}")
            token = self._issue(session, user, SESSION_LABEL, expires_at)
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
        """The active account holding an unrevoked, unexpired token, else None."""
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
        now = datetime.now(UTC)
        if _expiry(tok) <= now:
            return None
        if is_session and now - _aware(tok.created_at) > timedelta(hours=SESSION_HOURS):
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
                TokenInfo(
                    t.id,
                    name,
                    t.label,
                    _aware(t.created_at),
                    _aware(t.revoked_at) if t.revoked_at else None,
                    _expiry(t),
                )
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


class AccountStoreMixin(UserAccounts, Credentials):
    """Account methods of :class:`marsad.store.Store`."""
