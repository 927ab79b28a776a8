"""Poll the feeds a store follows: each new item becomes one document, stored like any
ingested file (original, record and ledger entry in one transaction, through
:meth:`Store.add_document`).

An item already read is known by its key and the hash of its text (``feed_items``), and its
serialised entry is content-addressed like every original, so polling twice stores nothing
twice; an item whose text changed is a new version and is stored beside the old one. A feed
that cannot be read is named with its reason and the other feeds are still polled. The
validators (ETag, Last-Modified) are saved only after every item of the poll was handled, so a
poll cut short asks for the whole feed again next time.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from marsad.contract.document import NewDocument
from marsad.ingest.feed_fetch import FetchError, fetch_feed
from marsad.ingest.feed_parse import FEED_MEDIA_TYPE, FeedEntry, FeedError, parse_feed
from marsad.store import AddResult, Store
from marsad.store.crypto import KeyRequiredError
from marsad.store.feeds import (
    FeedRecord,
    PollOutcome,
    add_feed,
    item_seen,
    list_feeds,
    record_item,
    record_poll,
)

DEFAULT_TIMEOUT = 20.0


@dataclass
class FeedPoll:
    """How one feed's poll went."""

    location: str
    status: str = "ok"  # "ok", "not modified" or "error"
    stored: int = 0
    duplicates: int = 0  # items already stored
    errors: list[str] = field(default_factory=list)  # the feed's error, or its items' errors

    def as_dict(self) -> dict[str, object]:
        return {
            "location": self.location,
            "status": self.status,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "errors": self.errors,
        }


@dataclass
class PollReport:
    feeds: list[FeedPoll] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return sum(f.stored for f in self.feeds)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.feeds)

    @property
    def errors(self) -> list[str]:
        return [f"{f.location}: {e}" for f in self.feeds for e in f.errors]

    @property
    def exit_code(self) -> int:
        """0 every feed was read, 1 some feeds or items were not, 2 no feed could be read."""
        if not any(f.status != "error" for f in self.feeds):
            return 2
        return 1 if self.errors else 0

    def as_dict(self) -> dict[str, object]:
        return {
            "stored": self.stored,
            "duplicates": self.duplicates,
            "errors": self.errors,
            "feeds": [f.as_dict() for f in self.feeds],
        }


def locate(argument: str) -> tuple[str, str]:
    """``(location, kind)`` for what ``marsad feeds add`` was given: an http(s) URL, or a local
    file (kept as its absolute path)."""
    scheme = urlsplit(argument).scheme.lower()
    if scheme in ("http", "https"):
        if not urlsplit(argument).netloc:
            raise FeedError(f"{argument}: a URL needs a host, e.g. https://example.org/feed.xml")
        return argument, "url"
    path = Path(argument).expanduser()
    if scheme in ("", "file") and path.is_file():
        return os.path.abspath(path), "file"
    raise FeedError(
        f"{argument}: neither an http(s) URL nor a readable file (other schemes are not fetched)"
    )


def add(store: Store, argument: str) -> tuple[FeedRecord, bool]:
    location, kind = locate(argument)
    return add_feed(store, location, kind)


def poll_feeds(
    store: Store,
    *,
    actor: str,
    max_bytes: int,
    timeout: float = DEFAULT_TIMEOUT,
    on_feed: Callable[[FeedPoll], None] | None = None,
) -> PollReport:
    """Poll every feed the store follows, one after the other."""
    report = PollReport()
    for feed in list_feeds(store):
        result = poll_feed(store, feed, actor=actor, max_bytes=max_bytes, timeout=timeout)
        report.feeds.append(result)
        if on_feed is not None:
            on_feed(result)
    return report


def poll_feed(
    store: Store, feed: FeedRecord, *, actor: str, max_bytes: int, timeout: float
) -> FeedPoll:
    result = FeedPoll(feed.location)
    try:
        fetched = fetch_feed(
            feed.location,
            feed.kind,
            etag=feed.etag,
            last_modified=feed.last_modified,
            timeout=timeout,
            max_bytes=max_bytes,
        )
        if fetched.not_modified:
            result.status = "not modified"
            record_poll(store, feed.id, PollOutcome("not modified"))
            return result
        parsed = parse_feed(fetched.body, content_type=fetched.content_type)
    except (FetchError, FeedError) as exc:
        result.status = "error"
        result.errors.append(str(exc))
        record_poll(store, feed.id, PollOutcome("error", error=str(exc)))
        return result
    source = parsed.title or feed.title or urlsplit(feed.location).netloc or None
    container = hashlib.sha256(fetched.body).hexdigest()
    for entry in parsed.entries:
        _store_entry(store, feed, entry, source, container, actor, result)
    result.errors += parsed.errors
    outcome = PollOutcome(
        "ok",
        error="; ".join(result.errors)[:2000] or None,
        title=parsed.title,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        documents=result.stored,
    )
    record_poll(store, feed.id, outcome)
    return result


def _store_entry(
    store: Store,
    feed: FeedRecord,
    entry: FeedEntry,
    source: str | None,
    container: str,
    actor: str,
    result: FeedPoll,
) -> None:
    if item_seen(store, feed.id, entry.key, entry.text_sha256):
        result.duplicates += 1
        return
    name = f"{feed.location}#{entry.ident or entry.key[:16]}"
    document = NewDocument(
        original=entry.original,
        original_name=name,
        media_type=FEED_MEDIA_TYPE,
        text=entry.text,
        title=entry.title,
        source=source,
        url=entry.url,
        published=entry.published,
        language=entry.language,
        extra={"feed": feed.location, "guid": entry.ident, "feed_sha256": container},
    )
    try:
        added: AddResult = store.add_document(document, actor=actor)
        record_item(store, feed.id, entry.key, entry.text_sha256, added.document_id)
    except KeyRequiredError:
        raise  # the whole store is closed to this process, not one item
    except Exception as exc:  # a database error on one item must not end the poll
        cause = getattr(exc, "orig", None) or exc
        first_line = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        ident = entry.ident or entry.key[:16]
        result.errors.append(f"item {ident}: could not be stored: {first_line[:200]}")
        return
    if added.status == "duplicate":
        result.duplicates += 1
    else:
        result.stored += 1
