"""The receipt register: diarise letters; find, search, correct, confirm, mark, file and close
receipts; open e-files; record signed outputs; check the audit trail.

Every write is one transaction that also appends its audit event, so a receipt, its diary number
and its audit trail are either all stored or none of them is. The workflow steps themselves are in
`workflow.py`, the search index in `search.py`, schema checks and upgrades in `migrate.py`.
"""

from __future__ import annotations

import builtins
import getpass
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, bindparam, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, defer, sessionmaker

from pipeline.errors import ReceiptNotFoundError, RegistryError
from pipeline.model import Classification, Letter, Receipt, Status
from pipeline.registry import migrate, pg_writer, search, workflow
from pipeline.registry.audit import Event, append_event, verify_chain
from pipeline.registry.diary import check_format, diary_template, format_diary_no
from pipeline.registry.engine import make_engine, write_engine
from pipeline.registry.pg_writer import PgReceipt
from pipeline.registry.records import (
    AuditEntry,
    Correction,
    Efile,
    EfileNotFoundError,
    Movement,
    TrainingExample,
)
from pipeline.registry.schema import (
    AuditEvent,
    CorrectionRow,
    EfileRow,
    MovementRow,
    ReceiptRow,
    SchemaVersion,
)
from pipeline.registry.sqlite_writer import SqliteWriter

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # placeholder until the diary number is taken
_SEEN_ANY = select(ReceiptRow.sha256).where(ReceiptRow.sha256.in_(bindparam("hashes", expanding=True)))
_INSERT_RECEIPTS = insert(ReceiptRow).returning(ReceiptRow.__table__.c.id, sort_by_parameter_order=True)


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
    page_confidences: tuple[float | None, ...] = ()


@dataclass
class _Prepared:
    new: NewReceipt
    values: dict[str, Any]  # the receipts row; diary_no, seq and diarised_at filled in under the lock
    doc: dict[str, str]  # the search index entry (PostgreSQL; SQLite indexes in batches)


def _receipts() -> Select[ReceiptRow]:
    """Receipt rows without their OCR text, which can be long and is not part of the receipt record."""
    return select(ReceiptRow).options(defer(ReceiptRow.ocr_text))


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
        self._write_engine = write_engine(self._engine)
        self._write = sessionmaker(bind=self._write_engine, expire_on_commit=False)
        dialect = self._engine.dialect
        self._sqlite = SqliteWriter(dialect) if dialect.name == "sqlite" else None
        self._autocommit = self._engine.execution_options(isolation_level="AUTOCOMMIT")
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
        """Create a new registry; refuse one written by a newer dak or needing `dak db upgrade`."""
        with self._errors(), self._write() as session, session.begin():
            migrate.ensure_usable(session.connection(), self._safe_url())

    def _safe_url(self) -> str:
        return self._engine.url.render_as_string(hide_password=True)

    def schema_version(self) -> int:
        """The schema version stored in the registry."""
        with self._errors(), self._read() as session:
            row = session.get(SchemaVersion, 1)
            return row.version if row is not None else 0

    def find_by_sha256(self, sha256: str) -> Receipt | None:
        """The receipt for these exact bytes, if they were diarised before."""
        with self._errors(), self._read() as session:
            row = session.scalar(_receipts().where(ReceiptRow.sha256 == sha256))
            return _to_receipt(row) if row is not None else None

    def get(self, diary_no: str) -> Receipt:
        """The receipt with this diary number; ReceiptNotFoundError if there is none."""
        with self._errors(), self._read() as session:
            row = session.scalar(_receipts().where(ReceiptRow.diary_no == diary_no))
        if row is None:
            raise ReceiptNotFoundError(f"No receipt with diary number {diary_no!r} in the registry.")
        return _to_receipt(row)

    def list(
        self,
        *,
        limit: int | None = None,
        category: str | None = None,
        section: str | None = None,
        status: str | None = None,
        since: datetime | None = None,
    ) -> builtins.list[Receipt]:
        """Receipts oldest first in diary order (year, office, series, number), optionally filtered."""
        query = _receipts().order_by(
            ReceiptRow.year, ReceiptRow.office, ReceiptRow.series, ReceiptRow.seq, ReceiptRow.id
        )
        if category is not None:
            query = query.where(ReceiptRow.category == category)
        if section is not None:
            query = query.where(ReceiptRow.section == section)
        if status is not None:
            query = query.where(ReceiptRow.status == status)
        if since is not None:
            query = query.where(ReceiptRow.received_at >= since)
        if limit is not None:
            query = query.limit(limit)
        with self._errors(), self._read() as session:
            return [_to_receipt(row) for row in session.scalars(query)]

    def index_pending(self) -> int:
        """Index the receipts still waiting for the search index (SQLite batches them); how many."""
        with self._errors(), self._read() as session:
            if not search.pending(session.connection()):
                return 0
        with self._errors(), self._write_engine.begin() as conn:
            return search.index_pending(conn)

    def search(self, query: str, *, limit: int = 50) -> builtins.list[Receipt]:
        """Receipts whose subject or OCR text contains every word of `query` (Hindi or English), best first."""
        self.index_pending()
        with self._errors(), self._read() as session:
            hits = search.search(session.connection(), query, limit=limit)
            if not hits:
                return []
            rows = {
                row.id: row
                for row in session.scalars(_receipts().where(ReceiptRow.id.in_([h.receipt_id for h in hits])))
            }
        return [_to_receipt(rows[h.receipt_id]) for h in hits if h.receipt_id in rows]

    def ocr_text(self, diary_no: str) -> str:
        """The OCR text stored with a receipt."""
        with self._errors(), self._read() as session:
            return workflow.receipt_row(session, diary_no, lock=False).ocr_text

    def correct(self, diary_no: str, changes: dict[str, str], *, actor: str | None = None) -> Receipt:
        """Change fields of a receipt; one corrections row per changed field, and an audit event.

        Fields: category, section, priority, security, letter_no, letter_date, subject, sender,
        file_no, language, due_date. An unknown field or value raises UnknownFieldError.
        """
        with self._errors(), self._write() as session, session.begin():
            row, _ = workflow.correct(session, diary_no, changes, actor=actor or self.actor)
            return _to_receipt(row)

    def confirm(self, diary_no: str, *, actor: str | None = None) -> Receipt:
        """A clerk confirms the receipt's fields as read."""
        with self._errors(), self._write() as session, session.begin():
            return _to_receipt(workflow.confirm(session, diary_no, actor=actor or self.actor))

    def mark(
        self, diary_no: str, to_section: str, *, remarks: str | None = None, actor: str | None = None
    ) -> Receipt:
        """Mark a receipt to a section or officer (a movement; status `marked`)."""
        with self._errors(), self._write() as session, session.begin():
            row = workflow.mark(session, diary_no, to_section, remarks, actor=actor or self.actor)
            return _to_receipt(row)

    def put_in_file(self, diary_no: str, file_no: str, *, actor: str | None = None) -> Receipt:
        """Put a receipt into an open e-file (status `put_in_file`)."""
        with self._errors(), self._write() as session, session.begin():
            return _to_receipt(workflow.put_in_file(session, diary_no, file_no, actor=actor or self.actor))

    def close_receipt(self, diary_no: str, *, actor: str | None = None) -> Receipt:
        """Close a receipt (status `closed`)."""
        with self._errors(), self._write() as session, session.begin():
            return _to_receipt(workflow.close(session, diary_no, actor=actor or self.actor))

    def movements(self, diary_no: str) -> builtins.list[Movement]:
        """Where a receipt has been marked, oldest first."""
        with self._errors(), self._read() as session:
            row = workflow.receipt_row(session, diary_no, lock=False)
            moves = session.scalars(
                select(MovementRow).where(MovementRow.receipt_id == row.id).order_by(MovementRow.id)
            )
            return [
                Movement(m.at, m.actor, m.from_section, m.to_section, m.remarks, diary_no=diary_no)
                for m in moves
            ]

    def corrections(self, diary_no: str) -> builtins.list[Correction]:
        """What clerks changed in a receipt, oldest first."""
        with self._errors(), self._read() as session:
            row = workflow.receipt_row(session, diary_no, lock=False)
            rows = session.scalars(
                select(CorrectionRow).where(CorrectionRow.receipt_id == row.id).order_by(CorrectionRow.id)
            )
            return [Correction(diary_no, c.field, c.old_value, c.new_value, c.at, c.actor) for c in rows]

    def history(self, diary_no: str) -> builtins.list[AuditEntry]:
        """The audit events of one receipt, oldest first."""
        with self._errors(), self._read() as session:
            row = workflow.receipt_row(session, diary_no, lock=False)
            events = session.scalars(
                select(AuditEvent).where(AuditEvent.receipt_id == row.id).order_by(AuditEvent.id)
            )
            return [AuditEntry(e.at, e.actor, e.action, diary_no, e.details) for e in events]

    def training_examples(self) -> builtins.list[TrainingExample]:
        """Receipts whose category a clerk vouched for: corrected or confirmed, or marked, filed or closed."""
        vouched = (Status.MARKED, Status.PUT_IN_FILE, Status.CLOSED)
        with self._errors(), self._read() as session:
            corrected_ids = set(
                session.scalars(
                    select(CorrectionRow.receipt_id)
                    .where(CorrectionRow.field.in_(("category", "section")))
                    .distinct()
                )
            )
            category_ids = set(
                session.scalars(
                    select(CorrectionRow.receipt_id).where(CorrectionRow.field == "category").distinct()
                )
            )
            query = (
                select(ReceiptRow.id, ReceiptRow.ocr_text, ReceiptRow.category, ReceiptRow.section)
                .where(
                    ReceiptRow.confirmed_at.is_not(None)
                    | ReceiptRow.status.in_([str(s) for s in vouched])
                    | ReceiptRow.id.in_(category_ids or {-1})
                )
                .order_by(ReceiptRow.id)
            )
            return [
                TrainingExample(
                    ocr_text=text or "", category=cat, section=sec, corrected=rid in corrected_ids
                )
                for rid, text, cat, sec in session.execute(query)
            ]

    def create_file(
        self,
        subject: str,
        section: str,
        *,
        office: str,
        file_format: str,
        head: str,
        opened_at: datetime | None = None,
        actor: str | None = None,
    ) -> Efile:
        """Open an e-file numbered by `file_format`, e.g. {office}-{head}/{seq}/{year}-{section}."""
        when = opened_at or datetime.now(UTC)
        with self._errors(), self._write() as session, session.begin():
            row = workflow.create_file(
                session,
                subject=subject,
                section=section,
                head=head,
                office=office,
                file_format=file_format,
                opened_at=when,
                actor=actor or self.actor,
            )
            return _to_efile(row, ())

    def files(self, *, section: str | None = None) -> builtins.list[Efile]:
        """E-files, oldest first."""
        query = select(EfileRow).order_by(EfileRow.id)
        if section is not None:
            query = query.where(EfileRow.section == section)
        with self._errors(), self._read() as session:
            return [_to_efile(row, ()) for row in session.scalars(query)]

    def get_file(self, file_no: str) -> Efile:
        """One e-file with the diary numbers put in it; EfileNotFoundError if there is none."""
        with self._errors(), self._read() as session:
            row = session.scalar(select(EfileRow).where(EfileRow.file_no == file_no))
            if row is None:
                raise EfileNotFoundError(f"No e-file {file_no!r} in the registry.")
            diary_nos = session.scalars(
                select(ReceiptRow.diary_no)
                .where(ReceiptRow.file_no == file_no, ReceiptRow.status != str(Status.DIARISED))
                .order_by(ReceiptRow.id)
            )
            return _to_efile(row, tuple(diary_nos))

    def log_event(self, action: str, *, diary_no: str | None = None, details: dict[str, Any]) -> None:
        """Append an audit event from outside the registry (e.g. `verify_failed` from signature checks)."""
        with self._errors(), self._write() as session, session.begin():
            receipt_id = workflow.receipt_row(session, diary_no, lock=False).id if diary_no else None
            append_event(
                session,
                at=datetime.now(UTC),
                actor=self.actor,
                action=action,
                receipt_id=receipt_id,
                details={"diary_no": diary_no, **details} if diary_no else details,
            )

    def diarise(self, new: NewReceipt) -> Receipt:
        """Give the letter the next diary number and store its receipt, in one transaction.

        The same bytes seen before (even by a process racing this one) give back the earlier
        receipt with status DUPLICATE, and no diary number is used up.
        """
        return self.diarise_many([new])[0]

    def diarise_many(self, batch: Sequence[NewReceipt]) -> builtins.list[Receipt]:
        """Diarise several letters in one transaction (a backfill's batch), in the order given.

        Each gets its own gapless diary number, exactly as one by one; letters seen before, or
        repeated within the batch, come back as DUPLICATE of the first receipt. All or nothing:
        if the transaction fails, no number is used up.
        """
        for new in batch:
            check_format(new.diary_format)
            if new.received_at.tzinfo is None or new.received_at.utcoffset() is None:
                raise RegistryError(f"Receipt time {new.received_at} for {new.source} has no time zone.")
        for attempt in range(3):
            try:
                prepared = self._prepare(batch)
                if self._sqlite is None:  # PostgreSQL: one statement, its own transaction (pg_writer.py)
                    with self._errors(), self._autocommit.connect() as conn:
                        made = self._insert_pg(conn, prepared, datetime.now(UTC))
                else:
                    with self._errors(), self._write_engine.begin() as conn:
                        made = self._insert_sqlite(conn, prepared)
                break
            except RegistryError as exc:
                if not isinstance(exc.__cause__, IntegrityError):
                    raise
                # Another process diarised some of these bytes since we looked: look again.
                if attempt == 2 or not any(self.find_by_sha256(n.sha256) for n in batch):
                    raise RegistryError(
                        f"Could not diarise {batch[0].source}: {exc.__cause__.orig}. If two numbering "
                        "series share a diary number format, add {series} to the format "
                        "(e.g. {office}/{series}/{year}/{seq:06d})."
                    ) from exc.__cause__
        results: builtins.list[Receipt] = []
        earlier: dict[str, Receipt] = {}
        for new in batch:
            row = made.get(new.sha256)
            if row is not None and new.sha256 not in earlier:
                earlier[new.sha256] = _to_receipt(row)
                results.append(earlier[new.sha256])
                continue
            first = earlier.get(new.sha256) or self.find_by_sha256(new.sha256)
            if first is None:  # pragma: no cover - receipts are never deleted
                raise RegistryError(f"The receipt for {new.source} vanished while dak was reading it.")
            earlier[new.sha256] = first
            results.append(replace(first, status=Status.DUPLICATE))
        return results

    def _prepare(self, batch: Sequence[NewReceipt]) -> builtins.list[_Prepared]:
        """Everything about each new letter that needs no lock: row values and search document."""
        dialect = self._engine.dialect.name
        first: dict[str, _Prepared] = {}
        for new in batch:
            if new.sha256 not in first:
                values = _new_values(new, diary_no="", year=new.received_at.year, seq=0, diarised_at=_EPOCH)
                # SQLite indexes new receipts in batches from their stored rows (search.py)
                doc = (
                    search.document(dialect, new.letter.subject, new.ocr_text)
                    if dialect == "postgresql"
                    else {}
                )
                first[new.sha256] = _Prepared(new, values, doc)
        return builtins.list(first.values())

    def _insert_sqlite(self, conn: Connection, prepared: Sequence[_Prepared]) -> dict[str, Any]:
        """Insert, number and log the letters not seen before; their rows by sha256.

        SQLite locks the whole database at BEGIN; the statements run on the driver's connection
        (`sqlite_writer.py`), without SQLAlchemy's per-statement cost.
        """
        now = datetime.now(UTC)
        sqlite = self._sqlite
        assert sqlite is not None
        if len(prepared) == 1:
            seen = {prepared[0].new.sha256} if sqlite.seen(conn, prepared[0].new.sha256) else set()
        else:
            hashes = [p.new.sha256 for p in prepared]
            seen = set(conn.execute(_SEEN_ANY, {"hashes": hashes}).scalars())
        fresh = [p for p in prepared if p.new.sha256 not in seen]
        if not fresh:
            return {}
        for p in fresh:
            p.values["diarised_at"] = now
        _number(conn, fresh, sqlite.next_seq)
        ids = [sqlite.insert_receipt(conn, p.values) for p in fresh]
        if ids[-1] - sqlite.indexed_up_to(conn) >= search.INDEX_BATCH:
            search.index_pending(conn)
        events = [
            Event(now, self.actor, "diarise", rid, {k: p.values[k] for k in ("diary_no", "sha256", "source")})
            for rid, p in zip(ids, fresh, strict=True)
        ]
        sqlite.append_events(conn, events)
        return {p.new.sha256: SimpleNamespace(id=rid, **p.values) for rid, p in zip(ids, fresh, strict=True)}

    def _insert_pg(self, conn: Connection, prepared: Sequence[_Prepared], now: datetime) -> dict[str, Any]:
        """Insert, number and log the letters not seen before, in one statement; their rows by sha256."""
        batch = []
        for p in prepared:
            new = p.new
            p.values.update(diary_no=f"~{new.sha256}", diarised_at=now)  # the server puts in the number
            template = diary_template(
                new.diary_format, office=new.office, series=new.series, year=p.values["year"]
            )
            batch.append(PgReceipt(p.values, p.doc["doc"], template))
        numbered = pg_writer.diarise(conn, batch, at=now, actor=self.actor)
        made: dict[str, Any] = {}
        for p in prepared:
            got = numbered.get(p.new.sha256)
            if got is not None:
                p.values.update(diary_no=got.diary_no, seq=got.seq)
                made[p.new.sha256] = SimpleNamespace(id=got.receipt_id, **p.values)
        return made

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
                action="sign",
                receipt_id=row.id,
                details=details,
            )
            return _to_receipt(row)

    def verify_audit(self) -> int:
        """Check the audit log's hash chain end to end; the number of events, or RegistryError."""
        with self._errors(), self._read() as session:
            return verify_chain(session)


def _number(conn: Connection, fresh: Sequence[_Prepared], take: Callable[..., int]) -> None:
    """Take the diary numbers for new receipts, in order, and write them into their row values."""
    wanted: dict[tuple[str, str, int], int] = {}
    for p in fresh:
        key = (p.new.office, p.new.series, p.new.received_at.year)
        wanted[key] = wanted.get(key, 0) + 1
    next_free = {key: take(conn, *key, count=n) - n + 1 for key, n in sorted(wanted.items())}
    _assign(fresh, next_free)


def _assign(fresh: Sequence[_Prepared], next_free: dict[tuple[str, str, int], int]) -> None:
    """Write consecutive diary numbers from `next_free` (per office, series, year) into the rows."""
    for p in fresh:
        new = p.new
        key = (new.office, new.series, new.received_at.year)
        seq, next_free[key] = next_free[key], next_free[key] + 1
        diary_no = format_diary_no(
            new.diary_format, office=new.office, series=new.series, year=key[2], seq=seq
        )
        p.values.update(diary_no=diary_no, seq=seq)


def _new_values(
    new: NewReceipt, *, diary_no: str, year: int, seq: int, diarised_at: datetime
) -> dict[str, Any]:
    offset = new.received_at.utcoffset() or timedelta(0)
    letter, cls = new.letter, new.classification
    return dict(
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
        page_confidences=list(new.page_confidences),
        output=None,
        output_sha256=None,
        confirmed_at=None,
        confirmed_by=None,
    )


def _to_receipt(row: ReceiptRow | SimpleNamespace) -> Receipt:
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
        output_sha256=row.output_sha256,
        references=tuple(row.references or ()),
        due_date=row.due_date,
        needs_review=row.needs_review,
        page_confidences=tuple(row.page_confidences or ()),
        diarised_at=row.diarised_at,
        confirmed=row.confirmed_at is not None,
    )


def _to_efile(row: EfileRow, receipts: tuple[str, ...]) -> Efile:
    return Efile(
        file_no=row.file_no,
        subject=row.subject,
        section=row.section,
        head=row.head,
        opened_at=row.opened_at,
        opened_by=row.opened_by,
        status=row.status,
        receipts=receipts,
    )


def upgrade_registry(url: str) -> tuple[str | None, str]:
    """Migrate the registry at `url` to the schema this dak writes; (revision before, revision after)."""
    engine = make_engine(url)
    try:
        with Session(write_engine(engine)) as session, session.begin():
            return migrate.upgrade(session.connection(), url)
    except SQLAlchemyError as exc:
        raise RegistryError(f"Could not upgrade the registry at {url}: {exc}") from exc
    finally:
        engine.dispose()
