"""checkpoints: signed ledger heads and their RFC 3161 time-stamp tokens

Revision ID: 0007
Revises: 0006

``checkpoints`` keeps each signed checkpoint (``marsad checkpoint``): the ledger sequence
number and entry hash it covers, how many entries there were, the signing key's fingerprint,
and the statement itself exactly as written to the file (its JSON is what the signature
covers). ``checkpoint_timestamps`` keeps each time-stamp query made for a checkpoint, with its
nonce, and, once a time-stamping authority answered, the response, the time it vouches for
and the certificates it was checked against. See ``marsad.custody``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkpoints",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("entries", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("key_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
    )
    op.create_index("ix_checkpoints_seq", "checkpoints", ["seq"])
    op.create_table(
        "checkpoint_timestamps",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("checkpoint_id", sa.Integer(), sa.ForeignKey("checkpoints.id"), nullable=False),
        sa.Column("request", sa.LargeBinary(), nullable=False),
        sa.Column("nonce", sa.String(length=80), nullable=True),
        sa.Column("requested_at", sa.String(length=40), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=True),
        sa.Column("gen_time", sa.String(length=40), nullable=True),
        sa.Column("tsa_name", sa.Text(), nullable=True),
        sa.Column("tsa_certificates", sa.Text(), nullable=True),
        sa.Column("verified_at", sa.String(length=40), nullable=True),
    )
    op.create_index(
        "ix_checkpoint_timestamps_checkpoint_id", "checkpoint_timestamps", ["checkpoint_id"]
    )


def downgrade() -> None:
    op.drop_table("checkpoint_timestamps")
    op.drop_table("checkpoints")
