"""A server that stays up (issue 17, item 3): nothing blocks the event loop, sign-ins are
throttled with back-off and failures are ledgered, accounts can be disabled, re-enabled, given
a password or a role, API tokens expire, malformed cursors and NUL bytes are 400s on both
backends, and nothing that depends on who asks may be cached.

The two timing tests run a real uvicorn server on 127.0.0.1 in another process. Every name and
password here is invented."""

from __future__ import annotations

import base64
import functools
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import typer
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from typer.testing import CliRunner

from marsad.cli.web import user_app
from marsad.config import database_url
from marsad.store import Store
from marsad.store.models import ApiToken, LedgerEntry
from marsad.web import create_app
from marsad.web.auth import SignInThrottle
from paths import REPO
from test_web_seed import PASSWORD, USERS, Seeded, seed

ISSUE_INCIDENT_CURSOR = "WyIyMDIzLTAxLTAxIiwgdHJ1ZV0"  # ["2023-01-01", true]
ISSUE_ID_CURSOR = "W3RydWVd"  # [true]
NUL = "\u0000"


def _cursor(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Web:
    client: TestClient
    seeded: Seeded
    tokens: dict[str, str]
    url: str
    clock: FakeClock


@pytest.fixture
def web(store_url: str) -> Iterator[Web]:
    store = Store(store_url)
    s = seed(store)
    tokens = {role: store.create_token(name, actor="setup") for role, name in USERS.items()}
    store.close()
    clock = FakeClock()
    app = create_app(store_url)
    app.state.sign_in_throttle = SignInThrottle(clock=clock)
    with TestClient(app) as client:
        yield Web(client, s, tokens, store_url, clock)


def _login_form(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found
    return found.group(1)


def _sign_in(client: TestClient, username: str, password: str) -> httpx.Response:
    csrf = _login_form(client)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf, "next": "/"},
        follow_redirects=False,
    )


def _ledger(url: str, action: str) -> list[LedgerEntry]:
    store = Store(url)
    try:
        with store.reading() as session:
            return list(
                session.execute(
                    select(LedgerEntry)
                    .where(LedgerEntry.action == action)
                    .order_by(LedgerEntry.seq)
                ).scalars()
            )
    finally:
        store.close()


def _payload(entry: object) -> dict[str, object]:
    payload = getattr(entry, "payload")  # noqa: B009 - ledger rows and history entries alike
    return dict(json.loads(payload) if isinstance(payload, str) else payload)


# -- a real server: the event loop stays free ---------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    base: str
    db_path: Path
    tokens: dict[str, str]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    db_path = tmp_path / "served.db"
    url = database_url(str(db_path))
    store = Store(url)
    seed(store)
    tokens = {role: store.create_token(name, actor="setup") for role, name in USERS.items()}
    store.close()
    port = _free_port()
    env = {**os.environ, "MARSAD_WEB_DATABASE_URL": url, "MARSAD_WEB_PUBLIC_READ": "0"}
    command = [sys.executable, "-m", "uvicorn", "--factory", "marsad.web.app:app_from_env"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(command, env=env, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        yield Served(base, db_path, tokens)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _health_times(base: str, seconds: float) -> list[float]:
    """Time /api/health every 0.2 s for ``seconds``."""
    times = []
    with httpx.Client(base_url=base, timeout=10) as client:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            started = time.monotonic()
            assert client.get("/api/health").status_code == 200
            times.append(time.monotonic() - started)
            time.sleep(0.2)
    return times


def _in_thread(work: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    out: list[object] = []
    thread = threading.Thread(target=lambda: out.append(work()), daemon=True)
    thread.start()
    return thread, out


def _served_sign_in(base: str, username: str, password: str) -> int:
    with httpx.Client(base_url=base, timeout=30) as client:
        found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert found
        form = {"username": username, "password": password, "csrf_token": found.group(1)}
        return client.post("/login", data=form, follow_redirects=False).status_code


def test_a_held_write_lock_does_not_delay_health(served: Served) -> None:
    """Another process holds SQLite's write lock for 6 s while a sign-in and an API write
    wait for it: /api/health must still answer at once."""
    holder = sqlite3.connect(served.db_path, isolation_level=None, timeout=1)
    holder.execute("BEGIN IMMEDIATE")
    try:
        login, login_out = _in_thread(
            lambda: _served_sign_in(served.base, USERS["analyst"], PASSWORD)
        )
        write, write_out = _in_thread(
            lambda: (
                httpx.post(
                    served.base + "/api/tokens",
                    json={"label": "during the lock"},
                    headers=bearer(served.tokens["admin"]),
                    timeout=30,
                ).status_code
            )
        )
        time.sleep(0.5)  # both requests are now waiting on the lock inside the server
        times = _health_times(served.base, 5.0)
        assert login.is_alive() and write.is_alive()  # they really were waiting
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    login.join(30)
    write.join(30)
    assert max(times) < 0.5, times
    assert login_out == [303] and write_out == [200]


def test_wrong_password_loops_do_not_delay_health(served: Served) -> None:
    """Three clients guessing passwords as fast as they can: /api/health stays under 1 s."""
    stop = time.monotonic() + 4.0
    statuses: list[int] = []

    def guess(username: str) -> None:
        while time.monotonic() < stop:
            statuses.append(_served_sign_in(served.base, username, "not-the-password"))

    loops = [_in_thread(functools.partial(guess, name))[0] for name in USERS.values()]
    times = _health_times(served.base, 3.5)
    for loop in loops:
        loop.join(30)
    assert max(times) < 1.0, times
    # how many guesses fit in 4 s depends on the machine (argon2 is slow on purpose); the
    # back-off itself is checked with a fake clock below
    assert statuses and set(statuses) <= {303, 429}, statuses


# -- throttling ------------------------------------------------------------------------------


def test_the_throttle_backs_off_per_account_and_per_address() -> None:
    clock = FakeClock()
    throttle = SignInThrottle(account_free=3, address_free=6, base=1.0, cap=60.0, clock=clock)
    for _ in range(3):
        assert throttle.wait("amal_invented", "10.0.0.1") == 0
        throttle.failed("amal_invented", "10.0.0.1")
    assert throttle.wait("amal_invented", "10.0.0.1") == 0  # three free failures
    waits = [throttle.failed("amal_invented", "10.0.0.1") for _ in range(8)]
    assert waits[:4] == [1.0, 2.0, 4.0, 8.0] and waits[-1] == 60.0  # doubling, capped
    # the account waits from any address; the address waits for any account
    assert throttle.wait("Amal_Invented", "10.9.9.9") == 60.0
    assert throttle.wait("someone_else", "10.0.0.1") > 0
    assert throttle.wait("someone_else", "10.9.9.9") == 0
    clock.now += 61
    throttle.succeeded("amal_invented")
    assert throttle.wait("amal_invented", "10.9.9.9") == 0
    # a quiet hour forgets the address too
    clock.now += 3601
    throttle.failed("amal_invented", "10.0.0.1")
    assert throttle.wait("amal_invented", "10.0.0.1") == 0


def test_the_throttle_stays_bounded() -> None:
    clock = FakeClock()
    throttle = SignInThrottle(size=50, clock=clock)
    for n in range(500):
        clock.now += 0.01
        throttle.failed(f"user{n}", f"10.0.{n // 250}.{n % 250}")
    assert len(throttle._items) <= 50


def test_guessing_is_throttled_and_every_checked_guess_is_ledgered(web: Web) -> None:
    """60 wrong passwords, then the right one: refused while the account waits; works once
    the wait is over. Each password that was checked is a ledger entry, without the password."""
    client, analyst = web.client, USERS["analyst"]
    statuses = [_sign_in(client, analyst, f"guess-{n:02d}").status_code for n in range(60)]
    assert statuses[:5] == [303] * 5 and set(statuses[5:]) == {303, 429}
    refused = _sign_in(client, analyst, PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "marsad_session" not in refused.headers.get("set-cookie", "")
    failed = _ledger(web.url, "login_failed")
    assert len(failed) == statuses.count(303)  # throttled attempts were not even checked
    assert {e.subject_id for e in failed} == {analyst}
    assert {_payload(e)["reason"] for e in failed} == {"wrong_password"}
    assert not any("guess-" in json.dumps(e.payload) for e in failed)
    web.clock.now += 3600
    assert _sign_in(client, analyst, PASSWORD).status_code == 303
    assert [e.subject_id for e in _ledger(web.url, "login")][-1] == analyst


def test_unknown_and_disabled_accounts_are_ledgered_with_the_reason(web: Web) -> None:
    store = Store(web.url)
    store.set_user_active(USERS["viewer"], False, actor="test")
    store.close()
    assert _sign_in(web.client, "nobody_invented", PASSWORD).status_code == 303
    assert _sign_in(web.client, USERS["viewer"], PASSWORD).status_code == 303
    reasons = {(e.subject_id, _payload(e)["reason"]) for e in _ledger(web.url, "login_failed")}
    assert reasons == {("nobody_invented", "unknown_user"), (USERS["viewer"], "disabled")}


def test_the_limit_holds_across_the_api_and_the_login_form(web: Web) -> None:
    """Unknown API tokens and wrong passwords from one address count together."""
    client = web.client
    for n in range(21):  # 20 free failures, and the one that starts the wait
        assert client.get("/api/me", headers=bearer(f"msd_guess{n}")).status_code == 401
    assert client.get("/api/me", headers=bearer("msd_guess_more")).status_code == 429
    # the form now refuses this address too, even with the right password
    assert _sign_in(client, USERS["admin"], PASSWORD).status_code == 429
    # a token this process already checked keeps working (it is not a guess)
    web.clock.now += 3600
    assert client.get("/api/me", headers=bearer(web.tokens["viewer"])).status_code == 200
    web.clock.now += 3600
    assert _sign_in(client, USERS["admin"], PASSWORD).status_code == 303


# -- accounts: disable, enable, passwd, set-role --------------------------------------------


def _cli() -> tuple[typer.Typer, CliRunner]:
    app = typer.Typer()
    app.add_typer(user_app, name="user")
    return app, CliRunner()


def test_user_disable_enable_passwd_and_set_role(store_url: str) -> None:
    store = Store(store_url)
    seed(store)
    token = store.create_token(USERS["analyst"], actor="setup")
    session = store.open_session(store.user(USERS["analyst"]))  # type: ignore[arg-type]
    store.close()
    app, runner = _cli()

    def run(*args: str, stdin: str | None = None) -> int:
        return runner.invoke(app, ["user", *args, "--db", store_url], input=stdin).exit_code

    analyst = USERS["analyst"]
    assert run("disable", analyst) == 0
    store = Store(store_url)
    try:
        assert store.account_for_token(token) is None
        assert store.account_for_token(session, session_only=True) is None
        assert store.authenticate(analyst, PASSWORD) is None
    finally:
        store.close()
    assert run("enable", analyst) == 0
    assert run("passwd", analyst, "--password-stdin", stdin="a-new-invented-pass\n") == 0
    assert run("passwd", analyst, "--password-stdin", stdin="short\n") == 2
    assert run("set-role", analyst, "viewer") == 0
    assert run("set-role", analyst, "emperor") == 2
    assert run("disable", "nobody_invented") == 2
    store = Store(store_url)
    try:
        assert store.account_for_token(token) is None  # enabling does not revive old tokens
        assert store.authenticate(analyst, PASSWORD) is None
        account = store.authenticate(analyst, "a-new-invented-pass")
        assert account is not None and account.role == "viewer"
        actions = [e.action for e in store.history("user", analyst)]
        assert actions[-4:] == ["user_disable", "user_enable", "user_password", "user_role"]
        role_entry = store.history("user", analyst)[-1]
        assert _payload(role_entry) == {"role": "viewer", "previous": "analyst"}
        assert "a-new-invented-pass" not in json.dumps(
            [e.payload for e in store.history("user", analyst)]
        )
    finally:
        store.close()


def test_a_password_change_closes_the_open_sessions(store: Store) -> None:
    store.add_user("dana_invented", PASSWORD, "viewer", actor="t")
    account = store.authenticate("dana_invented", PASSWORD)
    assert account is not None
    session = store.open_session(account)
    token = store.create_token("dana_invented", actor="t")
    store.set_password("dana_invented", "another-invented-pass", actor="t")
    assert store.account_for_token(session, session_only=True) is None
    assert store.account_for_token(token) is not None  # API tokens are revoked separately


def test_the_last_admin_cannot_be_removed(store_url: str) -> None:
    store = Store(store_url)
    seed(store)
    store.close()
    app, runner = _cli()
    admin = USERS["admin"]

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["user", *args, "--db", store_url])
        return result.exit_code, result.output

    code, out = run("set-role", admin, "analyst")
    assert code == 2 and "last active admin" in out
    code, out = run("disable", admin)
    assert code == 2 and "last active admin" in out
    assert run("set-role", USERS["analyst"], "admin")[0] == 0
    assert run("set-role", admin, "viewer")[0] == 0  # another admin remains
    assert run("disable", USERS["analyst"])[0] == 2  # who is now the last one
    store = Store(store_url)
    try:
        roles = {u.username: (u.role, u.active) for u in store.users()}
    finally:
        store.close()
    assert roles[admin] == ("viewer", True) and roles[USERS["analyst"]] == ("admin", True)


# -- token expiry ----------------------------------------------------------------------------


def _expire(url: str, token_id: int) -> None:
    store = Store(url)
    try:
        with store.transaction() as session:
            session.execute(
                update(ApiToken)
                .where(ApiToken.id == token_id)
                .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
    finally:
        store.close()


def test_tokens_expire(web: Web) -> None:
    client, url = web.client, web.url
    app, runner = _cli()
    viewer = USERS["viewer"]
    made = runner.invoke(
        app, ["user", "token", viewer, "--label", "week", "--expires", "7", "--db", url]
    )
    assert made.exit_code == 0, made.output
    week_token = made.output.strip()
    never = runner.invoke(app, ["user", "token", viewer, "--expires", "0", "--db", url])
    assert never.exit_code == 2
    h = bearer(web.tokens["viewer"])
    created = client.post("/api/tokens", json={"label": "three days", "expires_days": 3}, headers=h)
    assert created.status_code == 200
    assert client.post("/api/tokens", json={"expires_days": 5000}, headers=h).status_code == 422
    now = datetime.now(UTC)
    listed = {t["label"]: t for t in client.get("/api/tokens", headers=h).json()["items"]}
    for label, days in (("api", 90), ("three days", 3), ("week", 7)):
        expires = datetime.fromisoformat(listed[label]["expires_at"])
        assert abs(expires - (now + timedelta(days=days))) < timedelta(minutes=5), label
        assert listed[label]["age_days"] == 0 and listed[label]["expired"] is False
    assert client.get("/api/me", headers=bearer(week_token)).status_code == 200
    _expire(url, listed["week"]["id"])
    client.app.state.token_cache.clear()  # type: ignore[attr-defined]
    assert client.get("/api/me", headers=bearer(week_token)).status_code == 401
    listed = {t["label"]: t for t in client.get("/api/tokens", headers=h).json()["items"]}
    assert listed["week"]["expired"] is True and listed["api"]["expired"] is False
    shown = runner.invoke(app, ["user", "list", "--tokens", "--db", url]).output
    assert re.search(r"week\s+expired\s+0 days old", shown), shown


def test_a_token_from_before_expiry_existed_gets_the_default_life(store: Store) -> None:
    store.add_user("old_invented", PASSWORD, "viewer", actor="t")
    token = store.create_token("old_invented", actor="t")
    with store.transaction() as session:
        session.execute(
            update(ApiToken).values(
                expires_at=None, created_at=datetime.now(UTC) - timedelta(days=91)
            )
        )
    assert store.account_for_token(token) is None
    assert store.tokens("old_invented")[0].expired()


def test_the_migration_gives_existing_tokens_an_expiry(store_url: str) -> None:
    """Tokens issued before migration 0008 get 90 days (sessions 12 hours) from creation."""
    from alembic import command

    from marsad.store.db import alembic_config

    store = Store(store_url)
    store.add_user("mig_invented", PASSWORD, "viewer", actor="t")
    token = store.create_token("mig_invented", actor="t")
    store.close()
    command.downgrade(alembic_config(store_url), "0007")  # as the store was before expiry
    store = Store(store_url)  # opening it migrates it to the newest revision again
    try:
        (info,) = store.tokens("mig_invented")
        assert info.expires_at - info.created_at == timedelta(days=90)
        assert store.account_for_token(token) is not None
    finally:
        store.close()


# -- hostile parameters ----------------------------------------------------------------------


def test_the_issue_cursors_are_400(web: Web) -> None:
    client = web.client
    h = bearer(web.tokens["analyst"])
    cases = [
        f"/api/incidents?cursor={ISSUE_INCIDENT_CURSOR}",
        f"/?cursor={ISSUE_INCIDENT_CURSOR}",
        f"/api/claims?cursor={ISSUE_ID_CURSOR}",
        f"/api/persons?cursor={ISSUE_ID_CURSOR}",
        "/api/documents?cursor=" + _cursor([NUL]),
        f"/api/documents?cursor={_cursor(['not hex'])}",
        f"/api/incidents?cursor={_cursor([None, -1])}",
        f"/api/incidents?cursor={_cursor({'a': 1})}",
        f"/api/incidents?cursor={_cursor([20230101, 5])}",
        f"/api/claims?cursor={_cursor([1.5])}",
        f"/api/claims?cursor={_cursor([1, 2])}",
    ]
    for path in cases:
        response = client.get(path, headers=h)
        assert response.status_code == 400, (path, response.status_code)
    # cursors this server issued still work, also as the ones above would be read
    first = client.get("/api/incidents?limit=1", headers=h).json()
    assert (
        client.get(f"/api/incidents?limit=1&cursor={first['next_cursor']}", headers=h).status_code
        == 200
    )
    assert client.get(f"/api/claims?cursor={_cursor([0])}", headers=h).status_code == 200


def test_nul_bytes_are_400_everywhere(web: Web) -> None:
    client, s = web.client, web.seeded
    h = bearer(web.tokens["analyst"])
    before = len(_ledger(web.url, "login_failed"))
    gets = [
        "/api/incidents?area=%00",
        "/api/claims?document=%00",
        "/api/documents/%00",
        "/api/documents/ab%00cd",
        "/api/aggregates?by=type%00",
        "/api/export?format=geojson%00",
        "/api/incidents?unknown=%00",
        "/api/incidents?%00=1",
        "/login?next=/%00",
        "/documents/%00",
    ]
    for path in gets:
        response = client.get(path, headers=h, follow_redirects=False)
        assert response.status_code == 400, (path, response.status_code)
    csrf = _login_form(client)
    for name in ("nul\u0000name", "\u0000"):
        form = {"username": name, "password": PASSWORD, "csrf_token": csrf}
        assert client.post("/login", data=form, follow_redirects=False).status_code == 400
    posts = [
        ("/api/tokens", {"label": "lab\u0000el"}),
        (f"/api/incidents/{s.public_incident}/confirm", {"note": "\u0000"}),
        ("/api/persons", {"name": "Invented Person", "aliases": ["al\u0000ias"]}),
        ("/api/approvals", {"text": "a\u0000b"}),
    ]
    for path, body in posts:
        response = client.post(path, json=body, headers=h)
        assert response.status_code == 400, (path, response.status_code, response.text)
    assert len(_ledger(web.url, "login_failed")) == before
    store = Store(web.url)
    try:
        with pytest.raises(ValueError):
            store.create_token(USERS["viewer"], label="x\u0000", actor="t")
        with pytest.raises(ValueError):
            store.add_user("nul\u0000user", PASSWORD, "viewer", actor="t")
        assert store.authenticate("nul\u0000user", PASSWORD) is None
    finally:
        store.close()


def test_nul_in_the_account_form_token_label_is_400(web: Web) -> None:
    client = web.client
    assert _sign_in(client, USERS["viewer"], PASSWORD).status_code == 303
    page = client.get("/account").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    bad = client.post("/account/tokens", data={"label": "x\u0000y", "csrf_token": csrf.group(1)})
    assert bad.status_code == 400


def test_non_ascii_csrf_tokens_are_refused_not_500(web: Web) -> None:
    client = web.client
    _login_form(client)
    form = {"username": USERS["viewer"], "password": PASSWORD, "csrf_token": "\u00e9t\u00e9"}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 403
    assert _sign_in(client, USERS["analyst"], PASSWORD).status_code == 303
    refused = client.post(
        f"/api/incidents/{web.seeded.public_incident}/confirm",
        json={},
        headers={"X-CSRF-Token": "\u00e9".encode("latin-1")},
    )
    assert refused.status_code == 403


# -- caching -----------------------------------------------------------------------------------


def test_nothing_that_depends_on_who_asks_may_be_cached(web: Web) -> None:
    client, s = web.client, web.seeded
    h = bearer(web.tokens["analyst"])
    api_paths = [
        "/api/me",
        "/api/incidents",
        f"/api/incidents/{s.public_incident}",
        "/api/documents",
        "/api/claims",
        "/api/persons",
        "/api/aggregates",
        "/api/export",
        "/api/tokens",
        "/api/review/queue",
        "/api/incidents/999999",
        "/api/incidents?cursor=bad",
    ]
    for path in api_paths:
        response = client.get(path, headers=h)
        assert response.headers.get("cache-control") == "no-store", path
    assert client.get("/api/me").headers["cache-control"] == "no-store"  # a 401
    created = client.post("/api/tokens", json={"label": "fresh"}, headers=h)
    assert created.headers["cache-control"] == "no-store"  # it holds a secret
    assert _sign_in(client, USERS["analyst"], PASSWORD).headers["cache-control"] == "no-store"
    for page in ("/", f"/incidents/{s.public_incident}", "/review", "/account", "/brief", "/login"):
        assert client.get(page).headers.get("cache-control") == "no-store", page
    assert "cache-control" not in client.get("/static/style.css").headers


def test_the_account_page_lists_tokens_with_age_and_expiry(tmp_path: Path) -> None:
    url = database_url(str(tmp_path / "account.db"))
    store = Store(url)
    store.add_user("nadia_viewer", "correct-horse-1", "viewer", actor="t")
    token = store.create_token("nadia_viewer", actor="t", days=30)
    store.close()
    with TestClient(create_app(url)) as client:
        page = client.get("/account", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 200
    expected = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    assert "Expires" in page.text and expected in page.text
