"""Exports: stream matching incidents, row by row, in one of the published formats.

Memory does not grow with the number of rows: incidents come from the store's keyset-paged
iterator and each row is written as soon as it is built. Public exports (the default) read at
sensitivity ``public`` only; anything wider must be asked for and is recorded in the ledger
(who, what format, which filter, how many rows, the SHA-256 of what was written).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any, TextIO

from marsad.contract.incident import IncidentFilter, IncidentView
from marsad.protect.disclosure import Disclosure, incident_as_shown
from marsad.publish.formats import FORMATS as EXPORT_FORMATS
from marsad.publish.formats import Rows

if TYPE_CHECKING:
    from marsad.store import Store

FORMATS: tuple[str, ...] = tuple(EXPORT_FORMATS)
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
    # unreviewed incidents left out by the publish gate (0 when they were included)
    unreviewed_left_out: int = 0


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


def publish_filter(f: IncidentFilter, *, include_unreviewed: bool) -> IncidentFilter:
    """The publish gate: a public output holds only incidents an analyst confirmed or corrected,
    unless unreviewed ones are asked for."""
    if f.max_sensitivity == "public" and not include_unreviewed:
        return replace(f, reviewed_only=True)
    return f


def unreviewed_left_out(store: Store, f: IncidentFilter) -> int:
    """How many incidents matching ``f`` the publish gate kept out."""
    if not f.reviewed_only:
        return 0
    return store.count_incidents(replace(f, reviewed_only=False)) - store.count_incidents(f)


def shown_incidents(
    store: Store, views: Iterable[IncidentView], max_sensitivity: str, batch: int = 500
) -> Iterator[tuple[IncidentView, Disclosure]]:
    """Each incident as a reader of ``max_sensitivity`` may see it (its public form below
    ``internal``), with the disclosure to pass the rest of its row through."""
    pending: list[IncidentView] = []

    def flush() -> Iterator[tuple[IncidentView, Disclosure]]:
        d = store.incident_disclosure(pending, max_sensitivity)
        for view in pending:
            yield incident_as_shown(view, d), d

    for view in views:
        pending.append(view)
        if len(pending) >= batch:
            yield from flush()
            pending = []
    if pending:
        yield from flush()


def export_incidents(
    store: Store,
    fmt: str,
    out: TextIO,
    f: IncidentFilter | None = None,
    *,
    actor: str,
    on_row: Callable[[], None] | None = None,
    include_unreviewed: bool = False,
) -> ExportResult:
    """Write every incident matching ``f`` to ``out`` in ``fmt``; return what was written.

    Public exports hold only reviewed incidents unless ``include_unreviewed``; every row passes
    through the reader's :class:`~marsad.protect.disclosure.Disclosure` last."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    f = publish_filter(f or IncidentFilter(), include_unreviewed=include_unreviewed)
    sink = HashingWriter(out)
    rows = 0

    def tick() -> None:
        nonlocal rows
        rows += 1
        if on_row is not None:
            on_row()

    views = shown_incidents(store, store.iter_incidents(f, batch=PAGE_SIZE), f.max_sensitivity)
    staff = f.max_sensitivity != "public"
    EXPORT_FORMATS[fmt].write(views, Rows(sink, tick, staff))

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
    left_out = unreviewed_left_out(store, f)
    return ExportResult(fmt, rows, sink.hexdigest(), f.max_sensitivity, seq, left_out)
