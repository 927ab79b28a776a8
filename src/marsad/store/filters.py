"""The incident filters as SQL: what every incident query of the store applies, and the filters
read from the JSON record after the query."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from marsad.contract.incident import IncidentFilter, IncidentView, visible_levels
from marsad.protect.disclosure import REVIEWED_STATES
from marsad.store.models import Incident


def longest_span_days(session: Session) -> int:
    """The longest incident, in days (one index look-up)."""
    return int(session.execute(select(func.max(Incident.date_span_days))).scalar() or 0)


def apply_filter(q: Select[Any], f: IncidentFilter, span_days: int | None = None) -> Select[Any]:
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


def matches_json_filters(view: IncidentView, f: IncidentFilter) -> bool:
    """Whether an incident passes the filters its JSON record answers (actors, weapons,
    facilities)."""
    actors = [(a.id, a.name) for a in view.perpetrators]
    return _matches(f, actors, view.weapons, view.facilities)


def matches_json_filters_dict(item: dict[str, Any], f: IncidentFilter) -> bool:
    """:func:`matches_json_filters` over the plain form of ``rows.incident_dict_from_row``."""
    actors = [(str(a.get("id", "")), str(a.get("name", ""))) for a in item["perpetrators"]]
    return _matches(f, actors, item["weapons"], item["facilities"])


def _matches(
    f: IncidentFilter,
    actors: list[tuple[str, str]],
    weapons: Iterable[str],
    facilities: Iterable[str],
) -> bool:
    if f.perpetrators:
        wanted = {p.lower() for p in f.perpetrators}
        if not any(i.lower() in wanted or name.lower() in wanted for i, name in actors):
            return False
    if f.weapons and not set(f.weapons) & set(weapons):
        return False
    return not (f.facilities and not set(f.facilities) & set(facilities))
