"""Diary numbers: the format from config, and the gapless per-office/series/year counter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from string import Formatter
from typing import Any

from sqlalchemy import Integer, bindparam
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from pipeline.errors import ConfigError
from pipeline.registry.schema import DiaryCounter

FIELDS = frozenset({"office", "series", "year", "seq"})
_SEQ_SPEC = re.compile(r"(?P<zero>0)?(?P<width>\d+)?d?")  # {seq}, {seq:d}, {seq:6d}, {seq:06d}, {seq:06}


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
    for _, name, spec, conversion in Formatter().parse(diary_format):
        if name == "seq" and (conversion is not None or not _SEQ_SPEC.fullmatch(spec or "")):
            raise ConfigError(
                f"Diary number format {diary_format!r}: the number can only be padded to a width, "
                "with zeros ({seq:06d}) or spaces ({seq:6d})."
            )


def format_diary_no(diary_format: str, *, office: str, series: str, year: int, seq: int) -> str:
    """The printed diary number, e.g. HSR/2026/000042."""
    check_format(diary_format)
    try:
        return diary_format.format(office=office, series=series, year=year, seq=seq)
    except (ValueError, IndexError) as exc:
        raise ConfigError(f"Diary number format {diary_format!r} cannot be applied: {exc}") from exc


@dataclass(frozen=True)
class DiaryTemplate:
    """A diary number with everything but the sequence number filled in, for the database to finish.

    The number is parts[0] + seq + parts[1] + ... + parts[-1], each seq padded on the left with
    pads[i] = (fill, width), exactly as str.format would print it (see `check_format`).
    """

    parts: tuple[str, ...]
    pads: tuple[tuple[str, int], ...]

    def render(self, seq: int) -> str:
        out = [self.parts[0]]
        for (fill, width), part in zip(self.pads, self.parts[1:], strict=True):
            out += [str(seq).rjust(width, fill), part]
        return "".join(out)


def diary_template(diary_format: str, *, office: str, series: str, year: int) -> DiaryTemplate:
    """The diary number for office, series and year, waiting for its sequence number."""
    check_format(diary_format)
    formatter = Formatter()
    parts, pads, current = [], [], ""
    values = {"office": office, "series": series, "year": year}
    try:
        for literal, name, spec, conversion in formatter.parse(diary_format):
            current += literal
            if name is None:
                continue
            if name == "seq":
                match = _SEQ_SPEC.fullmatch(spec or "")
                assert match is not None  # check_format refused anything else
                parts.append(current)
                pads.append(("0" if match["zero"] else " ", int(match["width"] or 0)))
                current = ""
                continue
            value = formatter.convert_field(values[name], conversion)
            current += formatter.format_field(value, spec or "")
    except (ValueError, IndexError) as exc:
        raise ConfigError(f"Diary number format {diary_format!r} cannot be applied: {exc}") from exc
    parts.append(current)
    return DiaryTemplate(tuple(parts), tuple(pads))


def _take(insert: Any) -> Any:
    """Take `count` numbers for office+series+year; returns the last (the first is last - count + 1).

    Creates the counter row at `count` or adds `count`. Run inside the write transaction (SQLite
    holds the database write lock from BEGIN IMMEDIATE; PostgreSQL's `dak_diarise` in pg_writer.py
    does the same with a row lock), so no two transactions get the same value, and a rollback
    takes back the increment: no number is burnt.
    """
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


_TAKE_SQLITE = _take(sqlite_insert)
