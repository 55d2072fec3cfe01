"""Diary numbers: the format from config, and the gapless per-office/series/year counter."""

from __future__ import annotations

from string import Formatter
from typing import Any

from sqlalchemy import Integer, bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from pipeline.errors import ConfigError
from pipeline.registry.schema import DiaryCounter

FIELDS = frozenset({"office", "series", "year", "seq"})


def check_format(diary_format: str) -> None:
    """Refuse a diary format that names unknown fields or could repeat a number (no {seq})."""
    try:
        names = {name for _, name, _, _ in Formatter().parse(diary_format) if name is not None}
    except ValueError as exc:
        raise ConfigError(f"Diary number format {diary_format!r} is not valid: {exc}") from exc
    unknown = names - FIELDS
    if unknown:
        raise ConfigError(
            f"Diary number format {diary_format!r} uses {sorted(unknown)}; "
            "only {office}, {series}, {year} and {seq} are allowed."
        )
    if "seq" not in names:
        raise ConfigError(f"Diary number format {diary_format!r} must contain {{seq}}, e.g. {{seq:06d}}.")


def format_diary_no(diary_format: str, *, office: str, series: str, year: int, seq: int) -> str:
    """The printed diary number, e.g. HSR/2026/000042."""
    check_format(diary_format)
    try:
        return diary_format.format(office=office, series=series, year=year, seq=seq)
    except (ValueError, IndexError) as exc:
        raise ConfigError(f"Diary number format {diary_format!r} cannot be applied: {exc}") from exc


def next_seq(conn: Connection, office: str, series: str, year: int, count: int = 1) -> int:
    """Take the next `count` numbers for office+series+year inside the caller's write transaction;
    the last of them (the first is last - count + 1).

    One statement creates the counter row at `count` or adds `count`, returning the new value. The
    row stays locked until commit (PostgreSQL row lock; SQLite already holds the database write
    lock from BEGIN IMMEDIATE), so no two transactions get the same value; if the transaction
    rolls back, so does the increment: no number is burnt.
    """
    statement = _TAKE_PG if conn.dialect.name == "postgresql" else _TAKE_SQLITE
    params = {"office": office, "series": series, "year": year, "count": count}
    return int(conn.execute(statement, params).scalar_one())


def _take(insert: Any) -> Any:
    table = DiaryCounter.__table__
    statement = insert(table).values(
        office=bindparam("office"),
        series=bindparam("series"),
        year=bindparam("year"),
        last_seq=bindparam("count"),
    )
    return statement.on_conflict_do_update(
        index_elements=["office", "series", "year"],
        set_={"last_seq": table.c.last_seq + bindparam("count", type_=Integer)},
    ).returning(table.c.last_seq)


_TAKE_PG = _take(pg_insert)
_TAKE_SQLITE = _take(sqlite_insert)
