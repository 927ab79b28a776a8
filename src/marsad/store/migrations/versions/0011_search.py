"""search: the words of documents, claims and incidents, for ``marsad search``

Revision ID: 0011
Revises: 0010

``search_entries`` holds one row per searchable thing (see ``marsad.store.search``). SQLite
searches it through the FTS5 table ``search_fts``, kept in step by triggers; PostgreSQL through
a GIN index on its ``to_tsvector('simple', ...)``, with a trigram index for partial names where
``pg_trgm`` can be installed. Rows already stored are indexed here, except what an encrypted
store seals (``marsad search --reindex`` with the key indexes those).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from marsad.store.crypto import is_sealed
from marsad.store.search import joined_terms, word_keys

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_TRIGGERS = (
    """CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN
    INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END""",
    """CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN
    INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); END""",
)


def upgrade() -> None:
    table = op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("sensitivity", sa.String(length=16), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
    )
    op.create_index("ix_search_entries_owner", "search_entries", ["owner"])
    op.create_index("ix_search_entries_subject", "search_entries", ["kind", "subject"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(terms, content='search_entries',"
            " content_rowid='id')"
        )
        for trigger in _TRIGGERS:
            op.execute(trigger)
    else:
        op.execute(
            "CREATE INDEX ix_search_entries_terms ON search_entries"
            " USING gin (to_tsvector('simple', terms))"
        )
        _trigram_index(bind)
    rows = [r for r in _existing(bind) if r is not None]
    if rows:
        op.bulk_insert(table, rows)


def _trigram_index(bind: Any) -> None:
    # CREATE EXTENSION needs a privileged role: without it search works, only slower on names
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        bind.execute(
            sa.text(
                "CREATE INDEX ix_search_entries_trgm ON search_entries"
                " USING gin (terms gin_trgm_ops)"
            )
        )
        savepoint.commit()
    except sa.exc.DBAPIError:
        savepoint.rollback()


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else (value or {})


def _entry(kind: str, subject: str, sensitivity: str, texts: list[Any], owner: Any = None) -> Any:
    if any(is_sealed(t) for t in texts):
        return None
    keys = [k for t in texts if isinstance(t, str) for k in word_keys(t)]
    if not keys:
        return None
    return {
        "kind": kind,
        "subject": subject,
        "owner": owner,
        "sensitivity": sensitivity,
        "terms": joined_terms(keys),
    }


def _existing(bind: Any) -> Any:
    q = "SELECT id, title, text, sensitivity FROM documents"
    for doc_id, title, body, level in bind.execute(sa.text(q)):
        yield _entry("document", doc_id, level, [title or "", body])
    q = "SELECT id, document_id, data, sensitivity FROM claims WHERE superseded = :no"
    for claim_id, doc_id, data, level in bind.execute(sa.text(q), {"no": False}):
        if is_sealed(data):
            continue
        evidence = _json(data).get("evidence") or {}
        yield _entry("claim", str(claim_id), level, [evidence.get("text") or ""], doc_id)
    q = "SELECT id, place_name, data, sensitivity FROM incidents"
    for incident_id, place, data, level in bind.execute(sa.text(q)):
        if is_sealed(data):
            continue
        record = _json(data)
        texts = [place or "", record.get("notes") or ""]
        for s in record.get("sources") or []:
            texts += [s.get("title") or "", s.get("excerpt") or ""]
        yield _entry("incident", str(incident_id), level, texts)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_entries")
