"""Builders for resolution tests: claims as the extraction engine would produce them."""

from __future__ import annotations

from marsad.contract.claim import (
    ActorRef,
    Claim,
    Count,
    FacilityRef,
    OrgRef,
    PlaceRef,
    Span,
    WeaponRef,
)

# Invented coordinates, close to real geography: two villages ~4 km apart, a town 12 km away.
PLACES: dict[str, tuple[float, float]] = {
    "Kafr Tall": (35.6600, 36.5300),
    "Tall Nisr": (35.6950, 36.5400),
    "Ariha": (35.8130, 36.6080),
}

RUSSIA = ("ru_forces", "Russian forces", "foreign_state_forces")
SYRIA = ("sy_gov_forces", "Syrian government forces", "state_forces")
HTS = ("hts", "Hayat Tahrir al-Sham", "non_state_armed_group")


def span(text: str = "x") -> Span:
    return Span(0, len(text), text)


def place(name: str, precision: str = "exact", admin1: str = "SY07") -> PlaceRef:
    lat, lon = PLACES.get(name, (None, None))
    if precision in ("governorate", "region", "country"):
        lat = lon = None
    return PlaceRef(
        name=name,
        precision=precision,
        evidence=span(name),
        gazetteer_id=f"g:{name}" if precision in ("exact", "near") else None,
        kind="village",
        admin1="Idlib",
        admin1_pcode=admin1,
        lat=lat,
        lon=lon,
    )


def count(
    category: str,
    low: int | None,
    high: int | None,
    qualifier: str = "exact",
    group: str = "all",
) -> Count:
    return Count(category, low, high, qualifier, span(str(low)), group=group)


def strike(
    where: str = "Ariha",
    day: str = "2023-10-06",
    *,
    killed: Count | None = None,
    counts: list[Count] | None = None,
    perpetrators: tuple[tuple[str, str, str], ...] = (RUSSIA,),
    event_type: str = "air_strike",
    precision: str = "exact",
    text: str = "",
    weapons: tuple[str, ...] = (),
    facilities: tuple[str, ...] = (),
    reported_by: tuple[str, ...] = (),
    scope: str = "incident",
    day_end: str | None = None,
) -> Claim:
    body = text or f"An {event_type.replace('_', ' ')} hit {where} on {day}."
    return Claim(
        scope=scope,
        event_type=event_type,
        evidence=span(body),
        date_start=day,
        date_end=day_end or day,
        date_precision=1 if not day_end else 4,
        places=[place(where, precision)] if where else [],
        perpetrators=[ActorRef(i, n, t, span(n)) for i, n, t in perpetrators],
        weapons=[WeaponRef(w, span(w)) for w in weapons],
        facilities=[FacilityRef(f, span(f)) for f in facilities],
        counts=list(counts or []) + ([killed] if killed else []),
        reported_by=[OrgRef(name, span(name), id=name.lower()) for name in reported_by],
    )
