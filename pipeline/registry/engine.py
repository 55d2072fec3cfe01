"""Engines for the registry: SQLite tuned for many writer processes, or PostgreSQL.

On SQLite every write transaction starts with `BEGIN IMMEDIATE`, so the write lock is taken before
the diary counter is read (a deferred transaction could read, then fail to upgrade). This uses
SQLAlchemy's documented pysqlite recipe: the driver's own BEGIN is switched off in a "connect"
event and ours is emitted in a "begin" event.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError

from pipeline.errors import RegistryError

BUSY_TIMEOUT_SECONDS = 30
WRITE_OPTION = "dak_write"  # execution option asking for BEGIN IMMEDIATE on SQLite
SUPPORTED = ("sqlite", "postgresql")


def make_engine(url: str) -> Engine:
    """Open an engine for `url`, creating the SQLite file's folder if needed."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise RegistryError(f"Registry database URL {url!r} is not valid: {exc}") from exc
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED:
        raise RegistryError(
            f"Registry database {backend!r} is not supported; use a sqlite:/// or postgresql+psycopg:// URL."
        )
    if backend == "sqlite":
        return _sqlite_engine(url, parsed.database)
    return create_engine(url, pool_pre_ping=True)


def write_engine(engine: Engine) -> Engine:
    """The same engine (same pool) whose transactions take the write lock at BEGIN on SQLite."""
    return engine.execution_options(**{WRITE_OPTION: True})


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if not database or database == ":memory:":
        raise RegistryError(
            "The registry needs a SQLite file (sqlite:////path/registry.sqlite3), not memory."
        )
    path = Path(database)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RegistryError(f"Cannot create the registry folder {path.parent}: {exc}") from exc
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see module docstring)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
