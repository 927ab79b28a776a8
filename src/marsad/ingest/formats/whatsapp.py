"""WhatsApp chat exports (.txt): one document per message.

Android writes ``12/03/2024, 14:05 - Name: text``, iOS ``[12/03/2024, 14:05:33] Name: text``;
a message goes on over the lines that follow it, and lines without ``Name:`` are WhatsApp's own
notices (encryption, members added), which are passed over. A chat is told from a report by its
content: most of its lines open with such a time stamp.

Every sender is a person: each message is ``restricted`` and its sender a protected person,
masked in every output; the chat, never a sender, is the source. Each message's ``original`` is
its own lines in the file, and ``extra`` names the export's SHA-256 and the line it starts on.
Day and month are read in the order the file shows (a day over 12 settles it); where nothing
settles it the day comes first, as on phones set to most of the world's locales, and
``extra["date_order"]`` says it was assumed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marsad.ingest.formats.common import IngestError, NewDocument, Rejected, document, sha256

_STAMP = (
    r"(?P<a>\d{1,2})[./-](?P<b>\d{1,2})[./-](?P<year>\d{2,4}),? "
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?"
    r"(?:\s?(?P<half>[AaPp]\.?\s?[Mm]\.?))?"
)
_HEADER = re.compile(
    rf"^[\u200e\u200f]?(?:\[{_STAMP}\]|{_STAMP.replace('?P<', '?P<i_')} -) (?P<rest>.*)$"
)
_SENDER = re.compile(r"^(?P<sender>[^:\n]{1,80}?): (?P<text>.*)$", re.DOTALL)
_MEDIA = re.compile(
    r"^[\u200e]?(?:<Media omitted>|<attached: (?P<file>[^>]+)>|(?:image|video|audio|sticker|GIF|"
    r"document) omitted)$",
    re.IGNORECASE,
)
SAMPLE_LINES = 500
SENSITIVITY = "restricted"


@dataclass
class _Message:
    line: int
    stamp: dict[str, str | None]
    first: str
    rest: list[str] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)


def is_chat(text: str) -> bool:
    """Most of the first lines open with a chat time stamp (at least two do)."""
    lines = [line for line in text.split("\n", SAMPLE_LINES)[:SAMPLE_LINES] if line.strip()]
    if sum(1 for line in lines[:2] if _HEADER.match(line)) == 0 or len(lines) < 2:
        return False
    return sum(1 for line in lines if _HEADER.match(line)) * 2 > len(lines)


def read_chat(name: str, raw: bytes) -> Iterator[NewDocument | IngestError]:
    container = {"container_file": name, "container_sha256": sha256(raw)}
    messages, odd = _messages(raw)
    for line in odd:
        yield IngestError(name, f"line {line}: not a chat line (no time stamp, no message above)")
    order, assumed = _date_order(messages)
    source = _chat_name(name)
    for message in messages:
        item = _document(name, message, order, assumed, source, container)
        if item is not None:
            yield item


def _messages(raw: bytes) -> tuple[list[_Message], list[int]]:
    """Messages with their lines (and bytes), and the lines before any message."""
    messages: list[_Message] = []
    odd: list[int] = []
    for number, line_bytes in enumerate(raw.splitlines(keepends=True), start=1):
        line = line_bytes.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\r\n")
        found = _HEADER.match(line)
        if found:
            stamp = {k.removeprefix("i_"): v for k, v in found.groupdict().items() if v}
            messages.append(_Message(number, stamp, found.group("rest"), raw=[line_bytes]))
        elif messages:
            messages[-1].rest.append(line)
            messages[-1].raw.append(line_bytes)
        elif line.strip():
            odd.append(number)
    return messages, odd


def _date_order(messages: list[_Message]) -> tuple[str, bool]:
    firsts = [int(m.stamp["a"] or 0) for m in messages]
    seconds = [int(m.stamp["b"] or 0) for m in messages]
    if any(n > 12 for n in seconds) and not any(n > 12 for n in firsts):
        return "month-first", False
    return "day-first", not any(n > 12 for n in firsts)


def _chat_name(name: str) -> str:
    stem = Path(name).stem
    for prefix in ("WhatsApp Chat with ", "WhatsApp Chat - ", "WhatsApp Chat "):
        stem = stem.removeprefix(prefix)
    return f"WhatsApp: {stem}"[:300]


def _document(
    name: str,
    message: _Message,
    order: str,
    assumed: bool,
    source: str,
    container: dict[str, str],
) -> NewDocument | IngestError | None:
    spoken = _SENDER.match(message.first)
    if spoken is None:
        return None  # WhatsApp's own notice: no sender
    sender = spoken.group("sender").strip()
    lines = [spoken.group("text"), *message.rest]
    media = [m.group("file") or m.group(0).strip("\u200e<>") for m in map(_MEDIA.match, lines) if m]
    text = "\n".join(line for line in lines if not _MEDIA.match(line)).strip()
    if not text:
        return None  # a photo or a file without a caption
    original = b"".join(message.raw)
    try:
        published = _when(message.stamp, order)
        meta: dict[str, Any] = {
            "source": source,
            "published": published,
            "sensitivity": SENSITIVITY,
            "sender": sender,
            "line": message.line,
            "date_order": f"{order} (assumed)" if assumed else order,
            "media": media or None,
        }
        parsed = document(f"{name}#{message.line}", original, text, meta)
    except Rejected as rejected:
        return IngestError(name, f"line {message.line}: {rejected.reason}")
    parsed.extra.update(container)
    parsed.protected_names = (sender,)
    return parsed


def _when(stamp: dict[str, str | None], order: str) -> str:
    a, b = int(stamp["a"] or 0), int(stamp["b"] or 0)
    day, month = (a, b) if order == "day-first" else (b, a)
    year = int(stamp["year"] or 0)
    year += 2000 if year < 100 else 0
    hour = int(stamp["hour"] or 0)
    half = (stamp.get("half") or "").lower().replace(".", "").replace(" ", "")
    if half:
        hour = hour % 12 + (12 if half == "pm" else 0)
    try:
        when = dt.datetime(
            year, month, day, hour, int(stamp["minute"] or 0), int(stamp.get("second") or 0)
        )
    except ValueError as exc:
        raise Rejected(f"the time stamp is not a real date and time ({exc})") from None
    return when.isoformat()
