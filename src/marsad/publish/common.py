"""Helpers every export format shares: safe cells, public-safe records, precision codes."""

from __future__ import annotations

from typing import Any

from marsad.contract.claim import UCDP_WHERE_PREC
from marsad.contract.incident import IncidentView
from marsad.protect.disclosure import Disclosure

# A spreadsheet treats a cell starting with one of these as a formula (or, for tab and carriage
# return, may shift it into one); an apostrophe in front makes it plain text again.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet could run as a formula gets an apostrophe prefix.

    Numbers are left alone (a negative longitude is data, not a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_record(view: IncidentView, d: Disclosure, *, staff_names: bool) -> dict[str, Any]:
    """The view (already as the reader may see it) as a dict with names masked and, unless
    ``staff_names``, the names of analysts who made corrections left out (values stay)."""
    record: dict[str, Any] = d.show(view.to_dict())
    if not staff_names:
        record["corrections"] = {
            name: {k: v for k, v in c.items() if k != "actor"}
            for name, c in record["corrections"].items()
        }
    return record


def source_names(view: IncidentView) -> list[str]:
    names: list[str] = []
    for s in view.sources:
        name = s.source or s.dataset or s.title
        if name and name not in names:
            names.append(name)
    return names


def where_prec(view: IncidentView) -> int:
    """UCDP ``where_prec`` (1 exact .. 7 unknown/international waters) for the place precision."""
    return UCDP_WHERE_PREC.get(view.place_precision or "", 7)


def acled_geo_precision(view: IncidentView) -> int:
    """ACLED ``geo_precision``: 1 the town itself, 2 near it or a small part of a region,
    3 only the larger region (a governorate or wider) is known."""
    prec = where_prec(view)
    if prec == 1:
        return 1
    if prec in (2, 3):
        return 2
    return 3


def acled_time_precision(view: IncidentView) -> int:
    """ACLED ``time_precision``: 1 the day is known, 2 the week, 3 only the month (or wider)."""
    prec = view.date_precision or 5
    if prec == 1:
        return 1
    if prec in (2, 3):
        return 2
    return 3


def killed_low(view: IncidentView) -> int:
    """The most conservative death toll: the lowest figure any visible source supports."""
    return view.figure("killed").low or 0
