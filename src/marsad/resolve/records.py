"""Lean claim records: what resolution needs of a claim, and nothing else.

A :class:`~marsad.contract.claim.Claim` carries evidence spans for every value; resolution only
compares a handful of fields, millions of times. :class:`ClaimRecord` holds those fields
pre-digested (dates as day numbers, places as coordinates with a radius, actors as id sets)
so that blocking and scoring stay cheap and a million records fit comfortably in memory.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from marsad.contract.claim import (
    EVENT_FAMILIES,
    PLACE_PRECISIONS,
    TOTAL_GROUPS,
    Claim,
    PlaceRef,
    Span,
)

# How far (km) from its coordinates a place of each precision may really be.
PLACE_RADIUS_KM: dict[str, float] = {
    "exact": 2.0,
    "near": 5.0,
    "subdistrict": 12.0,
    "district": 30.0,
    "governorate": 100.0,
    "region": 250.0,
    "country": 1000.0,
}
# A city is not a point: "in Aleppo" may be any of its neighbourhoods.
KIND_RADIUS_KM: dict[str, float] = {"city": 8.0, "town": 3.0}
# A place counts as precise (can anchor an incident, is indexed on the grid, is linked first)
# when its precision is at most subdistrict and its radius at most this.
PRECISE_RADIUS_KM = 5.0
NO_PLACE_RANK = len(PLACE_PRECISIONS)
# Ranks up to this one (exact, near, subdistrict) count as a precise place: they can anchor an
# incident and are indexed on the spatial grid.
PRECISE_RANK = PLACE_PRECISIONS.index("subdistrict")
# Ranks from this one on (governorate, region, country) say too little to place a report among
# a day's events by themselves.
VAGUE_RANK = PLACE_PRECISIONS.index("governorate")
# Days of reporting error allowed around every claim's date interval. None: two reports that
# name different days describe different days (a village is hit again and again), and a
# relative date ("on Tuesday", "yesterday") is already read against the report's publication.
DATE_SLACK_DAYS = 0
# A claim with no date of its own is dated by its report: the few days before publication.
UNDATED_LOOKBACK_DAYS = 3
# ... and when the text states no date at all, the day of publication or the day before.
REPORT_DAYS = 1

# count = (category, group, low, high, qualifier, derived)
CountTuple = tuple[str, str, int | None, int | None, str, bool]


@dataclass(slots=True)
class ClaimRecord:
    """One claim, digested for resolution. ``id`` is the store's claim id (or any unique int)."""

    id: int
    event_type: str
    family: str
    day_lo: int | None  # date.toordinal(), inclusive
    day_hi: int | None
    date_precision: int
    place: PlaceRef | None
    place_rank: int  # index in PLACE_PRECISIONS; NO_PLACE_RANK when there is no place
    lat: float | None
    lon: float | None
    place_key: str | None  # gazetteer id, else the lower-cased name
    admin1: str | None  # admin1 p-code, else the admin1 name
    perpetrators: tuple[tuple[str, str, str], ...] = ()  # (id, name, type)
    targets: tuple[tuple[str, str, str], ...] = ()
    weapons: frozenset[str] = frozenset()
    facilities: tuple[tuple[str, int | None], ...] = ()
    counts: tuple[CountTuple, ...] = ()
    reported_by: tuple[str, ...] = ()  # organisation ids and names, lower-cased
    text: str = ""  # the evidence passage, for text similarity
    source: str | None = None  # outlet name
    document_id: str | None = None
    published: int | None = None  # ordinal day
    credibility: float = 1.0
    sensitivity: str = "internal"
    title: str | None = None
    url: str | None = None
    dataset: str | None = None
    acled_sub_event_type: str | None = None
    # False when the text states no date and the report's publication dates the claim
    date_stated: bool = True
    extra: dict[str, Any] = field(default_factory=dict)
    # derived once (scoring reads them millions of times)
    precise: bool = field(init=False)
    radius_km: float = field(init=False)
    perpetrator_ids: frozenset[str] = field(init=False)
    facility_types: frozenset[str] = field(init=False)
    killed_point: int | None = field(init=False)
    outlet: str = field(init=False)  # one outlet is one source, however many reports

    def __post_init__(self) -> None:
        if self.source:
            self.outlet = "s:" + self.source.strip().lower()
        elif self.dataset:
            self.outlet = "d:" + self.dataset
        elif self.document_id:
            self.outlet = "doc:" + self.document_id
        else:
            self.outlet = f"claim:{self.id}"
        if self.place is None:
            self.radius_km = math.inf
        else:
            self.radius_km = max(
                PLACE_RADIUS_KM.get(self.place.precision, 1000.0),
                KIND_RADIUS_KM.get(self.place.kind or "", 0.0),
            )
        self.precise = (
            self.place_rank <= PRECISE_RANK
            and self.lat is not None
            and self.radius_km <= PRECISE_RADIUS_KM
        )
        self.perpetrator_ids = frozenset(p[0] for p in self.perpetrators)
        self.facility_types = frozenset(f for f, _ in self.facilities)
        k = self.killed()
        self.killed_point = None if k is None else (k[0] if k[0] is not None else k[1])

    def killed(self) -> tuple[int | None, int | None] | None:
        """The killed total (low, high), read as :data:`~marsad.contract.claim.TOTAL_GROUPS` say."""
        for wanted in TOTAL_GROUPS:
            for cat, group, low, high, _q, _d in self.counts:
                if cat == "killed" and group == wanted:
                    return low, high
        return None


def _ordinal(value: str | date | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.toordinal()
    try:
        return date.fromisoformat(value[:10]).toordinal()
    except ValueError:
        return None


def _linking_days(
    start: str | date | None,
    end: str | date | None,
    precision: int | None,
    published: str | date | None,
    *,
    stated: bool,
) -> tuple[int | None, int | None, int]:
    """The day interval (ordinals) a claim links on, and its date precision."""
    lo = _ordinal(start)
    hi = _ordinal(end) or lo
    prec = precision or 1
    pub = _ordinal(published)
    if lo is None and pub is not None:
        lo, hi, prec = pub - UNDATED_LOOKBACK_DAYS, pub, 2
    if lo is not None and hi is not None and hi < lo:
        lo, hi = hi, lo
    if (
        not stated
        and pub is not None
        and lo is not None
        and hi is not None
        and hi - lo > REPORT_DAYS
        and lo <= pub <= hi
    ):
        # The text states no date: the extractor's interval is "some day before publication".
        # News reports describe the day of publication or the day before, so resolution links
        # on those two days (the claim itself keeps its wider interval).
        lo, hi, prec = pub - REPORT_DAYS, pub, 2
    return lo, hi, prec


def _date_stated(
    lo: int | None,
    hi: int | None,
    precision: int,
    published: str | date | None,
    start: object,
    *,
    stated: bool,
) -> bool:
    """False when only the report's publication dates the claim: no date at all, or a few
    days up to publication with no date phrase behind them. A single day without a phrase (a
    partner dataset's row) is a stated day."""
    pub = _ordinal(published)
    if pub is None or lo is None or hi is None:
        return True
    if start is None:
        return False
    return stated or precision < 2 or not lo <= pub <= hi


def record_from_claim(
    claim: Claim,
    claim_id: int,
    *,
    source: str | None = None,
    document_id: str | None = None,
    published: str | date | None = None,
    credibility: float = 1.0,
    sensitivity: str = "internal",
    title: str | None = None,
    url: str | None = None,
    dataset: str | None = None,
) -> ClaimRecord:
    """Digest one claim (through its JSON form, read by :func:`record_from_data`). A claim
    without a date is dated by its publication (the few days before it, precision 2); one
    without either stays undated and can only stand alone."""
    return record_from_data(
        claim.to_dict(),
        claim_id,
        source=source,
        document_id=document_id,
        published=published,
        credibility=credibility,
        sensitivity=sensitivity,
        title=title,
        url=url,
        dataset=dataset,
    )


def record_from_stored(stored: Any) -> ClaimRecord:
    """Digest a :class:`marsad.contract.incident.StoredClaim` (straight from its JSON dict)."""
    dataset = stored.provenance.get("dataset") if isinstance(stored.provenance, Mapping) else None
    return record_from_data(
        stored.data,
        stored.claim_id,
        source=stored.source_name,
        document_id=stored.document_id,
        published=stored.published,
        credibility=stored.source_credibility,
        sensitivity=stored.sensitivity,
        title=stored.title,
        url=stored.url,
        dataset=dataset,
    )


def _span_of(d: Mapping[str, Any]) -> Span:
    return Span(int(d["start"]), int(d["end"]), str(d["text"]))


def _place_rank(p: Mapping[str, Any]) -> tuple[int, int]:
    precision = p["precision"]
    r = PLACE_PRECISIONS.index(precision) if precision in PLACE_PRECISIONS else 99
    return (0 if p.get("lat") is not None else 1, r)


def record_from_data(
    data: Mapping[str, Any],
    claim_id: int,
    *,
    source: str | None = None,
    document_id: str | None = None,
    published: str | date | None = None,
    credibility: float = 1.0,
    sensitivity: str = "internal",
    title: str | None = None,
    url: str | None = None,
    dataset: str | None = None,
) -> ClaimRecord:
    """Digest a claim's stored JSON dict (:meth:`Claim.to_dict`) directly, without building the
    evidence spans, persons and sub-objects resolution never reads."""
    lo, hi, precision = _linking_days(
        data.get("date_start"),
        data.get("date_end"),
        data.get("date_precision"),
        published,
        stated=bool(data.get("date_evidence")),
    )
    stated = _date_stated(
        lo, hi, precision, published, data.get("date_start"), stated=bool(data.get("date_evidence"))
    )
    places = data.get("places")
    place: PlaceRef | None = None
    rank = NO_PLACE_RANK
    if places:
        p = min(places, key=_place_rank)
        place = PlaceRef(**{**p, "evidence": _span_of(p["evidence"])})
        if place.precision in PLACE_PRECISIONS:
            rank = PLACE_PRECISIONS.index(place.precision)
        else:
            rank = NO_PLACE_RANK - 1
    event_type = data["event_type"]
    return ClaimRecord(
        id=claim_id,
        event_type=event_type,
        family=EVENT_FAMILIES.get(event_type, event_type),
        day_lo=lo,
        day_hi=hi,
        date_precision=precision,
        place=place,
        place_rank=rank,
        lat=place.lat if place is not None else None,
        lon=place.lon if place is not None else None,
        place_key=(place.gazetteer_id or place.name.lower()) if place is not None else None,
        admin1=(place.admin1_pcode or place.admin1) if place is not None else None,
        perpetrators=tuple((a["id"], a["name"], a["type"]) for a in data.get("perpetrators", ())),
        targets=tuple((a["id"], a["name"], a["type"]) for a in data.get("targets", ())),
        weapons=frozenset(w["type"] for w in data.get("weapons", ())),
        facilities=tuple((f["type"], f.get("count")) for f in data.get("facilities", ())),
        counts=tuple(
            (
                c["category"],
                c.get("group", "all"),
                c["low"],
                c["high"],
                c["qualifier"],
                c.get("derived", False),
            )
            for c in data.get("counts", ())
            if c.get("part_of") is None or c.get("group", "all") != "all"
        ),
        reported_by=tuple(
            sorted(
                {
                    x.lower()
                    for o in data.get("reported_by", ())
                    for x in (o.get("id"), o["name"])
                    if x
                }
            )
        ),
        text=str(data["evidence"]["text"]),
        source=source,
        document_id=document_id,
        published=_ordinal(published),
        credibility=credibility,
        sensitivity=sensitivity,
        title=title,
        url=url,
        dataset=dataset,
        acled_sub_event_type=data.get("acled_sub_event_type"),
        date_stated=stated,
    )


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance: exact enough at the tens-of-kilometres scale we compare."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371.0 * math.hypot(x, y)
