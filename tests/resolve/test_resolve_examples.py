"""End to end on the project's example reports: ingest, extract, resolve.

The four Ariha market reports are one strike: one outlet says 7 civilians killed, one "at least 8",
two (one a syndicated copy of the other) 10. Resolution must make one incident with low 8 and high
10 from four outlets that are three independent sources."""

from __future__ import annotations

import pytest

from marsad import config
from marsad.contract.incident import IncidentFilter
from marsad.jobs.extract import extract_documents
from marsad.jobs.ingest import ingest_paths
from marsad.jobs.resolve import resolve_store
from marsad.publish.aggregates import compare_aggregates
from marsad.store import Store
from paths import REPO

EXAMPLES = REPO / "examples" / "reports"


def test_ariha_reports_resolve_to_one_incident(sqlite_store: Store) -> None:
    store = sqlite_store
    files = sorted(EXAMPLES.glob("2023-10-0[67]-ariha-market-*.md"))
    assert len(files) == 4
    ingest_paths(store, files, actor="tester", max_bytes=config.max_bytes(None))
    extract_documents(store, actor="tester")
    claims = list(store.iter_claims())
    if not any(c.data.get("places") for c in claims):
        pytest.skip("no gazetteer: claims carry no places")
    resolve_store(store, actor="tester")
    found = [
        i
        for i in store.iter_incidents(IncidentFilter(max_sensitivity="restricted"))
        if i.place_name == "Ariha"
    ]
    assert len(found) == 1
    ariha = found[0]
    killed = ariha.figure("killed")
    assert (killed.low, killed.high) == (8, 10)
    assert killed.low is not None and killed.best is not None
    assert killed.low <= killed.best <= killed.high
    assert ariha.source_count == 4
    assert ariha.independent_source_count == 3
    assert ariha.grade == "fair"


def test_example_corpus_aggregates_are_compared(sqlite_store: Store) -> None:
    store = sqlite_store
    ingest_paths(store, [EXAMPLES], actor="tester", max_bytes=config.max_bytes(None))
    extract_documents(store, actor="tester")
    report = resolve_store(store, actor="tester")
    total_claims = sum(1 for _ in store.iter_claims())
    assert report.new_claims + report.aggregates == total_claims
    linked = sum(
        len(store.incident_claim_ids(i.id or 0))
        for i in store.iter_incidents(IncidentFilter(max_sensitivity="restricted"))
    )
    assert linked == report.new_claims  # every incident claim in exactly one incident
    aggregate_ids = {c.claim_id for c in store.iter_claims() if c.data["scope"] == "aggregate"}
    assert len(aggregate_ids) == report.aggregates
    assert store.incident_ids_for_claims(aggregate_ids) == {}  # totals are not incidents
    comparisons = compare_aggregates(store, IncidentFilter(max_sensitivity="restricted"))
    assert {c.aggregate.claim_id for c in comparisons} <= aggregate_ids
    for c in comparisons:
        assert c.summary.startswith(f"reported: {c.reported}; incidents on record: ")


def test_darat_izza_blame_is_contested(sqlite_store: Store) -> None:
    """One outlet blames government artillery, another HTS (which blames the government)."""
    store = sqlite_store
    files = sorted(EXAMPLES.glob("2023-10-11-darat-izza-shelling-*.md"))
    assert len(files) == 2
    ingest_paths(store, files, actor="tester", max_bytes=config.max_bytes(None))
    extract_documents(store, actor="tester")
    if not all(c.data.get("places") for c in store.iter_claims()):
        pytest.skip("no gazetteer: claims carry no places")
    resolve_store(store, actor="tester")
    [inc] = list(store.iter_incidents(IncidentFilter(max_sensitivity="restricted")))
    assert inc.grade == "contested"
    assert any(d.startswith("perpetrator:") for d in inc.disagreements)
    assert inc.independent_source_count == 2
