"""Turn one file into documents, or into a clear reason why it cannot be one.

Every check names the file and says what to do. Parsing never touches the network: HTML is read
for its visible text only, and nothing it links to is fetched.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from marsad.ingest import formats, limits
from marsad.ingest.document import IngestError, NewDocument, Rejected, checked_document
from marsad.ingest.formats import telegram, whatsapp
from marsad.ingest.html_text import html_to_text
from marsad.ingest.limits import LimitError
from marsad.ingest.walk import FOLLOW_HINT, SUPPORTED_SUFFIXES, iter_paths, unsupported_reason

__all__ = [
    "SUPPORTED_SUFFIXES",
    "IngestError",
    "NewDocument",
    "iter_paths",
    "parse_file",
    "unsupported_reason",
]

# Signatures of common binary formats people drop into report folders by mistake.
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF (name it .pdf to have its text layer read)",
    b"PK\x03\x04": "a ZIP archive or Office file (a Word file is read when named .docx)",
    b"\x1f\x8b": "a gzip archive (unpack it first)",
    b"\xd0\xcf\x11\xe0": "an old Office file (export it as text first)",
}


def parse_file(
    path: Path, *, max_bytes: int, follow_symlinks: bool = True
) -> Iterator[NewDocument | IngestError]:
    """Documents in ``path`` (several for .jsonl and JSON arrays), or errors naming the problem.

    Never raises for what a file contains: whatever goes wrong inside a parser (too deep,
    out of memory, a parser's own bug) becomes an error naming the file, so a batch goes on.
    With ``follow_symlinks`` false a symbolic link is refused even if it appeared after the
    folder was listed.
    """
    name = str(path)
    items = _parse_file(path, name, max_bytes, follow_symlinks)
    while True:
        try:
            item = next(items)
        except StopIteration:
            return
        except RecursionError:
            yield IngestError(name, "nested too deeply to parse")
            return
        except MemoryError:
            yield IngestError(name, "too large to parse in the memory available")
            return
        except Exception as exc:  # a parser failure must not end the batch
            yield IngestError(name, f"could not be parsed ({type(exc).__name__}: {exc})"[:300])
            return
        yield item


def _parse_file(
    path: Path, name: str, max_bytes: int, follow_symlinks: bool
) -> Iterator[NewDocument | IngestError]:
    suffix = path.suffix.lower()
    try:
        if not os.path.lexists(name):
            raise Rejected("no such file or folder")
        if suffix not in SUPPORTED_SUFFIXES and not os.path.isdir(name):
            raise Rejected(unsupported_reason(suffix))
        if suffix == ".json" and telegram.is_export(name, follow_symlinks):
            yield from telegram.read_export(name, max_bytes, follow_symlinks)
            return
        raw = _read(name, max_bytes, follow_symlinks)
        if suffix in formats.BINARY_SUFFIXES:
            yield from formats.read_binary(name, suffix, raw, read_text=parse_text)
            return
        text = _decode(raw)
    except Rejected as rejected:
        yield IngestError(name, rejected.reason)
        return
    except OSError as exc:
        yield IngestError(name, _os_reason(exc))
        return

    if suffix == ".txt" and whatsapp.is_chat(_normalise_newlines(text)):
        yield from whatsapp.read_chat(name, raw)
    elif suffix == ".jsonl":
        yield from _parse_jsonl(name, raw)
    elif suffix == ".json":
        yield from _parse_json(name, raw, text)
    else:
        try:
            yield parse_text(name, suffix, raw, _normalise_newlines(text))
        except Rejected as rejected:
            yield IngestError(name, rejected.reason)


def _read(name: str, max_bytes: int, follow_symlinks: bool) -> bytes:
    """The file's bytes, checked on the open descriptor itself so that nothing swapped in
    after the folder was listed (a link, a pipe, a bigger file) is read."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(name, flags)
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise Rejected("not a regular file")
        if info.st_size > max_bytes:
            raise Rejected(_too_big(info.st_size, max_bytes))
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise Rejected(_too_big(len(raw), max_bytes))
    return raw


def _too_big(size: int, max_bytes: int) -> str:
    return (
        f"file is {size:,} bytes, over the {max_bytes:,}-byte limit "
        "(raise it with --max-bytes or MARSAD_MAX_BYTES, or split the file)"
    )


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return f"symbolic link, {FOLLOW_HINT}"
    return f"could not be read: {exc.strerror or exc}"


def _decode(raw: bytes) -> str:
    if not raw.strip():
        raise Rejected("file is empty" if not raw else "file is empty (only whitespace)")
    for magic, kind in _MAGIC.items():
        if raw.startswith(magic):
            raise Rejected(f"binary file: looks like {kind}")
    sample = raw[:8192]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if controls > len(sample) * 0.05:
        raise Rejected("binary file: too many control bytes to be text")
    if b"\x00" in raw:
        offset = raw.index(b"\x00")
        raise Rejected(f"contains a NUL byte at offset {offset:,}; text files never do")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Rejected(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start:,}); convert it "
            "first, e.g. iconv -f WINDOWS-1256 -t UTF-8 (Arabic) or -f LATIN1 -t UTF-8"
        ) from None
    return text


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_text(name: str, suffix: str, raw: bytes, text: str) -> NewDocument:
    meta: dict[str, Any] = {}
    if suffix in (".html", ".htm"):
        page = html_to_text(text)
        body = page.text
        if not body.strip():
            raise Rejected("HTML has no visible text (only scripts, styles or markup)")
        meta = {k: v for k, v in page.meta.items() if v}
        if "language" in meta and limits.language_code(meta["language"]) is None:
            del meta["language"]  # the page's own lang attribute is a hint, not the user's word
    else:
        meta, body = _split_front_matter(text)
        if not body.strip():
            raise Rejected("no text after the front matter")
    return checked_document(name, raw, body, meta)


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 4)
    if end == -1:
        raise Rejected("front matter starts with '---' but has no closing '---' line")
    block = text[4:end]
    body_start = text.find("\n", end + 4)
    body = "" if body_start == -1 else text[body_start + 1 :]
    try:
        loaded = limits.load_front_matter(block)
    except LimitError as exc:
        raise Rejected(str(exc)) from None
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: e.g. an integer of 5,000 digits
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise Rejected(f"front matter is not valid YAML{where}") from None
    if loaded is None:
        return {}, body
    if not isinstance(loaded, dict):
        raise Rejected("front matter must be 'key: value' lines")
    return loaded, body


def _record(
    name: str, record: Any, original: bytes, container_sha256: str, where: str
) -> NewDocument:
    """One JSON object as a document; every refusal names the line or item it is in."""
    if not isinstance(record, dict):
        raise Rejected(f"{where}: expected a JSON object, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise Rejected(f'{where}: needs a non-empty "text" field')
    meta = {k: v for k, v in record.items() if k != "text"}
    try:
        document = checked_document(name, original, text, meta)
    except Rejected as rejected:
        raise Rejected(f"{where}: {rejected.reason}") from None
    document.extra["container_file"] = name.split("#", 1)[0]
    document.extra["container_sha256"] = container_sha256
    return document


def _json_value(data: bytes, where: str) -> Any:
    """Parsed JSON, refused when nested too deep (checked before the recursive parser runs),
    when it is not JSON, or when it holds NaN or Infinity."""
    if limits.json_too_deep(data):
        raise Rejected(
            f"{where}nests arrays or objects more than {limits.MAX_JSON_DEPTH} levels deep"
        )
    try:
        return json.loads(data, parse_constant=limits.refuse_json_constant)
    except LimitError as exc:
        raise Rejected(f"{where}{exc}") from None
    except RecursionError:
        raise Rejected(f"{where}nested too deeply to parse") from None
    except ValueError as exc:
        raise Rejected(f"{where}not valid JSON ({_json_problem(exc)})") from None


def _parse_jsonl(name: str, raw: bytes) -> Iterator[NewDocument | IngestError]:
    container = _sha256(raw)
    found = False
    for number, line_bytes in enumerate(raw.split(b"\n"), start=1):
        line_bytes = line_bytes.rstrip(b"\r")
        if number == 1 and line_bytes.startswith(b"\xef\xbb\xbf"):
            line_bytes = line_bytes[3:]
        if not line_bytes.strip():
            continue
        found = True
        where = f"line {number}"
        try:
            record = _json_value(line_bytes, f"{where}: ")
            yield _record(f"{name}#{number}", record, line_bytes, container, where)
        except Rejected as rejected:
            yield IngestError(name, rejected.reason)
    if not found:
        yield IngestError(name, "file is empty (no JSON lines)")


def _parse_json(name: str, raw: bytes, text: str) -> Iterator[NewDocument | IngestError]:
    """A JSON object is one document; a JSON array is one document per element."""
    container = _sha256(raw)
    try:
        value = _json_value(raw, "")
    except Rejected as rejected:
        yield IngestError(name, rejected.reason)
        return
    if isinstance(value, dict):
        try:
            yield _record(name, value, raw, container, "document")
        except Rejected as rejected:
            yield IngestError(name, rejected.reason)
        return
    if not isinstance(value, list):
        yield IngestError(name, "expected a JSON object or a list of objects")
        return
    count = len(value)
    del value  # each element is decoded again below, from its own bytes
    for number, (record, original) in enumerate(_array_elements(text, count), start=1):
        try:
            yield _record(f"{name}#{number}", record, original, container, f"item {number}")
        except Rejected as rejected:
            yield IngestError(name, rejected.reason)


def _array_elements(text: str, count: int) -> Iterator[tuple[Any, bytes]]:
    """Each element of a valid top-level JSON array with its exact bytes in the file.

    ``text`` is the file decoded without touching line endings, and UTF-8 decoding is exact,
    so re-encoding an element's slice gives back the file's bytes (CRLF included)."""
    decoder = json.JSONDecoder(parse_constant=limits.refuse_json_constant)
    position = text.index("[") + 1
    for _ in range(count):
        while text[position] in " \t\n\r,":
            position += 1
        record, end = decoder.raw_decode(text, position)
        yield record, text[position:end].encode("utf-8")
        position = end


def _json_problem(exc: ValueError) -> str:
    message = getattr(exc, "msg", None) or str(exc)
    column = getattr(exc, "colno", None)
    return f"{message} at column {column}" if column else message


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
