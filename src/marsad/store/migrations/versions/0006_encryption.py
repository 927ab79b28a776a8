"""encryption at rest: a settings table that says whether the store is encrypted

Revision ID: 0006
Revises: 0005

``store_settings`` holds named values about the store itself. An encrypted store has two rows:
``encryption`` (the scheme, ``aes-256-gcm/v1``) and ``key_fingerprint`` (derived from the key;
the key itself is never stored). A store without them is plain. See ``marsad.store.crypto``.

Persons written before ``persons.name_key`` existed get it filled here with the canonical form
of their name (what a plain store keeps there), so looking a person up by name finds them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from marsad.protect.names import canonical_name

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ENCRYPTED_PREFIX = "marsad:enc1:"  # crypto.TEXT_PREFIX as of this migration


def upgrade() -> None:
    op.create_table(
        "store_settings",
        sa.Column("name", sa.String(length=64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    persons = sa.table("persons", sa.column("id"), sa.column("name"), sa.column("name_key"))
    conn = op.get_bind()
    rows = conn.execute(sa.select(persons.c.id, persons.c.name).where(persons.c.name_key.is_(None)))
    updates = [
        {"pid": pid, "key": canonical_name(name)[:64]}
        for pid, name in rows
        if name is not None and not name.startswith(_ENCRYPTED_PREFIX)
    ]
    if updates:
        conn.execute(
            persons.update()
            .where(persons.c.id == sa.bindparam("pid"))
            .values(name_key=sa.bindparam("key")),
            updates,
        )


def downgrade() -> None:
    op.drop_table("store_settings")
