"""Diary numbers: the format from config, and the gapless per-office/series/year counter."""

from __future__ import annotations

from string import Formatter

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

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


def next_seq(session: Session, office: str, series: str, year: int) -> int:
    """Take the next number for office+series+year inside the caller's write transaction.

    The counter row is created if missing, then locked (FOR UPDATE on PostgreSQL; SQLite already
    holds the database write lock from BEGIN IMMEDIATE), so no two transactions read the same value.
    If the transaction rolls back, so does the increment: no number is burnt.
    """
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(DiaryCounter)
        .values(office=office, series=series, year=year, last_seq=0)
        .on_conflict_do_nothing(index_elements=["office", "series", "year"])
    )
    key = (DiaryCounter.office == office, DiaryCounter.series == series, DiaryCounter.year == year)
    last = session.scalar(select(DiaryCounter.last_seq).where(*key).with_for_update())
    if last is None:  # pragma: no cover - the row was inserted just above
        raise RuntimeError("diary counter row vanished inside its transaction")
    seq = last + 1
    session.execute(update(DiaryCounter).where(*key).values(last_seq=seq))
    return seq
