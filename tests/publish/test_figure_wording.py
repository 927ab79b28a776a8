"""A qualified figure reads the same wherever it is shown: the brief, the API and the comparison
of reported totals with incidents all word it through one rule
(``contract.claim.stated_number``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from marsad.config import database_url
from marsad.contract.claim import stated_number
from marsad.contract.incident import IncidentFilter
from marsad.jobs.extract import extract_documents
from marsad.jobs.ingest import ingest_paths
from marsad.jobs.resolve import resolve_store
from marsad.publish.aggregates import compare_aggregates
from marsad.publish.brief import build_brief, render_markdown
from marsad.store import Store
from marsad.web import create_app

# invented statement; "nearly 100" is read as 90..99
STATEMENT = """---
published: 2024-03-20
source: Orontes Relief Committee
sensitivity: public
---
Since 1 March, nearly 100 civilians have been killed in air strikes on Idlib governorate, the
Orontes Relief Committee said on 20 March 2024.
"""
WORDED = "nearly 100 civilians killed"


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        ({"qualifier": "nearly", "low": 90, "high": 99}, ("nearly", {"n": 100})),
        ({"qualifier": "over", "low": 61, "high": None}, ("over", {"n": 60})),
        ({"qualifier": "up_to", "low": None, "high": 10}, ("up_to", {"n": 10})),
        ({"qualifier": "exact", "low": 8, "high": 10}, ("range", {"low": 8, "high": 10})),
        ({"qualifier": "at_least", "low": 45, "high": None}, ("at_least", {"n": 45})),
        ({"qualifier": "exact", "low": 7, "high": 7}, ("exact", {"n": 7})),
    ],
)
def test_stated_number_recovers_what_the_source_said(
    count: dict[str, object], expected: tuple[str, dict[str, int | None]]
) -> None:
    assert stated_number(count) == expected


@pytest.fixture
def statement_store(tmp_path: Path) -> str:
    (tmp_path / "statement.md").write_text(STATEMENT, encoding="utf-8")
    url = database_url(str(tmp_path / "w.db"))
    store = Store(url)
    ingest_paths(store, [tmp_path / "statement.md"], actor="t", max_bytes=1 << 20)
    extract_documents(store, store.iter_documents(unextracted=True), actor="t")
    resolve_store(store, actor="t")
    store.close()
    return url


def test_nearly_100_reads_the_same_in_brief_api_and_comparison(statement_store: str) -> None:
    store = Store(statement_store)
    try:
        [total] = store.reported_totals(IncidentFilter())
        assert [(c["low"], c["high"], c["qualifier"]) for c in total.counts] == [(90, 99, "nearly")]
        [comparison] = compare_aggregates(store, IncidentFilter())
        assert comparison.reported == WORDED
        period = IncidentFilter(date_from=date(2024, 3, 1), date_to=date(2024, 3, 31))
        brief = build_brief(store, period, actor="t", include_unreviewed=True)
        assert WORDED in render_markdown(brief)
        assert "nearly 99" not in render_markdown(brief)
        store.add_user("nadia_viewer", "correct-horse-1", "viewer", actor="t")
        token = store.create_token("nadia_viewer", actor="t")
    finally:
        store.close()
    with TestClient(create_app(statement_store)) as client:
        answer = client.get(
            "/api/aggregates",
            params={"reported": "true"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 200, answer.text
    [shown] = answer.json()["reported_totals"]
    assert shown["stated"] == [WORDED]
