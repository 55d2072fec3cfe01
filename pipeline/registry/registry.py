"""The receipt register: diarise letters, look them up, record their signed outputs.

Every write is one transaction that also appends its audit event, so a receipt, its diary number
and its audit trail are either all stored or none of them is.
"""

from __future__ import annotations

import builtins
import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from pipeline.errors import ReceiptNotFoundError, RegistryError
from pipeline.model import Classification, Letter, Receipt, Status
from pipeline.registry.audit import append_event, verify_chain
from pipeline.registry.diary import check_format, format_diary_no, next_seq
from pipeline.registry.engine import make_engine, write_engine
from pipeline.registry.schema import SCHEMA_VERSION, Base, ReceiptRow, SchemaVersion

_SCHEMA_LOCK_KEY = 0x64616B_736368656D  # "dak" "schem": serialises schema creation on PostgreSQL


@dataclass(frozen=True, kw_only=True)
class NewReceipt:
    """Everything the pipeline knows about a letter when it asks for a diary number."""

    office: str
    series: str = ""  # a separate numbering, e.g. "LEGACY" for backfills
    diary_format: str  # e.g. "{office}/{year}/{seq:06d}"; may contain {series}
    received_at: datetime  # tz-aware; its own zone decides the diary year
    source: str  # path, "cli" or "drop:<folder>"
    sha256: str
    pages: int
    language: str = "en"
    letter: Letter = field(default_factory=Letter)
    classification: Classification = field(default_factory=Classification)
    ocr_confidence: float = 0.0
    needs_review: bool = False
    ocr_text: str = ""
    due_date: date | None = None


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "dak"


class Registry:
    """The registry database (SQLite file or PostgreSQL) behind `dak`."""

    def __init__(self, url: str, *, actor: str | None = None) -> None:
        self.url = url
        self.actor = actor or _default_actor()
        self._engine = make_engine(url)
        self._read = sessionmaker(bind=self._engine, expire_on_commit=False)
        self._write = sessionmaker(bind=write_engine(self._engine), expire_on_commit=False)
        try:
            self._ensure_schema()
        except BaseException:
            self._engine.dispose()
            raise

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._engine.dispose()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn driver failures (locked, unreachable) into a RegistryError a clerk can act on."""
        try:
            yield
        except SQLAlchemyError as exc:
            raise RegistryError(
                f"The registry database ({self._engine.url.render_as_string(hide_password=True)}) "
                f"could not be used: {exc.__class__.__name__}: {getattr(exc, 'orig', exc)}. "
                "Check that it is reachable and not locked by another program, then try again."
            ) from exc

    def _ensure_schema(self) -> None:
        """Create missing tables and the version row; refuse a registry written by a newer dak."""
        with self._errors(), self._write() as session, session.begin():
            conn = session.connection()
            if conn.dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})
            if inspect(conn).has_table(SchemaVersion.__tablename__):
                stored = session.get(SchemaVersion, 1)
                if stored is not None and stored.version > SCHEMA_VERSION:
                    raise RegistryError(
                        f"The registry at {self.url} has schema version {stored.version}, newer than this "
                        f"dak understands ({SCHEMA_VERSION}). Upgrade dak before using this registry."
                    )
            Base.metadata.create_all(conn)
            if session.get(SchemaVersion, 1) is None:
                session.add(SchemaVersion(id=1, version=SCHEMA_VERSION, updated_at=datetime.now(UTC)))

    def schema_version(self) -> int:
        """The schema version stored in the registry."""
        with self._errors(), self._read() as session:
            row = session.get(SchemaVersion, 1)
            return row.version if row is not None else 0

    def find_by_sha256(self, sha256: str) -> Receipt | None:
        """The receipt for these exact bytes, if they were diarised before."""
        with self._errors(), self._read() as session:
            row = session.scalar(select(ReceiptRow).where(ReceiptRow.sha256 == sha256))
            return _to_receipt(row) if row is not None else None

    def get(self, diary_no: str) -> Receipt:
        """The receipt with this diary number; ReceiptNotFoundError if there is none."""
        with self._errors(), self._read() as session:
            row = session.scalar(select(ReceiptRow).where(ReceiptRow.diary_no == diary_no))
        if row is None:
            raise ReceiptNotFoundError(f"No receipt with diary number {diary_no!r} in the registry.")
        return _to_receipt(row)

    def list(self, *, limit: int | None = None) -> builtins.list[Receipt]:
        """Receipts oldest first in diary order (year, office, series, number)."""
        query = select(ReceiptRow).order_by(
            ReceiptRow.year, ReceiptRow.office, ReceiptRow.series, ReceiptRow.seq, ReceiptRow.id
        )
        if limit is not None:
            query = query.limit(limit)
        with self._errors(), self._read() as session:
            return [_to_receipt(row) for row in session.scalars(query)]

    def diarise(self, new: NewReceipt) -> Receipt:
        """Give the letter the next diary number and store its receipt, in one transaction.

        The same bytes seen before (even by a process racing this one) give back the earlier
        receipt with status DUPLICATE, and no diary number is used up.
        """
        check_format(new.diary_format)
        if new.received_at.tzinfo is None or new.received_at.utcoffset() is None:
            raise RegistryError(f"Receipt time {new.received_at} for {new.source} has no time zone.")
        try:
            with self._errors(), self._write() as session, session.begin():
                existing = session.scalar(select(ReceiptRow).where(ReceiptRow.sha256 == new.sha256))
                if existing is not None:
                    return replace(_to_receipt(existing), status=Status.DUPLICATE)
                row = self._insert_receipt(session, new)
                receipt = _to_receipt(row)
        except RegistryError as exc:
            if not isinstance(exc.__cause__, IntegrityError):
                raise
            return self._after_conflict(new, exc.__cause__)
        return receipt

    def _insert_receipt(self, session: Session, new: NewReceipt) -> ReceiptRow:
        year = new.received_at.year
        seq = next_seq(session, new.office, new.series, year)
        diary_no = format_diary_no(new.diary_format, office=new.office, series=new.series, year=year, seq=seq)
        now = datetime.now(UTC)
        row = _new_row(new, diary_no=diary_no, year=year, seq=seq, diarised_at=now)
        session.add(row)
        session.flush()
        append_event(
            session,
            at=now,
            actor=self.actor,
            action="diarise",
            receipt_id=row.id,
            details={"diary_no": diary_no, "sha256": new.sha256, "source": new.source},
        )
        return row

    def _after_conflict(self, new: NewReceipt, error: IntegrityError) -> Receipt:
        """A unique constraint stopped the insert: same bytes (a duplicate) or a clashing diary number."""
        existing = self.find_by_sha256(new.sha256)
        if existing is not None:
            return replace(existing, status=Status.DUPLICATE)
        raise RegistryError(
            f"Could not diarise {new.source}: {error.orig}. If two numbering series share a diary number "
            "format, add {series} to the format (e.g. {office}/{series}/{year}/{seq:06d})."
        ) from error

    def record_output(self, receipt_id: int, output: str, output_sha256: str) -> Receipt:
        """Store where the signed PDF of a receipt is, and its sha256."""
        with self._errors(), self._write() as session, session.begin():
            row = session.get(ReceiptRow, receipt_id)
            if row is None:
                raise ReceiptNotFoundError(f"No receipt with id {receipt_id} in the registry.")
            details: dict[str, Any] = {"output": output, "output_sha256": output_sha256}
            if row.output is not None:
                details["previous"] = {"output": row.output, "output_sha256": row.output_sha256}
            row.output = output
            row.output_sha256 = output_sha256
            session.flush()
            append_event(
                session,
                at=datetime.now(UTC),
                actor=self.actor,
                action="record_output",
                receipt_id=row.id,
                details=details,
            )
            return _to_receipt(row)

    def verify_audit(self) -> int:
        """Check the audit log's hash chain end to end; the number of events, or RegistryError."""
        with self._errors(), self._read() as session:
            return verify_chain(session)


def _new_row(new: NewReceipt, *, diary_no: str, year: int, seq: int, diarised_at: datetime) -> ReceiptRow:
    offset = new.received_at.utcoffset() or timedelta(0)
    letter, cls = new.letter, new.classification
    return ReceiptRow(
        diary_no=diary_no,
        office=new.office,
        series=new.series,
        year=year,
        seq=seq,
        received_at=new.received_at,
        received_utc_offset=int(offset.total_seconds() // 60),
        diarised_at=diarised_at,
        source=new.source,
        sha256=new.sha256,
        pages=new.pages,
        language=new.language,
        category=str(cls.category),
        priority=str(cls.priority),
        security=str(cls.security),
        section=cls.section,
        letter_no=letter.letter_no,
        letter_date=letter.letter_date,
        subject=letter.subject,
        sender=letter.sender,
        references=list(letter.references),
        file_no=letter.file_numbers[0] if letter.file_numbers else None,
        due_date=new.due_date,
        status=str(Status.DIARISED),
        needs_review=new.needs_review,
        ocr_confidence=new.ocr_confidence,
        category_confidence=cls.confidence,
        ocr_text=new.ocr_text,
    )


def _to_receipt(row: ReceiptRow) -> Receipt:
    local = timezone(timedelta(minutes=row.received_utc_offset))
    return Receipt(
        receipt_id=row.id,
        diary_no=row.diary_no,
        status=Status(row.status),
        source=row.source,
        sha256=row.sha256,
        pages=row.pages,
        language=row.language,
        category=row.category,
        priority=row.priority,
        security=row.security,
        section=row.section,
        letter_no=row.letter_no,
        letter_date=row.letter_date,
        subject=row.subject,
        sender=row.sender,
        file_no=row.file_no,
        received_at=row.received_at.astimezone(local),
        confidence={"ocr": row.ocr_confidence, "category": row.category_confidence},
        output=row.output,
    )
