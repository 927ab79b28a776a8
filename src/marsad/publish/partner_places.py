"""Partner datasets' places as gazetteer places: governorate spellings to p-codes, and a row's
location to the gazetteer entry Marsad's own claims use.

Governorate spellings are data (``publish/data/partners/admin1.yaml``), with the gazetteer as a
fallback for spellings not listed. A row's own coordinates are kept (they are the dataset's
statement); the gazetteer adds the place's id, kind and administrative units, so the row and a
report naming the same town compare as the same place.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from marsad.contract import claim as contract
from marsad.gazetteer import Gazetteer, Place, default_gazetteer
from marsad.publish.partner_actors import fold, read_table
from marsad.resolve.records import distance_km

TABLE = "admin1.yaml"
# A named place this far (km) from the row's coordinates is another place of the same name.
MATCH_KM = 10.0
_UNIT_WORDS = ("governorate", "province", "muhafazat", "district", "subdistrict", "nahiya")


@dataclass(frozen=True, slots=True)
class Admin1:
    pcode: str
    name: str  # the gazetteer's display name


def _strip_unit_word(name: str) -> str:
    words = fold(name).split()
    while words and words[-1] in _UNIT_WORDS:
        words.pop()
    return " ".join(words)


@lru_cache(maxsize=1)
def admin1_spellings() -> dict[str, str]:
    """Folded spelling -> p-code, from the packaged table."""
    out: dict[str, str] = {}
    for pcode, spellings in read_table(TABLE).items():
        for spelling in spellings or ():
            out[_strip_unit_word(str(spelling))] = str(pcode)
    return out


def resolve_admin1(name: str | None, gazetteer: Gazetteer | None = None) -> Admin1 | None:
    """The governorate a partner's admin1 cell means (a spelling or a p-code), or None."""
    text = (name or "").strip()
    if not text:
        return None
    g = gazetteer or default_gazetteer()
    pcode = admin1_spellings().get(_strip_unit_word(text))
    unit = g.get(f"ocha:{pcode}") if pcode else g.resolve_admin1(text)
    if unit is None or unit.admin1_pcode is None:
        return None
    return Admin1(unit.admin1_pcode, unit.name)


def _unit(g: Gazetteer, name: str | None, kind: str, admin1: Admin1 | None) -> Place | None:
    text = _strip_unit_word(name or "")
    if not text:
        return None
    ranked = g.rank_name(text, admin1=admin1.pcode if admin1 else None)
    return next((r.place for r in ranked if r.place.kind == kind), None)


def _nearest(
    g: Gazetteer, name: str, admin1: Admin1 | None, lat: float | None, lon: float | None
) -> Place | None:
    """The gazetteer place called ``name`` that the row means: within :data:`MATCH_KM` of the
    row's coordinates when it has them, else the best-ranked one in its governorate."""
    ranked = [r.place for r in g.rank_name(name, admin1=admin1.pcode if admin1 else None)]
    if admin1 is not None:
        ranked = [p for p in ranked if p.admin1_pcode == admin1.pcode]
    if lat is None or lon is None:
        return ranked[0] if ranked and admin1 is not None else None
    # the gazetteer's order (settlements before the unit of the same name), far ones left out
    for p in ranked:
        if (
            p.lat is not None
            and p.lon is not None
            and distance_km(lat, lon, p.lat, p.lon) <= MATCH_KM
        ):
            return p
    return None


def partner_place(
    name: str,
    *,
    precision: str,
    evidence: contract.Span,
    admin1: str | None = None,
    admin2: str | None = None,
    admin3: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
) -> contract.PlaceRef:
    """A partner row's place, tied to the gazetteer where its name and coordinates allow."""
    fields = _place_fields(name.strip(), admin1, admin2, admin3, lat, lon)
    return contract.PlaceRef(precision=precision, evidence=evidence, **fields)


# a dataset names the same places row after row; the look-up is the import's slowest step
@lru_cache(maxsize=1 << 16)
def _place_fields(
    name: str,
    admin1: str | None,
    admin2: str | None,
    admin3: str | None,
    lat: float | None,
    lon: float | None,
) -> dict[str, Any]:
    g = default_gazetteer()
    a1 = resolve_admin1(admin1, g)
    place = _nearest(g, name, a1, lat, lon) if name else None
    if place is not None and (a1 is None or place.admin1_pcode == a1.pcode):
        return {
            "name": place.name,
            "gazetteer_id": place.id,
            "kind": place.kind,
            "admin1": place.admin1,
            "admin1_pcode": place.admin1_pcode,
            "admin2": place.admin2,
            "admin2_pcode": place.admin2_pcode,
            "admin3": place.admin3,
            "admin3_pcode": place.admin3_pcode,
            "admin4_pcode": place.admin4_pcode,
            "lat": lat if lat is not None else place.lat,
            "lon": lon if lon is not None else place.lon,
        }
    u2 = _unit(g, admin2, "admin2", a1)
    u3 = _unit(g, admin3, "admin3", a1)
    return {
        "name": name or (a1.name if a1 else "unknown"),
        "admin1": a1.name if a1 else (admin1 or "").strip() or None,
        "admin1_pcode": a1.pcode if a1 else None,
        "admin2": u2.name if u2 else (admin2 or "").strip() or None,
        "admin2_pcode": u2.admin2_pcode if u2 else None,
        "admin3": u3.name if u3 else (admin3 or "").strip() or None,
        "admin3_pcode": u3.admin3_pcode if u3 else None,
        "lat": lat,
        "lon": lon,
    }
