"""The registry's tables: receipts, e-files, movements, corrections, counters and the audit log.

Declared with SQLAlchemy 2 typed mappings so the same models serve SQLite and PostgreSQL. Changes
go through Alembic migrations (`pipeline/registry/migrations/`); a test checks that the migrations
and these models describe the same schema. The full-text index lives outside the models
(`pipeline/registry/search.py`), because it differs by database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

SCHEMA_VERSION = 3  # bump with every migration; a registry written by a newer dak is refused


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
    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON, list[str]: JSON, list[float]: JSON}


class SchemaVersion(Base):
    """One row: the schema version number (kept beside Alembic's revision, for older dak versions)."""

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
    __table_args__ = (
        Index("ix_receipts_diary_order", "year", "office", "series", "seq"),
        Index("ix_receipts_received_at", "received_at"),
        Index("ix_receipts_status", "status"),
        Index("ix_receipts_section", "section"),
    )

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
    page_confidences: Mapped[list[float | None] | None] = mapped_column(JSON)
    confirmed_at: Mapped[datetime | None]
    confirmed_by: Mapped[str | None] = mapped_column(String(128))


class FileCounter(Base):
    """The last serial number given to an e-file per office, section, head and year."""

    __tablename__ = "file_counters"

    office: Mapped[str] = mapped_column(String(32), primary_key=True)
    section: Mapped[str] = mapped_column(String(128), primary_key=True)
    head: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class EfileRow(Base):
    """An e-file (e-Office file) that receipts are put into."""

    __tablename__ = "efiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_no: Mapped[str] = mapped_column(String(128), unique=True)
    subject: Mapped[str] = mapped_column(Text)
    section: Mapped[str] = mapped_column(String(128))
    head: Mapped[str] = mapped_column(String(32))
    opened_at: Mapped[datetime]
    opened_by: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="open")


class MovementRow(Base):
    """A receipt or e-file marked from one section or officer to another."""

    __tablename__ = "movements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"), index=True)
    efile_id: Mapped[int | None] = mapped_column(ForeignKey("efiles.id"), index=True)
    from_section: Mapped[str | None] = mapped_column(String(128))
    to_section: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(128))
    remarks: Mapped[str | None] = mapped_column(Text)


class CorrectionRow(Base):
    """A field of a receipt changed by a clerk: old and new value, by whom, when."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id"), index=True)
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(128))


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


class AuditHead(Base):
    """One row: the newest audit event's hash and the number of events, so cutting off the end shows.

    Locked by every append (FOR UPDATE on PostgreSQL), which also serialises the chain.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    events: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
