"""ACLED's event format, both ways: our incidents as ACLED rows, ACLED rows as our claims.

Column names and codes follow ACLED's codebook. Where our data has no ACLED equivalent the
choice made is written in ``docs/publishing.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from marsad.contract import claim as contract
from marsad.contract.incident import IncidentView
from marsad.protect.disclosure import Disclosure
from marsad.publish.acled_codebook import (
    PROTEST_SUB_EVENTS,
    RIOT_SUB_EVENTS,
    RowActors,
    civilian_targeting,
    row_actors,
)
from marsad.publish.common import (
    acled_geo_precision,
    acled_time_precision,
    killed_low,
    source_names,
)
from marsad.publish.partner_actors import UNARMED_TYPES, partner_actor, slug, split_sides
from marsad.publish.partner_places import partner_place

COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)

# sub_event_type -> (event_type, disorder_type), from ACLED's codebook.
SUB_EVENT_PARENT: dict[str, tuple[str, str]] = {
    "Armed clash": ("Battles", "Political violence"),
    "Government regains territory": ("Battles", "Political violence"),
    "Non-state actor overtakes territory": ("Battles", "Political violence"),
    "Chemical weapon": ("Explosions/Remote violence", "Political violence"),
    "Air/drone strike": ("Explosions/Remote violence", "Political violence"),
    "Suicide bomb": ("Explosions/Remote violence", "Political violence"),
    "Shelling/artillery/missile attack": ("Explosions/Remote violence", "Political violence"),
    "Remote explosive/landmine/IED": ("Explosions/Remote violence", "Political violence"),
    "Grenade": ("Explosions/Remote violence", "Political violence"),
    "Sexual violence": ("Violence against civilians", "Political violence"),
    "Attack": ("Violence against civilians", "Political violence"),
    "Abduction/forced disappearance": ("Violence against civilians", "Political violence"),
    "Peaceful protest": ("Protests", "Demonstrations"),
    "Protest with intervention": ("Protests", "Demonstrations"),
    "Excessive force against protesters": ("Protests", "Political violence; Demonstrations"),
    "Violent demonstration": ("Riots", "Demonstrations"),
    "Mob violence": ("Riots", "Political violence"),
    "Agreement": ("Strategic developments", "Strategic developments"),
    "Arrests": ("Strategic developments", "Strategic developments"),
    "Change to group/activity": ("Strategic developments", "Strategic developments"),
    "Disrupted weapons use": ("Strategic developments", "Strategic developments"),
    "Headquarters or base established": ("Strategic developments", "Strategic developments"),
    "Looting/property destruction": ("Strategic developments", "Strategic developments"),
    "Non-violent transfer of territory": ("Strategic developments", "Strategic developments"),
    "Other": ("Strategic developments", "Strategic developments"),
}

# Every ACLED sub-event type has a type of ours; the legacy "territory_change" of stored data
# is not given to imports.
SUB_EVENT_TO_OURS: dict[str, str] = {
    sub: ours
    for ours, sub in contract.ACLED_SUB_EVENT_TYPES.items()
    if sub is not None and ours in contract.EVENT_TYPES
}

_INTER_TO_TYPE: dict[int, str] = {
    1: "state_forces",
    2: "non_state_armed_group",
    3: "militia",
    4: "militia",
    5: "protesters",
    6: "protesters",
    7: "civilians",
    8: "foreign_state_forces",
}
SYRIA_ISO = 760


def sub_event_type(view: IncidentView) -> str:
    return (
        view.acled_sub_event_type or contract.ACLED_SUB_EVENT_TYPES.get(view.event_type) or "Other"
    )


def _notes(view: IncidentView, actors: RowActors) -> str:
    """A short factual summary in ACLED's style, written from the record's fields."""
    when = view.date_start.isoformat() if view.date_start else "an unknown date"
    sub = sub_event_type(view)
    if sub in PROTEST_SUB_EVENTS or sub in RIOT_SUB_EVENTS:
        who = "rioters" if sub in RIOT_SUB_EVENTS else "protesters"
    elif actors.disputed:
        who = "unidentified perpetrators"
    else:
        who = ", ".join(a.name for a in view.perpetrators) or "unidentified perpetrators"
    where = ", ".join(p for p in (view.place_name, view.admin1) if p) or "an unknown location"
    parts = [f"On {when}, {who}: {sub.lower()} in {where}."]
    if actors.disputed:
        parts.append("Attribution disputed: sources name " + "; ".join(actors.disputed) + ".")
    killed = view.figure("killed")
    if killed.low is not None:
        if killed.high is not None and killed.high != killed.low:
            parts.append(f"Sources report between {killed.low} and {killed.high} killed.")
        elif killed.high is None:
            parts.append(f"Sources report at least {killed.low} killed.")
        else:
            parts.append(f"Sources report {killed.low} killed.")
    if view.weapons:
        parts.append("Weapons: " + ", ".join(w.replace("_", " ") for w in view.weapons) + ".")
    return " ".join(parts)


def _tags(view: IncidentView) -> str:
    tags = [f"grade: {view.grade}"]
    if view.weapons:
        tags.append("weapons: " + ", ".join(view.weapons))
    if view.facilities:
        tags.append("facilities: " + ", ".join(sorted(view.facilities)))
    killed = view.figure("killed")
    if killed.high is not None and killed.low is not None and killed.high != killed.low:
        tags.append(f"fatalities range: {killed.low}-{killed.high}")
    return "; ".join(tags)


def export_row(view: IncidentView, redact: Disclosure, timestamp: int) -> dict[str, Any]:
    sub = sub_event_type(view)
    event_type, disorder = SUB_EVENT_PARENT.get(sub, ("Strategic developments",) * 2)
    actors = row_actors(view, sub)
    civilian = civilian_targeting(view, event_type, sub)
    return {
        "event_id_cnty": f"MARSAD-SYR{view.id}",
        "event_date": view.date_start.isoformat() if view.date_start else "",
        "year": view.date_start.year if view.date_start else "",
        "time_precision": acled_time_precision(view),
        "disorder_type": disorder,
        "event_type": event_type,
        "sub_event_type": sub,
        "actor1": actors.actor1,
        "assoc_actor_1": actors.assoc_actor_1,
        "inter1": actors.inter1,
        "actor2": actors.actor2,
        "assoc_actor_2": actors.assoc_actor_2,
        "inter2": actors.inter2,
        "interaction": actors.interaction,
        "civilian_targeting": "Civilian targeting" if civilian else "",
        "iso": SYRIA_ISO,
        "region": "Middle East",
        "country": "Syria",
        "admin1": view.admin1 or "",
        "admin2": view.admin2 or "",
        "admin3": view.admin3 or "",
        "location": view.place_name or "",
        "latitude": view.lat if view.lat is not None else "",
        "longitude": view.lon if view.lon is not None else "",
        "geo_precision": acled_geo_precision(view),
        "source": "; ".join(source_names(view)),
        "source_scale": "",
        "notes": redact(_notes(view, actors)),
        "fatalities": killed_low(view),
        "tags": _tags(view),
        "timestamp": timestamp,
    }


# -- import -----------------------------------------------------------------------------------

REQUIRED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "sub_event_type",
    "actor1",
    "location",
    "latitude",
    "longitude",
    "fatalities",
)
MAX_PLAUSIBLE_FATALITIES = 100_000
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y")


class RowError(ValueError):
    """A dataset row that cannot become a claim; the message says why."""


def parse_date(value: str, column: str) -> date:
    text = (value or "").strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowError(f"{column}: not a date: {text!r}")


def parse_int(value: str, column: str, *, required: bool = True) -> int | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise RowError(f"{column}: empty")
        return None
    try:
        number = float(text)
    except ValueError:
        raise RowError(f"{column}: not a number: {text!r}") from None
    if number != int(number):
        raise RowError(f"{column}: not a whole number: {text!r}")
    if number < 0 or number > MAX_PLAUSIBLE_FATALITIES:
        raise RowError(f"{column}: implausible value {text}")
    return int(number)


def parse_coordinate(value: str, column: str, limit: float) -> float | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise RowError(f"{column}: not a number: {text!r}") from None
    if not -limit <= number <= limit:
        raise RowError(f"{column}: out of range: {text}")
    return number


def actor_id(name: str) -> str:
    """A stable id for a dataset's own actor name: ``military_forces_of_iran_1989``."""
    return slug(name)


def _inter_type(value: str) -> str:
    text = (value or "").strip()
    if text.isdigit():
        return _INTER_TO_TYPE.get(int(text), "unknown")
    labels = {
        "state forces": "state_forces",
        "rebel group": "non_state_armed_group",
        "political militia": "militia",
        "identity militia": "militia",
        "protesters": "protesters",
        "civilians": "civilians",
        "external/other forces": "foreign_state_forces",
    }
    return labels.get(text.lower(), "unknown")


_GEO_TO_PRECISION = {1: "exact", 2: "near", 3: "governorate"}
_TIME_TO_DATE_PREC = {1: 1, 2: 3, 3: 4}


def row_to_claim(row: Mapping[str, str], dataset: str = "ACLED") -> contract.Claim:
    """One ACLED row as a claim. Raises :class:`RowError` with the reason when it cannot."""
    missing = [c for c in REQUIRED_COLUMNS if row.get(c) is None]
    if missing:
        raise RowError("missing columns: " + ", ".join(missing))
    day = parse_date(row["event_date"], "event_date")
    sub = row["sub_event_type"].strip()
    event_type = SUB_EVENT_TO_OURS.get(sub)
    if event_type is None:
        raise RowError(f"sub_event_type: unknown {sub!r}")
    fatalities = parse_int(row["fatalities"], "fatalities")
    lat = parse_coordinate(row["latitude"], "latitude", 90)
    lon = parse_coordinate(row["longitude"], "longitude", 180)
    time_prec = parse_int(row.get("time_precision", "") or "1", "time_precision") or 1
    geo_prec = parse_int(row.get("geo_precision", "") or "1", "geo_precision") or 1

    notes = (row.get("notes") or "").strip()
    location = row["location"].strip()
    evidence_text = notes or f"{sub} in {location} on {day.isoformat()}"
    whole = contract.Span(0, len(evidence_text), evidence_text)
    perpetrators, targets = _row_actors(row, whole)
    place = partner_place(
        location,
        precision=_GEO_TO_PRECISION.get(geo_prec, "governorate"),
        evidence=whole,
        admin1=row.get("admin1"),
        admin2=row.get("admin2"),
        admin3=row.get("admin3"),
        lat=lat,
        lon=lon,
    )
    assert fatalities is not None
    # ACLED calls its fatality figures conservative: a floor, not an exact toll.
    killed = contract.Count(
        "killed",
        low=fatalities,
        high=None if fatalities else 0,
        qualifier="at_least" if fatalities else "exact",
        evidence=whole,
    )
    return contract.Claim(
        scope="incident",
        event_type=event_type,
        evidence=whole,
        acled_sub_event_type=sub,
        date_start=day.isoformat(),
        date_end=day.isoformat(),
        date_precision=_TIME_TO_DATE_PREC.get(time_prec, 4),
        places=[place],
        perpetrators=perpetrators,
        targets=targets,
        counts=[killed],
        reported_by=[contract.OrgRef(dataset, whole, id=dataset.lower())],
        confidence=0.8,
    )


def _row_actors(
    row: Mapping[str, str], whole: contract.Span
) -> tuple[list[contract.ActorRef], list[contract.ActorRef]]:
    """The row's perpetrators and targets: each side's actor and its associated actors (who
    acted with it), each mapped to Marsad's actor where the partner table knows the name."""

    def side(n: int) -> list[contract.ActorRef]:
        kind = _inter_type(row.get(f"inter{n}", ""))
        names = [row.get(f"actor{n}") or "", *(row.get(f"assoc_actor_{n}") or "").split(";")]
        refs = (partner_actor(name, kind, whole) for name in names)
        return [a for a in refs if a is not None]

    perpetrators, targets = split_sides(side(1), side(2))
    civilians_targeted = (row.get("civilian_targeting") or "").strip() != ""
    if civilians_targeted and not any(t.type in UNARMED_TYPES for t in targets):
        civilians = partner_actor("Civilians", "civilians", whole)
        targets.extend([civilians] if civilians is not None else [])
    return perpetrators, targets


def row_id(row: Mapping[str, str]) -> str:
    return (row.get("event_id_cnty") or "").strip()
