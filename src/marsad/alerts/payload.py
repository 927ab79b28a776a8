"""What an alert says, and the form of it one reader or delivery target may see.

An alert's snapshot holds only structured fields of its incidents (type, dates, place and
admin units, actors, weapons, facilities, killed and injured, grade, source counts): no
excerpt, title, URL, note or person, so there is no free text to approve or withhold. Every
form that leaves the store is built by :func:`shown_alert`, which drops what is above the
reader's clearance and passes the rest through the reader's :class:`Disclosure` last (the one
masking function), so a protected name that reached a place or actor name is masked too.
"""

from __future__ import annotations

from typing import Any

from marsad.contract.claim import SENSITIVITY_LEVELS
from marsad.contract.incident import IncidentView, visible_levels
from marsad.protect.disclosure import Disclosure
from marsad.store.alerts import StoredAlert

# incidents described in full in one alert; a window of more lists the rest by id only
MAX_DESCRIBED = 50
_PLACE_FIELDS = (
    "place_name",
    "place_precision",
    "admin1",
    "admin1_pcode",
    "admin2",
    "admin2_pcode",
    "admin3",
    "admin3_pcode",
)


def incident_summary(view: IncidentView, *, protected_person: bool) -> dict[str, Any]:
    """The structured fields of an incident an alert keeps (``protected_person``: whether its
    sources name a protected person; who, never)."""
    killed, injured = view.figure("killed"), view.figure("injured")
    return {
        "id": view.id,
        "event_type": view.event_type,
        "date_start": view.date_start.isoformat() if view.date_start else None,
        "date_end": view.date_end.isoformat() if view.date_end else None,
        "date_precision": view.date_precision,
        **{f: getattr(view, f) for f in _PLACE_FIELDS},
        "perpetrators": [{"id": a.id, "name": a.name, "type": a.type} for a in view.perpetrators],
        "weapons": list(view.weapons),
        "facilities": dict(view.facilities),
        "killed": {"low": killed.low, "best": killed.best, "high": killed.high},
        "injured": {"low": injured.low, "best": injured.best, "high": injured.high},
        "grade": view.grade,
        "source_count": view.source_count,
        "independent_source_count": view.independent_source_count,
        "review_status": view.review_status,
        "sensitivity": view.sensitivity,
        "protected_person": protected_person,
    }


def highest(levels: list[str]) -> str:
    return max(levels, key=SENSITIVITY_LEVELS.index) if levels else "public"


def shown_alert(alert: StoredAlert, clearance: str, disclosure: Disclosure) -> dict[str, Any]:
    """The alert as a reader or target cleared for ``clearance`` may see it. An alert whose
    incidents are above that clearance says only that it was raised, by which rule."""
    base: dict[str, Any] = {
        "alert": alert.id,
        "rule": alert.rule,
        "kind": alert.kind,
        "raised_at": alert.raised_at.isoformat(),
    }
    if alert.sensitivity not in visible_levels(clearance):
        shown: dict[str, Any] = disclosure.show(
            {**base, "withheld": "its incidents are above this clearance; see Marsad itself"}
        )
        return shown
    snap = alert.snapshot
    out = {
        **base,
        "subject": alert.subject,
        "window": snap.get("window"),
        "incident_ids": alert.incident_ids,
        "incidents": snap.get("incidents", []),
        "sensitivity": alert.sensitivity,
        "deliveries": [
            {k: d.get(k) for k in ("target", "ok", "attempts", "status", "error", "at")}
            for d in alert.deliveries
        ],
    }
    shown = disclosure.show(out)
    return shown
