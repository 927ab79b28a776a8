"""The feeds a store follows and the items already read from them (tables ``feeds`` and
``feed_items``, migration 0009).

Documents read from a feed go in through :meth:`Store.add_document` like any other; this
module only keeps where each feed is, its validators for conditional requests, and which item
versions were already stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from marsad.store.db import Lock, lock_transaction
from marsad.store.models import Feed, FeedItem
from marsad.store.store import Store


@dataclass(frozen=True)
class FeedRecord:
    id: int
    location: str
    kind: str  # "url" or "file"
    title: str | None
    etag: str | None
    last_modified: str | None
    added_at: datetime
    polled_at: datetime | None
    status: str  # "new", "ok", "not modified" or "error"
    error: str | None
    documents: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "location": self.location,
            "kind": self.kind,
            "title": self.title,
            "etag": self.etag,
            "last_modified": self.last_modified,
            "added_at": self.added_at.isoformat(),
            "polled_at": self.polled_at.isoformat() if self.polled_at else None,
            "status": self.status,
            "error": self.error,
            "documents": self.documents,
        }


@dataclass(frozen=True)
class PollOutcome:
    """What one poll of one feed leaves in the store's record of it."""

    status: str
    error: str | None = None
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    documents: int = 0  # documents newly stored from the feed in this poll


def _record(row: Feed) -> FeedRecord:
    return FeedRecord(
        id=row.id,
        location=row.location,
        kind=row.kind,
        title=row.title,
        etag=row.etag,
        last_modified=row.last_modified,
        added_at=row.added_at,
        polled_at=row.polled_at,
        status=row.status,
        error=row.error,
        documents=row.documents,
    )


def add_feed(store: Store, location: str, kind: str) -> tuple[FeedRecord, bool]:
    """The feed at ``location``, added unless it is there already (then ``False``)."""
    with store.transaction() as session:
        lock_transaction(session, Lock.ORIGINALS)
        # locations are sealed in an encrypted store, so they are compared here, not in SQL
        for row in session.execute(select(Feed)).scalars():
            if row.location == location:
                return _record(row), False
        row = Feed(
            location=location,
            kind=kind,
            added_at=datetime.now(UTC),
            status="new",
            documents=0,
        )
        session.add(row)
        session.flush()
        return _record(row), True


def list_feeds(store: Store) -> list[FeedRecord]:
    with store.reading() as session:
        rows = session.execute(select(Feed).order_by(Feed.id)).scalars()
        return [_record(row) for row in rows]


def item_seen(store: Store, feed_id: int, item_key: str, text_sha256: str) -> bool:
    with store.reading() as session:
        found = session.execute(
            select(FeedItem.id).where(
                FeedItem.feed_id == feed_id,
                FeedItem.item_key == item_key,
                FeedItem.text_sha256 == text_sha256,
            )
        ).first()
        return found is not None


def record_item(
    store: Store, feed_id: int, item_key: str, text_sha256: str, document_id: str
) -> None:
    """Remember that this version of the item is stored as ``document_id`` (once)."""
    with store.transaction() as session:
        lock_transaction(session, Lock.ORIGINALS)
        exists = session.execute(
            select(FeedItem.id).where(
                FeedItem.feed_id == feed_id,
                FeedItem.item_key == item_key,
                FeedItem.text_sha256 == text_sha256,
            )
        ).first()
        if exists is None:
            session.add(
                FeedItem(
                    feed_id=feed_id,
                    item_key=item_key,
                    text_sha256=text_sha256,
                    document_id=document_id,
                    seen_at=datetime.now(UTC),
                )
            )


def record_poll(store: Store, feed_id: int, outcome: PollOutcome) -> None:
    """Write how a poll went. Validators are replaced only by a poll that read the feed: a
    failed poll keeps the old ones, so the next one still asks conditionally."""
    with store.transaction() as session:
        row = session.get(Feed, feed_id)
        if row is None:
            return
        row.polled_at = datetime.now(UTC)
        row.status = outcome.status
        row.error = outcome.error
        row.documents += outcome.documents
        if outcome.title:
            row.title = outcome.title[:300]
        if outcome.status == "ok":
            row.etag = outcome.etag
            row.last_modified = outcome.last_modified
