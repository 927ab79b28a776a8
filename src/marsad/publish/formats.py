"""The export formats, registered in one table: each names its media type and file extension
and writes a stream of shown incidents. A new format is a writer and one entry in
:data:`FORMATS`; the CLI, the API and :func:`marsad.publish.export.export_incidents` read it."""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from marsad.contract.incident import IncidentView
from marsad.protect.disclosure import Disclosure
from marsad.publish import acled, geojson, hxl, ucdp
from marsad.publish.common import neutralise, safe_record

Shown = Iterable[tuple[IncidentView, Disclosure]]


class Sink(Protocol):
    def write(self, text: str) -> int: ...


@dataclass(frozen=True)
class Rows:
    """Where a writer puts its rows, and what it must know of the export."""

    sink: Sink
    tick: Callable[[], None]  # called once per row written
    staff: bool  # read above public: staff names may be shown


@dataclass(frozen=True)
class ExportFormat:
    name: str
    media_type: str
    extension: str
    write: Callable[[Shown, Rows], None]


def _csv(
    columns: tuple[str, ...],
    build: Callable[[IncidentView, Disclosure, int], dict[str, Any]],
    tags: tuple[str, ...] | None = None,
) -> Callable[[Shown, Rows], None]:
    def write(views: Shown, rows: Rows) -> None:
        stamp = int(time.time())
        writer = csv.writer(rows.sink)
        writer.writerow(columns)
        if tags is not None:
            writer.writerow(tags)
        for view, d in views:
            row = d.show(build(view, d, stamp))
            writer.writerow([neutralise(row[c]) for c in columns])
            rows.tick()

    return write


def _geojson(*, flat: bool) -> Callable[[Shown, Rows], None]:
    def write(views: Shown, rows: Rows) -> None:
        rows.sink.write(geojson.OPENING)
        for n, (view, d) in enumerate(views):
            if n:
                rows.sink.write(",\n")
            rows.sink.write(geojson.feature(view, d, flat=flat))
            rows.tick()
        rows.sink.write(geojson.CLOSING)

    return write


def _jsonl(views: Shown, rows: Rows) -> None:
    for view, d in views:
        record = d.show(safe_record(view, d, staff_names=rows.staff))
        rows.sink.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        rows.tick()


_CSV = "text/csv"
FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("acled", _CSV, "csv", _csv(acled.COLUMNS, acled.export_row)),
        ExportFormat(
            "ucdp", _CSV, "csv", _csv(ucdp.COLUMNS, lambda v, d, _t: ucdp.export_row(v, d))
        ),
        ExportFormat(
            "hxl", _CSV, "csv", _csv(hxl.HEADERS, lambda v, d, _t: hxl.export_row(v, d), hxl.TAGS)
        ),
        ExportFormat("geojson", "application/geo+json", "geojson", _geojson(flat=False)),
        ExportFormat("geojson-flat", "application/geo+json", "geojson", _geojson(flat=True)),
        ExportFormat("jsonl", "application/x-ndjson", "jsonl", _jsonl),
    )
}
