"""Incidents in the store: saving, filtering, paging, and sensitivity enforced on every read."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from marsad.contract import claim as contract
from marsad.contract.document import NewDocument
from marsad.contract.incident import Actor, Figure, IncidentFilter, IncidentView, SourceView
from marsad.store import Store


def make_incident(
    day: date,
    *,
    sensitivity: str = "public",
    place: str = "Saraqib",
    pcode: str = "SY070402",
    sources: list[SourceView] | None = None,
    **kw: object,
) -> IncidentView:
    return IncidentView(
        id=None,
        event_type=str(kw.pop("event_type", "air_strike")),
        date_start=day,
        date_end=day,
        date_precision=1,
        place_name=place,
        place_precision="exact",
        admin1="Idlib",
        admin1_pcode=pcode[:4],
        admin2_pcode=pcode[:6],
        admin3_pcode=pcode,
        lat=35.86,
        lon=36.8,
        perpetrators=[Actor("russian_forces", "Russian forces", "foreign_state_forces")],
        weapons=["air_dropped_bomb"],
        facilities={"market": 1},
        figures={"killed": Figure(8, 9, 10, [{"document_id": "d1", "low": 8, "high": 8}])},
        sources=sources or [],
        sensitivity=sensitivity,
        **kw,  # type: ignore[arg-type]
    )


def src(doc: str, sensitivity: str) -> SourceView:
    return SourceView(doc, 1, f"outlet {doc}", "t", None, "2023-10-06", sensitivity, "excerpt")


def test_save_and_read_back(store: Store) -> None:
    iid = store.save_incident(make_incident(date(2023, 10, 6)), actor="resolver")
    view = store.incident(iid)
    assert view is not None
    assert view.figure("killed").best == 9
    assert view.perpetrators[0].id == "russian_forces"
    assert store.history("incident", str(iid))[0].action == "resolve"


def test_restricted_incident_and_sources_are_invisible_to_public(store: Store) -> None:
    hidden = store.save_incident(
        make_incident(date(2023, 10, 6), sensitivity="restricted"), actor="r"
    )
    shown = store.save_incident(
        make_incident(date(2023, 10, 7), sources=[src("d1", "public"), src("d2", "restricted")]),
        actor="r",
    )
    assert store.incident(hidden) is None
    assert store.incident(hidden, max_sensitivity="restricted") is not None
    public_view = store.incident(shown)
    assert public_view is not None
    assert [s.document_id for s in public_view.sources] == ["d1"]
    assert [v.id for v in store.iter_incidents()] == [shown]
    assert store.count_incidents() == 1
    assert store.count_incidents(IncidentFilter(max_sensitivity="restricted")) == 2
    with pytest.raises(ValueError, match="unknown sensitivity"):
        store.count_incidents(IncidentFilter(max_sensitivity="secret"))


def test_filters(store: Store) -> None:
    store.save_incident(make_incident(date(2023, 10, 5)), actor="r")
    store.save_incident(
        make_incident(date(2023, 10, 9), place="Atarib", pcode="SY020500", event_type="shelling"),
        actor="r",
    )
    ids = lambda **kw: len(list(store.iter_incidents(IncidentFilter(**kw))))  # noqa: E731
    assert ids(date_from=date(2023, 10, 6)) == 1
    assert ids(date_to=date(2023, 10, 6)) == 1
    assert ids(area="SY02") == 1
    assert ids(area="saraqib") == 1
    assert ids(area="Idlib") == 2
    assert ids(event_types=["shelling"]) == 1
    assert ids(perpetrators=["russian_forces"]) == 2
    assert ids(weapons=["barrel_bomb"]) == 0
    assert ids(facilities=["market"]) == 2
    assert ids(area="100%_evil' OR 1=1 --") == 0


def test_iteration_pages_through_everything_in_order(sqlite_store: Store) -> None:
    start = date(2023, 1, 1)
    for i in range(57):
        sqlite_store.save_incident(make_incident(start + timedelta(days=i % 9)), actor="r")
    seen = list(sqlite_store.iter_incidents(batch=10))
    assert len(seen) == 57
    keys = [(v.date_start, v.id) for v in seen]
    assert keys == sorted(keys)  # type: ignore[type-var]


def test_aggregates_are_listed_with_their_period(store: Store) -> None:
    text = "Since 5 October, over 60 civilians were killed in northwest Syria."
    doc = store.add_document(
        NewDocument(
            text.encode(), "agg.txt", "text/plain", text, source="SRC", sensitivity="public"
        ),
        actor="a",
    )
    ev = contract.Span(0, len(text), text)
    claim = contract.Claim(
        scope="aggregate",
        event_type="air_strike",
        evidence=ev,
        date_start="2023-10-05",
        date_end="2023-10-25",
        date_precision=5,
        counts=[contract.Count("killed", 61, None, "over", ev, group="civilians")],
    )
    run = store.start_run(engine="t", engine_version="1", actor="a")
    store.replace_claims(doc.document_id, [claim], run_id=run, actor="a")
    aggs = store.aggregates(IncidentFilter(date_from=date(2023, 10, 1), date_to=date(2023, 10, 31)))
    assert len(aggs) == 1 and aggs[0].counts[0]["low"] == 61 and aggs[0].source == "SRC"
    assert store.aggregates(IncidentFilter(date_to=date(2023, 9, 1))) == []


def _counts_from_incidents(store: Store, f: IncidentFilter, dims: list[str]) -> object:
    """The reference: totals and counts over the incidents table itself (no summary)."""
    return store.incident_totals(f), {
        d: [(r.key, r.incidents, r.killed) for r in store.incident_counts(f, d)] for d in dims
    }


def _counts_from_summary(store: Store, f: IncidentFilter, dims: list[str]) -> object:
    totals, by = store.counts_and_totals(f, dims)
    return totals, {d: [(r.key, r.incidents, r.killed) for r in rows] for d, rows in by.items()}


def test_day_counts_follow_every_write(store: Store) -> None:
    """The per-day count table (kept by triggers) gives the same totals and counts as the
    incidents table after inserts, bulk loads, updates, sensitivity changes and deletes."""
    import random

    from sqlalchemy import delete

    from marsad.store.models import Incident

    rng = random.Random(11)
    first = date(2023, 1, 1)
    ids = []
    for i in range(60):
        day = first + timedelta(days=rng.randrange(90))
        view = make_incident(
            day,
            sensitivity=rng.choice(["public", "internal", "restricted"]),
            event_type=rng.choice(["air_strike", "shelling"]),
        )
        view.figures = {"killed": Figure(1, rng.randrange(5), 9), "injured": Figure(0, i % 3, 4)}
        if i % 7 == 0:
            view.date_end = day + timedelta(days=rng.randrange(1, 20))  # several days long
        if i % 13 == 0:
            view.date_start = view.date_end = None  # undated: never in a period
        ids.append(store.save_incident(view, actor="resolver"))
    bulk = [make_incident(first + timedelta(days=k), event_type="shelling") for k in range(30)]
    store.bulk_insert_incidents(bulk, actor="loader")

    def check() -> None:
        for level in ("public", "internal", "restricted"):
            for lo, hi in ((5, 40), (0, 120), (30, 31), (60, 200)):
                f = IncidentFilter(
                    date_from=first + timedelta(days=lo),
                    date_to=first + timedelta(days=hi),
                    max_sensitivity=level,
                )
                for dims in (["day", "type"], ["month"], ["type"]):
                    assert _counts_from_summary(store, f, dims) == _counts_from_incidents(
                        store, f, dims
                    )
            typed = IncidentFilter(date_from=first, event_types=["shelling"], max_sensitivity=level)
            assert _counts_from_summary(store, typed, ["day"]) == _counts_from_incidents(
                store, typed, ["day"]
            )

    check()
    # updates: figures, dates and type through save_incident; sensitivity through review
    for iid in ids[:15]:
        view = store.incident(iid, max_sensitivity="restricted")
        assert view is not None
        view.figures = {"killed": Figure(2, 7, 9)}
        view.event_type = "shelling"
        if view.date_start is not None:
            view.date_start = view.date_end = view.date_start + timedelta(days=3)
        store.save_incident(view, actor="resolver")
    for iid in ids[15:25]:
        store.set_incident_sensitivity(iid, "restricted", actor="analyst", reason="test")
    with store.transaction() as session:
        session.execute(delete(Incident).where(Incident.id.in_(ids[25:35])))
    check()
    public = IncidentFilter(date_from=first, date_to=first + timedelta(days=400))
    assert (
        store.counts_and_totals(public, ["type"])[0]["incidents"]
        == store.incident_totals(public)["incidents"]
        > 0
    )
