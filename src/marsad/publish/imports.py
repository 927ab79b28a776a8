"""Imports of partner datasets (ACLED, UCDP GED, Airwars) as claims with provenance.

Each good row becomes a :class:`marsad.contract.claim.Claim`; each bad row is reported with its row
number (the header is row 1, as a spreadsheet shows it) and the reason, and the rest still go in.
Actor names and places are mapped onto Marsad's (``partner_actors``, ``partner_places``), so a
row about an incident Marsad holds resolves into it. A file imported before adds nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from marsad.contract import claim as contract
from marsad.publish import acled, airwars, ucdp
from marsad.publish.acled import RowError
from marsad.store.datasets import DatasetRow

if TYPE_CHECKING:
    from marsad.store import Store

DATASETS: dict[str, str] = {"acled": "ACLED", "ucdp": "UCDP GED", "airwars": airwars.DATASET}
REQUIRED: dict[str, tuple[str, ...]] = {
    "acled": acled.REQUIRED_COLUMNS,
    "ucdp": ucdp.REQUIRED_COLUMNS,
    "airwars": airwars.REQUIRED_COLUMNS,
}


@dataclass
class ImportReport:
    dataset: str
    file_name: str
    file_sha256: str = ""
    status: str = "stored"  # stored, duplicate, empty
    stored: int = 0
    claim_ids: list[int] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)
    ledger_seq: int | None = None

    @property
    def partial(self) -> bool:
        return bool(self.rejected)


Rows = Iterator[tuple[int, Mapping[Any, Any]]]


def _converter(
    kind: str,
) -> tuple[Callable[[Mapping[Any, Any]], contract.Claim], Callable[..., str]]:
    if kind == "acled":
        return acled.row_to_claim, acled.row_id
    if kind == "ucdp":
        return ucdp.row_to_claim, ucdp.row_id
    if kind == "airwars":
        return airwars.row_to_claim, airwars.row_id
    raise ValueError(f"unknown dataset {kind!r}; use one of {', '.join(DATASETS)}")


def _read(kind: str, text: str) -> tuple[list[str], Rows]:
    """The file's columns and its numbered rows (the header is row 1)."""
    if kind == "airwars":
        return airwars.read_rows(text)
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), ((i + 2, row) for i, row in enumerate(reader))


def _extra(kind: str, row: Mapping[Any, Any]) -> dict[str, Any]:
    """What the provenance keeps beside the claim: GED's best estimate, Airwars' grading."""
    if kind == "ucdp":
        best = ucdp.best_estimate(row)
        return {} if best is None else {"best": best}
    if kind == "airwars" and airwars.grading(row):
        return {"grading": airwars.grading(row)}
    return {}


def parse_rows(kind: str, text: str) -> tuple[list[DatasetRow], list[tuple[int, str]]]:
    """Convert every row; return the good ones and (row number, reason) for the bad ones."""
    convert, ident = _converter(kind)
    try:
        header, rows = _read(kind, text)
    except ValueError as exc:  # a JSON file that is not a list of incidents
        return [], [(0, str(exc))]
    required = REQUIRED[kind]
    absent = [c for c in required if c not in header]
    if absent:
        # every row would fail the same way: say it once, for the header row
        return [], [(1, "missing columns: " + ", ".join(absent))]
    good: list[DatasetRow] = []
    bad: list[tuple[int, str]] = []
    seen: set[str] = set()
    for number, row in rows:
        if None in row:  # more cells than header columns
            bad.append((number, "more cells than the header has columns"))
            continue
        empty = [c for c in required if row.get(c) is None]
        if empty:
            bad.append((number, "missing columns: " + ", ".join(empty)))
            continue
        rid = ident(row)
        if not rid:
            bad.append((number, "no row id"))
            continue
        if rid in seen:
            bad.append((number, f"duplicate row id {rid!r}"))
            continue
        try:
            claim = convert(row)
        except RowError as exc:
            bad.append((number, str(exc)))
            continue
        seen.add(rid)
        good.append(DatasetRow(number, rid, claim, _extra(kind, row)))
    return good, bad


def import_dataset(
    store: Store, kind: str, path: Path, *, actor: str, sensitivity: str = "public"
) -> ImportReport:
    """Import one ACLED or UCDP GED CSV file, or an Airwars CSV or JSON file, into the store.

    A file imported before (the same bytes) is a ``duplicate``: nothing is read or added."""
    content = path.read_bytes()
    report = ImportReport(DATASETS.get(kind, kind), path.name)
    report.file_sha256 = hashlib.sha256(content).hexdigest()
    if store.original(report.file_sha256) is not None:
        report.status = "duplicate"
        return report
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.status = "empty"
        report.rejected.append((0, f"not UTF-8 text: {exc}"))
        return report
    good, bad = parse_rows(kind, text)
    report.rejected = bad
    if not good and not bad:
        report.status = "empty"
        return report
    result = store.add_dataset_claims(
        dataset=report.dataset,
        file_name=path.name,
        content=content,
        rows=good,
        rejected=bad,
        actor=actor,
        sensitivity=sensitivity,
    )
    report.file_sha256 = result.file_sha256
    report.status = result.status
    if result.status == "duplicate":  # imported by another run meanwhile
        report.rejected = []
    report.claim_ids = result.claim_ids
    report.stored = len(result.claim_ids)
    report.ledger_seq = result.ledger_seq
    return report
