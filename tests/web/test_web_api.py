"""The JSON API and pages: bad input answered with 4xx JSON, paging, sessions with CSRF, the
review workflow through forms, and the ``marsad user`` commands."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from marsad.cli.web import user_app
from marsad.config import database_url
from marsad.store import Store
from marsad.web import create_app
from test_web_seed import PASSWORD, PROTECTED_PERSON, USERS, Seeded, seed


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[TestClient, Seeded, dict[str, str], str]]:
    url = database_url(str(tmp_path / "w.db"))
    store = Store(url)
    s = seed(store)
    tokens = {role: store.create_token(name, actor="setup") for role, name in USERS.items()}
    store.close()
    with TestClient(create_app(url)) as client:
        yield client, s, tokens, url


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


BAD_INCIDENT_IDS = ["abc", "-1", "0", "1.5", "99999999999999999999", "1%3BDROP%20TABLE%20incidents"]
INJECTIONS = ["' OR 1=1 --", "x%' UNION SELECT password_hash FROM users --", "\\", "%", "_"]


def test_bad_input_is_a_4xx_json_error(web: tuple[TestClient, Seeded, dict[str, str], str]) -> None:
    client, _, tokens, _ = web
    h = bearer(tokens["analyst"])
    cases = [f"/api/incidents/{bad}" for bad in BAD_INCIDENT_IDS] + [
        "/api/incidents?limit=1000000000",
        "/api/incidents?limit=0",
        "/api/incidents?limit=ten",
        "/api/incidents?cursor=not-a-cursor",
        "/api/incidents?from=2024-13-45",
        "/api/incidents?from=2024-03-20&to=2024-03-01",
        "/api/incidents?area=" + "x" * 500,
        "/api/aggregates?by=colour",
        "/api/claims?scope=everything",
        "/api/claims?cursor=%00%01",
        "/api/documents/" + "z" * 80,
        "/api/documents/not-hex",
        "/api/persons?limit=100000",
    ]
    for path in cases:
        response = client.get(path, headers=h)
        assert 400 <= response.status_code < 500, (path, response.status_code)
        body = response.json()
        assert set(body) == {"error", "detail"} and "Traceback" not in response.text, path


def test_injection_strings_in_filters_match_nothing(
    web: tuple[TestClient, Seeded, dict[str, str], str],
) -> None:
    client, _, tokens, _ = web
    for text in INJECTIONS:
        for key in ("area", "type", "perpetrator", "weapon", "facility", "grade", "q"):
            response = client.get(
                "/api/incidents", params={key: text}, headers=bearer(tokens["admin"])
            )
            if key == "area":  # no place is called that: refused with the nearest names
                assert response.status_code == 400, (key, text)
                assert "unknown area" in response.json()["detail"]["message"], text
                continue
            assert response.status_code == 200, (key, text)
            assert response.json()["items"] == [], (key, text)
    assert client.get("/api/users", headers=bearer(tokens["admin"])).json()["items"]


def test_oversized_and_malformed_bodies(
    web: tuple[TestClient, Seeded, dict[str, str], str],
) -> None:
    client, s, tokens, _ = web
    h = bearer(tokens["analyst"])
    big = client.post(
        f"/api/incidents/{s.public_incident}/corrections",
        content=b"{" + b" " * (1024 * 1024 + 10) + b"}",
        headers={**h, "content-type": "application/json"},
    )
    assert big.status_code == 413 and big.json()["error"] == "too_large"
    for content in (b"not json", b"[]", b'{"field": 5}', b'{"field": "killed.best", "value": "x"}'):
        response = client.post(
            f"/api/incidents/{s.public_incident}/corrections",
            content=content,
            headers={**h, "content-type": "application/json"},
        )
        assert response.status_code in (400, 422), content
        assert set(response.json()) == {"error", "detail"}


def test_keyset_pages_cover_everything_once(
    web: tuple[TestClient, Seeded, dict[str, str], str],
) -> None:
    client, s, tokens, _ = web
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/incidents", params=params, headers=bearer(tokens["admin"])).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [s.restricted_incident, s.internal_incident, s.public_incident]
    filtered = client.get(
        "/api/incidents",
        params={"area": "SY07", "from": "2024-03-12", "to": "2024-03-12"},
        headers=bearer(tokens["viewer"]),
    ).json()
    assert [i["id"] for i in filtered["items"]] == [s.public_incident]


def test_openapi_lists_the_api(web: tuple[TestClient, Seeded, dict[str, str], str]) -> None:
    client, *_ = web
    spec = client.get("/api/openapi.json").json()
    assert {"/api/incidents", "/api/aggregates", "/api/persons"} <= set(spec["paths"])
    names = {p["name"] for p in spec["paths"]["/api/incidents"]["get"]["parameters"]}
    assert {"from", "to", "area", "type", "perpetrator", "weapon", "facility", "grade"} <= names


def _login(client: TestClient, username: str) -> str:
    form = client.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf.group(1), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    page = client.get("/").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    return token.group(1)


def test_session_login_csrf_and_review_by_form(
    web: tuple[TestClient, Seeded, dict[str, str], str],
) -> None:
    client, s, _, url = web
    bad = client.post(
        "/login",
        data={"username": USERS["analyst"], "password": "nope", "csrf_token": "x"},
        follow_redirects=False,
    )
    assert bad.status_code == 403  # no login CSRF cookie
    csrf = _login(client, USERS["analyst"])
    target = f"/incidents/{s.public_incident}/correct"
    form = {"field": "killed.best", "value": "8", "reason": "hospital list"}
    refused = client.post(target, data=form, follow_redirects=False)
    assert refused.status_code == 403  # a cookie alone is not enough to change anything
    api_refused = client.post(f"/api/incidents/{s.public_incident}/confirm", json={})
    assert api_refused.status_code == 403
    done = client.post(target, data={**form, "csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303 and "saved=1" in done.headers["location"]
    page = client.get(f"/incidents/{s.public_incident}").text
    assert "hospital list" in page and 'class="machine">7<' in page
    assert re.search(r"<td>omar_analyst</td><td>correct</td>", page)
    wrong = client.post(
        target, data={**form, "value": "lots", "csrf_token": csrf}, follow_redirects=False
    )
    assert "error=" in wrong.headers["location"]
    out = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303
    store = Store(url)
    try:
        actions = [(e.actor, e.action) for e in store.history("user", USERS["analyst"])]
        assert ("omar_analyst", "login") in actions and ("omar_analyst", "logout") in actions
    finally:
        store.close()


def test_viewer_sees_masked_names_and_arabic_layout(
    web: tuple[TestClient, Seeded, dict[str, str], str],
) -> None:
    client, s, tokens, _ = web
    page = client.get(f"/documents/{s.public_doc}?lang=ar", headers=bearer(tokens["viewer"]))
    assert page.status_code == 200 and 'dir="rtl"' in page.text
    assert PROTECTED_PERSON not in page.text and "\u2588" * len(PROTECTED_PERSON) in page.text
    assert "marsad_lang=ar" in page.headers.get("set-cookie", "")
    english = client.get("/?lang=en", headers=bearer(tokens["viewer"]))
    assert 'dir="ltr"' in english.text and "<svg" in english.text
    assert "default-src 'self'" in english.headers["content-security-policy"]


def test_restricted_reads_by_analysts_are_audited(
    web: tuple[TestClient, Seeded, dict[str, str], str],
) -> None:
    client, s, tokens, url = web
    assert (
        client.get(
            f"/api/incidents/{s.restricted_incident}", headers=bearer(tokens["analyst"])
        ).status_code
        == 200
    )
    store = Store(url)
    try:
        entries = store.history("incident", str(s.restricted_incident))
        assert (entries[-1].action, entries[-1].actor) == ("view_restricted", USERS["analyst"])
    finally:
        store.close()


def test_user_commands(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    app = typer.Typer()
    app.add_typer(user_app, name="user")
    runner = CliRunner()
    added = runner.invoke(
        app,
        ["user", "add", "nour", "--role", "analyst", "--password-stdin", "--db", db],
        input="a-long-password\n",
    )
    assert added.exit_code == 0, added.output
    bad_role = runner.invoke(
        app,
        ["user", "add", "sami", "--role", "boss", "--password-stdin", "--db", db],
        input="a-long-password\n",
    )
    assert bad_role.exit_code == 2
    token = runner.invoke(app, ["user", "token", "nour", "--db", db]).output.strip()
    assert token.startswith("msd_")
    listed = runner.invoke(app, ["user", "list", "--tokens", "--json", "--db", db])
    assert '"role": "analyst"' in listed.output and token not in listed.output
    assert runner.invoke(app, ["user", "revoke-token", token, "--db", db]).exit_code == 0
    assert runner.invoke(app, ["user", "revoke-token", token, "--db", db]).exit_code == 1
    store = Store(database_url(db))
    try:
        assert store.account_for_token(token) is None
    finally:
        store.close()


def test_more_bad_requests_are_4xx_json(
    web: tuple[TestClient, Seeded, dict[str, str], str],
) -> None:
    """Cases beyond the basic list: bad export formats, NUL bytes and odd encodings in filters,
    bodies streamed without a length, ids out of range in bodies, and forms too large."""
    client, s, tokens, _ = web
    h = bearer(tokens["analyst"])
    gets = [
        "/api/export?format=xlsx",
        "/api/export?format=" + "g" * 100,
        "/api/export?format=jsonl&from=yesterday",
        "/api/incidents?limit=-5",
        "/api/incidents?limit=1e9",
        "/api/incidents?area=%00%00",
        "/api/incidents?q=" + "%27" * 300,
        "/api/aggregates?by=",
        "/api/aggregates?by=type;DROP TABLE incidents",
        "/api/incidents?cursor=" + "A" * 300,
    ]
    for path in gets:
        response = client.get(path, headers=h)
        assert 400 <= response.status_code < 500, (path, response.status_code)
        body = response.json()
        assert set(body) == {"error", "detail"} and body["error"], path

    def chunked() -> Iterator[bytes]:  # no content-length: the limit must count the stream
        for _ in range(40):
            yield b" " * 32768

    streamed = client.post(
        f"/api/incidents/{s.public_incident}/confirm",
        content=chunked(),
        headers={**h, "content-type": "application/json"},
    )
    assert streamed.status_code == 413 and streamed.json()["error"] == "too_large"
    posts = [
        ("/api/decisions/merge", {"incidents": [s.public_incident, 2**40]}),
        ("/api/decisions/merge", {"incidents": [s.public_incident]}),
        ("/api/decisions/merge", {"incidents": list(range(1, 500))}),
        (f"/api/incidents/{s.public_incident}/split", {"groups": [["a"], [1]]}),
        (f"/api/incidents/{s.public_incident}/sensitivity", {"level": "secret"}),
        (f"/api/incidents/{s.public_incident}/corrections", {"field": "x" * 200, "value": 1}),
        (f"/api/incidents/{s.public_incident}/corrections", {"field": "no_such_field"}),
        ("/api/tokens", {"label": ""}),
    ]
    for path, payload in posts:
        response = client.post(path, json=payload, headers=h)
        assert 400 <= response.status_code < 500, (path, payload, response.status_code)
        assert set(response.json()) == {"error", "detail"}, (path, payload)
    form = client.post("/login", data={"username": "x" * (2 * 1024 * 1024), "password": "y"})
    assert form.status_code == 413


def _last_ledger(url: str) -> tuple[int, str, str, str]:
    import sqlite3

    path = url.removeprefix("sqlite:///").split("?")[0]
    with sqlite3.connect(path) as db:
        row = db.execute(
            "SELECT seq, actor, action, subject_id FROM ledger ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    return int(row[0]), str(row[1]), str(row[2]), str(row[3])


def test_every_api_write_appends_a_ledger_entry_naming_the_account(
    web: tuple[TestClient, Seeded, dict[str, str], str],
) -> None:
    client, s, tokens, url = web
    who = USERS["analyst"]
    h = bearer(tokens["analyst"])
    iid = s.public_incident
    writes = [
        (f"/api/incidents/{iid}/confirm", {"note": "read the bulletin"}),
        (f"/api/incidents/{iid}/corrections", {"field": "killed.best", "value": 8}),
        (f"/api/incidents/{iid}/sensitivity", {"level": "internal", "reason": "witness"}),
        ("/api/tokens", {"label": "ledger test"}),
    ]
    for path, payload in writes:
        before, *_ = _last_ledger(url)
        response = client.post(path, json=payload, headers=h)
        assert response.status_code == 200, (path, response.text)
        seq, actor, action, _subject = _last_ledger(url)
        assert seq > before and actor == who, (path, actor, action)
    token_id = client.get("/api/tokens", headers=h).json()["items"][-1]["id"]
    before, *_ = _last_ledger(url)
    assert client.delete(f"/api/tokens/{token_id}", headers=h).status_code == 200
    seq, actor, action, _ = _last_ledger(url)
    assert seq > before and actor == who and "revoke" in action
    # a refused write leaves the ledger as it was
    before, *_ = _last_ledger(url)
    viewer = bearer(tokens["viewer"])
    refused = client.post(f"/api/incidents/{iid}/confirm", json={}, headers=viewer)
    assert refused.status_code == 403 and _last_ledger(url)[0] == before


def test_fast_incident_json_matches_the_store_view(
    web: tuple[TestClient, Seeded, dict[str, str], str],
) -> None:
    """The API's own serializer must give what ``IncidentView.to_dict`` gives (dates as text)."""
    import json

    from marsad.web.api import incident_json

    _, s, _, url = web
    store = Store(url)
    try:
        for iid in (s.public_incident, s.internal_incident, s.restricted_incident):
            view = store.visible_incident(iid, "restricted")
            assert view is not None
            expected = json.loads(json.dumps(view.to_dict(), default=str))
            assert incident_json(view) == expected
            assert expected["figures"] and expected["date_start"]
    finally:
        store.close()


def test_revoked_and_disabled_tokens_stop_working(
    web: tuple[TestClient, Seeded, dict[str, str], str],
) -> None:
    """Tokens are cached for a moment per process: a revocation through the app is felt at
    once; one made elsewhere (another process, the CLI) once the short cache time is over."""
    client, _, tokens, url = web
    h = bearer(tokens["viewer"])
    assert client.get("/api/me", headers=h).status_code == 200
    mine = client.get("/api/tokens", headers=h).json()["items"]
    assert client.delete(f"/api/tokens/{mine[0]['id']}", headers=h).status_code == 200
    assert client.get("/api/me", headers=h).status_code == 401
    # revoked behind the app's back: cached for at most the cache time, then refused
    analyst = bearer(tokens["analyst"])
    assert client.get("/api/incidents", headers=analyst).status_code == 200
    store = Store(url)
    store.set_user_active(USERS["analyst"], False, actor="test")
    store.close()
    cache = client.app.state.token_cache  # type: ignore[attr-defined]
    assert cache.get(analyst["Authorization"]) is not None
    cache.ttl = 0.0
    cache.put(analyst["Authorization"], cache.get(analyst["Authorization"]))  # expires now
    assert client.get("/api/incidents", headers=analyst).status_code == 401


def test_json_is_the_same_with_or_without_orjson(
    web: tuple[TestClient, Seeded, dict[str, str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """orjson (optional) only makes the answers faster: the data sent is the same."""
    pytest.importorskip("orjson")
    from marsad.store import rows
    from marsad.web import api

    client, _, tokens, _ = web
    h = bearer(tokens["analyst"])
    paths = ["/api/incidents?limit=5", "/api/aggregates?by=day,type,month,area&from=2000-01-01"]
    fast = [client.get(p, headers=h).json() for p in paths]
    monkeypatch.setattr(api, "_orjson", None)
    monkeypatch.setattr(rows, "_orjson", None)
    assert [client.get(p, headers=h).json() for p in paths] == fast
    assert fast[0]["items"] and fast[1]["totals"]["incidents"] > 0
