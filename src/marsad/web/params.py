"""Query parameters shared by the API and the pages: filters, cursors, page sizes.

Every parser raises :class:`BadInput` with a sentence a person can act on; the app turns it into
a 400 JSON error (API) or a message on the page, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from marsad.contract.incident import IncidentFilter
from marsad.publish.areas import UnknownAreaError, resolve_area

MAX_PAGE = 500
DEFAULT_PAGE = 50
MAX_PARAM_CHARS = 200
MAX_ID = 2_147_483_647  # ids are 32-bit integers on every backend
FILTER_KEYS = ("from", "to", "area", "type", "perpetrator", "weapon", "facility", "grade", "q")


class BadInput(ValueError):
    """A request parameter that cannot be used, with what was wrong."""

    def __init__(self, message: str, detail: Any = None) -> None:
        super().__init__(message)
        self.detail = detail


def _values(params: Mapping[str, Any], key: str) -> list[str]:
    getlist = getattr(params, "getlist", None)
    raw = getlist(key) if getlist else ([params[key]] if key in params else [])
    out: list[str] = []
    for item in raw:
        text = str(item)
        if len(text) > MAX_PARAM_CHARS:
            raise BadInput(f"parameter {key!r} is longer than {MAX_PARAM_CHARS} characters")
        if any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in text):
            # PostgreSQL refuses NUL in text and no place or name holds control characters:
            # answer 400 here rather than fail (500) in the database on one backend only
            raise BadInput(f"parameter {key!r} contains control characters")
        out += [v.strip() for v in text.split(",") if v.strip()]
    if len(out) > 50:
        raise BadInput(f"parameter {key!r} lists more than 50 values")
    return out


def _one(params: Mapping[str, Any], key: str) -> str | None:
    values = _values(params, key)
    return values[0] if values else None


def parse_date(value: str | None, key: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise BadInput(f"{key!r} must be a date as YYYY-MM-DD", value) from exc


def parse_filter(
    params: Mapping[str, Any],
    max_sensitivity: str,
    known_area: Callable[[str], bool] | None = None,
) -> IncidentFilter:
    """An :class:`IncidentFilter` from ``from``, ``to``, ``area``, ``type``, ``perpetrator``,
    ``weapon``, ``facility``, ``grade`` and ``q``; the reader's clearance is always applied.
    The area is resolved by :func:`marsad.publish.areas.resolve_area` (``known_area`` says
    whether incidents the reader may see carry a name the gazetteer lacks)."""
    f = IncidentFilter(
        date_from=parse_date(_one(params, "from"), "from"),
        date_to=parse_date(_one(params, "to"), "to"),
        area=_area(_one(params, "area"), known_area),
        event_types=_values(params, "type"),
        perpetrators=_values(params, "perpetrator"),
        weapons=_values(params, "weapon"),
        facilities=_values(params, "facility"),
        grades=_values(params, "grade"),
        max_sensitivity=max_sensitivity,
        text=_one(params, "q"),
    )
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise BadInput("'from' is after 'to'")
    return f


def _area(area: str | None, known: Callable[[str], bool] | None) -> str | None:
    if not area or has_nul(area):
        return area
    try:
        return resolve_area(area, known) or None
    except UnknownAreaError as exc:
        raise BadInput(str(exc), {"suggestions": exc.suggestions}) from exc


def filter_query(params: Mapping[str, Any]) -> str:
    """The filter part of a query string, to carry filters into links (pages, brief, export)."""
    pairs = []
    for key in FILTER_KEYS:
        for value in _values(params, key):
            pairs.append((key, value))
    return urlencode(pairs)


def parse_id(value: str, what: str) -> int:
    """A positive 32-bit id from a path segment."""
    if not value.isdigit() or len(value) > 10 or not 1 <= int(value) <= MAX_ID:
        raise BadInput(f"{what} id must be a positive whole number", value[:40])
    return int(value)


def encode_cursor(key: tuple[Any, ...] | None) -> str | None:
    """An opaque cursor for a keyset position (dates as ISO text)."""
    if key is None:
        return None
    plain = [k.isoformat() if isinstance(k, date) else k for k in key]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


_NOT_OURS = "'cursor' is not one this server issued; start from the first page"
_HEX = frozenset("0123456789abcdef")


def _cursor_items(cursor: str) -> list[Any]:
    """The JSON list inside a cursor, or BadInput for anything else."""
    if len(cursor) > 200:
        raise BadInput(_NOT_OURS)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        items = json.loads(raw)
    except (ValueError, TypeError, binascii.Error) as exc:  # JSONDecodeError is a ValueError
        raise BadInput(_NOT_OURS) from exc
    if not isinstance(items, list):
        raise BadInput(_NOT_OURS)
    return items


def _cursor_id(value: Any) -> int:
    # bool is a subclass of int in Python: ``true`` must not pass for the id 1
    if type(value) is not int or not 0 <= value <= MAX_ID:
        raise BadInput(_NOT_OURS)
    return value


def decode_incident_cursor(cursor: str | None) -> tuple[date | None, int] | None:
    """``[ISO date or null, incident id]``, typed: anything else is a 400, never a 500."""
    if not cursor:
        return None
    items = _cursor_items(cursor)
    if len(items) != 2:
        raise BadInput(_NOT_OURS)
    day, iid = items
    if day is not None and (type(day) is not str or len(day) != 10):
        raise BadInput(_NOT_OURS)
    try:
        parsed = date.fromisoformat(day) if day is not None else None
    except ValueError as exc:
        raise BadInput(_NOT_OURS) from exc
    return parsed, _cursor_id(iid)


def decode_id_cursor(cursor: str | None) -> int:
    """``[id]`` for claims and persons (0 before the first page)."""
    if not cursor:
        return 0
    items = _cursor_items(cursor)
    if len(items) != 1:
        raise BadInput(_NOT_OURS)
    return _cursor_id(items[0])


def decode_document_cursor(cursor: str | None) -> str:
    """``[document id]``: lowercase hexadecimal ('' before the first page)."""
    if not cursor:
        return ""
    items = _cursor_items(cursor)
    if len(items) != 1 or type(items[0]) is not str:
        raise BadInput(_NOT_OURS)
    value = items[0]
    if not 1 <= len(value) <= 64 or not set(value) <= _HEX:
        raise BadInput(_NOT_OURS)
    return value


def has_nul(*texts: str) -> bool:
    """Whether any text holds a NUL, which PostgreSQL cannot take in any text value."""
    return any("\x00" in t for t in texts)
