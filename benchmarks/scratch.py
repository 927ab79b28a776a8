"""A scratch PostgreSQL schema for a benchmark run, dropped afterwards (shared by the
benchmarks that take ``--postgres URL``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from marsad.config import database_url


def postgres_scratch(url: str) -> Iterator[str]:
    """Yield a database URL whose search path is a new schema on ``url``'s server."""
    import psycopg

    schema = "bench_" + uuid.uuid4().hex[:10]
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    base = database_url(url)
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
