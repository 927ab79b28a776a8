"""Exports: stream matching incidents, row by row, in one of the published formats.

Memory does not grow with the number of rows: incidents come from the store's keyset-paged
iterator and each row is written as soon as it is built. Public exports (the default) read at
sensitivity ``public`` only; anything wider must be asked for and is recorded in the ledger
(who, what format, which filter, how many rows, the SHA-256 of what was written).
"""

from __future__ import annotations

import csv
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, TextIO

from marsad.publish import acled, geojson, hxl, ucdp
from marsad.publish.common import NameRedactor, neutralise, safe_record
from marsad.store.views import IncidentFilter, IncidentView

if TYPE_CHECKING:
    from marsad.store import Store

FORMATS: tuple[str, ...] = ("acled", "ucdp", "hxl", "geojson", "jsonl")
CSV_FORMATS = frozenset({"acled", "ucdp", "hxl"})
# incidents fetched per keyset page: larger pages mean fewer sorted scans on big stores, and
# memory stays bounded by the page, not by the export
PAGE_SIZE = 5000


@dataclass(frozen=True)
class ExportResult:
    format: str
    rows: int
    sha256: str
    max_sensitivity: str
    ledger_seq: int | None  # the ledger entry recording a non-public export


class HashingWriter:
    """A text sink that hashes what passes through it (UTF-8), so the ledger can name the exact
    bytes an export produced."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._digest = hashlib.sha256()

    def write(self, text: str) -> int:
        self._digest.update(text.encode("utf-8"))
        return self._out.write(text)

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def filter_description(f: IncidentFilter) -> dict[str, Any]:
    """The filter as plain JSON, for the ledger and the brief's footer."""
    d = asdict(f)
    d["date_from"] = f.date_from.isoformat() if f.date_from else None
    d["date_to"] = f.date_to.isoformat() if f.date_to else None
    return {k: v for k, v in d.items() if v not in (None, [], "")}


def redactor_for(store: Store, max_sensitivity: str) -> NameRedactor:
    """Names of persons the reader may not see, to be blanked out of free text."""
    return NameRedactor(store.withheld_person_names(max_sensitivity))


def _csv_rows(
    fmt: str, views: Any, redact: NameRedactor, out: HashingWriter, tick: Callable[[], None]
) -> None:
    stamp = int(time.time())
    if fmt == "acled":
        columns: tuple[str, ...] = acled.COLUMNS

        def build(v: IncidentView) -> dict[str, Any]:
            return acled.export_row(v, redact, stamp)
    elif fmt == "ucdp":
        columns = ucdp.COLUMNS

        def build(v: IncidentView) -> dict[str, Any]:
            return ucdp.export_row(v, redact)
    else:
        columns = hxl.HEADERS

        def build(v: IncidentView) -> dict[str, Any]:
            return hxl.export_row(v, redact)

    writer = csv.writer(out)
    writer.writerow(columns)
    if fmt == "hxl":
        writer.writerow(hxl.TAGS)
    for view in views:
        row = build(view)
        writer.writerow([neutralise(row[c]) for c in columns])
        tick()


def export_incidents(
    store: Store,
    fmt: str,
    out: TextIO,
    f: IncidentFilter | None = None,
    *,
    actor: str,
    on_row: Callable[[], None] | None = None,
) -> ExportResult:
    """Write every incident matching ``f`` to ``out`` in ``fmt``; return what was written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    f = f or IncidentFilter()
    redact = redactor_for(store, f.max_sensitivity)
    sink = HashingWriter(out)
    rows = 0

    def tick() -> None:
        nonlocal rows
        rows += 1
        if on_row is not None:
            on_row()

    views = store.iter_incidents(f, batch=PAGE_SIZE)
    if fmt in CSV_FORMATS:
        _csv_rows(fmt, views, redact, sink, tick)
    elif fmt == "geojson":
        sink.write(geojson.OPENING)
        for view in views:
            if rows:
                sink.write(",\n")
            sink.write(geojson.feature(view, redact))
            tick()
        sink.write(geojson.CLOSING)
    else:
        staff = f.max_sensitivity != "public"
        for view in views:
            record = safe_record(view, redact, staff_names=staff)
            sink.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            tick()

    seq = None
    if f.max_sensitivity != "public":
        seq = store.append_ledger(
            actor=actor,
            action="export",
            subject_type="export",
            subject_id=sink.hexdigest(),
            payload={
                "format": fmt,
                "rows": rows,
                "include": f.max_sensitivity,
                "filter": filter_description(f),
                "sha256": sink.hexdigest(),
            },
        )
    return ExportResult(fmt, rows, sink.hexdigest(), f.max_sensitivity, seq)
