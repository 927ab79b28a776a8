"""Search and Arabic areas through the API, the dashboard and the CLI, each at the reader's
clearance: a viewer never finds the restricted field note, and an unknown area is refused
with the nearest gazetteer names."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from marsad.cli import app
from marsad.config import database_url
from marsad.store import Store
from marsad.web import create_app
from test_web_seed import PROTECTED_PERSON, RESTRICTED_PERSON, USERS, Seeded, seed

Web = tuple[TestClient, Seeded, dict[str, str], str]


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Web]:
    url = database_url(str(tmp_path / "s.db"))
    store = Store(url)
    s = seed(store)
    tokens = {role: store.create_token(name, actor="setup") for role, name in USERS.items()}
    store.close()
    with TestClient(create_app(url)) as client:
        yield client, s, tokens, url


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_api_search_keeps_clearance_and_masks_names(web: Web) -> None:
    client, s, tokens, _ = web
    viewer, analyst = bearer(tokens["viewer"]), bearer(tokens["analyst"])
    found = client.get("/api/search", params={"q": "vegetable market"}, headers=viewer).json()
    assert ("document", s.public_doc) in {(i["kind"], i["id"]) for i in found["items"]}
    assert all(i["sensitivity"] == "public" for i in found["items"])
    # "seized" is only in the restricted field note
    assert client.get("/api/search?q=seized", headers=viewer).json()["items"] == []
    # analysts are cleared for restricted records
    cleared = client.get("/api/search?q=seized", headers=analyst).json()
    assert s.restricted_doc in {i["id"] for i in cleared["items"]}
    # the protected volunteer's name finds nothing and is never in a snippet
    assert (
        client.get("/api/search", params={"q": PROTECTED_PERSON}, headers=viewer).json()["items"]
        == []
    )
    rescuers = client.get("/api/search?q=rescuers", headers=viewer).json()["items"]
    assert rescuers and all(PROTECTED_PERSON not in json.dumps(i) for i in rescuers)
    assert client.get("/api/search?q=seized").status_code == 401
    assert client.get("/api/search?q=x&kind=persons", headers=viewer).status_code in (400, 422)


def test_api_arabic_area_and_unknown_area(web: Web) -> None:
    client, s, tokens, _ = web
    h = bearer(tokens["analyst"])
    listed = client.get("/api/incidents", params={"area": "إدلب"}, headers=h).json()["items"]
    assert s.public_incident in {i["id"] for i in listed}
    assert all(i["admin1_pcode"] == "SY07" for i in listed)
    refused = client.get("/api/incidents", params={"area": "Nowhere"}, headers=h)
    assert refused.status_code == 400
    detail = refused.json()["detail"]
    assert "unknown area 'Nowhere'" in detail["message"] and detail["value"]["suggestions"]


def test_dashboard_search_box(web: Web) -> None:
    client, _, tokens, _ = web
    page = client.get("/", params={"search": "ادلب"}, headers=bearer(tokens["viewer"])).text
    assert 'name="search"' in page and 'id="search-results"' in page
    page = client.get("/", params={"search": "seized"}, headers=bearer(tokens["viewer"])).text
    results = page.split('id="search-results"')[1].split("</section>")[0]
    assert RESTRICTED_PERSON not in page and "Nothing found." in results


@pytest.fixture
def cli_db(tmp_path: Path) -> Iterator[tuple[str, Seeded]]:
    url = database_url(str(tmp_path / "c.db"))
    store = Store(url)
    s = seed(store)
    store.close()
    yield url, s


def test_cli_search_json(cli_db: tuple[str, Seeded]) -> None:
    url, s = cli_db
    runner = CliRunner()
    result = runner.invoke(app, ["search", "vegetable", "--json", "--db", url, "--limit", "5"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)["items"]
    assert s.public_doc in {i["id"] for i in items} and len(items) <= 5
    hidden = runner.invoke(app, ["search", "seized", "--json", "--db", url])
    assert json.loads(hidden.stdout)["items"] == []
    shown = runner.invoke(
        app, ["search", "seized", "--json", "--db", url, "--include", "restricted"]
    )
    assert s.restricted_doc in {i["id"] for i in json.loads(shown.stdout)["items"]}
    assert runner.invoke(app, ["search", "x", "--db", url, "--include", "secret"]).exit_code == 2


def test_cli_arabic_area_and_unknown_area(cli_db: tuple[str, Seeded], tmp_path: Path) -> None:
    url, s = cli_db
    runner = CliRunner()
    out = tmp_path / "idlib.jsonl"
    result = runner.invoke(
        app,
        ["export", "--format", "jsonl", "--area", "إدلب", "--include", "internal", "--db", url]
        + ["--output", str(out)],
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    assert s.public_incident in {r["id"] for r in rows}
    assert {r["admin1_pcode"] for r in rows} == {"SY07"}
    bad = runner.invoke(app, ["export", "--format", "jsonl", "--area", "Nowhere", "--db", url])
    assert bad.exit_code == 2
    assert "unknown area 'Nowhere'" in bad.output and "did you mean" in bad.output


def test_cli_incidents_list_takes_arabic_area(cli_db: tuple[str, Seeded]) -> None:
    url, s = cli_db
    runner = CliRunner()
    args = ["incidents", "list", "--json", "--include", "internal", "--db", url]
    result = runner.invoke(app, [*args, "--area", "ادلب"])
    assert result.exit_code == 0, result.output
    listed = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert s.public_incident in {i["id"] for i in listed}
    assert runner.invoke(app, [*args, "--area", "Nowhere"]).exit_code == 2
