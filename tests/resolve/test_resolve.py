"""The pure resolution engine: linking, figures, independence and grades (no database)."""

from __future__ import annotations

from datetime import date

from marsad.contract.claim import Claim
from marsad.resolve import Resolver, build_incident, record_from_claim, resolve
from marsad.resolve.incident import compute_figure, independent_groups
from marsad.resolve.records import ClaimRecord
from resolve_claims import HTS, RUSSIA, SYRIA, count, strike

WIRE = (
    "IDLIB, Oct 6 - A Russian air strike hit the crowded vegetable market in Ariha on Friday "
    "morning, killing 7 civilians and wounding 15 others, local rescuers said. The strike came "
    "at around 10:30 a.m., when stalls were full of shoppers buying produce."
)


def rec(
    claim: Claim,
    cid: int,
    source: str,
    *,
    published: str = "2023-10-06",
    text: str | None = None,
    credibility: float = 1.0,
) -> ClaimRecord:
    r = record_from_claim(
        claim,
        cid,
        source=source,
        document_id=f"doc{cid}",
        published=published,
        credibility=credibility,
    )
    if text is not None:
        r.text = text
    return r


def three_outlets() -> list[ClaimRecord]:
    return [
        rec(strike(killed=count("killed", 7, 7)), 1, "Levant Wire", text=WIRE),
        rec(
            strike(killed=count("killed", 8, None, "at_least")),
            2,
            "Idlib Daily",
            text="At least eight people died when warplanes bombed the Ariha market, a medic "
            "at the town's hospital told Idlib Daily, adding that dozens were wounded.",
        ),
        rec(
            strike(killed=count("killed", 10, 10)),
            3,
            "Northern Monitor",
            published="2023-10-07",
            text="The monitor documented the deaths of ten civilians, among them three "
            "children, in Friday's bombardment of the main market in Ariha city.",
        ),
    ]


def test_three_outlets_become_one_incident_with_a_range() -> None:
    incidents = resolve(three_outlets())
    assert len(incidents) == 1
    inc = incidents[0]
    killed = inc.figure("killed")
    assert (killed.low, killed.high) == (8, 10)
    assert killed.best == 8  # lower median of 7, 8, 10 within 8..10
    assert inc.source_count == 3
    assert inc.independent_source_count == 3
    assert inc.grade == "fair"
    assert [v["claim_id"] for v in killed.values] == [1, 2, 3]  # every reading kept
    assert inc.date_start == date(2023, 10, 6)
    assert inc.place_name == "Ariha"
    assert any(d.startswith("killed: sources report 8-10") for d in inc.disagreements)


def test_order_of_arrival_does_not_change_the_outcome() -> None:
    forward = resolve(three_outlets())
    backward = resolve(list(reversed(three_outlets())))
    assert [(i.figure("killed").low, i.figure("killed").high) for i in forward] == [
        (i.figure("killed").low, i.figure("killed").high) for i in backward
    ]


def test_neighbouring_villages_same_day_stay_two_incidents() -> None:
    records = [
        rec(strike("Kafr Tall", killed=count("killed", 4, 4)), 1, "Levant Wire"),
        rec(strike("Tall Nisr", killed=count("killed", 5, 5)), 2, "Levant Wire"),
        rec(strike("Kafr Tall", killed=count("killed", 4, 4)), 3, "Idlib Daily"),
        rec(strike("Tall Nisr", killed=count("killed", 6, 6)), 4, "Idlib Daily"),
    ]
    incidents = resolve(records)
    assert len(incidents) == 2
    by_place = {i.place_name: i for i in incidents}
    assert {s.claim_id for s in by_place["Kafr Tall"].sources} == {1, 3}
    assert {s.claim_id for s in by_place["Tall Nisr"].sources} == {2, 4}


def test_same_village_different_days_are_different_incidents() -> None:
    records = [
        rec(strike(day="2023-10-06"), 1, "Levant Wire"),
        rec(strike(day="2023-10-09"), 2, "Idlib Daily", published="2023-10-09"),
    ]
    assert len(resolve(records)) == 2


def test_vague_claim_cannot_chain_two_strikes() -> None:
    """A governorate-level report fits both village strikes: it must neither glue them together
    nor be guessed into one of them."""
    records = [
        rec(strike("Kafr Tall"), 1, "Levant Wire"),
        rec(strike("Ariha"), 2, "Idlib Daily"),
        rec(strike("Idlib", precision="governorate"), 3, "Regional Radio"),
    ]
    resolver = Resolver()
    resolver.add(records)
    groups = sorted(c.claim_ids for c in resolver.clusters)
    assert groups == [[1], [2], [3]]
    vague = resolver.cluster_of(3)
    assert vague is not None and "too vague" in vague.notes[0]


def test_vague_claim_joins_the_only_fitting_incident() -> None:
    records = [
        rec(strike("Ariha", killed=count("killed", 7, 7)), 1, "Levant Wire"),
        rec(
            strike("Idlib", precision="governorate", killed=count("killed", 7, 7)),
            2,
            "Regional Radio",
        ),
    ]
    incidents = resolve(records)
    assert len(incidents) == 1
    assert incidents[0].place_name == "Ariha"  # the precise claim anchors the place


def test_syndicated_copy_is_one_independent_source() -> None:
    copy = "Reprinted from Levant Wire. " + WIRE
    records = [
        rec(strike(killed=count("killed", 7, 7)), 1, "Levant Wire", text=WIRE),
        rec(strike(killed=count("killed", 7, 7)), 2, "Gulf Courier", text=copy),
    ]
    incidents = resolve(records)
    assert len(incidents) == 1
    inc = incidents[0]
    assert inc.source_count == 2
    assert inc.independent_source_count == 1
    assert inc.grade == "weak"


def test_independent_groups_keep_different_texts_apart() -> None:
    records = [
        rec(strike(), 1, "Levant Wire", text=WIRE),
        rec(strike(), 2, "Idlib Daily", text="Rescuers in Ariha pulled seven bodies from rubble."),
    ]
    assert len(set(independent_groups(records).values())) == 2


def test_perpetrator_disagreement_is_contested() -> None:
    records = [
        rec(strike(event_type="shelling", perpetrators=(SYRIA,)), 1, "Levant Wire"),
        rec(strike(event_type="shelling", perpetrators=(HTS,)), 2, "Idlib Daily"),
    ]
    incidents = resolve(records)
    assert len(incidents) == 1
    inc = incidents[0]
    assert inc.grade == "contested"
    assert any(d.startswith("perpetrator:") for d in inc.disagreements)
    assert {a.id for a in inc.perpetrators} == {"sy_gov_forces", "hts"}


def test_acknowledged_by_a_party_is_confirmed() -> None:
    records = [
        rec(strike(), 1, "Levant Wire"),
        rec(strike(reported_by=("Russian forces",)), 2, "Defence Bulletin"),
    ]
    assert resolve(records)[0].grade == "confirmed"


def test_breakdowns_and_injured_get_their_own_ranges() -> None:
    records = [
        rec(
            strike(
                counts=[
                    count("killed", 7, 7),
                    count("killed", 3, 3, group="children"),
                    count("injured", 15, 15),
                ]
            ),
            1,
            "Levant Wire",
        ),
        rec(
            strike(counts=[count("killed", 9, 9), count("killed", 4, 4, group="children")]),
            2,
            "Idlib Daily",
        ),
    ]
    inc = resolve(records)[0]
    children = inc.figure("killed_children")
    assert (children.low, children.high) == (3, 4)
    assert inc.figure("injured").best == 15


def test_a_later_report_from_the_same_outlet_supersedes_its_earlier_figure() -> None:
    records = [
        rec(strike(killed=count("killed", 5, 5)), 1, "Levant Wire", published="2023-10-06"),
        rec(strike(killed=count("killed", 9, 9)), 2, "Levant Wire", published="2023-10-07"),
    ]
    f = compute_figure(records, "killed", "all", {"s:levant wire": 0})
    assert f is not None
    assert (f.low, f.best, f.high) == (9, 9, 9)
    assert len(f.values) == 2


def test_low_credibility_source_does_not_set_the_low() -> None:
    records = [
        rec(strike(killed=count("killed", 4, 4)), 1, "Levant Wire"),
        rec(
            strike(killed=count("killed", 40, None, "at_least")),
            2,
            "Rumour Mill",
            credibility=0.2,
        ),
    ]
    f = resolve(records)[0].figure("killed")
    assert (f.low, f.best, f.high) == (4, 4, 40)


def test_incremental_add_joins_existing_cluster() -> None:
    recs = three_outlets()
    resolver = Resolver()
    first = resolver.add(recs[:2])
    assert len(first) == 1
    touched = resolver.add([recs[2]])
    assert [c.claim_ids for c in touched] == [[1, 2, 3]]
    assert touched[0].changed
    assert len(resolver.clusters) == 1
    assert resolver.add([recs[0]]) == []  # a claim already placed is not placed again


def test_split_decision_keeps_groups_apart() -> None:
    recs = three_outlets()
    resolver = Resolver(cannot_link=[[[1], [2, 3]]])
    resolver.add(recs)
    assert sorted(c.claim_ids for c in resolver.clusters) == [[1], [2, 3]]


def test_merge_decision_forces_claims_together() -> None:
    records = [
        rec(strike("Kafr Tall"), 1, "Levant Wire"),
        rec(strike("Tall Nisr"), 2, "Idlib Daily"),
    ]
    resolver = Resolver(must_link=[[1, 2]])
    resolver.add(records)
    assert [c.claim_ids for c in resolver.clusters] == [[1, 2]]


def test_build_incident_needs_claims() -> None:
    try:
        build_incident([])
    except ValueError:
        return
    raise AssertionError("expected ValueError")


def test_undated_text_links_on_the_publication_day_and_the_day_before() -> None:
    week = strike(day="2023-10-04", day_end="2023-10-10")  # "some day in the week": no evidence
    r = record_from_claim(week, 1, source="Levant Wire", published="2023-10-10")
    assert (r.day_lo, r.day_hi) == (date(2023, 10, 9).toordinal(), date(2023, 10, 10).toordinal())
    week.date_evidence = week.evidence  # a stated week keeps its interval
    r = record_from_claim(week, 2, source="Levant Wire", published="2023-10-10")
    assert r.day_hi is not None and r.day_lo is not None and r.day_hi - r.day_lo == 6


def test_a_city_is_a_vague_place() -> None:
    village = record_from_claim(strike("Kafr Tall"), 1)
    city = strike("Ariha")
    city.places[0].kind = "city"
    town = record_from_claim(city, 2)
    assert village.precise and village.radius_km == 2.0
    assert not town.precise and town.radius_km == 8.0


def test_allied_perpetrators_are_not_a_contest() -> None:
    records = [
        rec(strike(perpetrators=(RUSSIA, SYRIA)), 1, "Levant Wire"),
        rec(strike(perpetrators=(SYRIA,)), 2, "Idlib Daily"),
    ]
    inc = resolve(records)[0]
    assert inc.grade == "fair"
    assert not any(d.startswith("perpetrator") for d in inc.disagreements)


def test_blame_on_opposite_sides_is_contested_even_when_both_are_named() -> None:
    """One source blames HTS and reports HTS blaming the government: still a contest with a
    source that blames the government."""
    records = [
        rec(strike(event_type="shelling", perpetrators=(SYRIA,)), 1, "Levant Wire"),
        rec(strike(event_type="shelling", perpetrators=(HTS, SYRIA)), 2, "State News"),
    ]
    assert resolve(records)[0].grade == "contested"


def test_two_sides_of_a_battle_are_not_a_contest() -> None:
    records = [
        rec(strike(event_type="armed_clash", perpetrators=(SYRIA,)), 1, "Levant Wire"),
        rec(strike(event_type="armed_clash", perpetrators=(HTS,)), 2, "Idlib Daily"),
    ]
    assert resolve(records)[0].grade == "fair"
