"""The authorization matrix: every route of the app, for every role, on public, internal,
restricted and missing records. Each response's status is checked against the rule, and no
response to a reader not cleared for them may contain a restricted string.

A route added to the app without a rule here fails ``test_every_route_has_a_rule``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from marsad.config import database_url
from marsad.store import Store
from marsad.web import create_app
from marsad.web.app import iter_routes
from test_web_seed import HIDDEN_FROM_VIEWER, USERS, Seeded, seed

ROLES = ("anonymous", "viewer", "analyst", "admin")
REVIEWERS = {"analyst", "admin"}
SIGNED_IN = {"viewer", "analyst", "admin"}
TARGETS = ("public", "internal", "restricted", "missing")
MISSING_INCIDENT = 987_654
MISSING_DOCUMENT = "ab" * 32


@dataclass
class Env:
    client: TestClient
    seeded: Seeded
    tokens: dict[str, str]
    spare_token_id: int


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    url = database_url(str(Path(tmp_path_factory.mktemp("matrix")) / "m.db"))
    store = Store(url)
    seeded = seed(store)
    tokens = {role: store.create_token(USERS[role], actor="setup") for role in USERS}
    store.create_token(USERS["admin"], label="spare", actor="setup")
    spare = next(t.id for t in store.tokens(USERS["admin"]) if t.label == "spare")
    store.close()
    with TestClient(create_app(url)) as client:
        yield Env(client, seeded, tokens, spare)


def _incident(env: Env, target: str) -> int:
    s = env.seeded
    return {
        "public": s.public_incident,
        "internal": s.internal_incident,
        "restricted": s.restricted_incident,
        "missing": MISSING_INCIDENT,
    }[target]


def _document(env: Env, target: str) -> str:
    s = env.seeded
    return {
        "public": s.public_doc,
        "internal": s.restricted_doc,  # no internal document: the restricted one stands in
        "restricted": s.restricted_doc,
        "missing": MISSING_DOCUMENT,
    }[target]


def _visible(role: str, target: str) -> bool:
    if target == "missing":
        return False
    if role in REVIEWERS:
        return True
    return target == "public"


def _record_read(role: str, target: str, *, page: bool = False) -> set[int]:
    if role == "anonymous":
        return {303} if page else {401}
    return {200} if _visible(role, target) else {404}


def _reviewer_only(role: str, target: str, *, page: bool = False, ok: int = 200) -> set[int]:
    if role == "anonymous":
        return {303} if page else {401}
    if role not in REVIEWERS:
        return {403}
    return {ok} if _visible(role, target) else {404}


def _signed_in(role: str, *, page: bool = False) -> set[int]:
    if role == "anonymous":
        return {303} if page else {401}
    return {200}


def _collection(role: str, *, page: bool = False) -> set[int]:
    return _signed_in(role, page=page)


def _role_only(role: str, allowed: set[str], *, page: bool = False) -> set[int]:
    if role == "anonymous":
        return {303} if page else {401}
    return {200} if role in allowed else {403}


# (method, route template) -> how to call it: (path parameter kind, body, rule)
Rule = Any
RULES: dict[tuple[str, str], tuple[str | None, dict[str, Any] | None, Rule]] = {
    ("GET", "/api/openapi.json"): (None, None, lambda r, t: {200}),
    ("GET", "/api/health"): (None, None, lambda r, t: {200}),
    ("GET", "/api/me"): (None, None, lambda r, t: _signed_in(r)),
    ("GET", "/api/documents"): (None, None, lambda r, t: _collection(r)),
    ("GET", "/api/documents/{document_id}"): ("document", None, _record_read),
    ("GET", "/api/claims"): (None, None, lambda r, t: _collection(r)),
    ("GET", "/api/incidents"): (None, None, lambda r, t: _collection(r)),
    ("GET", "/api/search"): (None, None, lambda r, t: _collection(r)),
    ("GET", "/api/incidents/{incident_id}"): ("incident", None, _record_read),
    ("GET", "/api/incidents/{incident_id}/history"): ("incident", None, _reviewer_only),
    ("GET", "/api/persons"): (None, None, lambda r, t: _role_only(r, REVIEWERS)),
    ("GET", "/api/aggregates"): (None, None, lambda r, t: _collection(r)),
    ("GET", "/api/export"): (None, None, lambda r, t: _collection(r)),
    ("GET", "/api/review/queue"): (None, None, lambda r, t: _role_only(r, REVIEWERS)),
    ("POST", "/api/incidents/{incident_id}/confirm"): (
        "incident",
        {"note": "seen"},
        _reviewer_only,
    ),
    ("POST", "/api/incidents/{incident_id}/corrections"): (
        "incident",
        {"field": "notes", "value": "checked by the matrix"},
        _reviewer_only,
    ),
    ("POST", "/api/incidents/{incident_id}/sensitivity"): (
        "incident",
        {"level": "SAME"},  # replaced by the record's own level, so the matrix changes nothing
        _reviewer_only,
    ),
    ("POST", "/api/incidents/{incident_id}/split"): (
        "incident",
        {"groups": [[1], [2]]},
        lambda r, t: {400} if _reviewer_only(r, t) == {200} else _reviewer_only(r, t),
    ),
    ("POST", "/api/decisions/merge"): (
        "incident",
        {"incidents": ["TARGET", "PUBLIC"]},
        lambda r, t: {400} if t == "public" and r in REVIEWERS else _reviewer_only(r, t),
    ),
    ("POST", "/api/persons"): (
        None,
        {"name": "Matrix Person"},
        lambda r, t: _role_only(r, REVIEWERS),
    ),
    ("POST", "/api/approvals"): (
        None,
        {"text": "checked by the matrix", "field": "notes"},
        lambda r, t: _role_only(r, REVIEWERS),
    ),
    ("GET", "/api/tokens"): (None, None, lambda r, t: _signed_in(r)),
    ("POST", "/api/tokens"): (None, {"label": "matrix"}, lambda r, t: _signed_in(r)),
    ("DELETE", "/api/tokens/{token_id}"): (
        "token",
        None,
        lambda r, t: {401} if r == "anonymous" else ({200} if r == "admin" else {404}),
    ),
    ("GET", "/api/users"): (None, None, lambda r, t: _role_only(r, {"admin"})),
    ("GET", "/login"): (None, None, lambda r, t: {200}),
    ("POST", "/login"): (None, {}, lambda r, t: {403}),  # no CSRF cookie: refused for all
    ("POST", "/logout"): (None, {}, lambda r, t: {303}),
    ("GET", "/"): (None, None, lambda r, t: _collection(r, page=True)),
    ("GET", "/incidents/{incident_id}"): (
        "incident",
        None,
        lambda r, t: _record_read(r, t, page=True),
    ),
    ("GET", "/documents/{document_id}"): (
        "document",
        None,
        lambda r, t: _record_read(r, t, page=True),
    ),
    ("GET", "/review"): (None, None, lambda r, t: _role_only(r, REVIEWERS, page=True)),
    ("GET", "/alerts"): (None, None, lambda r, t: _role_only(r, REVIEWERS, page=True)),
    ("POST", "/incidents/{incident_id}/confirm"): (
        "incident",
        {"note": "seen"},
        lambda r, t: _reviewer_only(r, t, page=True, ok=303),
    ),
    ("POST", "/incidents/{incident_id}/correct"): (
        "incident",
        {"field": "notes", "value": "checked"},
        lambda r, t: _reviewer_only(r, t, page=True, ok=303),
    ),
    ("POST", "/incidents/{incident_id}/sensitivity"): (
        "incident",
        {"level": "SAME"},
        lambda r, t: _reviewer_only(r, t, page=True, ok=303),
    ),
    ("POST", "/incidents/{incident_id}/merge"): (
        "incident",
        {"incidents": "PUBLIC"},
        lambda r, t: _reviewer_only(r, t, page=True, ok=303),
    ),
    ("POST", "/incidents/{incident_id}/split"): (
        "incident",
        {"groups": "1;2"},
        lambda r, t: _reviewer_only(r, t, page=True, ok=303),
    ),
    ("POST", "/incidents/{incident_id}/approve"): (
        "incident",
        {"field": "title", "text": "checked by the matrix"},
        lambda r, t: _reviewer_only(r, t, page=True, ok=303),
    ),
    ("POST", "/documents/{document_id}/persons"): (
        "document",
        {"name": "Matrix Person"},
        lambda r, t: _reviewer_only(r, t, page=True, ok=303),
    ),
    ("GET", "/brief"): (None, None, lambda r, t: _collection(r, page=True)),
    ("GET", "/account"): (None, None, lambda r, t: _signed_in(r, page=True)),
    ("POST", "/account/tokens"): (
        None,
        {"label": "matrix"},
        lambda r, t: _signed_in(r, page=True),
    ),
    ("POST", "/account/tokens/{token_id}/revoke"): (
        "token",
        {},
        lambda r, t: {303} if r in ("anonymous", "admin") else {404},
    ),
    ("GET", "/admin/users"): (None, None, lambda r, t: _role_only(r, {"admin"}, page=True)),
    ("GET", "/static"): ("static", None, lambda r, t: {200}),
}


def _calls(env: Env) -> Iterator[tuple[str, str, str, str, dict[str, Any] | None, Rule]]:
    """(method, template, concrete path, target, body, rule) for every route and target."""
    levels = {"public": "public", "internal": "internal", "restricted": "restricted"}
    for (method, template), (kind, body, rule) in RULES.items():
        targets = TARGETS if kind in ("incident", "document") else ("public",)
        for target in targets:
            path = template
            if kind == "incident":
                path = path.replace("{incident_id}", str(_incident(env, target)))
            elif kind == "document":
                path = path.replace("{document_id}", _document(env, target))
            elif kind == "token":
                path = path.replace("{token_id}", str(env.spare_token_id))
            elif kind == "static":
                path = "/static/marsad.css"
            filled = None
            if body is not None:
                filled = {}
                for k, v in body.items():
                    if v == "SAME":
                        v = levels.get(target, "public")
                    elif v == ["TARGET", "PUBLIC"]:
                        v = [_incident(env, target), env.seeded.public_incident]
                    elif v == "PUBLIC":
                        v = str(env.seeded.public_incident)
                    filled[k] = v
            yield method, template, path, target, filled, rule


def test_every_route_has_a_rule(env: Env) -> None:
    served = {
        (m, p)
        for p, methods in iter_routes(env.client.app)
        for m in (methods or {"GET"})
        if m != "HEAD"
    }
    assert served == set(RULES), (
        f"routes without a rule: {sorted(served - set(RULES))}; "
        f"rules without a route: {sorted(set(RULES) - served)}"
    )


@pytest.mark.parametrize("role", ROLES)
def test_matrix(env: Env, role: str) -> None:
    headers = {} if role == "anonymous" else {"Authorization": f"Bearer {env.tokens[role]}"}
    failures = []
    for method, template, path, target, body, rule in _calls(env):
        page = not path.startswith("/api")
        kwargs: dict[str, Any] = {"headers": headers, "follow_redirects": False}
        if body is not None:
            kwargs["data" if page else "json"] = body
        response = env.client.request(method, path, **kwargs)
        expected = rule(role, target)
        if response.status_code not in expected:
            failures.append(
                f"{role} {method} {path} ({target}): {response.status_code} not in {expected}"
                f" — {response.text[:160]}"
            )
        assert response.status_code != 500, f"{method} {path}: server error"
        if role not in REVIEWERS:
            for secret in HIDDEN_FROM_VIEWER:
                assert secret not in response.text, f"{role} {method} {path} leaked {secret!r}"
        if response.status_code >= 400 and (path.startswith("/api") or path.startswith("/static")):
            payload = response.json()
            assert set(payload) == {"error", "detail"}, payload
        if response.status_code == 404 and template in (
            "/api/incidents/{incident_id}",
            "/api/documents/{document_id}",
        ):
            # an invisible record answers exactly like a missing one
            missing = env.client.get(
                template.replace("{incident_id}", str(MISSING_INCIDENT)).replace(
                    "{document_id}", MISSING_DOCUMENT
                ),
                headers=headers,
            )
            assert response.json() == missing.json()
    assert not failures, "\n".join(failures)


def test_public_read_lets_anonymous_see_public_records_only(tmp_path: Path) -> None:
    url = database_url(str(tmp_path / "p.db"))
    store = Store(url)
    s = seed(store)
    store.close()
    with TestClient(create_app(url, public_read=True)) as client:
        listed = client.get("/api/incidents").json()["items"]
        assert [i["id"] for i in listed] == [s.public_incident]
        assert client.get(f"/api/incidents/{s.restricted_incident}").status_code == 404
        assert client.get(f"/api/incidents/{s.internal_incident}").status_code == 404
        assert client.get("/api/persons").status_code == 401
        assert (
            client.post(f"/api/incidents/{s.public_incident}/confirm", json={}).status_code == 401
        )
        for path in (
            "/",
            "/brief",
            f"/incidents/{s.public_incident}",
            f"/documents/{s.public_doc}",
            "/api/aggregates?by=area,perpetrator,facility&reported=true",
            "/api/claims",
            "/api/documents",
        ):
            response = client.get(path)
            assert response.status_code == 200, path
            for secret in HIDDEN_FROM_VIEWER:
                assert secret not in response.text, f"{path} leaked {secret!r}"
