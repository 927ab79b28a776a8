"""Linking rules for news reports of one event from several outlets, and linking that does not
depend on the order claims arrive in nor on how they were split into batches (no database)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from marsad.contract.claim import Claim
from marsad.resolve import Resolver, record_from_claim
from marsad.resolve.records import ClaimRecord
from resolve_claims import HTS, SYRIA, count, strike


def rec(claim: Claim, cid: int, source: str, published: str = "2023-10-06") -> ClaimRecord:
    return record_from_claim(
        claim, cid, source=source, document_id=f"doc-{source}-{cid}", published=published
    )


def undated(where: str, published: str, **kw: object) -> Claim:
    """A headline that states no date: the extractor dates it to the day before publication
    and the day itself, with no date phrase behind it."""
    pub = date.fromisoformat(published)
    return strike(where, (pub - timedelta(days=1)).isoformat(), day_end=published, **kw)  # type: ignore[arg-type]


def groups(records: list[ClaimRecord]) -> list[list[int]]:
    resolver = Resolver()
    resolver.add(records)
    return sorted(c.claim_ids for c in resolver.clusters)


def busy_week() -> list[ClaimRecord]:
    """Three villages over three days, told by four outlets, with vague and generic reports
    mixed in: the kind of set where a greedy first match used to depend on arrival order."""
    return [
        rec(strike("Kafr Tall", killed=count("killed", 4, 4)), 1, "Levant Wire"),
        rec(strike("Kafr Tall", killed=count("killed", 5, 5)), 2, "Idlib Daily"),
        rec(strike("Tall Nisr", killed=count("killed", 9, 9)), 3, "Levant Wire"),
        rec(strike("Tall Nisr", event_type="attack"), 4, "Northern Monitor"),
        rec(strike("Idlib", precision="governorate", killed=count("killed", 9, 9)), 5, "Radio"),
        rec(strike("Idlib", precision="region"), 6, "Regional Radio"),
        rec(undated("Ariha", "2023-10-07"), 7, "Idlib Daily", "2023-10-07"),
        rec(undated("Ariha", "2023-10-07"), 8, "Levant Wire", "2023-10-07"),
        rec(undated("Ariha", "2023-10-08"), 9, "Northern Monitor", "2023-10-08"),
        rec(strike("Ariha", "2023-10-08", event_type="shelling"), 10, "Levant Wire", "2023-10-08"),
        rec(strike("Kafr Tall", "2023-10-07", perpetrators=(SYRIA,)), 11, "Idlib Daily"),
        rec(strike("Kafr Tall", "2023-10-07", perpetrators=(HTS,)), 12, "State News"),
        rec(strike("", "2023-10-08"), 13, "Wire Digest", "2023-10-08"),
    ]


def test_five_shuffled_orders_give_the_same_incidents() -> None:
    expected = groups(busy_week())
    rng = random.Random(11)
    for _ in range(5):
        records = busy_week()
        rng.shuffle(records)
        assert groups(records) == expected
    assert [1, 2] in expected and len(expected) < len(busy_week())


def test_ids_given_in_arrival_order_do_not_change_the_grouping() -> None:
    """The store numbers claims as they arrive: the same reports arriving in another order get
    other ids, and must still be grouped the same way (compared by what they say)."""

    def by_content(order: list[int]) -> list[list[str]]:
        base = busy_week()
        records = []
        for new_id, old in enumerate(order, 1):
            r = base[old]
            r.id = new_id  # the document keeps its name: that is what stays the same
            records.append(r)
        resolver = Resolver()
        resolver.add(records)
        return sorted(sorted(m.document_id or "" for m in c.members) for c in resolver.clusters)

    n = len(busy_week())
    forward = by_content(list(range(n)))
    rng = random.Random(3)
    for _ in range(5):
        order = list(range(n))
        rng.shuffle(order)
        assert by_content(order) == forward


def test_one_batch_or_three_give_the_same_incidents() -> None:
    whole = groups(busy_week())
    rng = random.Random(5)
    for _ in range(5):
        records = busy_week()
        rng.shuffle(records)
        a, b = sorted(rng.sample(range(1, len(records)), 2))
        resolver = Resolver()
        for part in (records[:a], records[a:b], records[b:]):
            resolver.add(part)
        assert sorted(c.claim_ids for c in resolver.clusters) == whole
        assert sorted(c.key for c in resolver.clusters) == list(range(1, len(whole) + 1))


def test_an_incident_loaded_between_batches_survives_relinking() -> None:
    records = busy_week()
    resolver = Resolver()
    resolver.add(records[:4])
    kept = resolver.add_existing([rec(strike("Ariha", "2023-10-20"), 99, "Archive")], 7)
    resolver.add(records[4:])
    assert resolver.cluster_of(99) is not None
    assert [c.claim_ids for c in resolver.clusters if c.incident_id == 7] == [[99]]
    assert kept.incident_id == 7


def test_undated_reports_of_neighbouring_days_stay_apart() -> None:
    """The same village in the news two days running, neither report stating a date: two days'
    events, not one (a village is hit again and again)."""
    records = [
        rec(undated("Ariha", "2023-10-07"), 1, "Levant Wire", "2023-10-07"),
        rec(undated("Ariha", "2023-10-08"), 2, "Idlib Daily", "2023-10-08"),
        rec(undated("Ariha", "2023-10-08"), 3, "Northern Monitor", "2023-10-08"),
    ]
    assert groups(records) == [[1], [2, 3]]


def test_a_next_day_toll_for_the_same_village_links_undated_reports() -> None:
    records = [
        rec(undated("Ariha", "2023-10-07", killed=count("killed", 9, 9)), 1, "Wire", "2023-10-07"),
        rec(
            undated("Ariha", "2023-10-08", killed=count("killed", 12, 12)), 2, "Post", "2023-10-08"
        ),
        rec(
            undated("Ariha", "2023-10-08", killed=count("killed", 90, 90)), 3, "Post", "2023-10-08"
        ),
    ]
    assert groups(records) == [[1, 2], [3]]


def test_a_stated_day_links_a_report_published_the_next_day() -> None:
    records = [
        rec(undated("Ariha", "2023-10-06"), 1, "Levant Wire", "2023-10-06"),
        rec(strike("Ariha", "2023-10-06"), 2, "Weekly Review", "2023-10-07"),  # "on Friday"
    ]
    assert groups(records) == [[1, 2]]


def test_stated_days_a_day_apart_are_two_incidents() -> None:
    records = [
        rec(strike("Kafr Tall", "2023-10-06"), 1, "Levant Wire"),
        rec(strike("Kafr Tall", "2023-10-07"), 2, "Idlib Daily", "2023-10-07"),
    ]
    assert groups(records) == [[1], [2]]


def test_an_attack_of_unstated_means_links_with_the_air_strike() -> None:
    records = [
        rec(strike("Tall Nisr"), 1, "Levant Wire"),
        rec(strike("Tall Nisr", event_type="attack", perpetrators=()), 2, "Idlib Daily"),
    ]
    assert groups(records) == [[1, 2]]


def test_a_battle_and_an_air_strike_are_not_linked() -> None:
    records = [
        rec(strike("Tall Nisr"), 1, "Levant Wire"),
        rec(strike("Tall Nisr", event_type="armed_clash"), 2, "Idlib Daily"),
    ]
    assert groups(records) == [[1], [2]]


def test_a_region_without_an_agreeing_toll_stays_apart() -> None:
    """ "Air strikes on the Idlib countryside" fits any village strike of the day; only a toll
    that agrees ties it to one."""
    village = rec(strike("Ariha", killed=count("killed", 7, 7)), 1, "Levant Wire")
    silent = rec(strike("Idlib", precision="region"), 2, "Regional Radio")
    far = rec(strike("Idlib", precision="region", killed=count("killed", 40, 40)), 3, "Radio")
    near = rec(strike("Idlib", precision="region", killed=count("killed", 8, 8)), 4, "Radio")
    resolver = Resolver()
    resolver.add([village, silent])
    assert sorted(c.claim_ids for c in resolver.clusters) == [[1], [2]]
    alone = resolver.cluster_of(2)
    assert alone is not None and "no toll agrees" in alone.notes[0]
    assert groups([village, far]) == [[1], [3]]
    assert groups([village, near]) == [[1, 4]]


def test_dates_from_publication_are_marked() -> None:
    r = rec(undated("Ariha", "2023-10-07"), 1, "Levant Wire", "2023-10-07")
    assert not r.date_stated
    assert rec(strike("Ariha"), 2, "Levant Wire", "2023-10-07").date_stated  # a day, given
    claim = strike("Ariha")
    claim.date_start = claim.date_end = None
    assert not rec(claim, 3, "Levant Wire").date_stated  # no date at all
