"""indexes for the web application: keyset pages and counts per clearance

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Every read is filtered by sensitivity first, so both indexes lead with it. Without them SQLite
# picks the single-column sensitivity index (two or three distinct values) and sorts or scans
# every visible row, JSON record included, for each page or count.
_STATS_COLUMNS = [
    "sensitivity",
    "date_start",
    "date_end",
    "admin1_pcode",
    "admin1",
    "event_type",
    "grade",
    "killed_best",
    "injured_best",
]


def upgrade() -> None:
    # Pages are newest first, (date_start DESC NULLS LAST, id DESC). PostgreSQL needs the NULLS
    # order spelled out to read the index in that order; SQLite cannot name it in an index, but
    # its DESC order already puts NULLs last and it scans an index either way.
    if op.get_bind().dialect.name == "postgresql":
        page = [sa.text("sensitivity"), sa.text("date_start DESC NULLS LAST"), sa.text("id DESC")]
        op.create_index("ix_incidents_page", "incidents", page)
    else:
        op.create_index("ix_incidents_page", "incidents", ["sensitivity", "date_start", "id"])
    # covers the counts by day, area, type and grade with the killed/injured sums: no table reads
    op.create_index("ix_incidents_stats", "incidents", _STATS_COLUMNS)
    # the same, ordered by when an incident ends: a period starting on D needs only incidents
    # ending on or after D, the narrower range for recent periods (see store/reads.py)
    ends = [sa.text("sensitivity"), sa.text("coalesce(date_end, date_start)")]
    op.create_index(
        "ix_incidents_ends", "incidents", ends + [sa.text(c) for c in _STATS_COLUMNS[1:]]
    )
    op.create_index("ix_person_mentions_document", "person_mentions", ["document_id", "person_id"])


def downgrade() -> None:
    op.drop_index("ix_person_mentions_document", table_name="person_mentions")
    op.drop_index("ix_incidents_ends", table_name="incidents")
    op.drop_index("ix_incidents_stats", table_name="incidents")
    op.drop_index("ix_incidents_page", table_name="incidents")
