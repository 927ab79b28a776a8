"""Reading evaluation files with errors that name the file and the row.

A missing file, a file that is not UTF-8 or a missing required column makes the whole evaluation
meaningless, so it raises :class:`EvalFileError` (the CLI exits 2). A single bad row (a date that
does not parse, a count that is not a number) is skipped and recorded in :class:`RowWarnings`, so
one typo does not hide the figures for the other rows.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Dataset text fields (whole articles) exceed csv's default 128 KiB field limit.
csv.field_size_limit(16 * 1024 * 1024)


class EvalFileError(Exception):
    """The evaluation file cannot be used at all (missing, unreadable, required column absent)."""


@dataclass(slots=True)
class RowWarnings:
    """Rows skipped while reading, with why; ``rows`` holds 1-based data row numbers."""

    path: str
    rows: list[int] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def add(self, row: int, reason: str) -> None:
        self.rows.append(row)
        self.reasons.append(reason)

    def __len__(self) -> int:
        return len(self.rows)

    def summary(self, limit: int = 10) -> str:
        """One line: how many rows were skipped and which (first ``limit`` reasons)."""
        shown = "; ".join(self.reasons[:limit])
        more = f"; ... {len(self.rows) - limit} more" if len(self.rows) > limit else ""
        return f"{self.path}: skipped {len(self.rows)} malformed row(s): {shown}{more}"

    def to_dict(self) -> dict[str, Any]:
        return {"skipped": len(self.rows), "rows": self.rows, "reasons": self.reasons}


def read_text(path: str | Path) -> str:
    """The file's text, decoded as UTF-8 (a BOM is allowed); errors name the file and line."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise EvalFileError(f"{p}: file not found") from None
    except OSError as exc:
        raise EvalFileError(f"{p}: cannot read ({exc.strerror})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise EvalFileError(
            f"{p}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} on line {line}); "
            "convert the file to UTF-8"
        ) from None


@dataclass(slots=True)
class CsvRow:
    """A data row with its 1-based row number (header excluded) and the line it starts on."""

    number: int
    line: int
    values: dict[str, str]

    def where(self) -> str:
        return f"row {self.number} (line {self.line})"


def read_csv(path: str | Path, required: Sequence[str], delimiter: str = ",") -> Iterator[CsvRow]:
    """Rows of a CSV file (TSV with ``delimiter="\\t"``) that has every ``required`` column
    (else :class:`EvalFileError`)."""
    text = read_text(path)
    kind = "TSV" if delimiter == "\t" else "CSV"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise EvalFileError(f"{path}: empty file (no header row)") from None
    except csv.Error as exc:
        raise EvalFileError(f"{path}: header is not valid {kind} ({exc})") from None
    header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise EvalFileError(
            f"{path}: missing required column(s) {', '.join(missing)} "
            f"(found: {', '.join(header) or 'none'})"
        )
    number = 0
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise EvalFileError(f"{path}: line {line}: invalid {kind} ({exc})") from None
        if not any(c.strip() for c in cells):
            continue
        number += 1
        yield CsvRow(number, line, dict(zip(header, cells, strict=False)))


def read_jsonl(path: str | Path, warnings: RowWarnings) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each JSON object line; bad lines go to ``warnings``."""
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            warnings.add(number, f"line {number}: invalid JSON ({exc.msg})")
            continue
        if not isinstance(obj, dict):
            warnings.add(number, f"line {number}: not a JSON object")
            continue
        yield number, obj
