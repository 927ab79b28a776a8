"""feeds: RSS and Atom feeds to poll, and the items already read from them

Revision ID: 0009
Revises: 0008

``feeds`` keeps each feed (``marsad feeds add``): where it is (a URL or a file path, sealed in
an encrypted store), its title, the validators (ETag, Last-Modified) of the last poll, and how
that poll went. ``feed_items`` keeps one row per version of an item already stored (its key
and the hash of its text), so that polling again stores nothing twice. See ``marsad.ingest.feeds``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("documents", sa.Integer(), nullable=False),
    )
    op.create_table(
        "feed_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("feed_id", sa.Integer(), sa.ForeignKey("feeds.id"), nullable=False),
        sa.Column("item_key", sa.String(length=64), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "document_id", sa.String(length=64), sa.ForeignKey("documents.id"), nullable=False
        ),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("feed_id", "item_key", "text_sha256"),
    )
    op.create_index("ix_feed_items_feed_id", "feed_items", ["feed_id"])


def downgrade() -> None:
    op.drop_table("feed_items")
    op.drop_table("feeds")
