"""incident date span and area index: two-sided period ranges, area-filtered pages

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("date_span_days", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        span = "GREATEST(COALESCE(date_end - date_start, 0), 0)"
    else:
        span = "MAX(COALESCE(CAST(julianday(date_end) - julianday(date_start) AS INTEGER), 0), 0)"
    op.execute(f"UPDATE incidents SET date_span_days = {span}")
    op.create_index("ix_incidents_date_span_days", "incidents", ["date_span_days"])
    op.create_index(
        "ix_incidents_area_page", "incidents", ["sensitivity", "admin1_pcode", "date_start", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_incidents_area_page", table_name="incidents")
    op.drop_index("ix_incidents_date_span_days", table_name="incidents")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("date_span_days")
