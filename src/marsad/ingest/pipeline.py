"""Ingest a batch: walk paths, parse each file, store each document in its own transaction.

A bad item never stops the batch: it is reported with its file and reason, and everything else
goes through. Because each document is one transaction, a process killed mid-batch leaves every
document either fully stored (original, record, ledger entry) or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from marsad.ingest.parse import IngestError, ParsedDocument, iter_paths, parse_file
from marsad.store import AddResult, Store
from marsad.store.store import NewDocument

MEDIA_TYPES = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".json": "application/json",
    ".jsonl": "application/x-ndjson",
}


@dataclass
class IngestReport:
    stored: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)
    # files met in folders that are not reports ("path: reason"); not errors, but shown
    skipped: list[str] = field(default_factory=list)

    @property
    def partial(self) -> bool:
        return bool(self.errors)

    def as_dict(self) -> dict[str, object]:
        return {
            "stored": self.stored,
            "duplicates": self.duplicates,
            "errors": self.errors,
            "skipped": self.skipped,
            "partial": self.partial,
        }


def media_type(path: str) -> str:
    name = path.split("#", 1)[0]
    return MEDIA_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


def to_new_document(parsed: ParsedDocument) -> NewDocument:
    return NewDocument(
        original=parsed.original,
        original_name=parsed.path,
        media_type=media_type(parsed.path),
        text=parsed.text,
        title=parsed.title,
        source=parsed.source,
        url=parsed.url,
        published=parsed.published,
        language=parsed.language,
        sensitivity=parsed.sensitivity,
        extra=dict(parsed.extra),
    )


def ingest_paths(
    store: Store,
    paths: Iterable[Path],
    *,
    actor: str,
    max_bytes: int,
    on_item: Callable[[AddResult | IngestError], None] | None = None,
) -> IngestReport:
    """Store every document found under ``paths``. Memory stays flat: one document at a time."""
    report = IngestReport()
    for path in iter_paths(paths, report.skipped):
        for item in parse_file(path, max_bytes=max_bytes):
            result: AddResult | IngestError
            if isinstance(item, IngestError):
                result = item
            else:
                try:
                    result = store.add_document(to_new_document(item), actor=actor)
                except Exception as exc:  # a database error on one document must not end the batch
                    result = IngestError(item.path, f"could not be stored: {exc}")
            if isinstance(result, IngestError):
                report.errors.append(str(result))
            elif result.status == "duplicate":
                report.duplicates += 1
            else:
                report.stored += 1
            if on_item is not None:
                on_item(result)
    return report
