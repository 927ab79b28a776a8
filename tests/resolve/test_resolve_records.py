"""The fast paths resolution takes through the store give exactly what the full paths give.

``record_from_stored`` digests a claim's JSON dict directly, and ``incident_row_values`` writes
an incident's JSON record field by field; both must match the schema-object path
(``record_from_claim(claim_from_dict(...))``) and ``asdict`` on real extracted claims (the
project's example reports) and on the resolution test builders."""

from __future__ import annotations

import json

import pytest

from marsad import config
from marsad.contract.claim import Claim, Count, PersonMention, Span, claim_from_dict
from marsad.contract.incident import StoredClaim
from marsad.jobs.extract import extract_documents
from marsad.jobs.ingest import ingest_paths
from marsad.resolve import build_incident, record_from_claim, record_from_stored
from marsad.resolve.records import record_from_data
from marsad.store import Store
from marsad.store.rows import INCIDENT_DATA_FIELDS, incident_columns, incident_data
from paths import REPO
from resolve_claims import HTS, SYRIA, count, strike

EXAMPLES = REPO / "examples" / "reports"


def _slow(stored: StoredClaim) -> object:
    """The record as the schema-object path builds it."""
    return record_from_claim(
        claim_from_dict(stored.data),
        stored.claim_id,
        source=stored.source_name,
        document_id=stored.document_id,
        published=stored.published,
        credibility=stored.source_credibility,
        sensitivity=stored.sensitivity,
        title=stored.title,
        url=stored.url,
        dataset=stored.provenance.get("dataset"),
    )


def test_records_from_extracted_example_claims_match(sqlite_store: Store) -> None:
    store = sqlite_store
    files = sorted(EXAMPLES.glob("*"))
    ingest_paths(store, files, actor="tester", max_bytes=config.max_bytes(None))
    extract_documents(store, actor="tester")
    stored = list(store.claims_since(0))
    assert len(stored) >= 10
    assert stored == list(store.iter_claims())  # the text-read JSON parses to the same dicts
    for s in stored:
        fast = record_from_stored(s)
        assert fast == _slow(s), s.claim_id
        assert fast.place == _slow(s).place  # PlaceRef, evidence span included


def _builder_claims() -> list[Claim]:
    odd = strike("Kafr Tall", counts=[count("killed", 5, 9, "about", group="civilians")])
    odd.counts.append(Count("killed", 3, 3, "exact", Span(0, 1, "3"), part_of=0))
    odd.counts.append(Count("killed", 2, None, "at_least", Span(0, 1, "2"), derived=True))
    odd.persons.append(PersonMention("Rami Haddad", Span(0, 4, "Rami"), role="witness"))
    undated = strike("Tall Nisr", killed=count("killed", 4, 4))
    undated.date_start = undated.date_end = None
    undated.date_precision = None
    reversed_dates = strike("Ariha", day="2023-10-09", day_end="2023-10-02")
    reversed_dates.date_evidence = Span(0, 2, "on")
    return [
        strike(killed=count("killed", 7, 7), reported_by=("White Helmets",)),
        strike("Tall Nisr", perpetrators=(SYRIA, HTS), weapons=("artillery", "rocket")),
        strike("Idlib", precision="governorate", facilities=("school", "market")),
        strike("", killed=count("killed", 10, None, "over")),
        strike(event_type="armed_clash", day="2023-10-01", day_end="2023-10-20"),
        odd,
        undated,
        reversed_dates,
    ]


@pytest.mark.parametrize("published", [None, "2023-10-07", "2023-10-15"])
def test_records_from_builder_claims_match(published: str | None) -> None:
    for i, claim in enumerate(_builder_claims(), 1):
        data = json.loads(json.dumps(claim.to_dict()))  # as the store hands it back
        kwargs = {"source": "Levant Wire", "published": published, "dataset": None}
        assert record_from_data(data, i, **kwargs) == record_from_claim(
            claim_from_dict(data), i, **kwargs
        )


def test_incident_json_matches_asdict() -> None:
    records = [
        record_from_claim(c, i, source=f"Outlet {i % 3}", published="2023-10-07")
        for i, c in enumerate(_builder_claims(), 1)
    ]
    view = build_incident(records, texts={}, notes=["merged by hand"])
    view.corrections = {"killed": {"machine": [7, 8], "value": {"low": 9}, "actor": "Lina"}}
    assert view.figures and view.sources and view.perpetrators
    full = view.to_dict()
    as_asdict = {k: full[k] for k in INCIDENT_DATA_FIELDS}
    assert incident_columns(view)["data"] == incident_data(view) == as_asdict
    assert json.dumps(incident_data(view), sort_keys=True) == json.dumps(as_asdict, sort_keys=True)
