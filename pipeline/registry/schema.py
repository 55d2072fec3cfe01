"""The registry's tables: receipts, diary counters, the hash-chained audit log and the schema version.

Declared with SQLAlchemy 2 typed mappings so the same models serve SQLite and PostgreSQL, and so
Alembic can later autogenerate migrations from `Base.metadata`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

SCHEMA_VERSION = 1  # bump with every migration; a registry written by a newer dak is refused


class UtcDateTime(TypeDecorator[datetime]):
    """A tz-aware timestamp stored as UTC and read back as UTC (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("registry timestamps must be timezone-aware")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON, list[str]: JSON}


class SchemaVersion(Base):
    """One row: the schema version this registry was written with (Alembic takes over later)."""

    __tablename__ = "schema_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int]
    updated_at: Mapped[datetime]


class DiaryCounter(Base):
    """The last diary sequence number given out per office, series and year."""

    __tablename__ = "diary_counters"

    office: Mapped[str] = mapped_column(String(32), primary_key=True)
    series: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class ReceiptRow(Base):
    """One diarised inward letter."""

    __tablename__ = "receipts"
    __table_args__ = (Index("ix_receipts_diary_order", "year", "office", "series", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    diary_no: Mapped[str] = mapped_column(String(128), unique=True)
    office: Mapped[str] = mapped_column(String(32))
    series: Mapped[str] = mapped_column(String(32))
    year: Mapped[int]
    seq: Mapped[int]
    received_at: Mapped[datetime]
    received_utc_offset: Mapped[int]  # minutes east of UTC, to give received_at back in office time
    diarised_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    pages: Mapped[int]
    language: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(32))
    security: Mapped[str] = mapped_column(String(32))
    section: Mapped[str | None] = mapped_column(String(128))
    letter_no: Mapped[str | None] = mapped_column(Text)
    letter_date: Mapped[date | None] = mapped_column(Date)
    subject: Mapped[str | None] = mapped_column(Text)
    sender: Mapped[str | None] = mapped_column(Text)
    references: Mapped[list[str]] = mapped_column("references", JSON, default=list)
    file_no: Mapped[str | None] = mapped_column(String(128))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="diarised")
    needs_review: Mapped[bool]
    ocr_confidence: Mapped[float] = mapped_column(Float)
    category_confidence: Mapped[float] = mapped_column(Float)
    ocr_text: Mapped[str] = mapped_column(Text)
    output: Mapped[str | None] = mapped_column(Text)
    output_sha256: Mapped[str | None] = mapped_column(String(64))


class AuditEvent(Base):
    """An append-only log entry; `hash` covers `prev_hash` and the event, so edits break the chain."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
