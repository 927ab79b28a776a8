"""The read model: incidents and reported aggregates as plain dataclasses, with filters.

Exports, briefs, the API and the dashboard all read through these, so sensitivity is enforced in
one place: a query made for level ``public`` can never return an ``internal`` or ``restricted``
record, source or person, whatever else it asks for.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from marsad.contract.claim import SENSITIVITY_LEVELS


def visible_levels(max_sensitivity: str) -> tuple[str, ...]:
    """The sensitivity levels a reader cleared for ``max_sensitivity`` may see."""
    if max_sensitivity not in SENSITIVITY_LEVELS:
        raise ValueError(
            f"unknown sensitivity {max_sensitivity!r}; use one of {', '.join(SENSITIVITY_LEVELS)}"
        )
    return SENSITIVITY_LEVELS[: SENSITIVITY_LEVELS.index(max_sensitivity) + 1]


@dataclass
class Figure:
    """A resolved number: ``low``..``high`` with the ``best`` estimate, and every source value."""

    low: int | None = None
    best: int | None = None
    high: int | None = None
    # each source's reading: {"claim_id", "document_id", "source", "low", "high", "qualifier"}
    values: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SourceView:
    document_id: str | None
    claim_id: int | None
    source: str | None
    title: str | None
    url: str | None
    published: str | None
    sensitivity: str
    excerpt: str = ""  # the claim's evidence passage
    dataset: str | None = None  # for claims imported from partner datasets


@dataclass
class Actor:
    id: str
    name: str
    type: str


@dataclass
class IncidentView:
    id: int | None
    event_type: str
    date_start: date | None
    date_end: date | None
    date_precision: int | None = None
    acled_sub_event_type: str | None = None
    place_name: str | None = None
    place_precision: str | None = None
    admin1: str | None = None
    admin1_pcode: str | None = None
    admin2: str | None = None
    admin2_pcode: str | None = None
    admin3: str | None = None
    admin3_pcode: str | None = None
    lat: float | None = None
    lon: float | None = None
    perpetrators: list[Actor] = field(default_factory=list)
    targets: list[Actor] = field(default_factory=list)
    weapons: list[str] = field(default_factory=list)
    facilities: dict[str, int | None] = field(
        default_factory=dict
    )  # type -> count (None: unstated)
    # "killed", "injured", "killed_civilians", "killed_children", "killed_women", "killed_men",
    # "killed_rescue_workers", "injured_children", ..., "strikes", "facilities_hit"
    figures: dict[str, Figure] = field(default_factory=dict)
    grade: str = "weak"
    source_count: int = 0
    independent_source_count: int = 0
    sources: list[SourceView] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)
    sensitivity: str = "internal"
    review_status: str = "new"
    notes: str = ""
    # field -> {"machine": value, "value": value, "actor": name, "ledger_seq": n}
    corrections: dict[str, dict[str, Any]] = field(default_factory=dict)

    def figure(self, name: str) -> Figure:
        return self.figures.get(name) or Figure()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["date_start"] = self.date_start.isoformat() if self.date_start else None
        d["date_end"] = self.date_end.isoformat() if self.date_end else None
        return d


@dataclass
class AggregateView:
    """A reported total ("since 5 October, over 60 civilians killed") kept as reported."""

    claim_id: int
    document_id: str | None
    source: str | None
    reported_by: list[str]
    event_type: str
    date_start: date | None
    date_end: date | None
    area: list[str]  # place names
    admin1_pcodes: list[str]
    counts: list[dict[str, Any]]  # contract.claim.Count dicts
    facilities: list[dict[str, Any]]
    excerpt: str
    sensitivity: str


@dataclass
class IncidentFilter:
    date_from: date | None = None
    date_to: date | None = None
    area: str | None = None  # a place/admin name or a p-code (prefix match on p-codes)
    event_types: list[str] = field(default_factory=list)
    perpetrators: list[str] = field(default_factory=list)  # actor ids or names
    weapons: list[str] = field(default_factory=list)
    facilities: list[str] = field(default_factory=list)
    grades: list[str] = field(default_factory=list)
    max_sensitivity: str = "public"
    text: str | None = None  # free text over place name and notes
    # only incidents an analyst confirmed or corrected (the publish gate of exports and briefs)
    reviewed_only: bool = False


@dataclass
class StoredClaim:
    """A current (not superseded) claim with what resolution needs to know about its source."""

    claim_id: int
    document_id: str | None
    source_id: int | None
    source_name: str | None
    source_credibility: float
    published: date | None
    sensitivity: str
    data: dict[str, Any]  # contract.claim.Claim.to_dict()
    provenance: dict[str, Any]
    title: str | None = None
    url: str | None = None
