"""Airwars' civilian-harm incident list as claims: a reader tolerant of how the columns are named.

Which headers name which field is data (``publish/data/partners/airwars.yaml``, listed in
``docs/publishing.md``). Each incident becomes one claim: its place tied to the gazetteer, its
belligerents mapped to Marsad's actors, civilians killed and injured as min-max ranges, and
Airwars' grading kept in the claim's provenance. The incident's summary is not read: it names
victims, and an import runs no person extraction to protect them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from marsad.contract import claim as contract
from marsad.publish.acled import RowError, parse_coordinate, parse_int
from marsad.publish.partner_actors import fold, partner_actor, read_table
from marsad.publish.partner_places import partner_place

DATASET = "Airwars"
TABLE = "airwars.yaml"
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%B %d, %Y", "%d %b %Y", "%b %d, %Y", "%d/%m/%Y")
_BELLIGERENT_SPLIT = re.compile(r"\s*(?:;|,|/|\band\b|\bor\b)\s*", re.I)
_KILLED_GROUPS = (("civilians", "civilians"), ("children", "children"), ("women", "women"))


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    return read_table(TABLE)


@lru_cache(maxsize=1)
def header_fields() -> dict[str, str]:
    """Folded header -> the field it names."""
    out: dict[str, str] = {}
    for name, headers in table()["columns"].items():
        for header in (name, *headers):
            out.setdefault(fold(str(header).replace("_", " ")), str(name))
    return out


def canonical(header: str | None) -> str | None:
    """The field a header names, or the header itself (folded) when the table does not say."""
    if header is None:
        return None
    key = fold(header.replace("_", " "))
    return header_fields().get(key, key)


REQUIRED_COLUMNS: tuple[str, ...] = tuple(str(c) for c in table()["required"])


def read_rows(text: str) -> tuple[list[str], Iterator[tuple[int, dict[str | None, Any]]]]:
    """The fields a file has and its rows, numbered as a reader would count them (a CSV's
    header is row 1; a JSON list's first incident is row 1). Keys are the table's fields."""
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        items = _json_items(json.loads(stripped))
        header = sorted({k for item in items for k in item if k is not None})
        return header, iter(enumerate(items, start=1))
    reader = csv.DictReader(io.StringIO(text))
    header = [c for c in (canonical(h) for h in reader.fieldnames or []) if c is not None]

    def rows() -> Iterator[tuple[int, dict[str | None, Any]]]:
        for index, row in enumerate(reader):
            yield index + 2, {canonical(k): v for k, v in row.items()}

    return header, rows()


def _json_items(data: Any) -> list[dict[str | None, Any]]:
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise ValueError("a JSON object must hold the incidents as its one list")
        data = lists[0]
    if not isinstance(data, list):
        raise ValueError("expected a JSON list of incidents")
    return [_flatten(item) if isinstance(item, dict) else {None: item} for item in data]


def _flatten(item: Mapping[str, Any], prefix: str = "") -> dict[str | None, Any]:
    out: dict[str | None, Any] = {}
    for key, value in item.items():
        name = f"{prefix} {key}".strip()
        if isinstance(value, dict):
            out.update(_flatten(value, name))
        else:
            out[canonical(name)] = "" if value is None else str(value)
    return out


def parse_date(value: str) -> date:
    text = (value or "").strip()
    if re.match(r"\d{4}-\d{2}-\d{2}[T ]", text):
        text = text[:10]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowError(f"date: not a date: {text!r}")


def _range(row: Mapping[str | None, Any], stem: str) -> tuple[int, int] | None:
    low = parse_int(row.get(f"{stem}_min") or "", f"{stem}_min", required=False)
    high = parse_int(row.get(f"{stem}_max") or "", f"{stem}_max", required=False)
    if low is None and high is None:
        return None
    low = high if low is None else low
    high = low if high is None else high
    assert low is not None and high is not None
    if high < low:
        raise RowError(f"{stem}_max {high} is below {stem}_min {low}")
    return low, high


def _counts(row: Mapping[str | None, Any], whole: contract.Span) -> list[contract.Count]:
    counts: list[contract.Count] = []
    for stem, category, group in (
        *((f"{s}_killed", "killed", g) for s, g in _KILLED_GROUPS),
        ("injured", "injured", "civilians"),
    ):
        found = _range(row, stem)
        if found is None:
            continue
        low, high = found
        of_civilians = group in ("children", "women") and counts and counts[0].group == "civilians"
        part_of = 0 if of_civilians else None
        qualifier = "exact" if low == high else "about"
        counts.append(contract.Count(category, low, high, qualifier, whole, group, part_of=part_of))
    return counts


def event_type(strike_type: str) -> str:
    words = set(fold(strike_type).split())
    for entry in table()["strike_types"]:
        if words & {fold(str(w)) for w in entry["words"]}:
            return str(entry["event_type"])
    return str(table()["default_event_type"])


def row_to_claim(row: Mapping[str | None, Any], dataset: str = DATASET) -> contract.Claim:
    """One Airwars incident as a claim. Raises :class:`RowError` with the reason."""
    day = parse_date(str(row.get("date") or ""))
    lat = parse_coordinate(str(row.get("latitude") or ""), "latitude", 90)
    lon = parse_coordinate(str(row.get("longitude") or ""), "longitude", 180)
    location = str(row.get("location") or "").strip()
    if not location and (lat is None or lon is None):
        raise RowError("no location and no coordinates")
    belligerent = str(row.get("belligerent") or "").strip()
    kind = event_type(str(row.get("strike_type") or ""))
    evidence_text = (
        f"{dataset} incident {row_id(row)}: {belligerent or 'unknown belligerent'}, "
        f"{kind.replace('_', ' ')} in {location or f'{lat}, {lon}'} on {day.isoformat()}"
    )
    whole = contract.Span(0, len(evidence_text), evidence_text)
    refs = (partner_actor(n, "unknown", whole) for n in _BELLIGERENT_SPLIT.split(belligerent))
    perpetrators = list({a.id: a for a in refs if a is not None}.values())
    place = partner_place(
        location,
        precision="exact" if location else "near",
        evidence=whole,
        admin1=str(row.get("admin1") or "") or None,
        lat=lat,
        lon=lon,
    )
    civilians = partner_actor("Civilians", "civilians", whole)
    return contract.Claim(
        scope="incident",
        event_type=kind,
        evidence=whole,
        acled_sub_event_type=contract.ACLED_SUB_EVENT_TYPES.get(kind),
        date_start=day.isoformat(),
        date_end=day.isoformat(),
        date_precision=1,
        places=[place],
        perpetrators=perpetrators,
        targets=[civilians] if civilians is not None else [],
        counts=_counts(row, whole),
        reported_by=[contract.OrgRef(dataset, whole, id=dataset.lower())],
        confidence=confidence(row),
    )


def grading(row: Mapping[str | None, Any]) -> str:
    return fold(str(row.get("grading") or ""))


def confidence(row: Mapping[str | None, Any]) -> float:
    gradings = table()["gradings"]
    return float(gradings.get(grading(row), table()["default_confidence"]))


def row_id(row: Mapping[str | None, Any]) -> str:
    return str(row.get("id") or "").strip()
