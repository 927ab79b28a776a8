"""Turn one file into documents, or into a clear reason why it cannot be one.

Every check names the file and says what to do. Parsing never touches the network: HTML is read
for its visible text only, and nothing it links to is fetched.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from marsad.ingest.html_text import html_to_text
from marsad.ingest.language import detect_language
from marsad.schema import SENSITIVITY_LEVELS

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")
METADATA_FIELDS = ("title", "source", "url", "published", "language", "sensitivity")

# Signatures of common binary formats people drop into report folders by mistake.
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF (extract its text first, e.g. with pdftotext)",
    b"PK\x03\x04": "a ZIP archive or Office file (unpack or export it as text first)",
    b"\x1f\x8b": "a gzip archive (unpack it first)",
    b"\xd0\xcf\x11\xe0": "an old Office file (export it as text first)",
}


@dataclass(frozen=True)
class IngestError:
    """One item that could not be stored, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class ParsedDocument:
    """One document ready for the store: the exact original bytes and what was read from them."""

    path: str
    original: bytes
    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    language: str = "und"
    sensitivity: str = "internal"
    extra: dict[str, Any] = field(default_factory=dict)


class _Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def iter_paths(paths: Iterable[Path], skipped: list[str] | None = None) -> Iterator[Path]:
    """Files named directly, and supported files found under folders (sorted, hidden ones skipped).

    A path that does not exist is yielded as is, so that :func:`parse_file` can name it. Other
    files met in a folder are not reports and are passed over; when ``skipped`` is given, each
    is added to it as "path: reason", so the user learns what was left out and why.
    """
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path).parts
                if any(part.startswith(".") for part in relative) or not child.is_file():
                    continue
                if child.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield child
                elif skipped is not None:
                    skipped.append(f"{child}: {unsupported_reason(child.suffix.lower())}")
        else:
            yield path


def unsupported_reason(suffix: str) -> str:
    """Why a file of this type is not read as a report, and what to do instead."""
    if suffix == ".csv":
        return (
            "CSV files are datasets, not reports: bring ACLED or UCDP rows in "
            "with `marsad import acled FILE` or `marsad import ucdp FILE`"
        )
    return (
        f"unsupported file type {suffix or '(no extension)'}; "
        f"supported: {', '.join(SUPPORTED_SUFFIXES)}"
    )


def parse_file(path: Path, *, max_bytes: int) -> Iterator[ParsedDocument | IngestError]:
    """Documents in ``path`` (several for .jsonl and JSON arrays), or errors naming the problem."""
    name = str(path)
    try:
        suffix = path.suffix.lower()
        if not path.exists():
            raise _Rejected("no such file or folder")
        if not path.is_file():
            raise _Rejected("not a regular file")
        if suffix not in SUPPORTED_SUFFIXES:
            raise _Rejected(unsupported_reason(suffix))
        size = path.stat().st_size
        if size > max_bytes:
            raise _Rejected(
                f"file is {size:,} bytes, over the {max_bytes:,}-byte limit "
                "(raise it with --max-bytes or MARSAD_MAX_BYTES, or split the file)"
            )
        raw = path.read_bytes()
        text = _decode(raw)
    except _Rejected as rejected:
        yield IngestError(name, rejected.reason)
        return
    except OSError as exc:
        yield IngestError(name, f"could not be read: {exc.strerror or exc}")
        return

    if suffix == ".jsonl":
        yield from _parse_jsonl(name, raw, text)
    elif suffix == ".json":
        yield from _parse_json(name, raw, text)
    else:
        try:
            yield _parse_single(name, suffix, raw, text)
        except _Rejected as rejected:
            yield IngestError(name, rejected.reason)


def _decode(raw: bytes) -> str:
    if not raw.strip():
        raise _Rejected("file is empty" if not raw else "file is empty (only whitespace)")
    for magic, kind in _MAGIC.items():
        if raw.startswith(magic):
            raise _Rejected(f"binary file: looks like {kind}")
    sample = raw[:8192]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if controls > len(sample) * 0.05:
        raise _Rejected("binary file: too many control bytes to be text")
    if b"\x00" in raw:
        offset = raw.index(b"\x00")
        raise _Rejected(f"contains a NUL byte at offset {offset:,}; text files never do")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Rejected(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start:,}); convert it "
            "first, e.g. iconv -f WINDOWS-1256 -t UTF-8 (Arabic) or -f LATIN1 -t UTF-8"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _parse_single(name: str, suffix: str, raw: bytes, text: str) -> ParsedDocument:
    meta: dict[str, Any] = {}
    if suffix in (".html", ".htm"):
        page = html_to_text(text)
        body = page.text
        if not body.strip():
            raise _Rejected("HTML has no visible text (only scripts, styles or markup)")
        meta = {k: v for k, v in page.meta.items() if v}
    else:
        meta, body = _split_front_matter(text)
        if not body.strip():
            raise _Rejected("no text after the front matter")
    return _document(name, raw, body, meta)


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 4)
    if end == -1:
        raise _Rejected("front matter starts with '---' but has no closing '---' line")
    block = text[4:end]
    body_start = text.find("\n", end + 4)
    body = "" if body_start == -1 else text[body_start + 1 :]
    try:
        loaded = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise _Rejected(f"front matter is not valid YAML{where}") from None
    if loaded is None:
        return {}, body
    if not isinstance(loaded, dict):
        raise _Rejected("front matter must be 'key: value' lines")
    return loaded, body


def _document(name: str, raw: bytes, text: str, meta: dict[str, Any]) -> ParsedDocument:
    fields: dict[str, str | None] = {}
    for key in METADATA_FIELDS:
        value = meta.get(key)
        if isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        if value is not None and not isinstance(value, str | int | float):
            raise _Rejected(f"metadata field '{key}' must be text, not {type(value).__name__}")
        fields[key] = None if value is None else str(value).strip() or None
    published = fields["published"]
    if published is not None:
        published = _check_date(published)
    sensitivity = (fields["sensitivity"] or "internal").lower()
    if sensitivity not in SENSITIVITY_LEVELS:
        raise _Rejected(
            f"sensitivity '{sensitivity}' is not one of {', '.join(SENSITIVITY_LEVELS)}"
        )
    text = text.strip("\n")
    language = (fields["language"] or detect_language(text)).lower()
    extra = {
        key: _plain(value)
        for key, value in meta.items()
        if key not in METADATA_FIELDS and value is not None
    }
    return ParsedDocument(
        path=name,
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


def _check_date(value: str) -> str:
    """ISO date or date-time; anything else is refused rather than guessed."""
    candidate = value.replace("Z", "+00:00")
    try:
        if "T" in candidate or " " in candidate.strip():
            return dt.datetime.fromisoformat(candidate).isoformat()
        return dt.date.fromisoformat(candidate).isoformat()
    except ValueError:
        raise _Rejected(
            f"published '{value}' is not an ISO date (write it as YYYY-MM-DD)"
        ) from None


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


def _record(
    name: str, record: Any, original: bytes, container: bytes, where: str
) -> ParsedDocument:
    if not isinstance(record, dict):
        raise _Rejected(f"{where}: expected a JSON object, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _Rejected(f'{where}: needs a non-empty "text" field')
    meta = {k: v for k, v in record.items() if k != "text"}
    document = _document(name, original, text, meta)
    document.extra["container_file"] = name.split("#", 1)[0]
    document.extra["container_sha256"] = _sha256(container)
    return document


def _parse_jsonl(name: str, raw: bytes, text: str) -> Iterator[ParsedDocument | IngestError]:
    lines = raw.split(b"\n")
    found = False
    for number, line_bytes in enumerate(lines, start=1):
        line_bytes = line_bytes.rstrip(b"\r")
        if number == 1 and line_bytes.startswith(b"\xef\xbb\xbf"):
            line_bytes = line_bytes[3:]
        if not line_bytes.strip():
            continue
        found = True
        item = f"{name}#{number}"
        try:
            try:
                record = json.loads(line_bytes)
            except ValueError as exc:
                raise _Rejected(f"line {number} is not valid JSON ({_json_problem(exc)})") from None
            yield _record(item, record, line_bytes, raw, f"line {number}")
        except _Rejected as rejected:
            yield IngestError(name, rejected.reason)
    if not found:
        yield IngestError(name, "file is empty (no JSON lines)")


def _parse_json(name: str, raw: bytes, text: str) -> Iterator[ParsedDocument | IngestError]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        yield IngestError(name, f"not valid JSON ({_json_problem(exc)})")
        return
    if isinstance(value, dict):
        try:
            yield _record(name, value, raw, raw, "document")
        except _Rejected as rejected:
            yield IngestError(name, rejected.reason)
        return
    if not isinstance(value, list):
        yield IngestError(name, "expected a JSON object or a list of objects")
        return
    # Each element keeps its exact bytes from the file, so its original is byte-for-byte real.
    decoder = json.JSONDecoder()
    position = text.index("[") + 1
    for number in range(1, len(value) + 1):
        while text[position] in " \t\n\r,":
            position += 1
        record, end = decoder.raw_decode(text, position)
        original = text[position:end].encode("utf-8")
        position = end
        try:
            yield _record(f"{name}#{number}", record, original, raw, f"item {number}")
        except _Rejected as rejected:
            yield IngestError(name, rejected.reason)


def _json_problem(exc: ValueError) -> str:
    message = getattr(exc, "msg", None) or str(exc)
    column = getattr(exc, "colno", None)
    return f"{message} at column {column}" if column else message


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()
