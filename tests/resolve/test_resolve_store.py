"""Resolution against the store (SQLite, and PostgreSQL when configured): incremental runs,
syndicated documents, aggregates compared not added, analysts' decisions surviving re-runs."""

from __future__ import annotations

import json
from datetime import date

from marsad.contract.claim import Claim
from marsad.contract.document import NewDocument
from marsad.contract.incident import IncidentFilter, IncidentView
from marsad.jobs.resolve import resolve_store
from marsad.publish.aggregates import compare_aggregates
from marsad.store import Store, ledger
from marsad.store.datasets import DatasetRow
from marsad.store.models import Incident
from marsad.store.rows import fill_row, incident_columns
from resolve_claims import HTS, SYRIA, count, strike

WIRE = (
    "ARIHA, Oct 6 (Levant Wire) - A Russian air strike hit the crowded vegetable market in the "
    "town of Ariha on Friday morning, killing 7 civilians and wounding 15 others, local "
    "rescuers said. The strike came at around 10:30 a.m., when the stalls were full of "
    "shoppers buying produce ahead of the weekly prayers."
)


def add(store: Store, source: str, text: str, claims: list[Claim], published: str) -> list[int]:
    doc = store.add_document(
        NewDocument(
            original=f"{source}\n{published}\n{text}".encode(),
            original_name=f"{source}-{published}.txt",
            media_type="text/plain",
            text=text,
            title=text[:60],
            source=source,
            published=published,
            sensitivity="public",
        ),
        actor="tester",
    )
    run = store.start_run(engine="test", engine_version="1", actor="tester")
    return store.replace_claims(doc.document_id, claims, run_id=run, actor="tester")


def incidents(store: Store) -> list[IncidentView]:
    return list(store.iter_incidents(IncidentFilter(max_sensitivity="restricted")))


def three_outlets(store: Store) -> list[int]:
    ids = add(store, "Levant Wire", WIRE, [strike(killed=count("killed", 7, 7))], "2023-10-06")
    ids += add(
        store,
        "Idlib Daily",
        "At least eight people died when warplanes bombed the Ariha market, a medic at the "
        "town's hospital told Idlib Daily, adding that dozens were wounded.",
        [strike(killed=count("killed", 8, None, "at_least"))],
        "2023-10-06",
    )
    ids += add(
        store,
        "Northern Monitor",
        "The monitor documented the deaths of ten civilians, among them three children, in "
        "Friday's bombardment of the main market in Ariha city.",
        [strike(killed=count("killed", 10, 10))],
        "2023-10-07",
    )
    return ids


def test_three_outlets_one_incident_in_the_store(store: Store) -> None:
    claim_ids = three_outlets(store)
    report = resolve_store(store, actor="resolver")
    assert report.incidents_created == 1
    [inc] = incidents(store)
    killed = inc.figure("killed")
    assert (killed.low, killed.best, killed.high) == (8, 8, 10)
    assert inc.source_count == 3 and inc.independent_source_count == 3
    assert inc.grade == "fair"
    assert inc.id is not None
    assert sorted(store.incident_claim_ids(inc.id)) == sorted(claim_ids)
    assert [e.action for e in store.history("incident", str(inc.id))] == ["resolve"]


def test_syndicated_copy_counts_once(store: Store) -> None:
    add(store, "Levant Wire", WIRE, [strike(killed=count("killed", 7, 7))], "2023-10-06")
    add(
        store,
        "Gulf Courier",
        "Via Levant Wire: " + WIRE,
        [strike(killed=count("killed", 7, 7))],
        "2023-10-06",
    )
    resolve_store(store, actor="resolver")
    [inc] = incidents(store)
    assert inc.source_count == 2
    assert inc.independent_source_count == 1
    assert inc.grade == "weak"


def test_perpetrator_disagreement_contested(store: Store) -> None:
    add(
        store,
        "Levant Wire",
        "Government artillery shelled Ariha on Friday, residents said, killing two farmers.",
        [strike(event_type="shelling", perpetrators=(SYRIA,))],
        "2023-10-06",
    )
    add(
        store,
        "State News",
        "Terrorist groups shelled Ariha on Friday, a military source said.",
        [strike(event_type="shelling", perpetrators=(HTS,))],
        "2023-10-06",
    )
    resolve_store(store, actor="resolver")
    [inc] = incidents(store)
    assert inc.grade == "contested"
    assert any("perpetrator" in d for d in inc.disagreements)


def test_incremental_run_adds_to_existing_incident(store: Store) -> None:
    ids = three_outlets(store)
    resolve_store(store, actor="resolver")
    [before] = incidents(store)
    assert before.id is not None
    store.confirm_incident(before.id, actor="analyst")
    new = add(
        store,
        "Civil Defence",
        "Civil defence teams recovered the bodies of twelve people from the Ariha market.",
        [strike(killed=count("killed", 12, 12))],
        "2023-10-08",
    )
    other = add(
        store,
        "Civil Defence",
        "Shelling on Kafr Tall wounded three people on Monday.",
        [strike("Kafr Tall", day="2023-10-09", event_type="shelling")],
        "2023-10-09",
    )
    report = resolve_store(store, actor="resolver")
    assert report.new_claims == 2
    assert (report.incidents_updated, report.incidents_created) == (1, 1)
    after = {i.place_name: i for i in incidents(store)}
    ariha = after["Ariha"]
    assert ariha.id == before.id
    assert sorted(store.incident_claim_ids(before.id)) == sorted(ids + new)
    assert ariha.figure("killed").high == 12
    assert ariha.review_status == "changed"  # an analyst had confirmed it; sources changed
    assert after["Kafr Tall"].source_count == 1 and other
    # nothing new: nothing written
    again = resolve_store(store, actor="resolver")
    assert (again.new_claims, again.incidents_created, again.incidents_updated) == (0, 0, 0)


def test_neighbouring_villages_two_incidents(store: Store) -> None:
    add(
        store,
        "Levant Wire",
        "Air strikes hit Kafr Tall and Tall Nisr on Friday, killing four and five.",
        [
            strike("Kafr Tall", killed=count("killed", 4, 4)),
            strike("Tall Nisr", killed=count("killed", 5, 5)),
        ],
        "2023-10-06",
    )
    add(
        store,
        "Idlib Daily",
        "In Tall Nisr, five died in an air strike on Friday.",
        [strike("Tall Nisr", killed=count("killed", 5, 5))],
        "2023-10-06",
    )
    resolve_store(store, actor="resolver")
    found = {i.place_name: i.source_count for i in incidents(store)}
    assert found == {"Kafr Tall": 1, "Tall Nisr": 2}


def test_aggregate_is_compared_not_added(store: Store) -> None:
    three_outlets(store)
    add(
        store,
        "Civil Defence",
        "Since 5 October, over 60 civilians have been killed in Idlib governorate.",
        [
            strike(
                "Idlib",
                precision="governorate",
                day="2023-10-05",
                day_end="2023-10-31",
                scope="aggregate",
                killed=count("killed", 61, None, "over"),
            )
        ],
        "2023-10-31",
    )
    report = resolve_store(store, actor="resolver")
    assert report.aggregates == 1
    [inc] = incidents(store)
    assert inc.figure("killed").high == 10  # the total was not added to the incident
    [cmp] = compare_aggregates(store, IncidentFilter(max_sensitivity="restricted"))
    assert cmp.reported == "over 60 killed"
    assert cmp.incidents == 1 and cmp.incident_best == 8
    assert cmp.summary == (
        "reported: over 60 killed; incidents on record: 8 killed (range 8-10) in 1 incident"
    )


def test_analyst_merge_survives_rerun(store: Store) -> None:
    add(store, "Levant Wire", "Strike on Kafr Tall on Friday.", [strike("Kafr Tall")], "2023-10-06")
    add(store, "Idlib Daily", "Strike on Tall Nisr on Friday.", [strike("Tall Nisr")], "2023-10-06")
    resolve_store(store, actor="resolver")
    ids = sorted(i.id for i in incidents(store) if i.id is not None)
    assert len(ids) == 2
    store.record_merge(ids, actor="analyst", reason="one strike, two village names")
    report = resolve_store(store, actor="resolver")
    assert report.decisions_applied == 1 and report.incidents_retired == 1
    [merged] = incidents(store)
    assert merged.id == ids[0] and merged.source_count == 2
    # a new report of the same strike joins the merged incident; a full re-run keeps it merged
    add(store, "Third Outlet", "Kafr Tall was bombed.", [strike("Kafr Tall")], "2023-10-06")
    resolve_store(store, actor="resolver")
    resolve_store(store, actor="resolver", full=True)
    [still] = incidents(store)
    assert still.id == ids[0] and still.source_count == 3


def test_analyst_split_survives_rerun(store: Store) -> None:
    ids = three_outlets(store)
    resolve_store(store, actor="resolver")
    [inc] = incidents(store)
    assert inc.id is not None
    store.record_split(inc.id, [[ids[0]], [ids[1], ids[2]]], actor="analyst", reason="two raids")
    report = resolve_store(store, actor="resolver")
    assert report.decisions_applied == 1 and report.incidents_created == 1
    groups = sorted(sorted(store.incident_claim_ids(i.id or 0)) for i in incidents(store))
    assert groups == [[ids[0]], [ids[1], ids[2]]]
    # a later report of the same market strike may join either part, never glue them again
    add(store, "Fourth Outlet", "Ariha market strike.", [strike()], "2023-10-06")
    resolve_store(store, actor="resolver")
    resolve_store(store, actor="resolver", full=True)
    parts = [set(store.incident_claim_ids(i.id or 0)) for i in incidents(store)]
    assert len(parts) == 2
    assert not any({ids[0], ids[1]} <= p for p in parts)


def test_correction_and_discount_survive_rerun(store: Store) -> None:
    three_outlets(store)
    resolve_store(store, actor="resolver")
    [inc] = incidents(store)
    assert inc.id is not None
    store.correct_incident(inc.id, "killed.best", 9, actor="analyst", reason="hospital list")
    store.correct_incident(inc.id, "grade", "discounted", actor="analyst", reason="staged")
    add(store, "Late Outlet", "Ariha market: ten killed.", [strike()], "2023-10-07")
    resolve_store(store, actor="resolver")
    [after] = incidents(store)
    assert after.figure("killed").best == 9
    assert after.corrections["killed.best"]["machine"] == 8
    assert after.grade == "discounted"
    assert after.source_count == 4


def test_superseded_claims_leave_their_incident(store: Store) -> None:
    ids = three_outlets(store)
    resolve_store(store, actor="resolver")
    doc = store.stored_claims([ids[2]])[0].document_id
    assert doc is not None
    run = store.start_run(engine="test", engine_version="2", actor="tester")
    store.replace_claims(doc, [], run_id=run, actor="tester")  # the re-run finds no claim
    resolve_store(store, actor="resolver")
    [inc] = incidents(store)
    assert inc.source_count == 2
    assert inc.figure("killed").high == 8
    assert inc.date_start == date(2023, 10, 6)


def test_full_rerun_does_not_duplicate_undated_claims(store: Store) -> None:
    undated = strike()
    undated.date_start = undated.date_end = None
    undated.date_precision = None
    doc = store.add_document(
        NewDocument(
            original=b"undated",
            original_name="undated.txt",
            media_type="text/plain",
            text="An air strike hit Ariha, rescuers said.",
            source="Levant Wire",
        ),
        actor="tester",
    )
    run = store.start_run(engine="test", engine_version="1", actor="tester")
    store.replace_claims(doc.document_id, [undated], run_id=run, actor="tester")
    three_outlets(store)
    resolve_store(store, actor="resolver")
    before = sorted((i.id, i.source_count) for i in incidents(store))
    assert len(before) == 2  # the undated claim cannot be placed in time: it stands alone
    again = resolve_store(store, actor="resolver", full=True)
    assert (again.new_claims, again.incidents_created) == (0, 0)
    assert sorted((i.id, i.source_count) for i in incidents(store)) == before


def test_bulk_save_keeps_custody_per_incident(store: Store) -> None:
    """Bulk saving still gives every incident its own chained ledger entry, holding the hash of
    the record as stored, and ``verify`` walks an unbroken chain."""
    three_outlets(store)
    add(
        store,
        "Civil Defence",
        "Shelling on Kafr Tall wounded three people on Monday.",
        [strike("Kafr Tall", day="2023-10-09", event_type="shelling")],
        "2023-10-09",
    )
    head_before = store.ledger_head()
    report = resolve_store(store, actor="resolver")
    assert report.incidents_created == 2
    assert store.ledger_head() != head_before
    seqs = []
    for inc in incidents(store):
        assert inc.id is not None
        [entry] = store.history("incident", str(inc.id))
        payload = json.loads(entry.payload)
        assert payload["claims"] == sorted(store.incident_claim_ids(inc.id))
        with store.reading() as session:
            row = session.get(Incident, inc.id)
            assert row is not None
            stored = ledger.sha256_hex(ledger.canonical_json(row.data))
        assert payload["record_sha256"] == stored
        seqs.append(entry.seq)
    assert sorted(seqs) == list(range(min(seqs), min(seqs) + 2))  # chained one after another
    checked = store.verify()
    assert checked.ok, checked.chain_problems


def test_row_values_match_the_mapped_row(store: Store) -> None:
    """The bulk path's column values are exactly what ``fill_row`` sets on a mapped row, and
    they name every column of the table."""
    three_outlets(store)
    resolve_store(store, actor="resolver")
    [inc] = incidents(store)
    assert inc.id is not None
    store.correct_incident(inc.id, "killed.best", 9, actor="analyst", reason="hospital list")
    add(store, "Late Outlet", "Ariha market: ten killed.", [strike()], "2023-10-07")
    resolve_store(store, actor="resolver")
    for view in incidents(store):
        row = Incident()
        fill_row(row, view)
        values = incident_columns(view)
        expected = {
            c.key: getattr(row, c.key)
            for c in Incident.__table__.columns
            if c.key not in ("id", "created_at", "updated_at")
        }
        assert set(values) == set(expected)
        for key, value in expected.items():
            if key == "data":
                assert ledger.canonical_json(values[key]) == ledger.canonical_json(value)
            else:
                assert values[key] == value, key
        assert values["data"]["corrections"]["killed.best"]["machine"] == 8


def test_claims_since_matches_iter_claims(store: Store) -> None:
    ids = three_outlets(store)
    store.add_dataset_claims(
        dataset="Partner Set",
        file_name="partner.csv",
        content=b"partner rows",
        rows=[_row(2, strike("Kafr Tall"))],
        actor="tester",
    )
    assert list(store.claims_since(0, batch=2)) == list(store.iter_claims())
    assert list(store.claims_since(ids[0])) == list(store.iter_claims(since_id=ids[0]))
    assert store.stored_claims(ids) == [c for c in store.iter_claims() if c.claim_id in ids]


def test_merged_incident_retired_in_its_own_entry(store: Store) -> None:
    add(store, "Levant Wire", "Strike on Kafr Tall on Friday.", [strike("Kafr Tall")], "2023-10-06")
    add(store, "Idlib Daily", "Strike on Tall Nisr on Friday.", [strike("Tall Nisr")], "2023-10-06")
    resolve_store(store, actor="resolver")
    ids = sorted(i.id for i in incidents(store) if i.id is not None)
    store.record_merge(ids, actor="analyst", reason="one strike")
    resolve_store(store, actor="resolver")
    actions = [e.action for e in store.history("incident", str(ids[1]))]
    assert actions[0] == "resolve" and actions[-1] == "retire"
    assert [e.action for e in store.history("incident", str(ids[0]))][-1] == "resolve"
    assert store.verify().ok


def _row(number: int, claim: Claim) -> DatasetRow:
    return DatasetRow(number, f"r{number}", claim)
