"""Reported totals beside what the incident data holds for the same period and area.

"Since 5 October, over 60 civilians killed in northwest Syria" is not an incident: adding it to
incident tolls would count the same dead twice. It is kept as reported and compared: "reported:
over 60 civilians killed; incidents on record: 41 civilians killed in 23 incidents". The gap is
itself information (incidents nobody has reported singly, or a total that double counts).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from marsad.contract.incident import AggregateView, IncidentFilter, IncidentView
from marsad.publish.labels import count_words

if TYPE_CHECKING:
    from marsad.store import Store


@dataclass
class AggregateComparison:
    aggregate: AggregateView
    figure: str  # incident figure name, e.g. "killed_civilians"
    reported: str  # the reported total in words, e.g. "over 60 civilians killed"
    reported_low: int | None
    reported_high: int | None
    incidents: int  # incidents in the period and area with this figure
    incident_low: int
    incident_best: int
    incident_high: int
    summary: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim_id": self.aggregate.claim_id,
            "source": self.aggregate.source,
            "period": [
                self.aggregate.date_start.isoformat() if self.aggregate.date_start else None,
                self.aggregate.date_end.isoformat() if self.aggregate.date_end else None,
            ],
            "area": self.aggregate.area,
            "figure": self.figure,
            "reported": self.reported,
            "reported_low": self.reported_low,
            "reported_high": self.reported_high,
            "incidents": self.incidents,
            "incident_low": self.incident_low,
            "incident_best": self.incident_best,
            "incident_high": self.incident_high,
            "summary": self.summary,
        }


def _in_area(view: IncidentView, agg: AggregateView) -> bool:
    if agg.admin1_pcodes:
        return bool(view.admin1_pcode) and any(
            (view.admin1_pcode or "").startswith(code) for code in agg.admin1_pcodes
        )
    if not agg.area:
        return True
    names = {a.lower() for a in agg.area}
    own = {x.lower() for x in (view.admin1, view.admin2, view.admin3, view.place_name) if x}
    return bool(names & own)


def _in_period(view: IncidentView, agg: AggregateView) -> bool:
    if view.date_start is None:
        return False
    if agg.date_start is not None and view.date_start < agg.date_start:
        return False
    end = agg.date_end or agg.date_start
    return not (end is not None and view.date_start > end)


def compare_aggregate(
    agg: AggregateView, incidents: Iterable[IncidentView]
) -> list[AggregateComparison]:
    """One comparison per killed/injured count the aggregate reports (pure)."""
    matching = [v for v in incidents if _in_period(v, agg) and _in_area(v, agg)]
    out: list[AggregateComparison] = []
    for count in agg.counts:
        if count.get("category") not in ("killed", "injured") or count.get("part_of") is not None:
            continue
        group = count.get("group", "all")
        name = count["category"] if group == "all" else f"{count['category']}_{group}"
        n = low = best = high = 0
        for v in matching:
            f = v.figures.get(name)
            if f is None or (f.low is None and f.best is None and f.high is None):
                continue
            n += 1
            low += f.low or 0
            best += f.best if f.best is not None else (f.low or 0)
            high += f.high if f.high is not None else (f.best or f.low or 0)
        reported = count_words(count, "en")
        who = "" if group == "all" else " " + group.replace("_", " ")
        rng = f" (range {low}-{high})" if high != low else ""
        summary = (
            f"reported: {reported}; incidents on record: {best}{who} {count['category']}"
            f"{rng} in {n} incident{'s' if n != 1 else ''}"
        )
        out.append(
            AggregateComparison(
                aggregate=agg,
                figure=name,
                reported=reported,
                reported_low=count.get("low"),
                reported_high=count.get("high"),
                incidents=n,
                incident_low=low,
                incident_best=best,
                incident_high=high,
                summary=summary,
            )
        )
    return out


def compare_aggregates(store: Store, f: IncidentFilter | None = None) -> list[AggregateComparison]:
    """Every reported total visible under ``f``, compared with the incidents of its period."""
    f = f or IncidentFilter()
    out: list[AggregateComparison] = []
    for agg in store.aggregates(f):
        window = IncidentFilter(
            date_from=agg.date_start,
            date_to=agg.date_end or agg.date_start,
            max_sensitivity=f.max_sensitivity,
        )
        out.extend(compare_aggregate(agg, store.iter_incidents(window)))
    return out
