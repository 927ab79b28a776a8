"""protection: person aliases and lookup keys, approved public texts

Revision ID: 0005
Revises: 0004

``persons.aliases`` holds the other forms of a protected name an analyst added (Arabic forms,
nicknames); ``persons.name_key`` is a digest of the normalised name, so a person can be found
by name when ``persons.name`` is stored encrypted; ``persons.origin`` says who first named the
person (``extractor`` or ``analyst:<username>``). ``approved_texts`` holds free text (a title,
an excerpt, a note) that an analyst approved, word for word, for public outputs: public forms
show a text only when its SHA-256 is here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("persons") as batch_op:
        batch_op.add_column(sa.Column("aliases", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("name_key", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("origin", sa.String(length=160), nullable=False, server_default="extractor")
        )
        batch_op.create_index("ix_persons_name_key", ["name_key"], unique=False)
    op.create_table(
        "approved_texts",
        sa.Column("sha256", sa.String(length=64), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("approved_by", sa.String(length=120), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("approved_texts")
    with op.batch_alter_table("persons") as batch_op:
        batch_op.drop_index("ix_persons_name_key")
        batch_op.drop_column("origin")
        batch_op.drop_column("name_key")
        batch_op.drop_column("aliases")
