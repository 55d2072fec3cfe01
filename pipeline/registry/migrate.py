"""Schema state and upgrades: Alembic revisions shipped in `pipeline/registry/migrations/`.

A new, empty registry gets the current tables at once (and is stamped with the newest revision);
an older registry is upgraded only by `dak db upgrade`, so nobody's records change shape without
them asking; a registry written by a newer dak is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import insert, inspect, text
from sqlalchemy.engine import Connection

from pipeline.errors import RegistryError
from pipeline.registry import audit, pg_writer, search
from pipeline.registry.schema import SCHEMA_VERSION, Base, SchemaVersion

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
FIRST_REVISION = "0001"  # the schema made by dak before Alembic (schema_version 1, no alembic_version)
SCHEMA_LOCK_KEY = 0x64616B_736368656D  # "dak" "schem": serialises schema changes on PostgreSQL


class SchemaTooNewError(RegistryError):
    """The registry was written by a newer dak."""


class SchemaOutdatedError(RegistryError):
    """The registry needs `dak db upgrade` before this dak can use it."""


@dataclass(frozen=True)
class SchemaState:
    revision: str | None  # Alembic revision, None for an empty database
    head: str  # the newest revision this dak knows

    @property
    def current(self) -> bool:
        return self.revision == self.head


def _config(conn: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


@cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head() -> str:
    revision = _script().get_current_head()
    assert revision is not None
    return revision


def known(revision: str) -> bool:
    return revision in {s.revision for s in _script().walk_revisions()}


def lock(conn: Connection) -> None:
    """Serialise schema work between processes (SQLite: the caller's BEGIN IMMEDIATE already does)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})


def revision_of(conn: Connection) -> str | None:
    """The registry's revision: Alembic's stamp, FIRST_REVISION for a pre-Alembic registry, None if empty."""
    tables = set(inspect(conn).get_table_names())
    if "alembic_version" in tables:
        revision = MigrationContext.configure(conn).get_current_revision()
        if revision is not None:
            return revision
    if "receipts" in tables or "schema_version" in tables:
        return FIRST_REVISION
    return None


def check(conn: Connection, url: str) -> SchemaState:
    """The registry's state; SchemaTooNewError if a newer dak wrote it."""
    state = SchemaState(revision_of(conn), head())
    stored = None
    if inspect(conn).has_table(SchemaVersion.__tablename__):
        stored = conn.execute(text("SELECT version FROM schema_version WHERE id = 1")).scalar()
    if (state.revision is not None and not known(state.revision)) or (stored or 0) > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"The registry at {url} has schema version {stored} (revision {state.revision}), newer than "
            f"this dak understands ({SCHEMA_VERSION}, revision {state.head}). Upgrade dak before using "
            "this registry."
        )
    return state


def ensure_usable(conn: Connection, url: str) -> None:
    """Inside a write transaction: create a new registry, or refuse an older or newer one."""
    lock(conn)
    state = check(conn, url)
    if state.revision is None:
        Base.metadata.create_all(conn)
        search.create_index(conn)
        pg_writer.install(conn)
        audit.start_chain(conn)
        conn.execute(insert(SchemaVersion).values(id=1, version=SCHEMA_VERSION, updated_at=datetime.now(UTC)))
        command.stamp(_config(conn), "head")
    elif not state.current:
        raise SchemaOutdatedError(
            f"The registry at {url} has an older schema (revision {state.revision}; this dak needs "
            f"{state.head}). Back it up, then run `dak db upgrade`."
        )


def upgrade(conn: Connection, url: str) -> tuple[str | None, str]:
    """Inside a write transaction: migrate the registry to the newest revision; (before, after)."""
    lock(conn)
    state = check(conn, url)
    if state.revision is None:
        ensure_usable(conn, url)
        return None, state.head
    if state.current:
        return state.revision, state.head
    cfg = _config(conn)
    if not inspect(conn).has_table("alembic_version"):
        command.stamp(cfg, FIRST_REVISION)
    command.upgrade(cfg, "head")
    return state.revision, state.head
