"""Where things live: the database URL and the limits, from flags or environment variables."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = "marsad.db"
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
ENV_KEY_FILE = "MARSAD_KEY_FILE"


def database_url(db: str | None = None) -> str:
    """Turn ``--db`` / ``MARSAD_DB`` into an SQLAlchemy URL.

    A plain path means an embedded SQLite file; ``postgresql://...`` is accepted as written by
    most tools and mapped to the psycopg 3 driver.
    """
    value = db or os.environ.get("MARSAD_DB") or DEFAULT_DB
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    if "://" in value:
        return value
    return "sqlite:///" + str(Path(value).expanduser())


def key_file(flag: str | Path | None = None) -> Path | None:
    """The key file that opens an encrypted store: ``--key-file``, else ``$MARSAD_KEY_FILE``;
    None when neither is given (the store is opened without a key)."""
    value = flag or os.environ.get(ENV_KEY_FILE)
    return Path(value).expanduser() if value else None


def max_bytes(flag: int | None = None) -> int:
    if flag is not None:
        return flag
    env = os.environ.get("MARSAD_MAX_BYTES")
    return int(env) if env else DEFAULT_MAX_BYTES
