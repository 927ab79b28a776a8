"""token expiry: every API token and web session has an ``expires_at``

Revision ID: 0008
Revises: 0007

Tokens issued before this revision get the life they would have had: web sessions
``SESSION_HOURS`` (12) and API tokens ``TOKEN_DAYS`` (90) from their creation, so a token that
has been lying around for years stops working once the store is upgraded.
"""

from __future__ import annotations

from datetime import UTC, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_SESSION_LABEL = "web-session"  # accounts.SESSION_LABEL as of this migration
_SESSION_LIFE = timedelta(hours=12)
_TOKEN_LIFE = timedelta(days=90)


def upgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    tokens = sa.table(
        "api_tokens",
        sa.column("id", sa.Integer),
        sa.column("label", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("expires_at", sa.DateTime(timezone=True)),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(tokens.c.id, tokens.c.label, tokens.c.created_at)).all()
    updates = []
    for tid, label, created in rows:
        created = created if created.tzinfo else created.replace(tzinfo=UTC)
        life = _SESSION_LIFE if label == _SESSION_LABEL else _TOKEN_LIFE
        updates.append({"tid": tid, "expires": created + life})
    if updates:
        conn.execute(
            tokens.update()
            .where(tokens.c.id == sa.bindparam("tid"))
            .values(expires_at=sa.bindparam("expires")),
            updates,
        )


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
