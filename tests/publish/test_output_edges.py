"""Every output path calls the one masking function (``Disclosure.show``) last.

The routes are enumerated from the app and the formats from the publishing layer, so a new
route or format is checked without editing this file. (``test_leak_scan.py`` proves the result:
no protected name in any output.)"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from marsad.config import database_url
from marsad.contract.incident import IncidentFilter
from marsad.protect.disclosure import Disclosure
from marsad.publish.brief import BRIEF_FORMATS, build_brief, write_brief
from marsad.publish.export import FORMATS, export_incidents
from marsad.store import Store
from marsad.web import create_app
from marsad.web.app import iter_routes
from test_web_seed import USERS, Seeded, seed

# served by StaticFiles: the project's own stylesheet and nothing from the store
NOT_DATA = {"/static"}


class Calls:
    def __init__(self) -> None:
        self.count = 0


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    seen = Calls()
    original = Disclosure.show

    def spy(self: Disclosure, value: Any) -> Any:
        seen.count += 1
        return original(self, value)

    monkeypatch.setattr(Disclosure, "show", spy)
    return seen


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[TestClient, Seeded, str, Store]]:
    url = database_url(str(tmp_path / "edges.db"))
    store = Store(url)
    s = seed(store)
    token = store.create_token(USERS["viewer"], actor="setup")
    with TestClient(create_app(url, public_read=True)) as client:
        yield client, s, token, store
    store.close()


def _path(template: str, s: Seeded) -> str:
    return (
        template.replace("{incident_id}", str(s.public_incident))
        .replace("{document_id}", s.public_doc)
        .replace("{token_id}", "1")
    )


@pytest.mark.parametrize("who", ["viewer", "anonymous"])
def test_every_get_route_masks_what_it_sends(
    web: tuple[TestClient, Seeded, str, Store], calls: Calls, who: str
) -> None:
    client, s, token, _ = web
    headers = {"Authorization": f"Bearer {token}"} if who == "viewer" else {}
    checked = []
    for template, methods in iter_routes(client.app):  # type: ignore[arg-type]
        if "GET" not in methods or template in NOT_DATA:
            continue
        before = calls.count
        response = client.get(_path(template, s), headers=headers, follow_redirects=False)
        if response.status_code >= 500:
            pytest.fail(f"{template}: {response.status_code}")
        if 300 <= response.status_code < 400:
            assert not response.content, template  # a redirect carries no data
            continue
        if "csv" in response.headers.get("content-type", "") or template == "/api/export":
            continue  # the exporter masks it: checked below
        assert calls.count > before, f"{template} sent data without masking it ({who})"
        checked.append(template)
    assert "/api/incidents" in checked and "/" in checked and "/documents/{document_id}" in checked


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_export_format_masks_each_row(
    web: tuple[TestClient, Seeded, str, Store], calls: Calls, fmt: str
) -> None:
    _, _, _, store = web
    before = calls.count
    result = export_incidents(
        store, fmt, io.StringIO(), IncidentFilter(), actor="t", include_unreviewed=True
    )
    assert result.rows >= 1 and calls.count >= before + result.rows


@pytest.mark.parametrize("fmt", BRIEF_FORMATS)
def test_every_brief_format_is_masked(
    web: tuple[TestClient, Seeded, str, Store], calls: Calls, fmt: str, tmp_path: Path
) -> None:
    from datetime import date

    _, _, _, store = web
    before = calls.count
    f = IncidentFilter(date_from=date(2024, 3, 1), date_to=date(2024, 3, 31))
    brief = build_brief(store, f, include_unreviewed=True)
    write_brief(brief, tmp_path / f"brief.{fmt}", fmt)
    assert brief.incident_count >= 1 and calls.count > before
