"""Protection by construction: the publish gate, public forms built from structured fields,
approval of free text, masking of every protected person in every output, and audited bulk reads
of restricted records. Names and texts are invented for the tests."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from marsad.config import database_url
from marsad.contract.document import NewDocument
from marsad.contract.incident import IncidentFilter
from marsad.protect.disclosure import Disclosure
from marsad.publish.brief import build_brief, render_markdown
from marsad.publish.export import FORMATS, export_incidents
from marsad.store import Store
from marsad.store.protection import ApprovalRefused
from marsad.web import create_app
from test_web_seed import PASSWORD, PROTECTED_PERSON, PUBLIC_TEXT, USERS, Seeded, seed

MARCH = IncidentFilter(date_from=date(2024, 3, 1), date_to=date(2024, 3, 31))
# named in no document the extractor read: known only because an analyst added her
ANALYST_ADDED = "Rawaa Batoul Khazen"
OTHER_TEXT = (
    "Second bulletin. Ms. Qudsiyya, the volunteer quoted last week, and ZEINAB  QUDSIYYA's "
    f"neighbour {ANALYST_ADDED} were both seen at the market.\n"
)


@pytest.fixture
def seeded(store: Store) -> Iterator[tuple[Store, Seeded, str]]:
    s = seed(store)
    other = store.add_document(
        NewDocument(
            original=OTHER_TEXT.encode(),
            original_name="Rawaa Batoul Khazen notes.txt",
            media_type="text/plain",
            text=OTHER_TEXT,
            title=f"Notes about {ANALYST_ADDED}",
            source="Test Monitor",
            published="2024-03-19",
            language="en",
            sensitivity="public",
        ),
        actor="test-setup",
    ).document_id
    store.add_protected_person(ANALYST_ADDED, role="neighbour", actor="analyst-test")
    yield store, s, other


def _export(store: Store, fmt: str, **kw: object) -> tuple[str, int, int]:
    out = io.StringIO()
    result = export_incidents(store, fmt, out, MARCH, actor="t", **kw)  # type: ignore[arg-type]
    return out.getvalue(), result.rows, result.unreviewed_left_out


def test_public_exports_hold_only_reviewed_incidents(
    seeded: tuple[Store, Seeded, str],
) -> None:
    store, s, _ = seeded
    for fmt in FORMATS:
        text, rows, left_out = _export(store, fmt)
        assert (rows, left_out) == (0, 1), fmt
        assert "Maarrat Misrin" not in text, fmt
        _, rows, left_out = _export(store, fmt, include_unreviewed=True)
        assert (rows, left_out) == (1, 0), fmt
    store.confirm_incident(s.public_incident, actor="analyst-test", note="checked")
    text, rows, left_out = _export(store, "jsonl")
    assert (rows, left_out) == (1, 0) and "Maarrat Misrin" in text


def test_a_brief_of_unreviewed_incidents_holds_none_and_says_why(
    seeded: tuple[Store, Seeded, str],
) -> None:
    store, s, _ = seeded
    brief = build_brief(store, MARCH)
    assert brief.incident_count == 0
    assert any("No incident in this period has been confirmed" in w for w in brief.warnings)
    wide = build_brief(store, MARCH, include_unreviewed=True)
    assert wide.incident_count == 1
    assert any("includes 1 incidents no analyst has reviewed" in m for m in wide.method)
    assert "--include-unreviewed" in wide.query
    store.confirm_incident(s.public_incident, actor="analyst-test")
    reviewed = build_brief(store, MARCH)
    assert reviewed.incident_count == 1 and not reviewed.review_notes


def test_public_forms_show_free_text_only_once_approved(
    seeded: tuple[Store, Seeded, str],
) -> None:
    store, s, _ = seeded
    view = store.visible_incident(s.public_incident, "public")
    assert view is not None
    (source,) = view.sources
    assert source.source == "Test Monitor" and source.published == "2024-03-12"
    assert (source.title, source.excerpt, source.document_id) == (None, "", None)
    assert all("document_id" not in v for f in view.figures.values() for v in f.values)
    store.approve_text("Market strike bulletin", field="title", actor="analyst-test")
    view = store.visible_incident(s.public_incident, "public")
    assert view is not None and view.sources[0].title == "Market strike bulletin"
    # what analysts see is unchanged
    full = store.visible_incident(s.public_incident, "restricted")
    assert full is not None and full.sources[0].excerpt == PUBLIC_TEXT.strip()


def test_approval_is_refused_while_the_text_names_a_protected_person(
    seeded: tuple[Store, Seeded, str],
) -> None:
    store, _, _ = seeded
    for text in (PUBLIC_TEXT, "As Ms Qudsiyya said", "khazen's account"):
        with pytest.raises(ApprovalRefused):
            store.approve_text(text, field="excerpt", actor="analyst-test")
    # approved earlier, then the person becomes protected: masked at output all the same
    store.approve_text("A note by Hiba Sarraf", field="notes", actor="analyst-test")
    store.add_protected_person("Hiba Sarraf", actor="analyst-test")
    d = store.disclosure("public", ["A note by Hiba Sarraf"])
    assert "Sarraf" not in d.free_text("A note by Hiba Sarraf")


def test_every_known_protected_person_is_masked_in_every_document(
    seeded: tuple[Store, Seeded, str],
) -> None:
    """The first person was found in another document; the second was added by an analyst.
    Neither is a mention of this document, and both are masked in its text and metadata."""
    store, _, other = seeded
    doc = store.visible_document(other, "public")
    assert doc is not None
    for part in ("Qudsiyya", "QUDSIYYA", "Khazen", "Rawaa"):
        assert part not in doc.text, part
    assert doc.title is None and doc.original_name == ""
    cleared = store.visible_document(other, "restricted")
    assert cleared is not None and cleared.text == OTHER_TEXT
    listed, _ = store.documents_page("public")
    assert ANALYST_ADDED not in json.dumps(listed)


def test_the_masker_follows_new_persons_at_once(seeded: tuple[Store, Seeded, str]) -> None:
    store, _, other = seeded
    assert "market" in (store.visible_document(other, "public") or _fail()).text
    store.add_protected_person("Tamer Souqi", aliases=["market"], actor="analyst-test")
    doc = store.visible_document(other, "public")
    assert doc is not None and "market" not in doc.text


def _fail() -> object:
    raise AssertionError("missing")


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[TestClient, Seeded, dict[str, str], Store]]:
    url = database_url(str(tmp_path / "w.db"))
    store = Store(url)
    s = seed(store)
    tokens = {role: store.create_token(name, actor="setup") for role, name in USERS.items()}
    with TestClient(create_app(url, public_read=True)) as client:
        yield client, s, tokens, store
    store.close()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_bulk_restricted_reads_are_one_ledger_entry_per_request(
    web: tuple[TestClient, Seeded, dict[str, str], Store],
) -> None:
    client, _, tokens, store = web
    h = _bearer(tokens["analyst"])
    for path, kind in (
        ("/api/incidents?limit=500", "incidents"),
        ("/api/claims?limit=500", "claims"),
        ("/api/persons", "persons"),
        ("/api/documents", "documents"),
        ("/api/review/queue", "review_queue"),
    ):
        before = store.ledger_head()
        assert client.get(path, headers=h).status_code == 200, path
        entries = store.history("read", kind)
        assert entries and entries[-1].actor == USERS["analyst"], path
        payload = json.loads(entries[-1].payload)
        assert payload["restricted_records"] >= 1 and payload["path"] == path.split("?")[0]
        assert store.ledger_head() != before
    # the viewer sees nothing restricted: nothing to audit
    before = store.ledger_head()
    client.get("/api/incidents?limit=500", headers=_bearer(tokens["viewer"]))
    assert store.ledger_head() == before


def test_viewer_and_anonymous_json_never_carry_a_protected_name(
    web: tuple[TestClient, Seeded, dict[str, str], Store],
) -> None:
    client, s, tokens, store = web
    store.add_protected_person("Test Monitor", actor="analyst-test")  # even an outlet's name
    for headers in ({}, _bearer(tokens["viewer"])):
        for path in (
            f"/api/incidents/{s.public_incident}",
            "/api/incidents",
            f"/api/documents/{s.public_doc}",
            "/api/documents",
            "/api/claims",
            "/api/aggregates?by=type,area&reported=true",
        ):
            response = client.get(path, headers=headers)
            assert response.status_code == 200, path
            for name in (PROTECTED_PERSON, "Qudsiyya", "Test Monitor"):
                assert name not in response.text, (path, name)
    analyst = client.get(f"/api/incidents/{s.public_incident}", headers=_bearer(tokens["analyst"]))
    assert "Test Monitor" in analyst.text


def test_analysts_protect_a_person_from_the_api_and_masking_applies_at_once(
    web: tuple[TestClient, Seeded, dict[str, str], Store],
) -> None:
    client, s, tokens, _ = web
    viewer = _bearer(tokens["viewer"])
    assert "rescuers" in client.get(f"/api/documents/{s.public_doc}", headers=viewer).text
    response = client.post(
        "/api/persons",
        json={"name": "Rescuers Team", "aliases": ["rescuers"], "document_id": s.public_doc},
        headers=_bearer(tokens["analyst"]),
    )
    assert response.status_code == 200, response.text
    assert "rescuers" not in client.get(f"/api/documents/{s.public_doc}", headers=viewer).text
    refused = client.post("/api/persons", json={"name": "X Y"}, headers=viewer)
    assert refused.status_code == 403


def test_pages_mark_unreviewed_incidents_and_mask_names(
    web: tuple[TestClient, Seeded, dict[str, str], Store],
) -> None:
    client, s, _, store = web
    page = client.get("/")
    assert page.status_code == 200 and "unreviewed" in page.text
    assert PROTECTED_PERSON not in client.get(f"/documents/{s.public_doc}").text
    store.confirm_incident(s.public_incident, actor="analyst-test")
    assert 'class="badge unreviewed"' not in client.get(f"/incidents/{s.public_incident}").text


def test_sign_in_page_form_marks_a_person(
    web: tuple[TestClient, Seeded, dict[str, str], Store],
) -> None:
    client, s, _, store = web
    login = client.get("/login")
    token = login.text.split('name="csrf_token" value="')[1].split('"')[0]
    client.post(
        "/login",
        data={"username": USERS["analyst"], "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    page = client.get(f"/documents/{s.public_doc}")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    done = client.post(
        f"/documents/{s.public_doc}/persons",
        data={"csrf_token": csrf, "name": "Maarrat Misrin", "aliases": "", "role": "unknown"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and "saved=1" in done.headers["location"]
    names = {p.name for p in store.protected_persons("public")}
    assert "Maarrat Misrin" in names


def test_disclosure_show_masks_every_shape() -> None:
    from marsad.protect.names import NameMasker

    d = Disclosure(NameMasker(["Hiba Sarraf"]), public=True)
    value = {"a": ["Hiba Sarraf said", ("sarraf",)], "b": 3, "c": None}
    shown = d.show(value)
    assert "Sarraf" not in json.dumps(shown) and "sarraf" not in json.dumps(shown)
    assert shown["b"] == 3 and shown["c"] is None


def test_the_brief_in_markdown_masks_a_source_named_after_a_person(
    seeded: tuple[Store, Seeded, str],
) -> None:
    store, s, _ = seeded
    store.add_protected_person("Test Monitor", actor="analyst-test")
    text = render_markdown(build_brief(store, MARCH, include_unreviewed=True))
    assert "Test Monitor" not in text and "Maarrat Misrin" in text


def test_recording_the_same_persons_twice_stores_them_once(
    seeded: tuple[Store, Seeded, str],
) -> None:
    from marsad.contract import claim as contract

    store, _, other = seeded
    start = OTHER_TEXT.index(ANALYST_ADDED)
    mention = contract.PersonMention(
        ANALYST_ADDED, contract.Span(start, start + len(ANALYST_ADDED), ANALYST_ADDED)
    )
    assert store.record_persons(other, [mention], actor="t") == 1
    assert store.record_persons(other, [mention], actor="t") == 0
    assert [p.name for p in store.protected_persons()].count(ANALYST_ADDED) == 1


def test_a_person_named_away_from_any_claim_is_still_protected(
    store: Store, tmp_path: Path
) -> None:
    from marsad.jobs.extract import extract_documents
    from marsad.jobs.ingest import ingest_paths

    report = tmp_path / "calm.md"
    report.write_text(
        "---\ntitle: Interview with Sawsan Mahfouz\nsource: Test Monitor\npublished: 2024-03-20\n"
        "sensitivity: public\n---\nThe market in Sarmin reopened this week. The local activist "
        "Lamia Sarout said traders were afraid to come back.\n",
        encoding="utf-8",
    )
    ingest_paths(store, [report], actor="t", max_bytes=100_000)
    done = extract_documents(store, actor="t")
    assert done.claims == 0 and done.persons >= 2
    names = {p.name for p in store.protected_persons()}
    assert {"Lamia Sarout", "Sawsan Mahfouz"} <= names
    extract_documents(store, actor="t")  # a second run stores nothing twice
    again = {p.name: p.id for p in store.protected_persons()}
    assert len(again) == len(names)
