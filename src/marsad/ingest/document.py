"""A document as every reader builds it: the metadata checked and normalised the same way
whatever the format, and the error that names an item left out and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marsad.contract.claim import SENSITIVITY_LEVELS
from marsad.contract.document import NewDocument
from marsad.ingest import limits
from marsad.ingest.language import detect_language
from marsad.ingest.limits import LimitError

METADATA_FIELDS = ("title", "source", "url", "published", "language", "sensitivity")
MEDIA_TYPES = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".json": "application/json",
    ".jsonl": "application/x-ndjson",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".eml": "message/rfc822",
}


@dataclass(frozen=True)
class IngestError:
    """One item that could not be stored, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def media_type(path: str) -> str:
    """By the suffix of the file, or of the part inside it that has one (an attachment)."""
    name, _, part = path.partition("#")
    suffix = Path(part).suffix.lower()
    if suffix not in MEDIA_TYPES:
        suffix = Path(name).suffix.lower()
    return MEDIA_TYPES.get(suffix, "application/octet-stream")


def checked_document(name: str, raw: bytes, text: str, meta: dict[str, Any]) -> NewDocument:
    fields = _metadata_fields(meta)
    published = fields["published"]
    if published is not None:
        published = _check_date(published)
    sensitivity = (fields["sensitivity"] or "internal").lower()
    if sensitivity not in SENSITIVITY_LEVELS:
        raise Rejected(f"sensitivity '{sensitivity}' is not one of {', '.join(SENSITIVITY_LEVELS)}")
    text = text.strip("\n")
    language = _language(fields["language"]) or detect_language(text)
    extra = {
        str(key): _plain(value)
        for key, value in meta.items()
        if key not in METADATA_FIELDS and value is not None
    }
    try:
        limits.check_values([text, list(fields.values()), extra])
        if fields["source"]:
            limits.check_source(fields["source"])
    except LimitError as exc:
        raise Rejected(str(exc)) from None
    return NewDocument(
        original_name=name,
        media_type=media_type(name),
        original=raw,
        text=text,
        title=fields["title"],
        source=fields["source"],
        url=fields["url"],
        published=published,
        language=language,
        sensitivity=sensitivity,
        extra=extra,
    )


def _metadata_fields(meta: dict[str, Any]) -> dict[str, str | None]:
    fields: dict[str, str | None] = {}
    for key in METADATA_FIELDS:
        value = meta.get(key)
        if isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        if value is not None and not isinstance(value, str | int | float):
            raise Rejected(f"metadata field '{key}' must be text, not {type(value).__name__}")
        fields[key] = None if value is None else str(value).strip() or None
    return fields


def _language(value: str | None) -> str | None:
    """The language the metadata names, normalised; refused when it is not a language tag."""
    if value is None:
        return None
    code = limits.language_code(value)
    if code is None:
        raise Rejected(
            f"language '{value[:40]}' is not a language code such as ar, en or en-GB "
            f"(at most {limits.MAX_LANGUAGE_CHARS} characters)"
        )
    return code


def _check_date(value: str) -> str:
    """ISO date or date-time; anything else is refused rather than guessed."""
    candidate = value.replace("Z", "+00:00")
    try:
        if "T" in candidate or " " in candidate.strip():
            return dt.datetime.fromisoformat(candidate).isoformat()
        return dt.date.fromisoformat(candidate).isoformat()
    except ValueError:
        raise Rejected(f"published '{value}' is not an ISO date (write it as YYYY-MM-DD)") from None


def _plain(value: Any) -> Any:
    """Front-matter values as JSON-safe data."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)
