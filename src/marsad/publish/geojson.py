"""GeoJSON (RFC 7946): one Point feature per incident, longitude first, WGS 84 without a ``crs``
member. Incidents without coordinates get a ``null`` geometry, which the RFC allows.

``geojson-flat`` holds the same features with scalar properties only (lists joined with "; ",
figures as ``killed_low`` / ``killed_best`` / ``killed_high``): GIS tools (QGIS, ArcGIS,
shapefiles) read nested properties as text or not at all."""

from __future__ import annotations

import json
from typing import Any

from marsad.contract.incident import IncidentView
from marsad.protect.disclosure import Disclosure
from marsad.publish.common import source_names

OPENING = '{"type":"FeatureCollection","features":[\n'
CLOSING = "\n]}\n"


def geometry(view: IncidentView) -> dict[str, Any] | None:
    if view.lat is None or view.lon is None:
        return None
    if not (-180 <= view.lon <= 180 and -90 <= view.lat <= 90):
        return None
    return {"type": "Point", "coordinates": [round(view.lon, 6), round(view.lat, 6)]}


def properties(view: IncidentView, redact: Disclosure) -> dict[str, Any]:
    def fig(name: str) -> dict[str, int | None]:
        f = view.figure(name)
        return {"low": f.low, "best": f.best, "high": f.high}

    return {
        "id": view.id,
        "event_type": view.event_type,
        "acled_sub_event_type": view.acled_sub_event_type,
        "date_start": view.date_start.isoformat() if view.date_start else None,
        "date_end": view.date_end.isoformat() if view.date_end else None,
        "date_precision": view.date_precision,
        "place_name": redact(view.place_name) or None,
        "place_precision": view.place_precision,
        "admin1": view.admin1,
        "admin1_pcode": view.admin1_pcode,
        "admin2": view.admin2,
        "admin2_pcode": view.admin2_pcode,
        "admin3": view.admin3,
        "admin3_pcode": view.admin3_pcode,
        "perpetrators": [a.name for a in view.perpetrators],
        "targets": [a.name for a in view.targets],
        "weapons": view.weapons,
        "facilities": view.facilities,
        "killed": fig("killed"),
        "killed_civilians": fig("killed_civilians"),
        "killed_children": fig("killed_children"),
        "killed_women": fig("killed_women"),
        "injured": fig("injured"),
        "grade": view.grade,
        "source_count": view.source_count,
        "sources": source_names(view),
        "sensitivity": view.sensitivity,
    }


FLAT_FIGURES: tuple[str, ...] = (
    "killed",
    "killed_civilians",
    "killed_children",
    "killed_women",
    "injured",
)


def flat_properties(view: IncidentView, redact: Disclosure) -> dict[str, Any]:
    """The incident's properties as scalars (text, numbers, null), one column each in GIS."""
    nested = properties(view, redact)
    out: dict[str, Any] = {}
    for key, value in nested.items():
        if key in FLAT_FIGURES:
            out.update({f"{key}_{part}": value[part] for part in ("low", "best", "high")})
        elif key == "facilities":
            pairs = sorted(value.items())
            out[key] = "; ".join(f"{k}:{n}" if n is not None else k for k, n in pairs)
        elif isinstance(value, list):
            out[key] = "; ".join(str(v) for v in value)
        else:
            out[key] = value
    return out


def feature(view: IncidentView, redact: Disclosure, *, flat: bool = False) -> str:
    props = flat_properties(view, redact) if flat else properties(view, redact)
    return json.dumps(
        {
            "type": "Feature",
            "id": view.id,
            "geometry": geometry(view),
            "properties": props,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
