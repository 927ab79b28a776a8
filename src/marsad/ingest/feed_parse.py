"""An RSS or Atom feed's bytes into one document per item, or a named reason why not.

feedparser reads the feed; before it does, the XML is screened with defusedxml, since a feed
never needs entity declarations and they are the form of entity-expansion ("billion laughs")
and external-entity attacks. Each item's original, for custody, is its own entry as feedparser
read it, serialised as canonical JSON: the same item read twice gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import feedparser
from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as screen_xml

from marsad.ingest import limits
from marsad.ingest.html_text import html_to_text
from marsad.ingest.language import detect_language
from marsad.ingest.limits import LimitError

FEED_MEDIA_TYPE = "application/json"  # the serialised entry, not the feed's XML
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class FeedError(Exception):
    """The whole feed cannot be read; the message says why."""


class _ItemRejected(ValueError):
    """One item cannot be a document; the others still go in."""


@dataclass(frozen=True)
class FeedEntry:
    """One item ready for the store."""

    key: str  # SHA-256 of the item's guid, else of its link, else of its title and text
    ident: str  # the guid or link itself, to name the item in messages
    original: bytes
    text: str
    title: str | None
    url: str | None
    published: str | None
    language: str

    @property
    def text_sha256(self) -> str:
        return _sha256(f"{self.title or ''}\x1f{self.text}".encode())


@dataclass
class ParsedFeed:
    title: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # items left out, each with its reason


def parse_feed(data: bytes, *, content_type: str | None = None) -> ParsedFeed:
    """The feed's title and items; raises :class:`FeedError` when it is not a feed at all."""
    if not data.strip():
        raise FeedError("empty: the response has no content")
    well_formed = _screen(data, content_type)
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    if not parsed.get("version"):
        problem = "" if well_formed else f": not XML ({_bozo(parsed)})"
        raise FeedError(f"not an RSS or Atom feed{problem}")
    channel = parsed.get("feed", {})
    title = " ".join(str(channel.get("title") or "").split())[: limits.MAX_SOURCE_CHARS] or None
    language = limits.language_code(str(channel.get("language") or ""))
    feed = ParsedFeed(title=title)
    for number, entry in enumerate(parsed.get("entries", []), start=1):
        try:
            feed.entries.append(_entry(entry, language))
        except (LimitError, _ItemRejected) as exc:
            feed.errors.append(f"item {number} ({_ident(entry) or 'no guid'}): {exc}")
    return feed


def _screen(data: bytes, content_type: str | None) -> bool:
    """Whether the bytes are well-formed XML; raises for HTML pages and hostile XML."""
    try:
        screen_xml(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except EntitiesForbidden:
        raise FeedError(_HOSTILE) from None
    except ExternalReferenceForbidden:
        raise FeedError("refused: the XML refers to an external DTD or entity") from None
    except DefusedXmlException as exc:
        raise FeedError(f"refused: {exc}") from None
    except ParseError:
        if _looks_like_html(data, content_type):
            raise FeedError(
                "an HTML page, not an RSS or Atom feed (add the feed's own address: look for "
                '<link rel="alternate" type="application/rss+xml"> in the page)'
            ) from None
        # the loose parser feedparser falls back on must never see a declaration either
        if b"<!entity" in data[:65536].lower():
            raise FeedError(_HOSTILE) from None
        return False
    return True


_HOSTILE = (
    "refused: the XML declares entities (<!ENTITY ...>), the form of an entity-expansion "
    "attack; a feed needs none"
)


def _looks_like_html(data: bytes, content_type: str | None) -> bool:
    if content_type and content_type.split(";")[0].strip().lower() in _HTML_TYPES:
        return True
    head = data[:2048].lstrip().lower()
    return head.startswith(b"<!doctype html") or b"<html" in head


def _bozo(parsed: Mapping[str, Any]) -> str:
    exc = parsed.get("bozo_exception")
    return " ".join(str(exc).split())[:200] if exc else "unreadable"


def _entry(entry: Mapping[str, Any], feed_language: str | None) -> FeedEntry:
    text = _text(entry)
    if not text:
        raise _ItemRejected("has no text (neither content nor summary)")
    title = " ".join(html_to_text(str(entry.get("title") or "")).text.split()) or None
    url = str(entry.get("link") or "").strip() or None
    ident = _ident(entry)
    limits.check_values([text, title, url])
    key_source = f"guid:{ident}" if ident else f"text:{title or ''}\x1f{text}"
    return FeedEntry(
        key=_sha256(key_source.encode()),
        ident=ident or "",
        original=serialise(entry),
        text=text,
        title=title,
        url=url,
        published=_published(entry),
        language=feed_language or detect_language(text),
    )


def _ident(entry: Mapping[str, Any]) -> str:
    return str(entry.get("id") or entry.get("link") or "").strip()


def _text(entry: Mapping[str, Any]) -> str:
    """The item's content, else its summary, as plain text with one paragraph per line."""
    parts = [c for c in entry.get("content") or [] if str(c.get("value") or "").strip()]
    if parts:
        chosen = parts[0]
        value, kind = str(chosen.get("value")), str(chosen.get("type") or "text/html")
    else:
        detail = entry.get("summary_detail") or {}
        value, kind = str(entry.get("summary") or ""), str(detail.get("type") or "text/html")
    if kind in _HTML_TYPES:
        # line breaks in markup are spaces to a reader; html_text would keep them as lines
        return html_to_text(" ".join(value.split())).text
    lines = (" ".join(line.split()) for line in value.splitlines())
    return "\n".join(line for line in lines if line)


def _published(entry: Mapping[str, Any]) -> str | None:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if not isinstance(stamp, time.struct_time):
        return None
    try:
        return dt.datetime(*stamp[:6], tzinfo=dt.UTC).isoformat()
    except ValueError:
        return None


def serialise(entry: Mapping[str, Any]) -> bytes:
    """The entry as canonical JSON (sorted keys, UTF-8): its bytes depend on nothing else."""
    return json.dumps(
        _plain(entry), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, time.struct_time):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    return str(value)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
