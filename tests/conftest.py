"""Shared fixtures. Store tests run on SQLite always and on PostgreSQL when
``MARSAD_TEST_POSTGRES_URL`` is set (CI sets it); each PostgreSQL test gets its own schema."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from marsad.config import database_url
from marsad.store import Store

POSTGRES_URL = os.environ.get("MARSAD_TEST_POSTGRES_URL")


def _postgres_schema_url() -> Iterator[str]:
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


@pytest.fixture(autouse=True)
def _fresh_cli_options() -> Iterator[None]:
    """``marsad --key-file`` is set per invocation of the root command; tests that run a
    command through an app of their own must not inherit one from an earlier test."""
    from marsad.cli import GlobalOptions

    GlobalOptions.reset()
    yield
    GlobalOptions.reset()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL for an empty database on each backend."""
    if request.param == "sqlite":
        yield database_url(str(tmp_path / "marsad.db"))
        return
    if not POSTGRES_URL:
        pytest.skip("MARSAD_TEST_POSTGRES_URL not set")
    yield from _postgres_schema_url()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store(store_url)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    s = Store(database_url(str(tmp_path / "marsad.db")))
    try:
        yield s
    finally:
        s.close()


REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "reports"
