"""Ingest a batch: walk paths, parse each file, store each document in its own transaction.

A bad item never stops the batch: it is reported with its file and reason, and everything else
goes through. Because each document is one transaction, a process killed mid-batch leaves every
document either fully stored (original, record, ledger entry) or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from marsad.contract.document import NewDocument
from marsad.ingest.document import IngestError
from marsad.ingest.parse import iter_paths, parse_file
from marsad.store import AddResult, Store


@dataclass
class IngestReport:
    stored: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)
    # paths passed over (other file types, links not followed): not errors, but shown
    skipped: list[str] = field(default_factory=list)

    @property
    def partial(self) -> bool:
        return bool(self.errors)

    @property
    def exit_code(self) -> int:
        """0 every item went in, 1 some were rejected, 2 nothing was stored or found stored."""
        if self.stored + self.duplicates == 0:
            return 2
        return 1 if self.errors else 0

    def as_dict(self) -> dict[str, object]:
        return {
            "stored": self.stored,
            "duplicates": self.duplicates,
            "errors": self.errors,
            "skipped": self.skipped,
            "partial": self.partial,
        }


def ingest_paths(
    store: Store,
    paths: Iterable[Path],
    *,
    actor: str,
    max_bytes: int,
    follow_symlinks: bool = False,
    on_files: Callable[[int], None] | None = None,
    on_item: Callable[[AddResult | IngestError], None] | None = None,
) -> IngestReport:
    """Store every document found under ``paths``, one at a time, naming every item left out.

    ``on_files`` is told how many files the walk found before the first is read."""
    report = IngestReport()
    files = list(
        iter_paths(paths, report.skipped, errors=report.errors, follow_symlinks=follow_symlinks)
    )
    if on_files is not None:
        on_files(len(files))
    for path in files:
        for item in parse_file(path, max_bytes=max_bytes, follow_symlinks=follow_symlinks):
            result = item if isinstance(item, IngestError) else _store(store, item, actor)
            if isinstance(result, IngestError):
                report.errors.append(str(result))
            elif result.status == "duplicate":
                report.duplicates += 1
            else:
                report.stored += 1
            if on_item is not None:
                on_item(result)
    return report


def _store(store: Store, parsed: NewDocument, actor: str) -> AddResult | IngestError:
    try:
        result = store.add_document(parsed, actor=actor)
        # a duplicate too: a run killed between the two steps leaves no sender unprotected
        for person in parsed.protected_names:
            if len(" ".join(person.split())) >= 2:  # a one-letter name is no name to mask
                store.add_protected_person(person, actor=actor, origin="ingest:sender")
        return result
    except Exception as exc:  # a database error on one document must not end the batch
        # the driver's own message, first line only: SQLAlchemy's adds the statement and its
        # parameters, which would print the document's text
        cause = getattr(exc, "orig", None) or exc
        first_line = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        return IngestError(parsed.original_name, f"could not be stored: {first_line[:200]}")
