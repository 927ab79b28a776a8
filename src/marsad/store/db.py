"""Opening a database: engine settings per backend, and migrations to the current schema."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
READ_ONLY = "marsad_read_only"  # execution option of the engine that Store.reading() uses


def _sqlite_settings(engine: Engine) -> None:
    # pysqlite opens transactions lazily and never as writers; we want every write transaction to
    # take the write lock up front (BEGIN IMMEDIATE) so that ledger appends from two processes
    # serialise instead of failing half-way, and WAL so that readers never block the writer.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Reads take no lock up front: in WAL mode they see a consistent snapshot and never
        # wait for writers or for each other.
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _create_private_file(path: Path) -> None:
    """Create a new database file readable by its owner only, before SQLite creates it with
    the umask's mode (usually world-readable). SQLite gives its ``-wal`` and ``-shm`` files the
    database file's mode. An existing file keeps its mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:" and not path.startswith("file:"):
            _create_private_file(Path(path.split("?", 1)[0]))
        engine = create_engine(url, connect_args={"timeout": 30})
        _sqlite_settings(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is already there)."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def has_schema(engine: Engine) -> bool:
    return "alembic_version" in inspect(engine).get_table_names()
