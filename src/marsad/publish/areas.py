"""An area a reader asks for (``--area``, ``area=``) as the incidents store it.

Incidents keep Latin place names and OCHA p-codes; readers write governorates and towns in
Arabic or English. A governorate becomes its p-code, a settlement its gazetteer (Latin) name,
another admin unit its p-code; a p-code stays as written. A name the gazetteer does not know
is kept only when the caller's ``known`` says incidents the reader may see carry it (places
from partner datasets), otherwise it is an error that offers the nearest gazetteer names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from rapidfuzz import fuzz, process

from marsad.gazetteer import default_gazetteer

_PCODE = re.compile(r"(SY\d{2,8}|C\d{1,6})", re.IGNORECASE)
SUGGESTIONS = 3
_MIN_SCORE = 60


class UnknownAreaError(ValueError):
    """An area no gazetteer entry and no visible incident is called."""

    def __init__(self, area: str, suggestions: list[str]) -> None:
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown area {area!r}{hint}")
        self.area = area
        self.suggestions = suggestions


def resolve_area(area: str, known: Callable[[str], bool] | None = None) -> str:
    """``area`` as the incident filter matches it (see the module docstring); raises
    :class:`UnknownAreaError`. Without ``known`` an unknown name is passed on as written."""
    wanted = area.strip()
    if not wanted or _PCODE.fullmatch(wanted):
        return wanted.upper()
    gazetteer = default_gazetteer()
    governorate = gazetteer.resolve_admin1(wanted)
    if governorate is not None and governorate.admin1_pcode:
        return governorate.admin1_pcode
    places = gazetteer.candidates(wanted) or [
        p for p in [gazetteer.resolve_name(wanted)] if p is not None
    ]
    # a town is meant by its name (the incidents' place), a district or sub-district by its code
    settlement = next((p for p in places if not p.kind.startswith("admin")), None)
    if settlement is not None:
        return settlement.name
    for p in places:
        code = getattr(p, f"{p.kind}_pcode", None)
        if code:
            return str(code)
    if known is None or known(wanted):
        return wanted
    raise UnknownAreaError(wanted, near_names(wanted))


def near_names(area: str, limit: int = SUGGESTIONS) -> list[str]:
    """The gazetteer names spelled most like ``area``, best first."""
    found = process.extract(area, _names(), scorer=fuzz.WRatio, limit=limit * 3)
    out: list[str] = []
    for name, score, _ in found:
        if score >= _MIN_SCORE and name not in out:
            out.append(name)
    return out[:limit]


@lru_cache(maxsize=1)
def _names() -> tuple[str, ...]:
    names = {n for p in default_gazetteer() for n in p.names}
    return tuple(sorted(names))
