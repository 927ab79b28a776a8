"""Resolution through the store does not depend on how the claims were split into runs, nor on
the order they arrived in (ids follow arrival, so incidents are compared by their reports)."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from marsad.config import database_url
from marsad.contract.claim import Claim
from marsad.contract.document import NewDocument
from marsad.contract.incident import IncidentFilter
from marsad.jobs.resolve import resolve_store
from marsad.store import Store
from resolve_claims import HTS, SYRIA, count, strike

Report = tuple[str, str, Claim]  # outlet, publication day, claim


def _undated(where: str, published: str, before: str, **kw: object) -> Claim:
    return strike(where, before, day_end=published, **kw)  # type: ignore[arg-type]


def reports() -> list[Report]:
    """Invented reports of three days in three villages, vague and generic ones among them."""
    return [
        ("Levant Wire", "2023-10-06", strike("Kafr Tall", killed=count("killed", 4, 4))),
        ("Idlib Daily", "2023-10-06", strike("Kafr Tall", killed=count("killed", 5, 5))),
        ("Levant Wire", "2023-10-06", strike("Tall Nisr", killed=count("killed", 9, 9))),
        ("Northern Monitor", "2023-10-06", strike("Tall Nisr", event_type="attack")),
        (
            "Regional Radio",
            "2023-10-06",
            strike("Idlib", precision="governorate", killed=count("killed", 9, 9)),
        ),
        ("Radio Two", "2023-10-06", strike("Idlib", precision="region")),
        ("Idlib Daily", "2023-10-07", _undated("Ariha", "2023-10-07", "2023-10-06")),
        ("Levant Wire", "2023-10-07", _undated("Ariha", "2023-10-07", "2023-10-06")),
        ("Northern Monitor", "2023-10-08", _undated("Ariha", "2023-10-08", "2023-10-07")),
        ("Levant Wire", "2023-10-08", strike("Ariha", "2023-10-08", event_type="shelling")),
        ("Idlib Daily", "2023-10-07", strike("Kafr Tall", "2023-10-07", perpetrators=(SYRIA,))),
        ("State News", "2023-10-07", strike("Kafr Tall", "2023-10-07", perpetrators=(HTS,))),
        ("Weekly Review", "2023-10-08", strike("Ariha", "2023-10-07")),  # "on Saturday"
    ]


def _store(path: Path) -> Store:
    return Store(database_url(str(path)))


def _grouping(runs: list[list[int]], path: Path) -> list[list[str]]:
    """Store the reports run by run (in the order given), resolve after each run, and return
    every incident as the sorted names of its reports."""
    all_reports = reports()
    store = _store(path)
    try:
        name_of: dict[int, str] = {}
        for run in runs:
            for n in run:
                outlet, published, claim = all_reports[n]
                name = f"report {n:02d}"
                doc = store.add_document(
                    NewDocument(
                        original=name.encode(),
                        original_name=f"{name}.txt",
                        media_type="text/plain",
                        text=f"{outlet}: {name}",
                        title=name,
                        source=outlet,
                        published=published,
                        sensitivity="public",
                    ),
                    actor="tester",
                )
                rid = store.start_run(engine="test", engine_version="1", actor="tester")
                [cid] = store.replace_claims(doc.document_id, [claim], run_id=rid, actor="tester")
                name_of[cid] = name
            resolve_store(store, actor="resolver")
        incidents = store.iter_incidents(IncidentFilter(max_sensitivity="restricted"))
        return sorted(
            sorted(name_of[c] for c in store.incident_claim_ids(i.id or 0)) for i in incidents
        )
    finally:
        store.close()


def _splits(rng: random.Random, n: int) -> Callable[[], list[list[int]]]:
    def split() -> list[list[int]]:
        order = list(range(n))
        rng.shuffle(order)
        a, b = sorted(rng.sample(range(1, n), 2))
        return [order[:a], order[a:b], order[b:]]

    return split


def test_three_runs_in_shuffled_orders_equal_one_run(tmp_path: Path) -> None:
    n = len(reports())
    one_run = _grouping([list(range(n))], tmp_path / "one.db")
    assert ["report 00", "report 01"] in one_run and len(one_run) < n
    split = _splits(random.Random(17), n)
    for k in range(5):
        assert _grouping(split(), tmp_path / f"three{k}.db") == one_run


def test_a_dated_report_arriving_last_gathers_the_undated_ones(tmp_path: Path) -> None:
    """Two undated reports of Ariha published on the 7th and the 8th are kept apart until a
    report dated the 7th arrives: one run over all three, or the dated one in a later run,
    must give the same incidents."""
    together = _grouping([[6, 8, 12]], tmp_path / "one.db")
    assert together == [["report 06", "report 08", "report 12"]]
    assert _grouping([[6, 8], [12]], tmp_path / "two.db") == together


def test_a_reviewed_incident_is_extended_not_regrouped(tmp_path: Path) -> None:
    """An analyst confirmed an incident: later runs may add reports to it but never move its
    own reports elsewhere, so it stays as the analyst saw it plus what came after."""
    store = _store(tmp_path / "reviewed.db")
    try:
        outlet, published, claim = reports()[6]  # Ariha, undated, published on the 7th
        doc = store.add_document(
            NewDocument(
                original=b"a",
                original_name="a.txt",
                media_type="text/plain",
                text="a",
                title="a",
                source=outlet,
                published=published,
                sensitivity="public",
            ),
            actor="tester",
        )
        rid = store.start_run(engine="test", engine_version="1", actor="tester")
        [first] = store.replace_claims(doc.document_id, [claim], run_id=rid, actor="tester")
        resolve_store(store, actor="resolver")
        [inc] = list(store.iter_incidents(IncidentFilter(max_sensitivity="restricted")))
        assert inc.id is not None
        store.confirm_incident(inc.id, actor="analyst")
        report = resolve_store(store, actor="resolver", full=True)
        assert (report.incidents_created, report.incidents_updated) == (0, 0)
        assert store.incident_claim_ids(inc.id) == [first]
    finally:
        store.close()
