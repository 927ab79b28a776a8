"""The one codec between the contract and the tables: a claim's row; an incident view's columns
and JSON record for writing, and the view rebuilt from a row for reading (the reader's
clearance drops the sources, and the figure values, it may not see)."""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime
from typing import Any

from marsad.contract import claim as contract
from marsad.contract.claim import parse_iso_date
from marsad.contract.incident import Actor, Figure, IncidentView, SourceView, visible_levels
from marsad.store.models import Claim, Incident

try:  # optional: decodes a page of records in C, faster than the standard library
    import orjson as _orjson
except ImportError:  # pragma: no cover - depends on what is installed
    _orjson = None  # type: ignore[assignment, unused-ignore]


def loads_json(text: str | bytes) -> Any:
    """Parse JSON text with orjson when installed, else the standard library (same result)."""
    return _orjson.loads(text) if _orjson is not None else json.loads(text)


INCIDENT_DATA_FIELDS = (
    "acled_sub_event_type",
    "admin2",
    "admin3",
    "perpetrators",
    "targets",
    "weapons",
    "facilities",
    "figures",
    "sources",
    "disagreements",
    "notes",
    "corrections",
)


_LEAF = ()
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def plain_value(value: Any) -> Any:
    """What ``dataclasses.asdict`` makes of a value, for JSON: dataclasses become dicts, lists,
    tuples and dicts are copied through, everything else is kept as it is. ``asdict`` deep-copies
    every leaf and inspects every value generically, which dominates saving an incident; this
    gives the same JSON (tuples become lists, as JSON has no tuples)."""
    t = type(value)
    if t is dict:
        return {k: plain_value(v) for k, v in value.items()}
    if t is list or t is tuple:
        return [plain_value(v) for v in value]
    names = _FIELD_NAMES.get(t)
    if names is None:
        if is_dataclass(value) and not isinstance(value, type):
            names = tuple(f.name for f in fields(value))
        elif isinstance(value, dict):
            return {k: plain_value(v) for k, v in value.items()}
        elif isinstance(value, (list, tuple)):
            return [plain_value(v) for v in value]
        else:
            names = _LEAF
        _FIELD_NAMES[t] = names
    if names is _LEAF:
        return value
    return {n: plain_value(getattr(value, n)) for n in names}


_LEAVES = frozenset({str, int, float, bool, type(None)})
_SOURCE_FIELDS = tuple(f.name for f in fields(SourceView))


def _flat(d: dict[str, Any]) -> dict[str, Any]:
    """A copy of a dict of plain values (the usual figure reading), else :func:`plain_value`."""
    out = d.copy()
    for k, v in out.items():
        if type(v) not in _LEAVES:
            out[k] = plain_value(v)
    return out


def _actor(a: Any) -> Any:
    if type(a) is Actor:
        return {"id": a.id, "name": a.name, "type": a.type}
    return plain_value(a)


def incident_data(view: IncidentView) -> dict[str, Any]:
    """The incident's JSON record, ``{k: asdict(view)[k] for k in INCIDENT_DATA_FIELDS}``, written
    field by field for the shapes :class:`IncidentView` declares, so saving a batch does not
    walk every value generically. Anything of another shape (an analyst's
    correction) still goes through :func:`plain_value`, so the JSON is the same."""
    if type(view) is not IncidentView:
        return {k: plain_value(getattr(view, k)) for k in INCIDENT_DATA_FIELDS}
    return {
        "acled_sub_event_type": view.acled_sub_event_type,
        "admin2": view.admin2,
        "admin3": view.admin3,
        "perpetrators": [_actor(a) for a in view.perpetrators],
        "targets": [_actor(a) for a in view.targets],
        "weapons": plain_value(view.weapons),
        "facilities": plain_value(view.facilities),
        "figures": {
            name: {
                "low": f.low,
                "best": f.best,
                "high": f.high,
                "values": [_flat(v) if type(v) is dict else plain_value(v) for v in f.values],
            }
            if type(f) is Figure
            else plain_value(f)
            for name, f in view.figures.items()
        },
        "sources": [
            _flat({n: getattr(s, n) for n in _SOURCE_FIELDS})
            if type(s) is SourceView
            else plain_value(s)
            for s in view.sources
        ],
        "disagreements": plain_value(view.disagreements),
        "notes": plain_value(view.notes),
        "corrections": plain_value(view.corrections),
    }


def incident_columns(view: IncidentView) -> dict[str, Any]:
    """The incidents-table columns for a view (all but ``id``, ``created_at``, ``updated_at``),
    as a plain dict: multi-row inserts and updates use it as it is, :func:`fill_row` sets it on a
    mapped row."""
    killed, injured = view.figure("killed"), view.figure("injured")
    full_span = view.date_start is not None and view.date_end is not None
    return {
        "event_type": view.event_type,
        "date_start": view.date_start,
        "date_end": view.date_end,
        "date_precision": view.date_precision,
        "date_span_days": (
            max((view.date_end - view.date_start).days, 0)  # type: ignore[operator]
            if full_span
            else 0
        ),
        "place_name": view.place_name,
        "place_precision": view.place_precision,
        "admin1": view.admin1,
        "admin1_pcode": view.admin1_pcode,
        "admin2_pcode": view.admin2_pcode,
        "admin3_pcode": view.admin3_pcode,
        "lat": view.lat,
        "lon": view.lon,
        "killed_low": killed.low,
        "killed_best": killed.best,
        "killed_high": killed.high,
        "injured_low": injured.low,
        "injured_best": injured.best,
        "injured_high": injured.high,
        "grade": view.grade,
        "source_count": view.source_count,
        "independent_source_count": view.independent_source_count,
        "review_status": view.review_status,
        "sensitivity": view.sensitivity,
        "data": incident_data(view),
    }


def fill_row(row: Incident, view: IncidentView) -> None:
    """Set a mapped incidents row to the view (the columns of :func:`incident_columns`)."""
    for column, value in incident_columns(view).items():
        setattr(row, column, value)


def view_from_row(row: Incident, max_sensitivity: str = "restricted") -> IncidentView:
    """Rebuild the view from a row, dropping sources the reader may not see."""
    data = row.data or {}
    levels = visible_levels(max_sensitivity)
    sources = [SourceView(**s) for s in data.get("sources", []) if s.get("sensitivity") in levels]
    visible_docs = {s.document_id for s in sources}
    figures = {}
    for name, f in data.get("figures", {}).items():
        values = [
            v
            for v in f.get("values", [])
            if v.get("document_id") is None or v.get("document_id") in visible_docs
        ]
        figures[name] = Figure(f.get("low"), f.get("best"), f.get("high"), values)
    return IncidentView(
        id=row.id,
        event_type=row.event_type,
        date_start=row.date_start,
        date_end=row.date_end,
        date_precision=row.date_precision,
        acled_sub_event_type=data.get("acled_sub_event_type"),
        place_name=row.place_name,
        place_precision=row.place_precision,
        admin1=row.admin1,
        admin1_pcode=row.admin1_pcode,
        admin2=data.get("admin2"),
        admin2_pcode=row.admin2_pcode,
        admin3=data.get("admin3"),
        admin3_pcode=row.admin3_pcode,
        lat=row.lat,
        lon=row.lon,
        perpetrators=[Actor(**a) for a in data.get("perpetrators", [])],
        targets=[Actor(**a) for a in data.get("targets", [])],
        weapons=list(data.get("weapons", [])),
        facilities=dict(data.get("facilities", {})),
        figures=figures,
        grade=row.grade,
        source_count=row.source_count,
        independent_source_count=row.independent_source_count,
        sources=sources,
        disagreements=list(data.get("disagreements", [])),
        sensitivity=row.sensitivity,
        review_status=row.review_status,
        notes=data.get("notes", ""),
        corrections=dict(data.get("corrections", {})),
    )


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


_SOURCE_DEFAULTS: dict[str, Any] = {"excerpt": "", "dataset": None}


def incident_dict_from_row(row: Any, levels: tuple[str, ...]) -> dict[str, Any]:
    """The incident as JSON-ready data straight from a table row (a Core row or an ORM object),
    equal to the API form of :func:`view_from_row` for a reader cleared for ``levels``.

    List pages build 50 of these per request; going through :class:`IncidentView` and back
    (dataclass construction, then a recursive walk to turn it into plain data) would cost more
    than the query, so this builds the plain data once, with the same filtering of sources
    and per-source figure values the reader may not see. ``row.data`` may be the record or
    its JSON text (see ``reads._LIST_COLUMNS``): text parsed here is this call's own, so its
    lists and dicts are used as they are instead of copied."""
    raw = row.data
    fresh = isinstance(raw, str | bytes)
    data: dict[str, Any] = (loads_json(raw) if fresh else raw) or {}
    sources = [
        {**_SOURCE_DEFAULTS, **s} for s in data.get("sources", ()) if s.get("sensitivity") in levels
    ]
    visible_docs = {s.get("document_id") for s in sources}
    figures: dict[str, Any] = {}
    for name, f in data.get("figures", {}).items():
        values = [
            v if fresh else dict(v)
            for v in f.get("values", ())
            if v.get("document_id") is None or v.get("document_id") in visible_docs
        ]
        figures[name] = {
            "low": f.get("low"),
            "best": f.get("best"),
            "high": f.get("high"),
            "values": values,
        }

    def own(value: Any, empty: Any) -> Any:
        found = data.get(value, empty)
        return found if fresh else type(empty)(found)

    return {
        "id": row.id,
        "event_type": row.event_type,
        "date_start": _iso(row.date_start),
        "date_end": _iso(row.date_end),
        "date_precision": row.date_precision,
        "acled_sub_event_type": data.get("acled_sub_event_type"),
        "place_name": row.place_name,
        "place_precision": row.place_precision,
        "admin1": row.admin1,
        "admin1_pcode": row.admin1_pcode,
        "admin2": data.get("admin2"),
        "admin2_pcode": row.admin2_pcode,
        "admin3": data.get("admin3"),
        "admin3_pcode": row.admin3_pcode,
        "lat": row.lat,
        "lon": row.lon,
        "perpetrators": [a if fresh else dict(a) for a in data.get("perpetrators", ())],
        "targets": [a if fresh else dict(a) for a in data.get("targets", ())],
        "weapons": own("weapons", []),
        "facilities": own("facilities", {}),
        "figures": figures,
        "grade": row.grade,
        "source_count": row.source_count,
        "independent_source_count": row.independent_source_count,
        "sources": sources,
        "disagreements": own("disagreements", []),
        "sensitivity": row.sensitivity,
        "review_status": row.review_status,
        "notes": data.get("notes", ""),
        "corrections": own("corrections", {}),
    }


def now() -> datetime:
    return datetime.now(UTC)


def claim_row(claim: contract.Claim, *, position: int, sensitivity: str) -> Claim:
    """A claims-table row: the whole claim as JSON plus the columns queries filter on."""
    place = claim.places[0] if claim.places else None
    killed = claim.total("killed")
    return Claim(
        position=position,
        scope=claim.scope,
        event_type=claim.event_type,
        date_start=parse_iso_date(claim.date_start),
        date_end=parse_iso_date(claim.date_end),
        date_precision=claim.date_precision,
        admin1_pcode=place.admin1_pcode if place else None,
        lat=place.lat if place else None,
        lon=place.lon if place else None,
        killed_low=killed.low if killed else None,
        killed_high=killed.high if killed else None,
        sensitivity=sensitivity,
        data=claim.to_dict(),
        created_at=now(),
        provenance={},
    )
