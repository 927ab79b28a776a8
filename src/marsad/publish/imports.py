"""Imports of partner datasets (ACLED, UCDP GED) as claims with provenance.

Each good row becomes a :class:`marsad.contract.claim.Claim`; each bad row is reported with its row
number (the header is row 1, as a spreadsheet shows it) and the reason, and the rest still go in.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from marsad.contract import claim as contract
from marsad.publish import acled, ucdp
from marsad.publish.acled import RowError
from marsad.store.datasets import DatasetRow

if TYPE_CHECKING:
    from marsad.store import Store

DATASETS: dict[str, str] = {"acled": "ACLED", "ucdp": "UCDP GED"}


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


def _converter(
    kind: str,
) -> tuple[Callable[[Mapping[str, str]], contract.Claim], Callable[..., str]]:
    if kind == "acled":
        return acled.row_to_claim, acled.row_id
    if kind == "ucdp":
        return ucdp.row_to_claim, ucdp.row_id
    raise ValueError(f"unknown dataset {kind!r}; use one of {', '.join(DATASETS)}")


def parse_rows(kind: str, text: str) -> tuple[list[DatasetRow], list[tuple[int, str]]]:
    """Convert every row; return the good ones and (row number, reason) for the bad ones."""
    convert, ident = _converter(kind)
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    required = acled.REQUIRED_COLUMNS if kind == "acled" else ucdp.REQUIRED_COLUMNS
    absent = [c for c in required if c not in header]
    if absent:
        # every row would fail the same way: say it once, for the header row
        return [], [(1, "missing columns: " + ", ".join(absent))]
    good: list[DatasetRow] = []
    bad: list[tuple[int, str]] = []
    seen: set[str] = set()
    for index, row in enumerate(reader):
        number = index + 2
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
        extra: dict[str, int] = {}
        if kind == "ucdp":
            best = ucdp.best_estimate(row)
            if best is not None:
                extra["best"] = best
        good.append(DatasetRow(number, rid, claim, extra))
    return good, bad


def import_dataset(
    store: Store, kind: str, path: Path, *, actor: str, sensitivity: str = "public"
) -> ImportReport:
    """Import one ACLED or UCDP GED CSV file into the store."""
    content = path.read_bytes()
    report = ImportReport(DATASETS.get(kind, kind), path.name)
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
    report.claim_ids = result.claim_ids
    report.stored = len(result.claim_ids)
    report.ledger_seq = result.ledger_seq
    return report
