"""A scratch PostgreSQL schema per test when ``MARSAD_TEST_POSTGRES_URL`` is set (CI sets it).

A module of its own so that test files can import it by one unambiguous name (``conftest`` is
also the name of ``tests/browser/conftest.py``)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

from marsad.config import database_url

POSTGRES_URL = os.environ.get("MARSAD_TEST_POSTGRES_URL")


def postgres_schema_url() -> Iterator[str]:
    import psycopg

    assert POSTGRES_URL
    schema = "t_" + uuid.uuid4().hex[:12]
    plain = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    base = database_url(POSTGRES_URL)
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
