"""UCDP GED's event format, both ways: incidents as GED rows, GED rows as claims.

Column names follow the GED codebook. Our place precision maps to ``where_prec`` through
:data:`marsad.contract.claim.UCDP_WHERE_PREC`; our date precision already uses GED's
``date_prec`` codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from marsad.contract import claim as contract
from marsad.contract.claim import EVENT_FAMILIES
from marsad.contract.incident import Actor, IncidentView
from marsad.protect.disclosure import Disclosure
from marsad.publish.acled import RowError, parse_coordinate, parse_date, parse_int
from marsad.publish.common import source_names, where_prec
from marsad.publish.partner_actors import actor_table, partner_actor, slug, split_sides
from marsad.publish.partner_places import partner_place

# GED's columns in GED's order (the header of the GED CSV). UCDP's own ids (conflict, dyad,
# sides, gwnob) and active_year are UCDP's to assign: Marsad leaves them empty.
COLUMNS: tuple[str, ...] = (
    "id",
    "year",
    "active_year",
    "type_of_violence",
    "conflict_new_id",
    "conflict_name",
    "dyad_new_id",
    "dyad_name",
    "side_a_new_id",
    "side_a",
    "side_b_new_id",
    "gwnob",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_prec",
    "where_coordinates",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "geom_wkt",
    "priogrid_gid",
    "country",
    "country_id",
    "region",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "low",
    "best",
    "high",
)
# Filled by UCDP only (see docs/publishing.md).
UCDP_ONLY: tuple[str, ...] = (
    "active_year",
    "conflict_new_id",
    "dyad_new_id",
    "side_a_new_id",
    "side_b_new_id",
    "gwnob",
)

STATE_BASED, NON_STATE, ONE_SIDED = 1, 2, 3
SYRIA_GW_CODE = 652  # Gleditsch & Ward country code, which GED uses for country_id
_STATE_TYPES = {"state_forces", "foreign_state_forces"}
_CIVILIAN_TYPES = {"civilians", "rescue_workers", "journalists", "activists"}
_CLEAR_GRADES = {"confirmed", "fair"}


def type_of_violence(view: IncidentView) -> int:
    """State-based (1) when a state's forces act in combat or bombardment; one-sided (3) when an
    organised actor attacks civilians directly; non-state (2) for fighting between non-state
    groups."""
    family = EVENT_FAMILIES.get(view.event_type, "remote_violence")
    state_perp = any(a.type in _STATE_TYPES for a in view.perpetrators)
    civilian_target = bool(view.targets) and all(t.type in _CIVILIAN_TYPES for t in view.targets)
    if family == "violence_against_civilians" or (civilian_target and not state_perp):
        return ONE_SIDED
    if family == "battle" and not state_perp and view.perpetrators:
        targets_state = any(t.type in _STATE_TYPES for t in view.targets)
        return STATE_BASED if targets_state else NON_STATE
    return STATE_BASED


def _ged_names(actors: Iterable[Actor]) -> str:
    table = actor_table()
    return "; ".join(dict.fromkeys(table.export_name("ucdp", a.id, a.name) for a in actors))


def _sides(view: IncidentView, violence: int) -> tuple[str, str]:
    """GED's side names (the partner table's, else Marsad's)."""
    side_a = _ged_names(view.perpetrators) or "Unknown"
    if violence == ONE_SIDED:
        return side_a, "Civilians"
    side_b = _ged_names(t for t in view.targets if t.type not in _CIVILIAN_TYPES)
    return side_a, side_b or "Unknown"


def export_row(view: IncidentView, redact: Disclosure) -> dict[str, Any]:
    violence = type_of_violence(view)
    side_a, side_b = _sides(view, violence)
    killed = view.figure("killed")
    low = killed.low or 0
    best = killed.best if killed.best is not None else low
    high = killed.high if killed.high is not None else best
    civilians = view.figure("killed_civilians").best
    if civilians is None and violence == ONE_SIDED:
        civilians = best
    civilians = min(civilians or 0, best)
    lat, lon = view.lat, view.lon
    visible = view.sources
    return {
        **dict.fromkeys(UCDP_ONLY, ""),
        "id": view.id,
        "year": view.date_start.year if view.date_start else "",
        "type_of_violence": violence,
        "conflict_name": "Syria: Government" if violence == STATE_BASED else "",
        "dyad_name": f"{side_a} - {side_b}",
        "side_a": side_a,
        "side_b": side_b,
        "number_of_sources": view.source_count if view.source_count else len(visible),
        "source_article": redact(
            "; ".join(s.url or s.title or "" for s in visible if s.url or s.title)
        ),
        "source_office": "; ".join(source_names(view)),
        "source_date": "; ".join(s.published or "" for s in visible if s.published),
        "source_headline": redact("; ".join(s.title for s in visible if s.title)),
        "source_original": "; ".join(source_names(view)),
        "where_prec": where_prec(view),
        "where_coordinates": view.place_name or "",
        "adm_1": f"{view.admin1} governorate" if view.admin1 else "",
        "adm_2": f"{view.admin2} district" if view.admin2 else "",
        "latitude": lat if lat is not None else "",
        "longitude": lon if lon is not None else "",
        "geom_wkt": f"POINT ({lon} {lat})" if lat is not None and lon is not None else "",
        "priogrid_gid": priogrid(lat, lon),
        "country": "Syria",
        "country_id": SYRIA_GW_CODE,
        "region": "Middle East",
        "event_clarity": 1 if view.grade in _CLEAR_GRADES else 2,
        "date_prec": view.date_precision or 5,
        "date_start": view.date_start.isoformat() if view.date_start else "",
        "date_end": (view.date_end or view.date_start).isoformat() if view.date_start else "",
        "deaths_a": 0,
        "deaths_b": 0,
        "deaths_civilians": civilians,
        "deaths_unknown": best - civilians,
        "best": best,
        "high": max(high, best),
        "low": min(low, best),
    }


def priogrid(lat: float | None, lon: float | None) -> int | str:
    """The PRIO-GRID cell (0.5 degree) a point falls in, as GED gives it."""
    if lat is None or lon is None:
        return ""
    row = int((lat + 90) // 0.5)
    col = int((lon + 180) // 0.5)
    return row * 720 + col + 1


# -- import -----------------------------------------------------------------------------------

REQUIRED_COLUMNS: tuple[str, ...] = (
    "id",
    "type_of_violence",
    "side_a",
    "side_b",
    "where_prec",
    "latitude",
    "longitude",
    "date_prec",
    "date_start",
    "date_end",
    "best",
    "high",
    "low",
)
_PREC_TO_PLACE = {1: "exact", 2: "near", 3: "district", 4: "governorate", 5: "region"}
_TYPE_TO_EVENT = {STATE_BASED: "armed_clash", NON_STATE: "armed_clash", ONE_SIDED: "attack"}
# GED gives no event type; its headline usually names the means, which says more than the
# violence type alone.
_HEADLINE_EVENT: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"chemical|chlorine|sarin|toxic gas", re.I), "chemical_weapon"),
    (
        re.compile(r"air ?strike|air ?raid|warplane|barrel bomb|helicopter|drone", re.I),
        "air_strike",
    ),
    (re.compile(r"shell|artillery|mortar|rocket|missile", re.I), "shelling"),
    (re.compile(r"suicide", re.I), "suicide_bomb"),
    (re.compile(r"car bomb|\bied\b|landmine|explosive device", re.I), "remote_explosive"),
)


def _actor_type(name: str) -> str:
    low = name.lower()
    if low == "civilians":
        return "civilians"
    if low.startswith("government of syria"):
        return "state_forces"
    if low.startswith("government of"):
        return "foreign_state_forces"
    return "non_state_armed_group"


def _side(name: str, whole: contract.Span) -> list[contract.ActorRef]:
    """One side's actors: the whole name if the partner table knows it, else each of the
    comma-separated parties GED lists ("Ahrar al-Sham, Jabhat Fateh al-Sham")."""
    whole_name = partner_actor(name, _actor_type(name), whole) if name else None
    parts = [p.strip() for p in name.split(",") if p.strip()]
    if len(parts) < 2 or (whole_name is not None and whole_name.id != slug(name)):
        return [whole_name] if whole_name is not None else []
    refs = (partner_actor(p, _actor_type(p), whole) for p in parts)
    return [a for a in refs if a is not None]


def _strip_suffix(value: str | None, suffix: str) -> str | None:
    text = (value or "").strip()
    if text.lower().endswith(suffix):
        text = text[: -len(suffix)].strip()
    return text or None


def row_to_claim(row: Mapping[str, str], dataset: str = "UCDP GED") -> contract.Claim:
    missing = [c for c in REQUIRED_COLUMNS if row.get(c) is None]
    if missing:
        raise RowError("missing columns: " + ", ".join(missing))
    start = parse_date(row["date_start"][:10], "date_start")
    end = parse_date(row["date_end"][:10], "date_end")
    if end < start:
        raise RowError(f"date_end {end} is before date_start {start}")
    violence = parse_int(row["type_of_violence"], "type_of_violence")
    if violence not in _TYPE_TO_EVENT:
        raise RowError(f"type_of_violence: must be 1, 2 or 3, not {row['type_of_violence']!r}")
    low = parse_int(row["low"], "low")
    best = parse_int(row["best"], "best")
    high = parse_int(row["high"], "high")
    assert low is not None and best is not None and high is not None
    # GED sometimes gives a best estimate outside its own low..high; the row is still a real
    # event, so keep it with the range widened to cover all three (the originals stay in the
    # file, and best_estimate() keeps GED's best in the provenance).
    low, high = min(low, best, high), max(low, best, high)
    civilians = parse_int(row.get("deaths_civilians", ""), "deaths_civilians", required=False)
    where = parse_int(row["where_prec"], "where_prec") or 7
    date_prec = parse_int(row["date_prec"], "date_prec") or 5
    lat = parse_coordinate(row["latitude"], "latitude", 90)
    lon = parse_coordinate(row["longitude"], "longitude", 180)

    headline = (row.get("source_headline") or "").strip()
    evidence_text = headline or (
        f"{row['side_a']} - {row['side_b']} at {row.get('where_coordinates', '')} "
        f"{start.isoformat()}"
    )
    whole = contract.Span(0, len(evidence_text), evidence_text)
    event_type = _TYPE_TO_EVENT[violence]
    for pattern, kind in _HEADLINE_EVENT:
        if pattern.search(headline):
            event_type = kind
            break
    side_a, side_b = row["side_a"].strip(), row["side_b"].strip()
    counts = [
        contract.Count(
            "killed",
            low=low,
            high=high,
            qualifier="exact" if low == high else "about",
            evidence=whole,
        )
    ]
    if civilians:
        counts.append(
            contract.Count(
                "killed",
                low=civilians,
                high=civilians,
                qualifier="exact",
                evidence=whole,
                group="civilians",
                part_of=0,
            )
        )
    place = partner_place(
        (row.get("where_coordinates") or "").strip() or "unknown",
        precision=_PREC_TO_PLACE.get(where, "country"),
        evidence=whole,
        admin1=_strip_suffix(row.get("adm_1"), "governorate"),
        admin2=_strip_suffix(row.get("adm_2"), "district"),
        lat=lat,
        lon=lon,
    )
    perpetrators, targets = split_sides(_side(side_a, whole), _side(side_b, whole))
    return contract.Claim(
        scope="incident",
        event_type=event_type,
        evidence=whole,
        acled_sub_event_type=contract.ACLED_SUB_EVENT_TYPES.get(event_type),
        date_start=start.isoformat(),
        date_end=end.isoformat(),
        date_precision=date_prec,
        places=[place],
        perpetrators=perpetrators,
        targets=targets,
        counts=counts,
        reported_by=[contract.OrgRef(dataset, whole, id="ucdp_ged")],
        confidence=0.8,
    )


def row_id(row: Mapping[str, str]) -> str:
    return (row.get("id") or "").strip()


def best_estimate(row: Mapping[str, str]) -> int | None:
    """GED's best estimate, kept in the claim's provenance (a Count holds only low and high)."""
    text = (row.get("best") or "").strip()
    return int(float(text)) if text.replace(".", "", 1).isdigit() else None
