"""alerts: rule sets loaded by ``marsad alerts rules`` and the alerts they raised

Revision ID: 0010
Revises: 0009

``alert_rule_sets`` keeps every rule set loaded (the newest is in force); ``alerts`` holds one
row per rule and subject (an incident, or a window group of incidents), unique on the pair so
that re-running resolution never raises the same alert twice. See ``marsad.alerts``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_rule_sets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("rule_set_id", sa.Integer(), sa.ForeignKey("alert_rule_sets.id"), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("incident_ids", sa.JSON(), nullable=False),
        sa.Column("sensitivity", sa.String(length=16), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("deliveries", sa.JSON(), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("rule", "subject", name="uq_alerts_rule_subject"),
    )
    op.create_index("ix_alerts_rule_set_id", "alerts", ["rule_set_id"])
    op.create_index("ix_alerts_sensitivity", "alerts", ["sensitivity"])


def downgrade() -> None:
    op.drop_table("alerts")
    op.drop_table("alert_rule_sets")
