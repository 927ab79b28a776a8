"""Incidents and reported aggregates in the store: writing resolved incidents, reading views."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session

from marsad.contract.incident import (
    Actor,
    AggregateView,
    Figure,
    IncidentFilter,
    IncidentView,
    SourceView,
    visible_levels,
)
from marsad.protect.disclosure import REVIEWED_STATES
from marsad.store import ledger
from marsad.store.models import Claim, Document, Incident, IncidentClaim, Source
from marsad.store.verify import incident_row_sha256, incident_values

try:  # optional: decodes a page of records about 5 times faster than the standard library
    import orjson as _orjson
except ImportError:  # pragma: no cover - depends on what is installed
    _orjson = None  # type: ignore[assignment, unused-ignore]


def loads_json(text: str | bytes) -> Any:
    """Parse JSON text with orjson when installed, else the standard library (same result)."""
    return _orjson.loads(text) if _orjson is not None else json.loads(text)


_JSON_FIELDS = (
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


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def incident_data(view: IncidentView) -> dict[str, Any]:
    full = view.to_dict()
    return {k: full[k] for k in _JSON_FIELDS}


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


def _fill_row(row: Incident, view: IncidentView) -> None:
    killed, injured = view.figure("killed"), view.figure("injured")
    row.event_type = view.event_type
    row.date_start, row.date_end, row.date_precision = (
        view.date_start,
        view.date_end,
        view.date_precision,
    )
    row.date_span_days = (
        max((view.date_end - view.date_start).days, 0)
        if view.date_start is not None and view.date_end is not None
        else 0
    )
    row.place_name, row.place_precision = view.place_name, view.place_precision
    row.admin1, row.admin1_pcode = view.admin1, view.admin1_pcode
    row.admin2_pcode, row.admin3_pcode = view.admin2_pcode, view.admin3_pcode
    row.lat, row.lon = view.lat, view.lon
    row.killed_low, row.killed_best, row.killed_high = killed.low, killed.best, killed.high
    row.injured_low, row.injured_best, row.injured_high = injured.low, injured.best, injured.high
    row.grade = view.grade
    row.source_count = view.source_count
    row.independent_source_count = view.independent_source_count
    row.review_status = view.review_status
    row.sensitivity = view.sensitivity
    row.data = incident_data(view)


def longest_span_days(session: Session) -> int:
    """The longest incident, in days (one index look-up)."""
    return int(session.execute(select(func.max(Incident.date_span_days))).scalar() or 0)


def _apply_filter(q: Select[Any], f: IncidentFilter, span_days: int | None = None) -> Select[Any]:
    """``span_days`` (see :func:`longest_span_days`) adds the lower bound on the start date that
    the overlap test implies, so a period in the middle of years of data is a two-sided index
    range instead of a scan from one end."""
    q = q.where(Incident.sensitivity.in_(visible_levels(f.max_sensitivity)))
    if f.reviewed_only:
        q = q.where(Incident.review_status.in_(REVIEWED_STATES))
    if f.date_from:
        q = q.where(or_(Incident.date_end >= f.date_from, Incident.date_start >= f.date_from))
        if span_days is not None:
            q = q.where(Incident.date_start >= f.date_from - timedelta(days=span_days))
    if f.date_to:
        q = q.where(Incident.date_start <= f.date_to)
    if f.event_types:
        q = q.where(Incident.event_type.in_(f.event_types))
    if f.grades:
        q = q.where(Incident.grade.in_(f.grades))
    if f.area:
        area = f.area.strip()
        if area[:2].upper() == "SY" and area[2:].isdigit():
            code = area.upper() + "%"
            q = q.where(
                or_(
                    Incident.admin1_pcode.like(code),
                    Incident.admin2_pcode.like(code),
                    Incident.admin3_pcode.like(code),
                )
            )
        else:
            like = area.lower()
            q = q.where(
                or_(
                    func.lower(Incident.admin1) == like,
                    func.lower(Incident.place_name) == like,
                    func.lower(Incident.place_name).like(f"%{_escape_like(like)}%", escape="\\"),
                )
            )
    if f.text:
        q = q.where(
            func.lower(Incident.place_name).like(f"%{_escape_like(f.text.lower())}%", escape="\\")
        )
    return q


def _escape_like(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _matches_json_filters(view: IncidentView, f: IncidentFilter) -> bool:
    if f.perpetrators:
        wanted = {p.lower() for p in f.perpetrators}
        if not any(a.id.lower() in wanted or a.name.lower() in wanted for a in view.perpetrators):
            return False
    if f.weapons and not set(f.weapons) & set(view.weapons):
        return False
    return not (f.facilities and not set(f.facilities) & set(view.facilities))


class IncidentStoreMixin:
    """Incident methods of :class:`marsad.store.Store` (kept here to keep modules small)."""

    if TYPE_CHECKING:  # provided by Store

        def transaction(self) -> AbstractContextManager[Session]: ...

        def reading(self) -> AbstractContextManager[Session]: ...

    def save_incident(
        self,
        view: IncidentView,
        claim_ids: Iterable[int] = (),
        *,
        actor: str,
        action: str = "resolve",
    ) -> int:
        """Insert (``view.id`` None) or update an incident, link its claims, log it."""
        claim_ids = sorted(set(claim_ids))
        with self.transaction() as session:
            stamp = datetime.now(UTC)
            row = session.get(Incident, view.id) if view.id is not None else None
            if row is None:
                row = Incident(created_at=stamp)
                session.add(row)
            row.updated_at = stamp
            _fill_row(row, view)
            session.flush()
            session.execute(delete(IncidentClaim).where(IncidentClaim.incident_id == row.id))
            for cid in claim_ids:
                session.add(IncidentClaim(incident_id=row.id, claim_id=cid))
            ledger.append(
                session,
                actor=actor,
                action=action,
                subject_type="incident",
                subject_id=str(row.id),
                payload={
                    "claims": claim_ids,
                    "record_sha256": ledger.sha256_hex(ledger.canonical_json(row.data)),
                    "row_sha256": incident_row_sha256(incident_values(row)),
                    "grade": row.grade,
                    "killed": [row.killed_low, row.killed_best, row.killed_high],
                },
            )
            return row.id

    def incident(self, incident_id: int, *, max_sensitivity: str = "public") -> IncidentView | None:
        with self.reading() as session:
            row = session.get(Incident, incident_id)
            if row is None or row.sensitivity not in visible_levels(max_sensitivity):
                return None
            return view_from_row(row, max_sensitivity)

    def iter_incidents(
        self, f: IncidentFilter | None = None, *, batch: int = 1000
    ) -> Iterator[IncidentView]:
        """Matching incidents by date then id, fetched in keyset pages: memory stays flat."""
        f = f or IncidentFilter()
        last_key: tuple[date, int] | None = None
        floor = date(1, 1, 1)
        with self.reading() as session:
            span = longest_span_days(session)
        while True:
            q = _apply_filter(select(Incident), f, span)
            if last_key is not None:
                d, i = last_key
                key_date = func.coalesce(Incident.date_start, floor)
                q = q.where(or_(key_date > d, (key_date == d) & (Incident.id > i)))
            q = q.order_by(func.coalesce(Incident.date_start, floor), Incident.id).limit(batch)
            with self.reading() as session:
                rows = list(session.execute(q).scalars())
                views = [view_from_row(r, f.max_sensitivity) for r in rows]
            if not rows:
                return
            for v in views:
                if _matches_json_filters(v, f):
                    yield v
            last_key = (rows[-1].date_start or floor, rows[-1].id)

    def count_incidents(self, f: IncidentFilter | None = None) -> int:
        f = f or IncidentFilter()
        if f.perpetrators or f.weapons or f.facilities:
            return sum(1 for _ in self.iter_incidents(f))
        with self.reading() as session:
            return int(
                session.execute(
                    _apply_filter(
                        select(func.count()).select_from(Incident), f, longest_span_days(session)
                    )
                ).scalar_one()
            )

    def incident_claim_ids(self, incident_id: int) -> list[int]:
        with self.reading() as session:
            return [
                cid
                for (cid,) in session.execute(
                    select(IncidentClaim.claim_id).where(IncidentClaim.incident_id == incident_id)
                )
            ]

    def aggregates(self, f: IncidentFilter | None = None) -> list[AggregateView]:
        """Reported totals (claims with scope ``aggregate``) overlapping the filter's period."""
        f = f or IncidentFilter()
        levels = visible_levels(f.max_sensitivity)
        q = (
            select(Claim, Document.sensitivity, Source.name)
            .join(Document, Document.id == Claim.document_id, isouter=True)
            .join(Source, Source.id == Document.source_id, isouter=True)
            .where(Claim.scope == "aggregate", Claim.superseded.is_(False))
            .where(Claim.sensitivity.in_(levels))
        )
        if f.date_from:
            q = q.where(or_(Claim.date_end.is_(None), Claim.date_end >= f.date_from))
        if f.date_to:
            q = q.where(or_(Claim.date_start.is_(None), Claim.date_start <= f.date_to))
        out: list[AggregateView] = []
        with self.reading() as session:
            for claim, doc_sensitivity, source_name in session.execute(q.order_by(Claim.id)):
                if doc_sensitivity is not None and doc_sensitivity not in levels:
                    continue
                data = claim.data
                places = data.get("places", [])
                out.append(
                    AggregateView(
                        claim_id=claim.id,
                        document_id=claim.document_id,
                        source=source_name,
                        reported_by=[o["name"] for o in data.get("reported_by", [])],
                        event_type=claim.event_type,
                        date_start=claim.date_start,
                        date_end=claim.date_end,
                        area=[p["name"] for p in places],
                        admin1_pcodes=sorted(
                            {p["admin1_pcode"] for p in places if p.get("admin1_pcode")}
                        ),
                        counts=list(data.get("counts", [])),
                        facilities=list(data.get("facilities", [])),
                        excerpt=data.get("evidence", {}).get("text", ""),
                        sensitivity=claim.sensitivity,
                    )
                )
        return out


_SOURCE_DEFAULTS: dict[str, Any] = {"excerpt": "", "dataset": None}


def incident_dict_from_row(row: Any, levels: tuple[str, ...]) -> dict[str, Any]:
    """The incident as JSON-ready data straight from a table row (a Core row or an ORM object),
    equal to the API form of :func:`view_from_row` for a reader cleared for ``levels``.

    List pages build 50 of these per request; going through :class:`IncidentView` and back
    cost about 4 of the 6 ms a page took (dataclass construction, then a recursive walk to turn
    it into plain data), so this builds the plain data once, with the same filtering of sources
    and per-source figure values the reader may not see. ``row.data`` may be the record or
    its JSON text (see ``stats._LIST_COLUMNS``): text parsed here is this call's own, so its
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


def matches_json_filters_dict(item: dict[str, Any], f: IncidentFilter) -> bool:
    """:func:`_matches_json_filters` over the plain form made by :func:`incident_dict_from_row`."""
    if f.perpetrators:
        wanted = {p.lower() for p in f.perpetrators}
        if not any(
            str(a.get("id", "")).lower() in wanted or str(a.get("name", "")).lower() in wanted
            for a in item["perpetrators"]
        ):
            return False
    if f.weapons and not set(f.weapons) & set(item["weapons"]):
        return False
    return not (f.facilities and not set(f.facilities) & set(item["facilities"]))
