"""Shared fixtures. Store tests run on SQLite always and on PostgreSQL when
``MARSAD_TEST_POSTGRES_URL`` is set (CI sets it); each PostgreSQL test gets its own schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from marsad.config import database_url
from marsad.store import Store
from paths import REPO
from postgres_schema import POSTGRES_URL, postgres_schema_url


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
    yield from postgres_schema_url()


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


EXAMPLES = REPO / "examples" / "reports"
