"""A stored place's name in the reader's script, from the gazetteer's own names.

Incidents keep the Latin name the resolver chose, its admin P-codes and coordinates; the
gazetteer holds every spelling of each place, Arabic ones among them. These look-ups find the
entry a stored place came from (by gazetteer id, by P-code, or by a name the entry carries,
narrowed by the stored P-codes and nearest to the stored point) and give its Arabic name.
When no entry or no Arabic name is found, the stored Latin name is shown: a reader always sees
a name, never a guess at another place's.

English readers never load the gazetteer (the stored names are already Latin).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from marsad.gazetteer import Place, default_gazetteer
from marsad.gazetteer.normalize import is_arabic

# which origin of a name to trust first when a place has several Arabic spellings
_ORIGIN_RANK = ("ocha", "geonames")


def arabic_name(place: Place) -> str | None:
    """The place's Arabic name: the one most sources agree on, OCHA's first, else the first."""
    best: tuple[int, int, int] | None = None
    chosen: str | None = None
    for i, name in enumerate(place.names):
        if not is_arabic(name):
            continue
        origin = place.name_origins[i] if i < len(place.name_origins) else ""
        parts = origin.split("+") if origin else []
        trusted = next((r for r, o in enumerate(_ORIGIN_RANK) if o in parts), len(_ORIGIN_RANK))
        rank = (-len(parts), trusted, i)
        if best is None or rank < best:
            best, chosen = rank, name
    return chosen


@lru_cache(maxsize=1)
def _by_pcode() -> dict[str, Place]:
    """Admin units by P-code, and communities by C-code (the entry called like the community,
    else the first settlement that carries the code)."""
    out: dict[str, Place] = {}
    for p in default_gazetteer():
        if p.kind.startswith("admin"):
            code = getattr(p, f"{p.kind}_pcode", None)
            if code:
                out.setdefault(code.upper(), p)
    for p in default_gazetteer():
        code = (p.admin4_pcode or "").upper()
        if code and (code not in out or p.name == p.admin4):
            out[code] = p
    return out


def place_for_pcode(pcode: str | None) -> Place | None:
    """The admin unit or community a P-code names (``SY07``, ``SY070005``, ``C3947``)."""
    return _by_pcode().get(pcode.strip().upper()) if pcode else None


def _disagreements(place: Place, pcodes: dict[str, str]) -> int:
    """How many of the stored P-codes the entry contradicts (an unknown one contradicts none)."""
    return sum(
        getattr(place, f"{level}_pcode", None) not in (None, code) for level, code in pcodes.items()
    )


def _distance(place: Place, lat: float | None, lon: float | None) -> float:
    if lat is None or lon is None or place.lat is None or place.lon is None:
        return 0.0
    return (place.lat - lat) ** 2 + (place.lon - lon) ** 2


@lru_cache(maxsize=20_000)
def _stored_place(
    name: str, pcodes: tuple[tuple[str, str], ...], lat: float | None, lon: float | None
) -> Place | None:
    wanted = dict(pcodes)
    # a namesake in another governorate is another place; below that, the stored district and
    # subdistrict codes (older data may carry retired ones) and the point only rank the entries
    governorate = {k: v for k, v in wanted.items() if k == "admin1"}
    found = [p for p in default_gazetteer().candidates(name) if not _disagreements(p, governorate)]
    if not found:
        return None
    return min(found, key=lambda p: (_disagreements(p, wanted), _distance(p, lat, lon), p.id))


def stored_place(
    name: str | None,
    *,
    gazetteer_id: str | None = None,
    pcodes: dict[str, str | None] | None = None,
    lat: float | None = None,
    lon: float | None = None,
) -> Place | None:
    """The gazetteer entry a stored place came from, or None when it cannot be told."""
    if gazetteer_id:
        found = default_gazetteer().get(gazetteer_id)
        if found is not None:
            return found
    if not name:
        return None
    known = tuple(sorted((level, code) for level, code in (pcodes or {}).items() if code))
    return _stored_place(name.strip(), known, lat, lon)


def name_in_script(
    name: str | None,
    lang: str,
    *,
    gazetteer_id: str | None = None,
    pcodes: dict[str, str | None] | None = None,
    lat: float | None = None,
    lon: float | None = None,
) -> str | None:
    """``name`` as a reader of ``lang`` writes it: the Arabic name for ``ar`` where the
    gazetteer has one, else the stored name unchanged."""
    if lang != "ar" or not (name or gazetteer_id):
        return name
    if name and is_arabic(name):
        return name
    place = stored_place(name, gazetteer_id=gazetteer_id, pcodes=pcodes, lat=lat, lon=lon)
    found = arabic_name(place) if place is not None else None
    return found or name


def admin_name_in_script(name: str | None, pcode: str | None, lang: str) -> str | None:
    """A governorate, district or subdistrict by its P-code, in the reader's script."""
    if lang != "ar":
        return name
    place = place_for_pcode(pcode)
    found = arabic_name(place) if place is not None else None
    return found or name


def names_in_script(names: Iterable[str], lang: str) -> list[str]:
    """Each of ``names`` (no codes known) in the reader's script."""
    return [name_in_script(n, lang) or n for n in names]
