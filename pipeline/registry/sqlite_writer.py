"""Diarising on SQLite without SQLAlchemy's per-statement overhead.

SQLite has no round trips, so once the write lock is held (BEGIN IMMEDIATE) a receipt costs its
statements' Python overhead plus the commit's fsync. These statements are rendered once by
SQLAlchemy from the models, with the models' own type conversions (timestamps, dates, JSON), and
then run on the driver's connection inside SQLAlchemy's transaction: the rows are stored exactly
as SQLAlchemy would store them, and driver errors come back as SQLAlchemy errors.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import bindparam, insert
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError

from pipeline.errors import RegistryError
from pipeline.registry.audit import chain
from pipeline.registry.diary import _TAKE_SQLITE
from pipeline.registry.schema import AuditEvent, ReceiptRow
from pipeline.registry.search import INDEXED_UP_TO

_HEAD = "SELECT hash FROM audit_head WHERE id = 1"
_ADVANCE = "UPDATE audit_head SET events = events + ?, hash = ? WHERE id = 1"
_SEEN = "SELECT 1 FROM receipts WHERE sha256 = ?"

Processor = Callable[[Any], Any] | None


class _Statement:
    """A statement rendered for SQLite with positional parameters, and each parameter's converter."""

    def __init__(self, statement: Any, dialect: Dialect, types: dict[str, Any]) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        names = list(compiled.positiontup or ())
        self.params: list[tuple[str, Processor]] = [
            (name, types[name].dialect_impl(dialect).bind_processor(dialect) if name in types else None)
            for name in names
        ]

    def args(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(values[name] if proc is None else proc(values[name]) for name, proc in self.params)


class SqliteWriter:
    """The diarise statements for one SQLite registry (built once per Registry)."""

    def __init__(self, dialect: Dialect) -> None:
        receipts = ReceiptRow.__table__
        columns = [c for c in receipts.c if c.name != "id"]
        self._receipt = _Statement(
            insert(ReceiptRow).values({c.name: bindparam(c.name) for c in columns}).returning(receipts.c.id),
            dialect,
            {c.name: c.type for c in columns},
        )
        events = AuditEvent.__table__
        event_columns = [c for c in events.c if c.name != "id"]
        self._event = _Statement(
            insert(AuditEvent).values({c.name: bindparam(c.name) for c in event_columns}),
            dialect,
            {c.name: c.type for c in event_columns},
        )
        self._take = _Statement(_TAKE_SQLITE, dialect, {})

    def seen(self, conn: Connection, sha256: str) -> bool:
        return self._run(conn, _SEEN, (sha256,)).fetchone() is not None

    def next_seq(self, conn: Connection, office: str, series: str, year: int, count: int) -> int:
        values = {"office": office, "series": series, "year": year, "count": count}
        return int(self._run(conn, self._take.sql, self._take.args(values)).fetchone()[0])

    def insert_receipt(self, conn: Connection, values: dict[str, Any]) -> int:
        """The receipt's row; its search entry comes with the next batch (`search.index_pending`)."""
        return int(self._run(conn, self._receipt.sql, self._receipt.args(values)).fetchone()[0])

    def indexed_up_to(self, conn: Connection) -> int:
        """The highest receipt id in the search index (every receipt up to it is indexed)."""
        row = self._run(conn, INDEXED_UP_TO, ()).fetchone()
        return int(row[0]) if row else 0

    def append_events(self, conn: Connection, events: Sequence[Any]) -> None:
        head = self._run(conn, _HEAD, ()).fetchone()
        if head is None:
            raise RegistryError("The registry's audit log has no head row; run `dak db upgrade`.")
        rows, last = chain(head[0], list(events))
        for row in rows:
            self._run(conn, self._event.sql, self._event.args(row))
        self._run(conn, _ADVANCE, (len(rows), last))

    @staticmethod
    def _run(conn: Connection, sql: str, args: tuple[Any, ...]) -> sqlite3.Cursor:
        driver = conn.connection.driver_connection
        assert driver is not None
        try:
            return driver.execute(sql, args)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(sql, args, exc, sqlite3.Error) from exc
