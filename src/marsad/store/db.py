"""Opening a database: engine settings per backend, migrations to the current schema, and the
locks that let several processes work on one store at once.

Two kinds of lock (the "Concurrency" section of ``docs/architecture.md`` says which work takes
which):

* :func:`lock_transaction` serialises one check-then-write inside a write transaction. On
  PostgreSQL it is a transaction-level advisory lock; SQLite needs none, since every write
  transaction there holds the database's single write lock from its ``BEGIN IMMEDIATE``.
* :func:`job_lock` keeps a job that spans many transactions (a resolution run) from running
  twice at once: a session-level advisory lock on PostgreSQL, a lock on a file beside the
  database on SQLite. Both go when the process holding them dies.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.orm import Session

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
READ_ONLY = "marsad_read_only"  # execution option of the engine that Store.reading() uses


class Lock(IntEnum):
    """What a lock guards. The number is the first key of PostgreSQL's two-key advisory locks
    (the second is the schema's, so stores in separate schemas of one database do not wait for
    each other) and the byte locked in the SQLite lock file."""

    MIGRATE = 1  # upgrading the schema on open
    RESOLVE = 2  # a resolution run, from reading its state to saving it
    ORIGINALS = 3  # looking for an original or a source, and adding it (ingest, imports)
    PERSONS = 4  # looking for a person by name, and adding them
    CLAIMS = 5  # adding claims (shared), or waiting until no claim is being added (exclusive)
    LEDGER_START = 6  # writing the ledger's first entry, before there is a head row to lock


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
    """Bring the schema to the newest migration (a no-op when it is already there).

    Processes opening a new store together upgrade it one after the other: the second finds
    the schema current and does nothing (on SQLite the transaction's ``BEGIN IMMEDIATE`` makes
    it wait; on PostgreSQL an advisory lock does, since concurrent ``CREATE TABLE``\\ s of one
    name fail there instead of waiting)."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        _lock(connection, Lock.MIGRATE)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


# -- locks -----------------------------------------------------------------------------------

# the second key of an advisory lock: this store's schema (current_schema() is NULL when the
# search path names no schema that exists yet)
_SCHEMA_KEY = "hashtext(coalesce(current_schema(), ''))"


def _lock(connection: Connection, kind: Lock, *, shared: bool = False) -> None:
    if connection.dialect.name != "postgresql":
        return  # SQLite: the transaction already holds the single write lock
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    connection.execute(text(f"SELECT {function}(:kind, {_SCHEMA_KEY})"), {"kind": int(kind)})


def lock_transaction(session: Session, kind: Lock, *, shared: bool = False) -> None:
    """Hold ``kind`` until ``session``'s write transaction ends; ``shared`` holders only wait
    for an exclusive one. Call it before the check whose answer the write depends on: on
    PostgreSQL each later statement sees what the previous holder committed."""
    _lock(session.connection(), kind, shared=shared)


@contextmanager
def job_lock(engine: Engine, kind: Lock) -> Iterator[None]:
    """Hold ``kind`` for a job of many transactions; a second holder waits for the first."""
    if engine.dialect.name == "postgresql":
        with _advisory_session_lock(engine, kind):
            yield
        return
    path = _sqlite_path(engine)
    with _local_lock(path, kind):
        if path is None:  # an in-memory database: no other process can open it
            yield
            return
        with _file_lock(Path(f"{path}-marsad-jobs"), kind):
            yield


@contextmanager
def _advisory_session_lock(engine: Engine, kind: Lock) -> Iterator[None]:
    # a connection of its own, held for the whole job: the job's transactions come and go on
    # others, and the lock stays with this session until it is unlocked or closed
    with engine.connect() as connection:
        key = {"kind": int(kind)}
        connection.execute(text(f"SELECT pg_advisory_lock(:kind, {_SCHEMA_KEY})"), key)
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text(f"SELECT pg_advisory_unlock(:kind, {_SCHEMA_KEY})"), key)
            connection.commit()


def _sqlite_path(engine: Engine) -> str | None:
    database = engine.url.database or ""
    if database in ("", ":memory:") or "mode=memory" in database:
        return None
    return os.path.abspath(database.removeprefix("file:").split("?", 1)[0])


_LOCAL_LOCKS: dict[tuple[str | None, Lock], threading.Lock] = {}
_LOCAL_LOCKS_GUARD = threading.Lock()


@contextmanager
def _local_lock(path: str | None, kind: Lock) -> Iterator[None]:
    # file locks belong to the process, so threads of one process take turns here first
    with _LOCAL_LOCKS_GUARD:
        lock = _LOCAL_LOCKS.setdefault((path, kind), threading.Lock())
    with lock:
        yield


@contextmanager
def _file_lock(path: Path, kind: Lock) -> Iterator[None]:
    """An exclusive lock on byte ``kind`` of ``path`` (created owner-only), released when the
    file is closed, which the system does when the process ends however it ends."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if sys.platform == "win32":
            import msvcrt

            os.lseek(fd, int(kind), os.SEEK_SET)
            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # gives up after ten seconds
                    break
                except OSError:
                    continue
        else:
            import fcntl

            fcntl.lockf(fd, fcntl.LOCK_EX, 1, int(kind))
        yield
    finally:
        os.close(fd)  # closing releases the lock
