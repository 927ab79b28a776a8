"""HXL: a CSV whose second row carries Humanitarian Exchange Language hashtags, so tools such as
HDX and the HXL Proxy know what each column means whatever its header says."""

from __future__ import annotations

from typing import Any

from marsad.contract.incident import IncidentView
from marsad.protect.disclosure import Disclosure
from marsad.publish.acled import sub_event_type
from marsad.publish.common import source_names

# (header, HXL hashtag) in column order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "#event+id"),
    ("date", "#date"),
    ("date_end", "#date+end"),
    # a code, not a date: under #date every HXL validator expects a date
    ("date_precision", "#meta+date+precision"),
    ("governorate", "#adm1+name"),
    ("governorate_pcode", "#adm1+code"),
    ("district", "#adm2+name"),
    ("district_pcode", "#adm2+code"),
    ("subdistrict", "#adm3+name"),
    ("subdistrict_pcode", "#adm3+code"),
    ("location", "#loc+name"),
    ("location_precision", "#loc+precision"),
    ("latitude", "#geo+lat"),
    ("longitude", "#geo+lon"),
    ("event_type", "#event+type"),
    ("acled_sub_event_type", "#event+type+acled"),
    ("perpetrators", "#group+perpetrator"),
    ("weapons", "#indicator+weapon"),
    ("facilities_hit", "#indicator+facilities"),
    ("killed_min", "#affected+killed+min"),
    ("killed_best", "#affected+killed"),
    ("killed_max", "#affected+killed+max"),
    ("killed_children_min", "#affected+killed+children+min"),
    ("killed_women_min", "#affected+killed+f+min"),
    ("injured_min", "#affected+injured+min"),
    ("injured_max", "#affected+injured+max"),
    ("grade", "#status+grade"),
    ("sources_count", "#meta+sources+num"),
    ("sources", "#org+source"),
)
HEADERS: tuple[str, ...] = tuple(h for h, _ in COLUMNS)
TAGS: tuple[str, ...] = tuple(t for _, t in COLUMNS)


def _num(value: int | None) -> int | str:
    return "" if value is None else value


def export_row(view: IncidentView, redact: Disclosure) -> dict[str, Any]:
    killed, injured = view.figure("killed"), view.figure("injured")
    facilities = "; ".join(
        f"{kind}:{n}" if n is not None else kind for kind, n in sorted(view.facilities.items())
    )
    return {
        "id": view.id,
        "date": view.date_start.isoformat() if view.date_start else "",
        "date_end": view.date_end.isoformat() if view.date_end else "",
        "date_precision": _num(view.date_precision),
        "governorate": view.admin1 or "",
        "governorate_pcode": view.admin1_pcode or "",
        "district": view.admin2 or "",
        "district_pcode": view.admin2_pcode or "",
        "subdistrict": view.admin3 or "",
        "subdistrict_pcode": view.admin3_pcode or "",
        "location": redact(view.place_name),
        "location_precision": view.place_precision or "",
        "latitude": _num(view.lat),  # type: ignore[arg-type]
        "longitude": _num(view.lon),  # type: ignore[arg-type]
        "event_type": view.event_type,
        "acled_sub_event_type": sub_event_type(view),
        "perpetrators": "; ".join(a.name for a in view.perpetrators),
        "weapons": "; ".join(view.weapons),
        "facilities_hit": facilities,
        "killed_min": _num(killed.low),
        "killed_best": _num(killed.best),
        "killed_max": _num(killed.high),
        "killed_children_min": _num(view.figure("killed_children").low),
        "killed_women_min": _num(view.figure("killed_women").low),
        "injured_min": _num(injured.low),
        "injured_max": _num(injured.high),
        "grade": view.grade,
        "sources_count": view.source_count,
        "sources": "; ".join(source_names(view)),
    }
